/* evalexpr.c - the interpreter's expressions (evali_expr): literals, names, tuples and
 * lists, subscripts, comparisons and boolean operators, FUSE nodes, and calls.
 *
 * Decisions a reader could not guess:
 * - A FUSE node's leaves are evaluated here and the tree goes whole to arr_fuse; when that
 *   answers KERN_GENERIC (some leaf is neither a number nor an array: a string, a tuple ...)
 *   the tree is evaluated node by node through ops_ instead.
 * - A reduction whose argument is a FUSE node (sum(x * y)) gets the tree's leaves as its
 *   arguments and runs fused, without a full-size temporary.
 * - A call evaluates its callee and arguments once, then goes to call_ (builtins), attr_
 *   (methods) or evalfn.c (user functions). */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "arr.h"
#include "attr.h"
#include "builtins.h"
#include "call.h"
#include "evalint.h"
#include "item.h"
#include "la.h"
#include "lazy.h"
#include "mem.h"
#include "obj.h"
#include "ops.h"
#include "pmap.h"

/* Index items of x[...]: SLICE nodes become slice objects; a TUPLE is spread. */
int evali_index(eval_t *ev, const ir_node_t *n, val_t *items, size_t *nitems, err_t *err)
{
    const ir_node_t *const *kids = &n;
    size_t nk = 1;
    if (n->op == IR_TUPLE) {
        kids = (const ir_node_t *const *)n->kid;
        nk = n->nkid;
    }
    if (nk > ITEM_MAXIDX) return err_set(err, PARC_EINDEX, n->at, "too many indices");
    *nitems = 0;
    for (size_t i = 0; i < nk; i++) {
        const ir_node_t *k = kids[i];
        int rc;
        if (k->op == IR_SLICE) {
            val_t p[3] = {val_none(), val_none(), val_none()};
            for (int j = 0; j < 3; j++)
                if ((rc = evali_expr(ev, k->kid[j], &p[j], err))) {
                    for (int q = 0; q < j; q++)
                        val_drop(&p[q]);
                    return rc;
                }
            items[i] = obj_slice(&p[0], &p[1], &p[2], err);
            if (items[i].kind == V_NONE) return evali_at(k, err->code, err);
        } else if ((rc = evali_expr(ev, k, &items[i], err))) {
            return rc;
        }
        (*nitems)++;
    }
    return 0;
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

/* The leaves of tree n into vals[*k...]: a deferred leaf stays deferred (lazy.h), for the
 * fused loop to draw it in place. */
static int eval_leaves(eval_t *ev, const ir_node_t *n, val_t *vals, size_t *k, err_t *err)
{
    if (!ir_is_elemwise(n)) {
        int rc = evali_expr_lazy(ev, n, &vals[*k], err);
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
    val_t a[3] = {val_none(), val_none(), val_none()};
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
        rc = evali_at(n, rc, err);
    }
    val_drop(&a[0]);
    val_drop(&a[1]);
    val_drop(&a[2]);
    return rc;
}

/* Makes the deferred leaves among vals[0..n) (made once: their names see the arrays). */
static int force_leaves(eval_t *ev, const ir_node_t *at, val_t *vals, size_t n, err_t *err)
{
    for (size_t i = 0; i < n; i++) {
        if (vals[i].kind != V_LAZY) continue;
        int rc = lazy_force(ev->rt, &vals[i], err);
        if (rc) return evali_at(at, rc, err);
    }
    return 0;
}

/* Tree over vals[0..n) with its deferred leaves spliced in, into *e: 1 when spliced, 0
 * when nothing is deferred or it cannot be (the deferred leaves are made instead, as
 * eager evaluation has them), or PARC_E*. */
static int splice(eval_t *ev, const ir_node_t *at, const ir_node_t *tree, val_t *vals, size_t n,
                  lazy_expr_t *e, err_t *err)
{
    int pend = 0;
    for (size_t i = 0; i < n; i++)
        pend |= lazy_pending(&vals[i]);
    if (!pend) return force_leaves(ev, at, vals, n, err);
    /* only a tree that would run fused: its leaves numbers and arrays */
    int rc = lazy_fusible(tree, vals, n) ? lazy_splice(tree, vals, n, e, err) : KERN_GENERIC;
    if (rc == KERN_GENERIC) return force_leaves(ev, at, vals, n, err);
    return rc ? evali_at(at, rc, err) : 1;
}

/* 1 when evaluating subscript n twice does nothing more than once: names, literals,
 * slices, tuples, attributes, subscripts and operators, no calls. */
static int pure(const ir_node_t *n)
{
    int cls = ir_op_class(n->op);
    if (n->op == IR_CALL || n->op == IR_METHOD || n->op == IR_LAMBDA ||
        (cls != IR_CLS_LIT && cls != IR_CLS_BIN && cls != IR_CLS_CMP && cls != IR_CLS_UN &&
         n->op != IR_NAME && n->op != IR_TUPLE && n->op != IR_SLICE && n->op != IR_ATTR &&
         n->op != IR_SUBSCR && n->op != IR_FUSE))
        return 0;
    for (uint32_t i = 0; i < n->nkid; i++)
        if (!pure(n->kid[i])) return 0;
    return 1;
}

/* Writes tree (over leaves) into target t = x[i]: 0 or PARC_E* when done, KERN_GENERIC
 * when it could not (nothing done, err clear). */
static int fuse_into(eval_t *ev, const ir_node_t *t, const ir_node_t *tree, const val_t *leaves,
                     size_t nl, err_t *err)
{
    if (t->kid[0]->op != IR_NAME || !pure(t->kid[1])) return KERN_GENERIC;
    val_t c = val_none(), items[ITEM_MAXIDX];
    size_t ni = 0;
    int rc = evali_expr(ev, t->kid[0], &c, err);
    if (!rc) rc = evali_index(ev, t->kid[1], items, &ni, err);
    if (rc) {
        /* the usual assignment reports it, after the value's own errors */
        err_clear(err);
        rc = KERN_GENERIC;
    } else {
        rc = item_set_fused(ev->rt, t, &c, items, ni, tree, leaves, nl, err);
    }
    val_drop_n(items, ni);
    val_drop(&c);
    return rc;
}

/* FUSE node n: its value, or (t not NULL) written into target t, *done = 1. With lazy the
 * value may be deferred (lazy.h); deferred leaves are drawn inside the loop either way. */
static int run_fuse(eval_t *ev, const ir_node_t *n, const ir_node_t *t, val_t *out, int *done,
                    int lazy, err_t *err)
{
    const ir_node_t *tree = n->kid[0];
    size_t nl = count_leaves(tree), k = 0;
    val_t *leaves = mem_calloc(nl ? nl : 1, sizeof *leaves);
    if (!leaves) return err_set(err, PARC_ENOMEM, n->at, "out of memory");
    lazy_expr_t e = {0};
    int rc = eval_leaves(ev, tree, leaves, &k, err);
    if (!rc) rc = t ? force_leaves(ev, n, leaves, k, err) : splice(ev, n, tree, leaves, k, &e, err);
    if (rc == 1) {
        rc = lazy ? lazy_defer(ev->rt, &e, out, err) : KERN_GENERIC;
        if (rc == KERN_GENERIC) rc = arr_fuse(ev->rt, e.tree, e.leaves, e.nleaves, out, err);
        rc = evali_at(n, rc, err);
        *done = 1;
    }
    lazy_expr_free(&e);
    if (!rc && t && !*done) {
        rc = fuse_into(ev, t, tree, leaves, nl, err);
        *done = rc != KERN_GENERIC;
        rc = *done ? rc : 0;
    }
    if (!rc && !*done) {
        rc = arr_fuse(ev->rt, tree, leaves, nl, out, err);
        if (rc == KERN_GENERIC) {
            size_t j = 0;
            rc = gen_tree(ev, tree, leaves, &j, out, err);
        }
        rc = evali_at(n, rc, err);
    }
    if (!t) *done = 0;
    val_drop_n(leaves, k);
    mem_free(leaves);
    return rc;
}

static int eval_fuse(eval_t *ev, const ir_node_t *n, int lazy, val_t *out, err_t *err)
{
    int done = 0;
    return run_fuse(ev, n, NULL, out, &done, lazy, err);
}

int evali_fuse_into(eval_t *ev, const ir_node_t *t, const ir_node_t *fuse, val_t *v, int *done,
                    err_t *err)
{
    *done = 0;
    return run_fuse(ev, fuse, t, v, done, 0, err);
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

/* pmap_'s way to call a function value: a user function, a lambda or a builtin. */
static int farm_call(void *ud, const val_t *f, const val_t *args, size_t nargs, val_t *out,
                     err_t *err, char *fn, size_t cap)
{
    evali_farm_t *fs = ud;
    eval_t *ev = fs->ev;
    size_t ntb = ev->ntb;
    int rc;
    if (f->kind == V_FUNC) {
        rc = evali_call_user(ev, fs->site, (obj_func_t *)f->u.o, args, nargs, NULL, 0, out, err);
    } else {
        call_t c = {.rt = ev->rt,
                    .ops = ev->ops,
                    .at = fs->site->at,
                    .args = (val_t *)args,
                    .nargs = nargs};
        rc = call_builtin(&c, (int)f->u.i, out, err);
        snprintf(fn, cap, "%s", rc ? args_fname((int)f->u.i) : "");
    }
    if (rc && f->kind == V_FUNC) snprintf(fn, cap, "%s", ev->ntb > ntb ? ev->tb[ntb].fn : "");
    ev->ntb = ntb; /* the item's error is reported on its own, not as the cell's */
    return rc;
}

void evali_farm(eval_t *ev, const ir_node_t *site, evali_farm_t *fs, pmap_ctx_t *pc)
{
    fs->ev = ev;
    fs->site = site;
    *pc = (pmap_ctx_t){ev->rt, site->at, farm_call, fs, NULL};
}

/* The leaves of tree e as a reduction's first arguments: *args regrown to hold them and
 * rest more, *nargs set to their count. */
static int take_leaves(const ir_node_t *at, const lazy_expr_t *e, val_t **args, size_t rest,
                       size_t *nargs, err_t *err)
{
    val_t *g = mem_realloc(*args, (e->nleaves + rest + 1) * sizeof *g);
    if (!g) return err_set(err, PARC_ENOMEM, at->at, "out of memory");
    *args = g;
    for (size_t i = 0; i < e->nleaves; i++)
        g[i] = val_ref(e->leaves[i]);
    *nargs = e->nleaves;
    return 0;
}

/* CALL and METHOD: evaluate callee/self and arguments, then dispatch. defer: a random
 * array may come back deferred (lazy.h). */
static int eval_call(eval_t *ev, const ir_node_t *n, int defer, val_t *out, err_t *err)
{
    int method = n->op == IR_METHOD;
    val_t callee = val_none();
    int bi = -1, rc = 0;
    const ir_node_t *k0 = n->kid[0];
    int rbi = method ? bi_lookup(n->s, strlen(n->s)) : -1;
    int red = rbi >= 0 && bi_info(rbi)->kind == BI_K_REDUCE;
    /* (x * y).sum(axis=0) is sum(x * y, axis=0): fused, with no temporary */
    int redm = method && k0->op == IR_FUSE && red;
    if (redm) {
        bi = rbi;
        method = 0;
    } else if (!method && k0->op == IR_BUILTIN) {
        bi = (int)k0->imm.i;
    } else if ((rc = red ? evali_expr_lazy(ev, k0, &callee, err)
                         : evali_expr(ev, k0, &callee, err))) {
        return rc;
    }
    /* x.sum() of a deferred x is sum over its recipe, drawn in the loop */
    int lself = method && lazy_pending(&callee);
    if (lself) {
        bi = rbi;
        method = 0;
    }
    if (!method && callee.kind == V_BUILTIN) bi = (int)callee.u.i;
    if (!method && callee.kind == V_DTYPE) bi = dtype_builtin((int)callee.u.i);
    size_t na = n->nkid - 1, nargs = 0, nkw = 0, nleaves = 0;
    val_t *args = mem_calloc(na ? na : 1, sizeof *args);
    call_kw_t *kw = mem_calloc(na ? na : 1, sizeof *kw);
    const ir_node_t *tree = NULL;
    lazy_expr_t ex = {0};
    if (!args || !kw) rc = err_set(err, PARC_ENOMEM, n->at, "out of memory");
    const bi_info_t *info = bi >= 0 ? bi_info(bi) : NULL;
    uint32_t first = 1;
    /* A reduction over an elementwise tree runs fused: its leaves become the arguments. */
    const ir_node_t *fz = redm ? k0 : n->nkid >= 2 ? n->kid[1] : NULL;
    int isred = info && info->kind == BI_K_REDUCE;
    if (!rc && isred && !lself && fz && fz->op != IR_FUSE && fz->op != IR_KWARG && !redm &&
        evali_defer_ok(ev)) {
        /* sum(x) of a deferred x: the same, else x is the first argument */
        val_t v = val_none();
        if (!(rc = evali_expr_lazy(ev, fz, &v, err))) {
            first = 2;
            if (lazy_pending(&v)) {
                val_drop(&callee);
                callee = v;
                lself = 1;
            } else {
                args[nargs++] = v;
                rc = force_leaves(ev, fz, args, nargs, err);
            }
        }
    }
    if (!rc && lself) {
        rc = lazy_expr_of(&callee, &ex, err);
        val_drop(&callee);
        if (!rc) rc = take_leaves(n, &ex, &args, na, &nargs, err);
        if (!rc) {
            tree = ex.tree;
            nleaves = nargs;
        }
    } else if (!rc && isred && fz && fz->op == IR_FUSE) {
        const ir_node_t *t = fz->kid[0];
        size_t nl = count_leaves(t);
        val_t *grown = mem_realloc(args, (na + nl) * sizeof *args);
        if (!grown) {
            rc = err_set(err, PARC_ENOMEM, n->at, "out of memory");
        } else {
            args = grown;
            memset(args, 0, (na + nl) * sizeof *args);
            rc = eval_leaves(ev, t, args, &nargs, err);
            if (!rc) rc = splice(ev, fz, t, args, nargs, &ex, err);
            if (rc == 1) {
                /* deferred leaves: the spliced tree's leaves instead */
                val_drop_n(args, nargs);
                nargs = 0;
                rc = take_leaves(n, &ex, &args, na, &nargs, err);
                t = ex.tree;
                nl = nargs;
            }
            if (!rc && arr_fusible(t, args, nargs)) {
                tree = t;
                nleaves = nl;
            } else if (!rc) {
                val_t v = val_none();
                size_t j = 0;
                rc = gen_tree(ev, t, args, &j, &v, err);
                val_drop_n(args, nargs);
                nargs = 0;
                if (!rc && redm) {
                    /* not an array: the method of whatever the tree gave */
                    callee = v;
                    method = 1;
                } else if (!rc) {
                    args[nargs++] = v;
                }
            }
        }
    }
    if (isred && !lself && fz && fz->op == IR_FUSE) first = redm ? 1 : 2;
    for (uint32_t i = first; !rc && i < n->nkid; i++) {
        const ir_node_t *a = n->kid[i];
        if (a->op == IR_KWARG) {
            for (size_t j = 0; j < nkw; j++)
                if (strcmp(kw[j].name, a->s) == 0)
                    rc = err_set(err, PARC_ESYNTAX, a->at, "keyword argument repeated: %s", a->s);
            if (!rc && !(rc = evali_expr(ev, a->kid[0], &kw[nkw].v, err))) kw[nkw++].name = a->s;
        } else {
            rc = evali_expr(ev, a, &args[nargs], err);
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
                    .nleaves = nleaves,
                    .defer = defer && evali_defer_ok(ev)};
        evali_farm_t fs;
        pmap_ctx_t pc;
        evali_farm(ev, n, &fs, &pc);
        if (method && callee.kind == V_ASYNC) {
            rc = pmap_method(&pc, &c, &callee, n->s, out, err);
        } else if (method) {
            rc = attr_method(&c, &callee, n->s, out, err);
        } else if (bi == BI_PMAP || bi == BI_APPLY || bi == BI_PMAP_ASYNC) {
            /* the farm's functions read globals in local view: arrays by then */
            rc = evali_force_globals(ev, err);
            if (!rc) rc = pmap_call(&pc, bi, args, nargs, kw, nkw, out, err);
        } else if (bi == BI_SLEEP && pmap_pending(ev->rt)) {
            rc = pmap_sleep(&pc, &c, out, err);
        } else if (bi == BI_FROMFUNCTION) {
            rc = evali_fromfunction(ev, n, &c, out, err);
        } else if (bi >= 0)
            rc = call_builtin(&c, bi, out, err);
        else if (callee.kind == V_FUNC)
            rc = evali_call_user(ev, n, (obj_func_t *)callee.u.o, args, nargs, kw, nkw, out, err);
        else
            rc = err_set(err, PARC_ETYPE, n->at, "'%s' object is not callable",
                         val_kind_name(&callee));
        rc = evali_at(n, rc, err);
    }
    if (args) val_drop_n(args, nargs);
    for (size_t j = 0; j < nkw; j++)
        val_drop(&kw[j].v);
    mem_free(args);
    mem_free(kw);
    val_drop(&callee);
    lazy_expr_free(&ex);
    return rc;
}

/* ---- expressions ---- */

static int same(const val_t *a, const val_t *b)
{
    if (a->kind != b->kind) return 0;
    switch (a->kind) {
    case V_NONE:
    case V_ELLIPSIS:
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
    if (s.kind == V_NONE) return evali_at(n, err->code, err);
    for (uint32_t i = 0; i < n->nkid; i++) {
        int rc = evali_expr(ev, n->kid[i], &((seq_t *)s.u.o)->v[i], err);
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
    int rc = evali_expr(ev, n->kid[0], &left, err);
    for (uint32_t i = 1; !rc && i < n->nkid; i++) {
        if ((rc = evali_expr(ev, n->kid[i], &right, err))) break;
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
        rc = evali_at(n, rc, err);
        if (!rc && i + 1 < n->nkid) rc = evali_at(n, ops_truth(ev->ops, &r, &t, err), err);
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

int evali_expr(eval_t *ev, const ir_node_t *n, val_t *out, err_t *err)
{
    int rc = 0, t = 0;
    val_t a = val_none(), b = val_none();
    *out = val_none();
    switch (n->op) {
    case IR_NONE:
        return 0;
    case IR_ELLIPSIS:
        out->kind = V_ELLIPSIS;
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
        return evali_at(n, err->code, err);
    case IR_BUILTIN:
        *out = call_builtin_value((int)n->imm.i);
        return 0;
    case IR_NAME:
        return evali_load(ev, n, out, err);
    case IR_TUPLE:
        return eval_seq(ev, n, V_TUPLE, out, err);
    case IR_LIST:
        return eval_seq(ev, n, V_LIST, out, err);
    case IR_ATTR:
        if ((rc = evali_expr(ev, n->kid[0], &a, err))) return rc;
        if (a.kind == V_ASYNC) {
            evali_farm_t fs;
            pmap_ctx_t pc;
            evali_farm(ev, n, &fs, &pc);
            rc = pmap_attr(&pc, &a, n->s, out, err);
        } else {
            rc = attr_get(ev->rt, &a, n->s, n->at, out, err);
        }
        val_drop(&a);
        return evali_at(n, rc, err);
    case IR_SUBSCR: {
        val_t items[ITEM_MAXIDX];
        size_t ni = 0;
        if ((rc = evali_expr(ev, n->kid[0], &a, err))) return rc;
        if (!(rc = evali_index(ev, n->kid[1], items, &ni, err)))
            rc = item_get(ev->rt, n, &a, items, ni, out, err);
        val_drop_n(items, ni);
        val_drop(&a);
        return rc;
    }
    case IR_SLICE:
        return err_set(err, PARC_ESYNTAX, n->at, "a slice is only allowed inside []");
    case IR_CALL:
    case IR_METHOD:
        return eval_call(ev, n, 0, out, err);
    case IR_FUSE:
        return eval_fuse(ev, n, 0, out, err);
    case IR_MATMUL:
        if ((rc = evali_expr(ev, n->kid[0], &a, err)) || (rc = evali_expr(ev, n->kid[1], &b, err)))
            break;
        rc = evali_at(n, la_product(ev->rt, ev->ops, LA_MATMUL, &a, &b, out, err), err);
        break;
    case IR_IS:
    case IR_ISNOT:
    case IR_IN:
    case IR_NOTIN:
        if ((rc = evali_expr(ev, n->kid[0], &a, err)) || (rc = evali_expr(ev, n->kid[1], &b, err)))
            break;
        if (n->op == IR_IS || n->op == IR_ISNOT) {
            *out = val_bool(same(&a, &b) == (n->op == IR_IS));
        } else if (!(rc = evali_at(n, ops_contains(ev->ops, &a, &b, &t, err), err))) {
            *out = val_bool(n->op == IR_IN ? t : !t);
        }
        break;
    case IR_CHAIN:
        return eval_chain(ev, n, out, err);
    case IR_NOT:
        if ((rc = evali_expr(ev, n->kid[0], &a, err))) return rc;
        if (!(rc = evali_at(n, ops_truth(ev->ops, &a, &t, err), err))) *out = val_bool(!t);
        break;
    case IR_AND:
    case IR_OR:
        if ((rc = evali_expr(ev, n->kid[0], &a, err))) return rc;
        if ((rc = evali_at(n, ops_truth(ev->ops, &a, &t, err), err))) break;
        if (t == (n->op == IR_OR)) {
            *out = a;
            return 0;
        }
        val_drop(&a);
        return evali_expr(ev, n->kid[1], out, err);
    case IR_IFEXP:
        if ((rc = evali_expr(ev, n->kid[0], &a, err))) return rc;
        if ((rc = evali_at(n, ops_truth(ev->ops, &a, &t, err), err))) break;
        val_drop(&a);
        return evali_expr(ev, n->kid[t ? 1 : 2], out, err);
    case IR_LAMBDA:
        return evali_make_func(ev, n, out, err);
    default:
        if (ir_is_elemwise(n) && n->op != IR_CALL) {
            /* An elementwise node outside a FUSE: node by node. */
            if ((rc = evali_expr(ev, n->kid[0], &a, err))) return rc;
            if (ir_op_class(n->op) == IR_CLS_UN) {
                rc = ops_unop(ev->ops, n->op, &a, out, err);
            } else if (!(rc = evali_expr(ev, n->kid[1], &b, err))) {
                rc = ops_binop(ev->ops, n->op, &a, &b, out, err);
            }
            rc = evali_at(n, rc, err);
            break;
        }
        return err_set(err, PARC_EPROTO, n->at, "%s is not an expression", ir_op_name(n->op));
    }
    val_drop(&a);
    val_drop(&b);
    return rc;
}

int evali_expr_lazy(eval_t *ev, const ir_node_t *n, val_t *out, err_t *err)
{
    if (!evali_defer_ok(ev)) return evali_expr(ev, n, out, err);
    *out = val_none();
    switch (n->op) {
    case IR_NAME:
        return evali_load_lazy(ev, n, out, err);
    case IR_CALL:
        return eval_call(ev, n, 1, out, err);
    case IR_FUSE:
        return eval_fuse(ev, n, 1, out, err);
    default:
        return evali_expr(ev, n, out, err);
    }
}
