/* arrplot.c - the reductions for pictures (arrplot.h). Each function walks this rank's chunk
 * in blocks converted to float64, with the global flat (C order) index of every element, and
 * combines per-rank partial results with one or two small collectives (coll_reduce_f64,
 * coll_sum_i64). Arrays whose layout is not rows of axis 0 are moved to it first. */
#include "arrplot.h"

#include <math.h>
#include <string.h>

#include "arrhist.h"
#include "arrint.h"
#include "coll.h"
#include "kern.h"
#include "mem.h"

#define BLK KERN_BLK

/* The array's elements as rows of axis 0 (the layout the walk below assumes): a itself, or
 * a copy moved there (*tmp, the caller unrefs it). */
static int as_rows(rt_t *rt, const arr_t *a, arr_t **tmp, const arr_t **use, err_t *err)
{
    *tmp = NULL;
    *use = a;
    if (!a->isdist || rt->local) return 0;
    const dist_t *d = &a->dist;
    int rows = d->ndim == 0 || (d->kind[0] == 'b' && d->grid[0] == rt->nranks);
    for (int i = 1; rows && i < d->ndim; i++)
        rows = d->kind[i] == 'n';
    if (rows) return 0;
    dist_t to;
    int rc = arri_rows_dist(rt, a->ndim, a->shape, NULL, &to, err);
    if (!rc) rc = coll_redist(rt, a, &to, tmp, err);
    dist_clear(&to);
    if (!rc) *use = *tmp;
    return rc;
}

/* Global flat index of the chunk's first element. */
static int64_t chunk_origin(const rt_t *rt, const arr_t *a)
{
    if (!a->isdist || rt->local || a->ndim == 0) return 0;
    int64_t row = 1;
    for (int i = 1; i < a->ndim; i++)
        row *= a->shape[i];
    return arri_row(a, rt->rank) * row;
}

static int64_t total(const rt_t *rt, const arr_t *a)
{
    if (a->isdist && !rt->local) {
        int64_t n = 1;
        for (int i = 0; i < a->ndim; i++)
            n *= a->shape[i];
        return n;
    }
    return arri_lsize(a);
}

/* Elements [k0, k0 + m) of the chunk as float64 into v. */
static void load_block(const arr_t *a, int64_t k0, int64_t m, double *v, void *raw)
{
    size_t sz = dt_size(a->dtype);
    const void *p;
    if (arri_contig(a)) {
        p = (const char *)arri_base(a) + (size_t)k0 * sz;
    } else {
        for (int64_t i = 0; i < m; i++)
            memcpy((char *)raw + (size_t)i * sz, arri_addr(a, k0 + i), sz);
        p = raw;
    }
    kern_cast(a->dtype, DT_FLOAT64, v, p, (size_t)m);
}

/* A walk over one or two arrays of the same layout, block by block (x may be NULL). */
typedef struct {
    rt_t *rt;
    const arr_t *x, *y;
    int64_t n, g0, lsize;
    double *xv, *yv;
    void *raw;
} walk_t;

static int walk_open(rt_t *rt, const arr_t *x, const arr_t *y, walk_t *w, err_t *err)
{
    memset(w, 0, sizeof *w);
    w->rt = rt;
    w->x = x;
    w->y = y;
    w->n = total(rt, y);
    w->g0 = chunk_origin(rt, y);
    w->lsize = arri_lsize(y);
    w->xv = mem_alloc(BLK * sizeof(double));
    w->yv = mem_alloc(BLK * sizeof(double));
    w->raw = mem_alloc(BLK * 16);
    if (!w->xv || !w->yv || !w->raw) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    return 0;
}

static void walk_close(walk_t *w)
{
    mem_free(w->xv);
    mem_free(w->yv);
    mem_free(w->raw);
}

/* Loads block k0 (m elements): yv, and xv (x's values, or the global index). */
static void walk_load(walk_t *w, int64_t k0, int64_t m)
{
    load_block(w->y, k0, m, w->yv, w->raw);
    if (w->x)
        load_block(w->x, k0, m, w->xv, w->raw);
    else
        for (int64_t i = 0; i < m; i++)
            w->xv[i] = (double)(w->g0 + k0 + i);
}

/* Hands visit every block of the walk in turn, loaded (k0: its first local element, m:
 * its length), with an interrupt check after each. */
typedef void (*walk_fn)(void *ctx, const walk_t *w, int64_t k0, int64_t m);

static int walk_each(walk_t *w, walk_fn visit, void *ctx, err_t *err)
{
    int rc = 0;
    for (int64_t k0 = 0; k0 < w->lsize && !rc; k0 += BLK) {
        int64_t m = w->lsize - k0 < BLK ? w->lsize - k0 : BLK;
        walk_load(w, k0, m);
        visit(ctx, w, k0, m);
        rc = rt_check(w->rt, err);
    }
    return rc;
}

static int coll_of(const rt_t *rt, const arr_t *a)
{
    return a->isdist && !rt->local;
}

/* ranges' running state: {xmin, ymin, -xmax, -ymax} and the points left out. */
typedef struct {
    double r[4];
    int64_t bad;
} range_t;

static void range_block(void *ctx, const walk_t *w, int64_t k0, int64_t m)
{
    range_t *g = ctx;
    (void)k0;
    for (int64_t i = 0; i < m; i++) {
        double xv = w->xv[i], yv = w->yv[i];
        if (!isfinite(xv) || !isfinite(yv)) {
            g->bad++;
            continue;
        }
        if (xv < g->r[0]) g->r[0] = xv;
        if (yv < g->r[1]) g->r[1] = yv;
        if (-xv < g->r[2]) g->r[2] = -xv;
        if (-yv < g->r[3]) g->r[3] = -yv;
    }
}

/* Finite min and max of x's (or the index's) and y's values and the count left out.
 * r = {xmin, ymin, -xmax, -ymax} reduced with one MIN. */
static int ranges(walk_t *w, double *xr, double *yr, int64_t *skipped, err_t *err)
{
    range_t g = {{INFINITY, INFINITY, INFINITY, INFINITY}, 0};
    double *r = g.r;
    int rc = walk_each(w, range_block, &g, err);
    int64_t bad = g.bad;
    int coll = coll_of(w->rt, w->y);
    if (coll) rc = arri_agree(w->rt, rc, err);
    if (!rc && coll) rc = coll_reduce_f64(w->rt, r, 4, COLL_MIN, err);
    if (!rc && coll) rc = coll_sum_i64(w->rt, &bad, 1, err);
    xr[0] = r[0];
    xr[1] = -r[2];
    yr[0] = r[1];
    yr[1] = -r[3];
    *skipped = bad;
    return rc;
}

/* All n points (few) on every rank, in global order: xv/yv of s->a/s->b. */
static int all_points(rt_t *rt, const arr_t *x, const arr_t *y, fig_series_t *s, err_t *err)
{
    arr_t *fx = NULL, *fy = NULL;
    int coll = coll_of(rt, y), rc = 0;
    if (coll) {
        rc = coll_allgather(rt, y, &fy, err);
        if (!rc && x) rc = coll_allgather(rt, x, &fx, err);
    }
    const arr_t *ly = coll ? fy : y, *lx = coll ? fx : x;
    int64_t n = rc ? 0 : arri_lsize(ly);
    s->nx = (uint32_t)n;
    s->a = mem_alloc((size_t)(n ? n : 1) * sizeof(double));
    s->b = mem_alloc((size_t)(n ? n : 1) * sizeof(double));
    if (!rc && (!s->a || !s->b)) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    void *raw = rc ? NULL : mem_alloc((size_t)(n ? n : 1) * 16);
    if (!rc && !raw) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (!rc) {
        load_block(ly, 0, n, s->b, raw);
        if (lx)
            load_block(lx, 0, n, s->a, raw);
        else
            for (int64_t i = 0; i < n; i++)
                s->a[i] = (double)i;
    }
    mem_free(raw);
    arr_unref(&fx);
    arr_unref(&fy);
    if (coll) rc = arri_agree(rt, rc, err);
    return rc;
}

/* y moved to x's layout when both are distributed and laid out differently. */
static int paired(rt_t *rt, const arr_t *x, const arr_t *y, arr_t **tmp, const arr_t **use,
                  err_t *err)
{
    *tmp = NULL;
    *use = y;
    if (!x || !coll_of(rt, x) || !coll_of(rt, y) || dist_equal(&x->dist, &y->dist)) return 0;
    int rc = coll_redist(rt, y, &x->dist, tmp, err);
    if (!rc) *use = *tmp;
    return rc;
}

static int check_xy(const rt_t *rt, const char *fn, const arr_t *x, const arr_t *y, err_t *err)
{
    if (y->dtype == DT_COMPLEX128 || (x && x->dtype == DT_COMPLEX128))
        return err_set(err, PARC_ETYPE, (span_t){0}, "%s() of a complex array", fn);
    if (x && total(rt, x) != total(rt, y))
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "x and y must be the same size, but have %lld and %lld elements",
                       (long long)total(rt, x), (long long)total(rt, y));
    if (x && coll_of(rt, x) != coll_of(rt, y))
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "%s(): x and y must both be distributed or both be per-engine", fn);
    return 0;
}

/* The two inputs as walkable chunks of one layout; t1, t2, t3 hold moved copies. */
static int prepare(rt_t *rt, const char *fn, const arr_t **x, const arr_t **y, arr_t **t1,
                   arr_t **t2, arr_t **t3, err_t *err)
{
    *t1 = *t2 = *t3 = NULL;
    int rc = check_xy(rt, fn, *x, *y, err);
    if (!rc && *x) rc = as_rows(rt, *x, t1, x, err);
    if (!rc) rc = as_rows(rt, *y, t2, y, err);
    if (!rc) rc = paired(rt, *x, *y, t3, y, err);
    return rc;
}

static void unref3(arr_t **a, arr_t **b, arr_t **c)
{
    arr_unref(a);
    arr_unref(b);
    arr_unref(c);
}

/* One plot or scatter pass over x and y: moved copies, the walk and the finite ranges. */
typedef struct {
    arr_t *t1, *t2, *t3;
    walk_t w;
    double xr[2], yr[2];
} xy_t;

/* Reduces the walk of c into s when there are too many points to send them all. */
typedef int (*xy_reduce_fn)(rt_t *rt, const arr_t *x, const arr_t *y, xy_t *c, fig_series_t *s,
                            err_t *err);

/* The common frame of plot and scatter: inputs prepared, the walk opened, the ranges and
 * counts of s set; then every point (kind few) or the reduction many, agreed. */
static int draw_xy(rt_t *rt, const char *fn, int few, xy_reduce_fn many, const arr_t *x,
                   const arr_t *y, fig_series_t *s, err_t *err)
{
    xy_t c = {0};
    int rc = prepare(rt, fn, &x, &y, &c.t1, &c.t2, &c.t3, err);
    if (!rc) rc = walk_open(rt, x, y, &c.w, err);
    if (coll_of(rt, y)) rc = arri_agree(rt, rc, err);
    if (!rc) rc = ranges(&c.w, c.xr, c.yr, &s->skipped, err);
    if (!rc) {
        s->n = c.w.n - s->skipped;
        s->x0 = c.xr[0];
        s->x1 = c.xr[1];
        s->y0 = c.yr[0];
        s->y1 = c.yr[1];
    }
    if (!rc && c.w.n <= FIG_POINTS_MAX) {
        s->kind = few;
        rc = all_points(rt, x, y, s, err);
    } else if (!rc) {
        rc = many(rt, x, y, &c, s, err);
        if (coll_of(rt, y)) rc = arri_agree(rt, rc, err);
    }
    if (c.w.yv) walk_close(&c.w);
    unref3(&c.t1, &c.t2, &c.t3);
    if (rc) fig_series_free(s);
    return rc;
}

/* envelope's per-column state: min of y in v[0..W), -max in v[W..2W). */
typedef struct {
    double *v, x0, span;
    uint32_t W;
    int hasx;
} env_t;

static void env_block(void *ctx, const walk_t *w, int64_t k0, int64_t m)
{
    const env_t *e = ctx;
    double *v = e->v;
    uint32_t W = e->W;
    for (int64_t i = 0; i < m; i++) {
        double xv = w->xv[i], yv = w->yv[i];
        if (!isfinite(xv) || !isfinite(yv)) continue;
        int64_t col = e->hasx ? (e->span > 0 ? (int64_t)((xv - e->x0) / e->span * W) : 0)
                              : (w->g0 + k0 + i) * (int64_t)W / w->n;
        if (col >= W) col = W - 1;
        if (col < 0) col = 0;
        if (yv < v[col]) v[col] = yv;
        if (-yv < v[W + col]) v[W + col] = -yv;
    }
}

/* Per pixel column: min of y in lo[], -max in hi[], one MIN for both. */
static int envelope(rt_t *rt, const arr_t *x, const arr_t *y, xy_t *c, fig_series_t *s, err_t *err)
{
    uint32_t W = s->width;
    s->kind = FIG_ENVELOPE;
    s->nx = W;
    int rc = 0;
    double *v = mem_alloc(2 * (size_t)W * sizeof(double));
    if (!v) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    for (uint32_t i = 0; v && i < 2 * W; i++)
        v[i] = INFINITY;
    env_t e = {v, c->xr[0], c->xr[1] - c->xr[0], W, x != NULL};
    if (!rc) rc = walk_each(&c->w, env_block, &e, err);
    if (coll_of(rt, y)) rc = arri_agree(rt, rc, err);
    if (!rc && coll_of(rt, y)) rc = coll_reduce_f64(rt, v, 2 * (int64_t)W, COLL_MIN, err);
    if (!rc) {
        s->a = mem_alloc(W * sizeof(double));
        s->b = mem_alloc(W * sizeof(double));
        if (!s->a || !s->b) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    }
    for (uint32_t i = 0; !rc && i < W; i++) {
        int empty = v[i] == INFINITY;
        s->a[i] = empty ? NAN : v[i];
        s->b[i] = empty ? NAN : -v[W + i];
    }
    mem_free(v);
    return rc;
}

/* density's grid: counts of nx x ny cells over the ranges, row 0 at the top. */
typedef struct {
    int64_t *cnt;
    uint32_t nx, ny;
    double x0, sx, y1, sy;
} grid_t;

static void grid_block(void *ctx, const walk_t *w, int64_t k0, int64_t m)
{
    const grid_t *g = ctx;
    (void)k0;
    for (int64_t i = 0; i < m; i++) {
        double xv = w->xv[i], yv = w->yv[i];
        if (!isfinite(xv) || !isfinite(yv)) continue;
        int64_t cx = g->sx > 0 ? (int64_t)((xv - g->x0) / g->sx * g->nx) : 0;
        int64_t cy = g->sy > 0 ? (int64_t)((g->y1 - yv) / g->sy * g->ny) : 0;
        if (cx >= g->nx) cx = g->nx - 1;
        if (cy >= g->ny) cy = g->ny - 1;
        g->cnt[cy * g->nx + cx]++;
    }
}

/* Points counted on a grid of 3x3-pixel cells. */
static int density(rt_t *rt, const arr_t *x, const arr_t *y, xy_t *c, fig_series_t *s, err_t *err)
{
    (void)x;
    uint32_t nx = s->width / 3, ny = s->height / 3;
    if ((uint64_t)nx * ny > FIG_CELLS_MAX) nx = ny = 1024;
    s->kind = FIG_DENSITY;
    s->nx = nx;
    s->ny = ny;
    int rc = 0;
    int64_t *cnt = mem_calloc((size_t)nx * ny, sizeof *cnt);
    if (!cnt) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    grid_t g = {cnt, nx, ny, c->xr[0], c->xr[1] - c->xr[0], c->yr[1], c->yr[1] - c->yr[0]};
    if (!rc) rc = walk_each(&c->w, grid_block, &g, err);
    if (coll_of(rt, y)) rc = arri_agree(rt, rc, err);
    if (!rc && coll_of(rt, y)) rc = coll_sum_i64(rt, cnt, (int64_t)nx * ny, err);
    if (!rc && !(s->a = mem_alloc((size_t)nx * ny * sizeof(double))))
        rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    s->v0 = 0;
    s->v1 = 0;
    for (size_t i = 0; !rc && i < (size_t)nx * ny; i++) {
        s->a[i] = (double)cnt[i];
        if (s->a[i] > s->v1) s->v1 = s->a[i];
    }
    mem_free(cnt);
    return rc;
}

int arr_plot_line(rt_t *rt, const arr_t *x, const arr_t *y, fig_series_t *s, err_t *err)
{
    return draw_xy(rt, "plot", FIG_LINE, envelope, x, y, s, err);
}

int arr_plot_scatter(rt_t *rt, const arr_t *x, const arr_t *y, fig_series_t *s, err_t *err)
{
    return draw_xy(rt, "scatter", FIG_POINTS, density, x, y, s, err);
}

/* The n values of a (small) array as float64 on every rank. */
static int small_values(rt_t *rt, const arr_t *a, double **out, int64_t *n, err_t *err)
{
    arr_t *full = NULL;
    int coll = coll_of(rt, a), rc = 0;
    if (coll) rc = coll_allgather(rt, a, &full, err);
    const arr_t *l = coll ? full : a;
    *n = rc ? 0 : arri_lsize(l);
    double *v = rc ? NULL : mem_alloc((size_t)(*n ? *n : 1) * sizeof *v);
    void *raw = rc ? NULL : mem_alloc((size_t)(*n ? *n : 1) * 16);
    if (!rc && (!v || !raw)) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (!rc) load_block(l, 0, *n, v, raw);
    mem_free(raw);
    arr_unref(&full);
    if (coll) rc = arri_agree(rt, rc, err);
    if (rc) {
        mem_free(v);
        v = NULL;
    }
    *out = v;
    return rc;
}

int arr_plot_hist(rt_t *rt, const arr_t *x, int64_t bins, const double *lo, const double *hi,
                  fig_series_t *s, err_t *err)
{
    if (bins < 1 || bins > FIG_BINS_MAX)
        return err_set(err, PARC_EVALUE, (span_t){0}, "hist() takes 1 to %d bins, not %lld",
                       FIG_BINS_MAX, (long long)bins);
    arr_t *t1, *t2, *t3;
    const arr_t *none = NULL;
    int rc = prepare(rt, "hist", &none, &x, &t1, &t2, &t3, err);
    walk_t w = {0};
    if (!rc) rc = walk_open(rt, NULL, x, &w, err);
    if (coll_of(rt, x)) rc = arri_agree(rt, rc, err);
    double xr[2], yr[2];
    if (!rc) rc = ranges(&w, xr, yr, &s->skipped, err);
    if (w.yv) walk_close(&w);
    arr_t *cnt = NULL, *edges = NULL;
    if (!rc) {
        s->n = w.n - s->skipped;
        /* NumPy's own range (exact for integers) when every value is finite; else the finite
         * values' min and max, as matplotlib takes them */
        arr_edge_t e[2] = {{.f = lo ? *lo : yr[0]}, {.f = hi ? *hi : yr[1]}};
        int given = lo || s->skipped;
        if (given && s->n == 0 && !lo) e[0].f = 0, e[1].f = 1;
        rc = arr_histogram(rt, x, bins, given ? &e[0] : NULL, given ? &e[1] : NULL, &cnt, &edges,
                           err);
    }
    int64_t nc = 0, ne = 0;
    if (!rc) rc = small_values(rt, cnt, &s->a, &nc, err);
    if (!rc) rc = small_values(rt, edges, &s->b, &ne, err);
    arr_unref(&cnt);
    arr_unref(&edges);
    if (!rc) {
        s->kind = FIG_BARS;
        s->nx = (uint32_t)nc;
        s->x0 = s->b[0];
        s->x1 = s->b[ne - 1];
        s->y0 = 0;
        s->y1 = 0;
        for (int64_t i = 0; i < nc; i++)
            if (s->a[i] > s->y1) s->y1 = s->a[i];
    }
    unref3(&t1, &t2, &t3);
    if (rc) fig_series_free(s);
    return rc;
}

int arr_plot_image(rt_t *rt, const arr_t *z, fig_series_t *s, err_t *err)
{
    if (z->ndim != 2)
        return err_set(err, PARC_ETYPE, (span_t){0},
                       "Invalid shape for image data: imshow() "
                       "takes a 2-d array, not %d-d",
                       z->ndim);
    if (z->dtype == DT_COMPLEX128)
        return err_set(err, PARC_ETYPE, (span_t){0}, "imshow() of a complex array");
    int64_t R = coll_of(rt, z) ? z->shape[0] : z->lshape[0];
    int64_t C = coll_of(rt, z) ? z->shape[1] : z->lshape[1];
    if (R == 0 || C == 0)
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "imshow() of an empty array (shape (%lld, %lld))", (long long)R,
                       (long long)C);
    arr_t *tmp = NULL;
    const arr_t *use = z;
    int rc = as_rows(rt, z, &tmp, &use, err);
    uint32_t ny = R < s->height ? (uint32_t)R : s->height;
    uint32_t nx = C < s->width ? (uint32_t)C : s->width;
    while ((uint64_t)nx * ny > FIG_CELLS_MAX) {
        nx = (nx + 1) / 2;
        ny = (ny + 1) / 2;
    }
    size_t cells = (size_t)nx * ny;
    double *acc = rc ? NULL : mem_calloc(2 * cells, sizeof *acc); /* sums, then counts */
    double *row = rc ? NULL : mem_alloc((size_t)C * sizeof *row);
    void *raw = rc ? NULL : mem_alloc((size_t)C * 16);
    if (!rc && (!acc || !row || !raw)) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    int64_t r0 = coll_of(rt, z) ? arri_row(use, rt->rank) : 0;
    int64_t nr = rc ? 0 : use->lshape[0];
    for (int64_t r = 0; !rc && r < nr; r++) {
        load_block(use, r * C, C, row, raw);
        int64_t cy = (r0 + r) * (int64_t)ny / R;
        for (int64_t c = 0; c < C; c++) {
            if (!isfinite(row[c])) {
                s->skipped++;
                continue;
            }
            int64_t cx = c * (int64_t)nx / C;
            acc[cy * nx + cx] += row[c];
            acc[cells + cy * nx + cx] += 1;
        }
        if ((r & 63) == 0) rc = rt_check(rt, err);
    }
    if (coll_of(rt, z)) rc = arri_agree(rt, rc, err);
    if (!rc && coll_of(rt, z)) rc = coll_reduce_f64(rt, acc, 2 * (int64_t)cells, COLL_SUM, err);
    if (!rc && coll_of(rt, z)) rc = coll_sum_i64(rt, &s->skipped, 1, err);
    if (!rc && !(s->a = mem_alloc(cells * sizeof(double))))
        rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (coll_of(rt, z)) rc = arri_agree(rt, rc, err);
    if (!rc) {
        s->kind = FIG_IMAGE;
        s->nx = nx;
        s->ny = ny;
        s->n = R * C - s->skipped;
        s->x0 = 0;
        s->x1 = (double)C;
        s->y0 = 0;
        s->y1 = (double)R;
        s->v0 = INFINITY;
        s->v1 = -INFINITY;
        for (size_t i = 0; i < cells; i++) {
            double v = acc[cells + i] > 0 ? acc[i] / acc[cells + i] : NAN;
            s->a[i] = v;
            if (v < s->v0) s->v0 = v;
            if (v > s->v1) s->v1 = v;
        }
        if (s->v0 > s->v1) s->v0 = s->v1 = 0;
    }
    mem_free(acc);
    mem_free(row);
    mem_free(raw);
    arr_unref(&tmp);
    if (rc) fig_series_free(s);
    return rc;
}
