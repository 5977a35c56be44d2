#!/usr/bin/env bash
# The second half of the README's test command (after set-up, `swift build` and `swift test`):
#   1. the suite again under AddressSanitizer (with LeakSanitizer) and under ThreadSanitizer,
#      each in its own build folder (.build-asan, .build-tsan), without the package's `Server` trait:
#      the server and its tests are left to the plain build, which keeps SwiftNIO out of these two builds;
#   2. each fuzz target for TEXTVAE_FUZZ_SECONDS seconds (default 30) from its seeds.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$SECONDS

echo "--- the suite under AddressSanitizer and LeakSanitizer"
swift build --build-tests --sanitize=address --scratch-path .build-asan --disable-default-traits
LSAN_OPTIONS="suppressions=$PWD/Tests/Sanitizers/lsan.supp" \
    swift test --sanitize=address --scratch-path .build-asan --skip-build --disable-default-traits

echo "--- the suite under ThreadSanitizer ($((SECONDS - started)) s so far)"
swift build --build-tests --sanitize=thread --scratch-path .build-tsan --disable-default-traits
TEXTVAE_SANITIZER=thread swift test --sanitize=thread --scratch-path .build-tsan --skip-build --disable-default-traits

echo "--- fuzz smoke run ($((SECONDS - started)) s so far)"
bash Tests/Scripts/fuzz.sh "${TEXTVAE_FUZZ_SECONDS:-30}"
echo "--- sanitizer passes and fuzzing done in $((SECONDS - started)) s"
