/* arena.h - a bump allocator for everything one cell makes (tokens, AST, IR, error text).
 * Created when a request arrives, destroyed after its reply: nothing made from it is freed
 * piece by piece, so error paths cannot leak. Allocations are 16-byte aligned.
 * arena_alloc returns NULL when memory runs out (callers treat it as PARC_ENOMEM). */
#ifndef PARC_ARENA_H
#define PARC_ARENA_H

#include <stddef.h>

typedef struct arena arena_t;

arena_t *arena_new(void);                                 /* caller owns; NULL on failure */
void *arena_alloc(arena_t *a, size_t n);                  /* zeroed; NULL on failure */
void *arena_array(arena_t *a, size_t n, size_t size);     /* zeroed; NULL on overflow/failure */
char *arena_strndup(arena_t *a, const char *s, size_t n); /* NUL-terminated copy */
size_t arena_used(const arena_t *a);                      /* bytes handed out so far */
void arena_destroy(arena_t **ap);                         /* NULL-safe; NULLs *ap */

#endif
