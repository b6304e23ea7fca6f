/* call.h - one call's evaluated arguments (call_t), and builtin dispatch on the BI_* id:
 * call_ runs the Python-level functions (print, len, range, bool, str, type, input,
 * from_local) itself and hands the rest by kind to conv_, create_, reduce_, comm_ and
 * ops_ (ufuncs). eval_ evaluates the arguments and calls in here; methods and attributes
 * are attr_'s, argument parsing args_'s. */
#ifndef PARC_CALL_H
#define PARC_CALL_H

#include <stddef.h>

#include "err.h"
#include "ir.h"
#include "ops.h"
#include "rt.h"
#include "value.h"

typedef struct {
    const char *name; /* keyword (borrowed from the IR) */
    val_t v;          /* borrowed */
} call_kw_t;

/* One call's evaluated arguments (all borrowed). For a reduction over a fused argument,
 * tree is that elementwise tree and args[0..nleaves) are its leaves; the other positional
 * arguments follow them. */
typedef struct {
    rt_t *rt;
    ops_t *ops;
    span_t at; /* the call, for errors raised here */
    val_t *args;
    size_t nargs;
    call_kw_t *kw;
    size_t nkw;
    const ir_node_t *tree;
    size_t nleaves;
    int defer; /* a random array may come back deferred (a V_LAZY, lazy.h) */
} call_t;

/* Calls builtin bi. *out is owned by the caller. Collective for array work in global view. */
int call_builtin(call_t *c, int bi, val_t *out, err_t *err);
/* A builtin used as a value: CONST builtins give their value, others a V_BUILTIN/V_DTYPE. */
val_t call_builtin_value(int bi);

#endif
