/* item.h - subscripts and unpacking: x[i], x[a:b], x[i, j] = v and `a, b = v` on arrays,
 * tuples, lists, strings and ranges, with Python's and NumPy's errors. eval_ evaluates the
 * container and the index items and calls in here; array work goes to arr_getitem and
 * arr_setitem. n is the node the error points at. */
#ifndef PARC_ITEM_H
#define PARC_ITEM_H

#include <stddef.h>

#include "arr.h"
#include "err.h"
#include "ir.h"
#include "rt.h"
#include "value.h"

#define ITEM_MAXIDX (2 * ARR_MAXDIM) /* index items in one subscript */

/* out = c[items] (items borrowed: ints, None, slices, arrays, or one tuple of those).
 * Collective when c is a distributed array in global view. */
int item_get(rt_t *rt, const ir_node_t *n, const val_t *c, val_t *items, size_t nitems, val_t *out,
             err_t *err);
/* c[items] = v (arrays in place, list items rebound; v borrowed). Collective as item_get. */
int item_set(rt_t *rt, const ir_node_t *n, const val_t *c, val_t *items, size_t nitems,
             const val_t *v, err_t *err);
/* c[items] = tree over evaluated leaves, straight into c's memory (arr_setitem_fused):
 * KERN_GENERIC, with nothing done, when c is not a distributed array or it cannot be done
 * that way (the caller then assigns the tree's value with item_set). */
int item_set_fused(rt_t *rt, const ir_node_t *n, const val_t *c, val_t *items, size_t nitems,
                   const ir_node_t *tree, const val_t *leaves, size_t nleaves, err_t *err);
/* Every item of an iterable, for unpacking: *items is mem_alloc'ed with *cnt values, and the
 * caller drops them and frees it. TypeError for what cannot be unpacked. */
int item_all(rt_t *rt, const ir_node_t *n, const val_t *v, val_t **items, size_t *cnt, err_t *err);

#endif
