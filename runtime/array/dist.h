/* dist.h - how a distributed array's global index space is spread over the engines: the
 * descriptor of the Distributed Array Protocol (one kind per dimension) on an MPI_Cart-style
 * process grid, and the index arithmetic every array module asks it for.
 *
 * Per dimension d the kind is 'b' (block), 'c' (cyclic; block-cyclic with block size k > 1)
 * or 'n' (not distributed), and grid[d] engines lie along it (1 for 'n'). Ranks map to grid
 * coordinates in row-major order, as MPI_Cart_create with reorder = 0 numbers them. A 'b'
 * dimension is split as evenly as possible, the first engines taking the extra elements
 * (10 over 3: 4, 3, 3), unless explicit bounds are set (slices and from_local make uneven
 * blocks): then coordinate c owns [bnd[c], bnd[c+1]). A 'c' dimension of block size k gives
 * block j = g / k to coordinate j % grid[d] (MPI_DISTRIBUTE_CYCLIC with darg k).
 *
 * A basic slice keeps sharing the chunks (dist_slice, dist_pin). Where the selected
 * elements of a 'c' dimension (or a 'b' one taken backwards) are no longer a block or
 * cyclic layout of their own, the dimension becomes a *view* dimension, kind 'v': element
 * j of it is element voff + j * vstep of a base dimension of length vlen laid out by vkind
 * (with bsize, and bnd over vgrid coordinates for 'b') over vgrid engines; grid coordinate
 * C of the view holds base coordinate (C - vadd) / vmul when that divides and is in range,
 * nothing otherwise (an integer index on another dimension spread over engines leaves
 * those with another coordinate there empty). Every rank keeps its elements in ascending
 * j, a strided run of its base chunk.
 *
 * dist_t is a small value (copy with dist_copy, which duplicates explicit bounds; release
 * with dist_clear). Nothing here communicates. */
#ifndef PARC_DIST_H
#define PARC_DIST_H

#include <stdint.h>

#include "err.h"

#define DIST_MAXDIM 8

/* What a creator was asked for (dist=, block_size=, grid_shape=). */
typedef struct {
    char kind[DIST_MAXDIM]; /* 'b', 'c', 'n' per dimension */
    int64_t block_size;     /* block size of the 'c' dimensions (1 = cyclic) */
    int grid[DIST_MAXDIM];  /* engines along each dimension; 0 = choose (MPI_Dims_create) */
} dist_spec_t;

/* The resolved layout of one distributed array. */
typedef struct {
    int ndim;                   /* dimensions (0 allowed: a scalar held by rank 0) */
    int nranks;                 /* engines in the grid: the product of grid[] */
    int64_t shape[DIST_MAXDIM]; /* global shape */
    char kind[DIST_MAXDIM];     /* 'b', 'c' or 'n' */
    int64_t bsize[DIST_MAXDIM]; /* 'c': elements per block; others 0 */
    int grid[DIST_MAXDIM];      /* engines along each dimension (1 for 'n') */
    int64_t *bnd[DIST_MAXDIM];  /* 'b' with explicit bounds: grid[d]+1 entries (a 'v'
                                   dimension of base 'b': vgrid[d]+1); else NULL */
    char vkind[DIST_MAXDIM];    /* 'v': the base dimension's kind, and its ... */
    int64_t vlen[DIST_MAXDIM];  /* ... length, */
    int64_t voff[DIST_MAXDIM];  /* element j is base element voff + j * vstep */
    int64_t vstep[DIST_MAXDIM];
    int vgrid[DIST_MAXDIM]; /* engines along the base dimension */
    int vmul[DIST_MAXDIM];  /* grid coordinate vadd + c * vmul holds base coordinate c */
    int vadd[DIST_MAXDIM];
} dist_t;

/* A spec with the default: 'b' on axis 0, 'n' elsewhere, block size 1, grid chosen. */
void dist_spec_default(dist_spec_t *s);

/* Resolves spec (NULL = default) for an array of shape over nranks engines into *d. The
 * grid comes from spec->grid where given (its product over the distributed dimensions must
 * be nranks, 'n' dimensions take 1) and MPI_Dims_create for the rest. A 0-d array, or one
 * whose dimensions are all 'n', is refused when nranks > 1 (PARC_EVALUE), as is a grid that
 * does not fit. On error *d is untouched. */
int dist_init(dist_t *d, int ndim, const int64_t *shape, const dist_spec_t *spec, int nranks,
              err_t *err);
/* Sets explicit block bounds on 'b' dimension dim (grid[dim]+1 ascending entries from 0 to
 * shape[dim], copied). 0 or PARC_ENOMEM / PARC_EVALUE. */
int dist_set_bounds(dist_t *d, int dim, const int64_t *bnd, err_t *err);
/* *dst = a deep copy of src (dst must not hold bounds). 0 or PARC_ENOMEM. */
int dist_copy(dist_t *dst, const dist_t *src, err_t *err);
void dist_clear(dist_t *d); /* frees explicit bounds; d becomes a 0-d, 1-rank dist */

/* Grid coordinates of rank (row-major) and back. */
void dist_coords(const dist_t *d, int rank, int *coord);
int dist_rank(const dist_t *d, const int *coord);

/* Elements coordinate c owns along dim, and the local shape of rank. */
int64_t dist_extent(const dist_t *d, int dim, int c);
void dist_lshape(const dist_t *d, int rank, int64_t *lshape);
int64_t dist_lsize(const dist_t *d, int rank);

/* Local index l (0 <= l < extent) of coordinate c along dim -> global index. */
int64_t dist_l2g(const dist_t *d, int dim, int c, int64_t l);
/* Global index g (0 <= g < shape[dim]) -> owning coordinate along dim, and *l its local
 * index there. */
int dist_g2l(const dist_t *d, int dim, int64_t g, int64_t *l);
/* The rank owning the element at global index gidx[0..ndim). */
int dist_owner(const dist_t *d, const int64_t *gidx);

/* The number of local indices of coordinate c along dim whose global index is below g. */
int64_t dist_lcount(const dist_t *d, int dim, int c, int64_t g);
/* The end (exclusive) of the run of global indices from g along dim that d gives g's owner:
 * its block ('b', 'c'), the whole dimension ('n', or one engine), or g + 1 for a view
 * dimension, whose owners are not looked ahead. */
int64_t dist_owner_end(const dist_t *d, int dim, int64_t g);
/* The period, in m's local indices along dim (any coordinate), of the coordinates that o
 * gives them: local indices l and l + T always have the same owner under o. Nonzero when o
 * is cyclic or block-cyclic there over several engines and m is not a view dimension: o's
 * cycle of grid * block_size when m's global indices are consecutive, else the least common
 * multiple of both cycles over m's engines along dim; 0 otherwise (or when it overflows). */
int64_t dist_period(const dist_t *m, const dist_t *o, int dim);

/* Owned indices along dim as ascending maximal intervals: the number of them for
 * coordinate c, and interval i's [start, start + count). 'b' and 'n' own one interval
 * (possibly empty: zero intervals), 'c' one per block. */
int64_t dist_nintervals(const dist_t *d, int dim, int c);
void dist_interval(const dist_t *d, int dim, int c, int64_t i, int64_t *start, int64_t *count);
/* For 'b'/'n': the owned range [*lo, *hi) of coordinate c. */
void dist_block_range(const dist_t *d, int dim, int c, int64_t *lo, int64_t *hi);

/* 1 when a and b place every element on the same rank at the same local position. */
int dist_equal(const dist_t *a, const dist_t *b);
/* 1 when d keeps every axis-0 row whole on one rank and the rows in rank order, one
 * ascending range per rank (the layout the row-wise array code takes): grid[0] == nranks,
 * axis 0 'b' (or on one engine), every other axis on one engine. */
int dist_is_rows(const dist_t *d);
/* 1 when d is the default layout for its shape and nranks ('b' regular on axis 0 only). */
int dist_is_default(const dist_t *d);

/* The MPI_Type_create_darray parameters of d (distribs as MPI_DISTRIBUTE_*, dargs, psizes)
 * when it can express d: 1, or 0 when it cannot (a 'b' dimension whose split is not
 * MPI's ceil(n/p) blocks, e.g. 10 over 3). */
int dist_darray(const dist_t *d, int *gsizes, int *distribs, int *dargs, int *psizes);

/* Layouts of the same elements in another shape, for views (no data moves); each fills
 * *dst (a deep copy: release with dist_clear) and returns 0, or PARC_ENOMEM.
 * dist_permute: dimension i of dst is src's axes[i]. Returns 1 (dst untouched) when the
 * engines would have to change places: dst's row-major rank order must see src's
 * distributed dimensions (grid > 1) in the same order.
 * dist_insert: a new dimension of length 1, 'n', before dimension pos (0..ndim).
 * dist_remove: without dimension dim, which must have length 1 and one engine. */
int dist_permute(const dist_t *src, const int *axes, dist_t *dst, err_t *err);
int dist_insert(const dist_t *src, int pos, dist_t *dst, err_t *err);
int dist_remove(const dist_t *src, int dim, dist_t *dst, err_t *err);

/* Basic indexing of one dimension (no data moves). dist_slice: dst (a deep copy: release
 * with dist_clear) is src with dimension dim reduced to the count elements start + i * step
 * (i < count; step may be negative); for coordinate c along dim, dst's local index l is
 * src's local index *l0 + l * *ls. Returns 0, 1 when the selection is not a strided run of
 * every chunk (a block-cyclic dimension with a step that neither divides nor is divided by
 * its block size: dst untouched), or PARC_ENOMEM.
 * dist_pin: dst is src without dimension dim, at index i there (src->ndim >= 2), held by
 * the ranks whose coordinate along dim is *cd, at their local index *l along it; the
 * others hold nothing. 0 or PARC_ENOMEM. */
int dist_slice(const dist_t *src, int dim, int c, int64_t start, int64_t step, int64_t count,
               dist_t *dst, int64_t *l0, int64_t *ls, err_t *err);
int dist_pin(const dist_t *src, int dim, int64_t i, dist_t *dst, int *cd, int64_t *l, err_t *err);

/* "('b', 'n')" into buf (always NUL-terminated). */
void dist_text(const dist_t *d, char *buf, int cap);

#endif
