/* rankout.c - one segment's engine output, held per rank (see rankout.h).
 *
 * One rank streams live (the lowest targeted one at first); the others are held, so the
 * output comes out in rank order every run and saved notebooks diff cleanly. In
 * local view, when the live rank finishes, its rest is shown and the next targeted rank
 * takes over: it shows what it held and streams from then on; a rank that finishes early
 * waits, held, until every rank before it has finished. Every line is prefixed with its
 * engine and lines are kept whole. Meanwhile the live area shows the latest lines of every
 * held rank. In global view every rank prints the same text (the engines send rank 0's
 * only), so the first rank streams and is not kept: a hash of its text is, and another
 * rank's output is shown at the end only where it differs. */
#include "rankout.h"
#include "engerr.h"
#include "mem.h"
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    wbuf_t text[2]; /* stdout, stderr received from one rank and not shown yet */
    int done;       /* its DONE arrived */
} rank_out_t;

typedef struct {
    int rank;
    const char *plain, *html; /* arena copies */
} local_result_t;

struct rankout {
    chan_t *chan;        /* borrowed */
    const msg_t *req;    /* borrowed: the execute_request */
    arena_t *a;          /* borrowed: the cell's arena */
    int local;           /* the running segment is local view */
    int collapse;        /* local view: group identical lines and results at the end */
    int first;           /* lowest targeted rank: in global view, the one shown live */
    int live;            /* rank whose output is shown as it arrives; -1: none left */
    const int *targets;  /* borrowed; NULL: every rank */
    size_t ntargets, li; /* live == targets[li] */
    rank_out_t *out;
    size_t nout;
    local_result_t *res;
    size_t nres, capres;
    uint64_t fhash[2]; /* global view: FNV-1a of the first rank's text per stream */
    size_t flen[2];

    /* The live area of the running segment. */
    int nranks;     /* ranks in the job (0 unknown) */
    unsigned segno; /* segments begun in this cell: part of the display_id */
    int area;       /* 1 once opened in this segment */
    int quiet;      /* no area in this segment */
    int dirty;      /* held text changed since the last update */
    wbuf_t status;  /* the status line shown above the held lines ("": none) */
    long long last_ms;
    char display_id[96];
};

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h;
}

#define FNV_BASIS 0xcbf29ce484222325ull

rankout_t *rankout_new(chan_t *chan, const msg_t *req, arena_t *a)
{
    rankout_t *o = mem_calloc(1, sizeof *o);
    if (!o) return NULL;
    o->chan = chan;
    o->req = req;
    o->a = a;
    return o;
}

static rank_out_t *rank_out(rankout_t *r, int rank)
{
    if (rank < 0 || rank > 65535) return NULL;
    rank_out_t *o = mem_grow_zero(r->out, &r->nout, (size_t)rank + 1, sizeof *o);
    if (!o) return NULL; /* zeroed: empty text buffers, not done */
    r->out = o;
    return &o[rank];
}

static void free_outs(rankout_t *r)
{
    for (size_t i = 0; i < r->nout; i++) {
        wbuf_free(&r->out[i].text[0]);
        wbuf_free(&r->out[i].text[1]);
    }
    wbuf_free(&r->status);
    mem_free(r->out);
    r->out = NULL;
    r->nout = 0;
    r->nres = 0;
}

void rankout_destroy(rankout_t **op)
{
    if (!op || !*op) return;
    free_outs(*op);
    mem_free(*op);
    *op = NULL;
}

void rankout_begin(rankout_t *o, int local, const int *targets, size_t ntargets)
{
    o->local = local;
    o->targets = ntargets ? targets : NULL;
    o->ntargets = ntargets;
    o->li = 0;
    o->first = o->live = ntargets ? targets[0] : 0;
    for (int s = 0; s < 2; s++) {
        o->fhash[s] = FNV_BASIS;
        o->flen[s] = 0;
    }
    o->area = o->dirty = o->quiet = 0;
    o->segno++;
    o->collapse = 0;
}

void rankout_quiet(rankout_t *o)
{
    o->quiet = 1;
}

void rankout_collapse(rankout_t *o, int on)
{
    o->collapse = on && o->local;
    if (o->collapse) o->live = -1; /* everything is held for the end */
}

/* --- the live area ------------------------------------------------------------------ */

static void publish_area(rankout_t *o, const char *type, json_t *data)
{
    if (!data) return;
    chan_publish(o->chan, o->req, type,
                 json_pack("{s:o, s:{}, s:{s:s}}", "data", data, "metadata", "transient",
                           "display_id", o->display_id));
}

/* Opens the live area before the segment's first output, when the segment has one, or
 * (any: for the status line) in any segment. */
static void open_area(rankout_t *o, int any)
{
    if (o->area || o->quiet) return;
    size_t n = o->ntargets ? o->ntargets : (size_t)(o->nranks > 0 ? o->nranks : 0);
    if (!any && (!o->local || n < 2)) return;
    snprintf(o->display_id, sizeof o->display_id, "parc-live-%.64s-%u",
             msg_str(o->req->header, "msg_id", "cell"), o->segno);
    o->area = 1;
    o->dirty = 0;
    o->last_ms = 0;
    publish_area(o, "display_data", json_pack("{s:s}", "text/html", ""));
}

void rankout_size(rankout_t *o, int nranks)
{
    if (nranks > 0) o->nranks = nranks;
}

/* Start of the last `lines` lines of b (a final newline does not start an empty line). */
static size_t tail_start(const wbuf_t *b, int lines)
{
    size_t i = b->len;
    if (i && b->p[i - 1] == '\n') i--;
    while (i > 0) {
        if (b->p[i - 1] == '\n' && --lines == 0) break;
        i--;
    }
    return i;
}

/* The area's text: each held rank's latest lines, "[stdout:N] ..." as in the final output. */
static void update_area(rankout_t *o)
{
    wbuf_t t, h;
    wbuf_init(&t);
    wbuf_init(&h);
    int shown = 0, more = 0;
    if (o->status.len) {
        wbuf_bytes(&t, o->status.p, o->status.len);
        wbuf_printf(&t, "\n");
    }
    for (size_t i = 0; i < o->nout && o->local; i++) {
        if ((int)i == o->live) continue; /* it streams */
        for (int s = 0; s < 2; s++) {
            const wbuf_t *b = &o->out[i].text[s];
            if (!b->len) continue;
            if (shown >= RANKOUT_LIVE_RANKS) {
                more++;
                continue;
            }
            size_t k = tail_start(b, RANKOUT_LIVE_LINES), end = b->len;
            if (end && b->p[end - 1] == '\n') end--;
            while (k < end) {
                size_t e = k;
                while (e < end && b->p[e] != '\n')
                    e++;
                wbuf_printf(&t, "[%s:%zu] %.*s\n", s ? "stderr" : "stdout", i, (int)(e - k),
                            (const char *)b->p + k);
                k = e + 1;
            }
            shown++;
        }
    }
    if (more) wbuf_printf(&t, "... and %d more engine streams\n", more);
    if (t.len) {
        wbuf_printf(&h, "<pre>");
        wbuf_html(&h, (const char *)t.p, t.len);
        wbuf_printf(&h, "</pre>");
    }
    if (!t.oom && !h.oom)
        publish_area(o, "update_display_data",
                     json_pack("{s:s%, s:s%}", "text/plain", (const char *)t.p ? (char *)t.p : "",
                               t.len, "text/html", h.p ? (char *)h.p : "", h.len));
    wbuf_free(&t);
    wbuf_free(&h);
    o->dirty = 0;
    o->last_ms = chan_now_ms();
}

long rankout_due_ms(const rankout_t *o)
{
    if (!o->area || !o->dirty) return -1;
    long long wait = o->last_ms + RANKOUT_LIVE_MS - chan_now_ms();
    return wait > 0 ? (long)wait : 0;
}

void rankout_status(rankout_t *o, const char *text, size_t n)
{
    o->status.len = 0;
    wbuf_bytes(&o->status, text, n);
    open_area(o, 1);
    o->dirty = 1;
}

void rankout_tick(rankout_t *o)
{
    if (rankout_due_ms(o) == 0) update_area(o);
}

/* --- streams ------------------------------------------------------------------------ */

/* Emits the complete lines of buf prefixed "[stdout:N] " and keeps the rest. */
static void emit_lines(rankout_t *p, int rank, int s, wbuf_t *buf, int flush)
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
    if (!o.oom) chan_stream(p->chan, p->req, name, (const char *)o.p, o.len);
    wbuf_free(&o);
    memmove(buf->p, buf->p + end, buf->len - end);
    buf->len -= end;
}

void rankout_stream(rankout_t *r, int rank, int s, const char *text, size_t n)
{
    open_area(r, 0);
    if (!r->local && rank == r->first) {
        r->fhash[s] = fnv(r->fhash[s], text, n);
        r->flen[s] += n;
        chan_stream(r->chan, r->req, s ? "stderr" : "stdout", text, n);
        return;
    }
    rank_out_t *o = rank_out(r, rank);
    if (!o) return;
    wbuf_bytes(&o->text[s], text, n);
    if (rank != r->live) {
        r->dirty = 1;
        return;
    }
    if (r->local)
        emit_lines(r, rank, s, &o->text[s], 0);
    else
        chan_stream(r->chan, r->req, s ? "stderr" : "stdout", text, n);
}

void rankout_result(rankout_t *r, int rank, const char *plain, size_t np, const char *html,
                    size_t nh)
{
    open_area(r, 0);
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

void rankout_rank_done(rankout_t *r, int rank)
{
    open_area(r, 0);
    rank_out_t *o = rank_out(r, rank);
    if (!o || !r->local) return;
    o->done = 1;
    while (!r->collapse && r->live >= 0 && (size_t)r->live < r->nout && r->out[r->live].done) {
        for (int s = 0; s < 2; s++)
            emit_lines(r, r->live, s, &r->out[r->live].text[s], 1);
        if (r->targets)
            r->live = ++r->li < r->ntargets ? r->targets[r->li] : -1;
        else
            r->live = r->live < 65535 ? r->live + 1 : -1;
        if (r->live >= 0 && (size_t)r->live < r->nout) {
            for (int s = 0; s < 2; s++)
                if (r->out[r->live].text[s].len) r->dirty = 1; /* it leaves the area */
            for (int s = 0; s < 2; s++)
                emit_lines(r, r->live, s, &r->out[r->live].text[s], 0);
        }
    }
}

static int cmp_res(const void *a, const void *b)
{
    const local_result_t *x = a, *y = b;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

/* Where rank's next unshown line starts in its text on one stream, during a collapse. */
typedef struct {
    int rank;
    size_t at;
} cursor_t;

/* The line at c (without '\n'), or NULL at the end of that rank's text. */
static const char *line_at(const rankout_t *r, const cursor_t *c, int s, size_t *n)
{
    const wbuf_t *b = &r->out[c->rank].text[s];
    if (c->at >= b->len) return NULL;
    const char *p = (const char *)b->p + c->at;
    const char *e = memchr(p, '\n', b->len - c->at);
    *n = e ? (size_t)(e - p) : b->len - c->at;
    return p;
}

/* --collapse: the k-th lines of all ranks are compared; each distinct text is shown once
 * with the set of ranks that printed it, groups in order of their lowest rank. */
static void collapse_stream(rankout_t *r, int s)
{
    size_t nc = 0;
    cursor_t *cur = arena_array(r->a, r->nout ? r->nout : 1, sizeof *cur);
    int *set = arena_array(r->a, r->nout ? r->nout : 1, sizeof *set);
    char *used = arena_alloc(r->a, r->nout ? r->nout : 1);
    if (!cur || !set || !used) return;
    for (size_t i = 0; i < r->nout; i++)
        if (r->out[i].text[s].len) cur[nc++] = (cursor_t){(int)i, 0};
    const char *name = s ? "stderr" : "stdout";
    wbuf_t o;
    wbuf_init(&o);
    for (;;) {
        int any = 0;
        memset(used, 0, nc);
        for (size_t i = 0; i < nc; i++) {
            size_t n, m;
            const char *li = used[i] ? NULL : line_at(r, &cur[i], s, &n);
            if (!li) continue;
            any = 1;
            size_t k = 0;
            for (size_t j = i; j < nc; j++) {
                const char *lj = used[j] ? NULL : line_at(r, &cur[j], s, &m);
                if (!lj || m != n || memcmp(li, lj, n) != 0) continue;
                used[j] = 1;
                set[k++] = cur[j].rank;
                if (j != i) cur[j].at += m + 1;
            }
            wbuf_printf(&o, "[%s:", name);
            engerr_rank_set(&o, set, k);
            wbuf_printf(&o, "] %.*s\n", (int)n, li);
            cur[i].at += n + 1;
        }
        if (!any) break;
        if (o.len >= 65536) {
            if (!o.oom) chan_stream(r->chan, r->req, name, (const char *)o.p, o.len);
            o.len = 0;
        }
    }
    if (o.len && !o.oom) chan_stream(r->chan, r->req, name, (const char *)o.p, o.len);
    wbuf_free(&o);
}

static void publish_result(rankout_t *r, const char *head, const local_result_t *res)
{
    wbuf_t t;
    wbuf_init(&t);
    wbuf_printf(&t, "%s%s", head, res->plain);
    json_t *data = json_pack("{s:s}", "text/plain", wbuf_cstring(&t));
    wbuf_free(&t);
    if (data && res->html) json_object_set_new(data, "text/html", json_string(res->html));
    if (!data) return;
    chan_publish(r->chan, r->req, "display_data",
                 json_pack("{s:o, s:{}, s:{}}", "data", data, "metadata", "transient"));
}

/* --collapse: identical results shown once, "Out[0-3:5]: ...", in order of lowest rank. */
static void collapse_results(rankout_t *r, uint32_t cell)
{
    char *used = arena_alloc(r->a, r->nres ? r->nres : 1);
    int *set = arena_array(r->a, r->nres ? r->nres : 1, sizeof *set);
    if (!used || !set) return;
    memset(used, 0, r->nres);
    for (size_t i = 0; i < r->nres; i++) {
        if (used[i]) continue;
        size_t k = 0;
        for (size_t j = i; j < r->nres; j++) {
            if (used[j] || strcmp(r->res[i].plain, r->res[j].plain) != 0) continue;
            used[j] = 1;
            set[k++] = r->res[j].rank;
        }
        wbuf_t h;
        wbuf_init(&h);
        wbuf_printf(&h, "Out[");
        engerr_rank_set(&h, set, k);
        wbuf_printf(&h, ":%u]: ", cell);
        if (!h.oom) publish_result(r, wbuf_cstring(&h), &r->res[i]);
        wbuf_free(&h);
    }
}

void rankout_flush(rankout_t *r, uint32_t cell)
{
    if (r->area) publish_area(r, "update_display_data", json_pack("{s:s}", "text/html", ""));
    r->area = r->dirty = 0;
    if (r->collapse) {
        collapse_stream(r, 0);
        collapse_stream(r, 1);
        if (r->nres) qsort(r->res, r->nres, sizeof *r->res, cmp_res);
        collapse_results(r, cell);
        free_outs(r);
        return;
    }
    for (size_t i = 0; i < r->nout; i++) {
        for (int s = 0; s < 2; s++) {
            wbuf_t *b = &r->out[i].text[s];
            if (r->local) {
                emit_lines(r, (int)i, s, b, 1);
            } else if ((int)i != r->first && b->len) {
                if (b->len != r->flen[s] ||
                    fnv(FNV_BASIS, (const char *)b->p, b->len) != r->fhash[s])
                    emit_lines(r, (int)i, s, b, 1);
            }
        }
    }
    if (r->nres) qsort(r->res, r->nres, sizeof *r->res, cmp_res);
    for (size_t i = 0; i < r->nres; i++) {
        char head[48];
        snprintf(head, sizeof head, "Out[%d:%u]: ", r->res[i].rank, cell);
        publish_result(r, head, &r->res[i]);
    }
    free_outs(r);
}
