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
    const int *world; /* set by pmap_ while it goes on without a dead engine (NULL) */
} pmap_ctx_t;

/* bi: BI_PMAP, BI_PMAP_ASYNC or BI_APPLY, with the call's evaluated arguments (borrowed).
 * Collective in global view (RuntimeError in local view). *out (a list) is owned by the caller. */
int pmap_call(pmap_ctx_t *c, int bi, const val_t *args, size_t nargs, const call_kw_t *kw,
              size_t nkw, val_t *out, err_t *err);

/* pmap_async's AsyncResult r (self, V_ASYNC), in global view; all Collective. Its items run
 * only while the engines wait for them: in r.get(), `for x in r` and sleep(); other cells run
 * at once and the farm waits meanwhile. A new pmap or pmap_async first runs what is left of
 * the one before it (the kernel schedules one farm at a time).
 *   r.ready()          True once every item ran (or the farm was interrupted)
 *   r.progress         the items run so far, on all engines
 *   r.get(timeout=None) runs the items to the end (TimeoutError when timeout seconds, checked
 *                      between items, ran out first); the results in item order, or the
 *                      error pmap would raise; an interrupted farm raises KeyboardInterrupt
 *                      and keeps what finished
 *   r.partial()        the results so far, None for items not (or not well) run */
int pmap_method(pmap_ctx_t *c, call_t *call, const val_t *self, const char *name, val_t *out,
                err_t *err);
int pmap_attr(pmap_ctx_t *c, const val_t *self, const char *name, val_t *out, err_t *err);
/* Item k of r for a for loop, in item order, as soon as some engine ran it (this engine runs
 * items while it waits). 1 past the last item, 0 with *out, or an error (the item's own). */
int pmap_iter(pmap_ctx_t *c, const val_t *self, uint32_t k, val_t *out, err_t *err);
/* 1 when sleep() in global view should run pmap_async items instead of idling. */
int pmap_pending(const rt_t *rt);
/* sleep(s) in global view with a pmap_async farm running: this engine runs items until s
 * seconds are over (an item that started goes on to its end), then sleeps the rest. */
int pmap_sleep(pmap_ctx_t *c, call_t *call, val_t *out, err_t *err);

#endif
