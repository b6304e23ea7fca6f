/* ops.h - the generic (non-fused) operators: what `+`, `<`, `-x`, `in` and the ufuncs do
 * on any pair of values. Numbers go to arr_scalar_* (one definition of each arithmetic
 * operation), arrays to arr_fuse through a small scratch tree, and strings, tuples, lists
 * and None follow Python. eval_ uses these when arr_fuse answers KERN_GENERIC and for
 * elementwise nodes found outside a FUSE. */
#ifndef PARC_OPS_H
#define PARC_OPS_H

#include "err.h"
#include "ir.h"
#include "rt.h"
#include "value.h"

typedef struct ops ops_t;

ops_t *ops_new(rt_t *rt); /* caller owns; NULL on failure. Borrows rt. */
void ops_destroy(ops_t **op);

/* out = a <irop> b for a BIN or CMP opcode. Collective with a distributed operand.
 * TypeError "unsupported operand type(s) for +: 'int' and 'str'" otherwise. */
int ops_binop(ops_t *o, int irop, const val_t *a, const val_t *b, val_t *out, err_t *err);
int ops_unop(ops_t *o, int irop, const val_t *a, val_t *out, err_t *err); /* NEG POS INVERT */
int ops_ufunc(ops_t *o, int bi, const val_t *args, size_t nargs, val_t *out, err_t *err);

/* Evaluates text, nested ufunc calls over $0..$9 (args[k]), as one fused program:
 * "less_equal(absolute(subtract($0, $1)), $2)". Each builtin keeps its own loop and type
 * rule, and no full-size temporary is made. red >= 0: the reduction red (BI_ALL ...) of the
 * whole result instead (a scalar). Collective with a distributed operand. text is the
 * caller's own: a bad formula is a programmer error (PARC_ERUNTIME). */
int ops_formula(ops_t *o, const char *text, const val_t *args, size_t nargs, int red, val_t *out,
                err_t *err);
/* Python ==, without broadcasting: arrays compare by identity (used by `in`, list ==). */
int ops_equal(const val_t *a, const val_t *b);
/* `needle in hay` into *res. Collective when hay is a distributed array. */
int ops_contains(ops_t *o, const val_t *needle, const val_t *hay, int *res, err_t *err);
/* Truth value (val_truth, plus one-element arrays as NumPy allows). */
int ops_truth(ops_t *o, const val_t *v, int *res, err_t *err);
/* "+" for IR_ADD etc. */
const char *ops_symbol(int irop);

#endif
