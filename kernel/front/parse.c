/* parse.c - recursive descent from tokens to the AST (see parse.h); lex -> parse -> comp.
 * This file holds the statements and the entry point; expressions are expr_'s and the
 * token cursor with its sticky error is pcur_'s.
 *
 * The cell is tokenized first into an arena array ending in EOF or in the lexer's ERROR
 * token. The parser never steps past either, so a lexing error is reported only when the
 * parser reaches it: `y = (x +* 2 $` says "expected an expression after '+'", as the user
 * reads left to right. Every function starts with `if (p->err.code) return NULL` (sticky,
 * as SQLite's Parse.nErr) and the caller checks once at the end.
 *
 * Two bounds keep hostile input from the C stack: pcur_enter counts recursion (nested
 * brackets, unary chains, blocks) and ast_add bounds tree depth. */
#include "parse.h"
#include "expr.h"
#include "ir.h"
#include "lex.h"
#include "pcur.h"

#include <string.h>

static void statement(pcur_t *p, ast_t *block);

static const char *describe(const ast_t *t)
{
    switch (t->kind) {
    case AST_NONE:
        return "None";
    case AST_ELLIPSIS:
        return "ellipsis";
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
static void target(pcur_t *p, const ast_t *t, int del)
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
        pcur_fail(p, &at, PARC_ESYNTAX, "cannot %s %s", del ? "delete" : "assign to", describe(t));
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

static ast_t *expr_stmt(pcur_t *p)
{
    ast_t *x = expr_list(p, expr_test);
    if (p->err.code) return NULL;
    int op = augop(pcur_cur(p)->kind);
    if (op >= 0) {
        tok_t *t = pcur_cur(p);
        if (x->kind != AST_NAME && x->kind != AST_SUBSCR) {
            tok_t at = {.kind = LEX_NAME, .at = x->at};
            pcur_fail(p, &at, PARC_ESYNTAX,
                      "'%s' is an illegal expression for augmented assignment", describe(x));
            return NULL;
        }
        pcur_next(p);
        if (!expr_need_operand(p, t)) return NULL;
        ast_t *v = expr_list(p, expr_test);
        ast_t *n = pcur_node(p, AST_AUGASSIGN, v ? span_join(x->at, v->at) : x->at);
        if (n) n->op = (uint16_t)op;
        pcur_add(p, n, x);
        pcur_add(p, n, v);
        return p->err.code ? NULL : n;
    }
    if (pcur_is(p, LEX_EQ)) {
        ast_t *n = pcur_node(p, AST_ASSIGN, x->at);
        pcur_add(p, n, x);
        while (!p->err.code && pcur_is(p, LEX_EQ)) {
            tok_t *t = pcur_cur(p);
            pcur_next(p);
            if (!expr_need_operand(p, t)) return NULL;
            ast_t *v = expr_list(p, expr_test);
            pcur_add(p, n, v);
            if (n && v) n->at = span_join(n->at, v->at);
        }
        for (uint32_t i = 0; n && i + 1 < n->n; i++)
            target(p, n->kid[i], 0);
        return p->err.code ? NULL : n;
    }
    if (pcur_is(p, LEX_COLON)) {
        pcur_fail(p, pcur_cur(p), PARC_ESYNTAX,
                  "invalid syntax (annotations are not supported in parc)");
        return NULL;
    }
    ast_t *e = pcur_node(p, AST_EXPR, x->at);
    pcur_add(p, e, x);
    return p->err.code ? NULL : e;
}

static ast_t *simple(pcur_t *p)
{
    if (p->err.code) return NULL;
    tok_t *t = pcur_cur(p);
    ast_t *n;
    switch (t->kind) {
    case LEX_PASS:
    case LEX_BREAK:
    case LEX_CONTINUE:
        if (t->kind == LEX_BREAK && !p->loops)
            pcur_fail(p, t, PARC_ESYNTAX, "'break' outside loop");
        if (t->kind == LEX_CONTINUE && !p->loops)
            pcur_fail(p, t, PARC_ESYNTAX, "'continue' not properly in loop");
        n = pcur_node(p,
                      t->kind == LEX_PASS    ? AST_PASS
                      : t->kind == LEX_BREAK ? AST_BREAK
                                             : AST_CONTINUE,
                      t->at);
        pcur_next(p);
        return n;
    case LEX_RETURN:
        if (!p->funcs) pcur_fail(p, t, PARC_ESYNTAX, "'return' outside function");
        pcur_next(p);
        n = pcur_node(p, AST_RETURN, t->at);
        if (expr_starts(pcur_cur(p)->kind)) {
            ast_t *v = expr_list(p, expr_test);
            pcur_add(p, n, v);
            if (n && v) n->at = span_join(n->at, v->at);
        } else {
            pcur_add(p, n, pcur_node(p, AST_NONE, t->at));
        }
        return p->err.code ? NULL : n;
    case LEX_DEL: {
        pcur_next(p);
        ast_t *x = expr_list(p, expr_bitor);
        n = pcur_node(p, AST_DEL, t->at);
        if (x && x->kind == AST_TUPLE && !x->paren) {
            for (uint32_t i = 0; i < x->n; i++)
                pcur_add(p, n, x->kid[i]);
        } else {
            pcur_add(p, n, x);
        }
        for (uint32_t i = 0; n && i < n->n; i++)
            target(p, n->kid[i], 1);
        if (n && x) n->at = span_join(n->at, x->at);
        return p->err.code ? NULL : n;
    }
    case LEX_GLOBAL:
        pcur_next(p);
        n = pcur_node(p, AST_GLOBAL, t->at);
        for (;;) {
            tok_t *u = pcur_cur(p);
            if (!pcur_expect(p, LEX_NAME, "invalid syntax")) return NULL;
            ast_t *nm = pcur_node(p, AST_NAME, u->at);
            if (nm && (nm->s = pcur_text(p, u))) nm->slen = (uint32_t)u->at.len;
            pcur_add(p, n, nm);
            if (n) n->at = span_join(n->at, u->at);
            if (!pcur_is(p, LEX_COMMA)) break;
            pcur_next(p);
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
        pcur_fail(p, t, PARC_ESYNTAX, "'%s' is not supported in parc", lex_spelling(t->kind));
        return NULL;
    case LEX_INDENT:
        pcur_fail(p, t, PARC_EINDENT, "unexpected indent");
        return NULL;
    default:
        return expr_stmt(p);
    }
}

/* simple (';' simple)* [';'] NEWLINE, appended to block. */
static void simple_line(pcur_t *p, ast_t *block)
{
    for (;;) {
        pcur_add(p, block, simple(p));
        if (p->err.code) return;
        if (!pcur_is(p, LEX_SEMI)) break;
        pcur_next(p);
        if (pcur_is(p, LEX_NEWLINE) || pcur_is(p, LEX_EOF)) break;
    }
    if (pcur_is(p, LEX_NEWLINE))
        pcur_next(p);
    else if (!pcur_is(p, LEX_EOF))
        pcur_fail(p, pcur_cur(p), PARC_ESYNTAX,
                  pcur_is(p, LEX_EQ) ? "invalid syntax. Maybe you meant '==' instead of '='?"
                                     : "invalid syntax");
}

/* The body after a block opener's ':' (already consumed): an indented block, or simple
 * statements on the same line. `what` names the opener for the error message. */
static ast_t *body(pcur_t *p, const tok_t *opener, const char *what)
{
    ast_t *b = pcur_node(p, AST_BLOCK, pcur_cur(p)->at);
    if (!b) return NULL;
    if (!pcur_is(p, LEX_NEWLINE)) {
        simple_line(p, b);
        return p->err.code ? NULL : b;
    }
    pcur_next(p);
    if (!pcur_is(p, LEX_INDENT)) {
        size_t k = 0; /* only DEDENTs before the end: more lines could bring the body */
        while (pcur_ahead(p, k)->kind == LEX_DEDENT)
            k++;
        if (pcur_ahead(p, k)->kind == LEX_EOF) p->incomplete = 1;
        pcur_fail(p, pcur_cur(p), PARC_EINDENT, "expected an indented block after %s on line %d",
                  what, (int)opener->at.line);
        return NULL;
    }
    pcur_next(p);
    while (!p->err.code && !pcur_is(p, LEX_DEDENT) && !pcur_is(p, LEX_EOF))
        statement(p, b);
    if (pcur_is(p, LEX_DEDENT)) pcur_next(p);
    return p->err.code ? NULL : b;
}

/* The condition of if/elif/while and its ':'. */
static ast_t *cond_test(pcur_t *p)
{
    if (!expr_starts(pcur_cur(p)->kind)) {
        pcur_fail(p, pcur_cur(p), PARC_ESYNTAX, "invalid syntax");
        return NULL;
    }
    ast_t *c = expr_test(p);
    if (!p->err.code && pcur_is(p, LEX_EQ))
        pcur_fail(p, pcur_cur(p), PARC_ESYNTAX,
                  "invalid syntax. Maybe you meant '==' instead of '='?");
    pcur_expect(p, LEX_COLON, "expected ':'");
    return c;
}

static ast_t *else_part(pcur_t *p)
{
    tok_t *t = pcur_cur(p);
    if (!pcur_is(p, LEX_ELSE)) return pcur_node(p, AST_NONE, t->at);
    pcur_next(p);
    if (!pcur_expect(p, LEX_COLON, "expected ':'")) return NULL;
    return body(p, t, "'else' statement");
}

/* A compound statement's node: kind, spanning its keyword t to the header expression h, with
 * the nk kids k; NULL once an error is set. */
static ast_t *compound(pcur_t *p, int kind, const tok_t *t, const ast_t *h, ast_t *const *k, int nk)
{
    ast_t *n = pcur_node(p, kind, h ? span_join(t->at, h->at) : t->at);
    for (int i = 0; i < nk; i++)
        pcur_add(p, n, k[i]);
    return p->err.code ? NULL : n;
}

/* A loop's body (where break and continue are allowed) and, in *e, its else part. */
static ast_t *loop_body(pcur_t *p, tok_t *t, const char *what, ast_t **e)
{
    p->loops++;
    ast_t *b = body(p, t, what);
    p->loops--;
    *e = else_part(p);
    return b;
}

static ast_t *if_stmt(pcur_t *p)
{
    tok_t *t = pcur_cur(p);
    pcur_next(p);
    ast_t *c = cond_test(p);
    ast_t *b = body(p, t, t->kind == LEX_IF ? "'if' statement" : "'elif' statement");
    ast_t *e;
    if (pcur_is(p, LEX_ELIF)) {
        if (!pcur_enter(p)) return NULL;
        e = if_stmt(p);
        p->depth--;
    } else {
        e = else_part(p);
    }
    return compound(p, AST_IF, t, c, (ast_t *[]){c, b, e}, 3);
}

static ast_t *while_stmt(pcur_t *p)
{
    tok_t *t = pcur_cur(p);
    pcur_next(p);
    ast_t *c = cond_test(p);
    ast_t *e, *b = loop_body(p, t, "'while' statement", &e);
    return compound(p, AST_WHILE, t, c, (ast_t *[]){c, b, e}, 3);
}

static ast_t *for_stmt(pcur_t *p)
{
    tok_t *t = pcur_cur(p);
    pcur_next(p);
    ast_t *v = expr_list(p, expr_bitor);
    target(p, v, 0);
    pcur_expect(p, LEX_IN, "expected 'in'");
    ast_t *it = expr_list(p, expr_test);
    pcur_expect(p, LEX_COLON, "expected ':'");
    ast_t *e, *b = loop_body(p, t, "'for' statement", &e);
    return compound(p, AST_FOR, t, it, (ast_t *[]){v, it, b, e}, 4);
}

static ast_t *def_stmt(pcur_t *p)
{
    tok_t *t = pcur_cur(p);
    pcur_next(p);
    tok_t *name = pcur_cur(p);
    if (!pcur_expect(p, LEX_NAME, "invalid syntax")) return NULL;
    ast_t *fn = pcur_node(p, AST_DEF, span_join(t->at, name->at));
    if (fn && (fn->s = pcur_text(p, name))) fn->slen = (uint32_t)name->at.len;
    pcur_expect(p, LEX_LPAR, "expected '('");
    int n = expr_params(p, fn, LEX_RPAR);
    pcur_expect(p, LEX_RPAR, "invalid syntax");
    if (pcur_is(p, LEX_ARROW)) { /* a return annotation is parsed and ignored */
        tok_t *a = pcur_cur(p);
        pcur_next(p);
        if (expr_need_operand(p, a)) expr_test(p);
    }
    pcur_expect(p, LEX_COLON, "expected ':'");
    int loops = p->loops;
    p->loops = 0;
    p->funcs++;
    ast_t *b = body(p, t, "function definition");
    p->funcs--;
    p->loops = loops;
    if (fn) fn->v.i = n;
    pcur_add(p, fn, b);
    return p->err.code ? NULL : fn;
}

/* One statement (a line of simple statements counts as several), appended to block. */
static void statement(pcur_t *p, ast_t *block)
{
    if (!pcur_enter(p)) return;
    switch (pcur_cur(p)->kind) {
    case LEX_IF:
        pcur_add(p, block, if_stmt(p));
        break;
    case LEX_WHILE:
        pcur_add(p, block, while_stmt(p));
        break;
    case LEX_FOR:
        pcur_add(p, block, for_stmt(p));
        break;
    case LEX_DEF:
        pcur_add(p, block, def_stmt(p));
        break;
    default:
        simple_line(p, block);
    }
    p->depth--;
}

ast_t *parse_cell(arena_t *a, const char *src, size_t len, uint32_t cell, err_t *err,
                  int *incomplete)
{
    pcur_t p;
    memset(&p, 0, sizeof p);
    p.a = a;
    err_clear(&p.err);
    err_clear(&p.lexerr);
    ast_t *root = NULL;
    if (!pcur_tokenize(&p, src, len, cell)) {
        root = pcur_node(&p, AST_BLOCK, (span_t){cell, 1, 1, 0});
        while (!p.err.code) {
            while (pcur_is(&p, LEX_NEWLINE))
                pcur_next(&p);
            if (pcur_is(&p, LEX_EOF)) break;
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
