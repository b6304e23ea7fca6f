/* rt.c - setting up one rank's run-time state, and the interrupt check (see rt.h). */
#include "rt.h"

#include "chunk.h"
#include "coll.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* MemAvailable from /proc/meminfo in bytes (0 when unknown). */
static size_t mem_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f) return 0;
    char line[256];
    unsigned long long kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) break;
    fclose(f);
    return (size_t)kb * 1024;
}

/* PARC_ENGINE_MEM: "512M", "2G", "100000" (bytes); 0 when unset or not a size. */
static size_t mem_cap(const char *s)
{
    if (!s || !*s) return 0;
    char *e;
    unsigned long long v = strtoull(s, &e, 10);
    int shift = *e == 'K' || *e == 'k'   ? 10
                : *e == 'M' || *e == 'm' ? 20
                : *e == 'G' || *e == 'g' ? 30
                                         : 0;
    if (shift) e++;
    if (e == s || *e || v == 0 || v > (~0ull >> 31)) return 0;
    return (size_t)(v << shift);
}

int rt_init(rt_t *rt, uint64_t seed, atomic_int *intr)
{
    memset(rt, 0, sizeof *rt);
    const char *eager = getenv("PARC_EAGER");
    int flags[1] = {eager && strcmp(eager, "1") == 0};
    rt->comm = MPI_COMM_NULL;
    rt->interrupt = intr;
    if (MPI_Comm_dup(MPI_COMM_WORLD, &rt->comm) != MPI_SUCCESS) {
        rt->comm = MPI_COMM_NULL;
        return PARC_EMPI;
    }
    if (MPI_Comm_set_errhandler(rt->comm, MPI_ERRORS_RETURN) != MPI_SUCCESS ||
        MPI_Comm_rank(rt->comm, &rt->rank) != MPI_SUCCESS ||
        MPI_Comm_size(rt->comm, &rt->nranks) != MPI_SUCCESS ||
        MPI_Bcast(&seed, 1, MPI_UINT64_T, 0, rt->comm) != MPI_SUCCESS ||
        MPI_Bcast(flags, 1, MPI_INT, 0, rt->comm) != MPI_SUCCESS)
        return PARC_EMPI;
    rt->seed = seed;
    rt->eager = flags[0]; /* rank 0's, so every rank defers alike */
    rt->lseed = mix64(seed ^ mix64((uint64_t)rt->rank + 1));
    MPI_Comm node;
    int pernode = 1;
    if (MPI_Comm_split_type(rt->comm, MPI_COMM_TYPE_SHARED, rt->rank, MPI_INFO_NULL, &node) ==
        MPI_SUCCESS) {
        if (MPI_Comm_size(node, &pernode) != MPI_SUCCESS || pernode < 1) pernode = 1;
        MPI_Comm_free(&node);
    }
    rt->mem_avail = mem_available() / (size_t)pernode;
    size_t cap = mem_cap(getenv("PARC_ENGINE_MEM"));
    if (cap && (!rt->mem_avail || cap < rt->mem_avail)) rt->mem_avail = cap;
    rt->chunks = chunk_new();
    rt->collseq = mem_calloc(2, sizeof *rt->collseq);
    rt->pg = mem_calloc(1, sizeof *rt->pg);
    return 0;
}

void rt_fini(rt_t *rt)
{
    coll_redist_fini();
    chunk_destroy(&rt->chunks);
    mem_free(rt->collseq);
    rt->collseq = NULL;
    mem_free(rt->pg);
    rt->pg = NULL;
    if (rt->comm != MPI_COMM_NULL) MPI_Comm_free(&rt->comm);
    rt->comm = MPI_COMM_NULL;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int rt_poll(rt_t *rt, err_t *err)
{
    if (rt->local || rt->nranks == 1) return rt_check(rt, err);
    if (rt->poll_left > 1) {
        rt->poll_left--;
        return 0;
    }
    double now = mono_s();
    int64_t mine[2], all[2] = {0, 0};
    mine[0] = rt->interrupt && atomic_load_explicit(rt->interrupt, memory_order_relaxed);
    mine[1] = rt->poll_t0 > 0 ? (int64_t)((now - rt->poll_t0) * 1e6) : 0;
    if (MPI_Allreduce(mine, all, 2, MPI_INT64_T, MPI_MAX, rt->comm) != MPI_SUCCESS)
        return err_set(err, PARC_EMPI, (span_t){0}, "MPI_Allreduce failed");
    rt->poll_t0 = now;
    /* the same agreed microseconds on every rank: the same next interval */
    int64_t every = rt->poll_every > 0 ? rt->poll_every : 1;
    /* at most 64 steps apart: a recursion meets a check long before RecursionError (200) */
    if (all[1] < 2000 && every < 64)
        every *= 2;
    else if (all[1] > 20000 && every > 1)
        every /= 2;
    rt->poll_every = rt->poll_left = every;
    if (all[0]) return err_set(err, PARC_EINTR, (span_t){0}, "interrupted");
    return 0;
}

int rt_check(const rt_t *rt, err_t *err)
{
    if (rt->interrupt && atomic_load_explicit(rt->interrupt, memory_order_relaxed))
        return err_set(err, PARC_EINTR, (span_t){0}, "interrupted");
    return 0;
}

void rt_warn(rt_t *rt, span_t at, const char *what, const char *ufunc)
{
    char w[sizeof rt->warn[0]];
    if (at.line <= 0 && rt->pg) { /* no place given: the running statement's */
        at.cell = atomic_load_explicit(&rt->pg->cell, memory_order_relaxed);
        at.line = atomic_load_explicit(&rt->pg->line, memory_order_relaxed);
    }
    /* Python's warning line: file:line: category: message ("<cell N>" as in tracebacks). */
    snprintf(w, sizeof w, "<cell %u>:%d: RuntimeWarning: %s encountered in %s\n",
             at.cell ? at.cell : rt->cell, at.line, what, ufunc);
    for (int i = 0; i < rt->nwarn; i++)
        if (strcmp(rt->warn[i], w) == 0) return;
    if (rt->nwarn < RT_MAXWARN) memcpy(rt->warn[rt->nwarn++], w, sizeof w);
}
