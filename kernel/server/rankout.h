/* rankout.h - one segment's engine output on its way to iopub: each rank's stdout and
 * stderr text and, in local view, each rank's last-expression result, held per rank so
 * that a cell shows them in rank order whatever order they arrive in (docs/architecture.md). exec_
 * keeps one per running cell and feeds it from the pool's callbacks. Never blocks.
 *
 * Held output is still visible while the cell runs: a local-view segment on two or more
 * engines opens a live area (display_data with a display_id, text/html "") before its first
 * output, updates it (update_display_data, at most every RANKOUT_LIVE_MS) with the latest
 * lines of every engine whose output is held, and empties it when the segment ends, when
 * the held text comes out as streams in rank order. Front ends that ignore display updates
 * (jupyter console) still see the live engine's streams. The area is opened for every such
 * segment, whatever the timing, so a saved notebook is the same on every run. */
#ifndef PARC_RANKOUT_H
#define PARC_RANKOUT_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "chan.h"
#include "msg.h"

#define RANKOUT_LIVE_MS    25 /* least time between two updates of the live area */
#define RANKOUT_LIVE_LINES 3  /* latest lines shown per engine and stream */
#define RANKOUT_LIVE_RANKS 64 /* engines shown in the live area (the rest are counted) */

typedef struct rankout rankout_t;

/* chan, req (the execute_request the output answers) and a (the cell's arena, which holds
 * the results) are borrowed and must outlive it. Caller owns; NULL when out of memory. */
rankout_t *rankout_new(chan_t *chan, const msg_t *req, arena_t *a);
void rankout_destroy(rankout_t **op); /* NULL-safe, NULLs *op */

/* Starts a segment. local: %px view (every line prefixed "[stdout:N] "); targets: the
 * ranks it runs on, sorted (borrowed until rankout_flush; NULL, 0: every rank). The lowest
 * is the live rank, whose output is shown as it arrives. */
void rankout_begin(rankout_t *o, int local, const int *targets, size_t ntargets);
/* Number of ranks in the job (for a segment on every rank), once known: with two or more
 * the segment gets a live area. Called before each event; cheap. */
void rankout_size(rankout_t *o, int nranks);
/* Local view, --collapse: nothing is shown live; rankout_flush prints each line that
 * several engines printed alike once, headed with the engine set ("[stdout:0-63] done"),
 * and identical results once ("Out[0-3:5]: 1.0"). Set after rankout_begin. */
void rankout_collapse(rankout_t *o, int on);
/* No live area for this segment (a replay of kept output: everything arrives at once).
 * Set after rankout_begin. */
void rankout_quiet(rankout_t *o);
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
/* The segment's status line (status.h), shown at the top of the live area, which it opens
 * in any segment (global view, one engine) if need be; replaces the previous one. The
 * area, status line included, is emptied when the segment ends. */
void rankout_status(rankout_t *o, const char *text, size_t n);
/* Publishes the live area's update when one is due (call once per loop turn). */
void rankout_tick(rankout_t *o);
/* ms until an update is due (0: now), or -1 when none waits: the loop sleeps at most that. */
long rankout_due_ms(const rankout_t *o);

#endif
