/* rankout.h - one segment's engine output on its way to iopub: each rank's stdout and
 * stderr text and, in local view, each rank's last-expression result, held per rank so
 * that a cell shows them in rank order whatever order they arrive in (SPEC §2, §7). exec_
 * keeps one per running cell and feeds it from the pool's callbacks. Never blocks. */
#ifndef PARC_RANKOUT_H
#define PARC_RANKOUT_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "chan.h"
#include "msg.h"

typedef struct rankout rankout_t;

/* chan, req (the execute_request the output answers) and a (the cell's arena, which holds
 * the results) are borrowed and must outlive it. Caller owns; NULL when out of memory. */
rankout_t *rankout_new(chan_t *chan, const msg_t *req, arena_t *a);
void rankout_destroy(rankout_t **op); /* NULL-safe, NULLs *op */

/* Starts a segment. local: %px view (every line prefixed "[stdout:N] "); targets: the
 * ranks it runs on, sorted (borrowed until rankout_flush; NULL, 0: every rank). The lowest
 * is the live rank, whose output is shown as it arrives. */
void rankout_begin(rankout_t *o, int local, const int *targets, size_t ntargets);
/* Text on stream (0 stdout, 1 stderr) from rank: shown now when rank is live, else held.
 * In global view the held text is shown at the end only where it differs from the live
 * rank's. */
void rankout_stream(rankout_t *o, int rank, int stream, const char *text, size_t n);
/* rank finished (all its output has arrived). Local view: once every lower targeted rank
 * has finished too, its held output is shown and the next unfinished rank becomes live
 * (its held output shown at once). Global view: nothing to do. */
void rankout_rank_done(rankout_t *o, int rank);
/* A local-view result of rank (copied into the arena), shown at the end. */
void rankout_result(rankout_t *o, int rank, const char *plain, size_t np, const char *html,
                    size_t nh);
/* The segment ended: shows the held output in rank order, then the results in rank order
 * as display_data "Out[rank:cell]: ...", and forgets them. */
void rankout_flush(rankout_t *o, uint32_t cell);

#endif
