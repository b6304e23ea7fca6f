/* pmap.c - pmap and apply on the engines (see pmap.h).
 *
 * Decisions a reader could not guess:
 * - Each call of f runs with rt->local set, as in a %px cell: arrays it makes are this
 *   engine's own and nothing in it is Collective, so engines never wait for each other
 *   inside an item, whatever the items cost.
 * - A result is encoded (comm_encode) the moment its item finishes and the value dropped:
 *   a result that cannot travel between engines fails its item right there, where the
 *   kernel can still show which one, and nothing but bytes is kept.
 * - Every rank reaches the final MPI_Allgatherv, also after an interrupt or a lost kernel
 *   (its status travels in front of its records), so no rank is left waiting and all
 *   raise the same error.
 * - Without a kernel (the engine tests) the split is static round robin, with the same
 *   results.
 * - When an engine dies during a pmap (mpirun runs with --enable-recovery), the kernel hands
 *   its items to the others and ends the farm naming the dead (farm.h). The survivors then
 *   make a communicator of their own (MPI_Comm_create_group; a collective over the old one
 *   would wait forever for the dead) and go on as that job for the rest of the cell: they
 *   gather the results, rank 0 of them prints the outcome, and the cell stops with an
 *   EngineError. The kernel ends the job after it, as after any death. */
#include "pmap.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "builtins.h"
#include "comm.h"
#include "engine.h"
#include "link.h"
#include "mem.h"
#include "obj.h"
#include "out.h"
#include "repr.h"

#define MAX_ITEMS 100000000u /* more items than this are refused */

typedef struct {
    const val_t *seqs; /* the item sequences (borrowed) */
    size_t nseq;
    uint32_t n; /* items: the shortest sequence */
} items_t;

static int seq_len(const val_t *v, int64_t *n)
{
    if (v->kind == V_LIST || v->kind == V_TUPLE) {
        *n = (int64_t)((const seq_t *)v->u.o)->n;
        return 0;
    }
    if (v->kind == V_RANGE) {
        *n = obj_range_len((const obj_range_t *)v->u.o);
        return 0;
    }
    return -1;
}

/* Item i of sequence v, as a new reference. */
static val_t seq_item(const val_t *v, uint32_t i)
{
    if (v->kind == V_RANGE) {
        const obj_range_t *r = (const obj_range_t *)v->u.o;
        return val_int(r->start + (int64_t)i * r->step);
    }
    return val_ref(((const seq_t *)v->u.o)->v[i]);
}

static int callable(const val_t *f)
{
    return f->kind == V_FUNC || f->kind == V_BUILTIN;
}

/* --- the farm of one pmap or pmap_async ------------------------------------------------ */

/* What a rank's share of the farm produced, waiting for the gather. */
typedef struct {
    wbuf_t recs;    /* item records: u32 item, u8 ok, then the value or the error */
    wbuf_t fails;   /* failures not yet reported to the kernel (farm.h record layout) */
    uint32_t nfail; /* records in fails */
    uint32_t ok;    /* items done well since the last report */
} share_t;

/* One farm on this rank. pmap runs it to the end at once; pmap_async keeps it in the
 * AsyncResult (h is its V_ASYNC header) and runs it a step at a time while the engines
 * wait for it. */
typedef struct {
    obj_async_t h;  /* h.n: the items */
    rt_t *rt;       /* the rank it runs on (to clear rt->async) */
    val_t f;        /* the function (a reference) */
    val_t seqs[16]; /* the item sequences (references) */
    items_t it;     /* seqs, nseq, n */
    uint32_t chunk, id;
    int balanced, async;
    share_t s;
    uint32_t first, count; /* the chunk in hand: items [first, first + count) not yet run */
    uint32_t nextc;        /* without a kernel: this rank's next chunk (static split) */
    int left;              /* nothing more to run on this rank */
    int status;            /* why it left early: PARC_EINTR or a link failure (serr) */
    err_t serr;
    uint32_t mine;       /* items this rank ran */
    uint8_t *dead;       /* pmap: per rank, 1 when the kernel said it died in the farm */
    size_t *roff, *rlen; /* pmap_async: item -> its record in s.recs (rlen 0: not here) */
    int got;             /* get() ran to the end: cached below */
    int grc;             /* its error code (0: glist holds the results) */
    err_t gerr;          /* its error */
    val_t glist;         /* its results */
} job_t;

static void fail_record(share_t *s, uint32_t item, const err_t *e, const char *fn)
{
    const char *kind = err_kind(e->code);
    wbuf_u32(&s->recs, item);
    wbuf_u8(&s->recs, 0);
    wbuf_i32(&s->recs, e->code);
    wbuf_cstr(&s->recs, e->msg);
    wbuf_u32(&s->fails, item);
    wbuf_i32(&s->fails, e->code);
    wbuf_cstr(&s->fails, kind);
    wbuf_cstr(&s->fails, e->msg);
    wbuf_u32(&s->fails, e->at.cell);
    wbuf_i32(&s->fails, e->at.line);
    wbuf_i32(&s->fails, e->at.col);
    wbuf_i32(&s->fails, e->at.len);
    wbuf_cstr(&s->fails, fn);
    s->nfail++;
}

/* Runs item i of the farm in local view and records its outcome. Returns 0, or PARC_EINTR
 * when the item was interrupted (then nothing is recorded: the item did not run). */
static int run_item(pmap_ctx_t *c, job_t *j, uint32_t i)
{
    share_t *s = &j->s;
    val_t args[16];
    size_t na = j->it.nseq;
    for (size_t k = 0; k < na; k++)
        args[k] = seq_item(&j->it.seqs[k], i);
    err_t e;
    err_clear(&e);
    e.rank = c->rt->rank;
    char fn[64] = "";
    val_t out = val_none();
    int saved = c->rt->local;
    c->rt->local = 1;
    c->rt->in_farm = 1;
    int rc = c->call(c->ud, &j->f, args, na, &out, &e, fn, sizeof fn);
    c->rt->local = saved;
    c->rt->in_farm = 0;
    val_drop_n(args, na);
    if (rc == PARC_EINTR) {
        val_drop(&out);
        return PARC_EINTR;
    }
    size_t mark = s->recs.len;
    if (!rc) {
        wbuf_u32(&s->recs, i);
        wbuf_u8(&s->recs, 1);
        rc = comm_encode(&out, e.at, &s->recs, &e);
        if (rc) {
            s->recs.len = mark; /* the partial record goes; the failure replaces it */
            if (!e.msg[0]) err_set(&e, rc, (span_t){0}, "its result cannot be returned");
        } else {
            s->ok++;
        }
    }
    val_drop(&out);
    if (rc) fail_record(s, i, &e, fn);
    j->mine++;
    if (j->roff && !s->recs.oom) {
        j->roff[i] = mark;
        j->rlen[i] = s->recs.len - mark;
    }
    return 0;
}

/* Asks the kernel for the next chunk, reporting what finished since the last ask. */
static int ask(pmap_ctx_t *c, job_t *j, int stop, uint32_t *first, uint32_t *count, err_t *err)
{
    share_t *s = &j->s;
    wbuf_t b;
    wbuf_init(&b);
    wbuf_u32(&b, j->id);
    wbuf_u32(&b, j->it.n);
    wbuf_u32(&b, j->chunk);
    wbuf_u8(&b, (uint8_t)((j->balanced ? FARM_F_BALANCED : 0) | (stop ? FARM_F_STOP : 0) |
                          (j->async ? FARM_F_ASYNC : 0)));
    wbuf_u32(&b, s->ok);
    wbuf_u32(&b, s->nfail);
    wbuf_bytes(&b, s->fails.p, s->fails.len);
    uint32_t rep[3] = {0, 0, 0};
    int rc = b.oom ? err_set(err, PARC_ENOMEM, c->at, "out of memory in pmap")
                   : eng_farm(c->rt->eng, b.p, b.len, rep, j->dead, c->rt->nranks, err);
    wbuf_free(&b);
    s->ok = 0;
    s->nfail = 0;
    s->fails.len = 0;
    if (!rc && rep[2] == 0 && rep[1] == FARM_CANCELLED)
        rc = rt_check(c->rt, err) ? err->code : err_set(err, PARC_EINTR, c->at, "interrupted");
    else if (!rc && (rep[0] != j->id || rep[2] > j->it.n || rep[1] > j->it.n - rep[2]))
        rc = err_set(err, PARC_EPROTO, c->at, "pmap: the kernel sent a bad chunk");
    *first = rep[1];
    *count = rc ? 0 : rep[2];
    return rc;
}

/* One step of this rank's part of the farm: gets a chunk when none is in hand (from the
 * kernel, or the static split without one) and runs its next item. On a stop (interrupt,
 * lost kernel) tells the kernel, which hands out nothing more, and leaves with j->status. */
static void job_step(pmap_ctx_t *c, job_t *j)
{
    rt_t *rt = c->rt;
    if (j->left) return;
    if (j->count == 0) {
        int rc = 0;
        if (!rt->eng) {
            uint32_t nch = j->it.n / j->chunk + (j->it.n % j->chunk != 0);
            if (j->nextc < nch) {
                j->first = j->nextc * j->chunk;
                j->count = j->it.n - j->first < j->chunk ? j->it.n - j->first : j->chunk;
                j->nextc += (uint32_t)rt->nranks;
            }
        } else {
            rc = ask(c, j, 0, &j->first, &j->count, &j->serr);
        }
        if (rc || j->count == 0) {
            j->status = rc;
            j->left = 1;
            return;
        }
    }
    err_t e1;
    err_clear(&e1);
    if (rt_check(rt, &e1) || run_item(c, j, j->first)) {
        if (rt->eng) {
            err_t e2;
            err_clear(&e2);
            uint32_t f2, n2;
            ask(c, j, 1, &f2, &n2, &e2);
        }
        j->status = rt_check(rt, &j->serr) ? j->serr.code
                                           : err_set(&j->serr, PARC_EINTR, c->at, "interrupted");
        j->left = 1;
        return;
    }
    j->first++;
    j->count--;
}

/* Sets up a farm of f over the sequences (checked by the caller); takes references. */
static void job_init(pmap_ctx_t *c, job_t *j, const val_t *f, const items_t *it, uint32_t chunk,
                     int balanced, int async)
{
    j->rt = c->rt;
    j->f = val_ref(*f);
    for (size_t k = 0; k < it->nseq; k++)
        j->seqs[k] = val_ref(it->seqs[k]);
    j->it = (items_t){j->seqs, it->nseq, it->n};
    j->h.n = it->n;
    j->chunk = chunk;
    j->balanced = balanced;
    j->async = async;
    j->id = ++c->rt->farms;
    j->nextc = (uint32_t)c->rt->rank;
    j->left = it->n == 0;
    wbuf_init(&j->s.recs);
    wbuf_init(&j->s.fails);
    err_clear(&j->serr);
    err_clear(&j->gerr);
    j->glist = val_none();
}

static void job_fini(job_t *j)
{
    if (j->rt && j->rt->async == j) j->rt->async = NULL;
    val_drop(&j->f);
    val_drop_n(j->seqs, j->it.nseq);
    wbuf_free(&j->s.recs);
    wbuf_free(&j->s.fails);
    mem_free(j->roff);
    mem_free(j->rlen);
    mem_free(j->dead);
    val_drop(&j->glist);
}

static void async_fini(obj_async_t *a)
{
    job_fini((job_t *)a);
}

/* The pmap_async farm still running on this rank, if any. */
static job_t *pending(rt_t *rt)
{
    job_t *j = rt->async;
    return j && !j->left ? j : NULL;
}

/* A new farm may only start once the pmap_async before it is over on every rank (the
 * kernel runs one farm at a time): this rank runs what is left of it, then all ranks meet. */
static int drain(pmap_ctx_t *c, err_t *err)
{
    job_t *j = pending(c->rt);
    if (!c->rt->async) return 0;
    while (j && !j->left)
        job_step(c, j);
    c->rt->async = NULL;
    if (MPI_Barrier(c->rt->comm) != MPI_SUCCESS)
        return err_set(err, PARC_EMPI, c->at, "pmap: the engines could not meet");
    return 0;
}

/* --- the gather ------------------------------------------------------------------------ */

typedef struct {
    uint32_t item;
    int rank, code;
    char msg[160];
} failed_t;

/* Every rank's records to every rank; results[i] set for each item that ran well, failures
 * listed in *fl (mem_alloc'ed, *nfl entries). status: this rank's outcome; returns the worst
 * status of any rank (0 when all finished), or a local failure of the gather itself.
 * partial: what ran so far, whatever the statuses (the other slots stay None). */
static int gather(pmap_ctx_t *c, int status, const err_t *serr, share_t *s, val_t *results,
                  uint32_t n, int per_rank, int partial, failed_t **fl, size_t *nfl, err_t *err)
{
    rt_t *rt = c->rt;
    wbuf_t b;
    wbuf_init(&b);
    wbuf_i32(&b, status);
    wbuf_cstr(&b, status ? serr->msg : "");
    wbuf_bytes(&b, s->recs.p, s->recs.len);
    int mine = b.oom || b.len > (size_t)0x7fffffff ? -1 : (int)b.len;
    int *lens = mem_calloc((size_t)rt->nranks, sizeof *lens);
    int *offs = mem_calloc((size_t)rt->nranks, sizeof *offs);
    int rc = lens && offs ? 0 : -1;
    if (!rc && MPI_Allgather(&mine, 1, MPI_INT, lens, 1, MPI_INT, rt->comm) != MPI_SUCCESS)
        rc = err_set(err, PARC_EMPI, c->at, "pmap: gathering the results failed");
    long long total = 0;
    for (int r = 0; !rc && r < rt->nranks; r++) {
        if (lens[r] < 0) rc = -1;
        offs[r] = (int)total;
        total += lens[r] > 0 ? lens[r] : 0;
    }
    if (total > 0x7fffffff) rc = -1;
    uint8_t *all = rc ? NULL : mem_alloc(total ? (size_t)total : 1);
    int ok = all != NULL, allok = 0;
    /* Agree that every rank can take the bytes before they move. */
    if (MPI_Allreduce(&ok, &allok, 1, MPI_INT, MPI_MIN, rt->comm) != MPI_SUCCESS || !allok) {
        mem_free(all);
        mem_free(lens);
        mem_free(offs);
        wbuf_free(&b);
        return err_set(err, PARC_ENOMEM, c->at, "out of memory gathering the results of pmap");
    }
    if (MPI_Allgatherv(b.p, mine, MPI_BYTE, all, lens, offs, MPI_BYTE, rt->comm) != MPI_SUCCESS)
        rc = err_set(err, PARC_EMPI, c->at, "pmap: gathering the results failed");
    wbuf_free(&b);
    int worst = 0;
    uint32_t got = 0;
    *fl = NULL;
    *nfl = 0;
    size_t cap = 0;
    for (int r = 0; !rc && r < rt->nranks; r++) {
        rbuf_t rb;
        rbuf_init(&rb, all + offs[r], (size_t)lens[r]);
        int st = rbuf_i32(&rb);
        size_t mn;
        const char *m = rbuf_str(&rb, &mn);
        if (st < worst && !partial) {
            worst = st;
            err_clear(err);
            err_set(err, st, c->at, "%.*s", (int)mn, m);
        }
        while (!rb.bad && rbuf_left(&rb) && !rc) {
            uint32_t item = rbuf_u32(&rb);
            int okv = rbuf_u8(&rb);
            if (item >= n) rb.bad = 1;
            if (rb.bad) break;
            uint32_t slot = per_rank ? (uint32_t)r : item;
            got++;
            if (okv) {
                val_drop(&results[slot]);
                rc = comm_decode(&rb, c->at, &results[slot], err);
                continue;
            }
            int code = rbuf_i32(&rb);
            const char *em = rbuf_str(&rb, &mn);
            if (*nfl == cap) {
                cap = cap ? 2 * cap : 8;
                failed_t *g = mem_realloc(*fl, cap * sizeof **fl);
                if (!g) {
                    rc = err_set(err, PARC_ENOMEM, c->at, "out of memory in pmap");
                    break;
                }
                *fl = g;
            }
            failed_t *x = &(*fl)[(*nfl)++];
            x->item = item;
            x->rank = c->world ? c->world[r] : r;
            x->code = code < 0 && code > PARC_ELAST ? code : PARC_ERUNTIME;
            snprintf(x->msg, sizeof x->msg, "%.*s", (int)mn, em);
        }
        if (!rc && rb.bad) rc = err_set(err, PARC_EMPI, c->at, "pmap: bad result message");
    }
    mem_free(all);
    mem_free(lens);
    mem_free(offs);
    if (!rc && !worst && got != n && !partial) /* only when a farm was cut short */
        worst = err_set(err, PARC_EINTR, c->at, "interrupted: %u of %u items ran", got, n);
    return rc ? rc : worst;
}

static int cmp_failed(const void *a, const void *b)
{
    const failed_t *x = a, *y = b;
    return x->item < y->item ? -1 : x->item > y->item;
}

/* One error for all failed items: their kind when they agree, else RuntimeError. */
static int raise_failed(pmap_ctx_t *c, failed_t *fl, size_t nfl, uint32_t n, int per_rank,
                        err_t *err)
{
    qsort(fl, nfl, sizeof *fl, cmp_failed);
    int code = fl[0].code;
    for (size_t i = 1; i < nfl; i++)
        if (fl[i].code != code) code = PARC_ERUNTIME;
    char msg[sizeof err->msg];
    size_t len = (size_t)snprintf(msg, sizeof msg, "%zu of %u %s failed:", nfl, n,
                                  per_rank ? "engines" : "items");
    for (size_t i = 0; i < nfl && len < sizeof msg; i++) {
        char one[220];
        if (per_rank)
            snprintf(one, sizeof one, " [engine %d] %s: %s", fl[i].rank, err_kind(fl[i].code),
                     fl[i].msg);
        else
            snprintf(one, sizeof one, " [item %u on engine %d] %s: %s", fl[i].item, fl[i].rank,
                     err_kind(fl[i].code), fl[i].msg);
        size_t k = strlen(one);
        if (len + k + 1 >= sizeof msg - 5) {
            snprintf(msg + len, sizeof msg - len, " ...");
            break;
        }
        memcpy(msg + len, one, k + 1);
        len += k;
        if (i + 1 < nfl && len + 1 < sizeof msg) msg[len++] = ';', msg[len] = 0;
    }
    return err_set(err, code, c->at, "%s", msg);
}

/* --- the builtins ---------------------------------------------------------------------- */

static int finish(pmap_ctx_t *c, int status, err_t *serr, share_t *s, uint32_t n, int per_rank,
                  int partial, val_t *out, err_t *err)
{
    val_t list = val_seq(V_LIST, n, err);
    seq_t *sq = list.kind == V_LIST ? (seq_t *)list.u.o : NULL;
    /* Every rank gathers, even without memory for the list, so no rank is left waiting. */
    failed_t *fl = NULL;
    size_t nfl = 0;
    err_t gerr;
    err_clear(&gerr);
    int rc = sq ? gather(c, status, serr, s, sq->v, n, per_rank, partial, &fl, &nfl, &gerr)
                : PARC_ENOMEM;
    if (rc) {
        err_set(err, rc, c->at, "%s", gerr.msg[0] ? gerr.msg : "out of memory in pmap");
    } else if (nfl && !partial) {
        rc = raise_failed(c, fl, nfl, n, per_rank, err);
    }
    mem_free(fl);
    if (rc) {
        val_drop(&list);
        return rc;
    }
    *out = list;
    return 0;
}

/* Reads pmap's and pmap_async's arguments into it, *chunk and *balanced. */
static int farm_args(pmap_ctx_t *c, const char *name, const val_t *args, size_t nargs,
                     const call_kw_t *kw, size_t nkw, items_t *it, uint32_t *chunkp, int *balp,
                     err_t *err)
{
    int64_t chunk = 1;
    int balanced = 1;
    for (size_t k = 0; k < nkw; k++) {
        const val_t *v = &kw[k].v;
        if (strcmp(kw[k].name, "chunksize") == 0) {
            if (!val_is_int(v) || v->kind == V_BOOL)
                return err_set(err, PARC_ETYPE, c->at, "chunksize must be an int, not '%s'",
                               val_kind_name(v));
            chunk = v->u.i;
            if (chunk < 1 || chunk > (int64_t)MAX_ITEMS)
                return err_set(err, PARC_EVALUE, c->at, "chunksize must be at least 1");
        } else if (strcmp(kw[k].name, "balanced") == 0) {
            if (v->kind != V_BOOL && !val_is_int(v))
                return err_set(err, PARC_ETYPE, c->at, "balanced must be True or False");
            balanced = v->u.i != 0;
        } else {
            return err_set(err, PARC_ETYPE, c->at, "%s() got an unexpected keyword argument '%s'",
                           name, kw[k].name);
        }
    }
    if (nargs < 2)
        return err_set(err, PARC_ETYPE, c->at, "%s() needs a function and at least one sequence",
                       name);
    if (nargs - 1 > 16)
        return err_set(err, PARC_ETYPE, c->at, "%s() takes at most 16 sequences", name);
    if (!callable(&args[0]))
        return err_set(err, PARC_ETYPE, c->at, "'%s' object is not callable",
                       val_kind_name(&args[0]));
    *it = (items_t){args + 1, nargs - 1, 0};
    int64_t n = -1;
    for (size_t k = 0; k < it->nseq; k++) {
        int64_t m;
        if (seq_len(&it->seqs[k], &m) != 0)
            return err_set(err, PARC_ETYPE, c->at,
                           "%s() items must be a list, tuple or range, not '%s'", name,
                           val_kind_name(&it->seqs[k]));
        if (n < 0 || m < n) n = m;
    }
    if (n > (int64_t)MAX_ITEMS)
        return err_set(err, PARC_EVALUE, c->at, "%s() of more than %u items", name, MAX_ITEMS);
    it->n = (uint32_t)n;
    *chunkp = (uint32_t)chunk;
    *balp = balanced;
    return 0;
}

/* The kernel said engines died during this pmap (j->dead): the survivors become the job
 * (see the top of the file), gather, and rank 0 of them prints the outcome. Returns the
 * EngineError that stops the cell. */
static int without_dead(pmap_ctx_t *c, job_t *j, err_t *err)
{
    rt_t *rt = c->rt;
    int keep[4096]; /* the pool starts at most 4096 engines */
    int k = 0;
    for (int r = 0; r < rt->nranks && r < 4096; r++)
        if (!j->dead[r]) keep[k++] = r;
    MPI_Group all, g;
    MPI_Comm sub = MPI_COMM_NULL;
    int mrc = MPI_Comm_group(rt->comm, &all);
    if (mrc == MPI_SUCCESS) {
        mrc = MPI_Group_incl(all, k, keep, &g);
        MPI_Group_free(&all);
    }
    if (mrc == MPI_SUCCESS) {
        mrc = MPI_Comm_create_group(rt->comm, g, 0x7a11, &sub);
        MPI_Group_free(&g);
    }
    err_clear(err);
    if (mrc != MPI_SUCCESS || sub == MPI_COMM_NULL)
        return err_set(err, PARC_EENGINE, c->at,
                       "an engine died during pmap and the others could not go on without it");
    MPI_Comm_set_errhandler(sub, MPI_ERRORS_RETURN);
    MPI_Comm_rank(sub, &rt->rank);
    rt->comm = sub; /* the old one waits for the dead: never used again */
    rt->nranks = k;
    c->world = keep;
    val_t list = val_none();
    err_t e2;
    err_clear(&e2);
    int rc = finish(c, j->status, &j->serr, &j->s, j->it.n, 0, 0, &list, &e2);
    c->world = NULL;
    wbuf_t t;
    wbuf_init(&t);
    if (!rc) {
        rc = repr_val(rt, &list, 0, &t, &e2);
        wbuf_printf(&t, "\n");
    }
    if (rc) {
        t.len = 0;
        wbuf_printf(&t, "%s: %s\n", err_kind(e2.code), e2.msg);
    }
    if (!t.oom) out_write(rt, rc ? 2 : 1, (const char *)t.p, t.len);
    wbuf_free(&t);
    val_drop(&list);
    return err_set(err, PARC_EENGINE, c->at,
                   "an engine died during pmap; the others ran its items and printed the "
                   "outcome; the engines restart with the next cell");
}

static int do_pmap(pmap_ctx_t *c, const val_t *args, size_t nargs, const call_kw_t *kw, size_t nkw,
                   val_t *out, err_t *err)
{
    items_t it;
    uint32_t chunk;
    int balanced, rc = farm_args(c, "pmap", args, nargs, kw, nkw, &it, &chunk, &balanced, err);
    if (rc || (rc = drain(c, err))) return rc;
    job_t j;
    memset(&j, 0, sizeof j);
    job_init(c, &j, &args[0], &it, chunk, balanced, 0);
    /* Where the kernel names the engines that died (allocated, or the farm cannot start). */
    j.dead = mem_calloc((size_t)c->rt->nranks, 1);
    if (!j.dead) j.status = err_set(&j.serr, PARC_ENOMEM, c->at, "out of memory in pmap");
    while (!j.left && j.dead)
        job_step(c, &j);
    if (!j.status && (j.s.recs.oom || j.s.fails.oom))
        j.status = err_set(&j.serr, PARC_ENOMEM, c->at, "out of memory for the results of pmap");
    int ndead = 0;
    for (int r = 0; j.dead && r < c->rt->nranks; r++)
        ndead += j.dead[r];
    if (ndead)
        rc = without_dead(c, &j, err);
    else
        rc = finish(c, j.status, &j.serr, &j.s, it.n, 0, 0, out, err);
    job_fini(&j);
    return rc;
}

static int do_pmap_async(pmap_ctx_t *c, const val_t *args, size_t nargs, const call_kw_t *kw,
                         size_t nkw, val_t *out, err_t *err)
{
    items_t it;
    uint32_t chunk;
    int balanced,
        rc = farm_args(c, "pmap_async", args, nargs, kw, nkw, &it, &chunk, &balanced, err);
    if (rc || (rc = drain(c, err))) return rc;
    /* Agreed: every rank has the job, or none. */
    job_t *j = mem_calloc(1, sizeof *j);
    size_t cells = it.n ? it.n : 1;
    size_t *roff = j ? mem_calloc(cells, sizeof *roff) : NULL;
    size_t *rlen = j ? mem_calloc(cells, sizeof *rlen) : NULL;
    int ok = j && roff && rlen, all = 0;
    if (MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, c->rt->comm) != MPI_SUCCESS || !all) {
        mem_free(j);
        mem_free(roff);
        mem_free(rlen);
        return err_set(err, PARC_ENOMEM, c->at, "out of memory in pmap_async");
    }
    j->h.h.refs = 1;
    j->h.h.kind = V_ASYNC;
    j->h.fini = async_fini;
    job_init(c, j, &args[0], &it, chunk, balanced, 1);
    j->roff = roff;
    j->rlen = rlen;
    c->rt->async = j;
    *out = (val_t){.kind = V_ASYNC};
    out->u.o = &j->h.h;
    return 0;
}

/* --- the AsyncResult --------------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Collective: the items run on all ranks so far, and whether every rank has left. */
static int async_count(pmap_ctx_t *c, job_t *j, uint32_t *done, int *all_left, err_t *err)
{
    long long mine[2] = {j->mine, -(long long)j->left}, tot[2];
    /* sum of items; -max(-left) = min(left) */
    if (MPI_Allreduce(&mine[0], &tot[0], 1, MPI_LONG_LONG, MPI_SUM, c->rt->comm) != MPI_SUCCESS ||
        MPI_Allreduce(&mine[1], &tot[1], 1, MPI_LONG_LONG, MPI_MAX, c->rt->comm) != MPI_SUCCESS)
        return err_set(err, PARC_EMPI, c->at, "pmap_async: the engines could not agree");
    *done = (uint32_t)tot[0];
    *all_left = tot[1] == -1;
    return 0;
}

/* r.get(timeout): runs items until this rank has no more or the time is up (checked
 * between items), then every rank agrees and the results meet. */
static int async_get(pmap_ctx_t *c, job_t *j, double timeout, val_t *out, err_t *err)
{
    if (j->got) {
        if (j->grc) return err_set(err, j->grc, c->at, "%s", j->gerr.msg);
        *out = val_ref(j->glist);
        return 0;
    }
    double end = now_s() + timeout;
    while (!j->left && (timeout < 0 || now_s() < end))
        job_step(c, j);
    uint32_t done = 0;
    int all_left = 0, rc = async_count(c, j, &done, &all_left, err);
    if (rc) return rc;
    if (!all_left && done < j->it.n)
        return err_set(err, PARC_ETIMEOUT, c->at,
                       "pmap_async: %u of %u items done when the timeout of %g s ran out", done,
                       j->it.n, timeout);
    int st = j->status, worst = 0;
    if (MPI_Allreduce(&st, &worst, 1, MPI_INT, MPI_MIN, c->rt->comm) != MPI_SUCCESS)
        return err_set(err, PARC_EMPI, c->at, "pmap_async: the engines could not agree");
    if (worst && done < j->it.n) {
        /* Interrupted (or an engine lost its kernel): what finished stays in r. */
        rc = err_set(err, worst, c->at,
                     "pmap_async was %s after %u of %u items; r.partial() gives the finished "
                     "results (None for the others)",
                     worst == PARC_EINTR ? "interrupted" : "stopped", done, j->it.n);
    } else {
        rc = finish(c, 0, &j->serr, &j->s, j->it.n, 0, 0, out, err);
        j->got = 1;
        j->grc = rc;
        j->gerr = *err;
        if (!rc) j->glist = val_ref(*out);
    }
    return rc;
}

/* Item k of r for `for x in r`: runs items until some rank has run k, which sends it. */
static int async_item(pmap_ctx_t *c, job_t *j, uint32_t k, val_t *out, err_t *err)
{
    rt_t *rt = c->rt;
    for (;;) {
        int here = j->rlen[k] ? rt->rank : -1, owner = -1;
        int mine[2] = {here, -j->left}, tot[2];
        if (MPI_Allreduce(mine, tot, 2, MPI_INT, MPI_MAX, rt->comm) != MPI_SUCCESS)
            return err_set(err, PARC_EMPI, c->at, "pmap_async: the engines could not agree");
        owner = tot[0];
        if (owner < 0 && tot[1] == -1)
            return err_set(err, PARC_EINTR, c->at,
                           "pmap_async was interrupted before item %u ran; r.partial() gives the "
                           "finished results (None for the others)",
                           k);
        if (owner < 0) {
            job_step(c, j);
            continue;
        }
        unsigned long long len = owner == rt->rank ? j->rlen[k] : 0;
        if (MPI_Bcast(&len, 1, MPI_UNSIGNED_LONG_LONG, owner, rt->comm) != MPI_SUCCESS)
            return err_set(err, PARC_EMPI, c->at, "pmap_async: sending a result failed");
        uint8_t *b = owner == rt->rank ? j->s.recs.p + j->roff[k] : mem_alloc(len ? len : 1);
        int ok = b != NULL, all = 0;
        if (MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, rt->comm) != MPI_SUCCESS || !all ||
            len > 0x7fffffff) {
            if (owner != rt->rank) mem_free(b);
            return err_set(err, PARC_ENOMEM, c->at, "out of memory in pmap_async");
        }
        int rc = MPI_Bcast(b, (int)len, MPI_BYTE, owner, rt->comm) != MPI_SUCCESS
                     ? err_set(err, PARC_EMPI, c->at, "pmap_async: sending a result failed")
                     : 0;
        rbuf_t rb;
        rbuf_init(&rb, b, (size_t)len);
        rbuf_u32(&rb);
        if (!rc && rbuf_u8(&rb)) {
            rc = comm_decode(&rb, c->at, out, err);
        } else if (!rc) {
            int code = rbuf_i32(&rb);
            size_t mn;
            const char *m = rbuf_str(&rb, &mn);
            rc = err_set(err, code < 0 && code > PARC_ELAST ? code : PARC_ERUNTIME, c->at,
                         "[item %u on engine %d] %.*s", k, owner, (int)mn, m);
        }
        if (owner != rt->rank) mem_free(b);
        return rc;
    }
}

static int do_apply(pmap_ctx_t *c, const val_t *args, size_t nargs, const call_kw_t *kw, size_t nkw,
                    val_t *out, err_t *err)
{
    if (nkw)
        return err_set(err, PARC_ETYPE, c->at, "apply() got an unexpected keyword argument '%s'",
                       kw[0].name);
    if (nargs < 1) return err_set(err, PARC_ETYPE, c->at, "apply() needs a function");
    if (nargs - 1 > 16)
        return err_set(err, PARC_ETYPE, c->at, "apply() takes at most 16 arguments");
    if (!callable(&args[0]))
        return err_set(err, PARC_ETYPE, c->at, "'%s' object is not callable",
                       val_kind_name(&args[0]));
    /* Each argument is one "sequence" whose only item is itself. */
    val_t one[16];
    size_t na = nargs - 1;
    err_t serr;
    err_clear(&serr);
    int status = 0;
    for (size_t k = 0; k < na && !status; k++) {
        one[k] = val_seq(V_TUPLE, 1, &serr);
        if (one[k].kind != V_TUPLE) {
            status = serr.code;
            na = k;
        } else {
            ((seq_t *)one[k].u.o)->v[0] = val_ref(args[1 + k]);
        }
    }
    items_t it = {one, na, 1};
    job_t j;
    memset(&j, 0, sizeof j);
    job_init(c, &j, &args[0], &it, 1, 0, 0);
    val_drop_n(one, na);
    /* The record's item number is this rank, so the gather puts it in the rank's slot. */
    if (!status && run_item(c, &j, 0)) status = rt_check(c->rt, &serr);
    if (!status && (j.s.recs.oom || j.s.fails.oom))
        status = err_set(&serr, PARC_ENOMEM, c->at, "out of memory for the result of apply");
    int rc = finish(c, status, &serr, &j.s, (uint32_t)c->rt->nranks, 1, 0, out, err);
    job_fini(&j);
    return rc;
}

int pmap_call(pmap_ctx_t *c, int bi, const val_t *args, size_t nargs, const call_kw_t *kw,
              size_t nkw, val_t *out, err_t *err)
{
    const char *fn = bi == BI_APPLY ? "apply" : bi == BI_PMAP ? "pmap" : "pmap_async";
    if (c->rt->local)
        return err_set(err, PARC_ERUNTIME, c->at,
                       "%s() is for global view; in %%px call the function directly", fn);
    for (size_t i = 0; i < nargs; i++)
        if (args[i].kind == V_PERENG)
            return err_set(err, PARC_ETYPE, c->at, "%s() of a per-engine value", fn);
    if (bi == BI_APPLY) return do_apply(c, args, nargs, kw, nkw, out, err);
    if (bi == BI_PMAP_ASYNC) return do_pmap_async(c, args, nargs, kw, nkw, out, err);
    return do_pmap(c, args, nargs, kw, nkw, out, err);
}

/* --- methods, attributes, sleep ------------------------------------------------------------ */

int pmap_method(pmap_ctx_t *c, call_t *call, const val_t *self, const char *name, val_t *out,
                err_t *err)
{
    job_t *j = (job_t *)self->u.o;
    if (c->rt->local)
        return err_set(err, PARC_ERUNTIME, c->at, "an AsyncResult is for global view, not %%px");
    int rc;
    if (!strcmp(name, "ready") || !strcmp(name, "partial")) {
        if (call->nkw)
            return err_set(err, PARC_ETYPE, c->at, "%s() takes no keyword arguments", name);
        if ((rc = args_count(call, name, 0, 0, err))) return rc;
        if (name[0] == 'p') return finish(c, 0, &j->serr, &j->s, j->it.n, 0, 1, out, err);
        uint32_t done = 0;
        int all_left = 0;
        if ((rc = async_count(c, j, &done, &all_left, err))) return rc;
        *out = val_bool(all_left || done == j->it.n);
        return 0;
    }
    if (!strcmp(name, "get")) {
        static const char *const names[] = {"timeout"};
        const val_t *kw[1] = {0}, *tv = NULL;
        double timeout = -1;
        if ((rc = args_kw(call, name, names, 1, kw, err))) return rc;
        if ((rc = args_count(call, name, 0, 1, err))) return rc;
        if ((rc = args_either(call, name, 0, kw[0], "timeout", &tv, err))) return rc;
        if (tv && tv->kind != V_NONE) {
            if ((rc = args_double(call, tv, &timeout, err))) return rc;
            if (!(timeout >= 0))
                return err_set(err, PARC_EVALUE, c->at, "timeout must be non-negative");
        }
        return async_get(c, j, timeout, out, err);
    }
    return err_set(err, PARC_EATTR, c->at, "'AsyncResult' object has no attribute '%s'", name);
}

int pmap_attr(pmap_ctx_t *c, const val_t *self, const char *name, val_t *out, err_t *err)
{
    job_t *j = (job_t *)self->u.o;
    if (strcmp(name, "progress") != 0)
        return err_set(err, PARC_EATTR, c->at, "'AsyncResult' object has no attribute '%s'", name);
    if (c->rt->local)
        return err_set(err, PARC_ERUNTIME, c->at, "an AsyncResult is for global view, not %%px");
    uint32_t done = 0;
    int all_left = 0, rc = async_count(c, j, &done, &all_left, err);
    if (!rc) *out = val_int(done);
    return rc;
}

int pmap_iter(pmap_ctx_t *c, const val_t *self, uint32_t k, val_t *out, err_t *err)
{
    job_t *j = (job_t *)self->u.o;
    if (c->rt->local)
        return err_set(err, PARC_ERUNTIME, c->at, "an AsyncResult is for global view, not %%px");
    if (k >= j->it.n) return 1;
    return async_item(c, j, k, out, err);
}

int pmap_pending(const rt_t *rt)
{
    return !rt->local && !rt->in_farm && pending((rt_t *)rt) != NULL;
}

int pmap_sleep(pmap_ctx_t *c, call_t *call, val_t *out, err_t *err)
{
    double secs = 0;
    err_t e;
    err_clear(&e);
    job_t *j = pending(c->rt);
    if (!j || call->nkw || call->nargs != 1 || args_double(call, &call->args[0], &secs, &e) ||
        !(secs >= 0) || secs > 1e9)
        return call_builtin(call, BI_SLEEP, out, err);
    double end = now_s() + secs;
    while (!j->left && now_s() < end)
        job_step(c, j);
    double left = end - now_s();
    val_t arg = val_float(left > 0 ? left : 0);
    call_t c2 = *call;
    c2.args = &arg;
    return call_builtin(&c2, BI_SLEEP, out, err);
}
