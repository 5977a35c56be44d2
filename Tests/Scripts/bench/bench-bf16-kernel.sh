#!/usr/bin/env bash
# The decoding step's bfloat16 output-layer kernel alone (tvk_bf16_logits, Sources/CKernels/BF16.c), on one
# thread, for a random layer of V words × H (default: the PTB model's 9,744 × 256): the time of one step for 1 to
# 64 rows, its time per row, and how many VDPBF16PS it issues per nanosecond (V·H/32 a row), best of 5 runs each.
# It says what batching rows can win on this CPU: the cost of a row alone against a row among many.
# Needs a CPU with AVX-512 BF16 and clang (the Swift toolchain has it). Not part of the tests (no timing in tests).
#
#   bash Tests/Scripts/bench/bench-bf16-kernel.sh [V] [H]
set -euo pipefail
cd "$(dirname "$0")/../../.."
words=${1:-9744} hidden=${2:-256}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/bench.c" <<'C'
#include "CKernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (!tvk_has_avx512_bf16()) { fprintf(stderr, "this CPU has no AVX-512 BF16: the kernel does not run here\n"); return 1; }
    const long V = atol(argv[1]), H = atol(argv[2]), most = 64;
    float *w = malloc(sizeof(float) * V * H), *x = malloc(sizeof(float) * most * H), *y = malloc(sizeof(float) * most * V);
    unsigned short *packed = malloc(sizeof(unsigned short) * tvk_bf16_packed_count(V, H));
    unsigned int *scratch = malloc(sizeof(unsigned int) * most * H);
    srand(1);
    for (long i = 0; i < V * H; i++) w[i] = rand() / (float)RAND_MAX - 0.5f;
    for (long i = 0; i < most * H; i++) x[i] = rand() / (float)RAND_MAX - 0.5f;
    tvk_bf16_pack(w, V, H, packed);
    printf("V %ld, H %ld, one thread; best of 5 runs\nrows   us/step    us/row   VDPBF16PS/ns\n", V, H);
    const long rows[] = {1, 2, 4, 8, 16, 32, 64};
    for (int k = 0; k < 7; k++) {
        const long m = rows[k];
        const int reps = m < 8 ? 300 : 40;
        double best = 1e9;
        for (int run = 0; run < 5; run++) {
            const double start = now();
            for (int r = 0; r < reps; r++) tvk_bf16_logits(m, V, H, x, H, packed, 0, y, V, 0, (V + 15) / 16, scratch);
            const double t = (now() - start) / reps;
            if (t < best) best = t;
        }
        printf("%4ld %9.1f %9.1f %14.2f\n", m, best * 1e6, best * 1e6 / m, m * (double)V * H / 32 / best * 1e-9);
    }
    return 0;
}
C
clang -O2 -I Sources/CKernels/include "$work/bench.c" Sources/CKernels/BF16.c -o "$work/bench"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
"$work/bench" "$words" "$hidden"
