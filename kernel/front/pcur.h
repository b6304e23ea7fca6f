/* pcur.h - the parser's cursor: one cell's tokens (an arena array ending in EOF or the
 * lexer's ERROR token), the position in them, and the first error (sticky: once set, every
 * pcur_ and parser step is a no-op). Shared by parse_ (statements) and expr_ (expressions);
 * kept on parse_cell's stack, so a plain struct. Front end only: no sockets, no globals. */
#ifndef PARC_PCUR_H
#define PARC_PCUR_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "err.h"
#include "lex.h"

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
} pcur_t;

/* Lexes src (cell `cell`) into p->t with p->a; p must be zeroed with a and both errors
 * cleared. 0, or PARC_ENOMEM with p->err set (a lexing error waits in p->lexerr). */
int pcur_tokenize(pcur_t *p, const char *src, size_t len, uint32_t cell);

tok_t *pcur_cur(pcur_t *p);             /* the current token (borrowed) */
tok_t *pcur_ahead(pcur_t *p, size_t k); /* k tokens on, or the last one */
int pcur_is(pcur_t *p, int kind);       /* 1 when the current token is of kind */
void pcur_next(pcur_t *p);              /* steps on, never past the last token */
/* Records an error at token t; at the lexer's ERROR token the lexer's own error wins. */
void pcur_fail(pcur_t *p, const tok_t *t, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Steps over a token of kind and returns 1; else fails with msg and returns 0. */
int pcur_expect(pcur_t *p, int kind, const char *msg);
/* Counts one level of recursion: 0 (with an error) when nested too deeply. The caller
 * decrements p->depth when it leaves. */
int pcur_enter(pcur_t *p);
ast_t *pcur_node(pcur_t *p, int kind, span_t at); /* a new node from the arena, or NULL */
int pcur_add(pcur_t *p, ast_t *n, ast_t *kid);    /* ast_add unless an error is set */
const char *pcur_text(pcur_t *p, const tok_t *t); /* a copy of t's text, or NULL */

#endif
