/* blas_dl.c: BLAS and LAPACKE, loaded on first use (core/dl.h): the four routines the LSA
 * fit calls (lsa.c), forwarded to liblapacke.so.3 and the BLAS it needs (Debian 12:
 * liblapacke, with OpenBLAS behind libblas.so.3). Only fitting a model needs them; a
 * command that never builds an index (`sql`, `--version`, `serve` until an index is built)
 * does not load them. A routine lsa.c starts calling must be added here. */
#include <cblas.h>
#include <lapacke.h>
#include <pthread.h>

#include "ai/ai_int.h"
#include "core/dl.h"

#define BLAS_FUNCS(F, V)                                                                        \
    V(cblas_sgemm, (CBLAS_LAYOUT a, CBLAS_TRANSPOSE b, CBLAS_TRANSPOSE c, blasint d,            \
                    blasint e, blasint f, float g, const float *h, blasint i, const float *j,   \
                    blasint k, float l, float *m, blasint n),                                   \
      (a, b, c, d, e, f, g, h, i, j, k, l, m, n))                                               \
    F(lapack_int, LAPACKE_sgeqrf, (int a, lapack_int b, lapack_int c, float *d, lapack_int e,   \
                                   float *f), (a, b, c, d, e, f))                               \
    F(lapack_int, LAPACKE_sorgqr, (int a, lapack_int b, lapack_int c, lapack_int d, float *e,   \
                                   lapack_int f, const float *g), (a, b, c, d, e, f, g))        \
    F(lapack_int, LAPACKE_dsyevd, (int a, char b, char c, lapack_int d, double *e,              \
                                   lapack_int f, double *g), (a, b, c, d, e, f, g))

BLAS_FUNCS(LH_DL_PTR, LH_DL_PTRV)

static const lh_dl_sym syms[] = {BLAS_FUNCS(LH_DL_ENTRY, LH_DL_ENTRYV)};

static lh_dl_lib lib = {
    .feature = "Fitting the builtin model (BLAS/LAPACK)",
    .package = "liblapacke",
    .sonames = {"libblas.so.3", "liblapacke.so.3", NULL},
    .syms = syms,
    .nsyms = sizeof syms / sizeof syms[0],
};
LH_DL_LOADER(lib, lh__ai_blas_load)

BLAS_FUNCS(LH_DL_DEF, LH_DL_DEFV)
