/* filefn.c - save and load (filefn.h): the file name checked and completed as NumPy does
 * (np.save adds '.npy' to a name without it), the array (a list or a number is made into
 * one first, as np.save's asanyarray does), then arrfile.h. load reads the header before
 * parsing dist=, block_size= and grid_shape=, which need the number of dimensions. */
#include "filefn.h"

#include <stdio.h>
#include <string.h>

#include "args.h"
#include "arr.h"
#include "arrfile.h"
#include "builtins.h"
#include "obj.h"

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

/* v, or a list or tuple made into an array, as np.asanyarray does (*out the caller's). */
static int as_array(call_t *c, const val_t *v, val_t *out, err_t *err)
{
    if (v->kind != V_LIST && v->kind != V_TUPLE) {
        *out = val_ref(*v);
        return 0;
    }
    arr_t *a = NULL;
    int rc = arr_from_value(c->rt, v, -1, NULL, &a, err);
    if (!rc) *out = val_array(&a);
    return rc;
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
    val_t x = val_none();
    if ((rc = as_array(c, v[1], &x, err))) return args_at(c, rc, err);
    rc = arr_save_npy(c->rt, &x, path, err);
    val_drop(&x);
    *out = val_none();
    return args_at(c, rc, err);
}

/* Array i of f, laid out by dist=, block_size=, grid_shape= (v[1..3]). */
static int read_one(call_t *c, const arr_npy_t *f, int i, const val_t *const *v, val_t *out,
                    err_t *err)
{
    int ndim = arr_npy_ndim(f, i), use = 0;
    dist_spec_t d;
    if (arr_npy_count(f) >= 0 && v[1] && (v[1]->kind == V_TUPLE || v[1]->kind == V_LIST) &&
        (int)((const seq_t *)v[1]->u.o)->n != ndim)
        return err_set(err, PARC_EVALUE, c->at,
                       "dist has %zu entries, but the archive's array '%s' has %d dimension%s",
                       ((const seq_t *)v[1]->u.o)->n, arr_npy_name(f, i), ndim,
                       ndim == 1 ? "" : "s");
    int rc = args_dist(c, v[1], v[2], ndim, &d, &use, err);
    if (!rc) rc = args_grid(c, v[3], ndim, &d, &use, err);
    if (!rc) rc = arr_npy_read(c->rt, f, i, use ? &d : NULL, out, err);
    return rc;
}

/* savez(file, *args, **kwds) and savez_compressed: positional arrays are arr_0, arr_1 ..., keywords
 * by name. No allocation here: a failure on one engine would leave the others in the collectives.
 */
#define MAXMEMBERS 256
static int do_savez(call_t *c, int compress, val_t *out, err_t *err)
{
    const char *fn = compress ? "savez_compressed" : "savez";
    char path[NAMECAP], auto_names[MAXMEMBERS][24];
    const char *names[MAXMEMBERS];
    val_t vals[MAXMEMBERS];
    if (c->nargs < 1)
        return err_set(err, PARC_ETYPE, c->at, "%s() missing required argument 'file'", fn);
    int rc = file_name(c, &c->args[0], ".npz", path, err);
    if (rc) return rc;
    size_t n = c->nargs - 1 + c->nkw, done = 0;
    if (n > MAXMEMBERS)
        return err_set(err, PARC_EVALUE, c->at, "%s(): at most %d arrays in one archive", fn,
                       MAXMEMBERS);
    for (size_t i = 0; !rc && i < n; i++, done++) {
        const val_t *x;
        if (i + 1 < c->nargs) {
            snprintf(auto_names[i], sizeof auto_names[i], "arr_%zu", i);
            names[i] = auto_names[i];
            x = &c->args[i + 1];
        } else {
            names[i] = c->kw[i + 1 - c->nargs].name;
            x = &c->kw[i + 1 - c->nargs].v;
            for (size_t j = 0; j + 1 < c->nargs && !rc; j++)
                if (!strcmp(names[i], auto_names[j]))
                    rc = err_set(err, PARC_EVALUE, c->at,
                                 "Cannot use un-named variables and keyword %s", names[i]);
        }
        vals[i] = val_none();
        if (!rc) rc = global_only(c, x, fn, err);
        if (!rc) rc = as_array(c, x, &vals[i], err);
    }
    if (!rc) rc = arr_save_npz(c->rt, names, vals, (int)n, path, compress, err);
    val_drop_n(vals, done);
    *out = val_none();
    return args_at(c, rc, err);
}

/* A str argument's text (NUL-free) into *out (borrowed from v), or dflt when v is absent. */
static int str_arg(call_t *c, const val_t *v, const char *name, const char *dflt, int none_ok,
                   const char **out, err_t *err)
{
    *out = dflt;
    if (!v || (none_ok && v->kind == V_NONE)) {
        if (v) *out = NULL;
        return 0;
    }
    if (v->kind != V_STR)
        return err_set(err, PARC_ETYPE, c->at, "%s must be a str%s, not %s", name,
                       none_ok ? " or None" : "", val_kind_name(v));
    const str_t *s = (const str_t *)v->u.o;
    if (memchr(s->s, 0, s->n)) return err_set(err, PARC_EVALUE, c->at, "embedded null byte");
    *out = s->s;
    return 0;
}

/* savetxt(fname, X, fmt='%.18e', delimiter=' ', newline='\n', header='', footer='',
 * comments='# ') */
static int do_savetxt(call_t *c, val_t *out, err_t *err)
{
    static const char *const names[] = {"fname",   "X",      "fmt",    "delimiter",
                                        "newline", "header", "footer", "comments"};
    const val_t *v[8] = {0};
    char path[NAMECAP];
    int rc = args_bind(c, "savetxt", names, 8, 8, v, err);
    if (rc) return rc;
    if (!v[0] || !v[1])
        return err_set(err, PARC_ETYPE, c->at, "savetxt() missing required argument '%s'",
                       v[0] ? "X" : "fname");
    if ((rc = file_name(c, v[0], NULL, path, err)) || (rc = global_only(c, v[1], "savetxt", err)))
        return rc;
    arr_txtfmt_t f = {0};
    const char *one = "%.18e", *list[MAXMEMBERS];
    if (v[2] && (v[2]->kind == V_LIST || v[2]->kind == V_TUPLE)) {
        const seq_t *s = (const seq_t *)v[2]->u.o;
        if (s->n > MAXMEMBERS)
            return err_set(err, PARC_EVALUE, c->at, "savetxt(): at most %d formats", MAXMEMBERS);
        for (size_t i = 0; i < s->n && !rc; i++)
            rc = str_arg(c, &s->v[i], "fmt", NULL, 0, &list[i], err);
        f.fmts = list;
        f.nfmt = (int)s->n;
        f.fmt_list = 1;
    } else {
        rc = str_arg(c, v[2], "fmt", "%.18e", 0, &one, err);
        f.fmts = &one;
        f.nfmt = 1;
    }
    if (!rc) rc = str_arg(c, v[3], "delimiter", " ", 0, &f.delimiter, err);
    if (!rc) rc = str_arg(c, v[4], "newline", "\n", 0, &f.newline, err);
    if (!rc) rc = str_arg(c, v[5], "header", "", 0, &f.header, err);
    if (!rc) rc = str_arg(c, v[6], "footer", "", 0, &f.footer, err);
    if (!rc) rc = str_arg(c, v[7], "comments", "# ", 0, &f.comments, err);
    val_t x = val_none();
    if (!rc) rc = as_array(c, v[1], &x, err);
    if (!rc && x.kind != V_ARRAY)
        rc = err_set(err, PARC_EVALUE, c->at, "Expected 1D or 2D array, got 0D array instead");
    if (!rc) rc = arr_savetxt(c->rt, x.u.a, path, &f, err);
    val_drop(&x);
    *out = val_none();
    return args_at(c, rc, err);
}

/* loaded (an array in the default rows, in global view) laid out as dist=, block_size=,
 * grid_shape= (v[0..2]) say, when any is given. */
static int lay_out(call_t *c, const val_t *const *v, val_t *loaded, err_t *err)
{
    if (!v[0] && !v[1] && !v[2]) return 0;
    if (loaded->kind != V_ARRAY || !arr_is_dist(loaded->u.a) || c->rt->local) return 0;
    dist_spec_t d;
    int use = 0, nd = arr_ndim(loaded->u.a);
    int rc = args_dist(c, v[0], v[1], nd, &d, &use, err);
    if (!rc) rc = args_grid(c, v[2], nd, &d, &use, err);
    arr_t *r = NULL;
    if (!rc && use) rc = arr_redistribute(c->rt, loaded->u.a, &d, &r, err);
    if (!rc && r) {
        val_drop(loaded);
        *loaded = val_array(&r);
    }
    return rc;
}

/* loadtxt(fname, dtype=float, comments='#', delimiter=None, skiprows=0, usecols=None,
 * unpack=False, ndmin=0, max_rows=None, dist='b', block_size=1, grid_shape=None) */
static int do_loadtxt(call_t *c, val_t *out, err_t *err)
{
    static const char *const names[] = {"fname",    "dtype",   "comments",   "delimiter",
                                        "skiprows", "usecols", "unpack",     "ndmin",
                                        "max_rows", "dist",    "block_size", "grid_shape"};
    const val_t *v[12] = {0};
    char path[NAMECAP];
    int64_t cols[64];
    int rc = args_bind(c, "loadtxt", names, 12, 9, v, err);
    if (rc) return rc;
    if (!v[0])
        return err_set(err, PARC_ETYPE, c->at, "loadtxt() missing required argument 'fname'");
    if ((rc = file_name(c, v[0], NULL, path, err))) return rc;
    arr_txtread_t o = {DT_FLOAT64, "#", NULL, 0, -1, cols, 0, 0, 0};
    if (v[1] && v[1]->kind != V_NONE && (rc = args_dtype(c, v[1], &o.dtype, err))) return rc;
    if ((rc = str_arg(c, v[2], "comments", "#", 1, &o.comments, err)) ||
        (rc = str_arg(c, v[3], "delimiter", NULL, 1, &o.delimiter, err)))
        return rc;
    if (o.delimiter && !*o.delimiter)
        return err_set(err, PARC_EVALUE, c->at, "delimiter must not be empty");
    if (o.comments && !*o.comments) o.comments = NULL;
    if (v[4] && (rc = args_int(c, v[4], &o.skiprows, err))) return rc;
    if (v[5] && v[5]->kind != V_NONE) {
        if (val_is_int(v[5])) {
            cols[0] = v[5]->u.i;
            o.nusecols = 1;
        } else if (v[5]->kind == V_LIST || v[5]->kind == V_TUPLE) {
            const seq_t *s = (const seq_t *)v[5]->u.o;
            if (s->n > 64) return err_set(err, PARC_EVALUE, c->at, "usecols: at most 64 columns");
            for (size_t i = 0; i < s->n; i++)
                if ((rc = args_int(c, &s->v[i], &cols[i], err))) return rc;
            o.nusecols = (int)s->n;
        } else {
            return err_set(err, PARC_ETYPE, c->at, "usecols must be an int or a sequence of ints");
        }
    }
    int64_t t = 0;
    if (v[6]) {
        int b = 0;
        if ((rc = ops_truth(c->ops, v[6], &b, err))) return rc;
        o.unpack = b;
    }
    if (v[7] && (rc = args_int(c, v[7], &t, err))) return rc;
    if (t < 0 || t > 2)
        return err_set(err, PARC_EVALUE, c->at, "Illegal value of ndmin keyword: %lld",
                       (long long)t);
    o.ndmin = (int)t;
    if (v[8] && v[8]->kind != V_NONE) {
        if ((rc = args_int(c, v[8], &o.max_rows, err))) return rc;
        if (o.max_rows < 0)
            return err_set(err, PARC_EVALUE, c->at, "max_rows must be a non-negative integer");
    }
    if (o.dtype < 0) o.dtype = DT_FLOAT64;
    rc = arr_loadtxt(c->rt, path, &o, out, err);
    if (!rc && (rc = lay_out(c, v + 9, out, err))) val_drop(out);
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
    int n = arr_npy_count(f);
    if (n < 0) {
        rc = read_one(c, f, 0, v, out, err);
    } else {
        /* A local failure (out of memory for the names) must not stop the reads, which are
         * collective: it is kept in lrc, and the statement's agreement reports it. */
        val_t files = val_seq(V_LIST, (size_t)n, err), arrays = val_seq(V_LIST, (size_t)n, err);
        val_t name = val_str(path, strlen(path), err);
        int lrc = err->code;
        for (int i = 0; i < n && !rc; i++) {
            const char *m = arr_npy_name(f, i);
            val_t x = val_none(), s = val_str(m, strlen(m), err);
            rc = read_one(c, f, i, v, &x, err);
            if (s.kind != V_STR) lrc = PARC_ENOMEM;
            if (files.kind == V_LIST)
                ((seq_t *)files.u.o)->v[i] = s;
            else
                val_drop(&s);
            if (arrays.kind == V_LIST)
                ((seq_t *)arrays.u.o)->v[i] = x;
            else
                val_drop(&x);
        }
        if (!rc) rc = lrc;
        if (!rc) *out = obj_npz(&files, &arrays, &name, err);
        rc = rc ? rc : err->code;
        val_drop(&files);
        val_drop(&arrays);
        val_drop(&name);
    }
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
    case BI_SAVEZ:
    case BI_SAVEZ_COMPRESSED:
        return do_savez(c, bi == BI_SAVEZ_COMPRESSED, out, err);
    case BI_SAVETXT:
        return do_savetxt(c, out, err);
    case BI_LOADTXT:
        return do_loadtxt(c, out, err);
    default:
        return err_set(err, PARC_ENOTIMPL, c->at, "%s() is not available", args_fname(bi));
    }
}
