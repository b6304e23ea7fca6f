/* lanorm.c - linalg.norm and trace (see la.h).
 *
 * norm follows numpy.linalg.norm's own definition step by step, so each order gives the
 * value NumPy's formula gives: the 2-norm of everything (ord None, 'fro' of a matrix, 2 of a
 * vector) is sqrt(vdot(x, x)), the fused sum of sum()'s fixed order, so its bits do not depend
 * on the engine count; the other orders are abs, reductions along axes and max/min, all
 * parc's reductions; the spectral orders (2, -2, 'nuc' of a matrix) come from the singular
 * values (la_svd).
 *
 * trace gathers the diagonal (each engine sends the elements it holds, with their index) on
 * engine 0, which puts them in index order and sends them to every engine; each adds them
 * in the same pairwise tree: the same bits on any number of engines, and nothing of size
 * more than the diagonal moves. */
#include "la.h"
#include "lapriv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "coll.h"
#include "mem.h"

/* ---- trace ---- */

typedef struct {
    int64_t i;   /* the element's place on the diagonal */
    double v[2]; /* its value (ints: v[0] holds the int64's bits) */
} diag_t;

/* Pairwise sum of n values of dtype dt (int64 bits for integers), in index order. */
static void pair_sum(int dt, const diag_t *d, int64_t n, double out[2])
{
    if (n <= 8) {
        int64_t si = 0;
        float sf = 0;
        double s[2] = {0, 0};
        for (int64_t k = 0; k < n; k++) {
            int64_t x;
            memcpy(&x, &d[k].v[0], sizeof x);
            si = (int64_t)((uint64_t)si + (uint64_t)x);
            sf += (float)d[k].v[0];
            s[0] += d[k].v[0];
            s[1] += d[k].v[1];
        }
        if (dt == DT_INT64) memcpy(&s[0], &si, sizeof si);
        if (dt == DT_FLOAT32) s[0] = sf;
        out[0] = s[0];
        out[1] = s[1];
        return;
    }
    double l[2], r[2];
    pair_sum(dt, d, n / 2, l);
    pair_sum(dt, d + n / 2, n - n / 2, r);
    if (dt == DT_INT64) {
        int64_t a, b;
        memcpy(&a, &l[0], sizeof a);
        memcpy(&b, &r[0], sizeof b);
        a = (int64_t)((uint64_t)a + (uint64_t)b);
        memcpy(&out[0], &a, sizeof a);
        out[1] = 0;
    } else if (dt == DT_FLOAT32) {
        out[0] = (float)((float)l[0] + (float)r[0]);
        out[1] = 0;
    } else {
        out[0] = l[0] + r[0];
        out[1] = l[1] + r[1];
    }
}

/* This rank's diagonal elements (offset k) of 2-d a, as (index, value) in accumulator dt. */
static int64_t own_diag(const rt_t *rt, const arr_t *a, int64_t k, int64_t len, int dt, diag_t *out)
{
    int coord[ARR_MAXDIM] = {0};
    int dist = a->isdist && !rt->local;
    if (dist) dist_coords(&a->dist, rt->rank, coord);
    int64_t n = 0;
    for (int64_t i = 0; i < len; i++) {
        int64_t g[2] = {k >= 0 ? i : i - k, k >= 0 ? i + k : i}, l[2] = {g[0], g[1]};
        if (dist && (dist_g2l(&a->dist, 0, g[0], &l[0]) != coord[0] ||
                     dist_g2l(&a->dist, 1, g[1], &l[1]) != coord[1]))
            continue;
        const char *p = (const char *)arri_base(a) +
                        (size_t)(l[0] * a->lstride[0] + l[1] * a->lstride[1]) * dt_size(a->dtype);
        out[n].i = i;
        if (dt == DT_INT64) {
            int64_t x = arri_loadi(a->dtype, p);
            memcpy(&out[n].v[0], &x, sizeof x);
            out[n].v[1] = 0;
        } else {
            arri_load(a->dtype, p, out[n].v);
        }
        n++;
    }
    return n;
}

static int cmp_diag(const void *x, const void *y)
{
    int64_t a = ((const diag_t *)x)->i, b = ((const diag_t *)y)->i;
    return a < b ? -1 : a > b;
}

/* The diagonal of 2-d a (offset k) on every rank, in index order: *len elements, each
 * (re, im) doubles, or an int64's bits in re when asint. Caller frees *out (mem_free). */
static int diag_of(rt_t *rt, const arr_t *a, int64_t k, int asint, diag_t **out, int64_t *len,
                   err_t *err)
{
    int64_t m = a->shape[0], n = a->shape[1];
    int64_t L = k >= 0 ? (n - k < m ? n - k : m) : (m + k < n ? m + k : n);
    if (L < 0) L = 0;
    diag_t *mine = mem_calloc((size_t)(L ? L : 1), sizeof *mine);
    int dist = a->isdist && !rt->local && rt->nranks > 1;
    int rc = mine ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (dist) rc = arri_agree(rt, rc, err);
    if (rc) {
        mem_free(mine);
        return rc;
    }
    int64_t cnt = own_diag(rt, a, k, L, asint ? DT_INT64 : DT_FLOAT64, mine);
    if (dist) {
        char *all = NULL;
        int64_t *offs = NULL;
        rc = coll_gather_bytes(rt, mine, (size_t)cnt * sizeof *mine, &all, &offs, err);
        if (!rc && rt->rank == 0) {
            qsort(all, (size_t)L, sizeof *mine, cmp_diag);
            memcpy(mine, all, (size_t)L * sizeof *mine);
        }
        mem_free(all);
        mem_free(offs);
        if (!rc) rc = coll_bcast_bytes(rt, mine, (size_t)L * sizeof *mine, 0, err);
    }
    if (rc) {
        mem_free(mine);
        return rc;
    }
    *out = mine;
    *len = L;
    return 0;
}

int la_diag(rt_t *rt, const arr_t *a, double **out, err_t *err)
{
    diag_t *d = NULL;
    int64_t L = 0;
    int rc = diag_of(rt, a, 0, 0, &d, &L, err);
    if (rc) return rc;
    double *v = (double *)d; /* in place: 2 doubles out of each 3-word record */
    for (int64_t i = 0; i < L; i++) {
        double re = d[i].v[0], im = d[i].v[1];
        v[2 * i] = re;
        v[2 * i + 1] = im;
    }
    *out = v;
    return 0;
}

int la_trace(rt_t *rt, const arr_t *a, int64_t offset, val_t *out, err_t *err)
{
    if (a->ndim < 2)
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "diag requires an array of at least two dimensions");
    if (a->ndim > 2)
        return err_set(err, PARC_ENOTIMPL, (span_t){0},
                       "trace() of arrays with more than 2 dimensions is not available yet");
    int dt = a->dtype == DT_BOOL || a->dtype == DT_INT32 ? DT_INT64 : a->dtype;
    diag_t *d = NULL;
    int64_t L = 0;
    int rc = diag_of(rt, a, offset, dt == DT_INT64, &d, &L, err);
    if (rc) return rc;
    double s[2] = {0, 0};
    pair_sum(dt, d, L, s);
    mem_free(d);
    if (dt == DT_INT64) {
        int64_t x;
        memcpy(&x, &s[0], sizeof x);
        *out = val_int(x);
        out->weak = 0;
    } else {
        *out = arri_num_to_val(dt, s, 0);
    }
    return 0;
}

/* ---- norm ---- */

static val_t arrval(arr_t *a)
{
    val_t v = {.kind = V_ARRAY, .u.a = a};
    return v;
}

/* sqrt of a number value, keeping float32. */
static int vsqrt(ops_t *ops, val_t *v, err_t *err)
{
    val_t r = val_none();
    int rc = ops_ufunc(ops, BI_SQRT, v, 1, &r, err);
    val_drop(v);
    *v = r;
    return rc;
}

/* The real part of a complex array (s = conj(x) * x is real already). */
static int real_part(rt_t *rt, val_t *v, err_t *err)
{
    if (v->kind != V_ARRAY || arr_dtype(v->u.a) != DT_COMPLEX128) return 0;
    arr_t *r = NULL;
    int rc = arr_astype(rt, v->u.a, DT_FLOAT64, &r, err);
    val_drop(v);
    if (!rc) *v = val_array(&r);
    return rc;
}

/* reduction bi of elementwise formula f over x (and p) along axis. */
static int reduce_of(rt_t *rt, ops_t *ops, const char *f, arr_t *x, const val_t *p, int bi,
                     int axis, val_t *out, err_t *err)
{
    val_t args[2] = {arrval(x), p ? *p : val_none()}, e = val_none();
    if (axis == ARR_NOAXIS) return ops_formula(ops, f, args, p ? 2 : 1, bi, out, err);
    int rc = ops_formula(ops, f, args, p ? 2 : 1, -1, &e, err);
    if (!rc && bi == BI_SUM && strstr(f, "conjugate")) rc = real_part(rt, &e, err);
    if (!rc) rc = arr_reduce(rt, bi, NULL, &e, 1, axis, out, err);
    val_drop(&e);
    return rc;
}

/* The real scalar of a complex one (a sum of conj(x) * x). */
static void real_scalar(val_t *v)
{
    if (v->kind == V_COMPLEX) *v = arri_num_to_val(DT_FLOAT64, (double[2]){v->u.c[0], 0}, 0);
}

static int vector_norm(rt_t *rt, ops_t *ops, arr_t *x, const la_ord_t *ord, int axis, val_t *out,
                       err_t *err)
{
    double p = ord->p;
    int rc;
    if (ord->kind == LA_ORD_NONE || (ord->kind == LA_ORD_NUM && p == 2)) {
        rc = reduce_of(rt, ops, "multiply(conjugate($0), $0)", x, NULL, BI_SUM, axis, out, err);
        if (!rc) real_scalar(out);
        return rc ? rc : vsqrt(ops, out, err);
    }
    if (ord->kind != LA_ORD_NUM)
        return err_set(err, PARC_EVALUE, (span_t){0}, "Invalid norm order '%s' for vectors",
                       ord->name);
    if (isinf(p))
        return reduce_of(rt, ops, "absolute($0)", x, NULL, p > 0 ? BI_MAX : BI_MIN, axis, out, err);
    if (p == 1) return reduce_of(rt, ops, "absolute($0)", x, NULL, BI_SUM, axis, out, err);
    int rdt = arr_dtype(x) == DT_FLOAT32 ? DT_FLOAT32 : DT_FLOAT64;
    val_t pv = arri_num_to_val(rdt, (double[2]){p, 0}, 0);
    if (p == 0) {
        val_t c = val_none();
        val_t zero = val_int(0);
        rc = reduce_of(rt, ops, "not_equal($0, $1)", x, &zero, BI_SUM, axis, &c, err);
        if (!rc && c.kind == V_ARRAY) {
            arr_t *r = NULL;
            rc = arr_astype(rt, c.u.a, rdt, &r, err);
            if (!rc) *out = val_array(&r);
        } else if (!rc) {
            *out = arri_num_to_val(rdt, (double[2]){(double)c.u.i, 0}, 0);
        }
        val_drop(&c);
        return rc;
    }
    val_t s = val_none(), inv = arri_num_to_val(rdt, (double[2]){1 / p, 0}, 0);
    rc = reduce_of(rt, ops, "power(absolute($0), $1)", x, &pv, BI_SUM, axis, &s, err);
    if (!rc) rc = ops_binop(ops, IR_POW, &s, &inv, out, err);
    val_drop(&s);
    return rc;
}

/* ord 1, -1, inf, -inf of a matrix: max/min over one axis of sums of abs along the other. */
static int matrix_norm(rt_t *rt, ops_t *ops, arr_t *x, const la_ord_t *ord, int r, int c,
                       val_t *out, err_t *err)
{
    double p = ord->p;
    if (ord->kind == LA_ORD_NONE || ord->kind == LA_ORD_FRO) {
        /* sqrt(sum over both axes): a 2-d x reduces to a number */
        int rc = reduce_of(rt, ops, "multiply(conjugate($0), $0)", x, NULL, BI_SUM, ARR_NOAXIS, out,
                           err);
        if (!rc) real_scalar(out);
        return rc ? rc : vsqrt(ops, out, err);
    }
    if (ord->kind == LA_ORD_NUC || (ord->kind == LA_ORD_NUM && fabs(p) == 2)) {
        /* the largest or smallest singular value, or their sum */
        val_t s = val_none();
        int rc = la_svd(rt, x, 0, 0, &s, err);
        int bi = ord->kind == LA_ORD_NUC ? BI_SUM : p > 0 ? BI_MAX : BI_MIN;
        if (!rc) rc = arr_reduce(rt, bi, NULL, &s, 1, ARR_NOAXIS, out, err);
        val_drop(&s);
        return rc;
    }
    if (ord->kind != LA_ORD_NUM || !(fabs(p) == 1 || isinf(p)))
        return err_set(err, PARC_EVALUE, (span_t){0}, "Invalid norm order for matrices.");
    /* ord 1: the largest sum over rows (axis r) of the columns; inf: the other way */
    val_t s = val_none();
    int rc = reduce_of(rt, ops, "absolute($0)", x, NULL, BI_SUM, fabs(p) == 1 ? r : c, &s, err);
    if (!rc) rc = arr_reduce(rt, p > 0 ? BI_MAX : BI_MIN, NULL, &s, 1, ARR_NOAXIS, out, err);
    val_drop(&s);
    return rc;
}

int la_norm(rt_t *rt, ops_t *ops, const arr_t *x0, const la_ord_t *ord, int naxis, const int *axis,
            val_t *out, err_t *err)
{
    arr_t *x = NULL;
    int dt = arr_dtype(x0), rc = 0;
    if (dt == DT_BOOL || dt == DT_INT32 || dt == DT_INT64)
        rc = arr_astype(rt, x0, DT_FLOAT64, &x, err);
    else
        x = arr_ref((arr_t *)x0);
    if (rc) return rc;
    int nd = arr_ndim(x);
    int ax[2] = {0, 1};
    if (naxis == 0) {
        int all2 = ord->kind == LA_ORD_NONE || (ord->kind == LA_ORD_FRO && nd == 2) ||
                   (ord->kind == LA_ORD_NUM && ord->p == 2 && nd == 1);
        if (all2) {
            rc = reduce_of(rt, ops, "multiply(conjugate($0), $0)", x, NULL, BI_SUM, ARR_NOAXIS, out,
                           err);
            if (!rc) real_scalar(out);
            if (!rc) rc = vsqrt(ops, out, err);
            arr_unref(&x);
            return rc;
        }
        naxis = nd;
        ax[0] = 0;
        ax[1] = 1;
    } else {
        for (int i = 0; i < naxis; i++) {
            ax[i] = axis[i] < 0 ? axis[i] + nd : axis[i];
            if (ax[i] < 0 || ax[i] >= nd)
                rc = err_set(err, PARC_EVALUE, (span_t){0},
                             "axis %d is out of bounds for array of dimension %d", axis[i], nd);
        }
    }
    if (rc) {
    } else if (naxis == 1) {
        rc = vector_norm(rt, ops, x, ord, nd == 1 ? ARR_NOAXIS : ax[0], out, err);
    } else if (naxis == 2) {
        if (ax[0] == ax[1])
            rc = err_set(err, PARC_EVALUE, (span_t){0}, "Duplicate axes given.");
        else if (nd != 2)
            rc = err_set(err, PARC_ENOTIMPL, (span_t){0},
                         "matrix norms of arrays with more than 2 dimensions are not available "
                         "yet");
        else
            rc = matrix_norm(rt, ops, x, ord, ax[0], ax[1], out, err);
    } else {
        rc = err_set(err, PARC_EVALUE, (span_t){0}, "Improper number of dimensions to norm.");
    }
    arr_unref(&x);
    return rc;
}
