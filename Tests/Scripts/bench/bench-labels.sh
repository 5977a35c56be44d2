#!/usr/bin/env bash
# Training speed with labels against without, same sizes and data: ROUNDS alternating runs of MINUTES each of
# `textvae train` on the WordNet part-of-speech corpus, with its labels (--label-column 1) and without them (the
# sentence column alone), default model sizes, 2 threads; prints each run's tokens per second (the metrics log's
# epoch row) and the medians. Run it on an otherwise idle machine.
# Usage: Tests/Scripts/bench/bench-labels.sh OUT [ROUNDS] [MINUTES]
set -euo pipefail
here=$(cd "$(dirname "$0")/../../.." && pwd)
out=${1:?usage: bench-labels.sh OUT [ROUNDS] [MINUTES]}
rounds=${2:-3}
minutes=${3:-1}
bin="$here/.build/release/textvae"
[ -x "$bin" ] || (cd "$here" && swift build -c release)
corpus="$here/Corpora/wordnet-pos.tsv"
[ -r "$corpus" ] || "$here/Corpora/wordnet-pos.sh"
mkdir -p "$out"
cd "$out"
cp "$corpus" labelled.tsv
cut -f2 "$corpus" > unlabelled.txt
speed() { python3 -c "import json,sys; print([json.loads(l) for l in open(sys.argv[1]) if '\"epoch\"' in l][-1]['tokens_per_s'])" "$1"; }
: > speeds.txt
for r in $(seq "$rounds"); do
  for kind in labelled unlabelled; do
    extra=(); file=unlabelled.txt
    if [ $kind = labelled ]; then extra=(--label-column 1); file=labelled.tsv; fi
    "$bin" train $file "${extra[@]}" -o $kind.safetensors --overwrite --quiet --epochs 1 --time-limit "$minutes" > /dev/null
    s=$(speed $kind.metrics.jsonl)
    echo "round $r $kind $s tokens/s"
    echo "$kind $s" >> speeds.txt
  done
done
python3 - <<'PY'
import statistics
rows = [l.split() for l in open("speeds.txt")]
med = {k: statistics.median(float(s) for kind, s in rows if kind == k) for k in ("labelled", "unlabelled")}
print(f"median tokens/s: labelled {med['labelled']:.0f}, unlabelled {med['unlabelled']:.0f}; "
      f"labelled / unlabelled = {med['labelled'] / med['unlabelled']:.3f}")
PY
