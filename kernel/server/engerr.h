/* engerr.h - the errors the engines raised in one request, merged into one traceback for
 * the cell (docs/language.md, "Errors"): ranks that failed with the same message at the same place
 * share one block, headed with their engine set ("[0-2,4:execute] "); only the engines that differ
 * are listed apart. A pure formatter: no sockets. */
#ifndef PARC_ENGERR_H
#define PARC_ENGERR_H

#include "arena.h"
#include "err.h"
#include "lang.h"
#include "pool.h"
#include "wire.h"

/* Appends the sorted ranks as "0-2,4" to b (also used for collapsed output). */
void engerr_rank_set(wbuf_t *b, const int *ranks, size_t n);

/* Moves a span from the running segment's coordinates to the cell's. */
typedef void (*engerr_fix_fn)(void *ud, span_t *s);

/* Formats the errors of a failed request d as one traceback appended to tb: the pool's
 * own error, or one block per group of ranks that failed alike (local: name the engines
 * even when every rank failed alike). Sets *ename and *evalue (copies in a, or constant:
 * never pointers into d, which a caller may have copied onto its stack) to the first
 * error's kind and message. fix (may be NULL) and src are called
 * with ud; memory comes from a. 0 or PARC_ENOMEM. */
int engerr_format(const pool_done_t *d, int local, arena_t *a, engerr_fix_fn fix,
                  lang_source_fn src, void *ud, wbuf_t *tb, const char **ename,
                  const char **evalue);

#endif
