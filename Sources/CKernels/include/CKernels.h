// Element-wise kernels in AVX2 and FMA, chosen at run time. Not a public API.
//
// Why C: Swift compiles for the x86-64 baseline (SSE2, four lanes, no FMA)
// and has no per-function target attribute, so its vectorised loops use half
// the width this CPU has. These functions carry `target("avx2,fma")` and are
// called only when the CPU has both (tvk_has_avx2_fma). The Swift versions
// stay as the fallback and as the references the tests compare these with.
#ifndef TEXTVAE_CKERNELS_H
#define TEXTVAE_CKERNELS_H

/// 1 when the CPU has AVX2 and FMA (and these kernels may be called), else 0.
int tvk_has_avx2_fma(void);

/// The maximum m of l[0..<count] and Σ exp(l − m), with exp(l − m) written to
/// e (which may be l itself). exp is the same polynomial as VectorMath.fastExp.
float tvk_exp_sum(const float *l, long count, float *e, float *max_out);

/// One GRU position's gates (PyTorch order r, z, n; h' = (1 − u) n + u h):
/// gi, gh: (3H) input and recurrent projections with biases; h: (H) state in;
/// gates: (4H) receives r, u, n, and W_hn h + b_hn; out: (H) the new state
/// (may be h itself).
void tvk_gru_gates(const float *gi, const float *gh, const float *h, float *gates, float *out, long hidden);

/// Packs op(B), a k × n matrix with n a multiple of 16, into panels of 16
/// columns for tvk_gemm_packed: panel p holds, for each row kk, the 16 values
/// op(B)[kk][16p ..< 16p + 16]. op(B) = B (row-major, ldb) or, with
/// `transposed`, Bᵀ where B is n × k row-major. `packed` holds k · n floats.
void tvk_pack_b(int transposed, const float *b, long ldb, long k, long n, float *packed);

/// C (m × n, row-major, ldc) += A (m × k, row-major, lda) · op(B), op(B) packed
/// by tvk_pack_b. For the recurrent products of a GRU, whose weights stay the
/// same for every step of a batch: packed once, not once per step.
void tvk_gemm_packed(long m, long n, long k, const float *a, long lda, const float *packed, float *c, long ldc);

#endif
