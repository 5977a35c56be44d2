#!/usr/bin/env bash
# Installs what textvae needs on Debian, if it is missing: ICU and OpenBLAS (libraries),
# pkg-config, wordnet-base (the default corpus), chromium with chromium-driver (the page's browser test,
# Tests/Scripts/ci/browser-test.sh), and Open MPI (the 2-rank training tests; textvae itself loads MPI only for
# distributed runs). Needs a Swift 6 toolchain on PATH.
set -euo pipefail
# `setup.sh demo` installs only what the demo needs: the libraries and the default corpus.
needed=(libicu-dev libopenblas-dev pkg-config wordnet-base)
[ "${1:-}" = demo ] || needed+=(chromium chromium-driver openmpi-bin libopenmpi-dev)
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
command -v swift >/dev/null || { echo "swift is not on PATH: install Swift 6.3 from swift.org" >&2; exit 1; }
# The mark that this checkout was set up for the tests: DistributedTests then fails, rather than skips, without Open MPI.
if [ "${1:-}" != demo ]; then mkdir -p "$(dirname "$0")/../../.build" && touch "$(dirname "$0")/../../.build/textvae-set-up-for-tests"; fi
