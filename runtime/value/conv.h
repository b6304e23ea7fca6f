/* conv.h - the conversion builtins: int(), float(), complex(), round() with Python's rules
 * (strings with underscores, NaN and infinity errors, round half to even), and the dtype
 * calls float32(x), int64(x) ... which give NumPy scalars (strong) or convert arrays.
 * call_ dispatches here. */
#ifndef PARC_CONV_H
#define PARC_CONV_H

#include "call.h"
#include "err.h"
#include "value.h"

/* *out is owned by the caller. A one-element array converts as its element. */
int conv_int(call_t *c, val_t *out, err_t *err);
int conv_float(call_t *c, val_t *out, err_t *err);
int conv_complex(call_t *c, val_t *out, err_t *err);
int conv_round(call_t *c, val_t *out, err_t *err);
/* bi: a BI_K_DTYPE builtin (float32 ...). Collective for a distributed array. */
int conv_dtype(call_t *c, int bi, val_t *out, err_t *err);

#endif
