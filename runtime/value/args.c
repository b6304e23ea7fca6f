/* args.c - argument parsing for builtins and methods (see args.h). Each builtin parses its
 * own arguments with these helpers: keywords first (an unknown keyword is a TypeError),
 * then the positional count, then each argument, so the first error is the one Python or
 * NumPy would report. */
#include "args.h"

#include <string.h>

#include "arr.h"
#include "builtins.h"

const char *args_fname(int bi)
{
    const bi_info_t *b = bi_info(bi);
    const char *n = b ? b->name : "?";
    const char *dot = strchr(n, '.');
    return dot ? dot + 1 : n;
}

/* Fills slots[i] with the keyword named names[i] (NULL if absent). TypeError for a
 * keyword not in names. */
int args_kw(call_t *c, const char *fn, const char *const *names, size_t n, const val_t **slots,
            err_t *err)
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

int args_count(call_t *c, const char *fn, size_t lo, size_t hi, err_t *err)
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
int args_either(call_t *c, const char *fn, size_t i, const val_t *kwv, const char *kwname,
                const val_t **out, err_t *err)
{
    if (i < c->nargs && kwv)
        return err_set(err, PARC_ETYPE, c->at, "%s() got multiple values for argument '%s'", fn,
                       kwname);
    *out = i < c->nargs ? &c->args[i] : kwv;
    return 0;
}

int args_bind(call_t *c, const char *fn, const char *const *names, size_t n, size_t maxpos,
              const val_t **out, err_t *err)
{
    const val_t *kw[ARGS_MAXBIND] = {0};
    if (n > ARGS_MAXBIND)
        return err_set(err, PARC_ERUNTIME, c->at, "%s(): too many parameters", fn);
    int rc = args_kw(c, fn, names, n, kw, err);
    if (!rc) rc = args_count(c, fn, 0, maxpos, err);
    for (size_t i = 0; i < n && !rc; i++)
        rc = args_either(c, fn, i, kw[i], names[i], &out[i], err);
    return rc;
}

int args_int(call_t *c, const val_t *v, int64_t *out, err_t *err)
{
    if (v->kind == V_INT || v->kind == V_BOOL) {
        *out = v->u.i;
        return 0;
    }
    return err_set(err, PARC_ETYPE, c->at, "'%s' object cannot be interpreted as an integer",
                   val_kind_name(v));
}

int args_double(call_t *c, const val_t *v, double *out, err_t *err)
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

int args_shape(call_t *c, const val_t *v, int *ndim, int64_t *shape, err_t *err)
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
            int rc = args_int(c, &s->v[i], &shape[i], err);
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
int args_dtype(call_t *c, const val_t *v, int *dt, err_t *err)
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
int args_dist(call_t *c, const val_t *dv, const val_t *bs, int ndim, dist_spec_t *d, int *use,
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
        int rc = args_int(c, bs, &d->block_size, err);
        if (rc) return rc;
        if (d->block_size < 1)
            return err_set(err, PARC_EVALUE, c->at, "block_size must be at least 1");
    }
    return 0;
}

int args_grid(call_t *c, const val_t *gv, int ndim, dist_spec_t *d, int *use, err_t *err)
{
    if (!gv || gv->kind == V_NONE) return 0;
    if (gv->kind != V_TUPLE && gv->kind != V_LIST)
        return err_set(err, PARC_ETYPE, c->at, "grid_shape must be a tuple of integers");
    const seq_t *s = (const seq_t *)gv->u.o;
    int ndist = 0;
    for (int i = 0; i < ndim; i++)
        ndist += d->kind[i] != 'n';
    /* one entry per dimension (1 for 'n' ones), or one per distributed dimension */
    if ((int)s->n != ndim && (int)s->n != ndist)
        return err_set(err, PARC_EVALUE, c->at,
                       "grid_shape has %zu entries for an array of %d dimensions (%d "
                       "distributed)",
                       s->n, ndim, ndist);
    for (int i = 0, j = 0; i < ndim; i++) {
        if ((int)s->n != ndim && d->kind[i] == 'n') continue;
        int64_t g = 0;
        int rc = args_int(c, &s->v[j++], &g, err);
        if (rc) return rc;
        if (g < 1 || g > 1 << 20)
            return err_set(err, PARC_EVALUE, c->at, "grid_shape entries must be positive");
        if (d->kind[i] == 'n' && g > 1)
            return err_set(err, PARC_EVALUE, c->at,
                           "grid_shape puts %lld engines on dimension %d, which is not "
                           "distributed ('n')",
                           (long long)g, i);
        d->grid[i] = d->kind[i] == 'n' ? 0 : (int)g;
    }
    *use = 1;
    return 0;
}

int args_axis(call_t *c, const val_t *v, int *axis, err_t *err)
{
    *axis = ARR_NOAXIS;
    if (!v || v->kind == V_NONE) return 0;
    int64_t a = 0;
    int rc = args_int(c, v, &a, err);
    if (rc) return rc;
    *axis = (int)a;
    return 0;
}

int args_at(call_t *c, int rc, err_t *err)
{
    if (rc < 0 && err->at.line == 0 && err->at.col == 0) err->at = c->at;
    return rc;
}
