/* farm.h - the kernel's side of task farming (pmap, apply): hands out the items of a farm
 * the engines run, one chunk at a time, to whichever engine asks next.
 *
 * The engines do the work and keep the results; the kernel only schedules. Each engine of a
 * farm sends LINK_FARM when it is ready for work (the first time, and each time it finished
 * its chunk, reporting how many items went well and which failed) and waits for LINK_FARM_GO
 * with its next chunk, or with none when the farm is over for it. So the next item always
 * goes to an engine that is free, nobody polls, and the kernel knows at every moment which
 * engines are busy and how many items are done (the progress line). pool_ routes the
 * messages here; exec_ shows failures and progress through pool_cb_t.on_farm.
 *
 * An engine of a pmap farm that asks when nothing is left to hand out gets no answer until
 * the farm is complete (every item ran on a living engine): then all get "no more work" at
 * once. So when an engine dies mid-farm (pool_ tells farm_dead), no survivor is stuck in the
 * final gather: every chunk the dead engine had been given (its results died with it) is
 * handed out again, the survivors run them, and their "no more work" names the dead engines,
 * whose results they then gather without them.
 *
 * Bodies (wire.h encoding):
 *   FARM     E->K  u32 farm id, u32 items, u32 chunk, u8 flags (FARM_F_*, link.h), u32 items done
 *                  well since the last FARM, u32 nfail, nfail * (u32 item, i32 code,
 *                  str kind, str msg, u32 cell, i32 line, i32 col, i32 len, str function)
 *   FARM_GO  K->E  u32 farm id, u32 first item, u32 count (0: no more work for this engine;
 *                  then first is FARM_CANCELLED when the farm was interrupted), and when an
 *                  engine died during the farm: u32 ndead, ndead * u32 rank
 * The farm id is the engines' count of farms started (the same on every rank in global view);
 * a FARM with a new id starts a new farm. A pmap_async farm (FARM_F_ASYNC) is not ended with
 * the request that started it: its engines ask again from later cells (r.get(), sleep()). */
#ifndef PARC_FARM_H
#define PARC_FARM_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "link.h"
#include "wire.h"

typedef struct farm farm_t;

/* One failed item, as an engine reported it. */
typedef struct {
    uint32_t item;
    int rank;      /* the engine it ran on */
    err_t err;     /* code, message and the place in the function */
    char kind[32]; /* "ZeroDivisionError" */
    char fn[64];   /* the function the error happened in ("" unknown) */
} farm_fail_t;

/* Called for each failed item while a request is parsed (fail set), with ud. */
typedef void (*farm_fail_fn)(void *ud, const farm_fail_t *fail);

farm_t *farm_new(void); /* caller owns; NULL when out of memory */
void farm_destroy(farm_t **fp);

/* Handles one FARM message of rank in a job of nranks: records what it finished, picks its
 * next chunk and appends the FARM_GO body to reply, or sets *held when rank waits for the
 * end of the farm (nothing appended; farm_release answers it later). Returns 0, or
 * PARC_EPROTO for a malformed body (nothing is recorded; reply says "no more work"), or
 * PARC_ENOMEM. */
int farm_request(farm_t *f, int rank, int nranks, const uint8_t *body, size_t n, double now,
                 wbuf_t *reply, int *held, farm_fail_fn on_fail, void *ud);

/* One waiting engine that can be answered now (a chunk to run again, or the farm is complete
 * or cancelled): sets *rank, appends its FARM_GO body to reply and returns 1; else 0. Called
 * after each event until it returns 0. */
int farm_release(farm_t *f, int *rank, wbuf_t *reply);

/* Engine rank died. Returns 1 when the farm goes on without it (a pmap farm, neither async
 * nor cancelled, nor over, with a living engine left): its chunks are handed out again and
 * why says which items run again ("pmap ran its items 3, 7-9 again on the other engines").
 * Returns 0 when the farm cannot (the caller ends it as lost). */
int farm_dead(farm_t *f, int rank, wbuf_t *why);

void farm_cancel(farm_t *f); /* an interrupt: no more chunks for anyone */
void farm_end(farm_t *f);    /* the request that ran the farm is over */

int farm_active(const farm_t *f);     /* 1 while a farm runs (started, not yet ended) */
int farm_async(const farm_t *f);      /* 1 for a pmap_async farm (it outlives its request) */
double farm_started(const farm_t *f); /* the `now` of its first request */
int farm_over(const farm_t *f);       /* 1 once every engine was told "no more work" */
/* Appends one line of progress ("pmap: 7/16 done, 1 failed; busy: 0-1; idle: 2; 4.2 s"). */
void farm_progress(const farm_t *f, double now, wbuf_t *out);

/* Appends what an engine's death costs a farm that cannot go on without it (farm_dead 0):
 * "pmap: 7 of 16 items had finished; running: item 8 on engine 1, ...; every result of the
 * farm is lost with the engines". */
void farm_lost(const farm_t *f, wbuf_t *out);

#endif
