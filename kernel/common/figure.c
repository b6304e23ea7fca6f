/* figure.c - the figure record (figure.h): one encoder for the engines, one decoder for the
 * kernel, so the two sides cannot drift apart. */
#include "figure.h"

#include <string.h>

#include "mem.h"

size_t fig_len_a(int kind, uint32_t nx, uint32_t ny)
{
    switch (kind) {
    case FIG_DENSITY:
    case FIG_IMAGE:
        return (size_t)nx * ny;
    case FIG_LINE:
    case FIG_ENVELOPE:
    case FIG_POINTS:
    case FIG_BARS:
        return nx;
    }
    return 0;
}

size_t fig_len_b(int kind, uint32_t nx, uint32_t ny)
{
    (void)ny;
    switch (kind) {
    case FIG_LINE:
    case FIG_ENVELOPE:
    case FIG_POINTS:
        return nx;
    case FIG_BARS:
        return (size_t)nx + 1;
    }
    return 0;
}

void fig_put_new(wbuf_t *b)
{
    wbuf_u8(b, FIG_OP_NEW);
}

void fig_put_save(wbuf_t *b, const char *path, size_t n)
{
    wbuf_u8(b, FIG_OP_SAVE);
    wbuf_str(b, path, n);
}

static void put_text(wbuf_t *b, const char *s)
{
    size_t n = strnlen(s, FIG_TEXT_MAX);
    wbuf_str(b, s, n);
}

void fig_put_series(wbuf_t *b, const fig_series_t *s)
{
    wbuf_u8(b, FIG_OP_SERIES);
    wbuf_u8(b, (uint8_t)s->kind);
    put_text(b, s->label);
    put_text(b, s->title);
    put_text(b, s->xlabel);
    put_text(b, s->ylabel);
    wbuf_u32(b, s->width);
    wbuf_u32(b, s->height);
    wbuf_i64(b, s->n);
    wbuf_i64(b, s->skipped);
    const double r[6] = {s->x0, s->x1, s->y0, s->y1, s->v0, s->v1};
    for (int i = 0; i < 6; i++)
        wbuf_f64(b, r[i]);
    wbuf_u32(b, s->nx);
    wbuf_u32(b, s->ny);
    size_t na = fig_len_a(s->kind, s->nx, s->ny), nb = fig_len_b(s->kind, s->nx, s->ny);
    for (size_t i = 0; i < na; i++)
        wbuf_f64(b, s->a[i]);
    for (size_t i = 0; i < nb; i++)
        wbuf_f64(b, s->b[i]);
}

static void get_text(rbuf_t *r, char *dst)
{
    size_t n;
    const char *s = rbuf_str(r, &n);
    if (n > FIG_TEXT_MAX) n = FIG_TEXT_MAX;
    memcpy(dst, s, n);
    dst[n] = 0;
}

static double *get_f64s(rbuf_t *r, size_t n)
{
    if (rbuf_left(r) / 8 < n) {
        r->bad = 1;
        return NULL;
    }
    double *v = mem_alloc(n ? n * sizeof *v : 1);
    if (!v) return NULL;
    for (size_t i = 0; i < n; i++)
        v[i] = rbuf_f64(r);
    return v;
}

/* The limits a decoded series must keep, whatever the engine sent. */
static int sizes_ok(const fig_series_t *s)
{
    if (s->kind < FIG_LINE || s->kind >= FIG_NKINDS) return 0;
    if (s->width < FIG_SIDE_MIN || s->width > FIG_SIDE_MAX) return 0;
    if (s->height < FIG_SIDE_MIN || s->height > FIG_SIDE_MAX) return 0;
    switch (s->kind) {
    case FIG_DENSITY:
    case FIG_IMAGE:
        return s->nx >= 1 && s->ny >= 1 && (uint64_t)s->nx * s->ny <= FIG_CELLS_MAX;
    case FIG_BARS:
        return s->nx <= FIG_BINS_MAX;
    case FIG_ENVELOPE:
        return s->nx <= FIG_SIDE_MAX;
    default:
        return s->nx <= FIG_POINTS_MAX;
    }
}

int fig_get(rbuf_t *r, int *op, fig_series_t *s, const char **path, size_t *pn)
{
    memset(s, 0, sizeof *s);
    *op = rbuf_u8(r);
    if (*op == FIG_OP_NEW) return r->bad ? -1 : 0;
    if (*op == FIG_OP_SAVE) {
        *path = rbuf_str(r, pn);
        return r->bad || *pn == 0 ? -1 : 0;
    }
    if (*op != FIG_OP_SERIES) return -1;
    s->kind = rbuf_u8(r);
    get_text(r, s->label);
    get_text(r, s->title);
    get_text(r, s->xlabel);
    get_text(r, s->ylabel);
    s->width = rbuf_u32(r);
    s->height = rbuf_u32(r);
    s->n = rbuf_i64(r);
    s->skipped = rbuf_i64(r);
    double *rg[6] = {&s->x0, &s->x1, &s->y0, &s->y1, &s->v0, &s->v1};
    for (int i = 0; i < 6; i++)
        *rg[i] = rbuf_f64(r);
    s->nx = rbuf_u32(r);
    s->ny = rbuf_u32(r);
    if (r->bad || !sizes_ok(s)) return -1;
    size_t na = fig_len_a(s->kind, s->nx, s->ny), nb = fig_len_b(s->kind, s->nx, s->ny);
    s->a = get_f64s(r, na);
    if (nb) s->b = get_f64s(r, nb);
    if (r->bad || !s->a || (nb && !s->b)) {
        fig_series_free(s);
        return -1;
    }
    return 0;
}

void fig_series_free(fig_series_t *s)
{
    mem_free(s->a);
    mem_free(s->b);
    s->a = s->b = NULL;
}
