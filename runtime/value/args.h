/* args.h - argument parsing for builtins and methods: positional counts, keywords, and the
 * common argument kinds (integers, reals, shapes, dtypes, distributions, axes), each with
 * Python's and NumPy's TypeError/ValueError wording. Every error points at the call (c->at).
 * Used by call_ and the builtin modules it dispatches to (conv_, create_, reduce_, comm_,
 * attr_). */
#ifndef PARC_ARGS_H
#define PARC_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include "arr.h"
#include "call.h"
#include "err.h"
#include "value.h"

/* The builtin's name for messages, without its module ("random.seed" -> "seed"). */
const char *args_fname(int bi);

/* Fills slots[i] with the keyword named names[i] (NULL if absent; borrowed from c).
 * TypeError for a keyword not in names. */
int args_kw(call_t *c, const char *fn, const char *const *names, size_t n, const val_t **slots,
            err_t *err);
/* TypeError unless lo <= c->nargs <= hi. */
int args_count(call_t *c, const char *fn, size_t lo, size_t hi, err_t *err);
/* Positional argument i, else keyword slot kwv, else NULL; TypeError when both. */
int args_either(call_t *c, const char *fn, size_t i, const val_t *kwv, const char *kwname,
                const val_t **out, err_t *err);

/* Binds parameters names[0..n) (n <= ARGS_MAXBIND) by position (at most maxpos of them) or
 * by keyword: out[i] is the argument or NULL when absent (args_kw, args_count and
 * args_either in one). */
#define ARGS_MAXBIND 12
int args_bind(call_t *c, const char *fn, const char *const *names, size_t n, size_t maxpos,
              const val_t **out, err_t *err);

int args_int(call_t *c, const val_t *v, int64_t *out, err_t *err);   /* int or bool */
int args_double(call_t *c, const val_t *v, double *out, err_t *err); /* int, bool or float */
/* An int or a tuple/list of ints: at most ARR_MAXDIM, none negative. */
int args_shape(call_t *c, const val_t *v, int *ndim, int64_t *shape, err_t *err);
/* dtype= value: a DTYPE builtin, int/float/bool/complex, a name, or None/NULL (-1). */
int args_dtype(call_t *c, const val_t *v, int *dt, err_t *err);
/* dist= and block_size= (either may be NULL) into d; *use = 0 when neither was given
 * (default dist). */
int args_dist(call_t *c, const val_t *dv, const val_t *bs, int ndim, dist_spec_t *d, int *use,
              err_t *err);
/* grid_shape= (NULL/None: chosen) into d->grid after args_dist set the kinds: one entry
 * per dimension (1 for 'n' ones) or one per distributed dimension. Sets *use when given. */
int args_grid(call_t *c, const val_t *gv, int ndim, dist_spec_t *d, int *use, err_t *err);
/* axis= value: an int, or None/NULL (ARR_NOAXIS). */
int args_axis(call_t *c, const val_t *v, int *axis, err_t *err);

/* Gives an error raised below (by arr_, ops_ ... with no place) the place of the call. */
int args_at(call_t *c, int rc, err_t *err);

#endif
