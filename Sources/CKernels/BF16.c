// The output layer's product in bfloat16 with float32 accumulation, for CPUs with AVX-512 BF16.
// See CKernels.h for the layout, and the Performance article of the TextVAE catalog for what it gains and where.
#include "CKernels.h"
#include <stdint.h>
#include <string.h>

// bfloat16 of x, rounded to nearest even (as VCVTNE2PS2BF16 rounds); NaN stays NaN.
static inline uint16_t bf16_of(float x) {
    uint32_t bits;
    memcpy(&bits, &x, 4);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40);  // quiet NaN
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

long tvk_bf16_packed_count(long rows, long cols) {
    return ((rows + 15) / 16) * 16 * ((cols + 1) / 2) * 2;
}

void tvk_bf16_pack(const float *w, long rows, long cols, unsigned short *packed) {
    const long pairs = (cols + 1) / 2, blocks = (rows + 15) / 16;
    for (long b = 0; b < blocks; b++) {
        for (long p = 0; p < pairs; p++) {
            uint16_t *out = packed + (b * pairs + p) * 32;
            for (long j = 0; j < 16; j++) {
                const long row = b * 16 + j;
                for (long e = 0; e < 2; e++) {
                    const long col = 2 * p + e;
                    out[2 * j + e] = (row < rows && col < cols) ? bf16_of(w[row * cols + col]) : 0;
                }
            }
        }
    }
}

void tvk_bf16_reference(long m, long rows, long cols, const float *x, long ldx, const unsigned short *packed, const float *bias,
                        float *y, long ldy) {
    const long pairs = (cols + 1) / 2;
    for (long r = 0; r < m; r++) {
        for (long v = 0; v < rows; v++) {
            const long b = v / 16, j = v % 16;
            double sum = 0;
            for (long c = 0; c < cols; c++) {
                uint32_t wbits = (uint32_t)packed[(b * pairs + c / 2) * 32 + 2 * j + c % 2] << 16;
                uint32_t xbits = (uint32_t)bf16_of(x[r * ldx + c]) << 16;
                float wf, xf;
                memcpy(&wf, &wbits, 4);
                memcpy(&xf, &xbits, 4);
                sum += (double)wf * (double)xf;
            }
            y[r * ldy + v] = (float)sum + (bias ? bias[v] : 0.0f);
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

int tvk_has_avx512_bf16(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512bf16");
}

int tvk_cpu_is_amd(void) {
    __builtin_cpu_init();
    return __builtin_cpu_is("amd");
}

#define BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

// M (1 to 4) rows of x against the 16 outputs of one block, whose weights (pairs × 64 bytes) stay in L1 while
// every row group reads them. Four accumulators per row, over every fourth pair, so that the chain of dependent
// VDPBF16PS (several cycles each) does not set the pace. xs holds each row's values as bf16 pairs (one 32-bit
// word per pair).
BF16 __attribute__((always_inline)) static inline void block_rows(const int M, long pairs, const uint32_t *xs,
                                                                  const uint16_t *block, __m512 out[4]) {
    __m512 acc[4][4];
    for (int i = 0; i < M; i++) for (int j = 0; j < 4; j++) acc[i][j] = _mm512_setzero_ps();
    long p = 0;
    for (; p + 4 <= pairs; p += 4) {
        for (int j = 0; j < 4; j++) {
            const __m512bh w = (__m512bh)_mm512_loadu_si512((const void *)(block + (p + j) * 32));
            for (int i = 0; i < M; i++) {
                acc[i][j] = _mm512_dpbf16_ps(acc[i][j], (__m512bh)_mm512_set1_epi32((int)xs[i * pairs + p + j]), w);
            }
        }
    }
    for (; p < pairs; p++) {
        const __m512bh w = (__m512bh)_mm512_loadu_si512((const void *)(block + p * 32));
        for (int i = 0; i < M; i++) acc[i][0] = _mm512_dpbf16_ps(acc[i][0], (__m512bh)_mm512_set1_epi32((int)xs[i * pairs + p]), w);
    }
    for (int i = 0; i < M; i++) out[i] = _mm512_add_ps(_mm512_add_ps(acc[i][0], acc[i][1]), _mm512_add_ps(acc[i][2], acc[i][3]));
}

BF16 void tvk_bf16_logits(long m, long rows, long cols, const float *x, long ldx, const uint16_t *packed, const float *bias,
                          float *y, long ldy, long block_begin, long block_end, uint32_t *scratch) {
    const long pairs = (cols + 1) / 2;
    // x as bf16 pairs, rounded as the weights were.
    for (long r = 0; r < m; r++) {
        for (long p = 0; p < pairs; p++) {
            const uint16_t lo = bf16_of(x[r * ldx + 2 * p]), hi = 2 * p + 1 < cols ? bf16_of(x[r * ldx + 2 * p + 1]) : 0;
            scratch[r * pairs + p] = (uint32_t)lo | ((uint32_t)hi << 16);
        }
    }
    // Blocks outside, rows inside: each block's weights are read from memory once for all the rows.
    for (long b = block_begin; b < block_end; b++) {
        const uint16_t *block = packed + b * pairs * 32;
        const long first = b * 16, count = rows - first < 16 ? rows - first : 16;
        const __mmask16 keep = (__mmask16)((1u << count) - 1u);
        const __m512 add = bias ? _mm512_maskz_loadu_ps(keep, bias + first) : _mm512_setzero_ps();
        for (long r0 = 0; r0 < m; r0 += 4) {
            const long m4 = m - r0 < 4 ? m - r0 : 4;
            __m512 acc[4];
            const uint32_t *xs = scratch + r0 * pairs;
            switch (m4) {
            case 4: block_rows(4, pairs, xs, block, acc); break;
            case 3: block_rows(3, pairs, xs, block, acc); break;
            case 2: block_rows(2, pairs, xs, block, acc); break;
            default: block_rows(1, pairs, xs, block, acc); break;
            }
            for (int i = 0; i < m4; i++) _mm512_mask_storeu_ps(y + (r0 + i) * ldy + first, keep, _mm512_add_ps(acc[i], add));
        }
    }
}

#else
int tvk_has_avx512_bf16(void) { return 0; }
int tvk_cpu_is_amd(void) { return 0; }
void tvk_bf16_logits(long m, long rows, long cols, const float *x, long ldx, const unsigned short *packed, const float *bias,
                     float *y, long ldy, long block_begin, long block_end, uint32_t *scratch) {
    (void)m; (void)rows; (void)cols; (void)x; (void)ldx; (void)packed; (void)bias; (void)y; (void)ldy;
    (void)block_begin; (void)block_end; (void)scratch;
}
#endif
