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

/// 1 when the CPU has AVX-512 (F, BW) with its BF16 extension, so that tvk_bf16_logits may be called; else 0.
int tvk_has_avx512_bf16(void);
/// 1 on an AMD CPU, 0 otherwise: there (Zen 4 and later have AVX-512 BF16) the bfloat16 layer was measured faster at every size.
int tvk_cpu_is_amd(void);

/// Floats of W (rows × cols) packed by tvk_bf16_pack: rows rounded up to 16, cols to 2.
long tvk_bf16_packed_count(long rows, long cols);

/// Packs W (rows × cols, row-major float32; an output layer's V × H) as bfloat16, rounded to nearest even,
/// in blocks of 16 rows: block b, pair p holds for rows 16b ..< 16b + 16 the values of columns 2p and 2p + 1,
/// interleaved (the operand layout of VDPBF16PS). Rows and columns past the end are zero.
void tvk_bf16_pack(const float *w, long rows, long cols, unsigned short *packed);

/// y (m × rows, ldy) = x (m × cols, ldx) · Wᵀ + bias for the row blocks [block_begin, block_end) of packed W:
/// x rounded to bfloat16, products summed in float32 (VDPBF16PS). bias may be NULL. scratch holds
/// m · ⌈cols / 2⌉ words. Call only when tvk_has_avx512_bf16() is 1.
void tvk_bf16_logits(long m, long rows, long cols, const float *x, long ldx, const unsigned short *packed, const float *bias,
                     float *y, long ldy, long block_begin, long block_end, unsigned int *scratch);

/// Packs the matrix whose element (r, c) is a[r · rs + c · cs] (rows × cols) as tvk_bf16_pack packs W, on any CPU.
void tvk_bf16_pack_strided(const float *a, long rows, long cols, long rs, long cs, unsigned short *packed);

/// Packs, for the row blocks [block_begin, block_end), the matrix whose element (r, c) is a[c · lda + r]
/// (rows × cols): the transpose of a row-major matrix, as tvk_bf16_pack_strided(a, rows, cols, 1, lda) packs it
/// but with VCVTNE2PS2BF16 (whose input denormals count as zero). Call only when tvk_has_avx512_bf16() is 1.
void tvk_bf16_pack_columns(const float *a, long lda, long rows, long cols, unsigned short *packed, long block_begin,
                           long block_end);

/// Packs the row blocks [block_begin, block_end) of W (rows × cols, rows ldw floats apart) as tvk_bf16_pack does,
/// with VCVTNE2PS2BF16 (input denormals count as zero). Call only when tvk_has_avx512_bf16() is 1.
void tvk_bf16_pack_rows(const float *w, long ldw, long rows, long cols, unsigned short *packed, long block_begin,
                        long block_end);

/// Rows [row_begin, row_end) of the matrix whose element (r, c) is x[r · rs + c · cs] (cols columns) rounded to
/// bfloat16 pairs, one 32-bit word per pair of columns (the low half the even column): xs[r · ⌈cols / 2⌉ + p].
/// Call only when tvk_has_avx512_bf16() is 1.
void tvk_bf16_pairs(long cols, const float *x, long rs, long cs, unsigned int *xs, long row_begin, long row_end);

/// What tvk_bf16_product does with its sums: store them (plus bias) in y (m × rows), add them to y (m × rows),
/// or add them to y read as its transpose (rows × m).
enum { TVK_BF16_STORE = 0, TVK_BF16_ADD = 1, TVK_BF16_ADD_TRANSPOSED = 2 };

/// The product of xs (m rows of bfloat16 pairs, from tvk_bf16_pairs) and packed W (rows × cols)ᵀ for the row
/// blocks [block_begin, block_end) of W, summed in float32 and passed over the inner dimension in parts of 1,024;
/// `mode` says where the sums go (bias only with TVK_BF16_STORE; may be NULL). Call only when
/// tvk_has_avx512_bf16() is 1.
void tvk_bf16_product(long m, long rows, long cols, const unsigned int *xs, const unsigned short *packed, const float *bias,
                      float *y, long ldy, long block_begin, long block_end, int mode);

/// The same product computed plainly (bfloat16 operands as tvk_bf16_logits rounds them, summed in double), on
/// any CPU: the reference the tests compare the kernel with.
void tvk_bf16_reference(long m, long rows, long cols, const float *x, long ldx, const unsigned short *packed, const float *bias,
                        float *y, long ldy);

#endif
