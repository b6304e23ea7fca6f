/* conv.c - int(), float(), complex(), round() and the dtype calls (see conv.h).
 *
 * Decisions a reader could not guess:
 * - Strings are parsed by hand as Python does (surrounding whitespace and underscores
 *   allowed, hex floats refused); an int outside int64 is OverflowError, since
 *   parc has no big integers.
 * - round(x, n) of a float goes through printf, which rounds the exact binary value and
 *   ties to even, as Python's round does. */
#include "conv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "arr.h"
#include "builtins.h"
#include "repr.h"

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
    return args_at(c, arr_getitem(c->rt, v->u.a, idx, arr_ndim(v->u.a), out, err), err);
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

int conv_int(call_t *c, val_t *out, err_t *err)
{
    int rc = args_count(c, "int", 0, 1, err);
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

int conv_float(call_t *c, val_t *out, err_t *err)
{
    int rc = args_count(c, "float", 0, 1, err);
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

int conv_complex(call_t *c, val_t *out, err_t *err)
{
    static const char *const names[] = {"real", "imag"};
    const val_t *kw[2] = {0}, *re = NULL, *im = NULL;
    int rc = args_kw(c, "complex", names, 2, kw, err);
    if (!rc) rc = args_count(c, "complex", 0, 2, err);
    if (!rc) rc = args_either(c, "complex", 0, kw[0], "real", &re, err);
    if (!rc) rc = args_either(c, "complex", 1, kw[1], "imag", &im, err);
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
        } else if ((rc = args_double(c, p, &dst[0], err))) {
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

int conv_round(call_t *c, val_t *out, err_t *err)
{
    static const char *const names[] = {"ndigits"};
    const val_t *kw[1] = {0}, *nd = NULL;
    int rc = args_kw(c, "round", names, 1, kw, err);
    if (!rc) rc = args_count(c, "round", 1, 2, err);
    if (!rc) rc = args_either(c, "round", 1, kw[0], "ndigits", &nd, err);
    if (rc) return rc;
    const val_t *x = &c->args[0];
    int has_nd = nd && nd->kind != V_NONE;
    int64_t digits = 0;
    if (has_nd && (rc = args_int(c, nd, &digits, err))) return rc;
    if (x->kind == V_ARRAY) {
        if (digits != 0)
            return err_set(err, PARC_ENOTIMPL, c->at, "round() of an array with ndigits");
        return args_at(c, ops_ufunc(c->ops, BI_RINT, x, 1, out, err), err);
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

/* ---- DTYPE calls: float32(x) ---- */

int conv_dtype(call_t *c, int bi, val_t *out, err_t *err)
{
    int dt = dt_from_name(args_fname(bi));
    int rc = args_count(c, args_fname(bi), 1, 1, err);
    if (rc) return rc;
    const val_t *v = &c->args[0];
    if (v->kind == V_ARRAY) {
        arr_t *a = NULL;
        if ((rc = arr_astype(c->rt, v->u.a, dt, &a, err))) return args_at(c, rc, err);
        *out = val_array(&a);
        return 0;
    }
    if (!val_is_num(v))
        return err_set(err, PARC_ETYPE, c->at, "%s() argument must be a number, not '%s'",
                       args_fname(bi), val_kind_name(v));
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
