/* plotfn.c - the picture builtins' calls (see plotfn.h): arguments checked here as NumPy
 * checks them (same exception kinds and, where it matters, the same words), the reduction
 * itself in runtime/array. */
#include "plotfn.h"

#include "args.h"
#include "arr.h"
#include "arrhist.h"
#include "builtins.h"
#include "obj.h"

/* x as an array: an array as it is, a number or a (nested) list made into one. *owned is
 * set when the caller must drop it. */
static int as_array(call_t *c, const val_t *v, arr_t **a, int *owned, err_t *err)
{
    *owned = 0;
    if (v->kind == V_ARRAY) {
        *a = v->u.a;
        return 0;
    }
    if (v->kind == V_PERENG)
        return err_set(err, PARC_ETYPE, c->at,
                       "%s of a per-engine value: use %%px, or from_local() first", "histogram()");
    int rc = arr_from_value(c->rt, v, -1, NULL, a, err);
    if (rc) return args_at(c, rc, err);
    *owned = 1;
    return 0;
}

/* One end of range=: a Python or NumPy number, not complex. */
static int range_end(call_t *c, const val_t *v, arr_edge_t *e, err_t *err)
{
    if (v->kind == V_INT || v->kind == V_BOOL) {
        *e = (arr_edge_t){1, v->u.i, (double)v->u.i};
        return 0;
    }
    if (v->kind == V_FLOAT) {
        *e = (arr_edge_t){0, 0, v->u.f};
        return 0;
    }
    return err_set(err, PARC_ETYPE, c->at, "range= must hold two numbers, not '%s'",
                   val_kind_name(v));
}

static int parse_range(call_t *c, const val_t *v, arr_edge_t e[2], int *given, err_t *err)
{
    *given = 0;
    if (!v || v->kind == V_NONE) return 0;
    if (v->kind != V_TUPLE && v->kind != V_LIST)
        return err_set(err, PARC_ETYPE, c->at, "cannot unpack non-iterable %s object",
                       val_kind_name(v));
    const seq_t *s = (const seq_t *)v->u.o;
    if (s->n < 2)
        return err_set(err, PARC_EVALUE, c->at, "not enough values to unpack (expected 2, got %zu)",
                       s->n);
    if (s->n > 2) return err_set(err, PARC_EVALUE, c->at, "too many values to unpack (expected 2)");
    int rc = range_end(c, &s->v[0], &e[0], err);
    if (!rc) rc = range_end(c, &s->v[1], &e[1], err);
    *given = !rc;
    return rc;
}

int plotfn_histogram(call_t *c, val_t *out, err_t *err)
{
    static const char *const names[] = {"a", "bins", "range"};
    const char *fn = "histogram";
    const val_t *v[3] = {0};
    int rc = args_bind(c, fn, names, 3, 3, v, err);
    if (rc) return rc;
    if (!v[0])
        return err_set(err, PARC_ETYPE, c->at,
                       "histogram() missing 1 required positional argument: 'a'");
    int64_t nbins = 10;
    if (v[1]) {
        if (v[1]->kind == V_INT || v[1]->kind == V_BOOL)
            nbins = v[1]->u.i;
        else if (v[1]->kind == V_ARRAY || v[1]->kind == V_LIST || v[1]->kind == V_TUPLE ||
                 v[1]->kind == V_STR)
            return err_set(err, PARC_ENOTIMPL, c->at,
                           "histogram() takes an integer bins in parc (no edge arrays or "
                           "estimator names yet)");
        else
            return err_set(err, PARC_ETYPE, c->at,
                           "`bins` must be an integer, a string, or an array");
    }
    arr_edge_t e[2];
    int given = 0;
    if ((rc = parse_range(c, v[2], e, &given, err))) return rc;
    arr_t *a = NULL, *cnt = NULL, *edges = NULL;
    int owned = 0;
    if ((rc = as_array(c, v[0], &a, &owned, err))) return rc;
    rc = arr_histogram(c->rt, a, nbins, given ? &e[0] : NULL, given ? &e[1] : NULL, &cnt, &edges,
                       err);
    if (owned) arr_unref(&a);
    if (rc) return args_at(c, rc, err);
    val_t t = val_seq(V_TUPLE, 2, err);
    if (t.kind == V_NONE) {
        arr_unref(&cnt);
        arr_unref(&edges);
        return args_at(c, err->code, err);
    }
    seq_t *s = (seq_t *)t.u.o;
    s->v[0] = val_array(&cnt);
    s->v[1] = val_array(&edges);
    *out = t;
    return 0;
}
