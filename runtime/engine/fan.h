/* fan.h - the scalable way a cell reaches the ranks and its outcome comes back (eng_ uses it).
 *
 * The kernel sends a cell (LINK_CELL) to rank 0 only. Rank 0 passes it on with MPI_Ibcast:
 * a fixed header of FAN_HDR bytes (kind, seq, length, and the first bytes of the body, which
 * hold a small cell whole), then the rest of a large body in a second broadcast. The other
 * ranks keep that header broadcast posted while they are idle and test it between naps
 * (a few quick tests, then sleeps that double up to 1 ms, 5 ms after a second without
 * work), so an idle rank sleeps instead of spinning in MPI and still reads its work socket.
 *
 * At the end of the cell the targeted ranks combine their DONE replies: over all ranks one
 * MPI_Iallreduce of (digest of the reply, its complement, seconds, messages sent), then the
 * replies themselves by MPI_Igatherv to rank 0 only when the digests differ; over a subset
 * (%px --targets) each target sends its reply to the lowest target. The leader then sends
 * the kernel one DONE_ALL (link.h). All waits are tests between naps. Collective over the
 * fan's communicator (a duplicate of MPI_COMM_WORLD, so the cells' own collectives on
 * rt->comm never mix with it). */
#ifndef PARC_FAN_H
#define PARC_FAN_H

#include <mpi.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define FAN_HDR 2048 /* bytes of the header broadcast (one eager message) */

enum { FAN_NONE = 0, FAN_CELL = 1, FAN_SHUTDOWN = 2 };

typedef struct {
    MPI_Comm comm; /* dup of MPI_COMM_WORLD (MPI_COMM_NULL: not set up) */
    MPI_Op op;     /* max, max, max, sum over 4 u64: the fan-in's combination */
    int rank, nranks;
    MPI_Request hreq; /* the posted header broadcast (non-root ranks), or MPI_REQUEST_NULL */
    uint8_t hbuf[FAN_HDR];
    long nap_ns; /* the next nap */
    int spins;   /* quick tests left before napping */
    int direct;  /* the kernel sends this rank its cells itself (not the broadcast) */
    double idle_since;
    int stuck;        /* a wait gave up with its request pending */
    atomic_int *gone; /* borrowed: the kernel went away (waits give up) */
    /* Called once when this rank has waited FAN_WAITED_S in a fan-in for the others (a
     * subset's non-leader, which cannot tell, calls it at once); NULL: none. */
    void (*waited)(void *ud);
    void *waited_ud;
    double wait_from; /* when the fan-in began */
} fan_t;

#define FAN_WAITED_S 0.002

/* Collective over MPI_COMM_WORLD. 0, or -1 (then fan_fini). */
int fan_init(fan_t *f, atomic_int *gone);
/* Frees the communicator unless a broadcast is still pending (MPI_Finalize is then skipped
 * by the caller: fan_pending). */
void fan_fini(fan_t *f);
int fan_pending(const fan_t *f);

/* Non-root ranks: posts the header broadcast if it is not posted. Then 1 when a header
 * arrived (kind, seq, body: the whole body, mem_alloc'ed, caller frees), 0 when none yet,
 * -1 when MPI failed or memory ran out. */
int fan_poll(fan_t *f, int *kind, uint32_t *seq, uint8_t **body, size_t *n);
/* Rank 0: broadcasts a header of kind with the body. 0 or -1. */
int fan_send(fan_t *f, int kind, uint32_t seq, const void *body, size_t n);

/* One nap of the back-off between tests (see above); fan_wake resets it after work. fd >= 0:
 * a descriptor that turns readable when work arrives some other way (the work socket's
 * ZMQ_FD), which ends the nap early; while f->direct, only FD_SPINS quick tests come first
 * because that descriptor, not the broadcast, brings the next cell. -1: sleep. */
void fan_nap(fan_t *f, int fd);
void fan_wake(fan_t *f);

/* The fan-in of one cell's DONE (done: this rank's reply body; digest: a hash of the part
 * of it that must agree; nmsg: messages this rank sent before it; secs its wall time).
 * f->waited, if set, hears that this rank finished before the others (see above).
 * targets: the sorted targeted ranks, nt 0 = every rank. The leader (rank 0, or the lowest
 * target) gets the DONE_ALL body in *out and 1; the others 0; -1 when MPI failed or the
 * kernel went away mid-wait (then nothing can be sent). */
int fan_in(fan_t *f, const uint32_t *targets, size_t nt, const wbuf_t *done, uint64_t digest,
           uint32_t nmsg, double secs, wbuf_t *out);

/* 64-bit FNV-1a of n bytes, continuing from h (start with FAN_H0). */
#define FAN_H0 0xcbf29ce484222325ull
uint64_t fan_hash(uint64_t h, const void *p, size_t n);

#endif
