/* mem.h - the one door to the heap, so tests can make the Nth allocation fail.
 * Every module allocates through mem_* (never malloc directly). mem_fail_after(n) makes
 * the allocation after the next n succeed fail (returning NULL), once; tests walk n across
 * every allocation a function makes, as SQLite's fault injection and Lua's allocfailnext do.
 * mem_count() tells how many allocations have been made, to bound such a walk. */
#ifndef PARC_MEM_H
#define PARC_MEM_H

#include <stddef.h>

void *mem_alloc(size_t n);             /* NULL on failure (or injected failure) */
void *mem_calloc(size_t n, size_t sz); /* zeroed; NULL on overflow or failure */
void *mem_realloc(void *p, size_t n);  /* as realloc; p untouched on failure */
/* The array p of *n elements of sz bytes grown to at least need elements, the new ones zeroed
 * and *n updated; NULL on failure (p and *n untouched). */
void *mem_grow_zero(void *p, size_t *n, size_t need, size_t sz);
void *mem_aligned(size_t align, size_t n); /* posix_memalign; free with mem_free */
char *mem_strndup(const char *s, size_t n);
char *mem_strdup(const char *s); /* NULL for NULL (or on failure) */
void mem_free(void *p);          /* NULL-safe */

/* Checked size arithmetic: 0 and *out set, or -1 on overflow (out untouched). */
int mem_mul(size_t a, size_t b, size_t *out);
int mem_add(size_t a, size_t b, size_t *out);

void mem_fail_after(long n); /* -1 (default): never fail */
size_t mem_count(void);      /* allocations made so far */

#endif
