/* eval.h - runs one cell's IR on this rank: statements, control flow, functions, names,
 * builtins; array work goes to arr_ (and through it kern_ and coll_).
 *
 * In global view (rt->local == 0) every rank runs the same cell; conditions are replicated
 * values, so every rank takes the same branch, and array operations are Collective. Before
 * binding a name, ranks agree on success (coll_agree), so a statement that failed on any
 * rank leaves every variable as it was, on every rank. In local view each rank runs alone.
 *
 * Output (print, the displayed value) goes through out_ as it happens. */
#ifndef PARC_EVAL_H
#define PARC_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "ir.h"
#include "rt.h"
#include "wire.h"

typedef struct eval eval_t;

eval_t *eval_new(rt_t *rt); /* caller owns; NULL on failure. Borrows rt for its lifetime. */
void eval_destroy(eval_t **evp);

/* One frame of an error's call chain, outermost (the cell) first. */
typedef struct {
    span_t at;
    char fn[64]; /* "" for the cell itself, else the function's name ("<lambda>") */
} eval_frame_t;

/* Runs the cell whose decoded IR is root (allocated in *ap). Takes ownership of the arena
 * (*ap set to NULL): eval keeps it alive while any function defined in it lives.
 * silent: do not send the displayed value. Returns 0 or a PARC_E* code with err set (the
 * place where it happened in err->at) and the call chain in frames (*nframes in: capacity,
 * out: used). Collective in global view. */
int eval_cell(eval_t *ev, arena_t **ap, const ir_node_t *root, int silent, err_t *err,
              eval_frame_t *frames, size_t *nframes);

/* Appends the name records of every variable (link.h "name record" layout) to out and
 * returns how many. Local: no communication (per-engine names are marked as such). */
uint32_t eval_names(eval_t *ev, wbuf_t *out);

#endif
