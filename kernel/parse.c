/* parse.c - recursive descent from tokens to the AST (see parse.h); lex -> parse -> comp.
 *
 * The cell is tokenized first into an arena array ending in EOF or in the lexer's ERROR
 * token. The parser never steps past either, so a lexing error is reported only when the
 * parser reaches it: `y = (x +* 2 $` says "expected an expression after '+'", as the user
 * reads left to right. Every function starts with `if (p->err.code) return NULL` (sticky,
 * as SQLite's Parse.nErr) and the caller checks once at the end.
 *
 * Python's precedence, loosest first: lambda, if-else, or, and, not, comparisons (chained),
 * |, ^, &, << >>, + -, * / // % @, unary + - ~, ** (right-assoc, binds tighter than a unary
 * minus on its left: -2**2 == -4). Two bounds keep hostile input from the C stack: `enter`
 * counts recursion (nested brackets, unary chains, blocks) and ast_add bounds tree depth
 * (long left-assoc chains such as 1+1+...+1 build depth without recursion). */
#include "parse.h"
#include "ir.h"
#include "lex.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAXRECURSION 400 /* test() and a bracket each count: about 200 nested brackets */

typedef struct {
    arena_t *a;
    lex_t *lx;
    tok_t *t;         /* all tokens, ending in EOF or ERROR */
    size_t n, pos;    /* token count and cursor */
    err_t err;        /* first error (sticky) */
    err_t lexerr;     /* the lexer's error, reported when the parser reaches its token */
    int depth;        /* recursion depth (enter/leave) */
    int loops, funcs; /* enclosing loops in this function, enclosing functions */
    int incomplete;   /* the error is "ran out of text" */
} parser_t;

static ast_t *test(parser_t *p);
static ast_t *bitor_(parser_t *p);
static ast_t *factor(parser_t *p);
static void statement(parser_t *p, ast_t *block);

static tok_t *cur(parser_t *p)
{
    return &p->t[p->pos];
}

static tok_t *ahead(parser_t *p, size_t k)
{
    return p->pos + k < p->n ? &p->t[p->pos + k] : &p->t[p->n - 1];
}

static int is(parser_t *p, int kind)
{
    return cur(p)->kind == kind;
}

static void next(parser_t *p)
{
    if (p->pos + 1 < p->n) p->pos++;
}

/* Records an error at token t; at the lexer's ERROR token the lexer's own error wins. */
static void fail(parser_t *p, const tok_t *t, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail(parser_t *p, const tok_t *t, int code, const char *fmt, ...)
{
    if (p->err.code) return;
    if (t->kind == LEX_ERROR) {
        p->err = p->lexerr;
        p->incomplete = lex_hit_eof(p->lx);
        return;
    }
    p->err.code = code;
    p->err.at = t->at;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err.msg, sizeof p->err.msg, fmt, ap);
    va_end(ap);
}

static int expect(parser_t *p, int kind, const char *msg)
{
    if (p->err.code) return 0;
    if (is(p, kind)) {
        next(p);
        return 1;
    }
    fail(p, cur(p), PARC_ESYNTAX, "%s", msg);
    return 0;
}

static int enter(parser_t *p)
{
    if (p->err.code) return 0;
    if (++p->depth > MAXRECURSION) {
        fail(p, cur(p), PARC_ESYNTAX, "expression nested too deeply");
        return 0;
    }
    return 1;
}

static ast_t *node(parser_t *p, int kind, span_t at)
{
    if (p->err.code) return NULL;
    ast_t *n = ast_new(p->a, kind, at);
    if (!n) err_set(&p->err, PARC_ENOMEM, at, "out of memory");
    return n;
}

static int add(parser_t *p, ast_t *n, ast_t *kid)
{
    if (p->err.code || !n || !kid) return -1;
    return ast_add(p->a, n, kid, &p->err);
}

static const char *text(parser_t *p, const tok_t *t)
{
    const char *s = arena_strndup(p->a, t->p, (size_t)t->at.len);
    if (!s) err_set(&p->err, PARC_ENOMEM, t->at, "out of memory");
    return s;
}

static int starts_expr(int k)
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
static int need_operand(parser_t *p, const tok_t *op)
{
    if (p->err.code) return 0;
    if (starts_expr(cur(p)->kind)) return 1;
    fail(p, cur(p), PARC_ESYNTAX, "expected an expression after '%s'", lex_spelling(op->kind));
    return 0;
}

static ast_t *binary(parser_t *p, int kind, int op, ast_t *l, ast_t *r)
{
    if (p->err.code || !l || !r) return NULL;
    ast_t *n = node(p, kind, span_join(l->at, r->at));
    if (!n) return NULL;
    n->op = (uint16_t)op;
    add(p, n, l);
    add(p, n, r);
    return p->err.code ? NULL : n;
}

/* ---- atoms and trailers ---- */

static ast_t *strings(parser_t *p)
{
    tok_t *t = cur(p);
    ast_t *n = node(p, AST_STR, t->at);
    if (!n) return NULL;
    n->s = t->s;
    n->slen = t->slen;
    next(p);
    while (is(p, LEX_STR)) { /* adjacent literals concatenate, as in Python */
        tok_t *u = cur(p);
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
        next(p);
    }
    return n;
}

/* Elements of a tuple or list up to `close`; the first element already parsed may be
 * passed in. Trailing commas allowed. */
static ast_t *elements(parser_t *p, ast_t *seq, int close)
{
    while (!p->err.code && !is(p, close)) {
        if (!starts_expr(cur(p)->kind)) {
            fail(p, cur(p), PARC_ESYNTAX, "invalid syntax");
            return NULL;
        }
        add(p, seq, test(p));
        if (is(p, LEX_COMMA))
            next(p);
        else if (!is(p, close)) {
            fail(p, cur(p), PARC_ESYNTAX,
                 starts_expr(cur(p)->kind) ? "invalid syntax. Perhaps you forgot a comma?"
                                           : "invalid syntax");
        }
    }
    if (p->err.code) return NULL;
    seq->at = span_join(seq->at, cur(p)->at);
    next(p);
    return seq;
}

static ast_t *atom(parser_t *p)
{
    if (p->err.code) return NULL;
    tok_t *t = cur(p);
    ast_t *n = NULL;
    switch (t->kind) {
    case LEX_NAME:
        n = node(p, AST_NAME, t->at);
        if (n && (n->s = text(p, t))) n->slen = (uint32_t)t->at.len;
        next(p);
        return n;
    case LEX_INT:
    case LEX_FLOAT:
    case LEX_IMAG:
        n = node(p,
                 t->kind == LEX_INT     ? AST_INT
                 : t->kind == LEX_FLOAT ? AST_FLOAT
                                        : AST_IMAG,
                 t->at);
        if (n && t->kind == LEX_INT)
            n->v.i = t->v.i;
        else if (n)
            n->v.f = t->v.f;
        next(p);
        return n;
    case LEX_STR:
        return strings(p);
    case LEX_TRUE:
    case LEX_FALSE:
        n = node(p, AST_BOOL, t->at);
        if (n) n->v.i = t->kind == LEX_TRUE;
        next(p);
        return n;
    case LEX_NONE:
        n = node(p, AST_NONE, t->at);
        next(p);
        return n;
    case LEX_LPAR: {
        if (!enter(p)) return NULL;
        next(p);
        if (is(p, LEX_RPAR)) {
            n = node(p, AST_TUPLE, span_join(t->at, cur(p)->at));
            next(p);
        } else {
            ast_t *x = test(p);
            if (is(p, LEX_COMMA)) {
                next(p);
                n = node(p, AST_TUPLE, t->at);
                add(p, n, x);
                n = elements(p, n, LEX_RPAR);
            } else if (expect(p, LEX_RPAR,
                              starts_expr(cur(p)->kind)
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
        if (!enter(p)) return NULL;
        next(p);
        n = elements(p, node(p, AST_LIST, t->at), LEX_RSQB);
        p->depth--;
        return n;
    case LEX_LBRACE:
        fail(p, t, PARC_ESYNTAX, "dict and set displays are not supported in parc");
        return NULL;
    case LEX_ELLIPSIS:
        fail(p, t, PARC_ESYNTAX, "'...' (Ellipsis) is not supported in parc");
        return NULL;
    default:
        fail(p, t, PARC_ESYNTAX, "invalid syntax");
        return NULL;
    }
}

static ast_t *call(parser_t *p, ast_t *fn)
{
    ast_t *c = node(p, AST_CALL, fn ? fn->at : cur(p)->at);
    add(p, c, fn);
    next(p); /* ( */
    int kw = 0;
    while (!p->err.code && !is(p, LEX_RPAR)) {
        tok_t *t = cur(p);
        if (t->kind == LEX_NAME && ahead(p, 1)->kind == LEX_EQ) {
            ast_t *k = node(p, AST_KWARG, t->at);
            if (k && (k->s = text(p, t))) k->slen = (uint32_t)t->at.len;
            for (uint32_t i = 1; k && !p->err.code && i < c->n; i++)
                if (c->kid[i]->kind == AST_KWARG && strcmp(c->kid[i]->s, k->s) == 0)
                    fail(p, t, PARC_ESYNTAX, "keyword argument repeated: %s", k->s);
            next(p);
            tok_t *eq = cur(p);
            next(p);
            if (!need_operand(p, eq)) return NULL;
            ast_t *v = test(p);
            if (k && v) k->at = span_join(k->at, v->at);
            add(p, k, v);
            add(p, c, k);
            kw = 1;
        } else if (t->kind == LEX_STAR || t->kind == LEX_DSTAR) {
            fail(p, t, PARC_ESYNTAX, "argument unpacking (%s) is not supported in parc",
                 lex_spelling(t->kind));
        } else if (!starts_expr(t->kind)) {
            fail(p, t, PARC_ESYNTAX, "invalid syntax");
        } else {
            ast_t *v = test(p);
            if (kw && v) fail(p, t, PARC_ESYNTAX, "positional argument follows keyword argument");
            if (is(p, LEX_EQ))
                fail(p, cur(p), PARC_ESYNTAX,
                     "expression cannot contain assignment, perhaps you meant \"==\"?");
            add(p, c, v);
        }
        if (is(p, LEX_COMMA))
            next(p);
        else if (!is(p, LEX_RPAR))
            fail(p, cur(p), PARC_ESYNTAX,
                 starts_expr(cur(p)->kind) ? "invalid syntax. Perhaps you forgot a comma?"
                                           : "invalid syntax");
    }
    if (p->err.code) return NULL;
    c->at = span_join(c->at, cur(p)->at);
    next(p);
    return c;
}

/* One subscript item: an expression or a slice [lo]:[hi][:[step]]. */
static ast_t *slice_item(parser_t *p)
{
    if (p->err.code) return NULL;
    tok_t *t = cur(p);
    ast_t *lo = NULL;
    if (!is(p, LEX_COLON)) {
        if (!starts_expr(t->kind)) {
            fail(p, t, PARC_ESYNTAX, "invalid syntax");
            return NULL;
        }
        lo = test(p);
        if (!is(p, LEX_COLON)) return lo;
    }
    ast_t *s = node(p, AST_SLICE, lo ? lo->at : t->at);
    ast_t *parts[3] = {lo, NULL, NULL};
    for (int i = 1; i < 3 && is(p, LEX_COLON); i++) {
        span_t colon = cur(p)->at;
        next(p);
        if (starts_expr(cur(p)->kind))
            parts[i] = test(p);
        else
            parts[i] = node(p, AST_NONE, colon);
        if (parts[i] && s) s->at = span_join(s->at, parts[i]->at);
    }
    for (int i = 0; i < 3; i++) {
        if (!parts[i]) parts[i] = node(p, AST_NONE, t->at);
        add(p, s, parts[i]);
    }
    return p->err.code ? NULL : s;
}

static ast_t *subscript(parser_t *p, ast_t *obj)
{
    tok_t *open = cur(p);
    next(p);
    if (is(p, LEX_RSQB)) {
        fail(p, cur(p), PARC_ESYNTAX, "invalid syntax");
        return NULL;
    }
    ast_t *idx = slice_item(p);
    if (is(p, LEX_COMMA)) {
        ast_t *tup = node(p, AST_TUPLE, idx ? idx->at : open->at);
        add(p, tup, idx);
        while (!p->err.code && is(p, LEX_COMMA)) {
            next(p);
            if (is(p, LEX_RSQB)) break;
            ast_t *k = slice_item(p);
            add(p, tup, k);
            if (k && tup) tup->at = span_join(tup->at, k->at);
        }
        idx = tup;
    }
    if (!p->err.code && !is(p, LEX_RSQB))
        fail(p, cur(p), PARC_ESYNTAX,
             starts_expr(cur(p)->kind) ? "invalid syntax. Perhaps you forgot a comma?"
                                       : "invalid syntax");
    if (p->err.code || !obj) return NULL;
    ast_t *n = node(p, AST_SUBSCR, span_join(obj->at, cur(p)->at));
    next(p);
    add(p, n, obj);
    add(p, n, idx);
    return p->err.code ? NULL : n;
}

static ast_t *primary(parser_t *p)
{
    ast_t *x = atom(p);
    while (!p->err.code && x) {
        if (is(p, LEX_LPAR)) {
            if (!enter(p)) return NULL;
            x = call(p, x);
            p->depth--;
        } else if (is(p, LEX_LSQB)) {
            if (!enter(p)) return NULL;
            x = subscript(p, x);
            p->depth--;
        } else if (is(p, LEX_DOT)) {
            next(p);
            tok_t *t = cur(p);
            if (t->kind != LEX_NAME) {
                fail(p, t, PARC_ESYNTAX, "invalid syntax");
                return NULL;
            }
            ast_t *n = node(p, AST_ATTR, span_join(x->at, t->at));
            if (n && (n->s = text(p, t))) n->slen = (uint32_t)t->at.len;
            next(p);
            add(p, n, x);
            x = n;
        } else {
            break;
        }
    }
    return p->err.code ? NULL : x;
}

/* ---- operators ---- */

static ast_t *power(parser_t *p)
{
    ast_t *x = primary(p);
    if (p->err.code || !is(p, LEX_DSTAR)) return x;
    tok_t *op = cur(p);
    next(p);
    if (!need_operand(p, op) || !enter(p)) return NULL;
    ast_t *y = factor(p); /* right-assoc; 2**-1 allowed */
    p->depth--;
    return binary(p, AST_BINOP, IR_POW, x, y);
}

static ast_t *factor(parser_t *p)
{
    if (p->err.code) return NULL;
    tok_t *t = cur(p);
    int op = t->kind == LEX_MINUS   ? IR_NEG
             : t->kind == LEX_PLUS  ? IR_POS
             : t->kind == LEX_TILDE ? IR_INVERT
                                    : -1;
    if (op < 0) return power(p);
    next(p);
    if (!need_operand(p, t) || !enter(p)) return NULL;
    ast_t *x = factor(p);
    p->depth--;
    if (!x) return NULL;
    ast_t *n = node(p, AST_UNARY, span_join(t->at, x->at));
    if (n) n->op = (uint16_t)op;
    add(p, n, x);
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

static ast_t *level(parser_t *p, int lv)
{
    if (lv == NLEVELS) return factor(p);
    ast_t *x = level(p, lv + 1);
    for (;;) {
        if (p->err.code) return NULL;
        int op = -1;
        for (size_t i = 0; i < sizeof binops / sizeof binops[0]; i++)
            if (binops[i].level == lv && binops[i].tok == cur(p)->kind) op = binops[i].op;
        if (op < 0) return x;
        tok_t *t = cur(p);
        next(p);
        if (!need_operand(p, t)) return NULL;
        x = binary(p, AST_BINOP, op, x, level(p, lv + 1));
    }
}

static ast_t *bitor_(parser_t *p)
{
    return level(p, 0);
}

/* The comparison operator at the cursor (consumed), as an IR opcode, or -1. */
static int cmp_op(parser_t *p, tok_t **optok)
{
    tok_t *t = cur(p);
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
        next(p);
        if (is(p, LEX_NOT)) {
            *optok = cur(p);
            next(p);
            return IR_ISNOT;
        }
        return IR_IS;
    case LEX_NOT:
        if (ahead(p, 1)->kind != LEX_IN) return -1;
        next(p);
        *optok = cur(p);
        next(p);
        return IR_NOTIN;
    default:
        return -1;
    }
    next(p);
    return op;
}

static ast_t *comparison(parser_t *p)
{
    ast_t *x = bitor_(p);
    ast_t *c = NULL;
    char ops[64];
    size_t nops = 0;
    for (;;) {
        if (p->err.code) return NULL;
        tok_t *t;
        int op = cmp_op(p, &t);
        if (op < 0) break;
        if (!need_operand(p, t)) return NULL;
        if (!c) {
            c = node(p, AST_COMPARE, x ? x->at : t->at);
            add(p, c, x);
        }
        if (nops == sizeof ops) {
            fail(p, t, PARC_ESYNTAX, "too many chained comparisons");
            return NULL;
        }
        ops[nops++] = (char)op;
        ast_t *y = bitor_(p);
        add(p, c, y);
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

static ast_t *not_test(parser_t *p)
{
    if (p->err.code) return NULL;
    if (!is(p, LEX_NOT)) return comparison(p);
    tok_t *t = cur(p);
    next(p);
    if (!need_operand(p, t) || !enter(p)) return NULL;
    ast_t *x = not_test(p);
    p->depth--;
    if (!x) return NULL;
    ast_t *n = node(p, AST_UNARY, span_join(t->at, x->at));
    if (n) n->op = IR_NOT;
    add(p, n, x);
    return p->err.code ? NULL : n;
}

static ast_t *and_test(parser_t *p)
{
    ast_t *x = not_test(p);
    while (!p->err.code && is(p, LEX_AND)) {
        tok_t *t = cur(p);
        next(p);
        if (!need_operand(p, t)) return NULL;
        x = binary(p, AST_BOOLOP, IR_AND, x, not_test(p));
    }
    return p->err.code ? NULL : x;
}

static ast_t *or_test(parser_t *p)
{
    ast_t *x = and_test(p);
    while (!p->err.code && is(p, LEX_OR)) {
        tok_t *t = cur(p);
        next(p);
        if (!need_operand(p, t)) return NULL;
        x = binary(p, AST_BOOLOP, IR_OR, x, and_test(p));
    }
    return p->err.code ? NULL : x;
}

/* Parameters of def (until ')') or lambda (until ':'), appended to fn; returns the count. */
static int params(parser_t *p, ast_t *fn, int close)
{
    int n = 0, seen_default = 0;
    while (!p->err.code && !is(p, close)) {
        tok_t *t = cur(p);
        if (t->kind != LEX_NAME) {
            fail(p, t, PARC_ESYNTAX,
                 t->kind == LEX_STAR || t->kind == LEX_DSTAR
                     ? "variable arguments (*args, **kwargs) are not supported in parc"
                     : "invalid syntax");
            return n;
        }
        ast_t *pm = node(p, AST_PARAM, t->at);
        if (pm && (pm->s = text(p, t))) pm->slen = (uint32_t)t->at.len;
        for (uint32_t i = 0; pm && !p->err.code && i < fn->n; i++)
            if (strcmp(fn->kid[i]->s, pm->s) == 0)
                fail(p, t, PARC_ESYNTAX, "duplicate argument '%s' in function definition", pm->s);
        next(p);
        if (is(p, LEX_EQ)) {
            tok_t *eq = cur(p);
            next(p);
            if (!need_operand(p, eq)) return n;
            add(p, pm, test(p));
            seen_default = 1;
        } else if (seen_default) {
            fail(p, t, PARC_ESYNTAX, "non-default argument follows default argument");
        }
        add(p, fn, pm);
        n++;
        if (is(p, LEX_COMMA))
            next(p);
        else if (!is(p, close))
            fail(p, cur(p), PARC_ESYNTAX, close == LEX_COLON ? "expected ':'" : "invalid syntax");
    }
    return n;
}

static ast_t *lambda(parser_t *p)
{
    tok_t *t = cur(p);
    next(p);
    ast_t *fn = node(p, AST_LAMBDA, t->at);
    if (!fn) return NULL;
    int n = params(p, fn, LEX_COLON);
    tok_t *colon = cur(p);
    if (!expect(p, LEX_COLON, "expected ':'") || !need_operand(p, colon)) return NULL;
    int loops = p->loops, funcs = p->funcs;
    p->loops = 0;
    ast_t *body = test(p);
    p->loops = loops, p->funcs = funcs;
    fn->v.i = n;
    if (body) fn->at = span_join(fn->at, body->at);
    add(p, fn, body);
    return p->err.code ? NULL : fn;
}

static ast_t *test(parser_t *p)
{
    if (!enter(p)) return NULL;
    ast_t *x;
    if (is(p, LEX_LAMBDA)) {
        x = lambda(p);
    } else {
        x = or_test(p);
        if (!p->err.code && is(p, LEX_IF)) {
            tok_t *t = cur(p);
            next(p);
            if (!need_operand(p, t)) return NULL;
            ast_t *cond = or_test(p);
            if (!p->err.code && !is(p, LEX_ELSE)) {
                fail(p, cur(p), PARC_ESYNTAX, "expected 'else' after 'if' expression");
            } else {
                tok_t *e = cur(p);
                next(p);
                ast_t *other = need_operand(p, e) ? test(p) : NULL;
                ast_t *n = node(p, AST_IFEXP, x ? x->at : t->at);
                add(p, n, cond);
                add(p, n, x);
                add(p, n, other);
                if (n && other) n->at = span_join(n->at, other->at);
                x = n;
            }
        }
    }
    p->depth--;
    return p->err.code ? NULL : x;
}

/* a, b, c (a bare tuple in a statement); `elem` parses one element. */
static ast_t *exprlist(parser_t *p, ast_t *(*elem)(parser_t *))
{
    if (p->err.code) return NULL;
    if (!starts_expr(cur(p)->kind)) {
        fail(p, cur(p), PARC_ESYNTAX, "invalid syntax");
        return NULL;
    }
    ast_t *x = elem(p);
    if (p->err.code || !is(p, LEX_COMMA)) return x;
    ast_t *t = node(p, AST_TUPLE, x ? x->at : cur(p)->at);
    add(p, t, x);
    while (!p->err.code && is(p, LEX_COMMA)) {
        next(p);
        if (!starts_expr(cur(p)->kind)) break;
        ast_t *y = elem(p);
        add(p, t, y);
        if (y && t) t->at = span_join(t->at, y->at);
    }
    return p->err.code ? NULL : t;
}

/* ---- statements ---- */

static const char *describe(const ast_t *t)
{
    switch (t->kind) {
    case AST_NONE:
        return "None";
    case AST_BOOL:
        return t->v.i ? "True" : "False";
    case AST_INT:
    case AST_FLOAT:
    case AST_IMAG:
    case AST_STR:
        return "literal";
    case AST_CALL:
        return "function call";
    case AST_ATTR:
        return "attribute";
    case AST_COMPARE:
        return "comparison";
    case AST_IFEXP:
        return "conditional expression";
    case AST_LAMBDA:
        return "lambda";
    case AST_TUPLE:
        return "tuple";
    case AST_LIST:
        return "list";
    case AST_SLICE:
        return "slice";
    default:
        return "expression";
    }
}

/* Checks that t may be assigned to (del: deleted): a name, a subscript, or a tuple/list
 * of those. */
static void target(parser_t *p, const ast_t *t, int del)
{
    if (p->err.code || !t) return;
    switch (t->kind) {
    case AST_NAME:
    case AST_SUBSCR:
        return;
    case AST_TUPLE:
    case AST_LIST:
        for (uint32_t i = 0; i < t->n; i++)
            target(p, t->kid[i], del);
        return;
    default: {
        tok_t at = {.kind = LEX_NAME, .at = t->at};
        fail(p, &at, PARC_ESYNTAX, "cannot %s %s", del ? "delete" : "assign to", describe(t));
    }
    }
}

static int augop(int kind)
{
    switch (kind) {
    case LEX_PLUSEQ:
        return IR_ADD;
    case LEX_MINUSEQ:
        return IR_SUB;
    case LEX_STAREQ:
        return IR_MUL;
    case LEX_SLASHEQ:
        return IR_DIV;
    case LEX_DSLASHEQ:
        return IR_FLOORDIV;
    case LEX_PERCENTEQ:
        return IR_MOD;
    case LEX_DSTAREQ:
        return IR_POW;
    case LEX_ATEQ:
        return IR_MATMUL;
    case LEX_AMPEQ:
        return IR_BITAND;
    case LEX_PIPEEQ:
        return IR_BITOR;
    case LEX_CARETEQ:
        return IR_BITXOR;
    case LEX_LSHIFTEQ:
        return IR_LSHIFT;
    case LEX_RSHIFTEQ:
        return IR_RSHIFT;
    default:
        return -1;
    }
}

static ast_t *expr_stmt(parser_t *p)
{
    ast_t *x = exprlist(p, test);
    if (p->err.code) return NULL;
    int op = augop(cur(p)->kind);
    if (op >= 0) {
        tok_t *t = cur(p);
        if (x->kind != AST_NAME && x->kind != AST_SUBSCR) {
            tok_t at = {.kind = LEX_NAME, .at = x->at};
            fail(p, &at, PARC_ESYNTAX, "'%s' is an illegal expression for augmented assignment",
                 describe(x));
            return NULL;
        }
        next(p);
        if (!need_operand(p, t)) return NULL;
        ast_t *v = exprlist(p, test);
        ast_t *n = node(p, AST_AUGASSIGN, v ? span_join(x->at, v->at) : x->at);
        if (n) n->op = (uint16_t)op;
        add(p, n, x);
        add(p, n, v);
        return p->err.code ? NULL : n;
    }
    if (is(p, LEX_EQ)) {
        ast_t *n = node(p, AST_ASSIGN, x->at);
        add(p, n, x);
        while (!p->err.code && is(p, LEX_EQ)) {
            tok_t *t = cur(p);
            next(p);
            if (!need_operand(p, t)) return NULL;
            ast_t *v = exprlist(p, test);
            add(p, n, v);
            if (n && v) n->at = span_join(n->at, v->at);
        }
        for (uint32_t i = 0; n && i + 1 < n->n; i++)
            target(p, n->kid[i], 0);
        return p->err.code ? NULL : n;
    }
    if (is(p, LEX_COLON)) {
        fail(p, cur(p), PARC_ESYNTAX, "invalid syntax (annotations are not supported in parc)");
        return NULL;
    }
    ast_t *e = node(p, AST_EXPR, x->at);
    add(p, e, x);
    return p->err.code ? NULL : e;
}

static ast_t *simple(parser_t *p)
{
    if (p->err.code) return NULL;
    tok_t *t = cur(p);
    ast_t *n;
    switch (t->kind) {
    case LEX_PASS:
    case LEX_BREAK:
    case LEX_CONTINUE:
        if (t->kind == LEX_BREAK && !p->loops) fail(p, t, PARC_ESYNTAX, "'break' outside loop");
        if (t->kind == LEX_CONTINUE && !p->loops)
            fail(p, t, PARC_ESYNTAX, "'continue' not properly in loop");
        n = node(p,
                 t->kind == LEX_PASS    ? AST_PASS
                 : t->kind == LEX_BREAK ? AST_BREAK
                                        : AST_CONTINUE,
                 t->at);
        next(p);
        return n;
    case LEX_RETURN:
        if (!p->funcs) fail(p, t, PARC_ESYNTAX, "'return' outside function");
        next(p);
        n = node(p, AST_RETURN, t->at);
        if (starts_expr(cur(p)->kind)) {
            ast_t *v = exprlist(p, test);
            add(p, n, v);
            if (n && v) n->at = span_join(n->at, v->at);
        } else {
            add(p, n, node(p, AST_NONE, t->at));
        }
        return p->err.code ? NULL : n;
    case LEX_DEL: {
        next(p);
        ast_t *x = exprlist(p, bitor_);
        n = node(p, AST_DEL, t->at);
        if (x && x->kind == AST_TUPLE && !x->paren) {
            for (uint32_t i = 0; i < x->n; i++)
                add(p, n, x->kid[i]);
        } else {
            add(p, n, x);
        }
        for (uint32_t i = 0; n && i < n->n; i++)
            target(p, n->kid[i], 1);
        if (n && x) n->at = span_join(n->at, x->at);
        return p->err.code ? NULL : n;
    }
    case LEX_GLOBAL:
        next(p);
        n = node(p, AST_GLOBAL, t->at);
        for (;;) {
            tok_t *u = cur(p);
            if (!expect(p, LEX_NAME, "invalid syntax")) return NULL;
            ast_t *nm = node(p, AST_NAME, u->at);
            if (nm && (nm->s = text(p, u))) nm->slen = (uint32_t)u->at.len;
            add(p, n, nm);
            if (n) n->at = span_join(n->at, u->at);
            if (!is(p, LEX_COMMA)) break;
            next(p);
        }
        return p->err.code ? NULL : n;
    case LEX_IMPORT:
    case LEX_FROM:
    case LEX_CLASS:
    case LEX_TRY:
    case LEX_WITH:
    case LEX_RAISE:
    case LEX_ASSERT:
    case LEX_YIELD:
    case LEX_NONLOCAL:
    case LEX_ASYNC:
    case LEX_AWAIT:
        fail(p, t, PARC_ESYNTAX, "'%s' is not supported in parc", lex_spelling(t->kind));
        return NULL;
    case LEX_INDENT:
        fail(p, t, PARC_EINDENT, "unexpected indent");
        return NULL;
    default:
        return expr_stmt(p);
    }
}

/* simple (';' simple)* [';'] NEWLINE, appended to block. */
static void simple_line(parser_t *p, ast_t *block)
{
    for (;;) {
        add(p, block, simple(p));
        if (p->err.code) return;
        if (!is(p, LEX_SEMI)) break;
        next(p);
        if (is(p, LEX_NEWLINE) || is(p, LEX_EOF)) break;
    }
    if (is(p, LEX_NEWLINE))
        next(p);
    else if (!is(p, LEX_EOF))
        fail(p, cur(p), PARC_ESYNTAX,
             is(p, LEX_EQ) ? "invalid syntax. Maybe you meant '==' instead of '='?"
                           : "invalid syntax");
}

/* The body after a block opener's ':' (already consumed): an indented block, or simple
 * statements on the same line. `what` names the opener for the error message. */
static ast_t *body(parser_t *p, const tok_t *opener, const char *what)
{
    ast_t *b = node(p, AST_BLOCK, cur(p)->at);
    if (!b) return NULL;
    if (!is(p, LEX_NEWLINE)) {
        simple_line(p, b);
        return p->err.code ? NULL : b;
    }
    next(p);
    if (!is(p, LEX_INDENT)) {
        size_t k = 0; /* only DEDENTs before the end: more lines could bring the body */
        while (ahead(p, k)->kind == LEX_DEDENT)
            k++;
        if (ahead(p, k)->kind == LEX_EOF) p->incomplete = 1;
        fail(p, cur(p), PARC_EINDENT, "expected an indented block after %s on line %d", what,
             (int)opener->at.line);
        return NULL;
    }
    next(p);
    while (!p->err.code && !is(p, LEX_DEDENT) && !is(p, LEX_EOF))
        statement(p, b);
    if (is(p, LEX_DEDENT)) next(p);
    return p->err.code ? NULL : b;
}

/* The condition of if/elif/while and its ':'. */
static ast_t *cond_test(parser_t *p)
{
    if (!starts_expr(cur(p)->kind)) {
        fail(p, cur(p), PARC_ESYNTAX, "invalid syntax");
        return NULL;
    }
    ast_t *c = test(p);
    if (!p->err.code && is(p, LEX_EQ))
        fail(p, cur(p), PARC_ESYNTAX, "invalid syntax. Maybe you meant '==' instead of '='?");
    expect(p, LEX_COLON, "expected ':'");
    return c;
}

static ast_t *else_part(parser_t *p)
{
    tok_t *t = cur(p);
    if (!is(p, LEX_ELSE)) return node(p, AST_NONE, t->at);
    next(p);
    if (!expect(p, LEX_COLON, "expected ':'")) return NULL;
    return body(p, t, "'else' statement");
}

static ast_t *if_stmt(parser_t *p)
{
    tok_t *t = cur(p);
    next(p);
    ast_t *c = cond_test(p);
    ast_t *b = body(p, t, t->kind == LEX_IF ? "'if' statement" : "'elif' statement");
    ast_t *e;
    if (is(p, LEX_ELIF)) {
        if (!enter(p)) return NULL;
        e = if_stmt(p);
        p->depth--;
    } else {
        e = else_part(p);
    }
    ast_t *n = node(p, AST_IF, c ? span_join(t->at, c->at) : t->at);
    add(p, n, c);
    add(p, n, b);
    add(p, n, e);
    return p->err.code ? NULL : n;
}

static ast_t *while_stmt(parser_t *p)
{
    tok_t *t = cur(p);
    next(p);
    ast_t *c = cond_test(p);
    p->loops++;
    ast_t *b = body(p, t, "'while' statement");
    p->loops--;
    ast_t *e = else_part(p);
    ast_t *n = node(p, AST_WHILE, c ? span_join(t->at, c->at) : t->at);
    add(p, n, c);
    add(p, n, b);
    add(p, n, e);
    return p->err.code ? NULL : n;
}

static ast_t *for_stmt(parser_t *p)
{
    tok_t *t = cur(p);
    next(p);
    ast_t *v = exprlist(p, bitor_);
    target(p, v, 0);
    expect(p, LEX_IN, "expected 'in'");
    ast_t *it = exprlist(p, test);
    expect(p, LEX_COLON, "expected ':'");
    p->loops++;
    ast_t *b = body(p, t, "'for' statement");
    p->loops--;
    ast_t *e = else_part(p);
    ast_t *n = node(p, AST_FOR, it ? span_join(t->at, it->at) : t->at);
    add(p, n, v);
    add(p, n, it);
    add(p, n, b);
    add(p, n, e);
    return p->err.code ? NULL : n;
}

static ast_t *def_stmt(parser_t *p)
{
    tok_t *t = cur(p);
    next(p);
    tok_t *name = cur(p);
    if (!expect(p, LEX_NAME, "invalid syntax")) return NULL;
    ast_t *fn = node(p, AST_DEF, span_join(t->at, name->at));
    if (fn && (fn->s = text(p, name))) fn->slen = (uint32_t)name->at.len;
    expect(p, LEX_LPAR, "expected '('");
    int n = params(p, fn, LEX_RPAR);
    expect(p, LEX_RPAR, "invalid syntax");
    if (is(p, LEX_ARROW)) { /* a return annotation is parsed and ignored */
        tok_t *a = cur(p);
        next(p);
        if (need_operand(p, a)) test(p);
    }
    expect(p, LEX_COLON, "expected ':'");
    int loops = p->loops;
    p->loops = 0;
    p->funcs++;
    ast_t *b = body(p, t, "function definition");
    p->funcs--;
    p->loops = loops;
    if (fn) fn->v.i = n;
    add(p, fn, b);
    return p->err.code ? NULL : fn;
}

/* One statement (a line of simple statements counts as several), appended to block. */
static void statement(parser_t *p, ast_t *block)
{
    if (!enter(p)) return;
    switch (cur(p)->kind) {
    case LEX_IF:
        add(p, block, if_stmt(p));
        break;
    case LEX_WHILE:
        add(p, block, while_stmt(p));
        break;
    case LEX_FOR:
        add(p, block, for_stmt(p));
        break;
    case LEX_DEF:
        add(p, block, def_stmt(p));
        break;
    default:
        simple_line(p, block);
    }
    p->depth--;
}

static int tokenize(parser_t *p, const char *src, size_t len, uint32_t cell)
{
    size_t cap = 64;
    p->t = arena_array(p->a, cap, sizeof *p->t);
    p->lx = lex_new(p->a, src, len, cell);
    if (!p->t || !p->lx) return err_set(&p->err, PARC_ENOMEM, (span_t){0}, "out of memory");
    for (;;) {
        if (p->n == cap) {
            tok_t *t = arena_array(p->a, cap * 2, sizeof *t);
            if (!t) return err_set(&p->err, PARC_ENOMEM, (span_t){0}, "out of memory");
            memcpy(t, p->t, cap * sizeof *t);
            p->t = t;
            cap *= 2;
        }
        tok_t *t = &p->t[p->n++];
        int rc = lex_next(p->lx, t, &p->lexerr);
        if (rc == PARC_ENOMEM) return err_set(&p->err, rc, t->at, "out of memory");
        if (t->kind == LEX_EOF || t->kind == LEX_ERROR) return 0;
    }
}

ast_t *parse_cell(arena_t *a, const char *src, size_t len, uint32_t cell, err_t *err,
                  int *incomplete)
{
    parser_t p;
    memset(&p, 0, sizeof p);
    p.a = a;
    err_clear(&p.err);
    err_clear(&p.lexerr);
    ast_t *root = NULL;
    if (!tokenize(&p, src, len, cell)) {
        root = node(&p, AST_BLOCK, (span_t){cell, 1, 1, 0});
        while (!p.err.code) {
            while (is(&p, LEX_NEWLINE))
                next(&p);
            if (is(&p, LEX_EOF)) break;
            statement(&p, root);
        }
    }
    if (incomplete) *incomplete = p.err.code ? p.incomplete : 0;
    if (p.err.code) {
        err_set(err, p.err.code, p.err.at, "%s", p.err.msg);
        return NULL;
    }
    return root;
}
