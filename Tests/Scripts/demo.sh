#!/usr/bin/env bash
# The README's main job: on the default corpus (WordNet 3.0's example sentences),
# train for a few minutes, then sample and interpolate.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash Tests/Scripts/setup.sh
[ -s Corpora/wordnet-examples.txt ] || bash Corpora/wordnet-examples.sh
swift build -c release
bin=.build/release/textvae
mkdir -p runs
minutes=${TEXTVAE_DEMO_MINUTES:-4}
$bin train Corpora/wordnet-examples.txt -o runs/wordnet.safetensors --time-limit "$minutes" --epochs 20 --x0 1500 --latent 16
echo "--- 10 sentences sampled from the prior"
$bin sample -m runs/wordnet.safetensors -n 10 --seed 1
echo "--- a homotopy between two sentences"
$bin interpolate -m runs/wordnet.safetensors "he was a good man" "the children played in the garden" --steps 7
