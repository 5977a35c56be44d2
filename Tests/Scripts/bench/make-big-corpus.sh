#!/usr/bin/env bash
# Writes a large corpus for measuring textvae on text bigger than memory budgets: repeats of the WordNet
# example sentences (Corpora/wordnet-examples.sh), each repeat in another order, with numbered variants of
# some words ("house" → "house17") so that the vocabulary keeps growing as a real large corpus's does.
#
#   bash Tests/Scripts/bench/make-big-corpus.sh [MEGABYTES] [OUTPUT]     # default: 1100 MB to /tmp/big-corpus.txt
set -euo pipefail
cd "$(dirname "$0")/../../.."
megabytes=${1:-1100}
output=${2:-/tmp/big-corpus.txt}
source_file=Corpora/wordnet-examples.txt
[ -f "$source_file" ] || bash Corpora/wordnet-examples.sh
# Repeat r visits the lines with stride s_r (coprime to their number) from a random start; in each line,
# a word of 6 letters or more gets the suffix (r·7 + line) mod 5000 with probability 1/4.
awk -v target=$((megabytes * 1000 * 1000)) -v seed=17 '
  { lines[n++] = $0 }
  function gcd(a, b) { while (b) { t = b; b = a % b; a = t }; return a }
  END {
    srand(seed); written = 0
    for (r = 1; written < target; r++) {
      do { stride = 1 + int(rand() * n) } while (gcd(stride, n) != 1)
      start = int(rand() * n)
      for (i = 0; i < n && written < target; i++) {
        k = (start + i * stride) % n
        line = lines[k]
        if (rand() < 0.25) {
          count = split(line, words, " ")
          for (w = 1; w <= count; w++) if (length(words[w]) >= 6) { words[w] = words[w] ((r * 7 + k) % 5000); break }
          line = words[1]; for (w = 2; w <= count; w++) line = line " " words[w]
        }
        print line
        written += length(line) + 1
      }
    }
  }' "$source_file" > "$output"
echo "wrote $output: $(wc -c < "$output") bytes, $(wc -l < "$output") lines"
