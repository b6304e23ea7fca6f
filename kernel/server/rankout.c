/* rankout.c - one segment's engine output, held per rank (see rankout.h).
 *
 * One rank streams live (the lowest targeted one at first); the others are held, so the
 * output comes out in rank order every run and saved notebooks diff cleanly (SPEC §7). In
 * local view, when the live rank finishes, its rest is shown and the next targeted rank
 * takes over: it shows what it held and streams from then on; a rank that finishes early
 * waits, held, until every rank before it has finished. Every line is prefixed with its
 * engine and lines are kept whole. In global view every rank prints the same text, so the
 * live rank stays the first, and another rank's output is shown at the end only where it
 * differs from the first's. */
#include "rankout.h"
#include "mem.h"
#include "wire.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    wbuf_t text[2]; /* stdout, stderr received from one rank during the segment */
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
    int first;           /* lowest targeted rank: in global view, the one shown live */
    int live;            /* rank whose output is shown as it arrives; -1: none left */
    const int *targets;  /* borrowed; NULL: every rank */
    size_t ntargets, li; /* live == targets[li] */
    rank_out_t *out;
    size_t nout;
    local_result_t *res;
    size_t nres, capres;
};

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
    if ((size_t)rank >= r->nout) {
        size_t n = (size_t)rank + 1;
        rank_out_t *o = mem_realloc(r->out, n * sizeof *o);
        if (!o) return NULL;
        for (size_t i = r->nout; i < n; i++) {
            wbuf_init(&o[i].text[0]);
            wbuf_init(&o[i].text[1]);
            o[i].done = 0;
        }
        r->out = o;
        r->nout = n;
    }
    return &r->out[rank];
}

static void free_outs(rankout_t *r)
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
}

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
    rank_out_t *o = rank_out(r, rank);
    if (!o) return;
    wbuf_bytes(&o->text[s], text, n);
    if (rank != r->live) return;
    if (r->local)
        emit_lines(r, rank, s, &o->text[s], 0);
    else
        chan_stream(r->chan, r->req, s ? "stderr" : "stdout", text, n);
}

void rankout_result(rankout_t *r, int rank, const char *plain, size_t np, const char *html,
                    size_t nh)
{
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
    rank_out_t *o = rank_out(r, rank);
    if (!o || !r->local) return;
    o->done = 1;
    while (r->live >= 0 && (size_t)r->live < r->nout && r->out[r->live].done) {
        for (int s = 0; s < 2; s++)
            emit_lines(r, r->live, s, &r->out[r->live].text[s], 1);
        if (r->targets)
            r->live = ++r->li < r->ntargets ? r->targets[r->li] : -1;
        else
            r->live = r->live < 65535 ? r->live + 1 : -1;
        if (r->live >= 0 && (size_t)r->live < r->nout)
            for (int s = 0; s < 2; s++)
                emit_lines(r, r->live, s, &r->out[r->live].text[s], 0);
    }
}

static int cmp_res(const void *a, const void *b)
{
    const local_result_t *x = a, *y = b;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

void rankout_flush(rankout_t *r, uint32_t cell)
{
    for (size_t i = 0; i < r->nout; i++) {
        for (int s = 0; s < 2; s++) {
            wbuf_t *b = &r->out[i].text[s];
            if (r->local) {
                emit_lines(r, (int)i, s, b, 1);
            } else if ((int)i != r->first && b->len) {
                wbuf_t *f = (size_t)r->first < r->nout ? &r->out[r->first].text[s] : NULL;
                if (!f || f->len != b->len || memcmp(f->p, b->p, b->len) != 0)
                    emit_lines(r, (int)i, s, b, 1);
            }
        }
    }
    if (r->nres) qsort(r->res, r->nres, sizeof *r->res, cmp_res);
    for (size_t i = 0; i < r->nres; i++) {
        wbuf_t t;
        wbuf_init(&t);
        wbuf_printf(&t, "Out[%d:%u]: %s", r->res[i].rank, cell, r->res[i].plain);
        json_t *data = json_pack("{s:s}", "text/plain", wbuf_cstring(&t));
        wbuf_free(&t);
        if (data && r->res[i].html)
            json_object_set_new(data, "text/html", json_string(r->res[i].html));
        if (!data) continue;
        chan_publish(r->chan, r->req, "display_data",
                     json_pack("{s:o, s:{}, s:{}}", "data", data, "metadata", "transient"));
    }
    free_outs(r);
}
