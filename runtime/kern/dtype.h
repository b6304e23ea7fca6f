/* dtype.h - the element types of arrays, shared by the rank-local loops (kern_) and the
 * arrays above them. No MPI: kern_ includes this, not arr.h. The dt_ functions are
 * defined in arr.c. */
#ifndef PARC_DTYPE_H
#define PARC_DTYPE_H

#include <stddef.h>

typedef enum {
    DT_BOOL,
    DT_INT32,
    DT_INT64,
    DT_FLOAT32,
    DT_FLOAT64,
    DT_COMPLEX128,
    DT_COUNT
} dtype_t;

const char *dt_name(int dt);     /* "float64"; "?" when out of range */
size_t dt_size(int dt);          /* bytes per element */
int dt_from_name(const char *s); /* dtype_t or -1 ("bool" and "bool_" both work) */
int dt_promote(int a, int b);    /* NumPy's result_type of two dtypes */

#endif
