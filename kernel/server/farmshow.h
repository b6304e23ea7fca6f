/* farmshow.h - what a running farm (pmap, apply) shows in the notebook: each failed item's
 * error as it happens, and a progress line that is updated in place once the farm has run
 * for FARMSHOW_AFTER_S seconds (display_data, then update_display_data with the same
 * display_id, as other long work does). exec_ calls it from pool_cb_t.on_farm. */
#ifndef PARC_FARMSHOW_H
#define PARC_FARMSHOW_H

#include "chan.h"
#include "farm.h"
#include "lang.h"

#define FARMSHOW_AFTER_S 2.0  /* farms shorter than this show no progress line */
#define FARMSHOW_EVERY_S 0.25 /* at most this often an update */

/* The progress line of one cell: a small value kept in the running cell's state. */
typedef struct {
    double since;   /* when this cell first heard of the farm (0: not yet) */
    int shown;      /* the display_data went out */
    double last;    /* when the last update went out */
    char id[48];    /* its display_id */
    char text[256]; /* what it says now (no update when unchanged) */
} farmshow_t;

/* Shows a failed item on stderr: "[item 7 on engine 2] ZeroDivisionError: ..." after the
 * place in the function (source line and caret from src). */
void farmshow_fail(chan_t *chan, const msg_t *req, const farm_fail_t *fail, lang_source_fn src,
                   void *ud);

/* Shows what a pmap item printed on engine rank (stream 1 stdout, 2 stderr) at once, each
 * line prefixed "[stdout:R] " as %px output is: items end in any order, so rank order
 * cannot be kept, but every line says where it came from. */
void farmshow_output(chan_t *chan, const msg_t *req, int rank, int stream, const char *text,
                     size_t n);

/* Brings the progress line up to date at time now (CLOCK_MONOTONIC seconds). final: the
 * request is over (the line is updated one last time if it was shown). The line appears once
 * this cell has waited FARMSHOW_AFTER_S for the farm (a pmap_async farm may have started in
 * an earlier cell: what counts is this cell's wait). */
void farmshow_progress(farmshow_t *s, chan_t *chan, const msg_t *req, const farm_t *f, double now,
                       int final);

#endif
