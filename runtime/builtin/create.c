/* create.c - the array-creation and random builtins (see create.h). Each parses shape,
 * dtype=, dist=, block_size= and grid_shape= and calls arr_full, arr_arange, arr_linspace,
 * arr_from_value or arr_random; without any of the three arr_ picks the default
 * distribution.
 *
 * random.seed sets the global stream in global view and this rank's own stream in local
 * view; random.random() with no size and rand()/randn() with no dimensions give a scalar. */
#include "create.h"

#include <math.h>

#include "args.h"
#include "arr.h"
#include "builtins.h"
#include "lazy.h"

/* dist=, block_size= and grid_shape= into d (see args_dist, args_grid). */
static int dist_args(call_t *c, const val_t *dv, const val_t *bs, const val_t *gs, int ndim,
                     dist_spec_t *d, int *use, err_t *err)
{
    int rc = args_dist(c, dv, bs, ndim, d, use, err);
    return rc ? rc : args_grid(c, gs, ndim, d, use, err);
}

/* eye(N, M, k) and identity(n). */
static int eye(call_t *c, int bi, val_t *out, err_t *err)
{
    static const char *const names[] = {"N", "M", "k", "dtype", "dist", "block_size", "grid_shape"};
    const val_t *v[7] = {0};
    const char *fn = args_fname(bi);
    int64_t n = 0, m = 0, k = 0;
    int dt, use_dist, rc;
    dist_spec_t d;
    if (bi == BI_IDENTITY) {
        static const char *const inames[] = {"n", "dtype", "dist", "block_size", "grid_shape"};
        const val_t *iv[5] = {0};
        if ((rc = args_bind(c, fn, inames, 5, 2, iv, err))) return rc;
        v[0] = iv[0];
        v[3] = iv[1];
        v[4] = iv[2];
        v[5] = iv[3];
        v[6] = iv[4];
    } else if ((rc = args_bind(c, fn, names, 7, 4, v, err))) {
        return rc;
    }
    if (!v[0])
        return err_set(err, PARC_ETYPE, c->at, "%s() missing required argument '%s'", fn,
                       bi == BI_IDENTITY ? "n" : "N");
    if ((rc = args_int(c, v[0], &n, err))) return rc;
    m = n;
    if (v[1] && v[1]->kind != V_NONE && (rc = args_int(c, v[1], &m, err))) return rc;
    if (v[2] && (rc = args_int(c, v[2], &k, err))) return rc;
    if ((rc = args_dtype(c, v[3], &dt, err))) return rc;
    if ((rc = dist_args(c, v[4], v[5], v[6], 2, &d, &use_dist, err))) return rc;
    arr_t *a = NULL;
    rc = arr_eye(c->rt, n, m, k, dt, use_dist ? &d : NULL, &a, err);
    if (rc) return args_at(c, rc, err);
    *out = val_array(&a);
    return 0;
}

/* zeros_like, ones_like, empty_like, full_like: a's shape and layout unless dist= says
 * otherwise; a number or a list is made into an array first, as NumPy does. */
static int like(call_t *c, int bi, val_t *out, err_t *err)
{
    static const char *const names[] = {"a",    "fill_value", "dtype",
                                        "dist", "block_size", "grid_shape"};
    const val_t *v[6] = {0};
    const char *fn = args_fname(bi);
    int full = bi == BI_FULL_LIKE, dt, use_dist, rc;
    if (full)
        rc = args_bind(c, fn, names, 6, 3, v, err);
    else {
        const val_t *w[5] = {0};
        static const char *const wnames[] = {"a", "dtype", "dist", "block_size", "grid_shape"};
        rc = args_bind(c, fn, wnames, 5, 2, w, err);
        v[0] = w[0];
        v[2] = w[1];
        v[3] = w[2];
        v[4] = w[3];
        v[5] = w[4];
    }
    if (rc) return rc;
    if (!v[0] || (full && !v[1]))
        return err_set(err, PARC_ETYPE, c->at, "%s() missing required argument '%s'", fn,
                       !v[0] ? "a" : "fill_value");
    if (full && !val_is_num(v[1]))
        return err_set(err, PARC_ETYPE, c->at, "fill_value must be a number, not '%s'",
                       val_kind_name(v[1]));
    if ((rc = args_dtype(c, v[2], &dt, err))) return rc;
    val_t one = val_int(1);
    const val_t *fill = full ? v[1] : bi == BI_ONES_LIKE ? &one : NULL;
    arr_t *proto = NULL, *a = NULL;
    if (v[0]->kind == V_ARRAY)
        proto = arr_ref(v[0]->u.a);
    else if ((rc = arr_from_value(c->rt, v[0], -1, NULL, &proto, err)))
        return args_at(c, rc, err);
    dist_spec_t d;
    rc = dist_args(c, v[3], v[4], v[5], arr_ndim(proto), &d, &use_dist, err);
    if (!rc && use_dist)
        rc = arr_full(c->rt, arr_ndim(proto), arr_shape(proto), dt < 0 ? arr_dtype(proto) : dt,
                      fill, &d, &a, err);
    else if (!rc)
        rc = arr_like(c->rt, proto, dt, fill, &a, err);
    arr_unref(&proto);
    if (rc) return args_at(c, rc, err);
    *out = val_array(&a);
    return 0;
}

int create_array(call_t *c, int bi, val_t *out, err_t *err)
{
    if (bi == BI_EYE || bi == BI_IDENTITY) return eye(c, bi, out, err);
    if (bi == BI_ZEROS_LIKE || bi == BI_ONES_LIKE || bi == BI_FULL_LIKE || bi == BI_EMPTY_LIKE)
        return like(c, bi, out, err);
    if (bi == BI_FROMFUNCTION)
        return err_set(err, PARC_ETYPE, c->at, "fromfunction() needs a function to call");
    static const char *const names[] = {"dtype",      "dist", "block_size", "shape",
                                        "fill_value", "num",  "endpoint",   "grid_shape"};
    const val_t *kw[8] = {0};
    const char *fn = args_fname(bi);
    int rc = args_kw(c, fn, names, 8, kw, err);
    if (rc) return rc;
    int dt, use_dist, ndim = 1;
    int64_t shape[ARR_MAXDIM];
    dist_spec_t d;
    arr_t *a = NULL;
    if ((rc = args_dtype(c, kw[0], &dt, err))) return rc;
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
        if ((rc = args_either(c, fn, 0, kw[3], "shape", &sh, err))) return rc;
        if (bi == BI_FULL && (rc = args_either(c, fn, 1, kw[4], "fill_value", &fill, err)))
            return rc;
        if (!sh || (bi == BI_FULL && !fill))
            return err_set(err, PARC_ETYPE, c->at, "%s() missing required argument '%s'", fn,
                           !sh ? "shape" : "fill_value");
        if ((rc = args_shape(c, sh, &ndim, shape, err))) return rc;
        if ((rc = dist_args(c, kw[1], kw[2], kw[7], ndim, &d, &use_dist, err))) return rc;
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
        if ((rc = args_count(c, fn, 1, 3, err))) return rc;
        for (size_t i = 0; i < c->nargs; i++)
            if (!val_is_num(&c->args[i]) || c->args[i].kind == V_COMPLEX)
                return err_set(err, PARC_ETYPE, c->at,
                               "arange() arguments must be real "
                               "numbers");
        val_t zero = val_int(0), one = val_int(1);
        const val_t *start = c->nargs == 1 ? &zero : &c->args[0];
        const val_t *stop = c->nargs == 1 ? &c->args[0] : &c->args[1];
        const val_t *step = c->nargs == 3 ? &c->args[2] : &one;
        if ((rc = dist_args(c, kw[1], kw[2], kw[7], 1, &d, &use_dist, err))) return rc;
        rc = arr_arange(c->rt, start, stop, step, dt, use_dist ? &d : NULL, &a, err);
        break;
    }
    case BI_LINSPACE: {
        const val_t *numv = NULL, *epv = NULL;
        if ((rc = args_count(c, fn, 2, 4, err))) return rc;
        if ((rc = args_either(c, fn, 2, kw[5], "num", &numv, err))) return rc;
        if ((rc = args_either(c, fn, 3, kw[6], "endpoint", &epv, err))) return rc;
        double lo = 0, hi = 0;
        int64_t num = 50;
        int ep = 1;
        if ((rc = args_double(c, &c->args[0], &lo, err))) return rc;
        if ((rc = args_double(c, &c->args[1], &hi, err))) return rc;
        if (numv && (rc = args_int(c, numv, &num, err))) return rc;
        if (num < 0)
            return err_set(err, PARC_EVALUE, c->at,
                           "Number of samples, %lld, must be "
                           "non-negative.",
                           (long long)num);
        if (epv && (rc = ops_truth(c->ops, epv, &ep, err))) return rc;
        if ((rc = dist_args(c, kw[1], kw[2], kw[7], 1, &d, &use_dist, err))) return rc;
        rc = arr_linspace(c->rt, lo, hi, num, ep, dt < 0 ? DT_FLOAT64 : dt, use_dist ? &d : NULL,
                          &a, err);
        break;
    }
    case BI_ARRAY: {
        if ((rc = args_count(c, fn, 1, 1, err))) return rc;
        const val_t *v = &c->args[0];
        if (v->kind == V_ARRAY) {
            int nd = arr_ndim(v->u.a);
            if ((rc = dist_args(c, kw[1], kw[2], kw[7], nd, &d, &use_dist, err))) return rc;
            if (use_dist && arr_is_dist(v->u.a) && !c->rt->local) {
                /* array(x, dist=...): x in that layout, then the dtype */
                arr_t *r = NULL;
                rc = arr_redistribute(c->rt, v->u.a, &d, &r, err);
                if (!rc && dt >= 0 && dt != arr_dtype(r))
                    rc = arr_astype(c->rt, r, dt, &a, err);
                else if (!rc)
                    a = arr_ref(r);
                arr_unref(&r);
            } else if (dt >= 0 && dt != arr_dtype(v->u.a))
                rc = arr_astype(c->rt, v->u.a, dt, &a, err);
            else
                rc = arr_copy(c->rt, v->u.a, &a, err);
            break;
        }
        int nd = 0;
        for (const val_t *p = v; (p->kind == V_LIST || p->kind == V_TUPLE) &&
                                 ((const seq_t *)p->u.o)->n > 0 && nd <= ARR_MAXDIM;
             p = &((const seq_t *)p->u.o)->v[0])
            nd++;
        if ((rc = dist_args(c, kw[1], kw[2], kw[7], nd, &d, &use_dist, err))) return rc;
        rc = arr_from_value(c->rt, v, dt, use_dist ? &d : NULL, &a, err);
        break;
    }
    case BI_REDISTRIBUTE: {
        if ((rc = args_count(c, fn, 1, 1, err))) return rc;
        const val_t *v = &c->args[0];
        if (v->kind != V_ARRAY || !arr_is_dist(v->u.a) || c->rt->local)
            return err_set(err, PARC_ETYPE, c->at,
                           "redistribute() needs a distributed array in global view, not %s",
                           v->kind == V_ARRAY ? "a local one" : val_kind_name(v));
        if (kw[0])
            return err_set(err, PARC_ETYPE, c->at,
                           "redistribute() got an unexpected keyword argument 'dtype'");
        if ((rc = dist_args(c, kw[1], kw[2], kw[7], arr_ndim(v->u.a), &d, &use_dist, err)))
            return rc;
        rc = arr_redistribute(c->rt, v->u.a, use_dist ? &d : NULL, &a, err);
        break;
    }
    default:
        return err_set(err, PARC_ENOTIMPL, c->at, "%s() is not available", fn);
    }
    if (rc) return args_at(c, rc, err);
    *out = val_array(&a);
    return 0;
}

/* A bound of random.randint: an int, or a float truncated as NumPy does. */
static int int_bound(call_t *c, const val_t *v, int64_t *out, err_t *err)
{
    if (v->kind == V_FLOAT) {
        double f = v->u.f;
        if (!(f > -0x1p63 && f < 0x1p63))
            return err_set(err, PARC_EOVERFLOW, c->at, "cannot convert float %g to integer", f);
        *out = (int64_t)f;
        return 0;
    }
    return args_int(c, v, out, err);
}

/* randint's bounds against its dtype, with NumPy's messages, and parc's own limit: the
 * generator takes them as doubles, so they must be exact there. */
static int randint_check(call_t *c, int dt, int64_t lo, int64_t hi, err_t *err)
{
    if (dt != DT_BOOL && dt != DT_INT32 && dt != DT_INT64)
        return err_set(err, PARC_ETYPE, c->at, "Unsupported dtype dtype('%s') for randint",
                       dt_name(dt));
    int64_t min = dt == DT_BOOL ? 0 : dt == DT_INT32 ? INT32_MIN : INT64_MIN;
    int64_t max = dt == DT_BOOL ? 1 : dt == DT_INT32 ? INT32_MAX : INT64_MAX;
    const char *name = dt == DT_BOOL ? "bool" : dt_name(dt);
    if (lo < min) return err_set(err, PARC_EVALUE, c->at, "low is out of bounds for %s", name);
    if (hi - 1 > max || hi < min)
        return err_set(err, PARC_EVALUE, c->at, "high is out of bounds for %s", name);
    if (lo >= hi) return err_set(err, PARC_EVALUE, c->at, "low >= high");
    if (lo < -(INT64_C(1) << 53) || hi > (INT64_C(1) << 53))
        return err_set(err, PARC_EVALUE, c->at,
                       "randint() bounds beyond +-2**53 are not supported by parc's generator");
    return 0;
}

/* The random array, deferred (lazy.h) when the caller takes that. */
static int random_out(call_t *c, int kind, int ndim, const int64_t *shape, int dt, double lo,
                      double hi, const dist_spec_t *d, val_t *out, err_t *err)
{
    if (c->defer)
        return args_at(c, lazy_random(c->rt, kind, ndim, shape, dt, lo, hi, d, out, err), err);
    arr_t *a = NULL;
    int rc = arr_random(c->rt, kind, ndim, shape, dt, lo, hi, d, &a, err);
    if (rc) return args_at(c, rc, err);
    *out = val_array(&a);
    return 0;
}

/* random.uniform(low, high, size), random.normal(loc, scale, size) and
 * random.randint(low, high, size, dtype): arr_random's kinds with NumPy's parameters. */
static int draw(call_t *c, int bi, val_t *out, err_t *err)
{
    static const char *const un[] = {"low",  "high",       "size",      "dtype",
                                     "dist", "block_size", "grid_shape"};
    static const char *const nn[] = {"loc",  "scale",      "size",      "dtype",
                                     "dist", "block_size", "grid_shape"};
    const char *fn = args_fname(bi);
    const val_t *v[7] = {0};
    int isint = bi == BI_RANDINT, kind = isint ? RAND_INT : bi == BI_NORMAL ? RAND_NORMAL : 0;
    int rc = args_bind(c, fn, bi == BI_NORMAL ? nn : un, 7, isint ? 4 : 3, v, err);
    if (rc) return rc;
    for (int i = 0; i < 2; i++)
        if (v[i] && v[i]->kind == V_ARRAY)
            return err_set(err, PARC_ENOTIMPL, c->at,
                           "%s() with an array for %s is not available: scale a call with "
                           "number arguments instead",
                           fn, (bi == BI_NORMAL ? nn : un)[i]);
    int dt;
    if ((rc = args_dtype(c, v[3], &dt, err))) return rc;
    if (!isint && dt >= 0 && dt != DT_FLOAT32 && dt != DT_FLOAT64)
        return err_set(err, PARC_ETYPE, c->at, "Unsupported dtype %s for random floats",
                       dt_name(dt));
    double lo = 0.0, hi = 1.0;
    if (isint) {
        int64_t l = 0, h = 0;
        if (!v[0]) return err_set(err, PARC_ETYPE, c->at, "randint() missing argument 'low'");
        if ((rc = int_bound(c, v[0], &l, err))) return rc;
        if (v[1] && v[1]->kind != V_NONE) {
            if ((rc = int_bound(c, v[1], &h, err))) return rc;
        } else {
            h = l;
            l = 0;
        }
        if ((rc = randint_check(c, dt < 0 ? DT_INT64 : dt, l, h, err))) return rc;
        lo = (double)l;
        hi = (double)h;
    } else {
        if (v[0] && (rc = args_double(c, v[0], &lo, err))) return rc;
        if (v[1] && (rc = args_double(c, v[1], &hi, err))) return rc;
        if (kind == RAND_UNIFORM && !isfinite(hi - lo))
            return err_set(err, PARC_EOVERFLOW, c->at, "Range exceeds valid bounds");
    }
    if (!v[2] || v[2]->kind == V_NONE) {
        rc = arr_random_scalar(c->rt, kind, lo, hi, out, err);
        if (!rc && dt >= 0) { /* dtype= given: a NumPy scalar of that dtype */
            if (out->kind == V_INT && dt == DT_BOOL) out->kind = V_BOOL;
            if (out->kind == V_FLOAT && dt == DT_FLOAT32) out->u.f = (float)out->u.f;
            out->dtype = (uint8_t)dt;
            out->weak = 0;
        }
        return args_at(c, rc, err);
    }
    int ndim = 0, use;
    int64_t shape[ARR_MAXDIM];
    dist_spec_t d;
    if ((rc = args_shape(c, v[2], &ndim, shape, err))) return rc;
    if ((rc = dist_args(c, v[4], v[5], v[6], ndim, &d, &use, err))) return rc;
    return random_out(c, kind, ndim, shape, dt, lo, hi, use ? &d : NULL, out, err);
}

int create_random(call_t *c, int bi, val_t *out, err_t *err)
{
    if (bi == BI_UNIFORM || bi == BI_NORMAL || bi == BI_RANDINT) return draw(c, bi, out, err);
    static const char *const names[] = {"dtype", "dist", "block_size", "grid_shape", "size"};
    const val_t *kw[5] = {0};
    const char *fn = args_fname(bi);
    int rc = args_kw(c, fn, names, bi == BI_RANDOM ? 5 : bi == BI_SEED ? 0 : 4, kw, err);
    if (rc) return rc;
    if (bi == BI_SEED) {
        if ((rc = args_count(c, "seed", 1, 1, err))) return rc;
        int64_t s = 0;
        if ((rc = args_int(c, &c->args[0], &s, err))) return rc;
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
    dist_spec_t d;
    if ((rc = args_dtype(c, kw[0], &dt, err))) return rc;
    if (bi == BI_RANDOM) {
        const val_t *size = NULL;
        if ((rc = args_count(c, fn, 0, 1, err))) return rc;
        if ((rc = args_either(c, fn, 0, kw[4], "size", &size, err))) return rc;
        if (!size || size->kind == V_NONE) {
            rc = arr_random_scalar(c->rt, RAND_UNIFORM, 0.0, 1.0, out, err);
            return args_at(c, rc, err);
        }
        if ((rc = args_shape(c, size, &ndim, shape, err))) return rc;
    } else {
        if (c->nargs > ARR_MAXDIM)
            return err_set(err, PARC_EVALUE, c->at, "maximum supported dimension is %d",
                           ARR_MAXDIM);
        for (size_t i = 0; i < c->nargs; i++)
            if ((rc = args_int(c, &c->args[i], &shape[i], err))) return rc;
        ndim = (int)c->nargs;
        for (int i = 0; i < ndim; i++)
            if (shape[i] < 0)
                return err_set(err, PARC_EVALUE, c->at, "negative dimensions are not allowed");
        if (ndim == 0) {
            rc = arr_random_scalar(c->rt, bi == BI_RANDN ? RAND_NORMAL : RAND_UNIFORM,
                                   bi == BI_RANDN ? 0.0 : 0.0, 1.0, out, err);
            return args_at(c, rc, err);
        }
    }
    if ((rc = dist_args(c, kw[1], kw[2], kw[3], ndim, &d, &use_dist, err))) return rc;
    return random_out(c, bi == BI_RANDN ? RAND_NORMAL : RAND_UNIFORM, ndim, shape,
                      dt < 0 ? DT_FLOAT64 : dt, 0.0, 1.0, use_dist ? &d : NULL, out, err);
}
