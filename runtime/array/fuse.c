/* fuse.c - run-time compilation and blocked execution of elementwise trees (fuse.h).
 *
 * The program is a list of instructions over registers, one register per tree node: leaf
 * registers point straight into a chunk when the leaf is read in place with the compute
 * dtype, otherwise they are filled per block (gathered by index, or converted); scalars
 * are filled once. Each register owns a KERN_BLK-element temp (allocated at build time, so
 * the block loop never allocates). A program of two or more operations runs a block a
 * group of FUSE_GROUP elements at a time (run_grouped), its IEEE flags tested once per
 * block; a block that raises one is run again instruction by instruction to report it.
 * Types follow NumPy with NEP 50 weak Python scalars. */
#include "fuse.h"

#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "builtins.h"
#include "coll.h"
#include "halo.h"
#include "jit.h"
#include "fpflags.h"
#include "kern.h"
#include "mem.h"

#define MAXREG 128

enum { L_SCALAR, L_DIRECT, L_GATHER, L_HALO, L_RANDOM };

typedef struct {
    int mode;      /* L_* */
    arr_t *a;      /* the array read (owned reference: maybe a redistributed/gathered copy) */
    halo_t *h;     /* L_HALO: a read in the result's layout, with what neighbours sent */
    int64_t shift; /* added to the result's axis-0 index before indexing a */
    int64_t st[ARR_MAXDIM]; /* a's stride per result dimension (0 when broadcast) */
} leaf_t;

/* The kinds of a fused program's instructions. */
enum { INS_LOAD, INS_CAST, INS_BINARY, INS_UNARY, INS_CONST, INS_SELECT };

typedef struct {
    int kind; /* INS_*: load leaf, cast a, a op b, op a, constant (cval[dst]), a ? b : c */
    int op, cdt, odt;
    int dst, a, b, leaf;
    int c; /* INS_SELECT: dst = a ? b : c */
} ins_t;

struct fuse {
    rt_t *rt;
    span_t at; /* the fused tree's place (RuntimeWarnings name its line) */
    int ndim, dtype, weak, isdist;
    int64_t shape[ARR_MAXDIM];
    dist_t dist; /* the result's layout when distributed */
    dist_t home; /* hashome: the layout arr_fuse moves the result to afterwards */
    int hashome;
    int64_t lshape[ARR_MAXDIM];
    int64_t lsize, gstart, row0;
    int64_t split_row; /* fuse_block runs a block row by row at this row length (0: whole) */
    int grouped;       /* fuse_block may run the program FUSE_GROUP elements at a time */
    jit_fn jit;        /* the program compiled (jit.h), run in the groups instead */
    leaf_t *leaf;
    size_t nleaf;
    ins_t ins[MAXREG * 2];
    int nins, nreg, out;
    int rdt[MAXREG];    /* register dtypes */
    int rweak[MAXREG];  /* register weakness */
    int rconst[MAXREG]; /* 1: the same value at every element (a number) */
    val_t cval[MAXREG]; /* INS_CONST: the value of a subtree of numbers only */
    char *tmp;          /* nreg * KERN_BLK * 16 bytes */
    char *grp;          /* nreg * FUSE_GROUP * 16 bytes: the registers of one group */
    const void *rp[MAXREG];
};

static int cat(int dt)
{
    return dt == DT_BOOL ? 0 : dt <= DT_INT64 ? 1 : dt <= DT_FLOAT64 ? 2 : 3;
}

static int cat_default(int c)
{
    static const int d[4] = {DT_BOOL, DT_INT64, DT_FLOAT64, DT_COMPLEX128};
    return d[c];
}

/* Weakness is 1, plus W_BIG for a number outside int32 (an int) or a finite one outside
 * float32, plus W_BIG16 for an int outside [-32768, 65535]: NumPy 1.24 casts scalars next
 * to arrays by value, so such a scalar widens an int32 or float32 array's result (int32 +
 * 2**40 is int64, float32 + 65536 is float64) where NEP 50 would keep the array's dtype.
 * W_TYPED marks a NumPy scalar (x.sum(), x[0]) or 0-d array: 1.24 casts it by value as a
 * Python number of its kind, but when its kind is above the array's its own dtype counts,
 * not the kind's default (bool_array + int32(5) is int32, bool_array + 5 is int64). */
enum { W_BIG = 2, W_BIG16 = 4, W_TYPED = 8 };

static int promote_weak(int a, int wa, int b, int wb)
{
    if (!wa == !wb) return dt_promote(a, b);
    int s = wa ? b : a, w = wa ? a : b, fl = wa ? wa : wb;
    if (cat(w) > cat(s)) return (fl & W_TYPED) ? dt_promote(s, w) : cat_default(cat(w));
    int widen = (s == DT_INT32 && cat(w) == 1 && (fl & W_BIG)) ||
                (s == DT_FLOAT32 && cat(w) == 1 && (fl & W_BIG16)) ||
                (s == DT_FLOAT32 && cat(w) == 2 && (fl & W_BIG));
    return widen ? (s == DT_INT32 ? DT_INT64 : DT_FLOAT64) : s;
}

/* The weakness of operand v (weak: a Python number) as promote_weak takes it: Python and
 * NumPy scalars and 0-d arrays (which every rank holds whole) are cast by value, as NumPy
 * 1.24 does; arrays of one or more dimensions are not. */
static int leaf_weak(const val_t *v, int weak)
{
    if (v->kind == V_ARRAY) {
        const arr_t *a = v->u.a;
        if (arr_ndim(a) != 0 || arri_lsize(a) != 1) return 0;
        val_t e = arri_elem_val(arr_dtype(a), arri_base(a));
        return leaf_weak(&e, 0);
    }
    int w = weak ? 1 : 1 | W_TYPED;
    if (v->kind == V_INT)
        return w | ((v->u.i < INT32_MIN || v->u.i > INT32_MAX) ? W_BIG | W_BIG16 : 0) |
               ((v->u.i < -32768 || v->u.i > 65535) ? W_BIG16 : 0);
    if (v->kind == V_FLOAT) return w | ((isfinite(v->u.f) && fabs(v->u.f) > FLT_MAX) ? W_BIG : 0);
    if (v->kind == V_BOOL || v->kind == V_COMPLEX) return w;
    return 0;
}

const char *fuse_ufunc_name(int op)
{
    switch (op) {
    case IR_ADD:
        return "add";
    case IR_SUB:
        return "subtract";
    case IR_MUL:
        return "multiply";
    case IR_DIV:
        return "divide";
    case IR_FLOORDIV:
        return "floor_divide";
    case IR_MOD:
        return "remainder";
    case IR_POW:
        return "power";
    case IR_LSHIFT:
        return "left_shift";
    case IR_RSHIFT:
        return "right_shift";
    case IR_BITAND:
        return "bitwise_and";
    case IR_BITOR:
        return "bitwise_or";
    case IR_BITXOR:
        return "bitwise_xor";
    case IR_LT:
        return "less";
    case IR_LE:
        return "less_equal";
    case IR_GT:
        return "greater";
    case IR_GE:
        return "greater_equal";
    case IR_EQ:
        return "equal";
    case IR_NE:
        return "not_equal";
    case IR_NEG:
        return "negative";
    case IR_POS:
        return "positive";
    case IR_INVERT:
        return "invert";
    }
    if (op >= KOP_CLIPLO && op <= KOP_CLIPHI_C) return "clip";
    if (op >= KOP_BI) {
        const bi_info_t *bi = bi_info(op - KOP_BI);
        if (bi) return bi->name;
    }
    return "?";
}

static int unsupported(int op, int dta, int dtb, err_t *err)
{
    if (dtb < 0)
        return err_set(err, PARC_ETYPE, (span_t){0},
                       "ufunc '%s' not supported for the input types, and the inputs could not "
                       "be safely coerced to any supported types according to the casting rule "
                       "''safe''",
                       fuse_ufunc_name(op));
    (void)dta;
    return err_set(err, PARC_ETYPE, (span_t){0},
                   "ufunc '%s' not supported for the input types, and the inputs could not be "
                   "safely coerced to any supported types according to the casting rule ''safe''",
                   fuse_ufunc_name(op));
}

int fuse_inplace(int op, int from, int to, err_t *err)
{
    if (cat(from) <= cat(to)) return 0;
    return err_set(err, PARC_ETYPE, (span_t){0},
                   "Cannot cast ufunc '%s' output from dtype('%s') to dtype('%s') with casting "
                   "rule 'same_kind'",
                   fuse_ufunc_name(op), dt_name(from), dt_name(to));
}

/* The ufunc builtins that are an operator spelled as a function, and the other spellings
 * of one ufunc, mapped to the op that computes them (so they share its type rule and loop). */
static int alias(int op)
{
    static const struct {
        short bi, op;
    } map[] = {
        {BI_ABS, KOP_BI + BI_ABSOLUTE},
        {BI_ADD, IR_ADD},
        {BI_SUBTRACT, IR_SUB},
        {BI_MULTIPLY, IR_MUL},
        {BI_DIVIDE, IR_DIV},
        {BI_TRUE_DIVIDE, IR_DIV},
        {BI_FLOOR_DIVIDE, IR_FLOORDIV},
        {BI_POWER, IR_POW},
        {BI_MOD, IR_MOD},
        {BI_REMAINDER, IR_MOD},
        {BI_GREATER, IR_GT},
        {BI_GREATER_EQUAL, IR_GE},
        {BI_LESS, IR_LT},
        {BI_LESS_EQUAL, IR_LE},
        {BI_EQUAL, IR_EQ},
        {BI_NOT_EQUAL, IR_NE},
        {BI_BITWISE_AND, IR_BITAND},
        {BI_BITWISE_OR, IR_BITOR},
        {BI_BITWISE_XOR, IR_BITXOR},
        {BI_LEFT_SHIFT, IR_LSHIFT},
        {BI_RIGHT_SHIFT, IR_RSHIFT},
        {BI_NEGATIVE, IR_NEG},
        {BI_INVERT, IR_INVERT},
        {BI_BITWISE_NOT, IR_INVERT},
        {BI_CONJ, KOP_BI + BI_CONJUGATE},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (op == KOP_BI + map[i].bi) return map[i].op;
    return op;
}

int fuse_types(int op, int dta, int wa, int dtb, int wb, int *cdt, int *odt, int *kop, err_t *err)
{
    op = alias(op);
    *kop = op;
    if (dtb >= 0) {
        int c = promote_weak(dta, wa, dtb, wb);
        int k = cat(c);
        *cdt = c;
        *odt = c;
        switch (op) {
        case IR_ADD:
        case IR_MUL:
            return 0;
        case IR_SUB:
            if (k == 0)
                return err_set(err, PARC_ETYPE, (span_t){0},
                               "numpy boolean subtract, the `-` operator, is not supported, use "
                               "the bitwise_xor, the `^` operator, or the logical_xor function "
                               "instead.");
            return 0;
        case IR_DIV:
            if (k <= 1) *cdt = *odt = DT_FLOAT64;
            return 0;
        case IR_FLOORDIV:
        case IR_MOD:
        case IR_POW:
            if (k == 3 && op != IR_POW) return unsupported(op, dta, dtb, err);
            if (k == 0) *cdt = *odt = DT_INT64;
            return 0;
        case IR_LSHIFT:
        case IR_RSHIFT:
            if (k >= 2) return unsupported(op, dta, dtb, err);
            if (k == 0) *cdt = *odt = DT_INT64;
            return 0;
        case IR_BITAND:
        case IR_BITOR:
        case IR_BITXOR:
            if (k >= 2) return unsupported(op, dta, dtb, err);
            return 0;
        case IR_LT:
        case IR_LE:
        case IR_GT:
        case IR_GE:
        case IR_EQ:
        case IR_NE:
            *odt = DT_BOOL;
            return 0;
        case KOP_BI + BI_MAXIMUM:
        case KOP_BI + BI_MINIMUM:
            return 0;
        case KOP_BI + BI_WHERE:
        case KOP_CLIPLO:
        case KOP_CLIPHI:
        case KOP_CLIPLO_C:
        case KOP_CLIPHI_C:
            return 0;
        case KOP_BI + BI_FMOD:
            if (k == 3) return unsupported(op, dta, dtb, err);
            if (k == 0) *cdt = *odt = DT_INT64;
            return 0;
        case KOP_BI + BI_LOGICAL_AND:
        case KOP_BI + BI_LOGICAL_OR:
        case KOP_BI + BI_LOGICAL_XOR:
            /* Each operand's truth, then the bool loop. */
            *cdt = *odt = DT_BOOL;
            *kop = op == KOP_BI + BI_LOGICAL_AND  ? IR_BITAND
                   : op == KOP_BI + BI_LOGICAL_OR ? IR_BITOR
                                                  : IR_BITXOR;
            return 0;
        case KOP_BI + BI_HYPOT:
        case KOP_BI + BI_ARCTAN2:
            if (k == 3) return unsupported(op, dta, dtb, err);
            if (k <= 1) *cdt = *odt = DT_FLOAT64;
            return 0;
        }
        return unsupported(op, dta, dtb, err);
    }
    int k = cat(dta);
    *cdt = *odt = dta;
    switch (op) {
    case IR_NEG:
    case KOP_BI + BI_NEGATIVE:
        if (k == 0)
            return err_set(err, PARC_ETYPE, (span_t){0},
                           "The numpy boolean negative, the `-` operator, is not supported, use "
                           "the `~` operator or the logical_not function instead.");
        return 0;
    case IR_POS:
        return 0;
    case KOP_BI + BI_POSITIVE:
        if (k == 0)
            return err_set(err, PARC_ETYPE, (span_t){0},
                           "ufunc 'positive' did not contain a loop with signature matching "
                           "types <class 'numpy.dtype[bool_]'> -> None");
        *kop = IR_POS;
        return 0;
    case KOP_BI + BI_CONJUGATE:
        if (k == 0) *cdt = *odt = DT_INT64;
        if (k < 3) *kop = IR_POS;
        return 0;
    case KOP_BI + BI_LOGICAL_NOT:
        *cdt = *odt = DT_BOOL;
        *kop = IR_INVERT;
        return 0;
    case IR_INVERT:
        if (k >= 2) return unsupported(op, dta, -1, err);
        return 0;
    case KOP_BI + BI_ABSOLUTE:
        if (k == 3) {
            *kop = KOP_CABS;
            *odt = DT_FLOAT64;
        }
        return 0;
    case KOP_BI + BI_SQUARE:
    case KOP_BI + BI_RECIPROCAL:
        if (k == 0) *cdt = *odt = DT_INT64;
        return 0;
    case KOP_BI + BI_SIGN:
        if (k == 0) return unsupported(op, dta, -1, err);
        return 0;
    case KOP_BI + BI_ISNAN:
    case KOP_BI + BI_ISFINITE:
    case KOP_BI + BI_ISINF:
        *odt = DT_BOOL;
        return 0;
    case KOP_BI + BI_FLOOR:
    case KOP_BI + BI_CEIL:
        if (k == 3) return unsupported(op, dta, -1, err);
        /* fall through */
    case KOP_BI + BI_LOG10:
    case KOP_BI + BI_LOG1P:
    case KOP_BI + BI_EXPM1:
    case KOP_BI + BI_RINT:
    case KOP_BI + BI_SQRT:
    case KOP_BI + BI_EXP:
    case KOP_BI + BI_LOG:
    case KOP_BI + BI_SIN:
    case KOP_BI + BI_COS:
    case KOP_BI + BI_TAN:
    case KOP_BI + BI_ARCSIN:
    case KOP_BI + BI_ARCCOS:
    case KOP_BI + BI_ARCTAN:
    case KOP_BI + BI_SINH:
    case KOP_BI + BI_COSH:
    case KOP_BI + BI_TANH:
    case KOP_BI + BI_ARCSINH:
    case KOP_BI + BI_ARCCOSH:
    case KOP_BI + BI_ARCTANH:
        if (k <= 1) *cdt = *odt = DT_FLOAT64;
        return 0;
    }
    return unsupported(op, dta, -1, err);
}

void fuse_shape_text(int ndim, const int64_t *shape, char *buf, size_t cap)
{
    size_t k = (size_t)snprintf(buf, cap, "(");
    for (int d = 0; d < ndim && k < cap; d++)
        k += (size_t)snprintf(buf + k, cap - k, d ? ",%lld" : "%lld", (long long)shape[d]);
    if (k < cap) snprintf(buf + k, cap - k, ndim == 1 ? ",)" : ")");
}

/* ---- compile ---- */

typedef struct {
    fuse_t *f;
    const val_t *leaves;
    size_t nleaves, next;
    err_t *err;
} comp_t;

static int newreg(comp_t *c, int dt, int weak)
{
    if (c->f->nreg >= MAXREG || c->f->nins >= MAXREG * 2 - 1) {
        err_set(c->err, PARC_ENOTIMPL, (span_t){0}, "expression too large to fuse");
        return -1;
    }
    c->f->rdt[c->f->nreg] = dt;
    c->f->rweak[c->f->nreg] = weak;
    return c->f->nreg++;
}

static int cast_to(comp_t *c, int r, int dt)
{
    if (r < 0 || c->f->rdt[r] == dt) return r;
    int d = newreg(c, dt, c->f->rweak[r]);
    if (d < 0) return -1;
    c->f->rconst[d] = c->f->rconst[r];
    c->f->ins[c->f->nins++] = (ins_t){INS_CAST, 0, c->f->rdt[r], dt, d, r, -1, -1, 0};
    return d;
}

/* 1 when the subtree n, whose leaves start at leaves[k], has an array leaf; *k is
 * advanced past its leaves. */
static int has_array(const comp_t *c, const ir_node_t *n, size_t *k)
{
    if (!ir_is_elemwise(n)) return *k < c->nleaves && c->leaves[(*k)++].kind == V_ARRAY;
    int any = 0;
    for (uint32_t i = n->op == IR_CALL ? 1 : 0; i < n->nkid; i++)
        any |= has_array(c, n->kid[i], k);
    return any;
}

/* Appends op on registers ra and rb (-1: unary) with NumPy's types; the result register. */
static int emit(comp_t *c, int op, int ra, int rb)
{
    fuse_t *f = c->f;
    int cdt, odt, kop;
    int weak = f->rweak[ra] && (rb < 0 || f->rweak[rb]);
    int cst = f->rconst[ra] && (rb < 0 || f->rconst[rb]);
    if (fuse_types(op, f->rdt[ra], f->rweak[ra], rb >= 0 ? f->rdt[rb] : -1,
                   rb >= 0 ? f->rweak[rb] : 0, &cdt, &odt, &kop, c->err))
        return -1;
    ra = cast_to(c, ra, cdt);
    if (rb >= 0 && ra >= 0) rb = cast_to(c, rb, cdt);
    if (ra < 0 || rb < -1) return -1;
    int d = newreg(c, odt, weak);
    if (d < 0) return -1;
    f->rconst[d] = cst;
    f->ins[f->nins++] = (ins_t){rb >= 0 ? INS_BINARY : INS_UNARY, kop, cdt, odt, d, ra, rb, -1, 0};
    return d;
}

static int compile(comp_t *c, const ir_node_t *n);

/* 1 when n is the leaf None (a clip bound left out). */
static int is_none(const comp_t *c, const ir_node_t *n)
{
    return !ir_is_elemwise(n) && c->next < c->nleaves && c->leaves[c->next].kind == V_NONE;
}

/* clip(a, lo, hi): the lower bound, then the upper one (NumPy's loop); a bound that is a
 * number has its nan ignored, as NumPy's loop for a constant bound does. where(cond, x, y):
 * x and y promoted, cond taken as its truth, then one select. */
static int compile3(comp_t *c, const ir_node_t *n)
{
    int bi = (int)n->kid[0]->imm.i, r[3];
    fuse_t *f = c->f;
    if (bi == BI_CLIP) {
        size_t k = c->next, k2;
        int d = compile(c, n->kid[1]);
        k2 = c->next;
        if (d >= 0 && is_none(c, n->kid[2]) && k2 + 1 < c->nleaves &&
            c->leaves[k2 + 1].kind == V_NONE && !ir_is_elemwise(n->kid[3])) {
            (void)k;
            err_set(c->err, PARC_EVALUE, (span_t){0}, "One of max or min must be given");
            return -1;
        }
        for (int i = 0; i < 2 && d >= 0; i++) {
            if (is_none(c, n->kid[2 + i])) {
                c->next++;
                continue;
            }
            int b = compile(c, n->kid[2 + i]);
            if (b < 0) return -1;
            d = emit(
                c, f->rconst[b] ? (i ? KOP_CLIPHI_C : KOP_CLIPLO_C) : (i ? KOP_CLIPHI : KOP_CLIPLO),
                d, b);
        }
        return d;
    }
    for (int i = 0; i < 3; i++)
        if ((r[i] = compile(c, n->kid[1 + i])) < 0) return -1;
    int cdt, odt, kop;
    if (fuse_types(KOP_BI + bi, f->rdt[r[1]], f->rweak[r[1]], f->rdt[r[2]], f->rweak[r[2]], &cdt,
                   &odt, &kop, c->err))
        return -1;
    int a = cast_to(c, r[0], DT_BOOL), x = cast_to(c, r[1], cdt), y = cast_to(c, r[2], cdt);
    if (a < 0 || x < 0 || y < 0) return -1;
    int d = newreg(c, odt, 0);
    if (d < 0) return -1;
    f->ins[f->nins++] = (ins_t){INS_SELECT, kop, cdt, odt, d, a, x, -1, y};
    return d;
}

static int compile(comp_t *c, const ir_node_t *n)
{
    size_t k = c->next;
    if (ir_is_elemwise(n) && !has_array(c, n, &k)) {
        /* Numbers only (~True next to an array): computed once by the scalar rules, so
         * Python scalars follow Python as they do outside arrays. */
        val_t v;
        if (arri_scalar_tree(c->f->rt, n, c->leaves, c->nleaves, &c->next, &v, c->err)) return -1;
        int weak, dt = arri_val_dtype(&v, &weak);
        weak = leaf_weak(&v, weak);
        int r = newreg(c, dt, weak);
        if (r < 0) return -1;
        c->f->cval[r] = v;
        c->f->rconst[r] = 1;
        c->f->ins[c->f->nins++] = (ins_t){INS_CONST, 0, dt, dt, r, -1, -1, -1, 0};
        return r;
    }
    if (!ir_is_elemwise(n)) {
        if (c->next >= c->nleaves) {
            err_set(c->err, PARC_ERUNTIME, (span_t){0}, "fused tree has more leaves than given");
            return -1;
        }
        size_t li = c->next++;
        int weak;
        int dt = arri_val_dtype(&c->leaves[li], &weak);
        weak = leaf_weak(&c->leaves[li], weak);
        int r = newreg(c, dt, weak);
        if (r < 0) return -1;
        c->f->rconst[r] = c->leaves[li].kind != V_ARRAY;
        c->f->ins[c->f->nins++] = (ins_t){INS_LOAD, 0, dt, dt, r, -1, -1, (int)li, 0};
        return r;
    }
    if (n->op == IR_CALL && n->nkid == 4) return compile3(c, n);
    int op;
    const ir_node_t *ka, *kb = NULL;
    if (n->op == IR_CALL) {
        op = KOP_BI + (int)n->kid[0]->imm.i;
        ka = n->kid[1];
        if (n->nkid > 2) kb = n->kid[2];
    } else {
        op = n->op;
        ka = n->kid[0];
        if (n->nkid > 1) kb = n->kid[1];
    }
    int ra = compile(c, ka);
    if (ra < 0) return -1;
    int rb = -1;
    if (kb) {
        rb = compile(c, kb);
        if (rb < 0) return -1;
    }
    return emit(c, op, ra, rb);
}

/* ---- leaves ---- */

static int bshape(const val_t *leaves, size_t n, int *ndim, int64_t *shape, err_t *err)
{
    *ndim = 0;
    for (size_t i = 0; i < n; i++) {
        if (leaves[i].kind != V_ARRAY) continue;
        const arr_t *a = leaves[i].u.a;
        if (a->ndim > *ndim) {
            memmove(shape + (a->ndim - *ndim), shape, (size_t)*ndim * sizeof *shape);
            for (int d = 0; d < a->ndim - *ndim; d++)
                shape[d] = 1;
            *ndim = a->ndim;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (leaves[i].kind != V_ARRAY) continue;
        const arr_t *a = leaves[i].u.a;
        for (int d = 0; d < a->ndim; d++) {
            int64_t *s = &shape[*ndim - a->ndim + d];
            int64_t m = a->shape[d];
            if (*s == m || m == 1) continue;
            if (*s == 1) {
                *s = m;
                continue;
            }
            /* Name the first two shapes that disagree, as NumPy does. */
            char t1[128], t2[128];
            size_t j = 0;
            while (leaves[j].kind != V_ARRAY)
                j++;
            const arr_t *b = leaves[j].u.a;
            if (b == a) {
                for (j++; j < n && leaves[j].kind != V_ARRAY; j++)
                    ;
                b = leaves[j].u.a;
            }
            fuse_shape_text(b->ndim, b->shape, t1, sizeof t1);
            fuse_shape_text(a->ndim, a->shape, t2, sizeof t2);
            return err_set(err, PARC_EVALUE, (span_t){0},
                           "operands could not be broadcast together with shapes %s %s",
                           b < a ? t1 : t1, t2);
        }
    }
    return 0;
}

static int same_shape(const arr_t *a, int ndim, const int64_t *shape)
{
    if (a->ndim != ndim) return 0;
    for (int d = 0; d < ndim; d++)
        if (a->shape[d] != shape[d]) return 0;
    return 1;
}

/* A dimension of length 1 in a is broadcast: stride 0, whatever the result's length there
 * on this rank (a rank whose share of the result is one row must still read a's row 0, not
 * row0 rows past it). */
static void set_strides(fuse_t *f, leaf_t *l)
{
    const arr_t *a = l->a;
    int off = f->ndim - a->ndim;
    for (int d = 0; d < f->ndim; d++) {
        int ad = d - off;
        l->st[d] = (ad < 0 || (a->lshape[ad] == 1 && a->shape[ad] == 1)) ? 0 : a->lstride[ad];
    }
}

void fuse_free(fuse_t **fp)
{
    if (!fp || !*fp) return;
    fuse_t *f = *fp;
    for (size_t i = 0; i < f->nleaf; i++) {
        arr_unref(&f->leaf[i].a);
        halo_free(&f->leaf[i].h);
    }
    mem_free(f->leaf);
    dist_clear(&f->dist);
    dist_clear(&f->home);
    mem_free(f->tmp);
    mem_free(f->grp);
    mem_free(f);
    *fp = NULL;
}

/* fuse_accepts for the subtree n whose leaves start at leaves[*k]; bound: n is a clip
 * bound. */
static int accepts(const ir_node_t *n, const val_t *leaves, size_t nleaves, size_t *k, int bound)
{
    if (!ir_is_elemwise(n)) {
        if (*k >= nleaves) return 0;
        const val_t *v = &leaves[(*k)++];
        return v->kind == V_ARRAY || val_is_num(v) || (bound && v->kind == V_NONE);
    }
    int clip = n->op == IR_CALL && n->kid[0]->imm.i == BI_CLIP;
    for (uint32_t i = n->op == IR_CALL ? 1 : 0; i < n->nkid; i++)
        if (!accepts(n->kid[i], leaves, nleaves, k, clip && i >= 2)) return 0;
    return 1;
}

int fuse_accepts(const ir_node_t *tree, const val_t *leaves, size_t nleaves)
{
    size_t k = 0;
    if (!tree) return nleaves == 1 && (leaves[0].kind == V_ARRAY || val_is_num(&leaves[0]));
    return accepts(tree, leaves, nleaves, &k, 0);
}

/* The result's layout is that of ref, the first distributed leaf of full shape (else the
 * default). A row layout is kept as it is. Another layout is kept (keep) when every array
 * leaf is distributed with the full shape: the loop then runs on the chunks where they
 * lie. Otherwise the loop runs on the default rows, and with keep the result goes back to
 * ref's layout afterwards (f->home). */
static int layout(fuse_t *f, const arr_t *ref, int keep, int allfull, err_t *err)
{
    rt_t *rt = f->rt;
    int rows = !ref || dist_is_rows(&ref->dist), native = !rows && keep && allfull;
    int rc = 0;
    if (ref && (rows || native))
        rc = dist_copy(&f->dist, &ref->dist, err);
    else
        rc = arri_rows_dist(rt, f->ndim, f->shape, NULL, &f->dist, err);
    if (!rc && ref && !rows && keep && !native) {
        rc = dist_copy(&f->home, &ref->dist, err);
        f->hashome = !rc;
    }
    if (rc) return rc;
    if (native) {
        dist_lshape(&f->dist, rt->rank, f->lshape);
        f->row0 = 0;
    } else {
        int64_t hi;
        dist_block_range(&f->dist, 0, rt->rank, &f->row0, &hi);
        f->lshape[0] = hi - f->row0;
    }
    return 0;
}

/* 1 when the broadcast shape of f's leaves broadcasts into t's shape (NumPy's rule for
 * x[...] = v), which f then takes. */
static int takes_shape(fuse_t *f, const arr_t *t)
{
    if (f->ndim > t->ndim) return 0;
    for (int d = 0; d < f->ndim; d++) {
        int64_t m = f->shape[d], n = t->shape[t->ndim - f->ndim + d];
        if (m != n && m != 1) return 0;
    }
    f->ndim = t->ndim;
    memcpy(f->shape, t->shape, sizeof f->shape);
    return 1;
}

/* Rows at least this long are read in place even when a block crosses from one to the next:
 * the block runs as one piece per row (shorter rows are copied into the block instead). */
#define ROW_SPLIT_MIN 512

/* The grouped runs (run_grouped): FUSE_GROUP elements at a time, so that a group's
 * registers stay in L1, and the leading in-place leaf of each array prefetched FUSE_AHEAD
 * bytes ahead. Measured on z 8000 x 8000, 2 engines, the 5-point stencil's .sum(): 0.037 s
 * run block by block, 0.025-0.027 s at 256 and 8 KiB; groups of 64, 128, 512 and 1024 and
 * 4, 16 or 32 KiB ahead were slower. */
#define FUSE_GROUP 256
#define FUSE_AHEAD 8192
/* A compiled program (jit.h) keeps its registers in registers: its groups only pace the
 * prefetches (star5: 0.024 s in groups of 256 or 1024, 0.029 s without prefetching, 0.018
 * s in groups of 64; 32 and 128 were slower). */
#define JIT_GROUP 64

/* Whether fuse_block runs a block that crosses rows row by row: when a strided view is read
 * through a halo (a stencil's shifted slices) its rows are read in place that way, and the
 * result comes out whole because the last instruction computes it into its buffer. */
static void set_split(fuse_t *f)
{
    int halo = 0, kind = -1, last = f->ndim - 1;
    for (size_t i = 0; i < f->nleaf; i++)
        halo |= f->leaf[i].mode == L_HALO;
    for (int k = 0; k < f->nins; k++)
        if (f->ins[k].dst == f->out) kind = f->ins[k].kind;
    int computed =
        kind == INS_CAST || kind == INS_BINARY || kind == INS_UNARY || kind == INS_SELECT;
    int ops = 0;
    for (int k = 0; k < f->nins; k++)
        ops += f->ins[k].kind != INS_LOAD && f->ins[k].kind != INS_CONST;
    f->grouped = computed && ops >= 2;
    f->split_row =
        halo && computed && f->ndim >= 2 && f->lshape[last] >= ROW_SPLIT_MIN ? f->lshape[last] : 0;
}

/* ---- compiled programs (jit.h) ----
 *
 * A grouped program over float64 and bool registers whose operations the interpreter
 * computes as one C operator or libm call each (+ - * /, the comparisons, maximum and
 * minimum, negation, absolute value, sqrt, squares and reciprocals, where) is written as one
 * C loop over the elements, each instruction the same expression as its kernel's loop, so
 * the compiled loop rounds exactly as the interpreter does; anything else is interpreted.
 * The leaves and constants come in as in[0], in[1], ... in instruction order. */

#define JIT_MIN (1 << 18) /* elements: smaller programs are not worth a compile */

static const char *jit_type(int dt)
{
    return dt == DT_FLOAT64 ? "double" : dt == DT_BOOL ? "unsigned char" : NULL;
}

/* float x ** c with a number c of 2, 0.5 or -1 (read at ev, the exponent register's
 * values): NumPy's fast path, its square, sqrt or reciprocal loop (x * x, not pow(x, 2);
 * sqrt(-0.0) is -0.0), as the op to run instead; else 0. The compiled loops take the same
 * choice (jit_expr). */
static int pow_unary(const fuse_t *f, const ins_t *in, const void *ev)
{
    if (in->op != IR_POW || !f->rconst[in->b] || (in->cdt != DT_FLOAT64 && in->cdt != DT_FLOAT32))
        return 0;
    double e[2];
    arri_load(in->cdt, ev, e);
    return e[0] == 2     ? KOP_BI + BI_SQUARE
           : e[0] == 0.5 ? KOP_BI + BI_SQRT
           : e[0] == -1  ? KOP_BI + BI_RECIPROCAL
                         : 0;
}

static int pow_fast(const fuse_t *f, const ins_t *in)
{
    return pow_unary(f, in, f->rp[in->b]);
}

/* 1 when register r is filled at build time (a number, or a scalar leaf). */
static int filled_reg(const fuse_t *f, int r)
{
    for (int k = 0; k < f->nins; k++) {
        const ins_t *in = &f->ins[k];
        if (in->dst == r)
            return in->kind == INS_CONST ||
                   (in->kind == INS_LOAD && f->leaf[in->leaf].mode == L_SCALAR);
    }
    return 0;
}

/* The C expression of instruction in into e; 0 when it has none here. */
static int jit_expr(const fuse_t *f, const ins_t *in, char *e, size_t cap)
{
    int a = in->a, b = in->b;
    if (in->kind == INS_CAST)
        return in->cdt == DT_BOOL && in->odt == DT_FLOAT64 &&
               snprintf(e, cap, "(double)r%d", a) > 0;
    if (in->kind == INS_SELECT)
        return in->cdt == DT_FLOAT64 && f->rdt[a] == DT_BOOL &&
               snprintf(e, cap, "r%d ? r%d : r%d", a, b, in->c) > 0;
    if (in->cdt != DT_FLOAT64) return 0;
    int op = in->op;
    if (in->kind == INS_BINARY && op == IR_POW) {
        /* the interpreter's choice of kernel for a number exponent, read where it is filled */
        op = filled_reg(f, b) ? pow_unary(f, in, f->tmp + (size_t)b * KERN_BLK * 16) : 0;
        if (!op) return 0;
    } else if (in->kind == INS_BINARY) {
        static const struct {
            int op;
            const char *c;
        } bin[] = {
            {IR_ADD, "+"}, {IR_SUB, "-"}, {IR_MUL, "*"}, {IR_DIV, "/"}, {IR_LT, "<"},
            {IR_LE, "<="}, {IR_GT, ">"},  {IR_GE, ">="}, {IR_EQ, "=="}, {IR_NE, "!="},
        };
        for (size_t i = 0; i < sizeof bin / sizeof bin[0]; i++)
            if (bin[i].op == op) return snprintf(e, cap, "r%d %s r%d", a, bin[i].c, b) > 0;
        if (op == KOP_BI + BI_MAXIMUM || op == KOP_BI + BI_MINIMUM)
            return snprintf(e, cap, "(r%d %c r%d || r%d != r%d) ? r%d : r%d", a,
                            op == KOP_BI + BI_MAXIMUM ? '>' : '<', b, a, a, a, b) > 0;
        return 0;
    }
    switch (op) {
    case IR_NEG:
    case KOP_BI + BI_NEGATIVE:
        return snprintf(e, cap, "-r%d", a) > 0;
    case IR_POS:
        return snprintf(e, cap, "r%d", a) > 0;
    case KOP_BI + BI_ABS:
    case KOP_BI + BI_ABSOLUTE:
        return snprintf(e, cap, "fabs(r%d)", a) > 0;
    case KOP_BI + BI_SQRT:
        return snprintf(e, cap, "sqrt(r%d)", a) > 0;
    case KOP_BI + BI_SQUARE:
        return snprintf(e, cap, "r%d * r%d", a, a) > 0;
    case KOP_BI + BI_RECIPROCAL:
        return snprintf(e, cap, "(double)1 / r%d", a) > 0;
    }
    return 0;
}

/* The C source of f's loop into src (cap bytes); 0 when f has an instruction it cannot
 * write or the text does not fit. */
static int jit_source(const fuse_t *f, char *src, size_t cap)
{
    size_t len = 0;
    int slot = 0, ok = jit_type(f->rdt[f->out]) != NULL;
    char def[MAXREG] = {0}; /* registers the loop has */
#define PUT(...)                                                                                   \
    do {                                                                                           \
        int w_ = snprintf(src + len, cap - len, __VA_ARGS__);                                      \
        if (w_ < 0 || (size_t)w_ >= cap - len) return 0;                                           \
        len += (size_t)w_;                                                                         \
    } while (0)
    PUT("#include <math.h>\n#include <stdint.h>\n"
        "void parc_jit_kernel(const void *const *in, void *out, int64_t lo, int64_t hi)\n{\n");
    /* every leaf and constant takes its slot; one of a type not here is left undeclared
     * (a number whose cast was filled), and whatever reads it is refused below */
    for (int k = 0; k < f->nins; k++) {
        const ins_t *in = &f->ins[k];
        const char *t = jit_type(f->rdt[in->dst]);
        if (in->kind != INS_LOAD && in->kind != INS_CONST) continue;
        int n = slot++;
        if (!t) continue;
        if (in->kind == INS_CONST || f->leaf[in->leaf].mode == L_SCALAR)
            PUT("    const %s r%d = *(const %s *)in[%d];\n", t, in->dst, t, n);
        else if (in->cdt == f->rdt[in->dst])
            PUT("    const %s *restrict p%d = in[%d];\n", t, in->dst, n);
        else
            continue;
        def[in->dst] = 1;
    }
    PUT("    %s *restrict o = out;\n    for (int64_t i = lo; i < hi; i++) {\n",
        jit_type(f->rdt[f->out]));
    for (int k = 0; k < f->nins && ok; k++) {
        const ins_t *in = &f->ins[k];
        const char *t = jit_type(f->rdt[in->dst]);
        char e[128];
        if (in->kind == INS_CONST || in->kind == INS_LOAD) {
            if (in->kind == INS_LOAD && def[in->dst] && f->leaf[in->leaf].mode != L_SCALAR)
                PUT("        %s r%d = p%d[i];\n", t, in->dst, in->dst);
            continue;
        }
        int two = in->kind == INS_BINARY || in->kind == INS_SELECT;
        ok = t && def[in->a] && (!two || def[in->b]) && (in->kind != INS_SELECT || def[in->c]) &&
             jit_expr(f, in, e, sizeof e);
        if (ok) PUT("        %s r%d = %s;\n", t, in->dst, e);
        def[in->dst] = 1;
    }
    ok = ok && def[f->out];
    PUT("        o[i] = r%d;\n    }\n}\n", f->out);
#undef PUT
    return ok;
}

/* f->jit for a grouped program, when jit.h can give it one. */
static void jit_attach(fuse_t *f)
{
    int mode = jit_mode();
    if (!f->grouped || mode == JIT_OFF || (mode == JIT_ASYNC && f->lsize < JIT_MIN)) return;
    size_t cap = 256 + (size_t)f->nins * 160;
    char *src = mem_alloc(cap);
    if (src && jit_source(f, src, cap)) f->jit = jit_get(src);
    mem_free(src);
}

/* into: the result is written into that distributed array's chunk (fuse_build_into). */
static int build(rt_t *rt, const ir_node_t *tree, const val_t *leaves, size_t nleaves, int keep,
                 const arr_t *into, fuse_t **out, err_t *err)
{
    int ndist = 0;
    if (!fuse_accepts(tree, leaves, nleaves)) return KERN_GENERIC;
    for (size_t i = 0; i < nleaves; i++)
        if (leaves[i].kind == V_ARRAY) ndist += arr_is_dist(leaves[i].u.a) && !rt->local;
    fuse_t *f = mem_calloc(1, sizeof *f);
    if (!f) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    f->rt = rt;
    if (tree) f->at = tree->at;
    f->leaf = mem_calloc(nleaves ? nleaves : 1, sizeof *f->leaf);
    f->nleaf = nleaves;
    int rc = f->leaf ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    /* Compile first: type errors are the same on every rank, before any communication. */
    comp_t c = {f, leaves, nleaves, 0, err};
    if (!rc) {
        if (tree) {
            f->out = compile(&c, tree);
        } else {
            int weak, dt = arri_val_dtype(&leaves[0], &weak);
            f->out = newreg(&c, dt, weak);
            f->ins[f->nins++] = (ins_t){INS_LOAD, 0, dt, dt, 0, -1, -1, 0, 0};
        }
        if (f->out < 0) rc = err->code ? err->code : PARC_ERUNTIME;
    }
    if (!rc) rc = bshape(leaves, nleaves, &f->ndim, f->shape, err);
    if (!rc && into && !takes_shape(f, into)) rc = KERN_GENERIC;
    if (rc) {
        fuse_free(&f);
        return rc;
    }
    f->dtype = f->rdt[f->out];
    f->weak = f->rweak[f->out];
    f->isdist = ndist > 0 || into;
    memcpy(f->lshape, f->shape, sizeof f->shape);
    const arr_t *ref = NULL;
    int allfull = 1;
    for (size_t i = 0; i < nleaves && f->isdist; i++) {
        if (leaves[i].kind != V_ARRAY) continue;
        const arr_t *a = leaves[i].u.a;
        int full = arr_is_dist(a) && same_shape(a, f->ndim, f->shape);
        if (full && !ref) ref = a;
        allfull &= full;
    }
    if (into) {
        /* the loop runs where into's elements lie: its rows, or its grid when every leaf
         * can be read there */
        ref = into;
        if (!dist_is_rows(&into->dist) && !allfull) {
            fuse_free(&f);
            return KERN_GENERIC;
        }
    }
    if (f->isdist) rc = layout(f, ref, keep, allfull, err);
    f->lsize = 1;
    int64_t inner = 1;
    for (int d = 0; d < f->ndim; d++) {
        f->lsize *= f->lshape[d];
        if (d) inner *= f->shape[d];
    }
    f->gstart = f->row0 * inner;
    f->tmp = mem_aligned(64, (size_t)f->nreg * KERN_BLK * 16);
    f->grp = mem_aligned(64, (size_t)f->nreg * FUSE_GROUP * 16);
    if ((!f->tmp || !f->grp) && !rc) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (f->isdist) rc = arri_agree(rt, rc, err);
    /* Leaves: in place, redistributed, or replicated. Same order on every rank. */
    for (size_t i = 0; i < nleaves && !rc; i++) {
        leaf_t *l = &f->leaf[i];
        const val_t *v = &leaves[i];
        if (v->kind != V_ARRAY) {
            l->mode = L_SCALAR;
            continue;
        }
        arr_t *a = v->u.a, *made = NULL;
        int dist = arr_is_dist(a) && !rt->local;
        int full = same_shape(a, f->ndim, f->shape);
        if (a->gen && full &&
            (dist ? dist_equal(&a->dist, &f->dist) && dist_is_rows(&f->dist)
                  : !a->isdist && !f->isdist)) {
            /* a virtual random array read where it lies (in local view: the whole loop):
             * drawn block by block */
            l->mode = L_RANDOM;
            l->a = arr_ref(a);
            continue;
        }
        if (a->gen) {
            /* read any other way: made first (every rank takes this branch alike) */
            rc = arri_realize(rt, a, &made, err);
            if (dist) rc = arri_agree(rt, rc, err);
            if (rc) break;
            a = made;
        }
        if (rt->local && arr_is_dist(a)) {
            a = arr_local(a);
            if (!a) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
            full = a && same_shape(a, f->ndim, f->shape);
        } else if (dist && full) {
            /* every rank takes the same branch: the dists are the same everywhere. A
             * layout shifted by less than a neighbour's block (a stencil's views) is read
             * in place with a halo from the neighbours, anything else moves. */
            if (dist_equal(&a->dist, &f->dist)) {
                arr_ref(a);
            } else if (halo_fits(&a->dist, &f->dist)) {
                rc = halo_new(rt, a, &f->dist, &l->h, err);
                if (!rc) arr_ref(a);
            } else {
                rc = coll_redist(rt, a, &f->dist, &a, err);
            }
        } else if (dist) {
            rc = coll_allgather(rt, a, &a, err);
        } else {
            arr_ref(a);
        }
        arr_unref(&made);
        if (rc) break;
        l->a = a;
        /* A distributed leaf of full shape holds exactly our rows; anything else is
         * whole on this rank and indexed by global position. */
        l->shift = (dist && full) ? 0 : f->row0;
        l->mode = l->h ? L_HALO : (l->shift == 0 && full && arri_contig(a)) ? L_DIRECT : L_GATHER;
        if (l->mode == L_GATHER && l->shift == 0 && full && dist) {
            /* a strided chunk in place (a view): read in runs, not element by element; out
             * of memory here only keeps the slower reader */
            err_t e2;
            err_clear(&e2);
            if (halo_here(rt, a, &f->dist, &l->h, &e2) == 0) l->mode = L_HALO;
        }
        set_strides(f, l);
    }
    if (rc) {
        fuse_free(&f);
        return rc;
    }
    /* Scalars are filled once, and so are their casts (4 * x of a float x casts the 4 here,
     * not in every block): a filled cast becomes an INS_CONST, whose block is its buffer. */
    char filled[MAXREG] = {0};
    for (int k = 0; k < f->nins; k++) {
        ins_t *in = &f->ins[k];
        char *buf = f->tmp + (size_t)in->dst * KERN_BLK * 16;
        const val_t *sv = in->kind == INS_CONST ? &f->cval[in->dst]
                          : in->kind == INS_LOAD && f->leaf[in->leaf].mode == L_SCALAR
                              ? &leaves[in->leaf]
                              : NULL;
        if (sv) {
            char v[16];
            arri_store_val(in->cdt, v, sv);
            kern_fill(in->cdt, buf, v, KERN_BLK);
            filled[in->dst] = 1;
        } else if (in->kind == INS_CAST && filled[in->a]) {
            kern_cast(in->cdt, in->odt, buf, f->tmp + (size_t)in->a * KERN_BLK * 16, KERN_BLK);
            in->kind = INS_CONST;
            filled[in->dst] = 1;
        }
    }
    set_split(f);
    jit_attach(f);
    *out = f;
    return 0;
}

int fuse_build(rt_t *rt, const ir_node_t *tree, const val_t *leaves, size_t nleaves, fuse_t **out,
               err_t *err)
{
    return build(rt, tree, leaves, nleaves, 0, NULL, out, err);
}

int fuse_build_keep(rt_t *rt, const ir_node_t *tree, const val_t *leaves, size_t nleaves,
                    fuse_t **out, err_t *err)
{
    return build(rt, tree, leaves, nleaves, 1, NULL, out, err);
}

int fuse_build_into(rt_t *rt, const ir_node_t *tree, const val_t *leaves, size_t nleaves,
                    const arr_t *t, fuse_t **out, err_t *err)
{
    return build(rt, tree, leaves, nleaves, 1, t, out, err);
}

int fuse_may_fail(const fuse_t *f)
{
    for (int k = 0; k < f->nins; k++)
        if (f->ins[k].kind == INS_BINARY && f->ins[k].op == IR_POW && cat(f->ins[k].cdt) <= 1)
            return 1;
    return 0;
}

/* 1 when the address of t's local element k grows strictly with k (C order, positive
 * strides, each axis' stride past the span of the axes after it). */
static int ascending(const arr_t *t)
{
    int64_t span = 0; /* the largest offset of the axes after d */
    for (int d = t->ndim - 1; d >= 0; d--) {
        if (t->lshape[d] <= 1) continue;
        if (t->lstride[d] <= span) return 0;
        span += (t->lshape[d] - 1) * t->lstride[d];
    }
    return 1;
}

int64_t fuse_lag(const fuse_t *f, const arr_t *t)
{
    int64_t lag = 0;
    if (arri_lsize(t) == 0) return 0;
    for (size_t i = 0; i < f->nleaf; i++) {
        const leaf_t *l = &f->leaf[i];
        if (l->mode == L_SCALAR || !l->a || l->a->buf != t->buf) continue;
        /* a leaf reading t's own memory: it must be read at t's positions, with t's
         * strides, shifted by a fixed offset (then a read at local position k' of what
         * was written at k < k' has k' - k <= that offset, as t's addresses ascend) */
        if (!ascending(t) || l->shift != 0 || !same_shape(l->a, t->ndim, t->shape)) return -1;
        for (int d = 0; d < t->ndim; d++)
            if (t->lshape[d] > 1 && l->a->lstride[d] != t->lstride[d]) return -1;
        int64_t delta = t->loff - (l->h ? halo_origin(l->h) : l->a->loff);
        if (delta > lag) lag = delta;
    }
    return lag;
}

const dist_t *fuse_home(const fuse_t *f)
{
    return f->hashome ? &f->home : NULL;
}

int fuse_ndim(const fuse_t *f)
{
    return f->ndim;
}
const int64_t *fuse_shape(const fuse_t *f)
{
    return f->shape;
}
int fuse_dtype(const fuse_t *f)
{
    return f->dtype;
}
int fuse_weak(const fuse_t *f)
{
    return f->weak;
}
int fuse_isdist(const fuse_t *f)
{
    return f->isdist;
}
const dist_t *fuse_dist(const fuse_t *f)
{
    return &f->dist;
}
int64_t fuse_lsize(const fuse_t *f)
{
    return f->lsize;
}
int64_t fuse_gstart(const fuse_t *f)
{
    return f->gstart;
}

/* Fills n elements of leaf l for result positions [s, s+n) (local flat index). */
static void gather(const fuse_t *f, const leaf_t *l, int64_t s, int64_t n, char *dst)
{
    const arr_t *a = l->a;
    size_t sz = dt_size(a->dtype);
    int nd = f->ndim;
    int64_t idx[ARR_MAXDIM];
    int64_t k = s;
    for (int d = nd - 1; d >= 0; d--) {
        idx[d] = f->lshape[d] ? k % f->lshape[d] : 0;
        k = f->lshape[d] ? k / f->lshape[d] : 0;
    }
    int64_t off = a->loff;
    for (int d = 0; d < nd; d++)
        off += (idx[d] + (d == 0 ? l->shift : 0)) * l->st[d];
    const char *base = a->buf->p;
    int last = nd - 1;
    for (int64_t i = 0; i < n; i++) {
        memcpy(dst + (size_t)i * sz, base + off * (int64_t)sz, sz);
        if (nd == 0) continue;
        /* Advance the multi-index, keeping off in step. */
        int d = last;
        while (d >= 0) {
            idx[d]++;
            off += l->st[d];
            if (idx[d] < f->lshape[d]) break;
            off -= idx[d] * l->st[d];
            idx[d] = 0;
            d--;
        }
    }
}

int fuse_fp_checked(int op, int dt)
{
    if (dt == DT_COMPLEX128) {
        switch (op) {
        case IR_ADD:
        case IR_SUB:
        case IR_MUL:
        case IR_POW:
        case KOP_BI + BI_SQUARE:
            return 1;
        }
        return 0;
    }
    if (dt != DT_FLOAT64 && dt != DT_FLOAT32) return 0;
    switch (op) {
    case IR_ADD:
    case IR_SUB:
    case IR_MUL:
    case IR_DIV:
    case IR_FLOORDIV:
    case IR_MOD:
    case IR_POW:
    case KOP_BI + BI_FMOD:
    case KOP_BI + BI_HYPOT:
    case KOP_BI + BI_SQRT:
    case KOP_BI + BI_EXP:
    case KOP_BI + BI_LOG:
    case KOP_BI + BI_LOG10:
    case KOP_BI + BI_LOG1P:
    case KOP_BI + BI_EXPM1:
    case KOP_BI + BI_SIN:
    case KOP_BI + BI_COS:
    case KOP_BI + BI_TAN:
    case KOP_BI + BI_ARCSIN:
    case KOP_BI + BI_ARCCOS:
    case KOP_BI + BI_SINH:
    case KOP_BI + BI_COSH:
    case KOP_BI + BI_ARCCOSH:
    case KOP_BI + BI_ARCTANH:
    case KOP_BI + BI_SQUARE:
    case KOP_BI + BI_RECIPROCAL:
        return 1;
    }
    return 0;
}

/* NumPy's RuntimeWarnings for the flags fe that instruction in raised, in NumPy's order.
 * x ** c with a number c is NumPy's fast path for some c: its loop names the warning. */
static void fp_warn(fuse_t *f, const ins_t *in, int fe)
{
    if (!fe) return;
    const char *name = fuse_ufunc_name(in->op);
    if (in->op == IR_POW && f->rconst[in->b]) {
        double e[2];
        arri_load(in->cdt, f->rp[in->b], e);
        name = e[0] == -1 ? "reciprocal" : e[0] == 0.5 ? "sqrt" : e[0] == 2 ? "square" : name;
    }
    if (fe & FE_DIVBYZERO) rt_warn(f->rt, f->at, "divide by zero", name);
    if (fe & FE_OVERFLOW) rt_warn(f->rt, f->at, "overflow", name);
    if (fe & FE_INVALID) rt_warn(f->rt, f->at, "invalid value", name);
}

/* Where leaf l's elements [s, s + n) are: in place, or filled into buf. */
static const void *load(const fuse_t *f, const leaf_t *l, int dt, int64_t s, int64_t n, char *buf)
{
    if (l->mode == L_SCALAR) return buf;
    if (l->mode == L_RANDOM) {
        arri_gen_fill(l->a, (uint64_t)(f->gstart + s), n, buf);
        return buf;
    }
    if (l->mode == L_HALO) return halo_read(l->h, s, n, buf);
    if (l->mode == L_DIRECT) return (const char *)arri_base(l->a) + s * (int64_t)dt_size(dt);
    gather(f, l, s, n, buf);
    return buf;
}

/* The program over [s, s + n) as run_range computes it, FUSE_GROUP elements at a time: each
 * leaf is found once for the whole range, then every instruction runs on the group before
 * the next group starts, into f->grp, the last one into its block buffer at element at.
 * Nothing is checked on the way: the IEEE flags are tested once at the end and any flag, or
 * any kernel's warning or error, answers 1 (nothing reported), for run_range to redo the
 * range and report what it finds. The values are the same: every operation is elementwise.
 *
 * Of the leaves read in place from one array, only the one furthest ahead in memory reads
 * memory no other leaf has brought into cache (a stencil's leading row: z[2:] of z[2:] +
 * z[:-2] + z[1:-1]); it is prefetched FUSE_AHEAD bytes ahead, so that its misses overlap the
 * program's other instructions instead of stalling the one that reads it (prefetching every
 * leaf costs more than it saves: the others hit the cache). */
static int run_grouped(fuse_t *f, int64_t s, int64_t n, int64_t at)
{
    const char *lp[MAXREG * 2], *lead[MAXREG];
    const void *base[MAXREG];
    size_t lsz[MAXREG], dsz[MAXREG * 2];
    int nlead = 0, r = 0;
    fp_clear(FE_DIVBYZERO | FE_OVERFLOW | FE_INVALID);
    for (int k = 0; k < f->nins; k++) {
        const ins_t *in = &f->ins[k];
        char *buf = f->tmp + (size_t)in->dst * KERN_BLK * 16;
        dsz[k] = dt_size(f->rdt[in->dst]);
        lp[k] = buf;
        if (in->kind != INS_LOAD || f->leaf[in->leaf].mode == L_SCALAR) continue;
        const leaf_t *l = &f->leaf[in->leaf];
        char *fill = buf + (size_t)at * dsz[k];
        lp[k] = load(f, l, in->cdt, s, n, fill);
        if (lp[k] == fill || (l->mode != L_DIRECT && l->mode != L_HALO)) continue;
        int j = 0;
        while (j < nlead && base[j] != l->a->buf->p)
            j++;
        if (j == nlead) {
            if (nlead == MAXREG) continue;
            base[nlead++] = l->a->buf->p;
            lead[j] = lp[k];
            lsz[j] = dsz[k];
        } else if (lp[k] > lead[j]) {
            lead[j] = lp[k];
        }
    }
    const void *args[MAXREG * 2];
    int nargs = 0;
    if (f->jit)
        for (int k = 0; k < f->nins; k++)
            if (f->ins[k].kind == INS_LOAD || f->ins[k].kind == INS_CONST) args[nargs++] = lp[k];
    char *res = f->tmp + (size_t)f->out * KERN_BLK * 16 + (size_t)at * dt_size(f->rdt[f->out]);
    int64_t G = f->jit ? JIT_GROUP : FUSE_GROUP;
    for (int64_t g = 0; g < n && !r; g += G) {
        size_t m = (size_t)(n - g < G ? n - g : G);
        for (int j = 0; j < nlead; j++) {
            const char *pf = lead[j] + (size_t)g * lsz[j] + FUSE_AHEAD;
            for (size_t o = 0; o < m * lsz[j]; o += 64)
                __builtin_prefetch(pf + o, 0, 3);
        }
        if (f->jit) {
            f->jit(args, res, g, g + (int64_t)m);
            continue;
        }
        for (int k = 0; k < f->nins && !r; k++) {
            const ins_t *in = &f->ins[k];
            if (in->kind == INS_CONST ||
                (in->kind == INS_LOAD && f->leaf[in->leaf].mode == L_SCALAR)) {
                f->rp[in->dst] = lp[k];
                continue;
            }
            if (in->kind == INS_LOAD) {
                f->rp[in->dst] = lp[k] + (size_t)g * dsz[k];
                continue;
            }
            char *d = in->dst == f->out ? res + (size_t)g * dsz[k]
                                        : f->grp + (size_t)in->dst * FUSE_GROUP * 16;
            if (in->kind == INS_SELECT) {
                kern_sel(in->cdt, d, f->rp[in->a], f->rp[in->b], f->rp[in->c], m);
            } else if (in->kind == INS_CAST) {
                kern_cast(in->cdt, in->odt, d, f->rp[in->a], m);
            } else {
                int un = in->kind == INS_UNARY ? in->op : pow_fast(f, in);
                r = un ? kern_un(un, in->cdt, d, f->rp[in->a], m)
                       : kern_bin(in->op, in->cdt, d, f->rp[in->a], f->rp[in->b], m);
            }
            f->rp[in->dst] = d;
        }
    }
    return r || fetestexcept(FE_DIVBYZERO | FE_OVERFLOW | FE_INVALID);
}

/* Runs the program over the elements [s, s + n) of the block that starts at s - at: every
 * register the program computes gets them at element at of its buffer. */
static int run_range(fuse_t *f, int64_t s, int64_t n, int64_t at, err_t *err)
{
    /* The flags are cleared before a checked operation only when something may have set
     * them since the last test found none (clearing costs more than the test). */
    int clear = 0;
    for (int k = 0; k < f->nins; k++) {
        const ins_t *in = &f->ins[k];
        char *buf = f->tmp + (size_t)in->dst * KERN_BLK * 16;
        if (in->kind != INS_CONST && !(in->kind == INS_LOAD && f->leaf[in->leaf].mode == L_SCALAR))
            buf += (size_t)at * dt_size(f->rdt[in->dst]);
        switch (in->kind) {
        case INS_LOAD: {
            const leaf_t *l = &f->leaf[in->leaf];
            if (l->mode == L_RANDOM) clear = 0;
            f->rp[in->dst] = load(f, l, in->cdt, s, n, buf);
            break;
        }
        case INS_CONST:
            f->rp[in->dst] = buf;
            break;
        case INS_SELECT:
            kern_sel(in->cdt, buf, f->rp[in->a], f->rp[in->b], f->rp[in->c], (size_t)n);
            f->rp[in->dst] = buf;
            break;
        case INS_CAST:
            clear = 0;
            kern_cast(in->cdt, in->odt, buf, f->rp[in->a], (size_t)n);
            f->rp[in->dst] = buf;
            break;
        case INS_BINARY:
        case INS_UNARY: {
            int fp = fuse_fp_checked(in->op, in->cdt);
            if (fp && !clear) fp_clear(FE_DIVBYZERO | FE_OVERFLOW | FE_INVALID);
            int un = in->kind == INS_UNARY ? in->op : pow_fast(f, in);
            int r = un ? kern_un(un, in->cdt, buf, f->rp[in->a], (size_t)n)
                       : kern_bin(in->op, in->cdt, buf, f->rp[in->a], f->rp[in->b], (size_t)n);
            int fe = fp ? fetestexcept(FE_DIVBYZERO | FE_OVERFLOW | FE_INVALID) : 0;
            fp_warn(f, in, fe);
            clear = fp && !fe;
            if (r & KERN_WZERODIV) rt_warn(f->rt, f->at, "divide by zero", fuse_ufunc_name(in->op));
            if (r & KERN_WOVERFLOW) rt_warn(f->rt, f->at, "overflow", fuse_ufunc_name(in->op));
            if (r & KERN_WINVALID) rt_warn(f->rt, f->at, "invalid value", fuse_ufunc_name(in->op));
            r &= ~(KERN_WZERODIV | KERN_WOVERFLOW | KERN_WINVALID);
            if (r == KERN_ENEGPOW)
                return err_set(err, PARC_EVALUE, (span_t){0},
                               "Integers to negative integer powers are not allowed.");
            if (r)
                return err_set(err, PARC_ETYPE, (span_t){0}, "ufunc '%s' not supported for %s",
                               fuse_ufunc_name(in->op), dt_name(in->cdt));
            f->rp[in->dst] = buf;
            break;
        }
        }
    }
    return 0;
}

/* The end of the run of a block (ending at e) that starts at p: the end of p's row when
 * the block runs row by row (split_row), else e. */
static int64_t run_end(const fuse_t *f, int64_t p, int64_t e)
{
    int64_t row = f->split_row, q = row ? (p / row + 1) * row : e;
    return q < e ? q : e;
}

int fuse_block(fuse_t *f, int64_t s, int64_t n, const void **res, err_t *err)
{
    int64_t row = f->split_row, e = s + n;
    if (f->grouped && n > FUSE_GROUP) {
        int redo = 0;
        for (int64_t p = s, q; p < e && !redo; p = q) {
            q = run_end(f, p, e);
            redo = run_grouped(f, p, q - p, p - s);
        }
        *res = f->tmp + (size_t)f->out * KERN_BLK * 16;
        if (!redo) return 0;
    }
    if (row && s / row != (e - 1) / row) {
        for (int64_t p = s, q; p < e; p = q) {
            q = run_end(f, p, e);
            int rc = run_range(f, p, q - p, p - s, err);
            if (rc) return rc;
        }
        *res = f->tmp + (size_t)f->out * KERN_BLK * 16;
        return 0;
    }
    int rc = run_range(f, s, n, 0, err);
    *res = f->rp[f->out];
    return rc;
}

int fuse_each(fuse_t *f, fuse_visit_fn visit, void *ctx, err_t *err)
{
    int64_t m = fuse_lsize(f);
    int rc = 0;
    for (int64_t s = 0; s < m && !rc; s += KERN_BLK) {
        int64_t n = m - s < KERN_BLK ? m - s : KERN_BLK;
        const void *res;
        rt_step(f->rt, s, m);
        rc = rt_check(f->rt, err);
        if (!rc) rc = fuse_block(f, s, n, &res, err);
        if (!rc) visit(ctx, s, n, res);
    }
    rt_step(f->rt, 0, 0);
    return rc;
}

/* ---- quiet programs ----
 *
 * fuse_quiet bounds every register by interval arithmetic from the leaves' ranges (numbers
 * are exact, a virtual random array's range is its generator's), so a deferred tree is
 * kept only when evaluating it later cannot differ from evaluating it now in anything but
 * time: no error, no RuntimeWarning. Anything not bounded here (real arrays, complex
 * values, powers, integer division) answers "not quiet", and the tree runs eagerly. */

typedef struct {
    double lo, hi;
} ivl_t;

static ivl_t ivl(double a, double b)
{
    return (ivl_t){a < b ? a : b, a < b ? b : a};
}

static ivl_t ivl4(double a, double b, double c, double d)
{
    ivl_t x = ivl(a, b), y = ivl(c, d);
    return (ivl_t){x.lo < y.lo ? x.lo : y.lo, x.hi > y.hi ? x.hi : y.hi};
}

static double amax(ivl_t a)
{
    return fabs(a.lo) > fabs(a.hi) ? fabs(a.lo) : fabs(a.hi);
}

/* The result range of the float op k on a (and b); 0 when op may raise a flag there or
 * is not one bounded here. */
static int float_range(int op, ivl_t a, ivl_t b, double lim, ivl_t *r)
{
    double ea = lim == FLT_MAX ? 88 : 700; /* exp below overflow */
    switch (op) {
    case IR_ADD:
        *r = ivl(a.lo + b.lo, a.hi + b.hi);
        return 1;
    case IR_SUB:
        *r = ivl(a.lo - b.hi, a.hi - b.lo);
        return 1;
    case IR_MUL:
        *r = ivl4(a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi);
        return 1;
    case IR_DIV:
        if (!(b.lo > 0 || b.hi < 0)) return 0;
        *r = ivl4(a.lo / b.lo, a.lo / b.hi, a.hi / b.lo, a.hi / b.hi);
        return 1;
    case IR_NEG:
        *r = ivl(-a.hi, -a.lo);
        return 1;
    case IR_POS:
        *r = a;
        return 1;
    case KOP_BI + BI_ABSOLUTE:
        *r = ivl(a.lo <= 0 && a.hi >= 0 ? 0 : fmin(fabs(a.lo), fabs(a.hi)), amax(a));
        return 1;
    case KOP_BI + BI_SQUARE:
        *r = ivl(a.lo <= 0 && a.hi >= 0 ? 0 : fmin(a.lo * a.lo, a.hi * a.hi), amax(a) * amax(a));
        return 1;
    case KOP_BI + BI_SQRT:
        if (a.lo < 0) return 0;
        *r = ivl(sqrt(a.lo), sqrt(a.hi));
        return 1;
    case KOP_BI + BI_HYPOT:
        if (amax(a) > 1e150 || amax(b) > 1e150) return 0;
        *r = ivl(0, hypot(amax(a), amax(b)));
        return 1;
    case KOP_BI + BI_EXP:
    case KOP_BI + BI_EXPM1:
        if (a.hi >= ea) return 0;
        *r = ivl(op == KOP_BI + BI_EXP ? 0 : -1, exp(a.hi));
        return 1;
    case KOP_BI + BI_LOG1P:
        /* log1p(x) is log(1 + x), give or take the margin below */
        a = ivl(a.lo + 1, a.hi + 1);
        /* fall through */
    case KOP_BI + BI_LOG:
    case KOP_BI + BI_LOG10:
        if (a.lo <= 0) return 0;
        *r = ivl(log(a.lo) - 1, log(a.hi) + 1);
        return 1;
    case KOP_BI + BI_SIN:
    case KOP_BI + BI_COS:
    case KOP_BI + BI_TANH:
    case KOP_BI + BI_SIGN:
        *r = ivl(-1, 1);
        return 1;
    case KOP_BI + BI_ARCTAN:
        *r = ivl(-2, 2);
        return 1;
    case KOP_BI + BI_MAXIMUM:
        *r = ivl(fmax(a.lo, b.lo), fmax(a.hi, b.hi));
        return 1;
    case KOP_BI + BI_MINIMUM:
        *r = ivl(fmin(a.lo, b.lo), fmin(a.hi, b.hi));
        return 1;
    case KOP_CLIPLO:
    case KOP_CLIPHI:
    case KOP_CLIPLO_C:
    case KOP_CLIPHI_C:
        *r = ivl(fmin(a.lo, b.lo), fmax(a.hi, b.hi));
        return 1;
    case KOP_BI + BI_FLOOR:
    case KOP_BI + BI_CEIL:
    case KOP_BI + BI_RINT:
        *r = ivl(floor(a.lo), ceil(a.hi));
        return 1;
    }
    return 0;
}

/* The range of instruction in's result from its operands' ranges; 0 when unbounded. */
static int ins_range(const ins_t *in, const ivl_t *g, ivl_t *r)
{
    if (in->cdt == DT_COMPLEX128 || in->odt == DT_COMPLEX128) return 0;
    switch (in->op) {
    case IR_LT:
    case IR_LE:
    case IR_GT:
    case IR_GE:
    case IR_EQ:
    case IR_NE:
    case KOP_BI + BI_ISNAN:
    case KOP_BI + BI_ISFINITE:
    case KOP_BI + BI_ISINF:
        *r = ivl(0, 1);
        return 1;
    }
    ivl_t a = g[in->a], b = in->kind == INS_BINARY ? g[in->b] : a;
    if (in->cdt == DT_BOOL) {
        /* bool & | ^ ~ and the logical functions, which come here as those */
        *r = ivl(0, 1);
        return in->op == IR_BITAND || in->op == IR_BITOR || in->op == IR_BITXOR ||
               in->op == IR_INVERT || in->op == KOP_BI + BI_MAXIMUM ||
               in->op == KOP_BI + BI_MINIMUM;
    }
    if (in->cdt == DT_INT32 || in->cdt == DT_INT64) {
        /* integer loops wrap without a word; only division and powers can warn or fail */
        if (in->op != IR_ADD && in->op != IR_SUB && in->op != IR_MUL && in->op != IR_NEG &&
            in->op != IR_POS && in->op != KOP_BI + BI_ABSOLUTE && in->op != KOP_BI + BI_MAXIMUM &&
            in->op != KOP_BI + BI_MINIMUM && in->op != KOP_BI + BI_SQUARE &&
            in->op != KOP_BI + BI_SIGN && (in->op < KOP_CLIPLO || in->op > KOP_CLIPHI_C))
            return 0;
        if (!float_range(in->op, a, b, 1e300, r)) return 0;
        double big = in->cdt == DT_INT32 ? 2147483647.0 : 9.2e18;
        if (r->lo < -big || r->hi > big) *r = ivl(-big, big); /* wrapped */
        return 1;
    }
    double lim = in->cdt == DT_FLOAT32 ? FLT_MAX : DBL_MAX;
    if (!float_range(in->op, a, b, lim, r)) return 0;
    /* well inside the dtype: no overflow on the way, whatever the rounding */
    return isfinite(r->lo) && isfinite(r->hi) && amax(*r) < lim / 4;
}

int fuse_quiet(const fuse_t *f)
{
    ivl_t g[MAXREG];
    for (int k = 0; k < f->nins; k++) {
        const ins_t *in = &f->ins[k];
        ivl_t *r = &g[in->dst];
        double v[2];
        switch (in->kind) {
        case INS_LOAD: {
            const leaf_t *l = &f->leaf[in->leaf];
            if (l->mode == L_RANDOM) {
                arri_gen_range(l->a, &r->lo, &r->hi);
                break;
            }
            if (l->mode != L_SCALAR || in->cdt == DT_COMPLEX128) return 0;
            arri_load(in->cdt, f->tmp + (size_t)in->dst * KERN_BLK * 16, v);
            *r = ivl(v[0], v[0]);
            break;
        }
        case INS_CONST:
            if (in->cdt == DT_COMPLEX128) return 0;
            arri_val_to_num(&f->cval[in->dst], v);
            *r = ivl(v[0], v[0]);
            break;
        case INS_CAST:
            if (in->odt == DT_COMPLEX128) return 0;
            *r = in->odt == DT_BOOL ? ivl(0, 1) : g[in->a];
            break;
        case INS_SELECT:
            *r = ivl4(g[in->b].lo, g[in->b].hi, g[in->c].lo, g[in->c].hi);
            break;
        default:
            if (!ins_range(in, g, r)) return 0;
        }
        if (!isfinite(r->lo) || !isfinite(r->hi)) return 0;
    }
    return 1;
}
