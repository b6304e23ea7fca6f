/* eval.c - the engine's interpreter: walks one cell's IR tree (see eval.h).
 *
 * Where it sits: eng_ decodes a cell and calls eval_cell; statements and Python-level values
 * are handled here, elementwise trees go whole to arr_fuse (FUSE nodes), builtins and
 * methods to call_, generic operators to ops_, text to repr_ and out_.
 *
 * Decisions a reader could not guess:
 * - Statements return 0, a negative PARC_E* code, or a positive FLOW_* code (break,
 *   continue, return) that the enclosing loop or call consumes.
 * - A failed statement binds nothing: each assignment evaluates its whole right-hand side
 *   (and checks every unpacking) before the first name is bound.
 * - Function IR lives in the arena of the cell that defined it: a refcounted obj_prog_t owns
 *   that arena and every function made from it holds a reference.
 * - Python scoping without closures: a name assigned anywhere in a function body is local to
 *   it (unless declared `global`); a nested def or lambda captures the enclosing function's
 *   locals by value when it is created.
 * - Views: in local view a global name holding a distributed array reads as this rank's
 *   chunk (arr_local), and names bound there are marked per_engine; in global view a
 *   per-engine name reads as a V_PERENG value, which only DISPLAY and from_local accept.
 * - Error call chains are collected while unwinding: the first user-function frame left
 *   by an error records the innermost place, each one after it records its call site. */
#include "eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arr.h"
#include "builtins.h"
#include "call.h"
#include "coll.h"
#include "link.h"
#include "mem.h"
#include "obj.h"
#include "ops.h"
#include "out.h"
#include "repr.h"

enum { FLOW_BREAK = 2, FLOW_CONTINUE, FLOW_RETURN };
#define MAX_DEPTH 200 /* user-function calls (RecursionError beyond) */
#define TB_MAX    (MAX_DEPTH + 8)
#define MAX_IDX   (2 * ARR_MAXDIM)

typedef struct gent {
    struct gent *next;
    char *name; /* owned */
    val_t v;
    uint8_t per_engine; /* bound in local view */
} gent_t;

typedef struct frame {
    obj_func_t *f;
    val_t *vals;    /* f->nlocals */
    uint8_t *bound; /* f->nlocals */
} frame_t;

struct eval {
    rt_t *rt;
    ops_t *ops;
    gent_t **tab; /* global names: chained hash */
    size_t cap, n;
    frame_t *fr;      /* running function's frame, NULL at cell level */
    int depth;        /* user-function calls in progress */
    obj_prog_t *prog; /* the running cell's program */
    int silent;       /* do not show DISPLAY values */
    val_t ret;        /* value of the RETURN being unwound */
    int loops;        /* loops being run (no agreement per iteration) */
    eval_frame_t *tb; /* TB_MAX entries, innermost first while unwinding */
    size_t ntb;
};

static int exec(eval_t *ev, const ir_node_t *n, err_t *err);
static int eval(eval_t *ev, const ir_node_t *n, val_t *out, err_t *err);

/* Gives an error raised below n (by arr_, ops_ ... with no place) the place of n. */
static int at(const ir_node_t *n, int rc, err_t *err)
{
    if (rc < 0 && err->at.line == 0 && err->at.col == 0) err->at = n->at;
    return rc;
}

/* ---- the global table ---- */

static size_t hash(const char *s)
{
    size_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static gent_t *gfind(const eval_t *ev, const char *name)
{
    for (gent_t *e = ev->tab[hash(name) & (ev->cap - 1)]; e; e = e->next)
        if (strcmp(e->name, name) == 0) return e;
    return NULL;
}

static int grow(eval_t *ev)
{
    size_t cap = ev->cap * 2;
    gent_t **t = mem_calloc(cap, sizeof *t);
    if (!t) return PARC_ENOMEM;
    for (size_t i = 0; i < ev->cap; i++)
        for (gent_t *e = ev->tab[i], *nx; e; e = nx) {
            nx = e->next;
            size_t h = hash(e->name) & (cap - 1);
            e->next = t[h];
            t[h] = e;
        }
    mem_free(ev->tab);
    ev->tab = t;
    ev->cap = cap;
    return 0;
}

/* Binds a global; takes *v. A per-engine value is unwrapped and marked per_engine. */
static int gset(eval_t *ev, const char *name, val_t *v, err_t *err)
{
    int per = ev->rt->local;
    if (v->kind == V_PERENG) {
        val_t inner = val_ref(((obj_pereng_t *)v->u.o)->v);
        val_drop(v);
        *v = inner;
        per = 1;
    }
    gent_t *e = gfind(ev, name);
    if (!e) {
        if (ev->n * 4 >= ev->cap * 3 && grow(ev)) {
            val_drop(v);
            return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        }
        e = mem_calloc(1, sizeof *e);
        if (!e || !(e->name = mem_strndup(name, strlen(name)))) {
            mem_free(e);
            val_drop(v);
            return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        }
        size_t h = hash(name) & (ev->cap - 1);
        e->next = ev->tab[h];
        ev->tab[h] = e;
        ev->n++;
    } else {
        val_drop(&e->v);
    }
    e->v = *v;
    e->per_engine = (uint8_t)per;
    *v = val_none();
    return 0;
}

static int gdel(eval_t *ev, const char *name)
{
    gent_t **pp = &ev->tab[hash(name) & (ev->cap - 1)];
    for (; *pp; pp = &(*pp)->next)
        if (strcmp((*pp)->name, name) == 0) {
            gent_t *e = *pp;
            *pp = e->next;
            val_drop(&e->v);
            mem_free(e->name);
            mem_free(e);
            ev->n--;
            return 0;
        }
    return -1;
}

eval_t *eval_new(rt_t *rt)
{
    eval_t *ev = mem_calloc(1, sizeof *ev);
    if (!ev) return NULL;
    ev->rt = rt;
    ev->cap = 64;
    ev->tab = mem_calloc(ev->cap, sizeof *ev->tab);
    ev->tb = mem_calloc(TB_MAX, sizeof *ev->tb);
    ev->ops = ops_new(rt);
    if (!ev->tab || !ev->tb || !ev->ops) eval_destroy(&ev);
    return ev;
}

void eval_destroy(eval_t **evp)
{
    eval_t *ev = *evp;
    if (!ev) return;
    for (size_t i = 0; ev->tab && i < ev->cap; i++)
        for (gent_t *e = ev->tab[i], *nx; e; e = nx) {
            nx = e->next;
            val_drop(&e->v);
            mem_free(e->name);
            mem_free(e);
        }
    mem_free(ev->tab);
    mem_free(ev->tb);
    ops_destroy(&ev->ops);
    mem_free(ev);
    *evp = NULL;
}

/* ---- names ---- */

static long find_name(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) return (long)i;
    return -1;
}

/* Index of name among the running function's locals, or -1 (global or captured). */
static long local_slot(const eval_t *ev, const char *name)
{
    if (!ev->fr) return -1;
    const obj_func_t *f = ev->fr->f;
    if (find_name(f->globals, f->nglobals, name) >= 0) return -1;
    return find_name(f->locals, f->nlocals, name);
}

static int load(eval_t *ev, const ir_node_t *n, val_t *out, err_t *err)
{
    const char *name = n->s;
    long i = local_slot(ev, name);
    if (i >= 0) {
        if (!ev->fr->bound[i])
            return err_set(err, PARC_ENAME, n->at,
                           "cannot access local variable '%s' where it is not associated with a "
                           "value",
                           name);
        *out = val_ref(ev->fr->vals[i]);
        return 0;
    }
    if (ev->fr) {
        const obj_func_t *f = ev->fr->f;
        long c = find_name(f->capnames, f->ncap, name);
        if (c >= 0) {
            *out = val_ref(f->capvals[c]);
            return 0;
        }
    }
    gent_t *e = gfind(ev, name);
    if (e) {
        if (ev->rt->local && e->v.kind == V_ARRAY && arr_is_dist(e->v.u.a)) {
            arr_t *l = arr_local(e->v.u.a);
            if (!l) return err_set(err, PARC_ENOMEM, n->at, "out of memory");
            *out = val_array(&l);
            return 0;
        }
        if (!ev->rt->local && e->per_engine) {
            val_t v = val_ref(e->v);
            *out = obj_pereng(&v, err);
            return out->kind == V_PERENG ? 0 : at(n, err->code, err);
        }
        *out = val_ref(e->v);
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

/* Binds name in the running scope; takes *v. */
static int store(eval_t *ev, const char *name, val_t *v, err_t *err)
{
    long i = local_slot(ev, name);
    if (i >= 0) {
        val_drop(&ev->fr->vals[i]);
        ev->fr->vals[i] = *v;
        ev->fr->bound[i] = 1;
        *v = val_none();
        return 0;
    }
    return gset(ev, name, v, err);
}

/* ---- sequences and indices ---- */

static int is_int(const val_t *v)
{
    return v->kind == V_INT || v->kind == V_BOOL;
}

/* Python's slice.indices(len): normalized start, stop, step and the item count. */
static int slice_indices(const obj_slice_t *s, int64_t len, int64_t *start, int64_t *stop,
                         int64_t *step, int64_t *count, span_t where, err_t *err)
{
    const val_t *p[3] = {&s->start, &s->stop, &s->step};
    for (int k = 0; k < 3; k++)
        if (p[k]->kind != V_NONE && !is_int(p[k]))
            return err_set(err, PARC_ETYPE, where,
                           "slice indices must be integers or None or have an __index__ method");
    *step = s->step.kind == V_NONE ? 1 : s->step.u.i;
    if (*step == 0) return err_set(err, PARC_EVALUE, where, "slice step cannot be zero");
    int64_t lo = *step < 0 ? -1 : 0, hi = *step < 0 ? len - 1 : len;
    if (s->start.kind == V_NONE) {
        *start = *step < 0 ? hi : lo;
    } else {
        *start = s->start.u.i;
        if (*start < 0) {
            *start += len;
            if (*start < lo) *start = lo;
        } else if (*start > hi) {
            *start = hi;
        }
    }
    if (s->stop.kind == V_NONE) {
        *stop = *step < 0 ? lo : hi;
    } else {
        *stop = s->stop.u.i;
        if (*stop < 0) {
            *stop += len;
            if (*stop < lo) *stop = lo;
        } else if (*stop > hi) {
            *stop = hi;
        }
    }
    if (*step > 0)
        *count = *stop > *start ? (*stop - *start - 1) / *step + 1 : 0;
    else
        *count = *start > *stop ? (*start - *stop - 1) / (-*step) + 1 : 0;
    return 0;
}

/* Number of items of a sequence-like value, or -1. */
static int64_t seq_len(const val_t *v)
{
    switch (v->kind) {
    case V_STR:
        return (int64_t)((const str_t *)v->u.o)->n;
    case V_TUPLE:
    case V_LIST:
        return (int64_t)((const seq_t *)v->u.o)->n;
    case V_RANGE:
        return obj_range_len((const obj_range_t *)v->u.o);
    default:
        return -1;
    }
}

static const char *seq_word(int kind)
{
    return kind == V_STR     ? "string"
           : kind == V_LIST  ? "list"
           : kind == V_RANGE ? "range object"
                             : "tuple";
}

/* Item i (already normalized, in range) of a tuple/list/str/range. */
static val_t seq_item(const val_t *v, int64_t i, err_t *err)
{
    switch (v->kind) {
    case V_STR:
        return val_str(((const str_t *)v->u.o)->s + i, 1, err);
    case V_RANGE: {
        const obj_range_t *r = (const obj_range_t *)v->u.o;
        return val_int(r->start + i * r->step);
    }
    default:
        return val_ref(((const seq_t *)v->u.o)->v[i]);
    }
}

static int seq_getitem(eval_t *ev, const ir_node_t *n, const val_t *c, const val_t *ix, val_t *out,
                       err_t *err)
{
    (void)ev;
    int64_t len = seq_len(c);
    if (is_int(ix)) {
        int64_t i = ix->u.i;
        if (i < 0) i += len;
        if (i < 0 || i >= len)
            return err_set(err, PARC_EINDEX, n->at, "%s index out of range", seq_word(c->kind));
        *out = seq_item(c, i, err);
        return err->code;
    }
    if (ix->kind == V_SLICE) {
        int64_t start = 0, stop = 0, step = 1, cnt = 0;
        int rc = slice_indices((const obj_slice_t *)ix->u.o, len, &start, &stop, &step, &cnt, n->at,
                               err);
        if (rc) return rc;
        if (c->kind == V_STR) {
            const str_t *s = (const str_t *)c->u.o;
            char *buf = mem_alloc((size_t)cnt + 1);
            if (!buf) return err_set(err, PARC_ENOMEM, n->at, "out of memory");
            for (int64_t k = 0; k < cnt; k++)
                buf[k] = s->s[start + k * step];
            *out = val_str(buf, (size_t)cnt, err);
            mem_free(buf);
            return at(n, err->code, err);
        }
        if (c->kind == V_RANGE) {
            const obj_range_t *r = (const obj_range_t *)c->u.o;
            *out = obj_range(r->start + start * r->step, r->start + (start + cnt * step) * r->step,
                             r->step * step, err);
            return at(n, err->code, err);
        }
        val_t r = val_seq(c->kind, (size_t)cnt, err);
        if (r.kind == V_NONE) return at(n, err->code, err);
        for (int64_t k = 0; k < cnt; k++)
            ((seq_t *)r.u.o)->v[k] = val_ref(((const seq_t *)c->u.o)->v[start + k * step]);
        *out = r;
        return 0;
    }
    return err_set(err, PARC_ETYPE, n->at, "%s indices must be integers or slices, not %s",
                   c->kind == V_RANGE ? "range" : val_kind_name(c), val_kind_name(ix));
}

/* Index items of x[...]: SLICE nodes become slice objects; a TUPLE is spread. */
static int eval_index(eval_t *ev, const ir_node_t *n, val_t *items, size_t *nitems, err_t *err)
{
    const ir_node_t *const *kids = &n;
    size_t nk = 1;
    if (n->op == IR_TUPLE) {
        kids = (const ir_node_t *const *)n->kid;
        nk = n->nkid;
    }
    if (nk > MAX_IDX) return err_set(err, PARC_EINDEX, n->at, "too many indices");
    *nitems = 0;
    for (size_t i = 0; i < nk; i++) {
        const ir_node_t *k = kids[i];
        int rc;
        if (k->op == IR_SLICE) {
            val_t p[3] = {val_none(), val_none(), val_none()};
            for (int j = 0; j < 3; j++)
                if ((rc = eval(ev, k->kid[j], &p[j], err))) {
                    for (int q = 0; q < j; q++)
                        val_drop(&p[q]);
                    return rc;
                }
            items[i] = obj_slice(&p[0], &p[1], &p[2], err);
            if (items[i].kind == V_NONE) return at(k, err->code, err);
        } else if ((rc = eval(ev, k, &items[i], err))) {
            return rc;
        }
        (*nitems)++;
    }
    return 0;
}

static void drop_all(val_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        val_drop(&v[i]);
}

/* Array indices from index items (a tuple item is spread, as NumPy does). */
static int to_idx(const ir_node_t *n, const val_t *items, size_t nitems, idx_t *idx, int *nidx,
                  err_t *err)
{
    if (nitems == 1 && items[0].kind == V_TUPLE) {
        const seq_t *s = (const seq_t *)items[0].u.o;
        return to_idx(n, s->v, s->n, idx, nidx, err);
    }
    if (nitems > MAX_IDX) return err_set(err, PARC_EINDEX, n->at, "too many indices");
    memset(idx, 0, nitems * sizeof *idx);
    for (size_t i = 0; i < nitems; i++) {
        const val_t *v = &items[i];
        if (is_int(v)) {
            idx[i].kind = IDX_INT;
            idx[i].i = v->u.i;
        } else if (v->kind == V_NONE) {
            idx[i].kind = IDX_NEWAXIS;
        } else if (v->kind == V_ARRAY) {
            idx[i].kind = IDX_ARRAY;
            idx[i].arr = v->u.a;
        } else if (v->kind == V_SLICE) {
            const obj_slice_t *s = (const obj_slice_t *)v->u.o;
            const val_t *p[3] = {&s->start, &s->stop, &s->step};
            for (int k = 0; k < 3; k++)
                if (p[k]->kind != V_NONE && !is_int(p[k]))
                    return err_set(err, PARC_ETYPE, n->at,
                                   "slice indices must be integers or None or have an __index__ "
                                   "method");
            idx[i].kind = IDX_SLICE;
            idx[i].has_start = s->start.kind != V_NONE;
            idx[i].has_stop = s->stop.kind != V_NONE;
            idx[i].has_step = s->step.kind != V_NONE;
            idx[i].start = s->start.u.i;
            idx[i].stop = s->stop.u.i;
            idx[i].step = idx[i].has_step ? s->step.u.i : 1;
            if (idx[i].step == 0)
                return err_set(err, PARC_EVALUE, n->at, "slice step cannot be zero");
        } else {
            return err_set(err, PARC_EINDEX, n->at,
                           "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) "
                           "and integer or boolean arrays are valid indices");
        }
    }
    *nidx = (int)nitems;
    return 0;
}

static int getitem(eval_t *ev, const ir_node_t *n, const val_t *c, val_t *items, size_t nitems,
                   val_t *out, err_t *err)
{
    if (c->kind == V_ARRAY) {
        idx_t idx[MAX_IDX];
        int nidx, rc = to_idx(n, items, nitems, idx, &nidx, err);
        if (rc) return rc;
        return at(n, arr_getitem(ev->rt, c->u.a, idx, nidx, out, err), err);
    }
    if (seq_len(c) >= 0) {
        if (nitems != 1)
            return err_set(err, PARC_ETYPE, n->at,
                           "%s indices must be integers or slices, not "
                           "tuple",
                           val_kind_name(c));
        return seq_getitem(ev, n, c, &items[0], out, err);
    }
    if (c->kind == V_PERENG)
        return err_set(err, PARC_ETYPE, n->at,
                       "a per-engine value can only be indexed in %%px, or after from_local()");
    return err_set(err, PARC_ETYPE, n->at, "'%s' object is not subscriptable", val_kind_name(c));
}

static int setitem(eval_t *ev, const ir_node_t *n, const val_t *c, val_t *items, size_t nitems,
                   const val_t *v, err_t *err)
{
    if (c->kind == V_ARRAY) {
        idx_t idx[MAX_IDX];
        int nidx, rc = to_idx(n, items, nitems, idx, &nidx, err);
        if (rc) return rc;
        if (v->kind != V_ARRAY && !val_is_num(v))
            return err_set(err, PARC_ETYPE, n->at, "cannot assign a '%s' to array elements",
                           val_kind_name(v));
        return at(n, arr_setitem(ev->rt, c->u.a, idx, nidx, v, err), err);
    }
    if (c->kind == V_LIST) {
        seq_t *s = (seq_t *)c->u.o;
        if (nitems != 1 || !is_int(&items[0]))
            return err_set(err, PARC_ETYPE, n->at, "list indices must be integers, not %s",
                           nitems == 1 ? val_kind_name(&items[0]) : "tuple");
        int64_t i = items[0].u.i;
        if (i < 0) i += (int64_t)s->n;
        if (i < 0 || i >= (int64_t)s->n)
            return err_set(err, PARC_EINDEX, n->at, "list assignment index out of range");
        val_drop(&s->v[i]);
        s->v[i] = val_ref(*v);
        return 0;
    }
    return err_set(err, PARC_ETYPE, n->at, "'%s' object does not support item assignment",
                   val_kind_name(c));
}

/* ---- iteration ---- */

/* All items of an iterable (for unpacking); *items is mem_alloc'ed, caller drops. */
static int items_of(eval_t *ev, const ir_node_t *n, const val_t *v, val_t **items, size_t *cnt,
                    err_t *err)
{
    int64_t len = seq_len(v);
    if (v->kind == V_ARRAY) {
        if (arr_ndim(v->u.a) == 0)
            return err_set(err, PARC_ETYPE, n->at, "iteration over a 0-d array");
        len = arr_shape(v->u.a)[0];
    }
    if (len < 0)
        return err_set(err, PARC_ETYPE, n->at, "cannot unpack non-iterable %s object",
                       val_kind_name(v));
    if (len > 100000000) return err_set(err, PARC_EVALUE, n->at, "too many values to unpack");
    val_t *it = mem_calloc(len ? (size_t)len : 1, sizeof *it);
    if (!it) return err_set(err, PARC_ENOMEM, n->at, "out of memory");
    for (int64_t i = 0; i < len; i++) {
        int rc = 0;
        if (v->kind == V_ARRAY) {
            idx_t ix = {.kind = IDX_INT, .i = i};
            rc = at(n, arr_getitem(ev->rt, v->u.a, &ix, 1, &it[i], err), err);
        } else {
            it[i] = seq_item(v, i, err);
            rc = at(n, err->code, err);
        }
        if (rc) {
            drop_all(it, (size_t)i);
            mem_free(it);
            return rc;
        }
    }
    *items = it;
    *cnt = (size_t)len;
    return 0;
}

/* ---- assignment ---- */

/* Checks that v can be bound to target t (unpacking counts, recursively) without binding. */
static int check_target(eval_t *ev, const ir_node_t *t, const val_t *v, err_t *err)
{
    if (t->op != IR_TUPLE && t->op != IR_LIST) return 0;
    val_t *items;
    size_t cnt;
    int rc = items_of(ev, t, v, &items, &cnt, err);
    if (rc) return rc;
    if (cnt < t->nkid)
        rc = err_set(err, PARC_EVALUE, t->at, "not enough values to unpack (expected %u, got %zu)",
                     t->nkid, cnt);
    else if (cnt > t->nkid)
        rc = err_set(err, PARC_EVALUE, t->at, "too many values to unpack (expected %u)", t->nkid);
    for (size_t i = 0; !rc && i < cnt; i++)
        rc = check_target(ev, t->kid[i], &items[i], err);
    drop_all(items, cnt);
    mem_free(items);
    return rc;
}

/* Binds v to target t (NAME, TUPLE/LIST, SUBSCR); borrows v. */
static int bind(eval_t *ev, const ir_node_t *t, const val_t *v, err_t *err)
{
    int rc;
    switch (t->op) {
    case IR_NAME: {
        val_t c = val_ref(*v);
        return at(t, store(ev, t->s, &c, err), err);
    }
    case IR_TUPLE:
    case IR_LIST: {
        val_t *items;
        size_t cnt;
        if ((rc = items_of(ev, t, v, &items, &cnt, err))) return rc;
        for (size_t i = 0; !rc && i < cnt && i < t->nkid; i++)
            rc = bind(ev, t->kid[i], &items[i], err);
        drop_all(items, cnt);
        mem_free(items);
        return rc;
    }
    case IR_SUBSCR: {
        val_t c, items[MAX_IDX];
        size_t ni = 0;
        if ((rc = eval(ev, t->kid[0], &c, err))) return rc;
        if (!(rc = eval_index(ev, t->kid[1], items, &ni, err)))
            rc = setitem(ev, t, &c, items, ni, v, err);
        drop_all(items, ni);
        val_drop(&c);
        return rc;
    }
    case IR_ATTR:
        return err_set(err, PARC_EATTR, t->at, "attribute '%s' cannot be assigned", t->s);
    default:
        return err_set(err, PARC_ETYPE, t->at, "cannot assign to this expression");
    }
}

/* Global view, cell level: ranks agree that the right-hand side worked everywhere before
 * anything is bound, so a statement that failed on one engine binds nothing on any. Inside
 * loops and functions every rank runs the same replicated code, and arr_ agrees on its own
 * errors, so the extra round trip per iteration is skipped there. */
static int agree(eval_t *ev, const ir_node_t *n, int rc, err_t *err)
{
    if (ev->rt->local || ev->fr || ev->loops || ev->rt->nranks == 1) return rc;
    int all = coll_agree(ev->rt->comm, rc);
    if (all < 0 && rc == 0)
        return err_set(err, all, n->at, "the statement failed on another engine");
    return rc;
}

static int do_assign(eval_t *ev, const ir_node_t *n, err_t *err)
{
    val_t v = val_none();
    int rc = eval(ev, n->kid[n->nkid - 1], &v, err);
    for (uint32_t i = 0; !rc && i + 1 < n->nkid; i++)
        rc = check_target(ev, n->kid[i], &v, err);
    rc = agree(ev, n, rc, err);
    for (uint32_t i = 0; !rc && i + 1 < n->nkid; i++)
        rc = bind(ev, n->kid[i], &v, err);
    val_drop(&v);
    return rc;
}

/* x op= v: arrays are updated in place (as NumPy), other values rebound. */
static int do_augassign(eval_t *ev, const ir_node_t *n, err_t *err)
{
    const ir_node_t *t = n->kid[0];
    int op = (int)n->imm.i, rc;
    val_t cur = val_none(), rhs = val_none(), res = val_none(), c = val_none();
    val_t items[MAX_IDX];
    size_t ni = 0;
    if (t->op == IR_NAME) {
        rc = load(ev, t, &cur, err);
    } else if (t->op == IR_SUBSCR) {
        rc = eval(ev, t->kid[0], &c, err);
        if (!rc) rc = eval_index(ev, t->kid[1], items, &ni, err);
        if (!rc) rc = getitem(ev, t, &c, items, ni, &cur, err);
    } else {
        rc = err_set(err, PARC_ETYPE, t->at, "illegal expression for augmented assignment");
    }
    if (!rc) rc = eval(ev, n->kid[1], &rhs, err);
    if (!rc) rc = at(n, ops_binop(ev->ops, op, &cur, &rhs, &res, err), err);
    rc = agree(ev, n, rc, err);
    if (!rc) {
        if (cur.kind == V_ARRAY) {
            idx_t all[ARR_MAXDIM];
            int nd = arr_ndim(cur.u.a);
            memset(all, 0, sizeof all);
            for (int i = 0; i < nd; i++)
                all[i].kind = IDX_SLICE, all[i].step = 1;
            rc = at(n, arr_setitem(ev->rt, cur.u.a, all, nd, &res, err), err);
        } else if (t->op == IR_NAME) {
            rc = at(t, store(ev, t->s, &res, err), err);
        } else {
            rc = setitem(ev, t, &c, items, ni, &res, err);
        }
    }
    drop_all(items, ni);
    val_drop(&c);
    val_drop(&cur);
    val_drop(&rhs);
    val_drop(&res);
    return rc;
}

static int do_del(eval_t *ev, const ir_node_t *n, err_t *err)
{
    for (uint32_t k = 0; k < n->nkid; k++) {
        const ir_node_t *t = n->kid[k];
        int rc = 0;
        if (t->op == IR_NAME) {
            long i = local_slot(ev, t->s);
            if (i >= 0) {
                if (!ev->fr->bound[i])
                    return err_set(err, PARC_ENAME, t->at,
                                   "cannot access local variable '%s' where it is not associated "
                                   "with a value",
                                   t->s);
                val_drop(&ev->fr->vals[i]);
                ev->fr->bound[i] = 0;
            } else if (gdel(ev, t->s)) {
                return err_set(err, PARC_ENAME, t->at, "name '%s' is not defined", t->s);
            }
        } else if (t->op == IR_SUBSCR) {
            val_t c, items[MAX_IDX];
            size_t ni = 0;
            if ((rc = eval(ev, t->kid[0], &c, err))) return rc;
            rc = eval_index(ev, t->kid[1], items, &ni, err);
            if (!rc && c.kind == V_LIST && ni == 1 && is_int(&items[0])) {
                seq_t *s = (seq_t *)c.u.o;
                int64_t i = items[0].u.i;
                if (i < 0) i += (int64_t)s->n;
                if (i < 0 || i >= (int64_t)s->n) {
                    rc = err_set(err, PARC_EINDEX, t->at, "list assignment index out of range");
                } else {
                    val_drop(&s->v[i]);
                    memmove(&s->v[i], &s->v[i + 1], (s->n - (size_t)i - 1) * sizeof *s->v);
                    s->n--;
                }
            } else if (!rc) {
                rc = err_set(err, PARC_ETYPE, t->at, "'%s' object doesn't support item deletion",
                             val_kind_name(&c));
            }
            drop_all(items, ni);
            val_drop(&c);
        } else {
            rc = err_set(err, PARC_ETYPE, t->at, "cannot delete this expression");
        }
        if (rc) return rc;
    }
    return 0;
}

/* ---- functions ---- */

typedef struct {
    const char **v;
    size_t n, cap;
    int oom;
} names_v;

static void push_name(names_v *l, const char *s)
{
    if (find_name(l->v, l->n, s) >= 0) return;
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

static int make_func(eval_t *ev, const ir_node_t *n, val_t *out, err_t *err)
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
            int rc = eval(ev, p->kid[0], &f->defaults[i], err);
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
                f->capnames[f->ncap] = fr->f->locals[i];
                f->capvals[f->ncap++] = val_ref(fr->vals[i]);
            }
        for (size_t i = 0; i < fr->f->ncap; i++)
            if (find_name(f->capnames, f->ncap, fr->f->capnames[i]) < 0) {
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
        long i = find_name(f->locals, f->nparams, kw[k].name);
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

static void tb_push(eval_t *ev, span_t where, const char *fn)
{
    if (ev->ntb >= TB_MAX) return;
    eval_frame_t *t = &ev->tb[ev->ntb++];
    t->at = where;
    snprintf(t->fn, sizeof t->fn, "%s", fn);
}

static int call_user(eval_t *ev, const ir_node_t *site, obj_func_t *f, const val_t *args,
                     size_t nargs, const call_kw_t *kw, size_t nkw, val_t *out, err_t *err)
{
    int rc = rt_check(ev->rt, err);
    if (rc) return at(site, rc, err);
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
            rc = eval(ev, f->body, out, err);
        } else {
            rc = exec(ev, f->body, err);
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
            if (ev->ntb == 0) tb_push(ev, err->at, f->name);
            tb_push(ev, site->at, ev->fr ? ev->fr->f->name : "");
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

/* ---- calls ---- */

static size_t count_leaves(const ir_node_t *n)
{
    if (!ir_is_elemwise(n)) return 1;
    size_t c = 0;
    for (uint32_t i = n->op == IR_CALL ? 1 : 0; i < n->nkid; i++)
        c += count_leaves(n->kid[i]);
    return c;
}

static int eval_leaves(eval_t *ev, const ir_node_t *n, val_t *vals, size_t *k, err_t *err)
{
    if (!ir_is_elemwise(n)) {
        int rc = eval(ev, n, &vals[*k], err);
        if (!rc) (*k)++;
        return rc;
    }
    for (uint32_t i = n->op == IR_CALL ? 1 : 0; i < n->nkid; i++) {
        int rc = eval_leaves(ev, n->kid[i], vals, k, err);
        if (rc) return rc;
    }
    return 0;
}

/* Evaluates an elementwise tree node by node over already evaluated leaves. */
static int gen_tree(eval_t *ev, const ir_node_t *n, const val_t *vals, size_t *k, val_t *out,
                    err_t *err)
{
    if (!ir_is_elemwise(n)) {
        *out = val_ref(vals[(*k)++]);
        return 0;
    }
    val_t a[2] = {val_none(), val_none()};
    uint32_t first = n->op == IR_CALL ? 1 : 0, na = n->nkid - first;
    int rc = 0;
    for (uint32_t i = 0; i < na && !rc; i++)
        rc = gen_tree(ev, n->kid[first + i], vals, k, &a[i], err);
    if (!rc) {
        if (n->op == IR_CALL)
            rc = ops_ufunc(ev->ops, (int)n->kid[0]->imm.i, a, na, out, err);
        else if (ir_op_class(n->op) == IR_CLS_UN)
            rc = ops_unop(ev->ops, n->op, &a[0], out, err);
        else
            rc = ops_binop(ev->ops, n->op, &a[0], &a[1], out, err);
        rc = at(n, rc, err);
    }
    val_drop(&a[0]);
    val_drop(&a[1]);
    return rc;
}

static int eval_fuse(eval_t *ev, const ir_node_t *n, val_t *out, err_t *err)
{
    const ir_node_t *tree = n->kid[0];
    size_t nl = count_leaves(tree), k = 0;
    val_t *leaves = mem_calloc(nl ? nl : 1, sizeof *leaves);
    if (!leaves) return err_set(err, PARC_ENOMEM, n->at, "out of memory");
    int rc = eval_leaves(ev, tree, leaves, &k, err);
    if (!rc) {
        rc = arr_fuse(ev->rt, tree, leaves, nl, out, err);
        if (rc == KERN_GENERIC) {
            size_t j = 0;
            rc = gen_tree(ev, tree, leaves, &j, out, err);
        }
        rc = at(n, rc, err);
    }
    drop_all(leaves, k);
    mem_free(leaves);
    return rc;
}

static int dtype_builtin(int dt)
{
    switch (dt) {
    case DT_BOOL:
        return BI_BOOL_;
    case DT_INT32:
        return BI_INT32;
    case DT_INT64:
        return BI_INT64;
    case DT_FLOAT32:
        return BI_FLOAT32;
    case DT_COMPLEX128:
        return BI_COMPLEX128;
    default:
        return BI_FLOAT64;
    }
}

/* CALL and METHOD: evaluate callee/self and arguments, then dispatch. */
static int eval_call(eval_t *ev, const ir_node_t *n, val_t *out, err_t *err)
{
    int method = n->op == IR_METHOD;
    val_t callee = val_none();
    int bi = -1, rc = 0;
    const ir_node_t *k0 = n->kid[0];
    if (!method && k0->op == IR_BUILTIN) {
        bi = (int)k0->imm.i;
    } else if ((rc = eval(ev, k0, &callee, err))) {
        return rc;
    }
    if (!method && callee.kind == V_BUILTIN) bi = (int)callee.u.i;
    if (!method && callee.kind == V_DTYPE) bi = dtype_builtin((int)callee.u.i);
    size_t na = n->nkid - 1, nargs = 0, nkw = 0, nleaves = 0;
    val_t *args = mem_calloc(na ? na : 1, sizeof *args);
    call_kw_t *kw = mem_calloc(na ? na : 1, sizeof *kw);
    const ir_node_t *tree = NULL;
    if (!args || !kw) rc = err_set(err, PARC_ENOMEM, n->at, "out of memory");
    const bi_info_t *info = bi >= 0 ? bi_info(bi) : NULL;
    uint32_t first = 1;
    /* A reduction over an elementwise tree runs fused: its leaves become the arguments. */
    if (!rc && info && info->kind == BI_K_REDUCE && n->nkid >= 2 && n->kid[1]->op == IR_FUSE) {
        const ir_node_t *t = n->kid[1]->kid[0];
        size_t nl = count_leaves(t);
        val_t *grown = mem_realloc(args, (na + nl) * sizeof *args);
        if (!grown) {
            rc = err_set(err, PARC_ENOMEM, n->at, "out of memory");
        } else {
            args = grown;
            memset(args, 0, (na + nl) * sizeof *args);
            rc = eval_leaves(ev, t, args, &nargs, err);
            int ok = 1, any_arr = 0;
            for (size_t i = 0; i < nargs; i++) {
                ok &= val_is_num(&args[i]) || args[i].kind == V_ARRAY;
                any_arr |= args[i].kind == V_ARRAY;
            }
            if (!rc && ok && any_arr) {
                tree = t;
                nleaves = nl;
            } else if (!rc) {
                val_t v = val_none();
                size_t j = 0;
                rc = gen_tree(ev, t, args, &j, &v, err);
                drop_all(args, nargs);
                nargs = 0;
                if (!rc) args[nargs++] = v;
            }
            first = 2;
        }
    }
    for (uint32_t i = first; !rc && i < n->nkid; i++) {
        const ir_node_t *a = n->kid[i];
        if (a->op == IR_KWARG) {
            for (size_t j = 0; j < nkw; j++)
                if (strcmp(kw[j].name, a->s) == 0)
                    rc = err_set(err, PARC_ESYNTAX, a->at, "keyword argument repeated: %s", a->s);
            if (!rc && !(rc = eval(ev, a->kid[0], &kw[nkw].v, err))) kw[nkw++].name = a->s;
        } else {
            rc = eval(ev, a, &args[nargs], err);
            if (!rc) nargs++;
        }
    }
    if (!rc) {
        call_t c = {.rt = ev->rt,
                    .ops = ev->ops,
                    .at = n->at,
                    .args = args,
                    .nargs = nargs,
                    .kw = kw,
                    .nkw = nkw,
                    .tree = tree,
                    .nleaves = nleaves};
        if (method)
            rc = call_method(&c, &callee, n->s, out, err);
        else if (bi >= 0)
            rc = call_builtin(&c, bi, out, err);
        else if (callee.kind == V_FUNC)
            rc = call_user(ev, n, (obj_func_t *)callee.u.o, args, nargs, kw, nkw, out, err);
        else
            rc = err_set(err, PARC_ETYPE, n->at, "'%s' object is not callable",
                         val_kind_name(&callee));
        rc = at(n, rc, err);
    }
    if (args) drop_all(args, nargs);
    for (size_t j = 0; j < nkw; j++)
        val_drop(&kw[j].v);
    mem_free(args);
    mem_free(kw);
    val_drop(&callee);
    return rc;
}

/* ---- expressions ---- */

static int same(const val_t *a, const val_t *b)
{
    if (a->kind != b->kind) return 0;
    switch (a->kind) {
    case V_NONE:
        return 1;
    case V_BOOL:
    case V_INT:
    case V_BUILTIN:
    case V_DTYPE:
        return a->u.i == b->u.i;
    case V_FLOAT:
        return a->u.f == b->u.f;
    case V_COMPLEX:
        return a->u.c[0] == b->u.c[0] && a->u.c[1] == b->u.c[1];
    case V_ARRAY:
        return a->u.a == b->u.a;
    default:
        return a->u.o == b->u.o;
    }
}

static int eval_seq(eval_t *ev, const ir_node_t *n, int kind, val_t *out, err_t *err)
{
    val_t s = val_seq(kind, n->nkid, err);
    if (s.kind == V_NONE) return at(n, err->code, err);
    for (uint32_t i = 0; i < n->nkid; i++) {
        int rc = eval(ev, n->kid[i], &((seq_t *)s.u.o)->v[i], err);
        if (rc) {
            val_drop(&s);
            return rc;
        }
    }
    *out = s;
    return 0;
}

static int eval_chain(eval_t *ev, const ir_node_t *n, val_t *out, err_t *err)
{
    if (n->nkid < 2 || n->slen < n->nkid - 1)
        return err_set(err, PARC_EPROTO, n->at, "bad comparison chain");
    val_t left, right = val_none(), r = val_none();
    int rc = eval(ev, n->kid[0], &left, err);
    for (uint32_t i = 1; !rc && i < n->nkid; i++) {
        if ((rc = eval(ev, n->kid[i], &right, err))) break;
        int op = (unsigned char)n->s[i - 1], t = 1;
        val_drop(&r);
        if (op == IR_IN || op == IR_NOTIN) {
            rc = ops_contains(ev->ops, &left, &right, &t, err);
            if (op == IR_NOTIN) t = !t;
            r = val_bool(t);
        } else if (op == IR_IS || op == IR_ISNOT) {
            t = same(&left, &right) == (op == IR_IS);
            r = val_bool(t);
        } else {
            rc = ops_binop(ev->ops, op, &left, &right, &r, err);
        }
        rc = at(n, rc, err);
        if (!rc && i + 1 < n->nkid) rc = at(n, ops_truth(ev->ops, &r, &t, err), err);
        val_drop(&left);
        left = right;
        right = val_none();
        if (!rc && !t) break;
    }
    val_drop(&left);
    val_drop(&right);
    if (rc) {
        val_drop(&r);
        return rc;
    }
    *out = r;
    return 0;
}

static int eval(eval_t *ev, const ir_node_t *n, val_t *out, err_t *err)
{
    int rc = 0, t = 0;
    val_t a = val_none(), b = val_none();
    *out = val_none();
    switch (n->op) {
    case IR_NONE:
        return 0;
    case IR_BOOL:
        *out = val_bool(n->imm.i != 0);
        return 0;
    case IR_INT:
        *out = val_int(n->imm.i);
        return 0;
    case IR_FLOAT:
        *out = val_float(n->imm.f);
        return 0;
    case IR_IMAG:
        *out = val_complex(0, n->imm.f);
        return 0;
    case IR_STR:
        *out = val_str(n->s, n->slen, err);
        return at(n, err->code, err);
    case IR_BUILTIN:
        *out = call_builtin_value((int)n->imm.i);
        return 0;
    case IR_NAME:
        return load(ev, n, out, err);
    case IR_TUPLE:
        return eval_seq(ev, n, V_TUPLE, out, err);
    case IR_LIST:
        return eval_seq(ev, n, V_LIST, out, err);
    case IR_ATTR:
        if ((rc = eval(ev, n->kid[0], &a, err))) return rc;
        rc = call_attr(ev->rt, &a, n->s, n->at, out, err);
        val_drop(&a);
        return at(n, rc, err);
    case IR_SUBSCR: {
        val_t items[MAX_IDX];
        size_t ni = 0;
        if ((rc = eval(ev, n->kid[0], &a, err))) return rc;
        if (!(rc = eval_index(ev, n->kid[1], items, &ni, err)))
            rc = getitem(ev, n, &a, items, ni, out, err);
        drop_all(items, ni);
        val_drop(&a);
        return rc;
    }
    case IR_SLICE:
        return err_set(err, PARC_ESYNTAX, n->at, "a slice is only allowed inside []");
    case IR_CALL:
    case IR_METHOD:
        return eval_call(ev, n, out, err);
    case IR_FUSE:
        return eval_fuse(ev, n, out, err);
    case IR_MATMUL:
        return err_set(err, PARC_ENOTIMPL, n->at, "matrix multiplication (@) is not available yet");
    case IR_IS:
    case IR_ISNOT:
    case IR_IN:
    case IR_NOTIN:
        if ((rc = eval(ev, n->kid[0], &a, err)) || (rc = eval(ev, n->kid[1], &b, err))) break;
        if (n->op == IR_IS || n->op == IR_ISNOT) {
            *out = val_bool(same(&a, &b) == (n->op == IR_IS));
        } else if (!(rc = at(n, ops_contains(ev->ops, &a, &b, &t, err), err))) {
            *out = val_bool(n->op == IR_IN ? t : !t);
        }
        break;
    case IR_CHAIN:
        return eval_chain(ev, n, out, err);
    case IR_NOT:
        if ((rc = eval(ev, n->kid[0], &a, err))) return rc;
        if (!(rc = at(n, ops_truth(ev->ops, &a, &t, err), err))) *out = val_bool(!t);
        break;
    case IR_AND:
    case IR_OR:
        if ((rc = eval(ev, n->kid[0], &a, err))) return rc;
        if ((rc = at(n, ops_truth(ev->ops, &a, &t, err), err))) break;
        if (t == (n->op == IR_OR)) {
            *out = a;
            return 0;
        }
        val_drop(&a);
        return eval(ev, n->kid[1], out, err);
    case IR_IFEXP:
        if ((rc = eval(ev, n->kid[0], &a, err))) return rc;
        if ((rc = at(n, ops_truth(ev->ops, &a, &t, err), err))) break;
        val_drop(&a);
        return eval(ev, n->kid[t ? 1 : 2], out, err);
    case IR_LAMBDA:
        return make_func(ev, n, out, err);
    default:
        if (ir_is_elemwise(n) && n->op != IR_CALL) {
            /* An elementwise node outside a FUSE: node by node. */
            if ((rc = eval(ev, n->kid[0], &a, err))) return rc;
            if (ir_op_class(n->op) == IR_CLS_UN) {
                rc = ops_unop(ev->ops, n->op, &a, out, err);
            } else if (!(rc = eval(ev, n->kid[1], &b, err))) {
                rc = ops_binop(ev->ops, n->op, &a, &b, out, err);
            }
            rc = at(n, rc, err);
            break;
        }
        return err_set(err, PARC_EPROTO, n->at, "%s is not an expression", ir_op_name(n->op));
    }
    val_drop(&a);
    val_drop(&b);
    return rc;
}

/* ---- display ---- */

static int mpi_err(int mrc, err_t *err)
{
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(mrc, msg, &len);
    return err_set(err, PARC_EMPI, (span_t){0}, "%.*s", len, msg);
}

/* Collective: every rank's repr of its own value, shown on rank 0 as a list (as
 * ipyparallel's dview['c'] shows it). Rank 0 first gathers the lengths, then tells every
 * rank whether it could make room, so that no rank waits in a gather that never comes. */
static int display_pereng(eval_t *ev, const val_t *v, err_t *err)
{
    rt_t *rt = ev->rt;
    wbuf_t b, all;
    wbuf_init(&b);
    wbuf_init(&all);
    int saved = rt->local;
    rt->local = 1;
    int rc = repr_val(rt, &((const obj_pereng_t *)v->u.o)->v, 0, &b, err);
    rt->local = saved;
    if (b.oom && !rc) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    int len = rc ? 0 : (int)b.len, mrc, ok = 1;
    int *lens = NULL, *offs = NULL;
    char *buf = NULL;
    if (rt->rank == 0) {
        lens = mem_calloc((size_t)rt->nranks, sizeof *lens);
        offs = mem_calloc((size_t)rt->nranks, sizeof *offs);
        ok = lens && offs;
    }
    if ((mrc = MPI_Bcast(&ok, 1, MPI_INT, 0, rt->comm)) != MPI_SUCCESS) ok = 0;
    if (ok && (mrc = MPI_Gather(&len, 1, MPI_INT, lens, 1, MPI_INT, 0, rt->comm)) != MPI_SUCCESS)
        ok = 0;
    if (ok && rt->rank == 0) {
        size_t total = 0;
        for (int r = 0; r < rt->nranks; r++) {
            offs[r] = (int)total;
            total += (size_t)lens[r];
        }
        buf = mem_alloc(total + 1);
        ok = buf != NULL;
    }
    if ((mrc = MPI_Bcast(&ok, 1, MPI_INT, 0, rt->comm)) != MPI_SUCCESS) ok = 0;
    if (ok && (mrc = MPI_Gatherv(b.p ? (void *)b.p : (void *)"", len, MPI_CHAR, buf, lens, offs,
                                 MPI_CHAR, 0, rt->comm)) != MPI_SUCCESS)
        ok = 0;
    if (!ok && !rc)
        rc = mrc != MPI_SUCCESS ? mpi_err(mrc, err)
                                : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (!rc && rt->rank == 0 && !ev->silent) {
        wbuf_u8(&all, '[');
        for (int r = 0; r < rt->nranks; r++) {
            if (r) wbuf_printf(&all, ", ");
            wbuf_bytes(&all, buf + offs[r], (size_t)lens[r]);
        }
        wbuf_u8(&all, ']');
        if (all.oom)
            rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        else
            out_result(rt, (const char *)all.p, all.len, NULL, 0);
    }
    mem_free(lens);
    mem_free(offs);
    mem_free(buf);
    wbuf_free(&b);
    wbuf_free(&all);
    return rc;
}

static int display(eval_t *ev, const ir_node_t *n, const val_t *v, err_t *err)
{
    if (v->kind == V_NONE) return 0;
    if (v->kind == V_PERENG && !ev->rt->local) return at(n, display_pereng(ev, v, err), err);
    if (ev->silent) return 0;
    /* Scalars need no collective; arrays (and containers holding them) do. */
    int sends = ev->rt->local || ev->rt->rank == 0;
    if (v->kind != V_ARRAY && v->kind != V_TUPLE && v->kind != V_LIST && !sends) return 0;
    wbuf_t plain, html;
    wbuf_init(&plain);
    wbuf_init(&html);
    int rc;
    if (v->kind == V_ARRAY)
        rc = arr_repr(ev->rt, v->u.a, &plain, &html, err);
    else
        rc = repr_val(ev->rt, v, 0, &plain, err);
    if (!rc && (plain.oom || html.oom)) rc = err_set(err, PARC_ENOMEM, n->at, "out of memory");
    if (!rc && sends)
        out_result(ev->rt, (const char *)plain.p, plain.len, html.len ? (const char *)html.p : NULL,
                   html.len);
    wbuf_free(&plain);
    wbuf_free(&html);
    return at(n, rc, err);
}

/* ---- statements ---- */

/* Runs one iteration's body; returns 1 to stop the loop (break), else 0 / error / flow. */
static int loop_body(eval_t *ev, const ir_node_t *body, const ir_node_t *n, int *broke, err_t *err)
{
    int rc = at(n, rt_check(ev->rt, err), err);
    if (rc) return rc;
    ev->loops++;
    rc = exec(ev, body, err);
    ev->loops--;
    if (rc == FLOW_BREAK) {
        *broke = 1;
        return 0;
    }
    if (rc == FLOW_CONTINUE) return 0;
    return rc;
}

static size_t utf8_len(unsigned char c)
{
    return c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
}

static int do_for(eval_t *ev, const ir_node_t *n, err_t *err)
{
    val_t it;
    int rc = eval(ev, n->kid[1], &it, err), broke = 0;
    if (rc) return rc;
    const ir_node_t *tgt = n->kid[0], *body = n->kid[2];
    switch (it.kind) {
    case V_RANGE: {
        const obj_range_t *r = (const obj_range_t *)it.u.o;
        int64_t len = obj_range_len(r);
        for (int64_t i = 0; !rc && !broke && i < len; i++) {
            val_t x = val_int(r->start + i * r->step);
            if (!(rc = check_target(ev, tgt, &x, err)) && !(rc = bind(ev, tgt, &x, err)))
                rc = loop_body(ev, body, n, &broke, err);
        }
        break;
    }
    case V_TUPLE:
    case V_LIST: {
        const seq_t *s = (const seq_t *)it.u.o;
        for (size_t i = 0; !rc && !broke && i < s->n; i++) {
            val_t x = val_ref(s->v[i]);
            if (!(rc = check_target(ev, tgt, &x, err)) && !(rc = bind(ev, tgt, &x, err)))
                rc = loop_body(ev, body, n, &broke, err);
            val_drop(&x);
        }
        break;
    }
    case V_STR: {
        const str_t *s = (const str_t *)it.u.o;
        for (size_t i = 0; !rc && !broke && i < s->n;) {
            size_t k = utf8_len((unsigned char)s->s[i]);
            if (i + k > s->n) k = s->n - i;
            val_t x = val_str(s->s + i, k, err);
            i += k;
            if (x.kind == V_NONE) {
                rc = at(n, err->code, err);
                break;
            }
            if (!(rc = check_target(ev, tgt, &x, err)) && !(rc = bind(ev, tgt, &x, err)))
                rc = loop_body(ev, body, n, &broke, err);
            val_drop(&x);
        }
        break;
    }
    case V_ARRAY: {
        if (arr_ndim(it.u.a) == 0) {
            rc = err_set(err, PARC_ETYPE, n->kid[1]->at, "iteration over a 0-d array");
            break;
        }
        int64_t len = arr_shape(it.u.a)[0];
        for (int64_t i = 0; !rc && !broke && i < len; i++) {
            idx_t ix = {.kind = IDX_INT, .i = i};
            val_t x = val_none();
            rc = at(n->kid[1], arr_getitem(ev->rt, it.u.a, &ix, 1, &x, err), err);
            if (!rc && !(rc = check_target(ev, tgt, &x, err)) && !(rc = bind(ev, tgt, &x, err)))
                rc = loop_body(ev, body, n, &broke, err);
            val_drop(&x);
        }
        break;
    }
    default:
        rc = err_set(err, PARC_ETYPE, n->kid[1]->at, "'%s' object is not iterable",
                     val_kind_name(&it));
    }
    val_drop(&it);
    if (!rc && !broke && n->kid[3]->op != IR_NONE) rc = exec(ev, n->kid[3], err);
    return rc;
}

static int do_while(eval_t *ev, const ir_node_t *n, err_t *err)
{
    int broke = 0, rc = 0;
    while (!rc && !broke) {
        val_t c;
        int t;
        if ((rc = eval(ev, n->kid[0], &c, err))) return rc;
        rc = at(n->kid[0], ops_truth(ev->ops, &c, &t, err), err);
        val_drop(&c);
        if (rc) return rc;
        if (!t) break;
        rc = loop_body(ev, n->kid[1], n, &broke, err);
    }
    if (!rc && !broke && n->kid[2]->op != IR_NONE) rc = exec(ev, n->kid[2], err);
    return rc;
}

static int exec(eval_t *ev, const ir_node_t *n, err_t *err)
{
    int rc = 0, t;
    val_t v = val_none();
    switch (n->op) {
    case IR_BLOCK:
        for (uint32_t i = 0; i < n->nkid && !rc; i++)
            rc = exec(ev, n->kid[i], err);
        return rc;
    case IR_EXPR:
        rc = eval(ev, n->kid[0], &v, err);
        val_drop(&v);
        return rc;
    case IR_DISPLAY:
        if ((rc = eval(ev, n->kid[0], &v, err))) return rc;
        rc = display(ev, n, &v, err);
        val_drop(&v);
        return rc;
    case IR_ASSIGN:
        return do_assign(ev, n, err);
    case IR_AUGASSIGN:
        return do_augassign(ev, n, err);
    case IR_DEL:
        return do_del(ev, n, err);
    case IR_IF:
        if ((rc = eval(ev, n->kid[0], &v, err))) return rc;
        rc = at(n->kid[0], ops_truth(ev->ops, &v, &t, err), err);
        val_drop(&v);
        if (rc) return rc;
        return t ? exec(ev, n->kid[1], err) : exec(ev, n->kid[2], err);
    case IR_WHILE:
        return do_while(ev, n, err);
    case IR_FOR:
        return do_for(ev, n, err);
    case IR_BREAK:
        return FLOW_BREAK;
    case IR_CONTINUE:
        return FLOW_CONTINUE;
    case IR_PASS:
    case IR_NONE:
    case IR_GLOBAL:
        return 0;
    case IR_RETURN:
        if (!ev->fr) return err_set(err, PARC_ESYNTAX, n->at, "'return' outside function");
        if ((rc = eval(ev, n->kid[0], &v, err))) return rc;
        val_drop(&ev->ret);
        ev->ret = v;
        return FLOW_RETURN;
    case IR_DEF:
        if ((rc = make_func(ev, n, &v, err))) return rc;
        return at(n, store(ev, n->s, &v, err), err);
    default:
        /* An expression where a statement was expected: evaluate it. */
        rc = eval(ev, n, &v, err);
        val_drop(&v);
        return rc;
    }
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
    int rc = root ? exec(ev, root, err) : 0;
    if (rc > 0) rc = 0;
    val_drop(&ev->ret);
    if (rc < 0) {
        err->rank = ev->rt->rank;
        if (ev->ntb == 0) tb_push(ev, err->at, "");
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

/* ---- name records ---- */

static void func_sig(const obj_func_t *f, rt_t *rt, wbuf_t *out)
{
    wbuf_printf(out, "%s(", f->name);
    for (uint32_t i = 0; i < f->nparams; i++) {
        wbuf_printf(out, "%s%s", i ? ", " : "", f->locals[i]);
        if (f->has_default[i] && f->defaults[i].kind != V_ARRAY) {
            err_t e;
            err_clear(&e);
            wbuf_u8(out, '=');
            repr_val(rt, &f->defaults[i], 0, out, &e);
        }
    }
    wbuf_u8(out, ')');
}

static int holds_array(const val_t *v)
{
    if (v->kind == V_ARRAY) return 1;
    if (v->kind == V_TUPLE || v->kind == V_LIST) {
        const seq_t *s = (const seq_t *)v->u.o;
        for (size_t i = 0; i < s->n; i++)
            if (holds_array(&s->v[i])) return 1;
    }
    return 0;
}

static void name_record(eval_t *ev, const gent_t *e, wbuf_t *out)
{
    static const char *const kinds[V_NKINDS] = {
        "NoneType", "bool",     "int",     "float", "complex", "str",   "tuple",     "list",
        "ndarray",  "function", "builtin", "dtype", "range",   "slice", "per-engine"};
    const val_t *v = &e->v;
    wbuf_t sum;
    wbuf_init(&sum);
    char dtype[24] = "", shape[200] = "";
    wbuf_t dist;
    wbuf_init(&dist);
    uint64_t bytes = 0;
    if (v->kind == V_ARRAY) {
        const arr_t *a = v->u.a;
        snprintf(dtype, sizeof dtype, "%s", dt_name(arr_dtype(a)));
        int nd = arr_ndim(a);
        size_t len = 0;
        len += (size_t)snprintf(shape, sizeof shape, "(");
        for (int i = 0; i < nd && len < sizeof shape - 24; i++)
            len += (size_t)snprintf(shape + len, sizeof shape - len, "%s%lld", i ? ", " : "",
                                    (long long)arr_shape(a)[i]);
        snprintf(shape + len, sizeof shape - len, nd == 1 ? ",)" : ")");
        if (arr_is_dist(a)) arr_dist_text(a, &dist);
        bytes = arr_local_bytes(a);
    } else if (v->kind == V_FUNC) {
        func_sig((const obj_func_t *)v->u.o, ev->rt, &sum);
    } else if (!holds_array(v) && v->kind != V_PERENG) {
        err_t er;
        err_clear(&er);
        repr_val(ev->rt, v, 0, &sum, &er);
        if (val_is_num(v) && !v->weak) snprintf(dtype, sizeof dtype, "%s", dt_name(v->dtype));
        if (v->kind == V_STR) bytes = ((const str_t *)v->u.o)->n;
        if (val_is_num(v)) bytes = v->kind == V_COMPLEX ? 16 : 8;
    }
    const char *s = wbuf_cstring(&sum);
    size_t slen = strlen(s);
    wbuf_cstr(out, e->name);
    wbuf_cstr(out, v->kind < V_NKINDS ? kinds[v->kind] : "?");
    wbuf_cstr(out, dtype);
    wbuf_cstr(out, shape);
    wbuf_cstr(out, wbuf_cstring(&dist));
    wbuf_u64(out, bytes);
    wbuf_u8(out, e->per_engine);
    if (slen > 80) {
        char cut[84];
        memcpy(cut, s, 77);
        memcpy(cut + 77, "...", 4);
        wbuf_cstr(out, cut);
    } else {
        wbuf_str(out, s, slen);
    }
    wbuf_free(&sum);
    wbuf_free(&dist);
}

uint32_t eval_names(eval_t *ev, wbuf_t *out)
{
    uint32_t n = 0;
    for (size_t i = 0; i < ev->cap; i++)
        for (const gent_t *e = ev->tab[i]; e; e = e->next) {
            name_record(ev, e, out);
            n++;
        }
    return n;
}
