/* coll.h - the collective steps the array modules need, each over rt->comm: agreement on
 * errors, gathering, redistribution between any two layouts, and the partition-independent
 * ("bitwise reproducible") reduction tree of docs/architecture.md. Every function here is
 * Collective over rt->comm and returns the same code on every rank. */
#ifndef PARC_COLL_H
#define PARC_COLL_H

#include <stddef.h>
#include <stdint.h>

#include "arrint.h"
#include "kern.h"

/* Collective. Returns the lowest (worst) code any rank passed in, on every rank. The ranks
 * that wait here report RT_COLLECTIVE (rt.h), those in coll_tree and coll_sum_i64
 * RT_REDUCTION. */
int coll_agree(const rt_t *rt, int local_rc);

/* Collective; debug builds only (a no-op returning 0 with NDEBUG). Adds the agreement site
 * (file, line) to this rank's running hash of the sites it passed and compares the hashes
 * of all ranks (one MPI_Allgather), as PETSc's PetscValidLogicalCollective does: when they
 * differ, some rank took another path through the collective steps and would sooner or
 * later wait in a collective the others never enter. Returns 0, or PARC_ERUNTIME on every
 * rank with err naming the first engine that is not where the most engines are, and this
 * engine's site. */
int coll_sequence(const rt_t *rt, const char *file, int line, err_t *err);

/* The most bytes coll.c hands MPI in one message (1 GiB: MPI's counts are ints). Larger
 * ones go in pieces of this size (broadcasts, gathers, point-to-point), as a datatype made
 * of such pieces (rows), or in rounds (rows by index); nothing here has a size limit of its
 * own. Tests make it small. The same on every rank. */
extern size_t coll_msg_max;

/* Collective. Every rank's n bytes at mine (n the same on every rank), concatenated in rank
 * order into all (rt->nranks * n bytes, the caller's), on every rank. */
int coll_allgather_bytes(const rt_t *rt, const void *mine, size_t n, void *all, err_t *err);

/* Collective. The n bytes at buf on rank root copied into buf on every rank (n the same on
 * every rank). */
int coll_bcast_bytes(const rt_t *rt, void *buf, size_t n, int root, err_t *err);

/* Collective. Every rank's n bytes at mine (n may differ by rank) gathered on rank 0: there
 * *all holds them in rank order and rank r's are [(*offs)[r], (*offs)[r + 1]) (rt->nranks + 1
 * entries); elsewhere both are NULL. Caller frees both (mem_free). Rank 0 makes room only
 * after the lengths are in and every rank learns whether it could, so no rank waits in a
 * gather that never comes. */
int coll_gather_bytes(const rt_t *rt, const void *mine, size_t n, char **all, int64_t **offs,
                      err_t *err);

/* Collective. A new local array holding all of distributed a (contiguous, C order), on
 * every rank. Caller owns *out. */
int coll_allgather(const rt_t *rt, const arr_t *a, arr_t **out, err_t *err);

/* Collective. A new distributed array with a's values laid out by `to` (same shape, any
 * kinds and grid; a may be a strided view). Rounds of one MPI_Alltoallv each (redist.c):
 * each rank packs its chunk in C order by destination and unpacks what it receives in C
 * order by source, never through one rank, with no table per element. Extra memory per
 * rank besides the result: a send and a receive buffer of at most one round's slab (about
 * coll_round_bytes of the global array, or one row when a row is larger); on one host two
 * send buffers in a shared-memory window that stays (coll_redist_shm). Caller owns *out. */
int coll_redist(const rt_t *rt, const arr_t *a, const dist_t *to, arr_t **out, err_t *err);
/* coll_redist's bytes of the global array per round (4 MiB; tests make it small to run
 * many rounds). The same on every rank. */
extern int64_t coll_round_bytes;
/* 1 (the default): when every rank runs on one host, coll_redist's rounds go through an MPI
 * shared-memory window instead of MPI_Alltoallv (tests set 0 to run those). The same on every
 * rank. */
extern int coll_redist_shm;
/* The largest buffer of a round the window is grown to (32 MiB); rounds that need more take
 * MPI_Alltoallv's. Tests make it small. */
extern size_t coll_redist_shm_max;
/* Forgets the window (its memory stays mapped until the process ends). */
void coll_redist_fini(void);
/* The same to the row layout with axis-0 boundaries bnd (nranks+1 entries). */
int coll_redistribute(const rt_t *rt, const arr_t *a, const int64_t *bnd, arr_t **out, err_t *err);

/* One point-to-point message of coll_exchange: n bytes at p, to or from rank peer. */
typedef struct {
    int peer;
    void *p;
    size_t n;
} coll_msg_t;

/* Collective. A few point-to-point messages with grid neighbours (halos): this rank sends
 * send[0..ns) and receives recv[0..nr), all at once (MPI_Isend/MPI_Irecv, one MPI_Waitall).
 * Every receive must match a send of the same size by its peer, at most one message each
 * way between two ranks. local_rc is this rank's status so far: it is agreed first, and
 * nothing moves unless every rank passed 0. */
int coll_exchange(const rt_t *rt, int local_rc, const coll_msg_t *send, int ns,
                  const coll_msg_t *recv, int nr, err_t *err);

/* Collective. v[0..n) replaced by the combination (op 0: sum, 1: product, wrapping as
 * int64 does) of the v of all lower ranks (MPI_Exscan); rank 0's is left as it was. */
int coll_exscan_i64(const rt_t *rt, int64_t *v, int64_t n, int op, err_t *err);

/* Collective, and serial: step runs on one rank after the other in rank order. Rank r's
 * step gets in (n bytes: what rank r - 1's step left in out; NULL on rank 0) and leaves
 * n bytes in out for rank r + 1 (one MPI_Recv before it, one MPI_Send after). For scans
 * that must keep a sequential order across engines. */
int coll_chain(const rt_t *rt, size_t n, void (*step)(void *ctx, const void *in, void *out),
               void *ctx, err_t *err);

/* Collective. Rows (along axis 0) of distributed a by global row index, each from its
 * owner: this rank asks for the n rows want[0..n) (0 <= want[k] < a's rows, repeats
 * allowed) and gets them, C order, one after another at dst. One MPI_Alltoallv carries the
 * requests, one the rows; in rounds of a bounded number of indices per rank when there are
 * many (coll_msg_max). */
int coll_take_rows(const rt_t *rt, const arr_t *a, const int64_t *want, int64_t n, void *dst,
                   err_t *err);
/* Collective. The reverse: row put[k] of distributed a is set to the row at src + k (C
 * order, a's dtype), k < n; every owner writes the rows it gets in rank order, then in
 * each rank's order, so of repeated rows the last (in rank, then k order) stays. */
int coll_put_rows(const rt_t *rt, arr_t *a, const int64_t *put, int64_t n, const void *src,
                  err_t *err);

/* Reproducible reduction tree. Element j of the global sequence (0 <= j < n) is a vector
 * of w accumulator values (acc: ACC_F64, ACC_F32, ACC_C128); blocks of coll_tree_block(w)
 * elements are folded (kern_fold) and combined in a fixed binary tree over block indices,
 * so the result (w values, written to out on every rank) does not depend on how [0, n) is
 * split over ranks. This rank holds elements [g0, g1): it passes the folded values of the
 * blocks [jlo, jhi) it holds entirely (coll_tree_owned) in bvals, and the raw elements it
 * holds of other blocks as npieces (<= 2) pieces (start, count, values). op: 0 sum,
 * 1 product. coll 0: no communication (this rank holds all of [0, n)). */
int64_t coll_tree_block(int64_t w);
void coll_tree_owned(int64_t n, int64_t B, int64_t g0, int64_t g1, int64_t *jlo, int64_t *jhi);
int coll_tree(const rt_t *rt, int coll, int op, int acc, int64_t w, int64_t n, int64_t g0,
              int64_t g1, const void *bvals, int npieces, const int64_t *pstart,
              const int64_t *pcount, const void *const *pvals, void *out, err_t *err);
/* The same with the folded blocks made when the tree reads them: leaf(lctx, j - jlo, buf)
 * gives block j's value (each once), so no vector of all of them is made. */
int coll_tree_fn(const rt_t *rt, int coll, int op, int acc, int64_t w, int64_t n, int64_t g0,
                 int64_t g1, kern_leaf_fn leaf, void *lctx, int npieces, const int64_t *pstart,
                 const int64_t *pcount, const void *const *pvals, void *out, err_t *err);

/* Collective. v[0..n) summed elementwise over the ranks, in place on every rank (exact). */
int coll_sum_i64(const rt_t *rt, int64_t *v, int64_t n, err_t *err);

/* Collective. v[0..n) combined elementwise over the ranks with op, in place on every rank.
 * COLL_SUM adds in MPI's order (not reproducible across engine counts: for pictures). */
enum { COLL_MIN, COLL_MAX, COLL_SUM };
int coll_reduce_f64(const rt_t *rt, double *v, int64_t n, int op, err_t *err);

#endif
