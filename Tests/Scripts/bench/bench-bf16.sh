#!/usr/bin/env bash
# The bfloat16 output layer for decoding (CPUs with AVX-512 BF16; TEXTVAE_BF16=1: every step on AMD, steps of up to
# 64 rows on Intel) against float32 (TEXTVAE_BF16=0), on one model:
#   1. agreement: greedy `sample` of N sentences, each from its own seed, with both; the share of seeds whose
#      sentence is the same;
#   2. speed: the decoding time `sample --verbose` reports for 1, 4, 16 and 64 sentences, and whole `sample -n 1000`
#      and `sample -n 1` commands, each way in turn, medians;
#   3. with FILE (held-out sentences), scoring, which uses the layer on AMD only: `evaluate FILE -k K --json` each
#      way in turn, its nll and rec each way and the wall time of the whole command, medians;
#   4. with TRAIN too (a whitespace-tokenised training file), training's products in bfloat16
#      (TEXTVAE_BF16_TRAINING=1) against float32: `textvae bench --train TRAIN --valid FILE --steps 200` each way in
#      turn, training tokens/s, medians.
# Usage: bash Tests/Scripts/bench/bench-bf16.sh MODEL [ROUNDS] [N] [FILE] [K] [TRAIN]
# (release binary: swift build -c release first)
set -euo pipefail
cd "$(dirname "$0")/../../.."
model=$1
rounds=${2:-5}
seeds=${3:-200}
held_out=${4:-}
k=${5:-100}
train=${6:-}
textvae=.build/release/textvae
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

grep -q avx512_bf16 /proc/cpuinfo || { echo "this CPU has no AVX-512 BF16: the float32 layer is the only one"; exit 0; }
echo "on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
TEXTVAE_BF16=1 "$textvae" sample -m "$model" -n 1 --verbose 2>&1 >/dev/null | grep -o 'output layer [^;]*' || true

same=0
for seed in $(seq 1 "$seeds"); do
    a=$(TEXTVAE_BF16=1 "$textvae" sample -m "$model" -n 1 --seed "$seed")
    b=$(TEXTVAE_BF16=0 "$textvae" sample -m "$model" -n 1 --seed "$seed")
    [ "$a" = "$b" ] && same=$((same + 1))
done
echo "greedy sentences equal on $same of $seeds seeds"

# 1,000 at once: batches above 64 rows decode in float32 until their rows thin out to 64.
TEXTVAE_BF16=1 "$textvae" sample -m "$model" -n 1000 --seed 7 >"$work/bf16.txt"
TEXTVAE_BF16=0 "$textvae" sample -m "$model" -n 1000 --seed 7 >"$work/fp32.txt"
echo "sample -n 1000 --seed 7: $(paste -d'\n' "$work/bf16.txt" "$work/fp32.txt" | paste - - | awk -F'\t' '$1 == $2' | wc -l) of 1000 lines equal"

seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null; end=$(date +%s.%N); echo "$end - $start" | bc -l; }
median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
for r in $(seq "$rounds"); do
    seconds env TEXTVAE_BF16=1 "$textvae" sample -m "$model" -n 1000 --seed "$r" >>"$work/batch-bf16"
    seconds env TEXTVAE_BF16=0 "$textvae" sample -m "$model" -n 1000 --seed "$r" >>"$work/batch-fp32"
    for i in $(seq 10); do
        seconds env TEXTVAE_BF16=1 "$textvae" sample -m "$model" -n 1 --seed "$i" >>"$work/one-bf16"
        seconds env TEXTVAE_BF16=0 "$textvae" sample -m "$model" -n 1 --seed "$i" >>"$work/one-fp32"
    done
done
b=$(median <"$work/batch-bf16"); f=$(median <"$work/batch-fp32")
o=$(median <"$work/one-bf16"); g=$(median <"$work/one-fp32")
printf 'sample -n 1000 (whole command): bfloat16 %.3f s, float32 %.3f s, speed-up %.2fx (medians of %d)\n' "$b" "$f" "$(echo "$f / $b" | bc -l)" "$rounds"
printf 'sample -n 1 (whole command):    bfloat16 %.1f ms, float32 %.1f ms, speed-up %.2fx (medians of %d)\n' \
    "$(echo "$o * 1000" | bc -l)" "$(echo "$g * 1000" | bc -l)" "$(echo "$g / $o" | bc -l)" "$((rounds * 10))"
decode_ms() { "$@" --verbose 2>&1 >/dev/null | grep -o 'sentences in [0-9.]* ms' | grep -o '[0-9.]* ms' | cut -d' ' -f1; }
for n in 1 4 16 64; do
    : >"$work/d-bf16"; : >"$work/d-fp32"
    for r in $(seq "$rounds"); do
        decode_ms env TEXTVAE_BF16=1 "$textvae" sample -m "$model" -n "$n" --seed "$r" >>"$work/d-bf16"
        decode_ms env TEXTVAE_BF16=0 "$textvae" sample -m "$model" -n "$n" --seed "$r" >>"$work/d-fp32"
    done
    b=$(median <"$work/d-bf16"); f=$(median <"$work/d-fp32")
    printf 'decoding %2d sentences: bfloat16 %.1f ms, float32 %.1f ms, speed-up %.2fx (medians of %d)\n' "$n" "$b" "$f" "$(echo "$f / $b" | bc -l)" "$rounds"
done

[ -n "$held_out" ] || exit 0
if [ -n "$train" ]; then
    : >"$work/t-bf16"; : >"$work/t-fp32"
    for r in $(seq "$rounds"); do
        for way in bf16 fp32; do
            flag=1; [ "$way" = fp32 ] && flag=0
            TEXTVAE_BF16_TRAINING=$flag "$textvae" bench --train "$train" --valid "$held_out" --steps 200 2>/dev/null \
                | python3 -c "import json, sys; print(json.load(sys.stdin)['train_tokens_per_s'])" >>"$work/t-$way"
        done
    done
    b=$(median <"$work/t-bf16"); f=$(median <"$work/t-fp32")
    printf 'training (bench --steps 200): bfloat16 products %.0f tokens/s, float32 %.0f tokens/s, speed-up %.2fx (medians of %d)\n' \
        "$b" "$f" "$(echo "$b / $f" | bc -l)" "$rounds"
fi
key() { python3 -c "import json, sys; print(json.load(sys.stdin)['$1'])"; }
: >"$work/e-bf16"; : >"$work/e-fp32"
for r in $(seq "$rounds"); do
    for way in bf16 fp32; do
        flag=1; [ "$way" = fp32 ] && flag=0
        start=$(date +%s.%N)
        TEXTVAE_BF16=$flag "$textvae" evaluate -m "$model" "$held_out" -k "$k" --json 2>/dev/null >"$work/eval-$way.json"
        end=$(date +%s.%N)
        echo "$end - $start" | bc -l >>"$work/e-$way"
    done
done
for way in bf16 fp32; do
    echo "evaluate -k $k, TEXTVAE_BF16=$([ $way = bf16 ] && echo 1 || echo 0): output layer $(key output_layer <"$work/eval-$way.json"), nll $(key nll <"$work/eval-$way.json") ± $(key nll_se <"$work/eval-$way.json"), rec $(key rec <"$work/eval-$way.json")"
done
b=$(median <"$work/e-bf16"); f=$(median <"$work/e-fp32")
printf 'evaluate -k %d (whole command): bfloat16 %.1f s, float32 %.1f s, speed-up %.2fx (medians of %d)\n' "$k" "$b" "$f" "$(echo "$f / $b" | bc -l)" "$rounds"
