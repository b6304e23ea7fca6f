/* linfn.c - the linear-algebra builtins (see linfn.h): argument counts and keywords here,
 * NumPy's shape and dtype rules and the work itself in la_. */
#include "linfn.h"

#include <stdio.h>
#include <string.h>

#include "args.h"
#include "builtins.h"
#include "la.h"

static int products(call_t *c, int bi, val_t *out, err_t *err)
{
    const char *fn = args_fname(bi);
    int rc = args_count(c, fn, 2, 2, err);
    if (rc) return rc;
    if (c->nkw) return err_set(err, PARC_ETYPE, c->at, "%s() takes no keyword arguments", fn);
    const val_t *a = &c->args[0], *b = &c->args[1];
    if (bi == BI_OUTER) return args_at(c, la_outer(c->rt, c->ops, a, b, out, err), err);
    int kind = bi == BI_DOT      ? LA_DOT
               : bi == BI_MATMUL ? LA_MATMUL
               : bi == BI_INNER  ? LA_INNER
                                 : LA_VDOT;
    return args_at(c, la_product(c->rt, c->ops, kind, a, b, out, err), err);
}

/* The array argument v (an array, or a list or number made into one); *out is a new
 * reference. */
static int array_arg(call_t *c, const val_t *v, arr_t **out, err_t *err)
{
    if (v->kind == V_ARRAY) {
        *out = arr_ref(v->u.a);
        return 0;
    }
    if (v->kind != V_LIST && v->kind != V_TUPLE && !val_is_num(v))
        return err_set(err, PARC_ETYPE, c->at, "expected an array, not '%s'", val_kind_name(v));
    return args_at(c, arr_from_value(c->rt, v, -1, NULL, out, err), err);
}

static int do_trace(call_t *c, val_t *out, err_t *err)
{
    static const char *const names[] = {"a", "offset"};
    const val_t *v[2] = {0};
    int64_t off = 0;
    int rc = args_bind(c, "trace", names, 2, 2, v, err);
    if (rc) return rc;
    if (!v[0])
        return err_set(err, PARC_ETYPE, c->at, "trace() missing required argument 'a' (pos 1)");
    if (v[1] && (rc = args_int(c, v[1], &off, err))) return rc;
    arr_t *a = NULL;
    if ((rc = array_arg(c, v[0], &a, err))) return rc;
    rc = la_trace(c->rt, a, off, out, err);
    arr_unref(&a);
    return args_at(c, rc, err);
}

static int norm_ord(call_t *c, const val_t *v, la_ord_t *ord, err_t *err)
{
    memset(ord, 0, sizeof *ord);
    if (!v || v->kind == V_NONE) return 0;
    if (v->kind == V_STR) {
        const str_t *s = (const str_t *)v->u.o;
        snprintf(ord->name, sizeof ord->name, "%s", s->s);
        ord->kind = !strcmp(s->s, "fro") || !strcmp(s->s, "f") ? LA_ORD_FRO
                    : !strcmp(s->s, "nuc")                     ? LA_ORD_NUC
                                                               : LA_ORD_BAD;
        return 0;
    }
    ord->kind = LA_ORD_NUM;
    if (v->kind == V_COMPLEX)
        return err_set(err, PARC_ETYPE, c->at, "ord must be a number or a string, not complex");
    int rc = args_double(c, v, &ord->p, err);
    if (!rc) snprintf(ord->name, sizeof ord->name, "%g", ord->p);
    return rc;
}

/* keepdims: the reduced axes (all of them for naxis 0) kept with length 1. */
static int keep_dims(call_t *c, int nd, int naxis, const int *axis, val_t *v, err_t *err)
{
    int ax[2] = {0, 1}, n = naxis ? naxis : nd, rc = 0;
    for (int i = 0; i < naxis; i++)
        ax[i] = axis[i] < 0 ? axis[i] + nd : axis[i];
    if (n == 2 && ax[0] > ax[1]) {
        int t = ax[0];
        ax[0] = ax[1];
        ax[1] = t;
    }
    if (v->kind != V_ARRAY) {
        int64_t ones[ARR_MAXDIM];
        for (int i = 0; i < nd; i++)
            ones[i] = 1;
        arr_t *r = NULL;
        rc = arr_full(c->rt, nd, ones, -1, v, NULL, &r, err);
        if (rc) return args_at(c, rc, err);
        val_drop(v);
        *v = val_array(&r);
        return 0;
    }
    arr_t *r = arr_ref(v->u.a);
    rc = arr_expand_dims_at(c->rt, &r, ax, n, err);
    if (!rc) {
        val_drop(v);
        *v = val_array(&r);
    }
    return args_at(c, rc, err);
}

static int do_norm(call_t *c, val_t *out, err_t *err)
{
    static const char *const names[] = {"x", "ord", "axis", "keepdims"};
    const val_t *v[4] = {0};
    int rc = args_bind(c, "norm", names, 4, 4, v, err);
    if (rc) return rc;
    if (!v[0])
        return err_set(err, PARC_ETYPE, c->at,
                       "norm() missing 1 required positional argument: 'x'");
    la_ord_t ord;
    if ((rc = norm_ord(c, v[1], &ord, err))) return rc;
    int naxis = 0, axis[2] = {0, 0}, keep = 0;
    const val_t *ax = v[2];
    if (ax && (ax->kind == V_TUPLE || ax->kind == V_LIST)) {
        const seq_t *s = (const seq_t *)ax->u.o;
        if (s->n < 1 || s->n > 2)
            return err_set(err, PARC_EVALUE, c->at, "Improper number of dimensions to norm.");
        for (size_t i = 0; i < s->n; i++) {
            int64_t k;
            if ((rc = args_int(c, &s->v[i], &k, err))) return rc;
            axis[naxis++] = (int)k;
        }
    } else if (ax && ax->kind != V_NONE) {
        int64_t k;
        if (!val_is_int(ax))
            return err_set(err, PARC_ETYPE, c->at,
                           "'axis' must be None, an integer or a tuple of integers");
        if ((rc = args_int(c, ax, &k, err))) return rc;
        axis[naxis++] = (int)k;
    }
    if (v[3] && (rc = ops_truth(c->ops, v[3], &keep, err))) return args_at(c, rc, err);
    arr_t *x = NULL;
    if ((rc = array_arg(c, v[0], &x, err))) return rc;
    rc = args_at(c, la_norm(c->rt, c->ops, x, &ord, naxis, axis, out, err), err);
    if (!rc && keep) rc = keep_dims(c, arr_ndim(x), naxis, axis, out, err);
    arr_unref(&x);
    return rc;
}

/* A string argument's text, or NULL (not a string). */
static const char *str_of(const val_t *v)
{
    return v && v->kind == V_STR ? ((const str_t *)v->u.o)->s : NULL;
}

/* linalg.solve, inv, det, cholesky, qr, svd, eigh. */
static int solver(call_t *c, int bi, val_t *out, err_t *err)
{
    static const char *const names[][3] = {
        [BI_SOLVE - BI_SOLVE] = {"a", "b", NULL},
        [BI_INV - BI_SOLVE] = {"a", NULL, NULL},
        [BI_DET - BI_SOLVE] = {"a", NULL, NULL},
        [BI_CHOLESKY - BI_SOLVE] = {"a", NULL, NULL},
        [BI_QR - BI_SOLVE] = {"a", "mode", NULL},
        [BI_SVD - BI_SOLVE] = {"a", "full_matrices", "compute_uv"},
        [BI_EIGH - BI_SOLVE] = {"a", "UPLO", NULL},
    };
    const char *fn = args_fname(bi);
    const char *const *nm = names[bi - BI_SOLVE];
    size_t n = nm[2] ? 3 : nm[1] ? 2 : 1;
    const val_t *v[3] = {0};
    int rc = args_bind(c, fn, nm, n, n, v, err);
    if (rc) return rc;
    for (size_t i = 0; i < (bi == BI_SOLVE ? 2u : 1u); i++)
        if (!v[i])
            return err_set(err, PARC_ETYPE, c->at,
                           "%s() missing 1 required positional argument: '%s'", fn, nm[i]);
    arr_t *a = NULL, *b = NULL;
    if ((rc = array_arg(c, v[0], &a, err))) return rc;
    if (bi == BI_SOLVE && (rc = array_arg(c, v[1], &b, err))) {
        arr_unref(&a);
        return rc;
    }
    rt_t *rt = c->rt;
    int f1 = 1, f2 = 1;
    switch (bi) {
    case BI_SOLVE:
        rc = la_solve(rt, a, b, out, err);
        break;
    case BI_INV:
        rc = la_inv(rt, a, out, err);
        break;
    case BI_DET:
        rc = la_det(rt, a, out, err);
        break;
    case BI_CHOLESKY:
        rc = la_cholesky(rt, a, out, err);
        break;
    case BI_QR: {
        const char *m = v[1] ? str_of(v[1]) : "reduced";
        int mode = !m                       ? -1
                   : !strcmp(m, "reduced")  ? LA_QR_REDUCED
                   : !strcmp(m, "complete") ? LA_QR_COMPLETE
                   : !strcmp(m, "r")        ? LA_QR_R
                   : !strcmp(m, "raw")      ? LA_QR_RAW
                                            : -1;
        if (mode < 0)
            rc = err_set(err, PARC_EVALUE, c->at, "Unrecognized mode '%s'", m ? m : "?");
        else
            rc = la_qr(rt, a, mode, out, err);
        break;
    }
    case BI_SVD:
        if (v[1]) rc = ops_truth(c->ops, v[1], &f1, err);
        if (!rc && v[2]) rc = ops_truth(c->ops, v[2], &f2, err);
        if (!rc) rc = la_svd(rt, a, f1, f2, out, err);
        break;
    default: {
        const char *u = v[1] ? str_of(v[1]) : "L";
        if (!u || (strcmp(u, "L") && strcmp(u, "U")))
            rc = err_set(err, PARC_EVALUE, c->at, "UPLO argument must be 'L' or 'U'");
        else
            rc = la_eigh(rt, a, !strcmp(u, "U"), out, err);
        break;
    }
    }
    arr_unref(&a);
    arr_unref(&b);
    return args_at(c, rc, err);
}

static int do_lstsq(call_t *c, val_t *out, err_t *err)
{
    static const char *const names[] = {"a", "b", "rcond"};
    const val_t *v[3] = {0};
    int rc = args_bind(c, "lstsq", names, 3, 3, v, err);
    if (rc) return rc;
    if (!v[0] || !v[1])
        return err_set(err, PARC_ETYPE, c->at,
                       "lstsq() missing 1 required positional argument: "
                       "'%s'",
                       v[0] ? "b" : "a");
    arr_t *a = NULL, *b = NULL;
    if ((rc = array_arg(c, v[0], &a, err))) return rc;
    if ((rc = array_arg(c, v[1], &b, err))) {
        arr_unref(&a);
        return rc;
    }
    /* NumPy 1.24: rcond left out ('warn') is -1, machine precision; None is machine
     * precision times max(m, n) */
    double rcond = -1;
    if (v[2] && v[2]->kind == V_NONE) {
        int64_t m = arr_ndim(a) == 2 ? arr_shape(a)[0] : 0,
                n = arr_ndim(a) == 2 ? arr_shape(a)[1] : 0;
        rcond = 2.220446049250313e-16 * (double)(m > n ? m : n);
    } else if (v[2] && !str_of(v[2])) {
        rc = args_double(c, v[2], &rcond, err);
    }
    if (!rc) rc = args_at(c, la_lstsq(c->rt, c->ops, a, b, rcond, out, err), err);
    arr_unref(&a);
    arr_unref(&b);
    return rc;
}

int linfn_call(call_t *c, int bi, val_t *out, err_t *err)
{
    switch (bi) {
    case BI_TRACE:
        return do_trace(c, out, err);
    case BI_NORM:
        return do_norm(c, out, err);
    case BI_SOLVE:
    case BI_INV:
    case BI_DET:
    case BI_CHOLESKY:
    case BI_QR:
    case BI_SVD:
    case BI_EIGH:
        return solver(c, bi, out, err);
    case BI_LSTSQ:
        return do_lstsq(c, out, err);
    default:
        return products(c, bi, out, err);
    }
}
