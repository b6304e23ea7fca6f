/* call.c - builtin functions, array methods and attributes (see call.h).
 * Each builtin parses its own arguments with the helpers at the top (positional count,
 * keywords with Python's TypeError wording, shapes, dtypes, distributions) and then calls
 * arr_ for array work, ops_ for scalar arithmetic, out_ for text. print, the displayed
 * value and input() follow the view: in global view rank 0 alone writes. */
#include "call.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arr.h"
#include "builtins.h"
#include "mem.h"
#include "obj.h"
#include "out.h"
#include "repr.h"

static const char *bname(int bi)
{
    const bi_info_t *b = bi_info(bi);
    const char *n = b ? b->name : "?";
    const char *dot = strchr(n, '.');
    return dot ? dot + 1 : n;
}

/* ---- argument parsing ---- */

/* Fills slots[i] with the keyword named names[i] (NULL if absent). TypeError for a
 * keyword not in names. */
static int kwargs(call_t *c, const char *fn, const char *const *names, size_t n,
                  const val_t **slots, err_t *err)
{
    for (size_t i = 0; i < n; i++)
        slots[i] = NULL;
    for (size_t k = 0; k < c->nkw; k++) {
        size_t i = 0;
        while (i < n && strcmp(names[i], c->kw[k].name) != 0)
            i++;
        if (i == n)
            return err_set(err, PARC_ETYPE, c->at, "%s() got an unexpected keyword argument '%s'",
                           fn, c->kw[k].name);
        slots[i] = &c->kw[k].v;
    }
    return 0;
}

static int nargs_between(call_t *c, const char *fn, size_t lo, size_t hi, err_t *err)
{
    if (c->nargs >= lo && c->nargs <= hi) return 0;
    if (lo == hi)
        return err_set(err, PARC_ETYPE, c->at, "%s() takes exactly %zu argument%s (%zu given)", fn,
                       lo, lo == 1 ? "" : "s", c->nargs);
    if (c->nargs < lo)
        return err_set(err, PARC_ETYPE, c->at, "%s() takes at least %zu argument%s (%zu given)", fn,
                       lo, lo == 1 ? "" : "s", c->nargs);
    return err_set(err, PARC_ETYPE, c->at, "%s() takes at most %zu argument%s (%zu given)", fn, hi,
                   hi == 1 ? "" : "s", c->nargs);
}

/* Positional argument i, else keyword slot kwv, else NULL; TypeError when both. */
static int either(call_t *c, const char *fn, size_t i, const val_t *kwv, const char *kwname,
                  const val_t **out, err_t *err)
{
    if (i < c->nargs && kwv)
        return err_set(err, PARC_ETYPE, c->at, "%s() got multiple values for argument '%s'", fn,
                       kwname);
    *out = i < c->nargs ? &c->args[i] : kwv;
    return 0;
}

static int to_int(call_t *c, const val_t *v, int64_t *out, err_t *err)
{
    if (v->kind == V_INT || v->kind == V_BOOL) {
        *out = v->u.i;
        return 0;
    }
    return err_set(err, PARC_ETYPE, c->at, "'%s' object cannot be interpreted as an integer",
                   val_kind_name(v));
}

static int to_double(call_t *c, const val_t *v, double *out, err_t *err)
{
    if (v->kind == V_INT || v->kind == V_BOOL) {
        *out = (double)v->u.i;
        return 0;
    }
    if (v->kind == V_FLOAT) {
        *out = v->u.f;
        return 0;
    }
    return err_set(err, PARC_ETYPE, c->at, "must be real number, not %s", val_kind_name(v));
}

static int parse_shape(call_t *c, const val_t *v, int *ndim, int64_t *shape, err_t *err)
{
    if (v->kind == V_INT || v->kind == V_BOOL) {
        *ndim = 1;
        shape[0] = v->u.i;
    } else if (v->kind == V_TUPLE || v->kind == V_LIST) {
        const seq_t *s = (const seq_t *)v->u.o;
        if (s->n > ARR_MAXDIM)
            return err_set(err, PARC_EVALUE, c->at, "maximum supported dimension is %d",
                           ARR_MAXDIM);
        for (size_t i = 0; i < s->n; i++) {
            int rc = to_int(c, &s->v[i], &shape[i], err);
            if (rc) return rc;
        }
        *ndim = (int)s->n;
    } else {
        return err_set(err, PARC_ETYPE, c->at, "'%s' object cannot be interpreted as an integer",
                       val_kind_name(v));
    }
    for (int i = 0; i < *ndim; i++)
        if (shape[i] < 0)
            return err_set(err, PARC_EVALUE, c->at, "negative dimensions are not allowed");
    return 0;
}

/* dtype= value: a DTYPE builtin, int/float/bool/complex, a name, or None (-1). */
static int parse_dtype(call_t *c, const val_t *v, int *dt, err_t *err)
{
    *dt = -1;
    if (!v || v->kind == V_NONE) return 0;
    if (v->kind == V_DTYPE) {
        *dt = (int)v->u.i;
        return 0;
    }
    if (v->kind == V_BUILTIN) {
        switch (v->u.i) {
        case BI_INT:
            *dt = DT_INT64;
            return 0;
        case BI_FLOAT:
            *dt = DT_FLOAT64;
            return 0;
        case BI_BOOL:
            *dt = DT_BOOL;
            return 0;
        case BI_COMPLEX:
            *dt = DT_COMPLEX128;
            return 0;
        default:
            break;
        }
    }
    if (v->kind == V_STR) {
        *dt = dt_from_name(((const str_t *)v->u.o)->s);
        if (*dt >= 0) return 0;
        return err_set(err, PARC_ETYPE, c->at, "data type '%s' not understood",
                       ((const str_t *)v->u.o)->s);
    }
    return err_set(err, PARC_ETYPE, c->at, "data type not understood");
}

static int dist_char(call_t *c, const val_t *v, char *out, err_t *err)
{
    if (v->kind == V_STR) {
        const str_t *s = (const str_t *)v->u.o;
        if (s->n == 1 && (s->s[0] == 'b' || s->s[0] == 'c' || s->s[0] == 'n')) {
            *out = s->s[0];
            return 0;
        }
    }
    return err_set(err, PARC_EVALUE, c->at,
                   "dist must be 'b' (block), 'c' (cyclic) or 'n' (not distributed)");
}

/* dist= and block_size= into d; *use = 0 when neither was given (default dist). */
static int parse_dist(call_t *c, const val_t *dv, const val_t *bs, int ndim, dist_t *d, int *use,
                      err_t *err)
{
    memset(d, 0, sizeof *d);
    *use = 0;
    for (int i = 0; i < ARR_MAXDIM; i++)
        d->kind[i] = i == 0 ? 'b' : 'n';
    d->block_size = 1;
    if (dv && dv->kind != V_NONE) {
        *use = 1;
        if (dv->kind == V_TUPLE || dv->kind == V_LIST) {
            const seq_t *s = (const seq_t *)dv->u.o;
            if ((int)s->n != ndim)
                return err_set(err, PARC_EVALUE, c->at,
                               "dist has %zu entries for an array of %d dimension%s", s->n, ndim,
                               ndim == 1 ? "" : "s");
            for (size_t i = 0; i < s->n; i++) {
                int rc = dist_char(c, &s->v[i], &d->kind[i], err);
                if (rc) return rc;
            }
        } else {
            int rc = dist_char(c, dv, &d->kind[0], err);
            if (rc) return rc;
        }
    }
    if (bs && bs->kind != V_NONE) {
        *use = 1;
        int rc = to_int(c, bs, &d->block_size, err);
        if (rc) return rc;
        if (d->block_size < 1)
            return err_set(err, PARC_EVALUE, c->at, "block_size must be at least 1");
    }
    return 0;
}

static int parse_axis(call_t *c, const val_t *v, int *axis, err_t *err)
{
    *axis = ARR_NOAXIS;
    if (!v || v->kind == V_NONE) return 0;
    int64_t a = 0;
    int rc = to_int(c, v, &a, err);
    if (rc) return rc;
    *axis = (int)a;
    return 0;
}

static int set_at(call_t *c, int rc, err_t *err)
{
    if (rc < 0 && err->at.line == 0 && err->at.col == 0) err->at = c->at;
    return rc;
}

/* ---- FUNC builtins ---- */

static int do_print(call_t *c, val_t *out, err_t *err)
{
    static const char *const names[] = {"sep", "end", "flush"};
    const val_t *kw[3] = {0};
    int rc = kwargs(c, "print", names, 3, kw, err);
    if (rc) return rc;
    for (int i = 0; i < 2; i++)
        if (kw[i] && kw[i]->kind != V_NONE && kw[i]->kind != V_STR)
            return err_set(err, PARC_ETYPE, c->at, "%s must be None or a string, not %s", names[i],
                           val_kind_name(kw[i]));
    const str_t *sep = kw[0] && kw[0]->kind == V_STR ? (const str_t *)kw[0]->u.o : NULL;
    const str_t *end = kw[1] && kw[1]->kind == V_STR ? (const str_t *)kw[1]->u.o : NULL;
    wbuf_t b;
    wbuf_init(&b);
    for (size_t i = 0; i < c->nargs && !rc; i++) {
        if (i) {
            if (sep)
                wbuf_bytes(&b, sep->s, sep->n);
            else
                wbuf_u8(&b, ' ');
        }
        rc = repr_val(c->rt, &c->args[i], 1, &b, err);
    }
    if (end)
        wbuf_bytes(&b, end->s, end->n);
    else
        wbuf_u8(&b, '\n');
    if (!rc && b.oom) rc = err_set(err, PARC_ENOMEM, c->at, "out of memory");
    if (!rc && (c->rt->local || c->rt->rank == 0) && b.len)
        out_write(c->rt, 1, (const char *)b.p, b.len);
    wbuf_free(&b);
    *out = val_none();
    return set_at(c, rc, err);
}

static int do_len(call_t *c, val_t *out, err_t *err)
{
    int rc = nargs_between(c, "len", 1, 1, err);
    if (rc) return rc;
    const val_t *v = &c->args[0];
    switch (v->kind) {
    case V_STR:
        *out = val_int((int64_t)((const str_t *)v->u.o)->n);
        return 0;
    case V_TUPLE:
    case V_LIST:
        *out = val_int((int64_t)((const seq_t *)v->u.o)->n);
        return 0;
    case V_RANGE:
        *out = val_int(obj_range_len((const obj_range_t *)v->u.o));
        return 0;
    case V_ARRAY:
        if (arr_ndim(v->u.a) == 0)
            return err_set(err, PARC_ETYPE, c->at, "len() of unsized object");
        *out = val_int(arr_shape(v->u.a)[0]);
        return 0;
    default:
        return err_set(err, PARC_ETYPE, c->at, "object of type '%s' has no len()",
                       val_kind_name(v));
    }
}

static int do_range(call_t *c, val_t *out, err_t *err)
{
    int rc = nargs_between(c, "range", 1, 3, err);
    if (rc) return rc;
    if (c->nkw) return err_set(err, PARC_ETYPE, c->at, "range() takes no keyword arguments");
    int64_t v[3] = {0, 0, 1};
    for (size_t i = 0; i < c->nargs; i++)
        if ((rc = to_int(c, &c->args[i], &v[c->nargs == 1 ? 1 : i], err))) return rc;
    if (v[2] == 0) return err_set(err, PARC_EVALUE, c->at, "range() arg 3 must not be zero");
    *out = obj_range(v[0], v[1], v[2], err);
    return out->kind == V_RANGE ? 0 : set_at(c, err->code, err);
}

/* The scalar inside a one-element array (int(), float() of x.sum() style results). */
static int scalar_of(call_t *c, const val_t *v, val_t *out, err_t *err)
{
    if (v->kind != V_ARRAY) {
        *out = val_ref(*v);
        return 0;
    }
    if (arr_size(v->u.a) != 1)
        return err_set(err, PARC_ETYPE, c->at,
                       "only length-1 arrays can be converted to Python "
                       "scalars");
    idx_t idx[ARR_MAXDIM];
    memset(idx, 0, sizeof idx);
    return set_at(c, arr_getitem(c->rt, v->u.a, idx, arr_ndim(v->u.a), out, err), err);
}

static void strip(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t' || **s == '\n' || **s == '\r')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\n' ||
                  (*s)[*n - 1] == '\r'))
        (*n)--;
}

static int bad_literal(call_t *c, const char *what, const str_t *s, err_t *err)
{
    wbuf_t b;
    wbuf_init(&b);
    repr_str(s->s, s->n > 100 ? 100 : s->n, &b);
    err_set(err, PARC_EVALUE, c->at, "%s%s", what, wbuf_cstring(&b));
    wbuf_free(&b);
    return err->code;
}

static int str_to_int(call_t *c, const str_t *str, val_t *out, err_t *err)
{
    const char *s = str->s;
    size_t n = str->n;
    strip(&s, &n);
    size_t i = 0;
    int neg = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    uint64_t acc = 0;
    int digits = 0, prev_us = 1;
    for (; i < n; i++) {
        if (s[i] == '_' && !prev_us) {
            prev_us = 1;
            continue;
        }
        if (s[i] < '0' || s[i] > '9') break;
        prev_us = 0;
        if (acc > (UINT64_MAX - 9) / 10)
            return err_set(err, PARC_EOVERFLOW, c->at, "int too large to convert to int64");
        acc = acc * 10 + (uint64_t)(s[i] - '0');
        digits++;
    }
    if (!digits || i != n || prev_us)
        return bad_literal(c, "invalid literal for int() with base 10: ", str, err);
    if (acc > (uint64_t)INT64_MAX + (uint64_t)neg)
        return err_set(err, PARC_EOVERFLOW, c->at, "int too large to convert to int64");
    *out = val_int(neg ? (int64_t)(0 - acc) : (int64_t)acc);
    return 0;
}

static int float_to_int(call_t *c, double d, val_t *out, err_t *err)
{
    if (isnan(d)) return err_set(err, PARC_EVALUE, c->at, "cannot convert float NaN to integer");
    if (isinf(d))
        return err_set(err, PARC_EOVERFLOW, c->at, "cannot convert float infinity to integer");
    double t = trunc(d);
    if (t >= 9223372036854775808.0 || t < -9223372036854775808.0)
        return err_set(err, PARC_EOVERFLOW, c->at, "int too large to convert to int64");
    *out = val_int((int64_t)t);
    return 0;
}

static int do_int(call_t *c, val_t *out, err_t *err)
{
    int rc = nargs_between(c, "int", 0, 1, err);
    if (rc) return rc;
    if (c->nargs == 0) {
        *out = val_int(0);
        return 0;
    }
    val_t v;
    if ((rc = scalar_of(c, &c->args[0], &v, err))) return rc;
    switch (v.kind) {
    case V_BOOL:
    case V_INT:
        *out = val_int(v.u.i);
        break;
    case V_FLOAT:
        rc = float_to_int(c, v.u.f, out, err);
        break;
    case V_STR:
        rc = str_to_int(c, (const str_t *)v.u.o, out, err);
        break;
    default:
        rc = err_set(err, PARC_ETYPE, c->at,
                     "int() argument must be a string or a real number, not '%s'",
                     val_kind_name(&v));
    }
    val_drop(&v);
    return rc;
}

static int str_to_float(call_t *c, const str_t *str, double *d, err_t *err)
{
    const char *s = str->s;
    size_t n = str->n;
    strip(&s, &n);
    char buf[128];
    size_t j = 0;
    for (size_t i = 0; i < n && j + 1 < sizeof buf; i++)
        if (s[i] != '_') buf[j++] = s[i];
    buf[j] = 0;
    char *end = NULL;
    if (n && n < sizeof buf && !(buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X'))) {
        *d = strtod(buf, &end);
        if (end && *end == 0 && end != buf) return 0;
    }
    return bad_literal(c, "could not convert string to float: ", str, err);
}

static int do_float(call_t *c, val_t *out, err_t *err)
{
    int rc = nargs_between(c, "float", 0, 1, err);
    if (rc) return rc;
    if (c->nargs == 0) {
        *out = val_float(0);
        return 0;
    }
    val_t v;
    if ((rc = scalar_of(c, &c->args[0], &v, err))) return rc;
    double d = 0;
    switch (v.kind) {
    case V_BOOL:
    case V_INT:
        d = (double)v.u.i;
        break;
    case V_FLOAT:
        d = v.u.f;
        break;
    case V_STR:
        rc = str_to_float(c, (const str_t *)v.u.o, &d, err);
        break;
    default:
        rc = err_set(err, PARC_ETYPE, c->at,
                     "float() argument must be a string or a real number, not '%s'",
                     val_kind_name(&v));
    }
    val_drop(&v);
    if (!rc) *out = val_float(d);
    return rc;
}

static int do_complex(call_t *c, val_t *out, err_t *err)
{
    static const char *const names[] = {"real", "imag"};
    const val_t *kw[2] = {0}, *re = NULL, *im = NULL;
    int rc = kwargs(c, "complex", names, 2, kw, err);
    if (!rc) rc = nargs_between(c, "complex", 0, 2, err);
    if (!rc) rc = either(c, "complex", 0, kw[0], "real", &re, err);
    if (!rc) rc = either(c, "complex", 1, kw[1], "imag", &im, err);
    if (rc) return rc;
    double r[2] = {0, 0}, i[2] = {0, 0};
    const val_t *parts[2] = {re, im};
    for (int k = 0; k < 2; k++) {
        const val_t *p = parts[k];
        if (!p) continue;
        double *dst = k ? i : r;
        if (p->kind == V_COMPLEX) {
            dst[0] = p->u.c[0];
            dst[1] = p->u.c[1];
        } else if (p->kind == V_STR && k == 0) {
            if ((rc = str_to_float(c, (const str_t *)p->u.o, &dst[0], err))) return rc;
        } else if ((rc = to_double(c, p, &dst[0], err))) {
            err_clear(err);
            return err_set(err, PARC_ETYPE, c->at,
                           "complex() argument must be a string or a number, not '%s'",
                           val_kind_name(p));
        }
    }
    /* (r0 + r1 j) + (i0 + i1 j) j */
    *out = val_complex(r[0] - i[1], r[1] + i[0]);
    return 0;
}

static int do_round(call_t *c, val_t *out, err_t *err)
{
    static const char *const names[] = {"ndigits"};
    const val_t *kw[1] = {0}, *nd = NULL;
    int rc = kwargs(c, "round", names, 1, kw, err);
    if (!rc) rc = nargs_between(c, "round", 1, 2, err);
    if (!rc) rc = either(c, "round", 1, kw[0], "ndigits", &nd, err);
    if (rc) return rc;
    const val_t *x = &c->args[0];
    int has_nd = nd && nd->kind != V_NONE;
    int64_t digits = 0;
    if (has_nd && (rc = to_int(c, nd, &digits, err))) return rc;
    if (x->kind == V_ARRAY) {
        if (digits != 0)
            return err_set(err, PARC_ENOTIMPL, c->at, "round() of an array with ndigits");
        return set_at(c, ops_ufunc(c->ops, BI_RINT, x, 1, out, err), err);
    }
    if (x->kind == V_INT || x->kind == V_BOOL) {
        int64_t v = x->u.i;
        if (has_nd && digits < 0) {
            int64_t p = 1;
            for (int64_t k = 0; k < -digits && p < INT64_MAX / 10; k++)
                p *= 10;
            if (-digits > 18) {
                v = 0;
            } else {
                int64_t q = v / p, r = v % p;
                if (r < 0) {
                    r += p;
                    q--;
                }
                if (2 * r > p || (2 * r == p && (q & 1))) q++;
                v = q * p;
            }
        }
        *out = val_int(v);
        return 0;
    }
    if (x->kind != V_FLOAT)
        return err_set(err, PARC_ETYPE, c->at, "type %s doesn't define __round__ method",
                       val_kind_name(x));
    double d = x->u.f;
    if (!has_nd) return float_to_int(c, nearbyint(d), out, err);
    if (!isfinite(d) || digits > 300) {
        *out = val_float(d);
        return 0;
    }
    if (digits >= 0) {
        /* printf rounds the exact binary value correctly, ties to even. */
        char buf[400];
        snprintf(buf, sizeof buf, "%.*f", (int)digits, d);
        *out = val_float(strtod(buf, NULL));
    } else {
        double p = pow(10.0, (double)-digits);
        double r = nearbyint(d / p) * p;
        *out = val_float(isfinite(r) ? r : 0.0 * d);
    }
    return 0;
}

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
        if (rc) return set_at(c, rc, err);
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
        return err_set(err, PARC_ETYPE, c->at, "%s() of '%s' is not supported", bname(bi),
                       val_kind_name(v));
    if (bi == BI_MIN || bi == BI_MAX) return py_minmax(c, bi == BI_MAX, s->v, s->n, out, err);
    if (bi == BI_ANY || bi == BI_ALL || bi == BI_COUNT_NONZERO) {
        int64_t cnt = 0;
        for (size_t i = 0; i < s->n; i++) {
            int t, rc = ops_truth(c->ops, &s->v[i], &t, err);
            if (rc) return set_at(c, rc, err);
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
            if (rc) return set_at(c, rc, err);
            acc = r;
        }
        if (bi == BI_MEAN) {
            val_t n = val_int((int64_t)s->n), r;
            int rc = ops_binop(c->ops, IR_DIV, &acc, &n, &r, err);
            val_drop(&acc);
            if (rc) return set_at(c, rc, err);
            acc = r;
        }
        *out = acc;
        return 0;
    }
    return err_set(err, PARC_ENOTIMPL, c->at, "%s() of a %s: use an array", bname(bi),
                   val_kind_name(v));
}

static int do_reduce(call_t *c, int bi, val_t *out, err_t *err)
{
    const char *fn = bname(bi);
    size_t base = c->tree ? c->nleaves : 1;
    if ((bi == BI_MIN || bi == BI_MAX) && !c->tree && c->nargs > 1 && c->args[0].kind != V_ARRAY)
        return py_minmax(c, bi == BI_MAX, c->args, c->nargs, out, err);
    static const char *const names[] = {"axis"};
    const val_t *kw[1] = {0}, *ax = NULL;
    int rc = kwargs(c, fn, names, 1, kw, err);
    if (rc) return rc;
    if (!c->tree && c->nargs < 1)
        return err_set(err, PARC_ETYPE, c->at,
                       "%s() missing 1 required positional argument: "
                       "'a'",
                       fn);
    if (c->nargs > base + 1)
        return err_set(err, PARC_ETYPE, c->at, "%s() takes at most 2 positional arguments", fn);
    if ((rc = either(c, fn, base, kw[0], "axis", &ax, err))) return rc;
    int axis = 0;
    if ((rc = parse_axis(c, ax, &axis, err))) return rc;
    if (!c->tree) {
        const val_t *x = &c->args[0];
        if (x->kind == V_PERENG)
            return err_set(err, PARC_ETYPE, c->at,
                           "%s() of a per-engine value: use %%px, or from_local() first", fn);
        if (x->kind != V_ARRAY && !val_is_num(x)) {
            if (axis != ARR_NOAXIS)
                return err_set(err, PARC_ENOTIMPL, c->at, "%s() of a %s with axis", fn,
                               val_kind_name(x));
            return seq_reduce(c, bi, x, out, err);
        }
    }
    rc = arr_reduce(c->rt, bi, c->tree, c->args, c->tree ? c->nleaves : 1, axis, out, err);
    return set_at(c, rc, err);
}

/* ---- CREATE / RANDOM ---- */

static int create(call_t *c, int bi, val_t *out, err_t *err)
{
    static const char *const names[] = {"dtype",      "dist", "block_size", "shape",
                                        "fill_value", "num",  "endpoint"};
    const val_t *kw[7] = {0};
    const char *fn = bname(bi);
    int rc = kwargs(c, fn, names, 7, kw, err);
    if (rc) return rc;
    int dt, use_dist, ndim = 1;
    int64_t shape[ARR_MAXDIM];
    dist_t d;
    arr_t *a = NULL;
    if ((rc = parse_dtype(c, kw[0], &dt, err))) return rc;
    if ((kw[3] && bi != BI_ZEROS && bi != BI_ONES && bi != BI_EMPTY && bi != BI_FULL) ||
        (kw[4] && bi != BI_FULL) || ((kw[5] || kw[6]) && bi != BI_LINSPACE)) {
        for (int i = 3; i < 7; i++)
            if (kw[i])
                return err_set(err, PARC_ETYPE, c->at,
                               "%s() got an unexpected keyword argument '%s'", fn, names[i]);
    }
    switch (bi) {
    case BI_ZEROS:
    case BI_ONES:
    case BI_EMPTY:
    case BI_FULL: {
        const val_t *sh = NULL, *fill = NULL;
        size_t maxargs = bi == BI_FULL ? 2 : 1;
        if (c->nargs > maxargs)
            return err_set(err, PARC_ETYPE, c->at,
                           "%s() takes at most %zu positional "
                           "argument%s",
                           fn, maxargs, maxargs == 1 ? "" : "s");
        if ((rc = either(c, fn, 0, kw[3], "shape", &sh, err))) return rc;
        if (bi == BI_FULL && (rc = either(c, fn, 1, kw[4], "fill_value", &fill, err))) return rc;
        if (!sh || (bi == BI_FULL && !fill))
            return err_set(err, PARC_ETYPE, c->at, "%s() missing required argument '%s'", fn,
                           !sh ? "shape" : "fill_value");
        if ((rc = parse_shape(c, sh, &ndim, shape, err))) return rc;
        if ((rc = parse_dist(c, kw[1], kw[2], ndim, &d, &use_dist, err))) return rc;
        val_t one = val_int(1);
        if (bi == BI_ONES) fill = &one;
        if (bi != BI_FULL && dt < 0) dt = DT_FLOAT64;
        if (fill && !val_is_num(fill))
            return err_set(err, PARC_ETYPE, c->at, "fill_value must be a number, not '%s'",
                           val_kind_name(fill));
        rc = arr_full(c->rt, ndim, shape, dt, fill, use_dist ? &d : NULL, &a, err);
        break;
    }
    case BI_ARANGE: {
        if ((rc = nargs_between(c, fn, 1, 3, err))) return rc;
        for (size_t i = 0; i < c->nargs; i++)
            if (!val_is_num(&c->args[i]) || c->args[i].kind == V_COMPLEX)
                return err_set(err, PARC_ETYPE, c->at,
                               "arange() arguments must be real "
                               "numbers");
        val_t zero = val_int(0), one = val_int(1);
        const val_t *start = c->nargs == 1 ? &zero : &c->args[0];
        const val_t *stop = c->nargs == 1 ? &c->args[0] : &c->args[1];
        const val_t *step = c->nargs == 3 ? &c->args[2] : &one;
        if ((rc = parse_dist(c, kw[1], kw[2], 1, &d, &use_dist, err))) return rc;
        rc = arr_arange(c->rt, start, stop, step, dt, use_dist ? &d : NULL, &a, err);
        break;
    }
    case BI_LINSPACE: {
        const val_t *numv = NULL, *epv = NULL;
        if ((rc = nargs_between(c, fn, 2, 4, err))) return rc;
        if ((rc = either(c, fn, 2, kw[5], "num", &numv, err))) return rc;
        if ((rc = either(c, fn, 3, kw[6], "endpoint", &epv, err))) return rc;
        double lo = 0, hi = 0;
        int64_t num = 50;
        int ep = 1;
        if ((rc = to_double(c, &c->args[0], &lo, err))) return rc;
        if ((rc = to_double(c, &c->args[1], &hi, err))) return rc;
        if (numv && (rc = to_int(c, numv, &num, err))) return rc;
        if (num < 0)
            return err_set(err, PARC_EVALUE, c->at,
                           "Number of samples, %lld, must be "
                           "non-negative.",
                           (long long)num);
        if (epv && (rc = ops_truth(c->ops, epv, &ep, err))) return rc;
        if ((rc = parse_dist(c, kw[1], kw[2], 1, &d, &use_dist, err))) return rc;
        rc = arr_linspace(c->rt, lo, hi, num, ep, dt < 0 ? DT_FLOAT64 : dt, use_dist ? &d : NULL,
                          &a, err);
        break;
    }
    case BI_ARRAY: {
        if ((rc = nargs_between(c, fn, 1, 1, err))) return rc;
        const val_t *v = &c->args[0];
        if (v->kind == V_ARRAY) {
            if (dt >= 0 && dt != arr_dtype(v->u.a))
                rc = arr_astype(c->rt, v->u.a, dt, &a, err);
            else
                rc = arr_copy(c->rt, v->u.a, &a, err);
            break;
        }
        int nd = 1;
        for (const val_t *p = v; (p->kind == V_LIST || p->kind == V_TUPLE) &&
                                 ((const seq_t *)p->u.o)->n > 0 && nd < ARR_MAXDIM;
             p = &((const seq_t *)p->u.o)->v[0])
            nd++;
        if ((rc = parse_dist(c, kw[1], kw[2], nd, &d, &use_dist, err))) return rc;
        rc = arr_from_value(c->rt, v, dt, use_dist ? &d : NULL, &a, err);
        break;
    }
    default:
        return err_set(err, PARC_ENOTIMPL, c->at, "%s() is not available", fn);
    }
    if (rc) return set_at(c, rc, err);
    *out = val_array(&a);
    return 0;
}

static int do_random(call_t *c, int bi, val_t *out, err_t *err)
{
    static const char *const names[] = {"dtype", "dist", "block_size", "size"};
    const val_t *kw[4] = {0};
    const char *fn = bname(bi);
    int rc = kwargs(c, fn, names, bi == BI_RANDOM ? 4 : bi == BI_SEED ? 0 : 3, kw, err);
    if (rc) return rc;
    if (bi == BI_SEED) {
        if ((rc = nargs_between(c, "seed", 1, 1, err))) return rc;
        int64_t s = 0;
        if ((rc = to_int(c, &c->args[0], &s, err))) return rc;
        if (c->rt->local) {
            c->rt->lseed = (uint64_t)s;
            c->rt->lcalls = 0;
        } else {
            c->rt->seed = (uint64_t)s;
            c->rt->calls = 0;
        }
        *out = val_none();
        return 0;
    }
    int dt, ndim = 0, use_dist;
    int64_t shape[ARR_MAXDIM];
    dist_t d;
    if ((rc = parse_dtype(c, kw[0], &dt, err))) return rc;
    if (bi == BI_RANDOM) {
        const val_t *size = NULL;
        if ((rc = nargs_between(c, fn, 0, 1, err))) return rc;
        if ((rc = either(c, fn, 0, kw[3], "size", &size, err))) return rc;
        if (!size || size->kind == V_NONE) {
            rc = arr_random_scalar(c->rt, RAND_UNIFORM, 0.0, 1.0, out, err);
            return set_at(c, rc, err);
        }
        if ((rc = parse_shape(c, size, &ndim, shape, err))) return rc;
    } else {
        if (c->nargs > ARR_MAXDIM)
            return err_set(err, PARC_EVALUE, c->at, "maximum supported dimension is %d",
                           ARR_MAXDIM);
        for (size_t i = 0; i < c->nargs; i++)
            if ((rc = to_int(c, &c->args[i], &shape[i], err))) return rc;
        ndim = (int)c->nargs;
        for (int i = 0; i < ndim; i++)
            if (shape[i] < 0)
                return err_set(err, PARC_EVALUE, c->at, "negative dimensions are not allowed");
        if (ndim == 0) {
            rc = arr_random_scalar(c->rt, bi == BI_RANDN ? RAND_NORMAL : RAND_UNIFORM,
                                   bi == BI_RANDN ? 0.0 : 0.0, 1.0, out, err);
            return set_at(c, rc, err);
        }
    }
    if ((rc = parse_dist(c, kw[1], kw[2], ndim, &d, &use_dist, err))) return rc;
    arr_t *a = NULL;
    rc = arr_random(c->rt, bi == BI_RANDN ? RAND_NORMAL : RAND_UNIFORM, ndim, shape,
                    dt < 0 ? DT_FLOAT64 : dt, 0.0, 1.0, use_dist ? &d : NULL, &a, err);
    if (rc) return set_at(c, rc, err);
    *out = val_array(&a);
    return 0;
}

/* ---- DTYPE calls: float32(x) ---- */

static int do_dtype_call(call_t *c, int bi, val_t *out, err_t *err)
{
    int dt = dt_from_name(bname(bi));
    int rc = nargs_between(c, bname(bi), 1, 1, err);
    if (rc) return rc;
    const val_t *v = &c->args[0];
    if (v->kind == V_ARRAY) {
        arr_t *a = NULL;
        if ((rc = arr_astype(c->rt, v->u.a, dt, &a, err))) return set_at(c, rc, err);
        *out = val_array(&a);
        return 0;
    }
    if (!val_is_num(v))
        return err_set(err, PARC_ETYPE, c->at, "%s() argument must be a number, not '%s'",
                       bname(bi), val_kind_name(v));
    double re = v->kind == V_FLOAT ? v->u.f : v->kind == V_COMPLEX ? v->u.c[0] : (double)v->u.i;
    val_t r = val_none();
    switch (dt) {
    case DT_BOOL:
        r = val_bool(v->kind == V_COMPLEX ? (v->u.c[0] != 0 || v->u.c[1] != 0) : re != 0);
        break;
    case DT_INT32:
    case DT_INT64:
        if (v->kind == V_INT || v->kind == V_BOOL) {
            r = val_int(dt == DT_INT32 ? (int64_t)(int32_t)v->u.i : v->u.i);
        } else {
            if ((rc = float_to_int(c, re, &r, err))) return rc;
            if (dt == DT_INT32) r.u.i = (int32_t)r.u.i;
        }
        break;
    case DT_FLOAT32:
        r = val_float((double)(float)re);
        break;
    case DT_FLOAT64:
        r = val_float(re);
        break;
    default:
        r = val_complex(re, v->kind == V_COMPLEX ? v->u.c[1] : 0);
        break;
    }
    r.dtype = (uint8_t)dt;
    r.weak = 0;
    *out = r;
    return 0;
}

/* ---- COMM (local view) ---- */

static int mpi_fail(call_t *c, int mrc, err_t *err)
{
    char msg[MPI_MAX_ERROR_STRING];
    int n = 0;
    MPI_Error_string(mrc, msg, &n);
    return err_set(err, PARC_EMPI, c->at, "%.*s", n, msg);
}

/* Values that travel between engines: scalars, strings, tuples and lists of those. */
static int enc_val(call_t *c, const val_t *v, wbuf_t *b, err_t *err)
{
    wbuf_u8(b, v->kind);
    wbuf_u8(b, v->dtype);
    wbuf_u8(b, v->weak);
    switch (v->kind) {
    case V_NONE:
        return 0;
    case V_BOOL:
    case V_INT:
        wbuf_i64(b, v->u.i);
        return 0;
    case V_FLOAT:
        wbuf_f64(b, v->u.f);
        return 0;
    case V_COMPLEX:
        wbuf_f64(b, v->u.c[0]);
        wbuf_f64(b, v->u.c[1]);
        return 0;
    case V_STR:
        wbuf_str(b, ((const str_t *)v->u.o)->s, ((const str_t *)v->u.o)->n);
        return 0;
    case V_TUPLE:
    case V_LIST: {
        const seq_t *s = (const seq_t *)v->u.o;
        wbuf_u32(b, (uint32_t)s->n);
        for (size_t i = 0; i < s->n; i++) {
            int rc = enc_val(c, &s->v[i], b, err);
            if (rc) return rc;
        }
        return 0;
    }
    default:
        return err_set(err, PARC_ENOTIMPL, c->at,
                       "only numbers, strings, tuples and lists can be sent, not '%s'",
                       val_kind_name(v));
    }
}

static int dec_val(call_t *c, rbuf_t *r, int depth, val_t *out, err_t *err)
{
    val_t v = val_none();
    v.kind = rbuf_u8(r);
    v.dtype = rbuf_u8(r);
    v.weak = rbuf_u8(r);
    if (depth > 50) r->bad = 1;
    switch (r->bad ? V_NKINDS : v.kind) {
    case V_NONE:
        break;
    case V_BOOL:
    case V_INT:
        v.u.i = rbuf_i64(r);
        break;
    case V_FLOAT:
        v.u.f = rbuf_f64(r);
        break;
    case V_COMPLEX:
        v.u.c[0] = rbuf_f64(r);
        v.u.c[1] = rbuf_f64(r);
        break;
    case V_STR: {
        size_t n;
        const char *s = rbuf_str(r, &n);
        v = val_str(s, n, err);
        if (v.kind != V_STR) return err->code;
        break;
    }
    case V_TUPLE:
    case V_LIST: {
        uint32_t n = rbuf_u32(r);
        if (n > rbuf_left(r)) return err_set(err, PARC_EMPI, c->at, "bad message");
        int kind = v.kind;
        v = val_seq(kind, n, err);
        if (v.kind == V_NONE) return err->code;
        seq_t *s = (seq_t *)v.u.o;
        for (uint32_t i = 0; i < n; i++) {
            int rc = dec_val(c, r, depth + 1, &s->v[i], err);
            if (rc) {
                val_drop(&v);
                return rc;
            }
        }
        break;
    }
    default:
        return err_set(err, PARC_EMPI, c->at, "bad message");
    }
    *out = v;
    return 0;
}

/* Elementwise allreduce of a local array, through its elements: arr.h exposes no chunk
 * pointer, so values are read with arr_getitem (local: no communication), combined with
 * one MPI_Allreduce, and rebuilt with arr_from_value. Every rank must pass the same shape. */
static int build_nested(const double *dv, const int64_t *iv, int isint, const int64_t *shape,
                        int nd, size_t *k, val_t *out, err_t *err)
{
    if (nd == 0) {
        *out = isint ? val_int(iv[*k]) : val_float(dv[*k]);
        (*k)++;
        return 0;
    }
    val_t l = val_seq(V_LIST, (size_t)shape[0], err);
    if (l.kind == V_NONE) return err->code;
    for (int64_t i = 0; i < shape[0]; i++) {
        int rc = build_nested(dv, iv, isint, shape + 1, nd - 1, k, &((seq_t *)l.u.o)->v[i], err);
        if (rc) {
            val_drop(&l);
            return rc;
        }
    }
    *out = l;
    return 0;
}

static int allreduce_array(call_t *c, const arr_t *a, MPI_Op op, val_t *out, err_t *err)
{
    int nd = arr_ndim(a), dt = arr_dtype(a), rc = 0;
    int isint = dt == DT_INT32 || dt == DT_INT64 || dt == DT_BOOL;
    if (dt == DT_COMPLEX128)
        return err_set(err, PARC_ENOTIMPL, c->at, "allreduce of complex arrays");
    const int64_t *shape = arr_shape(a);
    int64_t n = arr_size(a), mine[ARR_MAXDIM + 1], lo[ARR_MAXDIM + 1], hi[ARR_MAXDIM + 1];
    mine[0] = nd;
    for (int i = 0; i < nd; i++)
        mine[i + 1] = shape[i];
    int mrc = MPI_Allreduce(mine, lo, nd + 1, MPI_INT64_T, MPI_MIN, c->rt->comm);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Allreduce(mine, hi, nd + 1, MPI_INT64_T, MPI_MAX, c->rt->comm);
    if (mrc != MPI_SUCCESS) return mpi_fail(c, mrc, err);
    if (memcmp(lo, hi, (size_t)(nd + 1) * sizeof *lo) != 0)
        return err_set(err, PARC_EVALUE, c->at, "allreduce needs the same shape on every engine");
    size_t cnt = n ? (size_t)n : 1;
    double *dv = isint ? NULL : mem_calloc(cnt, sizeof *dv);
    int64_t *iv = isint ? mem_calloc(cnt, sizeof *iv) : NULL;
    void *in = mem_calloc(cnt, 8);
    if ((!dv && !iv) || !in) rc = err_set(err, PARC_ENOMEM, c->at, "out of memory");
    idx_t idx[ARR_MAXDIM];
    memset(idx, 0, sizeof idx);
    for (int64_t k = 0; !rc && k < n; k++) {
        int64_t rem = k;
        for (int d = nd - 1; d >= 0; d--) {
            idx[d].i = rem % shape[d];
            rem /= shape[d];
        }
        val_t e = val_none();
        rc = arr_getitem(c->rt, (arr_t *)a, idx, nd, &e, err);
        if (rc) break;
        if (isint)
            ((int64_t *)in)[k] = e.u.i;
        else
            ((double *)in)[k] = e.kind == V_FLOAT ? e.u.f : (double)e.u.i;
        val_drop(&e);
    }
    /* Every rank reaches the collective, failed or not, so that none waits forever. */
    int bad = rc != 0, anybad = 0;
    mrc = MPI_Allreduce(&bad, &anybad, 1, MPI_INT, MPI_MAX, c->rt->comm);
    if (!rc && mrc != MPI_SUCCESS) rc = mpi_fail(c, mrc, err);
    if (!rc && anybad) rc = err_set(err, PARC_EVALUE, c->at, "allreduce failed on another engine");
    if (!rc && n) {
        mrc = MPI_Allreduce(in, isint ? (void *)iv : (void *)dv, (int)n,
                            isint ? MPI_INT64_T : MPI_DOUBLE, op, c->rt->comm);
        if (mrc != MPI_SUCCESS) rc = mpi_fail(c, mrc, err);
    }
    val_t nested = val_none();
    size_t k = 0;
    if (!rc) rc = build_nested(dv, iv, isint, shape, nd, &k, &nested, err);
    arr_t *r = NULL;
    if (!rc) {
        int odt = dt == DT_BOOL && op == MPI_SUM ? DT_INT64 : dt;
        rc = arr_from_value(c->rt, &nested, odt, NULL, &r, err);
    }
    if (!rc) *out = val_array(&r);
    val_drop(&nested);
    mem_free(dv);
    mem_free(iv);
    mem_free(in);
    return set_at(c, rc, err);
}

static int comm_op(call_t *c, const val_t *opv, MPI_Op *op, err_t *err)
{
    const char *s = opv && opv->kind == V_STR ? ((const str_t *)opv->u.o)->s : opv ? "?" : "sum";
    if (!strcmp(s, "sum"))
        *op = MPI_SUM;
    else if (!strcmp(s, "prod"))
        *op = MPI_PROD;
    else if (!strcmp(s, "min"))
        *op = MPI_MIN;
    else if (!strcmp(s, "max"))
        *op = MPI_MAX;
    else
        return err_set(err, PARC_EVALUE, c->at, "op must be 'sum', 'prod', 'min' or 'max'");
    return 0;
}

static int do_comm(call_t *c, int bi, val_t *out, err_t *err)
{
    const char *fn = bname(bi);
    if (!c->rt->local) return err_set(err, PARC_ERUNTIME, c->at, "%s is for local view (%%px)", fn);
    static const char *const names[] = {"op", "root", "dest", "source", "tag"};
    const val_t *kw[5] = {0};
    int rc = kwargs(c, fn, names, 5, kw, err), mrc;
    if (rc) return rc;
    MPI_Comm comm = c->rt->comm;
    *out = val_none();
    switch (bi) {
    case BI_BARRIER:
        if ((rc = nargs_between(c, fn, 0, 0, err))) return rc;
        mrc = MPI_Barrier(comm);
        return mrc == MPI_SUCCESS ? 0 : mpi_fail(c, mrc, err);
    case BI_ALLREDUCE: {
        const val_t *opv = NULL;
        MPI_Op op = MPI_SUM;
        if ((rc = nargs_between(c, fn, 1, 2, err))) return rc;
        if ((rc = either(c, fn, 1, kw[0], "op", &opv, err))) return rc;
        if ((rc = comm_op(c, opv, &op, err))) return rc;
        const val_t *v = &c->args[0];
        val_t r = *v;
        if (v->kind == V_INT || v->kind == V_BOOL) {
            int64_t x = v->u.i;
            mrc = MPI_Allreduce(&x, &r.u.i, 1, MPI_INT64_T, op, comm);
            if (v->kind == V_BOOL && op == MPI_SUM) r = val_int(r.u.i);
        } else if (v->kind == V_FLOAT) {
            double x = v->u.f;
            mrc = MPI_Allreduce(&x, &r.u.f, 1, MPI_DOUBLE, op, comm);
        } else if (v->kind == V_COMPLEX && (op == MPI_SUM || op == MPI_PROD)) {
            double x[2] = {v->u.c[0], v->u.c[1]};
            mrc = MPI_Allreduce(x, r.u.c, 1, MPI_C_DOUBLE_COMPLEX, op, comm);
        } else if (v->kind == V_ARRAY) {
            return allreduce_array(c, v->u.a, op, out, err);
        } else {
            return err_set(err, PARC_ENOTIMPL, c->at, "allreduce of '%s' values", val_kind_name(v));
        }
        if (mrc != MPI_SUCCESS) return mpi_fail(c, mrc, err);
        *out = r;
        return 0;
    }
    case BI_BCAST:
    case BI_SEND: {
        const val_t *peer = NULL;
        int64_t p = 0, tag = 0;
        if ((rc = nargs_between(c, fn, 1, bi == BI_BCAST ? 2 : 3, err))) return rc;
        if ((rc = either(c, fn, 1, bi == BI_BCAST ? kw[1] : kw[2], bi == BI_BCAST ? "root" : "dest",
                         &peer, err)))
            return rc;
        if (peer && (rc = to_int(c, peer, &p, err))) return rc;
        if (!peer && bi == BI_SEND)
            return err_set(err, PARC_ETYPE, c->at, "send() missing required argument 'dest'");
        if (bi == BI_SEND) {
            const val_t *tv = NULL;
            if ((rc = either(c, fn, 2, kw[4], "tag", &tv, err))) return rc;
            if (tv && (rc = to_int(c, tv, &tag, err))) return rc;
        }
        if (p < 0 || p >= c->rt->nranks)
            return err_set(err, PARC_EVALUE, c->at, "%s %lld is not an engine (0..%d)",
                           bi == BI_BCAST ? "root" : "dest", (long long)p, c->rt->nranks - 1);
        wbuf_t b;
        wbuf_init(&b);
        if (bi == BI_SEND || c->rt->rank == p) rc = enc_val(c, &c->args[0], &b, err);
        if (!rc && b.oom) rc = err_set(err, PARC_ENOMEM, c->at, "out of memory");
        if (bi == BI_SEND) {
            if (!rc) {
                mrc = MPI_Send(b.p, (int)b.len, MPI_BYTE, (int)p, (int)tag, comm);
                if (mrc != MPI_SUCCESS) rc = mpi_fail(c, mrc, err);
            }
            wbuf_free(&b);
            return rc;
        }
        /* bcast: the root's status travels with the length so no rank waits forever. */
        int64_t len = rc ? -1 : (int64_t)b.len;
        mrc = MPI_Bcast(&len, 1, MPI_INT64_T, (int)p, comm);
        if (mrc != MPI_SUCCESS) {
            wbuf_free(&b);
            return mpi_fail(c, mrc, err);
        }
        if (len < 0) {
            wbuf_free(&b);
            return rc ? rc : err_set(err, PARC_EVALUE, c->at, "bcast: the root could not send");
        }
        uint8_t *buf = c->rt->rank == p ? b.p : mem_alloc(len ? (size_t)len : 1);
        if (!buf) {
            wbuf_free(&b);
            return err_set(err, PARC_ENOMEM, c->at, "out of memory");
        }
        mrc = MPI_Bcast(buf, (int)len, MPI_BYTE, (int)p, comm);
        if (mrc == MPI_SUCCESS) {
            rbuf_t r;
            rbuf_init(&r, buf, (size_t)len);
            rc = dec_val(c, &r, 0, out, err);
        } else {
            rc = mpi_fail(c, mrc, err);
        }
        if (buf != b.p) mem_free(buf);
        wbuf_free(&b);
        return rc;
    }
    case BI_RECV: {
        const val_t *src = NULL, *tv = NULL;
        int64_t s = 0, tag = 0;
        if ((rc = nargs_between(c, fn, 1, 2, err))) return rc;
        if ((rc = either(c, fn, 0, kw[3], "source", &src, err))) return rc;
        if ((rc = either(c, fn, 1, kw[4], "tag", &tv, err))) return rc;
        if ((rc = to_int(c, src, &s, err))) return rc;
        if (tv && (rc = to_int(c, tv, &tag, err))) return rc;
        if (s < 0 || s >= c->rt->nranks)
            return err_set(err, PARC_EVALUE, c->at, "source %lld is not an engine", (long long)s);
        MPI_Status st;
        int n = 0;
        mrc = MPI_Probe((int)s, (int)tag, comm, &st);
        if (mrc == MPI_SUCCESS) mrc = MPI_Get_count(&st, MPI_BYTE, &n);
        if (mrc != MPI_SUCCESS) return mpi_fail(c, mrc, err);
        uint8_t *buf = mem_alloc(n ? (size_t)n : 1);
        if (!buf) return err_set(err, PARC_ENOMEM, c->at, "out of memory");
        mrc = MPI_Recv(buf, n, MPI_BYTE, (int)s, (int)tag, comm, MPI_STATUS_IGNORE);
        if (mrc == MPI_SUCCESS) {
            rbuf_t r;
            rbuf_init(&r, buf, (size_t)n);
            rc = dec_val(c, &r, 0, out, err);
        } else {
            rc = mpi_fail(c, mrc, err);
        }
        mem_free(buf);
        return rc;
    }
    default:
        return err_set(err, PARC_ENOTIMPL, c->at, "%s() is not available", fn);
    }
}

/* ---- dispatch ---- */

val_t call_builtin_value(int bi)
{
    val_t v = val_none();
    const bi_info_t *info = bi_info(bi);
    if (!info) return v;
    switch (info->kind) {
    case BI_K_CONST:
        if (bi == BI_PI) return val_float(3.141592653589793);
        if (bi == BI_E) return val_float(2.718281828459045);
        if (bi == BI_INF) return val_float(INFINITY);
        if (bi == BI_NAN) return val_float(NAN);
        return v; /* newaxis is None */
    case BI_K_DTYPE:
        v.kind = V_DTYPE;
        v.u.i = dt_from_name(bi == BI_BOOL_ ? "bool" : info->name);
        return v;
    default:
        v.kind = V_BUILTIN;
        v.u.i = bi;
        return v;
    }
}

static int do_func(call_t *c, int bi, val_t *out, err_t *err)
{
    const char *fn = bname(bi);
    if (c->nkw && bi != BI_PRINT && bi != BI_ROUND && bi != BI_COMPLEX)
        return err_set(err, PARC_ETYPE, c->at, "%s() takes no keyword arguments", fn);
    int rc;
    switch (bi) {
    case BI_PRINT:
        return do_print(c, out, err);
    case BI_LEN:
        return do_len(c, out, err);
    case BI_RANGE:
        return do_range(c, out, err);
    case BI_ROUND:
        return do_round(c, out, err);
    case BI_INT:
        return do_int(c, out, err);
    case BI_FLOAT:
        return do_float(c, out, err);
    case BI_COMPLEX:
        return do_complex(c, out, err);
    case BI_BOOL: {
        int t = 0;
        if ((rc = nargs_between(c, fn, 0, 1, err))) return rc;
        if (c->nargs && (rc = ops_truth(c->ops, &c->args[0], &t, err))) return set_at(c, rc, err);
        *out = val_bool(t);
        return 0;
    }
    case BI_STR: {
        if ((rc = nargs_between(c, fn, 0, 1, err))) return rc;
        wbuf_t b;
        wbuf_init(&b);
        if (c->nargs) rc = repr_val(c->rt, &c->args[0], 1, &b, err);
        if (!rc && b.oom) rc = err_set(err, PARC_ENOMEM, c->at, "out of memory");
        if (!rc) *out = val_str((const char *)b.p, b.len, err);
        wbuf_free(&b);
        return set_at(c, rc ? rc : err->code, err);
    }
    case BI_TYPE: {
        if ((rc = nargs_between(c, fn, 1, 1, err))) return rc;
        const char *k = val_kind_name(&c->args[0]);
        *out = val_str(k, strlen(k), err);
        return set_at(c, err->code, err);
    }
    case BI_INPUT: {
        if ((rc = nargs_between(c, fn, 0, 1, err))) return rc;
        wbuf_t b;
        wbuf_init(&b);
        if (c->nargs) rc = repr_val(c->rt, &c->args[0], 1, &b, err);
        char *line = NULL;
        if (!rc) rc = out_input(c->rt, wbuf_cstring(&b), 0, &line, err);
        wbuf_free(&b);
        if (rc) return set_at(c, rc, err);
        *out = val_str(line, strlen(line), err);
        mem_free(line);
        return set_at(c, err->code, err);
    }
    case BI_FROM_LOCAL: {
        if ((rc = nargs_between(c, fn, 1, 1, err))) return rc;
        const val_t *v = &c->args[0];
        if (c->rt->local)
            return err_set(err, PARC_ERUNTIME, c->at, "from_local is for global view");
        if (v->kind == V_PERENG) v = &((const obj_pereng_t *)v->u.o)->v;
        if (v->kind != V_ARRAY)
            return err_set(err, PARC_ETYPE, c->at,
                           "from_local() needs a per-engine array (made in %%px), not '%s'",
                           val_kind_name(v));
        arr_t *a = NULL;
        if ((rc = arr_from_local(c->rt, v->u.a, &a, err))) return set_at(c, rc, err);
        *out = val_array(&a);
        return 0;
    }
    default:
        return err_set(err, PARC_ENOTIMPL, c->at, "%s() is not available", fn);
    }
}

int call_builtin(call_t *c, int bi, val_t *out, err_t *err)
{
    const bi_info_t *info = bi_info(bi);
    if (!info) return err_set(err, PARC_ETYPE, c->at, "unknown builtin");
    for (size_t i = 0; i < c->nargs && info->kind != BI_K_FUNC && info->kind != BI_K_REDUCE &&
                       info->kind != BI_K_UFUNC1 && info->kind != BI_K_UFUNC2;
         i++)
        if (c->args[i].kind == V_PERENG)
            return err_set(err, PARC_ETYPE, c->at,
                           "%s() of a per-engine value: use %%px, or from_local() first",
                           bname(bi));
    switch (info->kind) {
    case BI_K_FUNC:
        return do_func(c, bi, out, err);
    case BI_K_UFUNC1:
    case BI_K_UFUNC2: {
        size_t want = info->kind == BI_K_UFUNC1 ? 1 : 2;
        int rc;
        if (c->nkw)
            return err_set(err, PARC_ETYPE, c->at, "%s() got an unexpected keyword argument '%s'",
                           bname(bi), c->kw[0].name);
        if ((rc = nargs_between(c, bname(bi), want, want, err))) return rc;
        return set_at(c, ops_ufunc(c->ops, bi, c->args, c->nargs, out, err), err);
    }
    case BI_K_REDUCE:
        return do_reduce(c, bi, out, err);
    case BI_K_CREATE:
        return create(c, bi, out, err);
    case BI_K_RANDOM:
        return do_random(c, bi, out, err);
    case BI_K_DTYPE:
        return do_dtype_call(c, bi, out, err);
    case BI_K_COMM:
        return do_comm(c, bi, out, err);
    default:
        return err_set(err, PARC_ETYPE, c->at, "'%s' object is not callable",
                       info->kind == BI_K_CONST && bi != BI_NEWAXIS ? "float" : "NoneType");
    }
}

/* ---- methods and attributes ---- */

static int list_method(call_t *c, const val_t *self, const char *name, val_t *out, err_t *err)
{
    seq_t *s = (seq_t *)self->u.o;
    int rc;
    if (c->nkw) return err_set(err, PARC_ETYPE, c->at, "%s() takes no keyword arguments", name);
    if (!strcmp(name, "append")) {
        if ((rc = nargs_between(c, name, 1, 1, err))) return rc;
        if (s->n == s->cap) {
            size_t cap = s->cap * 2;
            val_t *v = mem_realloc(s->v, cap * sizeof *v);
            if (!v) return err_set(err, PARC_ENOMEM, c->at, "out of memory");
            s->v = v;
            s->cap = cap;
        }
        s->v[s->n++] = val_ref(c->args[0]);
        *out = val_none();
        return 0;
    }
    if (!strcmp(name, "pop")) {
        int64_t i = -1;
        if ((rc = nargs_between(c, name, 0, 1, err))) return rc;
        if (c->nargs && (rc = to_int(c, &c->args[0], &i, err))) return rc;
        if (s->n == 0) return err_set(err, PARC_EINDEX, c->at, "pop from empty list");
        if (i < 0) i += (int64_t)s->n;
        if (i < 0 || i >= (int64_t)s->n)
            return err_set(err, PARC_EINDEX, c->at, "pop index out of range");
        *out = s->v[i];
        memmove(&s->v[i], &s->v[i + 1], (s->n - (size_t)i - 1) * sizeof *s->v);
        s->n--;
        return 0;
    }
    return err_set(err, PARC_EATTR, c->at, "'list' object has no attribute '%s'", name);
}

int call_method(call_t *c, const val_t *self, const char *name, val_t *out, err_t *err)
{
    if (self->kind == V_LIST) return list_method(c, self, name, out, err);
    if (self->kind != V_ARRAY)
        return err_set(err, PARC_EATTR, c->at, "'%s' object has no attribute '%s'",
                       self->kind == V_PERENG ? "per-engine value" : val_kind_name(self), name);
    static const struct {
        const char *name;
        int bi;
    } reds[] = {{"sum", BI_SUM}, {"mean", BI_MEAN}, {"min", BI_MIN},
                {"max", BI_MAX}, {"prod", BI_PROD}, {"std", BI_STD},
                {"var", BI_VAR}, {"any", BI_ANY},   {"all", BI_ALL}};
    for (size_t i = 0; i < sizeof reds / sizeof reds[0]; i++) {
        if (strcmp(reds[i].name, name) != 0) continue;
        static const char *const names[] = {"axis"};
        const val_t *kw[1] = {0}, *ax = NULL;
        int axis, rc = kwargs(c, name, names, 1, kw, err);
        if (!rc) rc = nargs_between(c, name, 0, 1, err);
        if (!rc) rc = either(c, name, 0, kw[0], "axis", &ax, err);
        if (!rc) rc = parse_axis(c, ax, &axis, err);
        if (rc) return rc;
        return set_at(c, arr_reduce(c->rt, reds[i].bi, NULL, self, 1, axis, out, err), err);
    }
    arr_t *a = NULL;
    int rc;
    if (!strcmp(name, "copy")) {
        if ((rc = nargs_between(c, name, 0, 0, err))) return rc;
        rc = arr_copy(c->rt, self->u.a, &a, err);
    } else if (!strcmp(name, "astype")) {
        static const char *const names[] = {"dtype"};
        const val_t *kw[1] = {0}, *dv = NULL;
        int dt = 0;
        if ((rc = kwargs(c, name, names, 1, kw, err))) return rc;
        if ((rc = nargs_between(c, name, 0, 1, err))) return rc;
        if ((rc = either(c, name, 0, kw[0], "dtype", &dv, err))) return rc;
        if (!dv)
            return err_set(err, PARC_ETYPE, c->at,
                           "astype() missing required argument "
                           "'dtype'");
        if ((rc = parse_dtype(c, dv, &dt, err))) return rc;
        if (dt < 0) return err_set(err, PARC_ETYPE, c->at, "data type not understood");
        rc = arr_astype(c->rt, self->u.a, dt, &a, err);
    } else if (!strcmp(name, "reshape") || !strcmp(name, "transpose")) {
        return err_set(err, PARC_ENOTIMPL, c->at, "%s() is not available yet", name);
    } else {
        return err_set(err, PARC_EATTR, c->at, "'ndarray' object has no attribute '%s'", name);
    }
    if (rc) return set_at(c, rc, err);
    *out = val_array(&a);
    return 0;
}

static val_t shape_tuple(const int64_t *sh, int nd, err_t *err)
{
    val_t t = val_seq(V_TUPLE, (size_t)nd, err);
    if (t.kind == V_NONE) return t;
    for (int i = 0; i < nd; i++)
        ((seq_t *)t.u.o)->v[i] = val_int(sh[i]);
    return t;
}

int call_attr(rt_t *rt, const val_t *self, const char *name, span_t at, val_t *out, err_t *err)
{
    if (self->kind == V_COMPLEX && (!strcmp(name, "real") || !strcmp(name, "imag"))) {
        *out = val_float(self->u.c[name[0] == 'i']);
        return 0;
    }
    if (self->kind != V_ARRAY)
        return err_set(err, PARC_EATTR, at, "'%s' object has no attribute '%s'",
                       self->kind == V_PERENG ? "per-engine value" : val_kind_name(self), name);
    const arr_t *a = self->u.a;
    int nd = arr_ndim(a);
    if (!strcmp(name, "shape")) {
        *out = shape_tuple(arr_shape(a), nd, err);
    } else if (!strcmp(name, "ndim")) {
        *out = val_int(nd);
    } else if (!strcmp(name, "size")) {
        *out = val_int(arr_size(a));
    } else if (!strcmp(name, "dtype")) {
        val_t v = val_none();
        v.kind = V_DTYPE;
        v.u.i = arr_dtype(a);
        *out = v;
    } else if (!strcmp(name, "localshapes")) {
        int n = arr_is_dist(a) && !rt->local ? rt->nranks : 1;
        int64_t *sh = mem_calloc((size_t)n * (size_t)(nd ? nd : 1), sizeof *sh);
        if (!sh) return err_set(err, PARC_ENOMEM, at, "out of memory");
        if (n == 1 && !(arr_is_dist(a) && !rt->local))
            memcpy(sh, arr_shape(a), (size_t)nd * sizeof *sh);
        else
            arr_localshapes(rt, a, sh, (size_t)n * (size_t)nd);
        val_t l = val_seq(V_LIST, (size_t)n, err);
        for (int r = 0; l.kind == V_LIST && r < n; r++) {
            val_t t = shape_tuple(sh + (size_t)r * (size_t)nd, nd, err);
            if (t.kind == V_NONE) {
                val_drop(&l);
                break;
            }
            ((seq_t *)l.u.o)->v[r] = t;
        }
        mem_free(sh);
        *out = l;
    } else if (!strcmp(name, "dist")) {
        const dist_t *d = arr_dist(a);
        if (!d) {
            *out = val_none();
            return 0;
        }
        val_t t = val_seq(V_TUPLE, (size_t)nd, err);
        for (int i = 0; t.kind == V_TUPLE && i < nd; i++) {
            val_t s = val_str(&d->kind[i], 1, err);
            if (s.kind == V_NONE) {
                val_drop(&t);
                break;
            }
            ((seq_t *)t.u.o)->v[i] = s;
        }
        *out = t;
    } else if (!strcmp(name, "T") || !strcmp(name, "global_index")) {
        return err_set(err, PARC_ENOTIMPL, at, "x.%s is not available yet", name);
    } else {
        return err_set(err, PARC_EATTR, at, "'ndarray' object has no attribute '%s'", name);
    }
    if (err->code) {
        if (err->at.line == 0) err->at = at;
        return err->code;
    }
    return 0;
}
