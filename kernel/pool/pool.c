/* pool.c - the engine pool, kernel side (pool.h): one ROUTER socket that every engine rank
 * connects to twice ("e<rank>" work, "c<rank>" control), the mpirun child that starts them,
 * and the one request in flight.
 *
 * Never blocks (except pool_stop, which waits up to ~3 s for the job to leave): the ROUTER
 * and mpirun's output pipe join the kernel's zmq_poll, and pool_handle does what is ready,
 * then a tick checks deadlines and reaps mpirun with waitpid(WNOHANG).
 *
 * States: STOPPED -> (pool_start) STARTING -> (every rank's two HELLOs) READY -> STOPPED when
 * mpirun exits, the start times out, or pool_stop. A request submitted while STARTING waits;
 * a start that fails, or a job that dies mid-request, ends the request through on_done with
 * PARC_EENGINE and leaves the pool STOPPED, so the next pool_exec starts engines again.
 * mpirun keeps the job when an engine dies (--enable-recovery): the router's monitor sees
 * the engine's connections drop and find_dead names it; the job is then ended here, after a
 * pmap in flight finished without it (engine_died, farm.h).
 *
 * launch_ owns the mpirun child (its session, output pipe, reaping, the attach file) and
 * varsync_ folds the engines' name reports into the table; this file holds the states, the
 * HELLO handshake, sending requests and gathering the DONE replies. */
#define _DEFAULT_SOURCE
#include "log.h"
#include "pool.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "varsync.h"
#include "launch.h"
#include "link.h"
#include "mem.h"
#include "sign.h"

#define TICK_MS 100
/* Messages queued from each engine before it waits to send: an engine that prints faster
 * than iopub can take is slowed down instead of filling the kernel's memory. */
#define POOL_RCVHWM 100

#define POOL_HB_IVL_MS 500 /* attach mode: the router pings each engine this often */
/* A cell goes to rank 0 alone and reaches the others by MPI broadcast (LINK_CELL) in jobs
 * of at least this many engines (PARC_BCAST_MIN overrides; 0: never); smaller jobs get one
 * EXEC per engine. */
#define POOL_BCAST_MIN 4
/* After DONE_ALL, how long the kernel waits for the messages it says were sent before it */
#define POOL_LATE_MS       2000
#define POOL_HB_TIMEOUT_MS 1500 /* ... and drops it after this long without an answer */

enum { ST_STOPPED, ST_STARTING, ST_READY };
enum { REQ_NONE, REQ_WAITING, REQ_SENT };

typedef struct {
    int hello_w, hello_c; /* 1 once the work / control HELLO arrived */
    int dead;             /* its process is gone (launch mode, mpirun --enable-recovery) */
    long long gone_at;    /* ms when its process was first seen gone (0: not yet) */
    long pid;
    char host[64];
} rank_info_t;

struct pool {
    void *router;
    sign_t *sign;
    char *engine_path, *mpirun, *mpi_args, *bind; /* owned copies */
    int cfg_n, launch, start_timeout_ms;
    int last_n;         /* ranks of the last start: a restart after a death keeps the size */
    char endpoint[400]; /* address engines connect to */
    char attach[512];
    char host[256]; /* this node */

    int state;
    int n; /* ranks in the job (0 while unknown, attach mode) */
    rank_info_t *ranks;
    int nready;
    long long deadline; /* ms; STARTING gives up after it */
    long long t_start;  /* ms when pool_start ran */
    double start_ms;    /* how long the last start took */

    launch_t job; /* the mpirun child */

    /* The request in flight. */
    int req;
    uint32_t seq;
    int mode;
    uint32_t exec_count, flags;
    int *targets; /* requested targets (NULL: all) */
    size_t ntargets;
    uint8_t *ir;
    size_t irn;
    pool_cb_t cb;
    int *sent; /* ranks the EXEC went to */
    size_t nsent;
    pool_rank_done_t *done; /* one per sent rank */
    uint8_t *got;
    uint8_t *fin;  /* a CELL target said FINISHED (its output is in; the outcome comes later) */
    wbuf_t *shown; /* a sent rank's value shown by its DONE (a RESULT body), until delivered */
    size_t ngot;
    double maxsec;
    int input_rank;
    int fail_code; /* a pending failure to report from the next tick */
    char fail_msg[256];
    vartab_t *acc;         /* local view: per-engine names gathered from this request */
    wbuf_t warn;           /* the RuntimeWarning lines the ranks sent, each once */
    int fan;               /* the request went to rank 0 as a CELL: one DONE_ALL answers it */
    int all_in;            /* DONE_ALL arrived; the request ends once expect messages are in */
    uint32_t nmsg, expect; /* messages of the request heard, and said sent, before DONE_ALL */
    long long all_in_at;   /* ms */
    int bcast_min;         /* jobs of this many engines and more get CELL (0: never) */

    vartab_t *names;
    farm_t *farm;      /* the request's pmap/apply farm, if it runs one */
    int farm_touched;  /* an engine asked for work in this request (a pmap_async farm may be
                          active without this request using it) */
    char *lost;        /* an engine died and the request's farm goes on without it: what to
                          say when the survivors are done (then the job ends as in a death) */
    long long suspect; /* ms: a connection dropped, look for a dead engine until then */

    void *mon;         /* PAIR socket: the router monitor (attach mode: dropped engines) */
    void *ctx;         /* borrowed ZeroMQ context, for a side pool */
    char *key;         /* owned copy of the session key, for a side pool */
    struct pool *side; /* fresh engines beside these (%verify); polled and ticked with p */
};

static void find_dead(pool_t *p);

/* --- sending ------------------------------------------------------------------------ */

static int send_to(pool_t *p, char ch, int rank, int type, const void *body, size_t n)
{
    char id[32];
    int idn = snprintf(id, sizeof id, "%c%d", ch, rank);
    link_hdr_t h = {(uint8_t)type, p->seq, -1};
    if (link_send(p->router, id, (size_t)idn, p->sign, &h, body, n) != 0) {
        fprintf(stderr, "parc pool: cannot send to %s: %s\n", id, zmq_strerror(zmq_errno()));
        return -1;
    }
    return 0;
}

/* --- requests ----------------------------------------------------------------------- */

static void req_free(pool_t *p)
{
    mem_free(p->targets);
    mem_free(p->ir);
    mem_free(p->sent);
    mem_free(p->done);
    mem_free(p->got);
    mem_free(p->fin);
    for (size_t k = 0; p->shown && k < p->nsent; k++)
        wbuf_free(&p->shown[k]);
    mem_free(p->shown);
    p->shown = NULL;
    vartab_destroy(&p->acc);
    wbuf_free(&p->warn);
    p->targets = NULL;
    p->ir = NULL;
    p->sent = NULL;
    p->done = NULL;
    p->got = p->fin = NULL;
    p->ntargets = p->irn = p->nsent = p->ngot = 0;
    p->req = REQ_NONE;
    p->input_rank = -1;
    p->fail_code = 0;
    p->fail_msg[0] = 0;
    p->maxsec = 0;
    p->fan = p->all_in = 0;
    p->nmsg = p->expect = 0;
    mem_free(p->lost);
    p->lost = NULL;
}

/* Ends the request: exactly one on_done. The request state is reset before the call so the
 * callback may submit the next request. */
static void finish(pool_t *p, int code, const char *pool_msg)
{
    if (p->req == REQ_NONE) return;
    pool_done_t d;
    memset(&d, 0, sizeof d);
    err_clear(&d.pool_err);
    pool_rank_done_t *done = p->done;
    pool_cb_t cb = p->cb;
    wbuf_t why;
    wbuf_init(&why);
    if (farm_active(p->farm) && code && p->farm_touched) {
        wbuf_printf(&why, "%s; ", pool_msg ? pool_msg : "");
        farm_lost(p->farm, &why);
        if (!why.oom) pool_msg = wbuf_cstring(&why);
    }
    if (farm_active(p->farm)) {
        if (cb.on_farm && p->farm_touched) cb.on_farm(cb.ud, p->farm, NULL);
        /* A pmap_async farm goes on in later cells, unless it is over or the engines are. */
        if (code || !farm_async(p->farm) || farm_over(p->farm)) farm_end(p->farm);
    }
    p->farm_touched = 0;
    if (code == 0 && p->mode == LINK_LOCAL)
        varsync_merge(p->names, p->acc, p->nsent == (size_t)p->n);
    if (code) {
        err_set(&d.pool_err, code, (span_t){0}, "%s", pool_msg ? pool_msg : "");
        d.code = code;
        wbuf_free(&why);
    } else {
        d.nranks = p->nsent;
        d.ranks = done;
        for (size_t i = 0; i < p->nsent; i++)
            if (done[i].err.code < d.code) d.code = done[i].err.code;
    }
    d.seconds = p->maxsec;
    wbuf_t warn = p->warn; /* kept alive for the callback */
    wbuf_init(&p->warn);
    d.warnings = wbuf_cstring(&warn);
    p->done = NULL; /* kept alive for the callback */
    req_free(p);
    if (cb.on_done) cb.on_done(cb.ud, &d);
    mem_free(done);
    wbuf_free(&warn);
}

static void fail_later(pool_t *p, int code, const char *msg)
{
    if (p->req == REQ_NONE || p->fail_code) return;
    p->fail_code = code;
    size_t n = strlen(msg);
    if (n >= sizeof p->fail_msg) n = sizeof p->fail_msg - 1; /* err_t keeps 255 anyway */
    memcpy(p->fail_msg, msg, n);
    p->fail_msg[n] = 0;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Sends the waiting request's EXEC (or CELL) once the engines are ready. */
static void try_send(pool_t *p)
{
    if (p->req != REQ_WAITING || p->state != ST_READY || p->fail_code) return;
    size_t nt = p->targets ? p->ntargets : (size_t)p->n;
    p->sent = mem_calloc(nt ? nt : 1, sizeof *p->sent);
    p->done = mem_calloc(nt ? nt : 1, sizeof *p->done);
    p->got = mem_calloc(nt ? nt : 1, 1);
    p->fin = mem_calloc(nt ? nt : 1, 1);
    p->shown = mem_calloc(nt ? nt : 1, sizeof *p->shown);
    if (!p->sent || !p->done || !p->got || !p->fin || !p->shown) {
        fail_later(p, PARC_ENOMEM, "out of memory sending the cell");
        return;
    }
    for (size_t i = 0; i < nt; i++) {
        int r = p->targets ? p->targets[i] : (int)i;
        if (r < 0 || r >= p->n) {
            char msg[128];
            snprintf(msg, sizeof msg, "there is no engine %d (the engines are 0-%d)", r, p->n - 1);
            fail_later(p, PARC_EVALUE, msg);
            return;
        }
        int dup = 0;
        for (size_t j = 0; j < p->nsent; j++)
            dup |= p->sent[j] == r;
        if (dup) continue;
        p->done[p->nsent].rank = r;
        err_clear(&p->done[p->nsent].err);
        p->done[p->nsent].err.rank = r;
        p->sent[p->nsent++] = r;
    }
    p->fan = p->bcast_min > 0 && p->n >= p->bcast_min;
    if (p->fan) /* the lowest target leads the subset */
        qsort(p->sent, p->nsent, sizeof *p->sent, cmp_int);
    for (size_t i = 0; p->fan && i < p->nsent; i++) {
        p->done[i].rank = p->sent[i];
        p->done[i].err.rank = p->sent[i];
    }
    wbuf_t b;
    wbuf_init(&b);
    wbuf_u8(&b, (uint8_t)p->mode);
    wbuf_u32(&b, p->exec_count);
    wbuf_u32(&b, p->flags);
    wbuf_str(&b, (const char *)p->ir, p->irn);
    int bad = b.oom;
    if (p->fan) {
        size_t ntg = p->nsent == (size_t)p->n ? 0 : p->nsent;
        wbuf_u32(&b, (uint32_t)ntg);
        for (size_t i = 0; i < ntg; i++)
            wbuf_u32(&b, (uint32_t)p->sent[i]);
        bad = b.oom || send_to(p, 'e', 0, LINK_CELL, b.p, b.len) != 0;
    }
    for (size_t i = 0; i < p->nsent && !bad && !p->fan; i++)
        bad = send_to(p, 'e', p->sent[i], LINK_EXEC, b.p, b.len) != 0;
    wbuf_free(&b);
    if (bad) {
        fail_later(p, PARC_EENGINE, "cannot send the cell to the engines");
        return;
    }
    p->req = REQ_SENT;
}

/* --- starting and stopping ---------------------------------------------------------- */

static void reset_ranks(pool_t *p, int n)
{
    mem_free(p->ranks);
    p->ranks = n > 0 ? mem_calloc((size_t)n, sizeof *p->ranks) : NULL;
    p->n = p->ranks ? n : 0;
    p->nready = 0;
}

int pool_start(pool_t *p, int nengines, err_t *err)
{
    if (p->state != ST_STOPPED) return 0;
    int n = nengines > 0 ? nengines : p->cfg_n;
    if (n <= 0) {
        const char *env = getenv("PARC_ENGINES");
        n = env ? atoi(env) : 0;
    }
    if (n <= 0) n = launch_cores();
    if (n > 4096) return err_set(err, PARC_EVALUE, (span_t){0}, "too many engines (%d)", n);
    p->last_n = n;
    p->t_start = launch_now_ms();
    if (!p->launch) {
        reset_ranks(p, 0);
        p->state = ST_STARTING;
        p->deadline = 0; /* a cluster launcher takes its time */
        return 0;
    }
    reset_ranks(p, n);
    if (!p->ranks) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    char msg[256];
    if (launch_spawn(&p->job, p->mpirun, p->mpi_args, p->engine_path, p->attach, n, msg,
                     sizeof msg) != 0)
        return err_set(err, PARC_EENGINE, (span_t){0}, "%s", msg);
    p->state = ST_STARTING;
    p->deadline = p->t_start + (p->start_timeout_ms > 0 ? p->start_timeout_ms : 30000);
    return 0;
}

/* Ends the job whatever its state: kills what is left and reaps mpirun. */
static void kill_job(pool_t *p)
{
    /* The engines on this host go first (they are not our children): mpirun with
     * --enable-recovery leaves its processes alone for a second on SIGTERM, but ends at once
     * by itself when they are gone (each one's guard exits with its engine). */
    int local = p->job.child > 0, remote = 0;
    for (int r = 0; local && r < p->n && p->ranks; r++) {
        long pid = p->ranks[r].pid;
        if (strcmp(p->ranks[r].host, p->host) != 0)
            remote = 1;
        else if (launch_alive(pid))
            kill((pid_t)pid, SIGKILL);
    }
    if (local && !remote) launch_wait(&p->job, 500);
    launch_kill(&p->job);
    for (int r = 0; local && r < p->n && p->ranks; r++) {
        long pid = p->ranks[r].pid;
        for (int k = 0; k < 50 && strcmp(p->ranks[r].host, p->host) == 0 && launch_alive(pid); k++)
            launch_sleep_ms(10);
    }
    launch_close(&p->job);
    p->state = ST_STOPPED;
    reset_ranks(p, 0);
    /* The variables died with the job: %who, completion and inspect must not offer them. */
    vartab_clear(p->names);
}

int pool_stop(pool_t *p)
{
    if (p->state == ST_STOPPED && p->job.child <= 0) {
        if (p->req) finish(p, PARC_EENGINE, "the engines were stopped");
        return 0;
    }
    for (int r = 0; r < p->n && p->ranks; r++) {
        if (p->req == REQ_SENT && p->ranks[r].hello_c) send_to(p, 'c', r, LINK_INTERRUPT, NULL, 0);
        if (p->ranks[r].hello_w) send_to(p, 'e', r, LINK_SHUTDOWN, NULL, 0);
    }
    if (p->job.child > 0) launch_wait(&p->job, 2000);
    kill_job(p);
    if (p->req) finish(p, PARC_EENGINE, "the engines were stopped");
    return 0;
}

/* --- receiving ---------------------------------------------------------------------- */

static int parse_rank(const char *id, char ch)
{
    if (id[0] != ch || !id[1]) return -1;
    char *end;
    long r = strtol(id + 1, &end, 10);
    return *end || r < 0 || r > 1 << 20 ? -1 : (int)r;
}

static void on_hello(pool_t *p, int rank, char ch, const link_msg_t *m)
{
    rbuf_t r;
    rbuf_init(&r, m->body, m->n);
    uint32_t nranks = rbuf_u32(&r), pid = rbuf_u32(&r);
    size_t hn;
    const char *host = rbuf_str(&r, &hn);
    uint8_t channel = rbuf_u8(&r);
    if (r.bad || channel != (ch == 'c') || nranks == 0 || nranks > 4096) {
        fprintf(stderr, "parc pool: malformed HELLO from %c%d\n", ch, rank);
        return;
    }
    if (p->state == ST_STOPPED && !p->launch) {
        /* A cluster launcher attached engines before anyone asked for them. */
        p->state = ST_STARTING;
        p->t_start = launch_now_ms();
        reset_ranks(p, 0);
    }
    if (p->state == ST_STOPPED) return; /* a straggler from a job that is gone */
    if (!p->launch && p->n == 0) {
        reset_ranks(p, (int)nranks);
        if (!p->ranks) return;
        p->deadline = launch_now_ms() + (p->start_timeout_ms > 0 ? p->start_timeout_ms : 30000);
    }
    if ((int)nranks != p->n || rank >= p->n) {
        fprintf(stderr, "parc pool: HELLO from %c%d of a %u-rank job; expected %d ranks\n", ch,
                rank, nranks, p->n);
        return;
    }
    rank_info_t *ri = &p->ranks[rank];
    int was = ri->hello_w && ri->hello_c;
    if (ch == 'e')
        ri->hello_w = 1;
    else
        ri->hello_c = 1;
    ri->pid = pid;
    snprintf(ri->host, sizeof ri->host, "%.*s", (int)(hn < 63 ? hn : 63), host);
    if (!was && ri->hello_w && ri->hello_c) p->nready++;
    if (p->state == ST_STARTING && p->nready == p->n) {
        p->state = ST_READY;
        p->start_ms = (double)(launch_now_ms() - p->t_start);
        log_info("parc pool: %d engine%s ready in %.0f ms", p->n, p->n == 1 ? "" : "s",
                 p->start_ms);
        try_send(p);
    }
}

/* Every engine answered (the dead ones count as answered). After a farm that lost an engine
 * the results were shown by the survivors; the job then ends as in any death. */
static void survivors_done(pool_t *p)
{
    if (!p->lost) {
        finish(p, 0, NULL);
        return;
    }
    char *msg = p->lost;
    p->lost = NULL;
    farm_end(p->farm); /* nothing of it is lost: no "had finished" account */
    log_info("parc pool: %s", msg);
    kill_job(p);
    finish(p, PARC_EENGINE, msg);
    mem_free(msg);
}

/* Keeps warning text w once per request, whichever ranks sent it. */
static void add_warning(pool_t *p, const char *w, size_t n)
{
    const char *all = wbuf_cstring(&p->warn);
    for (const char *q = all; *q;) {
        const char *nl = strchr(q, '\n');
        size_t len = nl ? (size_t)(nl - q) + 1 : strlen(q);
        if (len == n && memcmp(q, w, n) == 0) return;
        q += len;
    }
    wbuf_bytes(&p->warn, w, n);
}

/* Reads one DONE body into done[k] (rank's), the names into the table (rank 0's in global
 * view, every rank's in local view), the warnings and the seconds. */
static void parse_done(pool_t *p, size_t k, int rank, const void *body, size_t n)
{
    pool_rank_done_t *d = &p->done[k];
    rbuf_t r;
    rbuf_init(&r, body, n);
    int code = rbuf_i32(&r);
    span_t at;
    at.cell = rbuf_u32(&r);
    at.line = rbuf_i32(&r);
    at.col = rbuf_i32(&r);
    at.len = rbuf_i32(&r);
    size_t kn, mn;
    const char *kind = rbuf_str(&r, &kn);
    const char *msg = rbuf_str(&r, &mn);
    uint32_t nf = rbuf_u32(&r);
    for (uint32_t i = 0; i < nf && !r.bad; i++) {
        span_t fa;
        fa.cell = rbuf_u32(&r);
        fa.line = rbuf_i32(&r);
        fa.col = rbuf_i32(&r);
        fa.len = rbuf_i32(&r);
        size_t fn;
        const char *f = rbuf_str(&r, &fn);
        if (d->nframes < 16) {
            d->frames[d->nframes].at = fa;
            snprintf(d->frames[d->nframes].fn, sizeof d->frames[0].fn, "%.*s",
                     (int)(fn < 63 ? fn : 63), f);
            d->nframes++;
        }
    }
    uint32_t nn = rbuf_u32(&r);
    int names_rc = 0;
    if (!r.bad && p->mode == LINK_GLOBAL && rank == 0)
        names_rc = varsync_global(&p->names, &r, nn); /* even none: `del x` empties the table */
    else if (!r.bad && nn && p->mode == LINK_LOCAL)
        names_rc = varsync_local(&p->acc, p->names, &r, nn);
    else if (nn)
        r.bad = 1; /* only rank 0 speaks for the names in global view */
    double secs = rbuf_f64(&r);
    uint32_t nw = rbuf_u32(&r);
    for (uint32_t i = 0; i < nw && !r.bad; i++) {
        size_t wn;
        const char *w = rbuf_str(&r, &wn);
        add_warning(p, w, wn);
    }
    /* the cell's shown value when it was the last thing the rank sent: a RESULT body */
    if (!r.bad && rbuf_left(&r)) {
        const uint8_t *at0 = r.p + r.off;
        size_t n1, n2;
        rbuf_str(&r, &n1);
        rbuf_str(&r, &n2);
        if (!r.bad) {
            p->shown[k].len = 0;
            wbuf_bytes(&p->shown[k], at0, (size_t)(r.p + r.off - at0));
        }
    }
    err_clear(&d->err);
    d->err.rank = rank;
    if (r.bad || rbuf_left(&r) || code > 0 || code < PARC_ELAST || names_rc) {
        err_set(&d->err, PARC_EPROTO, (span_t){0}, "engine %d sent a malformed reply", rank);
        snprintf(d->kind, sizeof d->kind, "%s", err_kind(PARC_EPROTO));
        d->nframes = 0;
        p->shown[k].len = 0; /* nothing of a malformed reply is shown */
    } else {
        if (code) err_set(&d->err, code, at, "%.*s", (int)(mn < 255 ? mn : 255), msg);
        d->err.rank = rank;
        snprintf(d->kind, sizeof d->kind, "%.*s", (int)(kn < 31 ? kn : 31), kind);
        if (secs > p->maxsec) p->maxsec = secs;
    }
}

/* The value sent rank k's DONE showed, to on_result, once: on the direct path as its DONE
 * comes (its output came before it, on the same connection), on the broadcast path when the
 * request ends (fan_check: the rank's other messages are in by then). */
static void deliver_shown(pool_t *p, size_t k)
{
    wbuf_t *s = &p->shown[k];
    if (s->len && !s->oom && p->cb.on_result) {
        rbuf_t r;
        rbuf_init(&r, s->p, s->len);
        size_t n1, n2;
        const char *pl = rbuf_str(&r, &n1);
        const char *ht = rbuf_str(&r, &n2);
        if (!r.bad) p->cb.on_result(p->cb.ud, p->sent[k], pl, n1, n2 ? ht : NULL, n2);
    }
    s->len = 0;
    s->oom = 0;
}

/* rank's index among the ranks the request went to (nsent: not among them). */
static size_t sent_at(const pool_t *p, int rank)
{
    size_t k = 0;
    while (k < p->nsent && p->sent[k] != rank)
        k++;
    return k;
}

static void on_done(pool_t *p, int rank, const link_msg_t *m)
{
    size_t k = sent_at(p, rank);
    if (k == p->nsent || p->got[k]) return;
    parse_done(p, k, rank, m->body, m->n);
    deliver_shown(p, k);
    p->got[k] = 1;
    p->ngot++;
    if (p->cb.on_rank_done) p->cb.on_rank_done(p->cb.ud, rank);
    if (p->ngot == p->nsent) survivors_done(p);
}

/* A CELL request ends once its DONE_ALL and every message the targets sent before it are
 * in (streams of the other ranks travel on their own sockets and may come later), or
 * POOL_LATE_MS after DONE_ALL if some never come. Every target is then done, in order. */
static void fan_check(pool_t *p)
{
    if (p->req != REQ_SENT || !p->fan || !p->all_in) return;
    if (p->nmsg < p->expect) {
        if (launch_now_ms() - p->all_in_at < POOL_LATE_MS) return;
        fprintf(stderr, "parc pool: %u of the %u messages the engines sent never came\n",
                p->expect - p->nmsg, p->expect);
    }
    for (size_t k = 0; k < p->nsent && p->req == REQ_SENT; k++) {
        deliver_shown(p, k);
        if (p->got[k]) continue;
        p->got[k] = 1;
        p->ngot++;
        if (p->cb.on_rank_done && !p->fin[k]) p->cb.on_rank_done(p->cb.ud, p->sent[k]);
    }
    if (p->req == REQ_SENT) survivors_done(p);
}

/* A target of a local-view CELL finished before the others; its output is all in (it came
 * on the same connection before this): the next engine's output can stream. Its outcome
 * still comes with DONE_ALL. */
static void on_finished(pool_t *p, int rank)
{
    size_t k = sent_at(p, rank);
    if (!p->fan || p->mode != LINK_LOCAL || k == p->nsent || p->got[k] || p->fin[k]) return;
    p->fin[k] = 1;
    if (p->cb.on_rank_done) p->cb.on_rank_done(p->cb.ud, rank);
}

/* The combined DONE of a CELL request, from its leader (fan.h): one reply that stands for
 * every target, or one per target. */
static void on_done_all(pool_t *p, int rank, const link_msg_t *m)
{
    if (!p->fan || p->all_in || !p->nsent || rank != p->sent[0]) {
        fprintf(stderr, "parc pool: unexpected DONE_ALL from engine %d dropped\n", rank);
        return;
    }
    rbuf_t r;
    rbuf_init(&r, m->body, m->n);
    uint32_t expect = rbuf_u32(&r);
    double secs = rbuf_f64(&r);
    uint8_t same = rbuf_u8(&r);
    uint32_t nb = same ? 1 : rbuf_u32(&r);
    if (r.bad || nb != (same ? 1 : p->nsent)) r.bad = 1;
    for (size_t k = 0; k < nb && !r.bad; k++) {
        size_t n;
        const char *b = rbuf_str(&r, &n);
        if (!r.bad && !p->got[k]) parse_done(p, k, p->sent[k], b, n);
    }
    if (r.bad || rbuf_left(&r)) {
        for (size_t k = 0; k < p->nsent; k++) {
            err_set(&p->done[k].err, PARC_EPROTO, (span_t){0},
                    "engine %d sent a malformed combined reply", rank);
            snprintf(p->done[k].kind, sizeof p->done[k].kind, "%s", err_kind(PARC_EPROTO));
            p->done[k].nframes = 0;
            p->shown[k].len = 0;
        }
    } else if (same) {
        for (size_t k = 1; k < p->nsent; k++) {
            p->done[k] = p->done[0];
            p->done[k].rank = p->sent[k];
            p->done[k].err.rank = p->sent[k];
            /* in local view every target showed that value; in global view rank 0 alone */
            if (p->mode == LINK_LOCAL && p->shown[0].len)
                wbuf_bytes(&p->shown[k], p->shown[0].p, p->shown[0].len);
        }
    }
    if (secs > p->maxsec) p->maxsec = secs;
    p->expect = expect;
    p->all_in = 1;
    p->all_in_at = launch_now_ms();
    fan_check(p);
}

static void farm_fail(void *ud, const farm_fail_t *fail)
{
    pool_t *p = ud;
    if (p->cb.on_farm) p->cb.on_farm(p->cb.ud, p->farm, fail);
}

/* Answers the engines that wait for the end of the farm, once there is an answer. */
static void release(pool_t *p)
{
    wbuf_t b;
    wbuf_init(&b);
    int r;
    while (farm_release(p->farm, &r, &b)) {
        if (!b.oom && !p->ranks[r].dead) send_to(p, 'e', r, LINK_FARM_GO, b.p, b.len);
        b.len = 0;
        b.oom = 0;
    }
    wbuf_free(&b);
}

/* An engine is ready for the next chunk of the farm: answer at once (it waits), or when
 * the farm is complete (farm.h). */
static void on_farm(pool_t *p, int rank, const link_msg_t *m)
{
    wbuf_t b;
    wbuf_init(&b);
    p->farm_touched = 1;
    int held = 0;
    int rc = farm_request(p->farm, rank, p->n, m->body, m->n, launch_now_ms() / 1e3, &b, &held,
                          farm_fail, p);
    if (rc) {
        fprintf(stderr, "parc pool: %s farm request from engine %d\n",
                rc == PARC_ENOMEM ? "out of memory for a" : "malformed", rank);
        if (rc == PARC_EPROTO) farm_cancel(p->farm);
        wbuf_free(&b);
        rbuf_t r;
        rbuf_init(&r, m->body, m->n);
        wbuf_u32(&b, rbuf_u32(&r)); /* the id, if readable: "no more work" */
        wbuf_u32(&b, 0);
        wbuf_u32(&b, 0);
    }
    if (!b.oom && !held) send_to(p, 'e', rank, LINK_FARM_GO, b.p, b.len);
    wbuf_free(&b);
    release(p);
    if (!rc && p->cb.on_farm) p->cb.on_farm(p->cb.ud, p->farm, NULL);
}

static void on_progress(pool_t *p, int rank, const link_msg_t *m)
{
    rbuf_t r;
    rbuf_init(&r, m->body, m->n);
    pool_progress_t pg;
    pg.state = rbuf_u8(&r);
    pg.cell = rbuf_u32(&r);
    pg.line = rbuf_i32(&r);
    pg.done = rbuf_i64(&r);
    pg.total = rbuf_i64(&r);
    if (r.bad || rbuf_left(&r)) {
        fprintf(stderr, "parc pool: malformed PROGRESS from engine %d dropped\n", rank);
        return;
    }
    if (p->cb.on_progress) p->cb.on_progress(p->cb.ud, rank, &pg);
}

static void on_message(pool_t *p, const link_msg_t *m)
{
    char ch = m->id[0];
    int rank = parse_rank(m->id, ch);
    if ((ch != 'e' && ch != 'c') || rank < 0 || rank != m->h.rank) {
        fprintf(stderr, "parc pool: message from unknown peer \"%s\" dropped\n", m->id);
        return;
    }
    if (m->h.type == LINK_HELLO) {
        on_hello(p, rank, ch, m);
        return;
    }
    if (p->req != REQ_SENT || m->h.seq != p->seq) return; /* stale or stray */
    if (ch == 'c') {
        if (m->h.type == LINK_PROGRESS) on_progress(p, rank, m);
        return;
    }
    if (link_counted(m->h.type)) p->nmsg++;
    rbuf_t r;
    rbuf_init(&r, m->body, m->n);
    size_t n1, n2;
    switch (m->h.type) {
    case LINK_STREAM: {
        uint8_t st = rbuf_u8(&r);
        const char *s = rbuf_str(&r, &n1);
        if (st < 1 || st > 4) st = 1;
        if (!r.bad && p->cb.on_stream) p->cb.on_stream(p->cb.ud, rank, st, s, n1);
        break;
    }
    case LINK_RESULT: {
        const char *pl = rbuf_str(&r, &n1);
        const char *ht = rbuf_str(&r, &n2);
        if (!r.bad && p->cb.on_result) p->cb.on_result(p->cb.ud, rank, pl, n1, n2 ? ht : NULL, n2);
        break;
    }
    case LINK_FIGURE:
        if (p->cb.on_figure) p->cb.on_figure(p->cb.ud, rank, m->body, m->n);
        break;
    case LINK_INPUT_REQ: {
        const char *pr = rbuf_str(&r, &n1);
        int pw = rbuf_u8(&r);
        char *prompt = mem_strndup(pr, n1);
        p->input_rank = rank;
        if (r.bad || !prompt || !p->cb.on_input)
            pool_input_reply(p, NULL, 0);
        else
            p->cb.on_input(p->cb.ud, rank, prompt, pw);
        mem_free(prompt);
        break;
    }
    case LINK_DONE:
        on_done(p, rank, m);
        break;
    case LINK_DONE_ALL:
        on_done_all(p, rank, m);
        return;
    case LINK_FINISHED:
        on_finished(p, rank);
        return;
    case LINK_FARM:
        on_farm(p, rank, m);
        break;
    default:
        fprintf(stderr, "parc pool: unexpected message type %d from %s\n", m->h.type, m->id);
    }
    fan_check(p);
}

/* --- timers ------------------------------------------------------------------------- */

static void tick(pool_t *p)
{
    find_dead(p);
    fan_check(p);
    if (p->req == REQ_SENT && farm_active(p->farm) && p->farm_touched && p->cb.on_farm)
        p->cb.on_farm(p->cb.ud, p->farm, NULL);
    if (p->fail_code) {
        int code = p->fail_code;
        char msg[256];
        snprintf(msg, sizeof msg, "%s", p->fail_msg);
        finish(p, code, msg);
    }
    if (p->job.child > 0 && (launch_reap(&p->job) || p->job.outfd < 0)) {
        /* The pipe closes when mpirun goes; give it a moment to be reaped. */
        if (!p->job.child_reaped) launch_wait(&p->job, 200);
        launch_drain(&p->job);
        char why[200], tail[160], msg[400];
        int starting = p->state == ST_STARTING;
        launch_death(&p->job, why, sizeof why);
        launch_summary(&p->job, tail, sizeof tail);
        if (starting)
            snprintf(msg, sizeof msg, "cannot start the engines: %s%s%s", why, tail[0] ? ": " : "",
                     tail);
        else
            snprintf(msg, sizeof msg, "%s", why);
        if (p->state != ST_STOPPED || p->req) fprintf(stderr, "parc pool: %s\n", msg);
        kill_job(p);
        if (p->req) finish(p, PARC_EENGINE, msg);
    }
    if (p->state == ST_STARTING && p->deadline && launch_now_ms() > p->deadline) {
        char tail[160], msg[400];
        launch_summary(&p->job, tail, sizeof tail);
        snprintf(msg, sizeof msg, "cannot start the engines: %d of %d ready after %d ms%s%s",
                 p->nready, p->n, p->start_timeout_ms > 0 ? p->start_timeout_ms : 30000,
                 tail[0] ? ": " : "", tail);
        fprintf(stderr, "parc pool: %s\n", msg);
        for (int r = 0; r < p->n && p->ranks; r++)
            if (p->ranks[r].hello_w) send_to(p, 'e', r, LINK_SHUTDOWN, NULL, 0);
        kill_job(p);
        if (p->req) finish(p, PARC_EENGINE, msg);
    }
    try_send(p);
}

/* --- public ------------------------------------------------------------------------- */

static int bind_router(pool_t *p, void *ctx, err_t *err)
{
    p->router = zmq_socket(ctx, ZMQ_ROUTER);
    if (!p->router)
        return err_set(err, PARC_EIO, (span_t){0}, "zmq_socket: %s", zmq_strerror(zmq_errno()));
    int one = 1, zero = 0, rcvhwm = POOL_RCVHWM;
    char ep[300];
    size_t epn = sizeof ep;
    snprintf(ep, sizeof ep, "tcp://%s:*", p->bind);
    if (zmq_setsockopt(p->router, ZMQ_ROUTER_HANDOVER, &one, sizeof one) ||
        zmq_setsockopt(p->router, ZMQ_ROUTER_MANDATORY, &zero, sizeof zero) ||
        zmq_setsockopt(p->router, ZMQ_LINGER, &zero, sizeof zero) ||
        zmq_setsockopt(p->router, ZMQ_RCVHWM, &rcvhwm, sizeof rcvhwm) || zmq_bind(p->router, ep) ||
        zmq_getsockopt(p->router, ZMQ_LAST_ENDPOINT, ep, &epn))
        return err_set(err, PARC_EIO, (span_t){0}, "cannot listen for engines on %s: %s", p->bind,
                       zmq_strerror(zmq_errno()));
    /* The router's monitor reports a dropped connection: from a killed process at once, and
     * in attach mode (no mpirun to report a death; the router pings the engines with ZMTP
     * heartbeats) from a lost host within POOL_HB_TIMEOUT_MS. In launch mode mpirun runs
     * with --enable-recovery, so it no longer ends the job when an engine dies: a dropped
     * connection is how the pool learns of a death (watch, find_dead). */
    int ivl = POOL_HB_IVL_MS, tmo = POOL_HB_TIMEOUT_MS;
    char mon[128];
    /* Named by the router's port too: a pool freed a moment ago (a %verify side pool) may
     * have had the same address, and its monitor's name lingers until zmq's reaper runs. */
    const char *eport = strrchr(ep, ':');
    snprintf(mon, sizeof mon, "inproc://parc-pool-mon-%p-%s", (void *)p, eport ? eport + 1 : "");
    if ((!p->launch && (zmq_setsockopt(p->router, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl) ||
                        zmq_setsockopt(p->router, ZMQ_HEARTBEAT_TIMEOUT, &tmo, sizeof tmo))) ||
        zmq_socket_monitor(p->router, mon, ZMQ_EVENT_DISCONNECTED) ||
        !(p->mon = zmq_socket(ctx, ZMQ_PAIR)) || zmq_connect(p->mon, mon))
        return err_set(err, PARC_EIO, (span_t){0}, "cannot watch the engine connections: %s",
                       zmq_strerror(zmq_errno()));
    /* A wildcard address is no use to an engine: give it this host's name instead. */
    const char *port = strrchr(ep, ':');
    if (strncmp(ep, "tcp://0.0.0.0:", 14) == 0 || strncmp(ep, "tcp://*:", 8) == 0)
        snprintf(p->endpoint, sizeof p->endpoint, "tcp://%s%s", p->host, port ? port : "");
    else
        snprintf(p->endpoint, sizeof p->endpoint, "%s", ep);
    return 0;
}

/* The attach file: where the engines connect, with the session key. */
static int write_attach(pool_t *p, const char *key, size_t kl, const char *path, err_t *err)
{
    attach_t a = {.kernel_pid = (long)getpid()};
    if (kl > sizeof a.key || strlen(p->endpoint) >= sizeof a.address)
        return err_set(err, PARC_EVALUE, (span_t){0}, "session key or address too long");
    memcpy(a.key, key, kl);
    a.keylen = kl;
    snprintf(a.address, sizeof a.address, "%s", p->endpoint);
    snprintf(a.kernel_host, sizeof a.kernel_host, "%s", p->host);
    int rc = launch_write_attach(p->attach, sizeof p->attach, path, &a, err);
    attach_wipe(&a);
    return rc;
}

pool_t *pool_new(void *zmq_ctx, const pool_cfg_t *cfg, err_t *err)
{
    pool_t *p = mem_calloc(1, sizeof *p);
    if (!p) {
        err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        return NULL;
    }
    launch_init(&p->job);
    p->input_rank = -1;
    const char *key = cfg->key ? cfg->key : "";
    size_t kl = strlen(key);
    const char *env_mpirun = getenv("PARC_MPIRUN"), *env_args = getenv("PARC_MPI_ARGS");
    p->sign = sign_new(key, kl);
    p->engine_path = mem_strdup(cfg->engine_path ? cfg->engine_path : "parc-engine");
    p->mpirun = mem_strdup(cfg->mpirun ? cfg->mpirun : env_mpirun ? env_mpirun : "mpirun");
    p->mpi_args = mem_strdup(cfg->mpi_args ? cfg->mpi_args : env_args ? env_args : "");
    p->bind = mem_strdup(cfg->bind_host && *cfg->bind_host ? cfg->bind_host : "127.0.0.1");
    p->names = vartab_new();
    p->farm = farm_new();
    p->key = mem_strdup(key);
    p->ctx = zmq_ctx;
    if (!p->sign || !p->engine_path || !p->mpirun || !p->mpi_args || !p->bind || !p->names ||
        !p->farm || !p->key) {
        err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        pool_destroy(&p);
        return NULL;
    }
    p->cfg_n = cfg->nengines;
    p->launch = cfg->launch;
    const char *bm = getenv("PARC_BCAST_MIN");
    p->bcast_min = bm && *bm ? atoi(bm) : POOL_BCAST_MIN;
    p->start_timeout_ms = cfg->start_timeout_ms > 0 ? cfg->start_timeout_ms : 30000;
    if (gethostname(p->host, sizeof p->host - 1) != 0)
        snprintf(p->host, sizeof p->host, "localhost");
    if (bind_router(p, zmq_ctx, err) || write_attach(p, key, kl, cfg->attach_file, err)) {
        pool_destroy(&p);
        return NULL;
    }
    return p;
}

void pool_destroy(pool_t **pp)
{
    pool_t *p = pp ? *pp : NULL;
    if (!p) return;
    pool_destroy(&p->side);
    if (p->router) {
        pool_stop(p);
        if (p->mon) zmq_socket_monitor(p->router, NULL, 0);
        zmq_close(p->router);
    }
    if (p->mon) zmq_close(p->mon);
    req_free(p);
    if (p->attach[0]) unlink(p->attach);
    mem_free(p->engine_path);
    mem_free(p->mpirun);
    mem_free(p->mpi_args);
    mem_free(p->bind);
    mem_free(p->ranks);
    vartab_destroy(&p->names);
    farm_destroy(&p->farm);
    sign_destroy(&p->sign);
    mem_free(p->key);
    mem_free(p);
    *pp = NULL;
}

int pool_ready(const pool_t *p)
{
    return p->state == ST_READY;
}

int pool_launches(const pool_t *p)
{
    return p->launch;
}

int pool_starting(const pool_t *p)
{
    return p->state == ST_STARTING;
}

int pool_busy(const pool_t *p)
{
    return p->req != REQ_NONE;
}

int pool_size(const pool_t *p)
{
    return p->state == ST_READY ? p->n : 0;
}

int pool_exec(pool_t *p, int mode, const int *targets, size_t ntargets, uint32_t exec_count,
              uint32_t flags, const void *ir, size_t n, const pool_cb_t *cb, err_t *err)
{
    if (p->req != REQ_NONE)
        return err_set(err, PARC_EENGINE, (span_t){0}, "the engines are busy with a request");
    if (mode != LINK_GLOBAL && mode != LINK_LOCAL)
        return err_set(err, PARC_EVALUE, (span_t){0}, "bad view %d", mode);
    if (n > LINK_MAXMSG - 64) return err_set(err, PARC_EVALUE, (span_t){0}, "cell too large");
    if (mode == LINK_GLOBAL) ntargets = 0;
    p->ir = mem_alloc(n ? n : 1);
    p->targets = ntargets ? mem_calloc(ntargets, sizeof *targets) : NULL;
    if (!p->ir || (ntargets && !p->targets)) {
        req_free(p);
        return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    }
    if (n) memcpy(p->ir, ir, n);
    p->irn = n;
    if (ntargets) memcpy(p->targets, targets, ntargets * sizeof *targets);
    p->ntargets = ntargets;
    p->mode = mode;
    p->exec_count = exec_count;
    p->flags = flags;
    p->cb = *cb;
    if (++p->seq == 0) p->seq = 1;
    p->req = REQ_WAITING;
    if (p->state == ST_STOPPED && p->launch) {
        err_t e2;
        err_clear(&e2);
        if (pool_start(p, p->last_n, &e2) != 0) fail_later(p, PARC_EENGINE, e2.msg);
    } else if (!p->launch && (p->state == ST_STOPPED || p->n == 0)) {
        /* Nothing to wait for until a launcher attaches engines: say how to. */
        char msg[1200];
        snprintf(msg, sizeof msg, "no engines attached: start them with mpirun -n N %s --attach %s",
                 p->engine_path, p->attach);
        if (p->state == ST_STOPPED) {
            p->state = ST_STARTING;
            p->t_start = launch_now_ms();
        }
        fail_later(p, PARC_EENGINE, msg);
    }
    try_send(p);
    return 0;
}

void pool_interrupt(pool_t *p)
{
    if (p->side) pool_interrupt(p->side);
    if (p->req == REQ_WAITING) {
        fail_later(p, PARC_EINTR, "interrupted while the engines were starting");
        return;
    }
    if (p->req != REQ_SENT) return;
    farm_cancel(p->farm);
    release(p);
    for (size_t i = 0; i < p->nsent; i++)
        if (!p->ranks[p->sent[i]].dead) send_to(p, 'c', p->sent[i], LINK_INTERRUPT, NULL, 0);
}

void pool_ask_progress(pool_t *p)
{
    if (p->req != REQ_SENT) return;
    for (size_t i = 0; i < p->nsent; i++)
        if (!p->got[i] && p->ranks[p->sent[i]].hello_c)
            send_to(p, 'c', p->sent[i], LINK_PROGRESS, NULL, 0);
}

void pool_input_reply(pool_t *p, const char *text, size_t n)
{
    if (p->req != REQ_SENT || p->input_rank < 0) return;
    wbuf_t b;
    wbuf_init(&b);
    if (text)
        wbuf_str(&b, text, n);
    else
        wbuf_u8(&b, 0);
    if (!b.oom) send_to(p, 'e', p->input_rank, LINK_INPUT_REP, b.p, b.len);
    wbuf_free(&b);
    p->input_rank = -1;
}

int pool_pollitems(pool_t *p, zmq_pollitem_t *items, int max)
{
    int k = 0;
    if (k < max) items[k++] = (zmq_pollitem_t){p->router, 0, ZMQ_POLLIN, 0};
    if (p->job.outfd >= 0 && k < max)
        items[k++] = (zmq_pollitem_t){NULL, p->job.outfd, ZMQ_POLLIN, 0};
    if (p->mon && k < max) items[k++] = (zmq_pollitem_t){p->mon, 0, ZMQ_POLLIN, 0};
    if (p->side) k += pool_pollitems(p->side, items + k, max - k);
    return k;
}

/* Launch mode: rank's process is gone. A pmap farm in flight goes on without it (farm.h);
 * anything else ends the job and the request, as mpirun would have without recovery. */
static void engine_died(pool_t *p, int rank, const char *head)
{
    p->ranks[rank].dead = 1;
    wbuf_t why;
    wbuf_init(&why);
    wbuf_printf(&why, "%s", p->lost ? p->lost : head);
    if (p->lost) wbuf_printf(&why, "; %s", head);
    wbuf_printf(&why, "; ");
    size_t k = sent_at(p, rank);
    int goes_on = p->req == REQ_SENT && p->mode == LINK_GLOBAL && p->farm_touched && k < p->nsent &&
                  !p->got[k] && farm_dead(p->farm, rank, &why);
    if (goes_on) {
        wbuf_printf(&why, ", which printed its outcome above; the next cell starts new "
                          "engines, without the variables");
        if (!why.oom) {
            mem_free(p->lost);
            p->lost = mem_strdup(wbuf_cstring(&why));
        }
        wbuf_free(&why);
        fprintf(stderr, "parc pool: %s\n", head);
        p->got[k] = 1;
        p->ngot++;
        release(p);
        if (p->cb.on_farm) p->cb.on_farm(p->cb.ud, p->farm, NULL);
        if (p->ngot == p->nsent) survivors_done(p);
        return;
    }
    wbuf_free(&why);
    char msg[600];
    if (p->lost)
        snprintf(msg, sizeof msg, "%s; %s", p->lost, head);
    else
        snprintf(msg, sizeof msg, "%s", head);
    fprintf(stderr, "parc pool: %s\n", msg);
    if (p->lost) farm_end(p->farm);
    kill_job(p);
    if (p->req) finish(p, PARC_EENGINE, msg);
}

/* Launch mode: after a dropped connection, looks for the engine that died: one whose guard
 * said so (runtime/main.c, through mpirun's output), or one on this host whose process is
 * gone (a dying process drops its connection a moment before it is reaped). */
static void find_dead(pool_t *p)
{
    if (!p->suspect) return;
    if (p->state == ST_STOPPED || !p->ranks || launch_now_ms() > p->suspect) {
        p->suspect = 0;
        return;
    }
    for (int r = 0; p->ranks && r < p->n; r++) {
        rank_info_t *ri = &p->ranks[r];
        int local = strcmp(ri->host, p->host) == 0;
        if (ri->dead || ri->pid <= 0 || (local && launch_alive(ri->pid))) continue;
        /* Its guard says how it died, through mpirun, a moment after the connection drops. */
        char head[160];
        launch_drain(&p->job);
        if (!launch_rank_death(&p->job, r, head, sizeof head)) {
            if (!local) continue; /* another host: only its guard can tell */
            long long now = launch_now_ms();
            if (!ri->gone_at) ri->gone_at = now;
            if (now - ri->gone_at < 500) continue;
            snprintf(head, sizeof head, "engine %d died (its process %ld is gone)", r, ri->pid);
        }
        engine_died(p, r, head);
    }
}

/* Attach mode: an engine's connection dropped while the job ran, so an engine died (or its
 * host went away); the MPI job cannot go on without it. Reported as a death in launch mode
 * is, and the pool waits for a launcher to attach a new job. */
static void watch(pool_t *p)
{
    int lost = 0;
    for (;;) {
        zmq_msg_t ev, addr;
        zmq_msg_init(&ev);
        zmq_msg_init(&addr);
        int rc = zmq_msg_recv(&ev, p->mon, ZMQ_DONTWAIT);
        if (rc >= 0 && zmq_msg_more(&ev)) zmq_msg_recv(&addr, p->mon, 0);
        if (rc >= 6) {
            uint16_t id;
            memcpy(&id, zmq_msg_data(&ev), sizeof id);
            lost |= id == ZMQ_EVENT_DISCONNECTED;
        }
        zmq_msg_close(&ev);
        zmq_msg_close(&addr);
        if (rc < 0) break;
    }
    if (!lost || p->state == ST_STOPPED || p->n == 0) return;
    if (p->launch) {
        p->suspect = launch_now_ms() + 3000;
        find_dead(p);
        return;
    }
    char msg[700];
    snprintf(msg, sizeof msg,
             "an attached engine died or its host cannot be reached (its connection dropped); "
             "the job of %d engines is gone: start it again with the launcher (mpirun ... "
             "parc-engine --attach %s)",
             p->n, p->attach);
    fprintf(stderr, "parc pool: %s\n", msg);
    for (int r = 0; r < p->n && p->ranks; r++)
        if (p->ranks[r].hello_w) send_to(p, 'e', r, LINK_SHUTDOWN, NULL, 0);
    kill_job(p);
    if (p->req) finish(p, PARC_EENGINE, msg);
}

void pool_handle(pool_t *p)
{
    link_msg_t m;
    for (int i = 0; i < 10000; i++) {
        int rc = link_recv(p->router, 1, p->sign, 1, &m);
        if (rc <= 0) {
            /* 0 also after a dropped message: see whether more are queued. */
            int ev = 0;
            size_t sz = sizeof ev;
            if (rc == 0 && zmq_getsockopt(p->router, ZMQ_EVENTS, &ev, &sz) == 0 &&
                (ev & ZMQ_POLLIN))
                continue;
            break;
        }
        on_message(p, &m);
        link_msg_close(&m);
    }
    launch_drain(&p->job);
    if (p->mon) watch(p);
    tick(p);
    if (p->side) pool_handle(p->side);
}

static long own_timeout_ms(const pool_t *p);

long pool_timeout_ms(const pool_t *p)
{
    long side = p->side ? pool_timeout_ms(p->side) : -1;
    long own = own_timeout_ms(p);
    return side < 0 ? own : own < 0 || side < own ? side : own;
}

pool_t *pool_side_start(pool_t *p, int nengines, err_t *err)
{
    pool_destroy(&p->side);
    pool_cfg_t cfg = {.key = p->key,
                      .engine_path = p->engine_path,
                      .mpirun = p->mpirun,
                      .mpi_args = p->mpi_args,
                      .bind_host = "127.0.0.1",
                      .nengines = nengines,
                      .launch = 1,
                      .start_timeout_ms = p->start_timeout_ms};
    p->side = pool_new(p->ctx, &cfg, err);
    if (p->side && pool_start(p->side, nengines, err)) pool_destroy(&p->side);
    return p->side;
}

void pool_side_end(pool_t *p)
{
    pool_destroy(&p->side);
}

static long own_timeout_ms(const pool_t *p)
{
    if (p->fail_code) return 0;
    if (p->suspect) return TICK_MS;
    if (p->state == ST_STARTING || p->req != REQ_NONE || p->job.child > 0) {
        /* Idle and healthy: mpirun's pipe wakes us if the job dies. */
        if (p->state == ST_READY && p->req == REQ_NONE && p->job.outfd >= 0) return -1;
        return TICK_MS;
    }
    return -1;
}

const vartab_t *pool_names(const pool_t *p)
{
    return p->names;
}

const char *pool_attach_file(const pool_t *p)
{
    return p->attach;
}

int pool_describe(const pool_t *p, wbuf_t *out)
{
    static const char *st[] = {"stopped", "starting", "ready"};
    if (p->state == ST_READY)
        wbuf_printf(out, "%d engine%s, ready (started in %.0f ms)\n", p->n, p->n == 1 ? "" : "s",
                    p->start_ms);
    else if (p->state == ST_STARTING && p->n)
        wbuf_printf(out, "engines %s: %d of %d ready\n", st[p->state], p->nready, p->n);
    else
        wbuf_printf(out, "engines %s\n",
                    p->state == ST_STARTING ? "waiting to attach" : st[p->state]);
    if (p->n && p->ranks) {
        wbuf_printf(out, "%-6s %-24s %-9s %s\n", "rank", "host", "pid", "memory");
        for (int r = 0; r < p->n; r++) {
            const rank_info_t *ri = &p->ranks[r];
            char mem[32] = "-";
            long kb = ri->pid > 0 && strcmp(ri->host, p->host) == 0 ? launch_rss_kb(ri->pid) : -1;
            if (kb >= 0) snprintf(mem, sizeof mem, "%.1f MiB", (double)kb / 1024.0);
            if (ri->hello_w || ri->hello_c)
                wbuf_printf(out, "%-6d %-24s %-9ld %s\n", r, ri->host, ri->pid, mem);
            else
                wbuf_printf(out, "%-6d %-24s %-9s %s\n", r, "(not attached)", "-", "-");
        }
    }
    wbuf_printf(out, "attach file: %s\n", p->attach);
    wbuf_printf(out, "engines on a cluster: mpirun --hostfile H -n N parc-engine --attach %s\n",
                p->attach);
    return out->oom ? PARC_ENOMEM : 0;
}
