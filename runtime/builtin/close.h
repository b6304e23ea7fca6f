/* close.h - the comparison helpers isclose, allclose and array_equal: NumPy's definitions
 * written as one fused formula each (ops_formula), so comparing two large arrays makes no
 * temporary. call_ dispatches here. */
#ifndef PARC_CLOSE_H
#define PARC_CLOSE_H

#include "call.h"
#include "err.h"
#include "value.h"

/* bi: BI_ISCLOSE, BI_ALLCLOSE or BI_ARRAY_EQUAL. *out is owned by the caller. Collective
 * for distributed operands. */
int close_call(call_t *c, int bi, val_t *out, err_t *err);

#endif
