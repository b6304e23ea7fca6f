/* item.c - subscripts and unpacking (see item.h): Python's sequence rules for tuples,
 * lists, strings and ranges (negative indices, slice.indices() clamping, a range slice is
 * a range), and NumPy's index items (ints, slices, None, arrays) for arr_getitem and
 * arr_setitem.
 *
 * Unpacking an array gives its rows (x[0], x[1] ...), as iterating over it does; at most
 * 10^8 items are unpacked (ValueError beyond). */
#include "item.h"

#include <string.h>

#include "mem.h"
#include "obj.h"

/* Gives an error raised below n (by arr_, ops_ ... with no place) the place of n. */
static int at(const ir_node_t *n, int rc, err_t *err)
{
    if (rc < 0 && err->at.line == 0 && err->at.col == 0) err->at = n->at;
    return rc;
}

/* Python's slice.indices(len): normalized start, stop, step and the item count. */
static int slice_indices(const obj_slice_t *s, int64_t len, int64_t *start, int64_t *stop,
                         int64_t *step, int64_t *count, span_t where, err_t *err)
{
    const val_t *p[3] = {&s->start, &s->stop, &s->step};
    for (int k = 0; k < 3; k++)
        if (p[k]->kind != V_NONE && !val_is_int(p[k]))
            return err_set(err, PARC_ETYPE, where,
                           "slice indices must be integers or None or have an __index__ method");
    *step = s->step.kind == V_NONE ? 1 : s->step.u.i;
    if (*step == 0) return err_set(err, PARC_EVALUE, where, "slice step cannot be zero");
    int64_t lo = *step < 0 ? -1 : 0, hi = *step < 0 ? len - 1 : len;
    if (s->start.kind == V_NONE) {
        *start = *step < 0 ? hi : lo;
    } else {
        *start = s->start.u.i;
        if (*start < 0) {
            *start += len;
            if (*start < lo) *start = lo;
        } else if (*start > hi) {
            *start = hi;
        }
    }
    if (s->stop.kind == V_NONE) {
        *stop = *step < 0 ? lo : hi;
    } else {
        *stop = s->stop.u.i;
        if (*stop < 0) {
            *stop += len;
            if (*stop < lo) *stop = lo;
        } else if (*stop > hi) {
            *stop = hi;
        }
    }
    if (*step > 0)
        *count = *stop > *start ? (*stop - *start - 1) / *step + 1 : 0;
    else
        *count = *start > *stop ? (*start - *stop - 1) / (-*step) + 1 : 0;
    return 0;
}

/* Number of items of a string, tuple, list or range, or -1. */
static int64_t seq_len(const val_t *v)
{
    int64_t n;
    return v->kind != V_ARRAY && val_len(v, (span_t){0}, &n, NULL) == 0 ? n : -1;
}

static const char *seq_word(int kind)
{
    return kind == V_STR     ? "string"
           : kind == V_LIST  ? "list"
           : kind == V_RANGE ? "range object"
                             : "tuple";
}

/* Item i (already normalized, in range) of a tuple/list/str/range. */
static val_t seq_item(const val_t *v, int64_t i, err_t *err)
{
    switch (v->kind) {
    case V_STR:
        return val_str(((const str_t *)v->u.o)->s + i, 1, err);
    case V_RANGE: {
        const obj_range_t *r = (const obj_range_t *)v->u.o;
        return val_int(r->start + i * r->step);
    }
    default:
        return val_ref(((const seq_t *)v->u.o)->v[i]);
    }
}

static int seq_getitem(const ir_node_t *n, const val_t *c, const val_t *ix, val_t *out, err_t *err)
{
    int64_t len = seq_len(c);
    if (val_is_int(ix)) {
        int64_t i = ix->u.i;
        if (i < 0) i += len;
        if (i < 0 || i >= len)
            return err_set(err, PARC_EINDEX, n->at, "%s index out of range", seq_word(c->kind));
        *out = seq_item(c, i, err);
        return err->code;
    }
    if (ix->kind == V_SLICE) {
        int64_t start = 0, stop = 0, step = 1, cnt = 0;
        int rc = slice_indices((const obj_slice_t *)ix->u.o, len, &start, &stop, &step, &cnt, n->at,
                               err);
        if (rc) return rc;
        if (c->kind == V_STR) {
            const str_t *s = (const str_t *)c->u.o;
            char *buf = mem_alloc((size_t)cnt + 1);
            if (!buf) return err_set(err, PARC_ENOMEM, n->at, "out of memory");
            for (int64_t k = 0; k < cnt; k++)
                buf[k] = s->s[start + k * step];
            *out = val_str(buf, (size_t)cnt, err);
            mem_free(buf);
            return at(n, err->code, err);
        }
        if (c->kind == V_RANGE) {
            const obj_range_t *r = (const obj_range_t *)c->u.o;
            *out = obj_range(r->start + start * r->step, r->start + (start + cnt * step) * r->step,
                             r->step * step, err);
            return at(n, err->code, err);
        }
        val_t r = val_seq(c->kind, (size_t)cnt, err);
        if (r.kind == V_NONE) return at(n, err->code, err);
        for (int64_t k = 0; k < cnt; k++)
            ((seq_t *)r.u.o)->v[k] = val_ref(((const seq_t *)c->u.o)->v[start + k * step]);
        *out = r;
        return 0;
    }
    return err_set(err, PARC_ETYPE, n->at, "%s indices must be integers or slices, not %s",
                   c->kind == V_RANGE ? "range" : val_kind_name(c), val_kind_name(ix));
}

/* The axes of an array of ndim that idx[0, nidx) index: one per integer, slice and integer
 * array, a mask's ndim, none for newaxis and 0-d masks (True, False). */
static int indexed_axes(const idx_t *idx, int nidx)
{
    int k = 0;
    for (int i = 0; i < nidx; i++)
        if (idx[i].kind == IDX_ARRAY)
            k += arr_dtype(idx[i].arr) == DT_BOOL ? arr_ndim(idx[i].arr) : 1;
        else
            k += idx[i].kind == IDX_INT || idx[i].kind == IDX_SLICE;
    return k;
}

/* Replaces the Ellipsis at idx[e] by as many ':' as the ndim axes the others leave (none:
 * IDX_SEP, which keeps NumPy's rule that index arrays on both sides are not adjacent). */
static int expand_ellipsis(const ir_node_t *n, idx_t *idx, int *nidx, int e, int ndim, err_t *err)
{
    int left = ndim - indexed_axes(idx, *nidx), fill = left > 0 ? left : 0;
    if (fill == 0) {
        idx[e].kind = IDX_SEP;
        return 0;
    }
    if (*nidx - 1 + fill > ITEM_MAXIDX) return err_set(err, PARC_EINDEX, n->at, "too many indices");
    memmove(idx + e + fill, idx + e + 1, (size_t)(*nidx - e - 1) * sizeof *idx);
    for (int k = 0; k < fill; k++)
        idx[e + k] = (idx_t){.kind = IDX_SLICE, .step = 1};
    *nidx += fill - 1;
    return 0;
}

/* Array indices for an array of ndim from index items (a tuple item is spread, as NumPy
 * does); *ell: 1 when they held an Ellipsis. */
static int to_idx(const ir_node_t *n, const val_t *items, size_t nitems, int ndim, idx_t *idx,
                  int *nidx, int *ell, err_t *err)
{
    if (nitems == 1 && items[0].kind == V_TUPLE) {
        const seq_t *s = (const seq_t *)items[0].u.o;
        return to_idx(n, s->v, s->n, ndim, idx, nidx, ell, err);
    }
    if (nitems > ITEM_MAXIDX) return err_set(err, PARC_EINDEX, n->at, "too many indices");
    memset(idx, 0, nitems * sizeof *idx);
    int e = -1;
    for (size_t i = 0; i < nitems; i++) {
        const val_t *v = &items[i];
        if (v->kind == V_ELLIPSIS) {
            if (e >= 0)
                return err_set(err, PARC_EINDEX, n->at,
                               "an index can only have a single ellipsis ('...')");
            e = (int)i;
            idx[i].kind = IDX_NEWAXIS; /* a placeholder indexing no axis */
        } else if (v->kind == V_BOOL) {
            idx[i].kind = IDX_BOOL; /* a 0-d mask, not the integer 0 or 1 */
            idx[i].i = v->u.i;
        } else if (val_is_int(v)) {
            idx[i].kind = IDX_INT;
            idx[i].i = v->u.i;
        } else if (v->kind == V_NONE) {
            idx[i].kind = IDX_NEWAXIS;
        } else if (v->kind == V_ARRAY) {
            idx[i].kind = IDX_ARRAY;
            idx[i].arr = v->u.a;
        } else if (v->kind == V_SLICE) {
            const obj_slice_t *s = (const obj_slice_t *)v->u.o;
            const val_t *p[3] = {&s->start, &s->stop, &s->step};
            for (int k = 0; k < 3; k++)
                if (p[k]->kind != V_NONE && !val_is_int(p[k]))
                    return err_set(err, PARC_ETYPE, n->at,
                                   "slice indices must be integers or None or have an __index__ "
                                   "method");
            idx[i].kind = IDX_SLICE;
            idx[i].has_start = s->start.kind != V_NONE;
            idx[i].has_stop = s->stop.kind != V_NONE;
            idx[i].has_step = s->step.kind != V_NONE;
            idx[i].start = s->start.u.i;
            idx[i].stop = s->stop.u.i;
            idx[i].step = idx[i].has_step ? s->step.u.i : 1;
            if (idx[i].step == 0)
                return err_set(err, PARC_EVALUE, n->at, "slice step cannot be zero");
        } else {
            return err_set(err, PARC_EINDEX, n->at,
                           "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) "
                           "and integer or boolean arrays are valid indices");
        }
    }
    *nidx = (int)nitems;
    *ell = e >= 0;
    return e >= 0 ? expand_ellipsis(n, idx, nidx, e, ndim, err) : 0;
}

/* List items of an array subscript become index arrays (x[[1, 2]] is x[array([1, 2])]),
 * in place: items owns them afterwards. Collective in global view. */
static int lists_to_arrays(rt_t *rt, const ir_node_t *n, val_t *items, size_t nitems, err_t *err)
{
    for (size_t i = 0; i < nitems; i++) {
        if (items[i].kind != V_LIST) continue;
        arr_t *a = NULL;
        int empty = ((const seq_t *)items[i].u.o)->n == 0;
        int rc = arr_from_value(rt, &items[i], empty ? DT_INT64 : -1, NULL, &a, err);
        if (rc) return at(n, rc, err);
        val_drop(&items[i]);
        items[i] = val_array(&a);
    }
    return 0;
}

/* d['x'] of a loaded .npz: the array (in local view, as any distributed name, its chunk). */
static int npz_getitem(rt_t *rt, const ir_node_t *n, const val_t *c, const val_t *items,
                       size_t nitems, val_t *out, err_t *err)
{
    const obj_npz_t *z = (const obj_npz_t *)c->u.o;
    const seq_t *f = (const seq_t *)z->files.u.o, *a = (const seq_t *)z->arrays.u.o;
    if (nitems != 1 || items[0].kind != V_STR)
        return err_set(err, PARC_EKEY, n->at, "NpzFile keys are the names of its arrays (str)");
    const str_t *k = (const str_t *)items[0].u.o;
    for (size_t i = 0; i < f->n; i++) {
        const str_t *s = (const str_t *)f->v[i].u.o;
        if (s->n != k->n || memcmp(s->s, k->s, k->n) != 0) continue;
        const val_t *v = &a->v[i];
        if (rt->local && v->kind == V_ARRAY && arr_is_dist(v->u.a)) {
            arr_t *l = arr_local(v->u.a);
            if (!l) return err_set(err, PARC_ENOMEM, n->at, "out of memory");
            *out = val_array(&l);
        } else {
            *out = val_ref(*v);
        }
        return 0;
    }
    return err_set(err, PARC_EKEY, n->at, "'%.*s is not a file in the archive'", (int)k->n, k->s);
}

int item_get(rt_t *rt, const ir_node_t *n, const val_t *c, val_t *items, size_t nitems, val_t *out,
             err_t *err)
{
    if (c->kind == V_ARRAY) {
        idx_t idx[ITEM_MAXIDX];
        int nidx, ell, rc = lists_to_arrays(rt, n, items, nitems, err);
        if (!rc) rc = to_idx(n, items, nitems, arr_ndim(c->u.a), idx, &nidx, &ell, err);
        if (!rc) rc = at(n, arr_getitem(rt, c->u.a, idx, nidx, out, err), err);
        if (!rc && ell && val_is_num(out)) {
            /* x[1, 2, ...] is a 0-d array in NumPy, not the element */
            arr_t *z = NULL;
            rc = at(n, arr_full(rt, 0, NULL, out->dtype, out, NULL, &z, err), err);
            if (!rc) *out = val_array(&z);
        }
        return rc;
    }
    if (c->kind == V_NPZ) return npz_getitem(rt, n, c, items, nitems, out, err);
    if (seq_len(c) >= 0) {
        if (nitems != 1)
            return err_set(err, PARC_ETYPE, n->at,
                           "%s indices must be integers or slices, not "
                           "tuple",
                           val_kind_name(c));
        return seq_getitem(n, c, &items[0], out, err);
    }
    if (c->kind == V_PERENG)
        return err_set(err, PARC_ETYPE, n->at,
                       "a per-engine value can only be indexed in %%px, or after from_local()");
    return err_set(err, PARC_ETYPE, n->at, "'%s' object is not subscriptable", val_kind_name(c));
}

int item_set(rt_t *rt, const ir_node_t *n, const val_t *c, val_t *items, size_t nitems,
             const val_t *v, err_t *err)
{
    if (c->kind == V_ARRAY) {
        idx_t idx[ITEM_MAXIDX];
        int nidx, ell, rc = lists_to_arrays(rt, n, items, nitems, err);
        if (!rc) rc = to_idx(n, items, nitems, arr_ndim(c->u.a), idx, &nidx, &ell, err);
        if (rc) return rc;
        if (v->kind != V_ARRAY && !val_is_num(v))
            return err_set(err, PARC_ETYPE, n->at, "cannot assign a '%s' to array elements",
                           val_kind_name(v));
        return at(n, arr_setitem(rt, c->u.a, idx, nidx, v, err), err);
    }
    if (c->kind == V_LIST) {
        seq_t *s = (seq_t *)c->u.o;
        if (nitems != 1 || !val_is_int(&items[0]))
            return err_set(err, PARC_ETYPE, n->at, "list indices must be integers, not %s",
                           nitems == 1 ? val_kind_name(&items[0]) : "tuple");
        int64_t i = items[0].u.i;
        if (i < 0) i += (int64_t)s->n;
        if (i < 0 || i >= (int64_t)s->n)
            return err_set(err, PARC_EINDEX, n->at, "list assignment index out of range");
        val_drop(&s->v[i]);
        s->v[i] = val_ref(*v);
        return 0;
    }
    return err_set(err, PARC_ETYPE, n->at, "'%s' object does not support item assignment",
                   val_kind_name(c));
}

int item_set_fused(rt_t *rt, const ir_node_t *n, const val_t *c, val_t *items, size_t nitems,
                   const ir_node_t *tree, const val_t *leaves, size_t nleaves, err_t *err)
{
    idx_t idx[ITEM_MAXIDX];
    int nidx, ell;
    for (size_t i = 0; i < nitems; i++)
        if (items[i].kind == V_LIST) return KERN_GENERIC;
    if (c->kind != V_ARRAY || !arr_is_dist(c->u.a) ||
        to_idx(n, items, nitems, arr_ndim(c->u.a), idx, &nidx, &ell, err)) {
        err_clear(err);
        return KERN_GENERIC;
    }
    int rc = arr_setitem_fused(rt, c->u.a, idx, nidx, tree, leaves, nleaves, err);
    return rc == KERN_GENERIC ? rc : at(n, rc, err);
}

/* ---- iteration ---- */

/* All items of an iterable (for unpacking); *items is mem_alloc'ed, caller drops. */
int item_all(rt_t *rt, const ir_node_t *n, const val_t *v, val_t **items, size_t *cnt, err_t *err)
{
    int64_t len = seq_len(v);
    if (v->kind == V_ARRAY) {
        if (arr_ndim(v->u.a) == 0)
            return err_set(err, PARC_ETYPE, n->at, "iteration over a 0-d array");
        len = arr_shape(v->u.a)[0];
    }
    if (len < 0)
        return err_set(err, PARC_ETYPE, n->at, "cannot unpack non-iterable %s object",
                       val_kind_name(v));
    if (len > 100000000) return err_set(err, PARC_EVALUE, n->at, "too many values to unpack");
    val_t *it = mem_calloc(len ? (size_t)len : 1, sizeof *it);
    if (!it) return err_set(err, PARC_ENOMEM, n->at, "out of memory");
    for (int64_t i = 0; i < len; i++) {
        int rc = 0;
        if (v->kind == V_ARRAY) {
            idx_t ix = {.kind = IDX_INT, .i = i};
            rc = at(n, arr_getitem(rt, v->u.a, &ix, 1, &it[i], err), err);
        } else {
            it[i] = seq_item(v, i, err);
            rc = at(n, err->code, err);
        }
        if (rc) {
            val_drop_n(it, (size_t)i);
            mem_free(it);
            return rc;
        }
    }
    *items = it;
    *cnt = (size_t)len;
    return 0;
}
