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
 *   results. */
#include "pmap.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "builtins.h"
#include "comm.h"
#include "engine.h"
#include "link.h"
#include "mem.h"
#include "obj.h"

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

/* --- one item ----------------------------------------------------------------------- */

/* What a rank's share of the farm produced, waiting for the gather. */
typedef struct {
    wbuf_t recs;    /* item records: u32 item, u8 ok, then the value or the error */
    wbuf_t fails;   /* failures not yet reported to the kernel (farm.h record layout) */
    uint32_t nfail; /* records in fails */
    uint32_t ok;    /* items done well since the last report */
} share_t;

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
static int run_item(pmap_ctx_t *c, const val_t *f, const items_t *it, uint32_t i, share_t *s)
{
    val_t args[16];
    size_t na = it->nseq;
    for (size_t k = 0; k < na; k++)
        args[k] = seq_item(&it->seqs[k], i);
    err_t e;
    err_clear(&e);
    e.rank = c->rt->rank;
    char fn[64] = "";
    val_t out = val_none();
    int saved = c->rt->local;
    c->rt->local = 1;
    c->rt->in_farm = 1;
    int rc = c->call(c->ud, f, args, na, &out, &e, fn, sizeof fn);
    c->rt->local = saved;
    c->rt->in_farm = 0;
    val_drop_n(args, na);
    if (rc == PARC_EINTR) {
        val_drop(&out);
        return PARC_EINTR;
    }
    if (!rc) {
        size_t mark = s->recs.len;
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
    return 0;
}

/* --- scheduling ----------------------------------------------------------------------- */

/* Asks the kernel for the next chunk, reporting what finished since the last ask. */
static int ask(pmap_ctx_t *c, const items_t *it, uint32_t chunk, int balanced, int stop, share_t *s,
               uint32_t *first, uint32_t *count, err_t *err)
{
    wbuf_t b;
    wbuf_init(&b);
    wbuf_u32(&b, c->rt->farms);
    wbuf_u32(&b, it->n);
    wbuf_u32(&b, chunk);
    wbuf_u8(&b, (uint8_t)((balanced ? FARM_F_BALANCED : 0) | (stop ? FARM_F_STOP : 0)));
    wbuf_u32(&b, s->ok);
    wbuf_u32(&b, s->nfail);
    wbuf_bytes(&b, s->fails.p, s->fails.len);
    uint32_t rep[3] = {0, 0, 0};
    int rc = b.oom ? err_set(err, PARC_ENOMEM, c->at, "out of memory in pmap")
                   : eng_farm(c->rt->eng, b.p, b.len, rep, err);
    wbuf_free(&b);
    s->ok = 0;
    s->nfail = 0;
    s->fails.len = 0;
    if (!rc && rep[2] == 0 && rep[1] == FARM_CANCELLED)
        rc = rt_check(c->rt, err) ? err->code : err_set(err, PARC_EINTR, c->at, "interrupted");
    else if (!rc && (rep[0] != c->rt->farms || rep[2] > it->n || rep[1] > it->n - rep[2]))
        rc = err_set(err, PARC_EPROTO, c->at, "pmap: the kernel sent a bad chunk");
    *first = rep[1];
    *count = rc ? 0 : rep[2];
    return rc;
}

/* This rank's part of the farm. Returns 0, PARC_EINTR, or a link failure (err set). */
static int work(pmap_ctx_t *c, const val_t *f, const items_t *it, uint32_t chunk, int balanced,
                share_t *s, err_t *err)
{
    rt_t *rt = c->rt;
    if (!rt->eng) {
        uint32_t nch = it->n / chunk + (it->n % chunk != 0);
        for (uint32_t ch = (uint32_t)rt->rank; ch < nch; ch += (uint32_t)rt->nranks)
            for (uint32_t i = ch * chunk; i < it->n && i < (ch + 1) * chunk; i++)
                if (rt_check(rt, err) || run_item(c, f, it, i, s))
                    return err->code ? err->code : rt_check(rt, err);
        return 0;
    }
    for (;;) {
        uint32_t first = 0, count = 0;
        int rc = ask(c, it, chunk, balanced, 0, s, &first, &count, err);
        if (rc || count == 0) return rc;
        for (uint32_t i = first; i < first + count; i++) {
            err_t e1;
            err_clear(&e1);
            if (rt_check(rt, &e1) || run_item(c, f, it, i, s)) {
                /* Stop: tell the kernel (it hands out nothing more) with what is done. */
                err_t e2;
                err_clear(&e2);
                ask(c, it, chunk, balanced, 1, s, &first, &count, &e2);
                return rt_check(rt, err) ? err->code
                                         : err_set(err, PARC_EINTR, c->at, "interrupted");
            }
        }
    }
}

/* --- the gather ------------------------------------------------------------------------ */

typedef struct {
    uint32_t item;
    int rank, code;
    char msg[160];
} failed_t;

/* Every rank's records to every rank; results[i] set for each item that ran well, failures
 * listed in *fl (mem_alloc'ed, *nfl entries). status: this rank's outcome; returns the worst
 * status of any rank (0 when all finished), or a local failure of the gather itself. */
static int gather(pmap_ctx_t *c, int status, const err_t *serr, share_t *s, val_t *results,
                  uint32_t n, int per_rank, failed_t **fl, size_t *nfl, err_t *err)
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
        if (st < worst) {
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
            x->rank = r;
            x->code = code < 0 && code > PARC_ELAST ? code : PARC_ERUNTIME;
            snprintf(x->msg, sizeof x->msg, "%.*s", (int)mn, em);
        }
        if (!rc && rb.bad) rc = err_set(err, PARC_EMPI, c->at, "pmap: bad result message");
    }
    mem_free(all);
    mem_free(lens);
    mem_free(offs);
    if (!rc && !worst && got != n) /* cannot happen unless a farm was cut short */
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
                  val_t *out, err_t *err)
{
    val_t list = val_seq(V_LIST, n, err);
    seq_t *sq = list.kind == V_LIST ? (seq_t *)list.u.o : NULL;
    /* Every rank gathers, even without memory for the list, so no rank is left waiting. */
    failed_t *fl = NULL;
    size_t nfl = 0;
    err_t gerr;
    err_clear(&gerr);
    int rc = sq ? gather(c, status, serr, s, sq->v, n, per_rank, &fl, &nfl, &gerr) : PARC_ENOMEM;
    if (rc) {
        err_set(err, rc, c->at, "%s", gerr.msg[0] ? gerr.msg : "out of memory in pmap");
    } else if (nfl) {
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

static int do_pmap(pmap_ctx_t *c, const val_t *args, size_t nargs, const call_kw_t *kw, size_t nkw,
                   val_t *out, err_t *err)
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
            return err_set(err, PARC_ETYPE, c->at, "pmap() got an unexpected keyword argument '%s'",
                           kw[k].name);
        }
    }
    if (nargs < 2)
        return err_set(err, PARC_ETYPE, c->at, "pmap() needs a function and at least one sequence");
    if (nargs - 1 > 16) return err_set(err, PARC_ETYPE, c->at, "pmap() takes at most 16 sequences");
    if (!callable(&args[0]))
        return err_set(err, PARC_ETYPE, c->at, "'%s' object is not callable",
                       val_kind_name(&args[0]));
    items_t it = {args + 1, nargs - 1, 0};
    int64_t n = -1;
    for (size_t k = 0; k < it.nseq; k++) {
        int64_t m;
        if (seq_len(&it.seqs[k], &m) != 0)
            return err_set(err, PARC_ETYPE, c->at,
                           "pmap() items must be a list, tuple or range, not '%s'",
                           val_kind_name(&it.seqs[k]));
        if (n < 0 || m < n) n = m;
    }
    if (n > (int64_t)MAX_ITEMS)
        return err_set(err, PARC_EVALUE, c->at, "pmap() of more than %u items", MAX_ITEMS);
    it.n = (uint32_t)n;
    c->rt->farms++;
    share_t s;
    memset(&s, 0, sizeof s);
    wbuf_init(&s.recs);
    wbuf_init(&s.fails);
    err_t serr;
    err_clear(&serr);
    int status = it.n ? work(c, &args[0], &it, (uint32_t)chunk, balanced, &s, &serr) : 0;
    if (!status && (s.recs.oom || s.fails.oom))
        status = err_set(&serr, PARC_ENOMEM, c->at, "out of memory for the results of pmap");
    int rc = finish(c, status, &serr, &s, it.n, 0, out, err);
    wbuf_free(&s.recs);
    wbuf_free(&s.fails);
    return rc;
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
    share_t s;
    memset(&s, 0, sizeof s);
    wbuf_init(&s.recs);
    wbuf_init(&s.fails);
    /* The record's item number is this rank, so the gather puts it in the rank's slot. */
    if (!status && run_item(c, &args[0], &it, 0, &s)) status = rt_check(c->rt, &serr);
    val_drop_n(one, na);
    if (!status && (s.recs.oom || s.fails.oom))
        status = err_set(&serr, PARC_ENOMEM, c->at, "out of memory for the result of apply");
    int rc = finish(c, status, &serr, &s, (uint32_t)c->rt->nranks, 1, out, err);
    wbuf_free(&s.recs);
    wbuf_free(&s.fails);
    return rc;
}

int pmap_call(pmap_ctx_t *c, int bi, const val_t *args, size_t nargs, const call_kw_t *kw,
              size_t nkw, val_t *out, err_t *err)
{
    const char *fn = bi == BI_APPLY ? "apply" : "pmap";
    if (c->rt->local)
        return err_set(err, PARC_ERUNTIME, c->at,
                       "%s() is for global view; in %%px call the function directly", fn);
    for (size_t i = 0; i < nargs; i++)
        if (args[i].kind == V_PERENG)
            return err_set(err, PARC_ETYPE, c->at, "%s() of a per-engine value", fn);
    if (bi == BI_APPLY) return do_apply(c, args, nargs, kw, nkw, out, err);
    return do_pmap(c, args, nargs, kw, nkw, out, err);
}
