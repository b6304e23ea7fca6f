/* repr.h - the text of a value as Python's repr() and str() give it: `6`, `0.1`, `(1+2j)`,
 * `'text'`, `(1,)`, `[1, 2]`, `range(0, 3)`, `None`, `<function f>`, `dtype('float64')`;
 * arrays through arr_repr/arr_str (NumPy's text). */
#ifndef PARC_REPR_H
#define PARC_REPR_H

#include "err.h"
#include "rt.h"
#include "value.h"
#include "wire.h"

/* Appends repr(v) (as_str = 0) or str(v) (as_str = 1) to out. Collective when v is or holds
 * a distributed array in global view (then only rank 0's text is complete). A per-engine
 * value shows this rank's value. Returns 0 or PARC_E* (arr_ errors, PARC_ENOMEM). */
int repr_val(rt_t *rt, const val_t *v, int as_str, wbuf_t *out, err_t *err);

/* Appends the repr of a float scalar of dtype dt (float32 uses its own shortest digits). */
void repr_float(double d, int dt, wbuf_t *out);

/* Appends a Python string literal for s[0..n): single quotes unless s holds ' and no ". */
void repr_str(const char *s, size_t n, wbuf_t *out);

#endif
