/* arena.c - chunked bump allocation (see arena.h). Chunks double in size up to 1 MiB;
 * a request bigger than a chunk gets a chunk of its own. */
#include "arena.h"
#include "mem.h"

#include <string.h>

typedef struct chunk {
    struct chunk *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} chunk_t;

struct arena {
    chunk_t *head;
    size_t next_size, total;
};

arena_t *arena_new(void)
{
    arena_t *a = mem_calloc(1, sizeof *a);
    if (a) a->next_size = 4096;
    return a;
}

void *arena_alloc(arena_t *a, size_t n)
{
    size_t need;
    if (mem_add(n, 15, &need)) return NULL;
    need &= ~(size_t)15;
    chunk_t *c = a->head;
    if (!c || c->size - c->used < need) {
        size_t size = a->next_size > need ? a->next_size : need;
        size_t bytes;
        if (mem_add(sizeof *c, size, &bytes)) return NULL;
        c = mem_alloc(bytes);
        if (!c) return NULL;
        c->size = size;
        c->used = 0;
        c->next = a->head;
        a->head = c;
        if (a->next_size < (1u << 20)) a->next_size *= 2;
    }
    void *p = c->data + c->used;
    c->used += need;
    a->total += n;
    memset(p, 0, n);
    return p;
}

void *arena_array(arena_t *a, size_t n, size_t size)
{
    size_t t;
    if (mem_mul(n, size, &t)) return NULL;
    return arena_alloc(a, t);
}

char *arena_strndup(arena_t *a, const char *s, size_t n)
{
    size_t t;
    if (mem_add(n, 1, &t)) return NULL;
    char *d = arena_alloc(a, t);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

size_t arena_used(const arena_t *a)
{
    return a->total;
}

void arena_destroy(arena_t **ap)
{
    if (!ap || !*ap) return;
    chunk_t *c = (*ap)->head;
    while (c) {
        chunk_t *n = c->next;
        mem_free(c);
        c = n;
    }
    mem_free(*ap);
    *ap = NULL;
}
