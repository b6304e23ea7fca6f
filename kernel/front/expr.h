/* expr.h - the expression half of the parser: Python's expressions and precedence, by
 * recursive descent over a pcur_t, into AST nodes from its arena. parse_ calls these for
 * the expressions inside statements. Errors are sticky in p->err (each returns NULL once
 * one is set); recursion is bounded by pcur_enter. */
#ifndef PARC_EXPR_H
#define PARC_EXPR_H

#include "ast.h"
#include "lex.h"
#include "pcur.h"

int expr_starts(int kind); /* 1 when a token of this kind can begin an expression */
/* After operator op: an operand must start here, else "expected an expression after". */
int expr_need_operand(pcur_t *p, const tok_t *op);

ast_t *expr_test(pcur_t *p);  /* one expression (Python's `test`: lambda, if-else, ...) */
ast_t *expr_bitor(pcur_t *p); /* an expression without comparisons or boolean operators */
/* a, b, c (a bare tuple in a statement); elem parses one element. */
ast_t *expr_list(pcur_t *p, ast_t *(*elem)(pcur_t *));
/* Parameters of a def or lambda up to the token of kind close, added to fn as AST_PARAM
 * nodes (with their defaults). Returns how many. */
int expr_params(pcur_t *p, ast_t *fn, int close);

#endif
