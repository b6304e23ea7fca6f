/* ast.c - syntax tree nodes (see ast.h): construction and depth-bounded child lists.
 * The parser is the only writer, the compiler the only reader; both live for one cell, so
 * everything comes from the cell's arena and child arrays simply double in place. */
#include "ast.h"

#include <string.h>

static const char *const kind_names[] = {
#define AST_NAME(id, doc) #id,
    AST_KINDS(AST_NAME)
#undef AST_NAME
};

const char *ast_kind_name(int kind)
{
    return kind >= 0 && kind < AST_NKINDS ? kind_names[kind] : "?";
}

ast_t *ast_new(arena_t *a, int kind, span_t at)
{
    ast_t *n = arena_alloc(a, sizeof *n);
    if (!n) return NULL;
    n->kind = (uint16_t)kind;
    n->depth = 1;
    n->at = at;
    n->s = "";
    return n;
}

int ast_add(arena_t *a, ast_t *n, ast_t *kid, err_t *err)
{
    if (kid->depth + 1 > AST_MAXDEPTH)
        return err_set(err, PARC_ESYNTAX, kid->at, "expression nested too deeply");
    if (n->n == n->cap) {
        uint32_t cap = n->cap ? n->cap * 2 : 4;
        ast_t **k = arena_array(a, cap, sizeof *k);
        if (!k) return err_set(err, PARC_ENOMEM, kid->at, "out of memory");
        if (n->n) memcpy(k, n->kid, n->n * sizeof *k);
        n->kid = k;
        n->cap = cap;
    }
    n->kid[n->n++] = kid;
    if (kid->depth + 1 > n->depth) n->depth = (uint16_t)(kid->depth + 1);
    return 0;
}
