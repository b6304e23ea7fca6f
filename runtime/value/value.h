/* value.h - the values the engine computes with: scalars inline, everything else a
 * reference-counted heap object. A val_t is 16 bytes and passed by value; copying one that
 * holds an object needs val_ref, dropping it val_drop (value.c). Arrays are arr_t (arr.h),
 * reference-counted by arr_ref/arr_unref.
 *
 * Scalars carry a NumPy dtype. Python scalars (literals, int(), len() ...) are "weak": in
 * arithmetic with an array they take the array's dtype when it can hold them (NEP 50), so
 * `x * 2` keeps x's float32. */
#ifndef PARC_VALUE_H
#define PARC_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct arr;

typedef enum {
    V_NONE,    /* None */
    V_BOOL,    /* i: 0/1 */
    V_INT,     /* i */
    V_FLOAT,   /* f */
    V_COMPLEX, /* c[0] + c[1]j */
    V_STR,     /* o: str_t */
    V_TUPLE,   /* o: seq_t */
    V_LIST,    /* o: seq_t */
    V_ARRAY,   /* a: arr_t (distributed in global view, or local) */
    V_FUNC,    /* o: a user function or lambda (eval.c) */
    V_BUILTIN, /* i: BI_* id (builtins.h) */
    V_DTYPE,   /* i: dtype_t */
    V_RANGE,   /* o: range object (start, stop, step) */
    V_SLICE,   /* o: slice (start, stop, step, each may be None) */
    V_PERENG,  /* o: defined in local view; a different value on each engine */
    V_ASYNC,   /* o: obj_async_t, a pmap_async farm (runtime/engine/pmap.c) */
    V_NPZ,     /* o: obj_npz_t, the arrays of a .npz file by name (load) */
    /* ... (Ellipsis), no payload */
    V_ELLIPSIS,
    V_LAZY, /* o: lazy_t, an array not made yet (lazy.h); only in names, never elsewhere */
    V_NKINDS
} vkind_t;

typedef struct obj {
    int32_t refs;
    uint8_t kind; /* vkind_t of the value that holds it */
} obj_t;

typedef struct {
    uint8_t kind;  /* vkind_t */
    uint8_t dtype; /* scalars: dtype_t (DT_INT64 for a Python int, DT_FLOAT64 ...) */
    uint8_t weak;  /* scalars: 1 for Python scalars (see above) */
    union {
        int64_t i;
        double f;
        double c[2];
        obj_t *o;
        struct arr *a;
    } u;
} val_t;

typedef struct {
    obj_t h;
    size_t n;
    char s[]; /* n bytes + NUL */
} str_t;

typedef struct {
    obj_t h;
    size_t n, cap;
    val_t *v;
} seq_t;

static inline val_t val_none(void)
{
    val_t v = {0};
    return v;
}
val_t val_int(int64_t i);  /* Python int (weak int64) */
val_t val_float(double f); /* Python float (weak float64) */
val_t val_bool(int b);
val_t val_complex(double re, double im);

/* New string / tuple / list values; on allocation failure return V_NONE and set err. */
val_t val_str(const char *s, size_t n, err_t *err);
val_t val_seq(int kind, size_t n, err_t *err); /* n slots of None, kind V_TUPLE or V_LIST */
val_t val_array(struct arr **ap);              /* takes the reference *ap, NULLs it */

val_t val_ref(val_t v);              /* returns v after adding a reference to its object, if any */
void val_drop(val_t *v);             /* drops the reference (freeing at zero), sets *v to None */
void val_drop_n(val_t *v, size_t n); /* val_drop on each of n values */
int val_is_int(const val_t *v);      /* an int or a bool (usable as an index) */

int val_is_num(const val_t *v);            /* bool, int, float or complex scalar */
const char *val_kind_name(const val_t *v); /* "int", "ndarray", "function", ... */

/* len(v): strings, tuples, lists, ranges, and arrays along their first axis. 0 and *n, or
 * PARC_ETYPE with err set (at the given place) for anything else, a 0-d array included. */
int val_len(const val_t *v, span_t at, int64_t *n, err_t *err);
/* Python's truth value; arrays of more than one element raise ValueError as NumPy does. */
int val_truth(const val_t *v, int *out, err_t *err);

#endif
