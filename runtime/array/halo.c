/* halo.c - halo reads of shifted layouts (halo.h).
 *
 * Along each dimension d this rank's block under `to` (the needed range [nlo, nlo + len))
 * falls into three consecutive segments: [0, b1) held by the grid neighbour at coordinate
 * c - 1 of a's layout, [b1, b2) held here, [b2, len) held by c + 1 (halo_fits makes sure
 * nothing lies further). The block is then a grid of 3^h cells, h the dimensions with more
 * than one engine: the middle cell is a's own chunk, read in place with its strides; every
 * other non-empty cell is received once, dense in C order, from the neighbour at that
 * offset (corners included). Which rank sends what is computed by every rank from the two
 * layouts alone, so the sizes of a send and its receive agree without asking. */
#include "halo.h"

#include <string.h>

#include "coll.h"
#include "mem.h"

struct halo {
    arr_t *a;                   /* the array read (a reference) */
    int nd;                     /* dimensions */
    size_t sz;                  /* element size */
    int64_t len[ARR_MAXDIM];    /* this rank's block under `to` */
    int64_t b1[ARR_MAXDIM];     /* own segment [b1, b2) along each dimension */
    int64_t b2[ARR_MAXDIM];     /*   (in block coordinates) */
    int64_t off[ARR_MAXDIM];    /* a's local index of block index b1 */
    int64_t mult[ARR_MAXDIM];   /* cell index weight of the dimension (0: one engine) */
    int own;                    /* the cell index of a's own chunk */
    char **cell;                /* per cell index: its dense elements (NULL: own or empty) */
    char *mem;                  /* the received cells, then the packed sends */
    size_t got;                 /* bytes of the received cells */
    int linear;                 /* 1: the own cell is one run of a's contiguous chunk */
    int64_t lin0, lin1, linoff; /* its flat block range, and a's flat index of lin0 */
};

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

int halo_fits(const dist_t *from, const dist_t *to)
{
    if (from->ndim != to->ndim || from->nranks != to->nranks || to->ndim == 0) return 0;
    for (int d = 0; d < to->ndim; d++) {
        if (from->shape[d] != to->shape[d] || from->grid[d] != to->grid[d]) return 0;
        if ((from->kind[d] != 'b' && from->kind[d] != 'n') ||
            (to->kind[d] != 'b' && to->kind[d] != 'n'))
            return 0;
        int p = to->grid[d];
        for (int c = 0; c < p; c++) {
            int64_t lo, hi, flo, fhi, t;
            dist_block_range(to, d, c, &lo, &hi);
            if (hi <= lo) continue;
            dist_block_range(from, d, c > 0 ? c - 1 : c, &flo, &t);
            dist_block_range(from, d, c + 1 < p ? c + 1 : c, &t, &fhi);
            if (lo < flo || hi > fhi) return 0;
        }
    }
    return 1;
}

/* Segment k (0, 1, 2) of dimension d: its start and length in block coordinates. */
static int64_t seg_start(const halo_t *h, int d, int k)
{
    return k == 0 ? 0 : k == 1 ? h->b1[d] : h->b2[d];
}

static int64_t seg_len(const halo_t *h, int d, int k)
{
    return k == 0 ? h->b1[d] : k == 1 ? h->b2[d] - h->b1[d] : h->len[d] - h->b2[d];
}

/* The segment of each dimension that cell index ci names. */
static void cell_segs(const halo_t *h, int ci, int *k)
{
    for (int d = 0; d < h->nd; d++)
        k[d] = h->mult[d] ? (int)(ci / h->mult[d]) % 3 : 1;
}

/* Copies the box of shape sh whose first element is at src (strides st, in elements) into
 * dst densely, C order. */
static void pack(int nd, const int64_t *sh, const char *src, const int64_t *st, size_t sz,
                 char *dst)
{
    int64_t n = 1, idx[ARR_MAXDIM] = {0};
    for (int d = 0; d < nd; d++)
        n *= sh[d];
    if (n == 0) return;
    int last = nd - 1;
    for (int64_t k = 0; k < n; k += sh[last]) {
        const char *p = src;
        for (int d = 0; d < last; d++)
            p += idx[d] * st[d] * (int64_t)sz;
        if (st[last] == 1) {
            memcpy(dst, p, (size_t)sh[last] * sz);
            dst += (size_t)sh[last] * sz;
        } else {
            for (int64_t j = 0; j < sh[last]; j++, dst += sz)
                memcpy(dst, p + j * st[last] * (int64_t)sz, sz);
        }
        for (int d = last - 1; d >= 0; d--) {
            if (++idx[d] < sh[d]) break;
            idx[d] = 0;
        }
    }
}

void halo_free(halo_t **hp)
{
    if (!hp || !*hp) return;
    halo_t *h = *hp;
    arr_unref(&h->a);
    mem_free(h->cell);
    mem_free(h->mem);
    mem_free(h);
    *hp = NULL;
}

int64_t halo_origin(const halo_t *h)
{
    int64_t o = h->a->loff;
    for (int d = 0; d < h->nd; d++)
        o += (h->off[d] - h->b1[d]) * h->a->lstride[d];
    return o;
}

size_t halo_bytes(const halo_t *h)
{
    return h->got;
}

/* What one rank sends to or receives from one neighbour: the box's shape, and where it
 * starts in a's chunk (sends) or the cell index it fills (receives). */
typedef struct {
    int peer, ci;
    int64_t sh[ARR_MAXDIM], lo[ARR_MAXDIM];
    size_t bytes;
} piece_t;

/* The boxes this rank receives (send 0) or sends (send 1), one per neighbour offset, into
 * ps (3^h entries); returns how many are non-empty. */
static int plan(const halo_t *h, const dist_t *from, const dist_t *to, const int *fc, int send,
                piece_t *ps)
{
    int np = 0, ncell = h->own * 2 + 1;
    for (int ci = 0; ci < ncell; ci++) {
        if (ci == h->own) continue;
        int k[ARR_MAXDIM], qc[ARR_MAXDIM], ok = 1;
        cell_segs(h, ci, k);
        piece_t *p = &ps[np];
        p->ci = ci;
        p->bytes = h->sz;
        for (int d = 0; d < h->nd && ok; d++) {
            qc[d] = fc[d] + k[d] - 1;
            ok = qc[d] >= 0 && qc[d] < to->grid[d];
            if (!ok) break;
            if (!send) {
                p->sh[d] = seg_len(h, d, k[d]);
            } else {
                /* the neighbour's block under `to` within what a holds here */
                int64_t nlo, nhi, alo, ahi, lo;
                dist_block_range(to, d, qc[d], &nlo, &nhi);
                dist_block_range(from, d, fc[d], &alo, &ahi);
                lo = nlo > alo ? nlo : alo;
                p->sh[d] = (nhi < ahi ? nhi : ahi) - lo;
                if (p->sh[d] < 0) p->sh[d] = 0;
                p->lo[d] = lo - alo;
            }
            p->bytes *= (size_t)p->sh[d];
        }
        if (!ok || p->bytes == 0) continue;
        p->peer = dist_rank(to, qc);
        np++;
    }
    return np;
}

/* halo_new (exchange 1) and halo_here (0: nothing is received or sent). */
static int make(const rt_t *rt, const arr_t *a, const dist_t *to, int exchange, halo_t **out,
                err_t *err)
{
    halo_t *h = mem_calloc(1, sizeof *h);
    int nd = a->ndim, fc[ARR_MAXDIM], ncell = 1, rc = 0;
    piece_t *ps = NULL;
    coll_msg_t *msg = NULL;
    if (!h) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    dist_coords(to, rt->rank, fc);
    for (int d = 0; !rc && d < nd; d++) {
        int64_t nlo = 0, nhi = a->lshape[d], alo = 0, ahi = nhi;
        if (to->kind[d] != 'v' && a->dist.kind[d] != 'v') {
            /* a view dimension is only read in its own layout (halo_fits refuses it) */
            dist_block_range(to, d, fc[d], &nlo, &nhi);
            dist_block_range(&a->dist, d, fc[d], &alo, &ahi);
        }
        h->len[d] = nhi - nlo;
        h->b1[d] = clamp(alo - nlo, 0, h->len[d]);
        h->b2[d] = clamp(ahi - nlo, h->b1[d], h->len[d]);
        h->off[d] = nlo + h->b1[d] - alo;
        h->mult[d] = to->grid[d] > 1 ? ncell : 0;
        if (to->grid[d] > 1) ncell *= 3;
    }
    if (!rc) {
        h->a = arr_ref((arr_t *)a);
        h->nd = nd;
        h->sz = dt_size(a->dtype);
        h->own = ncell / 2; /* every weight times segment 1 */
        h->cell = mem_calloc((size_t)ncell, sizeof *h->cell);
        ps = mem_alloc((size_t)ncell * 2 * sizeof *ps);
        msg = mem_alloc((size_t)ncell * 2 * sizeof *msg);
        if (!h->cell || !ps || !msg) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    }
    int nr = 0, ns = 0;
    size_t total = 0;
    if (!rc && exchange) {
        nr = plan(h, &a->dist, to, fc, 0, ps);
        ns = plan(h, &a->dist, to, fc, 1, ps + nr);
    }
    if (!rc) {
        for (int i = 0; i < nr + ns; i++)
            total += ps[i].bytes;
        h->mem = mem_alloc(total + 1);
        if (!h->mem) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    }
    if (!rc) {
        char *p = h->mem;
        for (int i = 0; i < nr; i++)
            h->got += ps[i].bytes;
        const char *base = (const char *)a->buf->p + a->loff * (int64_t)h->sz;
        for (int i = 0; i < nr + ns; i++) {
            msg[i] = (coll_msg_t){ps[i].peer, p, ps[i].bytes};
            if (i < nr) {
                h->cell[ps[i].ci] = p;
            } else {
                const char *src = base;
                for (int d = 0; d < nd; d++)
                    src += ps[i].lo[d] * a->lstride[d] * (int64_t)h->sz;
                pack(nd, ps[i].sh, src, a->lstride, h->sz, p);
            }
            p += ps[i].bytes;
        }
    }
    if (exchange) rc = coll_exchange(rt, rc, msg ? msg + nr : NULL, ns, msg, nr, err);
    mem_free(ps);
    mem_free(msg);
    if (rc) {
        halo_free(&h);
        return rc;
    }
    /* The own cell is one run of a contiguous chunk when only axis 0 has a halo and the
     * chunk's other axes are the block's. */
    int64_t inner = 1;
    h->linear = arri_contig(a);
    for (int d = 1; d < nd; d++) {
        h->linear &=
            h->b1[d] == 0 && h->b2[d] == h->len[d] && h->off[d] == 0 && a->lshape[d] == h->len[d];
        inner *= h->len[d];
    }
    if (nd > 0) {
        h->lin0 = h->b1[0] * inner;
        h->lin1 = h->b2[0] * inner;
        h->linoff = h->off[0] * inner;
    }
    *out = h;
    return 0;
}

int halo_new(const rt_t *rt, const arr_t *a, const dist_t *to, halo_t **out, err_t *err)
{
    return make(rt, a, to, 1, out, err);
}

int halo_here(const rt_t *rt, const arr_t *a, const dist_t *to, halo_t **out, err_t *err)
{
    return make(rt, a, to, 0, out, err);
}

/* Where the n elements of one cell starting at block index idx (along the last dimension)
 * are: the address of the first and the stride between them, in elements. */
static const char *piece(const halo_t *h, const int *k, const int64_t *idx, int64_t *stride)
{
    int last = h->nd - 1, ci = 0;
    for (int d = 0; d < h->nd; d++)
        ci += k[d] * (int)h->mult[d];
    if (ci == h->own) {
        const arr_t *a = h->a;
        int64_t off = a->loff;
        for (int d = 0; d < h->nd; d++)
            off += (idx[d] - h->b1[d] + h->off[d]) * a->lstride[d];
        *stride = a->lstride[last];
        return (const char *)a->buf->p + off * (int64_t)h->sz;
    }
    int64_t off = 0;
    for (int d = 0; d < h->nd; d++)
        off = off * seg_len(h, d, k[d]) + (idx[d] - seg_start(h, d, k[d]));
    *stride = 1;
    return h->cell[ci] + off * (int64_t)h->sz;
}

const void *halo_read(const halo_t *h, int64_t s, int64_t n, void *dst)
{
    size_t sz = h->sz;
    if (n <= 0) return dst;
    if (h->linear && s >= h->lin0 && s + n <= h->lin1)
        return (const char *)h->a->buf->p + (h->a->loff + h->linoff + s - h->lin0) * (int64_t)sz;
    int nd = h->nd, last = nd - 1, k[ARR_MAXDIM];
    int64_t idx[ARR_MAXDIM], q = s;
    for (int d = last; d >= 0; d--) {
        idx[d] = q % h->len[d];
        q /= h->len[d];
    }
    char *o = dst;
    while (n > 0) {
        int64_t run = h->len[last] - idx[last];
        if (run > n) run = n;
        for (int d = 0; d < last; d++)
            k[d] = idx[d] < h->b1[d] ? 0 : idx[d] < h->b2[d] ? 1 : 2;
        int64_t j = idx[last], end = j + run;
        while (j < end) {
            int kl = j < h->b1[last] ? 0 : j < h->b2[last] ? 1 : 2;
            int64_t e = kl == 0 ? h->b1[last] : kl == 1 ? h->b2[last] : h->len[last], st;
            if (e > end) e = end;
            k[last] = kl;
            idx[last] = j;
            const char *p = piece(h, k, idx, &st);
            if (st == 1 && o == dst && e - j == n) return p; /* all in one run of one cell */
            if (st == 1) {
                memcpy(o, p, (size_t)(e - j) * sz);
                o += (size_t)(e - j) * sz;
            } else {
                for (int64_t i = j; i < e; i++, o += sz, p += st * (int64_t)sz)
                    memcpy(o, p, sz);
            }
            j = e;
        }
        n -= run;
        idx[last] = end;
        for (int d = last; d > 0 && idx[d] == h->len[d]; d--) {
            idx[d] = 0;
            idx[d - 1]++;
        }
    }
    return dst;
}
