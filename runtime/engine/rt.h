/* rt.h - one engine rank's run-time state, passed explicitly to eval_, arr_, kern_, coll_
 * and out_ (no globals). Created by eng_ at start-up, lives until the engine exits.
 *
 * Global view (rt->local == 0): every rank runs the same statement; distributed arrays are
 * chunked by dist_ and operations on them are Collective over rt->comm. Local view
 * (rt->local == 1, a %px cell): each rank runs alone; a distributed array is seen as its
 * local chunk, new arrays are local, and nothing is Collective except the explicit COMM
 * builtins. */
#ifndef PARC_RT_H
#define PARC_RT_H

#include <mpi.h>
#include <stdatomic.h>
#include <stdint.h>

#include "err.h"

/* What a rank is doing, for the kernel's status line of a long cell (kernel/server/status.h):
 * written by the main thread with relaxed stores (one or two per statement, per block of
 * KERN_BLK elements and per collective), read by the control thread when the kernel asks
 * (LINK_PROGRESS). A word, not a lock: the hot loops never wait for it. */
enum {
    RT_IDLE = 0,   /* no cell runs */
    RT_COMPUTING,  /* running its own statements */
    RT_REDUCTION,  /* in a reduction's collective step (sum, mean, allreduce, ...) */
    RT_COLLECTIVE, /* in another collective: agreement, redistribution, broadcast, barrier */
    RT_OUTPUT,     /* sending output to the kernel (waits when the kernel reads slowly) */
    RT_INPUT,      /* waiting for input() */
    RT_NSTATES
};

typedef struct {
    atomic_int state; /* RT_* */
    atomic_int op;    /* the collective operation running (RT_REDUCTION), or 0 */
    atomic_uint cell; /* the running statement: cell and line (0: none yet) */
    atomic_int line;
    atomic_llong done, total; /* elements of the running array operation (total 0: none) */
} rt_progress_t;

#define RT_MAXWARN 8 /* distinct RuntimeWarnings kept per cell */

typedef struct rt {
    MPI_Comm comm;          /* the engines' communicator (a dup of MPI_COMM_WORLD) */
    int rank, nranks;       /* this rank in comm, and comm's size */
    int local;              /* 1 while a local-view cell runs */
    atomic_int *interrupt;  /* set by the control thread on LINK_INTERRUPT; cleared per cell */
    uint64_t seed;          /* global random stream: Philox key */
    uint64_t calls;         /* random calls since random.seed (the stream position) */
    uint64_t lseed, lcalls; /* this rank's own stream for local view */
    uint32_t cell;          /* exec count of the running cell */
    size_t mem_avail;       /* bytes of array chunks this rank may hold (beyond: MemoryError) */
    size_t deferred;        /* bytes of deferred arrays not made yet (lazy.h), which the
                               MemoryError pre-check counts as held, as if they were made */
    int eager;              /* PARC_EAGER=1 in the environment: defer nothing (tests compare) */
    struct chunks *chunks;  /* its chunk memory: bytes held, freed chunks pooled (chunk.h;
                               owned; NULL: not counted, not pooled) */
    int pr_set;             /* set_printoptions was called; until then NumPy's defaults: */
    int pr_precision;       /* digits after the point (8) */
    int pr_unique;          /* floatmode 'unique' (1) or 'maxprec' (0, the default) */
    int64_t pr_threshold;   /* elements shown before summarizing (1000) */
    void *eng;              /* the engine (out_ uses it); opaque here */
    uint32_t farms;         /* pmap farms started: the farm id, the same on every rank */
    int in_farm;            /* 1 while this rank runs a pmap item (its output is its own) */
    void *async;            /* the last pmap_async farm while its AsyncResult lives (pmap.c) */
    int64_t poll_every;     /* global view: loop steps between agreed interrupt checks */
    int64_t poll_left;      /* steps left until the next one (rt_poll) */
    double poll_t0;         /* when the last one was (CLOCK_MONOTONIC seconds) */
    uint64_t *collseq;      /* debug builds: [0] a running hash of the agreement sites this
                               rank passed, [1] their count (coll_sequence; owned) */
    rt_progress_t *pg;      /* what this rank is doing (owned; NULL: not reported) */
    int nwarn;              /* RuntimeWarnings of the running cell (rt_warn; eng_ empties) */
    char warn[RT_MAXWARN][128];
} rt_t;

/* Collective over MPI_COMM_WORLD (after MPI_Init). Fills rt: a duplicate of
 * MPI_COMM_WORLD that returns errors, rank and size, the global random stream from rank 0's
 * seed (the other ranks' seed is ignored), this rank's own stream derived from it, this
 * rank's share of the node's available memory (or PARC_ENGINE_MEM bytes, with an optional
 * K, M or G, when that is less), and interrupt = intr. 0, or PARC_EMPI. */
int rt_init(rt_t *rt, uint64_t seed, atomic_int *intr);
/* Frees the communicator (before MPI_Finalize); also after a failed rt_init. */
void rt_fini(rt_t *rt);

/* PARC_EINTR (with err set) when an interrupt arrived, else 0. Cheap: one atomic load.
 * Local-only: ranks agree on it at the next collective step (coll_agree). */
int rt_check(const rt_t *rt, err_t *err);
/* The interrupt check of a loop step or a function call, which decides whether the ranks
 * leave the loop. In local view (or on one rank) rt_check. In global view every rank must
 * leave at the same step, but the interrupt reaches the ranks at different moments, so the
 * local flag is acted on only at agreed points: every poll_every-th call is Collective
 * (an MPI_Allreduce of the flag and the time since the last agreed point), and the
 * interval (1 to 64 steps) adapts from that agreed time, so all ranks make the same
 * decisions. PARC_EINTR on every rank, or 0. */
int rt_poll(rt_t *rt, err_t *err);
/* Notes NumPy's "RuntimeWarning: <what> encountered in <ufunc>" for the statement at `at`
 * (line 0: the running statement, rt_at), once per cell and place (eng_ sends the notes with the
 * cell's DONE; the kernel shows each once on stderr, however many ranks gave it). Local; never
 * fails (extra notes past RT_MAXWARN are dropped). */
void rt_warn(rt_t *rt, span_t at, const char *what, const char *ufunc);

/* Progress reports, all cheap (relaxed stores; nothing when rt->pg is NULL).
 * rt_wait_begin: the rank enters a collective step of kind RT_REDUCTION, RT_COLLECTIVE,
 * RT_OUTPUT or RT_INPUT; only a computing rank changes state (the outer kind wins, and a
 * step inside an operation begun with rt_op_begin takes the operation's kind), and
 * rt_wait_end(rt, the returned value) restores it. rt_op_begin / rt_op_end bracket an
 * operation (a reduction) whose collective steps are all of one kind. rt_at: the statement at cell,
 * line starts. rt_step: done of total elements of an array operation are computed (total 0: none
 * runs). */
static inline int rt_wait_begin(const rt_t *rt, int kind)
{
    if (!rt->pg) return -1;
    int old = atomic_load_explicit(&rt->pg->state, memory_order_relaxed);
    if (old == RT_COMPUTING) {
        int op = atomic_load_explicit(&rt->pg->op, memory_order_relaxed);
        atomic_store_explicit(&rt->pg->state, op ? op : kind, memory_order_relaxed);
    }
    return old;
}
static inline int rt_op_begin(const rt_t *rt, int kind)
{
    return rt->pg ? atomic_exchange_explicit(&rt->pg->op, kind, memory_order_relaxed) : 0;
}
static inline void rt_op_end(const rt_t *rt, int old)
{
    if (rt->pg) atomic_store_explicit(&rt->pg->op, old, memory_order_relaxed);
}
static inline void rt_wait_end(const rt_t *rt, int old)
{
    if (rt->pg && old >= 0) atomic_store_explicit(&rt->pg->state, old, memory_order_relaxed);
}
static inline void rt_at(const rt_t *rt, uint32_t cell, int32_t line)
{
    if (!rt->pg || line <= 0) return;
    atomic_store_explicit(&rt->pg->cell, cell, memory_order_relaxed);
    atomic_store_explicit(&rt->pg->line, line, memory_order_relaxed);
}
static inline void rt_step(const rt_t *rt, int64_t done, int64_t total)
{
    if (!rt->pg) return;
    atomic_store_explicit(&rt->pg->done, done, memory_order_relaxed);
    atomic_store_explicit(&rt->pg->total, total, memory_order_relaxed);
}

#endif
