/* filefn.c - save and load (filefn.h): the file name checked and completed as NumPy does
 * (np.save adds '.npy' to a name without it), the array (a list or a number is made into
 * one first, as np.save's asanyarray does), then arrfile.h. load reads the header before
 * parsing dist=, block_size= and grid_shape=, which need the number of dimensions. */
#include "filefn.h"

#include <string.h>

#include "args.h"
#include "arr.h"
#include "arrfile.h"
#include "builtins.h"

#define NAMECAP 4096

/* The file name argument v into buf, with suffix added unless it ends with it (suffix
 * NULL: as given). */
static int file_name(call_t *c, const val_t *v, const char *suffix, char *buf, err_t *err)
{
    if (!v || v->kind != V_STR)
        return err_set(err, PARC_ETYPE, c->at, "expected str, bytes or os.PathLike object, not %s",
                       v ? val_kind_name(v) : "NoneType");
    const str_t *s = (const str_t *)v->u.o;
    size_t n = s->n, k = suffix ? strlen(suffix) : 0;
    if (memchr(s->s, 0, n)) return err_set(err, PARC_EVALUE, c->at, "embedded null byte");
    int has = !suffix || (n >= k && memcmp(s->s + n - k, suffix, k) == 0);
    if (n + (has ? 0 : k) >= NAMECAP) return err_set(err, PARC_EVALUE, c->at, "file name too long");
    memcpy(buf, s->s, n);
    if (!has) memcpy(buf + n, suffix, k);
    buf[n + (has ? 0 : k)] = 0;
    return 0;
}

/* A per-engine value has no single file in global view. */
static int global_only(call_t *c, const val_t *v, const char *fn, err_t *err)
{
    if (v->kind == V_PERENG)
        return err_set(err, PARC_ETYPE, c->at,
                       "%s() of a per-engine value: use %%px, or from_local() first", fn);
    return 0;
}

static int do_save(call_t *c, val_t *out, err_t *err)
{
    static const char *const names[] = {"file", "arr"};
    const val_t *v[2] = {0};
    char path[NAMECAP];
    int rc = args_bind(c, "save", names, 2, 2, v, err);
    if (rc) return rc;
    if (!v[0] || !v[1])
        return err_set(err, PARC_ETYPE, c->at, "save() missing required argument '%s'",
                       v[0] ? "arr" : "file");
    if ((rc = file_name(c, v[0], ".npy", path, err)) || (rc = global_only(c, v[1], "save", err)))
        return rc;
    val_t x = val_ref(*v[1]);
    if (x.kind == V_LIST || x.kind == V_TUPLE) {
        arr_t *a = NULL;
        rc = arr_from_value(c->rt, &x, -1, NULL, &a, err);
        val_drop(&x);
        if (rc) return args_at(c, rc, err);
        x = val_array(&a);
    }
    rc = arr_save_npy(c->rt, &x, path, err);
    val_drop(&x);
    *out = val_none();
    return args_at(c, rc, err);
}

static int do_load(call_t *c, val_t *out, err_t *err)
{
    static const char *const names[] = {"file", "dist", "block_size", "grid_shape"};
    const val_t *v[4] = {0};
    char path[NAMECAP];
    int rc = args_bind(c, "load", names, 4, 1, v, err);
    if (rc) return rc;
    if (!v[0]) return err_set(err, PARC_ETYPE, c->at, "load() missing required argument 'file'");
    if ((rc = file_name(c, v[0], NULL, path, err))) return rc;
    arr_npy_t *f = NULL;
    if ((rc = arr_npy_open(c->rt, path, &f, err))) return args_at(c, rc, err);
    int ndim = arr_npy_ndim(f), use = 0;
    dist_spec_t d;
    rc = args_dist(c, v[1], v[2], ndim, &d, &use, err);
    if (!rc) rc = args_grid(c, v[3], ndim, &d, &use, err);
    if (!rc) rc = arr_npy_read(c->rt, f, use ? &d : NULL, out, err);
    arr_npy_close(&f);
    return args_at(c, rc, err);
}

int filefn_call(call_t *c, int bi, val_t *out, err_t *err)
{
    switch (bi) {
    case BI_SAVE:
        return do_save(c, out, err);
    case BI_LOAD:
        return do_load(c, out, err);
    default:
        return err_set(err, PARC_ENOTIMPL, c->at, "%s() is not available", args_fname(bi));
    }
}
