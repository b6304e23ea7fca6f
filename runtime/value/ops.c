/* ops.c - generic operators (see ops.h). Array operands are handed to arr_fuse through a
 * scratch IR tree kept in ops_t (a BIN/UN node or a ufunc CALL over NONE leaves), so an
 * operation the fused path declined still runs on the same kernels. */
#include "ops.h"

#include <string.h>

#include "arena.h"
#include "arr.h"
#include "builtins.h"
#include "mem.h"
#include "obj.h"

struct ops {
    rt_t *rt;
    arena_t *a;
    ir_node_t *bin;   /* BIN/CMP node over two NONE leaves; op set per use */
    ir_node_t *un;    /* UN node over one NONE leaf */
    ir_node_t *call1; /* CALL(BUILTIN, NONE) for UFUNC1 */
    ir_node_t *call2; /* CALL(BUILTIN, NONE, NONE) for UFUNC2 */
    ir_node_t *call3; /* CALL(BUILTIN, NONE, NONE, NONE) for UFUNC3 */
};

static ir_node_t *leafy(arena_t *a, int op, uint32_t n, int builtin)
{
    ir_node_t *t = ir_new(a, op, (span_t){0}, n);
    if (!t) return NULL;
    for (uint32_t i = 0; i < n; i++) {
        t->kid[i] = ir_new(a, (builtin && i == 0) ? IR_BUILTIN : IR_NONE, (span_t){0}, 0);
        if (!t->kid[i]) return NULL;
    }
    return t;
}

ops_t *ops_new(rt_t *rt)
{
    ops_t *o = mem_calloc(1, sizeof *o);
    if (!o) return NULL;
    o->rt = rt;
    o->a = arena_new();
    if (!o->a || !(o->bin = leafy(o->a, IR_ADD, 2, 0)) || !(o->un = leafy(o->a, IR_NEG, 1, 0)) ||
        !(o->call1 = leafy(o->a, IR_CALL, 2, 1)) || !(o->call2 = leafy(o->a, IR_CALL, 3, 1)) ||
        !(o->call3 = leafy(o->a, IR_CALL, 4, 1))) {
        ops_destroy(&o);
        return NULL;
    }
    return o;
}

void ops_destroy(ops_t **op)
{
    if (!*op) return;
    arena_destroy(&(*op)->a);
    mem_free(*op);
    *op = NULL;
}

const char *ops_symbol(int irop)
{
    switch (irop) {
    case IR_ADD:
        return "+";
    case IR_SUB:
        return "-";
    case IR_MUL:
        return "*";
    case IR_DIV:
        return "/";
    case IR_FLOORDIV:
        return "//";
    case IR_MOD:
        return "%";
    case IR_POW:
        return "**";
    case IR_LSHIFT:
        return "<<";
    case IR_RSHIFT:
        return ">>";
    case IR_BITAND:
        return "&";
    case IR_BITOR:
        return "|";
    case IR_BITXOR:
        return "^";
    case IR_MATMUL:
        return "@";
    case IR_LT:
        return "<";
    case IR_LE:
        return "<=";
    case IR_GT:
        return ">";
    case IR_GE:
        return ">=";
    case IR_EQ:
        return "==";
    case IR_NE:
        return "!=";
    case IR_NEG:
        return "-";
    case IR_POS:
        return "+";
    case IR_INVERT:
        return "~";
    default:
        return "?";
    }
}

static int num_or_arr(const val_t *v)
{
    return val_is_num(v) || v->kind == V_ARRAY;
}

static int pereng_error(err_t *err)
{
    return err_set(err, PARC_ETYPE, (span_t){0},
                   "a per-engine value (defined in local view) can only be used in %%px, or "
                   "gathered with from_local()");
}

static val_t str_concat(const str_t *a, const str_t *b, err_t *err)
{
    val_t v = val_str(NULL, 0, err);
    if (v.kind == V_NONE) return v;
    val_drop(&v);
    size_t n;
    if (mem_add(a->n, b->n, &n)) {
        err_set(err, PARC_ENOMEM, (span_t){0}, "string too long");
        return val_none();
    }
    char *buf = mem_alloc(n + 1);
    if (!buf) {
        err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        return val_none();
    }
    memcpy(buf, a->s, a->n);
    memcpy(buf + a->n, b->s, b->n);
    v = val_str(buf, n, err);
    mem_free(buf);
    return v;
}

static int str_repeat(const str_t *s, int64_t k, val_t *out, err_t *err)
{
    if (k < 0) k = 0;
    size_t n;
    if (mem_mul(s->n, (size_t)k, &n) || n > ((size_t)1 << 31))
        return err_set(err, PARC_EOVERFLOW, (span_t){0}, "repeated string is too long");
    char *buf = mem_alloc(n + 1);
    if (!buf) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    for (int64_t i = 0; i < k; i++)
        memcpy(buf + (size_t)i * s->n, s->s, s->n);
    *out = val_str(buf, n, err);
    mem_free(buf);
    return out->kind == V_STR ? 0 : err->code;
}

/* Concatenation of two sequences of the same kind, or one repeated k times (b NULL). */
static int seq_combine(int kind, const seq_t *a, const seq_t *b, int64_t k, val_t *out, err_t *err)
{
    size_t n;
    if (b) {
        if (mem_add(a->n, b->n, &n)) return err_set(err, PARC_ENOMEM, (span_t){0}, "too long");
    } else {
        if (k < 0) k = 0;
        if (mem_mul(a->n, (size_t)k, &n) || n > ((size_t)1 << 28))
            return err_set(err, PARC_EOVERFLOW, (span_t){0}, "repeated sequence is too long");
    }
    val_t r = val_seq(kind, n, err);
    if (r.kind == V_NONE) return err->code;
    seq_t *s = (seq_t *)r.u.o;
    size_t j = 0;
    if (b) {
        for (size_t i = 0; i < a->n; i++)
            s->v[j++] = val_ref(a->v[i]);
        for (size_t i = 0; i < b->n; i++)
            s->v[j++] = val_ref(b->v[i]);
    } else {
        for (int64_t r2 = 0; r2 < k; r2++)
            for (size_t i = 0; i < a->n; i++)
                s->v[j++] = val_ref(a->v[i]);
    }
    *out = r;
    return 0;
}

static int is_intlike(const val_t *v)
{
    return v->kind == V_INT || v->kind == V_BOOL;
}

int ops_equal(const val_t *a, const val_t *b)
{
    if (val_is_num(a) && val_is_num(b)) {
        val_t r;
        err_t e;
        err_clear(&e);
        if (arr_scalar_binop(NULL, IR_EQ, a, b, &r, &e)) return 0;
        return r.u.i != 0;
    }
    if (a->kind != b->kind) return 0;
    switch (a->kind) {
    case V_NONE:
    case V_ELLIPSIS:
        return 1;
    case V_STR: {
        const str_t *x = (const str_t *)a->u.o, *y = (const str_t *)b->u.o;
        return x->n == y->n && memcmp(x->s, y->s, x->n) == 0;
    }
    case V_TUPLE:
    case V_LIST: {
        const seq_t *x = (const seq_t *)a->u.o, *y = (const seq_t *)b->u.o;
        if (x->n != y->n) return 0;
        for (size_t i = 0; i < x->n; i++)
            if (!ops_equal(&x->v[i], &y->v[i])) return 0;
        return 1;
    }
    case V_RANGE: {
        const obj_range_t *x = (const obj_range_t *)a->u.o, *y = (const obj_range_t *)b->u.o;
        return x->start == y->start && x->stop == y->stop && x->step == y->step;
    }
    case V_BUILTIN:
    case V_DTYPE:
        return a->u.i == b->u.i;
    case V_ARRAY:
        return a->u.a == b->u.a;
    default:
        return a->u.o == b->u.o;
    }
}

/* Three-way comparison of strings or sequences; -2 when not orderable. */
static int order(const val_t *a, const val_t *b, ops_t *o, err_t *err)
{
    if (a->kind == V_STR && b->kind == V_STR) {
        const str_t *x = (const str_t *)a->u.o, *y = (const str_t *)b->u.o;
        size_t n = x->n < y->n ? x->n : y->n;
        int c = memcmp(x->s, y->s, n);
        if (c) return c < 0 ? -1 : 1;
        return x->n < y->n ? -1 : x->n > y->n;
    }
    if (a->kind == b->kind && (a->kind == V_TUPLE || a->kind == V_LIST)) {
        const seq_t *x = (const seq_t *)a->u.o, *y = (const seq_t *)b->u.o;
        for (size_t i = 0; i < x->n && i < y->n; i++) {
            if (ops_equal(&x->v[i], &y->v[i])) continue;
            val_t r;
            if (val_is_num(&x->v[i]) && val_is_num(&y->v[i])) {
                if (ops_binop(o, IR_LT, &x->v[i], &y->v[i], &r, err)) return -3;
                return r.u.i ? -1 : 1;
            }
            int c = order(&x->v[i], &y->v[i], o, err);
            return c;
        }
        return x->n < y->n ? -1 : x->n > y->n;
    }
    return -2;
}

static int fuse2(ops_t *o, int irop, const val_t *a, const val_t *b, val_t *out, err_t *err)
{
    val_t leaves[2] = {*a, *b};
    o->bin->op = (uint16_t)irop;
    int rc = arr_fuse(o->rt, o->bin, leaves, 2, out, err);
    if (rc == KERN_GENERIC)
        return err_set(err, PARC_ETYPE, (span_t){0}, "unsupported operand type(s) for %s",
                       ops_symbol(irop));
    return rc;
}

int ops_binop(ops_t *o, int irop, const val_t *a, const val_t *b, val_t *out, err_t *err)
{
    if (a->kind == V_PERENG || b->kind == V_PERENG) return pereng_error(err);
    if (val_is_num(a) && val_is_num(b)) return arr_scalar_binop(o->rt, irop, a, b, out, err);
    if (num_or_arr(a) && num_or_arr(b)) return fuse2(o, irop, a, b, out, err);
    int cmp = ir_op_class(irop) == IR_CLS_CMP;
    if (irop == IR_EQ || irop == IR_NE) {
        int eq = ops_equal(a, b);
        *out = val_bool(irop == IR_EQ ? eq : !eq);
        return 0;
    }
    if (cmp) {
        int c = order(a, b, o, err);
        if (c == -3) return err->code;
        if (c == -2)
            return err_set(err, PARC_ETYPE, (span_t){0},
                           "'%s' not supported between instances of '%s' and '%s'",
                           ops_symbol(irop), val_kind_name(a), val_kind_name(b));
        int r = irop == IR_LT ? c < 0 : irop == IR_LE ? c <= 0 : irop == IR_GT ? c > 0 : c >= 0;
        *out = val_bool(r);
        return 0;
    }
    if (irop == IR_ADD && a->kind == V_STR && b->kind == V_STR) {
        *out = str_concat((const str_t *)a->u.o, (const str_t *)b->u.o, err);
        return out->kind == V_STR ? 0 : err->code;
    }
    if (irop == IR_ADD && a->kind == b->kind && (a->kind == V_TUPLE || a->kind == V_LIST))
        return seq_combine(a->kind, (const seq_t *)a->u.o, (const seq_t *)b->u.o, 0, out, err);
    if (irop == IR_MUL) {
        const val_t *s = is_intlike(b) ? a : b, *k = is_intlike(b) ? b : a;
        if (is_intlike(k) && s->kind == V_STR)
            return str_repeat((const str_t *)s->u.o, k->u.i, out, err);
        if (is_intlike(k) && (s->kind == V_TUPLE || s->kind == V_LIST))
            return seq_combine(s->kind, (const seq_t *)s->u.o, NULL, k->u.i, out, err);
    }
    if (irop == IR_MUL) {
        int sa = a->kind == V_STR || a->kind == V_TUPLE || a->kind == V_LIST;
        int sb = b->kind == V_STR || b->kind == V_TUPLE || b->kind == V_LIST;
        if (sa || sb)
            return err_set(err, PARC_ETYPE, (span_t){0},
                           "can't multiply sequence by non-int of type '%s'",
                           val_kind_name(sa ? b : a));
    }
    return err_set(err, PARC_ETYPE, (span_t){0},
                   "unsupported operand type(s) for %s: '%s' and '%s'", ops_symbol(irop),
                   val_kind_name(a), val_kind_name(b));
}

int ops_unop(ops_t *o, int irop, const val_t *a, val_t *out, err_t *err)
{
    if (a->kind == V_PERENG) return pereng_error(err);
    if (val_is_num(a)) return arr_scalar_unop(o->rt, irop, a, out, err);
    if (a->kind == V_ARRAY) {
        o->un->op = (uint16_t)irop;
        int rc = arr_fuse(o->rt, o->un, a, 1, out, err);
        if (rc != KERN_GENERIC) return rc;
    }
    return err_set(err, PARC_ETYPE, (span_t){0}, "bad operand type for unary %s: '%s'",
                   ops_symbol(irop), val_kind_name(a));
}

int ops_ufunc(ops_t *o, int bi, const val_t *args, size_t nargs, val_t *out, err_t *err)
{
    const bi_info_t *info = bi_info(bi);
    int all_num = 1, ok = 1;
    for (size_t i = 0; i < nargs; i++) {
        if (args[i].kind == V_PERENG) return pereng_error(err);
        all_num &= val_is_num(&args[i]);
        ok &= num_or_arr(&args[i]);
    }
    if (all_num) return arr_scalar_ufunc(o->rt, bi, args, nargs, out, err);
    if (ok && nargs >= 1 && nargs <= 3) {
        ir_node_t *t = nargs == 1 ? o->call1 : nargs == 2 ? o->call2 : o->call3;
        t->kid[0]->imm.i = bi;
        int rc = arr_fuse(o->rt, t, args, nargs, out, err);
        if (rc != KERN_GENERIC) return rc;
    }
    for (size_t i = 0; i < nargs; i++)
        if (!num_or_arr(&args[i]))
            return err_set(err, PARC_ETYPE, (span_t){0},
                           "ufunc '%s' not supported for the input types ('%s')",
                           info ? info->name : "?", val_kind_name(&args[i]));
    return err_set(err, PARC_ETYPE, (span_t){0}, "ufunc '%s' not supported for the input types",
                   info ? info->name : "?");
}

#define FORMULA_MAX 48 /* leaves of one formula */

typedef struct {
    arena_t *a;
    const char *p;
    const val_t *args;
    size_t nargs;
    val_t leaves[FORMULA_MAX];
    size_t nleaves;
} formula_t;

static ir_node_t *formula_node(formula_t *fm)
{
    while (*fm->p == ' ')
        fm->p++;
    if (*fm->p == '$') {
        size_t k = (size_t)(fm->p[1] - '0');
        fm->p += 2;
        if (k >= fm->nargs || fm->nleaves >= FORMULA_MAX) return NULL;
        fm->leaves[fm->nleaves++] = fm->args[k];
        return ir_new(fm->a, IR_NONE, (span_t){0}, 0);
    }
    const char *name = fm->p;
    while (*fm->p && *fm->p != '(')
        fm->p++;
    int bi = bi_lookup(name, (size_t)(fm->p - name));
    int k = bi_ufunc_arity(bi);
    if (!k || *fm->p != '(') return NULL;
    fm->p++;
    ir_node_t *n = ir_new(fm->a, IR_CALL, (span_t){0}, (uint32_t)k + 1);
    if (!n || !(n->kid[0] = ir_new(fm->a, IR_BUILTIN, (span_t){0}, 0))) return NULL;
    n->kid[0]->imm.i = bi;
    for (int i = 1; i <= k; i++) {
        if (!(n->kid[i] = formula_node(fm))) return NULL;
        while (*fm->p == ' ')
            fm->p++;
        if (*fm->p++ != (i == k ? ')' : ',')) return NULL;
    }
    return n;
}

int ops_formula(ops_t *o, const char *text, const val_t *args, size_t nargs, int red, val_t *out,
                err_t *err)
{
    for (size_t i = 0; i < nargs; i++)
        if (args[i].kind == V_PERENG) return pereng_error(err);
    formula_t fm = {arena_new(), text, args, nargs, {{0}}, 0};
    if (!fm.a) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    ir_node_t *t = formula_node(&fm);
    int rc;
    if (!t || *fm.p)
        rc = err_set(err, PARC_ERUNTIME, (span_t){0}, "bad formula at '%s'", fm.p);
    else if (red >= 0)
        rc = arr_reduce(o->rt, red, t, fm.leaves, fm.nleaves, ARR_NOAXIS, out, err);
    else
        rc = arr_fuse(o->rt, t, fm.leaves, fm.nleaves, out, err);
    if (rc == KERN_GENERIC)
        rc = err_set(err, PARC_ETYPE, (span_t){0}, "operands must be numbers or arrays");
    arena_destroy(&fm.a);
    return rc;
}

int ops_contains(ops_t *o, const val_t *needle, const val_t *hay, int *res, err_t *err)
{
    switch (hay->kind) {
    case V_STR: {
        if (needle->kind != V_STR)
            return err_set(err, PARC_ETYPE, (span_t){0},
                           "'in <string>' requires string as left operand, not %s",
                           val_kind_name(needle));
        const str_t *h = (const str_t *)hay->u.o, *n = (const str_t *)needle->u.o;
        *res = 0;
        for (size_t i = 0; i + n->n <= h->n; i++)
            if (memcmp(h->s + i, n->s, n->n) == 0) {
                *res = 1;
                break;
            }
        return 0;
    }
    case V_NPZ:
        return ops_contains(o, needle, &((const obj_npz_t *)hay->u.o)->files, res, err);
    case V_TUPLE:
    case V_LIST: {
        const seq_t *s = (const seq_t *)hay->u.o;
        *res = 0;
        for (size_t i = 0; i < s->n && !*res; i++)
            *res = ops_equal(needle, &s->v[i]);
        return 0;
    }
    case V_RANGE: {
        const obj_range_t *r = (const obj_range_t *)hay->u.o;
        *res = 0;
        if (!is_intlike(needle)) return 0;
        int64_t x = needle->u.i, n = obj_range_len(r);
        if (n == 0) return 0;
        int64_t off = x - r->start;
        if (off % r->step) return 0;
        int64_t k = off / r->step;
        *res = k >= 0 && k < n;
        return 0;
    }
    case V_ARRAY: {
        if (!num_or_arr(needle)) {
            *res = 0;
            return 0;
        }
        val_t leaves[2] = {*hay, *needle}, r = val_none();
        o->bin->op = IR_EQ;
        int rc = arr_reduce(o->rt, BI_ANY, o->bin, leaves, 2, ARR_NOAXIS, &r, err);
        if (rc) return rc;
        rc = val_truth(&r, res, err);
        val_drop(&r);
        return rc;
    }
    default:
        return err_set(err, PARC_ETYPE, (span_t){0}, "argument of type '%s' is not iterable",
                       val_kind_name(hay));
    }
}

int ops_truth(ops_t *o, const val_t *v, int *res, err_t *err)
{
    if (v->kind == V_ARRAY && arr_size(v->u.a) == 1) {
        idx_t idx[ARR_MAXDIM];
        int nd = arr_ndim(v->u.a);
        memset(idx, 0, sizeof idx);
        val_t s = val_none();
        int rc = arr_getitem(o->rt, v->u.a, idx, nd, &s, err);
        if (rc) return rc;
        rc = val_truth(&s, res, err);
        val_drop(&s);
        return rc;
    }
    return val_truth(v, res, err);
}
