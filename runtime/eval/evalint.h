/* evalint.h - the inside of eval_t, shared by the interpreter's files only (eval.c,
 * evalstmt.c, evalexpr.c, evalfn.c); everything else sees eval.h's opaque type.
 *
 * The interpreter is one module in four files, split where the reasons to change differ:
 * eval.c owns the state, the cell entry point, name lookup and the call chain; evalstmt.c
 * runs statements; evalexpr.c evaluates expressions and calls; evalfn.c makes and calls user
 * functions. The tree walk is mutually recursive (statements evaluate expressions, calls run
 * function bodies), so the files call each other through the evali_ functions below.
 *
 * Statements return 0, a negative PARC_E* code, or a positive FLOW_* code (break, continue,
 * return) that the enclosing loop or call consumes. */
#ifndef PARC_EVALINT_H
#define PARC_EVALINT_H

#include <stddef.h>
#include <stdint.h>

#include "call.h"
#include "err.h"
#include "eval.h"
#include "ir.h"
#include "globals.h"
#include "obj.h"
#include "ops.h"
#include "pmap.h"
#include "rt.h"
#include "value.h"

enum { FLOW_BREAK = 2, FLOW_CONTINUE, FLOW_RETURN };
#define MAX_DEPTH 200 /* user-function calls (RecursionError beyond) */
#define TB_MAX    (MAX_DEPTH + 8)

typedef struct frame {
    obj_func_t *f;
    val_t *vals;    /* f->nlocals */
    uint8_t *bound; /* f->nlocals */
} frame_t;

struct eval {
    rt_t *rt;
    ops_t *ops;
    globals_t *ns;    /* global names */
    frame_t *fr;      /* running function's frame, NULL at cell level */
    int depth;        /* user-function calls in progress */
    obj_prog_t *prog; /* the running cell's program */
    int silent;       /* do not show DISPLAY values */
    val_t ret;        /* value of the RETURN being unwound */
    int loops;        /* loops being run (no agreement per iteration) */
    eval_frame_t *tb; /* TB_MAX entries, innermost first while unwinding */
    size_t ntb;
    char **lazyg; /* globals bound to a deferred array in this cell (made at its end) */
    size_t nlazyg, caplazyg;
};

/* eval.c */
/* Gives an error raised below n (by arr_, ops_ ... with no place) the place of n. */
int evali_at(const ir_node_t *n, int rc, err_t *err);
/* Index of name in names[0..n), or -1. */
long evali_find(const char *const *names, size_t n, const char *name);
/* Index of name among the running function's locals, or -1 (global or captured). */
long evali_slot(const eval_t *ev, const char *name);
/* Reads the name node n: locals, captures, globals, then rank/nranks in local view. A
 * deferred array (lazy.h) is made here, once, and its name rebound to the array. */
int evali_load(eval_t *ev, const ir_node_t *n, val_t *out, err_t *err);
/* The same, except that a function's local deferred array not made yet comes back as it
 * is (a V_LAZY); a global one is made when first read. */
int evali_load_lazy(eval_t *ev, const ir_node_t *n, val_t *out, err_t *err);
/* 1 when values may be deferred: outside a farm, PARC_EAGER unset (either view). */
int evali_defer_ok(const eval_t *ev);
/* Makes every global bound to a deferred array in this cell (in binding order, the same on
 * every rank). Collective. A global that cannot be made is unbound (the error returned). */
int evali_force_globals(eval_t *ev, err_t *err);
/* Binds name in the running scope; takes *v. */
int evali_store(eval_t *ev, const char *name, val_t *v, err_t *err);
/* Records one frame of an error's call chain (innermost first); dropped when full. */
void evali_tb_push(eval_t *ev, span_t where, const char *fn);

/* evalstmt.c: runs statement n (0, PARC_E* or FLOW_*). */
int evali_exec(eval_t *ev, const ir_node_t *n, err_t *err);

/* evalexpr.c */
/* Evaluates expression n into *out (owned by the caller). */
int evali_expr(eval_t *ev, const ir_node_t *n, val_t *out, err_t *err);
/* The same, but an array-valued name, random call or elementwise tree may come back
 * deferred (a V_LAZY, lazy.h), for a caller that binds it to a name or consumes it. */
int evali_expr_lazy(eval_t *ev, const ir_node_t *n, val_t *out, err_t *err);
/* Index items of x[...]: SLICE nodes become slice objects; a TUPLE is spread. items has
 * ITEM_MAXIDX slots; the caller drops items[0..*nitems) even on error. */
int evali_index(eval_t *ev, const ir_node_t *n, val_t *items, size_t *nitems, err_t *err);

/* x[i] = FUSE (target t, value node fuse): the tree's leaves are evaluated, then, when
 * the subscript has no calls, x and i, and the tree runs straight into x's memory
 * (item_set_fused): *done = 1. Otherwise *v is the tree's value as evali_expr gives it
 * and *done = 0, for the caller to assign. */
int evali_fuse_into(eval_t *ev, const ir_node_t *t, const ir_node_t *fuse, val_t *v, int *done,
                    err_t *err);

/* evalfn.c */
/* A DEF or LAMBDA node as a function value (defaults evaluated, enclosing locals captured). */
int evali_make_func(eval_t *ev, const ir_node_t *n, val_t *out, err_t *err);
/* Calls user function f at site with evaluated arguments (borrowed). */
int evali_call_user(eval_t *ev, const ir_node_t *site, obj_func_t *f, const val_t *args,
                    size_t nargs, const call_kw_t *kw, size_t nkw, val_t *out, err_t *err);
/* fromfunction(f, shape, ...) called at site with c's evaluated arguments. */
int evali_fromfunction(eval_t *ev, const ir_node_t *site, call_t *c, val_t *out, err_t *err);

/* evalexpr.c */
/* pmap_'s context for a farm's work at site (pmap, apply, an AsyncResult's methods, a for
 * loop over it): fs holds the evaluator and the site, pc calls functions through them. */
typedef struct {
    eval_t *ev;
    const ir_node_t *site;
} evali_farm_t;
void evali_farm(eval_t *ev, const ir_node_t *site, evali_farm_t *fs, pmap_ctx_t *pc);

#endif
