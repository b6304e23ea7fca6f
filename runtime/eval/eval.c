/* eval.c - the engine's interpreter: walks one cell's IR tree (see eval.h). This file holds
 * the interpreter's state, the cell entry point, name lookup and the error call chain;
 * statements are run by evalstmt.c, expressions and calls by evalexpr.c, user functions by
 * evalfn.c (evalint.h is what the four share).
 *
 * Where it sits: eng_ decodes a cell and calls eval_cell; statements and Python-level values
 * are handled by the eval files, global names by globals_, subscripts by item_, elementwise trees
 * go whole to arr_fuse (FUSE nodes), builtins to call_, methods and attributes to attr_,
 * generic operators to ops_, the displayed value to show_.
 *
 * Decisions a reader could not guess:
 * - Function IR lives in the arena of the cell that defined it: a refcounted obj_prog_t owns
 *   that arena (made here for each cell) and every function made from it holds a reference.
 * - Views: in local view a global name holding a distributed array reads as this rank's
 *   chunk (arr_local), and names bound there are marked per_engine; in global view a
 *   per-engine name reads as a V_PERENG value, which only DISPLAY and from_local accept.
 * - Error call chains are collected while unwinding: the first user-function frame left
 *   by an error records the innermost place, each one after it records its call site. */
#include "eval.h"

#include <stdio.h>
#include <string.h>

#include "arr.h"
#include "evalint.h"
#include "lazy.h"
#include "mem.h"
#include "globals.h"
#include "obj.h"
#include "ops.h"

int evali_at(const ir_node_t *n, int rc, err_t *err)
{
    if (rc < 0 && err->at.line == 0 && err->at.col == 0) err->at = n->at;
    return rc;
}

eval_t *eval_new(rt_t *rt)
{
    eval_t *ev = mem_calloc(1, sizeof *ev);
    if (!ev) return NULL;
    ev->rt = rt;
    ev->ns = globals_new();
    ev->tb = mem_calloc(TB_MAX, sizeof *ev->tb);
    ev->ops = ops_new(rt);
    if (!ev->ns || !ev->tb || !ev->ops) eval_destroy(&ev);
    return ev;
}

static void lazyg_clear(eval_t *ev)
{
    for (size_t i = 0; i < ev->nlazyg; i++)
        mem_free(ev->lazyg[i]);
    ev->nlazyg = 0;
}

void eval_destroy(eval_t **evp)
{
    eval_t *ev = *evp;
    if (!ev) return;
    lazyg_clear(ev);
    mem_free(ev->lazyg);
    globals_destroy(&ev->ns);
    mem_free(ev->tb);
    ops_destroy(&ev->ops);
    mem_free(ev);
    *evp = NULL;
}

/* ---- names ---- */

long evali_find(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) return (long)i;
    return -1;
}

long evali_slot(const eval_t *ev, const char *name)
{
    if (!ev->fr) return -1;
    const obj_func_t *f = ev->fr->f;
    if (evali_find(f->globals, f->nglobals, name) >= 0) return -1;
    return evali_find(f->locals, f->nlocals, name);
}

int evali_defer_ok(const eval_t *ev)
{
    return !ev->rt->in_farm && !ev->rt->eager;
}

/* A V_LAZY in a name's slot: kept (lazy, not made yet), else made into its array there. */
static int settle(eval_t *ev, const ir_node_t *n, val_t *slot, int lazy, err_t *err)
{
    if (slot->kind != V_LAZY || (lazy && lazy_pending(slot))) return 0;
    if (lazy_pending(slot) && ev->rt->local != lazy_local(slot)) /* made at every cell's end */
        return err_set(err, PARC_ERUNTIME, n->at, "deferred array '%s' read in the other view",
                       n->s);
    return evali_at(n, lazy_force(ev->rt, slot, err), err);
}

static int load(eval_t *ev, const ir_node_t *n, val_t *out, int lazy, err_t *err)
{
    const char *name = n->s;
    long i = evali_slot(ev, name);
    int rc;
    if (i >= 0) {
        if (!ev->fr->bound[i])
            return err_set(err, PARC_ENAME, n->at,
                           "cannot access local variable '%s' where it is not associated with a "
                           "value",
                           name);
        if ((rc = settle(ev, n, &ev->fr->vals[i], lazy, err))) return rc;
        *out = val_ref(ev->fr->vals[i]);
        return 0;
    }
    if (ev->fr) {
        const obj_func_t *f = ev->fr->f;
        long c = evali_find(f->capnames, f->ncap, name);
        if (c >= 0) {
            *out = val_ref(f->capvals[c]);
            return 0;
        }
    }
    int per_engine = 0;
    const val_t *gv = globals_get(ev->ns, name, &per_engine);
    if (gv) {
        /* A global is made when first read: it will be made at the end of the cell
         * anyway, and reading it then costs less than drawing it again. The slot is the
         * table's own: making its array there rebinds the name. */
        if ((rc = settle(ev, n, (val_t *)gv, 0, err))) return rc;
        if (ev->rt->local && gv->kind == V_ARRAY && arr_is_dist(gv->u.a)) {
            arr_t *l = arr_local(gv->u.a);
            if (!l) return err_set(err, PARC_ENOMEM, n->at, "out of memory");
            *out = val_array(&l);
            return 0;
        }
        if (!ev->rt->local && per_engine) {
            val_t v = val_ref(*gv);
            *out = obj_pereng(&v, err);
            return out->kind == V_PERENG ? 0 : evali_at(n, err->code, err);
        }
        *out = val_ref(*gv);
        return 0;
    }
    if (ev->rt->local && strcmp(name, "rank") == 0) {
        *out = val_int(ev->rt->rank);
        return 0;
    }
    if (ev->rt->local && strcmp(name, "nranks") == 0) {
        *out = val_int(ev->rt->nranks);
        return 0;
    }
    return err_set(err, PARC_ENAME, n->at, "name '%s' is not defined", name);
}

int evali_load(eval_t *ev, const ir_node_t *n, val_t *out, err_t *err)
{
    return load(ev, n, out, 0, err);
}

int evali_load_lazy(eval_t *ev, const ir_node_t *n, val_t *out, err_t *err)
{
    return load(ev, n, out, 1, err);
}

/* Remembers global name as bound to a deferred array. */
static int lazyg_add(eval_t *ev, const char *name, err_t *err)
{
    for (size_t i = 0; i < ev->nlazyg; i++)
        if (strcmp(ev->lazyg[i], name) == 0) return 0;
    if (ev->nlazyg == ev->caplazyg) {
        size_t cap = ev->caplazyg ? ev->caplazyg * 2 : 8;
        char **g = mem_realloc(ev->lazyg, cap * sizeof *g);
        if (!g) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        ev->lazyg = g;
        ev->caplazyg = cap;
    }
    ev->lazyg[ev->nlazyg] = mem_strndup(name, strlen(name));
    if (!ev->lazyg[ev->nlazyg]) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    ev->nlazyg++;
    return 0;
}

int evali_force_globals(eval_t *ev, err_t *err)
{
    int rc = 0;
    for (size_t i = 0; i < ev->nlazyg; i++) {
        int per = 0;
        val_t *gv = (val_t *)globals_get(ev->ns, ev->lazyg[i], &per);
        if (!gv || gv->kind != V_LAZY) continue;
        err_t e;
        err_clear(&e);
        int r = lazy_force(ev->rt, gv, &e);
        if (r) {
            /* a deferred global that cannot be made (interrupted, out of memory) must not
             * outlive the cell: it is unbound, as if its statement had failed */
            globals_del(ev->ns, ev->lazyg[i]);
            if (!rc) {
                rc = r;
                *err = e;
            }
        }
    }
    lazyg_clear(ev);
    return rc;
}

int evali_store(eval_t *ev, const char *name, val_t *v, err_t *err)
{
    long i = evali_slot(ev, name);
    if (i >= 0) {
        val_drop(&ev->fr->vals[i]);
        ev->fr->vals[i] = *v;
        ev->fr->bound[i] = 1;
        *v = val_none();
        return 0;
    }
    if (v->kind == V_LAZY) {
        /* a farm running beside the cell reads globals in local view: made now */
        int rc = pmap_pending(ev->rt) ? lazy_force(ev->rt, v, err) : lazyg_add(ev, name, err);
        if (rc) {
            val_drop(v);
            return rc;
        }
    }
    return globals_set(ev->ns, name, v, ev->rt->local, err);
}

void evali_tb_push(eval_t *ev, span_t where, const char *fn)
{
    if (ev->ntb >= TB_MAX) return;
    eval_frame_t *t = &ev->tb[ev->ntb++];
    t->at = where;
    snprintf(t->fn, sizeof t->fn, "%s", fn);
}

int eval_cell(eval_t *ev, arena_t **ap, const ir_node_t *root, int silent, err_t *err,
              eval_frame_t *frames, size_t *nframes)
{
    size_t cap = nframes ? *nframes : 0;
    if (nframes) *nframes = 0;
    obj_prog_t *prog = obj_prog_new(ap);
    if (!prog) {
        arena_destroy(ap);
        return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    }
    ev->prog = prog;
    ev->silent = silent;
    ev->fr = NULL;
    ev->depth = 0;
    ev->loops = 0;
    ev->ntb = 0;
    /* A cell's first loop step or call polls for an interrupt at once (rt_poll), whatever
     * interval the last cell's loop had grown to; every rank resets alike. */
    ev->rt->poll_every = ev->rt->poll_left = 0;
    ev->rt->poll_t0 = 0;
    int rc = root ? evali_exec(ev, root, err) : 0;
    if (rc > 0) rc = 0;
    /* a global name holds an array between cells, never a recipe (in either view: a recipe
     * made in one view cannot be made in the other) */
    err_t e;
    err_clear(&e);
    int r = evali_force_globals(ev, &e);
    if (r && !rc) {
        rc = r;
        *err = e;
    }
    val_drop(&ev->ret);
    if (rc < 0) {
        err->rank = ev->rt->rank;
        if (ev->ntb == 0) evali_tb_push(ev, err->at, "");
        /* ev->tb is innermost first; hand it out outermost first. When it does not fit,
         * keep the outermost frames and the innermost one. */
        size_t n = ev->ntb < cap ? ev->ntb : cap;
        for (size_t i = 0; i < n; i++) {
            size_t src = (i + 1 == n) ? 0 : ev->ntb - 1 - i;
            frames[i] = ev->tb[src];
        }
        if (nframes) *nframes = n;
    }
    ev->prog = NULL;
    obj_prog_unref(&prog);
    return rc;
}

uint32_t eval_names(eval_t *ev, wbuf_t *out)
{
    return globals_records(ev->ns, ev->rt, out);
}
