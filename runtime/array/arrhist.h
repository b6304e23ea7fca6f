/* arrhist.h - histogram(x, bins, range) with NumPy 1.24's counts and edges, computed where
 * the data lives: each rank counts its chunk, one collective sums the counts. Part of the
 * array layer (arr_ prefix); the plots (issue 14) build on it. */
#ifndef PARC_ARRHIST_H
#define PARC_ARRHIST_H

#include <stdint.h>

#include "arr.h"

/* One end of a histogram range as the caller gave it: an integer (exact) or a float. */
typedef struct {
    int isint;
    int64_t i;
    double f;
} arr_edge_t;

/* counts (int64, nbins) and edges (nbins+1; float32 for float32 input, else float64) of a,
 * flattened, as numpy.histogram(a, nbins, range) gives them: lo/hi NULL = the data's min
 * and max (ValueError when not finite, a nan included), the last bin closed, values on an
 * edge counted as NumPy counts them. Bool and integer input count as numbers; complex is a
 * TypeError. Collective when a is distributed in global view (the results then distributed
 * too); in local view everything is this rank's. Caller owns *counts and *edges. */
int arr_histogram(rt_t *rt, const arr_t *a, int64_t nbins, const arr_edge_t *lo,
                  const arr_edge_t *hi, arr_t **counts, arr_t **edges, err_t *err);

#endif
