/* arrshape.c - shape and layout: transpose, reshape (ravel, flatten), expand_dims and
 * squeeze (newaxis in subscripts), concatenate.
 *
 * Where NumPy gives a view parc does too, as long as no element has to change engines:
 * a transpose permutes the chunk's strides and the layout's dimensions (the distributed
 * axis moves with its data: the transpose of a ('b', 'n') array is ('n', 'b')), and so
 * shares memory with x; only when the engines would change places in the grid (the
 * transpose of a ('b', 'b') grid) is x first moved to the default rows. A reshape keeps
 * the elements in C order on the engines that hold them when the row boundaries fall on
 * whole rows of the new shape (then it is a view); otherwise the data moves by one
 * all-to-all of the flat C-order ranges (a copy). New axes of length 1 are 'n'.
 * Concatenation along axis 0 sends each operand's rows to their new owners
 * (coll_put_rows); along another axis every operand is brought to the same row split and
 * each engine joins its chunks. */
#include <stdio.h>
#include <string.h>

#include "arr.h"
#include "arrint.h"
#include "coll.h"
#include "kern.h"
#include "mem.h"

/* A new header sharing a's buffer (and nothing of its layout). */
static arr_t *share(const arr_t *a)
{
    arr_t *v = mem_calloc(1, sizeof *v);
    if (!v) return NULL;
    *v = *a;
    v->refs = 1;
    v->ofdist = 0;
    memset(&v->dist, 0, sizeof v->dist);
    v->buf->refs++;
    return v;
}

/* a itself in global view, or its chunk in local view. */
static int operand(const rt_t *rt, const arr_t *a, arr_t **out, err_t *err)
{
    *out = rt->local && a->isdist ? arr_local(a) : arr_ref((arr_t *)a);
    return *out ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
}

static int dist_of(const rt_t *rt, const arr_t *a)
{
    return a->isdist && !rt->local;
}

int arr_transpose(rt_t *rt, const arr_t *a, const int *axes, arr_t **out, err_t *err)
{
    int nd = a->ndim, ax[ARR_MAXDIM], seen[ARR_MAXDIM] = {0};
    for (int i = 0; i < nd; i++) {
        int k = axes ? axes[i] : nd - 1 - i;
        if (k < 0) k += nd;
        if (k < 0 || k >= nd || seen[k]++)
            return err_set(err, PARC_EVALUE, (span_t){0}, "axes don't match array");
        ax[i] = k;
    }
    arr_t *src = NULL;
    int rc = operand(rt, a, &src, err);
    dist_t d;
    memset(&d, 0, sizeof d);
    if (!rc && dist_of(rt, src)) {
        /* every rank sees the same layout: all take the same branch */
        rc = dist_permute(&src->dist, ax, &d, err);
        if (rc == 1) {
            arr_t *rows = NULL;
            rc = coll_redistribute(rt, src, NULL, &rows, err);
            arr_unref(&src);
            src = rows;
            if (!rc) rc = dist_permute(&src->dist, ax, &d, err);
        }
    }
    arr_t *v = rc ? NULL : share(src);
    if (!rc && !v) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (!rc) {
        for (int i = 0; i < nd; i++) {
            v->shape[i] = src->shape[ax[i]];
            v->lshape[i] = src->lshape[ax[i]];
            v->lstride[i] = src->lstride[ax[i]];
        }
        v->dist = d;
        memset(&d, 0, sizeof d);
    }
    dist_clear(&d);
    arr_unref(&src);
    if (rc) return rc;
    *out = v;
    return 0;
}

/* A header over src's chunk (contiguous, C order) as an array of shape, laid out by d
 * (taken; NULL: local). The element counts of the chunks must agree. */
static int rehead(const rt_t *rt, const arr_t *src, int nd, const int64_t *shape, dist_t *d,
                  arr_t **out, err_t *err)
{
    arr_t *v = share(src);
    if (!v) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    v->ndim = nd;
    memcpy(v->shape, shape, (size_t)nd * sizeof *shape);
    memcpy(v->lshape, shape, (size_t)nd * sizeof *shape);
    v->isdist = d != NULL;
    if (d) {
        v->dist = *d;
        memset(d, 0, sizeof *d);
        dist_lshape(&v->dist, rt->rank, v->lshape);
    }
    int64_t s = 1;
    for (int i = nd - 1; i >= 0; i--) {
        v->lstride[i] = s;
        s *= v->lshape[i];
    }
    *out = v;
    return 0;
}

/* The shape with its -1 resolved, checked against size n. */
static int resolve(int64_t n, int nd, const int64_t *in, int64_t *shape, err_t *err)
{
    int unknown = -1;
    int64_t known = 1;
    for (int i = 0; i < nd; i++) {
        shape[i] = in[i];
        if (in[i] == -1 && unknown < 0) {
            unknown = i;
            continue;
        }
        if (in[i] < 0)
            return err_set(err, PARC_EVALUE, (span_t){0},
                           in[i] == -1 ? "can only specify one unknown dimension"
                                       : "negative dimensions not allowed");
        known *= in[i];
    }
    if (unknown >= 0 && known > 0 && n % known == 0) shape[unknown] = n / known;
    int64_t m = 1;
    for (int i = 0; i < nd; i++)
        m *= shape[i];
    if (m != n || (unknown >= 0 && known == 0)) {
        char buf[160];
        size_t k = (size_t)snprintf(buf, sizeof buf, "(");
        for (int i = 0; i < nd && k < sizeof buf; i++)
            k += (size_t)snprintf(buf + k, sizeof buf - k, i ? ", %lld" : "%lld", (long long)in[i]);
        if (k < sizeof buf) snprintf(buf + k, sizeof buf - k, nd == 1 ? ",)" : ")");
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "cannot reshape array of size %lld into "
                       "shape %s",
                       (long long)n, buf);
    }
    return 0;
}

/* A contiguous copy of a's chunk in a's layout (a itself, referenced, when contiguous).
 * Not collective: the caller agrees. */
static int contig_copy(const rt_t *rt, arr_t *a, arr_t **out, err_t *err)
{
    if (arri_contig(a)) {
        *out = arr_ref(a);
        return 0;
    }
    int rc = a->isdist ? arri_new_dist(rt, a->dtype, &a->dist, out, err)
                       : arri_new(rt, a->ndim, a->shape, a->dtype, 0, NULL, out, err);
    if (!rc) arri_copy_chunk(*out, a);
    return rc;
}

int arr_reshape(rt_t *rt, const arr_t *a, int ndim, const int64_t *newshape, arr_t **out,
                err_t *err)
{
    int64_t shape[ARR_MAXDIM];
    if (ndim > ARR_MAXDIM)
        return err_set(err, PARC_EVALUE, (span_t){0}, "arrays have at most %d dimensions",
                       ARR_MAXDIM);
    int rc = resolve(arr_size(a), ndim, newshape, shape, err);
    if (rc) return rc;
    arr_t *src = NULL, *c = NULL, *moved = NULL;
    if ((rc = operand(rt, a, &src, err))) return rc;
    if (!dist_of(rt, src) || ndim == 0) {
        /* local, or a distributed array to 0-d (one element): the whole array here */
        if (dist_of(rt, src)) rc = coll_allgather(rt, src, &c, err);
        if (!rc && !c) rc = contig_copy(rt, src, &c, err);
        if (!rc) rc = rehead(rt, c, ndim, shape, NULL, out, err);
        arr_unref(&c);
        arr_unref(&src);
        return rc;
    }
    int p = rt->nranks;
    arr_t *rows = NULL;
    rc = arri_rowwise(rt, src, &rows, err);
    arr_unref(&src);
    if (rc) return rc;
    int64_t inner_s = 1, inner_d = 1;
    for (int i = 1; i < rows->ndim; i++)
        inner_s *= rows->shape[i];
    for (int i = 1; i < ndim; i++)
        inner_d *= shape[i];
    /* the flat C-order range each rank holds, and whether it is whole new rows */
    int64_t *fb = mem_alloc((size_t)(p + 1) * 2 * sizeof *fb), *nb = fb ? fb + p + 1 : NULL;
    int whole = 1;
    rc = fb ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    for (int r = 0; !rc && r <= p; r++) {
        fb[r] = arri_row(rows, r) * inner_s;
        whole &= inner_d > 0 && fb[r] % inner_d == 0;
        if (whole) nb[r] = fb[r] / inner_d;
    }
    if (!rc && !whole) arri_block(shape[0], p, nb);
    dist_t d;
    memset(&d, 0, sizeof d);
    if (!rc) rc = arri_rows_dist(rt, ndim, shape, nb, &d, err);
    if (!rc && whole) {
        /* no element changes engines: a view when the chunk is contiguous */
        rc = contig_copy(rt, rows, &c, err);
    } else if (!rc) {
        /* one all-to-all of the flat ranges: 1-d arrays over the same chunks */
        int64_t n = arr_size(rows);
        dist_t f1, f2;
        memset(&f1, 0, sizeof f1);
        memset(&f2, 0, sizeof f2);
        arr_t *flat = NULL;
        rc = contig_copy(rt, rows, &c, err);
        if (!rc) rc = arri_rows_dist(rt, 1, &n, fb, &f1, err);
        for (int r = 0; r <= p; r++)
            nb[r] *= inner_d;
        if (!rc) rc = arri_rows_dist(rt, 1, &n, nb, &f2, err);
        if (!rc) rc = rehead(rt, c, 1, &n, &f1, &flat, err);
        rc = arri_agree(rt, rc, err);
        if (!rc) rc = coll_redist(rt, flat, &f2, &moved, err);
        arr_unref(&flat);
        arr_unref(&c);
        c = moved;
        dist_clear(&f1);
        dist_clear(&f2);
    }
    rc = arri_agree(rt, rc, err);
    if (!rc) rc = rehead(rt, c, ndim, shape, &d, out, err);
    dist_clear(&d);
    mem_free(fb);
    arr_unref(&c);
    arr_unref(&rows);
    return rc;
}

int arr_expand_dims(rt_t *rt, const arr_t *a, int axis, arr_t **out, err_t *err)
{
    int nd = a->ndim;
    if (axis < 0) axis += nd + 1;
    if (axis < 0 || axis > nd)
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "axis %d is out of bounds for array of dimension %d", axis, nd + 1);
    if (nd >= ARR_MAXDIM)
        return err_set(err, PARC_EVALUE, (span_t){0}, "arrays have at most %d dimensions",
                       ARR_MAXDIM);
    arr_t *src = NULL;
    int rc = operand(rt, a, &src, err);
    dist_t d;
    memset(&d, 0, sizeof d);
    if (!rc && dist_of(rt, src)) rc = dist_insert(&src->dist, axis, &d, err);
    arr_t *v = rc ? NULL : share(src);
    if (!rc && !v) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (!rc) {
        for (int i = nd; i > axis; i--) {
            v->shape[i] = v->shape[i - 1];
            v->lshape[i] = v->lshape[i - 1];
            v->lstride[i] = v->lstride[i - 1];
        }
        v->shape[axis] = v->lshape[axis] = 1;
        v->lstride[axis] = 0;
        v->ndim = nd + 1;
        v->dist = d;
        memset(&d, 0, sizeof d);
    }
    arr_unref(&src);
    if (rc) return rc;
    *out = v;
    return 0;
}

int arr_expand_dims_at(rt_t *rt, arr_t **v, const int *axes, int n, err_t *err)
{
    int rc = 0;
    for (int k = 0; !rc && k < n; k++) {
        arr_t *w = NULL;
        rc = arr_expand_dims(rt, *v, axes[k], &w, err);
        arr_unref(v);
        *v = w;
    }
    return rc;
}

int arr_squeeze(rt_t *rt, const arr_t *a, int axis, arr_t **out, err_t *err)
{
    int nd = a->ndim, drop[ARR_MAXDIM] = {0}, nkeep = 0, engines = 0;
    int64_t shape[ARR_MAXDIM];
    if (axis != ARR_NOAXIS) {
        int k = axis < 0 ? axis + nd : axis;
        if (k < 0 || k >= nd)
            return err_set(err, PARC_EVALUE, (span_t){0},
                           "axis %d is out of bounds for array of dimension %d", axis, nd);
        if (a->shape[k] != 1)
            return err_set(err, PARC_EVALUE, (span_t){0},
                           "cannot select an axis to squeeze out which has size not equal to one");
        drop[k] = 1;
    } else {
        for (int i = 0; i < nd; i++)
            drop[i] = a->shape[i] == 1;
    }
    for (int i = 0; i < nd; i++) {
        if (!drop[i])
            shape[nkeep++] = a->shape[i];
        else if (dist_of(rt, a))
            engines |= a->dist.grid[i] > 1;
    }
    /* an axis of length 1 spread over several engines: its data moves (reshape) */
    if (engines || nkeep == 0) return arr_reshape(rt, a, nkeep, shape, out, err);
    arr_t *v = NULL;
    int rc = operand(rt, a, &v, err);
    for (int i = nd - 1; !rc && i >= 0; i--) {
        if (!drop[i]) continue;
        arr_t *w = share(v);
        rc = w ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        if (!rc && dist_of(rt, v)) rc = dist_remove(&v->dist, i, &w->dist, err);
        if (!rc) {
            for (int j = i; j + 1 < w->ndim; j++) {
                w->shape[j] = w->shape[j + 1];
                w->lshape[j] = w->lshape[j + 1];
                w->lstride[j] = w->lstride[j + 1];
            }
            w->ndim--;
        }
        arr_unref(&v);
        v = w;
    }
    if (rc) {
        arr_unref(&v);
        return rc;
    }
    *out = v;
    return 0;
}

/* Copies src's chunk into dst's chunk at offset off along axis (converting dtype); both
 * chunks have the same extents on the other axes. */
static void place(arr_t *dst, const arr_t *src, int axis, int64_t off)
{
    arr_t view = *dst;
    view.lshape[axis] = src->lshape[axis];
    view.loff = dst->loff + off * dst->lstride[axis];
    arri_copy_chunk(&view, src);
}

int arr_concatenate(rt_t *rt, arr_t *const *as, int n, int axis, arr_t **out, err_t *err)
{
    if (n < 1)
        return err_set(err, PARC_EVALUE, (span_t){0}, "need at least one array to concatenate");
    int nd = as[0]->ndim, dt = as[0]->dtype, dist = 0;
    if (nd == 0)
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "zero-dimensional arrays cannot be concatenated");
    if (axis < 0) axis += nd;
    if (axis < 0 || axis >= nd)
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "axis %d is out of bounds for array of dimension %d", axis, nd);
    int64_t shape[ARR_MAXDIM];
    memcpy(shape, as[0]->shape, sizeof shape);
    shape[axis] = 0;
    for (int k = 0; k < n; k++) {
        const arr_t *a = as[k];
        if (a->ndim != nd)
            return err_set(err, PARC_EVALUE, (span_t){0},
                           "all the input array dimensions except for the concatenation axis "
                           "must match exactly, but along dimension 0, the array at index 0 has "
                           "%d dimension(s) and the array at index %d has %d dimension(s)",
                           nd, k, a->ndim);
        for (int i = 0; i < nd; i++)
            if (i != axis && a->shape[i] != as[0]->shape[i])
                return err_set(err, PARC_EVALUE, (span_t){0},
                               "all the input array dimensions except for the concatenation "
                               "axis must match exactly, but along dimension %d, the array at "
                               "index 0 has size %lld and the array at index %d has size %lld",
                               i, (long long)as[0]->shape[i], k, (long long)a->shape[i]);
        shape[axis] += a->shape[axis];
        dt = dt_promote(dt, a->dtype);
        dist |= dist_of(rt, a);
    }
    arr_t *res = NULL;
    int rc = arri_new(rt, nd, shape, dt, dist, NULL, &res, err);
    if (dist) rc = arri_agree(rt, rc, err);
    int64_t off = 0;
    for (int k = 0; k < n && !rc; k++) {
        arr_t *a = NULL, *b = NULL;
        rc = operand(rt, as[k], &a, err);
        if (!rc && !dist) {
            place(res, a, axis, off);
        } else if (!rc && axis == 0) {
            /* this rank's rows of a go to rows off + g of the result, in res's dtype */
            rc = arri_rowwise(rt, a, &b, err);
            arr_t *c = NULL;
            if (!rc) rc = arr_astype(rt, b, dt, &c, err);
            int64_t r0 = rc ? 0 : arri_row(c, rt->rank), m = rc ? 0 : c->lshape[0];
            int64_t *put = rc ? NULL : mem_alloc((size_t)(m + 1) * sizeof *put);
            if (!rc && !put) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
            for (int64_t j = 0; put && j < m; j++)
                put[j] = off + r0 + j;
            rc = arri_agree(rt, rc, err);
            if (!rc) rc = coll_put_rows(rt, res, put, m, arri_base(c), err);
            mem_free(put);
            arr_unref(&c);
        } else if (!rc) {
            /* the same row split as the result, then each engine joins its chunks */
            int64_t *bnd = arri_rows(rt, res);
            rc = bnd ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
            rc = arri_agree(rt, rc, err);
            if (!rc) rc = coll_redistribute(rt, a, bnd, &b, err);
            mem_free(bnd);
            if (!rc) place(res, b, axis, off);
        }
        arr_unref(&b);
        arr_unref(&a);
        off += as[k]->shape[axis];
    }
    if (rc) {
        arr_unref(&res);
        return rc;
    }
    *out = res;
    return 0;
}
