/* arrint.h - the inside of arr_t, shared by the array modules only (arr.c, arrops.c,
 * arrfmt.c, kern.c's callers, coll.c, and runtime/linalg's la_); everything else sees
 * arr.h's opaque type.
 *
 * Layout: a distributed array carries a dist_t (dist.h) saying which rank holds which part
 * of the global index space; this rank's chunk is the part dist_lshape gives it. Creators,
 * astype/copy, transpose/expand_dims/squeeze views (arrshape.c) and elementwise operations
 * between arrays of one layout take any layout;
 * the rest (display, indexing, axis reductions, histogram, broadcasting) works on the row
 * layout (dist_is_rows): axis 0 'b' over all ranks, each rank holding the ascending rows
 * [arri_row(a, rank), arri_row(a, rank + 1)) (block split by default; slices and
 * from_local give explicit uneven bounds), every other axis whole, and moves any other
 * layout there first with arri_rowwise. The chunk is a strided view into a refcounted
 * 64-byte aligned buffer, so basic slices share memory. */
#ifndef PARC_ARRINT_H
#define PARC_ARRINT_H

#include <stddef.h>
#include <stdint.h>

#include "arr.h"
#include "chunk.h"
#include "rng.h"

/* The random values a virtual array stands for (lazy.h): a pure function of the global
 * flat index, as arr_random fills them. */
typedef struct {
    rng_t s;       /* key and call number, taken when the random call ran */
    int kind;      /* RAND_* */
    double lo, hi; /* arr_random's parameters */
} arr_gen_t;

typedef struct {
    int32_t refs;
    size_t bytes;
    void *p;               /* from chunk_get (64-byte aligned) */
    size_t cap;            /* its capacity (chunk_get's *cap) */
    chunks_t *pool;        /* the rank's chunk memory it goes back to (rt->chunks; may be NULL) */
    size_t mem_avail;      /* rt->mem_avail when made: the pool's bound when given back */
    struct arr_back *back; /* the copy of a slice that could not be a view (owned), or NULL */
} abuf_t;

struct arr {
    int32_t refs;
    int ndim, dtype;
    int isdist;                  /* 1: distributed (dist set), 0: local to this rank */
    int64_t shape[ARR_MAXDIM];   /* global shape */
    dist_t dist;                 /* the layout (owns explicit bounds): distributed, or ofdist */
    int ofdist;                  /* local view (arr_local) of a distributed array: dist is its */
    int64_t lshape[ARR_MAXDIM];  /* this rank's chunk shape */
    int64_t lstride[ARR_MAXDIM]; /* chunk strides in elements */
    int64_t loff;                /* chunk origin in elements from buf->p */
    abuf_t *buf;                 /* shared by views; NULL for a virtual array */
    arr_gen_t *gen;              /* virtual random array (owned): no chunk, values drawn where
                                    read (fuse_block); only lazy_ and fuse_ ever see one */
};

/* A buffer holding the copy x[idx] of a basic slice that cannot be a view (a block-cyclic
 * axis with a step that neither divides nor is divided by the block size): what is written
 * into it is written back into x[idx] (arri_write_back), so writes through the slice reach
 * x as NumPy's view would. (Writes to x after the slice was taken do not show in it.) */
typedef struct arr_back {
    arr_t *base;           /* x (a reference) */
    idx_t idx[ARR_MAXDIM]; /* its basic index: integers and slices */
    int nidx;
    int64_t shape[ARR_MAXDIM], lshape[ARR_MAXDIM], lstride[ARR_MAXDIM], loff;
    int ndim;
    dist_t dist; /* the copy's layout (owned) */
} arr_back_t;
/* After a write into a's memory in global view: when a's buffer holds such a copy, the
 * copy goes into its array. Collective (every rank's buffer is flagged alike). */
int arri_write_back(rt_t *rt, const arr_t *a, err_t *err);
/* Frees b (NULL-safe). */
void arri_back_free(arr_back_t *b);

/* Elements in the local chunk. */
int64_t arri_lsize(const arr_t *a);
/* 1 when the chunk is C-contiguous (so element k of the chunk is at base + k). */
int arri_contig(const arr_t *a);
/* n0 x n1 elements of sz bytes from s (byte strides ss0, ss1) to d (ds0, ds1), any signs,
 * in tiles of 16 x 16 (one row: a strided copy; contiguous: memcpy; one side's rows the
 * other's memory columns: kern_transpose). nt: d is part of a chunk of at least ARRI_NT_MIN
 * bytes, which will not be read again from the cache (kern_transpose may store past it). */
void arri_copy_2d(char *d, int64_t ds0, int64_t ds1, const char *s, int64_t ss0, int64_t ss1,
                  int64_t n0, int64_t n1, size_t sz, int nt);
/* Chunks this large are written with non-temporal stores where a loop can (about twice the
 * last-level cache here, 32 MiB, so that a result that could stay in it does). */
#define ARRI_NT_MIN ((int64_t)64 << 20)
/* Address of the chunk's first element. */
void *arri_base(const arr_t *a);
/* A new array with a fresh contiguous chunk: distributed with axis-0 row boundaries bnd
 * (nranks+1 entries, copied; NULL = block split over rt->nranks) when dist is set, else
 * local. The caller writes every element: the chunk holds zeros in release builds and a
 * poison pattern (NaNs, 0xA5 bytes) in debug builds. Checks sizes and rt->mem_avail. Not
 * collective: callers agree afterwards. */
int arri_new(const rt_t *rt, int ndim, const int64_t *shape, int dtype, int dist,
             const int64_t *bnd, arr_t **out, err_t *err);
/* The same with layout d (copied; its shape is the array's), distributed. */
int arri_new_dist(const rt_t *rt, int dtype, const dist_t *d, arr_t **out, err_t *err);
/* A new array for a caller that writes every element before anything reads one (a fused
 * store, a cast, random values): layout d (copied) when isdist, else local of shape; release
 * builds leave the chunk as the pool gives it (no zeroing pass: on reused memory that pass
 * is a third of random.rand's time), debug builds poison it as arri_new does. */
int arri_new_out(const rt_t *rt, int dtype, int isdist, const dist_t *d, int ndim,
                 const int64_t *shape, arr_t **out, err_t *err);
/* The default layout of shape over rt->nranks with axis-0 bounds bnd (NULL = block split)
 * into *d (release with dist_clear). 0 or PARC_ENOMEM. */
int arri_rows_dist(const rt_t *rt, int ndim, const int64_t *shape, const int64_t *bnd, dist_t *d,
                   err_t *err);
/* *out = a when a is local, rt->local is set or a has the row layout (a new reference),
 * else a copy of a redistributed to the default layout (one coll_redist: extra memory
 * per rank the copy and two round buffers). Collective for a distributed a in global view
 * (every rank takes the same branch: the layout is the same everywhere). Caller owns *out. */
int arri_rowwise(const rt_t *rt, arr_t *a, arr_t **out, err_t *err);
/* A virtual array (buf NULL) with layout d: every check of arri_new_dist (sizes, and the
 * MemoryError pre-check, which counts rt->deferred as held) without the chunk. Not
 * collective. The caller adds its bytes to rt->deferred while it stands for a deferred
 * array. */
int arri_virtual(const rt_t *rt, int dtype, const dist_t *d, arr_t **out, err_t *err);
/* The same for an array that is not distributed (local view). */
int arri_virtual_local(const rt_t *rt, int dtype, int ndim, const int64_t *shape, arr_t **out,
                       err_t *err);
/* arr_random as a virtual array: the same checks, errors and agreement, and the stream
 * advanced by one call, but no chunk: *out has gen set (in local view too, not distributed).
 * Collective in global view. */
int arri_random_virtual(rt_t *rt, int kind, int ndim, const int64_t *shape, int dtype, double lo,
                        double hi, const dist_spec_t *dist, arr_t **out, err_t *err);
/* Virtual random v made real: a new array of v's layout holding the values arr_random
 * would have given. Not collective: callers agree. */
int arri_realize(const rt_t *rt, const arr_t *v, arr_t **out, err_t *err);
/* n values of virtual random v at global flat indices [g0, g0 + n) into p (v's dtype). */
void arri_gen_fill(const arr_t *v, uint64_t g0, int64_t n, void *p);
/* The closed range every value of virtual random v lies in. */
void arri_gen_range(const arr_t *v, double *lo, double *hi);
/* Block split of n rows over p ranks, first ranks taking the extras: bnd[0..p]. */
void arri_block(int64_t n, int p, int64_t *bnd);
/* First axis-0 row of rank r of distributed a (r == nranks: the row count). */
int64_t arri_row(const arr_t *a, int r);
/* The nranks+1 axis-0 row boundaries of distributed a, as arri_new takes them (caller
 * frees with mem_free), or NULL when out of memory. */
int64_t *arri_rows(const rt_t *rt, const arr_t *a);
/* Copies the chunk of src into dst's chunk (same local shape), converting dtype. */
void arri_copy_chunk(arr_t *dst, const arr_t *src);
/* The same, returning what NumPy warns for the cast (kern_cast_warns' bits). */
int arri_cast_chunk(arr_t *dst, const arr_t *src);
/* Address of the element at local flat (C order) position k of the chunk. */
void *arri_addr(const arr_t *a, int64_t k);
/* Read/write one element at an address as double[2] (ints also exactly as int64). */
void arri_load(int dt, const void *p, double v[2]);
int64_t arri_loadi(int dt, const void *p);
void arri_store(int dt, void *p, const double v[2]);
/* Stores a number value (exact for integers) converted to dt. */
void arri_store_val(int dt, void *p, const val_t *v);
/* The element at p as a scalar value of its dtype (strong). */
val_t arri_elem_val(int dt, const void *p);
/* The number-val_t as double[2] and its dtype; and back. */
void arri_val_to_num(const val_t *v, double out[2]);
val_t arri_num_to_val(int dt, const double v[2], int weak);
/* Agreement after a rank-local step (see coll_agree); fills err on ranks that did not fail.
 * Debug builds also check that every rank came from the same sequence of agreement sites
 * (coll_sequence). */
int arri_agree_at(const rt_t *rt, int rc, err_t *err, const char *file, int line);
#define arri_agree(rt, rc, err) arri_agree_at((rt), (rc), (err), __FILE__, __LINE__)

/* Evaluates the elementwise tree n over number leaves (preorder from leaves[*next],
 * advancing *next) with the scalar rules of arr_scalar_binop/unop/ufunc: Python's where
 * both operands are Python scalars (~True is -2, 1 // 0 raises). */
int arri_scalar_tree(rt_t *rt, const ir_node_t *n, const val_t *leaves, size_t nleaves,
                     size_t *next, val_t *out, err_t *err);

/* The dtype of an array or a number (-1 for anything else); *weak = 1 for Python scalars,
 * which take an array operand's dtype in arithmetic (NEP 50). */
int arri_val_dtype(const val_t *v, int *weak);

/* arrfancy.c. x[idx] (v NULL: into *out) or x[idx] = v when idx holds several index
 * arrays, or one beside None or a 0-d bool (NumPy's advanced indexing): 1 with the outcome
 * in *rc, else 0. sep: the advanced indices are not adjacent whatever their places (an
 * Ellipsis of no axes stood between them). Collective in global view. */
int arri_fancy(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, int sep, const val_t *v, val_t *out,
               int *rc, err_t *err);
/* x with the n axes starting at from moved to start at to (the others keep their order). */
int arri_move_axes(rt_t *rt, arr_t *x, int from, int n, int to, arr_t **out, err_t *err);
/* *copied: 1 when t (made from a by indexing, transposing or reshaping) does not share a's
 * memory, so what is written into t must be written back; the same on every rank. */
int arri_copied_from(rt_t *rt, const arr_t *a, const arr_t *t, int64_t *copied, err_t *err);
/* The address of the element of src (broadcast into shape, ndim dims) at flat C-order
 * position g of shape. */
const char *arri_bcast_addr(const arr_t *src, int ndim, const int64_t *shape, int64_t g);

#endif
