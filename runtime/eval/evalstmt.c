/* evalstmt.c - the interpreter's statements (evali_exec): assignment and unpacking,
 * augmented assignment, del, if, while, for, return, def, and DISPLAY through show_.
 *
 * Decisions a reader could not guess:
 * - Statements return 0, a negative PARC_E* code, or a positive FLOW_* code (break,
 *   continue, return) that the enclosing loop or call consumes.
 * - A failed statement binds nothing: each assignment evaluates its whole right-hand side
 *   (and checks every unpacking) before the first name is bound; in global view at cell
 *   level the ranks also agree (coll_agree) that it worked everywhere.
 * - x op= v updates an array in place (as NumPy does) and rebinds anything else. */
#include <string.h>

#include "arr.h"
#include "coll.h"
#include "evalint.h"
#include "item.h"
#include "la.h"
#include "mem.h"
#include "globals.h"
#include "obj.h"
#include "ops.h"
#include "show.h"

/* ---- assignment ---- */

/* Checks that v can be bound to target t (unpacking counts, recursively) without binding. */
static int check_target(eval_t *ev, const ir_node_t *t, const val_t *v, err_t *err)
{
    if (t->op != IR_TUPLE && t->op != IR_LIST) return 0;
    val_t *items;
    size_t cnt;
    int rc = item_all(ev->rt, t, v, &items, &cnt, err);
    if (rc) return rc;
    if (cnt < t->nkid)
        rc = err_set(err, PARC_EVALUE, t->at, "not enough values to unpack (expected %u, got %zu)",
                     t->nkid, cnt);
    else if (cnt > t->nkid)
        rc = err_set(err, PARC_EVALUE, t->at, "too many values to unpack (expected %u)", t->nkid);
    for (size_t i = 0; !rc && i < cnt; i++)
        rc = check_target(ev, t->kid[i], &items[i], err);
    val_drop_n(items, cnt);
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
        return evali_at(t, evali_store(ev, t->s, &c, err), err);
    }
    case IR_TUPLE:
    case IR_LIST: {
        val_t *items;
        size_t cnt;
        if ((rc = item_all(ev->rt, t, v, &items, &cnt, err))) return rc;
        for (size_t i = 0; !rc && i < cnt && i < t->nkid; i++)
            rc = bind(ev, t->kid[i], &items[i], err);
        val_drop_n(items, cnt);
        mem_free(items);
        return rc;
    }
    case IR_SUBSCR: {
        val_t c, items[ITEM_MAXIDX];
        size_t ni = 0;
        if ((rc = evali_expr(ev, t->kid[0], &c, err))) return rc;
        if (!(rc = evali_index(ev, t->kid[1], items, &ni, err)))
            rc = item_set(ev->rt, t, &c, items, ni, v, err);
        val_drop_n(items, ni);
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
    int all = coll_agree(ev->rt, rc);
    if (all < 0 && rc == 0)
        return err_set(err, all, n->at, "the statement failed on another engine");
    return rc;
}

/* Global view, cell level, before a value is shown: agree() that it was computed on every
 * rank, and whether any rank holds it per engine (a name that %px bound on only some
 * engines, or over a global): then every rank shows it as a per-engine value, so all of
 * them or none enter the display's gather (Collective). */
static int agree_shown(eval_t *ev, const ir_node_t *n, int rc, val_t *v, err_t *err)
{
    if (ev->rt->local || ev->fr || ev->loops || ev->rt->nranks == 1) return rc;
    int all = coll_agree(ev->rt, rc ? rc : v->kind == V_PERENG ? 0 : 1);
    if (all < 0 && rc == 0)
        return err_set(err, all, n->at, "the statement failed on another engine");
    if (rc || all != 0 || v->kind == V_PERENG) return rc;
    *v = obj_pereng(v, err);
    return v->kind == V_PERENG ? 0 : evali_at(n, err->code, err);
}

static int do_assign(eval_t *ev, const ir_node_t *n, err_t *err)
{
    val_t v = val_none();
    const ir_node_t *rhs = n->kid[n->nkid - 1];
    int rc, done = 0;
    /* x[i] = elementwise tree: computed straight into x when it can be */
    if (n->nkid == 2 && n->kid[0]->op == IR_SUBSCR && rhs->op == IR_FUSE && !ev->rt->local)
        rc = evali_fuse_into(ev, n->kid[0], rhs, &v, &done, err);
    else if (n->nkid == 2 && n->kid[0]->op == IR_NAME)
        /* name = array expression: kept as a recipe until its elements are needed */
        rc = evali_expr_lazy(ev, rhs, &v, err);
    else
        rc = evali_expr(ev, rhs, &v, err);
    if (done) return rc;
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
    val_t items[ITEM_MAXIDX];
    size_t ni = 0;
    if (t->op == IR_NAME) {
        rc = evali_load(ev, t, &cur, err);
    } else if (t->op == IR_SUBSCR) {
        rc = evali_expr(ev, t->kid[0], &c, err);
        if (!rc) rc = evali_index(ev, t->kid[1], items, &ni, err);
        if (!rc) rc = item_get(ev->rt, t, &c, items, ni, &cur, err);
    } else {
        rc = err_set(err, PARC_ETYPE, t->at, "illegal expression for augmented assignment");
    }
    if (!rc) rc = evali_expr(ev, n->kid[1], &rhs, err);
    if (!rc && op == IR_MATMUL && cur.kind == V_ARRAY)
        rc = err_set(err, PARC_ETYPE, n->at,
                     "In-place matrix multiplication is not (yet) supported. Use 'a = a @ b' "
                     "instead of 'a @= b'.");
    else if (!rc && op == IR_MATMUL)
        rc = evali_at(n, la_product(ev->rt, ev->ops, LA_MATMUL, &cur, &rhs, &res, err), err);
    else if (!rc)
        rc = evali_at(n, ops_binop(ev->ops, op, &cur, &rhs, &res, err), err);
    if (!rc && cur.kind == V_ARRAY) {
        int rdt = res.kind == V_ARRAY ? arr_dtype(res.u.a) : res.dtype;
        rc = evali_at(n, arr_inplace_check(op, rdt, arr_dtype(cur.u.a), err), err);
    }
    rc = agree(ev, n, rc, err);
    if (!rc) {
        if (cur.kind == V_ARRAY) {
            idx_t all[ARR_MAXDIM];
            int nd = arr_ndim(cur.u.a);
            memset(all, 0, sizeof all);
            for (int i = 0; i < nd; i++)
                all[i].kind = IDX_SLICE, all[i].step = 1;
            rc = evali_at(n, arr_setitem(ev->rt, cur.u.a, all, nd, &res, err), err);
            /* x[I] with an index array or a bool is a copy: written back, as Python's
             * x[I] = x[I].__iadd__(v) does */
            int copy = 0;
            for (size_t i = 0; i < ni; i++)
                copy |= items[i].kind == V_ARRAY || items[i].kind == V_BOOL;
            if (!rc && t->op == IR_SUBSCR && copy)
                rc = item_set(ev->rt, t, &c, items, ni, &cur, err);
        } else if (t->op == IR_NAME) {
            rc = evali_at(t, evali_store(ev, t->s, &res, err), err);
        } else {
            rc = item_set(ev->rt, t, &c, items, ni, &res, err);
        }
    }
    val_drop_n(items, ni);
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
            long i = evali_slot(ev, t->s);
            if (i >= 0) {
                if (!ev->fr->bound[i])
                    return err_set(err, PARC_ENAME, t->at,
                                   "cannot access local variable '%s' where it is not associated "
                                   "with a value",
                                   t->s);
                val_drop(&ev->fr->vals[i]);
                ev->fr->bound[i] = 0;
            } else if (globals_del(ev->ns, t->s)) {
                return err_set(err, PARC_ENAME, t->at, "name '%s' is not defined", t->s);
            }
        } else if (t->op == IR_SUBSCR) {
            val_t c, items[ITEM_MAXIDX];
            size_t ni = 0;
            if ((rc = evali_expr(ev, t->kid[0], &c, err))) return rc;
            rc = evali_index(ev, t->kid[1], items, &ni, err);
            if (!rc && c.kind == V_LIST && ni == 1 && val_is_int(&items[0])) {
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
            val_drop_n(items, ni);
            val_drop(&c);
        } else {
            rc = err_set(err, PARC_ETYPE, t->at, "cannot delete this expression");
        }
        if (rc) return rc;
    }
    return 0;
}

/* ---- statements ---- */

/* Runs one iteration's body; returns 1 to stop the loop (break), else 0 / error / flow. */
static int loop_body(eval_t *ev, const ir_node_t *body, const ir_node_t *n, int *broke, err_t *err)
{
    int rc = evali_at(n, rt_poll(ev->rt, err), err);
    if (rc) return rc;
    ev->loops++;
    rc = evali_exec(ev, body, err);
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
    int rc = evali_expr(ev, n->kid[1], &it, err), broke = 0;
    if (rc) return rc;
    const ir_node_t *tgt = n->kid[0], *body = n->kid[2];
    if (it.kind == V_NPZ) { /* a mapping: its keys */
        val_t keys = val_ref(((const obj_npz_t *)it.u.o)->files);
        val_drop(&it);
        it = keys;
    }
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
    case V_ASYNC: {
        /* Each result in item order as soon as an engine ran it. */
        evali_farm_t fs;
        pmap_ctx_t pc;
        evali_farm(ev, n, &fs, &pc);
        for (uint32_t i = 0; !rc && !broke; i++) {
            val_t x = val_none();
            if ((rc = pmap_iter(&pc, &it, i, &x, err)) == 1) {
                rc = 0;
                break;
            }
            if (rc) rc = evali_at(n->kid[1], rc, err);
            if (!rc && !(rc = check_target(ev, tgt, &x, err)) && !(rc = bind(ev, tgt, &x, err)))
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
                rc = evali_at(n, err->code, err);
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
            rc = evali_at(n->kid[1], arr_getitem(ev->rt, it.u.a, &ix, 1, &x, err), err);
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
    if (!rc && !broke && n->kid[3]->op != IR_NONE) rc = evali_exec(ev, n->kid[3], err);
    return rc;
}

static int do_while(eval_t *ev, const ir_node_t *n, err_t *err)
{
    int broke = 0, rc = 0;
    while (!rc && !broke) {
        val_t c;
        int t;
        if ((rc = evali_expr(ev, n->kid[0], &c, err))) return rc;
        rc = evali_at(n->kid[0], ops_truth(ev->ops, &c, &t, err), err);
        val_drop(&c);
        if (rc) return rc;
        if (!t) break;
        rc = loop_body(ev, n->kid[1], n, &broke, err);
    }
    if (!rc && !broke && n->kid[2]->op != IR_NONE) rc = evali_exec(ev, n->kid[2], err);
    return rc;
}

int evali_exec(eval_t *ev, const ir_node_t *n, err_t *err)
{
    int rc = 0, t;
    val_t v = val_none();
    if (n->op != IR_BLOCK) rt_at(ev->rt, n->at.cell, n->at.line);
    switch (n->op) {
    case IR_BLOCK:
        for (uint32_t i = 0; i < n->nkid && !rc; i++)
            rc = evali_exec(ev, n->kid[i], err);
        return rc;
    case IR_EXPR:
        rc = agree(ev, n, evali_expr(ev, n->kid[0], &v, err), err);
        val_drop(&v);
        return rc;
    case IR_DISPLAY:
        rc = agree_shown(ev, n, evali_expr(ev, n->kid[0], &v, err), &v, err);
        if (!rc) rc = show_value(ev->rt, ev->silent, n, &v, err);
        val_drop(&v);
        return rc;
    case IR_ASSIGN:
        return do_assign(ev, n, err);
    case IR_AUGASSIGN:
        return do_augassign(ev, n, err);
    case IR_DEL:
        return do_del(ev, n, err);
    case IR_IF:
        if ((rc = agree(ev, n->kid[0], evali_expr(ev, n->kid[0], &v, err), err))) {
            val_drop(&v);
            return rc;
        }
        rc = evali_at(n->kid[0], ops_truth(ev->ops, &v, &t, err), err);
        val_drop(&v);
        if (rc) return rc;
        return t ? evali_exec(ev, n->kid[1], err) : evali_exec(ev, n->kid[2], err);
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
        if ((rc = evali_expr(ev, n->kid[0], &v, err))) return rc;
        val_drop(&ev->ret);
        ev->ret = v;
        return FLOW_RETURN;
    case IR_DEF:
        if ((rc = evali_make_func(ev, n, &v, err))) return rc;
        return evali_at(n, evali_store(ev, n->s, &v, err), err);
    default:
        /* An expression where a statement was expected: evaluate it. */
        rc = evali_expr(ev, n, &v, err);
        val_drop(&v);
        return rc;
    }
}
