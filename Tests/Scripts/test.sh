#!/usr/bin/env bash
# Every test textvae has, as CI runs it (.ci/run calls exactly this; so does the README):
#   1. set-up (apt, only what is missing), build, the test suite;
#   2. the suite again under AddressSanitizer (with LeakSanitizer) and ThreadSanitizer,
#      each in its own build folder (.build-asan, .build-tsan);
#   3. each fuzz target for TEXTVAE_FUZZ_SECONDS seconds (default 30) from its seeds.
# TEXTVAE_QUICK=1 stops after step 1 (what to run while working: about a minute once built).
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$SECONDS
bash Tests/Scripts/setup.sh
swift build
swift test
[ "${TEXTVAE_QUICK:-0}" = 1 ] && exit 0

echo "--- the suite under AddressSanitizer and LeakSanitizer ($((SECONDS - started)) s so far)"
swift build --build-tests --sanitize=address --scratch-path .build-asan
LSAN_OPTIONS="suppressions=$PWD/Tests/Sanitizers/lsan.supp" \
    swift test --sanitize=address --scratch-path .build-asan --skip-build

echo "--- the suite under ThreadSanitizer ($((SECONDS - started)) s so far)"
swift build --build-tests --sanitize=thread --scratch-path .build-tsan
TEXTVAE_SANITIZER=thread swift test --sanitize=thread --scratch-path .build-tsan --skip-build

echo "--- fuzz smoke run ($((SECONDS - started)) s so far)"
bash Tests/Scripts/fuzz.sh "${TEXTVAE_FUZZ_SECONDS:-30}"
echo "--- all passed in $((SECONDS - started)) s"
