/* parse.h - turns one cell's tokens into a syntax tree (ast.h), by recursive descent with
 * Python's grammar and precedence. Errors are values with Python's wording and a span on
 * the offending token; the first error wins and every later step is a no-op. Recursion
 * and tree depth are bounded, so no input can exhaust the C stack. */
#ifndef PARC_PARSE_H
#define PARC_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "err.h"

/* Parses src[0, len) (cell `cell`, borrowed) into an AST_BLOCK allocated from a.
 * Returns NULL with err set (PARC_ESYNTAX, PARC_EINDENT, PARC_ENOMEM) on failure.
 * *incomplete (may be NULL) becomes 1 when the error is that the text stopped too soon:
 * inside a bracket or triple-quoted string, after a backslash, or before a block's body. */
ast_t *parse_cell(arena_t *a, const char *src, size_t len, uint32_t cell, err_t *err,
                  int *incomplete);

#endif
