#!/usr/bin/env bash
# Coverage-guided fuzzing of textvae's file readers with libFuzzer (Tests/Fuzz/README.md).
#
#   bash Tests/Scripts/ci/fuzz.sh [SECONDS] [TARGET ...]
#
# Builds textvae-fuzz with AddressSanitizer, coverage instrumentation and libFuzzer (in
# .build-fuzz), then fuzzes each target (default: all five) for SECONDS (default 600),
# starting from its seed corpus in Tests/Fuzz/Corpus/TARGET. New inputs go to
# .build-fuzz/corpus/TARGET (kept between runs; the seeds in the repository are not
# touched); a crash is saved as .build-fuzz/crashes/TARGET-crash-* and fails the script.
# Prints each target's executions per second, coverage and corpus size.
set -euo pipefail
cd "$(dirname "$0")/../../.."
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(model-file checkpoint metrics-log tokenizer vocabulary token-file)

toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swiftc)")")")
runtime=$(ls "$toolchain"/lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a 2>/dev/null | head -1)
if [ -z "$runtime" ]; then
    echo "fuzz.sh: libFuzzer (libclang_rt.fuzzer_no_main) not found under $toolchain/lib/clang; it ships with Swift toolchains for Linux" >&2
    exit 2
fi
swift build -c release --product textvae-fuzz --scratch-path .build-fuzz \
    -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
    -Xswiftc -DFUZZING -Xlinker "$runtime" -Xlinker -lstdc++ 2>&1 | grep -E "error|warning: unre|Compiling|Build" | grep -v "^\[" || true
binary=.build-fuzz/release/textvae-fuzz
[ -x "$binary" ] || { echo "fuzz.sh: the build failed" >&2; exit 1; }

mkdir -p .build-fuzz/crashes
status=0
for target in "${targets[@]}"; do
    mkdir -p ".build-fuzz/corpus/$target"
    log=".build-fuzz/$target.log"
    echo "--- $target: $seconds s"
    if ! TEXTVAE_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=1 "$binary" ".build-fuzz/corpus/$target" "Tests/Fuzz/Corpus/$target" \
        -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=20 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix=".build-fuzz/crashes/$target-" > "$log" 2>&1; then
        echo "$target: libFuzzer found a problem; see $log and .build-fuzz/crashes/" >&2
        grep -E "ERROR|==[0-9]+==|Fatal|SUMMARY" "$log" | head -20 >&2
        status=1
        continue
    fi
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    cov=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | grep -o 'cov: [0-9]*' | tail -1 || true)
    corpus=$(ls ".build-fuzz/corpus/$target" | wc -l)
    echo "$target: $runs runs, $rate exec/s, $cov, $corpus inputs in its corpus, no crash"
done
exit $status
