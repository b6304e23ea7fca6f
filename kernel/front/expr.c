/* expr.c - expressions, by recursive descent (see expr.h); parse_ calls it for every
 * expression in a statement, and pcur_ holds the tokens and the sticky error.
 *
 * Python's precedence, loosest first: lambda, if-else, or, and, not, comparisons (chained),
 * |, ^, &, << >>, + -, * / // % @, unary + - ~, ** (right-assoc, binds tighter than a unary
 * minus on its left: -2**2 == -4). Every function starts with `if (p->err.code) return NULL`
 * or checks on the way out; pcur_enter counts recursion (nested brackets, unary chains) and
 * ast_add bounds tree depth (long left-assoc chains such as 1+1+...+1 build depth without
 * recursion). */
#include "expr.h"
#include "ir.h"
#include "lex.h"

#include <string.h>

static ast_t *factor(pcur_t *p);

int expr_starts(int k)
{
    switch (k) {
    case LEX_NAME:
    case LEX_INT:
    case LEX_FLOAT:
    case LEX_IMAG:
    case LEX_STR:
    case LEX_TRUE:
    case LEX_FALSE:
    case LEX_NONE:
    case LEX_LPAR:
    case LEX_LSQB:
    case LEX_LBRACE:
    case LEX_MINUS:
    case LEX_PLUS:
    case LEX_TILDE:
    case LEX_NOT:
    case LEX_LAMBDA:
    case LEX_ELLIPSIS:
        return 1;
    default:
        return 0;
    }
}

/* After an operator: the operand must start here, else "expected an expression after". */
int expr_need_operand(pcur_t *p, const tok_t *op)
{
    if (p->err.code) return 0;
    if (expr_starts(pcur_cur(p)->kind)) return 1;
    pcur_fail(p, pcur_cur(p), PARC_ESYNTAX, "expected an expression after '%s'",
              lex_spelling(op->kind));
    return 0;
}

static ast_t *binary(pcur_t *p, int kind, int op, ast_t *l, ast_t *r)
{
    if (p->err.code || !l || !r) return NULL;
    ast_t *n = pcur_node(p, kind, span_join(l->at, r->at));
    if (!n) return NULL;
    n->op = (uint16_t)op;
    pcur_add(p, n, l);
    pcur_add(p, n, r);
    return p->err.code ? NULL : n;
}

/* ---- atoms and trailers ---- */

static ast_t *strings(pcur_t *p)
{
    tok_t *t = pcur_cur(p);
    ast_t *n = pcur_node(p, AST_STR, t->at);
    if (!n) return NULL;
    n->s = t->s;
    n->slen = t->slen;
    pcur_next(p);
    while (pcur_is(p, LEX_STR)) { /* adjacent literals concatenate, as in Python */
        tok_t *u = pcur_cur(p);
        size_t len = (size_t)n->slen + u->slen;
        char *s = arena_alloc(p->a, len + 1);
        if (!s) {
            err_set(&p->err, PARC_ENOMEM, u->at, "out of memory");
            return NULL;
        }
        memcpy(s, n->s, n->slen);
        memcpy(s + n->slen, u->s, u->slen);
        n->s = s;
        n->slen = (uint32_t)len;
        n->at = span_join(n->at, u->at);
        pcur_next(p);
    }
    return n;
}

/* Elements of a tuple or list up to `close`; the first element already parsed may be
 * passed in. Trailing commas allowed. */
static ast_t *elements(pcur_t *p, ast_t *seq, int close)
{
    while (!p->err.code && !pcur_is(p, close)) {
        if (!expr_starts(pcur_cur(p)->kind)) {
            pcur_fail(p, pcur_cur(p), PARC_ESYNTAX, "invalid syntax");
            return NULL;
        }
        pcur_add(p, seq, expr_test(p));
        if (pcur_is(p, LEX_COMMA))
            pcur_next(p);
        else if (!pcur_is(p, close)) {
            pcur_fail(p, pcur_cur(p), PARC_ESYNTAX,
                      expr_starts(pcur_cur(p)->kind) ? "invalid syntax. Perhaps you forgot a comma?"
                                                     : "invalid syntax");
        }
    }
    if (p->err.code) return NULL;
    seq->at = span_join(seq->at, pcur_cur(p)->at);
    pcur_next(p);
    return seq;
}

static ast_t *atom(pcur_t *p)
{
    if (p->err.code) return NULL;
    tok_t *t = pcur_cur(p);
    ast_t *n = NULL;
    switch (t->kind) {
    case LEX_NAME:
        n = pcur_node(p, AST_NAME, t->at);
        if (n && (n->s = pcur_text(p, t))) n->slen = (uint32_t)t->at.len;
        pcur_next(p);
        return n;
    case LEX_INT:
    case LEX_FLOAT:
    case LEX_IMAG:
        n = pcur_node(p,
                      t->kind == LEX_INT     ? AST_INT
                      : t->kind == LEX_FLOAT ? AST_FLOAT
                                             : AST_IMAG,
                      t->at);
        if (n && t->kind == LEX_INT)
            n->v.i = t->v.i;
        else if (n)
            n->v.f = t->v.f;
        pcur_next(p);
        return n;
    case LEX_STR:
        return strings(p);
    case LEX_TRUE:
    case LEX_FALSE:
        n = pcur_node(p, AST_BOOL, t->at);
        if (n) n->v.i = t->kind == LEX_TRUE;
        pcur_next(p);
        return n;
    case LEX_NONE:
        n = pcur_node(p, AST_NONE, t->at);
        pcur_next(p);
        return n;
    case LEX_LPAR: {
        if (!pcur_enter(p)) return NULL;
        pcur_next(p);
        if (pcur_is(p, LEX_RPAR)) {
            n = pcur_node(p, AST_TUPLE, span_join(t->at, pcur_cur(p)->at));
            pcur_next(p);
        } else {
            ast_t *x = expr_test(p);
            if (pcur_is(p, LEX_COMMA)) {
                pcur_next(p);
                n = pcur_node(p, AST_TUPLE, t->at);
                pcur_add(p, n, x);
                n = elements(p, n, LEX_RPAR);
            } else if (pcur_expect(p, LEX_RPAR,
                                   expr_starts(pcur_cur(p)->kind)
                                       ? "invalid syntax. Perhaps you forgot a comma?"
                                       : "invalid syntax")) {
                n = x;
            }
        }
        if (n) n->paren = 1;
        p->depth--;
        return p->err.code ? NULL : n;
    }
    case LEX_LSQB:
        if (!pcur_enter(p)) return NULL;
        pcur_next(p);
        n = elements(p, pcur_node(p, AST_LIST, t->at), LEX_RSQB);
        p->depth--;
        return n;
    case LEX_LBRACE:
        pcur_fail(p, t, PARC_ESYNTAX, "dict and set displays are not supported in parc");
        return NULL;
    case LEX_ELLIPSIS:
        n = pcur_node(p, AST_ELLIPSIS, t->at);
        pcur_next(p);
        return n;
    default:
        pcur_fail(p, t, PARC_ESYNTAX, "invalid syntax");
        return NULL;
    }
}

static ast_t *call(pcur_t *p, ast_t *fn)
{
    ast_t *c = pcur_node(p, AST_CALL, fn ? fn->at : pcur_cur(p)->at);
    pcur_add(p, c, fn);
    pcur_next(p); /* ( */
    int kw = 0;
    while (!p->err.code && !pcur_is(p, LEX_RPAR)) {
        tok_t *t = pcur_cur(p);
        if (t->kind == LEX_NAME && pcur_ahead(p, 1)->kind == LEX_EQ) {
            ast_t *k = pcur_node(p, AST_KWARG, t->at);
            if (k && (k->s = pcur_text(p, t))) k->slen = (uint32_t)t->at.len;
            for (uint32_t i = 1; k && !p->err.code && i < c->n; i++)
                if (c->kid[i]->kind == AST_KWARG && strcmp(c->kid[i]->s, k->s) == 0)
                    pcur_fail(p, t, PARC_ESYNTAX, "keyword argument repeated: %s", k->s);
            pcur_next(p);
            tok_t *eq = pcur_cur(p);
            pcur_next(p);
            if (!expr_need_operand(p, eq)) return NULL;
            ast_t *v = expr_test(p);
            if (k && v) k->at = span_join(k->at, v->at);
            pcur_add(p, k, v);
            pcur_add(p, c, k);
            kw = 1;
        } else if (t->kind == LEX_STAR || t->kind == LEX_DSTAR) {
            pcur_fail(p, t, PARC_ESYNTAX, "argument unpacking (%s) is not supported in parc",
                      lex_spelling(t->kind));
        } else if (!expr_starts(t->kind)) {
            pcur_fail(p, t, PARC_ESYNTAX, "invalid syntax");
        } else {
            ast_t *v = expr_test(p);
            if (kw && v)
                pcur_fail(p, t, PARC_ESYNTAX, "positional argument follows keyword argument");
            if (pcur_is(p, LEX_EQ))
                pcur_fail(p, pcur_cur(p), PARC_ESYNTAX,
                          "expression cannot contain assignment, perhaps you meant \"==\"?");
            pcur_add(p, c, v);
        }
        if (pcur_is(p, LEX_COMMA))
            pcur_next(p);
        else if (!pcur_is(p, LEX_RPAR))
            pcur_fail(p, pcur_cur(p), PARC_ESYNTAX,
                      expr_starts(pcur_cur(p)->kind) ? "invalid syntax. Perhaps you forgot a comma?"
                                                     : "invalid syntax");
    }
    if (p->err.code) return NULL;
    c->at = span_join(c->at, pcur_cur(p)->at);
    pcur_next(p);
    return c;
}

/* One subscript item: an expression or a slice [lo]:[hi][:[step]]. */
static ast_t *slice_item(pcur_t *p)
{
    if (p->err.code) return NULL;
    tok_t *t = pcur_cur(p);
    ast_t *lo = NULL;
    if (!pcur_is(p, LEX_COLON)) {
        if (!expr_starts(t->kind)) {
            pcur_fail(p, t, PARC_ESYNTAX, "invalid syntax");
            return NULL;
        }
        lo = expr_test(p);
        if (!pcur_is(p, LEX_COLON)) return lo;
    }
    ast_t *s = pcur_node(p, AST_SLICE, lo ? lo->at : t->at);
    ast_t *parts[3] = {lo, NULL, NULL};
    for (int i = 1; i < 3 && pcur_is(p, LEX_COLON); i++) {
        span_t colon = pcur_cur(p)->at;
        pcur_next(p);
        if (expr_starts(pcur_cur(p)->kind))
            parts[i] = expr_test(p);
        else
            parts[i] = pcur_node(p, AST_NONE, colon);
        if (parts[i] && s) s->at = span_join(s->at, parts[i]->at);
    }
    for (int i = 0; i < 3; i++) {
        if (!parts[i]) parts[i] = pcur_node(p, AST_NONE, t->at);
        pcur_add(p, s, parts[i]);
    }
    return p->err.code ? NULL : s;
}

static ast_t *subscript(pcur_t *p, ast_t *obj)
{
    tok_t *open = pcur_cur(p);
    pcur_next(p);
    if (pcur_is(p, LEX_RSQB)) {
        pcur_fail(p, pcur_cur(p), PARC_ESYNTAX, "invalid syntax");
        return NULL;
    }
    ast_t *idx = slice_item(p);
    if (pcur_is(p, LEX_COMMA)) {
        ast_t *tup = pcur_node(p, AST_TUPLE, idx ? idx->at : open->at);
        pcur_add(p, tup, idx);
        while (!p->err.code && pcur_is(p, LEX_COMMA)) {
            pcur_next(p);
            if (pcur_is(p, LEX_RSQB)) break;
            ast_t *k = slice_item(p);
            pcur_add(p, tup, k);
            if (k && tup) tup->at = span_join(tup->at, k->at);
        }
        idx = tup;
    }
    if (!p->err.code && !pcur_is(p, LEX_RSQB))
        pcur_fail(p, pcur_cur(p), PARC_ESYNTAX,
                  expr_starts(pcur_cur(p)->kind) ? "invalid syntax. Perhaps you forgot a comma?"
                                                 : "invalid syntax");
    if (p->err.code || !obj) return NULL;
    ast_t *n = pcur_node(p, AST_SUBSCR, span_join(obj->at, pcur_cur(p)->at));
    pcur_next(p);
    pcur_add(p, n, obj);
    pcur_add(p, n, idx);
    return p->err.code ? NULL : n;
}

static ast_t *primary(pcur_t *p)
{
    ast_t *x = atom(p);
    while (!p->err.code && x) {
        if (pcur_is(p, LEX_LPAR)) {
            if (!pcur_enter(p)) return NULL;
            x = call(p, x);
            p->depth--;
        } else if (pcur_is(p, LEX_LSQB)) {
            if (!pcur_enter(p)) return NULL;
            x = subscript(p, x);
            p->depth--;
        } else if (pcur_is(p, LEX_DOT)) {
            pcur_next(p);
            tok_t *t = pcur_cur(p);
            if (t->kind != LEX_NAME) {
                pcur_fail(p, t, PARC_ESYNTAX, "invalid syntax");
                return NULL;
            }
            ast_t *n = pcur_node(p, AST_ATTR, span_join(x->at, t->at));
            if (n && (n->s = pcur_text(p, t))) n->slen = (uint32_t)t->at.len;
            pcur_next(p);
            pcur_add(p, n, x);
            x = n;
        } else {
            break;
        }
    }
    return p->err.code ? NULL : x;
}

/* ---- operators ---- */

static ast_t *power(pcur_t *p)
{
    ast_t *x = primary(p);
    if (p->err.code || !pcur_is(p, LEX_DSTAR)) return x;
    tok_t *op = pcur_cur(p);
    pcur_next(p);
    if (!expr_need_operand(p, op) || !pcur_enter(p)) return NULL;
    ast_t *y = factor(p); /* right-assoc; 2**-1 allowed */
    p->depth--;
    return binary(p, AST_BINOP, IR_POW, x, y);
}

static ast_t *factor(pcur_t *p)
{
    if (p->err.code) return NULL;
    tok_t *t = pcur_cur(p);
    int op = t->kind == LEX_MINUS   ? IR_NEG
             : t->kind == LEX_PLUS  ? IR_POS
             : t->kind == LEX_TILDE ? IR_INVERT
                                    : -1;
    if (op < 0) return power(p);
    pcur_next(p);
    if (!expr_need_operand(p, t) || !pcur_enter(p)) return NULL;
    ast_t *x = factor(p);
    p->depth--;
    if (!x) return NULL;
    ast_t *n = pcur_node(p, AST_UNARY, span_join(t->at, x->at));
    if (n) n->op = (uint16_t)op;
    pcur_add(p, n, x);
    return p->err.code ? NULL : n;
}

static const struct {
    int tok, op, level;
} binops[] = {
    {LEX_PIPE, IR_BITOR, 0},      {LEX_CARET, IR_BITXOR, 1},  {LEX_AMP, IR_BITAND, 2},
    {LEX_LSHIFT, IR_LSHIFT, 3},   {LEX_RSHIFT, IR_RSHIFT, 3}, {LEX_PLUS, IR_ADD, 4},
    {LEX_MINUS, IR_SUB, 4},       {LEX_STAR, IR_MUL, 5},      {LEX_SLASH, IR_DIV, 5},
    {LEX_DSLASH, IR_FLOORDIV, 5}, {LEX_PERCENT, IR_MOD, 5},   {LEX_AT, IR_MATMUL, 5},
};
#define NLEVELS 6

static ast_t *level(pcur_t *p, int lv)
{
    if (lv == NLEVELS) return factor(p);
    ast_t *x = level(p, lv + 1);
    for (;;) {
        if (p->err.code) return NULL;
        int op = -1;
        for (size_t i = 0; i < sizeof binops / sizeof binops[0]; i++)
            if (binops[i].level == lv && binops[i].tok == pcur_cur(p)->kind) op = binops[i].op;
        if (op < 0) return x;
        tok_t *t = pcur_cur(p);
        pcur_next(p);
        if (!expr_need_operand(p, t)) return NULL;
        x = binary(p, AST_BINOP, op, x, level(p, lv + 1));
    }
}

ast_t *expr_bitor(pcur_t *p)
{
    return level(p, 0);
}

/* The comparison operator at the cursor (consumed), as an IR opcode, or -1. */
static int cmp_op(pcur_t *p, tok_t **optok)
{
    tok_t *t = pcur_cur(p);
    *optok = t;
    int op;
    switch (t->kind) {
    case LEX_LT:
        op = IR_LT;
        break;
    case LEX_GT:
        op = IR_GT;
        break;
    case LEX_LE:
        op = IR_LE;
        break;
    case LEX_GE:
        op = IR_GE;
        break;
    case LEX_EQEQ:
        op = IR_EQ;
        break;
    case LEX_NE:
        op = IR_NE;
        break;
    case LEX_IN:
        op = IR_IN;
        break;
    case LEX_IS:
        pcur_next(p);
        if (pcur_is(p, LEX_NOT)) {
            *optok = pcur_cur(p);
            pcur_next(p);
            return IR_ISNOT;
        }
        return IR_IS;
    case LEX_NOT:
        if (pcur_ahead(p, 1)->kind != LEX_IN) return -1;
        pcur_next(p);
        *optok = pcur_cur(p);
        pcur_next(p);
        return IR_NOTIN;
    default:
        return -1;
    }
    pcur_next(p);
    return op;
}

static ast_t *comparison(pcur_t *p)
{
    ast_t *x = expr_bitor(p);
    ast_t *c = NULL;
    char ops[64];
    size_t nops = 0;
    for (;;) {
        if (p->err.code) return NULL;
        tok_t *t;
        int op = cmp_op(p, &t);
        if (op < 0) break;
        if (!expr_need_operand(p, t)) return NULL;
        if (!c) {
            c = pcur_node(p, AST_COMPARE, x ? x->at : t->at);
            pcur_add(p, c, x);
        }
        if (nops == sizeof ops) {
            pcur_fail(p, t, PARC_ESYNTAX, "too many chained comparisons");
            return NULL;
        }
        ops[nops++] = (char)op;
        ast_t *y = expr_bitor(p);
        pcur_add(p, c, y);
        if (c && y) c->at = span_join(c->at, y->at);
    }
    if (!c) return x;
    char *s = arena_strndup(p->a, ops, nops);
    if (!s) {
        err_set(&p->err, PARC_ENOMEM, c->at, "out of memory");
        return NULL;
    }
    c->s = s;
    c->slen = (uint32_t)nops;
    return c;
}

static ast_t *not_test(pcur_t *p)
{
    if (p->err.code) return NULL;
    if (!pcur_is(p, LEX_NOT)) return comparison(p);
    tok_t *t = pcur_cur(p);
    pcur_next(p);
    if (!expr_need_operand(p, t) || !pcur_enter(p)) return NULL;
    ast_t *x = not_test(p);
    p->depth--;
    if (!x) return NULL;
    ast_t *n = pcur_node(p, AST_UNARY, span_join(t->at, x->at));
    if (n) n->op = IR_NOT;
    pcur_add(p, n, x);
    return p->err.code ? NULL : n;
}

static ast_t *and_test(pcur_t *p)
{
    ast_t *x = not_test(p);
    while (!p->err.code && pcur_is(p, LEX_AND)) {
        tok_t *t = pcur_cur(p);
        pcur_next(p);
        if (!expr_need_operand(p, t)) return NULL;
        x = binary(p, AST_BOOLOP, IR_AND, x, not_test(p));
    }
    return p->err.code ? NULL : x;
}

static ast_t *or_test(pcur_t *p)
{
    ast_t *x = and_test(p);
    while (!p->err.code && pcur_is(p, LEX_OR)) {
        tok_t *t = pcur_cur(p);
        pcur_next(p);
        if (!expr_need_operand(p, t)) return NULL;
        x = binary(p, AST_BOOLOP, IR_OR, x, and_test(p));
    }
    return p->err.code ? NULL : x;
}

/* Parameters of def (until ')') or lambda (until ':'), appended to fn; returns the count. */
int expr_params(pcur_t *p, ast_t *fn, int close)
{
    int n = 0, seen_default = 0;
    while (!p->err.code && !pcur_is(p, close)) {
        tok_t *t = pcur_cur(p);
        if (t->kind != LEX_NAME) {
            pcur_fail(p, t, PARC_ESYNTAX,
                      t->kind == LEX_STAR || t->kind == LEX_DSTAR
                          ? "variable arguments (*args, **kwargs) are not supported in parc"
                          : "invalid syntax");
            return n;
        }
        ast_t *pm = pcur_node(p, AST_PARAM, t->at);
        if (pm && (pm->s = pcur_text(p, t))) pm->slen = (uint32_t)t->at.len;
        for (uint32_t i = 0; pm && !p->err.code && i < fn->n; i++)
            if (strcmp(fn->kid[i]->s, pm->s) == 0)
                pcur_fail(p, t, PARC_ESYNTAX, "duplicate argument '%s' in function definition",
                          pm->s);
        pcur_next(p);
        if (pcur_is(p, LEX_EQ)) {
            tok_t *eq = pcur_cur(p);
            pcur_next(p);
            if (!expr_need_operand(p, eq)) return n;
            pcur_add(p, pm, expr_test(p));
            seen_default = 1;
        } else if (seen_default) {
            pcur_fail(p, t, PARC_ESYNTAX, "non-default argument follows default argument");
        }
        pcur_add(p, fn, pm);
        n++;
        if (pcur_is(p, LEX_COMMA))
            pcur_next(p);
        else if (!pcur_is(p, close))
            pcur_fail(p, pcur_cur(p), PARC_ESYNTAX,
                      close == LEX_COLON ? "expected ':'" : "invalid syntax");
    }
    return n;
}

static ast_t *lambda(pcur_t *p)
{
    tok_t *t = pcur_cur(p);
    pcur_next(p);
    ast_t *fn = pcur_node(p, AST_LAMBDA, t->at);
    if (!fn) return NULL;
    int n = expr_params(p, fn, LEX_COLON);
    tok_t *colon = pcur_cur(p);
    if (!pcur_expect(p, LEX_COLON, "expected ':'") || !expr_need_operand(p, colon)) return NULL;
    int loops = p->loops, funcs = p->funcs;
    p->loops = 0;
    ast_t *body = expr_test(p);
    p->loops = loops, p->funcs = funcs;
    fn->v.i = n;
    if (body) fn->at = span_join(fn->at, body->at);
    pcur_add(p, fn, body);
    return p->err.code ? NULL : fn;
}

ast_t *expr_test(pcur_t *p)
{
    if (!pcur_enter(p)) return NULL;
    ast_t *x;
    if (pcur_is(p, LEX_LAMBDA)) {
        x = lambda(p);
    } else {
        x = or_test(p);
        if (!p->err.code && pcur_is(p, LEX_IF)) {
            tok_t *t = pcur_cur(p);
            pcur_next(p);
            if (!expr_need_operand(p, t)) return NULL;
            ast_t *cond = or_test(p);
            if (!p->err.code && !pcur_is(p, LEX_ELSE)) {
                pcur_fail(p, pcur_cur(p), PARC_ESYNTAX, "expected 'else' after 'if' expression");
            } else {
                tok_t *e = pcur_cur(p);
                pcur_next(p);
                ast_t *other = expr_need_operand(p, e) ? expr_test(p) : NULL;
                ast_t *n = pcur_node(p, AST_IFEXP, x ? x->at : t->at);
                pcur_add(p, n, cond);
                pcur_add(p, n, x);
                pcur_add(p, n, other);
                if (n && other) n->at = span_join(n->at, other->at);
                x = n;
            }
        }
    }
    p->depth--;
    return p->err.code ? NULL : x;
}

/* a, b, c (a bare tuple in a statement); `elem` parses one element. */
ast_t *expr_list(pcur_t *p, ast_t *(*elem)(pcur_t *))
{
    if (p->err.code) return NULL;
    if (!expr_starts(pcur_cur(p)->kind)) {
        pcur_fail(p, pcur_cur(p), PARC_ESYNTAX, "invalid syntax");
        return NULL;
    }
    ast_t *x = elem(p);
    if (p->err.code || !pcur_is(p, LEX_COMMA)) return x;
    ast_t *t = pcur_node(p, AST_TUPLE, x ? x->at : pcur_cur(p)->at);
    pcur_add(p, t, x);
    while (!p->err.code && pcur_is(p, LEX_COMMA)) {
        pcur_next(p);
        if (!expr_starts(pcur_cur(p)->kind)) break;
        ast_t *y = elem(p);
        pcur_add(p, t, y);
        if (y && t) t->at = span_join(t->at, y->at);
    }
    return p->err.code ? NULL : t;
}

/* ---- statements ---- */
