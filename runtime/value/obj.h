/* obj.h - the heap objects behind val_t values that are not strings, sequences or arrays:
 * ranges, slices, user functions, per-engine values, and the "cell program" that keeps a
 * cell's IR alive while a function defined in it lives. value.c's val_drop frees them
 * through obj_free. All are reference-counted through their obj_t header. */
#ifndef PARC_OBJ_H
#define PARC_OBJ_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "ir.h"
#include "value.h"

typedef struct {
    obj_t h;
    int64_t start, stop, step; /* step != 0 */
} obj_range_t;

typedef struct {
    obj_t h;
    val_t start, stop, step; /* each None when omitted */
} obj_slice_t;

typedef struct {
    obj_t h;
    val_t v; /* this rank's value of a name defined in local view */
} obj_pereng_t;

/* The header of a pmap_async farm, r = pmap_async(f, items): pmap.c owns what follows it and
 * frees it through fini (this folder cannot see the engine's scheduling). */
typedef struct obj_async {
    obj_t h;
    uint32_t n; /* items */
    void (*fini)(struct obj_async *a);
} obj_async_t;

/* What load gives for a .npz archive, NumPy's NpzFile: its arrays by name, read at once.
 * d['x'], d.files, len(d), 'x' in d, for name in d. */
typedef struct {
    obj_t h;
    val_t files;  /* V_LIST of V_STR: the names, in the archive's order */
    val_t arrays; /* V_LIST: the values, in the same order */
    val_t path;   /* V_STR: the file name as given, for the repr */
} obj_npz_t;

/* One cell's decoded IR: the arena it lives in. Functions defined in the cell hold a
 * reference, so their IR outlives the cell. */
typedef struct {
    obj_t h;
    arena_t *arena; /* owned */
} obj_prog_t;

/* A user function (DEF) or lambda (LAMBDA). Names point into the program's arena. */
typedef struct {
    obj_t h;
    const char *name;      /* "f" or "<lambda>" */
    const ir_node_t *node; /* the DEF or LAMBDA node */
    const ir_node_t *body; /* BLOCK (def) or expression (lambda) */
    obj_prog_t *prog;      /* keeps node alive (one reference) */
    uint32_t nparams;      /* parameters are locals[0..nparams) */
    val_t *defaults;       /* nparams slots; has_default says which are set */
    uint8_t *has_default;  /* nparams flags */
    size_t nlocals;        /* parameters, then every name the body assigns */
    const char **locals;   /* nlocals names */
    size_t nglobals;       /* names declared `global` in the body */
    const char **globals;  /* nglobals names */
    size_t ncap;           /* enclosing locals captured by value at creation */
    const char **capnames; /* ncap names */
    val_t *capvals;        /* ncap values (owned references) */
} obj_func_t;

val_t obj_range(int64_t start, int64_t stop, int64_t step, err_t *err); /* V_NONE on OOM */
val_t obj_slice(val_t *start, val_t *stop, val_t *step, err_t *err);    /* takes the vals */
val_t obj_pereng(val_t *v, err_t *err);                                 /* takes *v */
val_t obj_npz(val_t *files, val_t *arrays, val_t *path, err_t *err);    /* takes all three */
obj_prog_t *obj_prog_new(arena_t **ap);                                 /* takes *ap */
void obj_prog_unref(obj_prog_t **pp);                                   /* NULL-safe */
int64_t obj_range_len(const obj_range_t *r);

/* Frees an object whose count reached zero (range, slice, function, per-engine, async). */
void obj_free(obj_t *o);

#endif
