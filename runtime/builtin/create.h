/* create.h - the array-creation builtins: zeros, ones, empty, full, arange, linspace,
 * array (BI_K_CREATE) and the random builtins random.random, rand, randn and seed
 * (BI_K_RANDOM), with their dtype=, dist= and block_size= keywords. call_ dispatches here;
 * arr_ makes the arrays. */
#ifndef PARC_CREATE_H
#define PARC_CREATE_H

#include "call.h"
#include "err.h"
#include "value.h"

/* *out is owned by the caller. Collective in global view (new arrays are distributed). */
int create_array(call_t *c, int bi, val_t *out, err_t *err);  /* BI_K_CREATE */
int create_random(call_t *c, int bi, val_t *out, err_t *err); /* BI_K_RANDOM */

#endif
