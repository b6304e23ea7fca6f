/* farm.c - schedules the items of a farm over the engines (see farm.h).
 *
 * Decisions a reader could not guess:
 * - Items are handed out in chunks of `chunk` consecutive items: chunk c is items
 *   [c*chunk, (c+1)*chunk). Balanced farms give the lowest chunk not yet handed out to
 *   whichever engine asks; static ones give engine r the chunks r, r+N, r+2N ... (the
 *   round-robin split of a DirectView map), whatever the others are doing.
 * - The kernel never sees items or results, only counts: it cannot be slowed down or run
 *   out of memory by big results, and nothing here depends on what the function returns.
 * - An engine that sent FARM is by construction idle until its FARM_GO arrives, so "busy"
 *   is exactly "holds a chunk"; an engine told "no more" is idle for the rest of the farm. */
#include "farm.h"

#include <stdio.h>
#include <string.h>

#include "mem.h"

/* R_WAIT: asked when nothing was left to hand out, and waits for the end of the farm. */
enum { R_IDLE, R_BUSY, R_LEFT, R_WAIT, R_DEAD };

#define NO_OWNER 0xffffu

struct farm {
    int on;            /* a farm is running */
    uint32_t id;       /* the engines' farm id */
    uint32_t n, chunk; /* items, items per chunk */
    uint32_t nchunks;
    int balanced, cancelled, async;
    int nranks;
    uint32_t next;   /* balanced: next chunk to hand out */
    uint32_t *rnext; /* static: each rank's next chunk */
    uint8_t *state;  /* per rank: R_IDLE, R_BUSY, R_LEFT */
    uint32_t *hold;  /* per rank: 2 entries, the first item and count of the chunk it runs */
    uint32_t *rdone, *rfail; /* per rank: items it finished, and failed, so far */
    uint16_t *owner;         /* per chunk: the rank it was handed to (NO_OWNER: not yet) */
    uint32_t *redo;          /* chunks to hand out again (a dead engine's), a queue */
    uint32_t nredo, redo_at; /* queued, and the next one to hand out */
    int ndead;
    uint32_t ndone, nfail;
    double t0;
};

farm_t *farm_new(void)
{
    return mem_calloc(1, sizeof(farm_t));
}

void farm_end(farm_t *f)
{
    mem_free(f->rnext);
    mem_free(f->state);
    mem_free(f->hold);
    mem_free(f->rdone);
    mem_free(f->rfail);
    mem_free(f->owner);
    mem_free(f->redo);
    memset(f, 0, sizeof *f);
}

void farm_destroy(farm_t **fp)
{
    if (!fp || !*fp) return;
    farm_end(*fp);
    mem_free(*fp);
    *fp = NULL;
}

static int start(farm_t *f, uint32_t id, uint32_t n, uint32_t chunk, uint8_t flags, int nranks,
                 double now)
{
    farm_end(f);
    f->rnext = mem_calloc((size_t)nranks, sizeof *f->rnext);
    f->state = mem_calloc((size_t)nranks, 1);
    f->hold = mem_calloc(2 * (size_t)nranks, sizeof *f->hold);
    f->rdone = mem_calloc((size_t)nranks, sizeof *f->rdone);
    f->rfail = mem_calloc((size_t)nranks, sizeof *f->rfail);
    chunk = chunk ? chunk : 1;
    uint32_t nchunks = n / chunk + (n % chunk != 0);
    f->owner = mem_alloc((nchunks ? nchunks : 1) * sizeof *f->owner);
    if (!f->rnext || !f->state || !f->hold || !f->rdone || !f->rfail || !f->owner ||
        nranks >= (int)NO_OWNER) {
        farm_end(f);
        return PARC_ENOMEM;
    }
    memset(f->owner, 0xff, (nchunks ? nchunks : 1) * sizeof *f->owner);
    f->on = 1;
    f->id = id;
    f->n = n;
    f->chunk = chunk;
    f->nchunks = nchunks;
    f->balanced = (flags & FARM_F_BALANCED) != 0;
    f->async = (flags & FARM_F_ASYNC) != 0;
    f->nranks = nranks;
    for (int r = 0; r < nranks; r++)
        f->rnext[r] = (uint32_t)r;
    f->t0 = now;
    return 0;
}

/* Reads the failure records, calling on_fail for each. 0 or PARC_EPROTO. */
static int read_fails(rbuf_t *r, int rank, uint32_t nfail, farm_fail_fn on_fail, void *ud)
{
    for (uint32_t i = 0; i < nfail && !r->bad; i++) {
        farm_fail_t ff;
        memset(&ff, 0, sizeof ff);
        err_clear(&ff.err);
        ff.rank = rank;
        ff.item = rbuf_u32(r);
        int code = rbuf_i32(r);
        size_t kn, mn, fnn;
        const char *kind = rbuf_str(r, &kn);
        const char *msg = rbuf_str(r, &mn);
        span_t at;
        at.cell = rbuf_u32(r);
        at.line = rbuf_i32(r);
        at.col = rbuf_i32(r);
        at.len = rbuf_i32(r);
        const char *fn = rbuf_str(r, &fnn);
        if (r->bad || code >= 0 || code <= PARC_ELAST) return PARC_EPROTO;
        err_set(&ff.err, code, at, "%.*s", (int)(mn < 255 ? mn : 255), msg);
        ff.err.rank = rank;
        snprintf(ff.kind, sizeof ff.kind, "%.*s", (int)(kn < 31 ? kn : 31), kind);
        snprintf(ff.fn, sizeof ff.fn, "%.*s", (int)(fnn < 63 ? fnn : 63), fn);
        if (on_fail) on_fail(ud, &ff);
    }
    return r->bad ? PARC_EPROTO : 0;
}

/* The next chunk for rank, or UINT32_MAX when there is none. */
static uint32_t pick_chunk(farm_t *f, int rank)
{
    if (f->cancelled) return UINT32_MAX;
    if (f->redo_at < f->nredo) return f->redo[f->redo_at++]; /* a dead engine's, to whoever asks */
    if (f->balanced) return f->next < f->nchunks ? f->next++ : UINT32_MAX;
    uint32_t c = f->rnext[rank];
    if (c >= f->nchunks) return UINT32_MAX;
    f->rnext[rank] = c + (uint32_t)f->nranks;
    return c;
}

static uint32_t pick(farm_t *f, int rank)
{
    uint32_t c = pick_chunk(f, rank);
    if (c != UINT32_MAX) f->owner[c] = (uint16_t)rank;
    return c;
}

/* Appends a FARM_GO body: chunk c (UINT32_MAX: none) and the dead engines, if any. */
static void go_body(farm_t *f, int rank, uint32_t c, wbuf_t *reply)
{
    uint32_t first = f->cancelled ? FARM_CANCELLED : 0, count = 0;
    if (c != UINT32_MAX) {
        first = c * f->chunk;
        count = f->n - first < f->chunk ? f->n - first : f->chunk;
    }
    f->hold[2 * rank] = first;
    f->hold[2 * rank + 1] = count;
    f->state[rank] = c == UINT32_MAX ? R_LEFT : R_BUSY;
    wbuf_u32(reply, f->id);
    wbuf_u32(reply, first);
    wbuf_u32(reply, count);
    if (!f->ndead) return;
    wbuf_u32(reply, (uint32_t)f->ndead);
    for (int r = 0; r < f->nranks; r++)
        if (f->state[r] == R_DEAD) wbuf_u32(reply, (uint32_t)r);
}

/* 1 when no chunk is left to hand out and no living engine runs one. */
static int complete(const farm_t *f)
{
    if (f->redo_at < f->nredo) return 0;
    if (f->balanced ? f->next < f->nchunks : 0) return 0;
    for (int r = 0; r < f->nranks; r++) {
        if (f->state[r] == R_BUSY) return 0;
        if (!f->balanced && f->state[r] != R_DEAD && f->rnext[r] < f->nchunks) return 0;
    }
    return 1;
}

int farm_request(farm_t *f, int rank, int nranks, const uint8_t *body, size_t n, double now,
                 wbuf_t *reply, int *held, farm_fail_fn on_fail, void *ud)
{
    *held = 0;
    rbuf_t r;
    rbuf_init(&r, body, n);
    uint32_t id = rbuf_u32(&r), items = rbuf_u32(&r), chunk = rbuf_u32(&r);
    uint8_t flags = rbuf_u8(&r);
    uint32_t ok = rbuf_u32(&r), nfail = rbuf_u32(&r);
    int rc = 0;
    if (r.bad || rank < 0 || rank >= nranks || chunk == 0) rc = PARC_EPROTO;
    if (!rc && (!f->on || f->id != id || f->nranks != nranks))
        rc = start(f, id, items, chunk, flags, nranks, now);
    if (!rc && f->state[rank] == R_DEAD) rc = PARC_EPROTO; /* a straggler of a dead engine */
    if (!rc && (items != f->n || chunk != f->chunk || ok > f->n - f->ndone)) rc = PARC_EPROTO;
    size_t before = r.off;
    if (!rc) rc = read_fails(&r, rank, nfail, NULL, NULL);
    if (!rc && (rbuf_left(&r) || nfail > f->n - f->ndone - ok)) rc = PARC_EPROTO;
    if (!rc) {
        /* Checked: now report the failures for real. */
        r.off = before;
        read_fails(&r, rank, nfail, on_fail, ud);
        f->ndone += ok + nfail;
        f->nfail += nfail;
        f->rdone[rank] += ok + nfail;
        f->rfail[rank] += nfail;
        if (flags & FARM_F_STOP) f->cancelled = 1;
        uint32_t c = pick(f, rank);
        if (c == UINT32_MAX && !f->cancelled && !f->async) {
            /* Nothing left for it now, but an engine may still die and leave work: it waits
             * until the farm is complete (it would only wait in the gather otherwise). */
            f->state[rank] = R_WAIT;
            *held = 1;
            return 0;
        }
        go_body(f, rank, c, reply);
    } else {
        wbuf_u32(reply, id);
        wbuf_u32(reply, f->cancelled ? FARM_CANCELLED : 0);
        wbuf_u32(reply, 0);
    }
    if (!rc && reply->oom) rc = PARC_ENOMEM;
    return rc;
}

int farm_release(farm_t *f, int *rank, wbuf_t *reply)
{
    if (!f->on) return 0;
    for (int r = 0; r < f->nranks; r++) {
        if (f->state[r] != R_WAIT) continue;
        uint32_t c = pick(f, r);
        if (c == UINT32_MAX && !f->cancelled && !complete(f)) continue;
        go_body(f, r, c, reply);
        *rank = r;
        return 1;
    }
    return 0;
}

/* Appends the items of the queued chunks from..nredo as "3, 7-9". */
static void redo_items(const farm_t *f, uint32_t from, wbuf_t *out)
{
    uint32_t a = 0, b = 0;
    int open = 0, k = 0;
    for (uint32_t i = from; i <= f->nredo; i++) {
        uint32_t s = 0, e = 0;
        if (i < f->nredo) {
            s = f->redo[i] * f->chunk;
            e = f->n - s < f->chunk ? f->n - 1 : s + f->chunk - 1;
            if (open && s == b + 1) {
                b = e;
                continue;
            }
        }
        if (open) {
            wbuf_printf(out, "%s%u", k++ ? ", " : "", a);
            if (b > a) wbuf_printf(out, "%s%u", b == a + 1 ? ", " : "-", b);
        }
        a = s;
        b = e;
        open = 1;
    }
}

int farm_dead(farm_t *f, int rank, wbuf_t *why)
{
    if (!f->on || f->async || f->cancelled || rank < 0 || rank >= f->nranks) return 0;
    if (f->state[rank] == R_DEAD || f->state[rank] == R_LEFT) return 0;
    int alive = 0;
    for (int r = 0; r < f->nranks; r++)
        alive += r != rank && f->state[r] != R_DEAD && f->state[r] != R_LEFT;
    if (!alive) return 0;
    uint32_t *q = mem_realloc(f->redo, ((size_t)f->nredo + f->nchunks + 1) * sizeof *q);
    if (!q) return 0;
    f->redo = q;
    uint32_t from = f->nredo, ran = 0;
    for (uint32_t c = 0; c < f->nchunks; c++)
        if (f->owner[c] == (uint16_t)rank) {
            f->owner[c] = NO_OWNER;
            f->redo[f->nredo++] = c;
        }
    ran = f->nredo - from;
    if (!f->balanced) /* its share of a static split that it never started goes too */
        for (uint32_t c = f->rnext[rank]; c < f->nchunks; c += (uint32_t)f->nranks)
            f->redo[f->nredo++] = c;
    f->rnext[rank] = f->nchunks;
    f->ndone -= f->rdone[rank];
    f->nfail -= f->rfail[rank];
    f->rdone[rank] = f->rfail[rank] = 0;
    f->state[rank] = R_DEAD;
    f->ndead++;
    uint32_t end = f->nredo;
    f->nredo = from + ran;
    if (ran) {
        wbuf_printf(why, "pmap ran its item%s ", ran == 1 && f->chunk == 1 ? "" : "s");
        redo_items(f, from, why);
        wbuf_printf(why, " again on the other engines");
    } else {
        wbuf_printf(why, "it had run no item of the pmap");
    }
    f->nredo = end;
    return 1;
}

void farm_cancel(farm_t *f)
{
    if (f->on) f->cancelled = 1;
}

int farm_active(const farm_t *f)
{
    return f->on;
}

int farm_async(const farm_t *f)
{
    return f->on && f->async;
}

double farm_started(const farm_t *f)
{
    return f->t0;
}

int farm_over(const farm_t *f)
{
    for (int r = 0; f->on && r < f->nranks; r++)
        if (f->state[r] != R_LEFT && f->state[r] != R_DEAD) return 0;
    return f->on;
}

/* What the progress line calls a rank: busy, idle (also waiting or done) or lost. */
static int shown(int st)
{
    return st == R_BUSY || st == R_DEAD ? st : R_IDLE;
}

/* Appends the ranks shown as st as "0-2,5"; returns how many. */
static int ranks_in(const farm_t *f, int st, wbuf_t *out)
{
    int k = 0;
    for (int r = 0; r < f->nranks; r++) {
        if (shown(f->state[r]) != st) continue;
        int e = r;
        while (e + 1 < f->nranks && shown(f->state[e + 1]) == st)
            e++;
        wbuf_printf(out, "%s%d", k ? "," : "", r);
        if (e > r) wbuf_printf(out, "%s%d", e == r + 1 ? "," : "-", e);
        k += e - r + 1;
        r = e;
    }
    return k;
}

void farm_progress(const farm_t *f, double now, wbuf_t *out)
{
    if (!f->on) return;
    wbuf_printf(out, "pmap: %u/%u done", f->ndone, f->n);
    if (f->nfail) wbuf_printf(out, ", %u failed", f->nfail);
    if (f->cancelled && f->ndone < f->n) wbuf_printf(out, ", stopping");
    int busy = 0;
    for (int r = 0; r < f->nranks; r++)
        busy += f->state[r] == R_BUSY;
    if (busy) {
        wbuf_printf(out, "; busy: engine%s ", busy > 1 ? "s" : "");
        ranks_in(f, R_BUSY, out);
    }
    if (busy + f->ndead < f->nranks) {
        wbuf_printf(out, "; idle: ");
        ranks_in(f, R_IDLE, out);
    }
    if (f->ndead) {
        wbuf_printf(out, "; lost: ");
        ranks_in(f, R_DEAD, out);
    }
    wbuf_printf(out, "; %.1f s", now - f->t0);
}

void farm_lost(const farm_t *f, wbuf_t *out)
{
    if (!f->on) return;
    wbuf_printf(out, "pmap: %u of %u items had finished", f->ndone, f->n);
    int k = 0;
    for (int r = 0; r < f->nranks; r++) {
        if (f->state[r] != R_BUSY) continue;
        uint32_t a = f->hold[2 * r], n = f->hold[2 * r + 1];
        wbuf_printf(out, "%s", k++ ? ", " : "; running: ");
        if (n == 1)
            wbuf_printf(out, "item %u on engine %d", a, r);
        else
            wbuf_printf(out, "items %u-%u on engine %d", a, a + n - 1, r);
    }
    wbuf_printf(out, "; every result of the farm is lost with the engines");
}
