/* lazy.c - deferred arrays (see lazy.h): V_LAZY values, splicing recipes into trees, and
 * making them when something needs their elements.
 *
 * Decisions a reader could not guess:
 * - A recipe's leaves are numbers, None (a clip bound) and virtual random arrays; its
 *   nodes are copies in its own arena, so it outlives the cell that wrote it.
 * - Splicing copies recipes into the consuming tree, so a recipe never points at another
 *   V_LAZY: once a is made and changed (a[3] = 0), a tree spliced from a before still
 *   computes a's old values, as eager evaluation had already done.
 * - A recipe is drawn inside the loop only when every virtual leaf has the loop's shape and
 *   row layout (fuse.c's L_RANDOM); otherwise lazy_splice says KERN_GENERIC and the caller
 *   makes the leaves (lazy_force), so memory is what eager evaluation holds, never a
 *   temporary copy beside a reservation. */
#include "lazy.h"

#include <string.h>

#include "arrint.h"
#include "coll.h"
#include "fuse.h"
#include "mem.h"

#define LAZY_MAXNODES  64 /* a spliced tree beyond this runs as it is, its leaves made */
#define LAZY_MAXLEAVES 24

typedef struct lazy {
    obj_t h;
    rt_t *rt;        /* whose rt->deferred holds reserved */
    lazy_expr_t e;   /* the recipe; tree NULL: e.leaves[0] alone (a virtual random) */
    arr_t *meta;     /* the result's shape, dtype and layout (virtual, no chunk) */
    size_t reserved; /* bytes counted in rt->deferred until made */
    arr_t *made;     /* the array, once made */
} lazy_t;

int lazy_pending(const val_t *v)
{
    return v->kind == V_LAZY && !((const lazy_t *)v->u.o)->made;
}

int lazy_local(const val_t *v)
{
    return !((const lazy_t *)v->u.o)->meta->isdist;
}

void lazy_expr_free(lazy_expr_t *e)
{
    if (e->leaves) val_drop_n(e->leaves, e->nleaves);
    mem_free(e->leaves);
    arena_destroy(&e->ar);
    memset(e, 0, sizeof *e);
}

void lazy_fini(obj_t *o)
{
    lazy_t *z = (lazy_t *)o;
    if (!z->made && z->rt) z->rt->deferred -= z->reserved;
    lazy_expr_free(&z->e);
    arr_unref(&z->meta);
    arr_unref(&z->made);
}

/* A new V_LAZY standing for meta (taken), computed by e (taken), its bytes reserved. */
static int wrap(rt_t *rt, arr_t **meta, lazy_expr_t *e, val_t *out, err_t *err)
{
    lazy_t *z = mem_calloc(1, sizeof *z);
    if (!z) {
        arr_unref(meta);
        lazy_expr_free(e);
        return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    }
    z->h.refs = 1;
    z->h.kind = V_LAZY;
    z->rt = rt;
    z->e = *e;
    memset(e, 0, sizeof *e);
    z->meta = *meta;
    *meta = NULL;
    z->reserved = arr_local_bytes(z->meta);
    rt->deferred += z->reserved;
    *out = (val_t){.kind = V_LAZY};
    out->u.o = &z->h;
    return 0;
}

/* arri_agree in global view; in local view every rank goes its own way. */
static int agree(rt_t *rt, int rc, err_t *err)
{
    return rt->local ? rc : arri_agree(rt, rc, err);
}

int lazy_random(rt_t *rt, int kind, int ndim, const int64_t *shape, int dtype, double lo, double hi,
                const dist_spec_t *dist, val_t *out, err_t *err)
{
    arr_t *a = NULL;
    int rc = arri_random_virtual(rt, kind, ndim, shape, dtype, lo, hi, dist, &a, err);
    if (rc) return rc;
    if (!a->gen) {
        *out = val_array(&a);
        return 0;
    }
    /* agreed by arri_random_virtual: from here on every rank holds the recipe, or fails
     * alike only when out of memory for these few bytes (then every rank makes it now) */
    lazy_expr_t e = {0};
    e.leaves = mem_calloc(1, sizeof *e.leaves);
    int ok = e.leaves != NULL;
    if ((rt->local ? !ok : coll_agree(rt, ok ? 0 : PARC_ENOMEM)) == 0) {
        e.leaves[0] = val_array(&(arr_t *){arr_ref(a)});
        e.nleaves = 1;
        return wrap(rt, &a, &e, out, err);
    }
    mem_free(e.leaves);
    arr_t *m = NULL;
    rc = agree(rt, arri_realize(rt, a, &m, err), err);
    arr_unref(&a);
    if (rc) return rc;
    *out = val_array(&m);
    return 0;
}

/* ---- splicing ---- */

typedef struct {
    lazy_expr_t *e;
    size_t cap, nodes;
    int big; /* past LAZY_MAXNODES / LAZY_MAXLEAVES */
    int oom;
} sp_t;

static ir_node_t *leaf(sp_t *sp, span_t at, const val_t *v)
{
    lazy_expr_t *e = sp->e;
    if (e->nleaves >= LAZY_MAXLEAVES) {
        sp->big = 1;
        return NULL;
    }
    if (e->nleaves == sp->cap) {
        size_t cap = sp->cap ? sp->cap * 2 : 8;
        val_t *g = mem_realloc(e->leaves, cap * sizeof *g);
        if (!g) {
            sp->oom = 1;
            return NULL;
        }
        e->leaves = g;
        sp->cap = cap;
    }
    ir_node_t *n = ir_new(e->ar, IR_NAME, at, 0);
    if (!n) {
        sp->oom = 1;
        return NULL;
    }
    e->leaves[e->nleaves++] = val_ref(*v);
    return n;
}

/* Copies tree n, whose leaves are leaves[*k...], replacing pending leaves by recipes. */
static ir_node_t *copy(sp_t *sp, const ir_node_t *n, const val_t *leaves, size_t nleaves, size_t *k)
{
    if (++sp->nodes > LAZY_MAXNODES) sp->big = 1;
    if (sp->big || sp->oom) return NULL;
    if (!ir_is_elemwise(n)) {
        if (*k >= nleaves) {
            sp->oom = 1; /* cannot happen: count_leaves gave them */
            return NULL;
        }
        const val_t *v = &leaves[(*k)++];
        if (v->kind == V_LAZY && !lazy_pending(v)) {
            val_t a = {.kind = V_ARRAY};
            a.u.a = ((const lazy_t *)v->u.o)->made;
            return leaf(sp, n->at, &a);
        }
        if (!lazy_pending(v)) return leaf(sp, n->at, v);
        const lazy_t *z = (const lazy_t *)v->u.o;
        if (!z->e.tree) return leaf(sp, n->at, &z->e.leaves[0]);
        size_t j = 0;
        return copy(sp, z->e.tree, z->e.leaves, z->e.nleaves, &j);
    }
    ir_node_t *m = ir_new(sp->e->ar, n->op, n->at, n->nkid);
    if (!m) {
        sp->oom = 1;
        return NULL;
    }
    m->flags = n->flags;
    m->imm = n->imm;
    m->s = arena_strndup(sp->e->ar, n->s, n->slen);
    m->slen = n->slen;
    if (!m->s) sp->oom = 1;
    for (uint32_t i = 0; i < n->nkid && !sp->oom && !sp->big; i++) {
        if (n->op == IR_CALL && i == 0) {
            /* the callee (a BUILTIN), not a leaf */
            ir_node_t *c = ir_new(sp->e->ar, n->kid[0]->op, n->kid[0]->at, 0);
            if (!c) {
                sp->oom = 1;
                break;
            }
            c->imm = n->kid[0]->imm;
            m->kid[0] = c;
            continue;
        }
        m->kid[i] = copy(sp, n->kid[i], leaves, nleaves, k);
    }
    return sp->oom || sp->big ? NULL : m;
}

/* 1 when fuse_ will draw every virtual leaf of e inside its loop: each has the broadcast
 * shape of e's arrays and the row layout of the first distributed array of that shape,
 * which the loop runs on (fuse.c's layout rule); in local view (no leaf distributed) each
 * has the broadcast shape. */
static int in_loop(const lazy_expr_t *e)
{
    int nd = 0;
    int64_t sh[ARR_MAXDIM];
    for (size_t i = 0; i < e->nleaves; i++) {
        if (e->leaves[i].kind != V_ARRAY) continue;
        const arr_t *a = e->leaves[i].u.a;
        if (a->ndim > nd) {
            memmove(sh + (a->ndim - nd), sh, (size_t)nd * sizeof *sh);
            for (int d = 0; d < a->ndim - nd; d++)
                sh[d] = 1;
            nd = a->ndim;
        }
        for (int d = 0; d < a->ndim; d++) {
            int64_t *s = &sh[nd - a->ndim + d];
            if (*s == 1)
                *s = a->shape[d];
            else if (a->shape[d] != 1 && a->shape[d] != *s)
                return 0; /* eager says why */
        }
    }
    const arr_t *ref = NULL;
    int anydist = 0;
    for (size_t i = 0; i < e->nleaves; i++) {
        const arr_t *a = e->leaves[i].kind == V_ARRAY ? e->leaves[i].u.a : NULL;
        anydist |= a && a->isdist;
        if (!ref && a && a->isdist && a->ndim == nd &&
            !memcmp(a->shape, sh, (size_t)nd * sizeof *sh))
            ref = a;
    }
    for (size_t i = 0; i < e->nleaves; i++) {
        const arr_t *a = e->leaves[i].kind == V_ARRAY ? e->leaves[i].u.a : NULL;
        if (!a || !a->gen) continue;
        if (a->ndim != nd || memcmp(a->shape, sh, (size_t)nd * sizeof *sh)) return 0;
        if (!anydist) continue; /* local view: the loop runs over the whole shape */
        if (!ref || !dist_is_rows(&ref->dist) || !dist_equal(&a->dist, &ref->dist)) return 0;
    }
    return 1;
}

int lazy_splice(const ir_node_t *tree, const val_t *leaves, size_t nleaves, lazy_expr_t *out,
                err_t *err)
{
    memset(out, 0, sizeof *out);
    out->ar = arena_new();
    if (!out->ar) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    sp_t sp = {out, 0, 0, 0, 0};
    size_t k = 0;
    out->tree = copy(&sp, tree, leaves, nleaves, &k);
    if (sp.oom || sp.big || !in_loop(out)) {
        lazy_expr_free(out);
        return sp.oom ? err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory") : KERN_GENERIC;
    }
    return 0;
}

int lazy_fusible(const ir_node_t *tree, const val_t *leaves, size_t nleaves)
{
    val_t *as = mem_calloc(nleaves ? nleaves : 1, sizeof *as);
    if (!as) return 0;
    for (size_t i = 0; i < nleaves; i++) {
        as[i] = leaves[i];
        if (leaves[i].kind == V_LAZY) {
            const lazy_t *z = (const lazy_t *)leaves[i].u.o;
            as[i] = (val_t){.kind = V_ARRAY};
            as[i].u.a = z->made ? z->made : z->meta; /* borrowed */
        }
    }
    int ok = arr_fusible(tree, as, nleaves);
    mem_free(as);
    return ok;
}

int lazy_expr_of(const val_t *v, lazy_expr_t *out, err_t *err)
{
    const lazy_t *z = (const lazy_t *)v->u.o;
    memset(out, 0, sizeof *out);
    out->ar = arena_new();
    if (!out->ar) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    sp_t sp = {out, 0, 0, 0, 0};
    if (z->e.tree) {
        size_t k = 0;
        out->tree = copy(&sp, z->e.tree, z->e.leaves, z->e.nleaves, &k);
    } else {
        /* +x: a one-node program over the random leaf, which reductions along an axis
         * make into an array first like any other tree */
        ir_node_t *p = ir_new(out->ar, IR_POS, (span_t){0}, 1);
        if (p) p->kid[0] = leaf(&sp, (span_t){0}, &z->e.leaves[0]);
        out->tree = p && p->kid[0] ? p : NULL;
        sp.oom |= !out->tree;
    }
    if (sp.oom || sp.big) {
        lazy_expr_free(out);
        return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    }
    return 0;
}

/* ---- deferring and making ---- */

int lazy_defer(rt_t *rt, lazy_expr_t *e, val_t *out, err_t *err)
{
    fuse_t *f = NULL;
    /* the checks arr_fuse makes first: types, broadcasting, layout (Collective) */
    int rc = fuse_build_keep(rt, e->tree, e->leaves, e->nleaves, &f, err);
    if (rc) {
        if (rc != KERN_GENERIC && err->at.line == 0) err->at = e->tree->at; /* as arr_fuse */
        return rc;
    }
    /* distributed by rows, or in local view not distributed */
    int ok = (fuse_isdist(f) ? dist_is_rows(fuse_dist(f)) : rt->local) && fuse_ndim(f) > 0 &&
             !fuse_home(f) && fuse_quiet(f);
    arr_t *meta = NULL;
    /* then its MemoryError, as arri_new_dist (arri_new_out) gives it, agreed */
    if (ok && fuse_isdist(f))
        rc = arri_agree(rt, arri_virtual(rt, fuse_dtype(f), fuse_dist(f), &meta, err), err);
    else if (ok)
        rc = arri_virtual_local(rt, fuse_dtype(f), fuse_ndim(f), fuse_shape(f), &meta, err);
    fuse_free(&f);
    if (!ok) return KERN_GENERIC;
    if (rc) {
        arr_unref(&meta);
        return rc;
    }
    return wrap(rt, &meta, e, out, err);
}

int lazy_force(rt_t *rt, val_t *v, err_t *err)
{
    lazy_t *z = (lazy_t *)v->u.o;
    if (!z->made) {
        arr_t *a = NULL;
        int rc;
        /* its reservation becomes the chunk */
        rt->deferred -= z->reserved;
        if (!z->e.tree) {
            rc = agree(rt, arri_realize(rt, z->e.leaves[0].u.a, &a, err), err);
        } else {
            val_t r = val_none();
            rc = arr_fuse(rt, z->e.tree, z->e.leaves, z->e.nleaves, &r, err);
            if (!rc && r.kind == V_ARRAY) {
                a = r.u.a;
            } else if (!rc) {
                val_drop(&r);
                rc = err_set(err, PARC_ERUNTIME, (span_t){0}, "a deferred array made no array");
            }
        }
        if (rc) {
            rt->deferred += z->reserved;
            return rc;
        }
        z->reserved = 0;
        z->made = a;
        lazy_expr_free(&z->e);
    }
    val_t r = val_array(&(arr_t *){arr_ref(z->made)});
    val_drop(v);
    *v = r;
    return 0;
}
