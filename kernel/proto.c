/* proto.c - the Jupyter message handlers (see proto.h); between loop_ (which receives and
 * decodes) and magic_/lang_/pool_ (which split, compile and run cells).
 *
 * The execute path is a small state machine, because the kernel never blocks: an
 * execute_request is queued; when nothing runs, it is started (busy, execute_input), cut
 * into segments by magic_split, and each segment either runs in the kernel (%engines, %who,
 * x?) or is compiled by lang_compile and handed to pool_exec. The pool reports back through
 * callbacks (on_stream, on_result, on_input, on_done) from inside pool_handle; on_done only
 * records the outcome, and proto_tick (called by the loop after pool_handle) moves on to the
 * next segment, so pool_exec is never called from inside the pool's own callback.
 *
 * Output manners (SPEC §2, §7): in global view every rank prints the same text, so rank 0's
 * output is shown live and another rank's only when it differs (prefixed [stdout:N]); in
 * local view every line is prefixed with its engine and lines are kept whole; per-engine
 * results are display_data "Out[N:C]: ..." in rank order after the segment; errors that
 * several engines raise alike are shown once with the engine set ("[0-2,4:execute] "). */
#include "proto.h"
#include "arena.h"
#include "hist.h"
#include "lang.h"
#include "link.h"
#include "magic.h"
#include "mem.h"
#include "wire.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CELL_BYTES (16u << 20) /* larger cells get an error reply */
#define MAX_QUEUE      10000       /* queued execute requests beyond this are refused */
#define TIMEIT_RUNS    5
#define PARC_VERSION   "0.1.0"

typedef struct qitem {
    msg_t *m;
    int ch;
    struct qitem *next;
} qitem_t;

typedef struct {
    wbuf_t text[2]; /* stdout, stderr received from one rank during the segment */
} rank_out_t;

typedef struct {
    int rank;
    const char *plain, *html; /* arena copies */
} local_result_t;

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
    int failed;
    int local;  /* the running segment is local view */
    int nranks; /* ranks the running segment was sent to (0 = unknown) */
    int first;  /* lowest targeted rank: its global-view output is shown live */
    rank_out_t *out;
    size_t nout;
    local_result_t *res;
    size_t nres, capres;
    double cell_t0, seg_t0, eng_total;
    int time_kind;   /* 0, 1 for %time, 2 for %timeit */
    int timeit_left; /* runs still to start */
    int timeit_runs;
    double best, sum, eng_best;
    wbuf_t ir; /* the running segment's IR (kept for %timeit reruns) */
    const int *targets;
    size_t ntargets;
    json_t *ename, *evalue, *tb; /* first error, for the reply (owned) */
    json_t *payload;             /* reply payloads (x? pages); NULL = none */
} run_t;

struct proto {
    proto_cfg_t cfg;
    msg_session_t ss;
    hist_t *hist;
    uint32_t count; /* execution_count of the last stored cell */
    int autopx;
    qitem_t *qhead, *qtail;
    size_t qlen;
    run_t *run;
    int input_pending;
    int exit;    /* shutdown answered: the loop should stop */
    int closing; /* start nothing new */
    int nengines_last;
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

static void *chan_sock(proto_t *p, int ch)
{
    switch (ch) {
    case CONN_CONTROL:
        return p->cfg.control;
    case CONN_STDIN:
        return p->cfg.stdin_sock;
    default:
        return p->cfg.shell;
    }
}

/* Sends type with content (consumed; NULL = {}) as a reply to m on channel ch. */
static void send_reply(proto_t *p, int ch, const msg_t *m, const char *type, json_t *content)
{
    if (!content) fprintf(stderr, "parc-kernel: out of memory building %s\n", type);
    msg_send(chan_sock(p, ch), &p->ss, m, type, content, NULL, NULL);
    json_decref(content);
}

/* Publishes type with content (consumed) on iopub, parent m. */
static void publish(proto_t *p, const msg_t *m, const char *type, json_t *content)
{
    if (!content) {
        fprintf(stderr, "parc-kernel: out of memory building %s\n", type);
        return;
    }
    msg_send(p->cfg.iopub, &p->ss, m, type, content, NULL, type);
    json_decref(content);
}

static void status(proto_t *p, const msg_t *m, const char *state)
{
    publish(p, m, "status", json_pack("{s:s}", "execution_state", state));
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes are not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t k = s[0] < 0x80         ? 1
               : (s[0] >> 5) == 6  ? 2
               : (s[0] >> 4) == 14 ? 3
               : (s[0] >> 3) == 30 ? 4
                                   : 0;
    if (k == 0 || k > n) return 0;
    for (size_t i = 1; i < k; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    return k;
}

/* Engines print bytes; a chunk may end inside a character or hold invalid UTF-8, which
 * JSON cannot carry: such bytes are shown as '?' rather than losing the whole chunk. */
static void stream(proto_t *p, const msg_t *m, const char *name, const char *text, size_t n)
{
    if (n == 0) return;
    json_t *t = json_stringn(text, n);
    if (!t) {
        char *fixed = mem_alloc(n);
        if (!fixed) return;
        for (size_t i = 0; i < n;) {
            size_t k = utf8_len((const unsigned char *)text + i, n - i);
            if (k == 0) {
                fixed[i++] = '?';
            } else {
                memcpy(fixed + i, text + i, k);
                i += k;
            }
        }
        t = json_stringn(fixed, n);
        mem_free(fixed);
    }
    if (t) publish(p, m, "stream", json_pack("{s:s, s:o}", "name", name, "text", t));
}

/* "foo_request" -> "foo_reply" into buf. */
static void reply_type(const char *req, char *buf, size_t n)
{
    size_t k = strlen(req);
    if (k > 8 && strcmp(req + k - 8, "_request") == 0)
        snprintf(buf, n, "%.*s_reply", (int)(k - 8), req);
    else
        snprintf(buf, n, "%s_reply", req);
}

static json_t *error_content(const char *ename, const char *evalue)
{
    return json_pack("{s:s, s:s, s:s, s:[]}", "status", "error", "ename", ename, "evalue", evalue,
                     "traceback");
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

static int json_bool_or(json_t *o, const char *k, int def)
{
    json_t *v = json_object_get(o, k);
    return json_is_boolean(v) ? json_is_true(v) : def;
}

/* ---------------------------------------------------------------- execute state machine */

static void step(proto_t *p);
static void start_next(proto_t *p);

static const char *hist_lookup(void *ud, uint32_t cell, size_t *len)
{
    proto_t *p = ud;
    return hist_source(p->hist, cell, len);
}

static rank_out_t *rank_out(run_t *r, int rank)
{
    if (rank < 0 || rank > 65535) return NULL;
    if ((size_t)rank >= r->nout) {
        size_t n = (size_t)rank + 1;
        rank_out_t *o = mem_realloc(r->out, n * sizeof *o);
        if (!o) return NULL;
        for (size_t i = r->nout; i < n; i++) {
            wbuf_init(&o[i].text[0]);
            wbuf_init(&o[i].text[1]);
        }
        r->out = o;
        r->nout = n;
    }
    return &r->out[rank];
}

static void free_outs(run_t *r)
{
    for (size_t i = 0; i < r->nout; i++) {
        wbuf_free(&r->out[i].text[0]);
        wbuf_free(&r->out[i].text[1]);
    }
    mem_free(r->out);
    r->out = NULL;
    r->nout = 0;
    r->nres = 0;
}

static void run_free(run_t **rp)
{
    run_t *r = *rp;
    if (!r) return;
    free_outs(r);
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
static void show_error(proto_t *p, const char *ename, const char *evalue, const char *tb, size_t n)
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
    publish(p, r->req, "error",
            json_pack("{s:s, s:s, s:o}", "ename", ename, "evalue", evalue, "traceback", lines));
}

/* A UsageError from a magic (no source display, IPython's wording). */
static void usage_error(proto_t *p, const char *msg)
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

static void show_err_t(proto_t *p, err_t e, const lang_frame_t *fr, size_t nf, const char *who,
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

/* Appends "0-2,4" for the sorted ranks. */
static void rank_set(wbuf_t *b, const int *ranks, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && ranks[j + 1] == ranks[j] + 1)
            j++;
        if (i) wbuf_printf(b, ",");
        if (j > i)
            wbuf_printf(b, "%d-%d", ranks[i], ranks[j]);
        else
            wbuf_printf(b, "%d", ranks[i]);
        i = j + 1;
    }
}

static int same_error(const pool_rank_done_t *a, const pool_rank_done_t *b)
{
    return a->err.code == b->err.code && strcmp(a->kind, b->kind) == 0 &&
           strcmp(a->err.msg, b->err.msg) == 0 && a->err.at.line == b->err.at.line &&
           a->err.at.col == b->err.at.col && a->err.at.cell == b->err.at.cell;
}

/* Engine errors grouped by identical message; one traceback block per group. */
static void show_done_error(proto_t *p, const pool_done_t *d)
{
    run_t *r = p->run;
    if (d->pool_err.code) {
        show_err_t(p, d->pool_err, NULL, 0, "", NULL);
        return;
    }
    size_t nfail = 0;
    for (size_t i = 0; i < d->nranks; i++)
        nfail += d->ranks[i].err.code != 0;
    if (nfail == 0) {
        char msg[128];
        snprintf(msg, sizeof msg, "the engines reported %s", err_kind(d->code));
        err_t e;
        err_clear(&e);
        err_set(&e, d->code, (span_t){0}, "%s", msg);
        show_err_t(p, e, NULL, 0, "", NULL);
        return;
    }
    char *done = arena_alloc(r->a, d->nranks + 1);
    int *set = arena_array(r->a, d->nranks + 1, sizeof *set);
    if (!done || !set) {
        usage_error(p, "out of memory formatting an engine error");
        return;
    }
    wbuf_t tb;
    wbuf_init(&tb);
    const char *ename = NULL, *evalue = NULL;
    for (size_t i = 0; i < d->nranks; i++) {
        const pool_rank_done_t *g = &d->ranks[i];
        if (!g->err.code || done[i]) continue;
        size_t k = 0;
        for (size_t j = i; j < d->nranks; j++) {
            if (!done[j] && d->ranks[j].err.code && same_error(g, &d->ranks[j])) {
                done[j] = 1;
                set[k++] = d->ranks[j].rank;
            }
        }
        wbuf_t who;
        wbuf_init(&who);
        if (r->local || k < d->nranks) {
            wbuf_printf(&who, "[");
            rank_set(&who, set, k);
            wbuf_printf(&who, ":execute] ");
        }
        lang_frame_t fr[16];
        size_t nf = g->nframes < 16 ? g->nframes : 16;
        for (size_t f = 0; f < nf; f++) {
            fr[f].at = g->frames[f].at;
            fix_span(r, &fr[f].at);
            fr[f].fn = g->frames[f].fn;
        }
        err_t e = g->err;
        fix_span(r, &e.at);
        if (tb.len) wbuf_printf(&tb, "\n");
        lang_format_error(&e, fr, nf, wbuf_cstring(&who), hist_lookup, p, &tb);
        wbuf_free(&who);
        if (!ename) {
            ename = g->kind[0] ? g->kind : err_kind(g->err.code);
            evalue = g->err.msg;
        }
    }
    const char *text = wbuf_cstring(&tb);
    show_error(p, ename ? ename : "EngineError", evalue ? evalue : "", text, tb.len);
    wbuf_free(&tb);
}

/* Emits the complete lines of buf prefixed "[stdout:N] " and keeps the rest. */
static void emit_lines(proto_t *p, int rank, int s, wbuf_t *buf, int flush)
{
    size_t end = buf->len;
    if (!flush) {
        while (end > 0 && buf->p[end - 1] != '\n')
            end--;
    }
    if (end == 0) return;
    const char *name = s ? "stderr" : "stdout";
    wbuf_t o;
    wbuf_init(&o);
    size_t b = 0;
    while (b < end) {
        size_t e = b;
        while (e < end && buf->p[e] != '\n')
            e++;
        wbuf_printf(&o, "[%s:%d] %.*s\n", name, rank, (int)(e - b), (const char *)buf->p + b);
        b = e + 1;
    }
    if (!o.oom) stream(p, p->run->req, name, (const char *)o.p, o.len);
    wbuf_free(&o);
    memmove(buf->p, buf->p + end, buf->len - end);
    buf->len -= end;
}

static void on_stream(void *ud, int rank, int st, const char *text, size_t n)
{
    proto_t *p = ud;
    run_t *r = p->run;
    if (!r || !r->waiting) return;
    int s = st == 2 ? 1 : 0;
    rank_out_t *o = rank_out(r, rank);
    if (!o) return;
    wbuf_bytes(&o->text[s], text, n);
    /* Only the lowest targeted rank streams live; the others are held and flushed in rank
     * order when the segment ends, so saved notebooks show the same order every run
     * (SPEC §7). In global view the others are shown only where they differ. */
    if (rank != r->first) return;
    if (r->local)
        emit_lines(p, rank, s, &o->text[s], 0);
    else
        stream(p, r->req, s ? "stderr" : "stdout", text, n);
}

static void on_result(void *ud, int rank, const char *plain, size_t np, const char *html, size_t nh)
{
    proto_t *p = ud;
    run_t *r = p->run;
    if (!r || !r->waiting || r->silent || r->time_kind == 2) return;
    if (!r->local) {
        if (rank != r->first) return;
        json_t *data = json_pack("{s:s%}", "text/plain", plain, np);
        if (data && nh) json_object_set_new(data, "text/html", json_stringn(html, nh));
        if (!data) return;
        publish(p, r->req, "execute_result",
                json_pack("{s:I, s:o, s:{}}", "execution_count", (json_int_t)r->cell, "data", data,
                          "metadata"));
        return;
    }
    if (r->nres == r->capres) {
        size_t cap = r->capres ? r->capres * 2 : 16;
        local_result_t *nr = arena_array(r->a, cap, sizeof *nr);
        if (!nr) return;
        if (r->nres) memcpy(nr, r->res, r->nres * sizeof *nr);
        r->res = nr;
        r->capres = cap;
    }
    local_result_t *lr = &r->res[r->nres];
    lr->rank = rank;
    lr->plain = arena_strndup(r->a, plain, np);
    lr->html = nh ? arena_strndup(r->a, html, nh) : NULL;
    if (lr->plain) r->nres++;
}

static void on_input(void *ud, int rank, const char *prompt, int password)
{
    proto_t *p = ud;
    run_t *r = p->run;
    (void)rank;
    if (!r || !r->allow_stdin || !p->cfg.pool) {
        if (p->cfg.pool) pool_input_reply(p->cfg.pool, NULL, 0);
        return;
    }
    json_t *c = json_pack("{s:s, s:b}", "prompt", prompt ? prompt : "", "password", password);
    if (!c) {
        pool_input_reply(p->cfg.pool, NULL, 0);
        return;
    }
    p->input_pending = 1;
    send_reply(p, CONN_STDIN, r->req, "input_request", c);
}

static int cmp_res(const void *a, const void *b)
{
    const local_result_t *x = a, *y = b;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

static void flush_outputs(proto_t *p)
{
    run_t *r = p->run;
    for (size_t i = 0; i < r->nout; i++) {
        for (int s = 0; s < 2; s++) {
            wbuf_t *b = &r->out[i].text[s];
            if (r->local) {
                emit_lines(p, (int)i, s, b, 1);
            } else if ((int)i != r->first && b->len) {
                wbuf_t *f = (size_t)r->first < r->nout ? &r->out[r->first].text[s] : NULL;
                if (!f || f->len != b->len || memcmp(f->p, b->p, b->len) != 0)
                    emit_lines(p, (int)i, s, b, 1);
            }
        }
    }
    if (r->nres) qsort(r->res, r->nres, sizeof *r->res, cmp_res);
    for (size_t i = 0; i < r->nres; i++) {
        wbuf_t t;
        wbuf_init(&t);
        wbuf_printf(&t, "Out[%d:%u]: %s", r->res[i].rank, r->cell, r->res[i].plain);
        json_t *data = json_pack("{s:s}", "text/plain", wbuf_cstring(&t));
        wbuf_free(&t);
        if (data && r->res[i].html)
            json_object_set_new(data, "text/html", json_string(r->res[i].html));
        if (!data) continue;
        publish(p, r->req, "display_data",
                json_pack("{s:o, s:{}, s:{}}", "data", data, "metadata", "transient"));
    }
    free_outs(r);
}

static void on_done(void *ud, const pool_done_t *d)
{
    proto_t *p = ud;
    run_t *r = p->run;
    p->input_pending = 0;
    if (!r || !r->waiting) return;
    r->waiting = 0;
    double wall = now_s() - r->seg_t0;
    flush_outputs(p);
    r->eng_total += d->seconds;
    if (d->code) {
        show_done_error(p, d);
        return;
    }
    char w[32], e[32];
    if (r->time_kind == 1) {
        fmt_secs(w, sizeof w, wall);
        fmt_secs(e, sizeof e, d->seconds);
        wbuf_t t;
        wbuf_init(&t);
        wbuf_printf(&t, "Wall time: %s (slowest engine: %s)\n", w, e);
        stream(p, r->req, "stdout", wbuf_cstring(&t), t.len);
        wbuf_free(&t);
        r->time_kind = 0;
    } else if (r->time_kind == 2) {
        if (r->timeit_runs == 0 || wall < r->best) r->best = wall;
        if (r->timeit_runs == 0 || d->seconds < r->eng_best) r->eng_best = d->seconds;
        r->sum += wall;
        r->timeit_runs++;
        if (r->timeit_left == 0) {
            char m[32];
            fmt_secs(w, sizeof w, r->best);
            fmt_secs(m, sizeof m, r->sum / r->timeit_runs);
            fmt_secs(e, sizeof e, r->eng_best);
            wbuf_t t;
            wbuf_init(&t);
            wbuf_printf(&t, "%s per run (best of %d runs; mean %s; slowest engine best %s)\n", w,
                        r->timeit_runs, m, e);
            stream(p, r->req, "stdout", wbuf_cstring(&t), t.len);
            wbuf_free(&t);
            r->time_kind = 0;
        }
    }
}

static const pool_cb_t *callbacks(proto_t *p, pool_cb_t *cb)
{
    cb->ud = p;
    cb->on_stream = on_stream;
    cb->on_result = on_result;
    cb->on_input = on_input;
    cb->on_done = on_done;
    return cb;
}

/* Sends the compiled IR of the current segment to the engines. */
static void exec_ir(proto_t *p)
{
    run_t *r = p->run;
    pool_cb_t cb;
    err_t err;
    err_clear(&err);
    uint32_t flags = (r->silent || r->time_kind == 2) ? LINK_F_SILENT : 0;
    r->first = r->ntargets ? r->targets[0] : 0;
    r->seg_t0 = now_s();
    r->waiting = 1;
    int rc = pool_exec(p->cfg.pool, r->local ? LINK_LOCAL : LINK_GLOBAL, r->targets, r->ntargets,
                       r->cell, flags, r->ir.p, r->ir.len, callbacks(p, &cb), &err);
    if (rc) {
        r->waiting = 0;
        if (!err.code) err_set(&err, rc, (span_t){0}, "the engines cannot run this cell");
        show_err_t(p, err, NULL, 0, "", NULL);
    }
}

/* Compiles a code segment and starts it. local: %px; time_kind: 0, %time or %timeit. */
static void run_code(proto_t *p, const magic_seg_t *g, int local, int time_kind)
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
    const names_t *names = p->cfg.pool ? pool_names(p->cfg.pool) : NULL;
    if (lang_compile(r->a, g->src, g->len, r->cell, names, local, &r->ir, &err) != 0) {
        if (!err.code) err_set(&err, PARC_ESYNTAX, (span_t){0}, "cannot compile this cell");
        show_err_t(p, err, NULL, 0, "", NULL);
        return;
    }
    if (r->ir.oom) {
        usage_error(p, "out of memory compiling the cell");
        return;
    }
    if (!p->cfg.pool) {
        err_set(&err, PARC_EENGINE, (span_t){0},
                "no engines: the engine pool could not be "
                "created (see the kernel's log)");
        show_err_t(p, err, NULL, 0, "", NULL);
        return;
    }
    if (local && g->noblock) {
        usage_error(p, "%px --noblock is not supported yet; run without --noblock");
        return;
    }
    if (local && g->targets) {
        int *t;
        size_t nt;
        if (magic_targets(r->a, g->targets, pool_size(p->cfg.pool), &t, &nt, &err)) {
            usage_error(p, err.msg);
            return;
        }
        r->targets = t;
        r->ntargets = nt;
    }
    if (time_kind == 2) r->timeit_left = TIMEIT_RUNS - 1;
    exec_ir(p);
}

/* ---------------------------------------------------------------- kernel-side magics */

static void out_text(proto_t *p, wbuf_t *t)
{
    if (t->oom)
        usage_error(p, "out of memory");
    else
        stream(p, p->run->req, "stdout", wbuf_cstring(t), t->len);
    wbuf_free(t);
}

static void m_lsmagic(proto_t *p, const magic_seg_t *g)
{
    (void)g;
    wbuf_t t;
    wbuf_init(&t);
    wbuf_printf(&t, "Available line magics:\n");
    for (int i = 0; magic_line_names[i]; i++)
        wbuf_printf(&t, "%s%%%s", i ? "  " : "", magic_line_names[i]);
    wbuf_printf(&t, "\n\nAvailable cell magics:\n%%%%px  %%%%time\n");
    out_text(p, &t);
}

static void m_magic(proto_t *p, const magic_seg_t *g)
{
    (void)g;
    wbuf_t t;
    wbuf_init(&t);
    wbuf_printf(&t, "parc magics (a magic starts at column 0 of a line):\n\n");
    for (int i = 0; magic_line_names[i]; i++) {
        wbuf_printf(&t, "%s\n", magic_help(magic_line_names[i]));
        if (strcmp(magic_line_names[i], "px") == 0) wbuf_printf(&t, "%s\n", magic_help("%px"));
    }
    wbuf_printf(&t, "\n--targets accepts 0,2  1-3  0:3  ::2  -1  all.\n"
                    "x? or x?? alone on a line shows what parc knows about x.\n");
    out_text(p, &t);
}

static void m_engines(proto_t *p, const magic_seg_t *g)
{
    pool_t *pool = p->cfg.pool;
    err_t err;
    err_clear(&err);
    if (!pool) {
        usage_error(p, "no engine pool (it could not be created; see the kernel's log)");
        return;
    }
    char verb[32] = "";
    int n = 0;
    const char *a = g->args;
    sscanf(a, "%31s", verb);
    const char *dn = strstr(a, "-n");
    if (dn && sscanf(dn + 2, "%d", &n) != 1) n = -1;
    wbuf_t t;
    wbuf_init(&t);
    if (!*verb) {
        if (pool_describe(pool, &t)) {
            wbuf_free(&t);
            usage_error(p, "out of memory");
            return;
        }
        if (t.len == 0) wbuf_printf(&t, "no engines are running (%%engines start -n N)\n");
    } else if (strcmp(verb, "start") == 0 || strcmp(verb, "restart") == 0) {
        if (n < 0 || n > 4096) {
            wbuf_free(&t);
            usage_error(p, "%engines start -n N: N must be a number of engines (1-4096)");
            return;
        }
        if (n == 0) n = p->nengines_last;
        if (strcmp(verb, "restart") == 0 || n != pool_size(pool)) pool_stop(pool);
        if (pool_start(pool, n, &err)) {
            wbuf_free(&t);
            show_err_t(p, err, NULL, 0, "", NULL);
            return;
        }
        p->nengines_last = n;
        if (n)
            wbuf_printf(&t, "starting %d engines\n", n);
        else
            wbuf_printf(&t, "starting the engines\n");
    } else if (strcmp(verb, "stop") == 0) {
        pool_stop(pool);
        wbuf_printf(&t, "engines stopped\n");
    } else {
        wbuf_free(&t);
        usage_error(p, "%engines takes no argument, or start [-n N], restart, stop");
        return;
    }
    out_text(p, &t);
}

static void m_who(proto_t *p, const magic_seg_t *g)
{
    const names_t *nm = p->cfg.pool ? pool_names(p->cfg.pool) : NULL;
    size_t n = nm ? names_count(nm) : 0;
    int full = strcmp(g->name, "whos") == 0;
    wbuf_t t;
    wbuf_init(&t);
    if (n == 0) {
        wbuf_printf(&t, "Interactive namespace is empty.\n");
    } else if (!full) {
        for (size_t i = 0; i < n; i++)
            wbuf_printf(&t, "%s%s", i ? "\t" : "", names_at(nm, i)->name);
        wbuf_printf(&t, "\n");
    } else {
        wbuf_printf(&t, "%-16s %-9s %-14s %-10s %-12s %14s %s\n", "Variable", "Kind", "Shape",
                    "Dtype", "Dist", "Bytes/engine", "Info");
        wbuf_printf(&t, "%.*s\n", 96,
                    "--------------------------------------------------------------------------"
                    "----------------------------------------");
        for (size_t i = 0; i < n; i++) {
            const name_info_t *v = names_at(nm, i);
            wbuf_printf(&t, "%-16s %-9s %-14s %-10s %-12s %14llu %s%s\n", v->name, v->kind,
                        v->shape, v->dtype, v->dist, (unsigned long long)v->bytes,
                        v->per_engine ? "per-engine " : "", v->summary);
        }
    }
    out_text(p, &t);
}

static void m_pxresult(proto_t *p, const magic_seg_t *g)
{
    (void)g;
    static const char msg[] = "no pending result (%px --noblock is not supported yet)\n";
    stream(p, p->run->req, "stdout", msg, sizeof msg - 1);
}

static void m_autopx(proto_t *p, const magic_seg_t *g)
{
    (void)g;
    p->autopx = !p->autopx;
    const char *msg = p->autopx ? "%autopx enabled\n" : "%autopx disabled\n";
    stream(p, p->run->req, "stdout", msg, strlen(msg));
}

static void m_time(proto_t *p, const magic_seg_t *g)
{
    run_code(p, g, 0, strcmp(g->name, "timeit") == 0 ? 2 : 1);
}

static const struct {
    const char *name;
    void (*fn)(proto_t *p, const magic_seg_t *g);
} line_magics[] = {
    {"lsmagic", m_lsmagic}, {"magic", m_magic}, {"engines", m_engines},
    {"who", m_who},         {"whos", m_who},    {"pxresult", m_pxresult},
    {"autopx", m_autopx},   {"time", m_time},   {"timeit", m_time},
};

static void run_inspect(proto_t *p, const magic_seg_t *g)
{
    run_t *r = p->run;
    wbuf_t t;
    wbuf_init(&t);
    const names_t *names = p->cfg.pool ? pool_names(p->cfg.pool) : NULL;
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
    if (!r->payload) r->payload = json_array();
    json_t *page = json_pack("{s:s, s:{s:s}, s:i}", "source", "page", "data", "text/plain",
                             wbuf_cstring(&t), "start", 0);
    wbuf_free(&t);
    if (!r->payload || !page || json_array_append_new(r->payload, page) != 0)
        usage_error(p, "out of memory");
}

static void run_segment(proto_t *p, const magic_seg_t *g)
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
        for (size_t i = 0; i < sizeof line_magics / sizeof line_magics[0]; i++) {
            if (strcmp(line_magics[i].name, g->name) == 0) {
                line_magics[i].fn(p, g);
                return;
            }
        }
        usage_error(p, "this magic is not available");
        return;
    }
}

/* Sends the execute_reply and idle, then starts the next queued request. */
static void finish(proto_t *p)
{
    run_t *r = p->run;
    if (r->mc.cell_time && !r->failed) {
        char w[32], e[32];
        fmt_secs(w, sizeof w, now_s() - r->cell_t0);
        fmt_secs(e, sizeof e, r->eng_total);
        wbuf_t t;
        wbuf_init(&t);
        wbuf_printf(&t, "Wall time: %s (engines, slowest: %s)\n", w, e);
        stream(p, r->req, "stdout", wbuf_cstring(&t), t.len);
        wbuf_free(&t);
    }
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
    send_reply(p, r->ch, r->req, "execute_reply", c);
    status(p, r->req, "idle");
    int abort = r->failed && r->stop_on_error;
    run_free(&p->run);
    if (abort) {
        /* stop_on_error: every request queued before the failure is answered "aborted". */
        while (p->qhead) {
            qitem_t *q = p->qhead;
            p->qhead = q->next;
            p->qlen--;
            status(p, q->m, "busy");
            send_reply(p, q->ch, q->m, "execute_reply",
                       json_pack("{s:s, s:I}", "status", "aborted", "execution_count",
                                 (json_int_t)p->count));
            status(p, q->m, "idle");
            msg_destroy(&q->m);
            mem_free(q);
        }
        p->qtail = NULL;
    }
}

static void step(proto_t *p)
{
    run_t *r = p->run;
    if (!r || r->in_step) return;
    r->in_step = 1;
    while (!r->waiting && !r->failed) {
        if (r->timeit_left > 0) {
            r->timeit_left--;
            exec_ir(p);
        } else if (r->seg < r->mc.n) {
            run_segment(p, &r->mc.segs[r->seg++]);
        } else {
            break;
        }
    }
    r->in_step = 0;
    if (!r->waiting) finish(p);
}

/* Starts one execute request: busy, execute_input, history, magic split. */
static void begin(proto_t *p, qitem_t *q)
{
    run_t *r = mem_calloc(1, sizeof *r);
    if (r) r->a = arena_new();
    if (!r || !r->a) {
        status(p, q->m, "busy");
        send_reply(p, q->ch, q->m, "execute_reply",
                   error_content("MemoryError", "the kernel is out of memory"));
        status(p, q->m, "idle");
        msg_destroy(&q->m);
        mem_free(r);
        return;
    }
    p->run = r;
    r->req = q->m;
    r->ch = q->ch;
    q->m = NULL;
    wbuf_init(&r->ir);
    r->cell_t0 = now_s();
    json_t *c = r->req->content;
    status(p, r->req, "busy");
    json_t *code = json_object_get(c, "code");
    r->silent = json_bool_or(c, "silent", 0);
    r->store = json_bool_or(c, "store_history", !r->silent) && !r->silent;
    r->allow_stdin = json_bool_or(c, "allow_stdin", 1);
    r->stop_on_error = json_bool_or(c, "stop_on_error", 1);
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
        publish(p, r->req, "execute_input",
                json_pack("{s:s%, s:I}", "code", r->code, r->len, "execution_count",
                          (json_int_t)r->cell));
    if (hist_add(p->hist, r->cell, r->store, r->code, r->len))
        fprintf(stderr, "parc-kernel: out of memory recording history\n");
    err_t err;
    err_clear(&err);
    if (magic_split(r->a, r->code, r->len, p->autopx, &r->mc, &err)) {
        if (err.code == PARC_ENOMEM)
            usage_error(p, "out of memory");
        else
            usage_error(p, err.msg);
        return;
    }
    if (r->mc.toggle_autopx) {
        static const magic_seg_t toggle = {.kind = MAGIC_LINE, .name = "autopx", .args = ""};
        m_autopx(p, &toggle);
    }
}

static void start_next(proto_t *p)
{
    while (!p->run && p->qhead && !p->closing) {
        qitem_t *q = p->qhead;
        p->qhead = q->next;
        if (!p->qhead) p->qtail = NULL;
        p->qlen--;
        begin(p, q);
        mem_free(q);
        step(p);
    }
}

/* ---------------------------------------------------------------- other handlers */

static void h_execute(proto_t *p, int ch, msg_t **mp)
{
    if (p->qlen >= MAX_QUEUE || p->closing) {
        status(p, *mp, "busy");
        send_reply(p, ch, *mp, "execute_reply",
                   error_content("RuntimeError", p->closing ? "the kernel is shutting down"
                                                            : "too many queued cells"));
        status(p, *mp, "idle");
        msg_destroy(mp);
        return;
    }
    qitem_t *q = mem_calloc(1, sizeof *q);
    if (!q) {
        send_reply(p, ch, *mp, "execute_reply",
                   error_content("MemoryError", "the kernel is out of memory"));
        msg_destroy(mp);
        return;
    }
    q->m = *mp;
    q->ch = ch;
    *mp = NULL;
    if (p->qtail)
        p->qtail->next = q;
    else
        p->qhead = q;
    p->qtail = q;
    p->qlen++;
    start_next(p);
}

static void h_kernel_info(proto_t *p, int ch, msg_t **mp)
{
    json_t *c = json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:s, s:[{s:s, s:s}], s:b}",
        "status", "ok", "protocol_version", MSG_VERSION, "implementation", "parc",
        "implementation_version", PARC_VERSION, "language_info", "name", "parc", "version",
        PARC_VERSION, "mimetype", "text/x-parc", "file_extension", ".parc", "pygments_lexer",
        "python", "codemirror_mode", "python", "banner",
        "parc " PARC_VERSION " - interactive parallel arrays on MPI engines\n"
        "Plain cells run in global view; %px / %%px run per engine. %magic explains the rest.",
        "help_links", "text", "parc magics", "url", "https://github.com/", "debugger", 0);
    send_reply(p, ch, *mp, "kernel_info_reply", c);
}

static void h_is_complete(proto_t *p, int ch, msg_t **mp)
{
    const char *code = msg_str((*mp)->content, "code", NULL);
    if (!code) {
        send_reply(p, ch, *mp, "is_complete_reply", json_pack("{s:s}", "status", "invalid"));
        return;
    }
    size_t n = strlen(code);
    arena_t *a = arena_new();
    const char *st = "unknown", *indent = "";
    if (code[0] == '%' && code[1] == '%') {
        /* a cell magic takes lines until an empty one, as in IPython */
        st = (n >= 1 && code[n - 1] == '\n' && (n < 2 || code[n - 2] == '\n')) ? "complete"
                                                                               : "incomplete";
    } else if (code[0] == '%' && !strchr(code, '\n')) {
        st = "complete";
    } else if (a) {
        lang_status_t s = lang_is_complete(a, code, n, &indent);
        st = s == LANG_COMPLETE ? "complete" : s == LANG_INCOMPLETE ? "incomplete" : "invalid";
        if (!indent) indent = "";
    }
    json_t *c = json_pack("{s:s}", "status", st);
    if (c && strcmp(st, "incomplete") == 0) json_object_set_new(c, "indent", json_string(indent));
    send_reply(p, ch, *mp, "is_complete_reply", c);
    arena_destroy(&a);
}

static size_t cursor_of(json_t *c, const char *code)
{
    json_t *v = json_object_get(c, "cursor_pos");
    size_t n = strlen(code);
    size_t cps = 0;
    for (size_t i = 0; i < n; i++)
        cps += ((unsigned char)code[i] & 0xc0) != 0x80;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || (size_t)json_integer_value(v) > cps)
        return cps;
    return (size_t)json_integer_value(v);
}

static void h_complete(proto_t *p, int ch, msg_t **mp)
{
    const char *code = msg_str((*mp)->content, "code", "");
    size_t cur = cursor_of((*mp)->content, code);
    arena_t *a = arena_new();
    const char **matches = NULL;
    size_t nm = 0, start = cur, end = cur;
    const names_t *names = p->cfg.pool ? pool_names(p->cfg.pool) : NULL;
    if (a) lang_complete(a, code, strlen(code), cur, names, &matches, &nm, &start, &end);
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < nm; i++)
        json_array_append_new(arr, json_string(matches[i]));
    json_t *c = arr ? json_pack("{s:s, s:o, s:I, s:I, s:{}}", "status", "ok", "matches", arr,
                                "cursor_start", (json_int_t)start, "cursor_end", (json_int_t)end,
                                "metadata")
                    : NULL;
    send_reply(p, ch, *mp, "complete_reply", c);
    arena_destroy(&a);
}

static void h_inspect(proto_t *p, int ch, msg_t **mp)
{
    const char *code = msg_str((*mp)->content, "code", "");
    size_t cur = cursor_of((*mp)->content, code);
    arena_t *a = arena_new();
    wbuf_t t;
    wbuf_init(&t);
    const names_t *names = p->cfg.pool ? pool_names(p->cfg.pool) : NULL;
    int found = a ? lang_inspect(a, code, strlen(code), cur, names, &t) == 1 : 0;
    json_t *c;
    if (found && !t.oom)
        c = json_pack("{s:s, s:b, s:{s:s}, s:{}}", "status", "ok", "found", 1, "data", "text/plain",
                      wbuf_cstring(&t), "metadata");
    else
        c = json_pack("{s:s, s:b, s:{}, s:{}}", "status", "ok", "found", 0, "data", "metadata");
    send_reply(p, ch, *mp, "inspect_reply", c);
    wbuf_free(&t);
    arena_destroy(&a);
}

static json_t *hist_item(const hist_entry_t *e, int output)
{
    if (output) return json_pack("[i, I, [s, n]]", 1, (json_int_t)e->cell, e->src);
    return json_pack("[i, I, s]", 1, (json_int_t)e->cell, e->src);
}

static void h_history(proto_t *p, int ch, msg_t **mp)
{
    json_t *c = (*mp)->content;
    const char *how = msg_str(c, "hist_access_type", "tail");
    int output = json_bool_or(c, "output", 0);
    json_t *jn = json_object_get(c, "n");
    long want = json_is_integer(jn) ? (long)json_integer_value(jn) : 10;
    json_t *js = json_object_get(c, "start"), *je = json_object_get(c, "stop");
    long start = json_is_integer(js) ? (long)json_integer_value(js) : 0;
    long stop = json_is_integer(je) ? (long)json_integer_value(je) : 0x7fffffffL;
    const char *pat = msg_str(c, "pattern", "*");
    int unique = json_bool_or(c, "unique", 0);
    size_t n = hist_count(p->hist);
    json_t *arr = json_array();
    if (!arr) {
        send_reply(p, ch, *mp, "history_reply", NULL);
        return;
    }
    if (strcmp(how, "range") == 0) {
        for (size_t i = 0; i < n; i++) {
            const hist_entry_t *e = hist_at(p->hist, i);
            if (e->stored && (long)e->cell >= start && (long)e->cell < stop)
                json_array_append_new(arr, hist_item(e, output));
        }
    } else {
        int search = strcmp(how, "search") == 0;
        /* newest first, then reversed: the reply lists them oldest first */
        json_t *tmp = json_array();
        for (size_t i = n; tmp && i-- > 0 && (want <= 0 || (long)json_array_size(tmp) < want);) {
            const hist_entry_t *e = hist_at(p->hist, i);
            if (!e->stored) continue;
            if (search && fnmatch(pat, e->src, 0) != 0) continue;
            if (unique) {
                int dup = 0;
                for (size_t j = i + 1; j < n && !dup; j++) {
                    const hist_entry_t *f = hist_at(p->hist, j);
                    dup = f->stored && strcmp(f->src, e->src) == 0 &&
                          (!search || fnmatch(pat, f->src, 0) == 0);
                }
                if (dup) continue;
            }
            json_array_append_new(tmp, hist_item(e, output));
        }
        for (size_t i = tmp ? json_array_size(tmp) : 0; i-- > 0;)
            json_array_append(arr, json_array_get(tmp, i));
        json_decref(tmp);
    }
    send_reply(p, ch, *mp, "history_reply",
               json_pack("{s:s, s:o}", "status", "ok", "history", arr));
}

static void h_comm_info(proto_t *p, int ch, msg_t **mp)
{
    send_reply(p, ch, *mp, "comm_info_reply", json_pack("{s:s, s:{}}", "status", "ok", "comms"));
}

static void h_comm_open(proto_t *p, int ch, msg_t **mp)
{
    (void)ch;
    const char *id = msg_str((*mp)->content, "comm_id", "");
    const char *target = msg_str((*mp)->content, "target_name", "");
    fprintf(stderr, "parc-kernel: comm_open for target '%s' refused (no comm targets)\n", target);
    publish(p, *mp, "comm_close", json_pack("{s:s, s:{}}", "comm_id", id, "data"));
}

static void h_ignore(proto_t *p, int ch, msg_t **mp)
{
    (void)p;
    (void)ch;
    (void)mp;
}

static void h_shutdown(proto_t *p, int ch, msg_t **mp)
{
    int restart = json_bool_or((*mp)->content, "restart", 0);
    p->closing = 1;
    if (p->cfg.pool) pool_stop(p->cfg.pool);
    json_t *c = json_pack("{s:s, s:b}", "status", "ok", "restart", restart);
    send_reply(p, ch, *mp, "shutdown_reply", json_incref(c));
    publish(p, *mp, "shutdown_reply", c);
    p->exit = 1;
}

static void h_interrupt(proto_t *p, int ch, msg_t **mp)
{
    proto_interrupt(p);
    send_reply(p, ch, *mp, "interrupt_reply", json_pack("{s:s}", "status", "ok"));
}

static void h_input_reply(proto_t *p, int ch, msg_t **mp)
{
    (void)ch;
    if (!p->input_pending || !p->cfg.pool) {
        fprintf(stderr, "parc-kernel: input_reply with no input pending, ignored\n");
        return;
    }
    json_t *v = json_object_get((*mp)->content, "value");
    p->input_pending = 0;
    if (json_is_string(v))
        pool_input_reply(p->cfg.pool, json_string_value(v), json_string_length(v));
    else
        pool_input_reply(p->cfg.pool, NULL, 0);
}

enum { ON_SHELL = 1, ON_CONTROL = 2, ON_STDIN = 4, BUSY = 8 };

static const struct {
    const char *type;
    void (*fn)(proto_t *p, int ch, msg_t **mp);
    unsigned flags;
} handlers[] = {
    {"execute_request", h_execute, ON_SHELL},
    {"kernel_info_request", h_kernel_info, ON_SHELL | ON_CONTROL | BUSY},
    {"is_complete_request", h_is_complete, ON_SHELL | BUSY},
    {"complete_request", h_complete, ON_SHELL | BUSY},
    {"inspect_request", h_inspect, ON_SHELL | BUSY},
    {"history_request", h_history, ON_SHELL | BUSY},
    {"comm_info_request", h_comm_info, ON_SHELL | BUSY},
    {"comm_open", h_comm_open, ON_SHELL | BUSY},
    {"comm_msg", h_ignore, ON_SHELL | BUSY},
    {"comm_close", h_ignore, ON_SHELL | BUSY},
    {"shutdown_request", h_shutdown, ON_SHELL | ON_CONTROL | BUSY},
    {"interrupt_request", h_interrupt, ON_CONTROL | ON_SHELL | BUSY},
    {"input_reply", h_input_reply, ON_STDIN},
};

void proto_handle(proto_t *p, int ch, msg_t **mp, const err_t *decode_err)
{
    msg_t *m = *mp;
    char rt[160];
    if (!m) return;
    reply_type(m->type, rt, sizeof rt);
    int is_req = strcmp(rt + strlen(rt) - 6, "_reply") == 0 && strstr(m->type, "_request");
    if (decode_err && decode_err->code) {
        fprintf(stderr, "parc-kernel: bad %s: %s\n", m->type, decode_err->msg);
        if (is_req) {
            status(p, m, "busy");
            send_reply(p, ch, m, rt, error_content("ProtocolError", decode_err->msg));
            status(p, m, "idle");
        }
        msg_destroy(mp);
        return;
    }
    unsigned on = ch == CONN_CONTROL ? ON_CONTROL : ch == CONN_STDIN ? ON_STDIN : ON_SHELL;
    for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++) {
        if (strcmp(handlers[i].type, m->type) != 0) continue;
        if (!(handlers[i].flags & on)) break;
        if (handlers[i].flags & BUSY) status(p, m, "busy");
        handlers[i].fn(p, ch, mp);
        if (*mp && (handlers[i].flags & BUSY)) status(p, *mp, "idle");
        msg_destroy(mp);
        return;
    }
    fprintf(stderr, "parc-kernel: unknown message type '%s' on %s\n", m->type,
            conn_channel_name(ch));
    if (is_req && ch != CONN_STDIN) {
        char why[200];
        snprintf(why, sizeof why, "unknown message type '%.150s'", m->type);
        status(p, m, "busy");
        send_reply(p, ch, m, rt, error_content("UnknownMessageType", why));
        status(p, m, "idle");
    }
    msg_destroy(mp);
}

/* ---------------------------------------------------------------- lifecycle */

proto_t *proto_new(const proto_cfg_t *cfg)
{
    proto_t *p = mem_calloc(1, sizeof *p);
    if (!p) return NULL;
    p->cfg = *cfg;
    p->ss.sign = cfg->sign;
    msg_session_init(&p->ss);
    p->hist = hist_new();
    if (!p->hist) {
        mem_free(p);
        return NULL;
    }
    return p;
}

void proto_destroy(proto_t **pp)
{
    if (!pp || !*pp) return;
    proto_t *p = *pp;
    run_free(&p->run);
    while (p->qhead) {
        qitem_t *q = p->qhead;
        p->qhead = q->next;
        msg_destroy(&q->m);
        mem_free(q);
    }
    hist_destroy(&p->hist);
    mem_free(p);
    *pp = NULL;
}

void proto_interrupt(proto_t *p)
{
    if (p->cfg.pool) pool_interrupt(p->cfg.pool);
}

void proto_starting(proto_t *p)
{
    publish(p, NULL, "status", json_pack("{s:s}", "execution_state", "starting"));
}

int proto_should_exit(const proto_t *p)
{
    return p->exit;
}

void proto_shutting_down(proto_t *p)
{
    p->closing = 1;
}

void proto_tick(proto_t *p)
{
    if (p->run && !p->run->waiting && !p->run->in_step) step(p);
    start_next(p);
}
