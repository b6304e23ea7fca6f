/* pxbg.c - a %px --noblock cell's output, kept until %pxresult (see pxbg.h).
 *
 * The kept text is replayed into a fresh rankout_ of the %pxresult cell, rank by rank, so
 * prefixes, rank order, --collapse grouping and "Out[rank:cell]: " lines are rankout_'s own
 * and cannot drift from what a blocking cell shows. The errors go through engerr_ the same
 * way, restricted to the ranks asked for. */
#include "pxbg.h"
#include "engerr.h"
#include "mem.h"
#include "rankout.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    wbuf_t text[2]; /* stdout, stderr as received */
    size_t dropped; /* bytes past PXBG_MAX_BYTES, not kept */
} bg_rank_t;

typedef struct {
    int rank;
    char *plain, *html; /* owned; html NULL when none */
    size_t np, nh;
} bg_res_t;

struct pxbg {
    uint32_t cell;
    int line, col; /* where the segment starts in its cell */
    int *targets;  /* owned, sorted; NULL: every rank */
    size_t ntargets;
    int collapse;
    bg_rank_t *r; /* indexed by rank */
    size_t nr;
    size_t kept; /* stream bytes kept so far */
    bg_res_t *res;
    size_t nres, capres;
    int finished;
    pool_done_t done;        /* its ranks point into `ranks` */
    pool_rank_done_t *ranks; /* owned copy */
    char timeout_msg[192];   /* the TimeoutError's text, when the limit stopped it */
};

pxbg_t *pxbg_new(uint32_t cell, int line, int col, const int *targets, size_t ntargets,
                 int collapse)
{
    pxbg_t *b = mem_calloc(1, sizeof *b);
    if (!b) return NULL;
    b->cell = cell;
    b->line = line;
    b->col = col;
    b->collapse = collapse;
    if (ntargets) {
        b->targets = mem_alloc(ntargets * sizeof *b->targets);
        if (!b->targets) {
            mem_free(b);
            return NULL;
        }
        memcpy(b->targets, targets, ntargets * sizeof *b->targets);
        b->ntargets = ntargets;
    }
    return b;
}

void pxbg_destroy(pxbg_t **bp)
{
    if (!bp || !*bp) return;
    pxbg_t *b = *bp;
    for (size_t i = 0; i < b->nr; i++) {
        wbuf_free(&b->r[i].text[0]);
        wbuf_free(&b->r[i].text[1]);
    }
    for (size_t i = 0; i < b->nres; i++) {
        mem_free(b->res[i].plain);
        mem_free(b->res[i].html);
    }
    mem_free(b->r);
    mem_free(b->res);
    mem_free(b->ranks);
    mem_free(b->targets);
    mem_free(b);
    *bp = NULL;
}

static bg_rank_t *rank_of(pxbg_t *b, int rank)
{
    if (rank < 0 || rank > 65535) return NULL;
    bg_rank_t *r = mem_grow_zero(b->r, &b->nr, (size_t)rank + 1, sizeof *r);
    if (!r) return NULL; /* zeroed: empty text buffers, nothing dropped */
    b->r = r;
    return &r[rank];
}

void pxbg_stream(pxbg_t *b, int rank, int stream, const char *text, size_t n)
{
    bg_rank_t *r = rank_of(b, rank);
    if (!r) return;
    if (b->kept + n > PXBG_MAX_BYTES || r->text[stream != 0].oom) {
        r->dropped += n;
        return;
    }
    wbuf_bytes(&r->text[stream != 0], text, n);
    b->kept += n;
}

void pxbg_result(pxbg_t *b, int rank, const char *plain, size_t np, const char *html, size_t nh)
{
    if (b->nres == b->capres) {
        size_t cap = b->capres ? b->capres * 2 : 8;
        bg_res_t *nr = mem_realloc(b->res, cap * sizeof *nr);
        if (!nr) return;
        b->res = nr;
        b->capres = cap;
    }
    bg_res_t *r = &b->res[b->nres];
    r->rank = rank;
    r->plain = mem_strndup(plain, np);
    r->html = nh ? mem_strndup(html, nh) : NULL;
    r->np = r->plain ? strlen(r->plain) : 0;
    r->nh = r->html ? strlen(r->html) : 0;
    if (r->plain)
        b->nres++;
    else
        mem_free(r->html);
}

int pxbg_done(pxbg_t *b, const pool_done_t *d, double timeout)
{
    b->finished = 1;
    b->done = *d;
    b->done.ranks = NULL;
    b->done.nranks = 0;
    if (d->nranks) {
        b->ranks = mem_alloc(d->nranks * sizeof *b->ranks);
        if (!b->ranks) return PARC_ENOMEM;
        memcpy(b->ranks, d->ranks, d->nranks * sizeof *b->ranks);
        b->done.ranks = b->ranks;
        b->done.nranks = d->nranks;
    }
    if (timeout > 0 && d->code == PARC_EINTR) {
        err_clear(&b->done.pool_err);
        err_set(&b->done.pool_err, PARC_ETIMEOUT, (span_t){0},
                "the cell ran longer than its time limit of %g s and was interrupted; the "
                "variables are as the last finished statement left them",
                timeout);
        b->done.code = PARC_ETIMEOUT;
    }
    return 0;
}

int pxbg_finished(const pxbg_t *b)
{
    return b->finished;
}

uint32_t pxbg_cell(const pxbg_t *b)
{
    return b->cell;
}

void pxbg_describe(const pxbg_t *b, int nranks, wbuf_t *out)
{
    if (b->ntargets) {
        engerr_rank_set(out, b->targets, b->ntargets);
    } else if (nranks > 1) {
        wbuf_printf(out, "0-%d", nranks - 1);
    } else if (nranks == 1) {
        wbuf_printf(out, "0");
    } else {
        wbuf_printf(out, "all");
    }
}

/* The ranks the cell ran on: its targets, else the ranks that reported, else those that
 * printed. Sorted, from the arena. */
static int *ran_on(const pxbg_t *b, arena_t *a, size_t *n)
{
    size_t cap = b->ntargets ? b->ntargets : b->done.nranks ? b->done.nranks : b->nr;
    int *set = arena_array(a, cap ? cap : 1, sizeof *set);
    if (!set) return NULL;
    *n = 0;
    if (b->ntargets) {
        memcpy(set, b->targets, b->ntargets * sizeof *set);
        *n = b->ntargets;
    } else if (b->done.nranks) {
        for (size_t i = 0; i < b->done.nranks; i++)
            set[(*n)++] = b->done.ranks[i].rank;
    } else {
        for (size_t i = 0; i < b->nr; i++)
            set[(*n)++] = (int)i;
    }
    return set;
}

static int has(const int *set, size_t n, int rank)
{
    for (size_t i = 0; i < n; i++)
        if (set[i] == rank) return 1;
    return 0;
}

typedef struct {
    const pxbg_t *b;
    lang_source_fn src;
    void *ud;
} fixer_t;

static void fix_at(void *ud, span_t *s)
{
    const fixer_t *f = ud;
    if (s->cell == f->b->cell && s->line == f->b->line) s->col += f->b->col;
}

static const char *source_of(void *ud, uint32_t cell, size_t *len)
{
    const fixer_t *f = ud;
    return f->src ? f->src(f->ud, cell, len) : NULL;
}

/* The merged traceback of the failures among sel[] (all of the cell's ranks: all). */
static int errors(const pxbg_t *b, arena_t *a, const int *sel, size_t nsel, int all,
                  lang_source_fn src, void *ud, wbuf_t *tb, const char **ename, const char **evalue)
{
    pool_done_t d = b->done;
    pool_rank_done_t *rs = arena_array(a, d.nranks ? d.nranks : 1, sizeof *rs);
    if (!rs) return PARC_ENOMEM;
    size_t n = 0, nfail = 0;
    for (size_t i = 0; i < b->done.nranks; i++) {
        if (!has(sel, nsel, b->done.ranks[i].rank)) continue;
        rs[n] = b->done.ranks[i];
        nfail += rs[n].err.code != 0;
        n++;
    }
    d.ranks = rs;
    d.nranks = n;
    if (!d.code || (!d.pool_err.code && nfail == 0 && !all)) return 0;
    fixer_t f = {b, src, ud};
    return engerr_format(&d, 1, a, fix_at, source_of, &f, tb, ename, evalue);
}

int pxbg_show(pxbg_t *b, chan_t *chan, const msg_t *req, arena_t *a, const int *only, size_t nonly,
              lang_source_fn src, void *ud, wbuf_t *tb, const char **ename, const char **evalue)
{
    *ename = *evalue = NULL;
    size_t nsel;
    int *sel = ran_on(b, a, &nsel);
    if (!sel) return PARC_ENOMEM;
    if (nonly) {
        for (size_t i = 0; i < nonly; i++)
            if (!has(sel, nsel, only[i])) return PARC_EVALUE;
        sel = (int *)only;
        nsel = nonly;
    }
    rankout_t *o = rankout_new(chan, req, a);
    if (!o) return PARC_ENOMEM;
    rankout_begin(o, 1, sel, nsel);
    rankout_quiet(o);
    rankout_collapse(o, b->collapse);
    for (size_t i = 0; i < nsel; i++) {
        if ((size_t)sel[i] < b->nr) {
            bg_rank_t *r = &b->r[sel[i]];
            for (int s = 0; s < 2; s++)
                if (r->text[s].len)
                    rankout_stream(o, sel[i], s, (const char *)r->text[s].p, r->text[s].len);
            if (r->dropped) {
                char note[128];
                const wbuf_t *e = &r->text[1];
                int nl = e->len && e->p[e->len - 1] != '\n';
                int k =
                    snprintf(note, sizeof note, "%s[... %zu more bytes of output were not kept]\n",
                             nl ? "\n" : "", r->dropped);
                rankout_stream(o, sel[i], 1, note, (size_t)k);
            }
        }
        rankout_rank_done(o, sel[i]);
    }
    for (size_t i = 0; i < b->nres; i++)
        if (has(sel, nsel, b->res[i].rank))
            rankout_result(o, b->res[i].rank, b->res[i].plain, b->res[i].np, b->res[i].html,
                           b->res[i].nh);
    rankout_flush(o, b->cell);
    rankout_destroy(&o);
    return errors(b, a, sel, nsel, nonly == 0, src, ud, tb, ename, evalue);
}
