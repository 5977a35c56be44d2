#!/usr/bin/env bash
# Training speed on one machine: 1 process × 1 thread, 1 process × 2 threads, and 2 MPI ranks × 1 thread
# (each rank making half of Adam's step, and, as the reference, each making all of it after one all-reduce:
# TEXTVAE_SHARDED_STEP=0), in alternating rounds (the machine is noisy: medians are printed), with the share of
# the update time the sums and gathers took for the 2-rank runs. Needs Open MPI (apt-get install openmpi-bin
# libopenmpi-dev).
#
#   bash Tests/Scripts/bench/bench-ranks.sh TRAIN VALID [ROUNDS] [MINUTES]
#   bash Tests/Scripts/bench/bench-ranks.sh ptb/train.txt ptb/valid.txt 3 1
#
# TRAIN and VALID are whitespace-tokenised (the Penn Treebank's); each run trains MINUTES (default 1) with
# the default sizes, and its tokens/s is the metrics log's last figure for the epoch so far.
set -euo pipefail
train=${1:?usage: bench-ranks.sh TRAIN VALID [ROUNDS] [MINUTES]}
valid=${2:?usage: bench-ranks.sh TRAIN VALID [ROUNDS] [MINUTES]}
rounds=${3:-3}
minutes=${4:-1}
root="$(cd "$(dirname "$0")/../../.." && pwd)"
train=$(realpath "$train"); valid=$(realpath "$valid")
(cd "$root" && swift build -c release >/dev/null)
textvae="$root/.build/release/textvae"
work=$(mktemp -d /tmp/bench-ranks.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$textvae" prepare "$train" -o train.tokens --tokenizer whitespace --no-hold-out >/dev/null

run() {  # name, threads, then what starts textvae (nothing, or mpirun and its flags); records tokens/s and the all-reduce share
  local name=$1 threads=$2; shift 2
  "$@" "$textvae" train train.tokens --valid "$valid" -o "$name.safetensors" --threads "$threads" --time-limit "$minutes" \
    --overwrite --quiet > "$name.out"
  local speed
  speed=$(grep -o '"tokens_per_s":[0-9.e+]*' "$name.metrics.jsonl" | grep -v '^$' | tail -1 | cut -d: -f2)
  echo "$name $speed $(grep -o 'took [0-9.]*%' "$name.out" | cut -d' ' -f2)" >> results.txt
}

for round in $(seq "$rounds"); do
  run one-thread 1
  run two-threads 2
  run two-ranks 1 mpirun --allow-run-as-root -np 2
  run two-ranks-whole-step 1 mpirun --allow-run-as-root -np 2 -x TEXTVAE_SHARDED_STEP=0
  echo "round $round: $(tail -4 results.txt | tr '\n' ' ')"
done
echo "medians of $rounds rounds (tokens/s; the sums' share of rank 0's update time):"
for name in one-thread two-threads two-ranks two-ranks-whole-step; do
  median=$(grep "^$name " results.txt | awk '{print $2}' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
  share=$(grep "^$name " results.txt | awk '$3 != "" {print $3}' | sort -g | awk '{a[NR]=$1} END {if (NR) print " (sums " a[int((NR+1)/2)] ")"}')
  echo "  $name: $median$share"
done
