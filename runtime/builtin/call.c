/* call.c - builtin dispatch (see call.h): call_builtin switches on the builtin's kind and
 * hands the call to conv_, create_, reduce_, comm_ or ops_ (ufuncs); the Python-level
 * functions (print, len, range, bool, str, type, input, from_local) are run here.
 *
 * print, the displayed value and input() follow the view: in global view rank 0 alone
 * writes. Builtins other than functions, ufuncs and reductions refuse a per-engine
 * argument up front (TypeError naming %px and from_local). */
#include "call.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "arr.h"
#include "builtins.h"
#include "comm.h"
#include "close.h"
#include "conv.h"
#include "create.h"
#include "filefn.h"
#include "linfn.h"
#include "mem.h"
#include "obj.h"
#include "out.h"
#include "plotfn.h"
#include "reduce.h"
#include "repr.h"
#include "shape.h"
#include "stencilfn.h"

/* ---- FUNC builtins ---- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int do_print(call_t *c, val_t *out, err_t *err)
{
    static const char *const names[] = {"sep", "end", "flush"};
    const val_t *kw[3] = {0};
    int rc = args_kw(c, "print", names, 3, kw, err);
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
    return args_at(c, rc, err);
}

static int do_len(call_t *c, val_t *out, err_t *err)
{
    int rc = args_count(c, "len", 1, 1, err);
    if (rc) return rc;
    int64_t n = 0;
    rc = val_len(&c->args[0], c->at, &n, err);
    if (rc == 0) *out = val_int(n);
    return rc;
}

static int do_range(call_t *c, val_t *out, err_t *err)
{
    int rc = args_count(c, "range", 1, 3, err);
    if (rc) return rc;
    if (c->nkw) return err_set(err, PARC_ETYPE, c->at, "range() takes no keyword arguments");
    int64_t v[3] = {0, 0, 1};
    for (size_t i = 0; i < c->nargs; i++)
        if ((rc = args_int(c, &c->args[i], &v[c->nargs == 1 ? 1 : i], err))) return rc;
    if (v[2] == 0) return err_set(err, PARC_EVALUE, c->at, "range() arg 3 must not be zero");
    *out = obj_range(v[0], v[1], v[2], err);
    return out->kind == V_RANGE ? 0 : args_at(c, err->code, err);
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

/* set_printoptions(precision=None, threshold=None, floatmode=None): NumPy's names and
 * checks; an option left out (or None) keeps its value. */
static int do_printoptions(call_t *c, val_t *out, err_t *err)
{
    static const char *const names[] = {"precision", "threshold", "floatmode"};
    const char *fn = "set_printoptions";
    const val_t *v[3] = {0};
    int rc = args_bind(c, fn, names, 3, 2, v, err);
    if (rc) return rc;
    rt_t *rt = c->rt;
    int prec = rt->pr_set ? rt->pr_precision : 8, unique = rt->pr_set ? rt->pr_unique : 0;
    int64_t thr = rt->pr_set ? rt->pr_threshold : 1000;
    if (v[0] && v[0]->kind != V_NONE) {
        if (v[0]->kind != V_INT && v[0]->kind != V_BOOL)
            return err_set(err, PARC_ETYPE, c->at, "precision must be an integer");
        if (v[0]->u.i < 0 || v[0]->u.i > 400)
            return err_set(err, PARC_EVALUE, c->at, "precision must be between 0 and 400");
        prec = (int)v[0]->u.i;
    }
    if (v[1] && v[1]->kind != V_NONE) {
        double t = 0;
        if ((rc = args_double(c, v[1], &t, err))) return rc;
        if (isnan(t))
            return err_set(err, PARC_EVALUE, c->at,
                           "threshold must be non-NAN, try sys.maxsize for untruncated "
                           "representation");
        thr = t >= 9.2e18 ? INT64_MAX : t < 0 ? -1 : (int64_t)t;
    }
    if (v[2] && v[2]->kind != V_NONE) {
        const str_t *s = v[2]->kind == V_STR ? (const str_t *)v[2]->u.o : NULL;
        int is_u = s && s->n == 6 && memcmp(s->s, "unique", 6) == 0;
        int is_m = s && s->n == 7 && memcmp(s->s, "maxprec", 7) == 0;
        if (!is_u && !is_m)
            return err_set(err, PARC_EVALUE, c->at,
                           "floatmode option must be one of 'unique', 'maxprec' (parc has no "
                           "'fixed' or 'maxprec_equal')");
        unique = is_u;
    }
    rt->pr_set = 1;
    rt->pr_precision = prec;
    rt->pr_unique = unique;
    rt->pr_threshold = thr;
    *out = val_none();
    return 0;
}

static int do_func(call_t *c, int bi, val_t *out, err_t *err)
{
    const char *fn = args_fname(bi);
    if (bi == BI_ISCLOSE || bi == BI_ALLCLOSE || bi == BI_ARRAY_EQUAL)
        return close_call(c, bi, out, err);
    if (bi >= BI_PLOT && bi <= BI_SAVEFIG) return plotfn_picture(c, bi, out, err);
    if (bi >= BI_DOT && bi <= BI_LSTSQ) return linfn_call(c, bi, out, err);
    if (bi >= BI_SAVE && bi <= BI_LOADTXT) return filefn_call(c, bi, out, err);
    if (bi >= BI_DIFF && bi <= BI_CONVOLVE2D) return stencilfn_call(c, bi, NULL, out, err);
    if (c->nkw && bi != BI_PRINT && bi != BI_ROUND && bi != BI_COMPLEX &&
        bi != BI_SET_PRINTOPTIONS && bi != BI_HISTOGRAM && bi != BI_FROM_LOCAL)
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
        return conv_round(c, out, err);
    case BI_INT:
        return conv_int(c, out, err);
    case BI_FLOAT:
        return conv_float(c, out, err);
    case BI_COMPLEX:
        return conv_complex(c, out, err);
    case BI_BOOL: {
        int t = 0;
        if ((rc = args_count(c, fn, 0, 1, err))) return rc;
        if (c->nargs && (rc = ops_truth(c->ops, &c->args[0], &t, err))) return args_at(c, rc, err);
        *out = val_bool(t);
        return 0;
    }
    case BI_STR: {
        if ((rc = args_count(c, fn, 0, 1, err))) return rc;
        wbuf_t b;
        wbuf_init(&b);
        if (c->nargs) rc = repr_val(c->rt, &c->args[0], 1, &b, err);
        if (!rc && b.oom) rc = err_set(err, PARC_ENOMEM, c->at, "out of memory");
        if (!rc) *out = val_str((const char *)b.p, b.len, err);
        wbuf_free(&b);
        return args_at(c, rc ? rc : err->code, err);
    }
    case BI_TYPE: {
        if ((rc = args_count(c, fn, 1, 1, err))) return rc;
        const char *k = val_kind_name(&c->args[0]);
        *out = val_str(k, strlen(k), err);
        return args_at(c, err->code, err);
    }
    case BI_INPUT: {
        if ((rc = args_count(c, fn, 0, 1, err))) return rc;
        wbuf_t b;
        wbuf_init(&b);
        if (c->nargs) rc = repr_val(c->rt, &c->args[0], 1, &b, err);
        char *line = NULL;
        if (!rc) rc = out_input(c->rt, wbuf_cstring(&b), 0, &line, err);
        wbuf_free(&b);
        if (rc) return args_at(c, rc, err);
        *out = val_str(line, strlen(line), err);
        mem_free(line);
        return args_at(c, err->code, err);
    }
    case BI_SLEEP: {
        double secs = 0;
        if ((rc = args_count(c, fn, 1, 1, err))) return rc;
        if ((rc = args_double(c, &c->args[0], &secs, err))) return rc;
        if (!(secs >= 0))
            return err_set(err, PARC_EVALUE, c->at, "sleep length must be non-negative");
        if (secs > 1e9) return err_set(err, PARC_EOVERFLOW, c->at, "sleep length is too large");
        /* In slices of at most 20 ms, so an interrupt stops it at once. */
        double end = now_s() + secs;
        for (double left = secs; left > 0; left = end - now_s()) {
            if ((rc = rt_check(c->rt, err))) return args_at(c, rc, err);
            double d = left < 0.02 ? left : 0.02;
            struct timespec ts = {(time_t)d, (long)((d - (double)(time_t)d) * 1e9)};
            nanosleep(&ts, NULL);
        }
        *out = val_none();
        return 0;
    }
    case BI_SET_PRINTOPTIONS:
        return do_printoptions(c, out, err);
    case BI_HISTOGRAM:
        return plotfn_histogram(c, out, err);
    case BI_FROM_LOCAL: {
        static const char *const names[] = {"c", "dist", "block_size", "grid_shape"};
        const val_t *p[4] = {0};
        if ((rc = args_bind(c, fn, names, 4, 1, p, err))) return rc;
        if (!p[0]) return err_set(err, PARC_ETYPE, c->at, "from_local() missing argument 'c'");
        const val_t *v = p[0];
        if (c->rt->local)
            return err_set(err, PARC_ERUNTIME, c->at, "from_local is for global view");
        if (v->kind == V_PERENG) v = &((const obj_pereng_t *)v->u.o)->v;
        if (v->kind != V_ARRAY)
            return err_set(err, PARC_ETYPE, c->at,
                           "from_local() needs a per-engine array (made in %%px), not '%s'",
                           val_kind_name(v));
        dist_spec_t spec;
        int use = 0, nd = arr_ndim(v->u.a);
        if ((rc = args_dist(c, p[1], p[2], nd, &spec, &use, err)) ||
            (rc = args_grid(c, p[3], nd, &spec, &use, err)))
            return rc;
        arr_t *a = NULL;
        if ((rc = arr_from_local(c->rt, v->u.a, use ? &spec : NULL, &a, err)))
            return args_at(c, rc, err);
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
                       !bi_ufunc_arity(bi);
         i++)
        if (c->args[i].kind == V_PERENG)
            return err_set(err, PARC_ETYPE, c->at,
                           "%s() of a per-engine value: use %%px, or from_local() first",
                           args_fname(bi));
    switch (info->kind) {
    case BI_K_FUNC:
        return do_func(c, bi, out, err);
    case BI_K_UFUNC1:
    case BI_K_UFUNC2:
    case BI_K_UFUNC3: {
        size_t want = (size_t)bi_ufunc_arity(bi);
        int rc;
        if (c->nkw)
            return err_set(err, PARC_ETYPE, c->at, "%s() got an unexpected keyword argument '%s'",
                           args_fname(bi), c->kw[0].name);
        if (bi == BI_WHERE && c->nargs == 1) {
            if (c->args[0].kind != V_ARRAY)
                return err_set(err, PARC_ENOTIMPL, c->at,
                               "where(condition) of a %s is not available (NumPy deprecates "
                               "it): use an array",
                               val_kind_name(&c->args[0]));
            return args_at(c, arr_nonzero(c->rt, c->args[0].u.a, out, err), err);
        }
        if (bi == BI_WHERE && c->nargs == 2)
            return err_set(err, PARC_EVALUE, c->at,
                           "either both or neither of x and y should be given");
        if ((rc = args_count(c, args_fname(bi), want, want, err))) return rc;
        return args_at(c, ops_ufunc(c->ops, bi, c->args, c->nargs, out, err), err);
    }
    case BI_K_REDUCE:
        return reduce_call(c, bi, out, err);
    case BI_K_CREATE:
        return create_array(c, bi, out, err);
    case BI_K_RANDOM:
        return create_random(c, bi, out, err);
    case BI_K_DTYPE:
        return conv_dtype(c, bi, out, err);
    case BI_K_COMM:
        return comm_call(c, bi, out, err);
    case BI_K_SHAPE:
        return shape_call(c, bi, NULL, out, err);
    default:
        return err_set(err, PARC_ETYPE, c->at, "'%s' object is not callable",
                       info->kind == BI_K_CONST && bi != BI_NEWAXIS ? "float" : "NoneType");
    }
}
