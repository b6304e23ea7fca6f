/* shape.c - the shape and layout builtins and methods (see shape.h): argument parsing only,
 * as NumPy spells them (x.reshape(2, 3) and x.reshape((2, 3)), x.transpose(1, 0) and
 * x.transpose((1, 0))); a list or tuple operand of the functions becomes an array first. */
#include "shape.h"

#include "args.h"
#include "arr.h"
#include "builtins.h"
#include "mem.h"

/* Integers from v (an int, or a tuple/list of them; -1 allowed), or from the positional
 * arguments args[0..n) when there are several. */
static int ints(call_t *c, const val_t *args, size_t n, int *cnt, int64_t *out, err_t *err)
{
    const val_t *v = args;
    if (n == 1 && (v->kind == V_TUPLE || v->kind == V_LIST)) {
        const seq_t *s = (const seq_t *)v->u.o;
        v = s->v;
        n = s->n;
    }
    if (n > ARR_MAXDIM)
        return err_set(err, PARC_EVALUE, c->at, "arrays have at most %d dimensions", ARR_MAXDIM);
    for (size_t i = 0; i < n; i++) {
        int rc = args_int(c, &v[i], &out[i], err);
        if (rc) return rc;
    }
    *cnt = (int)n;
    return 0;
}

/* The array operand: an array, or a list/tuple of numbers made into one. *tmp holds what
 * was made (caller drops it). */
static int operand(call_t *c, const val_t *v, const arr_t **a, arr_t **tmp, err_t *err)
{
    *tmp = NULL;
    if (v->kind == V_ARRAY) {
        *a = v->u.a;
        return 0;
    }
    if (v->kind != V_LIST && v->kind != V_TUPLE)
        return err_set(err, PARC_ETYPE, c->at, "expected an array, not '%s'", val_kind_name(v));
    int rc = arr_from_value(c->rt, v, -1, NULL, tmp, err);
    *a = *tmp;
    return rc;
}

static int concatenate(call_t *c, val_t *out, err_t *err)
{
    static const char *const names[] = {"arrays", "axis"};
    const val_t *p[2] = {0};
    int rc = args_bind(c, "concatenate", names, 2, 2, p, err);
    if (rc) return rc;
    if (!p[0]) return err_set(err, PARC_ETYPE, c->at, "concatenate() missing argument 'arrays'");
    if (p[0]->kind != V_LIST && p[0]->kind != V_TUPLE)
        return err_set(err, PARC_ETYPE, c->at, "concatenate() takes a sequence of arrays");
    int64_t axis = 0;
    if (p[1] && p[1]->kind != V_NONE && (rc = args_int(c, p[1], &axis, err))) return rc;
    const seq_t *s = (const seq_t *)p[0]->u.o;
    arr_t **as = mem_calloc(s->n ? s->n : 1, sizeof *as);
    if (!as) return err_set(err, PARC_ENOMEM, c->at, "out of memory");
    for (size_t i = 0; i < s->n && !rc; i++) {
        const arr_t *a = NULL;
        arr_t *tmp = NULL;
        rc = operand(c, &s->v[i], &a, &tmp, err);
        as[i] = tmp ? tmp : arr_ref((arr_t *)a);
    }
    arr_t *r = NULL;
    if (!rc) rc = arr_concatenate(c->rt, as, (int)s->n, (int)axis, &r, err);
    for (size_t i = 0; i < s->n; i++)
        arr_unref(&as[i]);
    mem_free(as);
    if (rc) return args_at(c, rc, err);
    *out = val_array(&r);
    return 0;
}

int shape_call(call_t *c, int bi, const val_t *self, val_t *out, err_t *err)
{
    if (bi == BI_CONCATENATE) return concatenate(c, out, err);
    const char *fn = args_fname(bi);
    /* the function forms take the array first; the methods have it as self */
    size_t first = self ? 0 : 1;
    if (!self && c->nargs < 1)
        return err_set(err, PARC_ETYPE, c->at, "%s() missing required argument 'a'", fn);
    const arr_t *a = NULL;
    arr_t *tmp = NULL, *r = NULL;
    int rc = operand(c, self ? self : &c->args[0], &a, &tmp, err);
    size_t n = c->nargs - first;
    const val_t *rest = c->args + first;
    int64_t v[ARR_MAXDIM];
    int cnt = 0;
    if (!rc && bi != BI_SQUEEZE && bi != BI_EXPAND_DIMS && c->nkw)
        rc = err_set(err, PARC_ETYPE, c->at, "%s() takes no keyword arguments", fn);
    switch (rc ? -1 : bi) {
    case BI_TRANSPOSE: {
        int ax[ARR_MAXDIM];
        if (n > 0 && !(n == 1 && rest[0].kind == V_NONE)) {
            rc = ints(c, rest, n, &cnt, v, err);
            if (!rc && cnt != arr_ndim(a))
                rc = err_set(err, PARC_EVALUE, c->at, "axes don't match array");
            for (int i = 0; i < cnt; i++)
                ax[i] = (int)v[i];
        }
        if (!rc) rc = arr_transpose(c->rt, a, n && cnt ? ax : NULL, &r, err);
        break;
    }
    case BI_RESHAPE:
        if (n == 0)
            rc = err_set(err, PARC_ETYPE, c->at, "reshape() missing required argument 'shape'");
        if (!rc && !self && n > 1)
            rc = err_set(err, PARC_ETYPE, c->at, "reshape() takes the new shape as one argument");
        if (!rc) rc = ints(c, rest, n, &cnt, v, err);
        if (!rc) rc = arr_reshape(c->rt, a, cnt, v, &r, err);
        break;
    case BI_RAVEL:
        v[0] = -1;
        if ((rc = args_count(c, fn, first, first, err))) break;
        rc = arr_reshape(c->rt, a, 1, v, &r, err);
        break;
    case BI_SQUEEZE:
    case BI_EXPAND_DIMS: {
        static const char *const names[] = {"axis"};
        const val_t *kw[1] = {0}, *axv = NULL;
        int axis = ARR_NOAXIS;
        rc = args_kw(c, fn, names, 1, kw, err);
        if (!rc) rc = args_count(c, fn, first, first + 1, err);
        if (!rc) rc = args_either(c, fn, first, kw[0], "axis", &axv, err);
        if (!rc) rc = args_axis(c, axv, &axis, err);
        if (!rc && bi == BI_EXPAND_DIMS && axis == ARR_NOAXIS)
            rc = err_set(err, PARC_ETYPE, c->at, "expand_dims() missing required argument 'axis'");
        if (!rc)
            rc = bi == BI_SQUEEZE ? arr_squeeze(c->rt, a, axis, &r, err)
                                  : arr_expand_dims(c->rt, a, axis, &r, err);
        break;
    }
    default:
        break;
    }
    arr_unref(&tmp);
    if (rc) return args_at(c, rc, err);
    *out = val_array(&r);
    return 0;
}

int shape_flatten(call_t *c, const val_t *self, val_t *out, err_t *err)
{
    val_t flat;
    int rc = args_count(c, "flatten", 0, 0, err);
    if (!rc) rc = shape_call(c, BI_RAVEL, self, &flat, err);
    if (rc) return rc;
    arr_t *r = NULL;
    rc = arr_copy(c->rt, flat.u.a, &r, err);
    val_drop(&flat);
    if (rc) return args_at(c, rc, err);
    *out = val_array(&r);
    return 0;
}
