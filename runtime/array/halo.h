/* halo.h - reading a distributed array in the blocks of another layout of the same shape
 * when the two differ by less than a neighbour's block: the views of a stencil
 * (z[2:, 1:-1] next to z[:-2, 1:-1] and z[1:-1, 2:]) each hold almost the part of the
 * result this rank computes. Each rank receives only what it lacks (rows, columns on a
 * grid, corners when both shift) from its grid neighbours, once, and the fused loop then
 * reads its own chunk in place and those halo cells beside it: no copy of the chunk and no
 * full-size temporary. Larger shifts are left to coll_redist. */
#ifndef PARC_HALO_H
#define PARC_HALO_H

#include <stdint.h>

#include "arrint.h"

typedef struct halo halo_t;

/* 1 when an array laid out by `from` can be read in layout `to` (same shape) through a
 * halo: the same grid, every dimension 'b' or 'n', and along each dimension every
 * coordinate c's block under `to` within the blocks of c - 1, c and c + 1 under `from`.
 * Looks at the layouts only, so every rank gets the same answer. */
int halo_fits(const dist_t *from, const dist_t *to);

/* Collective (every rank calls it for the same a and to, halo_fits(&a->dist, to) true).
 * Receives from a's grid neighbours the elements of this rank's block under `to` that a
 * does not hold here (one coll_exchange; extra memory: the halo). *out keeps a reference
 * to a. Caller owns *out; on error nothing is made and every rank returns the same code. */
int halo_new(const rt_t *rt, const arr_t *a, const dist_t *to, halo_t **out, err_t *err);
/* Not collective: the same reader for an a laid out by `to` itself (dist_equal), whose
 * strided chunk is then read in runs (a pointer into it when a block lies in one run). */
int halo_here(const rt_t *rt, const arr_t *a, const dist_t *to, halo_t **out, err_t *err);
void halo_free(halo_t **hp); /* NULL-safe, NULLs *hp */
/* Where block element 0 would lie in a's memory, in elements from the start of its
 * buffer, reading the block's part held here with a's strides: the own part's element i
 * (a multi-index) is at halo_origin + sum(i[d] * a's stride[d]). */
int64_t halo_origin(const halo_t *h);
/* The bytes this rank received from its neighbours. */
size_t halo_bytes(const halo_t *h);

/* Elements [s, s + n) in C order of this rank's block under `to`, in a's dtype: a pointer
 * into a's chunk when they lie there one after another, else dst (room for n elements)
 * after copying them there from the chunk and the halo. */
const void *halo_read(const halo_t *h, int64_t s, int64_t n, void *dst);

#endif
