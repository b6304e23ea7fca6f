/* arrstencil.c - the array functions of stencil programs (arr.h): diff, gradient, roll,
 * cumsum/cumprod, convolve and convolve2d.
 *
 * diff, gradient and the convolutions are sums of shifted views (a[1:] - a[:-1]; a
 * kernel's taps times a[k:k + L]) run as one fused program each, so the views are read
 * with halos from the neighbours (halo.c) and nothing but the result is made; the 'full'
 * and 'same' convolutions first copy the input into a zero-padded array. The sums run in
 * the order NumPy's loops use for the taps (ascending), so small integer data gives
 * NumPy's bits; BLAS-ordered dot products may differ in the last places for other data.
 * roll is a concatenation of two views. The scans follow NumPy's sequential order: each
 * engine continues from the previous engine's last value (integers: one MPI_Exscan of
 * the chunks' totals, exact in any order; floats: a chain from engine to engine, serial
 * but bitwise NumPy's). */
#include <string.h>

#include "arr.h"
#include "arrint.h"
#include "coll.h"
#include "kern.h"
#include "mem.h"

/* ---- small fused programs ---- */

#define TB_NODES 160

/* Nodes of one elementwise tree, built in place (no arena: the trees are small). */
typedef struct {
    ir_node_t n[TB_NODES];
    ir_node_t *k[TB_NODES * 2];
    int nn, nk;
} tb_t;

static ir_node_t *tb_node(tb_t *t, int op, uint32_t nkid)
{
    ir_node_t *n = &t->n[t->nn++];
    memset(n, 0, sizeof *n);
    n->op = (uint16_t)op;
    n->s = "";
    n->nkid = nkid;
    n->kid = &t->k[t->nk];
    t->nk += (int)nkid;
    return n;
}

static ir_node_t *tb_bin(tb_t *t, int op, ir_node_t *a, ir_node_t *b)
{
    ir_node_t *n = tb_node(t, op, 2);
    n->kid[0] = a;
    n->kid[1] = b;
    return n;
}

static ir_node_t *tb_leaf(tb_t *t)
{
    return tb_node(t, IR_NAME, 0);
}

/* The index [:, ..., lo:hi (along axis), ..., :] of nd axes. */
static void axis_index(idx_t *ix, int nd, int axis, int64_t lo, int64_t hi)
{
    memset(ix, 0, sizeof *ix * ARR_MAXDIM);
    for (int d = 0; d < nd; d++)
        ix[d].kind = IDX_SLICE;
    ix[axis].has_start = ix[axis].has_stop = 1;
    ix[axis].start = lo;
    ix[axis].stop = hi;
}

/* a[lo:hi] along axis, the other axes whole: a view. Collective. */
static int axis_slice(rt_t *rt, arr_t *a, int axis, int64_t lo, int64_t hi, arr_t **out, err_t *err)
{
    idx_t ix[ARR_MAXDIM];
    axis_index(ix, a->ndim, axis, lo, hi);
    val_t v;
    int rc = arr_getitem(rt, a, ix, a->ndim, &v, err);
    if (rc) return rc;
    if (v.kind != V_ARRAY) {
        val_drop(&v);
        return err_set(err, PARC_ERUNTIME, (span_t){0}, "a slice gave no array");
    }
    *out = v.u.a;
    return 0;
}

/* Runs tree over leaves into a new array (*out). */
static int run(rt_t *rt, const ir_node_t *tree, const val_t *leaves, size_t n, arr_t **out,
               err_t *err)
{
    val_t v;
    int rc = arr_fuse(rt, tree, leaves, n, &v, err);
    if (rc == KERN_GENERIC)
        rc = err_set(err, PARC_ETYPE, (span_t){0}, "the operands are not arrays or numbers");
    if (rc) return rc;
    if (v.kind != V_ARRAY) {
        val_drop(&v);
        return err_set(err, PARC_ERUNTIME, (span_t){0}, "a fused program gave no array");
    }
    *out = v.u.a;
    return 0;
}

/* x[lo:hi along axis] = tree over leaves (straight into x when it can, else through the
 * computed value). */
static int assign(rt_t *rt, arr_t *x, int axis, int64_t lo, int64_t hi, const ir_node_t *tree,
                  const val_t *leaves, size_t n, err_t *err)
{
    idx_t ix[ARR_MAXDIM];
    axis_index(ix, x->ndim, axis, lo, hi);
    int rc = arr_setitem_fused(rt, x, ix, x->ndim, tree, leaves, n, err);
    if (rc != KERN_GENERIC) return rc;
    arr_t *v = NULL;
    rc = tree ? run(rt, tree, leaves, n, &v, err) : 0;
    if (rc) return rc;
    val_t vv = tree ? val_array(&v) : leaves[0];
    rc = arr_setitem(rt, x, ix, x->ndim, &vv, err);
    if (tree) val_drop(&vv);
    return rc;
}

/* ---- diff, gradient, roll ---- */

int arr_diff(rt_t *rt, arr_t *a, int64_t n, int axis, arr_t **out, err_t *err)
{
    arr_t *cur = arr_ref(a);
    int rc = 0;
    for (int64_t k = 0; k < n && !rc; k++) {
        int64_t len = cur->shape[axis];
        arr_t *hi = NULL, *lo = NULL, *r = NULL;
        rc = axis_slice(rt, cur, axis, 1, len > 0 ? len : 0, &hi, err);
        if (!rc) rc = axis_slice(rt, cur, axis, 0, len > 0 ? len - 1 : 0, &lo, err);
        if (!rc) {
            /* NumPy: not_equal for booleans, subtract otherwise */
            tb_t t = {0};
            ir_node_t *tree =
                tb_bin(&t, cur->dtype == DT_BOOL ? IR_NE : IR_SUB, tb_leaf(&t), tb_leaf(&t));
            val_t leaves[2] = {val_array(&hi), val_array(&lo)};
            rc = run(rt, tree, leaves, 2, &r, err);
            val_drop(&leaves[0]);
            val_drop(&leaves[1]);
        }
        arr_unref(&hi);
        arr_unref(&lo);
        arr_unref(&cur);
        cur = r;
    }
    if (rc) {
        arr_unref(&cur);
        return rc;
    }
    *out = cur;
    return 0;
}

/* out[lo:hi] = (f[a0:a1] - f[b0:b1]) / h along axis, as NumPy's gradient writes it. */
static int grad_part(rt_t *rt, arr_t *o, arr_t *f, int axis, int64_t lo, int64_t hi, int64_t a0,
                     int64_t a1, int64_t b0, int64_t b1, double h, err_t *err)
{
    arr_t *x = NULL, *y = NULL;
    int rc = axis_slice(rt, f, axis, a0, a1, &x, err);
    if (!rc) rc = axis_slice(rt, f, axis, b0, b1, &y, err);
    if (!rc) {
        tb_t t = {0};
        ir_node_t *tree =
            tb_bin(&t, IR_DIV, tb_bin(&t, IR_SUB, tb_leaf(&t), tb_leaf(&t)), tb_leaf(&t));
        val_t leaves[3] = {val_array(&x), val_array(&y), val_float(h)};
        rc = assign(rt, o, axis, lo, hi, tree, leaves, 3, err);
        val_drop(&leaves[0]);
        val_drop(&leaves[1]);
    }
    arr_unref(&x);
    arr_unref(&y);
    return rc;
}

int arr_gradient(rt_t *rt, arr_t *f, int axis, double h, arr_t **out, err_t *err)
{
    int64_t n = f->shape[axis];
    if (n < 2)
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "Shape of array too small to calculate a numerical gradient, at least "
                       "(edge_order + 1) elements are required.");
    /* integers are differenced as float64 (NumPy converts them first) */
    arr_t *g = NULL, *o = NULL;
    int isint = f->dtype == DT_INT32 || f->dtype == DT_INT64;
    int rc = isint ? arr_astype(rt, f, DT_FLOAT64, &g, err) : ((g = arr_ref(f)), 0);
    if (!rc) rc = arr_like(rt, g, -1, NULL, &o, err);
    if (!rc && n > 2) rc = grad_part(rt, o, g, axis, 1, n - 1, 2, n, 0, n - 2, 2.0 * h, err);
    if (!rc) rc = grad_part(rt, o, g, axis, 0, 1, 1, 2, 0, 1, h, err);
    if (!rc) rc = grad_part(rt, o, g, axis, n - 1, n, n - 1, n, n - 2, n - 1, h, err);
    arr_unref(&g);
    if (rc) {
        arr_unref(&o);
        return rc;
    }
    *out = o;
    return 0;
}

int arr_roll(rt_t *rt, arr_t *a, int64_t shift, int axis, arr_t **out, err_t *err)
{
    if (axis == ARR_NOAXIS) {
        /* NumPy rolls the flattened array and gives it its shape back */
        int64_t flat = -1;
        arr_t *f = NULL, *r = NULL;
        int rc = arr_reshape(rt, a, 1, &flat, &f, err);
        if (!rc) rc = arr_roll(rt, f, shift, 0, &r, err);
        if (!rc) rc = arr_reshape(rt, r, a->ndim, a->shape, out, err);
        arr_unref(&f);
        arr_unref(&r);
        return rc;
    }
    int64_t n = a->shape[axis];
    int64_t s = n ? ((shift % n) + n) % n : 0;
    if (s == 0) return arr_copy(rt, a, out, err);
    arr_t *parts[2] = {NULL, NULL};
    int rc = axis_slice(rt, a, axis, n - s, n, &parts[0], err);
    if (!rc) rc = axis_slice(rt, a, axis, 0, n - s, &parts[1], err);
    if (!rc) rc = arr_concatenate(rt, parts, 2, axis, out, err);
    arr_unref(&parts[0]);
    arr_unref(&parts[1]);
    return rc;
}

/* ---- convolutions ---- */

/* At most this many taps go into one fused program (two leaves each). */
#define TAPS 16

/* out = sum over the taps of a[p0:p0 + L0, p1:p1 + L1] * w[tap] (ndim 1 or 2: M1 = 1 and
 * no second axis for 1-d), taps in ascending (p0, p1) order, the weight of tap (p0, p1)
 * being kernel element (M0 - 1 - p0, M1 - 1 - p1) (flipped: a convolution). kv holds the
 * kernel's M0 * M1 elements in C order (dtype kdt) on every rank. */
static int taps(rt_t *rt, arr_t *a, const char *kv, int kdt, int64_t M0, int64_t M1,
                const int64_t *L, arr_t **out, err_t *err)
{
    int nd = a->ndim, rc = 0;
    int64_t ntap = M0 * M1;
    size_t ksz = dt_size(kdt);
    arr_t *acc = NULL;
    for (int64_t t0 = 0; t0 < ntap && !rc; t0 += TAPS) {
        int64_t nt = ntap - t0 < TAPS ? ntap - t0 : TAPS;
        val_t leaves[TAPS * 2 + 1];
        size_t nl = 0;
        tb_t t = {0};
        ir_node_t *tree = NULL;
        if (acc) {
            leaves[nl++] = val_array(&acc);
            tree = tb_leaf(&t);
        }
        for (int64_t j = 0; j < nt && !rc; j++) {
            int64_t tap = t0 + j, p0 = tap / M1, p1 = tap % M1;
            idx_t ix[ARR_MAXDIM];
            memset(ix, 0, sizeof ix);
            for (int d = 0; d < nd; d++) {
                int64_t p = d == 0 ? p0 : p1;
                ix[d].kind = IDX_SLICE;
                ix[d].has_start = ix[d].has_stop = 1;
                ix[d].start = p;
                ix[d].stop = p + L[d];
            }
            val_t v;
            rc = arr_getitem(rt, a, ix, nd, &v, err);
            if (rc) break;
            leaves[nl++] = v;
            leaves[nl++] =
                arri_elem_val(kdt, kv + (size_t)((M0 - 1 - p0) * M1 + (M1 - 1 - p1)) * ksz);
            ir_node_t *m = tb_bin(&t, IR_MUL, tb_leaf(&t), tb_leaf(&t));
            tree = tree ? tb_bin(&t, IR_ADD, tree, m) : m;
        }
        arr_t *r = NULL;
        if (!rc) rc = run(rt, tree, leaves, nl, &r, err);
        val_drop_n(leaves, nl);
        acc = r;
    }
    if (rc) {
        arr_unref(&acc);
        return rc;
    }
    *out = acc;
    return 0;
}

/* A zero array of a's dtype, pad[d] longer on both sides, with a copied into its middle. */
static int padded(rt_t *rt, arr_t *a, const int64_t *pad, arr_t **out, err_t *err)
{
    int64_t sh[ARR_MAXDIM];
    for (int d = 0; d < a->ndim; d++)
        sh[d] = a->shape[d] + 2 * pad[d];
    arr_t *p = NULL;
    int rc = arr_full(rt, a->ndim, sh, a->dtype, NULL, NULL, &p, err);
    idx_t ix[ARR_MAXDIM];
    memset(ix, 0, sizeof ix);
    for (int d = 0; d < a->ndim; d++) {
        ix[d].kind = IDX_SLICE;
        ix[d].has_start = ix[d].has_stop = 1;
        ix[d].start = pad[d];
        ix[d].stop = pad[d] + a->shape[d];
    }
    val_t v = val_none(); /* borrows a */
    v.kind = V_ARRAY;
    v.u.a = a;
    if (!rc) rc = arr_setitem(rt, p, ix, a->ndim, &v, err);
    if (rc) {
        arr_unref(&p);
        return rc;
    }
    *out = p;
    return 0;
}

int arr_convolve(rt_t *rt, arr_t *a, arr_t *k, int mode, arr_t **out, err_t *err)
{
    int nd = a->ndim;
    int64_t M[2] = {k->shape[0], nd > 1 ? k->shape[1] : 1}, N[2] = {a->shape[0], 1};
    if (nd > 1) N[1] = a->shape[1];
    /* the kernel's values on every rank */
    arr_t *kl = NULL, *src = NULL, *full = NULL;
    int rc = 0;
    if (k->isdist && !rt->local)
        rc = coll_allgather(rt, k, &kl, err);
    else if (!(kl = k->isdist ? arr_local(k) : arr_ref(k)))
        rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (!rc && !arri_contig(kl)) {
        arr_t *c = NULL;
        rc = arri_new(rt, kl->ndim, kl->lshape, kl->dtype, 0, NULL, &c, err);
        if (!rc) arri_copy_chunk(c, kl);
        arr_unref(&kl);
        kl = c;
    }
    int64_t pad[2] = {0, 0}, L[2];
    for (int d = 0; d < nd; d++) {
        pad[d] = mode == ARR_VALID ? 0 : M[d] - 1;
        L[d] = N[d] + 2 * pad[d] - M[d] + 1;
    }
    if (!rc) rc = mode == ARR_VALID ? ((src = arr_ref(a)), 0) : padded(rt, a, pad, &src, err);
    if (!rc) rc = taps(rt, src, arri_base(kl), kl->dtype, M[0], M[1], L, &full, err);
    arr_unref(&kl);
    arr_unref(&src);
    if (rc) return rc;
    if (mode != ARR_SAME) {
        *out = full;
        return 0;
    }
    /* 'same': a's shape, centred in the full result */
    idx_t ix[ARR_MAXDIM];
    memset(ix, 0, sizeof ix);
    for (int d = 0; d < nd; d++) {
        ix[d].kind = IDX_SLICE;
        ix[d].has_start = ix[d].has_stop = 1;
        ix[d].start = (M[d] - 1) / 2;
        ix[d].stop = ix[d].start + N[d];
    }
    val_t v = val_none();
    rc = arr_getitem(rt, full, ix, nd, &v, err);
    if (!rc) rc = arr_copy(rt, v.u.a, out, err);
    val_drop(&v);
    arr_unref(&full);
    return rc;
}

/* ---- cumulative sums and products ---- */

/* dst[i] = dst[i] op src[i] for n values of dtype dt (op 0: +, 1: *). */
static void combine(int dt, int op, char *dst, const char *src, int64_t n)
{
    kern_bin(op ? IR_MUL : IR_ADD, dt, dst, src, dst, (size_t)n);
}

/* The chunk's rows scanned down axis 0 in place (rows of w values), starting from carry
 * (w values) when given. */
static void scan_rows(arr_t *o, int op, const char *carry, int64_t w)
{
    size_t rb = (size_t)w * dt_size(o->dtype);
    char *p = arri_base(o);
    int64_t rows = o->lshape[0];
    for (int64_t r = 0; r < rows; r++) {
        const char *prev = r ? p + (size_t)(r - 1) * rb : carry;
        if (prev) combine(o->dtype, op, p + (size_t)r * rb, prev, w);
    }
}

/* The step of the float chain: carry in (w values, then a flag byte: 1 when they are set),
 * scan, carry out. */
typedef struct {
    arr_t *o;
    int op;
    int64_t w;
} chain_t;

static void chain_step(void *ctx, const void *in, void *out)
{
    const chain_t *c = ctx;
    size_t rb = (size_t)c->w * dt_size(c->o->dtype);
    const char *ci = in;
    char *co = out;
    scan_rows(c->o, c->op, ci && ci[rb] ? ci : NULL, c->w);
    if (c->o->lshape[0] > 0) {
        memcpy(co, (char *)arri_base(c->o) + (size_t)(c->o->lshape[0] - 1) * rb, rb);
        co[rb] = 1;
    } else if (ci) {
        memcpy(co, ci, rb + 1);
    } else {
        co[rb] = 0;
    }
}

/* Scans o (a fresh contiguous copy, the row layout) along axis. */
static int scan(rt_t *rt, arr_t *o, int op, int axis, err_t *err)
{
    int nd = o->ndim;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; d++)
        outer *= o->lshape[d];
    for (int d = axis + 1; d < nd; d++)
        inner *= o->lshape[d];
    if (axis > 0 || !o->isdist || rt->local) {
        /* within the chunk: every lane in order */
        size_t sz = dt_size(o->dtype);
        int64_t len = o->lshape[axis];
        char *p = arri_base(o);
        for (int64_t i = 0; i < outer; i++)
            for (int64_t j = 1; j < len; j++) {
                char *row = p + (size_t)((i * len + j) * inner) * sz;
                combine(o->dtype, op, row, row - (size_t)inner * sz, inner);
            }
        return 0;
    }
    chain_t c = {o, op, inner};
    if (o->dtype == DT_INT64) {
        /* exact in any order: every engine adds (multiplies) the total before it */
        int64_t *tot = mem_alloc((size_t)inner * sizeof *tot + 1);
        int rc = tot ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        rc = arri_agree(rt, rc, err);
        if (rc) {
            mem_free(tot);
            return rc;
        }
        scan_rows(o, op, NULL, inner);
        int64_t rows = o->lshape[0];
        for (int64_t j = 0; j < inner; j++)
            tot[j] = rows ? ((int64_t *)arri_base(o))[(rows - 1) * inner + j] : op ? 1 : 0;
        rc = coll_exscan_i64(rt, tot, inner, op, err);
        if (!rc && rt->rank > 0)
            for (int64_t r = 0; r < rows; r++)
                combine(DT_INT64, op, (char *)arri_base(o) + (size_t)(r * inner) * 8,
                        (const char *)tot, inner);
        mem_free(tot);
        return rc;
    }
    return coll_chain(rt, (size_t)inner * dt_size(o->dtype) + 1, chain_step, &c, err);
}

int arr_cumulate(rt_t *rt, arr_t *a, int op, int axis, int dtype, arr_t **out, err_t *err)
{
    arr_t *src = NULL, *o = NULL;
    int rc = 0;
    if (axis == ARR_NOAXIS && a->ndim != 1) {
        int64_t flat = -1;
        rc = arr_reshape(rt, a, 1, &flat, &src, err);
        axis = 0;
    } else {
        if (axis == ARR_NOAXIS) axis = 0;
        src = arr_ref(a);
    }
    if (dtype < 0) dtype = a->dtype == DT_BOOL || a->dtype == DT_INT32 ? DT_INT64 : a->dtype;
    arr_t *rows = NULL;
    if (!rc) rc = arri_rowwise(rt, src, &rows, err);
    int dist = !rc && rows->isdist && !rt->local;
    int64_t *bnd = dist ? arri_rows(rt, rows) : NULL;
    if (dist && !bnd) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (!rc) {
        arr_t *l = rt->local && rows->isdist ? arr_local(rows) : arr_ref(rows);
        rc = l ? arri_new(rt, l->ndim, dist ? l->shape : l->lshape, dtype, dist, bnd, &o, err)
               : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        if (!rc) arri_copy_chunk(o, l);
        arr_unref(&l);
    }
    mem_free(bnd);
    if (dist) rc = arri_agree(rt, rc, err);
    if (!rc) rc = scan(rt, o, op, axis, err);
    arr_unref(&rows);
    arr_unref(&src);
    if (rc) {
        arr_unref(&o);
        return rc;
    }
    *out = o;
    return 0;
}
