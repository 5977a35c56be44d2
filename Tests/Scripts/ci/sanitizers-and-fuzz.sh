#!/usr/bin/env bash
# The second half of the README's test command (after set-up, `swift build` and `swift test`):
#   1. the suite again under AddressSanitizer (with LeakSanitizer) and under ThreadSanitizer,
#      each in its own build folder (.build-asan, .build-tsan), without the package's `Server` trait:
#      the server and its tests are left to the plain build, which keeps SwiftNIO out of these two builds.
#      ThreadSanitizer runs the in-process suites only: the threads worth checking (matrix kernels, batched
#      decoding, training) run there too, while the suites that start `textvae` or `mpirun` as child processes
#      took two thirds of the CI time under it (a child 5-15× slower) and are run under ASan instead
#      (BenchProfileTests too: it switches a process-wide profiling flag while other suites run);
#   2. each fuzz target for TEXTVAE_FUZZ_SECONDS seconds (default 20) from its seeds: a smoke run; the long runs are `bash Tests/Scripts/ci/fuzz.sh 600`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
started=$SECONDS

echo "--- the suite under AddressSanitizer and LeakSanitizer"
swift build --build-tests --sanitize=address --scratch-path .build-asan --disable-default-traits
LSAN_OPTIONS="suppressions=$PWD/Tests/Sanitizers/lsan.supp" \
    swift test --sanitize=address --scratch-path .build-asan --skip-build --disable-default-traits

echo "--- the suite under ThreadSanitizer ($((SECONDS - started)) s so far)"
swift build --build-tests --sanitize=thread --scratch-path .build-tsan --disable-default-traits
child_process_suites='CLITests|GenerationCLITests|SubwordCLITests|PictureCLITests|LabelsTests|RunStartTests|RunPlanTests|ReliabilityTests|OutputPathTests|InputProtectionTests|DistributedTests|HubExportTests|MalformedFileTests|OutputFormatTests|HelpSnapshotTests|DocumentationTests|BenchProfileTests'
TEXTVAE_SANITIZER=thread swift test --sanitize=thread --scratch-path .build-tsan --skip-build --disable-default-traits \
    --skip "^TextVAETests\.($child_process_suites)/"

echo "--- fuzz smoke run ($((SECONDS - started)) s so far)"
bash Tests/Scripts/ci/fuzz.sh "${TEXTVAE_FUZZ_SECONDS:-20}"
echo "--- sanitizer passes and fuzzing done in $((SECONDS - started)) s"
