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

#endif
