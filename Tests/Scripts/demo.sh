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
minutes=${TEXTVAE_DEMO_MINUTES:-10}
# Sizes for a few minutes on a laptop: a smaller vocabulary and network than the defaults (which suit hours of
# training). Trained as an autoencoder (--preset homotopy), so that a homotopy starts and ends at the sentences
# typed: an adversarial prior instead of the KL term (z keeps what the decoder needs, a discriminator keeps the
# codes where the prior draws), a code of 32 numbers beside every decoder input, and dropout 0.5 on the decoder's
# input embeddings instead of word dropout, so that the decoder leans on the code without learning runs of <unk>.
# 16 epochs (about 8 minutes on 2 vCPUs) bring half of the training sentences back exactly once interpolate
# refines its ends, as it does by default (the Results article, "An autoencoder for homotopies").
# The time limit is part of the plan: the first updates are timed and the epochs are cut to what fits.
$bin train Corpora/wordnet-examples.txt -o runs/wordnet.safetensors --overwrite --time-limit "$minutes" --epochs 16 \
  --max-size 8000 --embedding 128 --hidden 192 --preset homotopy --plot
echo "--- 10 sentences sampled from the prior"
$bin sample -m runs/wordnet.safetensors -n 10 --seed 1 --no-unk
echo "--- a homotopy between two sentences"
$bin interpolate -m runs/wordnet.safetensors "he was a good man" "the children played in the garden" --steps 7 --no-unk
echo "--- the training curves are in runs/wordnet.curves.svg (open it in a browser)"
