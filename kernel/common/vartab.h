/* names.h - what the kernel knows of the variables that live on the engines.
 * Each DONE reply carries name records (link.h); pool_ keeps them in a names_t, and the
 * front end reads it: comp_ (does a user variable shadow a builtin?), lang_complete,
 * lang_inspect and %who/%whos. Strings are owned by the table. */
#ifndef PARC_NAMES_H
#define PARC_NAMES_H

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
} name_info_t;

typedef struct names names_t;

names_t *names_new(void); /* caller owns; NULL on failure */
void names_destroy(names_t **np);
/* Inserts or replaces the record for info->name (all strings copied). 0 or PARC_ENOMEM. */
int names_put(names_t *t, const name_info_t *info);
void names_remove(names_t *t, const char *name);
void names_clear(names_t *t);
/* Borrowed record, valid until the table next changes; NULL if unknown. */
const name_info_t *names_get(const names_t *t, const char *name);
size_t names_count(const names_t *t);
const name_info_t *names_at(const names_t *t, size_t i); /* sorted by name */

#endif
