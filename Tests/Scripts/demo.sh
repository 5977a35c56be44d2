#!/usr/bin/env bash
# The README's main job: on the default corpus (WordNet 3.0's example sentences),
# train for a few minutes, then sample and interpolate.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash Tests/Scripts/setup.sh demo  # ICU, OpenBLAS and the corpus; not the browser and MPI, which only the tests need
[ -s Corpora/wordnet-examples.txt ] || bash Corpora/wordnet-examples.sh
swift build -c release
bin=.build/release/textvae
mkdir -p runs
minutes=${TEXTVAE_DEMO_MINUTES:-4}
# Sizes for a few minutes on a laptop: a smaller vocabulary and network than the defaults (which
# suit hours of training), more word dropout so that z is used, and z kept informative (free bits of 1 nat
# per dimension, z beside every decoder input) so that a homotopy's ends are the sentences typed. The time
# limit is part of the plan: the first updates are timed and the KL annealing is placed in the updates that fit.
$bin train Corpora/wordnet-examples.txt -o runs/wordnet.safetensors --overwrite --time-limit "$minutes" \
  --max-size 8000 --embedding 128 --hidden 192 --latent 16 --word-dropout 0.4 \
  --free-bits 1 --latent-to-inputs --plot
echo "--- 10 sentences sampled from the prior"
$bin sample -m runs/wordnet.safetensors -n 10 --seed 1 --no-unk
echo "--- a homotopy between two sentences"
$bin interpolate -m runs/wordnet.safetensors "he was a good man" "the children played in the garden" --steps 7 --no-unk
echo "--- the training curves are in runs/wordnet.curves.svg (open it in a browser)"
