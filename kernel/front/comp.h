/* comp.h - turns a cell's syntax tree into the IR the engines run (ir.h).
 * Resolves builtin names (unless the cell or the engines shadow them), turns `x.m(...)`
 * into METHOD, wraps each maximal elementwise subtree in a FUSE node, and makes the cell's
 * last expression statement a DISPLAY. Everything is allocated from the cell's arena. */
#ifndef PARC_COMP_H
#define PARC_COMP_H

#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "err.h"
#include "ir.h"
#include "vartab.h"

/* Compiles cell (an AST_BLOCK from parse_cell) into *out (an IR BLOCK in a). `names` (may
 * be NULL) lists the engines' variables; local = 1 compiles for local view (%px).
 * Returns 0, or PARC_ENOMEM / PARC_ESYNTAX (too deep) / PARC_EATTR with err set. */
int comp_cell(arena_t *a, const ast_t *cell, const vartab_t *names, int local, ir_node_t **out,
              err_t *err);

#endif
