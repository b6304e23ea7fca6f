/* stencilfn.h - the stencil builtins (diff, gradient, roll, cumsum, cumprod, convolve,
 * convolve2d) and the methods x.cumsum(), x.cumprod(): NumPy's argument rules and errors
 * here, the work in arrstencil.c. call_ and attr_ dispatch here (beside shape.c, which does the
 * same for the layout ones). */
#ifndef PARC_STENCILFN_H
#define PARC_STENCILFN_H

#include "call.h"
#include "err.h"
#include "value.h"

/* bi: one of the stencil builtins; self: the array of a method call (NULL for the
 * function). *out is owned by the caller. Collective for distributed operands. */
int stencilfn_call(call_t *c, int bi, const val_t *self, val_t *out, err_t *err);

#endif
