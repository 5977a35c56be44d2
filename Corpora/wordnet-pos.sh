#!/usr/bin/env bash
# Writes Corpora/wordnet-pos.tsv: the example sentences of WordNet 3.0, one per line, each after the part of
# speech of its synset and a tab (noun, verb, adj, adv). Reads Debian's wordnet-base package.
# The sentences are those of wordnet-examples.txt, in the same order. See Corpora/README.md for provenance and licence.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=/usr/share/wordnet
out="$here/wordnet-pos.tsv"
for f in data.noun data.verb data.adj data.adv; do
  [ -r "$src/$f" ] || { echo "missing $src/$f: apt-get install wordnet-base" >&2; exit 1; }
done
tmp=$(mktemp "$here/.wordnet-pos.XXXXXX")
trap 'rm -f "$tmp"' EXIT
# As in wordnet-examples.sh: data lines (not the licence header, which starts with two spaces), the gloss after
# '| ', its double-quoted parts, trimmed. The label is the data file's part of speech. Keep the first occurrence
# of each sentence, in file order (noun, verb, adj, adv), whatever its label.
for pos in noun verb adj adv; do
  grep -v '^  ' "$src/data.$pos" | sed 's/^[^|]*| //' | grep -o '"[^"]*"' | sed 's/^"//; s/"$//; s/^ *//; s/ *$//' |
    sed "s/^/$pos\t/"
done | awk -F'\t' 'length($2) > 0 && !seen[$2]++' > "$tmp"
chmod 644 "$tmp"   # mktemp makes it private; the corpus is for anyone on the machine to read
mv "$tmp" "$out"
trap - EXIT
echo "wrote $out: $(wc -l < "$out") sentences"
