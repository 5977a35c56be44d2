#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

int tvk_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

#define AVX2 __attribute__((target("avx2,fma")))

// exp(x) for eight lanes: x = n ln2 + r, exp(r) by the degree-7 Taylor polynomial
// VectorMath.fastExp uses, 2^n put into the exponent bits. Clamped to [-87, 88];
// the constant goes first in min/max so that a NaN lane stays NaN.
AVX2 static inline __m256 exp8(__m256 x) {
    x = _mm256_max_ps(_mm256_set1_ps(-87.0f), _mm256_min_ps(_mm256_set1_ps(88.0f), x));
    const __m256 shift = _mm256_set1_ps(12582912.0f);  // 1.5 * 2^23: adding it rounds to an integer
    __m256 shifted = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504f), shift);
    __m256 n = _mm256_sub_ps(shifted, shift);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.69314575f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.4286068e-6f), r);
    __m256 p = _mm256_set1_ps(1.0f / 5040);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    __m256i bits = _mm256_slli_epi32(
        _mm256_add_epi32(_mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_set1_epi32(0x4B400000)), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

AVX2 static inline __m256 sigmoid8(__m256 x) {
    const __m256 one = _mm256_set1_ps(1.0f);
    return _mm256_div_ps(one, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

AVX2 static inline __m256 tanh8(__m256 x) {  // 2 σ(2x) − 1
    const __m256 one = _mm256_set1_ps(1.0f), two = _mm256_set1_ps(2.0f);
    __m256 e = exp8(_mm256_mul_ps(_mm256_set1_ps(-2.0f), x));
    return _mm256_sub_ps(_mm256_div_ps(two, _mm256_add_ps(one, e)), one);
}

// The scalar tails use the same polynomial through a one-lane vector.
AVX2 static inline float exp1(float x) { return _mm256_cvtss_f32(exp8(_mm256_set1_ps(x))); }
AVX2 static inline float sigmoid1(float x) { return _mm256_cvtss_f32(sigmoid8(_mm256_set1_ps(x))); }
AVX2 static inline float tanh1(float x) { return _mm256_cvtss_f32(tanh8(_mm256_set1_ps(x))); }

AVX2 static float exp_sum_avx2(const float *l, long count, float *e, float *max_out) {
    long body = count - count % 8, j;
    __m256 m8 = _mm256_set1_ps(-__builtin_inff());
    for (j = 0; j < body; j += 8) {
        __m256 x = _mm256_loadu_ps(l + j);
        m8 = _mm256_blendv_ps(m8, x, _mm256_cmp_ps(x, m8, _CMP_GT_OQ));  // NaN never wins, as in Swift
    }
    float lanes[8], m = -__builtin_inff();
    _mm256_storeu_ps(lanes, m8);
    for (int k = 0; k < 8; k++) if (lanes[k] > m) m = lanes[k];
    for (j = body; j < count; j++) if (l[j] > m) m = l[j];
    __m256 mv = _mm256_set1_ps(m), s8 = _mm256_setzero_ps();
    for (j = 0; j < body; j += 8) {
        __m256 x = exp8(_mm256_sub_ps(_mm256_loadu_ps(l + j), mv));
        _mm256_storeu_ps(e + j, x);
        s8 = _mm256_add_ps(s8, x);
    }
    _mm256_storeu_ps(lanes, s8);
    float sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    for (j = body; j < count; j++) { e[j] = exp1(l[j] - m); sum += e[j]; }
    *max_out = m;
    return sum;
}

AVX2 static void gru_gates_avx2(const float *gi, const float *gh, const float *h, float *gates, float *out, long H) {
    float *r = gates, *u = gates + H, *n = gates + 2 * H, *ghn = gates + 3 * H;
    long j, body = H - H % 8;
    for (j = 0; j < body; j += 8) {
        __m256 rj = sigmoid8(_mm256_add_ps(_mm256_loadu_ps(gi + j), _mm256_loadu_ps(gh + j)));
        __m256 uj = sigmoid8(_mm256_add_ps(_mm256_loadu_ps(gi + H + j), _mm256_loadu_ps(gh + H + j)));
        __m256 gj = _mm256_loadu_ps(gh + 2 * H + j);
        __m256 nj = tanh8(_mm256_add_ps(_mm256_loadu_ps(gi + 2 * H + j), _mm256_mul_ps(rj, gj)));
        __m256 hj = _mm256_loadu_ps(h + j);
        _mm256_storeu_ps(r + j, rj);
        _mm256_storeu_ps(u + j, uj);
        _mm256_storeu_ps(n + j, nj);
        _mm256_storeu_ps(ghn + j, gj);
        _mm256_storeu_ps(out + j, _mm256_add_ps(nj, _mm256_mul_ps(uj, _mm256_sub_ps(hj, nj))));
    }
    for (; j < H; j++) {
        float rj = sigmoid1(gi[j] + gh[j]), uj = sigmoid1(gi[H + j] + gh[H + j]), gj = gh[2 * H + j];
        float nj = tanh1(gi[2 * H + j] + rj * gj), hj = h[j];
        r[j] = rj; u[j] = uj; n[j] = nj; ghn[j] = gj;
        out[j] = nj + uj * (hj - nj);
    }
}

void tvk_pack_b(int transposed, const float *b, long ldb, long k, long n, float *packed) {
    for (long p = 0; p < n / 16; p++) {
        float *panel = packed + p * k * 16;
        for (long kk = 0; kk < k; kk++)
            for (long jj = 0; jj < 16; jj++)
                panel[kk * 16 + jj] = transposed ? b[(p * 16 + jj) * ldb + kk] : b[kk * ldb + p * 16 + jj];
    }
}

// MR rows of C × one 16-column panel: 2·MR accumulators stay in registers over all of k
// (MR ≤ 6 leaves room for the two panel loads and a broadcast in the 16 ymm registers).
AVX2 static inline void gemm_rows(const int MR, long k, const float *a, long lda, const float *panel, float *c, long ldc) {
    __m256 acc0[6], acc1[6];
    for (int i = 0; i < MR; i++) { acc0[i] = _mm256_loadu_ps(c + i * ldc); acc1[i] = _mm256_loadu_ps(c + i * ldc + 8); }
    for (long kk = 0; kk < k; kk++) {
        __m256 b0 = _mm256_loadu_ps(panel + kk * 16), b1 = _mm256_loadu_ps(panel + kk * 16 + 8);
        for (int i = 0; i < MR; i++) {
            __m256 ai = _mm256_broadcast_ss(a + i * lda + kk);
            acc0[i] = _mm256_fmadd_ps(ai, b0, acc0[i]);
            acc1[i] = _mm256_fmadd_ps(ai, b1, acc1[i]);
        }
    }
    for (int i = 0; i < MR; i++) { _mm256_storeu_ps(c + i * ldc, acc0[i]); _mm256_storeu_ps(c + i * ldc + 8, acc1[i]); }
}

AVX2 static void gemm_packed_avx2(long m, long n, long k, const float *a, long lda, const float *packed, float *c, long ldc) {
    for (long p = 0; p < n / 16; p++) {  // a panel (16 · k floats) stays in L1 while every row block uses it
        const float *panel = packed + p * k * 16;
        float *cp = c + p * 16;
        long i = 0;
        for (; i + 6 <= m; i += 6) gemm_rows(6, k, a + i * lda, lda, panel, cp + i * ldc, ldc);
        switch (m - i) {  // constant row counts, so each call unrolls into registers
        case 5: gemm_rows(5, k, a + i * lda, lda, panel, cp + i * ldc, ldc); break;
        case 4: gemm_rows(4, k, a + i * lda, lda, panel, cp + i * ldc, ldc); break;
        case 3: gemm_rows(3, k, a + i * lda, lda, panel, cp + i * ldc, ldc); break;
        case 2: gemm_rows(2, k, a + i * lda, lda, panel, cp + i * ldc, ldc); break;
        case 1: gemm_rows(1, k, a + i * lda, lda, panel, cp + i * ldc, ldc); break;
        default: break;
        }
    }
}

void tvk_gemm_packed(long m, long n, long k, const float *a, long lda, const float *packed, float *c, long ldc) {
    gemm_packed_avx2(m, n, k, a, lda, packed, c, ldc);
}

float tvk_exp_sum(const float *l, long count, float *e, float *max_out) { return exp_sum_avx2(l, count, e, max_out); }
void tvk_gru_gates(const float *gi, const float *gh, const float *h, float *gates, float *out, long hidden) {
    gru_gates_avx2(gi, gh, h, gates, out, hidden);
}

#else
// Not x86-64: the Swift versions run (tvk_has_avx2_fma is 0 and these are never called).
int tvk_has_avx2_fma(void) { return 0; }
float tvk_exp_sum(const float *l, long count, float *e, float *max_out) { (void)l; (void)count; (void)e; *max_out = 0; return 0; }
void tvk_gru_gates(const float *gi, const float *gh, const float *h, float *gates, float *out, long hidden) {
    (void)gi; (void)gh; (void)h; (void)gates; (void)out; (void)hidden;
}
void tvk_pack_b(int transposed, const float *b, long ldb, long k, long n, float *packed) {
    (void)transposed; (void)b; (void)ldb; (void)k; (void)n; (void)packed;
}
void tvk_gemm_packed(long m, long n, long k, const float *a, long lda, const float *packed, float *c, long ldc) {
    (void)m; (void)n; (void)k; (void)a; (void)lda; (void)packed; (void)c; (void)ldc;
}
#endif
