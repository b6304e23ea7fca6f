/* ast.h - the syntax tree the parser builds and the compiler reads.
 * One node shape for every construct (kind, span, immediate, string, children), allocated
 * from the cell's arena. Children are appended with ast_add, which keeps each node's
 * depth, so no later pass can be handed a tree deeper than AST_MAXDEPTH: the IR built from
 * it (at most about twice as deep once FUSE nodes go in) stays under IR_MAXDEPTH. */
#ifndef PARC_AST_H
#define PARC_AST_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

#define AST_MAXDEPTH 190

/* A(id, "meaning of kids and fields") */
#define AST_KINDS(A)                                                                               \
    A(NONE, "None / an omitted optional part")                                                     \
    A(ELLIPSIS, "... (Ellipsis)")                                                                  \
    A(BOOL, "True/False in v.i")                                                                   \
    A(INT, "v.i")                                                                                  \
    A(FLOAT, "v.f")                                                                                \
    A(IMAG, "v.f times 1j")                                                                        \
    A(STR, "s/slen, escapes decoded")                                                              \
    A(NAME, "s")                                                                                   \
    A(TUPLE, "kids")                                                                               \
    A(LIST, "kids")                                                                                \
    A(ATTR, "kid0.s")                                                                              \
    A(SUBSCR, "kid0[kid1]")                                                                        \
    A(SLICE, "kid0:kid1:kid2 (NONE when omitted)")                                                 \
    A(CALL, "kid0(kid1..), KWARG kids last")                                                       \
    A(KWARG, "s=kid0")                                                                             \
    A(BINOP, "kid0 op kid1, op an IR opcode")                                                      \
    A(UNARY, "op kid0 (IR_NEG, IR_POS, IR_INVERT, IR_NOT)")                                        \
    A(BOOLOP, "kid0 and/or kid1 (op IR_AND/IR_OR)")                                                \
    A(COMPARE, "kid0 op0 kid1 op1 kid2..; s holds the n-1 IR opcodes as bytes")                    \
    A(IFEXP, "kid1 if kid0 else kid2")                                                             \
    A(LAMBDA, "PARAM kids (v.i of them), body")                                                    \
    A(PARAM, "s, optional default kid")                                                            \
    A(BLOCK, "statements")                                                                         \
    A(EXPR, "expression statement")                                                                \
    A(ASSIGN, "targets.., value")                                                                  \
    A(AUGASSIGN, "kid0 op= kid1")                                                                  \
    A(DEL, "targets")                                                                              \
    A(IF, "cond, BLOCK, else (BLOCK, IF or NONE)")                                                 \
    A(WHILE, "cond, BLOCK, else BLOCK or NONE")                                                    \
    A(FOR, "target, iterable, BLOCK, else BLOCK or NONE")                                          \
    A(BREAK, "")                                                                                   \
    A(CONTINUE, "")                                                                                \
    A(PASS, "")                                                                                    \
    A(RETURN, "value or NONE")                                                                     \
    A(DEF, "s(PARAM kids, v.i of them): BLOCK")                                                    \
    A(GLOBAL, "NAME kids")

typedef enum {
#define AST_ENUM(id, doc) AST_##id,
    AST_KINDS(AST_ENUM)
#undef AST_ENUM
        AST_NKINDS
} ast_kind_t;

typedef struct ast ast_t;
struct ast {
    uint16_t kind;  /* ast_kind_t */
    uint16_t op;    /* IR opcode for BINOP, UNARY, BOOLOP, AUGASSIGN */
    uint16_t depth; /* 1 + the deepest child's depth */
    uint16_t paren; /* written in parentheses (a parenthesized tuple, for messages) */
    span_t at;      /* the whole construct */
    union {
        int64_t i;
        double f;
    } v;
    const char *s; /* NUL-terminated; "" when unused */
    uint32_t slen;
    uint32_t n, cap; /* children */
    ast_t **kid;
};

/* A node with no children, or NULL when the arena is exhausted. */
ast_t *ast_new(arena_t *a, int kind, span_t at);

/* Appends kid to n. Returns 0, PARC_ENOMEM, or PARC_ESYNTAX when the tree would grow deeper
 * than AST_MAXDEPTH ("expression nested too deeply"), with err set at kid's span. */
int ast_add(arena_t *a, ast_t *n, ast_t *kid, err_t *err);

const char *ast_kind_name(int kind); /* "BINOP"; "?" out of range */

#endif
