/* lablas.c - rank-local matrix kernels over row-major blocks (see lapriv.h): OpenBLAS's
 * sgemm, dgemm and zgemm for the float dtypes, and exact loops for bool and the integers,
 * which BLAS has not (NumPy's matmul uses the same kind of loop for them: an accumulator of
 * the element type, so int32 products wrap as NumPy's do). No MPI here. */
#include "lapriv.h"

#include <cblas.h>
#include <limits.h>
#include <string.h>

int la_blas_fits(int64_t a, int64_t b, int64_t c)
{
    return a >= 0 && b >= 0 && c >= 0 && a <= INT_MAX && b <= INT_MAX && c <= INT_MAX;
}

/* i-p-j order: each row of C is a sum of rows of B scaled by A's elements, so B and C are
 * read and written along their rows. Unsigned arithmetic wraps as NumPy's does. */
#define INT_GEMM(T, U)                                                                             \
    for (int64_t i = 0; i < m; i++) {                                                              \
        T *cr = (T *)c + i * ldc;                                                                  \
        for (int64_t j = 0; j < n; j++)                                                            \
            cr[j] = 0;                                                                             \
        for (int64_t p = 0; p < k; p++) {                                                          \
            U av = (U)((const T *)a)[i * lda + p];                                                 \
            const T *br = (const T *)b + p * ldb;                                                  \
            for (int64_t j = 0; j < n; j++)                                                        \
                cr[j] = (T)((U)cr[j] + av * (U)br[j]);                                             \
        }                                                                                          \
    }

static void bool_gemm(int64_t m, int64_t n, int64_t k, const unsigned char *a, int64_t lda,
                      const unsigned char *b, int64_t ldb, unsigned char *c, int64_t ldc)
{
    for (int64_t i = 0; i < m; i++) {
        unsigned char *cr = c + i * ldc;
        memset(cr, 0, (size_t)n);
        for (int64_t p = 0; p < k; p++) {
            if (!a[i * lda + p]) continue;
            const unsigned char *br = b + p * ldb;
            for (int64_t j = 0; j < n; j++)
                cr[j] |= br[j] != 0;
        }
    }
}

void la_gemm(int dt, int64_t m, int64_t n, int64_t k, const void *a, int64_t lda, const void *b,
             int64_t ldb, void *c, int64_t ldc)
{
    if (m == 0 || n == 0) return;
    /* BLAS wants leading dimensions of at least 1 even for empty operands */
    int ia = (int)(lda > 0 ? lda : 1), ib = (int)(ldb > 0 ? ldb : 1), ic = (int)ldc;
    switch (dt) {
    case DT_FLOAT32:
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.0f, a, ia,
                    b, ib, 0.0f, c, ic);
        break;
    case DT_FLOAT64:
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.0, a, ia,
                    b, ib, 0.0, c, ic);
        break;
    case DT_COMPLEX128: {
        static const double one[2] = {1, 0}, zero[2] = {0, 0};
        cblas_zgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, one, a, ia,
                    b, ib, zero, c, ic);
        break;
    }
    case DT_INT64:
        INT_GEMM(int64_t, uint64_t);
        break;
    case DT_INT32:
        INT_GEMM(int32_t, uint32_t);
        break;
    default:
        bool_gemm(m, n, k, a, lda, b, ldb, c, ldc);
        break;
    }
}

/* One tile of the transpose with elements of type T (a fixed size the compiler copies
 * inline). */
#define TILE(T)                                                                                    \
    for (int64_t i = i0; i < i1; i++)                                                              \
        for (int64_t j = j0; j < j1; j++)                                                          \
            ((T *)dst)[j * ldd + i] = ((const T *)src)[i * lds + j];

typedef struct {
    double re, im;
} c128_t;

void la_transpose(size_t es, int64_t rows, int64_t cols, const void *src, int64_t lds, void *dst,
                  int64_t ldd)
{
    /* in tiles, so that both sides are read and written a cache line at a time */
    enum { T = 32 };
    for (int64_t i0 = 0; i0 < rows; i0 += T)
        for (int64_t j0 = 0; j0 < cols; j0 += T) {
            int64_t i1 = i0 + T < rows ? i0 + T : rows, j1 = j0 + T < cols ? j0 + T : cols;
            switch (es) {
            case 16:
                TILE(c128_t);
                break;
            case 8:
                TILE(uint64_t);
                break;
            case 4:
                TILE(uint32_t);
                break;
            default:
                TILE(uint8_t);
                break;
            }
        }
}
