#define _GNU_SOURCE
#include "CBLAS.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int,
                         const float *, int, float, float *, int);
typedef void (*sgemv_fn)(int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef char *(*corename_fn)(void);
typedef void (*set_threads_fn)(int);

static sgemm_fn sgemm;
static sgemv_fn sgemv;
static corename_fn corename;
static set_threads_fn set_threads;
static char requested[64];

/// The OpenBLAS core type that fits this CPU, or NULL to let OpenBLAS decide.
static const char *core_for_this_cpu(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512bf16")) return "Cooperlake";
    if (__builtin_cpu_supports("avx512f")) return "SkylakeX";
    if (__builtin_cpu_supports("avx2")) return "Haswell";
    return NULL;
}

int tvblas_load(int threads, char *message, int message_capacity) {
    const char *user = getenv("OPENBLAS_CORETYPE");
    if (user == NULL || user[0] == 0) {
        const char *core = core_for_this_cpu();
        if (core != NULL) setenv("OPENBLAS_CORETYPE", core, 1);
    }
    // OpenBLAS starts its worker threads when it loads, and they spin (sched_yield) for a while waiting for
    // work: with one thread requested, do not start any. More can still be asked for later.
    const char *user_threads = getenv("OPENBLAS_NUM_THREADS");
    if ((user_threads == NULL || user_threads[0] == 0) && threads == 1) setenv("OPENBLAS_NUM_THREADS", "1", 1);
    const char *now = getenv("OPENBLAS_CORETYPE");
    snprintf(requested, sizeof requested, "%s", now ? now : "");

    const char *names[] = {"libopenblas.so.0", "libopenblas.so"};
    void *lib = NULL;
    for (unsigned i = 0; i < sizeof names / sizeof names[0] && lib == NULL; i++)
        lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        snprintf(message, message_capacity,
                 "cannot load OpenBLAS (%s); install it with: apt-get install libopenblas-dev", dlerror());
        return 1;
    }
    sgemm = (sgemm_fn)dlsym(lib, "cblas_sgemm");
    sgemv = (sgemv_fn)dlsym(lib, "cblas_sgemv");
    corename = (corename_fn)dlsym(lib, "openblas_get_corename");
    set_threads = (set_threads_fn)dlsym(lib, "openblas_set_num_threads");
    if (sgemm == NULL || sgemv == NULL) {
        snprintf(message, message_capacity, "the loaded OpenBLAS has no cblas_sgemm or cblas_sgemv");
        return 1;
    }
    if (set_threads != NULL && threads > 0) set_threads(threads);
    return 0;
}

const char *tvblas_core(void) { return corename ? corename() : "unknown"; }
const char *tvblas_coretype_requested(void) { return requested; }

void tvblas_sgemm(int transpose_a, int transpose_b, int m, int n, int k,
                  float alpha, const float *a, int lda, const float *b, int ldb,
                  float beta, float *c, int ldc) {
    sgemm(ROW_MAJOR, transpose_a ? TRANS : NO_TRANS, transpose_b ? TRANS : NO_TRANS,
          m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void tvblas_sgemv(int transpose, int m, int n, float alpha, const float *a, int lda,
                  const float *x, int incx, float beta, float *y, int incy) {
    sgemv(ROW_MAJOR, transpose ? TRANS : NO_TRANS, m, n, alpha, a, lda, x, incx, beta, y, incy);
}
