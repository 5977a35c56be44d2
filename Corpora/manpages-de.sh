#!/usr/bin/env bash
# Writes Corpora/manpages-de.txt (or the file named by $1): German sentences from the manual pages of
# Debian's manpages-de package, one per line. Installs manpages-de and groff-base if missing (as root, or with sudo).
# See Corpora/README.md for provenance and licence.
set -euo pipefail
export LC_ALL=C.UTF-8
here=$(cd "$(dirname "$0")" && pwd)
out="${1:-$here/manpages-de.txt}"
needed=(manpages-de groff-base)
missing=()
for p in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# The pages: the package's own files only (not German pages that other packages add), not its symbolic
# links (which repeat pages), in sorted path order.
work=$(mktemp -d)
tmp=$(mktemp "$(dirname "$out")/.manpages-de.XXXXXX")
trap 'rm -rf "$work" "$tmp"' EXIT
dpkg-query -L manpages-de | { grep '^/usr/share/man/de/man[0-9]/.*\.gz$' || true; } | sort | while read -r f; do
  if [ -f "$f" ] && [ ! -L "$f" ]; then printf '%s\n' "$f"; fi
done > "$work/pages"
[ -s "$work/pages" ] || { echo "no pages under /usr/share/man/de: is /usr/share/man excluded by /etc/dpkg/dpkg.cfg.d?" >&2; exit 1; }
# Render each page to plain UTF-8 text, two at a time, into numbered files (so the order stays that of the list):
# no bold, underlining or overstriking (-P -cbou), no hyphenation (HY=0), one page without breaks (cR=1) and
# lines 20000 ens long, so that every filled paragraph comes out as one line.
awk '{ printf "%s/%05d.txt\n%s\n", w, NR, $0 }' w="$work" "$work/pages" | tr '\n' '\0' |
  xargs -0 -n 2 -P 2 sh -c 'zcat "$1" | groff -k -Kutf8 -t -mandoc -Tutf8 -rLL=20000n -rHY=0 -rcR=1 -P -cbou 2>/dev/null | sed "s/ *\$//" > "$0"'
# Cut the rendered pages into sentences (see Corpora/README.md for the rules) and keep the first occurrence of each.
perl -CSD - "$work"/[0-9]*.txt > "$tmp" <<'PERL'
use strict; use warnings; use utf8;
# Sections that hold no running text, or only names, addresses and boilerplate.
my %skip = map { $_ => 1 } ('BEZEICHNUNG', 'NAME', 'ÜBERSICHT', 'SIEHE AUCH', 'ÜBERSETZUNG', 'AUTOR', 'AUTOREN',
  'FEHLER MELDEN', 'FEHLERBERICHTE', 'COPYRIGHT', 'KOLOPHON', 'DANKSAGUNGEN', 'WARENZEICHEN', 'HOMEPAGE',
  'KONTAKT', 'KONTAKT UND FEHLERBERICHTE', 'KONTAKT PER E-MAIL', 'ÜBERSICHT (VERALTET)', 'COPYRIGHT-HINWEIS',
  'COPYRIGHT UND LIZENZ', 'AUTOR UND LIZENZ', 'DANK AN', 'BETREUER', 'RECHTLICHER HINWEIS', 'KEINE GARANTIEN',
  'MAILINGLISTEN');
# German abbreviations after which a full stop does not end a sentence (besides single letters such as "z." or "B.").
my %abbr = map { $_ => 1 } qw(bzw usw ggf Nr vgl etc evtl ca Abs Kap Bsp bspw inkl sog einschl bzgl insb insbes
  resp gem allg Anm Abb Tab Bd Hrsg Aufl ebd ff Dr Prof Hr Fr St Str Tel Std Sek Min Mio Mrd max min ggü usf o.ä u.ä
  u.U u.v.m z.T u.a s.o s.u d.h z.B i.d.R dh zB ua uU);
my %seen;
my @lines;
sub flush_page {
  # Drop the running head (first line) and foot (last line).
  my @l = grep { /\S/ } @lines; @lines = ();
  return if @l < 3;
  shift @l; pop @l;
  my $skipping = 0;
  for my $line (@l) {
    if ($line !~ /^\s/) { my $h = uc $line; $h =~ s/\s+/ /g; $skipping = $skip{$h} ? 1 : 0; next }
    next if $skipping;
    paragraph($line);
  }
}
sub paragraph {
  my ($p) = @_;
  $p =~ s/^\s+//;
  # Table cells and the tags of tagged paragraphs (options, list marks) are set off by runs of spaces:
  # three or more, or two not after the end of a sentence (where groff may set two).
  for my $part (split /\s{3,}|(?<![.!?:;)"'»«“”])\s{2}/, $p) {
    sentences($part);
  }
}
sub sentences {
  my ($p) = @_;
  $p =~ s/[\x{00A0}\x{2002}-\x{200A}\x{202F}]/ /g;   # odd spaces
  $p =~ s/[\x{00AD}\x{200B}-\x{200D}\x{2060}\x{FEFF}]//g;  # soft hyphen, zero-width characters
  $p =~ s/[\x{2010}\x{2011}]/-/g;                     # hyphens
  $p =~ s/\x{2212}/-/g;                               # minus sign (roff \-)
  $p =~ s/\s+/ /g; $p =~ s/^ //; $p =~ s/ $//;
  return if $p eq '';
  my @words = split / /, $p;
  my @cur;
  for my $i (0 .. $#words) {
    push @cur, $words[$i];
    next if $i == $#words;
    my ($w, $next) = ($words[$i], $words[$i + 1]);
    next unless $w =~ /[.!?…][)"'»«“”’]*$/ && $next =~ /^[("'»«„“‘]*[\p{Lu}\d]/;
    if ($w =~ /\.$/ && $w !~ /[!?]/) {
      (my $core = $w) =~ s/^[("'»«„“‘\[]+//; $core =~ s/\.$//;
      next if $core =~ /^\p{L}$/;                   # initial or part of "z. B.", "d. h."
      next if $core =~ /^(?:\p{L}{1,2}\.)+\p{L}{1,2}$/; # z.B, d.h, u.a, i.d.R
      next if $abbr{$core};
      next if $core =~ /^\d{1,2}$/;                   # ordinal: "5. Februar", "2. Argument"
    }
    emit(join ' ', @cur); @cur = ();
  }
  emit(join ' ', @cur) if @cur;
}
sub emit {
  my ($s) = @_;
  $s =~ s/^\d{1,3}[.)] (?=\p{Lu})//;                  # the number of a list item
  my @w = split / /, $s;
  return if @w < 3 || @w > 60;
  return unless $s =~ /\p{Ll}/;
  return unless $s =~ /^[("'»„“‘]*[\p{Lu}\d]/;       # starts like a sentence
  return unless $s =~ /[.!?][)"'»«“”’]*$/;            # and ends like one
  # Mostly letters, and nothing that looks like code, a command line, a path or an address.
  my $nonspace = () = $s =~ /\S/g;
  my $letters = () = $s =~ /\p{L}/g;
  return if $letters < 0.8 * $nonspace;
  return if $s =~ m{[\\=<>{}\[\]|\$_@#~*^`%&+]|\(\)|::|https?:|www\.};
  for my $t (@w) {
    (my $c = $t) =~ s/^[("'»«„“‘]+//; $c =~ s/[)"'»«“”’.,;:!?…]+$//;
    next if $c eq '';
    next if $c =~ /^[\p{L}\d][\p{L}\d-]*\(\d\p{L}*\)$/;  # a manual page: ioctl(2)
    return if $c =~ /^-/ && $c !~ /^-\d+$/;             # an option (but -1 is a number)
    return if $c =~ m{/} && $c !~ m{^\p{L}[\p{L}-]*/\p{L}[\p{L}-]*$};  # a path (but und/oder, Ein-/Ausgabe)
    return if $c =~ /\p{L}\.\p{L}/ && $c !~ /^(?:\p{L}{1,2}\.)+\p{L}{1,2}$/;  # file.name (but z.B)
    return if $c =~ /\p{Ll}\p{Lu}/ && $c !~ /^\p{Lu}/;  # camelCase identifier
    return if $c =~ /^0x/i;                             # hexadecimal number
  }
  print "$s\n" unless $seen{$s}++;
}
while (my $line = <>) {
  chomp $line;
  $line =~ s/.\x08//g;                                # any overstriking left
  push @lines, $line;
  flush_page() if eof;
}
PERL
chmod 644 "$tmp"
mv "$tmp" "$out"
trap 'rm -rf "$work"' EXIT
echo "wrote $out: $(wc -l < "$out") sentences"
