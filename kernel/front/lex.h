/* lex.h - splits one cell's text into tokens that remember where they came from.
 * Python's tokens: names, numbers, strings (escapes decoded), operators, keywords and the
 * layout tokens NEWLINE/INDENT/DEDENT (implicit joining inside brackets, backslash
 * continuation). Every token carries a span (cell, 1-based line and byte column, length).
 * Errors are values: the bad token comes back as LEX_ERROR with err set, and every later
 * call returns the same LEX_ERROR token (sticky). Memory (decoded strings) is from the arena. */
#ifndef PARC_LEX_H
#define PARC_LEX_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

/* T(id, "spelling"): layout and value tokens, then punctuation, then keywords. */
#define LEX_TOKENS(T)                                                                              \
    T(EOF, "end of input")                                                                         \
    T(ERROR, "error")                                                                              \
    T(NEWLINE, "newline")                                                                          \
    T(INDENT, "indent")                                                                            \
    T(DEDENT, "dedent")                                                                            \
    T(NAME, "name")                                                                                \
    T(INT, "integer")                                                                              \
    T(FLOAT, "float")                                                                              \
    T(IMAG, "imaginary number")                                                                    \
    T(STR, "string")                                                                               \
    T(LPAR, "(")                                                                                   \
    T(RPAR, ")")                                                                                   \
    T(LSQB, "[")                                                                                   \
    T(RSQB, "]")                                                                                   \
    T(LBRACE, "{")                                                                                 \
    T(RBRACE, "}")                                                                                 \
    T(COLON, ":")                                                                                  \
    T(COMMA, ",")                                                                                  \
    T(SEMI, ";")                                                                                   \
    T(DOT, ".")                                                                                    \
    T(ELLIPSIS, "...")                                                                             \
    T(ARROW, "->")                                                                                 \
    T(PLUS, "+")                                                                                   \
    T(MINUS, "-")                                                                                  \
    T(STAR, "*")                                                                                   \
    T(SLASH, "/")                                                                                  \
    T(DSLASH, "//")                                                                                \
    T(PERCENT, "%")                                                                                \
    T(DSTAR, "**")                                                                                 \
    T(AT, "@")                                                                                     \
    T(LSHIFT, "<<")                                                                                \
    T(RSHIFT, ">>")                                                                                \
    T(AMP, "&")                                                                                    \
    T(PIPE, "|")                                                                                   \
    T(CARET, "^")                                                                                  \
    T(TILDE, "~")                                                                                  \
    T(LT, "<")                                                                                     \
    T(GT, ">")                                                                                     \
    T(LE, "<=")                                                                                    \
    T(GE, ">=")                                                                                    \
    T(EQEQ, "==")                                                                                  \
    T(NE, "!=")                                                                                    \
    T(EQ, "=")                                                                                     \
    T(PLUSEQ, "+=")                                                                                \
    T(MINUSEQ, "-=")                                                                               \
    T(STAREQ, "*=")                                                                                \
    T(SLASHEQ, "/=")                                                                               \
    T(DSLASHEQ, "//=")                                                                             \
    T(PERCENTEQ, "%=")                                                                             \
    T(DSTAREQ, "**=")                                                                              \
    T(ATEQ, "@=")                                                                                  \
    T(AMPEQ, "&=")                                                                                 \
    T(PIPEEQ, "|=")                                                                                \
    T(CARETEQ, "^=")                                                                               \
    T(LSHIFTEQ, "<<=")                                                                             \
    T(RSHIFTEQ, ">>=")                                                                             \
    T(FALSE, "False")                                                                              \
    T(NONE, "None")                                                                                \
    T(TRUE, "True")                                                                                \
    T(AND, "and")                                                                                  \
    T(AS, "as")                                                                                    \
    T(ASSERT, "assert")                                                                            \
    T(ASYNC, "async")                                                                              \
    T(AWAIT, "await")                                                                              \
    T(BREAK, "break")                                                                              \
    T(CLASS, "class")                                                                              \
    T(CONTINUE, "continue")                                                                        \
    T(DEF, "def")                                                                                  \
    T(DEL, "del")                                                                                  \
    T(ELIF, "elif")                                                                                \
    T(ELSE, "else")                                                                                \
    T(EXCEPT, "except")                                                                            \
    T(FINALLY, "finally")                                                                          \
    T(FOR, "for")                                                                                  \
    T(FROM, "from")                                                                                \
    T(GLOBAL, "global")                                                                            \
    T(IF, "if")                                                                                    \
    T(IMPORT, "import")                                                                            \
    T(IN, "in")                                                                                    \
    T(IS, "is")                                                                                    \
    T(LAMBDA, "lambda")                                                                            \
    T(NONLOCAL, "nonlocal")                                                                        \
    T(NOT, "not")                                                                                  \
    T(OR, "or")                                                                                    \
    T(PASS, "pass")                                                                                \
    T(RAISE, "raise")                                                                              \
    T(RETURN, "return")                                                                            \
    T(TRY, "try")                                                                                  \
    T(WHILE, "while")                                                                              \
    T(WITH, "with")                                                                                \
    T(YIELD, "yield")

typedef enum {
#define LEX_ENUM(id, sp) LEX_##id,
    LEX_TOKENS(LEX_ENUM)
#undef LEX_ENUM
        LEX_NTOKENS
} lex_kind_t;

#define LEX_FIRST_PUNCT LEX_LPAR
#define LEX_FIRST_KW    LEX_FALSE

typedef struct {
    int kind;      /* lex_kind_t */
    span_t at;     /* where; len in bytes */
    const char *p; /* the token's raw text in the source (len at.len) */
    union {
        int64_t i; /* LEX_INT */
        double f;  /* LEX_FLOAT, LEX_IMAG */
    } v;
    const char *s; /* LEX_STR: decoded bytes (arena, NUL-terminated) */
    uint32_t slen; /* LEX_STR: decoded length (may include NUL bytes) */
} tok_t;

typedef struct lex lex_t; /* opaque: cursor into the cell */

/* A lexer over src[0, len) for cell `cell`; src is borrowed. NULL on allocation failure. */
lex_t *lex_new(arena_t *a, const char *src, size_t len, uint32_t cell);

/* The next token. Returns 0, or a PARC_E* code with err set and out->kind == LEX_ERROR. */
int lex_next(lex_t *lx, tok_t *out, err_t *err);

/* 1 when the error came from running out of text inside a bracket, a triple-quoted string
 * or after a backslash: more lines could complete the cell (lang_is_complete). */
int lex_hit_eof(const lex_t *lx);

/* The token's spelling for messages ("+", "if", "name"). */
const char *lex_spelling(int kind);

#endif
