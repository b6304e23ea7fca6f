/* comm.h - the communication builtins of local view (%px): barrier, allreduce, bcast, send
 * and recv, over the engines' communicator. Values travel encoded (numbers, strings,
 * tuples and lists of those); allreduce also takes local arrays of the same shape on every
 * engine. call_ dispatches here. */
#ifndef PARC_COMM_H
#define PARC_COMM_H

#include "call.h"
#include "err.h"
#include "value.h"
#include "wire.h"

/* bi: a BI_K_COMM builtin. RuntimeError in global view. Collective over rt->comm (barrier,
 * allreduce, bcast) or point to point (send, recv). *out is owned by the caller. */
int comm_call(call_t *c, int bi, val_t *out, err_t *err);

/* The encoding values travel in (numbers, strings, tuples and lists of those), for other
 * modules that move values between engines (pmap_). Errors carry the place at. */
int comm_encode(const val_t *v, span_t at, wbuf_t *b, err_t *err);
int comm_decode(rbuf_t *r, span_t at, val_t *out, err_t *err); /* *out owned by the caller */

#endif
