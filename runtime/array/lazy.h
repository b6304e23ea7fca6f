/* lazy.h - arrays that are never made: a random array or an elementwise tree assigned to a
 * name is kept as a recipe (a V_LAZY value) until something needs its elements, and a
 * recipe read by another tree is spliced into it, so a temporary that dies unseen costs
 * nothing but the loop that consumes it (the random numbers drawn inside that loop).
 *
 * Where it sits: eval_ asks for deferral where a program cannot tell the difference (the
 * right side of `name = ...`, the leaves of a fused tree or reduction) and forces a V_LAZY
 * everywhere else, in one place (evali_load). A recipe holds only numbers and virtual
 * random arrays (arrint.h): never a real array, which the program could change before the
 * recipe runs. A recipe is made only when it is exactly what eager evaluation gives:
 * - its errors (types, broadcasting, MemoryError) are raised when it is made, at the
 *   statement, by the same checks; the random stream advances then too;
 * - it cannot fail or warn later (fuse_quiet), and its layout is the default row layout;
 * - its bytes count as held (rt->deferred) until it is made or dropped, so the MemoryError
 *   pre-check sees what eager evaluation would hold.
 * Once made, a V_LAZY is its array for every name that holds it (b = a keeps identity).
 * Collective functions are called by every rank in global view, alike. */
#ifndef PARC_LAZY_H
#define PARC_LAZY_H

#include <stddef.h>

#include "arena.h"
#include "arr.h"

/* An elementwise tree over leaves, as arr_fuse takes them, with its own nodes. */
typedef struct {
    arena_t *ar; /* the nodes (owned) */
    const ir_node_t *tree;
    val_t *leaves; /* owned references */
    size_t nleaves;
} lazy_expr_t;

/* 1 when v is a V_LAZY whose array is not made yet. */
int lazy_pending(const val_t *v);
/* 1 when V_LAZY v was deferred in local view (its array is not distributed). */
int lazy_local(const val_t *v);
/* The array values for random call kind as arr_random makes them (same checks, errors and
 * call number), deferred: *out is a V_LAZY (or a V_ARRAY when it cannot be deferred: no
 * dimensions). Collective in global view (as every function here; local view: this rank's). */
int lazy_random(rt_t *rt, int kind, int ndim, const int64_t *shape, int dtype, double lo, double hi,
                const dist_spec_t *dist, val_t *out, err_t *err);
/* tree over leaves (borrowed; some pending V_LAZY) as one tree whose pending leaves are
 * replaced by their recipes, into *out (release with lazy_expr_free). 0, or KERN_GENERIC
 * when the loop could not draw the recipes' values in place (too big, or layouts and
 * shapes that differ: the caller forces the leaves instead), or PARC_ENOMEM. Local. */
int lazy_splice(const ir_node_t *tree, const val_t *leaves, size_t nleaves, lazy_expr_t *out,
                err_t *err);
/* arr_fusible(tree, leaves) with every V_LAZY among the leaves taken as its array. */
int lazy_fusible(const ir_node_t *tree, const val_t *leaves, size_t nleaves);
/* The recipe of pending v as a tree of its own (a reduction of it). Local. */
int lazy_expr_of(const val_t *v, lazy_expr_t *out, err_t *err);
void lazy_expr_free(lazy_expr_t *e);
/* Defers e (made by lazy_splice: no real array among its leaves): 0 with *out a V_LAZY
 * (e taken and cleared); KERN_GENERIC when the tree cannot be deferred (it might fail or
 * warn, or lays out otherwise: nothing happened, e untouched); or the error eager
 * evaluation gives (PARC_ETYPE, PARC_EVALUE, PARC_ENOMEM ...). Collective. */
int lazy_defer(rt_t *rt, lazy_expr_t *e, val_t *out, err_t *err);
/* Makes v's array (once: later calls and other holders get the same array) and replaces
 * *v by it (V_ARRAY). On error *v is unchanged. Collective. */
int lazy_force(rt_t *rt, val_t *v, err_t *err);
/* Frees a V_LAZY's object (value.c's obj_free). */
void lazy_fini(struct obj *o);

#endif
