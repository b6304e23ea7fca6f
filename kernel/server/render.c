/* render.c - figures drawn with Cairo (render.h). The figure's pixel size is its first
 * series' width x height; the plot area leaves margins for the tick labels, the title and
 * the axis labels. Data ranges are the union of the series' ranges, padded by 5 % for
 * lines and markers as matplotlib pads them; bars start at 0; an image keeps square cells
 * and puts row 0 at the top. Ticks are Heckbert's "nice numbers" (1, 2, 5 times a power of
 * ten). Colours: matplotlib's default cycle for series, viridis for images and densities. */
#include "render.h"

#include <cairo-svg.h>
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

#define PI 3.14159265358979323846

int render_add(render_fig_t *f, fig_series_t *s)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 4;
        fig_series_t *v = mem_realloc(f->s, cap * sizeof *v);
        if (!v) {
            fig_series_free(s);
            return -1;
        }
        f->s = v;
        f->cap = cap;
    }
    f->s[f->n++] = *s;
    memset(s, 0, sizeof *s);
    return 0;
}

void render_free(render_fig_t *f)
{
    for (size_t i = 0; i < f->n; i++)
        fig_series_free(&f->s[i]);
    mem_free(f->s);
    memset(f, 0, sizeof *f);
}

int render_is_png(const render_fig_t *f)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->s[i].kind == FIG_IMAGE || f->s[i].kind == FIG_DENSITY) return 1;
    return 0;
}

/* ---------------------------------------------------------------- colours */

static const double cycle[10][3] = {{0x1f, 0x77, 0xb4}, {0xff, 0x7f, 0x0e}, {0x2c, 0xa0, 0x2c},
                                    {0xd6, 0x27, 0x28}, {0x94, 0x67, 0xbd}, {0x8c, 0x56, 0x4b},
                                    {0xe3, 0x77, 0xc2}, {0x7f, 0x7f, 0x7f}, {0xbc, 0xbd, 0x22},
                                    {0x17, 0xbe, 0xcf}};

/* viridis at 0, 1/8, ..., 1; linear in between */
static const double viridis_keys[9][3] = {{68, 1, 84},    {72, 40, 120},  {62, 73, 137},
                                          {49, 104, 142}, {38, 130, 142}, {31, 158, 137},
                                          {53, 183, 121}, {110, 206, 88}, {253, 231, 37}};

static void viridis(double t, uint8_t rgb[3])
{
    if (!(t >= 0)) t = 0;
    if (t > 1) t = 1;
    double u = t * 8;
    int i = (int)u;
    if (i > 7) i = 7;
    double w = u - i;
    for (int k = 0; k < 3; k++)
        rgb[k] = (uint8_t)lrint(viridis_keys[i][k] * (1 - w) + viridis_keys[i + 1][k] * w);
}

static void set_cycle(cairo_t *cr, size_t i, double alpha)
{
    const double *c = cycle[i % 10];
    cairo_set_source_rgba(cr, c[0] / 255, c[1] / 255, c[2] / 255, alpha);
}

/* ---------------------------------------------------------------- axes */

typedef struct {
    double x0, x1, y0, y1;  /* data range shown */
    double left, top, w, h; /* plot area in pixels */
    int image;              /* y grows downwards (imshow) */
} frame_t;

static double px(const frame_t *f, double x)
{
    return f->left + (x - f->x0) / (f->x1 - f->x0) * f->w;
}

static double py(const frame_t *f, double y)
{
    double t = (y - f->y0) / (f->y1 - f->y0);
    return f->image ? f->top + t * f->h : f->top + f->h - t * f->h;
}

/* Heckbert's nice number near x: 1, 2, 5 or 10 times a power of ten. */
static double nice(double x, int round)
{
    double e = floor(log10(x)), f = x / pow(10, e), n;
    if (round)
        n = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    else
        n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return n * pow(10, e);
}

static double tick_step(double lo, double hi, int want)
{
    double range = nice(hi - lo, 0);
    return nice(range / (want - 1), 1);
}

static void tick_label(double v, double step, char *buf, size_t n)
{
    if (fabs(v) < step * 1e-9) v = 0;
    double a = fabs(v);
    if (a != 0 && (a >= 1e6 || a < 1e-4)) {
        snprintf(buf, n, "%.3g", v);
        return;
    }
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (dec > 10) dec = 10;
    snprintf(buf, n, "%.*f", dec, v);
}

static void text_at(cairo_t *cr, const char *s, double x, double y, double ax, double ay)
{
    cairo_text_extents_t te;
    cairo_text_extents(cr, s, &te);
    cairo_move_to(cr, x - te.width * ax - te.x_bearing, y - te.height * ay - te.y_bearing);
    cairo_show_text(cr, s);
}

static void draw_axes(cairo_t *cr, const frame_t *f, const fig_series_t *s0)
{
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, f->left + 0.5, f->top + 0.5, f->w, f->h);
    cairo_stroke(cr);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 11);
    char buf[64];
    for (int axis = 0; axis < 2; axis++) {
        double lo = axis ? f->y0 : f->x0, hi = axis ? f->y1 : f->x1;
        if (f->image && axis) lo = f->y0, hi = f->y1;
        double step = tick_step(lo, hi, axis ? 6 : 7);
        for (double v = ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
            tick_label(v, step, buf, sizeof buf);
            if (axis) {
                double y = py(f, v);
                cairo_move_to(cr, f->left, y);
                cairo_line_to(cr, f->left - 4, y);
                cairo_stroke(cr);
                text_at(cr, buf, f->left - 7, y, 1, 0.5);
            } else {
                double x = px(f, v);
                double yb = f->top + f->h;
                cairo_move_to(cr, x, yb);
                cairo_line_to(cr, x, yb + 4);
                cairo_stroke(cr);
                text_at(cr, buf, x, yb + 7, 0.5, 0);
            }
        }
    }
    if (s0->xlabel[0]) text_at(cr, s0->xlabel, f->left + f->w / 2, f->top + f->h + 26, 0.5, 0);
    if (s0->ylabel[0]) {
        cairo_save(cr);
        cairo_translate(cr, 14, f->top + f->h / 2);
        cairo_rotate(cr, -PI / 2);
        text_at(cr, s0->ylabel, 0, 0, 0.5, 0.5);
        cairo_restore(cr);
    }
    if (s0->title[0]) {
        cairo_set_font_size(cr, 14);
        text_at(cr, s0->title, f->left + f->w / 2, f->top - 12, 0.5, 1);
    }
}

/* ---------------------------------------------------------------- series */

static void draw_line(cairo_t *cr, const frame_t *f, const fig_series_t *s, size_t ci)
{
    set_cycle(cr, ci, 1);
    cairo_set_line_width(cr, 1.5);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    int open = 0;
    for (uint32_t i = 0; i < s->nx; i++) {
        if (s->kind == FIG_ENVELOPE) {
            if (!isfinite(s->a[i])) continue; /* an empty column: the line goes on */
            double xd = s->x0 + (i + 0.5) * (s->x1 - s->x0) / s->nx;
            double x = px(f, xd);
            if (!open) cairo_move_to(cr, x, py(f, s->a[i]));
            cairo_line_to(cr, x, py(f, s->a[i]));
            cairo_line_to(cr, x, py(f, s->b[i]));
            open = 1;
            continue;
        }
        if (!isfinite(s->a[i]) || !isfinite(s->b[i])) { /* a gap, as matplotlib leaves one */
            if (open) cairo_stroke(cr);
            open = 0;
            continue;
        }
        if (open)
            cairo_line_to(cr, px(f, s->a[i]), py(f, s->b[i]));
        else
            cairo_move_to(cr, px(f, s->a[i]), py(f, s->b[i]));
        open = 1;
    }
    if (s->kind == FIG_LINE && s->nx == 1 && open) { /* one point: a dot */
        cairo_arc(cr, px(f, s->a[0]), py(f, s->b[0]), 2, 0, 2 * PI);
        cairo_fill(cr);
        return;
    }
    if (open) cairo_stroke(cr);
}

static void draw_points(cairo_t *cr, const frame_t *f, const fig_series_t *s, size_t ci)
{
    set_cycle(cr, ci, 0.8);
    for (uint32_t i = 0; i < s->nx; i++) {
        if (!isfinite(s->a[i]) || !isfinite(s->b[i])) continue;
        cairo_new_sub_path(cr);
        cairo_arc(cr, px(f, s->a[i]), py(f, s->b[i]), 3, 0, 2 * PI);
    }
    cairo_fill(cr);
}

static void draw_bars(cairo_t *cr, const frame_t *f, const fig_series_t *s, size_t ci)
{
    set_cycle(cr, ci, 1);
    for (uint32_t i = 0; i < s->nx; i++) {
        if (s->a[i] <= 0) continue;
        double xa = px(f, s->b[i]), xb = px(f, s->b[i + 1]);
        double ya = py(f, s->a[i]), yb = py(f, 0);
        cairo_rectangle(cr, xa, ya, xb - xa, yb - ya);
    }
    cairo_fill(cr);
}

/* An image or density grid: one pixel per cell, scaled to the cells' place. */
static int draw_grid(cairo_t *cr, const frame_t *f, const fig_series_t *s)
{
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)s->nx, (int)s->ny);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(img);
        return -1;
    }
    cairo_surface_flush(img);
    unsigned char *d = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    double lo = s->v0, hi = s->v1;
    int logd = s->kind == FIG_DENSITY;
    for (uint32_t r = 0; r < s->ny; r++) {
        uint32_t *row = (uint32_t *)(d + (size_t)r * stride);
        for (uint32_t c = 0; c < s->nx; c++) {
            double v = s->a[(size_t)r * s->nx + c];
            if (!isfinite(v) || (logd && v <= 0)) {
                row[c] = 0; /* transparent: no data */
                continue;
            }
            double t = logd      ? log1p(v) / log1p(hi > 0 ? hi : 1)
                       : hi > lo ? (v - lo) / (hi - lo)
                                 : 0.5;
            uint8_t rgb[3];
            viridis(t, rgb);
            row[c] = 0xff000000u | (uint32_t)rgb[0] << 16 | (uint32_t)rgb[1] << 8 | rgb[2];
        }
    }
    cairo_surface_mark_dirty(img);
    double xa = px(f, s->x0), xb = px(f, s->x1);
    double ya = py(f, s->kind == FIG_IMAGE ? s->y0 : s->y1);
    double yb = py(f, s->kind == FIG_IMAGE ? s->y1 : s->y0);
    cairo_save(cr);
    cairo_rectangle(cr, xa, ya, xb - xa, yb - ya);
    cairo_clip(cr);
    cairo_translate(cr, xa, ya);
    cairo_scale(cr, (xb - xa) / s->nx, (yb - ya) / s->ny);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
    return 0;
}

static void draw_legend(cairo_t *cr, const frame_t *f, const render_fig_t *fig)
{
    size_t nl = 0;
    double wmax = 0;
    cairo_set_font_size(cr, 11);
    for (size_t i = 0; i < fig->n; i++)
        if (fig->s[i].label[0]) {
            cairo_text_extents_t te;
            cairo_text_extents(cr, fig->s[i].label, &te);
            if (te.x_advance > wmax) wmax = te.x_advance;
            nl++;
        }
    if (nl < 2) return;
    double bw = wmax + 40, bh = 18.0 * nl + 8, bx = f->left + f->w - bw - 8, by = f->top + 8;
    cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
    cairo_rectangle(cr, bx, by, bw, bh);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    double y = by + 13;
    for (size_t i = 0; i < fig->n; i++) {
        if (!fig->s[i].label[0]) continue;
        set_cycle(cr, i, 1);
        cairo_rectangle(cr, bx + 8, y - 5, 18, 4);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        text_at(cr, fig->s[i].label, bx + 32, y - 3, 0, 0.5);
        y += 18;
    }
}

/* ---------------------------------------------------------------- the figure */

static void pad(double *lo, double *hi, double frac)
{
    if (!isfinite(*lo) || !isfinite(*hi) || *lo > *hi) {
        *lo = 0;
        *hi = 1;
        return;
    }
    if (*hi == *lo) {
        double d = *lo != 0 ? fabs(*lo) * 0.05 : 0.5;
        *lo -= d;
        *hi += d;
        return;
    }
    double d = (*hi - *lo) * frac;
    *lo -= d;
    *hi += d;
}

static void frame_of(const render_fig_t *fig, double W, double H, frame_t *f)
{
    const fig_series_t *s0 = &fig->s[0];
    memset(f, 0, sizeof *f);
    f->left = s0->ylabel[0] ? 78 : 62;
    f->top = s0->title[0] ? 36 : 14;
    f->w = W - f->left - 18;
    f->h = H - f->top - (s0->xlabel[0] ? 48 : 30);
    f->x0 = f->y0 = INFINITY;
    f->x1 = f->y1 = -INFINITY;
    int bars = 0, image = 0;
    for (size_t i = 0; i < fig->n; i++) {
        const fig_series_t *s = &fig->s[i];
        if (s->kind == FIG_IMAGE) image = 1;
        if (s->kind == FIG_BARS) bars = 1;
        if (s->n == 0 && s->kind != FIG_IMAGE) continue;
        f->x0 = fmin(f->x0, s->x0);
        f->x1 = fmax(f->x1, s->x1);
        f->y0 = fmin(f->y0, s->kind == FIG_BARS ? 0 : s->y0);
        f->y1 = fmax(f->y1, s->y1);
    }
    if (image) { /* square cells, the array's extent exactly, row 0 at the top */
        f->image = 1;
        double aw = f->x1 - f->x0, ah = f->y1 - f->y0, k = fmin(f->w / aw, f->h / ah);
        f->left += (f->w - aw * k) / 2;
        f->w = aw * k;
        f->h = ah * k;
        return;
    }
    pad(&f->x0, &f->x1, bars ? 0.02 : 0.05);
    double y0 = f->y0;
    pad(&f->y0, &f->y1, 0.05);
    if (bars && y0 == 0) f->y0 = 0;
}

static cairo_status_t to_wbuf(void *closure, const unsigned char *data, unsigned int len)
{
    wbuf_t *b = closure;
    wbuf_bytes(b, data, len);
    return b->oom ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

static int paint(cairo_t *cr, const render_fig_t *fig, double W, double H)
{
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    frame_t f;
    frame_of(fig, W, H, &f);
    int rc = 0;
    cairo_save(cr);
    cairo_rectangle(cr, f.left, f.top, f.w, f.h);
    cairo_clip(cr);
    for (size_t i = 0; i < fig->n && !rc; i++) {
        const fig_series_t *s = &fig->s[i];
        switch (s->kind) {
        case FIG_LINE:
        case FIG_ENVELOPE:
            draw_line(cr, &f, s, i);
            break;
        case FIG_POINTS:
            draw_points(cr, &f, s, i);
            break;
        case FIG_BARS:
            draw_bars(cr, &f, s, i);
            break;
        default:
            rc = draw_grid(cr, &f, s);
        }
    }
    cairo_restore(cr);
    draw_axes(cr, &f, &fig->s[0]);
    draw_legend(cr, &f, fig);
    return rc || cairo_status(cr) != CAIRO_STATUS_SUCCESS ? -1 : 0;
}

int render_draw(const render_fig_t *fig, int png, wbuf_t *out)
{
    if (!fig->n) return -1;
    double W = fig->s[0].width, H = fig->s[0].height;
    if (png < 0) png = render_is_png(fig);
    cairo_surface_t *sf = png ? cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)W, (int)H)
                              : cairo_svg_surface_create_for_stream(to_wbuf, out, W, H);
    if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(sf);
        return -1;
    }
    cairo_t *cr = cairo_create(sf);
    int rc = paint(cr, fig, W, H);
    cairo_destroy(cr);
    if (png && !rc && cairo_surface_write_to_png_stream(sf, to_wbuf, out) != CAIRO_STATUS_SUCCESS)
        rc = -1;
    cairo_surface_finish(sf); /* the SVG is written out here */
    if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) rc = -1;
    cairo_surface_destroy(sf);
    return rc || out->oom ? -1 : 0;
}

void render_alt(const render_fig_t *fig, wbuf_t *out)
{
    wbuf_printf(out, "<Figure");
    if (fig->n && fig->s[0].title[0]) wbuf_printf(out, " '%s'", fig->s[0].title);
    wbuf_printf(out, ":");
    for (size_t i = 0; i < fig->n; i++) {
        const fig_series_t *s = &fig->s[i];
        const char *of = s->label[0] ? s->label : NULL;
        wbuf_printf(out, i ? "; " : " ");
        switch (s->kind) {
        case FIG_LINE:
        case FIG_ENVELOPE:
            wbuf_printf(out, "line of %s%s%lld points", of ? of : "", of ? ", " : "",
                        (long long)s->n);
            break;
        case FIG_POINTS:
        case FIG_DENSITY:
            wbuf_printf(out, "scatter of %s%s%lld points%s", of ? of : "", of ? ", " : "",
                        (long long)s->n, s->kind == FIG_DENSITY ? " (density)" : "");
            break;
        case FIG_BARS:
            wbuf_printf(out, "hist of %s%s%lld values, %u bins", of ? of : "", of ? ", " : "",
                        (long long)s->n, s->nx);
            break;
        default:
            wbuf_printf(out, "imshow of %s%sa %.0fx%.0f array", of ? of : "", of ? ", " : "", s->y1,
                        s->x1);
        }
        if (s->skipped) wbuf_printf(out, " (%lld not finite, left out)", (long long)s->skipped);
    }
    wbuf_printf(out, ">");
}
