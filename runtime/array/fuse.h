/* fuse.h - compiles an IR FUSE tree, once the leaves' dtypes are known, into a register
 * program over blocks of at most KERN_BLK elements of the result's local chunk, and runs
 * it block by block (kern_ does the loops). arr_fuse writes the blocks to a new array;
 * arr_reduce folds them into accumulators, so no full-size temporary is made.
 *
 * fuse_build works out the broadcast shape, the result's layout (the row layout of the
 * first distributed leaf of full shape, else the default rows: reductions need the
 * chunk to be one run of the global C order) and how each leaf is read: in place when it
 * has the result's shape and layout, in place with a halo from the grid neighbours when its
 * layout is the result's shifted by less than a neighbour's block (halo.h: the views of a
 * stencil), after coll_redist when the layout differs otherwise, and
 * indexed by global position in a replicated copy (coll_allgather) when it is broadcast.
 * fuse_build_keep (elementwise results) keeps any layout of that first leaf: in place when
 * every array leaf is distributed with the full shape, else computed on rows and moved
 * back (fuse_home). Collective when a leaf is a distributed array (and rt->local is 0). */
#ifndef PARC_FUSE_H
#define PARC_FUSE_H

#include <stdint.h>

#include "arrint.h"

typedef struct fuse fuse_t;

/* tree NULL: the program is leaves[0] itself. Returns 0, KERN_GENERIC (a leaf that is
 * not a number or an array), or PARC_E* (same code on every rank). Caller owns *out. */
int fuse_build(rt_t *rt, const ir_node_t *tree, const val_t *leaves, size_t nleaves, fuse_t **out,
               err_t *err);
void fuse_free(fuse_t **fp);
/* The same for an elementwise result, which keeps the first full leaf's layout. */
int fuse_build_keep(rt_t *rt, const ir_node_t *tree, const val_t *leaves, size_t nleaves,
                    fuse_t **out, err_t *err);
/* The same for writing the result into distributed t (x[...] = tree, t the view): the
 * loop runs over t's chunk and the leaves are read in t's layout; the leaves' broadcast
 * shape must broadcast into t's. KERN_GENERIC (on every rank) when that cannot be done
 * this way: the shapes do not fit, or t is on a grid and some leaf is not an array of
 * its shape. */
int fuse_build_into(rt_t *rt, const ir_node_t *tree, const val_t *leaves, size_t nleaves,
                    const arr_t *t, fuse_t **out, err_t *err);
/* 1 when fuse_block can fail on some values (an integer power: negative exponents). */
int fuse_may_fail(const fuse_t *f);
/* For writing f's blocks into t (fuse_build_into) while leaves read t's own memory: the
 * most elements of t's local order by which a leaf may read, later, an element already
 * written (0: none; the result's block k can be written once block k + lag / KERN_BLK +
 * 1 is computed), or -1 when a leaf reads t's memory in another order. Not collective:
 * the answer may differ by rank. */
int64_t fuse_lag(const fuse_t *f, const arr_t *t);
/* The layout the result must be moved to once computed (coll_redist), or NULL. Borrowed. */
const dist_t *fuse_home(const fuse_t *f);
/* 1 when fuse_build can take the leaves: numbers and arrays, and None as a clip bound. */
int fuse_accepts(const ir_node_t *tree, const val_t *leaves, size_t nleaves);

/* 1 when no block of f can fail or raise a RuntimeWarning, whatever values its leaves
 * hold within their known ranges (numbers, and virtual random arrays: arrint.h); 0 when
 * that cannot be shown (any other array leaf, complex values, powers, integer division). */
int fuse_quiet(const fuse_t *f);

/* Result description. */
int fuse_ndim(const fuse_t *f);
const int64_t *fuse_shape(const fuse_t *f);
int fuse_dtype(const fuse_t *f);
int fuse_weak(const fuse_t *f); /* result of weak scalars only */
int fuse_isdist(const fuse_t *f);
const dist_t *fuse_dist(const fuse_t *f); /* the layout when distributed (borrowed) */
int64_t fuse_lsize(const fuse_t *f);      /* elements of this rank's part */
int64_t fuse_gstart(const fuse_t *f);     /* global flat index of its first element (row layouts) */

/* Evaluates local elements [s, s+n) (n <= KERN_BLK); *res points at n values of
 * fuse_dtype (valid until the next call). Returns 0 or PARC_EVALUE with err set. */
int fuse_block(fuse_t *f, int64_t s, int64_t n, const void **res, err_t *err);

/* Evaluates every block of this rank's part in order and hands each to visit (ctx, its
 * first local element, its length, its values), with progress and interrupt checks
 * between blocks. Returns 0, or the first block's error or PARC_EINTR. */
typedef void (*fuse_visit_fn)(void *ctx, int64_t s, int64_t n, const void *res);
int fuse_each(fuse_t *f, fuse_visit_fn visit, void *ctx, err_t *err);

/* Type rules shared with the scalar path: the compute dtype and output dtype of op on
 * operands (dta, weak a) and (dtb, weak b) (dtb -1 for unary ops). 0 or PARC_ETYPE. */
int fuse_types(int op, int dta, int wa, int dtb, int wb, int *cdt, int *odt, int *kop, err_t *err);
/* NumPy's name of op ("add", "floor_divide", "sqrt"). */
const char *fuse_ufunc_name(int op);
/* 1 for the ops on dtype dt whose IEEE flags NumPy 1.24 reports as a RuntimeWarning (its
 * comparison, maximum/minimum, clip, sign and rounding loops clear them; of the complex
 * loops, + - * ** and square: a complex division reports its zero divisors itself). */
int fuse_fp_checked(int op, int dt);
/* x op= v writes op's result (dtype from) into x (dtype to) with NumPy's casting rule
 * 'same_kind': 0, or PARC_ETYPE with NumPy's message when the kind would drop (float into
 * int, complex into float, int into bool). */
int fuse_inplace(int op, int from, int to, err_t *err);
/* Shape text as NumPy's broadcast error writes it: "(4,5)", "(3,)". */
void fuse_shape_text(int ndim, const int64_t *shape, char *buf, size_t cap);

#endif
