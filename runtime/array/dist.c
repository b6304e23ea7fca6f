/* dist.c - the distribution descriptor (see dist.h): grid choice, local extents, local <->
 * global indices, owners, owned intervals, equality, and the MPI_Type_create_darray view.
 *
 * The only MPI call is MPI_Dims_create (it needs no communicator), so the arithmetic can be
 * checked for any engine count inside one process. Block-cyclic arithmetic follows
 * MPI_DISTRIBUTE_CYCLIC: with k elements per block and p engines, global g sits in block
 * j = g / k, owned by coordinate j % p at local index (j / p) * k + g % k. */
#include "dist.h"

#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

void dist_spec_default(dist_spec_t *s)
{
    memset(s, 0, sizeof *s);
    for (int d = 0; d < DIST_MAXDIM; d++)
        s->kind[d] = d == 0 ? 'b' : 'n';
    s->block_size = 1;
}

int dist_init(dist_t *d, int ndim, const int64_t *shape, const dist_spec_t *spec, int nranks,
              err_t *err)
{
    dist_spec_t def;
    if (!spec) {
        dist_spec_default(&def);
        spec = &def;
    }
    if (ndim < 0 || ndim > DIST_MAXDIM)
        return err_set(err, PARC_EVALUE, (span_t){0}, "arrays have at most %d dimensions",
                       DIST_MAXDIM);
    if (nranks < 1) return err_set(err, PARC_EVALUE, (span_t){0}, "no engines");
    if (spec->block_size < 1)
        return err_set(err, PARC_EVALUE, (span_t){0}, "block_size must be at least 1");
    dist_t t;
    memset(&t, 0, sizeof t);
    t.ndim = ndim;
    t.nranks = nranks;
    int dims[DIST_MAXDIM], nd = 0, fixed = 1;
    for (int i = 0; i < ndim; i++) {
        char k = spec->kind[i];
        if (k != 'b' && k != 'c' && k != 'n')
            return err_set(err, PARC_EVALUE, (span_t){0},
                           "dist must be 'b' (block), 'c' (cyclic) or 'n' (not distributed)");
        if (shape[i] < 0)
            return err_set(err, PARC_EVALUE, (span_t){0}, "negative dimensions are not allowed");
        t.shape[i] = shape[i];
        t.kind[i] = k;
        t.bsize[i] = k == 'c' ? spec->block_size : 0;
        t.grid[i] = 1;
        if (k == 'n') {
            if (spec->grid[i] > 1)
                return err_set(err, PARC_EVALUE, (span_t){0},
                               "grid_shape puts %d engines on dimension %d, which is not "
                               "distributed ('n')",
                               spec->grid[i], i);
            continue;
        }
        if (spec->grid[i] < 0)
            return err_set(err, PARC_EVALUE, (span_t){0}, "grid_shape entries must be positive");
        dims[nd++] = spec->grid[i];
        if (spec->grid[i] > 0) fixed *= spec->grid[i];
        if (fixed > nranks) break;
    }
    if (nranks > 1 && nd == 0)
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "an array on %d engines needs a distributed dimension ('b' or 'c')", nranks);
    if (nd > 0 && (fixed > nranks || nranks % fixed != 0))
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "grid_shape does not fit %d engines: the engines along the dimensions "
                       "must multiply to %d",
                       nranks, nranks);
    int nfree = 0;
    for (int i = 0; i < nd; i++)
        nfree += dims[i] == 0;
    if (!nfree && fixed != nranks)
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "grid_shape does not fit %d engines: the engines along the dimensions "
                       "must multiply to %d",
                       nranks, nranks);
    if (nd > 0 && MPI_Dims_create(nranks, nd, dims) != MPI_SUCCESS)
        return err_set(err, PARC_EMPI, (span_t){0}, "MPI_Dims_create failed");
    for (int i = 0, j = 0; i < ndim; i++)
        if (t.kind[i] != 'n') t.grid[i] = dims[j++];
    *d = t;
    return 0;
}

int dist_set_bounds(dist_t *d, int dim, const int64_t *bnd, err_t *err)
{
    int p = d->grid[dim];
    if (d->kind[dim] != 'b' || bnd[0] != 0 || bnd[p] != d->shape[dim])
        return err_set(err, PARC_EVALUE, (span_t){0}, "bad block bounds");
    for (int c = 0; c < p; c++)
        if (bnd[c + 1] < bnd[c]) return err_set(err, PARC_EVALUE, (span_t){0}, "bad block bounds");
    int64_t *b = mem_alloc((size_t)(p + 1) * sizeof *b);
    if (!b) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    memcpy(b, bnd, (size_t)(p + 1) * sizeof *b);
    mem_free(d->bnd[dim]);
    d->bnd[dim] = b;
    return 0;
}

int dist_copy(dist_t *dst, const dist_t *src, err_t *err)
{
    dist_t t = *src;
    for (int i = 0; i < DIST_MAXDIM; i++)
        t.bnd[i] = NULL;
    for (int i = 0; i < src->ndim; i++) {
        if (!src->bnd[i]) continue;
        int rc = dist_set_bounds(&t, i, src->bnd[i], err);
        if (rc) {
            dist_clear(&t);
            return rc;
        }
    }
    *dst = t;
    return 0;
}

void dist_clear(dist_t *d)
{
    for (int i = 0; i < DIST_MAXDIM; i++)
        mem_free(d->bnd[i]);
    memset(d, 0, sizeof *d);
    d->nranks = 1;
}

void dist_coords(const dist_t *d, int rank, int *coord)
{
    for (int i = d->ndim - 1; i >= 0; i--) {
        coord[i] = rank % d->grid[i];
        rank /= d->grid[i];
    }
}

int dist_rank(const dist_t *d, const int *coord)
{
    int r = 0;
    for (int i = 0; i < d->ndim; i++)
        r = r * d->grid[i] + coord[i];
    return r;
}

void dist_block_range(const dist_t *d, int dim, int c, int64_t *lo, int64_t *hi)
{
    int64_t n = d->shape[dim];
    int p = d->grid[dim];
    if (d->bnd[dim]) {
        *lo = d->bnd[dim][c];
        *hi = d->bnd[dim][c + 1];
        return;
    }
    int64_t q = n / p, r = n % p;
    *lo = c * q + (c < r ? c : r);
    *hi = *lo + q + (c < r ? 1 : 0);
}

int64_t dist_extent(const dist_t *d, int dim, int c)
{
    if (d->kind[dim] != 'c') {
        int64_t lo, hi;
        dist_block_range(d, dim, c, &lo, &hi);
        return hi - lo;
    }
    int64_t n = d->shape[dim], k = d->bsize[dim], p = d->grid[dim];
    int64_t nb = n / k, rem = n % k; /* full blocks, and the size of a last partial one */
    int64_t e = (nb / p + (c < nb % p ? 1 : 0)) * k;
    if (rem && c == nb % p) e += rem;
    return e;
}

void dist_lshape(const dist_t *d, int rank, int64_t *lshape)
{
    int coord[DIST_MAXDIM];
    dist_coords(d, rank, coord);
    for (int i = 0; i < d->ndim; i++)
        lshape[i] = dist_extent(d, i, coord[i]);
}

int64_t dist_lsize(const dist_t *d, int rank)
{
    int64_t ls[DIST_MAXDIM], n = 1;
    dist_lshape(d, rank, ls);
    for (int i = 0; i < d->ndim; i++)
        n *= ls[i];
    return n;
}

int64_t dist_l2g(const dist_t *d, int dim, int c, int64_t l)
{
    if (d->kind[dim] != 'c') {
        int64_t lo, hi;
        dist_block_range(d, dim, c, &lo, &hi);
        return lo + l;
    }
    int64_t k = d->bsize[dim], p = d->grid[dim];
    return ((l / k) * p + c) * k + l % k;
}

int dist_g2l(const dist_t *d, int dim, int64_t g, int64_t *l)
{
    int p = d->grid[dim];
    if (d->kind[dim] == 'c') {
        int64_t k = d->bsize[dim], j = g / k;
        *l = (j / p) * k + g % k;
        return (int)(j % p);
    }
    if (p == 1) {
        *l = g;
        return 0;
    }
    int c;
    if (d->bnd[dim]) {
        /* the last coordinate whose range starts at or before g (empty ranges skipped) */
        int lo = 0, hi = p - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            if (d->bnd[dim][mid] <= g)
                lo = mid;
            else
                hi = mid - 1;
        }
        c = lo;
        *l = g - d->bnd[dim][c];
        return c;
    }
    int64_t n = d->shape[dim], q = n / p, r = n % p;
    if (g < r * (q + 1))
        c = (int)(g / (q + 1));
    else
        c = (int)(r + (g - r * (q + 1)) / q);
    *l = g - (c * q + (c < r ? c : r));
    return c;
}

int dist_owner(const dist_t *d, const int64_t *gidx)
{
    int coord[DIST_MAXDIM];
    for (int i = 0; i < d->ndim; i++) {
        int64_t l;
        coord[i] = dist_g2l(d, i, gidx[i], &l);
    }
    return dist_rank(d, coord);
}

int64_t dist_nintervals(const dist_t *d, int dim, int c)
{
    /* one engine along a cyclic dimension holds adjacent blocks: one interval */
    if (d->kind[dim] != 'c' || d->grid[dim] == 1) return dist_extent(d, dim, c) > 0;
    int64_t k = d->bsize[dim], p = d->grid[dim];
    int64_t nb = (d->shape[dim] + k - 1) / k; /* blocks, the last maybe partial */
    return nb / p + (c < nb % p ? 1 : 0);
}

void dist_interval(const dist_t *d, int dim, int c, int64_t i, int64_t *start, int64_t *count)
{
    if (d->kind[dim] != 'c' || d->grid[dim] == 1) {
        *start = dist_l2g(d, dim, c, 0);
        *count = dist_extent(d, dim, c);
        return;
    }
    int64_t k = d->bsize[dim], p = d->grid[dim];
    int64_t s = (i * p + c) * k, e = s + k;
    if (e > d->shape[dim]) e = d->shape[dim];
    *start = s;
    *count = e - s;
}

int dist_equal(const dist_t *a, const dist_t *b)
{
    if (a->ndim != b->ndim || a->nranks != b->nranks) return 0;
    for (int i = 0; i < a->ndim; i++) {
        if (a->shape[i] != b->shape[i] || a->grid[i] != b->grid[i]) return 0;
        if (a->kind[i] == 'c' && b->kind[i] == 'c' && a->bsize[i] == b->bsize[i]) continue;
        /* Different kinds can still agree (one engine along the dimension, or cyclic blocks
         * as large as the block split's): compare the owned intervals. One side has at
         * most one interval per coordinate here, so the loop stops at the first mismatch. */
        for (int c = 0; c < a->grid[i]; c++) {
            int64_t n = dist_nintervals(a, i, c);
            if (n != dist_nintervals(b, i, c)) return 0;
            for (int64_t j = 0; j < n; j++) {
                int64_t as, ac, bs, bc;
                dist_interval(a, i, c, j, &as, &ac);
                dist_interval(b, i, c, j, &bs, &bc);
                if (as != bs || ac != bc) return 0;
            }
        }
    }
    return 1;
}

int dist_is_rows(const dist_t *d)
{
    if (d->ndim < 1 || d->grid[0] != d->nranks || (d->kind[0] != 'b' && d->grid[0] != 1)) return 0;
    for (int i = 1; i < d->ndim; i++)
        if (d->grid[i] != 1) return 0;
    return 1;
}

int dist_is_default(const dist_t *d)
{
    dist_t def;
    err_t e;
    err_clear(&e);
    if (dist_init(&def, d->ndim, d->shape, NULL, d->nranks, &e)) return 0;
    return dist_equal(d, &def);
}

int dist_darray(const dist_t *d, int *gsizes, int *distribs, int *dargs, int *psizes)
{
    for (int i = 0; i < d->ndim; i++) {
        if (d->shape[i] > INT32_MAX || d->bsize[i] > INT32_MAX) return 0;
        gsizes[i] = (int)d->shape[i];
        psizes[i] = d->grid[i];
        if (d->kind[i] == 'n') {
            distribs[i] = MPI_DISTRIBUTE_NONE;
            dargs[i] = MPI_DISTRIBUTE_DFLT_DARG;
        } else if (d->kind[i] == 'c') {
            distribs[i] = MPI_DISTRIBUTE_CYCLIC;
            dargs[i] = (int)d->bsize[i];
        } else {
            /* MPI's block is ceil(n/p) elements for every coordinate but the last ones */
            int64_t n = d->shape[i], p = d->grid[i], b = (n + p - 1) / p;
            for (int c = 0; c < p; c++) {
                int64_t lo, hi, mlo = c * b < n ? c * b : n, mhi = mlo + b < n ? mlo + b : n;
                dist_block_range(d, i, c, &lo, &hi);
                if (lo != mlo || hi != mhi) return 0;
            }
            distribs[i] = MPI_DISTRIBUTE_BLOCK;
            dargs[i] = MPI_DISTRIBUTE_DFLT_DARG;
        }
    }
    return 1;
}

void dist_text(const dist_t *d, char *buf, int cap)
{
    int k = snprintf(buf, (size_t)cap, "(");
    for (int i = 0; i < d->ndim && k < cap; i++)
        k += snprintf(buf + k, (size_t)(cap - k), i ? ", '%c'" : "'%c'", d->kind[i]);
    if (k < cap) snprintf(buf + k, (size_t)(cap - k), d->ndim == 1 ? ",)" : ")");
}

/* dst's dimension i is src's from[i] (-1: a new dimension of length 1, 'n'). */
static int remap(const dist_t *src, int ndim, const int *from, dist_t *dst, err_t *err)
{
    dist_t t;
    memset(&t, 0, sizeof t);
    t.ndim = ndim;
    t.nranks = src->nranks;
    for (int i = 0; i < ndim; i++) {
        int f = from[i];
        t.shape[i] = f < 0 ? 1 : src->shape[f];
        t.kind[i] = f < 0 ? 'n' : src->kind[f];
        t.bsize[i] = f < 0 ? 0 : src->bsize[f];
        t.grid[i] = f < 0 ? 1 : src->grid[f];
    }
    for (int i = 0; i < ndim; i++) {
        if (from[i] < 0 || !src->bnd[from[i]]) continue;
        int rc = dist_set_bounds(&t, i, src->bnd[from[i]], err);
        if (rc) {
            dist_clear(&t);
            return rc;
        }
    }
    *dst = t;
    return 0;
}

int dist_permute(const dist_t *src, const int *axes, dist_t *dst, err_t *err)
{
    int last = -1;
    for (int i = 0; i < src->ndim; i++) {
        if (src->grid[axes[i]] == 1) continue;
        if (axes[i] < last) return 1;
        last = axes[i];
    }
    return remap(src, src->ndim, axes, dst, err);
}

int dist_insert(const dist_t *src, int pos, dist_t *dst, err_t *err)
{
    int from[DIST_MAXDIM];
    if (src->ndim >= DIST_MAXDIM)
        return err_set(err, PARC_EVALUE, (span_t){0}, "arrays have at most %d dimensions",
                       DIST_MAXDIM);
    for (int i = 0, j = 0; i <= src->ndim; i++)
        from[i] = i == pos ? -1 : j++;
    return remap(src, src->ndim + 1, from, dst, err);
}

int dist_remove(const dist_t *src, int dim, dist_t *dst, err_t *err)
{
    int from[DIST_MAXDIM];
    for (int i = 0, j = 0; j < src->ndim; j++)
        if (j != dim) from[i++] = j;
    return remap(src, src->ndim - 1, from, dst, err);
}
