/* la.h - linear algebra over parc's arrays: matrix and vector products (dot, @/matmul,
 * inner, vdot) and, through ScaLAPACK, the solvers of linalg.*.
 *
 * Rank-local blocks go to OpenBLAS (one engine per core: the engine's BLAS runs on one
 * thread). Between ranks there are two ways, chosen from the shapes and layouts alone, so
 * every rank takes the same one:
 * - rows: a left operand in the row layout (axis 0 'b' over all engines) times a right
 *   operand of at most LA_GATHER_MAX bytes: the right one is gathered on every engine and
 *   each engine multiplies its own rows, one local GEMM, the result in the left operand's
 *   rows. Integer and bool products always go this way (BLAS has no integer GEMM).
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
 * checked with NumPy's messages, operands of up to 2 dimensions (more: NotImplementedError).
 * A 0-d result is a scalar. Caller owns *out. */
int la_product(rt_t *rt, ops_t *ops, int kind, const val_t *a, const val_t *b, val_t *out,
               err_t *err);

/* outer(a, b): the matrix of a.ravel()[i] * b.ravel()[j], by broadcasting. */
int la_outer(rt_t *rt, ops_t *ops, const val_t *a, const val_t *b, val_t *out, err_t *err);

#endif
