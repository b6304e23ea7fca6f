/* arrmake.c - arrays made from a shape or from another array's layout: eye (ones on the
 * k-th diagonal), the index arrays fromfunction passes its function (arr_indices), the
 * *_like creators, nonzero (where(c)), and the .real/.imag views. Each makes its array on
 * every rank first (arr_full, or the input's dist_t), agrees, then writes this rank's chunk
 * from the global indices dist_ gives its local positions, so no data travels between
 * ranks (nonzero's compaction is the boolean mask's, arridx.c).
 *
 * .real and .imag of a complex array are views: a float64 array over the same buffer with
 * doubled strides, offset by one double for .imag, so writes through them change the
 * complex array as in NumPy. */
#include "arr.h"
#include "arrint.h"
#include "kern.h"
#include "mem.h"

#include <string.h>

/* Global index along dim of local index l of this rank's chunk of a. */
static int64_t gpos(const rt_t *rt, const arr_t *a, int dim, int64_t l)
{
    if (!a->isdist) return l;
    int c[ARR_MAXDIM];
    dist_coords(&a->dist, rt->rank, c);
    return dist_l2g(&a->dist, dim, c[dim], l);
}

int arr_eye(rt_t *rt, int64_t n, int64_t m, int64_t k, int dtype, const dist_spec_t *dist,
            arr_t **out, err_t *err)
{
    if (n < 0 || m < 0)
        return err_set(err, PARC_EVALUE, (span_t){0}, "negative dimensions are not allowed");
    int64_t shape[2] = {n, m};
    arr_t *a = NULL;
    int rc = arr_full(rt, 2, shape, dtype < 0 ? DT_FLOAT64 : dtype, NULL, dist, &a, err);
    if (rc) return rc;
    val_t one = val_int(1);
    int c[ARR_MAXDIM] = {0};
    if (a->isdist) dist_coords(&a->dist, rt->rank, c);
    /* Row by row: the diagonal's column, when this rank holds it. */
    for (int64_t li = 0; li < a->lshape[0]; li++) {
        int64_t j = gpos(rt, a, 0, li) + k, lj = j;
        if (j < 0 || j >= m) continue;
        if (a->isdist && dist_g2l(&a->dist, 1, j, &lj) != c[1]) continue;
        arri_store_val(a->dtype, arri_addr(a, li * a->lshape[1] + lj), &one);
    }
    *out = a;
    return 0;
}

/* Writes every element of fresh (contiguous) a as its global index along axis. */
static void fill_index(const rt_t *rt, arr_t *a, int axis)
{
    int64_t len = a->lshape[axis], inner = 1;
    for (int d = axis + 1; d < a->ndim; d++)
        inner *= a->lshape[d];
    int64_t total = arri_lsize(a);
    for (int64_t k = 0; k < total; k++) {
        val_t g = val_int(gpos(rt, a, axis, (k / inner) % len));
        arri_store_val(a->dtype, arri_addr(a, k), &g);
    }
}

int arr_indices(rt_t *rt, int ndim, const int64_t *shape, int axis, int dtype,
                const dist_spec_t *dist, arr_t **out, err_t *err)
{
    arr_t *a = NULL;
    int rc = arr_full(rt, ndim, shape, dtype < 0 ? DT_FLOAT64 : dtype, NULL, dist, &a, err);
    if (rc) return rc;
    fill_index(rt, a, axis);
    *out = a;
    return 0;
}

int arr_like(rt_t *rt, const arr_t *proto, int dtype, const val_t *fill, arr_t **out, err_t *err)
{
    if (dtype < 0) dtype = proto->dtype;
    if (!proto->isdist || rt->local)
        return arr_full(rt, proto->ndim, proto->isdist ? proto->lshape : proto->shape, dtype, fill,
                        NULL, out, err);
    arr_t *a = NULL;
    int rc = arri_agree(rt, arri_new_dist(rt, dtype, &proto->dist, &a, err), err);
    if (rc) {
        arr_unref(&a);
        return rc;
    }
    char v[16] = {0};
    if (fill) arri_store_val(dtype, v, fill);
    kern_fill(dtype, arri_base(a), v, (size_t)arri_lsize(a));
    *out = a;
    return 0;
}

int arr_nonzero(rt_t *rt, arr_t *c, val_t *out, err_t *err)
{
    if (c->ndim == 0)
        return err_set(err, PARC_ENOTIMPL, (span_t){0},
                       "where(condition) of a 0-d array is not available (NumPy deprecates it)");
    val_t t = val_seq(V_TUPLE, (size_t)c->ndim, err);
    if (t.kind == V_NONE) return err->code;
    arr_t *mask = NULL;
    int rc = arr_astype(rt, c, DT_BOOL, &mask, err);
    for (int d = 0; d < c->ndim && !rc; d++) {
        arr_t *ix = NULL;
        rc = arr_like(rt, mask, DT_INT64, NULL, &ix, err);
        if (rc) break;
        fill_index(rt, ix, d);
        idx_t sel = {.kind = IDX_ARRAY, .arr = mask};
        rc = arr_getitem(rt, ix, &sel, 1, &((seq_t *)t.u.o)->v[d], err);
        arr_unref(&ix);
    }
    arr_unref(&mask);
    if (rc) {
        val_drop(&t);
        return rc;
    }
    *out = t;
    return 0;
}

int arr_part(rt_t *rt, arr_t *a, int imag, arr_t **out, err_t *err)
{
    if (a->dtype != DT_COMPLEX128) {
        if (imag) return arr_like(rt, a, -1, NULL, out, err);
        *out = arr_ref(a);
        return 0;
    }
    arr_t *v = mem_calloc(1, sizeof *v);
    if (!v) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    *v = *a;
    v->refs = 1;
    v->dtype = DT_FLOAT64;
    memset(&v->dist, 0, sizeof v->dist);
    int rc = a->isdist ? dist_copy(&v->dist, &a->dist, err) : 0;
    if (rc) {
        mem_free(v);
        return rc;
    }
    for (int d = 0; d < a->ndim; d++)
        v->lstride[d] = 2 * a->lstride[d];
    v->loff = 2 * a->loff + (imag ? 1 : 0);
    v->buf->refs++;
    *out = v;
    return 0;
}
