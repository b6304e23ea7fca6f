/* attr.h - methods and attributes: x.sum(axis=0), x.astype(...), x.copy(), lst.append(v),
 * lst.pop(), and x.shape, x.ndim, x.size, x.dtype, x.dist, x.localshapes, z.real, z.imag.
 * eval_ evaluates self and the arguments and calls in here. */
#ifndef PARC_ATTR_H
#define PARC_ATTR_H

#include "call.h"
#include "err.h"
#include "rt.h"
#include "value.h"

/* Calls method name of self (an array; also a few of list). *out is owned by the caller.
 * Collective for array work in global view. AttributeError when unknown. */
int attr_method(call_t *c, const val_t *self, const char *name, val_t *out, err_t *err);
/* Attribute name of self (x.shape, x.T ...). AttributeError when unknown. */
int attr_get(rt_t *rt, const val_t *self, const char *name, span_t at, val_t *out, err_t *err);

#endif
