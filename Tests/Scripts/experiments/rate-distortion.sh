#!/usr/bin/env bash
# The rate–distortion table of the Results article (Sources/TextVAE/TextVAE.docc/Results.md): trains one model per
# KL target with `--kl-target` (the decoder-dropout recipe: no word dropout, dropout 0.5 on input embeddings and
# states, EPOCHS epochs), a language model with the same recipe (`--baseline lm`) to score samples, then evaluates
# each model on VALID with `-k K --samples 1000 --lm LM --paths 100`, and again with each code refined
# (`-k 1 --refine 20 --paths 100`, the figures in brackets), and prints one Markdown row per target.
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
echo "| KL target | KL | rec | NLL (k = $k) | MI | AU | exact (refined) | token acc. (refined) | BLEU | own neighbour | samples' LM ppl (file's) | degenerate raw | distinct-2 | both path ends exact (refined) | distinct a path | words a step | never back | train min |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for target in "${targets[@]}"; do
  trained "kl$target" --kl-target "$target"
  "$textvae" evaluate -m "$out/kl$target.safetensors" "$valid" -k "$k" --samples 1000 --lm "$out/lm.safetensors" \
    --paths 100 --threads "$threads" --json 2>/dev/null > "$out/kl$target.eval.json"
  # The same reconstructions and paths with each code refined by 20 steps (-k 1: the NLL is not the point here).
  "$textvae" evaluate -m "$out/kl$target.safetensors" "$valid" -k 1 --refine 20 --paths 100 --threads "$threads" --json \
    2>/dev/null > "$out/kl$target.refined.json"
  python3 - "$target" "$out/kl$target.eval.json" "$out/kl$target.refined.json" \
    "$(cat "$out/kl$target.seconds" 2>/dev/null || echo 0)" <<'PY'
import json, sys
target, path, refined_path, seconds = sys.argv[1:]
r, f = json.load(open(path)), json.load(open(refined_path))
pct = lambda x: f"{100 * x:.1f}%"
print(f"| {target} | {r['kl']:.2f} | {r['rec']:.2f} | {r['nll']:.2f} | {r['mi']:.2f} | {r['au']} | "
      f"{pct(r['recon_exact'])} ({pct(f['recon_exact'])}) | {pct(r['recon_token_accuracy'])} ({pct(f['recon_token_accuracy'])}) | "
      f"{100 * r['recon_bleu']:.1f} | {pct(r['geometry_own_neighbour'])} | {r['samples_lm_ppl']:.1f} ({r['file_lm_ppl']:.1f}) | "
      f"{pct(r['samples_degenerate_raw'])} | {r['samples_distinct_2']:.3f} | {pct(r['path_both_ends_exact'])} "
      f"({pct(f['path_both_ends_exact'])}) | {r['path_distinct']:.2f} | {r['path_step_edit']:.2f} | {pct(r['path_monotone'])} | "
      f"{int(seconds) / 60:.0f} |")
PY
done
