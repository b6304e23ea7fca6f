/* arridx.c - x[i], x[i, j], basic slices (views that share memory) and assignment through
 * them (arr_getitem, arr_setitem).
 *
 * A slice with a positive step on the distributed axis 0 stays distributed: every rank
 * keeps the selected rows it holds, so the view's row ranges are uneven but ascending. An
 * integer on the distributed axis picks a row that lives on one rank: x[i] with all axes
 * indexed is broadcast from that rank; x[i] of a 2-d array is a distributed view whose
 * first axis that rank holds whole (boundaries like [0, 0, n, n]), the others nothing.
 * Other layouts (a cyclic axis, a grid, an axis taken backwards) get views from
 * dist_slice and dist_pin (slice_view); a block-cyclic slice that cannot be one is a copy
 * that writes go back from (arr_back_t).
 * An integer index array (or list) on the first axis gives a copy whose rows come from
 * their owners (coll_take_rows; assignment through one: coll_put_rows).
 * A boolean mask alone gives the selected cells, split as the array's are (each rank
 * keeps its own, in order). newaxis entries are dropped, then the result gets its axes
 * of length 1 (arr_expand_dims: views). A negative step on the distributed axis that
 * cannot be a view selects the same rows with the positive step, then reverses them by
 * one all-to-all (a copy; assignment through one writes v reversed). One index array on another
 * axis, or a mask beside other indices, goes through those: see adv_plan and merge_mask; several
 * index arrays, or one beside None or a 0-d bool, go through arrfancy.c. */
#include <string.h>

#include "arr.h"
#include "arrint.h"
#include "coll.h"
#include "kern.h"
#include "mem.h"

typedef struct {
    int isint;
    int64_t start, step, count;
} sel_t;

static int parse(const arr_t *a, const idx_t *idx, int nidx, sel_t *sel, err_t *err)
{
    int nreal = 0;
    for (int k = 0; k < nidx; k++) {
        if (idx[k].kind == IDX_NEWAXIS || idx[k].kind == IDX_ARRAY)
            /* arr_getitem and arr_setitem take those apart before */
            return err_set(err, PARC_ERUNTIME, (span_t){0},
                           "internal error: newaxis or an index array reached basic indexing");
        nreal++;
    }
    if (nreal > a->ndim)
        return err_set(err, PARC_EINDEX, (span_t){0},
                       "too many indices for array: array is %d-dimensional, but %d were indexed",
                       a->ndim, nreal);
    for (int d = 0; d < a->ndim; d++) {
        int64_t n = a->shape[d];
        sel[d] = (sel_t){0, 0, 1, n};
        if (d >= nidx) continue;
        const idx_t *x = &idx[d];
        if (x->kind == IDX_INT) {
            int64_t i = x->i < 0 ? x->i + n : x->i;
            if (i < 0 || i >= n)
                return err_set(err, PARC_EINDEX, (span_t){0},
                               "index %lld is out of bounds for axis %d with size %lld",
                               (long long)x->i, d, (long long)n);
            sel[d] = (sel_t){1, i, 1, 1};
            continue;
        }
        int64_t step = x->has_step ? x->step : 1;
        if (step == 0) return err_set(err, PARC_EVALUE, (span_t){0}, "slice step cannot be zero");
        int64_t lo = step > 0 ? 0 : -1, hi = step > 0 ? n : n - 1;
        int64_t s = x->has_start ? x->start : (step > 0 ? lo : hi);
        int64_t e = x->has_stop ? x->stop : (step > 0 ? hi : lo);
        if (x->has_start) {
            if (s < 0) s += n;
            if (s < lo) s = lo;
            if (s > hi) s = hi;
        }
        if (x->has_stop) {
            if (e < 0) e += n;
            if (e < lo) e = lo;
            if (e > hi) e = hi;
        }
        int64_t cnt = step > 0 ? (e > s ? (e - s + step - 1) / step : 0)
                               : (s > e ? (s - e - step - 1) / (-step) : 0);
        sel[d] = (sel_t){0, s, step, cnt};
    }
    return 0;
}

static int owner(const arr_t *a, int64_t row)
{
    int64_t l;
    return dist_g2l(&a->dist, 0, row, &l);
}

/* A view of a (local or distributed) with sel. An integer on the distributed axis 0 (with
 * axes left over) gives a distributed view whose first axis the row's owner holds whole:
 * its chunk is the row in a's buffer, the other ranks' chunks are empty. */
static int view(const rt_t *rt, const arr_t *a, const sel_t *sel, arr_t **out, err_t *err)
{
    int dist = a->isdist;
    if (dist && sel[0].step < 0 && sel[0].count > 1)
        return err_set(err, PARC_ERUNTIME, (span_t){0},
                       "internal error: a negative step on the distributed axis reached view "
                       "(forward's)");
    arr_t *v = mem_calloc(1, sizeof *v);
    if (!v) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    v->refs = 1;
    v->dtype = a->dtype;
    v->isdist = dist;
    v->buf = a->buf;
    a->buf->refs++;
    v->loff = a->loff;
    int nd = 0, root = -1, p = rt->nranks;
    int64_t *vb = NULL; /* the view's axis-0 bounds when distributed */
    if (dist) {
        vb = mem_alloc((size_t)(p + 1) * sizeof *vb);
        if (!vb) {
            arr_unref(&v);
            return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        }
    }
    for (int d = 0; d < a->ndim; d++) {
        const sel_t *s = &sel[d];
        if (d == 0 && dist && s->isint) {
            root = owner(a, s->start);
            if (rt->rank == root) v->loff += (s->start - arri_row(a, root)) * a->lstride[0];
            continue;
        }
        if (d == 0 && dist) {
            int64_t step = s->step > 0 ? s->step : 1;
            for (int r = 0; r <= p; r++) {
                /* selected rows k with start + k*step < row r's start */
                int64_t b = arri_row(a, r) - s->start;
                int64_t k = b <= 0 ? 0 : (b + step - 1) / step;
                vb[r] = k < s->count ? k : s->count;
            }
            int64_t k0 = vb[rt->rank];
            int64_t lrow = s->start + k0 * step - arri_row(a, rt->rank);
            v->lshape[0] = vb[rt->rank + 1] - k0;
            if (v->lshape[0] > 0) v->loff += lrow * a->lstride[0];
            v->lstride[0] = a->lstride[0] * step;
            v->shape[0] = s->count;
            nd = 1;
            continue;
        }
        if (s->count > 0 || s->isint) v->loff += s->start * a->lstride[d];
        if (s->isint) continue;
        v->shape[nd] = s->count;
        v->lshape[nd] = s->count;
        v->lstride[nd] = a->lstride[d] * s->step;
        nd++;
    }
    v->ndim = nd;
    if (!dist || root >= 0) memcpy(v->shape, v->lshape, sizeof v->shape);
    int rc = 0;
    if (root >= 0) {
        if (nd == 0) rc = err_set(err, PARC_ERUNTIME, (span_t){0}, "a row view needs an axis left");
        for (int r = 0; r <= p; r++)
            vb[r] = r <= root ? 0 : v->shape[0];
        if (rt->rank != root) v->lshape[0] = 0;
    }
    if (dist && !rc) rc = arri_rows_dist(rt, nd, v->shape, vb, &v->dist, err);
    mem_free(vb);
    if (rc) {
        arr_unref(&v);
        return rc;
    }
    *out = v;
    return 0;
}

/* What x[idx] gives: the element itself when every index was an integer (then the 0-d
 * array *ap is dropped), else the array. Takes *ap. */
static int item_result(arr_t **ap, int allint, val_t *out)
{
    if (allint) {
        *out = arri_elem_val((*ap)->dtype, arri_base(*ap));
        arr_unref(ap);
        return 0;
    }
    *out = val_array(ap);
    return 0;
}

/* What x[...] = v writes from: NULL for a number, else v on this rank (*srcp), checked to
 * broadcast into shape (leading axes of length 1 beyond it are allowed). When v is
 * distributed with exactly the target's shape and bnd gives the target's split in rows of
 * shape (nranks + 1 entries), v is moved into that split (one all-to-all; *base is the
 * target's flat index of this rank's first element, see source_at); otherwise v is made
 * whole on this rank (*base -1). Collective when v is distributed. */
static int setitem_source(rt_t *rt, const val_t *v, int ndim, const int64_t *shape,
                          const int64_t *bnd, arr_t **srcp, int64_t *base, err_t *err)
{
    int rc = 0;
    arr_t *src = NULL;
    *base = -1;
    if (v->kind == V_ARRAY) {
        arr_t *va = v->u.a;
        int same = va->ndim == ndim;
        for (int d = 0; same && d < ndim; d++)
            same = va->shape[d] == shape[d];
        if (va->isdist && !rt->local && bnd && same && ndim > 0) {
            rc = coll_redistribute(rt, va, bnd, &src, err);
            *base = bnd[rt->rank];
            for (int d = 1; d < ndim; d++)
                *base *= shape[d];
        } else if (va->isdist && !rt->local) {
            rc = coll_allgather(rt, va, &src, err);
        } else if (!(src = va->isdist ? arr_local(va) : arr_ref(va))) {
            rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        }
        for (int d = 0; !rc && d < src->ndim; d++) {
            int td = ndim - src->ndim + d;
            if (src->shape[d] != 1 && (td < 0 || src->shape[d] != shape[td]))
                rc = err_set(err, PARC_EVALUE, (span_t){0},
                             "could not broadcast input array into the indexed shape");
        }
    } else if (!val_is_num(v)) {
        rc = err_set(err, PARC_ETYPE, (span_t){0}, "cannot assign a '%s' to array elements",
                     val_kind_name(v));
    }
    if (rc) arr_unref(&src);
    *srcp = src;
    return rc;
}

/* The element of setitem_source's src for the target's flat index g. */
static const char *source_at(const arr_t *src, int64_t base, int ndim, const int64_t *shape,
                             int64_t g)
{
    return base >= 0 ? arri_addr(src, g - base) : arri_bcast_addr(src, ndim, shape, g);
}

/* ---- index arrays ---- */

/* x[I, rest...] with I an integer index array: the rows of t = x[:, rest...] (a view) that
 * I picks, this rank's share of them, and the result's layout (shape I.shape +
 * t.shape[1:]). When t is distributed, each rank handles positions [k0, k0 + n) of I (its
 * chunk of I when I is distributed, else its block) and the result is split the same way;
 * otherwise every rank handles all of I and the result is local. */
typedef struct {
    arr_t *t;
    int64_t *rows, *bnd; /* rows[n]; bnd: the result's split (NULL when local) */
    int64_t n, k0, w;    /* w: elements per row of t */
    int rnd;
    int64_t rshape[ARR_MAXDIM];
} take_t;

static void take_free(take_t *tk)
{
    arr_unref(&tk->t);
    mem_free(tk->rows);
    mem_free(tk->bnd);
}

static int take_plan(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, take_t *tk, err_t *err)
{
    memset(tk, 0, sizeof *tk);
    arr_t *ix = idx[0].arr;
    for (int k = 1; k < nidx; k++)
        if (idx[k].kind == IDX_ARRAY)
            return err_set(err, PARC_ERUNTIME, (span_t){0},
                           "internal error: several index arrays reached take (arri_fancy's)");
    if (ix->dtype == DT_BOOL)
        return err_set(err, PARC_ERUNTIME, (span_t){0},
                       "internal error: a mask beside other indices reached take");
    if (ix->dtype != DT_INT32 && ix->dtype != DT_INT64)
        return err_set(err, PARC_EINDEX, (span_t){0},
                       "arrays used as indices must be of integer (or boolean) type");
    if (a->ndim == 0)
        return err_set(err, PARC_EINDEX, (span_t){0},
                       "too many indices for array: array is 0-dimensional, but 1 were indexed");
    if (ix->ndim == 0 || ix->ndim + a->ndim - 1 > ARR_MAXDIM)
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "the result would have %d dimensions; parc arrays have at most %d",
                       ix->ndim + a->ndim - 1, ARR_MAXDIM);
    idx_t v[ARR_MAXDIM * 2];
    memcpy(v, idx, (size_t)nidx * sizeof *v);
    v[0] = (idx_t){.kind = IDX_SLICE, .step = 1};
    val_t tv;
    int rc = arr_getitem(rt, a, v, nidx, &tv, err);
    if (rc) return rc;
    arr_t *t = tk->t = tv.u.a;
    int tdist = t->isdist && !rt->local, p = rt->nranks;
    tk->rnd = ix->ndim + t->ndim - 1;
    memcpy(tk->rshape, ix->shape, (size_t)ix->ndim * sizeof *ix->shape);
    memcpy(tk->rshape + ix->ndim, t->shape + 1, (size_t)(t->ndim - 1) * sizeof *t->shape);
    tk->w = 1;
    for (int d = 1; d < t->ndim; d++)
        tk->w *= t->shape[d];
    int64_t inner = 1; /* elements of I per row of I */
    for (int d = 1; d < ix->ndim; d++)
        inner *= ix->shape[d];
    /* src: where this rank reads its positions of I from (position k0 + k at src's k0s + k) */
    arr_t *src = NULL;
    int64_t s0 = 0;
    if (tdist) {
        tk->bnd = mem_alloc((size_t)(p + 1) * sizeof *tk->bnd);
        if (!tk->bnd) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        if (!rc && ix->isdist) {
            for (int r = 0; r <= p; r++)
                tk->bnd[r] = arri_row(ix, r);
            src = arr_ref(ix);
        } else if (!rc) {
            arri_block(ix->shape[0], p, tk->bnd);
            src = arr_ref(ix);
            s0 = tk->bnd[rt->rank] * inner;
        }
        if (!rc) {
            tk->k0 = tk->bnd[rt->rank] * inner;
            tk->n = (tk->bnd[rt->rank + 1] - tk->bnd[rt->rank]) * inner;
        }
        rc = arri_agree(rt, rc, err);
    } else if (ix->isdist && !rt->local) {
        rc = coll_allgather(rt, ix, &src, err); /* t is whole here: so must I be */
    } else {
        src = ix->isdist ? arr_local(ix) : arr_ref(ix);
        if (!src) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    }
    if (!rc && !tdist) tk->n = arri_lsize(src);
    if (!rc) {
        tk->rows = mem_alloc((size_t)(tk->n ? tk->n : 1) * sizeof *tk->rows);
        if (!tk->rows) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    }
    int64_t n0 = t->shape[0];
    for (int64_t k = 0; !rc && k < tk->n; k++) {
        int64_t i = arri_loadi(src->dtype, arri_addr(src, s0 + k));
        if (i < -n0 || i >= n0)
            rc = err_set(err, PARC_EINDEX, (span_t){0},
                         "index %lld is out of bounds for axis 0 with size %lld", (long long)i,
                         (long long)n0);
        else
            tk->rows[k] = i < 0 ? i + n0 : i;
    }
    arr_unref(&src);
    if (tdist) rc = arri_agree(rt, rc, err);
    return rc;
}

/* x[I, rest...] (a copy). */
static int take(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, val_t *out, err_t *err)
{
    take_t tk;
    int rc = take_plan(rt, a, idx, nidx, &tk, err);
    int coll = tk.bnd != NULL;
    arr_t *res = NULL;
    if (!rc) rc = arri_new(rt, tk.rnd, tk.rshape, a->dtype, coll, tk.bnd, &res, err);
    if (coll) rc = arri_agree(rt, rc, err);
    if (!rc && coll) {
        rc = coll_take_rows(rt, tk.t, tk.rows, tk.n, arri_base(res), err);
    } else if (!rc) {
        size_t sz = dt_size(a->dtype);
        for (int64_t k = 0; k < tk.n; k++)
            for (int64_t j = 0; j < tk.w; j++)
                memcpy(arri_addr(res, k * tk.w + j), arri_addr(tk.t, tk.rows[k] * tk.w + j), sz);
    }
    take_free(&tk);
    if (rc) {
        arr_unref(&res);
        return rc;
    }
    *out = val_array(&res);
    return 0;
}

/* x[I, rest...] = v: v (a number, or an array broadcast to the indexed shape) written into
 * the rows I picks, the last of repeated rows winning as in NumPy. */
static int put(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, const val_t *v, err_t *err)
{
    take_t tk;
    int rc = take_plan(rt, a, idx, nidx, &tk, err);
    int coll = tk.bnd != NULL;
    if (rc) {
        take_free(&tk);
        return rc;
    }
    int dt = tk.t->dtype;
    size_t sz = dt_size(dt);
    arr_t *src = NULL;
    int64_t base;
    rc = setitem_source(rt, v, tk.rnd, tk.rshape, tk.bnd, &src, &base, err);
    int64_t m = tk.n * tk.w;
    char *buf = mem_alloc((size_t)(m > 0 ? m : 1) * sz);
    if (!rc && !buf) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (!rc) {
        char one[16];
        if (!src) arri_store_val(dt, one, v);
        for (int64_t e = 0; e < m; e++) {
            if (src)
                kern_cast(src->dtype, dt, buf + (size_t)e * sz,
                          source_at(src, base, tk.rnd, tk.rshape, tk.k0 * tk.w + e), 1);
            else
                memcpy(buf + (size_t)e * sz, one, sz);
        }
    }
    if (coll) rc = arri_agree(rt, rc, err);
    if (!rc && coll) {
        rc = coll_put_rows(rt, tk.t, tk.rows, tk.n, buf, err);
    } else if (!rc) {
        for (int64_t k = 0; k < tk.n; k++)
            for (int64_t j = 0; j < tk.w; j++)
                memcpy(arri_addr(tk.t, tk.rows[k] * tk.w + j), buf + (size_t)(k * tk.w + j) * sz,
                       sz);
    }
    mem_free(buf);
    arr_unref(&src);
    take_free(&tk);
    return rc;
}

/* ---- boolean masks ---- */

/* x[m] with m a bool array over x's first k = m.ndim axes: the cells (positions over those
 * axes) of x's chunk that m selects. The result, shape (total,) + x.shape[k:], is split as
 * x's cells are: this rank's selected cells come after `before` others. */
typedef struct {
    arr_t *x, *m;     /* x (or its chunk in local view); m aligned with x's cells */
    int64_t moff;     /* m's flat chunk index of x's first cell */
    int64_t ncell, w; /* cells in x's chunk; elements per cell */
    int64_t before, total;
    int dist, rnd;
    int64_t rshape[ARR_MAXDIM];
    int64_t *bnd; /* the result's split when dist */
} mask_t;

static void mask_free(mask_t *mk)
{
    arr_unref(&mk->x);
    arr_unref(&mk->m);
    mem_free(mk->bnd);
}

static int mask_plan(rt_t *rt, arr_t *a, arr_t *m, mask_t *mk, err_t *err)
{
    memset(mk, 0, sizeof *mk);
    int k = m->ndim;
    if (k == 0 || k > a->ndim)
        return err_set(err, PARC_EINDEX, (span_t){0},
                       "too many indices for array: array is %d-dimensional, but %d were indexed",
                       a->ndim, k);
    for (int d = 0; d < k; d++)
        if (m->shape[d] != a->shape[d])
            return err_set(err, PARC_EINDEX, (span_t){0},
                           "boolean index did not match indexed array along dimension %d; "
                           "dimension is %lld but corresponding boolean dimension is %lld",
                           d, (long long)a->shape[d], (long long)m->shape[d]);
    int rc = 0, p = rt->nranks;
    mk->x = rt->local && a->isdist ? arr_local(a) : arr_ref(a);
    if (!mk->x) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    arr_t *x = mk->x;
    mk->dist = x->isdist && !rt->local;
    int64_t inner = 1;
    mk->w = 1;
    for (int d = 1; d < k; d++)
        inner *= x->shape[d];
    for (int d = k; d < x->ndim; d++)
        mk->w *= x->shape[d];
    mk->ncell = (k ? x->lshape[0] : 1) * inner;
    if (mk->dist && m->isdist) {
        int same = 1;
        for (int r = 0; r <= p; r++)
            same &= arri_row(m, r) == arri_row(x, r);
        if (same) {
            mk->m = arr_ref(m);
        } else {
            int64_t *xb = arri_rows(rt, x);
            rc = xb ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
            rc = arri_agree(rt, rc, err);
            if (!rc) rc = coll_redistribute(rt, m, xb, &mk->m, err);
            mem_free(xb);
        }
    } else if (mk->dist) {
        mk->m = arr_ref(m);
        mk->moff = arri_row(x, rt->rank) * inner;
    } else if (m->isdist && !rt->local) {
        rc = coll_allgather(rt, m, &mk->m, err);
    } else if (!(mk->m = m->isdist ? arr_local(m) : arr_ref(m))) {
        rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    }
    int64_t c = 0;
    for (int64_t q = 0; !rc && q < mk->ncell; q++)
        c += *(const uint8_t *)arri_addr(mk->m, mk->moff + q) != 0;
    mk->total = c;
    if (mk->dist) {
        /* every rank's count, through a one-element-per-rank array */
        arr_t *cnt = NULL, *all = NULL;
        int64_t np = p;
        mk->bnd = mem_alloc((size_t)(p + 1) * sizeof *mk->bnd);
        if (!rc && !mk->bnd) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        if (!rc) rc = arri_new(rt, 1, &np, DT_INT64, 1, NULL, &cnt, err);
        rc = arri_agree(rt, rc, err);
        if (!rc) {
            memcpy(arri_base(cnt), &c, sizeof c);
            rc = coll_allgather(rt, cnt, &all, err);
        }
        for (int r = 0; !rc && r < p; r++) {
            int64_t cr;
            memcpy(&cr, (const char *)arri_base(all) + r * 8, 8);
            mk->bnd[r + 1] = (r ? mk->bnd[r] : 0) + cr;
        }
        if (!rc) {
            mk->bnd[0] = 0;
            mk->before = mk->bnd[rt->rank];
            mk->total = mk->bnd[p];
        }
        arr_unref(&cnt);
        arr_unref(&all);
    }
    mk->rnd = 1 + x->ndim - k;
    mk->rshape[0] = mk->total;
    memcpy(mk->rshape + 1, x->shape + k, (size_t)(x->ndim - k) * sizeof *x->shape);
    return rc;
}

static int mask_sel(const mask_t *mk, int64_t q)
{
    return *(const uint8_t *)arri_addr(mk->m, mk->moff + q) != 0;
}

/* x[m] (a copy). */
static int mask_get(rt_t *rt, arr_t *a, arr_t *m, val_t *out, err_t *err)
{
    mask_t mk;
    int rc = mask_plan(rt, a, m, &mk, err);
    arr_t *res = NULL;
    if (!rc) rc = arri_new(rt, mk.rnd, mk.rshape, a->dtype, mk.dist, mk.bnd, &res, err);
    if (mk.dist) rc = arri_agree(rt, rc, err);
    size_t sz = dt_size(a->dtype);
    for (int64_t q = 0, j = 0; !rc && q < mk.ncell; q++) {
        if (!mask_sel(&mk, q)) continue;
        for (int64_t e = 0; e < mk.w; e++)
            memcpy(arri_addr(res, j * mk.w + e), arri_addr(mk.x, q * mk.w + e), sz);
        j++;
    }
    mask_free(&mk);
    if (rc) {
        arr_unref(&res);
        return rc;
    }
    *out = val_array(&res);
    return 0;
}

/* x[m] = v: v a number or broadcast to (selected cells,) + x.shape[k:]. */
static int mask_set(rt_t *rt, arr_t *a, arr_t *m, const val_t *v, err_t *err)
{
    mask_t mk;
    int rc = mask_plan(rt, a, m, &mk, err);
    arr_t *src = NULL;
    int64_t base = -1;
    if (!rc)
        rc = setitem_source(rt, v, mk.rnd, mk.rshape, mk.dist ? mk.bnd : NULL, &src, &base, err);
    int dt = a->dtype;
    size_t sz = dt_size(dt);
    char one[16];
    if (!rc && !src) arri_store_val(dt, one, v);
    for (int64_t q = 0, j = mk.before; !rc && q < mk.ncell; q++) {
        if (!mask_sel(&mk, q)) continue;
        for (int64_t e = 0; e < mk.w; e++) {
            char *dst = arri_addr(mk.x, q * mk.w + e);
            if (src)
                kern_cast(src->dtype, dt, dst,
                          source_at(src, base, mk.rnd, mk.rshape, j * mk.w + e), 1);
            else
                memcpy(dst, one, sz);
        }
        j++;
    }
    if (mk.dist) rc = arri_agree(rt, rc, err);
    arr_unref(&src);
    mask_free(&mk);
    return rc;
}

/* Bool scalars in idx are 0-d masks: together they add one axis of length 1 (all True)
 * or 0. Copies the other entries to rest and gives the new axis' length and place in the
 * result: NumPy's rule for advanced indices (the bools and the integers next to them)
 * puts it where the first of them was when they are adjacent, else first. 0 when idx has
 * no bool. */
static int strip_bools(const idx_t *idx, int nidx, idx_t *rest, int *nrest, int64_t *len, int *pos)
{
    int nb = 0, first = -1, last = -1, nadv = 0, before = 0;
    *len = 1;
    *nrest = 0;
    for (int k = 0; k < nidx; k++) {
        int adv = idx[k].kind == IDX_BOOL || idx[k].kind == IDX_INT;
        if (idx[k].kind == IDX_BOOL) {
            nb++;
            *len &= idx[k].i != 0;
        } else {
            rest[(*nrest)++] = idx[k];
        }
        if (adv) {
            if (first < 0) first = k;
            last = k;
            nadv++;
        } else if (first < 0) {
            before++;
        }
    }
    *pos = last - first + 1 == nadv ? before : 0;
    return nb;
}

/* Inserts an axis of length 1 at pos into the header of a fresh (unshared) array. A
 * distributed one keeps its rows on axis 0, or with pos 0 has its one new row on rank 0. */
static int insert_axis(const rt_t *rt, arr_t *b, int pos, err_t *err)
{
    int64_t *bnd = NULL;
    int p = rt->nranks;
    if (b->isdist) {
        bnd = mem_alloc((size_t)(p + 1) * sizeof *bnd);
        if (!bnd) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        for (int r = 0; r <= p; r++)
            bnd[r] = pos ? arri_row(b, r) : r > 0;
    }
    for (int d = b->ndim; d > pos; d--) {
        b->shape[d] = b->shape[d - 1];
        b->lshape[d] = b->lshape[d - 1];
        b->lstride[d] = b->lstride[d - 1];
    }
    b->shape[pos] = b->lshape[pos] = 1;
    b->lstride[pos] = 0;
    b->ndim++;
    int rc = 0;
    if (b->isdist) {
        dist_clear(&b->dist);
        rc = arri_rows_dist(rt, b->ndim, b->shape, bnd, &b->dist, err);
    }
    mem_free(bnd);
    return rc;
}

/* x[idx] where r = x[idx without its bools]: a copy of r with an axis of length len at
 * pos. dist: x is distributed in global view. Takes r. */
static int add_axis(rt_t *rt, int dtype, int dist, val_t *r, int pos, int64_t len, val_t *out,
                    err_t *err)
{
    arr_t *a = r->kind == V_ARRAY ? r->u.a : NULL, *b = NULL;
    int rc = 0;
    if (a && a->ndim + 1 > ARR_MAXDIM) {
        rc = err_set(err, PARC_EINDEX, (span_t){0}, "too many dimensions");
    } else if (!a || len == 0) {
        int64_t shape[ARR_MAXDIM];
        int nd = a ? a->ndim : 0, bdist = a ? a->isdist && !rt->local : dist;
        for (int d = 0, k = 0; d <= nd; d++)
            shape[d] = d == pos ? len : a->shape[k++];
        /* axis 0 keeps its rows where the old one does; a new axis 0 is block split */
        int64_t *bnd = bdist && pos ? arri_rows(rt, a) : NULL;
        if (bdist && pos && !bnd) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        if (!rc) rc = arri_new(rt, nd + 1, shape, dtype, bdist, bnd, &b, err);
        mem_free(bnd);
        if (!rc && !a && arri_lsize(b)) arri_store_val(dtype, arri_base(b), r);
    } else if (pos == 0 && a->isdist && !rt->local) {
        /* A new axis 0 of length 1: its owner, rank 0, holds everything. */
        int64_t *bnd = mem_alloc((size_t)(rt->nranks + 1) * sizeof *bnd);
        rc = bnd ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        rc = arri_agree(rt, rc, err);
        for (int k = 0; !rc && k <= rt->nranks; k++)
            bnd[k] = k ? a->shape[0] : 0;
        if (!rc) rc = coll_redistribute(rt, a, bnd, &b, err);
        mem_free(bnd);
        if (!rc) {
            int64_t rows = b->shape[0];
            rc = insert_axis(rt, b, 0, err);
            b->lshape[0] = rt->rank == 0;
            b->lshape[1] = rows;
        }
    } else {
        rc = arr_copy(rt, a, &b, err);
        if (!rc) rc = insert_axis(rt, b, pos, err);
    }
    if (dist) rc = arri_agree(rt, rc, err);
    val_drop(r);
    if (rc) {
        arr_unref(&b);
        return rc;
    }
    *out = val_array(&b);
    return 0;
}

/* The start of x[idx] and x[idx] = v (idx without bools): idx checked against a and
 * normalised into sel. In local view a distributed array is indexed as this rank's chunk:
 * *base is then *loc, a local copy the caller releases; otherwise *base is a, *loc NULL. */
static int prologue(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, sel_t *sel, arr_t **base,
                    arr_t **loc, err_t *err)
{
    int rc = parse(a, idx, nidx, sel, err);
    if (rc) return rc;
    *base = a;
    if (!rt->local || !a->isdist) return 0;
    *loc = arr_local(a);
    if (!*loc) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    *base = *loc;
    if ((rc = parse(*base, idx, nidx, sel, err))) arr_unref(loc);
    return rc;
}

static int getitem(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, val_t *out, err_t *err)
{
    idx_t rest[ARR_MAXDIM * 2];
    int nrest, pos;
    int64_t len;
    if (nidx <= ARR_MAXDIM * 2 && strip_bools(idx, nidx, rest, &nrest, &len, &pos)) {
        val_t r;
        int rc = getitem(rt, a, rest, nrest, &r, err);
        if (rc) return rc;
        return add_axis(rt, a->dtype, a->isdist && !rt->local, &r, pos, len, out, err);
    }
    if (nidx == 1 && idx[0].kind == IDX_ARRAY && idx[0].arr->dtype == DT_BOOL)
        return mask_get(rt, a, idx[0].arr, out, err);
    if (nidx > 0 && idx[0].kind == IDX_ARRAY) return take(rt, a, idx, nidx, out, err);
    sel_t sel[ARR_MAXDIM];
    arr_t *base = NULL, *loc = NULL;
    int rc = prologue(rt, a, idx, nidx, sel, &base, &loc, err);
    if (rc) return rc;
    int dist = a->isdist && !rt->local;
    int allint = base->ndim > 0;
    for (int d = 0; d < base->ndim; d++)
        allint &= sel[d].isint;
    if (dist && allint) {
        /* The element lives on one rank: it sends it to all. */
        int root = owner(a, sel[0].start);
        sel_t s2[ARR_MAXDIM];
        memcpy(s2, sel, sizeof s2);
        s2[0] = (sel_t){0, sel[0].start, 1, 1};
        arr_t *v = NULL, *res = NULL;
        rc = view(rt, a, s2, &v, err);
        int64_t shape[ARR_MAXDIM];
        int nd = 0;
        for (int d = 1; d < a->ndim; d++)
            if (!sel[d].isint) shape[nd++] = sel[d].count;
        if (!rc) rc = arri_new(rt, nd, shape, a->dtype, 0, NULL, &res, err);
        if (!rc && rt->rank == root) {
            arr_t *lv = arr_local(v);
            if (!lv) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
            if (lv) {
                /* lv has a leading axis of 1: copy element by element in C order. */
                int64_t m = arri_lsize(res);
                for (int64_t k = 0; k < m; k++)
                    memcpy(arri_addr(res, k), arri_addr(lv, k), dt_size(a->dtype));
            }
            arr_unref(&lv);
        }
        rc = arri_agree(rt, rc, err);
        if (!rc) rc = coll_bcast_bytes(rt, arri_base(res), arr_local_bytes(res), root, err);
        arr_unref(&v);
        if (rc) {
            arr_unref(&res);
            return rc;
        }
        return item_result(&res, allint, out);
    }
    arr_t *v = NULL;
    rc = view(rt, base, sel, &v, err);
    arr_unref(&loc);
    if (rc) return rc;
    return item_result(&v, allint, out);
}

static int setitem(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, const val_t *v, err_t *err)
{
    idx_t rest[ARR_MAXDIM * 2];
    int nrest, pos;
    int64_t len;
    if (nidx <= ARR_MAXDIM * 2 && strip_bools(idx, nidx, rest, &nrest, &len, &pos)) {
        /* x[False] = v selects nothing; x[True] = v is x[...] = v (v may have the new
         * axis of length 1 first). */
        if (!len) return 0;
        return setitem(rt, a, rest, nrest, v, err);
    }
    if (nidx == 1 && idx[0].kind == IDX_ARRAY && idx[0].arr->dtype == DT_BOOL)
        return mask_set(rt, a, idx[0].arr, v, err);
    if (nidx > 0 && idx[0].kind == IDX_ARRAY) return put(rt, a, idx, nidx, v, err);
    sel_t sel[ARR_MAXDIM];
    arr_t *base = NULL, *loc = NULL;
    int rc = prologue(rt, a, idx, nidx, sel, &base, &loc, err);
    if (rc) return rc;
    int dist = a->isdist && !rt->local;
    if (dist && sel[0].isint) sel[0] = (sel_t){0, sel[0].start, 1, 1};
    arr_t *t = NULL;
    rc = view(rt, base, sel, &t, err);
    arr_unref(&loc);
    if (rc) return rc;
    arr_t *src = NULL;
    int64_t at0, *bnd = dist && t->isdist ? arri_rows(rt, t) : NULL;
    rc = dist && t->isdist && !bnd ? err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory") : 0;
    if (dist) rc = arri_agree(rt, rc, err);
    if (!rc) rc = setitem_source(rt, v, t->ndim, t->shape, bnd, &src, &at0, err);
    mem_free(bnd);
    if (!rc) {
        size_t sz = dt_size(t->dtype);
        int64_t m = arri_lsize(t), g0 = 0;
        if (t->isdist) {
            g0 = arri_row(t, rt->rank);
            for (int d = 1; d < t->ndim; d++)
                g0 *= t->shape[d];
        }
        char one[16];
        if (!src) arri_store_val(t->dtype, one, v);
        for (int64_t k = 0; k < m; k++) {
            char *dst = arri_addr(t, k);
            if (src)
                kern_cast(src->dtype, t->dtype, dst, source_at(src, at0, t->ndim, t->shape, g0 + k),
                          1);
            else
                memcpy(dst, one, sz);
        }
    }
    if (dist) rc = arri_agree(rt, rc, err);
    arr_unref(&src);
    arr_unref(&t);
    return rc;
}

/* Indexing runs on row layouts. Another layout of x or of an index array is moved to the
 * default rows first (arri_rowwise; every rank sees the same layouts, so all take the
 * same branches); a slice of such an x is therefore a copy, not a view. *rows holds x
 * (or its row copy) and ix the index entries with their arrays replaced likewise. */
static int to_rows(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, arr_t **rows, idx_t *ix,
                   err_t *err)
{
    int rc = arri_rowwise(rt, a, rows, err);
    for (int k = 0; k < nidx; k++) {
        ix[k] = idx[k];
        ix[k].arr = NULL;
        if (!rc && idx[k].kind == IDX_ARRAY) rc = arri_rowwise(rt, idx[k].arr, &ix[k].arr, err);
    }
    if (rc) {
        arr_unref(rows);
        for (int k = 0; k < nidx; k++)
            arr_unref(&ix[k].arr);
    }
    return rc;
}

static void drop_rows(arr_t **rows, idx_t *ix, int nidx)
{
    arr_unref(rows);
    for (int k = 0; k < nidx; k++)
        arr_unref(&ix[k].arr);
}

static int needs_rows(const rt_t *rt, const arr_t *a, const idx_t *idx, int nidx)
{
    if (rt->local) return 0;
    int any = a->isdist && !dist_is_rows(&a->dist);
    for (int k = 0; k < nidx; k++)
        if (idx[k].kind == IDX_ARRAY && idx[k].arr->isdist) any |= !dist_is_rows(&idx[k].arr->dist);
    return any;
}

/* 1 when idx takes an axis of distributed a (in global view) backwards: slice_view's. */
static int backwards(const rt_t *rt, const arr_t *a, const idx_t *idx, int nidx)
{
    if (rt->local || !a->isdist) return 0;
    for (int k = 0; k < nidx && k < a->ndim; k++)
        if (idx[k].kind == IDX_SLICE && idx[k].has_step && idx[k].step < 0) return 1;
    return 0;
}

/* x[i, j, ...] with an integer for every axis of a distributed x of any layout: the
 * element's owner (dist_owner) and its address there (NULL on the other ranks). 1 when
 * idx is such an index, 0 when not, PARC_EINDEX (the same on every rank) when out of
 * bounds. No communication. */
static int element(const rt_t *rt, const arr_t *a, const idx_t *idx, int nidx, int *owner,
                   char **at, err_t *err)
{
    if (rt->local || !a->isdist || nidx != a->ndim) return 0;
    int64_t g[ARR_MAXDIM] = {0};
    for (int d = 0; d < nidx; d++) {
        if (idx[d].kind != IDX_INT) return 0;
        int64_t n = a->shape[d], i = idx[d].i < 0 ? idx[d].i + n : idx[d].i;
        if (i < 0 || i >= n)
            return err_set(err, PARC_EINDEX, (span_t){0},
                           "index %lld is out of bounds for axis %d with size %lld",
                           (long long)idx[d].i, d, (long long)n);
        g[d] = i;
    }
    *owner = dist_owner(&a->dist, g);
    *at = NULL;
    if (*owner != rt->rank) return 1;
    int64_t off = a->loff;
    for (int d = 0; d < nidx; d++) {
        int64_t l;
        dist_g2l(&a->dist, d, g[d], &l);
        off += l * a->lstride[d];
    }
    *at = (char *)a->buf->p + off * (int64_t)dt_size(a->dtype);
    return 1;
}

/* Basic slicing (integers and slices, at least one axis kept) of a distributed x of any
 * layout: a view sharing x's memory, as NumPy gives. Each slice becomes dist_slice's layout
 * (explicit block bounds, or a view dimension of a cyclic or backwards axis), each integer
 * dist_pin's (the engines along that axis join a neighbour's; those not holding the index
 * get nothing). 1 with *out set; 0 when the index is not of that kind; 2 when some chunk's
 * elements would not be a strided run of it (a block-cyclic axis with a step that neither
 * divides nor is divided by the block size): the caller copies then (see arr_back_t); or
 * PARC_E*. */
static int slice_view(const rt_t *rt, arr_t *a, const idx_t *idx, int nidx, val_t *out, err_t *err)
{
    if (rt->local || !a->isdist || nidx > a->ndim) return 0;
    int nint = 0;
    for (int k = 0; k < nidx; k++) {
        if (idx[k].kind != IDX_INT && idx[k].kind != IDX_SLICE) return 0;
        nint += idx[k].kind == IDX_INT;
    }
    if (nint == a->ndim) return 0;
    sel_t sel[ARR_MAXDIM];
    int rc = parse(a, idx, nidx, sel, err);
    if (rc) return rc;
    arr_t *v = mem_calloc(1, sizeof *v);
    if (!v) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    *v = *a;
    v->refs = 1;
    v->ofdist = 0;
    v->buf->refs++;
    rc = dist_copy(&v->dist, &a->dist, err);
    if (rc) memset(&v->dist, 0, sizeof v->dist);
    int coord[ARR_MAXDIM], view = 1;
    dist_coords(&a->dist, rt->rank, coord);
    for (int d = 0; !rc && view && d < a->ndim; d++) {
        const sel_t *s = &sel[d];
        if (s->isint || (s->start == 0 && s->step == 1 && s->count == a->shape[d])) continue;
        dist_t t;
        int64_t l0, ls;
        rc = dist_slice(&v->dist, d, coord[d], s->start, s->step, s->count, &t, &l0, &ls, err);
        if (rc == 1) {
            view = 0;
            rc = 0;
            break;
        }
        if (rc) break;
        dist_clear(&v->dist);
        v->dist = t;
        v->shape[d] = s->count;
        v->lshape[d] = dist_extent(&t, d, coord[d]);
        v->loff += l0 * v->lstride[d];
        v->lstride[d] *= ls;
    }
    for (int d = a->ndim - 1; !rc && view && d >= 0; d--) {
        if (!sel[d].isint) continue;
        dist_t t;
        int cd;
        int64_t l;
        rc = dist_pin(&v->dist, d, sel[d].start, &t, &cd, &l, err);
        if (rc) break;
        dist_clear(&v->dist);
        v->dist = t;
        if (coord[d] == cd) v->loff += l * v->lstride[d];
        for (int k = d; k + 1 < v->ndim; k++) {
            v->shape[k] = v->shape[k + 1];
            v->lstride[k] = v->lstride[k + 1];
            coord[k] = coord[k + 1];
        }
        v->ndim--;
    }
    if (rc || !view) {
        arr_unref(&v);
        return rc ? rc : 2;
    }
    dist_lshape(&v->dist, rt->rank, v->lshape);
    if (!arri_lsize(v)) v->loff = a->loff; /* nothing held here: no address to keep */
    *out = val_array(&v);
    return 1;
}

/* newaxis entries: *nrest indices without them in rest, and the result axes they make
 * (ascending) in pos; -1 when combined with an index array or a 0-d bool (not done). */
static int strip_newaxes(const idx_t *idx, int nidx, idx_t *rest, int *nrest, int *pos)
{
    int n = 0, outd = 0;
    *nrest = 0;
    for (int k = 0; k < nidx; k++) {
        if (idx[k].kind == IDX_ARRAY || idx[k].kind == IDX_BOOL) return -1;
        if (idx[k].kind == IDX_NEWAXIS) {
            pos[n++] = outd++;
            continue;
        }
        outd += idx[k].kind == IDX_SLICE;
        rest[(*nrest)++] = idx[k];
    }
    return n;
}

/* Rows of distributed (global view) or local a in reverse order along axis 0: a copy, the
 * default rows in global view (coll_take_rows: one all-to-all of requests and rows). */
static int flip0(rt_t *rt, arr_t *a, arr_t **out, err_t *err)
{
    int64_t n = a->shape[0];
    arr_t *res = NULL, *src = NULL;
    int dist = a->isdist && !rt->local;
    int rc = dist ? arri_rowwise(rt, a, &src, err)
                  : ((src = rt->local && a->isdist ? arr_local(a) : arr_ref(a))
                         ? 0
                         : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory"));
    if (!rc) rc = arri_new(rt, src->ndim, src->shape, src->dtype, dist, NULL, &res, err);
    int64_t r0 = rc || !dist ? 0 : arri_row(res, rt->rank), m = rc ? 0 : res->lshape[0];
    int64_t *want = rc ? NULL : mem_alloc((size_t)(m + 1) * sizeof *want);
    if (!rc && !want) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    for (int64_t k = 0; want && k < m; k++)
        want[k] = n - 1 - (r0 + k);
    if (dist) rc = arri_agree(rt, rc, err);
    if (!rc && dist) {
        rc = coll_take_rows(rt, src, want, m, arri_base(res), err);
    } else if (!rc) {
        int64_t w = m ? arri_lsize(res) / m : 0;
        size_t sz = dt_size(res->dtype);
        for (int64_t k = 0; k < m; k++)
            for (int64_t j = 0; j < w; j++)
                memcpy((char *)arri_base(res) + (size_t)(k * w + j) * sz,
                       arri_addr(src, want[k] * w + j), sz);
    }
    mem_free(want);
    arr_unref(&src);
    if (rc) {
        arr_unref(&res);
        return rc;
    }
    *out = res;
    return 0;
}

/* For a distributed a in global view whose axis-0 index is a slice with a negative step:
 * the same elements with a positive step in fwd[0] (the rest as in idx); 1 when done, 0
 * when there is nothing to turn (a wrong index is left to getitem's own checks). */
static int forward(const rt_t *rt, const arr_t *a, const idx_t *idx, int nidx, idx_t *fwd)
{
    if (rt->local || !a->isdist || nidx < 1 || idx[0].kind != IDX_SLICE || idx[0].step >= 0)
        return 0;
    sel_t sel[ARR_MAXDIM];
    err_t e;
    err_clear(&e);
    if (nidx > ARR_MAXDIM || parse(a, idx, nidx, sel, &e)) return 0;
    memcpy(fwd, idx, (size_t)nidx * sizeof *idx);
    int64_t last = sel[0].start + (sel[0].count - 1) * sel[0].step;
    fwd[0] = (idx_t){IDX_SLICE,    1,   1, 1, 0, last, last + (sel[0].count - 1) * -sel[0].step + 1,
                     -sel[0].step, NULL};
    if (sel[0].count == 0) fwd[0].stop = fwd[0].start = 0;
    return 1;
}

/* ---- one index array among other indices ---- */

/* x[idx] with one integer index array, or one 1-d mask (as its nonzero positions), beside
 * other integers and slices (an integer array alone on the first axis is take's). NumPy puts
 * the index array's axes where the advanced indices (the array and the integers) are when
 * they are adjacent, else first. So x[b] (idx with ':' for the array: basic indexing) gets
 * the array's axis moved first, is indexed there by take, and the index axes are moved to
 * their place; assignment writes through the same steps (and back into x when a step had
 * to copy). */
typedef struct {
    idx_t b[ARR_MAXDIM]; /* idx with ':' for the array */
    int nb, kb, pos;     /* the array's axis in x[b]; where its axes go in x[idx] */
    arr_t *ix;           /* the integer index array (owned) */
} adv_t;

/* The place of idx's one index array or mask, the others being integers and slices; else
 * -1. */
static int one_array(const idx_t *idx, int nidx)
{
    int k = -1;
    for (int j = 0; j < nidx; j++) {
        if (idx[j].kind == IDX_ARRAY && k >= 0) return -1;
        if (idx[j].kind == IDX_ARRAY)
            k = j;
        else if (idx[j].kind != IDX_INT && idx[j].kind != IDX_SLICE)
            return -1;
    }
    return k;
}

/* 1 when idx is such a subscript of a (*ad filled; ad->ix to release), 0 when not, or an
 * error. Collective for a distributed mask in global view. */
static int adv_plan(rt_t *rt, const arr_t *a, const idx_t *idx, int nidx, adv_t *ad, err_t *err)
{
    int k = one_array(idx, nidx);
    if (k < 0) return 0;
    arr_t *m = idx[k].arr;
    int isbool = m->dtype == DT_BOOL, nreal = nidx + (isbool ? m->ndim - 1 : 0);
    if (nreal > a->ndim)
        return err_set(err, PARC_EINDEX, (span_t){0},
                       "too many indices for array: array is %d-dimensional, but %d were indexed",
                       a->ndim, nreal);
    if (k == 0 && !(isbool && nidx > 1)) return 0;
    if (isbool && m->shape[0] != a->shape[k])
        return err_set(err, PARC_EINDEX, (span_t){0},
                       "boolean index did not match indexed array along dimension %d; "
                       "dimension is %lld but corresponding boolean dimension is %lld",
                       k, (long long)a->shape[k], (long long)m->shape[0]);
    memset(ad, 0, sizeof *ad);
    memcpy(ad->b, idx, (size_t)nidx * sizeof *idx);
    ad->b[k] = (idx_t){.kind = IDX_SLICE, .step = 1};
    ad->nb = nidx;
    int first = -1, last = -1, nadv = 0;
    for (int j = 0; j < nidx; j++) {
        if (idx[j].kind == IDX_SLICE) {
            ad->kb += j < k;
            continue;
        }
        if (first < 0) first = j;
        last = j;
        nadv++;
    }
    /* adjacent: only integers between the first advanced index and the array */
    ad->pos = last - first + 1 == nadv ? ad->kb : 0;
    if (!isbool) {
        ad->ix = arr_ref(m);
        return 1;
    }
    val_t nz;
    int rc = arr_nonzero(rt, m, &nz, err);
    if (rc) return rc;
    ad->ix = arr_ref(((const seq_t *)nz.u.o)->v[0].u.a);
    val_drop(&nz);
    return 1;
}

/* x[idx] with one mask of m > 1 dimensions beside other indices: the same as y[idx2], y
 * being x with the mask's axes merged into one (reshape: a view when no element changes
 * engines) and idx2 having the flattened mask. 1 when idx is such a subscript (*y, *flat
 * to release), 0 when not, or an error. */
static int merge_mask(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, arr_t **y, arr_t **flat,
                      idx_t *idx2, err_t *err)
{
    int k = one_array(idx, nidx);
    if (k < 0 || nidx < 2) return 0;
    arr_t *m = idx[k].arr;
    if (m->dtype != DT_BOOL || m->ndim < 2) return 0;
    if (nidx - 1 + m->ndim > a->ndim)
        return err_set(err, PARC_EINDEX, (span_t){0},
                       "too many indices for array: array is %d-dimensional, but %d were indexed",
                       a->ndim, nidx - 1 + m->ndim);
    int64_t shape[ARR_MAXDIM], cells = 1;
    int nd = 0;
    for (int d = 0; d < m->ndim; d++) {
        if (m->shape[d] != a->shape[k + d])
            return err_set(err, PARC_EINDEX, (span_t){0},
                           "boolean index did not match indexed array along dimension %d; "
                           "dimension is %lld but corresponding boolean dimension is %lld",
                           k + d, (long long)a->shape[k + d], (long long)m->shape[d]);
        cells *= m->shape[d];
    }
    for (int d = 0; d < a->ndim; d++)
        if (d <= k || d >= k + m->ndim) shape[nd++] = d == k ? cells : a->shape[d];
    *y = *flat = NULL;
    int rc = arr_reshape(rt, a, nd, shape, y, err);
    if (!rc) rc = arr_reshape(rt, m, 1, &cells, flat, err);
    if (rc) {
        arr_unref(y);
        arr_unref(flat);
        return rc;
    }
    memcpy(idx2, idx, (size_t)nidx * sizeof *idx);
    idx2[k].arr = *flat;
    return 1;
}

static int adv_get(rt_t *rt, arr_t *a, adv_t *ad, val_t *out, err_t *err)
{
    val_t bv = val_none(), rv = val_none();
    arr_t *t = NULL, *res = NULL;
    idx_t one = {.kind = IDX_ARRAY, .arr = ad->ix};
    int rc = arr_getitem(rt, a, ad->b, ad->nb, &bv, err);
    if (!rc) rc = arri_move_axes(rt, bv.u.a, ad->kb, 1, 0, &t, err);
    if (!rc) rc = arr_getitem(rt, t, &one, 1, &rv, err);
    if (!rc) rc = arri_move_axes(rt, rv.u.a, 0, ad->ix->ndim, ad->pos, &res, err);
    val_drop(&bv);
    val_drop(&rv);
    arr_unref(&t);
    if (rc) return rc;
    *out = val_array(&res);
    return 0;
}

static int adv_set(rt_t *rt, arr_t *a, adv_t *ad, const val_t *v, err_t *err)
{
    val_t bv = val_none(), wv = val_none();
    arr_t *t = NULL, *vb = NULL, *back = NULL;
    idx_t one = {.kind = IDX_ARRAY, .arr = ad->ix};
    int rc = arr_getitem(rt, a, ad->b, ad->nb, &bv, err);
    if (!rc) rc = arri_move_axes(rt, bv.u.a, ad->kb, 1, 0, &t, err);
    if (!rc && v->kind == V_ARRAY) {
        /* v broadcast to x[idx]'s shape, its index axes moved first as in t[ix] */
        int m = ad->ix->ndim, nd = t->ndim - 1 + m;
        int64_t shape[ARR_MAXDIM * 2];
        for (int d = 0, j = 1; d < nd; d++)
            shape[d] = d >= ad->pos && d < ad->pos + m ? ad->ix->shape[d - ad->pos] : t->shape[j++];
        val_t zero = val_int(0);
        arr_t *full = NULL;
        if (nd > ARR_MAXDIM) rc = err_set(err, PARC_EINDEX, (span_t){0}, "too many dimensions");
        if (!rc) rc = arr_full(rt, nd, shape, v->u.a->dtype, &zero, NULL, &full, err);
        if (!rc) rc = arr_setitem(rt, full, NULL, 0, v, err);
        if (!rc) rc = arri_move_axes(rt, full, ad->pos, m, 0, &vb, err);
        arr_unref(&full);
        if (!rc) wv = val_array(&vb);
    }
    if (!rc) rc = arr_setitem(rt, t, &one, 1, v->kind == V_ARRAY ? &wv : v, err);
    /* t holds the new values; when a step copied, they go back into x through x[b] */
    int64_t copied = 0;
    if (!rc) rc = arri_copied_from(rt, a, t, &copied, err);
    if (!rc && copied) {
        rc = arri_move_axes(rt, t, 0, 1, ad->kb, &back, err);
        val_t bk = val_none();
        if (!rc) bk = val_array(&back);
        if (!rc) rc = arr_setitem(rt, a, ad->b, ad->nb, &bk, err);
        val_drop(&bk);
    }
    val_drop(&bv);
    val_drop(&wv);
    arr_unref(&t);
    return rc;
}

/* y[idx2] = v, y being x reshaped by merge_mask: back into x when the reshape copied. */
static int merged_set(rt_t *rt, arr_t *a, arr_t *y, const idx_t *idx2, int nidx, const val_t *v,
                      err_t *err)
{
    int64_t copied = 0;
    arr_t *back = NULL;
    int rc = arr_setitem(rt, y, idx2, nidx, v, err);
    if (!rc) rc = arri_copied_from(rt, a, y, &copied, err);
    if (!rc && copied) rc = arr_reshape(rt, y, a->ndim, a->shape, &back, err);
    if (!rc && copied) {
        val_t bk = val_array(&back);
        rc = arr_setitem(rt, a, NULL, 0, &bk, err);
        val_drop(&bk);
    }
    return rc;
}

/* x[idx] (v NULL: into *out) or x[idx] = v, when idx is merge_mask's or adv_plan's: then 1
 * with the outcome in *rc; else 0. */
static int advanced(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, int sep, const val_t *v,
                    val_t *out, int *rc, err_t *err)
{
    idx_t idx2[ARR_MAXDIM];
    arr_t *y = NULL, *flat = NULL;
    adv_t ad;
    if (arri_fancy(rt, a, idx, nidx, sep, v, out, rc, err)) return 1;
    int is = merge_mask(rt, a, idx, nidx, &y, &flat, idx2, err);
    if (is > 0) {
        *rc =
            v ? merged_set(rt, a, y, idx2, nidx, v, err) : arr_getitem(rt, y, idx2, nidx, out, err);
        arr_unref(&y);
        arr_unref(&flat);
        return 1;
    }
    if (!is && (is = adv_plan(rt, a, idx, nidx, &ad, err)) > 0) {
        if (sep) ad.pos = 0;
        *rc = v ? adv_set(rt, a, &ad, v, err) : adv_get(rt, a, &ad, out, err);
        arr_unref(&ad.ix);
        return 1;
    }
    *rc = is;
    return is != 0;
}

/* idx in to (*nto entries) without IDX_SEP (*sep: 1 when one stood between advanced
 * indices) and with 0-d index arrays replaced by the integer (or bool) they hold, as in
 * NumPy. 1 when something changed, 0 when not, or PARC_EINDEX for a 0-d array of another
 * dtype. 0-d arrays are local: no communication. */
static int normalise(const idx_t *idx, int nidx, idx_t *to, int *nto, int *sep, err_t *err)
{
    int any = 0, adv = 0, pending = 0;
    *nto = 0;
    for (int k = 0; k < nidx; k++) {
        int isadv = idx[k].kind == IDX_ARRAY || idx[k].kind == IDX_INT || idx[k].kind == IDX_BOOL;
        if (isadv && pending) *sep = 1;
        adv |= isadv;
        if (idx[k].kind == IDX_SEP) {
            pending |= adv;
            any = 1;
            continue;
        }
        idx_t *t = &to[(*nto)++];
        *t = idx[k];
        const arr_t *z = idx[k].arr;
        if (idx[k].kind != IDX_ARRAY || z->ndim != 0) continue;
        if (z->dtype != DT_BOOL && z->dtype != DT_INT32 && z->dtype != DT_INT64)
            return err_set(err, PARC_EINDEX, (span_t){0},
                           "arrays used as indices must be of integer (or boolean) type");
        int64_t i = arri_loadi(z->dtype, arri_base(z));
        *t = (idx_t){.kind = z->dtype == DT_BOOL ? IDX_BOOL : IDX_INT, .i = i};
        any = 1;
    }
    return any;
}

static int get_at(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, int sep, val_t *out, err_t *err);
static int get_copy(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, val_t *out, err_t *err);
static int set_at(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, int sep, const val_t *v,
                  err_t *err);

int arr_getitem(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, val_t *out, err_t *err)
{
    return get_at(rt, a, idx, nidx, 0, out, err);
}

int arr_setitem(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, const val_t *v, err_t *err)
{
    int rc = set_at(rt, a, idx, nidx, 0, v, err);
    return rc ? rc : arri_write_back(rt, a, err);
}

void arri_back_free(arr_back_t *b)
{
    if (!b) return;
    arr_unref(&b->base);
    dist_clear(&b->dist);
    mem_free(b);
}

/* *out, the copy x[idx] of a slice that cannot be a view, remembers where it came from. */
static int keep_back(const rt_t *rt, arr_t *a, const idx_t *idx, int nidx, val_t *out, err_t *err)
{
    arr_t *c = out->kind == V_ARRAY ? out->u.a : NULL;
    if (!c || !c->buf || c->buf->back) return 0;
    arr_back_t *b = mem_calloc(1, sizeof *b);
    int rc = b ? dist_copy(&b->dist, &c->dist, err)
               : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    rc = arri_agree(rt, rc, err);
    if (rc) {
        mem_free(b);
        val_drop(out);
        return rc;
    }
    b->base = arr_ref(a);
    memcpy(b->idx, idx, (size_t)nidx * sizeof *idx);
    b->nidx = nidx;
    b->ndim = c->ndim;
    memcpy(b->shape, c->shape, sizeof b->shape);
    memcpy(b->lshape, c->lshape, sizeof b->lshape);
    memcpy(b->lstride, c->lstride, sizeof b->lstride);
    b->loff = c->loff;
    c->buf->back = b;
    return 0;
}

int arri_write_back(rt_t *rt, const arr_t *a, err_t *err)
{
    if (rt->local || !a->buf || !a->buf->back) return 0;
    const arr_back_t *b = a->buf->back;
    arr_t *h = mem_calloc(1, sizeof *h);
    int rc = h ? dist_copy(&h->dist, &b->dist, err)
               : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    rc = arri_agree(rt, rc, err);
    if (rc) {
        mem_free(h);
        return rc;
    }
    /* the whole copy, as it was made, over the buffer */
    h->refs = 1;
    h->ndim = b->ndim;
    h->dtype = a->dtype;
    h->isdist = 1;
    memcpy(h->shape, b->shape, sizeof h->shape);
    memcpy(h->lshape, b->lshape, sizeof h->lshape);
    memcpy(h->lstride, b->lstride, sizeof h->lstride);
    h->loff = b->loff;
    h->buf = a->buf;
    h->buf->refs++;
    val_t hv = val_array(&h);
    rc = arr_setitem(rt, b->base, b->idx, b->nidx, &hv, err);
    val_drop(&hv);
    return rc;
}

/* x[idx], sep: an Ellipsis of no axes separated advanced indices. */
static int get_at(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, int sep, val_t *out, err_t *err)
{
    idx_t rest[ARR_MAXDIM * 2];
    int pos[ARR_MAXDIM * 2], nrest, nnew;
    if (nidx <= ARR_MAXDIM * 2 && (nnew = normalise(idx, nidx, rest, &nrest, &sep, err)) != 0)
        return nnew < 0 ? nnew : get_at(rt, a, rest, nrest, sep, out, err);
    if (nidx <= ARR_MAXDIM * 2 && (nnew = strip_newaxes(idx, nidx, rest, &nrest, pos)) > 0) {
        /* x[..., None, ...]: x[the rest], then an axis of length 1 at each place; x itself
         * when the rest takes everything (a view in every layout) */
        val_t r;
        int all = nrest <= a->ndim && !(rt->local && a->isdist), rc = 0;
        for (int k = 0; k < nrest; k++)
            all &= rest[k].kind == IDX_SLICE && !rest[k].has_start && !rest[k].has_stop &&
                   rest[k].step == 1;
        arr_t *self = all ? arr_ref(a) : NULL;
        if (all)
            r = val_array(&self);
        else
            rc = arr_getitem(rt, a, rest, nrest, &r, err);
        if (rc) return rc;
        arr_t *v = NULL;
        int k = 0;
        if (r.kind != V_ARRAY) {
            /* all integers: the element in an array of nnew axes of length 1 */
            int64_t ones[ARR_MAXDIM * 2];
            for (int i = 0; i < nnew; i++)
                ones[i] = 1;
            int weak, dt = arri_val_dtype(&r, &weak);
            rc = arr_full(rt, nnew, ones, dt, &r, NULL, &v, err);
            k = nnew;
        } else {
            v = r.u.a;
        }
        if (!rc) rc = arr_expand_dims_at(rt, &v, pos + k, nnew - k, err);
        if (rc) {
            arr_unref(&v);
            return rc;
        }
        *out = val_array(&v);
        return 0;
    }
    int arc, is;
    if (advanced(rt, a, idx, nidx, sep, NULL, out, &arc, err)) return arc;
    if (nidx <= ARR_MAXDIM && (needs_rows(rt, a, idx, nidx) || backwards(rt, a, idx, nidx)) &&
        (is = slice_view(rt, a, idx, nidx, out, err)) != 0) {
        if (is != 2) return is < 0 ? is : 0;
        /* a copy, written back into a when written to */
        int rc = get_copy(rt, a, idx, nidx, out, err);
        if (!rc) rc = keep_back(rt, a, idx, nidx, out, err);
        return rc;
    }
    return get_copy(rt, a, idx, nidx, out, err);
}

/* x[idx] of basic and single-array indexing, by the paths that copy where x's layout is
 * not rows. */
static int get_copy(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, val_t *out, err_t *err)
{
    idx_t rest[ARR_MAXDIM * 2];
    int is;
    if (nidx <= ARR_MAXDIM && forward(rt, a, idx, nidx, rest)) {
        /* a negative step on the distributed axis: the positive one, then reversed rows */
        val_t r;
        int rc = arr_getitem(rt, a, rest, nidx, &r, err);
        if (rc) return rc;
        arr_t *f = NULL;
        rc = flip0(rt, r.u.a, &f, err);
        val_drop(&r);
        if (rc) return rc;
        *out = val_array(&f);
        return 0;
    }
    if (nidx > ARR_MAXDIM * 2 || !needs_rows(rt, a, idx, nidx))
        return getitem(rt, a, idx, nidx, out, err);
    int owner;
    char *at, elem[16] = {0};
    if ((is = element(rt, a, idx, nidx, &owner, &at, err)) != 0) {
        /* one element of any layout: its owner sends it to all */
        if (is < 0) return is;
        if (at) memcpy(elem, at, dt_size(a->dtype));
        int rc = coll_bcast_bytes(rt, elem, dt_size(a->dtype), owner, err);
        if (!rc) *out = arri_elem_val(a->dtype, elem);
        return rc;
    }
    arr_t *r = NULL;
    idx_t ix[ARR_MAXDIM * 2];
    int rc = to_rows(rt, a, idx, nidx, &r, ix, err);
    if (rc) return rc;
    rc = getitem(rt, r, ix, nidx, out, err);
    drop_rows(&r, ix, nidx);
    return rc;
}

/* x[idx] = v for a layout that is not rows: on a row copy, then moved back into a. */
static int set_rows(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, const val_t *v, err_t *err)
{
    arr_t *r = NULL, *back = NULL;
    idx_t ix[ARR_MAXDIM * 2];
    int rc = to_rows(rt, a, idx, nidx, &r, ix, err);
    if (rc) return rc;
    rc = setitem(rt, r, ix, nidx, v, err);
    if (!rc && r != a) rc = coll_redist(rt, r, &a->dist, &back, err);
    if (!rc && back) arri_copy_chunk(a, back);
    arr_unref(&back);
    drop_rows(&r, ix, nidx);
    return rc;
}

/* x[idx] = v, sep as get_at's. */
static int set_at(rt_t *rt, arr_t *a, const idx_t *idx, int nidx, int sep, const val_t *v,
                  err_t *err)
{
    idx_t rest[ARR_MAXDIM * 2];
    int pos[ARR_MAXDIM * 2], nrest, zd;
    if (nidx <= ARR_MAXDIM * 2 && (zd = normalise(idx, nidx, rest, &nrest, &sep, err)) != 0)
        return zd < 0 ? zd : set_at(rt, a, rest, nrest, sep, v, err);
    if (v->kind == V_ARRAY && v->u.a->isdist && !rt->local) {
        /* read in the view's layout (in place, with halos or moved), not gathered */
        int rc = arr_setitem_fused(rt, a, idx, nidx, NULL, v, 1, err);
        if (rc != KERN_GENERIC) return rc;
    }
    /* x[..., None] = v: the new axes have length 1, v broadcasts without them */
    if (nidx <= ARR_MAXDIM * 2 && strip_newaxes(idx, nidx, rest, &nrest, pos) > 0)
        return arr_setitem(rt, a, rest, nrest, v, err);
    int arc, is;
    val_t view;
    if (advanced(rt, a, idx, nidx, sep, v, NULL, &arc, err)) return arc;
    if (nidx <= ARR_MAXDIM && (needs_rows(rt, a, idx, nidx) || backwards(rt, a, idx, nidx)) &&
        (is = slice_view(rt, a, idx, nidx, &view, err)) != 0 && is != 2) {
        /* through the view: written back into a's memory (2: no view; the copying
         * paths below write into a) */
        if (is < 0) return is;
        int rc = set_rows(rt, view.u.a, NULL, 0, v, err);
        val_drop(&view);
        return rc;
    }
    if (nidx <= ARR_MAXDIM && forward(rt, a, idx, nidx, rest)) {
        /* a negative step on the distributed axis: the positive one, from v reversed
         * along its first axis when that axis is the target's first */
        int rc, tnd = a->ndim;
        for (int k = 0; k < nidx; k++)
            tnd -= rest[k].kind == IDX_INT;
        if (v->kind == V_ARRAY && v->u.a->ndim == tnd && tnd > 0 && v->u.a->shape[0] > 1) {
            arr_t *f = NULL;
            if ((rc = flip0(rt, v->u.a, &f, err))) return rc;
            val_t fv = val_array(&f);
            rc = arr_setitem(rt, a, rest, nidx, &fv, err);
            val_drop(&fv);
            return rc;
        }
        return arr_setitem(rt, a, rest, nidx, v, err);
    }
    if (nidx > ARR_MAXDIM * 2 || !needs_rows(rt, a, idx, nidx))
        return setitem(rt, a, idx, nidx, v, err);
    int owner;
    char *at;
    if (val_is_num(v) && (is = element(rt, a, idx, nidx, &owner, &at, err)) != 0) {
        /* one element of any layout, a number: its owner writes it */
        if (is < 0) return is;
        if (at) arri_store_val(a->dtype, at, v);
        return 0;
    }
    return set_rows(rt, a, idx, nidx, v, err);
}
