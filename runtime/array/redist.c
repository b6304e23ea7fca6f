/* redist.c - coll_redist (coll.h): an array moved from one layout to another by all-to-all
 * exchanges, with no table per element and buffers of bounded size.
 *
 * Which rank an element goes to is a product over the dimensions: along dimension d the
 * element's local index l on this rank (under one layout) has a global index, and the other
 * layout gives that global index a grid coordinate. Along each dimension those coordinates
 * come in runs of consecutive local indices, and for a block, cyclic or block-cyclic pair of
 * layouts the runs repeat with a period T of local indices (the other layout's cycle, or the
 * least common multiple of both cycles), so a dimension is described by the runs of one
 * period: P or so entries, not one per element. View dimensions ('v') are described by their
 * runs over the whole extent (up to one per element for a strided view of a cyclic axis).
 *
 * Both sides visit the elements they share in the global lexicographic order (l2g is
 * increasing along every dimension): the sender packs its chunk in C order by destination,
 * the receiver unpacks in C order by source. Axis 0 is cut into slabs of global indices of
 * about coll_round_bytes / nranks each, the same on every rank (they depend on the shape
 * only), and round t moves slabs t, t + R, t + 2R, ... (R rounds): one slab from each part of
 * the axis, so that from a block layout every engine sends in every round. Each round is one
 * MPI_Alltoallv of what its slabs give each pair of ranks, counted in elements, or, when all
 * ranks share this host, one agreement over a shared-memory window holding every rank's
 * packed round (below). What stays on a rank goes from the send buffer straight into the
 * result. Extra memory per rank: the result, and a send and a receive buffer of at most one
 * round (or one chunk, when that is smaller). */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coll.h"
#include "kern.h"
#include "mem.h"

/* Global bytes per round (coll.h): large enough that a round's MPI latency is noise, small
 * enough that the send and receive buffers stay in the last-level cache (32 MiB here) while
 * MPI copies them: redistribute(x, dist='c') of 10^8 float64 on 2 engines here took 0.36,
 * 0.32, 0.34, 0.36 and 0.50 s with 1, 2, 4, 8 and 64 MiB. */
int64_t coll_round_bytes = (int64_t)4 << 20;

/* The grid coordinates, under the other layout, of one dimension's local indices. */
typedef struct {
    int64_t n;   /* local extent */
    int64_t T;   /* period in local indices; 0: the runs cover [0, n) */
    int64_t nr;  /* runs in one period (or in all) */
    int64_t *st; /* run i is [st[i], st[i + 1]) within the period; nr + 1 entries */
    int *q;      /* its coordinate under the other layout */
    int once;    /* every coordinate has at most one run per period */
    int64_t nq;  /* coordinates under the other layout */
} runs_t;

static int add_run(runs_t *r, int64_t *cap, int64_t l, int q, err_t *err)
{
    if (r->nr && r->q[r->nr - 1] == q) return 0; /* the run goes on */
    if (r->nr + 2 > *cap) {
        int64_t nc = *cap * 2 + 8;
        int64_t *st = mem_realloc(r->st, (size_t)nc * sizeof *st);
        if (st) r->st = st;
        int *qq = st ? mem_realloc(r->q, (size_t)nc * sizeof *qq) : NULL;
        if (!qq) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        r->q = qq;
        *cap = nc;
    }
    r->st[r->nr] = l;
    r->q[r->nr++] = q;
    return 0;
}

/* The runs of dimension dim of coordinate c under mine, against other. */
static int runs_make(const dist_t *m, int c, const dist_t *o, int dim, runs_t *r, err_t *err)
{
    memset(r, 0, sizeof *r);
    r->n = dist_extent(m, dim, c);
    r->nq = o->grid[dim];
    r->T = dist_period(m, o, dim);
    if (r->T >= r->n) r->T = 0;
    int64_t lim = r->T ? r->T : r->n, cap = 0;
    int rc = 0;
    for (int64_t l = 0, l2; !rc && l < lim; l = l2) {
        int64_t g = dist_l2g(m, dim, c, l), ol, e = dist_owner_end(o, dim, g);
        int q = dist_g2l(o, dim, g, &ol);
        l2 = e == g + 1 ? l + 1 : dist_lcount(m, dim, c, e); /* the next local index at e */
        if (l2 > lim) l2 = lim;
        rc = add_run(r, &cap, l, q, err);
    }
    if (!rc && !r->st) rc = add_run(r, &cap, 0, 0, err); /* n == 0: one empty run */
    if (rc) {
        mem_free(r->st);
        mem_free(r->q);
        memset(r, 0, sizeof *r);
        return rc;
    }
    r->st[r->nr] = lim;
    r->once = r->T > 0;
    for (int64_t i = 0; r->once && i < r->nr; i++)
        for (int64_t j = 0; j < i; j++)
            if (r->q[j] == r->q[i]) r->once = 0;
    return 0;
}

static void runs_free(runs_t *r)
{
    mem_free(r->st);
    mem_free(r->q);
}

/* The run holding local index l: its index, and its [start, end) in local indices. */
static int64_t runs_find(const runs_t *r, int64_t l, int64_t *s, int64_t *e)
{
    int64_t base = 0, x = l;
    if (r->T) {
        base = l / r->T * r->T;
        x = l - base;
    }
    int64_t lo = 0, hi = r->nr - 1;
    while (lo < hi) { /* the last run starting at or before x */
        int64_t mid = (lo + hi + 1) / 2;
        if (r->st[mid] <= x)
            lo = mid;
        else
            hi = mid - 1;
    }
    *s = base + r->st[lo];
    *e = base + r->st[lo + 1];
    return lo;
}

/* Elements of [a, b) per coordinate, added into cnt (indexed by coordinate). */
static void runs_count(const runs_t *r, int64_t a, int64_t b, int64_t *cnt)
{
    if (a >= b) return;
    for (int64_t i = 0; i < r->nr; i++) {
        int64_t s = r->st[i], len = r->st[i + 1] - s, k;
        if (!r->T) {
            int64_t lo = a > s ? a : s, hi = b < s + len ? b : s + len;
            if (hi > lo) cnt[r->q[i]] += hi - lo;
            continue;
        }
        /* elements of the run's class below x: whole periods plus the part of the last */
        int64_t below[2], x[2] = {a, b};
        for (int j = 0; j < 2; j++) {
            k = x[j] - x[j] / r->T * r->T - s;
            below[j] = x[j] / r->T * len + (k < 0 ? 0 : k < len ? k : len);
        }
        cnt[r->q[i]] += below[1] - below[0];
    }
}

/* Copies n elements of sz bytes from s (stride ss bytes) to d (stride ds bytes); past the
 * cache (kern_copy_nt) when nt and both are contiguous. */
static void copy_n(char *d, int64_t ds, const char *s, int64_t ss, int64_t n, size_t sz, int nt)
{
    if (nt && ds == (int64_t)sz && ss == (int64_t)sz)
        kern_copy_nt(d, s, (size_t)n * sz);
    else
        arri_copy_2d(d, 0, ds, s, 0, ss, 1, n, sz, 0);
}

/* One side of the move: a chunk (shape ls, byte strides bs) and, per dimension, the runs of
 * the other layout's coordinates; peer rank = sum over d of coordinate * mult[d]. */
typedef struct {
    int nd;
    size_t sz;
    char *base;
    int64_t ls[ARR_MAXDIM], bs[ARR_MAXDIM], mult[ARR_MAXDIM];
    runs_t r[ARR_MAXDIM];
    /* tiles (tile_move): rows of the last dimension strided far apart while the one before
     * is close; per coordinate along the last dimension, its elements in one row, and
     * scratch */
    int tiles;
    int64_t *rowlen, *rowoff;
    int nt; /* the receiving side of a chunk larger than the cache: unpacked past it */
    /* a round's own elements moved straight from chunk to chunk (self_direct): on the
     * sending side the peer offset whose cursor points into the result, that result's row
     * stride (bytes) for tiles, and whether those writes may go past the cache; on the
     * receiving side the peer offset it does not unpack. -1: none. */
    int64_t direct, dstride;
    int dnt;
} side_t;

/* Rows per tile, and columns of each row copied at a time. redistribute(z.T) of 8192 x 8192
 * on 2 engines here: 8 rows (of float64: one cache line of each far column) 0.074-0.079 s,
 * 16 rows 0.105-0.108 s, 32 rows 0.21 s, 4 rows 0.098 s; 4, 8 or 16 columns alike. */
#define TILE_ROWS 8
#define TILE_COLS 8
/* Rows per tile when the chunk's rows are its memory's columns (kern_transpose): with its
 * register transposes 8 rows took 0.080-0.081 s there, 16 0.063-0.065, 32 0.065 (2026-12-08,
 * the machine's slower memory state; a local transpose alone was fastest at 32). */
#define TRANSPOSE_ROWS 32

/* Local indices [l0, l1) of the last dimension of one row at p, whose other dimensions
 * give peer offset `peer`: each element copied to (pack) or from its peer's cursor. */
static void row_move(const side_t *s, char *p, int64_t peer, int64_t l0, int64_t l1, char **cur,
                     int pack)
{
    int d = s->nd - 1;
    const runs_t *r = &s->r[d];
    int64_t es = s->bs[d], m = s->mult[d], sz = (int64_t)s->sz;
    if (r->once && l1 - l0 > r->T) {
        /* each peer's elements are one run per period: a strided copy per run class */
        for (int64_t i = 0; i < r->nr; i++) {
            int64_t pi = peer + r->q[i] * m;
            if (!pack && pi == s->direct) continue;
            char **c = &cur[pi];
            int64_t len = r->st[i + 1] - r->st[i], b = l0 / r->T * r->T + r->st[i];
            if (len == 1) { /* one element per period: one strided copy */
                if (b < l0) b += r->T;
                int64_t k = b < l1 ? (l1 - 1 - b) / r->T + 1 : 0;
                if (pack)
                    copy_n(*c, sz, p + b * es, es * r->T, k, s->sz, 0);
                else
                    copy_n(p + b * es, es * r->T, *c, sz, k, s->sz, s->nt);
                *c += k * sz;
                continue;
            }
            for (; b < l1; b += r->T) {
                int64_t lo = b > l0 ? b : l0, hi = b + len < l1 ? b + len : l1;
                if (hi <= lo) continue;
                if (pack)
                    copy_n(*c, sz, p + lo * es, es, hi - lo, s->sz, pi == s->direct && s->dnt);
                else
                    copy_n(p + lo * es, es, *c, sz, hi - lo, s->sz, s->nt);
                *c += (hi - lo) * sz;
            }
        }
        return;
    }
    for (int64_t l = l0, rs, re; l < l1; l = re) {
        int64_t i = runs_find(r, l, &rs, &re), pi = peer + r->q[i] * m;
        if (re > l1) re = l1;
        if (!pack && pi == s->direct) continue;
        char **c = &cur[pi];
        if (pack)
            copy_n(*c, sz, p + l * es, es, re - l, s->sz, pi == s->direct && s->dnt);
        else
            copy_n(p + l * es, es, *c, sz, re - l, s->sz, s->nt);
        *c += (re - l) * sz;
    }
}

/* Copies a rows x cols tile between the chunk at c (row stride rs, column stride cs bytes)
 * and a buffer at b (row stride bs bytes, columns contiguous), reading or writing the chunk
 * along its close rows. Not arri_copy_2d, whose inner loop runs along the columns:
 * redistribute(z.T) of 8192 x 8192 took 0.116-0.117 s through it, 0.075-0.078 s here. */
static void tile_copy(char *c, int64_t rs, int64_t cs, char *b, int64_t bs, int64_t rows,
                      int64_t cols, size_t sz, int pack)
{
#define TILE_AS(T)                                                                                 \
    for (int64_t j = 0; j < cols; j++)                                                             \
        for (int64_t i = 0; i < rows; i++) {                                                       \
            char *cp = c + i * rs + j * cs, *bp = b + i * bs + j * (int64_t)sizeof(T);             \
            if (pack)                                                                              \
                memcpy(bp, cp, sizeof(T));                                                         \
            else                                                                                   \
                memcpy(cp, bp, sizeof(T));                                                         \
        }                                                                                          \
    return;
    switch (sz) {
    case 4:
        TILE_AS(uint32_t)
    case 8:
        TILE_AS(uint64_t)
    case 16:
        TILE_AS(char[16])
    }
#undef TILE_AS
    for (int64_t j = 0; j < cols; j++)
        for (int64_t i = 0; i < rows; i++) {
            char *cp = c + i * rs + j * cs, *bp = b + i * bs + j * (int64_t)sz;
            memcpy(pack ? bp : cp, pack ? cp : bp, sz);
        }
}

/* `rows` consecutive rows at p (stride bs[nd-2]) with one peer offset `peer`, moved tile by
 * tile: a transposed view's rows are a page apart element by element, and visiting each
 * row in full would touch a new page per element. */
static void tile_move(const side_t *s, char *p, int64_t peer, int64_t rows, char **cur, int pack)
{
    int d = s->nd - 1;
    const runs_t *r = &s->r[d];
    int64_t w = s->ls[d], es = s->bs[d], rs = s->bs[d - 1], m = s->mult[d], sz = (int64_t)s->sz;
    for (int64_t q = 0; q < s->r[d].nq; q++)
        s->rowoff[q] = 0;
    for (int64_t l = 0, rb, re; l < w; l = re) {
        int64_t i = runs_find(r, l, &rb, &re);
        if (re > w) re = w;
        int q = r->q[i];
        int64_t pi = peer + q * m, direct = pi == s->direct;
        char *b = cur[pi] + s->rowoff[q] * sz;
        int64_t bs = direct && s->dstride ? s->dstride : s->rowlen[q] * sz;
        if (!pack && direct) {
            s->rowoff[q] += re - l;
            continue;
        }
        if (rs == sz && pack) /* the chunk's memory rows are its columns: a transpose */
            kern_transpose(b, bs, p + l * es, es, rows, re - l, s->sz, direct && s->dnt);
        else if (rs == sz)
            kern_transpose(p + l * es, es, b, bs, re - l, rows, s->sz, s->nt);
        else
            for (int64_t j = l; j < re; j += TILE_COLS) {
                int64_t n = re - j < TILE_COLS ? re - j : TILE_COLS;
                tile_copy(p + j * es, rs, es, b + (j - l) * sz, bs, rows, n, s->sz, pack);
            }
        s->rowoff[q] += re - l;
    }
    for (int64_t q = 0; q < s->r[d].nq; q++) {
        int64_t pi = peer + q * m;
        cur[pi] += rows * (pi == s->direct && s->dstride ? s->dstride : s->rowlen[q] * sz);
    }
}

/* The coordinate of local index l along dimension d (as a peer offset). */
static int64_t coord_of(const side_t *s, int d, int64_t l)
{
    int64_t rs, re;
    return s->r[d].q[runs_find(&s->r[d], l, &rs, &re)] * s->mult[d];
}

/* Moves this side's elements with local axis-0 index in [a, b) in C order. */
static void side_move(const side_t *s, int64_t a, int64_t b, char **cur, int pack)
{
    int nd = s->nd;
    if (a >= b) return;
    if (nd == 1) {
        row_move(s, s->base, 0, a, b, cur, pack);
        return;
    }
    for (int d = 1; d < nd; d++)
        if (!s->ls[d]) return;
    int64_t idx[ARR_MAXDIM], q[ARR_MAXDIM];
    idx[0] = a;
    q[0] = coord_of(s, 0, a);
    for (int d = 1; d < nd - 1; d++) {
        idx[d] = 0;
        q[d] = coord_of(s, d, 0);
    }
    for (;;) {
        int64_t peer = 0, off = 0;
        for (int d = 0; d < nd - 1; d++) {
            peer += q[d];
            off += idx[d] * s->bs[d];
        }
        int64_t step = 1;
        if (s->tiles) {
            /* rows of the last dimension that share their peer offset, up to a tile */
            int64_t rb, re, e = nd > 2 ? s->ls[nd - 2] : b;
            runs_find(&s->r[nd - 2], idx[nd - 2], &rb, &re);
            step = e < re ? e : re;
            step -= idx[nd - 2];
            int64_t lim = s->bs[nd - 2] == (int64_t)s->sz ? TRANSPOSE_ROWS : TILE_ROWS;
            if (step > lim) step = lim;
            tile_move(s, s->base + off, peer, step, cur, pack);
        } else {
            row_move(s, s->base + off, peer, 0, s->ls[nd - 1], cur, pack);
        }
        int d = nd - 2;
        for (; d >= 0; d--) {
            int64_t end = d ? s->ls[d] : b;
            if ((idx[d] += d == nd - 2 ? step : 1) < end) {
                q[d] = coord_of(s, d, idx[d]);
                break;
            }
            idx[d] = d ? 0 : a;
            q[d] = coord_of(s, d, idx[d]);
        }
        if (d < 0) return;
    }
}

/* Elements this side moves per peer for local axis-0 indices [a, b), added into cnt. */
static void side_count(const side_t *s, const dist_t *o, int64_t a, int64_t b, int64_t *cnt,
                       int64_t *scratch)
{
    int nd = s->nd, p = o->nranks;
    if (a >= b) return;
    /* per dimension the count per coordinate; a peer's is their product */
    int64_t *per[ARR_MAXDIM], *x = scratch;
    for (int d = 0; d < nd; d++) {
        per[d] = x;
        memset(x, 0, (size_t)o->grid[d] * sizeof *x);
        runs_count(&s->r[d], d ? 0 : a, d ? s->ls[d] : b, x);
        x += o->grid[d];
    }
    for (int q = 0; q < p; q++) {
        int c[ARR_MAXDIM];
        dist_coords(o, q, c);
        int64_t v = 1;
        for (int d = 0; d < nd && v; d++)
            v *= per[d][c[d]];
        cnt[q] += v;
    }
}

static int side_init(side_t *s, const arr_t *a, const dist_t *mine, const dist_t *other, int rank,
                     err_t *err)
{
    memset(s, 0, sizeof *s);
    s->direct = -1;
    s->nd = a->ndim;
    s->sz = dt_size(a->dtype);
    s->base = arri_base(a);
    int c[ARR_MAXDIM];
    dist_coords(mine, rank, c);
    for (int d = s->nd - 1, m = 1; d >= 0; d--) {
        s->ls[d] = a->lshape[d];
        s->bs[d] = a->lstride[d] * (int64_t)s->sz;
        s->mult[d] = m;
        m *= other->grid[d];
    }
    int rc = 0;
    for (int d = 0; !rc && d < s->nd; d++)
        rc = runs_make(mine, c[d], other, d, &s->r[d], err);
    int nd = s->nd;
    if (rc || nd < 2) return rc;
    int64_t far = llabs(s->bs[nd - 1]), near = llabs(s->bs[nd - 2]);
    if (far <= 64 || near >= far) return 0;
    int64_t nq = s->r[nd - 1].nq;
    s->rowlen = mem_calloc((size_t)(2 * nq), sizeof *s->rowlen);
    if (!s->rowlen) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    s->rowoff = s->rowlen + nq;
    runs_count(&s->r[nd - 1], 0, s->ls[nd - 1], s->rowlen);
    s->tiles = 1;
    return 0;
}

static void side_free(side_t *s)
{
    for (int d = 0; d < s->nd; d++)
        runs_free(&s->r[d]);
    mem_free(s->rowlen);
}

/* This rank's local axis-0 range for global axis-0 indices [g0, g1). */
static void slab(const dist_t *d, int rank, int64_t g0, int64_t g1, int64_t *a, int64_t *b)
{
    int c[ARR_MAXDIM];
    dist_coords(d, rank, c);
    *a = dist_lcount(d, 0, c[0], g0);
    *b = dist_lcount(d, 0, c[0], g1);
}

typedef struct {
    int64_t rows;            /* global axis-0 indices per slab */
    int64_t nslabs;          /* slabs of axis 0 */
    int64_t nrounds;         /* rounds: round t moves slabs t, t + nrounds, t + 2 nrounds, ... */
    int64_t *cnt;            /* send and receive counts (nranks each), scratch */
    int *sc, *sd, *rcn, *rd; /* the Alltoallv arguments, in elements */
    char **cur;
    char **at;             /* a round's slabs' own places in the result (self_begin) */
    size_t sbytes, rbytes; /* the largest round's buffers */
} plan_t;

/* Slab k of round t as this rank's local axis-0 ranges under both layouts: 0 when there is
 * no such slab. A round takes one slab from each part of axis 0, so that with block layouts
 * every engine sends in every round. */
static int round_slab(const rt_t *rt, const arr_t *a, const dist_t *to, const plan_t *pl, int64_t t,
                      int k, int64_t *ab)
{
    int64_t j = t + k * pl->nrounds, g0 = j * pl->rows, g1 = g0 + pl->rows;
    if (j >= pl->nslabs) return 0;
    if (g1 > a->shape[0]) g1 = a->shape[0];
    slab(&a->dist, rt->rank, g0, g1, &ab[0], &ab[1]);
    slab(to, rt->rank, g0, g1, &ab[2], &ab[3]);
    return 1;
}

/* Round t's send and receive counts per peer into pl->cnt. */
static void round_counts(const rt_t *rt, const arr_t *a, const dist_t *to, const side_t *src,
                         const side_t *dst, plan_t *pl, int64_t t)
{
    int p = rt->nranks;
    int64_t *sc = pl->cnt, *rc = sc + p, *scratch = rc + p, ab[4];
    for (int q = 0; q < 2 * p; q++)
        sc[q] = 0;
    for (int k = 0; round_slab(rt, a, to, pl, t, k, ab); k++) {
        side_count(src, to, ab[0], ab[1], sc, scratch);
        side_count(dst, &a->dist, ab[2], ab[3], rc, scratch);
    }
}

/* ---- a rank's own elements, straight from chunk to chunk ----
 *
 * What stays on a rank would be packed into the round's buffer and unpacked from it again.
 * When a slab's own elements form one block of the result that the sending side writes in
 * its order - one interval of axis 0 by one interval of axis 1 in 2-d (whole rows unless the
 * sending side moves tiles, whose rows take the result's row stride), one interval in 1-d -
 * the sending side's cursor for this rank points into the result instead, and the receiving
 * side skips it: b_to_c's and a transpose's own half is then moved once. */

/* Where slab [a, b) of the result's axis 0 holds this rank's own elements (c: its coordinates
 * under the sending layout): 1 with *at their first one's address (NULL when there are none),
 * 0 when they are not one such block. */
static int self_block(const side_t *src, const side_t *dst, const int *c, int64_t a, int64_t b,
                      char **at)
{
    int nd = dst->nd;
    int64_t lo[2] = {0, 0}, hi[2] = {0, 0};
    *at = NULL;
    if (nd > 2) return 0;
    for (int d = 0; d < nd; d++) {
        int64_t from = d ? 0 : a, to = d ? dst->ls[d] : b, rs, re;
        int found = 0;
        for (int64_t l = from; l < to; l = re) {
            int64_t i = runs_find(&dst->r[d], l, &rs, &re);
            if (re > to) re = to;
            if (dst->r[d].q[i] != c[d]) continue;
            if (found && l != hi[d]) return 0; /* a second interval */
            if (!found) lo[d] = l;
            found = 1;
            hi[d] = re;
        }
        if (!found) return 1;
    }
    if (nd == 2 && !src->tiles && (lo[1] != 0 || hi[1] != dst->ls[1])) return 0;
    *at = dst->base + lo[0] * dst->bs[0] + (nd == 2 ? lo[1] * dst->bs[1] : 0);
    return 1;
}

/* Whether round t moves this rank's own elements straight (every slab's a block): then
 * at[k] is slab k's place (NULL: none), src and dst are set for it until self_end. */
static int self_begin(const rt_t *rt, const arr_t *a, const dist_t *to, side_t *src, side_t *dst,
                      const plan_t *pl, int64_t t, char **at, int nat)
{
    int c[ARR_MAXDIM];
    int64_t ab[4];
    dist_coords(&a->dist, rt->rank, c);
    int k = 0;
    for (; round_slab(rt, a, to, pl, t, k, ab); k++)
        if (k >= nat || !self_block(src, dst, c, ab[2], ab[3], &at[k])) return 0;
    /* a peer offset is the peer's rank (coordinates in C order over the grid) */
    src->direct = dst->direct = rt->rank;
    src->dstride = dst->nd == 2 ? dst->bs[0] : 0;
    src->dnt = dst->nt;
    return 1;
}

static void self_end(side_t *src, side_t *dst)
{
    src->direct = dst->direct = -1;
}

/* A peer's segment of n elements in the send or receive buffer, rounded up so that the next
 * one starts on a cache line (the buffers are aligned to one): a transpose into a segment
 * (kern_transpose's 64-byte stores) took 1.7x as long when its rows straddled cache lines
 * (a local 4096 x 8192 float64 transpose here, 2026-12-08: 0.039-0.044 s vs 0.025 s). */
static int64_t seg_pad(int64_t n, size_t sz)
{
    int64_t line = 64 % sz ? 1 : 64 / (int64_t)sz;
    return (n + line - 1) / line * line;
}

/* The rounds' largest buffers (the self part stays in the send buffer). */
static int plan_sizes(const rt_t *rt, const arr_t *a, const dist_t *to, const side_t *src,
                      const side_t *dst, plan_t *pl, err_t *err)
{
    int p = rt->nranks;
    int64_t *sc = pl->cnt, *rc = sc + p;
    for (int64_t t = 0; t < pl->nrounds; t++) {
        int64_t st = 0, rt_ = 0;
        round_counts(rt, a, to, src, dst, pl, t);
        for (int q = 0; q < p; q++) {
            st += seg_pad(sc[q], src->sz);
            if (q != rt->rank) rt_ += seg_pad(rc[q], src->sz);
        }
        if (st > INT_MAX || rt_ > INT_MAX)
            return err_set(err, PARC_EVALUE, (span_t){0},
                           "a row of this array is too long to move between engines "
                           "(more than 2^31 elements of it on one engine)");
        if ((size_t)st * src->sz > pl->sbytes) pl->sbytes = (size_t)st * src->sz;
        if ((size_t)rt_ * src->sz > pl->rbytes) pl->rbytes = (size_t)rt_ * src->sz;
    }
    return 0;
}

/* Packs round t's slabs at the cursors (pl->cur, set for the round's buffer), this rank's
 * own elements straight into the result where self_begin places them. */
static void round_pack(const rt_t *rt, const arr_t *a, const dist_t *to, side_t *src, side_t *dst,
                       plan_t *pl, int64_t t)
{
    int64_t ab[4];
    char *self = pl->cur[rt->rank];
    int direct = self_begin(rt, a, to, src, dst, pl, t, pl->at, rt->nranks);
    for (int k = 0; round_slab(rt, a, to, pl, t, k, ab); k++) {
        if (direct) pl->cur[rt->rank] = pl->at[k] ? pl->at[k] : self;
        side_move(src, ab[0], ab[1], pl->cur, 1);
    }
    pl->cur[rt->rank] = self;
}

/* Unpacks round t's slabs from the cursors (each source's segment), and ends what
 * round_pack began. */
static void round_unpack(const rt_t *rt, const arr_t *a, const dist_t *to, side_t *src, side_t *dst,
                         plan_t *pl, int64_t t)
{
    int64_t ab[4];
    for (int k = 0; round_slab(rt, a, to, pl, t, k, ab); k++)
        side_move(dst, ab[2], ab[3], pl->cur, 0);
    self_end(src, dst);
}

/* One round: pack its slabs, exchange them, unpack them. */
static int round_move(const rt_t *rt, const arr_t *a, const dist_t *to, side_t *src, side_t *dst,
                      plan_t *pl, int64_t t, char *sbuf, char *rbuf, MPI_Datatype el, err_t *err)
{
    int p = rt->nranks, me = rt->rank;
    int64_t *sc = pl->cnt, *rc = sc + p;
    round_counts(rt, a, to, src, dst, pl, t);
    size_t sz = src->sz;
    for (int q = 0, so = 0, ro = 0; q < p; q++) {
        pl->sd[q] = so;
        pl->sc[q] = q == me ? 0 : (int)sc[q];
        so += (int)seg_pad(sc[q], sz);
        pl->rd[q] = ro;
        pl->rcn[q] = q == me ? 0 : (int)rc[q];
        ro += (int)seg_pad(pl->rcn[q], sz);
        pl->cur[q] = sbuf + (size_t)pl->sd[q] * sz;
    }
    char *self = pl->cur[me];
    round_pack(rt, a, to, src, dst, pl, t);
    if (MPI_Alltoallv(sbuf, pl->sc, pl->sd, el, rbuf, pl->rcn, pl->rd, el, rt->comm) !=
        MPI_SUCCESS) {
        self_end(src, dst);
        return err_set(err, PARC_EMPI, (span_t){0}, "MPI_Alltoallv failed");
    }
    for (int q = 0; q < p; q++)
        pl->cur[q] = q == me ? self : rbuf + (size_t)pl->rd[q] * sz;
    round_unpack(rt, a, to, src, dst, pl, t);
    return 0;
}

/* ---- one host: the rounds through an MPI shared-memory window ----
 *
 * When every rank runs on this host the rounds need no message: each rank packs into its own
 * part of a window from MPI_Win_allocate_shared, the round's agreement (an allreduce between
 * two MPI_Win_sync) makes the packed segments visible, and each rank unpacks its peers'
 * segments where they are - one copy less than an MPI_Alltoallv into a receive buffer. A
 * rank's part holds two buffers used in turn: a rank packs round t + 1 while a slower one
 * may still read its round t, and packs round t + 2 only after round t + 1's agreement, which
 * every rank reaches having read round t (a next coll_redist starts after shm_ready's
 * allreduce, likewise). A buffer starts with the displacement (elements) of each peer's
 * segment in it, which that peer reads. A C program of b_to_c's rounds (2 ranks, 10^8 float64,
 * 2026-12-08): 0.062-0.070 s with MPI_Alltoallv and a receive buffer, 0.050-0.055 s this way.
 * The window stays for the engine's life (grown when a round needs more) and is never freed:
 * MPI_Win_free is collective, and an engine leaves alone when its peers are gone. */
int coll_redist_shm = 1;

/* The largest buffer kept in the window (coll.h): rounds are about coll_round_bytes / nranks
 * per rank, but one row is the least a round moves, and the window is never given back. */
size_t coll_redist_shm_max = (size_t)32 << 20;

static struct {
    int known;     /* shm.host is known for shm.comm */
    MPI_Comm comm; /* the communicator it is for */
    int host;      /* all of comm's ranks share this host */
    MPI_Win win;   /* valid when half > 0 */
    size_t half;   /* bytes of each of a rank's two buffers */
    char **base;   /* every rank's part, 64-byte aligned */
} shm;

static size_t shm_hdr(int p)
{
    return ((size_t)p * sizeof(int64_t) + 63) / 64 * 64;
}

static char *shm_buf(int q, int64_t t)
{
    return shm.base[q] + (size_t)(t & 1) * shm.half;
}

/* Whether this coll_redist's rounds go through the window, made or grown so that each buffer
 * holds need bytes (this rank's; the largest over the ranks counts). Collective; every rank
 * answers alike. */
static int shm_ready(const rt_t *rt, size_t need)
{
    int p = rt->nranks;
    if (!coll_redist_shm || p < 2) return 0;
    if (!shm.known || shm.comm != rt->comm) {
        MPI_Comm node;
        int n = 0;
        if (MPI_Comm_split_type(rt->comm, MPI_COMM_TYPE_SHARED, rt->rank, MPI_INFO_NULL, &node) ==
            MPI_SUCCESS) {
            MPI_Comm_size(node, &n);
            MPI_Comm_free(&node);
        }
        int here = n == p, all = 0;
        MPI_Allreduce(&here, &all, 1, MPI_INT, MPI_MIN, rt->comm);
        if (shm.known && shm.half) mem_free(shm.base); /* another comm's window: left */
        shm.known = 1;
        shm.comm = rt->comm;
        shm.host = all;
        shm.half = 0;
        shm.base = NULL;
    }
    if (!shm.host) return 0;
    unsigned long long want = need + shm_hdr(p), most = 0;
    if (MPI_Allreduce(&want, &most, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, rt->comm) != MPI_SUCCESS)
        return 0;
    if (most <= shm.half) return 1;
    if (most > coll_redist_shm_max) return 0; /* rows this long: buffers of their own */
    /* grown to at least twice its size, so that a run of growing arrays makes few windows;
     * the old one is left as it is (see above) */
    size_t half = ((size_t)most + 63) / 64 * 64;
    if (half < 2 * shm.half) half = 2 * shm.half;
    char *mine = NULL;
    MPI_Win win = MPI_WIN_NULL;
    char **base = mem_alloc((size_t)p * sizeof *base);
    /* collective whatever this rank's mem_alloc gave */
    int ok = MPI_Win_allocate_shared((MPI_Aint)(2 * half + 64), 1, MPI_INFO_NULL, rt->comm, &mine,
                                     &win) == MPI_SUCCESS &&
             base;
    for (int q = 0; ok && q < p; q++) {
        MPI_Aint size = 0;
        int unit = 0;
        char *b = NULL;
        ok = MPI_Win_shared_query(win, q, &size, &unit, &b) == MPI_SUCCESS && b;
        if (ok) base[q] = b + ((64 - (uintptr_t)b % 64) % 64);
    }
    ok = ok && MPI_Win_lock_all(MPI_MODE_NOCHECK, win) == MPI_SUCCESS;
    int all = 0;
    MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, rt->comm);
    if (!all) { /* the MPI_Alltoallv rounds from now on */
        mem_free(base);
        shm.host = 0;
        return 0;
    }
    if (shm.half) mem_free(shm.base);
    shm.win = win;
    shm.base = base;
    shm.half = half;
    return 1;
}

void coll_redist_fini(void)
{
    if (shm.half) mem_free(shm.base);
    memset(&shm, 0, sizeof shm);
}

/* One round through the window: pack its slabs into this rank's buffer, agree, unpack every
 * rank's segment for this one. */
static int round_shm(const rt_t *rt, const arr_t *a, const dist_t *to, side_t *src, side_t *dst,
                     plan_t *pl, int64_t t, err_t *err)
{
    int p = rt->nranks, me = rt->rank;
    int64_t *sc = pl->cnt;
    round_counts(rt, a, to, src, dst, pl, t);
    size_t sz = src->sz, hdr = shm_hdr(p);
    char *mine = shm_buf(me, t);
    int64_t *disp = (int64_t *)mine;
    for (int q = 0, so = 0; q < p; q++) {
        disp[q] = so;
        pl->cur[q] = mine + hdr + (size_t)so * sz;
        so += (int)seg_pad(sc[q], sz);
    }
    round_pack(rt, a, to, src, dst, pl, t);
    MPI_Win_sync(shm.win);
    int rc = arri_agree(rt, 0, err);
    MPI_Win_sync(shm.win);
    if (rc) {
        self_end(src, dst);
        return rc;
    }
    for (int q = 0; q < p; q++) {
        char *b = shm_buf(q, t);
        pl->cur[q] = b + hdr + (size_t)((const int64_t *)b)[me] * sz;
    }
    round_unpack(rt, a, to, src, dst, pl, t);
    return 0;
}

int coll_redist(const rt_t *rt, const arr_t *a, const dist_t *to, arr_t **out, err_t *err)
{
    int p = rt->nranks, nd = a->ndim;
    size_t sz = dt_size(a->dtype);
    arr_t *src = NULL, *dst = NULL;
    side_t s, r;
    plan_t pl;
    char *sbuf = NULL, *rbuf = NULL;
    memset(&s, 0, sizeof s);
    memset(&r, 0, sizeof r);
    memset(&pl, 0, sizeof pl);
    int rc = 0;
    if (a->buf) {
        src = arr_ref((arr_t *)a);
    } else { /* a virtual array: its values drawn into a chunk first */
        rc = arri_new(rt, nd, a->lshape, a->dtype, 0, NULL, &src, err);
        if (!rc) arri_copy_chunk(src, a);
    }
    if (!rc) rc = arri_new_out(rt, a->dtype, 1, to, nd, a->shape, &dst, err);
    if (!rc && nd) {
        int64_t row = 1;
        for (int d = 1; d < nd; d++)
            row *= a->shape[d];
        int64_t rb = row * (int64_t)sz;
        pl.rows = rb ? coll_round_bytes / p / rb : a->shape[0];
        if (pl.rows < 1) pl.rows = 1;
        pl.nslabs = (a->shape[0] + pl.rows - 1) / pl.rows;
        pl.nrounds = (pl.nslabs + p - 1) / p;
        rc = side_init(&s, src, &a->dist, to, rt->rank, err);
        if (!rc) rc = side_init(&r, dst, to, &a->dist, rt->rank, err);
        r.nt = arri_lsize(dst) * (int64_t)sz >= ARRI_NT_MIN;
        int64_t scratch = 0;
        for (int d = 0; d < nd; d++)
            scratch += a->dist.grid[d] + to->grid[d];
        pl.cnt = mem_alloc((size_t)(2 * p + scratch) * sizeof *pl.cnt);
        pl.sc = mem_alloc((size_t)p * 4 * sizeof *pl.sc);
        pl.cur = mem_alloc((size_t)p * sizeof *pl.cur);
        pl.at = mem_alloc((size_t)p * sizeof *pl.at);
        if (!rc && (!pl.cnt || !pl.sc || !pl.cur || !pl.at))
            rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        pl.sd = pl.sc + p;
        pl.rcn = pl.sc + 2 * p;
        pl.rd = pl.sc + 3 * p;
        if (!rc) rc = plan_sizes(rt, a, to, &s, &r, &pl, err);
    }
    rc = arri_agree(rt, rc, err);
    /* collective: every rank has its plan (or none got past the agreement) */
    int viashm = !rc && nd && shm_ready(rt, pl.sbytes);
    if (!rc && nd && !viashm) {
        sbuf = mem_aligned(64, pl.sbytes + 1);
        rbuf = mem_aligned(64, pl.rbytes + 1);
        if (!sbuf || !rbuf) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        rc = arri_agree(rt, rc, err);
    }
    if (!rc && !nd) {
        if (arri_lsize(src) && arri_lsize(dst)) memcpy(arri_base(dst), arri_base(src), sz);
    } else if (!rc) {
        MPI_Datatype el;
        MPI_Type_contiguous((int)sz, MPI_BYTE, &el);
        MPI_Type_commit(&el);
        int was = rt_wait_begin(rt, RT_COLLECTIVE);
        for (int64_t t = 0; !rc && t < pl.nrounds; t++)
            rc = viashm ? round_shm(rt, a, to, &s, &r, &pl, t, err)
                        : arri_agree(rt, round_move(rt, a, to, &s, &r, &pl, t, sbuf, rbuf, el, err),
                                     err);
        rt_wait_end(rt, was);
        MPI_Type_free(&el);
    }
    mem_free(sbuf);
    mem_free(rbuf);
    mem_free(pl.sc);
    mem_free(pl.cur);
    mem_free(pl.at);
    mem_free(pl.cnt);
    side_free(&s);
    side_free(&r);
    arr_unref(&src);
    if (rc) {
        arr_unref(&dst);
        return rc;
    }
    *out = dst;
    return 0;
}
