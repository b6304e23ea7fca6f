/* attr.c - methods and attributes (see attr.h). Array reductions as methods (x.sum(axis=0))
 * go to arr_reduce like the builtins; astype and copy to arr_; list.append and list.pop
 * change the list in place. x.localshapes lists every rank's chunk shape in global view
 * (computed from the distribution, no communication) and the local shape in local view. */
#include "attr.h"

#include <string.h>

#include "args.h"
#include "arr.h"
#include "builtins.h"
#include "mem.h"
#include "obj.h"
#include "reduce.h"
#include "shape.h"
#include "stencilfn.h"

static int list_method(call_t *c, const val_t *self, const char *name, val_t *out, err_t *err)
{
    seq_t *s = (seq_t *)self->u.o;
    int rc;
    if (c->nkw) return err_set(err, PARC_ETYPE, c->at, "%s() takes no keyword arguments", name);
    if (!strcmp(name, "append")) {
        if ((rc = args_count(c, name, 1, 1, err))) return rc;
        if (s->n == s->cap) {
            size_t cap = s->cap * 2;
            val_t *v = mem_realloc(s->v, cap * sizeof *v);
            if (!v) return err_set(err, PARC_ENOMEM, c->at, "out of memory");
            s->v = v;
            s->cap = cap;
        }
        s->v[s->n++] = val_ref(c->args[0]);
        *out = val_none();
        return 0;
    }
    if (!strcmp(name, "pop")) {
        int64_t i = -1;
        if ((rc = args_count(c, name, 0, 1, err))) return rc;
        if (c->nargs && (rc = args_int(c, &c->args[0], &i, err))) return rc;
        if (s->n == 0) return err_set(err, PARC_EINDEX, c->at, "pop from empty list");
        if (i < 0) i += (int64_t)s->n;
        if (i < 0 || i >= (int64_t)s->n)
            return err_set(err, PARC_EINDEX, c->at, "pop index out of range");
        *out = s->v[i];
        memmove(&s->v[i], &s->v[i + 1], (s->n - (size_t)i - 1) * sizeof *s->v);
        s->n--;
        return 0;
    }
    return err_set(err, PARC_EATTR, c->at, "'list' object has no attribute '%s'", name);
}

int attr_method(call_t *c, const val_t *self, const char *name, val_t *out, err_t *err)
{
    if (self->kind == V_LIST) return list_method(c, self, name, out, err);
    if (self->kind != V_ARRAY)
        return err_set(err, PARC_EATTR, c->at, "'%s' object has no attribute '%s'",
                       self->kind == V_PERENG ? "per-engine value" : val_kind_name(self), name);
    static const struct {
        const char *name;
        int bi;
    } reds[] = {{"sum", BI_SUM},   {"mean", BI_MEAN},     {"min", BI_MIN},      {"max", BI_MAX},
                {"prod", BI_PROD}, {"std", BI_STD},       {"var", BI_VAR},      {"any", BI_ANY},
                {"all", BI_ALL},   {"argmin", BI_ARGMIN}, {"argmax", BI_ARGMAX}};
    for (size_t i = 0; i < sizeof reds / sizeof reds[0]; i++) {
        if (strcmp(reds[i].name, name) != 0) continue;
        static const char *const names[] = {"axis", "keepdims"};
        const val_t *kw[2] = {0}, *ax = NULL;
        int axes[ARR_MAXDIM], naxes, keepdims, rc = args_kw(c, name, names, 2, kw, err);
        if (!rc) rc = args_count(c, name, 0, 1, err);
        if (!rc) rc = args_either(c, name, 0, kw[0], "axis", &ax, err);
        if (!rc) rc = reduce_axes(c, reds[i].bi, ax, kw[1], axes, &naxes, &keepdims, err);
        if (rc) return rc;
        return args_at(
            c, arr_reduce_axes(c->rt, reds[i].bi, NULL, self, 1, axes, naxes, keepdims, out, err),
            err);
    }
    arr_t *a = NULL;
    int rc;
    if (!strcmp(name, "copy")) {
        if ((rc = args_count(c, name, 0, 0, err))) return rc;
        rc = arr_copy(c->rt, self->u.a, &a, err);
    } else if (!strcmp(name, "astype")) {
        static const char *const names[] = {"dtype"};
        const val_t *kw[1] = {0}, *dv = NULL;
        int dt = 0;
        if ((rc = args_kw(c, name, names, 1, kw, err))) return rc;
        if ((rc = args_count(c, name, 0, 1, err))) return rc;
        if ((rc = args_either(c, name, 0, kw[0], "dtype", &dv, err))) return rc;
        if (!dv)
            return err_set(err, PARC_ETYPE, c->at,
                           "astype() missing required argument "
                           "'dtype'");
        if ((rc = args_dtype(c, dv, &dt, err))) return rc;
        if (dt < 0) return err_set(err, PARC_ETYPE, c->at, "data type not understood");
        rc = arr_astype(c->rt, self->u.a, dt, &a, err);
    } else if (!strcmp(name, "reshape") || !strcmp(name, "transpose") || !strcmp(name, "ravel") ||
               !strcmp(name, "squeeze")) {
        return shape_call(c, bi_lookup(name, strlen(name)), self, out, err);
    } else if (!strcmp(name, "cumsum") || !strcmp(name, "cumprod")) {
        return stencilfn_call(c, bi_lookup(name, strlen(name)), self, out, err);
    } else if (!strcmp(name, "flatten")) {
        return shape_flatten(c, self, out, err);
    } else {
        return err_set(err, PARC_EATTR, c->at, "'ndarray' object has no attribute '%s'", name);
    }
    if (rc) return args_at(c, rc, err);
    *out = val_array(&a);
    return 0;
}

static val_t shape_tuple(const int64_t *sh, int nd, err_t *err)
{
    val_t t = val_seq(V_TUPLE, (size_t)nd, err);
    if (t.kind == V_NONE) return t;
    for (int i = 0; i < nd; i++)
        ((seq_t *)t.u.o)->v[i] = val_int(sh[i]);
    return t;
}

/* In local view, the global indices of this rank's chunk of distributed a: per dimension
 * a range (block, cyclic, or a block-cyclic chunk of one block) or an int64 array. */
static int global_index(rt_t *rt, const arr_t *a, span_t at, val_t *out, err_t *err)
{
    const dist_t *d = arr_origin_dist(a);
    int nd = arr_ndim(a), coord[ARR_MAXDIM];
    dist_coords(d, rt->rank, coord);
    val_t t = val_seq(V_TUPLE, (size_t)nd, err);
    for (int i = 0; t.kind == V_TUPLE && i < nd; i++) {
        int c = coord[i];
        int64_t n = dist_extent(d, i, c), s0 = n ? dist_l2g(d, i, c, 0) : 0;
        val_t v;
        if ((d->kind[i] != 'c' && d->kind[i] != 'v') || dist_nintervals(d, i, c) <= 1) {
            v = obj_range(s0, s0 + n, 1, err);
        } else if (d->kind[i] == 'c' && d->bsize[i] == 1) {
            v = obj_range(c, d->shape[i], d->grid[i], err);
        } else {
            arr_t *ix = NULL;
            int rc = arr_owned_indices(rt, d, i, &ix, err);
            v = rc ? val_none() : val_array(&ix);
        }
        if (v.kind == V_NONE) {
            val_drop(&t);
            break;
        }
        ((seq_t *)t.u.o)->v[i] = v;
    }
    if (err->code) {
        if (err->at.line == 0) err->at = at;
        return err->code;
    }
    *out = t;
    return 0;
}

int attr_get(rt_t *rt, const val_t *self, const char *name, span_t at, val_t *out, err_t *err)
{
    int part = !strcmp(name, "real") ? 0 : !strcmp(name, "imag") ? 1 : -1;
    if (self->kind == V_COMPLEX && part >= 0) {
        *out = val_float(self->u.c[part]);
        return 0;
    }
    if (part >= 0 && (self->kind == V_FLOAT || self->kind == V_INT || self->kind == V_BOOL)) {
        /* As Python's and NumPy's numbers: the number itself (a bool as an int), or 0. */
        *out = *self;
        if (self->kind == V_BOOL && self->weak) out->kind = V_INT;
        if (part) out->u.i = 0;
        if (part && self->kind == V_FLOAT) out->u.f = 0.0;
        return 0;
    }
    if (self->kind == V_ARRAY && part >= 0) {
        arr_t *a = NULL;
        int rc = arr_part(rt, self->u.a, part, &a, err);
        if (rc) {
            if (err->at.line == 0) err->at = at;
            return rc;
        }
        *out = val_array(&a);
        return 0;
    }
    if (self->kind == V_NPZ && !strcmp(name, "files")) {
        const seq_t *f = (const seq_t *)((const obj_npz_t *)self->u.o)->files.u.o;
        val_t l = val_seq(V_LIST, f->n, err);
        if (l.kind != V_LIST) return err->code;
        for (size_t i = 0; i < f->n; i++)
            ((seq_t *)l.u.o)->v[i] = val_ref(f->v[i]);
        *out = l;
        return 0;
    }
    if (val_is_num(self) && !self->weak) {
        /* NumPy's scalars (x.sum(), x[0]) are 0-d: shape (), ndim 0, size 1, their dtype;
         * Python's numbers have none of these */
        if (!strcmp(name, "shape")) {
            *out = shape_tuple(NULL, 0, err);
            return err->code;
        }
        if (!strcmp(name, "ndim") || !strcmp(name, "size")) {
            *out = val_int(name[0] == 's');
            return 0;
        }
        if (!strcmp(name, "dtype")) {
            val_t v = val_none();
            v.kind = V_DTYPE;
            v.u.i = self->dtype;
            *out = v;
            return 0;
        }
    }
    if (self->kind != V_ARRAY)
        return err_set(err, PARC_EATTR, at, "'%s' object has no attribute '%s'",
                       self->kind == V_PERENG ? "per-engine value" : val_kind_name(self), name);
    const arr_t *a = self->u.a;
    int nd = arr_ndim(a);
    if (!strcmp(name, "shape")) {
        *out = shape_tuple(arr_shape(a), nd, err);
    } else if (!strcmp(name, "ndim")) {
        *out = val_int(nd);
    } else if (!strcmp(name, "size")) {
        *out = val_int(arr_size(a));
    } else if (!strcmp(name, "dtype")) {
        val_t v = val_none();
        v.kind = V_DTYPE;
        v.u.i = arr_dtype(a);
        *out = v;
    } else if (!strcmp(name, "localshapes")) {
        int n = arr_is_dist(a) && !rt->local ? rt->nranks : 1;
        int64_t *sh = mem_calloc((size_t)n * (size_t)(nd ? nd : 1), sizeof *sh);
        if (!sh) return err_set(err, PARC_ENOMEM, at, "out of memory");
        if (n == 1 && !(arr_is_dist(a) && !rt->local))
            memcpy(sh, arr_shape(a), (size_t)nd * sizeof *sh);
        else
            arr_localshapes(rt, a, sh, (size_t)n * (size_t)nd);
        val_t l = val_seq(V_LIST, (size_t)n, err);
        for (int r = 0; l.kind == V_LIST && r < n; r++) {
            val_t t = shape_tuple(sh + (size_t)r * (size_t)nd, nd, err);
            if (t.kind == V_NONE) {
                val_drop(&l);
                break;
            }
            ((seq_t *)l.u.o)->v[r] = t;
        }
        mem_free(sh);
        *out = l;
    } else if (!strcmp(name, "dist")) {
        const dist_t *d = arr_dist(a);
        if (!d) {
            *out = val_none();
            return 0;
        }
        val_t t = val_seq(V_TUPLE, (size_t)nd, err);
        for (int i = 0; t.kind == V_TUPLE && i < nd; i++) {
            val_t s = val_str(d->kind[i] == 'v' ? &d->vkind[i] : &d->kind[i], 1, err);
            if (s.kind == V_NONE) {
                val_drop(&t);
                break;
            }
            ((seq_t *)t.u.o)->v[i] = s;
        }
        *out = t;
    } else if (!strcmp(name, "grid_shape")) {
        const dist_t *d = arr_dist(a);
        if (!d) {
            *out = val_none();
            return 0;
        }
        int64_t g[ARR_MAXDIM];
        for (int i = 0; i < nd; i++)
            g[i] = d->grid[i];
        *out = shape_tuple(g, nd, err);
    } else if (!strcmp(name, "global_index")) {
        if (!rt->local || !arr_origin_dist(a))
            return err_set(err, PARC_EATTR, at,
                           "x.global_index is the global indices of an engine's chunk of a "
                           "distributed array: ask for it in local view (%%px)");
        return global_index(rt, a, at, out, err);
    } else if (!strcmp(name, "T")) {
        arr_t *t = NULL;
        int rc = arr_transpose(rt, a, NULL, &t, err);
        if (rc) {
            if (err->at.line == 0) err->at = at;
            return rc;
        }
        *out = val_array(&t);
    } else {
        return err_set(err, PARC_EATTR, at, "'ndarray' object has no attribute '%s'", name);
    }
    if (err->code) {
        if (err->at.line == 0) err->at = at;
        return err->code;
    }
    return 0;
}
