#!/usr/bin/env bash
# Writes Corpora/fortunes.tsv: English fortune cookies from Debian's fortunes and fortunes-min packages, one per
# line, each after its category (the name of the fortune file it came from) and a tab.
# See Corpora/README.md for provenance and licence.
set -euo pipefail
export LC_ALL=C.UTF-8
min_entries=200   # keep only the categories with at least this many fortunes after filtering
max_words=60      # drop fortunes of more words than this (textvae's default maximum length is 60 tokens)
here=$(cd "$(dirname "$0")" && pwd)
src=/usr/share/games/fortunes
out="$here/fortunes.tsv"
for p in fortunes fortunes-min; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    { echo "missing Debian package $p: apt-get install fortunes fortunes-min" >&2; exit 1; }
done
work=$(mktemp -d)
tmp=$(mktemp "$here/.fortunes.XXXXXX")
trap 'rm -rf "$work" "$tmp"' EXIT
# The category files: the two packages' own text files in $src (not the .dat indexes, not the .u8 symbolic links,
# not files that other fortune packages put there, not the offensive off/ folder), in sorted name order.
dpkg-query -L fortunes fortunes-min | { grep "^$src/[^/]*\$" || true; } | { grep -v '\.dat$' || true; } | LC_ALL=C sort |
  while read -r f; do
    if [ -f "$f" ] && [ ! -L "$f" ]; then printf '%s\n' "$f"; fi
  done > "$work/files"
[ -s "$work/files" ] || { echo "no fortune files in $src: apt-get install fortunes fortunes-min" >&2; exit 1; }
# Each fortune (the text between lines holding only '%') becomes one line: label, tab, text. A fortune is dropped if
# it is not valid UTF-8 or, after overstrikes (x BACKSPACE y) are resolved to the last character as col -b does, still
# holds a control character (C0 other than tab and newline, DEL, or C1: the bells of the mock error messages and
# doubly encoded UTF-8); its white space runs (line breaks and tabs included) become single spaces and it is
# trimmed; it is dropped if empty or longer than $max_words words.
xargs -d '\n' perl -CO -e '
  use strict; use warnings; use Encode qw(decode FB_CROAK);
  my $max = shift @ARGV;
  for my $file (@ARGV) {
    (my $label = $file) =~ s{.*/}{};
    open my $in, "<:raw", $file or die "$file: $!";
    my $bytes = do { local $/; <$in> };
    close $in;
    for my $raw (split /^%\n/m, $bytes) {
      my $text = eval { decode("UTF-8", $raw, FB_CROAK) };
      next unless defined $text;
      1 while $text =~ s/[^\x08\n]\x08//;
      next if $text =~ /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
      $text =~ s/\s+/ /g;
      $text =~ s/^ //;
      $text =~ s/ $//;
      next if $text eq "" || $text =~ /\t/;
      my @words = split / /, $text;
      next if @words > $max;
      print "$label\t$text\n";
    }
  }' "$max_words" < "$work/files" > "$work/all"
# Keep the first occurrence of each text (categories in sorted order); count the categories and keep those with at
# least $min_entries; then repeat the de-duplication over the kept categories only, so that a fortune whose first
# copy was in a dropped category stays under the first kept category that has it.
awk -F'\t' '!seen[$2]++ { n[$1]++ } END { for (c in n) print c "\t" n[c] }' "$work/all" | LC_ALL=C sort > "$work/counts"
awk -F'\t' -v min="$min_entries" 'NR == FNR { if ($2 >= min) keep[$1] = 1; next } ($1 in keep) && !seen[$2]++' \
  "$work/counts" "$work/all" > "$tmp"
[ -s "$tmp" ] || { echo "no category has $min_entries fortunes or more" >&2; exit 1; }
awk -F'\t' -v min="$min_entries" '$2 < min { s = s (s == "" ? "" : ", ") $1 " (" $2 ")" }
  END { if (s != "") print "dropped the categories with fewer than " min " fortunes: " s }' "$work/counts"
chmod 644 "$tmp"   # mktemp makes it private; the corpus is for anyone on the machine to read
mv "$tmp" "$out"
trap - EXIT
rm -rf "$work"
echo "wrote $out: $(wc -l < "$out") fortunes in $(cut -f1 "$out" | sort -u | wc -l) categories"
