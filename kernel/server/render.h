/* render.h - draws a figure (the series of figure.h that one cell's plot calls sent) with
 * Cairo: SVG when it holds only lines, markers and bars, PNG when it holds an image or a
 * density plot; axes with nice ticks, title, labels, a legend for several labelled series.
 * Also the figure's alt text for front ends that show no pictures. Kernel-side only: the
 * engines never draw. */
#ifndef PARC_RENDER_H
#define PARC_RENDER_H

#include <stddef.h>

#include "figure.h"
#include "wire.h"

typedef struct {
    fig_series_t *s; /* owned */
    size_t n, cap;
} render_fig_t;

/* Appends series s (moved: s's arrays now belong to f). -1 when out of memory (s freed). */
int render_add(render_fig_t *f, fig_series_t *s);
void render_free(render_fig_t *f);

/* 1 when the figure is drawn as PNG (an image or density series), 0 for SVG. */
int render_is_png(const render_fig_t *f);
/* The picture's bytes (SVG text or PNG) appended to out; -1 on failure. png: -1 the
 * figure's own choice, 0 force SVG, 1 force PNG (savefig's file name decides). */
int render_draw(const render_fig_t *f, int png, wbuf_t *out);
/* "<Figure: hist of 100000000 values, 50 bins>" appended to out. */
void render_alt(const render_fig_t *f, wbuf_t *out);

#endif
