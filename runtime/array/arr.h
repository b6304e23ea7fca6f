/* arr.h - distributed arrays: dtypes, creation, display, attributes, indexing, and the
 * elementwise/reduction entry points that run through kern_ and coll_.
 *
 * An arr_t is reference-counted and owns (or, for a view, shares) its chunk: 64-byte
 * aligned, C order. A *distributed* array (made in global view) has a global shape and a
 * dist_t; this rank holds the chunk dist_ assigns it. A *local* array (made in local view,
 * or the local view of a distributed one) lives on this rank only.
 *
 * "Collective" below means: when the array is distributed and rt->local is 0, every rank
 * must make the same call in the same order; errors are agreed (coll_agree) so that all
 * ranks return the same code. Functions return 0 or a PARC_E* code with err set; on error
 * outputs are untouched. */
#ifndef PARC_ARR_H
#define PARC_ARR_H

#include <stddef.h>
#include <stdint.h>

#include "dist.h"
#include "dtype.h"
#include "err.h"
#include "ir.h"
#include "rt.h"
#include "value.h"
#include "wire.h"

#define ARR_MAXDIM DIST_MAXDIM

typedef struct arr arr_t;

arr_t *arr_ref(arr_t *a);   /* adds a reference, returns a */
void arr_unref(arr_t **ap); /* NULL-safe; frees at zero; NULLs *ap */

int arr_ndim(const arr_t *a);
const int64_t *arr_shape(const arr_t *a); /* global shape (ndim entries) */
int arr_dtype(const arr_t *a);
int64_t arr_size(const arr_t *a); /* global element count */
int arr_is_dist(const arr_t *a);
size_t arr_local_bytes(const arr_t *a);
const dist_t *arr_dist(const arr_t *a); /* NULL for a local array; borrowed from a */
/* The same, and for the local view of a distributed array (arr_local) that array's. */
const dist_t *arr_origin_dist(const arr_t *a);

/* Creation. Collective in global view; local arrays in local view. dist NULL = default
 * (dist_spec_t in dist.h: 'b' on axis 0).
 * fill NULL = zeros. dtype -1 = from the arguments as NumPy does. */
int arr_full(rt_t *rt, int ndim, const int64_t *shape, int dtype, const val_t *fill,
             const dist_spec_t *dist, arr_t **out, err_t *err);
int arr_arange(rt_t *rt, const val_t *start, const val_t *stop, const val_t *step, int dtype,
               const dist_spec_t *dist, arr_t **out, err_t *err);
int arr_linspace(rt_t *rt, double start, double stop, int64_t num, int endpoint, int dtype,
                 const dist_spec_t *dist, arr_t **out, err_t *err);
/* array([...]): v is a (nested) list/tuple of numbers, or a scalar. */
int arr_from_value(rt_t *rt, const val_t *v, int dtype, const dist_spec_t *dist, arr_t **out,
                   err_t *err);

/* eye(n, m, k): ones where column - row == k, zeros elsewhere (dtype -1: float64). */
int arr_eye(rt_t *rt, int64_t n, int64_t m, int64_t k, int dtype, const dist_spec_t *dist,
            arr_t **out, err_t *err);
/* The array of shape whose elements are their own index along axis (dtype -1: float64),
 * as NumPy's indices(shape)[axis]: what fromfunction passes its function. */
int arr_indices(rt_t *rt, int ndim, const int64_t *shape, int axis, int dtype,
                const dist_spec_t *dist, arr_t **out, err_t *err);
/* A new array with proto's shape and layout (its chunk shape in local view), dtype -1 =
 * proto's, every element fill converted to it (NULL = zeros). */
int arr_like(rt_t *rt, const arr_t *proto, int dtype, const val_t *fill, arr_t **out, err_t *err);
/* where(c) / nonzero(c): a tuple of c->ndim int64 arrays, the indices of c's nonzero
 * elements along each axis in C order (distributed like a mask's selection). Collective. */
int arr_nonzero(rt_t *rt, arr_t *c, val_t *out, err_t *err);
/* a.real (imag 0) or a.imag (1): for complex a a float64 view sharing a's memory; for
 * other dtypes a itself, or a new array of zeros (a copy: writing to it changes nothing). */
int arr_part(rt_t *rt, arr_t *a, int imag, arr_t **out, err_t *err);

enum { RAND_UNIFORM, RAND_NORMAL, RAND_INT };
/* Random values from rt's stream (global view: seed, call number, global index; local view:
 * this rank's stream). Advances the stream by one call. uniform in [lo, hi), normal with
 * mean lo and deviation hi, integers in [lo, hi). */
int arr_random(rt_t *rt, int kind, int ndim, const int64_t *shape, int dtype, double lo, double hi,
               const dist_spec_t *dist, arr_t **out, err_t *err);
/* One random scalar from the same stream (random.random() with no size). */
int arr_random_scalar(rt_t *rt, int kind, double lo, double hi, val_t *out, err_t *err);

/* Elementwise tree (the kid of an IR FUSE node, see ir_is_elemwise) over leaves already
 * evaluated (preorder). Returns 0 with *out set (an array, or a scalar when every leaf is
 * a number or the result is 0-d, as NumPy's ufuncs give), KERN_GENERIC when some leaf
 * is neither a number nor an array (the caller then evaluates the tree node by node), or
 * a PARC_E* code. Collective when a leaf is a distributed array. Runs in blocks with no
 * full-size temporaries. */
#define KERN_GENERIC 1
/* 1 when arr_fuse and arr_reduce take tree over leaves as one fused program: numbers and
 * arrays (None as a clip bound), at least one array. */
int arr_fusible(const ir_node_t *tree, const val_t *leaves, size_t nleaves);
int arr_fuse(rt_t *rt, const ir_node_t *tree, const val_t *leaves, size_t nleaves, val_t *out,
             err_t *err);

/* Reduction `bi` (BI_SUM, BI_MEAN, BI_MIN, BI_MAX, BI_COUNT_NONZERO, BI_PROD, BI_ANY ...)
 * over an elementwise tree (tree != NULL, fused: no temporary) or over leaves[0] (tree NULL).
 * axis ARR_NOAXIS = whole array (result a scalar on every rank), else along axis (result an
 * array). Collective for distributed operands. */
#define ARR_NOAXIS (-99)
int arr_reduce(rt_t *rt, int bi, const ir_node_t *tree, const val_t *leaves, size_t nleaves,
               int axis, val_t *out, err_t *err);
/* The same along the axes[0..naxes) (negative ones count from the end; naxes -1: all, as
 * axis=None; 0: none, every element its own reduction), keepdims as NumPy's (the reduced
 * axes stay with length 1). Several axes are merged into one (a transposed view reshaped:
 * a copy when elements must change engines) and reduced as one, in the C order of the
 * reduced axes. */
int arr_reduce_axes(rt_t *rt, int bi, const ir_node_t *tree, const val_t *leaves, size_t nleaves,
                    const int *axes, int naxes, int keepdims, val_t *out, err_t *err);

/* Scalar arithmetic with NumPy's/Python's rules for the IR's BIN/CMP/UN opcodes and the
 * UFUNC builtins. An operator on two Python numbers follows Python (ZeroDivisionError for
 * a division or modulo by zero); anything with a NumPy scalar, and every ufunc, follows
 * NumPy: integer division by zero gives 0, float errors inf or nan, each with NumPy's
 * RuntimeWarning noted on rt (NULL: none). Used for scalars outside arrays too, so there is
 * one definition of each operation. */
int arr_scalar_binop(rt_t *rt, int irop, const val_t *a, const val_t *b, val_t *out, err_t *err);
int arr_scalar_unop(rt_t *rt, int irop, const val_t *a, val_t *out, err_t *err);
int arr_scalar_ufunc(rt_t *rt, int bi, const val_t *args, size_t nargs, val_t *out, err_t *err);
/* Whether x irop= v may store a result of dtype from into x of dtype to (NumPy's
 * 'same_kind'): 0, or PARC_ETYPE with NumPy's UFuncTypeError message. */
int arr_inplace_check(int irop, int from, int to, err_t *err);

/* NumPy's repr (summarized: only the shown elements are gathered) appended to plain on
 * rank 0 (other ranks append nothing); a distributed array gets the header line
 * "DistArray(shape=(300, 10), dtype=float64, dist=('b', 'n'), engines=4)" first.
 * html may be NULL. Collective. arr_str is NumPy's str() (for print). */
int arr_repr(rt_t *rt, const arr_t *a, wbuf_t *plain, wbuf_t *html, err_t *err);
int arr_str(rt_t *rt, const arr_t *a, wbuf_t *out, err_t *err);

/* Chunk shapes of every rank, rank-major (nranks * ndim entries), computed from the dist. */
int arr_localshapes(const rt_t *rt, const arr_t *a, int64_t *out, size_t cap);
/* "('b', 'n')" */
void arr_dist_text(const arr_t *a, wbuf_t *out);

/* A new local int64 array of the global indices along dim of this rank's part of layout
 * d, ascending. Not collective. */
int arr_owned_indices(const rt_t *rt, const dist_t *d, int dim, arr_t **out, err_t *err);
arr_t *arr_local(const arr_t *a); /* this rank's chunk as a local array (shares memory) */
/* Collective: the distributed array whose chunks are every rank's local (spec NULL: the
 * default layout, the chunks stacked in rank order on axis 0). The global shape is what the
 * chunks make along each axis (uneven 'b' blocks allowed; a 'c' axis must be split as its
 * cyclic layout splits it): no data moves. */
int arr_from_local(rt_t *rt, const arr_t *local, const dist_spec_t *spec, arr_t **out, err_t *err);
int arr_astype(rt_t *rt, const arr_t *a, int dtype, arr_t **out, err_t *err);
/* A copy of distributed a laid out by spec (NULL: the default), moved by coll_redist.
 * Collective; global view only. */
int arr_redistribute(rt_t *rt, const arr_t *a, const dist_spec_t *spec, arr_t **out, err_t *err);
int arr_copy(rt_t *rt, const arr_t *a, arr_t **out, err_t *err);

/* Stencil functions (arrstencil.c), as NumPy's (convolve2d as scipy.signal's). Collective
 * for distributed operands; axis already normalised (0 <= axis < ndim, or ARR_NOAXIS
 * where allowed). diff: n >= 0 differences along axis. gradient: one axis, spacing h
 * (at least 2 elements). roll: by shift along axis (ARR_NOAXIS: flattened). cumulate:
 * op 0 cumsum, 1 cumprod, axis ARR_NOAXIS (flattened) or one axis, dtype -1 NumPy's.
 * convolve: a (1-d, or 2-d for convolve2d) with kernel k of the same ndim, no larger
 * along any axis, mode ARR_FULL, ARR_SAME or ARR_VALID. */
enum { ARR_FULL, ARR_SAME, ARR_VALID };
int arr_diff(rt_t *rt, arr_t *a, int64_t n, int axis, arr_t **out, err_t *err);
int arr_gradient(rt_t *rt, arr_t *f, int axis, double h, arr_t **out, err_t *err);
int arr_roll(rt_t *rt, arr_t *a, int64_t shift, int axis, arr_t **out, err_t *err);
int arr_cumulate(rt_t *rt, arr_t *a, int op, int axis, int dtype, arr_t **out, err_t *err);
int arr_convolve(rt_t *rt, arr_t *a, arr_t *k, int mode, arr_t **out, err_t *err);

/* Shape and layout (arrshape.c). Collective for distributed arrays in global view.
 * transpose: axes NULL = reversed; a view (x first moved to the default rows when its
 * grid would have to change engines). reshape: one -1 allowed; a view when no element
 * changes engines, else a copy. expand_dims: a view with a new axis of length 1 ('n').
 * squeeze: axis ARR_NOAXIS = every axis of length 1. concatenate: a new array, the
 * default layout in global view. */
int arr_transpose(rt_t *rt, const arr_t *a, const int *axes, arr_t **out, err_t *err);
int arr_reshape(rt_t *rt, const arr_t *a, int ndim, const int64_t *shape, arr_t **out, err_t *err);
int arr_expand_dims(rt_t *rt, const arr_t *a, int axis, arr_t **out, err_t *err);
/* *v with an axis of length 1 inserted at each of axes[0..n) in turn (views); *v is
 * replaced, and NULL after an error. */
int arr_expand_dims_at(rt_t *rt, arr_t **v, const int *axes, int n, err_t *err);
int arr_squeeze(rt_t *rt, const arr_t *a, int axis, arr_t **out, err_t *err);
int arr_concatenate(rt_t *rt, arr_t *const *as, int n, int axis, arr_t **out, err_t *err);

/* Indexing: one entry per index in x[i, a:b:c, ...]. */
typedef struct {
    uint8_t kind; /* IDX_INT, IDX_SLICE, IDX_NEWAXIS, IDX_ARRAY, IDX_BOOL (i: 0 or 1), IDX_SEP */
    uint8_t has_start, has_stop, has_step;
    int64_t i, start, stop, step;
    arr_t *arr; /* IDX_ARRAY: a bool mask or an integer index array (borrowed) */
} idx_t;
/* IDX_SEP: an Ellipsis standing for no axis; NumPy's advanced indices on both sides of it
 * are not adjacent (their axes go first). */
enum { IDX_INT, IDX_SLICE, IDX_NEWAXIS, IDX_ARRAY, IDX_BOOL, IDX_SEP };

/* x[idx]: a scalar (all IDX_INT), a view (basic slicing) or a copy (IDX_ARRAY). Collective. */
int arr_getitem(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, val_t *out, err_t *err);
/* x[idx] = v (scalar or broadcastable array). Collective. */
int arr_setitem(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, const val_t *v, err_t *err);
/* x[idx] = tree (an elementwise tree over evaluated leaves, as arr_fuse takes; NULL: the
 * value leaves[0]) computed block by block straight into x's memory: the leaves are read
 * in the layout of the view x[idx] (in place, through halos from the neighbours, or
 * moved), with no full-size temporary, and reads of x's old values come before the writes
 * that change them (NumPy's semantics of the right side evaluated first). Collective.
 * Returns 0, a PARC_E* code, or KERN_GENERIC (on every rank, nothing written, err clear)
 * when it cannot be done this way, or fails before writing: the caller then computes the
 * value and assigns it with arr_setitem. */
int arr_setitem_fused(rt_t *rt, arr_t *x, const idx_t *idx, int nidx, const ir_node_t *tree,
                      const val_t *leaves, size_t nleaves, err_t *err);

#endif
