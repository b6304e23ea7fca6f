/* arrred.c - reductions (arr_reduce): whole-array over a fused tree without a temporary,
 * and along an axis.
 *
 * Order-free reductions (integer sum/prod, min, max, count_nonzero, any, all) reduce the
 * local part, then every rank gathers the per-rank states and merges them in rank order.
 * Float and complex sum/prod/mean/var/std go through coll_tree, the fixed global tree
 * (docs/architecture.md, "Reproducible reductions"): blocks are evaluated aligned to the tree's
 * global blocks, folded on the spot, and only the blocks shared with a neighbour travel as raw
 * elements. var is two passes (mean, then the mean of squared deviations), as NumPy computes it,
 * or for a large real array one pass of shifted sums (var_shifted) when that cannot cancel.
 * Along an axis the tree reductions combine rows as vectors (axis_tree, below), without a
 * gather; the order-free ones reduce lane by lane, and on a distributed axis 0 send one
 * state per column and rank to the column's owner (free_axis0). */
#include <fenv.h>
#include <math.h>
#include <string.h>

#include "arr.h"
#include "arrint.h"
#include "builtins.h"
#include "coll.h"
#include "fuse.h"
#include "fpflags.h"
#include "kern.h"
#include "mem.h"

static int is_tree_op(int bi, int dt)
{
    if (bi == BI_MEAN || bi == BI_VAR || bi == BI_STD) return 1;
    return (bi == BI_SUM || bi == BI_PROD) &&
           (dt == DT_FLOAT32 || dt == DT_FLOAT64 || dt == DT_COMPLEX128);
}

static int acc_of(int bi, int dt)
{
    if (dt == DT_FLOAT32) return ACC_F32;
    if (dt == DT_COMPLEX128 && bi != BI_VAR && bi != BI_STD) return ACC_C128;
    return ACC_F64;
}

static int acc_dt(int acc)
{
    return acc == ACC_F32 ? DT_FLOAT32 : acc == ACC_C128 ? DT_COMPLEX128 : DT_FLOAT64;
}

/* Values of the block converted to the accumulator; centered squares when center; with
 * shift (a real dtype, acc ACC_C128) the pairs (x - c, (x - c)^2) of c = center[0]. */
static void to_acc(int dt, int acc, const void *res, int64_t n, const double *center, int shift,
                   void *dst)
{
    if (shift) {
        double *o = dst, c = center[0];
        kern_cast(dt, DT_FLOAT64, o + n, res, (size_t)n);
        for (int64_t i = 0; i < n; i++) {
            double d = o[n + i] - c;
            o[2 * i] = d;
            o[2 * i + 1] = d * d;
        }
        return;
    }
    if (!center) {
        kern_cast(dt, acc_dt(acc), dst, res, (size_t)n);
        return;
    }
    if (dt == DT_COMPLEX128) {
        const double *x = res;
        double *o = dst;
        for (int64_t i = 0; i < n; i++) {
            double re = x[2 * i] - center[0], im = x[2 * i + 1] - center[1];
            o[i] = re * re + im * im;
        }
        return;
    }
    kern_cast(dt, acc_dt(acc), dst, res, (size_t)n);
    if (acc == ACC_F32) {
        float *o = dst, c = (float)center[0];
        for (int64_t i = 0; i < n; i++)
            o[i] = (o[i] - c) * (o[i] - c);
    } else {
        double *o = dst;
        for (int64_t i = 0; i < n; i++)
            o[i] = (o[i] - center[0]) * (o[i] - center[0]);
    }
}

/* NumPy's complex product starts from the identity, (1+0j) * x0 * x1 ..., and that first
 * product already turns inf+0j into inf+nanj: do it to the array's first element so that
 * infinities and nans come out of the tree as they come out of NumPy. */
static void prod_first(int op, int acc, void *first)
{
    if (!op || acc != ACC_C128) return;
    double one[2] = {1.0, 0.0};
    kern_bin(IR_MUL, DT_COMPLEX128, first, one, first, 1);
}

/* One pass of the reproducible tree over the fused values; out gets 1 (or 2) doubles. */
/* The IEEE flags a reduction's own additions or products raise (not those of the
 * expression it reduces, which fuse_block reports): FE_CLEAR before a fold, FE_KEEP(fe)
 * after it, and fold_warn gives NumPy's "overflow encountered in reduce" and "invalid
 * value encountered in reduce" (inf - inf, 0 * inf). */
#define FE_FOLD     (FE_OVERFLOW | FE_INVALID)
#define FE_CLEAR()  fp_clear(FE_FOLD)
#define FE_KEEP(fe) ((fe) |= fetestexcept(FE_FOLD))
static void fold_warn(rt_t *rt, int fe)
{
    if (fe & FE_OVERFLOW) rt_warn(rt, (span_t){0}, "overflow", "reduce");
    if (fe & FE_INVALID) rt_warn(rt, (span_t){0}, "invalid value", "reduce");
}

/* shift: to_acc's shifted pairs (acc ACC_C128). fe_out: the fold's IEEE flags come back
 * there instead of as warnings. */
static int tree_pass(rt_t *rt, fuse_t *f, int op, int acc, int64_t N, const double *center,
                     int shift, int *fe_out, double out[2], err_t *err)
{
    int fe = 0;
    int coll = fuse_isdist(f);
    int dt = fuse_dtype(f);
    int64_t m = fuse_lsize(f), g0 = fuse_gstart(f), B = coll_tree_block(1), jlo, jhi;
    coll_tree_owned(N, B, g0, g0 + m, &jlo, &jhi);
    size_t esz = acc == ACC_F32 ? 4 : acc == ACC_C128 ? 16 : 8;
    char *bv = mem_alloc((size_t)(jhi - jlo + 1) * esz);
    char *piece[2] = {mem_alloc((size_t)B * esz), mem_alloc((size_t)B * esz)};
    char *buf = mem_alloc((size_t)B * esz);
    int64_t ps[2] = {0, 0}, pc[2] = {0, 0};
    int np = 0;
    int rc = (bv && piece[0] && piece[1] && buf)
                 ? 0
                 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory in a reduction");
    for (int64_t s = 0; s < m && !rc;) {
        int64_t gp = g0 + s, j = gp / B;
        int64_t e = (j + 1) * B - g0;
        if (e > m) e = m;
        int64_t n = e - s;
        const void *res;
        rt_step(rt, s, m);
        rc = rt_check(rt, err);
        if (!rc) rc = fuse_block(f, s, n, &res, err);
        if (rc) break;
        if (j >= jlo && j < jhi) {
            const void *vals = buf;
            char *bj = bv + (size_t)(j - jlo) * esz;
            if (shift && dt == DT_FLOAT64) {
                /* the shifted pairs folded as they are made */
                FE_CLEAR();
                kern_fold_shifted(res, n, center[0], (double *)bj);
                FE_KEEP(fe);
                s = e;
                continue;
            }
            /* values already in the accumulator's type are folded where they are */
            if (!center && acc_dt(acc) == dt && !(gp == 0 && op && acc == ACC_C128))
                vals = res;
            else
                to_acc(dt, acc, res, n, center, shift, buf);
            if (gp == 0) prod_first(op, acc, buf);
            FE_CLEAR();
            kern_fold(op, acc, 1, B, vals, n, bj);
            FE_KEEP(fe);
        } else {
            int k = j < jlo ? 0 : 1;
            if (k == 1 && np == 0) k = 0;
            to_acc(dt, acc, res, n, center, shift, piece[k]);
            if (gp == 0) prod_first(op, acc, piece[k]);
            ps[k] = gp;
            pc[k] = n;
            np = k + 1;
        }
        s = e;
    }
    rt_step(rt, 0, 0);
    if (coll) rc = arri_agree(rt, rc, err);
    char res16[16] = {0};
    const void *pv[2] = {piece[0], piece[1]};
    FE_CLEAR();
    if (!rc) rc = coll_tree(rt, coll, op, acc, 1, N, g0, g0 + m, bv, np, ps, pc, pv, res16, err);
    FE_KEEP(fe);
    if (fe_out)
        *fe_out = fe;
    else if (!rc)
        fold_warn(rt, fe);
    if (!rc) {
        double v[2] = {0, 0};
        if (acc == ACC_F32) {
            float x;
            memcpy(&x, res16, 4);
            v[0] = x;
        } else {
            memcpy(v, res16, acc == ACC_C128 ? 16 : 8);
        }
        out[0] = v[0];
        out[1] = v[1];
    }
    mem_free(bv);
    mem_free(piece[0]);
    mem_free(piece[1]);
    mem_free(buf);
    return rc;
}

static val_t fval(int dt, double re, double im)
{
    double v[2] = {re, im};
    return arri_num_to_val(dt, v, 0);
}

/* NumPy's mean: the sum divided by the count, for complex as a complex division (so an
 * infinite part makes the other nan, as in NumPy). */
static void mean_of(int dt, const double s[2], int64_t n, double out[2])
{
    if (dt == DT_COMPLEX128) {
        double d[2] = {(double)n, 0};
        kern_bin(IR_DIV, DT_COMPLEX128, out, s, d, 1);
        return;
    }
    out[0] = s[0] / (double)n;
    out[1] = 0;
    if (dt == DT_FLOAT32) out[0] = (float)((float)s[0] / (float)n);
}

/* float64 var in one read of the values, for arrays of more than one tree block: with c
 * the mean of the first SHIFT_K elements (the same on every rank and engine count), the
 * tree sums S = sum(x - c) and Q = sum((x - c)^2) in one pass (as a complex sum), and
 * var = (Q - S^2/N) / N. Used only when S^2/N <= Q/2, so that the subtraction loses at most
 * one bit, and everything is finite and the fold raised no flag; otherwise *done stays 0
 * and the caller runs NumPy's two passes (mean, then squared deviations), which also
 * give every warning. Collective. */
#define SHIFT_K 64
static int var_shifted(rt_t *rt, fuse_t *f, int64_t N, double *var, int *done, err_t *err)
{
    *done = 0;
    if (N <= coll_tree_block(1)) return 0; /* one block: the two passes cost one read */
    int coll = fuse_isdist(f), dt = fuse_dtype(f);
    int64_t m = fuse_lsize(f), g0 = fuse_gstart(f);
    double first[SHIFT_K] = {0};
    int rc = 0;
    if (g0 < SHIFT_K && m > 0) {
        int64_t n = SHIFT_K - g0 < m ? SHIFT_K - g0 : m;
        const void *res;
        rc = fuse_block(f, 0, n, &res, err);
        if (!rc) kern_cast(dt, DT_FLOAT64, first + g0, res, (size_t)n);
    }
    if (coll) rc = arri_agree(rt, rc, err);
    if (rc) return rc;
    /* each element has one owner: the others add zeros, exactly, in any order */
    if (coll) rc = coll_reduce_f64(rt, first, SHIFT_K, COLL_SUM, err);
    if (rc) return rc;
    double c = 0;
    for (int i = 0; i < SHIFT_K; i++)
        c += first[i];
    c /= SHIFT_K;
    if (!isfinite(c)) return 0;
    double sq[2] = {0, 0};
    int fe = 0;
    rc = tree_pass(rt, f, 0, ACC_C128, N, &c, 1, &fe, sq, err);
    if (rc) return rc;
    double s = sq[0], q = sq[1], corr = s * s / (double)N;
    if (fe || !isfinite(s) || !isfinite(q) || !isfinite(corr) || corr > q / 2) return 0;
    double v = (q - corr) / (double)N;
    *var = v > 0 ? v : 0;
    *done = 1;
    return 0;
}

static int whole_tree(rt_t *rt, int bi, fuse_t *f, int64_t N, val_t *out, err_t *err)
{
    int dt = fuse_dtype(f);
    int acc = acc_of(bi, dt);
    int rdt = dt == DT_FLOAT32 ? DT_FLOAT32 : dt == DT_COMPLEX128 ? DT_COMPLEX128 : DT_FLOAT64;
    double s[2];
    /* var's first pass is the mean: complex needs the complex sum. */
    if ((bi == BI_VAR || bi == BI_STD) && acc == ACC_F64 && dt != DT_COMPLEX128) {
        double var;
        int done = 0, rc = var_shifted(rt, f, N, &var, &done, err);
        if (rc) return rc;
        if (done) {
            *out = fval(DT_FLOAT64, bi == BI_STD ? sqrt(var) : var, 0);
            return 0;
        }
    }
    int rc = tree_pass(rt, f, bi == BI_PROD, dt == DT_COMPLEX128 ? ACC_C128 : acc, N, NULL, 0, NULL,
                       s, err);
    if (rc) return rc;
    if (bi == BI_SUM || bi == BI_PROD) {
        *out = fval(rdt, s[0], s[1]);
        return 0;
    }
    double mean[2];
    mean_of(rdt, s, N, mean);
    if (bi == BI_MEAN) {
        *out = fval(rdt, mean[0], mean[1]);
        return 0;
    }
    double q[2];
    rc = tree_pass(rt, f, 0, acc, N, mean, 0, NULL, q, err);
    if (rc) return rc;
    double var = q[0] / (double)N;
    int vdt = rdt == DT_FLOAT32 ? DT_FLOAT32 : DT_FLOAT64;
    if (vdt == DT_FLOAT32) var = (float)((float)q[0] / (float)N);
    double r = bi == BI_STD ? (vdt == DT_FLOAT32 ? (double)sqrtf((float)var) : sqrt(var)) : var;
    *out = fval(vdt, r, 0);
    return 0;
}

/* NumPy's error for min/max/argmin/argmax of nothing, or 0. */
static int empty_check(int bi, const kred_t *st, err_t *err)
{
    if (st->has || st->nan) return 0;
    if (bi == BI_MIN || bi == BI_MAX)
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "zero-size array to reduction operation %s which has no identity",
                       bi == BI_MIN ? "minimum" : "maximum");
    if (bi == BI_ARGMIN || bi == BI_ARGMAX)
        return err_set(err, PARC_EVALUE, (span_t){0}, "attempt to get %s of an empty sequence",
                       bi == BI_ARGMIN ? "argmin" : "argmax");
    return 0;
}

static val_t free_result(int bi, int dt, const kred_t *st)
{
    val_t v = {0};
    switch (bi) {
    case BI_SUM:
    case BI_PROD:
        v.kind = V_INT;
        v.dtype = dt == DT_INT32 && 0 ? DT_INT32 : DT_INT64;
        v.u.i = st->i;
        return v;
    case BI_COUNT_NONZERO:
        v.kind = V_INT;
        v.dtype = DT_INT64;
        v.weak = 1;
        v.u.i = st->i;
        return v;
    case BI_ANY:
    case BI_ALL:
        v.kind = V_BOOL;
        v.dtype = DT_BOOL;
        v.u.i = st->i != 0;
        return v;
    case BI_ARGMIN:
    case BI_ARGMAX:
        v.kind = V_INT;
        v.dtype = DT_INT64;
        v.u.i = st->nan ? st->nat : st->at;
        return v;
    }
    if (dt == DT_BOOL || dt == DT_INT32 || dt == DT_INT64) {
        v.kind = dt == DT_BOOL ? V_BOOL : V_INT;
        v.dtype = (uint8_t)dt;
        v.u.i = st->i;
        return v;
    }
    if (st->nan) return fval(dt, st->nf[0], st->nf[1]);
    return fval(dt, st->f[0], st->f[1]);
}

/* fuse_each's visit for whole_free: the block into the running state. */
typedef struct {
    int bi, dt;
    kred_t *st;
} free_t;

static void fold_free(void *ctx, int64_t s, int64_t n, const void *res)
{
    const free_t *fr = ctx;
    (void)s;
    kern_red(fr->bi, fr->dt, res, (size_t)n, fr->st);
}

static int whole_free(rt_t *rt, int bi, fuse_t *f, val_t *out, err_t *err)
{
    int dt = fuse_dtype(f);
    kred_t st;
    kern_red_init(bi, &st);
    st.pos = fuse_gstart(f);
    free_t fr = {bi, dt, &st};
    int rc = fuse_each(f, fold_free, &fr, err);
    if (fuse_isdist(f)) {
        rc = arri_agree(rt, rc, err);
        if (rc) return rc;
        kred_t *all = mem_calloc((size_t)rt->nranks, sizeof *all);
        rc = arri_agree(rt, all ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory"), err);
        if (!rc) rc = coll_allgather_bytes(rt, &st, sizeof st, all, err);
        if (rc) {
            mem_free(all);
            return rc;
        }
        kern_red_init(bi, &st);
        for (int r = 0; r < rt->nranks; r++)
            kern_red_merge(bi, dt, &st, &all[r]);
        mem_free(all);
    } else if (rc) {
        return rc;
    }
    if ((rc = empty_check(bi, &st, err))) return rc;
    *out = free_result(bi, dt, &st);
    return 0;
}

/* Along an axis: the fused values are made into an array first, then each lane (or, on
 * the distributed axis 0, each column across ranks) is reduced. */
static int reduce_axis(rt_t *rt, int bi, arr_t *a, int axis, val_t *out, err_t *err);

static int reduce_run(rt_t *rt, int bi, const ir_node_t *tree, const val_t *leaves, size_t nleaves,
                      int axis, val_t *out, err_t *err)
{
    if (nleaves == 0) return err_set(err, PARC_ETYPE, (span_t){0}, "reduction of nothing");
    fuse_t *f = NULL;
    int rc = fuse_build(rt, tree, leaves, nleaves, &f, err);
    if (rc) return rc;
    int ndim = fuse_ndim(f);
    if (axis != ARR_NOAXIS) {
        if (axis < -ndim || axis >= (ndim ? ndim : 1)) {
            fuse_free(&f);
            return err_set(err, PARC_EVALUE, (span_t){0},
                           "axis %d is out of bounds for array of dimension %d", axis, ndim);
        }
        if (axis < 0) axis += ndim;
        if (ndim <= 1) axis = ARR_NOAXIS;
    }
    int64_t N = 1;
    for (int d = 0; d < ndim; d++)
        N *= fuse_shape(f)[d];
    if (axis == ARR_NOAXIS) {
        if (is_tree_op(bi, fuse_dtype(f)))
            rc = whole_tree(rt, bi, f, N, out, err);
        else
            rc = whole_free(rt, bi, f, out, err);
        fuse_free(&f);
        return rc;
    }
    fuse_free(&f);
    val_t tmp;
    if (tree) {
        rc = arr_fuse(rt, tree, leaves, nleaves, &tmp, err);
        if (rc) return rc;
    } else {
        tmp = leaves[0];
        arr_ref(tmp.u.a);
    }
    arr_t *rows = NULL;
    rc = arri_rowwise(rt, tmp.u.a, &rows, err);
    arr_unref(&tmp.u.a);
    if (!rc) rc = reduce_axis(rt, bi, rows, axis, out, err);
    arr_unref(&rows);
    return rc;
}

/* Ranks that wait for the others anywhere in a reduction report RT_REDUCTION (rt.h). */
int arr_reduce(rt_t *rt, int bi, const ir_node_t *tree, const val_t *leaves, size_t nleaves,
               int axis, val_t *out, err_t *err)
{
    int was = rt_op_begin(rt, RT_REDUCTION);
    int rc = reduce_run(rt, bi, tree, leaves, nleaves, axis, out, err);
    rt_op_end(rt, was);
    return rc;
}

/* keepdims: the reduced axes (red[d] set) put back with length 1 into *v (ndim the
 * operand's): new axes of a result array (views), or a result number made an array of
 * ones-shape. */
static int keep_dims(rt_t *rt, val_t *v, int ndim, const int *red, err_t *err)
{
    int at[ARR_MAXDIM], n = 0;
    int64_t ones[ARR_MAXDIM];
    for (int d = 0; d < ndim; d++) {
        ones[d] = 1;
        if (red[d]) at[n++] = d;
    }
    if (v->kind == V_ARRAY) {
        int rc = arr_expand_dims_at(rt, &v->u.a, at, n, err);
        if (rc) *v = val_none();
        return rc;
    }
    arr_t *a = NULL;
    int rc = arr_full(rt, ndim, ones, v->dtype, v, NULL, &a, err);
    val_drop(v);
    *v = rc ? val_none() : val_array(&a);
    return rc;
}

/* Along several axes (none of them all): the kept axes first, the reduced ones merged into
 * one last axis (a transposed view, then a reshape, which copies when it must), reduced
 * as one axis; its order of accumulation is the C order of the reduced axes. */
static int reduce_merged(rt_t *rt, int bi, const ir_node_t *tree, const val_t *leaves,
                         size_t nleaves, const int *red, val_t *out, err_t *err)
{
    val_t x;
    int rc = 0;
    if (tree) {
        rc = arr_fuse(rt, tree, leaves, nleaves, &x, err);
    } else {
        x = leaves[0];
        arr_ref(x.u.a);
    }
    if (rc) return rc;
    int nd = arr_ndim(x.u.a), perm[ARR_MAXDIM], nk = 0;
    int64_t shape[ARR_MAXDIM], merged = 1;
    for (int d = 0; d < nd; d++)
        if (!red[d]) {
            shape[nk] = arr_shape(x.u.a)[d];
            perm[nk++] = d;
        }
    for (int d = 0, j = nk; d < nd; d++)
        if (red[d]) {
            merged *= arr_shape(x.u.a)[d];
            perm[j++] = d;
        }
    shape[nk] = merged;
    arr_t *t = NULL, *r = NULL;
    rc = arr_transpose(rt, x.u.a, perm, &t, err);
    if (!rc) rc = arr_reshape(rt, t, nk + 1, shape, &r, err);
    arr_unref(&t);
    val_drop(&x);
    if (rc) return rc;
    val_t rv = val_array(&r);
    rc = arr_reduce(rt, bi, NULL, &rv, 1, nk, out, err);
    val_drop(&rv);
    return rc;
}

int arr_reduce_axes(rt_t *rt, int bi, const ir_node_t *tree, const val_t *leaves, size_t nleaves,
                    const int *axes, int naxes, int keepdims, val_t *out, err_t *err)
{
    if (!keepdims && naxes < 0)
        return arr_reduce(rt, bi, tree, leaves, nleaves, ARR_NOAXIS, out, err);
    if (!keepdims && naxes == 1)
        return arr_reduce(rt, bi, tree, leaves, nleaves, axes[0], out, err);
    int ndim = 0, red[ARR_MAXDIM] = {0}, nred = 0;
    for (size_t i = 0; i < nleaves; i++)
        if (leaves[i].kind == V_ARRAY && arr_ndim(leaves[i].u.a) > ndim)
            ndim = arr_ndim(leaves[i].u.a);
    for (int i = 0; i < naxes; i++) {
        int a = axes[i];
        if (a < -ndim || a >= ndim || (ndim == 0 && naxes > 1))
            return err_set(err, PARC_EVALUE, (span_t){0},
                           "axis %d is out of bounds for array of dimension %d", a, ndim);
        if (a < 0) a += ndim;
        if (red[a]) return err_set(err, PARC_EVALUE, (span_t){0}, "duplicate value in 'axis'");
        red[a] = 1;
        nred++;
    }
    if (naxes < 0 || nred == ndim)
        for (int d = 0; d < ndim; d++)
            red[d] = 1;
    val_t v = val_none();
    int rc;
    if (naxes < 0 || nred == ndim)
        rc = arr_reduce(rt, bi, tree, leaves, nleaves, ARR_NOAXIS, &v, err);
    else if (naxes == 1)
        rc = arr_reduce(rt, bi, tree, leaves, nleaves, axes[0], &v, err);
    else
        rc = reduce_merged(rt, bi, tree, leaves, nleaves, red, &v, err);
    if (!rc && keepdims && ndim > 0) rc = keep_dims(rt, &v, ndim, red, err);
    if (!rc) *out = v;
    return rc;
}

/* The order-free reduction of one lane of L elements (stride st elements from p) of dtype
 * dt, a strided lane copied into buf first. */
static int lane(int bi, int dt, const char *p, int64_t L, int64_t st, char *buf, void *dst, int odt,
                err_t *err)
{
    size_t sz = dt_size(dt);
    if (st != 1) /* a contiguous lane is reduced where it is */
        for (int64_t i = 0; i < L; i++)
            memcpy(buf + (size_t)i * sz, p + i * st * (int64_t)sz, sz);
    val_t v;
    kred_t s;
    kern_red_init(bi, &s);
    kern_red(bi, dt, st == 1 ? p : buf, (size_t)L, &s);
    int rc = empty_check(bi, &s, err);
    if (rc) return rc;
    v = free_result(bi, dt, &s);
    arri_store_val(odt, dst, &v);
    return 0;
}

static int out_dtype(int bi, int dt)
{
    switch (bi) {
    case BI_SUM:
    case BI_PROD:
        return (dt == DT_BOOL || dt == DT_INT32) ? DT_INT64 : dt;
    case BI_MEAN:
        return dt == DT_FLOAT32 || dt == DT_COMPLEX128 ? dt : DT_FLOAT64;
    case BI_VAR:
    case BI_STD:
        return dt == DT_FLOAT32 ? DT_FLOAT32 : DT_FLOAT64;
    case BI_COUNT_NONZERO:
    case BI_ARGMIN:
    case BI_ARGMAX:
        return DT_INT64;
    case BI_ANY:
    case BI_ALL:
        return DT_BOOL;
    }
    return dt;
}

/* ---- tree reductions along an axis ----
 *
 * Along axis k the array is outer slabs of L x w (L = shape[k], w = the product of the
 * axes after k), and every slab's rows are combined elementwise, as vectors of w lanes, in
 * coll_tree's order over the row index: blocks of coll_tree_block(w) rows halved pairwise,
 * a binary tree above. A row is read once, contiguously, whatever the axis; on the
 * distributed axis 0 each rank folds the rows it holds and coll_tree combines the ranks'
 * partial rows (nothing is gathered). For the last axis (w = 1) this is the lane tree of
 * the whole-array reductions. */

/* n rows of w values (dtype dt, at src) in the accumulator's type into dst, each lane
 * centered and squared when center (w values, or w (re, im) pairs for complex). */
static void rows_to_acc(int dt, int acc, const void *src, int64_t n, int64_t w,
                        const double *center, void *dst)
{
    if (!center) {
        kern_cast(dt, acc_dt(acc), dst, src, (size_t)(n * w));
        return;
    }
    size_t sz = dt_size(dt), esz = acc == ACC_F32 ? 4 : 8;
    if (dt == DT_FLOAT64 && acc == ACC_F64) { /* to_acc's formula, lanes in a row */
        const double *x = src;
        double *o = dst;
        for (int64_t r = 0; r < n; r++)
            for (int64_t l = 0; l < w; l++) {
                double d = x[r * w + l] - center[l];
                o[r * w + l] = d * d;
            }
        return;
    }
    for (int64_t r = 0; r < n; r++)
        for (int64_t l = 0; l < w; l++) {
            const char *x = (const char *)src + (size_t)(r * w + l) * sz;
            char *o = (char *)dst + (size_t)(r * w + l) * esz;
            to_acc(dt, acc, x, 1, center + (dt == DT_COMPLEX128 ? 2 * l : l), 0, o);
        }
}

/* src's chunk along axis as outer slabs of lshape[axis] rows of w values (C order). */
static void slab_shape(const arr_t *src, int axis, int64_t *outer, int64_t *w)
{
    *outer = *w = 1;
    for (int d = 0; d < src->ndim; d++)
        if (d < axis)
            *outer *= src->lshape[d];
        else if (d > axis)
            *w *= src->lshape[d];
}

/* The owned blocks of a slab, folded when the tree reads them (kern_leaf_fn). */
typedef struct {
    int op, acc, dt, same;
    const char *p; /* row r0 */
    int64_t r0, jlo, B, L, w;
    const double *center;
    size_t vsz, dsz, esz;
    char *buf; /* B rows in the accumulator's type */
} slab_t;

/* rows_to_acc of the rows from a (and prod_first of row 0) without its IEEE flags: the squares of
 * deviations are not the reduction's own operations (whose flags the caller keeps), as they were
 * made before it. */
static void rows_quiet(const slab_t *s, const char *src, int64_t a, int64_t n, void *dst)
{
    int saved = fetestexcept(FE_FOLD);
    rows_to_acc(s->dt, s->acc, src, n, s->w, s->center, dst);
    if (a == 0)
        for (int64_t l = 0; l < s->w; l++)
            prod_first(s->op, s->acc, (char *)dst + (size_t)l * s->esz);
    fp_clear(FE_FOLD);
    if (saved) feraiseexcept(saved);
}

static const void *slab_leaf(void *ctx, int64_t i, void *out)
{
    const slab_t *s = ctx;
    int64_t a = (s->jlo + i) * s->B, e = a + s->B < s->L ? a + s->B : s->L;
    const char *src = s->p + (size_t)(a - s->r0) * (size_t)s->w * s->dsz;
    int first = a == 0 && s->op && s->acc == ACC_C128;
    if (s->B == 1) { /* one-row blocks are their own folds: the rows themselves */
        if (s->same) return src;
        rows_quiet(s, src, a, 1, out);
        return out;
    }
    const void *vals = src;
    if (!s->same || first) {
        rows_quiet(s, src, a, e - a, s->buf);
        vals = s->buf;
    }
    kern_fold(s->op, s->acc, s->w, s->B, vals, e - a, out);
    return out;
}

/* Collective when coll. The tree of rows [r0, r1) (this rank's; all L when !coll) of an
 * L x w slab whose rows r0.. are at p (dtype dt, contiguous) into out (w accumulator
 * values, on every rank). The owned blocks are folded as the tree reads them: besides the
 * tree's scratch nothing of the slab's size is made, even for var's squared deviations. */
/* slab_tree's buffers, made once for all the slabs of a reduction (a row of z.sum(axis=1)
 * is a slab: 5000 of them per engine, four allocations each before): a block of rows in
 * the accumulator's type, the two partial blocks, and the tree's scratch; sized for the
 * widest accumulator. */
typedef struct {
    char *buf, *piece[2], *scratch;
} slab_mem_t;

static int slab_mem(slab_mem_t *m, int64_t L, int64_t w)
{
    int64_t B = coll_tree_block(w), nb = (L + B - 1) / B;
    int K = 0;
    while (((int64_t)1 << K) < nb)
        K++;
    size_t blk = (size_t)B * (size_t)w * 16;
    m->buf = mem_alloc(blk);
    m->piece[0] = mem_alloc(blk);
    m->piece[1] = mem_alloc(blk);
    m->scratch = mem_alloc(KERN_TREE_SLOTS(K) * (size_t)w * 16);
    return m->buf && m->piece[0] && m->piece[1] && m->scratch ? 0 : -1;
}

static void slab_mem_free(slab_mem_t *m)
{
    mem_free(m->buf);
    mem_free(m->piece[0]);
    mem_free(m->piece[1]);
    mem_free(m->scratch);
}

static int slab_tree(rt_t *rt, int coll, int op, int acc, int dt, const char *p, int64_t L,
                     int64_t r0, int64_t r1, int64_t w, const double *center, const slab_mem_t *m,
                     void *out, err_t *err)
{
    int64_t B = coll_tree_block(w), jlo, jhi;
    coll_tree_owned(L, B, r0, r1, &jlo, &jhi);
    size_t esz = acc == ACC_F32 ? 4 : acc == ACC_C128 ? 16 : 8, dsz = dt_size(dt);
    size_t vsz = (size_t)w * esz;
    int same = !center && acc_dt(acc) == dt && !(op && acc == ACC_C128);
    int fe = 0, rc = 0;
    char *buf = m->buf, *const *piece = m->piece;
    int64_t ps[2] = {0, 0}, pc[2] = {0, 0};
    int np = 0;
    /* the rows of partial blocks travel raw: before the first owned block, after the last */
    int64_t from[2] = {r0, jhi * B > r0 ? jhi * B : r0};
    int64_t to[2] = {jlo * B < r1 ? jlo * B : r1, r1};
    for (int side = 0; side < 2 && !rc; side++) {
        int64_t a = from[side], e = to[side];
        if (e <= a) continue;
        const char *src = p + (size_t)(a - r0) * (size_t)w * dsz;
        rows_to_acc(dt, acc, src, e - a, w, center, piece[np]);
        if (a == 0)
            for (int64_t l = 0; l < w; l++)
                prod_first(op, acc, piece[np] + (size_t)l * esz);
        ps[np] = a;
        pc[np] = e - a;
        np++;
    }
    if (coll) rc = arri_agree(rt, rc, err);
    slab_t sl = {op, acc, dt, same, p, r0, jlo, B, L, w, center, vsz, dsz, esz, buf};
    const void *pv[2] = {piece[0], piece[1]};
    int64_t nb = (L + B - 1) / B;
    if (!rc && !coll && nb > 0) {
        /* the whole axis is here: coll_tree's single node (0, K), without its messages */
        int K = 0;
        while (((int64_t)1 << K) < nb)
            K++;
        FE_CLEAR();
        kern_tree_fn(op, acc, w, vsz, slab_leaf, &sl, 0, nb, K, out, m->scratch);
        FE_KEEP(fe);
    } else if (!rc) {
        FE_CLEAR();
        rc =
            coll_tree_fn(rt, coll, op, acc, w, L, r0, r1, slab_leaf, &sl, np, ps, pc, pv, out, err);
        FE_KEEP(fe);
    }
    if (!rc) fold_warn(rt, fe);
    return rc;
}

/* Tree reduction bi (is_tree_op) of src (contiguous chunk) along axis into res's chunk
 * (dtype odt). coll: axis 0 is distributed over the ranks (Collective); res is then
 * block-split on its axis 0 and each rank keeps its part of the result. */
static int axis_tree(rt_t *rt, int bi, const arr_t *src, int axis, int coll, arr_t *res, err_t *err)
{
    int dt = src->dtype, odt = res->dtype, op = bi == BI_PROD;
    int passes = bi == BI_VAR || bi == BI_STD ? 2 : 1;
    int64_t outer, w, lrows = src->lshape[axis];
    slab_shape(src, axis, &outer, &w);
    int64_t L = coll ? src->shape[0] : lrows;
    int64_t r0 = coll ? arri_row(src, rt->rank) : 0, r1 = coll ? arri_row(src, rt->rank + 1) : L;
    int64_t m = arri_lsize(res), goff = 0;
    if (coll && res->ndim > 0) goff = arri_row(res, rt->rank) * (res->lstride[0]);
    double *sum = mem_calloc((size_t)w + 1, 2 * sizeof(double));
    double *q = mem_calloc((size_t)w + 1, 2 * sizeof(double));
    double *center = mem_calloc((size_t)w + 1, 2 * sizeof(double));
    char *accv = mem_alloc(((size_t)w + 1) * 16);
    slab_mem_t sm = {NULL, {NULL, NULL}, NULL};
    int rc = sum && q && center && accv && !slab_mem(&sm, L, w)
                 ? 0
                 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory in a reduction");
    if (coll) rc = arri_agree(rt, rc, err);
    size_t dsz = dt_size(dt);
    int mdt = dt == DT_FLOAT32 ? DT_FLOAT32 : dt == DT_COMPLEX128 ? dt : DT_FLOAT64;
    for (int64_t o = 0; o < outer && !rc; o++) {
        const char *p = (const char *)arri_base(src) + (size_t)(o * lrows * w) * dsz;
        for (int pass = 0; pass < passes && !rc; pass++) {
            /* var's first pass is the mean: complex needs the complex sum. */
            int acc = pass == 0 && dt == DT_COMPLEX128 ? ACC_C128 : acc_of(bi, dt);
            if (pass)
                for (int64_t l = 0; l < w; l++) {
                    double mu[2];
                    mean_of(mdt, sum + 2 * l, L, mu);
                    if (dt == DT_COMPLEX128) {
                        center[2 * l] = mu[0];
                        center[2 * l + 1] = mu[1];
                    } else {
                        center[l] = mu[0];
                    }
                }
            rc = slab_tree(rt, coll, op, acc, dt, p, L, r0, r1, w, pass ? center : NULL, &sm, accv,
                           err);
            double *t = pass ? q : sum;
            for (int64_t l = 0; l < w && !rc; l++) {
                if (acc == ACC_F32) {
                    float x;
                    memcpy(&x, accv + (size_t)l * 4, 4);
                    t[2 * l] = x;
                    t[2 * l + 1] = 0;
                } else if (acc == ACC_C128) {
                    memcpy(t + 2 * l, accv + (size_t)l * 16, 16);
                } else {
                    memcpy(t + 2 * l, accv + (size_t)l * 8, 8);
                    t[2 * l + 1] = 0;
                }
            }
        }
        for (int64_t l = 0; l < w && !rc; l++) {
            int64_t k = coll ? l - goff : o * w + l;
            if (k < 0 || k >= m) continue;
            val_t v;
            if (bi == BI_SUM || bi == BI_PROD) {
                v = fval(odt, sum[2 * l], sum[2 * l + 1]);
            } else if (bi == BI_MEAN) {
                double mu[2];
                mean_of(odt, sum + 2 * l, L, mu);
                v = fval(odt, mu[0], mu[1]);
            } else {
                double var = q[2 * l] / (double)L;
                v = fval(odt, bi == BI_STD ? sqrt(var) : var, 0);
            }
            arri_store_val(odt, arri_addr(res, k), &v);
        }
    }
    mem_free(sum);
    mem_free(q);
    mem_free(center);
    mem_free(accv);
    slab_mem_free(&sm);
    return rc;
}

/* ---- order-free reductions along the distributed axis 0 ----
 *
 * Each rank folds its rows of every column into one kred_t state (kern_red, the argmin
 * position counting global rows) and sends each state to the rank that holds that column's
 * result element, which merges the states in rank order (kern_red_merge, as whole_free
 * merges the ranks' states). Only one state per column and rank moves, in rounds of at most
 * FREE_ROUND bytes of states to each rank; the rows are read in tiles of TILE elements, a
 * few columns at a time, so that a column's values are contiguous for kern_red. */
#define FREE_ROUND ((int64_t)4 << 20)
#define TILE       16384

/* Column j of the tile (R rows, C columns, row r of column j from elem offset off[j] +
 * r * st of base) into buf + j * R, contiguous: a transpose, element size sz. */
static void tile_cols(const char *base, int64_t sz, const int64_t *off, int64_t C, int64_t st,
                      int64_t R, char *buf)
{
    for (int64_t r = 0; r < R; r++)
        for (int64_t j = 0; j < C; j++) {
            const char *x = base + (off[j] + r * st) * sz;
            char *y = buf + (j * R + r) * sz;
            switch (sz) {
            case 1:
                *y = *x;
                break;
            case 4:
                memcpy(y, x, 4);
                break;
            case 8:
                memcpy(y, x, 8);
                break;
            default:
                memcpy(y, x, (size_t)sz);
            }
        }
}

/* States of columns [k0, k0 + n) of src (row-distributed, this rank's rows) into st. */
static void free_states(int bi, const arr_t *src, int64_t g0, int64_t k0, int64_t n, int64_t *off,
                        char *buf, kred_t *st)
{
    int dt = src->dtype;
    int64_t sz = (int64_t)dt_size(dt), L = src->lshape[0];
    int64_t C = n < 64 ? n : 64, R = TILE / (C ? C : 1);
    if (R < 1) R = 1;
    for (int64_t j = 0; j < n; j++) {
        memset(&st[j], 0, sizeof st[j]);
        kern_red_init(bi, &st[j]);
        st[j].pos = g0;
    }
    const char *base = (const char *)src->buf->p;
    /* whole rows at a time: the columns are contiguous in each row */
    if (L > 0 && arri_contig(src) &&
        kern_red_rows(bi, dt, base + (src->loff + k0) * sz, src->lstride[0], L, n, st))
        return;
    for (int64_t c0 = 0; c0 < n; c0 += C) {
        int64_t nc = n - c0 < C ? n - c0 : C;
        for (int64_t j = 0; j < nc; j++) { /* unravel the column over axes 1.. */
            int64_t q = k0 + c0 + j, o = src->loff;
            for (int d = src->ndim - 1; d >= 1; d--) {
                o += q % src->lshape[d] * src->lstride[d];
                q /= src->lshape[d];
            }
            off[j] = o;
        }
        for (int64_t r0 = 0; r0 < L; r0 += R) {
            int64_t nr = L - r0 < R ? L - r0 : R;
            for (int64_t j = 0; j < nc; j++)
                off[64 + j] = off[j] + r0 * src->lstride[0];
            tile_cols(base, sz, off + 64, nc, src->lstride[0], nr, buf);
            for (int64_t j = 0; j < nc; j++)
                kern_red(bi, dt, buf + j * nr * sz, (size_t)nr, &st[c0 + j]);
        }
    }
}

/* Collective. Order-free bi of row-distributed src along axis 0 into res (distributed by
 * its own rows, the shape of src without axis 0). */
static int free_axis0(rt_t *rt, int bi, const arr_t *src, arr_t *res, err_t *err)
{
    int p = rt->nranks, me = rt->rank, dt = src->dtype;
    int64_t rinner = 1, most = 0;
    for (int d = 1; d < res->ndim; d++)
        rinner *= res->shape[d];
    int64_t S = FREE_ROUND / (int64_t)sizeof(kred_t) / p;
    if (S < 1) S = 1;
    for (int q = 0; q < p; q++) {
        int64_t cnt = (arri_row(res, q + 1) - arri_row(res, q)) * rinner;
        most = cnt > most ? cnt : most;
    }
    kred_t *sb = mem_alloc((size_t)(p * S) * sizeof *sb),
           *rb = mem_alloc((size_t)(p * S) * sizeof *rb);
    int *c = mem_alloc((size_t)p * 4 * sizeof *c);
    int64_t *off = mem_alloc(128 * sizeof *off);
    char *buf = mem_alloc((size_t)TILE * dt_size(dt) + 16);
    MPI_Datatype kt = MPI_DATATYPE_NULL;
    int rc =
        sb && rb && c && off && buf ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (!rc && (MPI_Type_contiguous((int)sizeof(kred_t), MPI_BYTE, &kt) != MPI_SUCCESS ||
                MPI_Type_commit(&kt) != MPI_SUCCESS))
        rc = err_set(err, PARC_EMPI, (span_t){0}, "making an MPI datatype failed");
    rc = arri_agree(rt, rc, err);
    int64_t g0 = arri_row(src, me), mylo = arri_row(res, me) * rinner;
    int64_t myhi = arri_row(res, me + 1) * rinner;
    for (int64_t t = 0; !rc && t * S < most; t++) {
        int *sc = c, *sd = c + p, *rcn = c + 2 * p, *rd = c + 3 * p, n = 0;
        for (int q = 0; q < p; q++) {
            int64_t lo = arri_row(res, q) * rinner + t * S, hi = arri_row(res, q + 1) * rinner;
            hi = hi < lo + S ? hi : lo + S;
            sc[q] = hi > lo ? (int)(hi - lo) : 0;
            sd[q] = n;
            if (sc[q]) free_states(bi, src, g0, lo, sc[q], off, buf, sb + n);
            n += sc[q];
        }
        int64_t lo = mylo + t * S, hi = myhi < lo + S ? myhi : lo + S;
        int mine = hi > lo ? (int)(hi - lo) : 0;
        for (int r = 0; r < p; r++) {
            rcn[r] = mine;
            rd[r] = r * mine;
        }
        int was = rt_wait_begin(rt, RT_REDUCTION);
        if (MPI_Alltoallv(sb, sc, sd, kt, rb, rcn, rd, kt, rt->comm) != MPI_SUCCESS)
            rc = err_set(err, PARC_EMPI, (span_t){0}, "MPI_Alltoallv failed");
        rt_wait_end(rt, was);
        for (int i = 0; !rc && i < mine; i++) {
            kred_t st;
            memset(&st, 0, sizeof st);
            kern_red_init(bi, &st);
            for (int r = 0; r < p; r++)
                kern_red_merge(bi, dt, &st, &rb[r * mine + i]);
            rc = empty_check(bi, &st, err);
            if (!rc) {
                val_t v = free_result(bi, dt, &st);
                arri_store_val(res->dtype, arri_addr(res, lo - mylo + i), &v);
            }
        }
        rc = arri_agree(rt, rc, err);
    }
    if (kt != MPI_DATATYPE_NULL) MPI_Type_free(&kt);
    mem_free(sb);
    mem_free(rb);
    mem_free(c);
    mem_free(off);
    mem_free(buf);
    return rc;
}

/* The order-free reduction bi of src's contiguous chunk along axis (not the last) into
 * res's chunk (dtype of res), as slabs of L rows of w contiguous values: each slab folded
 * whole rows at a time (kern_red_rows). 0, KERN_GENERIC when the chunk is not such or bi
 * and the dtype are not among kern_red_rows' (nothing done), or PARC_ENOMEM. */
static int slab_free(int bi, const arr_t *src, int axis, arr_t *res, err_t *err)
{
    int dt = src->dtype, odt = res->dtype;
    int64_t outer, w, L = src->lshape[axis];
    slab_shape(src, axis, &outer, &w);
    if (axis == src->ndim - 1 || L <= 0 || w <= 0 || !arri_contig(src) || bi == BI_ARGMIN ||
        bi == BI_ARGMAX)
        return KERN_GENERIC;
    kred_t *st = mem_alloc((size_t)TILE * sizeof *st);
    if (!st) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    size_t sz = dt_size(dt);
    const char *base = (const char *)src->buf->p + src->loff * (int64_t)sz;
    int rc = 0;
    for (int64_t o = 0; o < outer && !rc; o++)
        for (int64_t c0 = 0; c0 < w && !rc; c0 += TILE) {
            int64_t nc = w - c0 < TILE ? w - c0 : TILE;
            for (int64_t j = 0; j < nc; j++)
                kern_red_init(bi, &st[j]);
            if (!kern_red_rows(bi, dt, base + (size_t)(o * L * w + c0) * sz, w, L, nc, st)) {
                rc = KERN_GENERIC;
                break;
            }
            for (int64_t j = 0; j < nc; j++) {
                val_t v = free_result(bi, dt, &st[j]);
                arri_store_val(odt, arri_addr(res, o * w + c0 + j), &v);
            }
        }
    mem_free(st);
    return rc;
}

static int reduce_axis(rt_t *rt, int bi, arr_t *a, int axis, val_t *out, err_t *err)
{
    int dt = a->dtype, odt = out_dtype(bi, dt);
    int64_t shape[ARR_MAXDIM];
    int nd = 0;
    for (int d = 0; d < a->ndim; d++)
        if (d != axis) shape[nd++] = a->shape[d];
    int dist = a->isdist && !rt->local, rc = 0, tree = is_tree_op(bi, dt);
    arr_t *src = arr_ref(a), *res = NULL;
    if (rt->local && a->isdist) {
        arr_unref(&src);
        src = arr_local(a);
    }
    if (tree) {
        /* the rows are read as contiguous vectors: a strided view is copied first (every
         * rank copies when any rank's chunk is strided, the copy being Collective) */
        int64_t strided = !arri_contig(src);
        if (dist) rc = coll_sum_i64(rt, &strided, 1, err);
        arr_t *c = NULL;
        if (!rc && strided) rc = arr_copy(rt, src, &c, err);
        if (c) {
            arr_unref(&src);
            src = c;
        }
        if (rc) {
            arr_unref(&src);
            return rc;
        }
    }
    int keep = dist && axis != 0;
    int64_t *bnd = keep ? arri_rows(rt, src) : NULL;
    if (keep && !bnd) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (!rc) rc = arri_new(rt, nd, shape, odt, dist && nd > 0, bnd, &res, err);
    mem_free(bnd);
    int64_t L = src->lshape[axis];
    char *buf = rc ? NULL : mem_alloc((size_t)(L + 1) * 40 + 64);
    if (!rc && !buf) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (dist) rc = arri_agree(rt, rc, err);
    if (!rc && tree) {
        rc = axis_tree(rt, bi, src, axis, dist && axis == 0, res, err);
    } else if (!rc && dist && axis == 0) {
        rc = free_axis0(rt, bi, src, res, err);
    } else if (!rc) {
        /* rows at a time when the lanes are columns of contiguous rows, else lane by lane:
         * output element k of res's chunk <-> source lane */
        rc = slab_free(bi, src, axis, res, err);
        int64_t m = rc == KERN_GENERIC ? arri_lsize(res) : 0;
        if (rc == KERN_GENERIC) rc = 0;
        int64_t row0 = (dist && axis == 0 && nd > 0) ? arri_row(res, rt->rank) : 0;
        for (int64_t k = 0; k < m && !rc; k++) {
            int64_t idx[ARR_MAXDIM], q = k;
            for (int d = nd - 1; d >= 0; d--) {
                idx[d] = q % res->lshape[d];
                q /= res->lshape[d];
            }
            if (nd > 0) idx[0] += row0;
            int64_t off = src->loff;
            for (int d = 0, e = 0; d < src->ndim; d++)
                if (d != axis) off += idx[e++] * src->lstride[d];
            const char *p = (const char *)src->buf->p + off * (int64_t)dt_size(dt);
            rc = lane(bi, dt, p, L, src->lstride[axis], buf, arri_addr(res, k), odt, err);
        }
        if (dist) rc = arri_agree(rt, rc, err);
    }
    mem_free(buf);
    arr_unref(&src);
    if (rc) {
        arr_unref(&res);
        return rc;
    }
    val_t v = {0};
    v.kind = V_ARRAY;
    v.u.a = res;
    *out = v;
    return 0;
}
