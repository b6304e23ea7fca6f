/* figure.h - what an engine sends the kernel to draw a picture: the reduced data of one
 * plot call, never the array. Engines reduce (per-pixel-column min/max of a line, a count
 * grid of a scatter, histogram bins, a block-averaged image); the kernel renders (render_).
 * The bytes of a record are bounded by the picture's size, not by the data's.
 *
 * A record (body of the link's FIGURE message, wire.h encoding):
 *   u8 op: FIG_OP_NEW (figure(): later series start a new figure)
 *          FIG_OP_SERIES, then a series (below)
 *          FIG_OP_SAVE, then str path (savefig: the current figure, rendered by the kernel)
 *   series: u8 kind, str label, str title, str xlabel, str ylabel, u32 width, u32 height,
 *           i64 n (data points drawn), i64 skipped (non-finite values left out),
 *           f64 x0 x1 y0 y1 (data range of the axes), f64 v0 v1 (image/density value range),
 *           u32 nx, u32 ny, then the arrays of the kind as f64:
 *     FIG_LINE     a line through nx points: x[nx], y[nx]
 *     FIG_ENVELOPE a line of more points than pixels: per pixel column i (of nx, spanning
 *                  x0..x1) the min and max of y, lo[nx], hi[nx] (nan: an empty column)
 *     FIG_POINTS   scatter markers: x[nx], y[nx]
 *     FIG_DENSITY  scatter as a density image: counts[ny * nx], row 0 at the top (y1)
 *     FIG_BARS     histogram: counts[nx], edges[nx + 1]
 *     FIG_IMAGE    imshow: values[ny * nx], row 0 at the top, of an array of shape
 *                  (y1, x1) block-averaged to ny x nx cells (nan: no finite value) */
#ifndef PARC_FIGURE_H
#define PARC_FIGURE_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

enum { FIG_OP_NEW = 1, FIG_OP_SERIES, FIG_OP_SAVE };
enum { FIG_LINE = 1, FIG_ENVELOPE, FIG_POINTS, FIG_DENSITY, FIG_BARS, FIG_IMAGE, FIG_NKINDS };

#define FIG_TEXT_MAX   200  /* title, labels: longer text is cut */
#define FIG_SIDE_MAX   4096 /* width and height in pixels */
#define FIG_SIDE_MIN   64
#define FIG_POINTS_MAX 4096       /* scatter markers / line points sent as they are */
#define FIG_CELLS_MAX  (1u << 20) /* density and image cells (ny * nx) */
#define FIG_BINS_MAX   100000     /* histogram bars */

typedef struct {
    int kind;
    char label[FIG_TEXT_MAX + 1], title[FIG_TEXT_MAX + 1];
    char xlabel[FIG_TEXT_MAX + 1], ylabel[FIG_TEXT_MAX + 1];
    uint32_t width, height;
    int64_t n, skipped;
    double x0, x1, y0, y1, v0, v1;
    uint32_t nx, ny;
    double *a, *b; /* the kind's arrays (b: the second one, or NULL) */
} fig_series_t;

/* How many doubles each array of a series of this kind and size holds (0: none). */
size_t fig_len_a(int kind, uint32_t nx, uint32_t ny);
size_t fig_len_b(int kind, uint32_t nx, uint32_t ny);

/* Appends a record to b. */
void fig_put_new(wbuf_t *b);
void fig_put_series(wbuf_t *b, const fig_series_t *s);
void fig_put_save(wbuf_t *b, const char *path, size_t n);

/* Reads one record: *op and, for a series, *s (arrays mem_alloc'ed: fig_series_free), for
 * a save, the path (a pointer into r's bytes, *pn its length). -1 when the record is
 * malformed (a bad kind, sizes that do not match the bytes, sides out of range). */
int fig_get(rbuf_t *r, int *op, fig_series_t *s, const char **path, size_t *pn);
void fig_series_free(fig_series_t *s);

#endif
