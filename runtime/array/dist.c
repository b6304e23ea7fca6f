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

/* Entries of dimension i's explicit bounds. */
static int nbounds(const dist_t *d, int i)
{
    return (d->kind[i] == 'v' ? d->vgrid[i] : d->grid[i]) + 1;
}

/* t's dimension i takes src's dimension f (its bounds copied). 0 or PARC_ENOMEM. */
static int take_dim(dist_t *t, int i, const dist_t *src, int f, err_t *err)
{
    t->shape[i] = src->shape[f];
    t->kind[i] = src->kind[f];
    t->bsize[i] = src->bsize[f];
    t->grid[i] = src->grid[f];
    t->vkind[i] = src->vkind[f];
    t->vlen[i] = src->vlen[f];
    t->voff[i] = src->voff[f];
    t->vstep[i] = src->vstep[f];
    t->vgrid[i] = src->vgrid[f];
    t->vmul[i] = src->vmul[f];
    t->vadd[i] = src->vadd[f];
    t->bnd[i] = NULL;
    if (!src->bnd[f]) return 0;
    size_t n = (size_t)nbounds(src, f) * sizeof(int64_t);
    t->bnd[i] = mem_alloc(n);
    if (!t->bnd[i]) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    memcpy(t->bnd[i], src->bnd[f], n);
    return 0;
}

int dist_copy(dist_t *dst, const dist_t *src, err_t *err)
{
    dist_t t = *src;
    for (int i = 0; i < DIST_MAXDIM; i++)
        t.bnd[i] = NULL;
    for (int i = 0; i < src->ndim; i++) {
        int rc = take_dim(&t, i, src, i, err);
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

/* One base dimension: n elements of kind 'b', 'c' (block size k) or 'n' over p engines,
 * with explicit 'b' bounds or NULL. */
typedef struct {
    int64_t n, k;
    int p;
    char kind;
    const int64_t *bnd;
} ax_t;

static ax_t plain_ax(const dist_t *d, int dim)
{
    return (ax_t){d->shape[dim], d->bsize[dim], d->grid[dim], d->kind[dim], d->bnd[dim]};
}

/* 'b', 'n', or 'c' on one engine: the range [*lo, *hi) of coordinate c. */
static void ax_range(const ax_t *a, int c, int64_t *lo, int64_t *hi)
{
    if (a->bnd) {
        *lo = a->bnd[c];
        *hi = a->bnd[c + 1];
        return;
    }
    int64_t q = a->n / a->p, r = a->n % a->p;
    *lo = c * q + (c < r ? c : r);
    *hi = *lo + q + (c < r ? 1 : 0);
}

static int64_t ax_extent(const ax_t *a, int c)
{
    if (a->kind != 'c') {
        int64_t lo, hi;
        ax_range(a, c, &lo, &hi);
        return hi - lo;
    }
    int64_t n = a->n, k = a->k, p = a->p;
    int64_t nb = n / k, rem = n % k; /* full blocks, and the size of a last partial one */
    int64_t e = (nb / p + (c < nb % p ? 1 : 0)) * k;
    if (rem && c == nb % p) e += rem;
    return e;
}

static int64_t ax_l2g(const ax_t *a, int c, int64_t l)
{
    if (a->kind != 'c') {
        int64_t lo, hi;
        ax_range(a, c, &lo, &hi);
        return lo + l;
    }
    return ((l / a->k) * a->p + c) * a->k + l % a->k;
}

static int ax_g2l(const ax_t *a, int64_t g, int64_t *l)
{
    int p = a->p;
    if (a->kind == 'c') {
        int64_t k = a->k, j = g / k;
        *l = (j / p) * k + g % k;
        return (int)(j % p);
    }
    if (p == 1) {
        *l = g;
        return 0;
    }
    int c;
    if (a->bnd) {
        /* the last coordinate whose range starts at or before g (empty ranges skipped) */
        int lo = 0, hi = p - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            if (a->bnd[mid] <= g)
                lo = mid;
            else
                hi = mid - 1;
        }
        c = lo;
        *l = g - a->bnd[c];
        return c;
    }
    int64_t n = a->n, q = n / p, r = n % p;
    if (g < r * (q + 1))
        c = (int)(g / (q + 1));
    else
        c = (int)(r + (g - r * (q + 1)) / q);
    *l = g - (c * q + (c < r ? c : r));
    return c;
}

/* ---- view dimensions ('v'): element j is base element o + j * t ---- */

enum { V_BLOCK, V_CYC, V_BC, V_NONE };

typedef struct {
    ax_t b;          /* the base dimension */
    int64_t o, t, n; /* j < n */
    int how;         /* V_*: how the base chunks hold the elements */
} vw_t;

static int64_t fdiv(int64_t a, int64_t b) /* floor, b > 0 */
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static int64_t pmod(int64_t a, int64_t b) /* in [0, b), b > 0 */
{
    int64_t r = a % b;
    return r < 0 ? r + b : r;
}

static int64_t clamp(int64_t x, int64_t lo, int64_t hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* V_BLOCK: every coordinate owns one range of the base ('b', 'n', one engine); V_CYC: the
 * step is a multiple of the block size, so the elements go round the engines block by block
 * (cyclic over the blocks); V_BC: the step divides the block size, so each block keeps a
 * run of them; V_NONE: neither (no strided run of the chunks). */
static int vw_how(const ax_t *b, int64_t t)
{
    if (b->kind != 'c' || b->p == 1) return V_BLOCK;
    if (t % b->k == 0) return V_CYC;
    if (b->k % t == 0) return V_BC;
    return V_NONE;
}

/* The base coordinate that grid coordinate C of view dimension dim holds, or -1; *v set. */
static int vw_of(const dist_t *d, int dim, int C, vw_t *v)
{
    v->b = (ax_t){d->vlen[dim], d->bsize[dim], d->vgrid[dim], d->vkind[dim], d->bnd[dim]};
    v->o = d->voff[dim];
    v->t = d->vstep[dim];
    v->n = d->shape[dim];
    v->how = vw_how(&v->b, v->t);
    int x = C - d->vadd[dim];
    if (x < 0 || x % d->vmul[dim]) return -1;
    x /= d->vmul[dim];
    return x < v->b.p ? x : -1;
}

/* V_BLOCK: the elements of base coordinate cb are j in [*j0, *j0 + *cnt). */
static void blk_run(const vw_t *v, int cb, int64_t *j0, int64_t *cnt)
{
    int64_t lo, hi, a, z;
    ax_range(&v->b, cb, &lo, &hi);
    if (v->t > 0) {
        a = -fdiv(v->o - lo, v->t); /* ceil((lo - o) / t) */
        z = -fdiv(v->o - hi, v->t);
    } else {
        a = fdiv(v->o - hi, -v->t) + 1;
        z = fdiv(v->o - lo, -v->t) + 1;
    }
    a = clamp(a, 0, v->n);
    z = clamp(z, 0, v->n);
    *j0 = a;
    *cnt = z > a ? z - a : 0;
}

static int64_t gcd(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* x with a * x = 1 (mod m), a and m coprime, m > 1. */
static int64_t inverse(int64_t a, int64_t m)
{
    int64_t r0 = m, r1 = a, s0 = 0, s1 = 1;
    while (r1) {
        int64_t q = r0 / r1, t = r0 - q * r1;
        r0 = r1;
        r1 = t;
        t = s0 - q * s1;
        s0 = s1;
        s1 = t;
    }
    return pmod(s0, m);
}

/* V_CYC: base coordinate cb owns j = j0 + i * q (i >= 0); j0 < 0 when it owns none. Blocks
 * o / k + j * (t / k) go round p engines: every q-th lands on the same one. */
static int64_t cyc_first(const vw_t *v, int cb, int64_t *q)
{
    int64_t k = v->b.k, p = v->b.p, ob = v->o / k, tb = v->t / k;
    int64_t g = gcd(tb < 0 ? -tb : tb, p), diff = cb - ob;
    *q = p / g;
    if (pmod(diff, g)) return -1;
    if (*q == 1) return 0;
    return pmod(pmod(diff / g, *q) * inverse(pmod(tb / g, *q), *q), *q);
}

/* V_BC with t > 0 (a negative step is the same elements reflected, see bc_pos): F(x) is
 * the number of elements below base index x; cb's blocks are bfirst, bfirst + p, ... (m of
 * them), the first holding e0 elements, the inner ones k / t each. */
typedef struct {
    int64_t bfirst, m, e0, kt;
} bc_t;

static int64_t bc_F(const vw_t *v, int64_t x)
{
    return clamp(-fdiv(v->o - x, v->t), 0, v->n);
}

static void bc_plan(const vw_t *v, int cb, bc_t *r)
{
    int64_t k = v->b.k, p = v->b.p;
    r->kt = k / v->t;
    r->m = r->e0 = r->bfirst = 0;
    if (v->n == 0) return;
    int64_t b0 = v->o / k, b1 = (v->o + (v->n - 1) * v->t) / k;
    r->bfirst = b0 + pmod(cb - b0, p);
    r->m = r->bfirst <= b1 ? (b1 - r->bfirst) / p + 1 : 0;
    if (r->m) r->e0 = bc_F(v, (r->bfirst + 1) * k) - bc_F(v, r->bfirst * k);
}

static int64_t bc_count(const vw_t *v, const bc_t *r)
{
    if (r->m <= 1) return r->e0;
    int64_t k = v->b.k, bl = r->bfirst + (r->m - 1) * v->b.p;
    return r->e0 + (r->m - 2) * r->kt + bc_F(v, (bl + 1) * k) - bc_F(v, bl * k);
}

static int64_t bc_l2g(const vw_t *v, const bc_t *r, int64_t l)
{
    if (l < r->e0) return bc_F(v, r->bfirst * v->b.k) + l;
    l -= r->e0;
    int64_t b = r->bfirst + (1 + l / r->kt) * v->b.p;
    return bc_F(v, b * v->b.k) + l % r->kt;
}

static int64_t bc_g2l(const vw_t *v, const bc_t *r, int64_t j)
{
    int64_t k = v->b.k, b = (v->o + j * v->t) / k, i = (b - r->bfirst) / v->b.p;
    if (i == 0) return j - bc_F(v, r->bfirst * k);
    return r->e0 + (i - 1) * r->kt + j - bc_F(v, b * k);
}

/* v with a positive step: the same elements in reverse order (j' = n - 1 - j). */
static vw_t bc_pos(const vw_t *v)
{
    vw_t w = *v;
    if (v->t < 0) {
        w.o = v->o + (v->n - 1) * v->t;
        w.t = -v->t;
    }
    return w;
}

static int64_t vw_count(const vw_t *v, int cb)
{
    int64_t a, c, q;
    if (cb < 0) return 0;
    if (v->how == V_BLOCK) {
        blk_run(v, cb, &a, &c);
        return c;
    }
    if (v->how == V_CYC) {
        a = cyc_first(v, cb, &q);
        return a >= 0 && a < v->n ? (v->n - 1 - a) / q + 1 : 0;
    }
    vw_t w = bc_pos(v);
    bc_t r;
    bc_plan(&w, cb, &r);
    return bc_count(&w, &r);
}

static int64_t vw_l2g(const vw_t *v, int cb, int64_t l)
{
    int64_t a, c, q;
    if (v->how == V_BLOCK) {
        blk_run(v, cb, &a, &c);
        return a + l;
    }
    if (v->how == V_CYC) return cyc_first(v, cb, &q) + l * q;
    vw_t w = bc_pos(v);
    bc_t r;
    bc_plan(&w, cb, &r);
    if (v->t > 0) return bc_l2g(&w, &r, l);
    return v->n - 1 - bc_l2g(&w, &r, bc_count(&w, &r) - 1 - l);
}

/* Element j's base coordinate, and *l its local index there. */
static int vw_g2l(const vw_t *v, int64_t j, int64_t *l)
{
    int64_t lb, a, c, q;
    int cb = ax_g2l(&v->b, v->o + j * v->t, &lb);
    if (v->how == V_BLOCK) {
        blk_run(v, cb, &a, &c);
        *l = j - a;
    } else if (v->how == V_CYC) {
        cyc_first(v, cb, &q);
        *l = j / q;
    } else {
        vw_t w = bc_pos(v);
        bc_t r;
        bc_plan(&w, cb, &r);
        *l = v->t > 0 ? bc_g2l(&w, &r, j) : bc_count(&w, &r) - 1 - bc_g2l(&w, &r, v->n - 1 - j);
    }
    return cb;
}

static int64_t vw_nint(const vw_t *v, int cb)
{
    int64_t q;
    if (cb < 0) return 0;
    if (v->how == V_BLOCK) return vw_count(v, cb) > 0;
    if (v->how == V_CYC) {
        int64_t j0 = cyc_first(v, cb, &q);
        return q == 1 ? j0 >= 0 && v->n > 0 : vw_count(v, cb);
    }
    vw_t w = bc_pos(v);
    bc_t r;
    bc_plan(&w, cb, &r);
    return r.m;
}

static void vw_interval(const vw_t *v, int cb, int64_t i, int64_t *s, int64_t *c)
{
    int64_t q;
    if (v->how == V_BLOCK) {
        blk_run(v, cb, s, c);
        return;
    }
    if (v->how == V_CYC) {
        int64_t j0 = cyc_first(v, cb, &q);
        *s = q == 1 ? 0 : j0 + i * q;
        *c = q == 1 ? v->n : 1;
        return;
    }
    vw_t w = bc_pos(v);
    bc_t r;
    bc_plan(&w, cb, &r);
    int64_t k = v->b.k, b = r.bfirst + (v->t > 0 ? i : r.m - 1 - i) * v->b.p;
    int64_t s0 = bc_F(&w, b * k), s1 = bc_F(&w, (b + 1) * k);
    *s = v->t > 0 ? s0 : v->n - s1;
    *c = s1 - s0;
}

/* ---- the descriptor's operations ---- */

void dist_block_range(const dist_t *d, int dim, int c, int64_t *lo, int64_t *hi)
{
    ax_t a = plain_ax(d, dim);
    ax_range(&a, c, lo, hi);
}

int64_t dist_extent(const dist_t *d, int dim, int c)
{
    if (d->kind[dim] == 'v') {
        vw_t v;
        int cb = vw_of(d, dim, c, &v);
        return vw_count(&v, cb);
    }
    ax_t a = plain_ax(d, dim);
    return ax_extent(&a, c);
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
    if (d->kind[dim] == 'v') {
        vw_t v;
        int cb = vw_of(d, dim, c, &v);
        return vw_l2g(&v, cb, l);
    }
    ax_t a = plain_ax(d, dim);
    return ax_l2g(&a, c, l);
}

int dist_g2l(const dist_t *d, int dim, int64_t g, int64_t *l)
{
    if (d->kind[dim] == 'v') {
        vw_t v;
        vw_of(d, dim, 0, &v);
        return d->vadd[dim] + vw_g2l(&v, g, l) * d->vmul[dim];
    }
    ax_t a = plain_ax(d, dim);
    return ax_g2l(&a, g, l);
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

int64_t dist_lcount(const dist_t *d, int dim, int c, int64_t g)
{
    int64_t lo = 0, hi = dist_extent(d, dim, c);
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (dist_l2g(d, dim, c, mid) < g)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int64_t dist_owner_end(const dist_t *d, int dim, int64_t g)
{
    if (d->kind[dim] == 'v') return g + 1;
    if (d->kind[dim] == 'c' && d->grid[dim] > 1) {
        int64_t k = d->bsize[dim], e = (g / k + 1) * k;
        return e < d->shape[dim] ? e : d->shape[dim];
    }
    if (d->kind[dim] == 'b') {
        int64_t l, lo, hi;
        dist_block_range(d, dim, dist_g2l(d, dim, g, &l), &lo, &hi);
        return hi;
    }
    return d->shape[dim];
}

int64_t dist_period(const dist_t *m, const dist_t *o, int dim)
{
    char k = m->kind[dim];
    if (k == 'v' || o->kind[dim] != 'c' || o->grid[dim] == 1) return 0;
    int64_t oc = o->bsize[dim] * o->grid[dim];
    if (k != 'c' || m->grid[dim] == 1) return oc; /* m's globals are consecutive */
    int64_t mc = m->bsize[dim] * m->grid[dim], g = gcd(mc, oc);
    if (mc / g > INT64_MAX / oc) return 0;
    return mc / g * oc / m->grid[dim];
}

int64_t dist_nintervals(const dist_t *d, int dim, int c)
{
    if (d->kind[dim] == 'v') {
        vw_t v;
        int cb = vw_of(d, dim, c, &v);
        return vw_nint(&v, cb);
    }
    /* one engine along a cyclic dimension holds adjacent blocks: one interval */
    if (d->kind[dim] != 'c' || d->grid[dim] == 1) return dist_extent(d, dim, c) > 0;
    int64_t k = d->bsize[dim], p = d->grid[dim];
    int64_t nb = (d->shape[dim] + k - 1) / k; /* blocks, the last maybe partial */
    return nb / p + (c < nb % p ? 1 : 0);
}

void dist_interval(const dist_t *d, int dim, int c, int64_t i, int64_t *start, int64_t *count)
{
    if (d->kind[dim] == 'v') {
        vw_t v;
        int cb = vw_of(d, dim, c, &v);
        vw_interval(&v, cb, i, start, count);
        return;
    }
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
/* 1 when view dimension i of a and b has the same parameters. */
static int same_view(const dist_t *a, const dist_t *b, int i)
{
    if (a->vkind[i] != b->vkind[i] || a->vlen[i] != b->vlen[i] || a->voff[i] != b->voff[i] ||
        a->vstep[i] != b->vstep[i] || a->vgrid[i] != b->vgrid[i] || a->vmul[i] != b->vmul[i] ||
        a->vadd[i] != b->vadd[i] || a->bsize[i] != b->bsize[i] || !a->bnd[i] != !b->bnd[i])
        return 0;
    return !a->bnd[i] || !memcmp(a->bnd[i], b->bnd[i], (size_t)nbounds(a, i) * sizeof(int64_t));
}

int dist_equal(const dist_t *a, const dist_t *b)
{
    if (a->ndim != b->ndim || a->nranks != b->nranks) return 0;
    for (int i = 0; i < a->ndim; i++) {
        if (a->shape[i] != b->shape[i] || a->grid[i] != b->grid[i]) return 0;
        if (a->kind[i] == 'c' && b->kind[i] == 'c' && a->bsize[i] == b->bsize[i]) continue;
        if (a->kind[i] == 'v' && b->kind[i] == 'v' && same_view(a, b, i)) continue;
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
    for (int i = 0; i < d->ndim; i++)
        if ((i && d->grid[i] != 1) || d->kind[i] == 'v') return 0;
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
        if (d->shape[i] > INT32_MAX || d->bsize[i] > INT32_MAX || d->kind[i] == 'v') return 0;
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
        k += snprintf(buf + k, (size_t)(cap - k), i ? ", '%c'" : "'%c'",
                      d->kind[i] == 'v' ? d->vkind[i] : d->kind[i]);
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
        if (from[i] < 0) {
            t.shape[i] = 1;
            t.kind[i] = 'n';
            t.grid[i] = 1;
            continue;
        }
        int rc = take_dim(&t, i, src, from[i], err);
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

/* First k in [0, count] with start + k * step >= x (step > 0). */
static int64_t kfirst(int64_t x, int64_t start, int64_t step, int64_t count)
{
    int64_t k = x <= start ? 0 : (x - start + step - 1) / step;
    return k < count ? k : count;
}

int dist_slice(const dist_t *src, int dim, int c, int64_t start, int64_t step, int64_t count,
               dist_t *dst, int64_t *l0, int64_t *ls, err_t *err)
{
    dist_t t;
    int rc = dist_copy(&t, src, err);
    if (rc) return rc;
    if (count <= 1) step = 1;
    char k = src->kind[dim];
    t.shape[dim] = count;
    if (k != 'v' && src->grid[dim] == 1) {
        /* one engine holds the whole dimension */
        mem_free(t.bnd[dim]);
        t.bnd[dim] = NULL;
    } else if (k == 'b' && step > 0) {
        /* still a block per coordinate: the selected elements each holds */
        int p = src->grid[dim];
        int64_t *bnd = mem_alloc((size_t)(p + 1) * sizeof *bnd);
        if (!bnd) {
            dist_clear(&t);
            return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        }
        for (int q = 0; q < p; q++) {
            int64_t lo, hi;
            dist_block_range(src, dim, q, &lo, &hi);
            bnd[q] = kfirst(lo, start, step, count);
        }
        bnd[p] = count;
        mem_free(t.bnd[dim]);
        t.bnd[dim] = bnd;
    } else {
        if (k != 'v') {
            t.kind[dim] = 'v';
            t.vkind[dim] = k;
            t.vlen[dim] = src->shape[dim];
            t.voff[dim] = 0;
            t.vstep[dim] = 1;
            t.vgrid[dim] = src->grid[dim];
            t.vmul[dim] = 1;
            t.vadd[dim] = 0;
        }
        t.voff[dim] += start * t.vstep[dim];
        t.vstep[dim] = count <= 1 ? 1 : t.vstep[dim] * step;
        vw_t v;
        vw_of(&t, dim, 0, &v);
        if (v.how == V_NONE) {
            dist_clear(&t);
            return 1;
        }
    }
    /* where this coordinate's elements sit among src's local ones */
    int64_t e = dist_extent(&t, dim, c), l;
    *l0 = 0;
    *ls = 1;
    if (e > 0) {
        dist_g2l(src, dim, start + dist_l2g(&t, dim, c, 0) * step, l0);
        if (e > 1) {
            dist_g2l(src, dim, start + dist_l2g(&t, dim, c, 1) * step, &l);
            *ls = l - *l0;
        }
    }
    *dst = t;
    return 0;
}

int dist_pin(const dist_t *src, int dim, int64_t i, dist_t *dst, int *cd, int64_t *l, err_t *err)
{
    *cd = dist_g2l(src, dim, i, l);
    int gd = src->grid[dim], from[DIST_MAXDIM];
    dist_t t;
    int rc = dist_copy(&t, src, err);
    if (rc) return rc;
    if (gd > 1) {
        /* the engines along dim join a neighbouring dimension e, a plain one if there is
         * one: in row-major rank order its coordinate and dim's make one */
        int e = dim + 1 < t.ndim ? dim + 1 : dim - 1;
        if (dim > 0 && t.kind[e] != 'b' && t.kind[e] != 'n' &&
            (t.kind[dim - 1] == 'b' || t.kind[dim - 1] == 'n'))
            e = dim - 1;
        int ge = t.grid[e], left = e < dim, G = ge * gd;
        if (t.kind[e] == 'b' || t.kind[e] == 'n') {
            int64_t *bnd = mem_alloc((size_t)(G + 1) * sizeof *bnd), pos = 0;
            if (!bnd) {
                dist_clear(&t);
                return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
            }
            for (int C = 0; C < G; C++) {
                int ce = left ? C / gd : C % ge, cc = left ? C % gd : C / ge;
                int64_t lo, hi;
                bnd[C] = pos;
                dist_block_range(src, e, ce, &lo, &hi);
                if (cc == *cd) pos = hi;
            }
            bnd[G] = pos;
            mem_free(t.bnd[e]);
            t.bnd[e] = bnd;
            t.kind[e] = 'b';
        } else {
            if (t.kind[e] == 'c') {
                t.kind[e] = 'v';
                t.vkind[e] = 'c';
                t.vlen[e] = t.shape[e];
                t.voff[e] = 0;
                t.vstep[e] = 1;
                t.vgrid[e] = ge;
                t.vmul[e] = 1;
                t.vadd[e] = 0;
            }
            if (left) {
                t.vadd[e] = t.vadd[e] * gd + *cd;
                t.vmul[e] *= gd;
            } else {
                t.vadd[e] += *cd * ge;
            }
        }
        t.grid[e] = G;
    }
    for (int a = 0, j = 0; a < t.ndim; a++)
        if (a != dim) from[j++] = a;
    rc = remap(&t, t.ndim - 1, from, dst, err);
    dist_clear(&t);
    return rc;
}
