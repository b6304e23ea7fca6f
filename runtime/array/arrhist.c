/* arrhist.c - histogram (arrhist.h): NumPy 1.24's numpy.histogram with an integer bins,
 * counted where the data lives. Each rank finds its chunk's min/max (when no range is
 * given), one allgather combines them, every rank computes the same edges, counts its own
 * elements into nbins int64 counters, and one allreduce sums them: exact on any split.
 *
 * The arithmetic copies numpy/lib/histograms.py step by step, in the types NumPy's
 * value-based casting picks, because a value one ulp from an edge lands in the bin those
 * types say: the edges are linspace(first, last, nbins + 1) computed in float64 and cast to
 * the edge type (float32 for float32 input, else float64); the index is
 * ((x - first) / (last - first)) * nbins in the edge type (a float32 input computes in
 * float32, the scalars rounded to it), truncated, then moved down one when x is below its
 * left edge and up one when x is on or past its right edge (the last bin is closed). The
 * denominator of two integer ends is taken in uint64, as _unsigned_subtract does. */
#include "arrhist.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "arrint.h"
#include "builtins.h"
#include "coll.h"
#include "fmt.h"
#include "mem.h"

#define BLK 4096

/* One rank's share of the autodetected range. */
typedef struct {
    int32_t rc;  /* this rank's status */
    int32_t nan; /* a nan was seen */
    int64_t n;   /* elements */
    int64_t imin, imax;
    double fmin, fmax;
} part_t;

static double end_d(const arr_edge_t *e)
{
    return e->isint ? (double)e->i : e->f;
}

/* Python's str of an end: the integer, or the float's repr (float32 data: as NumPy shows
 * a float32 scalar). */
static void end_text(const arr_edge_t *e, int f32, char *buf)
{
    if (e->isint)
        snprintf(buf, FMT_DOUBLE_MAX, "%lld", (long long)e->i);
    else if (f32)
        fmt_float_repr((float)e->f, buf);
    else
        fmt_double_repr(e->f, buf);
}

/* The chunk's elements [k0, k0 + m) contiguous: in place, or copied into tmp. */
static const void *block(const arr_t *a, int64_t k0, int64_t m, void *tmp)
{
    size_t sz = dt_size(a->dtype);
    if (arri_contig(a)) return (const char *)arri_base(a) + (size_t)k0 * sz;
    for (int64_t i = 0; i < m; i++)
        memcpy((char *)tmp + (size_t)i * sz, arri_addr(a, k0 + i), sz);
    return tmp;
}

/* min, max and nan of this rank's chunk (kern_red's order-free min and max). */
static void scan(const rt_t *rt, const arr_t *a, void *tmp, part_t *pt, err_t *err)
{
    int64_t n = arri_lsize(a);
    int dt = a->dtype;
    kred_t lo, hi;
    kern_red_init(BI_MIN, &lo);
    kern_red_init(BI_MAX, &hi);
    pt->n = n;
    for (int64_t k0 = 0; k0 < n && !pt->rc; k0 += BLK) {
        int64_t m = n - k0 < BLK ? n - k0 : BLK;
        const void *p = block(a, k0, m, tmp);
        kern_red(BI_MIN, dt, p, (size_t)m, &lo);
        kern_red(BI_MAX, dt, p, (size_t)m, &hi);
        pt->rc = rt_check(rt, err);
    }
    pt->nan = lo.nan;
    pt->imin = lo.i;
    pt->imax = hi.i;
    pt->fmin = lo.f[0];
    pt->fmax = hi.f[0];
}

/* Counts this rank's elements into ways sets of counters (kern_hist), block by block. */
static int count(const rt_t *rt, const arr_t *a, void *tmp, const khist_t *h, int64_t *cnt,
                 int ways, err_t *err)
{
    int64_t n = arri_lsize(a);
    int bad = 0;
    for (int64_t k0 = 0; k0 < n; k0 += BLK) {
        int64_t m = n - k0 < BLK ? n - k0 : BLK;
        bad |= kern_hist(h, a->dtype, block(a, k0, m, tmp), (size_t)m, cnt, ways);
        int rc = rt_check(rt, err);
        if (rc) return rc;
    }
    for (int w = 1; w < ways; w++)
        for (int64_t k = 0; k < h->nbins; k++)
            cnt[k] += cnt[w * h->nbins + k];
    if (bad)
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "the range is too narrow for float32 bins; use a float64 array");
    return 0;
}

/* first and last edge: the range given, or the data's min and max (NumPy's
 * _get_outer_edges). *e32: both are float32 data values. Collective when coll. */
static int outer_edges(const rt_t *rt, int coll, const arr_t *a, const arr_edge_t *lo,
                       const arr_edge_t *hi, void *tmp, arr_edge_t *first, arr_edge_t *last,
                       int *e32, err_t *err)
{
    int f32 = a->dtype == DT_FLOAT32, isf = f32 || a->dtype == DT_FLOAT64;
    char t0[FMT_DOUBLE_MAX], t1[FMT_DOUBLE_MAX];
    *e32 = 0;
    if (lo) {
        *first = *lo;
        *last = *hi;
        int gt = lo->isint && hi->isint ? lo->i > hi->i : end_d(lo) > end_d(hi);
        if (gt)
            return err_set(err, PARC_EVALUE, (span_t){0},
                           "max must be larger than min in range parameter.");
        if (!isfinite(end_d(lo)) || !isfinite(end_d(hi))) {
            end_text(lo, 0, t0);
            end_text(hi, 0, t1);
            return err_set(err, PARC_EVALUE, (span_t){0},
                           "supplied range of [%s, %s] is not finite", t0, t1);
        }
    } else {
        part_t mine = {0}, tot = {0};
        scan(rt, a, tmp, &mine, err);
        if (coll) {
            part_t *all = mem_calloc((size_t)rt->nranks, sizeof *all);
            int rc = coll_agree(rt, all ? mine.rc : PARC_ENOMEM);
            if (rc) {
                mem_free(all);
                if (!err->code)
                    err_set(err, rc, (span_t){0}, "the operation failed on another engine");
                return rc;
            }
            rc = coll_allgather_bytes(rt, &mine, sizeof mine, all, err);
            for (int r = 0; r < rt->nranks && !rc; r++) {
                const part_t *q = &all[r];
                if (!q->n) continue;
                if (!tot.n || q->imin < tot.imin) tot.imin = q->imin;
                if (!tot.n || q->imax > tot.imax) tot.imax = q->imax;
                if (!tot.n || q->fmin < tot.fmin) tot.fmin = q->fmin;
                if (!tot.n || q->fmax > tot.fmax) tot.fmax = q->fmax;
                tot.nan |= q->nan;
                tot.n += q->n;
            }
            mem_free(all);
            if (rc) return rc;
        } else {
            if (mine.rc) return mine.rc;
            tot = mine;
        }
        if (tot.n == 0) {
            *first = (arr_edge_t){1, 0, 0};
            *last = (arr_edge_t){1, 1, 1};
        } else if (!isf) {
            *first = (arr_edge_t){1, tot.imin, (double)tot.imin};
            *last = (arr_edge_t){1, tot.imax, (double)tot.imax};
        } else {
            if (tot.nan) tot.fmin = tot.fmax = NAN;
            *first = (arr_edge_t){0, 0, tot.fmin};
            *last = (arr_edge_t){0, 0, tot.fmax};
            *e32 = f32;
            if (!isfinite(tot.fmin) || !isfinite(tot.fmax)) {
                end_text(first, f32, t0);
                end_text(last, f32, t1);
                return err_set(err, PARC_EVALUE, (span_t){0},
                               "autodetected range of [%s, %s] is not finite", t0, t1);
            }
        }
    }
    int eq = first->isint && last->isint ? first->i == last->i : end_d(first) == end_d(last);
    if (eq) {
        *first = (arr_edge_t){0, 0, end_d(first) - 0.5};
        *last = (arr_edge_t){0, 0, end_d(last) + 0.5};
        *e32 = 0;
    }
    return 0;
}

/* numpy.linspace(start, stop, n + 1) in float64, as arr_linspace computes it. */
static double edge_at(double start, double stop, int64_t n, int64_t i)
{
    double delta = stop - start, step = delta / (double)n;
    if (i == n) return stop;
    return step == 0 ? (double)i / (double)n * delta + start : (double)i * step + start;
}

/* A new array of n elements of dtype dt holding full[0..n) (this rank's rows of it when
 * distributed). */
static int result(const rt_t *rt, int coll, int dt, int64_t n, const void *full, arr_t **out,
                  err_t *err)
{
    int rc = arri_new(rt, 1, &n, dt, coll, NULL, out, err);
    if (coll) rc = arri_agree(rt, rc, err);
    if (rc) {
        arr_unref(out);
        return rc;
    }
    int64_t g0 = coll ? arri_row(*out, rt->rank) : 0;
    size_t sz = dt_size(dt);
    memcpy(arri_base(*out), (const char *)full + (size_t)g0 * sz, (size_t)arri_lsize(*out) * sz);
    return 0;
}

int arr_histogram(rt_t *rt, const arr_t *a, int64_t nbins, const arr_edge_t *lo,
                  const arr_edge_t *hi, arr_t **counts, arr_t **edges, err_t *err)
{
    int coll = a->isdist && !rt->local;
    if (a->dtype == DT_COMPLEX128)
        return err_set(err, PARC_ETYPE, (span_t){0}, "histogram() of a complex array");
    if (nbins < 1)
        return err_set(err, PARC_EVALUE, (span_t){0}, "`bins` must be positive, when an integer");
    size_t cbytes, ebytes;
    int f32 = a->dtype == DT_FLOAT32, rc = 0;
    /* four counter sets while they stay small next to the data (see kern_hist) */
    int ways = nbins <= (1 << 16) ? 4 : 1;
    if (nbins >= INT32_MAX || mem_mul((size_t)nbins * (size_t)ways, sizeof(int64_t), &cbytes) ||
        mem_mul((size_t)nbins + 1, f32 ? sizeof(float) : sizeof(double), &ebytes) ||
        (rt->mem_avail && cbytes + ebytes > rt->mem_avail))
        return err_set(err, PARC_ENOMEM, (span_t){0}, "Unable to allocate the counts of %lld bins",
                       (long long)nbins);
    void *tmp = mem_alloc(BLK * sizeof(double));
    int64_t *cnt = mem_calloc((size_t)nbins * (size_t)ways, sizeof *cnt);
    void *ed = mem_alloc(ebytes);
    if (!tmp || !cnt || !ed) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (coll) rc = arri_agree(rt, rc, err);
    arr_edge_t first, last;
    int e32 = 0;
    if (!rc) rc = outer_edges(rt, coll, a, lo, hi, tmp, &first, &last, &e32, err);
    if (!rc) {
        khist_t h = {.nbins = nbins};
        int inint = a->dtype != DT_FLOAT32 && a->dtype != DT_FLOAT64;
        h.lo_int = inint && first.isint;
        h.hi_int = inint && last.isint;
        h.loi = first.i;
        h.hii = last.i;
        h.lod = end_d(&first);
        h.hid = end_d(&last);
        h.lo32 = (float)h.lod;
        h.hi32 = (float)h.hid;
        if (first.isint && last.isint) {
            uint64_t d = (uint64_t)last.i - (uint64_t)first.i;
            h.den = (double)d;
            h.den32 = (float)d;
        } else {
            h.den = h.hid - h.lod;
            h.den32 = e32 ? h.hi32 - h.lo32 : (float)h.den;
        }
        for (int64_t i = 0; i <= nbins; i++) {
            double v = edge_at(h.lod, h.hid, nbins, i);
            if (f32)
                ((float *)ed)[i] = (float)v;
            else
                ((double *)ed)[i] = v;
        }
        h.edges = ed;
        rc = count(rt, a, tmp, &h, cnt, ways, err);
    }
    /* Every rank gets here, whatever failed: errors so far are the same everywhere except
     * count()'s (an interrupt), which are agreed now. */
    if (coll) rc = arri_agree(rt, rc, err);
    if (coll && !rc) rc = coll_agree(rt, coll_sum_i64(rt, cnt, nbins, err));
    arr_t *c = NULL, *e = NULL;
    if (!rc) rc = result(rt, coll, DT_INT64, nbins, cnt, &c, err);
    if (!rc) rc = result(rt, coll, f32 ? DT_FLOAT32 : DT_FLOAT64, nbins + 1, ed, &e, err);
    mem_free(tmp);
    mem_free(cnt);
    mem_free(ed);
    if (rc) {
        arr_unref(&c);
        return rc;
    }
    *counts = c;
    *edges = e;
    return 0;
}
