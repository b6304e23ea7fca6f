/* arrplot.h - the reductions behind plot, scatter, hist and imshow: each rank reduces its
 * chunk to what the picture needs and one collective combines the parts, so the result is
 * bounded by the picture's size (figure.h), never by the array's. Part of the array layer
 * (arr_ prefix); runtime/builtin/plotfn.c parses the arguments and sends the record.
 *
 * Every function is Collective for distributed input in global view (errors agreed, the
 * series the same on every rank) and rank-local in local view (this rank's chunk). Values
 * that are not finite are left out and counted in s->skipped, as matplotlib skips them.
 * The caller sets s's texts and width/height first; the arrays s->a/b are mem_alloc'ed
 * (fig_series_free). Complex input is a TypeError. */
#ifndef PARC_ARRPLOT_H
#define PARC_ARRPLOT_H

#include "arr.h"
#include "figure.h"

/* plot(y) (x == NULL: x is the index) or plot(x, y): the points when there are at most
 * FIG_POINTS_MAX, else per pixel column of s->width the min and max of y. */
int arr_plot_line(rt_t *rt, const arr_t *x, const arr_t *y, fig_series_t *s, err_t *err);

/* scatter(x, y): the points when few, else a count grid of cells of about 3 pixels. */
int arr_plot_scatter(rt_t *rt, const arr_t *x, const arr_t *y, fig_series_t *s, err_t *err);

/* hist(x, bins, range): numpy.histogram's counts and edges of x's finite values (range: the
 * finite min and max unless lo/hi are given). */
int arr_plot_hist(rt_t *rt, const arr_t *x, int64_t bins, const double *lo, const double *hi,
                  fig_series_t *s, err_t *err);

/* imshow(z) of a 2-d z: the mean of the finite values of each cell of a grid of at most
 * s->width x s->height cells (fewer when z is smaller). */
int arr_plot_image(rt_t *rt, const arr_t *z, fig_series_t *s, err_t *err);

#endif
