/* arrmake.c - creators whose elements are a function of their global position: eye (ones
 * on the k-th diagonal), the index arrays fromfunction passes its function (arr_indices),
 * and the *_like creators (the input's shape and layout). Each makes its array on every
 * rank first (arr_full, or the input's dist_t), agrees, then writes this rank's chunk from
 * the global indices dist_ gives its local positions, so no data travels between ranks. */
#include "arr.h"
#include "arrint.h"
#include "kern.h"
#include "mem.h"

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

int arr_indices(rt_t *rt, int ndim, const int64_t *shape, int axis, int dtype,
                const dist_spec_t *dist, arr_t **out, err_t *err)
{
    arr_t *a = NULL;
    int rc = arr_full(rt, ndim, shape, dtype < 0 ? DT_FLOAT64 : dtype, NULL, dist, &a, err);
    if (rc) return rc;
    int64_t len = a->lshape[axis], inner = 1;
    for (int d = axis + 1; d < ndim; d++)
        inner *= a->lshape[d];
    int64_t total = arri_lsize(a);
    for (int64_t k = 0; k < total; k++) {
        val_t g = val_int(gpos(rt, a, axis, (k / inner) % len));
        arri_store_val(a->dtype, arri_addr(a, k), &g);
    }
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
