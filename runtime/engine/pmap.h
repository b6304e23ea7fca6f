/* pmap.h - task farming in global view: pmap(f, items...) calls f once per item, each call
 * on one engine in local view, and returns the results in item order on every rank;
 * apply(f, *args) calls f once on every engine and returns the per-engine list.
 *
 * Which engine runs which items is the kernel's choice (kernel/farm.h): an engine asks for
 * a chunk when it is free, so uneven items balance themselves. Results stay on the engine
 * that computed them until the farm is over, then every rank gets all of them (one
 * MPI_Allgatherv). An item that fails is reported at once (the kernel shows it with its
 * place in f) and the others go on; the call then raises one error naming every failed item.
 * eval_ dispatches the PMAP and APPLY builtins here, with a callback that calls a function
 * value (the interpreter's business, not this module's). */
#ifndef PARC_PMAP_H
#define PARC_PMAP_H

#include <stddef.h>

#include "call.h"
#include "err.h"
#include "rt.h"
#include "value.h"

/* Calls the function value f (user function, lambda or builtin) with args; *out owned by
 * the caller. On error fills err and writes the name of the function it happened in to fn
 * (cap bytes; "" unknown). */
typedef int (*pmap_call_fn)(void *ud, const val_t *f, const val_t *args, size_t nargs, val_t *out,
                            err_t *err, char *fn, size_t cap);

typedef struct {
    rt_t *rt;
    span_t at; /* the pmap/apply call, for its own errors */
    pmap_call_fn call;
    void *ud;
} pmap_ctx_t;

/* bi: BI_PMAP or BI_APPLY, with the call's evaluated arguments (borrowed). Collective in
 * global view (RuntimeError in local view). *out (a list) is owned by the caller. */
int pmap_call(pmap_ctx_t *c, int bi, const val_t *args, size_t nargs, const call_kw_t *kw,
              size_t nkw, val_t *out, err_t *err);

#endif
