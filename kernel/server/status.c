/* status.c - the status line of a long segment (see status.h).
 *
 * One entry per rank of the segment holds its last answer. The text groups the ranks that
 * do the same thing at the same statement, in order of their lowest rank, and names each
 * group's ranks as engerr_ names an error's ("engines 0-6", "engine 7"); a group of
 * computing engines says how far their array operation has got ("computing 40-62%"). */
#include "status.h"
#include "engerr.h"
#include "mem.h"

#include <stdio.h>
#include <string.h>

enum { E_WAITING = 0, E_ANSWERED, E_FINISHED }; /* an entry's kind */

typedef struct {
    int rank;
    int kind;
    pool_progress_t pg;
} entry_t;

struct status {
    entry_t *e;
    size_t n, cap;
    const int *targets; /* borrowed; NULL: every rank */
    size_t ntargets;
    int sized;       /* the entries are made */
    double t0, next; /* the segment's start; when the next question is due (0: none) */
    int asked;       /* a question went out since the segment began */
};

static const char *const state_names[] = {
    "finishing",      "computing",           "waiting in a reduction", "waiting in a collective",
    "sending output", "waiting for input()",
};

status_t *status_new(void)
{
    return mem_calloc(1, sizeof(status_t));
}

void status_destroy(status_t **sp)
{
    if (!sp || !*sp) return;
    mem_free((*sp)->e);
    mem_free(*sp);
    *sp = NULL;
}

void status_begin(status_t *s, const int *targets, size_t ntargets, double t0)
{
    s->targets = ntargets ? targets : NULL;
    s->ntargets = ntargets;
    s->n = 0;
    s->sized = 0;
    s->t0 = t0;
    s->next = t0 + STATUS_AFTER_S - STATUS_EVERY_S;
    s->asked = 0;
}

void status_size(status_t *s, int nranks)
{
    if (s->sized) return;
    size_t n = s->ntargets ? s->ntargets : (size_t)(nranks > 0 ? nranks : 0);
    const int *targets = s->targets;
    size_t ntargets = s->ntargets;
    if (!n) return;
    s->sized = 1;
    if (n > s->cap) {
        entry_t *e = mem_alloc(n * sizeof *e);
        if (!e) return; /* no status line for this segment */
        mem_free(s->e);
        s->e = e;
        s->cap = n;
    }
    for (size_t i = 0; i < n; i++)
        s->e[i] = (entry_t){ntargets ? targets[i] : (int)i, E_WAITING, {0}};
    s->n = n;
}

static entry_t *find(status_t *s, int rank)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->e[i].rank == rank) return &s->e[i];
    return NULL;
}

void status_progress(status_t *s, int rank, const pool_progress_t *pg)
{
    entry_t *e = find(s, rank);
    if (!e || e->kind == E_FINISHED) return;
    e->kind = E_ANSWERED;
    e->pg = *pg;
}

void status_rank_done(status_t *s, int rank)
{
    entry_t *e = find(s, rank);
    if (e) e->kind = E_FINISHED;
}

/* Two entries are in one group when they do the same thing at the same statement. */
static int same(const entry_t *a, const entry_t *b)
{
    if (a->kind != b->kind) return 0;
    if (a->kind != E_ANSWERED) return 1;
    return a->pg.state == b->pg.state && a->pg.cell == b->pg.cell && a->pg.line == b->pg.line;
}

/* Appends "line 3: s = (a * b).sum()" (the source line trimmed and cut). */
static void where(const entry_t *e, lang_source_fn src, void *ud, wbuf_t *out)
{
    wbuf_printf(out, "line %d", (int)e->pg.line);
    size_t len = 0;
    const char *p = src ? src(ud, e->pg.cell, &len) : NULL;
    for (int l = 1; p && l < e->pg.line; l++) {
        const char *nl = memchr(p, '\n', len);
        if (!nl)
            p = NULL;
        else {
            len -= (size_t)(nl + 1 - p);
            p = nl + 1;
        }
    }
    if (!p) return;
    const char *nl = memchr(p, '\n', len);
    size_t n = nl ? (size_t)(nl - p) : len;
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
        n--;
    if (!n) return;
    if (n > STATUS_CODE_MAX)
        wbuf_printf(out, ": %.*s...", STATUS_CODE_MAX - 3, p);
    else
        wbuf_printf(out, ": %.*s", (int)n, p);
}

static const char *what(const entry_t *e)
{
    if (e->kind == E_FINISHED) return "finished";
    if (e->kind == E_WAITING) return "not answering";
    int st = e->pg.state;
    return st >= 0 && st < (int)(sizeof state_names / sizeof *state_names) ? state_names[st]
                                                                           : "busy";
}

/* One group: "engines 0-6 waiting in a reduction", with " 40-62%" for computing engines
 * inside an array operation. */
static void group(const status_t *s, size_t first, const char *used, int *ranks, wbuf_t *out)
{
    const entry_t *g = &s->e[first];
    size_t k = 0;
    int lo = 101, hi = -1;
    for (size_t j = first; j < s->n; j++) {
        const entry_t *e = &s->e[j];
        if (used[j] != 2 && j != first) continue;
        ranks[k++] = e->rank;
        if (e->kind == E_ANSWERED && e->pg.total > 0) {
            int pc = (int)(100.0 * (double)e->pg.done / (double)e->pg.total);
            if (pc < lo) lo = pc;
            if (pc > hi) hi = pc;
        }
    }
    wbuf_printf(out, "%s ", k == 1 ? "engine" : "engines");
    engerr_rank_set(out, ranks, k);
    wbuf_printf(out, " %s", what(g));
    if (g->kind == E_ANSWERED && g->pg.state == 1 && hi >= 0) {
        if (lo == hi)
            wbuf_printf(out, " %d%%", lo);
        else
            wbuf_printf(out, " %d-%d%%", lo, hi);
    }
}

void status_format(const status_t *s, double now, lang_source_fn src, void *ud, wbuf_t *out)
{
    wbuf_printf(out, "running for %.1f s", now - s->t0);
    if (!s->n) return;
    /* One statement for every engine still at work: it goes on the first line. */
    const entry_t *at = NULL;
    int one = 1;
    for (size_t i = 0; i < s->n; i++) {
        const entry_t *e = &s->e[i];
        if (e->kind != E_ANSWERED) continue;
        if (!at)
            at = e;
        else if (e->pg.cell != at->pg.cell || e->pg.line != at->pg.line)
            one = 0;
    }
    if (at && one && at->pg.line > 0) {
        wbuf_printf(out, ", ");
        where(at, src, ud, out);
    }
    char *used = mem_calloc(s->n, 1);
    int *ranks = mem_alloc(s->n * sizeof *ranks);
    if (!used || !ranks) {
        mem_free(used);
        mem_free(ranks);
        return;
    }
    size_t groups = 0, left = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (used[i]) continue;
        for (size_t j = i + 1; j < s->n; j++)
            if (!used[j] && same(&s->e[i], &s->e[j])) used[j] = 2; /* in this group */
        used[i] = 1;
        if (groups >= STATUS_GROUPS) {
            left++;
        } else {
            wbuf_printf(out, one ? (groups ? ", " : "\n") : "\n");
            group(s, i, used, ranks, out);
            if (!one && s->e[i].kind == E_ANSWERED && s->e[i].pg.line > 0) {
                wbuf_printf(out, " at ");
                where(&s->e[i], src, ud, out);
            }
            groups++;
        }
        for (size_t j = i + 1; j < s->n; j++)
            if (used[j] == 2) used[j] = 1;
    }
    if (left) wbuf_printf(out, "%sand %zu more groups of engines", one ? ", " : "\n", left);
    mem_free(used);
    mem_free(ranks);
}

int status_tick(status_t *s, double now, lang_source_fn src, void *ud, wbuf_t *out)
{
    if (!s->n || !s->next || now < s->next) return 0;
    int due = STATUS_ASK;
    if (s->asked && now - s->t0 >= STATUS_AFTER_S - 1e-3) {
        status_format(s, now, src, ud, out);
        due |= STATUS_SHOW;
    }
    s->asked = 1;
    s->next = now + STATUS_EVERY_S;
    return due;
}

long status_due_ms(const status_t *s, double now)
{
    if (!s->n || !s->next) return -1;
    double w = (s->next - now) * 1e3;
    return w > 0 ? (long)w + 1 : 0;
}
