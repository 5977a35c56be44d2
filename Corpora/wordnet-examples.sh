#!/usr/bin/env bash
# Writes Corpora/wordnet-examples.txt: the example sentences of WordNet 3.0, one per line.
# Reads Debian's wordnet-base package (installed by the README's set-up command if missing).
# See Corpora/README.md for provenance and licence.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=/usr/share/wordnet
out="$here/wordnet-examples.txt"
for f in data.noun data.verb data.adj data.adv; do
  [ -r "$src/$f" ] || { echo "missing $src/$f: apt-get install wordnet-base" >&2; exit 1; }
done
tmp=$(mktemp "$here/.wordnet-examples.XXXXXX")
trap 'rm -f "$tmp"' EXIT
# Data lines (not the licence header, which starts with two spaces): the gloss follows '| ';
# examples are the double-quoted parts of the gloss. Keep the first occurrence of each, in file order.
for f in data.noun data.verb data.adj data.adv; do
  grep -v '^  ' "$src/$f" | sed 's/^[^|]*| //' | grep -o '"[^"]*"' | sed 's/^"//; s/"$//; s/^ *//; s/ *$//'
done | awk 'length($0) > 0 && !seen[$0]++' > "$tmp"
chmod 644 "$tmp"   # mktemp makes it private; the corpus is for anyone on the machine to read
mv "$tmp" "$out"
trap - EXIT
echo "wrote $out: $(wc -l < "$out") sentences"
