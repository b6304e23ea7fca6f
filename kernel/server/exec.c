/* exec.c - the execute queue and the running cell (see exec.h); between proto_ (which hands
 * it execute_requests) and magic_/lang_/pool_ (which split, compile and run cells).
 *
 * The execute path is a small state machine, because the kernel never blocks: an
 * execute_request is queued; when nothing runs, it is started (busy, execute_input), cut
 * into segments by magic_split, and each segment either runs in the kernel (kmagic_: %engines,
 * %who, ...; x?) or is compiled by lang_compile and handed to pool_exec. The pool reports back
 * through callbacks (on_stream, on_result, on_rank_done, on_input, on_done) from inside
 * pool_handle; on_done only records the outcome, and exec_tick (called by the loop after
 * pool_handle) moves on to the next segment, so pool_exec is never called from inside the
 * pool's own callback.
 *
 * Output manners (docs/architecture.md, "The path of one cell"): rankout_ holds each rank's stream
 * text and per-engine results and shows them in rank order (local view: one engine live at a time,
 * handing over as each finishes; global view: rank 0's output live, another rank's only where it
 * differs); engerr_ merges the errors several engines raise alike into one traceback with
 * the engine set ("[0-2,4:execute] "). */
#include "exec.h"
#include "arena.h"
#include "conn.h"
#include "engerr.h"
#include "farmshow.h"
#include "figs.h"
#include "kmagic.h"
#include "lang.h"
#include "link.h"
#include "log.h"
#include "magic.h"
#include "mem.h"
#include "pxbg.h"
#include "verify.h"
#include "rankout.h"
#include "status.h"
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CELL_BYTES (16u << 20) /* larger cells get an error reply */
#define MAX_QUEUE      10000       /* queued execute requests beyond this are refused */
#define TIMEIT_RUNS    5

typedef struct qitem {
    msg_t *m;
    int ch;
    int other; /* not an execute_request: answered by the other-handler in its turn */
    struct qitem *next;
} qitem_t;

typedef struct {
    msg_t *req; /* the execute_request (owned) */
    int ch;
    arena_t *a;
    const char *code;
    size_t len;
    uint32_t cell; /* execution count used in spans and Out[N:C] */
    int silent, store, allow_stdin, stop_on_error;
    magic_cell_t mc;
    size_t seg;             /* next segment to start */
    const magic_seg_t *cur; /* segment running on the engines */
    int waiting;            /* pool_exec accepted, on_done not yet called */
    int in_step;
    int blocked;  /* the next segment waits (the --noblock cell, starting engines, %verify) */
    verify_t *vf; /* %verify running on fresh pools; NULL: none */
    int failed;
    int local;      /* the running segment is local view */
    int nranks;     /* ranks the running segment was sent to (0 = unknown) */
    int first;      /* lowest targeted rank: its global-view output is shown live */
    rankout_t *out; /* the running segment's output, held per rank */
    status_t *st;   /* the running segment's status line */
    figs_t *figs;   /* the running segment's figures (figs_) */
    double cell_t0, seg_t0, eng_total;
    int time_kind;   /* 0, 1 for %time, 2 for %timeit */
    int timeit_left; /* runs still to start */
    int timeit_runs;
    double best, sum, eng_best;
    wbuf_t ir; /* the running segment's IR (kept for %timeit reruns) */
    const int *targets;
    size_t ntargets;
    double limit;                /* the running segment's time limit in seconds (0: none) */
    double deadline;             /* now_s() past which it is interrupted (0: none) */
    int timed_out;               /* the limit interrupted it: report TimeoutError */
    int collapse;                /* local view: --collapse */
    json_t *ename, *evalue, *tb; /* first error, for the reply (owned) */
    json_t *payload;             /* reply payloads (x? pages); NULL = none */
    farmshow_t farm;             /* a pmap's progress line */
} run_t;

struct exec {
    chan_t *chan;   /* borrowed */
    pool_t *pool;   /* borrowed; NULL: engines unavailable */
    hist_t *hist;   /* borrowed */
    uint32_t count; /* execution_count of the last stored cell */
    kmagic_t km;    /* %autopx and %engines state */
    qitem_t *qhead, *qtail;
    size_t qlen;
    run_t *run;
    int input_pending;
    int closing;         /* start nothing new */
    exec_other_fn other; /* answers a deferred shell request (exec_defer) */
    void *other_ud;
    /* the last %px --noblock cell: running on the engines while later cells wait */
    pxbg_t *bg;         /* its kept output (owned); NULL: none yet */
    int bg_running;     /* pool_exec accepted it, its on_done not yet called */
    double bg_limit;    /* its time limit in seconds (0: none) */
    double bg_deadline; /* now_s() past which it is interrupted (0: none) */
    int bg_timed_out;   /* the limit interrupted it */
};

/* ---------------------------------------------------------------- helpers */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void fmt_secs(char *buf, size_t n, double s)
{
    if (s >= 1)
        snprintf(buf, n, "%.2f s", s);
    else if (s >= 1e-3)
        snprintf(buf, n, "%.2f ms", s * 1e3);
    else
        snprintf(buf, n, "%.1f us", s * 1e6);
}

/* The %time / %%time line: the kernel's wall time and the engines' (the slowest engine's,
 * summed over the cell's segments). */
static void show_time(exec_t *p, double wall, double engines)
{
    char w[32], e[32], t[96];
    fmt_secs(w, sizeof w, wall);
    fmt_secs(e, sizeof e, engines);
    int n = snprintf(t, sizeof t, "Wall time: %s (slowest engine: %s)\n", w, e);
    chan_stream(p->chan, p->run->req, "stdout", t, (size_t)n);
}

/* Splits text at newlines into a JSON array of lines (the traceback Jupyter wants). */
static json_t *lines_array(const char *text, size_t n)
{
    json_t *arr = json_array();
    size_t b = 0;
    while (arr && b < n) {
        size_t e = b;
        while (e < n && text[e] != '\n')
            e++;
        if (json_array_append_new(arr, json_stringn(text + b, e - b)) != 0) {
            json_decref(arr);
            return NULL;
        }
        b = e + 1;
    }
    return arr;
}

/* ---------------------------------------------------------------- execute state machine */

static void step(exec_t *p);
static void start_next(exec_t *p);

static const char *hist_lookup(void *ud, uint32_t cell, size_t *len)
{
    exec_t *p = ud;
    return hist_source(p->hist, cell, len);
}

/* A queued request other than an execute (kernel_info held back to keep arrival order):
 * answered by the owner's callback and freed. */
static void answer_other(exec_t *p, qitem_t *q)
{
    if (p->other) p->other(p->other_ud, q->ch, &q->m);
    msg_destroy(&q->m);
    mem_free(q);
}

static void run_free(run_t **rp)
{
    run_t *r = *rp;
    if (!r) return;
    rankout_destroy(&r->out);
    status_destroy(&r->st);
    figs_destroy(&r->figs);
    verify_destroy(&r->vf);
    wbuf_free(&r->ir);
    msg_destroy(&r->req);
    arena_destroy(&r->a);
    json_decref(r->ename);
    json_decref(r->evalue);
    json_decref(r->tb);
    json_decref(r->payload);
    mem_free(r);
    *rp = NULL;
}

/* Shows an error (traceback text already formatted) and remembers the first for the reply. */
static void show_error(exec_t *p, const char *ename, const char *evalue, const char *tb, size_t n)
{
    run_t *r = p->run;
    r->failed = 1;
    json_t *lines = lines_array(tb, n);
    if (!lines) return;
    if (!r->tb) {
        r->ename = json_string(ename);
        r->evalue = json_string(evalue);
        r->tb = json_incref(lines);
    }
    chan_publish(
        p->chan, r->req, "error",
        json_pack("{s:s, s:s, s:o}", "ename", ename, "evalue", evalue, "traceback", lines));
}

/* A UsageError from a magic (no source display, IPython's wording). */
static void usage_error(exec_t *p, const char *msg)
{
    char buf[400];
    snprintf(buf, sizeof buf, "UsageError: %s", msg);
    show_error(p, "UsageError", msg, buf, strlen(buf));
}

/* Moves a span from segment coordinates to the cell's: a %px statement starts at column
 * `col` of its line. */
static void fix_span(const run_t *r, span_t *s)
{
    if (r->cur && s->cell == r->cell && s->line == r->cur->line) s->col += r->cur->col;
}

static void fix_cb(void *ud, span_t *s)
{
    exec_t *p = ud;
    fix_span(p->run, s);
}

static void show_err_t(exec_t *p, err_t e, const lang_frame_t *fr, size_t nf, const char *who,
                       const char *kind)
{
    wbuf_t tb;
    wbuf_init(&tb);
    fix_span(p->run, &e.at);
    lang_format_error(&e, fr, nf, who, hist_lookup, p, &tb);
    const char *text = wbuf_cstring(&tb);
    show_error(p, kind ? kind : err_kind(e.code), e.msg, text, tb.len);
    wbuf_free(&tb);
}

/* The errors of a failed request, merged across engines by engerr_. */
static void show_done_error(exec_t *p, const pool_done_t *d)
{
    run_t *r = p->run;
    wbuf_t tb;
    wbuf_init(&tb);
    const char *ename, *evalue;
    if (engerr_format(d, r->local, r->a, fix_cb, hist_lookup, p, &tb, &ename, &evalue)) {
        wbuf_free(&tb);
        usage_error(p, "out of memory formatting an engine error");
        return;
    }
    const char *text = wbuf_cstring(&tb);
    show_error(p, ename, evalue, text, tb.len);
    wbuf_free(&tb);
}

static void on_stream(void *ud, int rank, int st, const char *text, size_t n)
{
    exec_t *p = ud;
    run_t *r = p->run;
    if (!r || !r->waiting) return;
    if (st >= 3) {
        farmshow_output(p->chan, r->req, rank, st - 2, text, n);
        return;
    }
    rankout_size(r->out, pool_size(p->pool));
    rankout_stream(r->out, rank, st == 2 ? 1 : 0, text, n);
}

static void on_result(void *ud, int rank, const char *plain, size_t np, const char *html, size_t nh)
{
    exec_t *p = ud;
    run_t *r = p->run;
    if (!r || !r->waiting || r->silent || r->time_kind == 2) return;
    if (!r->local) {
        if (rank != r->first) return;
        json_t *data = json_pack("{s:s%}", "text/plain", plain, np);
        if (data && nh) json_object_set_new(data, "text/html", json_stringn(html, nh));
        if (!data) return;
        chan_publish(p->chan, r->req, "execute_result",
                     json_pack("{s:I, s:o, s:{}}", "execution_count", (json_int_t)r->cell, "data",
                               data, "metadata"));
        return;
    }
    rankout_size(r->out, pool_size(p->pool));
    rankout_result(r->out, rank, plain, np, html, nh);
}

static void on_figure(void *ud, int rank, const void *rec, size_t n)
{
    exec_t *p = ud;
    run_t *r = p->run;
    log_info("parc-kernel: a figure record of %zu bytes from engine %d", n, rank);
    if (!r || !r->waiting) return;
    if (!r->figs && !(r->figs = figs_new())) return;
    wbuf_t note;
    wbuf_init(&note);
    figs_record(r->figs, rank, rec, n, &note);
    if (note.len) {
        rankout_size(r->out, pool_size(p->pool));
        rankout_stream(r->out, rank, 1, (const char *)note.p, note.len);
    }
    wbuf_free(&note);
}

static void on_rank_done(void *ud, int rank)
{
    exec_t *p = ud;
    run_t *r = p->run;
    if (!r || !r->waiting) return;
    rankout_size(r->out, pool_size(p->pool));
    rankout_rank_done(r->out, rank);
    status_size(r->st, pool_size(p->pool));
    status_rank_done(r->st, rank);
}

static void on_progress(void *ud, int rank, const pool_progress_t *pg)
{
    exec_t *p = ud;
    run_t *r = p->run;
    if (!r || !r->waiting) return;
    status_size(r->st, pool_size(p->pool));
    status_progress(r->st, rank, pg);
}

static void on_input(void *ud, int rank, const char *prompt, int password)
{
    exec_t *p = ud;
    run_t *r = p->run;
    (void)rank;
    if (!r || !r->allow_stdin || !p->pool) {
        if (p->pool) pool_input_reply(p->pool, NULL, 0);
        return;
    }
    json_t *c = json_pack("{s:s, s:b}", "prompt", prompt ? prompt : "", "password", password);
    if (!c) {
        pool_input_reply(p->pool, NULL, 0);
        return;
    }
    p->input_pending = 1;
    chan_reply(p->chan, CONN_STDIN, r->req, "input_request", c);
}

static void on_farm(void *ud, const farm_t *f, const farm_fail_t *fail)
{
    exec_t *p = ud;
    run_t *r = p->run;
    if (!r || !r->waiting) return;
    if (fail)
        farmshow_fail(p->chan, r->req, fail, hist_lookup, p);
    else
        farmshow_progress(&r->farm, p->chan, r->req, f, now_s(), farm_over(f));
}

static void on_done(void *ud, const pool_done_t *d)
{
    exec_t *p = ud;
    run_t *r = p->run;
    p->input_pending = 0;
    if (!r || !r->waiting) return;
    r->waiting = 0;
    double wall = now_s() - r->seg_t0;
    rankout_flush(r->out, r->cell);
    if (d->warnings && d->warnings[0])
        chan_stream(p->chan, r->req, "stderr", d->warnings, strlen(d->warnings));
    if (r->figs) figs_publish(r->figs, p->chan, r->req, r->local);
    r->eng_total += d->seconds;
    if (d->code && r->timed_out && d->code == PARC_EINTR) {
        err_t e;
        err_clear(&e);
        err_set(&e, PARC_ETIMEOUT, (span_t){0},
                "the cell ran longer than its time limit of %g s and was interrupted; the "
                "variables are as the last finished statement left them",
                r->limit);
        show_err_t(p, e, NULL, 0, "", NULL);
        return;
    }
    if (d->code) {
        show_done_error(p, d);
        return;
    }
    if (r->time_kind == 1) {
        show_time(p, wall, d->seconds);
        r->time_kind = 0;
    } else if (r->time_kind == 2) {
        if (r->timeit_runs == 0 || wall < r->best) r->best = wall;
        if (r->timeit_runs == 0 || d->seconds < r->eng_best) r->eng_best = d->seconds;
        r->sum += wall;
        r->timeit_runs++;
        if (r->timeit_left == 0) {
            char w[32], m[32], e[32];
            fmt_secs(w, sizeof w, r->best);
            fmt_secs(m, sizeof m, r->sum / r->timeit_runs);
            fmt_secs(e, sizeof e, r->eng_best);
            wbuf_t t;
            wbuf_init(&t);
            wbuf_printf(&t, "%s per run (best of %d runs; mean %s; slowest engine best %s)\n", w,
                        r->timeit_runs, m, e);
            chan_stream(p->chan, r->req, "stdout", wbuf_cstring(&t), t.len);
            wbuf_free(&t);
            r->time_kind = 0;
        }
    }
}

static const pool_cb_t *callbacks(exec_t *p, pool_cb_t *cb)
{
    cb->ud = p;
    cb->on_stream = on_stream;
    cb->on_result = on_result;
    cb->on_input = on_input;
    cb->on_figure = on_figure;
    cb->on_rank_done = on_rank_done;
    cb->on_farm = on_farm;
    cb->on_done = on_done;
    cb->on_progress = on_progress;
    return cb;
}

/* --- the %px --noblock cell: its engines' output is kept (pxbg_) for %pxresult ------ */

static void bg_stream(void *ud, int rank, int st, const char *text, size_t n)
{
    exec_t *p = ud;
    if (p->bg && p->bg_running) pxbg_stream(p->bg, rank, st == 2 || st == 4, text, n);
}

static void bg_result(void *ud, int rank, const char *plain, size_t np, const char *html, size_t nh)
{
    exec_t *p = ud;
    if (p->bg && p->bg_running) pxbg_result(p->bg, rank, plain, np, html, nh);
}

static void bg_input(void *ud, int rank, const char *prompt, int password)
{
    exec_t *p = ud;
    (void)rank;
    (void)prompt;
    (void)password;
    pool_input_reply(p->pool, NULL, 0); /* nobody is there to answer: the engine says so */
}

static void bg_done(void *ud, const pool_done_t *d)
{
    exec_t *p = ud;
    if (!p->bg || !p->bg_running) return;
    p->bg_running = 0;
    if (pxbg_done(p->bg, d, p->bg_timed_out ? p->bg_limit : 0))
        fprintf(stderr, "parc-kernel: out of memory keeping a --noblock cell's errors\n");
}

/* Starts the segment compiled in r->ir as the background cell and shows its handle. */
static void start_bg(exec_t *p)
{
    run_t *r = p->run;
    err_t err;
    err_clear(&err);
    pxbg_destroy(&p->bg);
    p->bg = pxbg_new(r->cell, r->cur->line, r->cur->col, r->targets, r->ntargets, r->collapse);
    if (!p->bg) {
        usage_error(p, "out of memory");
        return;
    }
    pool_cb_t cb = {.ud = p,
                    .on_stream = bg_stream,
                    .on_result = bg_result,
                    .on_input = bg_input,
                    .on_done = bg_done};
    p->bg_limit = r->limit;
    p->bg_deadline = r->limit > 0 ? now_s() + r->limit : 0;
    p->bg_timed_out = 0;
    p->bg_running = 1;
    int rc = pool_exec(p->pool, LINK_LOCAL, r->targets, r->ntargets, r->cell, 0, r->ir.p, r->ir.len,
                       &cb, &err);
    if (rc) {
        p->bg_running = 0;
        pxbg_destroy(&p->bg);
        if (!err.code) err_set(&err, rc, (span_t){0}, "the engines cannot run this cell");
        show_err_t(p, err, NULL, 0, "", NULL);
        return;
    }
    wbuf_t t;
    wbuf_init(&t);
    wbuf_printf(&t, "<AsyncResult(%%px): cell %u on engines ", r->cell);
    pxbg_describe(p->bg, pool_size(p->pool), &t);
    wbuf_printf(&t, ", running; %%pxresult shows its output>");
    if (t.oom)
        usage_error(p, "out of memory");
    else
        exec_result(p, wbuf_cstring(&t), t.len);
    wbuf_free(&t);
}

/* Whether segment g must wait until the --noblock cell has left the engines: whatever runs
 * on them or shows that cell's result does; the kernel's own answers do not. */
static int waits_for_bg(const magic_seg_t *g)
{
    static const char *const free_magics[] = {"who",    "whos",    "history", "pwd",      "cd",
                                              "env",    "lsmagic", "magic",   "pxconfig", "timeout",
                                              "autopx", "exit",    "quit",    NULL};
    if (g->kind == MAGIC_INSPECT) return 0;
    if (g->kind != MAGIC_LINE) return 1;
    if (strcmp(g->name, "engines") == 0) return g->args[0] != 0;
    for (int i = 0; free_magics[i]; i++)
        if (strcmp(g->name, free_magics[i]) == 0) return 0;
    return 1;
}

/* Sends the compiled IR of the current segment to the engines. */
static void exec_ir(exec_t *p)
{
    run_t *r = p->run;
    pool_cb_t cb;
    err_t err;
    err_clear(&err);
    uint32_t flags = (r->silent || r->time_kind == 2) ? LINK_F_SILENT : 0;
    r->first = r->ntargets ? r->targets[0] : 0;
    rankout_begin(r->out, r->local, r->targets, r->ntargets);
    rankout_collapse(r->out, r->collapse);
    r->seg_t0 = now_s();
    status_begin(r->st, r->targets, r->ntargets, r->seg_t0);
    r->deadline = r->limit > 0 ? r->seg_t0 + r->limit : 0;
    r->timed_out = 0;
    r->waiting = 1;
    int rc = pool_exec(p->pool, r->local ? LINK_LOCAL : LINK_GLOBAL, r->targets, r->ntargets,
                       r->cell, flags, r->ir.p, r->ir.len, callbacks(p, &cb), &err);
    chan_flush(p->chan); /* the held busy and execute_input (begin) */
    if (rc) {
        r->waiting = 0;
        if (!err.code) err_set(&err, rc, (span_t){0}, "the engines cannot run this cell");
        show_err_t(p, err, NULL, 0, "", NULL);
    }
}

/* Compiles a code segment and starts it. local: %px; time_kind: 0, %time or %timeit. */
static void run_code(exec_t *p, const magic_seg_t *g, int local, int time_kind)
{
    run_t *r = p->run;
    err_t err;
    err_clear(&err);
    r->cur = g;
    r->local = local;
    r->time_kind = time_kind;
    r->targets = NULL;
    r->ntargets = 0;
    wbuf_free(&r->ir);
    const vartab_t *names = p->pool ? pool_names(p->pool) : NULL;
    int crc =
        local && g->out_name
            ? lang_compile_store(r->a, g->src, g->len, r->cell, names, g->out_name, &r->ir, &err)
            : lang_compile(r->a, g->src, g->len, r->cell, names, local, &r->ir, &err);
    if (crc != 0) {
        if (!err.code) err_set(&err, PARC_ESYNTAX, (span_t){0}, "cannot compile this cell");
        show_err_t(p, err, NULL, 0, "", NULL);
        return;
    }
    if (r->ir.oom) {
        usage_error(p, "out of memory compiling the cell");
        return;
    }
    if (!p->pool) {
        err_set(&err, PARC_EENGINE, (span_t){0},
                "no engines: the engine pool could not be "
                "created (see the kernel's log)");
        show_err_t(p, err, NULL, 0, "", NULL);
        return;
    }
    /* %pxconfig's defaults for what the %px line did not say; %timeout for global view */
    const char *spec = g->targets ? g->targets : p->km.px_targets[0] ? p->km.px_targets : NULL;
    r->collapse = local && (g->collapse >= 0 ? g->collapse : p->km.px_collapse);
    r->limit = !local ? p->km.timeout : g->timeout >= 0 ? g->timeout : p->km.px_timeout;
    if (local && spec) {
        int *t;
        size_t nt;
        if (magic_targets(r->a, spec, pool_size(p->pool), &t, &nt, &err)) {
            usage_error(p, err.msg);
            return;
        }
        r->targets = t;
        r->ntargets = nt;
    }
    if (local && g->noblock && time_kind == 0) {
        start_bg(p);
        return;
    }
    if (time_kind == 2) r->timeit_left = TIMEIT_RUNS - 1;
    exec_ir(p);
}

/* Shows t (then freed) on stdout, or a UsageError when building it ran out of memory. */
static void out_text(exec_t *p, wbuf_t *t)
{
    if (t->oom)
        usage_error(p, "out of memory");
    else
        chan_stream(p->chan, p->run->req, "stdout", wbuf_cstring(t), t->len);
    wbuf_free(t);
}

static void run_inspect(exec_t *p, const magic_seg_t *g)
{
    run_t *r = p->run;
    wbuf_t t;
    wbuf_init(&t);
    const vartab_t *names = p->pool ? pool_names(p->pool) : NULL;
    size_t cps = 0;
    for (size_t i = 0; i < g->len; i++)
        cps += ((unsigned char)g->src[i] & 0xc0) != 0x80;
    if (lang_inspect(r->a, g->src, g->len, cps, names, &t) != 1 || t.oom) {
        wbuf_free(&t);
        wbuf_printf(&t, "Object `%s` not found.\n", g->src);
        out_text(p, &t);
        return;
    }
    /* found: a "page" payload, which front ends show in their pager (IPython's manner) */
    json_t *page = json_pack("{s:s, s:{s:s}, s:i}", "source", "page", "data", "text/plain",
                             wbuf_cstring(&t), "start", 0);
    wbuf_free(&t);
    exec_payload(p, page);
}

static void run_segment(exec_t *p, const magic_seg_t *g)
{
    p->run->cur = g;
    switch (g->kind) {
    case MAGIC_CODE:
        run_code(p, g, 0, 0);
        return;
    case MAGIC_PX:
        run_code(p, g, 1, 0);
        return;
    case MAGIC_INSPECT:
        run_inspect(p, g);
        return;
    case MAGIC_LINE:
        if (kmagic_run(&p->km, p, g) != 0) usage_error(p, "this magic is not available");
        return;
    }
}

/* Sends the execute_reply and idle, then starts the next queued request. */
static void finish(exec_t *p)
{
    run_t *r = p->run;
    if (r->mc.cell_time && !r->failed) show_time(p, now_s() - r->cell_t0, r->eng_total);
    json_int_t count = r->silent ? p->count : (json_int_t)r->cell;
    json_t *c;
    if (r->failed) {
        json_t *en = r->ename ? json_incref(r->ename) : json_string("Error");
        json_t *ev = r->evalue ? json_incref(r->evalue) : json_string("");
        json_t *tb = r->tb ? json_incref(r->tb) : json_array();
        c = json_pack("{s:s, s:I, s:o, s:o, s:o}", "status", "error", "execution_count", count,
                      "ename", en, "evalue", ev, "traceback", tb);
    } else {
        json_t *pl = r->payload ? json_incref(r->payload) : json_array();
        c = json_pack("{s:s, s:I, s:{}, s:o}", "status", "ok", "execution_count", count,
                      "user_expressions", "payload", pl);
    }
    chan_reply(p->chan, r->ch, r->req, "execute_reply", c);
    chan_status(p->chan, r->req, "idle");
    int abort = r->failed && r->stop_on_error;
    run_free(&p->run);
    if (abort) {
        /* stop_on_error: every request queued before the failure is answered "aborted". */
        while (p->qhead) {
            qitem_t *q = p->qhead;
            p->qhead = q->next;
            p->qlen--;
            if (q->other) { /* only executes are aborted; a deferred kernel_info is answered */
                answer_other(p, q);
                continue;
            }
            chan_status(p->chan, q->m, "busy");
            chan_reply(p->chan, q->ch, q->m, "execute_reply",
                       json_pack("{s:s, s:I}", "status", "aborted", "execution_count",
                                 (json_int_t)p->count));
            chan_status(p->chan, q->m, "idle");
            msg_destroy(&q->m);
            mem_free(q);
        }
        p->qtail = NULL;
    }
}

static void step(exec_t *p)
{
    run_t *r = p->run;
    if (!r || r->in_step) return;
    r->in_step = 1;
    r->blocked = 0;
    while (!r->waiting && !r->failed) {
        if (r->timeit_left > 0) {
            r->timeit_left--;
            exec_ir(p);
        } else if (r->vf) {
            if (verify_step(r->vf)) {
                r->blocked = 1;
                break;
            }
            wbuf_t t;
            wbuf_init(&t);
            int agree = verify_report(r->vf, &t);
            verify_destroy(&r->vf);
            out_text(p, &t);
            (void)agree;
        } else if (r->seg < r->mc.n) {
            const magic_seg_t *g = &r->mc.segs[r->seg];
            /* a %px segment needs the job's size (--targets, the handle): it waits for the
             * engines to start as a global cell waits inside the pool */
            if ((p->bg_running && waits_for_bg(g)) ||
                (g->kind == MAGIC_PX && p->pool && pool_starting(p->pool))) {
                r->blocked = 1; /* exec_tick steps again once the engines are free */
                break;
            }
            run_segment(p, &r->mc.segs[r->seg++]);
        } else {
            break;
        }
    }
    r->in_step = 0;
    if (!r->waiting && !r->blocked) finish(p);
}

/* Starts one execute request: busy, execute_input, history, magic split. */
static void begin(exec_t *p, qitem_t *q)
{
    run_t *r = mem_calloc(1, sizeof *r);
    if (r) r->a = arena_new();
    if (r && r->a) r->out = rankout_new(p->chan, q->m, r->a);
    if (r && r->out) r->st = status_new();
    if (!r || !r->out || !r->st) {
        chan_status(p->chan, q->m, "busy");
        chan_reply(p->chan, q->ch, q->m, "execute_reply",
                   chan_error_content("MemoryError", "the kernel is out of memory"));
        chan_status(p->chan, q->m, "idle");
        msg_destroy(&q->m);
        run_free(&r);
        return;
    }
    p->run = r;
    r->req = q->m;
    r->ch = q->ch;
    q->m = NULL;
    wbuf_init(&r->ir);
    r->cell_t0 = now_s();
    json_t *c = r->req->content;
    /* held back until the cell is on its way to the engines (exec_ir): any other output of
     * the request is sent after them */
    chan_hold(p->chan, r->req, "status", json_pack("{s:s}", "execution_state", "busy"));
    json_t *code = json_object_get(c, "code");
    r->silent = chan_bool(c, "silent", 0);
    r->store = chan_bool(c, "store_history", !r->silent) && !r->silent;
    r->allow_stdin = chan_bool(c, "allow_stdin", 1);
    r->stop_on_error = chan_bool(c, "stop_on_error", 1);
    /* a silent cell runs under the count the next stored cell will take; hist_source finds
     * the newest source for a count, so its tracebacks still show the right lines */
    r->cell = p->count + 1;
    if (!json_is_string(code)) {
        usage_error(p, "execute_request without a string 'code'");
        return;
    }
    r->code = json_string_value(code);
    r->len = json_string_length(code);
    if (r->len > MAX_CELL_BYTES) {
        char msg[128];
        snprintf(msg, sizeof msg, "the cell is %zu bytes; the limit is %u bytes", r->len,
                 MAX_CELL_BYTES);
        err_t e;
        err_clear(&e);
        err_set(&e, PARC_EVALUE, (span_t){0}, "%s", msg);
        show_err_t(p, e, NULL, 0, "", NULL);
        return;
    }
    if (r->store) p->count++;
    if (!r->silent)
        chan_hold(p->chan, r->req, "execute_input",
                  json_pack("{s:s%, s:I}", "code", r->code, r->len, "execution_count",
                            (json_int_t)r->cell));
    if (hist_add(p->hist, r->cell, r->store, r->code, r->len))
        fprintf(stderr, "parc-kernel: out of memory recording history\n");
    err_t err;
    err_clear(&err);
    if (magic_split(r->a, r->code, r->len, p->km.autopx, &r->mc, &err)) {
        if (err.code == PARC_ENOMEM)
            usage_error(p, "out of memory");
        else
            usage_error(p, err.msg);
        return;
    }
    if (r->mc.toggle_autopx) {
        static const magic_seg_t toggle = {.kind = MAGIC_LINE, .name = "autopx", .args = ""};
        kmagic_run(&p->km, p, &toggle);
    }
}

static void start_next(exec_t *p)
{
    while (!p->run && p->qhead && !p->closing) {
        qitem_t *q = p->qhead;
        p->qhead = q->next;
        if (!p->qhead) p->qtail = NULL;
        p->qlen--;
        if (q->other) {
            answer_other(p, q);
            continue;
        }
        begin(p, q);
        mem_free(q);
        step(p);
    }
}

/* Same client: the first routing identity (the front end's shell socket) is equal. */
static int same_client(const msg_t *a, const msg_t *b)
{
    if (!a || !b) return 0;
    if (!a->nids || !b->nids) return a->nids == b->nids;
    return a->ids[0].n == b->ids[0].n && memcmp(a->ids[0].p, b->ids[0].p, a->ids[0].n) == 0;
}

int exec_pending_from(const exec_t *p, const msg_t *m)
{
    if (p->run && same_client(p->run->req, m)) return 1;
    for (const qitem_t *q = p->qhead; q; q = q->next)
        if (same_client(q->m, m)) return 1;
    return 0;
}

void exec_set_other(exec_t *p, exec_other_fn fn, void *ud)
{
    p->other = fn;
    p->other_ud = ud;
}

static void enqueue(exec_t *p, int ch, msg_t **mp, int other);

void exec_defer(exec_t *p, int ch, msg_t **mp)
{
    enqueue(p, ch, mp, 1);
}

void exec_submit(exec_t *p, int ch, msg_t **mp)
{
    enqueue(p, ch, mp, 0);
}

static void enqueue(exec_t *p, int ch, msg_t **mp, int other)
{
    qitem_t *q = NULL;
    if (p->qlen < MAX_QUEUE && !p->closing) q = mem_calloc(1, sizeof *q);
    if (!q && other) {
        /* it cannot wait for its turn: better answered early than never */
        if (p->other) p->other(p->other_ud, ch, mp);
        msg_destroy(mp);
        return;
    }
    if (p->qlen >= MAX_QUEUE || p->closing) {
        chan_status(p->chan, *mp, "busy");
        chan_reply(p->chan, ch, *mp, "execute_reply",
                   chan_error_content("RuntimeError", p->closing ? "the kernel is shutting down"
                                                                 : "too many queued cells"));
        chan_status(p->chan, *mp, "idle");
        msg_destroy(mp);
        return;
    }
    if (!q) {
        chan_reply(p->chan, ch, *mp, "execute_reply",
                   chan_error_content("MemoryError", "the kernel is out of memory"));
        msg_destroy(mp);
        return;
    }
    q->m = *mp;
    q->ch = ch;
    q->other = other;
    *mp = NULL;
    if (p->qtail)
        p->qtail->next = q;
    else
        p->qhead = q;
    p->qtail = q;
    p->qlen++;
    start_next(p);
}

void exec_input_reply(exec_t *p, const msg_t *m)
{
    if (!p->input_pending || !p->pool) {
        fprintf(stderr, "parc-kernel: input_reply with no input pending, ignored\n");
        return;
    }
    json_t *v = json_object_get(m->content, "value");
    p->input_pending = 0;
    if (json_is_string(v))
        pool_input_reply(p->pool, json_string_value(v), json_string_length(v));
    else
        pool_input_reply(p->pool, NULL, 0);
}

/* ---------------------------------------------------------------- for kmagic_ */

pool_t *exec_pool(exec_t *p)
{
    return p->pool;
}

void exec_stdout(exec_t *p, const char *text, size_t n)
{
    chan_stream(p->chan, p->run->req, "stdout", text, n);
}

void exec_out_text(exec_t *p, wbuf_t *t)
{
    out_text(p, t);
}

void exec_usage_error(exec_t *p, const char *msg)
{
    usage_error(p, msg);
}

void exec_show_err(exec_t *p, err_t err)
{
    show_err_t(p, err, NULL, 0, "", NULL);
}

hist_t *exec_hist(exec_t *p)
{
    return p->hist;
}

void exec_result(exec_t *p, const char *plain, size_t n)
{
    run_t *r = p->run;
    if (r->silent) return;
    chan_publish(p->chan, r->req, "execute_result",
                 json_pack("{s:I, s:{s:s%}, s:{}}", "execution_count", (json_int_t)r->cell, "data",
                           "text/plain", plain, n, "metadata"));
}

void exec_payload(exec_t *p, json_t *payload)
{
    run_t *r = p->run;
    if (!payload) {
        usage_error(p, "out of memory");
        return;
    }
    if (!r->payload) r->payload = json_array();
    if (!r->payload || json_array_append_new(r->payload, payload) != 0)
        usage_error(p, "out of memory");
}

void exec_run_code(exec_t *p, const magic_seg_t *g, int local, int time_kind)
{
    run_code(p, g, local, time_kind);
}

void exec_verify(exec_t *p, const magic_seg_t *g)
{
    run_t *r = p->run;
    int sizes[VERIFY_MAX_POOLS];
    size_t n = 0;
    const char *s = g->args;
    while (*s) {
        char *e;
        long v = strtol(s, &e, 10);
        if (e == s || v < 1 || v > VERIFY_MAX_ENGINES || n == VERIFY_MAX_POOLS ||
            (*e && *e != ',')) {
            char msg[200];
            snprintf(msg, sizeof msg,
                     "%%verify --engines takes up to %d engine counts from 1 to %d, like 1,2,3 "
                     "(not '%.40s')",
                     VERIFY_MAX_POOLS, VERIFY_MAX_ENGINES, g->args);
            usage_error(p, msg);
            return;
        }
        sizes[n++] = (int)v;
        s = *e ? e + 1 : e;
    }
    if (n == 0 || !p->pool) {
        usage_error(p,
                    n ? "no engine pool (see the kernel's log)" : "%verify --engines 1,2,3 STMT");
        return;
    }
    err_t err;
    err_clear(&err);
    wbuf_t setup, stmt;
    wbuf_init(&setup);
    wbuf_init(&stmt);
    r->cur = g;
    if (lang_compile(r->a, VERIFY_SETUP, strlen(VERIFY_SETUP), r->cell, NULL, 0, &setup, &err) ||
        lang_compile(r->a, g->src, g->len, r->cell, NULL, 0, &stmt, &err)) {
        if (!err.code) err_set(&err, PARC_ESYNTAX, (span_t){0}, "cannot compile this statement");
        show_err_t(p, err, NULL, 0, "", NULL);
    } else if (!(r->vf = verify_new(p->pool, sizes, n, &setup, &stmt, r->cell))) {
        usage_error(p, "out of memory");
    }
    wbuf_free(&setup);
    wbuf_free(&stmt);
}

void exec_pxresult(exec_t *p, const char *spec)
{
    run_t *r = p->run;
    if (!p->bg) {
        static const char msg[] = "no %px --noblock cell has run yet\n";
        exec_stdout(p, msg, sizeof msg - 1);
        return;
    }
    int *t = NULL;
    size_t nt = 0;
    err_t err;
    err_clear(&err);
    if (spec && magic_targets(r->a, spec, p->pool ? pool_size(p->pool) : 0, &t, &nt, &err)) {
        usage_error(p, err.msg);
        return;
    }
    wbuf_t tb;
    wbuf_init(&tb);
    const char *ename, *evalue;
    int rc = pxbg_show(p->bg, p->chan, r->req, r->a, t, nt, hist_lookup, p, &tb, &ename, &evalue);
    if (rc == PARC_EVALUE) {
        char msg[160];
        snprintf(msg, sizeof msg, "%%pxresult --targets %.60s: cell %u did not run on all of them",
                 spec, pxbg_cell(p->bg));
        usage_error(p, msg);
    } else if (rc || tb.oom) {
        usage_error(p, "out of memory showing the result");
    } else if (ename) {
        show_error(p, ename, evalue, wbuf_cstring(&tb), tb.len);
    }
    wbuf_free(&tb);
}

/* ---------------------------------------------------------------- lifecycle */

exec_t *exec_new(chan_t *chan, pool_t *pool, hist_t *hist)
{
    exec_t *p = mem_calloc(1, sizeof *p);
    if (p) *p = (exec_t){.chan = chan, .pool = pool, .hist = hist};
    return p;
}

void exec_destroy(exec_t **pp)
{
    if (!pp || !*pp) return;
    exec_t *p = *pp;
    run_free(&p->run);
    pxbg_destroy(&p->bg);
    while (p->qhead) {
        qitem_t *q = p->qhead;
        p->qhead = q->next;
        msg_destroy(&q->m);
        mem_free(q);
    }
    mem_free(p);
    *pp = NULL;
}

void exec_close(exec_t *p)
{
    p->closing = 1;
}

/* A long segment's status line (status.h), in its live area; none while a farm shows its
 * own progress line, or for a replay of kept output. */
static void show_status(exec_t *p)
{
    run_t *r = p->run;
    if (!p->pool) return;
    status_size(r->st, pool_size(p->pool));
    wbuf_t t;
    wbuf_init(&t);
    /* ticked in a farm too, so that the next tick is due later (exec_timeout_ms) */
    int due = status_tick(r->st, now_s(), hist_lookup, p, &t);
    if (r->farm.since) due = 0;
    if ((due & STATUS_SHOW) && !t.oom) rankout_status(r->out, (const char *)t.p, t.len);
    wbuf_free(&t);
    if (due & STATUS_ASK) pool_ask_progress(p->pool);
}

void exec_tick(exec_t *p)
{
    run_t *r = p->run;
    if (r && r->waiting && r->deadline > 0 && !r->timed_out && now_s() >= r->deadline && p->pool) {
        r->timed_out = 1;
        pool_interrupt(p->pool);
    }
    if (p->bg_running && p->bg_deadline > 0 && !p->bg_timed_out && now_s() >= p->bg_deadline &&
        p->pool) {
        p->bg_timed_out = 1;
        pool_interrupt(p->pool);
    }
    if (p->run && p->run->waiting) {
        show_status(p);
        rankout_tick(p->run->out);
    }
    if (p->run && !p->run->waiting && !p->run->in_step) step(p);
    start_next(p);
}

long exec_timeout_ms(const exec_t *p)
{
    if (!p->run || !p->run->waiting) return -1;
    long a = rankout_due_ms(p->run->out), b = status_due_ms(p->run->st, now_s());
    return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}
