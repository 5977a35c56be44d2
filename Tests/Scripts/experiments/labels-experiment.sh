#!/usr/bin/env bash
# The label experiments of the Labels article (Sources/TextVAE/TextVAE.docc/Labels.md), on the WordNet part-of-speech corpus
# (Corpora/wordnet-pos.sh writes it). Trains six models of the demo's sizes for MINUTES each (one at a time),
# then measures:
#   - held-out accuracy of q(c|x), all lines labelled (conditional VAE), against the majority class and a
#     linear classifier on μ of an unlabelled model of the same sizes;
#   - with labels on 10% of the lines (M2), against the same model trained on the 10% alone;
#   - 100 conditional samples per class from model 1, classified by model 2 (another seed);
#   - with no labels (--classes 4, JointVAE, without and with a capacity): NMI between the learned classes and the
#     parts of speech, examples of each class, and each class's share of sentences with a word out of the vocabulary.
# Usage: Tests/Scripts/experiments/labels-experiment.sh OUT [MINUTES]   (the linear probe needs python3 with numpy)
set -euo pipefail
here=$(cd "$(dirname "$0")/../../.." && pwd)
out=${1:?usage: labels-experiment.sh OUT [MINUTES]}
minutes=${2:-3.5}
bin="$here/.build/release/textvae"
[ -x "$bin" ] || (cd "$here" && swift build -c release)
corpus="$here/Corpora/wordnet-pos.tsv"
[ -r "$corpus" ] || "$here/Corpora/wordnet-pos.sh"
mkdir -p "$out"
cd "$out"

# Every 20th line is held out for the measurements; models see the rest (and hold out their own validation).
awk 'NR % 20 == 0' "$corpus" > test.tsv
awk 'NR % 20 != 0' "$corpus" > train.tsv
cut -f2 train.tsv > train.txt
cut -f1 train.tsv > train.labels
cut -f2 test.tsv > test.txt
cut -f1 test.tsv > test.labels
awk -F'\t' '{ print (NR % 10 == 1 ? $1 : "") "\t" $2 }' train.tsv > train-10pct.tsv   # labels on every 10th line
awk 'NR % 10 == 1' train.tsv > only-10pct.tsv

sizes=(--max-size 8000 --embedding 128 --hidden 192 --latent 16 --x0 1500 --word-dropout 0.4 --epochs 20
       --time-limit "$minutes" --overwrite --quiet)
run() { local name=$1; shift; echo "--- train $name: $*"; "$bin" train "$@" -o "$name.safetensors" "${sizes[@]}"; }
run conditional-seed1 train.tsv --label-column 1 --seed 1
run conditional-seed2 train.tsv --label-column 1 --seed 2
run unlabelled train.txt --seed 1
run m2-10pct train-10pct.tsv --label-column 1 --seed 1
run only-10pct only-10pct.tsv --label-column 1 --seed 1
run joint-4 train.txt --classes 4 --seed 1
run joint-4-capacity train.txt --classes 4 --class-capacity 1.1 --class-kl-weight 5 --seed 1

echo "=== held-out accuracy of q(c|x) ($(wc -l < test.tsv) sentences)"
for m in conditional-seed1 conditional-seed2 m2-10pct only-10pct; do
  echo "--- $m"; "$bin" classify -m $m.safetensors test.tsv --label-column 1 --quiet
done
echo "--- linear classifier on μ of the unlabelled model"
"$bin" encode -m unlabelled.safetensors train.txt -o train-mu.npy
"$bin" encode -m unlabelled.safetensors test.txt -o test-mu.npy
python3 "$here/Tests/Scripts/experiments/label-probe.py" linear train-mu.npy train.labels test-mu.npy test.labels

echo "=== conditional samples: 100 per class from conditional-seed1, classified by conditional-seed2"
for decoding in greedy sampled; do
  how=(); [ $decoding = sampled ] && how=(--decoder sample --temperature 0.8)
  : > samples-$decoding.tsv
  for c in noun verb adj adv; do
    "$bin" sample -m conditional-seed1.safetensors -n 100 --with-label $c --seed 7 "${how[@]}" --no-unk \
      | awk -v c=$c '{ print c "\t" $0 }' >> samples-$decoding.tsv
  done
  echo "--- $decoding ${how[*]}"
  for c in noun verb adj adv; do echo "$c:"; grep "^$c	" samples-$decoding.tsv | head -4 | cut -f2 | sed 's/^/    /'; done
  "$bin" classify -m conditional-seed2.safetensors samples-$decoding.tsv --label-column 1 --quiet
done

echo "=== unsupervised classes against the parts of speech"
for m in joint-4 joint-4-capacity; do
  echo "--- $m"
  "$bin" classify -m $m.safetensors test.tsv --label-column 1 --quiet
  "$bin" classify -m $m.safetensors test.txt 2>/dev/null > $m.classes
  awk -F'\t' 'n[$1]++ < 4 { print "class " $1 ": " $3 }' $m.classes | sort -s -k2,2
  # What the model read: reconstruct's first column shows out-of-vocabulary words as <unk>.
  "$bin" reconstruct -m $m.safetensors test.txt 2>/dev/null | cut -f1 | paste <(cut -f1 $m.classes) - \
    | awk -F'\t' '{ n[$1]++; if ($2 ~ /<unk>/) u[$1]++ } END { for (c in n) printf "class %s: %d sentences, %.1f%% with a word read as <unk>\n", c, n[c], 100 * u[c] / n[c] }' | sort
done
