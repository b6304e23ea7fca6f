/* evalfn.c - user functions: making them from DEF and LAMBDA nodes (evali_make_func) and
 * calling them (evali_call_user) with Python's argument binding and errors.
 *
 * Decisions a reader could not guess:
 * - Function IR lives in the arena of the cell that defined it: each function holds a
 *   reference to that cell's obj_prog_t, so it outlives the cell.
 * - Python scoping without closures: a name assigned anywhere in a function body is local to
 *   it (unless declared `global`); a nested def or lambda captures the enclosing function's
 *   locals by value when it is created.
 * - Calls nest at most MAX_DEPTH deep (RecursionError beyond), and an interrupt is checked
 *   at each call. On an error each frame left adds its call site to the call chain. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "arr.h"
#include "builtins.h"
#include "evalint.h"
#include "lazy.h"
#include "mem.h"
#include "obj.h"

typedef struct {
    const char **v;
    size_t n, cap;
    int oom;
} names_v;

static void push_name(names_v *l, const char *s)
{
    if (evali_find(l->v, l->n, s) >= 0) return;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        const char **v = mem_realloc(l->v, cap * sizeof *v);
        if (!v) {
            l->oom = 1;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
}

static void scan_target(const ir_node_t *t, names_v *loc)
{
    if (t->op == IR_NAME) push_name(loc, t->s);
    if (t->op == IR_TUPLE || t->op == IR_LIST)
        for (uint32_t i = 0; i < t->nkid; i++)
            scan_target(t->kid[i], loc);
}

/* Names a function body binds (its locals) and declares global. */
static void scan_body(const ir_node_t *n, names_v *loc, names_v *glo, arena_t *a)
{
    switch (n->op) {
    case IR_ASSIGN:
        for (uint32_t i = 0; i + 1 < n->nkid; i++)
            scan_target(n->kid[i], loc);
        break;
    case IR_AUGASSIGN:
        scan_target(n->kid[0], loc);
        break;
    case IR_FOR:
        scan_target(n->kid[0], loc);
        scan_body(n->kid[2], loc, glo, a);
        scan_body(n->kid[3], loc, glo, a);
        break;
    case IR_DEL:
        for (uint32_t i = 0; i < n->nkid; i++)
            if (n->kid[i]->op == IR_NAME) push_name(loc, n->kid[i]->s);
        break;
    case IR_DEF:
        push_name(loc, n->s);
        break;
    case IR_GLOBAL: {
        const char *s = n->s;
        while (*s) {
            const char *e = strchr(s, ',');
            size_t len = e ? (size_t)(e - s) : strlen(s);
            while (len && *s == ' ')
                s++, len--;
            while (len && s[len - 1] == ' ')
                len--;
            char *nm = a ? arena_strndup(a, s, len) : NULL;
            if (nm)
                push_name(glo, nm);
            else
                glo->oom = 1;
            s = e ? e + 1 : s + strlen(s);
        }
        break;
    }
    case IR_BLOCK:
    case IR_IF:
    case IR_WHILE:
        for (uint32_t i = 0; i < n->nkid; i++)
            scan_body(n->kid[i], loc, glo, a);
        break;
    default:
        break;
    }
}

int evali_make_func(eval_t *ev, const ir_node_t *n, val_t *out, err_t *err)
{
    int lambda = n->op == IR_LAMBDA;
    uint32_t np = (uint32_t)n->imm.i;
    if (np >= n->nkid) return err_set(err, PARC_EPROTO, n->at, "bad function node");
    obj_func_t *f = mem_calloc(1, sizeof *f);
    if (!f) return err_set(err, PARC_ENOMEM, n->at, "out of memory");
    f->h.refs = 1;
    f->h.kind = V_FUNC;
    f->name = lambda ? "<lambda>" : n->s;
    f->node = n;
    f->body = n->kid[n->nkid - 1];
    f->prog = ev->fr ? ev->fr->f->prog : ev->prog;
    f->prog->h.refs++;
    f->nparams = np;
    val_t fv = {.kind = V_FUNC};
    fv.u.o = &f->h;
    f->defaults = mem_calloc(np ? np : 1, sizeof *f->defaults);
    f->has_default = mem_calloc(np ? np : 1, 1);
    if (!f->defaults || !f->has_default) {
        val_drop(&fv);
        return err_set(err, PARC_ENOMEM, n->at, "out of memory");
    }
    names_v loc = {0}, glo = {0};
    for (uint32_t i = 0; i < np; i++)
        push_name(&loc, n->kid[i]->s);
    if (!lambda) scan_body(f->body, &loc, &glo, f->prog->arena);
    f->locals = loc.v;
    f->nlocals = loc.n;
    f->globals = glo.v;
    f->nglobals = glo.n;
    if (loc.oom || glo.oom) {
        val_drop(&fv);
        return err_set(err, PARC_ENOMEM, n->at, "out of memory");
    }
    for (uint32_t i = 0; i < np; i++) {
        const ir_node_t *p = n->kid[i];
        if (p->nkid == 1) {
            int rc = evali_expr(ev, p->kid[0], &f->defaults[i], err);
            if (rc) {
                val_drop(&fv);
                return rc;
            }
            f->has_default[i] = 1;
        }
    }
    if (ev->fr) {
        /* Capture the enclosing function's bound locals and its own captures, by value. */
        const frame_t *fr = ev->fr;
        size_t max = fr->f->nlocals + fr->f->ncap;
        f->capnames = mem_calloc(max ? max : 1, sizeof *f->capnames);
        f->capvals = mem_calloc(max ? max : 1, sizeof *f->capvals);
        if (!f->capnames || !f->capvals) {
            val_drop(&fv);
            return err_set(err, PARC_ENOMEM, n->at, "out of memory");
        }
        for (size_t i = 0; i < fr->f->nlocals; i++)
            if (fr->bound[i]) {
                /* captured by value: a deferred local is made (the function may run in
                 * local view, or after its recipe's arrays changed) */
                int rc = fr->vals[i].kind == V_LAZY ? lazy_force(ev->rt, &fr->vals[i], err) : 0;
                if (rc) {
                    val_drop(&fv);
                    return evali_at(n, rc, err);
                }
                f->capnames[f->ncap] = fr->f->locals[i];
                f->capvals[f->ncap++] = val_ref(fr->vals[i]);
            }
        for (size_t i = 0; i < fr->f->ncap; i++)
            if (evali_find(f->capnames, f->ncap, fr->f->capnames[i]) < 0) {
                f->capnames[f->ncap] = fr->f->capnames[i];
                f->capvals[f->ncap++] = val_ref(fr->f->capvals[i]);
            }
    }
    *out = fv;
    return 0;
}

static void name_list(const obj_func_t *f, const uint32_t *which, size_t k, char *buf, size_t cap)
{
    buf[0] = 0;
    for (size_t i = 0; i < k; i++) {
        size_t len = strlen(buf);
        snprintf(buf + len, cap - len, "%s'%s'",
                 i == 0       ? ""
                 : k == 2     ? " and "
                 : i + 1 == k ? ", and "
                              : ", ",
                 f->locals[which[i]]);
    }
}

/* Binds arguments to a fresh frame's parameters with Python's errors. */
static int bind_args(const obj_func_t *f, frame_t *fr, const val_t *args, size_t nargs,
                     const call_kw_t *kw, size_t nkw, span_t where, err_t *err)
{
    if (nargs > f->nparams) {
        uint32_t req = 0;
        for (uint32_t i = 0; i < f->nparams; i++)
            req += !f->has_default[i];
        if (req == f->nparams)
            return err_set(err, PARC_ETYPE, where,
                           "%s() takes %u positional argument%s but %zu %s given", f->name,
                           f->nparams, f->nparams == 1 ? "" : "s", nargs,
                           nargs == 1 ? "was" : "were");
        return err_set(err, PARC_ETYPE, where,
                       "%s() takes from %u to %u positional arguments but %zu were given", f->name,
                       req, f->nparams, nargs);
    }
    for (size_t i = 0; i < nargs; i++) {
        fr->vals[i] = val_ref(args[i]);
        fr->bound[i] = 1;
    }
    for (size_t k = 0; k < nkw; k++) {
        long i = evali_find(f->locals, f->nparams, kw[k].name);
        if (i < 0)
            return err_set(err, PARC_ETYPE, where, "%s() got an unexpected keyword argument '%s'",
                           f->name, kw[k].name);
        if (fr->bound[i])
            return err_set(err, PARC_ETYPE, where, "%s() got multiple values for argument '%s'",
                           f->name, kw[k].name);
        fr->vals[i] = val_ref(kw[k].v);
        fr->bound[i] = 1;
    }
    uint32_t missing[64];
    size_t nm = 0;
    for (uint32_t i = 0; i < f->nparams; i++) {
        if (fr->bound[i]) continue;
        if (f->has_default[i]) {
            fr->vals[i] = val_ref(f->defaults[i]);
            fr->bound[i] = 1;
        } else if (nm < 64) {
            missing[nm++] = i;
        }
    }
    if (nm) {
        char buf[160];
        name_list(f, missing, nm, buf, sizeof buf);
        return err_set(err, PARC_ETYPE, where,
                       "%s() missing %zu required positional argument%s: %s", f->name, nm,
                       nm == 1 ? "" : "s", buf);
    }
    return 0;
}

int evali_call_user(eval_t *ev, const ir_node_t *site, obj_func_t *f, const val_t *args,
                    size_t nargs, const call_kw_t *kw, size_t nkw, val_t *out, err_t *err)
{
    int rc = rt_poll(ev->rt, err);
    if (rc) return evali_at(site, rc, err);
    if (ev->depth >= MAX_DEPTH)
        return err_set(err, PARC_ERECURSION, site->at, "maximum recursion depth exceeded");
    frame_t fr = {.f = f};
    size_t nl = f->nlocals ? f->nlocals : 1;
    fr.vals = mem_calloc(nl, sizeof *fr.vals);
    fr.bound = mem_calloc(nl, 1);
    if (!fr.vals || !fr.bound) {
        rc = err_set(err, PARC_ENOMEM, site->at, "out of memory");
    } else {
        rc = bind_args(f, &fr, args, nargs, kw, nkw, site->at, err);
    }
    if (!rc) {
        frame_t *saved = ev->fr;
        ev->fr = &fr;
        ev->depth++;
        f->h.refs++; /* the body must outlive a rebinding of its own name */
        if (f->node->op == IR_LAMBDA) {
            rc = evali_expr(ev, f->body, out, err);
        } else {
            rc = evali_exec(ev, f->body, err);
            if (rc == FLOW_RETURN) {
                *out = ev->ret;
                ev->ret = val_none();
                rc = 0;
            } else if (rc == 0) {
                *out = val_none();
            }
        }
        ev->depth--;
        ev->fr = saved;
        if (rc < 0) {
            if (ev->ntb == 0) evali_tb_push(ev, err->at, f->name);
            evali_tb_push(ev, site->at, ev->fr ? ev->fr->f->name : "");
        }
        val_t fv = {.kind = V_FUNC};
        fv.u.o = &f->h;
        val_drop(&fv);
    }
    if (rc > 0) rc = 0;
    for (size_t i = 0; fr.vals && i < f->nlocals; i++)
        val_drop(&fr.vals[i]);
    mem_free(fr.vals);
    mem_free(fr.bound);
    return rc;
}

/* fromfunction(function, shape, dtype=float64, dist=, block_size=, **kwargs), as NumPy's:
 * one call of function with an index array per axis (arr_indices) and the other keywords. */
int evali_fromfunction(eval_t *ev, const ir_node_t *site, call_t *c, val_t *out, err_t *err)
{
    if (c->nargs != 2)
        return err_set(err, PARC_ETYPE, c->at,
                       "fromfunction() takes 2 positional arguments but %zu were given", c->nargs);
    const val_t *fv = &c->args[0], *dtv = NULL, *dv = NULL, *bs = NULL;
    if (fv->kind != V_FUNC && fv->kind != V_BUILTIN)
        return err_set(err, PARC_ETYPE, c->at, "'%s' object is not callable", val_kind_name(fv));
    if (c->args[1].kind != V_TUPLE && c->args[1].kind != V_LIST)
        return err_set(err, PARC_ETYPE, c->at, "'%s' object is not iterable",
                       val_kind_name(&c->args[1]));
    call_kw_t *pass = mem_calloc(c->nkw ? c->nkw : 1, sizeof *pass);
    if (!pass) return err_set(err, PARC_ENOMEM, c->at, "out of memory");
    size_t np = 0;
    for (size_t i = 0; i < c->nkw; i++) {
        const char *k = c->kw[i].name;
        const val_t **slot = !strcmp(k, "dtype")        ? &dtv
                             : !strcmp(k, "dist")       ? &dv
                             : !strcmp(k, "block_size") ? &bs
                                                        : NULL;
        if (slot)
            *slot = &c->kw[i].v;
        else
            pass[np++] = c->kw[i];
    }
    int ndim = 0, dt = -1, use = 0;
    int64_t shape[ARR_MAXDIM];
    dist_spec_t d;
    int rc = args_shape(c, &c->args[1], &ndim, shape, err);
    if (!rc) rc = args_dtype(c, dtv, &dt, err);
    if (!rc) rc = args_dist(c, dv, bs, ndim, &d, &use, err);
    val_t idx[ARR_MAXDIM];
    int made = 0;
    for (; !rc && made < ndim; made++) {
        arr_t *a = NULL;
        rc = args_at(c, arr_indices(c->rt, ndim, shape, made, dt, use ? &d : NULL, &a, err), err);
        if (rc) break;
        idx[made] = val_array(&a);
    }
    if (!rc && fv->kind == V_FUNC) {
        rc =
            evali_call_user(ev, site, (obj_func_t *)fv->u.o, idx, (size_t)ndim, pass, np, out, err);
    } else if (!rc) {
        call_t b = *c;
        b.args = idx;
        b.nargs = (size_t)ndim;
        b.kw = pass;
        b.nkw = np;
        b.tree = NULL;
        b.nleaves = 0;
        rc = call_builtin(&b, (int)fv->u.i, out, err);
    }
    val_drop_n(idx, (size_t)made);
    mem_free(pass);
    return rc;
}
