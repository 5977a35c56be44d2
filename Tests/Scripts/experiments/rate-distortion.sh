#!/usr/bin/env bash
# The rate–distortion table of the Results article (Sources/TextVAE/TextVAE.docc/Results.md): trains one model per
# KL target with `--kl-target` (the decoder-dropout recipe: no word dropout, dropout 0.5 on input embeddings and
# states, EPOCHS epochs), a language model with the same recipe (`--baseline lm`) to score samples, then evaluates
# each model on VALID with `-k K --samples 1000 --lm LM --paths 100` and prints one Markdown row per target.
#
#   bash Tests/Scripts/experiments/rate-distortion.sh TRAIN VALID OUTDIR [K] [TARGET...]
#   bash Tests/Scripts/experiments/rate-distortion.sh ptb/train.txt ptb/valid.txt /tmp/rd 100 5 10 20 40
#
# Environment: EPOCHS (default 10), THREADS (default 1, so that two copies can share a 2-core machine).
# On the Penn Treebank a model takes about 22 minutes to train on one thread of the Intel Xeon, and with K = 100
# about 10 to evaluate. Models already in OUTDIR are not trained again (delete one to retrain it).
set -euo pipefail
usage="usage: rate-distortion.sh TRAIN VALID OUTDIR [K] [TARGET...]"
train=$(realpath "${1:?$usage}"); valid=$(realpath "${2:?$usage}"); out=${3:?$usage}; k=${4:-100}
shift $(( $# < 4 ? $# : 4 ))
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(5 10 20 40)
epochs=${EPOCHS:-10}; threads=${THREADS:-1}
root="$(cd "$(dirname "$0")/../../.." && pwd)"
(cd "$root" && swift build -c release --product textvae >/dev/null)
textvae="$root/.build/release/textvae"
mkdir -p "$out"
recipe=(--tokenizer whitespace --epochs "$epochs" --word-dropout 0 --embedding-dropout 0.5 --output-dropout 0.5
        --threads "$threads" --overwrite --quiet)

trained() {  # name, then the flags that make it
  local name=$1; shift
  if [ ! -f "$out/$name.safetensors" ]; then
    local start; start=$(date +%s)
    "$textvae" train "$train" --valid "$valid" "${recipe[@]}" "$@" -o "$out/$name.safetensors" > "$out/$name.train.log"
    echo $(( $(date +%s) - start )) > "$out/$name.seconds"
  fi
}

trained lm --baseline lm
echo "| KL target | KL | rec | NLL (k = $k) | MI | AU | exact | token acc. | BLEU | samples' LM ppl (file's) | degenerate raw | distinct-2 | path ends exact | distinct a path | words a step | never back | train min |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for target in "${targets[@]}"; do
  trained "kl$target" --kl-target "$target"
  "$textvae" evaluate -m "$out/kl$target.safetensors" "$valid" -k "$k" --samples 1000 --lm "$out/lm.safetensors" \
    --paths 100 --threads "$threads" --json 2>/dev/null > "$out/kl$target.eval.json"
  python3 - "$target" "$out/kl$target.eval.json" "$(cat "$out/kl$target.seconds" 2>/dev/null || echo 0)" <<'PY'
import json, sys
target, path, seconds = sys.argv[1:]
r = json.load(open(path))
pct = lambda x: f"{100 * x:.1f}%"
print(f"| {target} | {r['kl']:.2f} | {r['rec']:.2f} | {r['nll']:.2f} | {r['mi']:.2f} | {r['au']} | {pct(r['recon_exact'])} | "
      f"{pct(r['recon_token_accuracy'])} | {100 * r['recon_bleu']:.1f} | {r['samples_lm_ppl']:.1f} ({r['file_lm_ppl']:.1f}) | "
      f"{pct(r['samples_degenerate_raw'])} | {r['samples_distinct_2']:.3f} | {pct(r['path_both_ends_exact'])} | "
      f"{r['path_distinct']:.2f} | {r['path_step_edit']:.2f} | {pct(r['path_monotone'])} | {int(seconds) / 60:.0f} |")
PY
done
