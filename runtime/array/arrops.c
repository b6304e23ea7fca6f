/* arrops.c - elementwise entry points: arr_fuse (a FUSE tree over evaluated leaves, run in
 * blocks by fuse_) and the scalar operations that give every operator one definition for
 * scalars too (Python's rules where NumPy's and Python's differ for Python scalars:
 * integer division or modulo by zero raises, int ** negative int is a float). */
#include <fenv.h>
#include <stdio.h>
#include <string.h>

#include "arr.h"
#include "arrint.h"
#include "builtins.h"
#include "coll.h"
#include "fuse.h"
#include "fpflags.h"
#include "kern.h"
#include "mem.h"

static int is_zero(const val_t *v)
{
    if (v->kind == V_BOOL || v->kind == V_INT) return v->u.i == 0;
    if (v->kind == V_FLOAT) return v->u.f == 0;
    if (v->kind == V_COMPLEX) return v->u.c[0] == 0 && v->u.c[1] == 0;
    return 0;
}

static int isint_dt(int dt)
{
    return dt == DT_BOOL || dt == DT_INT32 || dt == DT_INT64;
}

/* 1 when x op y does not fit in int64. Python ints are unbounded; parc's are 64-bit, so
 * arithmetic on two Python ints that would wrap raises OverflowError instead of giving a
 * wrong number (NumPy-typed ints wrap, as NumPy's do). */
static int int_overflows(int irop, int64_t x, int64_t y)
{
    int64_t r;
    switch (irop) {
    case IR_ADD:
        return __builtin_add_overflow(x, y, &r);
    case IR_SUB:
        return __builtin_sub_overflow(x, y, &r);
    case IR_MUL:
        return __builtin_mul_overflow(x, y, &r);
    case IR_LSHIFT:
        if (x == 0 || y <= 0) return 0;
        return y >= 63 || (x > 0 ? x > (INT64_MAX >> y) : x < (INT64_MIN >> y));
    case IR_POW: {
        if (y < 0) return 0;
        int64_t acc = 1, base = x;
        while (y) {
            if ((y & 1) && __builtin_mul_overflow(acc, base, &acc)) return 1;
            y >>= 1;
            if (y && __builtin_mul_overflow(base, base, &base)) return 1;
        }
        return 0;
    }
    }
    return 0;
}

/* Python's bools are ints in arithmetic (True + True == 2, -True == -1); NumPy's bool_
 * keeps logical + and - . Only two Python scalars follow Python here; &, |, ^ and the
 * comparisons stay bool either way. */
static int py_bool_is_int(int irop)
{
    switch (irop) {
    case IR_ADD:
    case IR_SUB:
    case IR_MUL:
    case IR_FLOORDIV:
    case IR_MOD:
    case IR_POW:
    case IR_LSHIFT:
    case IR_RSHIFT:
    case IR_NEG:
    case IR_POS:
    case IR_INVERT:
        return 1;
    }
    return 0;
}

static val_t as_py_int(const val_t *v, int irop)
{
    if (v->kind == V_BOOL && v->weak && py_bool_is_int(irop)) return val_int(v->u.i);
    return *v;
}

/* 1 when x op y wraps in the integer dtype dt (NumPy's scalar math warns "overflow"). */
static int int_wraps(int op, int dt, int64_t x, int64_t y)
{
    int64_t r;
    int over;
    switch (op) {
    case IR_ADD:
        over = __builtin_add_overflow(x, y, &r);
        break;
    case IR_SUB:
        over = __builtin_sub_overflow(x, y, &r);
        break;
    case IR_MUL:
        over = __builtin_mul_overflow(x, y, &r);
        break;
    case IR_NEG:
    case KOP_BI + BI_ABS:
        if (x == INT64_MIN) return 1;
        r = op == IR_NEG || x < 0 ? -x : x;
        over = 0;
        break;
    default:
        return 0;
    }
    return over || (dt == DT_INT32 && (r < INT32_MIN || r > INT32_MAX));
}

/* NumPy 1.24's RuntimeWarnings for one operation on numbers that are not all Python
 * scalars: op's kernel status k, the IEEE flags fe it raised, and whether it wrapped.
 * NumPy's scalar math (an operator whose result has the dtype of a NumPy scalar operand,
 * not bool) names the warning "scalar <ufunc>" and warns on integer + - * negation and
 * abs that wrap; otherwise the ufunc's array loop runs, which reports what the fused loop
 * reports (fuse_block). */
static void scalar_warn(rt_t *rt, int irop, int kop, int cdt, int scalarmath, int k, int fe,
                        int wrapped)
{
    if (!rt) return;
    char name[40];
    snprintf(name, sizeof name, "%s%s", scalarmath ? "scalar " : "",
             irop == KOP_BI + BI_ABS ? "absolute" : fuse_ufunc_name(kop));
    int fp = cdt == DT_FLOAT64 || cdt == DT_FLOAT32 || cdt == DT_COMPLEX128;
    if (!fp || !(scalarmath || fuse_fp_checked(kop, cdt))) fe = 0;
    if (cdt == DT_COMPLEX128 && kop == IR_DIV) fe = 0; /* the kernel's bits say it (kern.h) */
    if ((k & KERN_WZERODIV) || (fe & FE_DIVBYZERO))
        rt_warn(rt, (span_t){0}, "divide by zero", name);
    if ((k & KERN_WOVERFLOW) || (fe & FE_OVERFLOW) || (scalarmath && wrapped))
        rt_warn(rt, (span_t){0}, "overflow", name);
    if ((k & KERN_WINVALID) || (fe & FE_INVALID)) rt_warn(rt, (span_t){0}, "invalid value", name);
}

/* Python's ZeroDivisionError for two Python numbers (NumPy's scalars give inf, nan or 0
 * with a warning instead), or 0. */
static int py_zerodiv(int irop, int ints, const val_t *a, const val_t *b, err_t *err)
{
    if (irop == IR_POW && is_zero(a) && a->kind != V_COMPLEX && b->kind != V_COMPLEX &&
        (b->kind == V_FLOAT ? b->u.f < 0 : b->u.i < 0))
        return err_set(err, PARC_EZERODIV, (span_t){0}, "0.0 cannot be raised to a negative power");
    if ((irop != IR_FLOORDIV && irop != IR_MOD && irop != IR_DIV) || !is_zero(b)) return 0;
    if (ints)
        return err_set(err, PARC_EZERODIV, (span_t){0},
                       irop == IR_DIV ? "division by zero" : "integer division or modulo by zero");
    if (a->kind == V_COMPLEX || b->kind == V_COMPLEX)
        return err_set(err, PARC_EZERODIV, (span_t){0}, "complex division by zero");
    return err_set(err, PARC_EZERODIV, (span_t){0},
                   irop == IR_DIV        ? "float division by zero"
                   : irop == IR_FLOORDIV ? "float floor division by zero"
                                         : "float modulo");
}

int arr_scalar_binop(rt_t *rt, int irop, const val_t *a0, const val_t *b0, val_t *out, err_t *err)
{
    val_t ia = *a0, ib = *b0;
    if (a0->weak && b0->weak) {
        ia = as_py_int(a0, irop);
        ib = as_py_int(b0, irop);
    }
    const val_t *a = &ia, *b = &ib;
    int wa, wb;
    int da = arri_val_dtype(a, &wa), db = arri_val_dtype(b, &wb);
    if (da < 0 || db < 0)
        return err_set(err, PARC_ETYPE, (span_t){0},
                       "unsupported operand type(s) for %s: '%s' and '%s'", ir_op_name(irop),
                       val_kind_name(a), val_kind_name(b));
    /* Two Python numbers follow Python (an operator; a ufunc gives NumPy's answer). */
    int py = wa && wb && irop < KOP_BI;
    /* NumPy 1.24 casts by value only next to an array: a NumPy scalar with a Python number
     * promotes their full dtypes (int32(3) + 2**40 is int64, float32(2.5) / 3 float64). */
    if (!wa || !wb) wa = wb = 0;
    int cdt, odt, kop;
    int rc = fuse_types(irop, da, wa, db, wb, &cdt, &odt, &kop, err);
    if (rc) return rc;
    int ints = isint_dt(da) && isint_dt(db);
    if (py && (rc = py_zerodiv(irop, ints, a, b, err))) return rc;
    if (ints && irop == IR_POW && py && b->u.i < 0) cdt = odt = DT_FLOAT64;
    if (ints && py && int_overflows(irop, a->u.i, b->u.i))
        return err_set(err, PARC_EOVERFLOW, (span_t){0},
                       "integer result too large: parc integers are 64-bit (use a float, as in "
                       "10.0**100)");
    char x[16], y[16], r[16];
    arri_store_val(cdt, x, a);
    arri_store_val(cdt, y, b);
    if (!py) fp_clear(FE_DIVBYZERO | FE_OVERFLOW | FE_INVALID);
    int k = kern_bin(kop, cdt, r, x, y, 1);
    if (!py) {
        int fe = fetestexcept(FE_DIVBYZERO | FE_OVERFLOW | FE_INVALID);
        /* the operands' common dtype (true division of integers computes in float64) */
        int pdt = cdt, o2, k2;
        if (ints && irop == IR_DIV) fuse_types(IR_ADD, da, 0, db, 0, &pdt, &o2, &k2, err);
        int sm = irop < KOP_BI && ir_op_class(irop) != IR_CLS_CMP && pdt != DT_BOOL &&
                 ((!a0->weak && da == pdt) || (!b0->weak && db == pdt));
        int wrapped = sm && isint_dt(cdt) && int_wraps(irop, cdt, a->u.i, b->u.i);
        scalar_warn(rt, irop, kop, cdt, sm, k, fe, wrapped);
    }
    k &= ~(KERN_WZERODIV | KERN_WOVERFLOW | KERN_WINVALID);
    if (k == KERN_ENEGPOW)
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "Integers to negative integer powers are not allowed.");
    if (k) return err_set(err, PARC_ETYPE, (span_t){0}, "operation not supported for these types");
    *out = arri_elem_val(odt, r);
    out->weak = (uint8_t)py; /* a ufunc gives a NumPy scalar */
    return 0;
}

int arr_scalar_unop(rt_t *rt, int irop, const val_t *a0, val_t *out, err_t *err)
{
    val_t ia = as_py_int(a0, irop);
    const val_t *a = &ia;
    int wa;
    int da = arri_val_dtype(a, &wa);
    if (da < 0)
        return err_set(err, PARC_ETYPE, (span_t){0}, "bad operand type for unary %s: '%s'",
                       ir_op_name(irop), val_kind_name(a));
    int cdt, odt, kop;
    int rc = fuse_types(irop, da, wa, -1, 0, &cdt, &odt, &kop, err);
    if (rc) return rc;
    char x[16], r[16];
    arri_store_val(cdt, x, a);
    int py = wa && irop < KOP_BI;
    if (!py) fp_clear(FE_DIVBYZERO | FE_OVERFLOW | FE_INVALID);
    int k = kern_un(kop, cdt, r, x, 1);
    if (k & ~(KERN_WZERODIV | KERN_WOVERFLOW | KERN_WINVALID))
        return err_set(err, PARC_ETYPE, (span_t){0}, "operation not supported for this type");
    if (!py) {
        /* -x and abs(x) of a NumPy scalar are its scalar math (Python's abs() calls it) */
        int sm = (irop < KOP_BI || irop == KOP_BI + BI_ABS) && !wa && cdt != DT_BOOL;
        int wrapped = sm && isint_dt(cdt) && int_wraps(irop, cdt, a->u.i, 0);
        scalar_warn(rt, irop, kop, cdt, sm, k,
                    fetestexcept(FE_DIVBYZERO | FE_OVERFLOW | FE_INVALID), wrapped);
    }
    *out = arri_elem_val(odt, r);
    out->weak = (uint8_t)py;
    return 0;
}

/* where(c, x, y) of numbers: x or y in their promoted dtype (a NumPy scalar). */
static int scalar_where(const val_t *args, val_t *out, err_t *err)
{
    int wx, wy, t;
    int dx = arri_val_dtype(&args[1], &wx), dy = arri_val_dtype(&args[2], &wy);
    if (!wx || !wy) wx = wy = 0; /* as arr_scalar_binop */
    int cdt, odt, kop, rc = val_truth(&args[0], &t, err);
    if (!rc) rc = fuse_types(KOP_BI + BI_WHERE, dx, wx, dy, wy, &cdt, &odt, &kop, err);
    if (rc) return rc;
    char r[16];
    arri_store_val(cdt, r, &args[t ? 1 : 2]);
    *out = arri_elem_val(odt, r);
    return 0;
}

/* clip(a, lo, hi) of numbers: the fused program's two steps, one scalar at a time. */
static int scalar_clip(rt_t *rt, const val_t *args, val_t *out, err_t *err)
{
    val_t m = args[0];
    if (args[1].kind == V_NONE && args[2].kind == V_NONE)
        return err_set(err, PARC_EVALUE, (span_t){0}, "One of max or min must be given");
    for (int i = 0; i < 2; i++) {
        if (args[1 + i].kind == V_NONE) continue;
        int rc = arr_scalar_binop(rt, i ? KOP_CLIPHI_C : KOP_CLIPLO_C, &m, &args[1 + i], &m, err);
        if (rc) return rc;
    }
    *out = m;
    return 0;
}

int arr_scalar_ufunc(rt_t *rt, int bi, const val_t *args, size_t nargs, val_t *out, err_t *err)
{
    const bi_info_t *info = bi_info(bi);
    size_t want = (size_t)bi_ufunc_arity(bi);
    if (!want) return err_set(err, PARC_ERUNTIME, (span_t){0}, "not a ufunc");
    if (nargs != want)
        return err_set(err, PARC_ETYPE, (span_t){0}, "%s() takes %zu arguments (%zu given)",
                       info->name, want, nargs);
    if (want == 1) return arr_scalar_unop(rt, KOP_BI + bi, &args[0], out, err);
    if (bi == BI_WHERE) return scalar_where(args, out, err);
    if (bi == BI_CLIP) return scalar_clip(rt, args, out, err);
    return arr_scalar_binop(rt, KOP_BI + bi, &args[0], &args[1], out, err);
}

int arr_inplace_check(int irop, int from, int to, err_t *err)
{
    return fuse_inplace(irop, from, to, err);
}

int arri_scalar_tree(rt_t *rt, const ir_node_t *n, const val_t *leaves, size_t nleaves,
                     size_t *next, val_t *out, err_t *err)
{
    if (!ir_is_elemwise(n)) {
        if (*next >= nleaves) return err_set(err, PARC_ERUNTIME, (span_t){0}, "too few leaves");
        *out = leaves[(*next)++];
        return 0;
    }
    val_t a, b;
    int rc;
    if (n->op == IR_CALL) {
        val_t args[3];
        for (uint32_t i = 1; i < n->nkid && i <= 3; i++)
            if ((rc = arri_scalar_tree(rt, n->kid[i], leaves, nleaves, next, &args[i - 1], err)))
                return rc;
        rc = arr_scalar_ufunc(rt, (int)n->kid[0]->imm.i, args, n->nkid - 1, out, err);
    } else if (n->nkid == 2) {
        if ((rc = arri_scalar_tree(rt, n->kid[0], leaves, nleaves, next, &a, err))) return rc;
        if ((rc = arri_scalar_tree(rt, n->kid[1], leaves, nleaves, next, &b, err))) return rc;
        rc = arr_scalar_binop(rt, n->op, &a, &b, out, err);
    } else {
        if ((rc = arri_scalar_tree(rt, n->kid[0], leaves, nleaves, next, &a, err))) return rc;
        rc = arr_scalar_unop(rt, n->op, &a, out, err);
    }
    if (rc && err->at.line == 0) err->at = n->at;
    return rc;
}

int arr_fusible(const ir_node_t *tree, const val_t *leaves, size_t nleaves)
{
    int any = 0;
    for (size_t i = 0; i < nleaves; i++)
        any |= leaves[i].kind == V_ARRAY;
    return any && fuse_accepts(tree, leaves, nleaves);
}

/* fuse_each's visit: the block into the chunk of the new array ctx. */
static void store(void *ctx, int64_t s, int64_t n, const void *res)
{
    arr_t *a = ctx;
    size_t sz = dt_size(a->dtype);
    memcpy((char *)arri_base(a) + s * (int64_t)sz, res, (size_t)n * sz);
}

int arr_fuse(rt_t *rt, const ir_node_t *tree, const val_t *leaves, size_t nleaves, val_t *out,
             err_t *err)
{
    int narr = 0;
    if (!fuse_accepts(tree, leaves, nleaves)) return KERN_GENERIC;
    for (size_t i = 0; i < nleaves; i++)
        narr += leaves[i].kind == V_ARRAY;
    if (!narr) {
        size_t next = 0;
        return arri_scalar_tree(rt, tree, leaves, nleaves, &next, out, err);
    }
    fuse_t *f = NULL;
    int rc = fuse_build_keep(rt, tree, leaves, nleaves, &f, err);
    if (rc) {
        if (rc != KERN_GENERIC && err->at.line == 0) err->at = tree->at;
        return rc;
    }
    arr_t *a = NULL;
    rc = arri_new_out(rt, fuse_dtype(f), fuse_isdist(f), fuse_dist(f), fuse_ndim(f), fuse_shape(f),
                      &a, err);
    int coll = fuse_isdist(f);
    if (coll) rc = arri_agree(rt, rc, err);
    if (!rc) rc = fuse_each(f, store, a, err);
    if (coll) rc = arri_agree(rt, rc, err);
    if (!rc && fuse_home(f)) {
        arr_t *b = NULL;
        rc = coll_redist(rt, a, fuse_home(f), &b, err);
        arr_unref(&a);
        a = b;
    }
    fuse_free(&f);
    if (rc) {
        arr_unref(&a);
        if (err->at.line == 0) err->at = tree->at;
        return rc;
    }
    if (a->ndim == 0) {
        /* NumPy's ufuncs give a scalar, not a 0-d array: -1 / array(0.0) is -inf. */
        *out = arri_elem_val(a->dtype, arri_base(a));
        arr_unref(&a);
        return 0;
    }
    *out = val_array(&a);
    return 0;
}

/* ---- x[...] = tree, straight into x's memory ---- */

/* 1 when x[idx] is a view of distributed x that shares its memory (a basic slice of rows,
 * or of a grid of blocks without integers on axes spread over engines) and keeps an axis. */
static int view_index(const arr_t *x, const idx_t *idx, int nidx)
{
    if (nidx > x->ndim) return 0;
    int rows = dist_is_rows(&x->dist), kept = nidx < x->ndim;
    for (int d = 0; d < x->ndim; d++)
        if (!rows && (x->dist.kind[d] == 'c' || x->dist.kind[d] == 'v') && x->dist.grid[d] > 1)
            return 0;
    for (int k = 0; k < nidx; k++) {
        if (idx[k].kind == IDX_SLICE) {
            if (idx[k].has_step && idx[k].step <= 0) return 0;
            kept = 1;
        } else if (idx[k].kind != IDX_INT || (!rows && x->dist.grid[k] > 1)) {
            return 0;
        }
    }
    return kept;
}

/* Writes the n elements at src (t's dtype) to t's local positions [s, s + n), C order. */
static void put_block(arr_t *t, int64_t s, int64_t n, const char *src)
{
    size_t sz = dt_size(t->dtype);
    int last = t->ndim - 1;
    int64_t idx[ARR_MAXDIM], q = s;
    for (int d = last; d >= 0; d--) {
        idx[d] = q % t->lshape[d];
        q /= t->lshape[d];
    }
    while (n > 0) {
        int64_t run = t->lshape[last] - idx[last], off = t->loff;
        if (run > n) run = n;
        for (int d = 0; d <= last; d++)
            off += idx[d] * t->lstride[d];
        char *p = (char *)t->buf->p + off * (int64_t)sz;
        if (t->lstride[last] == 1) {
            memcpy(p, src, (size_t)run * sz);
        } else {
            for (int64_t j = 0; j < run; j++)
                memcpy(p + j * t->lstride[last] * (int64_t)sz, src + (size_t)j * sz, sz);
        }
        src += (size_t)run * sz;
        n -= run;
        idx[last] += run;
        for (int d = last; d > 0 && idx[d] == t->lshape[d]; d--) {
            idx[d] = 0;
            idx[d - 1]++;
        }
    }
}

/* At most this many blocks of the result wait to be written (see fuse_lag). */
#define MAX_DELAY 64

/* Runs f into t: block b is computed into a ring of delay + 1 blocks and written once
 * block b + delay is computed, so every read of t's old values comes first. Writes
 * nothing when the first block fails (only integer powers could fail later, and those
 * are not run here). No interrupt check between blocks: a statement that was started
 * ends, and x is never left half-written. */
static int run_into(rt_t *rt, fuse_t *f, arr_t *t, int64_t delay, err_t *err)
{
    size_t sz = dt_size(t->dtype), slot = (size_t)KERN_BLK * sz;
    int64_t m = fuse_lsize(f), nb = (m + KERN_BLK - 1) / KERN_BLK;
    char *ring = mem_alloc(slot * (size_t)(delay + 1));
    int rc = ring ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    for (int64_t b = 0; b < nb + delay && !rc; b++) {
        if (b < nb) {
            int64_t s = b * KERN_BLK, n = m - s < KERN_BLK ? m - s : KERN_BLK;
            const void *res;
            rt_step(rt, s, m);
            rc = fuse_block(f, s, n, &res, err);
            if (rc) break;
            kern_cast(fuse_dtype(f), t->dtype, ring + (size_t)(b % (delay + 1)) * slot, res,
                      (size_t)n);
        }
        int64_t w = b - delay;
        if (w >= 0) {
            int64_t s = w * KERN_BLK, n = m - s < KERN_BLK ? m - s : KERN_BLK;
            put_block(t, s, n, ring + (size_t)(w % (delay + 1)) * slot);
        }
    }
    rt_step(rt, 0, 0);
    mem_free(ring);
    return rc;
}

int arr_setitem_fused(rt_t *rt, arr_t *x, const idx_t *idx, int nidx, const ir_node_t *tree,
                      const val_t *leaves, size_t nleaves, err_t *err)
{
    if (rt->local || !x->isdist || !view_index(x, idx, nidx) ||
        !fuse_accepts(tree, leaves, nleaves))
        return KERN_GENERIC;
    val_t tv = val_none();
    fuse_t *f = NULL;
    int rc = arr_getitem(rt, x, idx, nidx, &tv, err);
    if (!rc && (tv.kind != V_ARRAY || !tv.u.a->isdist)) rc = KERN_GENERIC;
    arr_t *t = rc ? NULL : tv.u.a;
    if (!rc) rc = fuse_build_into(rt, tree, leaves, nleaves, t, &f, err);
    int64_t lag = rc ? 0 : fuse_lag(f, t);
    if (!rc) {
        /* every rank must take this road or none: lags differ by rank */
        int ok = !fuse_may_fail(f) && lag >= 0 && lag <= (int64_t)(MAX_DELAY - 1) * KERN_BLK;
        int all = coll_agree(rt, ok);
        rc = all < 0 ? all : all ? 0 : KERN_GENERIC;
    }
    if (rc) {
        /* nothing is written: the caller computes the value and assigns it the usual way,
         * which reports any error in NumPy's order */
        fuse_free(&f);
        val_drop(&tv);
        if (rc != PARC_EMPI) err_clear(err);
        return rc == PARC_EMPI ? rc : KERN_GENERIC;
    }
    rc = run_into(rt, f, t, lag ? (lag + KERN_BLK - 1) / KERN_BLK : 0, err);
    rc = arri_agree(rt, rc, err);
    fuse_free(&f);
    val_drop(&tv);
    return rc ? rc : arri_write_back(rt, x, err);
}
