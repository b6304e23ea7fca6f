/* stencilfn.c - the stencil builtins (see stencilfn.h): arguments, NumPy's (and
 * scipy.signal's) checks and messages, then arrstencil.c for the work. A list or a number
 * operand becomes an array first, as NumPy's asarray does. */
#include "stencilfn.h"

#include <string.h>

#include "args.h"
#include "arr.h"
#include "builtins.h"

/* The array operand v (a list, tuple or number made into one: *a owns a reference). */
static int operand(call_t *c, const val_t *v, arr_t **a, err_t *err)
{
    if (v->kind == V_ARRAY) {
        *a = arr_ref(v->u.a);
        return 0;
    }
    if (v->kind != V_LIST && v->kind != V_TUPLE && !val_is_num(v))
        return err_set(err, PARC_ETYPE, c->at, "expected an array, not '%s'", val_kind_name(v));
    return args_at(c, arr_from_value(c->rt, v, -1, NULL, a, err), err);
}

/* axis in [-ndim, ndim) made non-negative, or NumPy's AxisError (a ValueError). */
static int norm_axis(call_t *c, int64_t axis, int ndim, int *out, err_t *err)
{
    if (axis < -ndim || axis >= ndim)
        return err_set(err, PARC_EVALUE, c->at,
                       "axis %lld is out of bounds for array of dimension %d", (long long)axis,
                       ndim);
    *out = (int)(axis < 0 ? axis + ndim : axis);
    return 0;
}

/* An int or a tuple/list of ints: *n of them into v (at most ARR_MAXDIM). */
static int int_list(call_t *c, const val_t *x, int64_t *v, int *n, err_t *err)
{
    if (x->kind != V_TUPLE && x->kind != V_LIST) {
        *n = 1;
        return args_int(c, x, &v[0], err);
    }
    const seq_t *s = (const seq_t *)x->u.o;
    if (s->n > ARR_MAXDIM) return err_set(err, PARC_EVALUE, c->at, "too many axes");
    *n = (int)s->n;
    for (size_t i = 0; i < s->n; i++) {
        int rc = args_int(c, &s->v[i], &v[i], err);
        if (rc) return rc;
    }
    return 0;
}

static int do_diff(call_t *c, val_t *out, err_t *err)
{
    static const char *const names[] = {"a", "n", "axis"};
    const val_t *p[3] = {0};
    int rc = args_bind(c, "diff", names, 3, 3, p, err);
    if (rc) return rc;
    if (!p[0]) return err_set(err, PARC_ETYPE, c->at, "diff() missing required argument 'a'");
    int64_t n = 1, axis = -1;
    if (p[1] && (rc = args_int(c, p[1], &n, err))) return rc;
    if (p[2] && (rc = args_int(c, p[2], &axis, err))) return rc;
    if (n == 0) {
        *out = val_ref(*p[0]);
        return 0;
    }
    if (n < 0)
        return err_set(err, PARC_EVALUE, c->at, "order must be non-negative but got %lld",
                       (long long)n);
    arr_t *a = NULL, *r = NULL;
    if ((rc = operand(c, p[0], &a, err))) return rc;
    int ax = 0;
    if (arr_ndim(a) == 0)
        rc = err_set(err, PARC_EVALUE, c->at,
                     "diff requires input that is at least one dimensional");
    if (!rc) rc = norm_axis(c, axis, arr_ndim(a), &ax, err);
    if (!rc) rc = args_at(c, arr_diff(c->rt, a, n, ax, &r, err), err);
    arr_unref(&a);
    if (!rc) *out = val_array(&r);
    return rc;
}

static int do_gradient(call_t *c, val_t *out, err_t *err)
{
    static const char *const names[] = {"axis", "edge_order"};
    const val_t *kw[2] = {0};
    int rc = args_kw(c, "gradient", names, 2, kw, err);
    if (rc) return rc;
    if (c->nargs < 1)
        return err_set(err, PARC_ETYPE, c->at, "gradient() missing required argument 'f'");
    int64_t eo = 1;
    if (kw[1] && (rc = args_int(c, kw[1], &eo, err))) return rc;
    if (eo != 1 && eo != 2)
        return err_set(err, PARC_EVALUE, c->at, "'edge_order' greater than 2 not supported");
    if (eo == 2)
        return err_set(err, PARC_ENOTIMPL, c->at, "gradient() with edge_order=2 is not supported");
    arr_t *f = NULL;
    if ((rc = operand(c, &c->args[0], &f, err))) return rc;
    int nd = arr_ndim(f), naxes = nd, axes[ARR_MAXDIM], one = 0;
    for (int d = 0; d < nd; d++)
        axes[d] = d;
    if (kw[0] && kw[0]->kind != V_NONE) {
        int64_t v[ARR_MAXDIM];
        rc = int_list(c, kw[0], v, &naxes, err);
        one = kw[0]->kind != V_TUPLE && kw[0]->kind != V_LIST;
        for (int i = 0; !rc && i < naxes; i++)
            rc = norm_axis(c, v[i], nd, &axes[i], err);
    }
    /* spacings: none (1), one for every axis, or one per axis */
    double h[ARR_MAXDIM];
    size_t ns = c->nargs - 1;
    if (!rc && ns != 0 && ns != 1 && ns != (size_t)naxes)
        rc = err_set(err, PARC_ETYPE, c->at, "invalid number of arguments");
    for (int i = 0; !rc && i < naxes; i++) {
        const val_t *sv = ns == 0 ? NULL : &c->args[1 + (ns == 1 ? 0 : (size_t)i)];
        h[i] = 1.0;
        if (sv && sv->kind == V_ARRAY)
            rc = err_set(err, PARC_ENOTIMPL, c->at,
                         "gradient() with coordinate arrays is not supported: give a scalar "
                         "spacing");
        else if (sv)
            rc = args_double(c, sv, &h[i], err);
    }
    if (!rc && nd == 0)
        rc = err_set(err, PARC_EVALUE, c->at,
                     "Shape of array too small to calculate a numerical gradient, at least "
                     "(edge_order + 1) elements are required.");
    val_t list = val_none();
    if (!rc && !(one || naxes == 1)) {
        list = val_seq(V_LIST, (size_t)naxes, err);
        if (list.kind != V_LIST) rc = err->code ? err->code : PARC_ENOMEM;
    }
    for (int i = 0; !rc && i < naxes; i++) {
        arr_t *g = NULL;
        rc = args_at(c, arr_gradient(c->rt, f, axes[i], h[i], &g, err), err);
        if (rc) break;
        if (list.kind == V_LIST)
            ((seq_t *)list.u.o)->v[i] = val_array(&g);
        else
            *out = val_array(&g);
    }
    arr_unref(&f);
    if (rc) {
        val_drop(&list);
        return rc;
    }
    if (list.kind == V_LIST) *out = list;
    return 0;
}

static int do_roll(call_t *c, val_t *out, err_t *err)
{
    static const char *const names[] = {"a", "shift", "axis"};
    const val_t *p[3] = {0};
    int rc = args_bind(c, "roll", names, 3, 3, p, err);
    if (rc) return rc;
    if (!p[0] || !p[1])
        return err_set(err, PARC_ETYPE, c->at, "roll() missing required argument '%s'",
                       p[0] ? "shift" : "a");
    int64_t sh[ARR_MAXDIM], ax[ARR_MAXDIM];
    int ns = 0, na = 1;
    rc = int_list(c, p[1], sh, &ns, err);
    int noaxis = !p[2] || p[2]->kind == V_NONE;
    if (!rc && !noaxis) rc = int_list(c, p[2], ax, &na, err);
    if (!rc && ns != na && ns != 1 && na != 1)
        rc = err_set(err, PARC_EVALUE, c->at,
                     "shape mismatch: objects cannot be broadcast to a single shape");
    arr_t *a = NULL;
    if (!rc) rc = operand(c, p[0], &a, err);
    int n = ns > na ? ns : na;
    for (int i = 0; !rc && i < n; i++) {
        int axis = ARR_NOAXIS;
        if (!noaxis) rc = norm_axis(c, ax[na == 1 ? 0 : i], arr_ndim(a), &axis, err);
        arr_t *r = NULL;
        if (!rc) rc = args_at(c, arr_roll(c->rt, a, sh[ns == 1 ? 0 : i], axis, &r, err), err);
        arr_unref(&a);
        a = r;
    }
    if (rc) {
        arr_unref(&a);
        return rc;
    }
    *out = val_array(&a);
    return 0;
}

static int do_cumulate(call_t *c, int bi, const val_t *self, val_t *out, err_t *err)
{
    static const char *const names[] = {"a", "axis", "dtype"};
    const val_t *p[3] = {0};
    const char *fn = bi == BI_CUMSUM ? "cumsum" : "cumprod";
    int rc = 0;
    if (self) {
        /* the method: x.cumsum(axis=None, dtype=None) */
        p[0] = self;
        rc = args_bind(c, fn, names + 1, 2, 2, p + 1, err);
    } else {
        rc = args_bind(c, fn, names, 3, 3, p, err);
    }
    if (rc) return rc;
    if (!p[0]) return err_set(err, PARC_ETYPE, c->at, "%s() missing required argument 'a'", fn);
    int axis = ARR_NOAXIS, dt = -1;
    if (p[2] && (rc = args_dtype(c, p[2], &dt, err))) return rc;
    arr_t *a = NULL, *r = NULL;
    if ((rc = operand(c, p[0], &a, err))) return rc;
    if (p[1] && p[1]->kind != V_NONE) {
        int64_t v;
        rc = args_int(c, p[1], &v, err);
        if (!rc) rc = norm_axis(c, v, arr_ndim(a) ? arr_ndim(a) : 1, &axis, err);
    }
    if (!rc && arr_ndim(a) == 0) {
        /* a number: its one-element running sum */
        int64_t one = 1;
        arr_t *b = NULL;
        rc = args_at(c, arr_reshape(c->rt, a, 1, &one, &b, err), err);
        arr_unref(&a);
        a = b;
        axis = ARR_NOAXIS;
    }
    if (!rc) rc = args_at(c, arr_cumulate(c->rt, a, bi == BI_CUMPROD, axis, dt, &r, err), err);
    arr_unref(&a);
    if (!rc) *out = val_array(&r);
    return rc;
}

/* The taps a convolution may have: each is one more operand of the fused sum. */
#define MAX_TAPS 1024

static int mode_of(call_t *c, const val_t *v, int *mode, err_t *err)
{
    static const char *const modes[] = {"full", "same", "valid"};
    *mode = ARR_FULL;
    if (!v) return 0;
    if (v->kind == V_STR) {
        const str_t *s = (const str_t *)v->u.o;
        for (int m = 0; m < 3; m++)
            if (s->n == strlen(modes[m]) && !memcmp(s->s, modes[m], s->n)) {
                *mode = m;
                return 0;
            }
    }
    return err_set(err, PARC_EVALUE, c->at,
                   "Acceptable mode flags are 'valid', 'same', or 'full'.");
}

static int do_convolve(call_t *c, int bi, val_t *out, err_t *err)
{
    static const char *const names[] = {"a", "v", "mode", "boundary", "fillvalue"};
    int two = bi == BI_CONVOLVE2D;
    const char *fn = two ? "convolve2d" : "convolve";
    const val_t *p[5] = {0};
    int rc = args_bind(c, fn, names, two ? 5 : 3, two ? 5 : 3, p, err), mode = ARR_FULL;
    if (rc) return rc;
    if (!p[0] || !p[1])
        return err_set(err, PARC_ETYPE, c->at, "%s() missing required argument '%s'", fn,
                       p[0] ? "v" : "a");
    if ((rc = mode_of(c, p[2], &mode, err))) return rc;
    if (p[3] && !(p[3]->kind == V_STR && ((const str_t *)p[3]->u.o)->n == 4 &&
                  !memcmp(((const str_t *)p[3]->u.o)->s, "fill", 4)))
        return err_set(err, PARC_ENOTIMPL, c->at, "convolve2d() supports boundary='fill' only");
    double fv = 0;
    if (p[4] && ((rc = args_double(c, p[4], &fv, err)) || fv != 0))
        return rc ? rc
                  : err_set(err, PARC_ENOTIMPL, c->at, "convolve2d() supports fillvalue=0 only");
    arr_t *a = NULL, *k = NULL, *r = NULL;
    rc = operand(c, p[0], &a, err);
    if (!rc) rc = operand(c, p[1], &k, err);
    int nd = two ? 2 : 1;
    for (int i = 0; !rc && !two && i < 2; i++) {
        arr_t **x = i ? &k : &a;
        if (arr_ndim(*x) == 0) {
            /* NumPy makes numbers one-element arrays */
            int64_t one = 1;
            arr_t *b = NULL;
            rc = args_at(c, arr_reshape(c->rt, *x, 1, &one, &b, err), err);
            arr_unref(x);
            *x = b;
        } else if (arr_ndim(*x) > 1) {
            rc = err_set(err, PARC_EVALUE, c->at, "object too deep for desired array");
        }
    }
    if (!rc && two && (arr_ndim(a) != 2 || arr_ndim(k) != 2))
        rc = err_set(err, PARC_EVALUE, c->at, "convolve2d inputs must both be 2-D arrays");
    if (!rc) {
        const int64_t *as = arr_shape(a), *ks = arr_shape(k);
        int abig = 1, kbig = 1;
        for (int d = 0; d < nd; d++) {
            abig &= as[d] >= ks[d];
            kbig &= ks[d] >= as[d];
        }
        /* NumPy's convolve takes the longer as the signal; scipy's swaps for 'valid' */
        int swap = two ? mode == ARR_VALID && !abig && kbig : as[0] < ks[0];
        if (two && mode == ARR_VALID && !abig && !kbig)
            rc = err_set(err, PARC_EVALUE, c->at,
                         "For 'valid' mode, one must be at least as large as the other in every "
                         "dimension");
        if (swap) {
            arr_t *t = a;
            a = k;
            k = t;
        }
    }
    if (!rc && arr_size(a) == 0)
        rc = err_set(err, PARC_EVALUE, c->at, two ? "in1 cannot be empty" : "a cannot be empty");
    if (!rc && arr_size(k) == 0)
        rc = err_set(err, PARC_EVALUE, c->at, two ? "in2 cannot be empty" : "v cannot be empty");
    if (!rc && arr_size(k) > MAX_TAPS)
        rc = err_set(err, PARC_ENOTIMPL, c->at,
                     "%s() with a kernel of more than %d elements is not supported (each "
                     "element is one shifted view of the input)",
                     fn, MAX_TAPS);
    if (!rc) rc = args_at(c, arr_convolve(c->rt, a, k, mode, &r, err), err);
    arr_unref(&a);
    arr_unref(&k);
    if (!rc) *out = val_array(&r);
    return rc;
}

int stencilfn_call(call_t *c, int bi, const val_t *self, val_t *out, err_t *err)
{
    switch (bi) {
    case BI_DIFF:
        return do_diff(c, out, err);
    case BI_GRADIENT:
        return do_gradient(c, out, err);
    case BI_ROLL:
        return do_roll(c, out, err);
    case BI_CUMSUM:
    case BI_CUMPROD:
        return do_cumulate(c, bi, self, out, err);
    case BI_CONVOLVE:
    case BI_CONVOLVE2D:
        return do_convolve(c, bi, out, err);
    default:
        return err_set(err, PARC_ENOTIMPL, c->at, "%s() is not available", args_fname(bi));
    }
}
