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
    tvk_bf16_pack_strided(w, rows, cols, cols, 1, packed);
}

void tvk_bf16_pack_strided(const float *a, long rows, long cols, long rs, long cs, unsigned short *packed) {
    const long pairs = (cols + 1) / 2, blocks = (rows + 15) / 16;
    for (long b = 0; b < blocks; b++) {
        for (long p = 0; p < pairs; p++) {
            uint16_t *out = packed + (b * pairs + p) * 32;
            for (long j = 0; j < 16; j++) {
                const long row = b * 16 + j;
                for (long e = 0; e < 2; e++) {
                    const long col = 2 * p + e;
                    out[2 * j + e] = (row < rows && col < cols) ? bf16_of(a[row * rs + col * cs]) : 0;
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

// M (1 to 4) rows of x against the 16 outputs of one block, over `count` pairs of the block's weights (count × 64
// bytes, which stay in L1 while every row group reads them). Four accumulators per row, over every fourth pair,
// so that the chain of dependent VDPBF16PS (several cycles each) does not set the pace. xs holds each row's values
// as bf16 pairs (one 32-bit word per pair), rows `stride` words apart.
BF16 __attribute__((always_inline)) static inline void block_rows(const int M, long count, long stride, const uint32_t *xs,
                                                                  const uint16_t *block, __m512 out[4]) {
    __m512 acc[4][4];
    for (int i = 0; i < M; i++) for (int j = 0; j < 4; j++) acc[i][j] = _mm512_setzero_ps();
    long p = 0;
    for (; p + 4 <= count; p += 4) {
        for (int j = 0; j < 4; j++) {
            const __m512bh w = (__m512bh)_mm512_loadu_si512((const void *)(block + (p + j) * 32));
            for (int i = 0; i < M; i++) {
                acc[i][j] = _mm512_dpbf16_ps(acc[i][j], (__m512bh)_mm512_set1_epi32((int)xs[i * stride + p + j]), w);
            }
        }
    }
    for (; p < count; p++) {
        const __m512bh w = (__m512bh)_mm512_loadu_si512((const void *)(block + p * 32));
        for (int i = 0; i < M; i++) acc[i][0] = _mm512_dpbf16_ps(acc[i][0], (__m512bh)_mm512_set1_epi32((int)xs[i * stride + p]), w);
    }
    for (int i = 0; i < M; i++) out[i] = _mm512_add_ps(_mm512_add_ps(acc[i][0], acc[i][1]), _mm512_add_ps(acc[i][2], acc[i][3]));
}

// M (1 to 8) rows of x against NB (1 or 2) blocks of 16 outputs, over `count` pairs: one accumulator per row and
// block, so that each VDPBF16PS reads a weight vector the other rows reuse (2 weight loads and 8 broadcasts feed
// 16 products). Each row's sums run in the same order whatever M is, so a row's result does not depend on the
// rows computed beside it.
BF16 __attribute__((always_inline)) static inline void tile(const int M, const int NB, long count, long stride,
                                                            const uint32_t *xs, const uint16_t *w0, const uint16_t *w1,
                                                            __m512 out[8][2]) {
    for (int i = 0; i < M; i++) for (int j = 0; j < NB; j++) out[i][j] = _mm512_setzero_ps();
    for (long p = 0; p < count; p++) {
        const __m512bh a = (__m512bh)_mm512_loadu_si512((const void *)(w0 + p * 32));
        const __m512bh b = NB > 1 ? (__m512bh)_mm512_loadu_si512((const void *)(w1 + p * 32)) : a;
        for (int i = 0; i < M; i++) {
            const __m512bh x = (__m512bh)_mm512_set1_epi32((int)xs[i * stride + p]);
            out[i][0] = _mm512_dpbf16_ps(out[i][0], x, a);
            if (NB > 1) out[i][1] = _mm512_dpbf16_ps(out[i][1], x, b);
        }
    }
}

#define TILE_CASES(NB)                                                            \
    switch (m8) {                                                                 \
    case 8: tile(8, NB, count, pairs, x8, w0, w1, acc); break;                   \
    case 7: tile(7, NB, count, pairs, x8, w0, w1, acc); break;                   \
    case 6: tile(6, NB, count, pairs, x8, w0, w1, acc); break;                   \
    case 5: tile(5, NB, count, pairs, x8, w0, w1, acc); break;                   \
    case 4: tile(4, NB, count, pairs, x8, w0, w1, acc); break;                   \
    case 3: tile(3, NB, count, pairs, x8, w0, w1, acc); break;                   \
    case 2: tile(2, NB, count, pairs, x8, w0, w1, acc); break;                   \
    default: tile(1, NB, count, pairs, x8, w0, w1, acc); break;                  \
    }

// Pairs of the inner dimension per pass. Each pass reads and writes y once more; the weights two blocks read over
// a pass (64 KB) come from L2, which keeps pace with the products. Measured on an AMD EPYC (Zen 4), training's
// output layer backward (N 780, V 9,744, H 256) took 35 ms with passes of 128 pairs, 28-30 with 512 or 2,048.
enum { CHUNK_PAIRS = 512 };

BF16 void tvk_bf16_product(long m, long rows, long cols, const uint32_t *xs, const uint16_t *packed, const float *bias,
                           float *y, long ldy, long block_begin, long block_end, int mode) {
    const long pairs = (cols + 1) / 2, passes = pairs == 0 ? 1 : (pairs + CHUNK_PAIRS - 1) / CHUNK_PAIRS;
    for (long pass = 0; pass < passes; pass++) {
        const long k0 = pass * CHUNK_PAIRS, count = pairs - k0 < CHUNK_PAIRS ? pairs - k0 : CHUNK_PAIRS;
        const int store = mode == TVK_BF16_STORE && k0 == 0;  // the first pass writes y, later ones add to it
        // Block pairs outside, rows inside: the blocks' weights are read from memory once for all the rows.
        for (long b = block_begin; b < block_end; b += 2) {
            const int nb = block_end - b >= 2 ? 2 : 1;
            const uint16_t *w0 = packed + (b * pairs + k0) * 32, *w1 = packed + ((b + 1) * pairs + k0) * 32;
            long width[2];
            __mmask16 keep[2];
            __m512 add[2];
            for (int j = 0; j < nb; j++) {
                const long first = (b + j) * 16;
                width[j] = rows - first < 16 ? rows - first : 16;
                keep[j] = (__mmask16)((1u << width[j]) - 1u);
                add[j] = bias && store ? _mm512_maskz_loadu_ps(keep[j], bias + first) : _mm512_setzero_ps();
            }
            for (long r0 = 0; r0 < m; r0 += 8) {
                const long m8 = m - r0 < 8 ? m - r0 : 8;
                __m512 acc[8][2];
                const uint32_t *x8 = xs + r0 * pairs + k0;
                if (nb == 2) {
                    TILE_CASES(2)
                } else {
                    TILE_CASES(1)
                }
                for (int j = 0; j < nb; j++) {
                    const long first = (b + j) * 16;
                    if (mode == TVK_BF16_ADD_TRANSPOSED) {
                        float t[8][16];
                        for (int i = 0; i < m8; i++) _mm512_storeu_ps(t[i], acc[i][j]);
                        for (long c = 0; c < width[j]; c++) {
                            float *out = y + (first + c) * ldy + r0;
                            for (int i = 0; i < m8; i++) out[i] += t[i][c];
                        }
                    } else {
                        for (int i = 0; i < m8; i++) {
                            float *out = y + (r0 + i) * ldy + first;
                            const __m512 sum = store ? _mm512_add_ps(acc[i][j], add[j])
                                                     : _mm512_add_ps(acc[i][j], _mm512_maskz_loadu_ps(keep[j], out));
                            _mm512_mask_storeu_ps(out, keep[j], sum);
                        }
                    }
                }
            }
        }
    }
}

BF16 void tvk_bf16_pairs(long cols, const float *x, long rs, long cs, uint32_t *xs, long row_begin, long row_end) {
    const long pairs = (cols + 1) / 2;
    for (long r = row_begin; r < row_end; r++) {
        const float *row = x + r * rs;
        uint32_t *out = xs + r * pairs;
        long p = 0;
        if (cs == 1) {
            // 32 values, 16 pairs, at a time: VCVTNE2PS2BF16 rounds to nearest even as bf16_of does.
            for (; 2 * p + 32 <= cols; p += 16) {
                const __m512bh both = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(row + 2 * p + 16), _mm512_loadu_ps(row + 2 * p));
                _mm512_storeu_si512((void *)(out + p), (__m512i)both);
            }
        }
        for (; p < pairs; p++) {
            const uint16_t lo = bf16_of(row[2 * p * cs]), hi = 2 * p + 1 < cols ? bf16_of(row[(2 * p + 1) * cs]) : 0;
            out[p] = (uint32_t)lo | ((uint32_t)hi << 16);
        }
    }
}

BF16 void tvk_bf16_pack_columns(const float *a, long lda, long rows, long cols, unsigned short *packed, long block_begin,
                                long block_end) {
    // Element (r, c) of the packed matrix is a[c * lda + r]: for a block and a pair, 16 consecutive floats of two
    // rows of a, rounded together and interleaved into VDPBF16PS's operand order.
    const long pairs = (cols + 1) / 2;
    static const uint16_t order[32] = {0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23,
                                       8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};
    const __m512i interleave = _mm512_loadu_si512((const void *)order);
    for (long b = block_begin; b < block_end; b++) {
        const long first = b * 16, width = rows - first < 16 ? rows - first : 16;
        const __mmask16 keep = (__mmask16)((1u << width) - 1u);
        for (long p = 0; p < pairs; p++) {
            const __m512 lo = _mm512_maskz_loadu_ps(keep, a + 2 * p * lda + first);
            const __m512 hi = 2 * p + 1 < cols ? _mm512_maskz_loadu_ps(keep, a + (2 * p + 1) * lda + first) : _mm512_setzero_ps();
            const __m512i both = (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
            _mm512_storeu_si512((void *)(packed + (b * pairs + p) * 32), _mm512_permutexvar_epi16(interleave, both));
        }
    }
}

BF16 void tvk_bf16_pack_rows(const float *w, long ldw, long rows, long cols, unsigned short *packed, long block_begin,
                             long block_end) {
    // The layout in 32-bit words: word (b · pairs + p) · 16 + j is the pair p of row 16b + j.
    const long pairs = (cols + 1) / 2;
    uint32_t *out = (uint32_t *)packed;
    for (long b = block_begin; b < block_end; b++) {
        for (long j = 0; j < 16; j++) {
            const long row = b * 16 + j;
            uint32_t *column = out + b * pairs * 16 + j;
            if (row >= rows) {
                for (long p = 0; p < pairs; p++) column[p * 16] = 0;
                continue;
            }
            const float *x = w + row * ldw;
            long p = 0;
            for (; 2 * p + 32 <= cols; p += 16) {
                uint32_t words[16];
                _mm512_storeu_si512((void *)words, (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(x + 2 * p + 16), _mm512_loadu_ps(x + 2 * p)));
                for (long q = 0; q < 16; q++) column[(p + q) * 16] = words[q];
            }
            for (; p < pairs; p++) {
                const uint16_t lo = bf16_of(x[2 * p]), hi = 2 * p + 1 < cols ? bf16_of(x[2 * p + 1]) : 0;
                column[p * 16] = (uint32_t)lo | ((uint32_t)hi << 16);
            }
        }
    }
}

BF16 void tvk_bf16_logits(long m, long rows, long cols, const float *x, long ldx, const uint16_t *packed, const float *bias,
                          float *y, long ldy, long block_begin, long block_end, uint32_t *scratch) {
    // Decoding's steps have few rows: four accumulators per row (block_rows) hide VDPBF16PS's latency there,
    // where tvk_bf16_product's one per row would wait on it.
    const long pairs = (cols + 1) / 2;
    tvk_bf16_pairs(cols, x, ldx, 1, scratch, 0, m);
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
            case 4: block_rows(4, pairs, pairs, xs, block, acc); break;
            case 3: block_rows(3, pairs, pairs, xs, block, acc); break;
            case 2: block_rows(2, pairs, pairs, xs, block, acc); break;
            default: block_rows(1, pairs, pairs, xs, block, acc); break;
            }
            for (int i = 0; i < m4; i++) _mm512_mask_storeu_ps(y + (r0 + i) * ldy + first, keep, _mm512_add_ps(acc[i], add));
        }
    }
}

#else
int tvk_has_avx512_bf16(void) { return 0; }
int tvk_cpu_is_amd(void) { return 0; }
void tvk_bf16_product(long m, long rows, long cols, const uint32_t *xs, const uint16_t *packed, const float *bias, float *y,
                      long ldy, long block_begin, long block_end, int mode) {
    (void)m; (void)rows; (void)cols; (void)xs; (void)packed; (void)bias; (void)y; (void)ldy;
    (void)block_begin; (void)block_end; (void)mode;
}
void tvk_bf16_pairs(long cols, const float *x, long rs, long cs, uint32_t *xs, long row_begin, long row_end) {
    (void)cols; (void)x; (void)rs; (void)cs; (void)xs; (void)row_begin; (void)row_end;
}
void tvk_bf16_pack_columns(const float *a, long lda, long rows, long cols, unsigned short *packed, long block_begin,
                           long block_end) {
    (void)a; (void)lda; (void)rows; (void)cols; (void)packed; (void)block_begin; (void)block_end;
}
void tvk_bf16_pack_rows(const float *w, long ldw, long rows, long cols, unsigned short *packed, long block_begin,
                        long block_end) {
    (void)w; (void)ldw; (void)rows; (void)cols; (void)packed; (void)block_begin; (void)block_end;
}
void tvk_bf16_logits(long m, long rows, long cols, const float *x, long ldx, const unsigned short *packed, const float *bias,
                     float *y, long ldy, long block_begin, long block_end, uint32_t *scratch) {
    (void)m; (void)rows; (void)cols; (void)x; (void)ldx; (void)packed; (void)bias; (void)y; (void)ldy;
    (void)block_begin; (void)block_end; (void)scratch;
}
#endif
