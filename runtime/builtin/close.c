/* close.c - isclose, allclose, array_equal (see close.h).
 *
 * isclose is NumPy 1.24's: b is first brought to an inexact dtype (b * 1.0: float64 for
 * integers and bools, float32 stays float32, as result_type(b, 1.) does), elements finite
 * on both sides are close when |a - b| <= atol + rtol * |b| (not symmetric, as NumPy's), the
 * others when they are equal (inf == inf), and with equal_nan two nans are close too.
 * allclose is all() of it as a Python bool, reduced in the same fused pass. array_equal is
 * False for different shapes, else all(a == b) (or both nan, with equal_nan). */
#include "close.h"

#include "args.h"
#include "arr.h"
#include "builtins.h"

/* $0 a, $1 b, $2 atol, $3 rtol, $4 1.0 */
#define B_INEXACT "multiply($1, $4)"
#define ISCLOSE                                                                                    \
    "where(logical_and(isfinite($0), isfinite(" B_INEXACT ")), "                                   \
    "less_equal(absolute(subtract($0, " B_INEXACT ")), "                                           \
    "add($2, multiply($3, absolute(" B_INEXACT ")))), equal($0, " B_INEXACT "))"
#define BOTH_NAN "logical_and(isnan($0), isnan($1))"

static int shape_of(const val_t *v, int *ndim, const int64_t **shape)
{
    if (v->kind == V_ARRAY) {
        *ndim = arr_ndim(v->u.a);
        *shape = arr_shape(v->u.a);
        return 1;
    }
    *ndim = 0;
    *shape = NULL;
    return val_is_num(v);
}

static int same_shape(const val_t *a, const val_t *b)
{
    int na, nb;
    const int64_t *sa, *sb;
    if (!shape_of(a, &na, &sa) || !shape_of(b, &nb, &sb) || na != nb) return 0;
    for (int d = 0; d < na; d++)
        if (sa[d] != sb[d]) return 0;
    return 1;
}

int close_call(call_t *c, int bi, val_t *out, err_t *err)
{
    const char *fn = args_fname(bi);
    static const char *const names[] = {"rtol", "atol", "equal_nan"};
    const val_t *kw[3] = {NULL, NULL, NULL}, *v[3] = {NULL, NULL, NULL};
    int eq = bi == BI_ARRAY_EQUAL, rc;
    const char *const *kn = eq ? names + 2 : names;
    size_t nkn = eq ? 1 : 3;
    if ((rc = args_kw(c, fn, kn, nkn, eq ? kw + 2 : kw, err))) return rc;
    if ((rc = args_count(c, fn, 2, 2 + nkn, err))) return rc;
    for (size_t i = 0; i < nkn; i++)
        if ((rc = args_either(c, fn, 2 + i, kw[3 - nkn + i], kn[i], &v[3 - nkn + i], err)))
            return rc;
    double rtol = 1e-05, atol = 1e-08;
    int equal_nan = 0;
    if (v[0] && (rc = args_double(c, v[0], &rtol, err))) return rc;
    if (v[1] && (rc = args_double(c, v[1], &atol, err))) return rc;
    if (v[2] && (rc = ops_truth(c->ops, v[2], &equal_nan, err))) return args_at(c, rc, err);
    if (eq) {
        if (!same_shape(&c->args[0], &c->args[1])) {
            *out = val_bool(0);
            return 0;
        }
        val_t r = val_none();
        rc = ops_formula(c->ops,
                         equal_nan ? "logical_or(equal($0, $1), " BOTH_NAN ")" : "equal($0, $1)",
                         c->args, 2, BI_ALL, &r, err);
        if (!rc) *out = val_bool(r.u.i != 0);
        return args_at(c, rc, err);
    }
    val_t args[5] = {c->args[0], c->args[1], val_float(atol), val_float(rtol), val_float(1.0)};
    const char *f = equal_nan ? "logical_or(" ISCLOSE ", " BOTH_NAN ")" : ISCLOSE;
    /* NumPy's isclose computes under errstate(invalid='ignore'): inf - inf says nothing. */
    int nwarn = c->rt->nwarn;
    if (bi == BI_ISCLOSE) {
        rc = ops_formula(c->ops, f, args, 5, -1, out, err);
        c->rt->nwarn = nwarn;
        return args_at(c, rc, err);
    }
    val_t r = val_none();
    rc = ops_formula(c->ops, f, args, 5, BI_ALL, &r, err);
    c->rt->nwarn = nwarn;
    if (!rc) *out = val_bool(r.u.i != 0);
    return args_at(c, rc, err);
}
