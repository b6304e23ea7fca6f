/* pcur.c - the parser's cursor (see pcur.h): the cell's tokens, the position in them, the
 * sticky first error and the recursion bound, shared by parse_ (statements) and expr_
 * (expressions). The parser never steps past the final EOF or ERROR token, and at the
 * lexer's ERROR token the lexer's own error is the one reported. */
#include "pcur.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAXRECURSION 400 /* expr_test() and a bracket each count: about 200 nested brackets */

tok_t *pcur_cur(pcur_t *p)
{
    return &p->t[p->pos];
}

tok_t *pcur_ahead(pcur_t *p, size_t k)
{
    return p->pos + k < p->n ? &p->t[p->pos + k] : &p->t[p->n - 1];
}

int pcur_is(pcur_t *p, int kind)
{
    return pcur_cur(p)->kind == kind;
}

void pcur_next(pcur_t *p)
{
    if (p->pos + 1 < p->n) p->pos++;
}

void pcur_fail(pcur_t *p, const tok_t *t, int code, const char *fmt, ...)
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

int pcur_expect(pcur_t *p, int kind, const char *msg)
{
    if (p->err.code) return 0;
    if (pcur_is(p, kind)) {
        pcur_next(p);
        return 1;
    }
    pcur_fail(p, pcur_cur(p), PARC_ESYNTAX, "%s", msg);
    return 0;
}

int pcur_enter(pcur_t *p)
{
    if (p->err.code) return 0;
    if (++p->depth > MAXRECURSION) {
        pcur_fail(p, pcur_cur(p), PARC_ESYNTAX, "expression nested too deeply");
        return 0;
    }
    return 1;
}

ast_t *pcur_node(pcur_t *p, int kind, span_t at)
{
    if (p->err.code) return NULL;
    ast_t *n = ast_new(p->a, kind, at);
    if (!n) err_set(&p->err, PARC_ENOMEM, at, "out of memory");
    return n;
}

int pcur_add(pcur_t *p, ast_t *n, ast_t *kid)
{
    if (p->err.code || !n || !kid) return -1;
    return ast_add(p->a, n, kid, &p->err);
}

const char *pcur_text(pcur_t *p, const tok_t *t)
{
    const char *s = arena_strndup(p->a, t->p, (size_t)t->at.len);
    if (!s) err_set(&p->err, PARC_ENOMEM, t->at, "out of memory");
    return s;
}

int pcur_tokenize(pcur_t *p, const char *src, size_t len, uint32_t cell)
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
