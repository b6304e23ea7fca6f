/* globals.h - the global names of one engine: a table from name to value, each marked when it
 * was bound in local view (per-engine: a different value on each rank). eval_ owns one and
 * reads and binds through it; function locals live in eval_'s frames, not here. */
#ifndef PARC_GLOBALS_H
#define PARC_GLOBALS_H

#include <stdint.h>

#include "err.h"
#include "rt.h"
#include "value.h"
#include "wire.h"

typedef struct globals globals_t;

globals_t *globals_new(void);          /* caller owns; NULL on failure */
void globals_destroy(globals_t **nsp); /* NULL-safe, NULLs *nsp; drops every value */

/* The value bound to name (borrowed from ns, valid until the name is rebound or deleted)
 * and *per_engine, or NULL when name is unbound. */
const val_t *globals_get(const globals_t *ns, const char *name, int *per_engine);
/* Binds name; takes *v (set to None). local: bound in local view, so marked per-engine; a
 * V_PERENG value is unwrapped and marked per-engine too. 0 or PARC_ENOMEM (v dropped). */
int globals_set(globals_t *ns, const char *name, val_t *v, int local, err_t *err);
/* Unbinds name: 0, or -1 when it was not bound. */
int globals_del(globals_t *ns, const char *name);

/* Appends the name record of every global (link.h "name record" layout) to out and returns
 * how many. Local: no communication. */
uint32_t globals_records(const globals_t *ns, rt_t *rt, wbuf_t *out);

#endif
