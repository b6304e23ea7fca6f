/* linfn.c - the linear-algebra builtins (see linfn.h): argument counts and keywords here,
 * NumPy's shape and dtype rules and the products themselves in la_. */
#include "linfn.h"

#include "args.h"
#include "builtins.h"
#include "la.h"

int linfn_call(call_t *c, int bi, val_t *out, err_t *err)
{
    const char *fn = args_fname(bi);
    int rc = args_count(c, fn, 2, 2, err);
    if (rc) return rc;
    if (c->nkw) return err_set(err, PARC_ETYPE, c->at, "%s() takes no keyword arguments", fn);
    const val_t *a = &c->args[0], *b = &c->args[1];
    switch (bi) {
    case BI_DOT:
        return args_at(c, la_product(c->rt, c->ops, LA_DOT, a, b, out, err), err);
    case BI_MATMUL:
        return args_at(c, la_product(c->rt, c->ops, LA_MATMUL, a, b, out, err), err);
    case BI_INNER:
        return args_at(c, la_product(c->rt, c->ops, LA_INNER, a, b, out, err), err);
    case BI_VDOT:
        return args_at(c, la_product(c->rt, c->ops, LA_VDOT, a, b, out, err), err);
    case BI_OUTER:
        return args_at(c, la_outer(c->rt, c->ops, a, b, out, err), err);
    default:
        return err_set(err, PARC_ENOTIMPL, c->at, "%s() is not available", fn);
    }
}
