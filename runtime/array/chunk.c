/* chunk.c - chunk memory with a pool of freed large chunks (see chunk.h).
 *
 * Sizes: a chunk of at least POOL_MIN bytes is made an eighth bigger than asked, rounded up
 * to the next of eight steps per power of two, and a pooled chunk serves any request it
 * holds that is at least two thirds of it (the smallest such), so sizes that differ by a
 * few rows, as one array's chunks do on different engine counts, share chunks. Smaller
 * chunks go straight to malloc, whose own free lists already reuse them. The pool is a short
 * list, oldest first; a miss first evicts the oldest entries until held + pooled + the new
 * chunk fit what the rank may hold, and the bound (a quarter of it) evicts the oldest too. */
#include "chunk.h"

#include "mem.h"

#define POOL_MIN ((size_t)1 << 20) /* smaller chunks are not pooled */
#define POOL_MAX 16                /* pooled chunks at most */

typedef struct {
    void *p;
    size_t cap;
} ent_t;

struct chunks {
    size_t held, pooled;
    uint64_t fresh, reused;
    int n;                /* entries in pool */
    ent_t pool[POOL_MAX]; /* oldest first */
};

chunks_t *chunk_new(void)
{
    return mem_calloc(1, sizeof(chunks_t));
}

void chunk_trim(chunks_t *c)
{
    if (!c) return;
    for (int i = 0; i < c->n; i++)
        mem_free(c->pool[i].p);
    c->n = 0;
    c->pooled = 0;
}

void chunk_destroy(chunks_t **cp)
{
    if (!cp || !*cp) return;
    chunk_trim(*cp);
    mem_free(*cp);
    *cp = NULL;
}

/* Bytes asked for, as a 64-byte multiple. */
static size_t room_of(size_t n)
{
    return n ? (n + 63) / 64 * 64 : 64;
}

/* The capacity of a new pooled-size chunk of room bytes: an eighth more, rounded up to its
 * size class, so the next array a few rows bigger still fits (pages never written are never
 * touched: the slack costs address space, not memory). */
static size_t class_of(size_t room)
{
    room += room / 8;
    int top = 63 - __builtin_clzll((unsigned long long)room);
    size_t step = (size_t)1 << (top - 3);
    return (room + step - 1) / step * step;
}

static void evict_oldest(chunks_t *c)
{
    mem_free(c->pool[0].p);
    c->pooled -= c->pool[0].cap;
    c->n--;
    for (int i = 0; i < c->n; i++)
        c->pool[i] = c->pool[i + 1];
}

void *chunk_get(chunks_t *c, size_t bytes, size_t avail, size_t *cap)
{
    size_t room = room_of(bytes), want = room;
    if (c && room >= POOL_MIN) {
        int best = -1;
        for (int i = 0; i < c->n; i++)
            if (c->pool[i].cap >= room && c->pool[i].cap - room <= room / 2 &&
                (best < 0 || c->pool[i].cap < c->pool[best].cap))
                best = i;
        if (best >= 0) {
            void *p = c->pool[best].p;
            *cap = c->pool[best].cap;
            c->pooled -= *cap;
            c->n--;
            for (int k = best; k < c->n; k++)
                c->pool[k] = c->pool[k + 1];
            c->held += bytes;
            c->reused++;
            return p;
        }
        want = class_of(room);
        while (c->n && avail && c->held + c->pooled + room > avail)
            evict_oldest(c);
    }
    void *p = mem_aligned(64, want);
    if (!p && c && c->n) {
        chunk_trim(c);
        p = mem_aligned(64, want);
    }
    if (!p) return NULL;
    if (c) {
        c->held += bytes;
        c->fresh++;
    }
    *cap = want;
    return p;
}

void chunk_put(chunks_t *c, void *p, size_t bytes, size_t cap, size_t avail)
{
    if (!p) return;
    if (!c) {
        mem_free(p);
        return;
    }
    c->held -= bytes;
    size_t bound = avail / 4;
    if (cap < POOL_MIN || !avail || cap > bound) {
        mem_free(p);
        return;
    }
    while (c->n && (c->n == POOL_MAX || c->pooled + cap > bound))
        evict_oldest(c);
    c->pool[c->n++] = (ent_t){p, cap};
    c->pooled += cap;
}

size_t chunk_held(const chunks_t *c)
{
    return c ? c->held : 0;
}

chunk_stats_t chunk_stats(const chunks_t *c)
{
    chunk_stats_t s = {0};
    if (c) s = (chunk_stats_t){c->fresh, c->reused, c->pooled, c->held};
    return s;
}
