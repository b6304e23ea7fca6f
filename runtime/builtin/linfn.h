/* linfn.h - the linear-algebra builtins (dot, matmul, inner, outer, vdot, trace, linalg.*):
 * their arguments, then la_ (runtime/linalg) for the work. call_ dispatches here. */
#ifndef PARC_LINFN_H
#define PARC_LINFN_H

#include "call.h"
#include "err.h"
#include "value.h"

/* bi: one of the linear-algebra builtins. *out is owned by the caller. Collective for
 * distributed operands. */
int linfn_call(call_t *c, int bi, val_t *out, err_t *err);

#endif
