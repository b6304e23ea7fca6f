/* engerr.c - merges the engines' errors of one request into one traceback (see engerr.h). */
#include "engerr.h"

#include <stdio.h>
#include <string.h>

void engerr_rank_set(wbuf_t *b, const int *ranks, size_t n)
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

/* One error from the kernel's side (the pool itself, or a code no rank explains). */
static void one_error(err_t e, engerr_fix_fn fix, lang_source_fn src, void *ud, wbuf_t *tb)
{
    if (fix) fix(ud, &e.at);
    lang_format_error(&e, NULL, 0, "", src, ud, tb);
}

/* Engine errors grouped by identical message; one traceback block per group. */
int engerr_format(const pool_done_t *d, int local, arena_t *a, engerr_fix_fn fix,
                  lang_source_fn src, void *ud, wbuf_t *tb, const char **ename, const char **evalue)
{
    *ename = *evalue = NULL;
    if (d->pool_err.code) {
        one_error(d->pool_err, fix, src, ud, tb);
        *ename = err_kind(d->pool_err.code);
        /* a copy: d may be the caller's local copy (pxbg's errors), gone when it returns */
        *evalue = arena_strndup(a, d->pool_err.msg, strlen(d->pool_err.msg));
        return *evalue ? 0 : PARC_ENOMEM;
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
        one_error(e, fix, src, ud, tb);
        *ename = err_kind(e.code);
        *evalue = arena_strndup(a, e.msg, strlen(e.msg));
        return *evalue ? 0 : PARC_ENOMEM;
    }
    char *done = arena_alloc(a, d->nranks + 1);
    int *set = arena_array(a, d->nranks + 1, sizeof *set);
    if (!done || !set) return PARC_ENOMEM;
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
        /* a MemoryError always names its engines: the sizes are theirs */
        if (local || k < d->nranks || g->err.code == PARC_ENOMEM) {
            wbuf_printf(&who, "[");
            engerr_rank_set(&who, set, k);
            wbuf_printf(&who, ":execute] ");
        }
        lang_frame_t fr[16];
        size_t nf = g->nframes < 16 ? g->nframes : 16;
        for (size_t f = 0; f < nf; f++) {
            fr[f].at = g->frames[f].at;
            if (fix) fix(ud, &fr[f].at);
            fr[f].fn = g->frames[f].fn;
        }
        err_t e = g->err;
        if (fix) fix(ud, &e.at);
        if (tb->len) wbuf_printf(tb, "\n");
        lang_format_error(&e, fr, nf, wbuf_cstring(&who), src, ud, tb);
        wbuf_free(&who);
        if (!*ename) {
            *ename =
                g->kind[0] ? arena_strndup(a, g->kind, strlen(g->kind)) : err_kind(g->err.code);
            *evalue = arena_strndup(a, g->err.msg, strlen(g->err.msg));
            if (!*ename || !*evalue) return PARC_ENOMEM;
        }
    }
    if (!*ename) *ename = "EngineError";
    if (!*evalue) *evalue = "";
    return 0;
}
