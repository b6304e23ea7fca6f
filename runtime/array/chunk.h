/* chunk.h - one rank's chunk memory: the bytes its live arrays hold, and a bounded pool of
 * freed large chunks handed back to the next allocation of the same size class, so a loop
 * that makes and drops a big array touches fresh pages once instead of every time (first
 * touch costs ~10x a rewrite on this kind of machine: the kernel zeroes and maps each page).
 *
 * arr_ owns the only instance (rt->chunks, made by rt_init). Pooled chunks count as free:
 * the MemoryError pre-check looks at chunk_held only, and a miss gives pooled chunks back
 * to the system before it allocates, so held + pooled never exceeds what the rank may hold
 * by more than the new chunk. Not collective; no MPI. */
#ifndef PARC_CHUNK_H
#define PARC_CHUNK_H

#include <stddef.h>
#include <stdint.h>

typedef struct chunks chunks_t;

typedef struct {
    uint64_t fresh;  /* chunks taken from the system */
    uint64_t reused; /* chunks handed back from the pool */
    size_t pooled;   /* bytes in the pool now */
    size_t held;     /* bytes of live chunks (as counted by chunk_get's bytes) */
} chunk_stats_t;

chunks_t *chunk_new(void);         /* caller owns; NULL when out of memory */
void chunk_destroy(chunks_t **cp); /* frees the pooled chunks; NULL-safe, NULLs *cp */
/* A 64-byte aligned chunk of at least bytes bytes (its capacity in *cap, which chunk_put
 * needs back), counted as held. avail: the bytes the rank may hold (0: unknown, and then
 * nothing is pooled); the pool keeps at most a quarter of it. NULL when the system refuses (nothing
 * counted). Contents are whatever they were: the caller poisons or writes them. */
void *chunk_get(chunks_t *c, size_t bytes, size_t avail, size_t *cap);
/* Gives back p (from chunk_get with bytes and cap): pooled when it fits the bound, else
 * freed. c NULL: p is freed. */
void chunk_put(chunks_t *c, void *p, size_t bytes, size_t cap, size_t avail);
size_t chunk_held(const chunks_t *c); /* 0 for NULL */
chunk_stats_t chunk_stats(const chunks_t *c);
/* Frees every pooled chunk (memory pressure, tests). */
void chunk_trim(chunks_t *c);

#endif
