/* vartab.h - what the kernel knows of the variables that live on the engines.
 * Each DONE reply carries name records (link.h); pool_ keeps them in a vartab_t, and the
 * front end reads it: comp_ (does a user variable shadow a builtin?), lang_complete,
 * lang_inspect and %who/%whos. Strings are owned by the table. */
#ifndef PARC_VARTAB_H
#define PARC_VARTAB_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *name;     /* "x" */
    char *kind;     /* "int" "float" "bool" "complex" "str" "tuple" "list" "ndarray" "function" */
    char *dtype;    /* "float64" for arrays and numpy scalars, "" otherwise */
    char *shape;    /* "(300, 10)" for arrays, "" otherwise */
    char *dist;     /* "('b', 'n')" for distributed arrays, "" otherwise */
    char *summary;  /* short repr for scalars, "f(a, b=2)" for functions, "" otherwise */
    uint64_t bytes; /* bytes held on one engine (the largest share) */
    int per_engine; /* 1: defined in local view, a different value per engine */
} vartab_rec_t;

/* Frees a record's strings and zeroes it. */
void vartab_rec_free(vartab_rec_t *r);

typedef struct vartab vartab_t;

vartab_t *vartab_new(void); /* caller owns; NULL on failure */
void vartab_destroy(vartab_t **np);
/* Inserts or replaces the record for info->name (all strings copied). 0 or PARC_ENOMEM. */
int vartab_put(vartab_t *t, const vartab_rec_t *info);
void vartab_remove(vartab_t *t, const char *name);
void vartab_clear(vartab_t *t);
/* Borrowed record, valid until the table next changes; NULL if unknown. */
const vartab_rec_t *vartab_get(const vartab_t *t, const char *name);
size_t vartab_count(const vartab_t *t);
const vartab_rec_t *vartab_at(const vartab_t *t, size_t i); /* sorted by name */

#endif
