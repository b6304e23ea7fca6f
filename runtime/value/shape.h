/* shape.h - the shape and layout builtins (BI_K_SHAPE: transpose, reshape, ravel,
 * concatenate, squeeze, expand_dims) and the array methods of the same names
 * (x.transpose(*axes), x.reshape(*shape), x.ravel(), x.flatten(), x.squeeze()). It sits in
 * runtime/value, below call_ and attr_, which both dispatch here; arr_ (arrshape.c) does
 * the work. */
#ifndef PARC_SHAPE_H
#define PARC_SHAPE_H

#include "call.h"
#include "err.h"
#include "value.h"

/* Builtin bi (self NULL) or the method named by bi on self (its arguments in c). *out is
 * owned by the caller. Collective for distributed arrays in global view. */
int shape_call(call_t *c, int bi, const val_t *self, val_t *out, err_t *err);
/* x.flatten() */
int shape_flatten(call_t *c, const val_t *self, val_t *out, err_t *err);

#endif
