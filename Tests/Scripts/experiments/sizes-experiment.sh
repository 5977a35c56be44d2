#!/usr/bin/env bash
# Does `textvae train` with no flags fit the run to the corpus? Trains the defaults and a tuned recipe on
# slices of a whitespace-tokenised corpus of one sentence a line (the Penn Treebank's training file) of
# about 1k, 5k, 30k and 300k sentences (a slice longer than the file repeats it), one run at a time, and
# prints one Markdown row per run: updates, minutes, the kept epoch's β, validation KL and −ELBO.
#
#   bash Tests/Scripts/experiments/sizes-experiment.sh TRAIN OUTDIR [SIZE...]
#   bash Tests/Scripts/experiments/sizes-experiment.sh ptb/train.txt /tmp/sizes 1000 5000
#
# Recipes (RECIPES, default "default tuned"), all at the default sizes (E 300, H 256, Z 16), on TEXTVAE_THREADS
# threads (default 2):
#   default  no flags at all
#   tuned    the annealing placed by hand for the slice: 12 epochs, logistic midpoint after 4 epochs' updates,
#            steepness 6 / midpoint, no early stopping (what a practitioner would pick for a small file)
#   dropout  the defaults with dropout 0.5 on the decoder's input embeddings and states instead of word dropout
#            (the best Penn Treebank recipe of the Results article): is it as good on small files?
#   tied     the dropout recipe with the output layer tied to the embedding: `--preset large` (E = H = 256)
# At about 3,000 tokens/s (AMD EPYC, 2 cores) the 5k slice takes about 9 minutes a recipe, the 30k slice about
# 45 and the 300k slice several hours. A run whose model is already in OUTDIR is not trained again.
set -euo pipefail
usage="usage: sizes-experiment.sh TRAIN OUTDIR [SIZE...]"
train=$(realpath "${1:?$usage}"); out=${2:?$usage}
shift 2
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 5000 30000 300000)
root="$(cd "$(dirname "$0")/../../.." && pwd)"
(cd "$root" && swift build -c release >/dev/null)
textvae="$root/.build/release/textvae"
mkdir -p "$out"
lines=$(wc -l < "$train")

echo "| sentences | recipe | updates | minutes | kept epoch | β | valid KL | valid −ELBO | <unk> |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  slice="$out/slice-$n.txt"
  [ -f "$slice" ] || awk -v n="$n" '{ line[NR] = $0 } END { for (i = 0; i < n; i++) print line[i % NR + 1] }' "$train" > "$slice"
  batches=$(( (n - n / 20 + 31) / 32 ))  # every 20th sentence is held out; batches of 32
  for recipe in ${RECIPES:-default tuned}; do
    flags=(--tokenizer whitespace --threads "${TEXTVAE_THREADS:-2}")
    [ "$recipe" = dropout ] && flags+=(--word-dropout 0 --embedding-dropout 0.5 --output-dropout 0.5)
    [ "$recipe" = tied ] && flags+=(--preset large)
    [ "$recipe" = tuned ] && flags+=(--epochs 12 --patience 0 --x0 $(( 4 * batches )) --k "$(awk "BEGIN { print 6 / (4 * $batches) }")")
    model="$out/$n-$recipe.safetensors"
    if [ ! -f "$model" ]; then
      start=$(date +%s)
      "$textvae" train "$slice" -o "$model" "${flags[@]}" > "$out/$n-$recipe.log" 2>&1 || { cat "$out/$n-$recipe.log" >&2; exit 1; }
      echo $(( $(date +%s) - start )) > "$out/$n-$recipe.seconds"
    fi
    # The kept epoch's row of the metrics log, and the run's last line.
    row=$(grep '"kept":true' "$out/$n-$recipe.metrics.jsonl" | tail -1)
    field() { sed -E "s/.*\"$1\":([^,}]*).*/\1/" <<< "$row"; }
    steps=$(grep '"kind":"epoch"' "$out/$n-$recipe.metrics.jsonl" | tail -1 | sed -E 's/.*"step":([0-9]+).*/\1/')
    unk=$(grep -o 'validation <unk> [0-9.]*%' "$out/$n-$recipe.log" | head -1 | cut -d' ' -f3)
    printf "| %s | %s | %s | %.1f | %s | %.3f | %.2f | %.2f | %s |\n" "$n" "$recipe" "$steps" \
      "$(awk "BEGIN { print $(cat "$out/$n-$recipe.seconds") / 60 }")" "$(field epoch)" "$(field beta)" "$(field valid_kl)" \
      "$(field valid_nelbo)" "${unk:-?}"
  done
done
