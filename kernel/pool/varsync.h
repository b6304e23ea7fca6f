/* varsync.h - reads the name records of an engine's DONE reply (link.h) into the kernel's
 * name table (vartab.h), for pool_: rank 0's report replaces the global names, per-engine
 * names from local-view requests are gathered and merged when the request ends. */
#ifndef PARC_VARSYNC_H
#define PARC_VARSYNC_H

#include <stdint.h>

#include "vartab.h"
#include "wire.h"

/* Global view: the nn records at r replace *names (a new table; per-engine names it does
 * not list are kept). 0, or -1 when malformed or out of memory (*names unchanged). */
int varsync_global(vartab_t **names, rbuf_t *r, uint32_t nn);
/* Local view: adds the nn records at r to *acc (created when NULL; caller owns) as
 * per-engine names, keeping the largest share of bytes seen. names is borrowed. 0 or -1. */
int varsync_local(vartab_t **acc, const vartab_t *names, rbuf_t *r, uint32_t nn);
/* Puts acc's names (may be NULL: nothing) into names; when every_rank took part, per-engine
 * names that none of them reported any more are removed first. */
void varsync_merge(vartab_t *names, const vartab_t *acc, int every_rank);

#endif
