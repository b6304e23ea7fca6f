/* la.h - linear algebra over parc's arrays: matrix and vector products (dot, @/matmul,
 * inner, vdot) and, through ScaLAPACK, the solvers of linalg.*.
 *
 * Rank-local blocks go to OpenBLAS (one engine per core: the engine's BLAS runs on one
 * thread). Between ranks there are two ways, chosen from the shapes and layouts alone, so
 * every rank takes the same one:
 * - rows: a 2-d left operand times a right operand of at most LA_GATHER_MAX bytes
 *   (PARC_GATHER_MAX): the left one moved to the row layout (axis 0 'b' over all engines)
 *   if it is elsewhere, the right one gathered on every engine, and each engine multiplies
 *   its own rows, one local GEMM, the result in those rows. Taken when the left operand is
 *   in rows already, or when it moves fewer bytes per engine than PBLAS (few engines).
 *   Integer and bool products always go this way (BLAS has no integer GEMM).
 * - PBLAS: anything else of a float dtype: both operands moved (coll_redist) to 2-d
 *   block-cyclic matrices on a BLACS grid, p?gemm, and the product moved back to the
 *   default rows.
 * The vector dot of two 1-d operands is a fused sum of products in sum()'s fixed order, so
 * its bits are the same on any number of engines (matrix products are not).
 *
 * Everything here is Collective for distributed operands in global view, returns 0 or a
 * PARC_E* code with err set (the same code on every rank), and leaves outputs untouched on
 * error. Errors carry no place: the caller adds the call's. */
#ifndef PARC_LA_H
#define PARC_LA_H

#include "arr.h"
#include "ops.h"

#define LA_GATHER_MAX ((int64_t)256 << 20)

enum { LA_MATMUL, LA_DOT, LA_INNER, LA_VDOT };

/* a @ b (LA_MATMUL), dot(a, b), inner(a, b), vdot(a, b) of numbers, arrays, or (nested)
 * lists and tuples of numbers, as NumPy: dtypes promote (ints stay exact), shapes are
 * checked with NumPy's messages; stacks of matrices with batch shapes broadcast as NumPy's,
 * and dot/inner of N-d arrays. A 0-d result is a scalar. Caller owns *out. */
int la_product(rt_t *rt, ops_t *ops, int kind, const val_t *a, const val_t *b, val_t *out,
               err_t *err);

/* outer(a, b): the matrix of a.ravel()[i] * b.ravel()[j], by broadcasting. */
int la_outer(rt_t *rt, ops_t *ops, const val_t *a, const val_t *b, val_t *out, err_t *err);

/* trace(a, offset): the sum of a[i, i + offset] (a 2-d), added in index order whatever the
 * layout, so the same bits on any number of engines. ints and bool sum as int64. */
int la_trace(rt_t *rt, const arr_t *a, int64_t offset, val_t *out, err_t *err);

/* linalg.norm's ord: None, a number (inf and -inf included), 'fro' (or 'f'), 'nuc', or
 * another string (refused with NumPy's message). */
enum { LA_ORD_NONE, LA_ORD_NUM, LA_ORD_FRO, LA_ORD_NUC, LA_ORD_BAD };
typedef struct {
    int kind;
    double p;      /* LA_ORD_NUM */
    char name[24]; /* the string given, for messages */
} la_ord_t;

/* linalg.norm(x, ord, axis) as NumPy defines it; naxis 0 (axis None), 1 or 2 axes. */
int la_norm(rt_t *rt, ops_t *ops, const arr_t *x, const la_ord_t *ord, int naxis, const int *axis,
            val_t *out, err_t *err);

/* The solvers of linalg.* (lasolve.c, on ScaLAPACK), each on a 2-d array (a stack of
 * matrices: NotImplementedError) with NumPy's checks and LinAlgError messages ("Singular
 * matrix", "Matrix is not positive definite"). Results have the input's dtype (float32 is
 * computed in float64 and rounded back; ints and bools give float64); tuples for qr, svd,
 * eigh and lstsq as NumPy's. */
int la_solve(rt_t *rt, const arr_t *a, const arr_t *b, val_t *out, err_t *err);
int la_inv(rt_t *rt, const arr_t *a, val_t *out, err_t *err);
int la_det(rt_t *rt, const arr_t *a, val_t *out, err_t *err); /* a number */
int la_cholesky(rt_t *rt, const arr_t *a, val_t *out, err_t *err);
enum { LA_QR_REDUCED, LA_QR_COMPLETE, LA_QR_R, LA_QR_RAW };
int la_qr(rt_t *rt, const arr_t *a, int mode, val_t *out, err_t *err);
/* full: full_matrices; uv 0: the singular values alone. */
int la_svd(rt_t *rt, const arr_t *a, int full, int uv, val_t *out, err_t *err);
int la_eigh(rt_t *rt, const arr_t *a, int upper, val_t *out, err_t *err);
/* (x, residuals, rank, s) as NumPy's lstsq: singular values s <= rcond * max(s) count as
 * zero (rcond < 0: machine precision); full rank by p?gels, else the solution of least
 * norm from the SVD (as LAPACK's gelsd). */
int la_lstsq(rt_t *rt, ops_t *ops, const arr_t *a, const arr_t *b, double rcond, val_t *out,
             err_t *err);

#endif
