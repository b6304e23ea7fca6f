/* arrcheck.h - test arrays for the engine tests: a distributed int64 array of any layout
 * whose every element holds its own flat global index, and the check that an array of any
 * layout still does (after a move, a view, a redistribution). */
#ifndef PARC_ARRCHECK_H
#define PARC_ARRCHECK_H

#include <string.h>

#include "arrint.h"
#include "check.h"

/* The flat global index of element k of a's chunk (C order over its local shape). */
static inline int64_t arrcheck_gidx(const arr_t *a, const int *coord, int64_t k)
{
    int64_t g = 0, mul = 1;
    for (int d = a->ndim - 1; d >= 0; d--) {
        g += dist_l2g(&a->dist, d, coord[d], k % a->lshape[d]) * mul;
        k /= a->lshape[d];
        mul *= a->shape[d];
    }
    return g;
}

/* Shape sh laid out by kinds (one of 'b', 'c', 'n' per dimension) with block size bs over
 * rt's engines, each element its flat global index; NULL when that layout does not fit. */
static inline arr_t *arrcheck_iota(const rt_t *rt, int nd, const int64_t *sh, const char *kinds,
                                   int64_t bs)
{
    err_t err;
    err_clear(&err);
    dist_spec_t s;
    dist_spec_default(&s);
    for (int d = 0; d < nd; d++)
        s.kind[d] = kinds[d];
    s.block_size = bs;
    dist_t d;
    if (dist_init(&d, nd, sh, &s, rt->nranks, &err)) return NULL;
    arr_t *a = NULL;
    int rc = arri_new_dist(rt, DT_INT64, &d, &a, &err);
    dist_clear(&d);
    CHECK(rc == 0);
    if (rc) return NULL;
    int coord[ARR_MAXDIM];
    dist_coords(&a->dist, rt->rank, coord);
    for (int64_t k = 0; k < arri_lsize(a); k++) {
        int64_t g = arrcheck_gidx(a, coord, k);
        memcpy(arri_addr(a, k), &g, 8);
    }
    return a;
}

/* 1 when every element of a's chunk holds its flat global index. */
static inline int arrcheck_holds(const rt_t *rt, const arr_t *a)
{
    int coord[ARR_MAXDIM], ok = 1;
    dist_coords(&a->dist, rt->rank, coord);
    for (int64_t k = 0; k < arri_lsize(a); k++)
        ok &= arri_loadi(a->dtype, arri_addr(a, k)) == arrcheck_gidx(a, coord, k);
    return ok;
}

#endif
