// OpenBLAS, loaded at run time so that textvae can choose its kernel. Not a public API.
//
// Why dlopen and not a link: OpenBLAS 0.3.21 does not recognise this machine's
// CPU and falls back to a slow generic kernel unless OPENBLAS_CORETYPE is set,
// and it reads that variable only when the library is loaded. Linking would
// load it before main() runs; loading it here lets us set the variable first.
#ifndef TEXTVAE_CBLAS_H
#define TEXTVAE_CBLAS_H

/// Chooses OPENBLAS_CORETYPE from the CPU's features (unless the user set it),
/// loads libopenblas and sets its thread count. Returns 0 on success; on failure
/// writes a message into `message` and returns non-zero. Call once.
int tvblas_load(int threads, char *message, int message_capacity);

/// The kernel OpenBLAS uses (openblas_get_corename), or "unknown".
const char *tvblas_core(void);
/// The value of OPENBLAS_CORETYPE that was in force when the library loaded ("" if none).
const char *tvblas_coretype_requested(void);

/// Row-major C = alpha * op(A) * op(B) + beta * C, op(X) = X or Xᵀ (transpose flags 0 or 1).
void tvblas_sgemm(int transpose_a, int transpose_b, int m, int n, int k,
                  float alpha, const float *a, int lda, const float *b, int ldb,
                  float beta, float *c, int ldc);

/// Row-major y = alpha * op(A) * x + beta * y for an m×n matrix A, op(A) = A or Aᵀ (transpose 0 or 1).
/// One-row products go here: OpenBLAS 0.3.21's sgemm packs all of B even when A has one row.
void tvblas_sgemv(int transpose, int m, int n, float alpha, const float *a, int lda,
                  const float *x, int incx, float beta, float *y, int incy);

#endif
