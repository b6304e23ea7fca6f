/* verify.c - %verify on fresh pools (see verify.h).
 *
 * One pool at a time, each through four states: started (pool_side_start) and sent the
 * setup, then sent the statement, then let go. The pool's callbacks only record what came
 * back and move the state on; verify_step, called from exec_'s loop turn, sends the next
 * request and lets a finished pool go, so no pool is destroyed inside its own callback. */
#include "verify.h"
#include "link.h"
#include "mem.h"

#include <stdio.h>
#include <string.h>

enum { V_START, V_SETUP, V_SETUP_DONE, V_RUN, V_RUN_DONE, V_OVER };

typedef struct {
    int n;       /* engines */
    wbuf_t text; /* the result's text, or the error ("ValueError: ...") */
    int failed;  /* the pool did not start or the statement failed */
    int have;    /* a result arrived */
} vres_t;

struct verify {
    pool_t *pool; /* borrowed: the user's pool, whose side pools these are */
    pool_t *side; /* the running fresh pool (borrowed from pool) */
    wbuf_t setup, stmt;
    uint32_t cell;
    vres_t res[VERIFY_MAX_POOLS];
    size_t n, i;
    int st;
    int stop; /* interrupted: the remaining pools are not started */
};

verify_t *verify_new(pool_t *pool, const int *sizes, size_t n, const wbuf_t *setup,
                     const wbuf_t *stmt, uint32_t cell)
{
    if (n > VERIFY_MAX_POOLS) return NULL;
    verify_t *v = mem_calloc(1, sizeof *v);
    if (!v) return NULL;
    v->pool = pool;
    v->cell = cell;
    v->n = n;
    wbuf_init(&v->setup);
    wbuf_init(&v->stmt);
    wbuf_bytes(&v->setup, setup->p, setup->len);
    wbuf_bytes(&v->stmt, stmt->p, stmt->len);
    for (size_t i = 0; i < n; i++) {
        v->res[i].n = sizes[i];
        wbuf_init(&v->res[i].text);
    }
    if (v->setup.oom || v->stmt.oom) verify_destroy(&v);
    return v;
}

void verify_destroy(verify_t **vp)
{
    verify_t *v = vp ? *vp : NULL;
    if (!v) return;
    if (v->side) pool_side_end(v->pool);
    for (size_t i = 0; i < v->n; i++)
        wbuf_free(&v->res[i].text);
    wbuf_free(&v->setup);
    wbuf_free(&v->stmt);
    mem_free(v);
    *vp = NULL;
}

static void fail(vres_t *r, const char *kind, const char *msg)
{
    r->failed = 1;
    r->text.len = 0;
    wbuf_printf(&r->text, "%s: %s", kind, msg);
}

static void on_result(void *ud, int rank, const char *plain, size_t np, const char *html, size_t nh)
{
    verify_t *v = ud;
    (void)html;
    (void)nh;
    if (v->st != V_RUN || rank != 0) return;
    vres_t *r = &v->res[v->i];
    r->text.len = 0;
    wbuf_bytes(&r->text, plain, np);
    r->have = 1;
}

static void on_input(void *ud, int rank, const char *prompt, int password)
{
    verify_t *v = ud;
    (void)rank;
    (void)prompt;
    (void)password;
    if (v->side) pool_input_reply(v->side, NULL, 0);
}

/* The first error of a failed request, as "Kind: message". */
static void on_done(void *ud, const pool_done_t *d)
{
    verify_t *v = ud;
    vres_t *r = &v->res[v->i];
    if (d->code) {
        const pool_rank_done_t *g = NULL;
        for (size_t k = 0; k < d->nranks && !g; k++)
            if (d->ranks[k].err.code) g = &d->ranks[k];
        if (d->pool_err.code || !g)
            fail(r, err_kind(d->pool_err.code ? d->pool_err.code : d->code),
                 d->pool_err.code ? d->pool_err.msg : "the engines failed");
        else
            fail(r, g->kind[0] ? g->kind : err_kind(g->err.code), g->err.msg);
    }
    if (d->code == PARC_EINTR) v->stop = 1;
    v->st = v->st == V_SETUP ? V_SETUP_DONE : V_RUN_DONE;
    if (r->failed) v->st = V_RUN_DONE;
}

static int send(verify_t *v, const wbuf_t *ir, uint32_t flags)
{
    pool_cb_t cb = {.ud = v, .on_result = on_result, .on_input = on_input, .on_done = on_done};
    err_t err;
    err_clear(&err);
    if (pool_exec(v->side, LINK_GLOBAL, NULL, 0, v->cell, flags, ir->p, ir->len, &cb, &err)) {
        fail(&v->res[v->i], err_kind(err.code ? err.code : PARC_EENGINE), err.msg);
        return -1;
    }
    return 0;
}

int verify_step(verify_t *v)
{
    for (;;) {
        vres_t *r = &v->res[v->i];
        switch (v->st) {
        case V_START: {
            if (v->i >= v->n) {
                v->st = V_OVER;
                return 0;
            }
            err_t err;
            err_clear(&err);
            v->side = pool_side_start(v->pool, r->n, &err);
            if (!v->side) {
                fail(r, err_kind(err.code ? err.code : PARC_EENGINE), err.msg);
                v->st = V_RUN_DONE;
                continue;
            }
            v->st = V_SETUP;
            if (send(v, &v->setup, LINK_F_SILENT)) v->st = V_RUN_DONE;
            continue;
        }
        case V_SETUP_DONE:
            v->st = V_RUN;
            if (send(v, &v->stmt, 0)) v->st = V_RUN_DONE;
            continue;
        case V_RUN_DONE:
            if (v->side) pool_side_end(v->pool);
            v->side = NULL;
            v->i = v->stop ? v->n : v->i + 1;
            v->st = V_START;
            continue;
        case V_OVER:
            return 0;
        default: /* V_SETUP, V_RUN: the engines are at it */
            return 1;
        }
    }
}

/* Shows a result's text, its first lines when it is long. */
static void show_text(wbuf_t *out, const wbuf_t *t)
{
    size_t lines = 0, cut = t->len;
    for (size_t k = 0; k < t->len; k++)
        if (t->p[k] == '\n' && ++lines == 6 && cut == t->len) cut = k;
    wbuf_bytes(out, t->p, cut);
    if (cut < t->len) wbuf_printf(out, "\n    ... (%zu lines in all)", lines + 1);
    wbuf_printf(out, "\n");
}

static int same(const vres_t *a, const vres_t *b)
{
    return a->text.len == b->text.len && memcmp(a->text.p, b->text.p, a->text.len) == 0;
}

int verify_report(const verify_t *v, wbuf_t *out)
{
    int failed = 0, groups = 0;
    for (size_t i = 0; i < v->n; i++) {
        const vres_t *r = &v->res[i];
        wbuf_printf(out, "%d engine%s: ", r->n, r->n == 1 ? "" : "s");
        if (!r->failed && !r->have)
            wbuf_printf(out, "(no value)\n");
        else
            show_text(out, &r->text);
        failed |= r->failed;
    }
    if (failed) {
        wbuf_printf(out, "The bits cannot be compared: the statement failed on ");
        for (size_t i = 0, k = 0; i < v->n; i++)
            if (v->res[i].failed) wbuf_printf(out, "%s%d", k++ ? ", " : "", v->res[i].n);
        wbuf_printf(out, " engines.\n");
        return 0;
    }
    char used[VERIFY_MAX_POOLS] = {0};
    wbuf_t g;
    wbuf_init(&g);
    for (size_t i = 0; i < v->n; i++) {
        if (used[i]) continue;
        groups++;
        size_t k = 0;
        if (g.len) wbuf_printf(&g, " | ");
        for (size_t j = i; j < v->n; j++) {
            if (used[j] || !same(&v->res[i], &v->res[j])) continue;
            used[j] = 1;
            wbuf_printf(&g, "%s%d", k++ ? ", " : "", v->res[j].n);
        }
    }
    if (groups == 1)
        wbuf_printf(out, "The bits agree on %s engine%s.\n", wbuf_cstring(&g),
                    v->n == 1 && v->res[0].n == 1 ? "" : "s");
    else
        wbuf_printf(out, "The bits differ (engine counts that agree: %s).\n", wbuf_cstring(&g));
    wbuf_free(&g);
    return groups == 1;
}
