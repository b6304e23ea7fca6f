/* arrfmt.c - NumPy's repr and str of arrays (arr_repr, arr_str) under the printoptions
 * precision (8), floatmode 'maxprec' or 'unique', threshold (1000; beyond it edgeitems 3 and
 * "..."), linewidth 75; set_printoptions changes the first three (rt->pr_*). A port of
 * numpy/core/arrayprint.py's FloatingFormat, IntegerFormat, BoolFormat and _formatArray: the format
 * is chosen from the shown elements only, exactly as NumPy does after _leading_trailing.
 *
 * Only the shown elements travel: each rank sends the ones it holds to rank 0 (coll_gather_bytes)
 * and only rank 0 writes text. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arr.h"
#include "arrint.h"
#include "coll.h"
#include "fmt.h"
#include "mem.h"

#define EDGE 3

/* ---- float text, Dragon4-style via shortest round-trip digits ---- */

/* Shortest significant digits (p = digits after the first) that read back to x. */
static int shortest(double x, int f32)
{
    return f32 ? fmt_float_shortest_prec((float)x) : fmt_double_shortest_prec(x);
}

/* Splits the digits in s at its '.' into the integer part ip and the fraction fp, with
 * the fraction's trailing zeros dropped (NumPy's trim for 'maxprec'). s is modified. */
static void split_point(char *s, char *ip, char *fp)
{
    char *dot = strchr(s, '.');
    if (dot) {
        *dot = 0;
        char *f = dot + 1;
        size_t n = strlen(f);
        while (n > 0 && f[n - 1] == '0')
            f[--n] = 0;
        strcpy(fp, f);
    } else {
        fp[0] = 0;
    }
    strcpy(ip, s);
}

/* dragon4_positional(x, precision=maxp, unique, trim='.'): int part and fraction digits.
 * maxp < 0: no precision (floatmode 'unique'). */
static void positional(double x, int f32, int maxp, char *ip, char *fp)
{
    int p = shortest(x, f32);
    char e[64];
    snprintf(e, sizeof e, "%.*e", p, x);
    int ex = atoi(strchr(e, 'e') + 1);
    int F = p - ex;
    if (F < 0) F = 0;
    if (maxp >= 0 && F > maxp) F = maxp;
    char s[400];
    snprintf(s, sizeof s, "%.*f", F, x);
    split_point(s, ip, fp);
}

/* dragon4_scientific(x, precision=maxp, unique, trim='.'): mantissa int, fraction, exponent. */
static void scientific(double x, int f32, int maxp, char *ip, char *fp, char *ep)
{
    int p = shortest(x, f32);
    if (maxp >= 0 && p > maxp) p = maxp;
    char e[64];
    snprintf(e, sizeof e, "%.*e", p, x);
    char *E = strchr(e, 'e');
    strcpy(ep, E + 1);
    *E = 0;
    split_point(e, ip, fp);
}

typedef struct {
    int dt;
    int expf, pad_left, pad_right, prec, exp_size;
    int sign_plus; /* imaginary parts: always a sign */
    int ilen;      /* ints: width */
    int maxp;      /* precision, -1 for floatmode 'unique' */
} ffmt_t;

static void float_fill(ffmt_t *f, const double *v, size_t n, size_t step, int f32, int plus,
                       int maxp)
{
    memset(f, 0, sizeof *f);
    f->sign_plus = plus;
    f->maxp = maxp;
    double mx = 0, mn = INFINITY;
    int any = 0, nonfin = 0, neginf = 0;
    for (size_t i = 0; i < n; i++) {
        double x = v[i * step];
        if (!isfinite(x)) {
            nonfin = 1;
            if (isinf(x) && x < 0) neginf = 1;
            continue;
        }
        double a = fabs(x);
        if (a != 0) {
            any = 1;
            if (a > mx) mx = a;
            if (a < mn) mn = a;
        }
    }
    if (any && (mx >= 1e8 || mn < 0.0001 || mx / mn > 1000.)) f->expf = 1;
    int nfin = 0;
    for (size_t i = 0; i < n; i++) {
        double x = v[i * step];
        if (!isfinite(x)) continue;
        nfin++;
        char ip[400], fp[64], ep[16];
        if (f->expf) {
            scientific(x, f32, maxp, ip, fp, ep);
            int el = (int)strlen(ep) - 1;
            if (el > f->exp_size) f->exp_size = el;
        } else {
            positional(x, f32, maxp, ip, fp);
        }
        int il = (int)strlen(ip) + (plus && x >= 0 && !signbit(x));
        if (il > f->pad_left) f->pad_left = il;
        if ((int)strlen(fp) > f->prec) f->prec = (int)strlen(fp);
    }
    if (nfin == 0) {
        f->pad_left = f->pad_right = 0;
        f->expf = 0;
    } else if (f->expf) {
        f->pad_right = f->exp_size + 2 + f->prec;
    } else {
        f->pad_right = f->prec;
    }
    if (nonfin) {
        int neg = plus || neginf;
        int off = f->pad_right + 1;
        if (3 - off > f->pad_left) f->pad_left = 3 - off;
        if (3 + neg - off > f->pad_left) f->pad_left = 3 + neg - off;
    }
}

static void float_text(const ffmt_t *f, double x, int f32, wbuf_t *o)
{
    char buf[512];
    if (!isfinite(x)) {
        const char *s = isnan(x) ? (f->sign_plus ? "+nan" : "nan")
                        : x < 0  ? "-inf"
                                 : (f->sign_plus ? "+inf" : "inf");
        int w = f->pad_left + f->pad_right + 1 - (int)strlen(s);
        wbuf_printf(o, "%*s%s", w > 0 ? w : 0, "", s);
        return;
    }
    char ip[400], fp[64], ep[16];
    if (f->expf) {
        scientific(x, f32, f->maxp, ip, fp, ep);
        char ipx[402];
        snprintf(ipx, sizeof ipx, "%s%s", f->sign_plus && !signbit(x) ? "+" : "", ip);
        int n = snprintf(buf, sizeof buf, "%*s.%s", f->pad_left, ipx, fp);
        for (int k = (int)strlen(fp); k < f->prec && n < 480; k++)
            buf[n++] = '0';
        buf[n] = 0;
        char es = ep[0];
        const char *digits = ep + 1;
        int dl = (int)strlen(digits);
        wbuf_printf(o, "%se%c", buf, es);
        for (int k = dl; k < f->exp_size; k++)
            wbuf_printf(o, "0");
        wbuf_printf(o, "%s", digits);
        return;
    }
    positional(x, f32, f->maxp, ip, fp);
    char ipx[402];
    snprintf(ipx, sizeof ipx, "%s%s", f->sign_plus && !signbit(x) ? "+" : "", ip);
    wbuf_printf(o, "%*s.%-*s", f->pad_left, ipx, f->pad_right, fp);
}

/* ---- the shown elements ---- */

typedef struct {
    int ndim, dt;
    int64_t shape[ARR_MAXDIM];  /* the array's */
    int64_t cshape[ARR_MAXDIM]; /* shown corner */
    int sum[ARR_MAXDIM];        /* axis summarized */
    int summary;
    int maxp; /* precision, -1 for floatmode 'unique' */
    char *v;  /* corner values, C order, dt_size each */
} corner_t;

static int64_t corner_index(const corner_t *c, int d, int64_t i)
{
    return (c->sum[d] && i >= EDGE) ? c->shape[d] - 2 * EDGE + i : i;
}

/* The shown elements from n bytes of (index, value) records into c->v. */
static void unpack(corner_t *c, const char *rec, size_t n, size_t sz)
{
    for (size_t u = 0; u < n; u += 8 + sz) {
        int64_t k;
        memcpy(&k, rec + u, 8);
        memcpy(c->v + (size_t)k * sz, rec + u + 8, sz);
    }
}

/* Collective: gathers the shown elements to rank 0. */
static int gather_corner(const rt_t *rt, const arr_t *a, corner_t *c, err_t *err)
{
    memset(c, 0, sizeof *c);
    c->ndim = a->ndim;
    c->dt = a->dtype;
    int64_t size = arr_size(a), K = 1;
    c->summary = size > (rt->pr_set ? rt->pr_threshold : 1000);
    c->maxp = !rt->pr_set ? 8 : rt->pr_unique ? -1 : rt->pr_precision;
    for (int d = 0; d < a->ndim; d++) {
        c->shape[d] = a->shape[d];
        c->sum[d] = c->summary && a->shape[d] > 2 * EDGE;
        c->cshape[d] = c->sum[d] ? 2 * EDGE : a->shape[d];
        K *= c->cshape[d];
    }
    size_t sz = dt_size(a->dtype);
    int dist = a->isdist && !rt->local, coord[ARR_MAXDIM];
    if (dist) dist_coords(&a->dist, rt->rank, coord);
    c->v = mem_calloc((size_t)K + 1, sz);
    char *mine = mem_alloc(((size_t)K + 1) * (sz + 8));
    int rc = (c->v && mine) ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    size_t used = 0;
    for (int64_t k = 0; k < K && !rc; k++) {
        int64_t q = k, off = a->loff;
        int here = 1;
        for (int d = a->ndim - 1; d >= 0; d--) {
            int64_t i = corner_index(c, d, q % c->cshape[d]);
            q /= c->cshape[d];
            /* any layout: the owner along each dimension and the local index there */
            if (dist) here &= dist_g2l(&a->dist, d, i, &i) == coord[d];
            off += i * a->lstride[d];
        }
        if (!here) continue;
        memcpy(mine + used, &k, 8);
        memcpy(mine + used + 8, (char *)a->buf->p + off * (int64_t)sz, sz);
        used += 8 + sz;
    }
    char *all = NULL;
    int64_t *offs = NULL;
    if (dist) {
        rc = arri_agree(rt, rc, err);
        if (!rc) rc = coll_gather_bytes(rt, mine, used, &all, &offs, err);
        if (!rc && rt->rank == 0) unpack(c, all, (size_t)offs[rt->nranks], sz);
    } else if (!rc) {
        unpack(c, mine, used, sz);
    }
    mem_free(offs);
    mem_free(all);
    mem_free(mine);
    return rc;
}

/* ---- formatting (rank 0) ---- */

typedef struct {
    const corner_t *c;
    ffmt_t re, im;
    const char *sep;
    int linewidth;
} pfmt_t;

static void elem_text(const pfmt_t *p, int64_t k, wbuf_t *o)
{
    const corner_t *c = p->c;
    const char *at = c->v + (size_t)k * dt_size(c->dt);
    switch (c->dt) {
    case DT_BOOL:
        /* NumPy pads True to False's width, except in a 0-d array: array(True) */
        wbuf_printf(o, "%s", *(const uint8_t *)at ? (c->ndim ? " True" : "True") : "False");
        return;
    case DT_INT32:
    case DT_INT64:
        wbuf_printf(o, "%*lld", p->re.ilen, (long long)arri_loadi(c->dt, at));
        return;
    case DT_FLOAT32:
        float_text(&p->re, *(const float *)at, 1, o);
        return;
    case DT_FLOAT64:
        float_text(&p->re, *(const double *)at, 0, o);
        return;
    default: {
        const double *z = (const double *)at;
        float_text(&p->re, z[0], 0, o);
        wbuf_t t;
        wbuf_init(&t);
        float_text(&p->im, z[1], 0, &t);
        const char *s = wbuf_cstring(&t);
        size_t n = strlen(s), sp = n;
        while (sp > 0 && s[sp - 1] == ' ')
            sp--;
        wbuf_bytes(o, s, sp);
        wbuf_printf(o, "j%*s", (int)(n - sp), "");
        wbuf_free(&t);
    }
    }
}

static void extend_line(wbuf_t *s, wbuf_t *line, const char *word, size_t wl, int width,
                        size_t prefix_len, const char *prefix)
{
    int wrap = (int)(line->len + wl) > width;
    if (line->len <= prefix_len) wrap = 0;
    if (wrap) {
        size_t n = line->len;
        while (n > 0 && line->p[n - 1] == ' ')
            n--;
        wbuf_bytes(s, line->p, n);
        wbuf_printf(s, "\n");
        line->len = 0;
        wbuf_printf(line, "%s", prefix);
    }
    wbuf_bytes(line, word, wl);
}

/* _formatArray's recurser over the corner: base is the flat corner offset so far. */
static void recurse(const pfmt_t *p, int axis, int64_t base, const char *hang, int width,
                    wbuf_t *out)
{
    const corner_t *c = p->c;
    int left = c->ndim - axis;
    if (left == 0) {
        elem_text(p, base, out);
        return;
    }
    size_t hl = strlen(hang);
    char *next_hang = mem_alloc(hl + 2);
    if (!next_hang) return;
    memcpy(next_hang, hang, hl);
    next_hang[hl] = ' ';
    next_hang[hl + 1] = 0;
    int next_width = width - 1;
    int64_t n = c->cshape[axis];
    int show = c->sum[axis];
    int64_t stride = 1;
    for (int d = axis + 1; d < c->ndim; d++)
        stride *= c->cshape[d];
    int64_t lead = show ? EDGE : 0, trail = show ? EDGE : n;
    wbuf_t s;
    wbuf_init(&s);
    if (left == 1) {
        int elem_width = width - 1; /* max(len(sep.rstrip()), len(']')) */
        wbuf_t line, word;
        wbuf_init(&line);
        wbuf_init(&word);
        wbuf_printf(&line, "%s", hang);
        for (int64_t i = 0; i < lead; i++) {
            word.len = 0;
            recurse(p, axis + 1, base + i * stride, next_hang, next_width, &word);
            extend_line(&s, &line, (const char *)word.p, word.len, elem_width, hl, hang);
            wbuf_printf(&line, "%s", p->sep);
        }
        if (show) {
            extend_line(&s, &line, "...", 3, elem_width, hl, hang);
            wbuf_printf(&line, "%s", p->sep);
        }
        for (int64_t i = trail; i > 1; i--) {
            word.len = 0;
            recurse(p, axis + 1, base + (n - i) * stride, next_hang, next_width, &word);
            extend_line(&s, &line, (const char *)word.p, word.len, elem_width, hl, hang);
            wbuf_printf(&line, "%s", p->sep);
        }
        word.len = 0;
        if (n > 0) {
            recurse(p, axis + 1, base + (n - 1) * stride, next_hang, next_width, &word);
            extend_line(&s, &line, (const char *)word.p, word.len, elem_width, hl, hang);
        }
        wbuf_bytes(&s, line.p, line.len);
        wbuf_free(&line);
        wbuf_free(&word);
    } else {
        /* line_sep = sep.rstrip() + '\n' * (left - 1) */
        char lsep[16];
        size_t k = 0;
        for (const char *q = p->sep; *q && *q != ' '; q++)
            lsep[k++] = *q;
        for (int i = 0; i < left - 1 && k < 14; i++)
            lsep[k++] = '\n';
        lsep[k] = 0;
        wbuf_t nested;
        wbuf_init(&nested);
        for (int64_t i = 0; i < lead; i++) {
            nested.len = 0;
            recurse(p, axis + 1, base + i * stride, next_hang, next_width, &nested);
            wbuf_printf(&s, "%s", hang);
            wbuf_bytes(&s, nested.p, nested.len);
            wbuf_printf(&s, "%s", lsep);
        }
        if (show) wbuf_printf(&s, "%s...%s", hang, lsep);
        for (int64_t i = trail; i > 1; i--) {
            nested.len = 0;
            recurse(p, axis + 1, base + (n - i) * stride, next_hang, next_width, &nested);
            wbuf_printf(&s, "%s", hang);
            wbuf_bytes(&s, nested.p, nested.len);
            wbuf_printf(&s, "%s", lsep);
        }
        nested.len = 0;
        if (n > 0) recurse(p, axis + 1, base + (n - 1) * stride, next_hang, next_width, &nested);
        wbuf_printf(&s, "%s", hang);
        wbuf_bytes(&s, nested.p, nested.len);
        wbuf_free(&nested);
    }
    /* '[' + s[len(hanging_indent):] + ']' */
    wbuf_printf(out, "[");
    if (s.len > hl) wbuf_bytes(out, s.p + hl, s.len - hl);
    wbuf_printf(out, "]");
    wbuf_free(&s);
    mem_free(next_hang);
}

static void prepare(pfmt_t *p, const corner_t *c)
{
    memset(p, 0, sizeof *p);
    p->c = c;
    int64_t K = 1;
    for (int d = 0; d < c->ndim; d++)
        K *= c->cshape[d];
    switch (c->dt) {
    case DT_INT32:
    case DT_INT64:
        for (int64_t k = 0; k < K; k++) {
            char t[32];
            int l = snprintf(t, sizeof t, "%lld",
                             (long long)arri_loadi(c->dt, c->v + (size_t)k * dt_size(c->dt)));
            if (l > p->re.ilen) p->re.ilen = l;
        }
        return;
    case DT_FLOAT32: {
        double *t = mem_alloc((size_t)K * sizeof *t + 8);
        if (!t) return;
        for (int64_t k = 0; k < K; k++)
            t[k] = ((const float *)c->v)[k];
        float_fill(&p->re, t, (size_t)K, 1, 1, 0, c->maxp);
        mem_free(t);
        return;
    }
    case DT_FLOAT64:
        float_fill(&p->re, (const double *)c->v, (size_t)K, 1, 0, 0, c->maxp);
        return;
    case DT_COMPLEX128:
        float_fill(&p->re, (const double *)c->v, (size_t)K, 2, 0, 0, c->maxp);
        float_fill(&p->im, (const double *)c->v + 1, (size_t)K, 2, 0, 1, c->maxp);
        return;
    }
}

/* array2string of the corner: prefix sets the hanging indent; suffix_len trims width. */
static void a2s(const corner_t *c, const char *sep, size_t prefix_len, int suffix_len, wbuf_t *o)
{
    pfmt_t p;
    prepare(&p, c);
    p.sep = sep;
    char hang[64];
    size_t n = prefix_len + 1 < sizeof hang ? prefix_len + 1 : sizeof hang - 1;
    memset(hang, ' ', n);
    hang[n] = 0;
    recurse(&p, 0, 0, hang, 75 - suffix_len, o);
}

static int is_default_dt(int dt)
{
    return dt == DT_FLOAT64 || dt == DT_INT64 || dt == DT_BOOL || dt == DT_COMPLEX128;
}

static void repr_text(const arr_t *a, const corner_t *c, wbuf_t *o)
{
    int64_t size = arr_size(a);
    int skip = is_default_dt(a->dtype) && size > 0;
    size_t start = o->len;
    wbuf_printf(o, "array(");
    if (size > 0 || (a->ndim == 1 && a->shape[0] == 0)) {
        if (size == 0)
            wbuf_printf(o, "[]");
        else
            a2s(c, ", ", 6, skip ? 1 : 1, o);
    } else {
        char s[160];
        size_t k = (size_t)snprintf(s, sizeof s, "(");
        for (int d = 0; d < a->ndim; d++)
            k += (size_t)snprintf(s + k, sizeof s - k, d ? ", %lld" : "%lld",
                                  (long long)a->shape[d]);
        snprintf(s + k, sizeof s - k, a->ndim == 1 ? ",)" : ")");
        wbuf_printf(o, "[], shape=%s", s);
    }
    if (skip) {
        wbuf_printf(o, ")");
        return;
    }
    wbuf_printf(o, ",");
    /* last_line_len + len(dtype_str) + 1 > 75: dtype on its own line */
    size_t last = start;
    for (size_t i = start; i < o->len; i++)
        if (o->p[i] == '\n') last = i + 1;
    char dts[32];
    int dl = snprintf(dts, sizeof dts, "dtype=%s)", dt_name(a->dtype));
    if ((int)(o->len - last) + dl + 1 > 75)
        wbuf_printf(o, "\n      %s", dts);
    else
        wbuf_printf(o, " %s", dts);
}

/* Global indices coordinate c owns along dim, as slice text: "0:4", "1::3" (cyclic), or
 * the first block-cyclic intervals "0:2, 6:8, 12:14, ... (5 blocks)". */
static void owned_text(const dist_t *d, int dim, int c, wbuf_t *o)
{
    int64_t n = dist_nintervals(d, dim, c), s0, cnt;
    if (n == 0) {
        wbuf_printf(o, "-");
        return;
    }
    if (n > 1 && d->kind[dim] == 'c' && d->bsize[dim] == 1) {
        wbuf_printf(o, "%d::%d", c, d->grid[dim]);
        return;
    }
    for (int64_t i = 0; i < n && i < 3; i++) {
        dist_interval(d, dim, c, i, &s0, &cnt);
        wbuf_printf(o, i ? ", %lld:%lld" : "%lld:%lld", (long long)s0, (long long)(s0 + cnt));
    }
    if (n > 3) wbuf_printf(o, ", ... (%lld blocks)", (long long)n);
}

/* The ownership table of a distributed array's text/html: the grid, then per engine its
 * grid coordinates, global index ranges, local shape and bytes (from the layout alone, no
 * communication). At most 64 engines are listed. */
static void owners_html(const rt_t *rt, const arr_t *a, wbuf_t *o)
{
    const dist_t *d = &a->dist;
    char dt[64];
    dist_text(d, dt, sizeof dt);
    wbuf_printf(o, "<table><caption>");
    wbuf_html(o, dt, strlen(dt));
    wbuf_printf(o, " on a ");
    for (int i = 0; i < a->ndim; i++)
        wbuf_printf(o, i ? "x%d" : "%d", d->grid[i]);
    wbuf_printf(o, " grid of %d engine%s</caption>\n<tr><th>engine</th><th>grid</th>", rt->nranks,
                rt->nranks == 1 ? "" : "s");
    for (int i = 0; i < a->ndim; i++)
        wbuf_printf(o, "<th>axis %d</th>", i);
    wbuf_printf(o, "<th>local shape</th><th>bytes</th></tr>\n");
    int shown = rt->nranks < 64 ? rt->nranks : 64;
    for (int r = 0; r < shown; r++) {
        int coord[ARR_MAXDIM];
        int64_t ls[ARR_MAXDIM], m = 1;
        dist_coords(d, r, coord);
        dist_lshape(d, r, ls);
        wbuf_printf(o, "<tr><td>%d</td><td>(", r);
        for (int i = 0; i < a->ndim; i++)
            wbuf_printf(o, i ? ", %d" : "%d", coord[i]);
        wbuf_printf(o, a->ndim == 1 ? ",)</td>" : ")</td>");
        for (int i = 0; i < a->ndim; i++) {
            wbuf_printf(o, "<td>");
            owned_text(d, i, coord[i], o);
            wbuf_printf(o, "</td>");
            m *= ls[i];
        }
        wbuf_printf(o, "<td>(");
        for (int i = 0; i < a->ndim; i++)
            wbuf_printf(o, i ? ", %lld" : "%lld", (long long)ls[i]);
        wbuf_printf(o, a->ndim == 1 ? ",)</td>" : ")</td>");
        wbuf_printf(o, "<td>%lld</td></tr>\n", (long long)m * (long long)dt_size(a->dtype));
    }
    if (shown < rt->nranks) wbuf_printf(o, "<tr><td>... %d more</td></tr>\n", rt->nranks - shown);
    wbuf_printf(o, "</table>");
}

int arr_repr(rt_t *rt, const arr_t *a, wbuf_t *plain, wbuf_t *html, err_t *err)
{
    corner_t c;
    int rc = gather_corner(rt, a, &c, err);
    if (!rc && (rt->rank == 0 || !(a->isdist && !rt->local))) {
        wbuf_t t;
        wbuf_init(&t);
        if (a->isdist && !rt->local) {
            wbuf_printf(&t, "DistArray(shape=(");
            for (int d = 0; d < a->ndim; d++)
                wbuf_printf(&t, d ? ", %lld" : "%lld", (long long)a->shape[d]);
            wbuf_printf(&t, a->ndim == 1 ? ",)" : ")");
            wbuf_printf(&t, ", dtype=%s, dist=", dt_name(a->dtype));
            arr_dist_text(a, &t);
            wbuf_printf(&t, ", engines=%d)\n", rt->nranks);
        }
        repr_text(a, &c, &t);
        if (plain) wbuf_bytes(plain, t.p, t.len);
        if (html) {
            wbuf_printf(html, "<pre>");
            wbuf_html(html, (const char *)t.p, t.len);
            wbuf_printf(html, "</pre>");
            if (a->isdist && !rt->local) owners_html(rt, a, html);
        }
        wbuf_free(&t);
    }
    mem_free(c.v);
    return rc;
}

int arr_str(rt_t *rt, const arr_t *a, wbuf_t *out, err_t *err)
{
    corner_t c;
    int rc = gather_corner(rt, a, &c, err);
    if (!rc && (rt->rank == 0 || !(a->isdist && !rt->local))) {
        if (arr_size(a) == 0)
            wbuf_printf(out, "[]");
        else
            a2s(&c, " ", 0, 0, out);
    }
    mem_free(c.v);
    return rc;
}
