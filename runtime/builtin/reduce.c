/* reduce.c - the reduction builtins (see reduce.h). Arrays, numbers and fused trees go to
 * arr_reduce with the axis; a tuple or list is reduced here as Python would (min/max by
 * `<`/`>`, sum/prod by `+`/`*` through ops_), and min(a, b, ...) of several values is
 * Python's min, not NumPy's. */
#include "reduce.h"

#include <limits.h>

#include "args.h"
#include "arr.h"
#include "builtins.h"

/* min/max of Python values (several arguments or the items of one sequence). */
static int py_minmax(call_t *c, int is_max, const val_t *items, size_t n, val_t *out, err_t *err)
{
    if (n == 0)
        return err_set(err, PARC_EVALUE, c->at, "%s() arg is an empty sequence",
                       is_max ? "max" : "min");
    size_t best = 0;
    for (size_t i = 1; i < n; i++) {
        val_t r;
        int t;
        int rc = ops_binop(c->ops, is_max ? IR_GT : IR_LT, &items[i], &items[best], &r, err);
        if (!rc) rc = ops_truth(c->ops, &r, &t, err);
        if (rc) return args_at(c, rc, err);
        val_drop(&r);
        if (t) best = i;
    }
    *out = val_ref(items[best]);
    return 0;
}

/* Python-level reductions of a tuple/list/range (sum([1, 2]), any(...)). */
static int seq_reduce(call_t *c, int bi, const val_t *v, val_t *out, err_t *err)
{
    const seq_t *s = (v->kind == V_TUPLE || v->kind == V_LIST) ? (const seq_t *)v->u.o : NULL;
    if (!s)
        return err_set(err, PARC_ETYPE, c->at, "%s() of '%s' is not supported", args_fname(bi),
                       val_kind_name(v));
    if (bi == BI_MIN || bi == BI_MAX) return py_minmax(c, bi == BI_MAX, s->v, s->n, out, err);
    if (bi == BI_ANY || bi == BI_ALL || bi == BI_COUNT_NONZERO) {
        int64_t cnt = 0;
        for (size_t i = 0; i < s->n; i++) {
            int t, rc = ops_truth(c->ops, &s->v[i], &t, err);
            if (rc) return args_at(c, rc, err);
            cnt += t;
        }
        *out = bi == BI_ANY   ? val_bool(cnt > 0)
               : bi == BI_ALL ? val_bool(cnt == (int64_t)s->n)
                              : val_int(cnt);
        return 0;
    }
    if (bi == BI_SUM || bi == BI_PROD || bi == BI_MEAN) {
        val_t acc = val_int(bi == BI_PROD ? 1 : 0);
        for (size_t i = 0; i < s->n; i++) {
            val_t r;
            int rc = ops_binop(c->ops, bi == BI_PROD ? IR_MUL : IR_ADD, &acc, &s->v[i], &r, err);
            val_drop(&acc);
            if (rc) return args_at(c, rc, err);
            acc = r;
        }
        if (bi == BI_MEAN) {
            val_t n = val_int((int64_t)s->n), r;
            int rc = ops_binop(c->ops, IR_DIV, &acc, &n, &r, err);
            val_drop(&acc);
            if (rc) return args_at(c, rc, err);
            acc = r;
        }
        *out = acc;
        return 0;
    }
    return err_set(err, PARC_ENOTIMPL, c->at, "%s() of a %s: use an array", args_fname(bi),
                   val_kind_name(v));
}

/* One axis number, clamped into int so that any out-of-range one stays out of range. */
static int axis_int(call_t *c, const val_t *v, int *axis, err_t *err)
{
    int64_t a = 0;
    int rc = args_int(c, v, &a, err);
    *axis = a < INT_MIN / 2 ? INT_MIN / 2 : a > INT_MAX / 2 ? INT_MAX / 2 : (int)a;
    return rc;
}

int reduce_axes(call_t *c, int bi, const val_t *ax, const val_t *kd, int *axes, int *naxes,
                int *keepdims, err_t *err)
{
    *naxes = -1;
    *keepdims = 0;
    int rc = 0;
    if (kd && kd->kind != V_NONE) rc = ops_truth(c->ops, kd, keepdims, err);
    if (rc || !ax || ax->kind == V_NONE) return args_at(c, rc, err);
    if (ax->kind == V_TUPLE && bi != BI_ARGMIN && bi != BI_ARGMAX) {
        const seq_t *s = (const seq_t *)ax->u.o;
        if (s->n > ARR_MAXDIM) return err_set(err, PARC_EVALUE, c->at, "duplicate value in 'axis'");
        for (size_t i = 0; i < s->n; i++)
            if ((rc = axis_int(c, &s->v[i], &axes[i], err))) return rc;
        *naxes = (int)s->n;
        return 0;
    }
    if ((rc = axis_int(c, ax, &axes[0], err))) return rc;
    *naxes = 1;
    return 0;
}

int reduce_call(call_t *c, int bi, val_t *out, err_t *err)
{
    const char *fn = args_fname(bi);
    size_t base = c->tree ? c->nleaves : 1;
    if ((bi == BI_MIN || bi == BI_MAX) && !c->tree && c->nargs > 1 && c->args[0].kind != V_ARRAY)
        return py_minmax(c, bi == BI_MAX, c->args, c->nargs, out, err);
    static const char *const names[] = {"axis", "keepdims"};
    const val_t *kw[2] = {0}, *ax = NULL;
    int rc = args_kw(c, fn, names, 2, kw, err);
    if (rc) return rc;
    if (!c->tree && c->nargs < 1)
        return err_set(err, PARC_ETYPE, c->at,
                       "%s() missing 1 required positional argument: "
                       "'a'",
                       fn);
    if (c->nargs > base + 1)
        return err_set(err, PARC_ETYPE, c->at, "%s() takes at most 2 positional arguments", fn);
    if ((rc = args_either(c, fn, base, kw[0], "axis", &ax, err))) return rc;
    int axes[ARR_MAXDIM], naxes, keepdims;
    if ((rc = reduce_axes(c, bi, ax, kw[1], axes, &naxes, &keepdims, err))) return rc;
    if (!c->tree) {
        const val_t *x = &c->args[0];
        if (x->kind == V_PERENG)
            return err_set(err, PARC_ETYPE, c->at,
                           "%s() of a per-engine value: use %%px, or from_local() first", fn);
        if (x->kind != V_ARRAY && !val_is_num(x)) {
            if (naxes >= 0 || keepdims) {
                /* NumPy makes the sequence an array first */
                arr_t *arr = NULL;
                rc = arr_from_value(c->rt, x, -1, NULL, &arr, err);
                if (rc) return args_at(c, rc, err);
                val_t a = val_array(&arr);
                rc = arr_reduce_axes(c->rt, bi, NULL, &a, 1, axes, naxes, keepdims, out, err);
                val_drop(&a);
                return args_at(c, rc, err);
            }
            return seq_reduce(c, bi, x, out, err);
        }
    }
    rc = arr_reduce_axes(c->rt, bi, c->tree, c->args, c->tree ? c->nleaves : 1, axes, naxes,
                         keepdims, out, err);
    return args_at(c, rc, err);
}
