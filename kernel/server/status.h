/* status.h - the status line of a long segment: where its engines are and what they do.
 *
 * Once a segment has run STATUS_AFTER_S seconds, exec_ shows in its live area (rankout_)
 * one or two lines built from the engines' answers to pool_ask_progress, and brings them up
 * to date every STATUS_EVERY_S:
 *     running for 4.5 s, line 3: s = (a * b).sum()
 *     engines 0-6 waiting in a reduction, engine 7 computing 62%
 * Engines at different statements get a line each ("engines 0-1 computing at line 2: ...").
 * The engines are asked STATUS_EVERY_S before each update, so the line shows answers at
 * most that old. Pure bookkeeping: no sockets, no JSON. */
#ifndef PARC_STATUS_H
#define PARC_STATUS_H

#include <stddef.h>

#include "lang.h"
#include "pool.h"
#include "wire.h"

#define STATUS_AFTER_S  2.0 /* segments shorter than this show no status line */
#define STATUS_EVERY_S  0.5 /* between two questions to the engines (and two updates) */
#define STATUS_GROUPS   8   /* lines of engine groups shown (the rest are counted) */
#define STATUS_CODE_MAX 60  /* bytes of a statement's source shown */

enum { STATUS_ASK = 1, STATUS_SHOW = 2 }; /* what status_tick found due */

typedef struct status status_t;

status_t *status_new(void);         /* caller owns; NULL when out of memory */
void status_destroy(status_t **sp); /* NULL-safe, NULLs *sp */
/* A segment on targets (sorted, borrowed until the next status_begin; NULL, 0: every rank)
 * started at t0 (CLOCK_MONOTONIC seconds). Forgets the previous segment's answers. */
void status_begin(status_t *s, const int *targets, size_t ntargets, double t0);
/* Number of ranks in the job once known (for a segment on every rank); called before each
 * event, cheap. */
void status_size(status_t *s, int nranks);
/* rank's answer; ranks outside the segment are ignored. */
void status_progress(status_t *s, int rank, const pool_progress_t *pg);
void status_rank_done(status_t *s, int rank); /* rank finished the segment */
/* At now: returns STATUS_ASK when the engines are to be asked, STATUS_SHOW (with the text,
 * no final newline, appended to out) when the line is to be updated, or 0. src gives the
 * cells' sources for the statements' text. */
int status_tick(status_t *s, double now, lang_source_fn src, void *ud, wbuf_t *out);
/* ms until status_tick has something to do (0: now). */
long status_due_ms(const status_t *s, double now);
/* The text for the answers so far, appended to out (the line status_tick shows). */
void status_format(const status_t *s, double now, lang_source_fn src, void *ud, wbuf_t *out);

#endif
