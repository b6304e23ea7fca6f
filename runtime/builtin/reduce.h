/* reduce.h - the reduction builtins (sum, mean, min, max, any, all, count_nonzero ...):
 * arrays and fused elementwise trees go to arr_reduce, Python values (min(a, b), sum of a
 * list) follow Python. call_ dispatches here. */
#ifndef PARC_REDUCE_H
#define PARC_REDUCE_H

#include "call.h"
#include "err.h"
#include "value.h"

/* bi: a BI_K_REDUCE builtin. With c->tree set, c->args[0..c->nleaves) are that tree's
 * leaves and an axis may follow. *out is owned by the caller. Collective for array work in
 * global view. */
int reduce_call(call_t *c, int bi, val_t *out, err_t *err);

/* axis= (None, an int, or a tuple of ints except for argmin/argmax) into axes[0..*naxes)
 * (ARR_MAXDIM slots; *naxes -1 for None) and keepdims= (NULL or None: false), as NumPy
 * takes them; for arr_reduce_axes. */
int reduce_axes(call_t *c, int bi, const val_t *ax, const val_t *kd, int *axes, int *naxes,
                int *keepdims, err_t *err);

#endif
