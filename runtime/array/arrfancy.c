/* arrfancy.c - NumPy's advanced indexing with several index arrays in one subscript
 * (x[[0, 1], [2, 3]], x[i2d, j], x[m, [0, 2]], x[None, [1, 0]], x[True, [1, 0]]), read and
 * written, for arridx.c's arr_getitem and arr_setitem.
 *
 * NumPy's rules: the index arrays (a mask counts as its nonzero() arrays, a 0-d bool as an
 * array of length 1 or 0 on a new axis, an integer as an array of shape ()) broadcast
 * together to one shape B; the result has B's axes where the first advanced index was when
 * the advanced indices are adjacent, else first, and the axes of the basic indices in
 * order. Repeated indices in an assignment: the last write wins.
 *
 * How: y = x[b] (b: every index array replaced by ':', a 0-d bool by None: a view), its
 * indexed axes moved first and merged into one (transpose + reshape: a copy when the
 * merge needs one), then y[lin] with lin the C-order linear index over the merged axes, an
 * int64 array of shape B (in B's default rows when an index array is distributed, made
 * locally from every index array's elements, each read in that layout), gathered by
 * arridx.c's one-array take: an owner lookup and one all-to-all, never the whole array on
 * one rank. x[idx] = v writes into y[lin] the same way, then y back through x[b] when y
 * is a copy. Integers stay basic indices in b: selecting there gives the same elements as
 * broadcasting them. */
#include <stdio.h>
#include <string.h>

#include "arr.h"
#include "arrint.h"
#include "coll.h"
#include "mem.h"

#define MAXADV (ARR_MAXDIM * 2)

typedef struct {
    idx_t b[MAXADV];   /* the basic subscript x[b] */
    int nb;            /* entries in b */
    int nadv;          /* index arrays (after masks are split) */
    int axis[MAXADV];  /* each one's axis in y = x[b] */
    int xaxis[MAXADV]; /* and in x (for messages; -1 for a 0-d bool's new axis) */
    arr_t *ix[MAXADV]; /* the int index arrays (owned) */
    int pos;           /* where B's axes go in the result */
    int bnd;           /* B's number of axes */
    int64_t bshape[ARR_MAXDIM];
} fancy_t;

static void fancy_free(fancy_t *f)
{
    for (int k = 0; k < f->nadv; k++)
        arr_unref(&f->ix[k]);
}

/* 1 when idx is this module's: two index arrays or more, or one beside None or a 0-d bool. */
static int is_fancy(const idx_t *idx, int nidx)
{
    int arrays = 0, other = 0;
    for (int k = 0; k < nidx; k++) {
        arrays += idx[k].kind == IDX_ARRAY;
        other += idx[k].kind == IDX_NEWAXIS || idx[k].kind == IDX_BOOL;
    }
    return arrays >= 2 || (arrays == 1 && other > 0);
}

static void shape_text(const int64_t *s, int n, char *buf, size_t cap)
{
    size_t len = (size_t)snprintf(buf, cap, "(");
    for (int d = 0; d < n && len < cap; d++)
        len += (size_t)snprintf(buf + len, cap - len, d ? ", %lld" : "%lld", (long long)s[d]);
    if (len < cap) snprintf(buf + len, cap - len, n == 1 ? ",)" : ")");
}

/* B: the index arrays' shapes broadcast together, or NumPy's IndexError. */
static int broadcast(fancy_t *f, err_t *err)
{
    int nd = 0;
    for (int k = 0; k < f->nadv; k++)
        nd = f->ix[k]->ndim > nd ? f->ix[k]->ndim : nd;
    if (nd > ARR_MAXDIM) return err_set(err, PARC_EINDEX, (span_t){0}, "too many dimensions");
    for (int d = 0; d < nd; d++)
        f->bshape[d] = 1;
    int bad = 0;
    for (int k = 0; k < f->nadv; k++) {
        const arr_t *a = f->ix[k];
        for (int d = 0; d < a->ndim; d++) {
            int64_t *s = &f->bshape[nd - a->ndim + d], n = a->shape[d];
            if (*s == 1)
                *s = n;
            else if (n != 1 && n != *s)
                bad = 1;
        }
    }
    f->bnd = nd;
    if (!bad) return 0;
    char msg[192];
    size_t len = (size_t)snprintf(msg, sizeof msg,
                                  "shape mismatch: indexing arrays could not be broadcast together "
                                  "with shapes");
    for (int k = 0; k < f->nadv && len < sizeof msg; k++) {
        char s[64];
        shape_text(f->ix[k]->shape, f->ix[k]->ndim, s, sizeof s);
        len += (size_t)snprintf(msg + len, sizeof msg - len, " %s", s);
    }
    return err_set(err, PARC_EINDEX, (span_t){0}, "%s", msg);
}

/* Adds index array ix (taken) on y's axis ax (x's axis xax). */
static void add(fancy_t *f, arr_t **ix, int ax, int xax)
{
    f->axis[f->nadv] = ax;
    f->xaxis[f->nadv] = xax;
    f->ix[f->nadv++] = *ix;
    *ix = NULL;
}

/* Splits idx (0-d arrays already replaced by arr_getitem) into the basic subscript and the
 * index arrays, with NumPy's checks. Collective for a distributed mask in global view. */
static int plan(rt_t *rt, const arr_t *a, const idx_t *idx, int nidx, fancy_t *f, err_t *err)
{
    memset(f, 0, sizeof *f);
    int xax = 0, yax = 0, first = -1, last = -1, nadv = 0, before = 0, rc = 0;
    for (int k = 0; k < nidx; k++) {
        const idx_t *e = &idx[k];
        int adv = e->kind == IDX_ARRAY || e->kind == IDX_INT || e->kind == IDX_BOOL;
        if (adv) {
            if (first < 0) first = k;
            last = k;
            nadv++;
        } else if (first < 0) {
            before++; /* a slice or None before the first advanced index: one result axis */
        }
        int m = e->kind == IDX_ARRAY && e->arr->dtype == DT_BOOL ? e->arr->ndim : 1;
        xax += e->kind == IDX_NEWAXIS || e->kind == IDX_BOOL ? 0 : m;
    }
    if (xax > a->ndim)
        return err_set(err, PARC_EINDEX, (span_t){0},
                       "too many indices for array: array is %d-dimensional, but %d were indexed",
                       a->ndim, xax);
    f->pos = last - first + 1 == nadv ? before : 0;
    xax = 0;
    for (int k = 0; !rc && k < nidx; k++) {
        const idx_t *e = &idx[k];
        if (f->nb + (e->kind == IDX_ARRAY ? e->arr->ndim : 1) > MAXADV)
            return err_set(err, PARC_EINDEX, (span_t){0}, "too many indices");
        if (e->kind == IDX_INT || e->kind == IDX_SLICE || e->kind == IDX_NEWAXIS) {
            f->b[f->nb++] = *e;
            yax += e->kind != IDX_INT;
            xax += e->kind != IDX_NEWAXIS;
            continue;
        }
        if (e->kind == IDX_BOOL) {
            /* a new axis of length 1, indexed by zeros of length 1 (True) or 0 (False) */
            int64_t n = e->i != 0;
            arr_t *z = NULL;
            val_t zero = val_int(0);
            f->b[f->nb++] = (idx_t){.kind = IDX_NEWAXIS};
            rc = arri_new(rt, 1, &n, DT_INT64, 0, NULL, &z, err);
            if (!rc && n) arri_store_val(DT_INT64, arri_base(z), &zero);
            if (!rc) add(f, &z, yax, -1);
            yax++;
            continue;
        }
        const arr_t *m = e->arr;
        if (m->dtype != DT_BOOL) {
            if (m->dtype != DT_INT32 && m->dtype != DT_INT64)
                return err_set(err, PARC_EINDEX, (span_t){0},
                               "arrays used as indices must be of integer (or boolean) type");
            f->b[f->nb++] = (idx_t){.kind = IDX_SLICE, .step = 1};
            arr_t *r = rt->local && m->isdist ? arr_local(m) : arr_ref(e->arr);
            if (!r) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
            add(f, &r, yax++, xax++);
            continue;
        }
        for (int d = 0; d < m->ndim; d++)
            if (m->shape[d] != a->shape[xax + d])
                return err_set(err, PARC_EINDEX, (span_t){0},
                               "boolean index did not match indexed array along dimension %d; "
                               "dimension is %lld but corresponding boolean dimension is %lld",
                               xax + d, (long long)a->shape[xax + d], (long long)m->shape[d]);
        val_t nz = val_none();
        rc = arr_nonzero(rt, e->arr, &nz, err);
        for (int d = 0; !rc && d < m->ndim; d++) {
            arr_t *r = arr_ref(((const seq_t *)nz.u.o)->v[d].u.a);
            f->b[f->nb++] = (idx_t){.kind = IDX_SLICE, .step = 1};
            add(f, &r, yax++, xax++);
        }
        val_drop(&nz);
    }
    if (!rc) rc = broadcast(f, err);
    return rc;
}

/* lin: the C-order index over the indexed axes of y (sizes n[]), shape B, from every index
 * array broadcast to B (bounds checked). Distributed in B's default rows when an index
 * array is (each such one is first written into that layout), else local. The same
 * outcome on every rank in global view. */
static int linear(rt_t *rt, const fancy_t *f, const int64_t *n, arr_t **out, err_t *err)
{
    int dist = 0, rc = 0;
    for (int k = 0; k < f->nadv; k++)
        dist |= f->ix[k]->isdist && !rt->local;
    arr_t *src[MAXADV] = {NULL}, *lin = NULL;
    rc = arri_new(rt, f->bnd, f->bshape, DT_INT64, dist, NULL, &lin, err);
    if (dist) rc = arri_agree(rt, rc, err);
    for (int k = 0; !rc && k < f->nadv; k++) {
        arr_t *ix = f->ix[k];
        if (dist && ix->isdist) {
            /* in lin's layout: B's rows */
            val_t iv = val_array(&(arr_t *){arr_ref(ix)});
            rc = arri_new(rt, f->bnd, f->bshape, ix->dtype, 1, NULL, &src[k], err);
            rc = arri_agree(rt, rc, err);
            if (!rc) rc = arr_setitem(rt, src[k], NULL, 0, &iv, err);
            val_drop(&iv);
        } else if (!(src[k] = ix->isdist ? arr_local(ix) : arr_ref(ix))) {
            rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        }
    }
    int64_t m = rc ? 0 : arri_lsize(lin), g0 = 0;
    if (!rc && dist) {
        g0 = arri_row(lin, rt->rank);
        for (int d = 1; d < f->bnd; d++)
            g0 *= f->bshape[d];
    }
    for (int64_t e = 0; !rc && e < m; e++) {
        int64_t l = 0;
        for (int k = 0; !rc && k < f->nadv; k++) {
            const arr_t *s = src[k];
            const void *p =
                s->isdist ? arri_addr(s, e) : arri_bcast_addr(s, f->bnd, f->bshape, g0 + e);
            int64_t i = arri_loadi(s->dtype, p);
            if (i < -n[k] || i >= n[k])
                rc = err_set(err, PARC_EINDEX, (span_t){0},
                             "index %lld is out of bounds for axis %d with size %lld", (long long)i,
                             f->xaxis[k] < 0 ? 0 : f->xaxis[k], (long long)n[k]);
            l = l * n[k] + (i < 0 ? i + n[k] : i);
        }
        memcpy(arri_addr(lin, e), &l, sizeof l);
    }
    for (int k = 0; k < f->nadv; k++)
        arr_unref(&src[k]);
    if (!rt->local) rc = arri_agree(rt, rc, err);
    if (rc) {
        arr_unref(&lin);
        return rc;
    }
    *out = lin;
    return 0;
}

/* y = x[b] with the indexed axes moved first (*t, perm in *perm) and merged (*t2), and lin. */
typedef struct {
    arr_t *t, *t2, *lin;
    int perm[ARR_MAXDIM];
} merged_t;

static void merged_free(merged_t *g)
{
    arr_unref(&g->t);
    arr_unref(&g->t2);
    arr_unref(&g->lin);
}

static int merge(rt_t *rt, arr_t *a, const fancy_t *f, merged_t *g, err_t *err)
{
    memset(g, 0, sizeof *g);
    val_t yv = val_none();
    int rc = arr_getitem(rt, a, f->b, f->nb, &yv, err);
    if (rc) return rc;
    arr_t *y = yv.u.a;
    int used[ARR_MAXDIM] = {0}, np = 0;
    int64_t n[MAXADV], shape[ARR_MAXDIM], cells = 1;
    for (int k = 0; k < f->nadv; k++) {
        if (used[f->axis[k]]) {
            /* two index arrays on one axis cannot happen: b has one ':' per array */
            val_drop(&yv);
            return err_set(err, PARC_ERUNTIME, (span_t){0}, "an axis indexed twice");
        }
        used[f->axis[k]] = 1;
        g->perm[np++] = f->axis[k];
        n[k] = y->shape[f->axis[k]];
        cells *= n[k];
    }
    for (int d = 0; d < y->ndim; d++)
        if (!used[d]) g->perm[np++] = d;
    int nd = 1;
    shape[0] = cells;
    for (int d = f->nadv; d < y->ndim; d++)
        shape[nd++] = y->shape[g->perm[d]];
    rc = arr_transpose(rt, y, g->perm, &g->t, err);
    if (!rc) rc = arr_reshape(rt, g->t, nd, shape, &g->t2, err);
    if (!rc) rc = linear(rt, f, n, &g->lin, err);
    val_drop(&yv);
    if (rc) merged_free(g);
    return rc;
}

static int get(rt_t *rt, arr_t *a, const fancy_t *f, val_t *out, err_t *err)
{
    merged_t g;
    int rc = merge(rt, a, f, &g, err);
    if (rc) return rc;
    idx_t one = {.kind = IDX_ARRAY, .arr = g.lin};
    val_t r = val_none();
    arr_t *res = NULL;
    rc = arr_getitem(rt, g.t2, &one, 1, &r, err);
    if (!rc) rc = arri_move_axes(rt, r.u.a, 0, f->bnd, f->pos, &res, err);
    val_drop(&r);
    merged_free(&g);
    if (rc) return rc;
    *out = val_array(&res);
    return 0;
}

/* v (an array) broadcast to x[idx]'s shape with B's axes moved first, as y[lin] has them. */
static int value_first(rt_t *rt, const merged_t *g, const fancy_t *f, const val_t *v, arr_t **out,
                       err_t *err)
{
    int64_t shape[ARR_MAXDIM];
    int nd = f->bnd + g->t2->ndim - 1;
    if (nd > ARR_MAXDIM) return err_set(err, PARC_EINDEX, (span_t){0}, "too many dimensions");
    for (int d = 0, j = 1; d < nd; d++)
        shape[d] = d >= f->pos && d < f->pos + f->bnd ? f->bshape[d - f->pos] : g->t2->shape[j++];
    val_t zero = val_int(0);
    arr_t *full = NULL;
    int rc = arr_full(rt, nd, shape, arr_dtype(v->u.a), &zero, NULL, &full, err);
    if (!rc) rc = arr_setitem(rt, full, NULL, 0, v, err);
    if (!rc) rc = arri_move_axes(rt, full, f->pos, f->bnd, 0, out, err);
    arr_unref(&full);
    return rc;
}

/* y back into x[b] when merging y's axes copied: un-merged, un-moved, without b's new axes. */
static int write_back(rt_t *rt, arr_t *a, const fancy_t *f, const merged_t *g, err_t *err)
{
    int64_t copied = 0;
    int rc = arri_copied_from(rt, a, g->t2, &copied, err);
    if (rc || !copied) return rc;
    int inv[ARR_MAXDIM], nd = 0;
    int64_t shape[ARR_MAXDIM];
    for (int d = 0; d < g->t->ndim; d++)
        inv[g->perm[d]] = d;
    arr_t *u = NULL, *y = NULL, *z = NULL;
    rc = arr_reshape(rt, g->t2, g->t->ndim, g->t->shape, &u, err);
    if (!rc) rc = arr_transpose(rt, u, inv, &y, err);
    /* y's axes from None entries of b have length 1: dropped, as x[b] = v expects */
    for (int k = 0, d = 0; !rc && k < f->nb; k++) {
        if (f->b[k].kind == IDX_INT) continue;
        if (f->b[k].kind != IDX_NEWAXIS) shape[nd++] = y->shape[d];
        d++;
    }
    if (!rc) rc = arr_reshape(rt, y, nd, shape, &z, err);
    if (!rc) {
        val_t zv = val_array(&z);
        rc = arr_setitem(rt, a, f->b, f->nb, &zv, err);
        val_drop(&zv);
    }
    arr_unref(&u);
    arr_unref(&y);
    arr_unref(&z);
    return rc;
}

static int set(rt_t *rt, arr_t *a, const fancy_t *f, const val_t *v, err_t *err)
{
    merged_t g;
    int rc = merge(rt, a, f, &g, err);
    if (rc) return rc;
    arr_t *vb = NULL;
    if (v->kind == V_ARRAY) rc = value_first(rt, &g, f, v, &vb, err);
    val_t wv = vb ? val_array(&vb) : val_none();
    idx_t one = {.kind = IDX_ARRAY, .arr = g.lin};
    if (!rc) rc = arr_setitem(rt, g.t2, &one, 1, v->kind == V_ARRAY ? &wv : v, err);
    if (!rc) rc = write_back(rt, a, f, &g, err);
    val_drop(&wv);
    merged_free(&g);
    return rc;
}

int arri_fancy(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, int sep, const val_t *v, val_t *out,
               int *rc, err_t *err)
{
    if (!is_fancy(idx, nidx)) return 0;
    /* in local view a distributed x is its chunk, and so is each index array */
    fancy_t f;
    arr_t *x = rt->local && a->isdist ? arr_local(a) : arr_ref(a);
    if (!x) {
        *rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        return 1;
    }
    *rc = plan(rt, x, idx, nidx, &f, err);
    if (sep) f.pos = 0;
    if (!*rc) *rc = v ? set(rt, x, &f, v, err) : get(rt, x, &f, out, err);
    fancy_free(&f);
    arr_unref(&x);
    return 1;
}

int arri_move_axes(rt_t *rt, arr_t *x, int from, int n, int to, arr_t **out, err_t *err)
{
    if (from == to || n == 0) {
        *out = arr_ref(x);
        return 0;
    }
    int rest[ARR_MAXDIM], perm[ARR_MAXDIM], nr = 0;
    for (int d = 0; d < x->ndim; d++)
        if (d < from || d >= from + n) rest[nr++] = d;
    for (int d = 0, j = 0; d < x->ndim; d++)
        perm[d] = d >= to && d < to + n ? from + d - to : rest[j++];
    return arr_transpose(rt, x, perm, out, err);
}

int arri_copied_from(rt_t *rt, const arr_t *a, const arr_t *t, int64_t *copied, err_t *err)
{
    *copied = t->buf != a->buf;
    return a->isdist && !rt->local ? coll_sum_i64(rt, copied, 1, err) : 0;
}

const char *arri_bcast_addr(const arr_t *src, int ndim, const int64_t *shape, int64_t g)
{
    int64_t off = src->loff;
    for (int d = ndim - 1; d >= 0; d--) {
        int64_t i = shape[d] ? g % shape[d] : 0;
        g = shape[d] ? g / shape[d] : 0;
        int sd = d - (ndim - src->ndim);
        if (sd >= 0 && src->shape[sd] != 1) off += i * src->lstride[sd];
    }
    return (const char *)src->buf->p + off * (int64_t)dt_size(src->dtype);
}
