/* coll.c - collective steps for arrays (coll.h): error agreement, allgather, the row
 * layout's redistribution entry (the move itself is redist.c) and the reproducible reduction
 * tree.
 *
 * The tree (docs/architecture.md, "Reproducible reductions"): the global sequence of n elements is
 * cut into blocks of B; a block's value is its pairwise-halving fold (kern_fold) and the total is
 * the value of the root of a fixed binary tree over block indices [0, 2^K), a node being left op
 * right (an empty right half is skipped). Each rank folds the blocks it holds entirely, combines
 * them into maximal aligned subtrees, and sends those (start, level, value) triples together with
 * the raw elements of the at most two blocks it shares with a neighbour; every rank then assembles
 * the shared blocks and evaluates the same tree. Nothing depends on the split. */
#include "coll.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

int coll_agree(const rt_t *rt, int local_rc)
{
    int rc = 0, was = rt_wait_begin(rt, RT_COLLECTIVE);
    if (MPI_Allreduce(&local_rc, &rc, 1, MPI_INT, MPI_MIN, rt->comm) != MPI_SUCCESS) rc = PARC_EMPI;
    rt_wait_end(rt, was);
    return rc;
}

size_t coll_msg_max = (size_t)1 << 30;

/* Bytes of a piece that starts o bytes into a message of n bytes. */
static int piece(size_t n, size_t o)
{
    return (int)(n - o < coll_msg_max ? n - o : coll_msg_max);
}

/* MPI_Bcast of n bytes from root, in pieces of at most coll_msg_max (MPI counts are ints). */
static int bcast(const rt_t *rt, void *buf, size_t n, int root)
{
    for (size_t o = 0; o < n; o += coll_msg_max)
        if (MPI_Bcast((char *)buf + o, piece(n, o), MPI_BYTE, root, rt->comm) != MPI_SUCCESS)
            return PARC_EMPI;
    return 0;
}

/* Blocking point-to-point messages of n bytes in pieces: MPI keeps the order of messages
 * between two ranks on one tag, so the pieces arrive in order. */
static int send_pieces(const rt_t *rt, const void *buf, size_t n, int peer, int tag)
{
    for (size_t o = 0; o < n || o == 0; o += coll_msg_max)
        if (MPI_Send((const char *)buf + o, piece(n, o), MPI_BYTE, peer, tag, rt->comm) !=
            MPI_SUCCESS)
            return PARC_EMPI;
    return 0;
}

static int recv_pieces(const rt_t *rt, void *buf, size_t n, int peer, int tag)
{
    for (size_t o = 0; o < n || o == 0; o += coll_msg_max)
        if (MPI_Recv((char *)buf + o, piece(n, o), MPI_BYTE, peer, tag, rt->comm,
                     MPI_STATUS_IGNORE) != MPI_SUCCESS)
            return PARC_EMPI;
    return 0;
}

/* MPI_Allgatherv in bytes: rank r's cnt[r] bytes at mine land at all + off[r] on every
 * rank. One MPI_Allgatherv when the whole fits one message, else one piecewise broadcast
 * per rank. Returns 0, PARC_ENOMEM (on every rank) or PARC_EMPI (not agreed). */
static int allgatherv(const rt_t *rt, const void *mine, const int64_t *cnt, const int64_t *off,
                      char *all)
{
    int p = rt->nranks;
    size_t total = (size_t)(off[p - 1] + cnt[p - 1]);
    if (total <= coll_msg_max) {
        int *c = mem_alloc((size_t)p * 2 * sizeof *c);
        if (coll_agree(rt, c ? 0 : PARC_ENOMEM)) {
            mem_free(c);
            return PARC_ENOMEM;
        }
        for (int r = 0; r < p; r++) {
            c[r] = (int)cnt[r];
            c[p + r] = (int)off[r];
        }
        int rc = MPI_Allgatherv(mine, c[rt->rank], MPI_BYTE, all, c, c + p, MPI_BYTE, rt->comm) ==
                         MPI_SUCCESS
                     ? 0
                     : PARC_EMPI;
        mem_free(c);
        return rc;
    }
    if (cnt[rt->rank] && all + off[rt->rank] != mine)
        memmove(all + off[rt->rank], mine, (size_t)cnt[rt->rank]);
    int rc = 0;
    for (int r = 0; r < p && !rc; r++)
        rc = bcast(rt, all + off[r], (size_t)cnt[r], r);
    return rc;
}

int coll_sequence(const rt_t *rt, const char *file, int line, err_t *err)
{
#ifdef NDEBUG
    (void)rt;
    (void)file;
    (void)line;
    (void)err;
    return 0;
#else
    if (!rt->collseq) return 0;
    uint64_t h = rt->collseq[0] ^ 0xcbf29ce484222325u;
    for (const char *c = file; *c; c++)
        h = (h ^ (uint8_t)*c) * 0x100000001b3u;
    h = (h ^ (uint64_t)line) * 0x100000001b3u;
    rt->collseq[0] = h;
    uint64_t n = ++rt->collseq[1];
    int p = rt->nranks;
    uint64_t *all = mem_alloc((size_t)p * sizeof *all);
    if (!all) return 0; /* the check is a debugging aid: out of memory skips it */
    int rc = MPI_Allgather(&h, 1, MPI_UINT64_T, all, 1, MPI_UINT64_T, rt->comm) == MPI_SUCCESS
                 ? 0
                 : err_set(err, PARC_EMPI, (span_t){0}, "MPI_Allgather failed");
    /* the hash most ranks have (ties: the lowest rank's), and the first rank without it */
    int best = 0, most = 0, bad = -1;
    for (int r = 0; !rc && r < p; r++) {
        int k = 0;
        for (int q = 0; q < p; q++)
            k += all[q] == all[r];
        if (k > most) {
            most = k;
            best = r;
        }
    }
    for (int r = 0; !rc && r < p && bad < 0; r++)
        if (all[r] != all[best]) bad = r;
    /* report once: every rank goes on from the same hash, so later steps are checked anew */
    if (bad >= 0) rt->collseq[0] = all[best];
    mem_free(all);
    if (rc || bad < 0) return rc;
    return err_set(err, PARC_ERUNTIME, (span_t){0},
                   "collective steps diverged (debug check): engine %d took another path than "
                   "engine %d; this engine is at %s:%d, agreement %llu",
                   bad, best, file, line, (unsigned long long)n);
#endif
}

int coll_allgather_bytes(const rt_t *rt, const void *mine, size_t n, void *all, err_t *err)
{
    int p = rt->nranks, rc = 0;
    if (n * (size_t)p <= coll_msg_max) {
        if (MPI_Allgather(mine, (int)n, MPI_BYTE, all, (int)n, MPI_BYTE, rt->comm) != MPI_SUCCESS)
            rc = PARC_EMPI;
    } else {
        int64_t *c = mem_alloc((size_t)p * 2 * sizeof *c);
        rc = c ? 0 : PARC_ENOMEM;
        rc = coll_agree(rt, rc);
        for (int r = 0; r < p && !rc; r++) {
            c[r] = (int64_t)n;
            c[p + r] = (int64_t)n * r;
        }
        if (!rc) rc = allgatherv(rt, mine, c, c + p, all);
        mem_free(c);
    }
    if (rc)
        err_set(err, rc, (span_t){0}, rc == PARC_ENOMEM ? "out of memory" : "MPI_Allgather failed");
    return arri_agree(rt, rc, err);
}

int coll_bcast_bytes(const rt_t *rt, void *buf, size_t n, int root, err_t *err)
{
    int rc = bcast(rt, buf, n, root);
    if (rc) err_set(err, rc, (span_t){0}, "MPI_Bcast failed");
    return arri_agree(rt, rc, err);
}

/* A tag of its own: the messages of one exchange are all received before it returns, and
 * nothing else in flight uses this tag. */
#define EXCHANGE_TAG 7313

/* coll_gather_bytes when the whole is more than one message: rank 0 receives every rank's
 * bytes in rank order, each in pieces. */
static int gather_pieces(const rt_t *rt, const void *mine, size_t n, char *all, const int64_t *offs)
{
    if (rt->rank) return send_pieces(rt, mine, n, 0, EXCHANGE_TAG);
    if (n) memcpy(all, mine, n);
    int rc = 0;
    for (int r = 1; r < rt->nranks && !rc; r++)
        rc = recv_pieces(rt, all + offs[r], (size_t)(offs[r + 1] - offs[r]), r, EXCHANGE_TAG);
    return rc;
}

int coll_gather_bytes(const rt_t *rt, const void *mine, size_t n, char **all, int64_t **offs,
                      err_t *err)
{
    int p = rt->nranks, root = rt->rank == 0;
    int64_t *len = mem_calloc((size_t)p, sizeof *len), mylen = (int64_t)n;
    int *cnt = NULL;
    *all = NULL;
    *offs = NULL;
    int rc = 0;
    if (!len || (root && !(cnt = mem_calloc((size_t)p * 2, sizeof *cnt))))
        rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    rc = arri_agree(rt, rc, err);
    /* every rank learns the lengths, so all know whether the whole fits one message */
    if (!rc && MPI_Allgather(&mylen, 1, MPI_INT64_T, len, 1, MPI_INT64_T, rt->comm) != MPI_SUCCESS)
        rc = err_set(err, PARC_EMPI, (span_t){0}, "MPI_Allgather failed");
    size_t total = 0;
    for (int r = 0; !rc && r < p; r++)
        total += (size_t)len[r];
    if (!rc && root) {
        *all = mem_alloc(total + 1);
        *offs = mem_alloc((size_t)(p + 1) * sizeof **offs);
        if (!*all || !*offs) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        if (!rc) (*offs)[0] = 0;
        for (int r = 0; r < p && !rc; r++) {
            (*offs)[r + 1] = (*offs)[r] + len[r];
            cnt[r] = (int)len[r]; /* used only when total fits one message */
            cnt[p + r] = (int)(*offs)[r];
        }
    }
    rc = arri_agree(rt, rc, err);
    int one = total <= coll_msg_max;
    if (!rc && one &&
        MPI_Gatherv(mine ? mine : "", (int)n, MPI_BYTE, *all, cnt, cnt + p, MPI_BYTE, 0,
                    rt->comm) != MPI_SUCCESS)
        rc = err_set(err, PARC_EMPI, (span_t){0}, "MPI_Gatherv failed");
    if (!rc && !one && gather_pieces(rt, mine ? mine : "", n, *all, *offs))
        rc = err_set(err, PARC_EMPI, (span_t){0}, "gathering in pieces failed");
    rc = arri_agree(rt, rc, err);
    mem_free(cnt);
    mem_free(len);
    if (rc) {
        mem_free(*all);
        mem_free(*offs);
        *all = NULL;
        *offs = NULL;
    }
    return rc;
}

static int64_t row_elems(const arr_t *a)
{
    int64_t inner = 1;
    for (int d = 1; d < a->ndim; d++)
        inner *= a->shape[d];
    return inner;
}

/* A contiguous copy of a's chunk (a itself, referenced, when already contiguous). */
static int contig(const rt_t *rt, const arr_t *a, arr_t **out, err_t *err)
{
    if (arri_contig(a)) {
        *out = arr_ref((arr_t *)a);
        return 0;
    }
    int rc = arri_new(rt, a->ndim, a->lshape, a->dtype, 0, NULL, out, err);
    if (!rc) arri_copy_chunk(*out, a);
    return rc;
}

int coll_allgather(const rt_t *rt, const arr_t *a, arr_t **out, err_t *err)
{
    if (!dist_is_rows(&a->dist)) {
        /* rows first: then every rank's part is one run of the C-order result */
        arr_t *r = NULL;
        int rc = coll_redistribute(rt, a, NULL, &r, err);
        if (!rc) rc = coll_allgather(rt, r, out, err);
        arr_unref(&r);
        return rc;
    }
    int p = rt->nranks;
    arr_t *src = NULL, *full = NULL;
    int64_t *cnt = mem_calloc((size_t)p * 2, sizeof *cnt);
    int rc = cnt ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    int64_t rb = row_elems(a) * (int64_t)dt_size(a->dtype);
    if (!rc) rc = contig(rt, a, &src, err);
    if (!rc) rc = arri_new(rt, a->ndim, a->shape, a->dtype, 0, NULL, &full, err);
    rc = arri_agree(rt, rc, err);
    if (!rc) {
        for (int r = 0; r < p; r++) {
            cnt[r] = (arri_row(a, r + 1) - arri_row(a, r)) * rb;
            cnt[p + r] = arri_row(a, r) * rb;
        }
        rc = allgatherv(rt, arri_base(src), cnt, cnt + p, arri_base(full));
        if (rc) err_set(err, rc, (span_t){0}, "MPI_Allgatherv failed");
        rc = arri_agree(rt, rc, err);
    }
    mem_free(cnt);
    arr_unref(&src);
    if (rc) {
        arr_unref(&full);
        return rc;
    }
    *out = full;
    return 0;
}

static int64_t overlap(int64_t a0, int64_t a1, int64_t b0, int64_t b1, int64_t *lo)
{
    *lo = a0 > b0 ? a0 : b0;
    int64_t hi = a1 < b1 ? a1 : b1;
    return hi > *lo ? hi - *lo : 0;
}

int coll_redistribute(const rt_t *rt, const arr_t *a, const int64_t *bnd, arr_t **out, err_t *err)
{
    dist_t d;
    memset(&d, 0, sizeof d);
    int rc = arri_rows_dist(rt, a->ndim, a->shape, bnd, &d, err);
    rc = arri_agree(rt, rc, err);
    if (rc) {
        dist_clear(&d);
        return rc;
    }
    rc = coll_redist(rt, a, &d, out, err);
    dist_clear(&d);
    return rc;
}

/* Pieces of a message of n bytes (a message of 0 bytes is one piece). */
static size_t npieces(size_t n)
{
    return n ? (n + coll_msg_max - 1) / coll_msg_max : 1;
}

int coll_exchange(const rt_t *rt, int local_rc, const coll_msg_t *send, int ns,
                  const coll_msg_t *recv, int nr, err_t *err)
{
    int rc = local_rc;
    size_t nreq = 1;
    for (int i = 0; i < ns; i++)
        nreq += npieces(send[i].n);
    for (int i = 0; i < nr; i++)
        nreq += npieces(recv[i].n);
    MPI_Request *req = rc ? NULL : mem_alloc(nreq * sizeof *req);
    if (!rc && !req) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    rc = arri_agree(rt, rc, err);
    if (!rc) {
        int was = rt_wait_begin(rt, RT_COLLECTIVE), n = 0;
        for (int i = 0; !rc && i < nr; i++)
            for (size_t o = 0; !rc && (o < recv[i].n || o == 0); o += coll_msg_max)
                if (MPI_Irecv((char *)recv[i].p + o, piece(recv[i].n, o), MPI_BYTE, recv[i].peer,
                              EXCHANGE_TAG, rt->comm, &req[n++]) != MPI_SUCCESS)
                    rc = PARC_EMPI;
        for (int i = 0; !rc && i < ns; i++)
            for (size_t o = 0; !rc && (o < send[i].n || o == 0); o += coll_msg_max)
                if (MPI_Isend((char *)send[i].p + o, piece(send[i].n, o), MPI_BYTE, send[i].peer,
                              EXCHANGE_TAG, rt->comm, &req[n++]) != MPI_SUCCESS)
                    rc = PARC_EMPI;
        if (n && MPI_Waitall(n, req, MPI_STATUSES_IGNORE) != MPI_SUCCESS) rc = PARC_EMPI;
        rt_wait_end(rt, was);
        if (rc) err_set(err, rc, (span_t){0}, "MPI point-to-point exchange failed");
        rc = arri_agree(rt, rc, err);
    }
    mem_free(req);
    return rc;
}

int coll_exscan_i64(const rt_t *rt, int64_t *v, int64_t n, int op, err_t *err)
{
    int64_t *tmp = mem_alloc((size_t)n * sizeof *tmp + 1);
    int rc = tmp ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    rc = arri_agree(rt, rc, err);
    if (!rc) {
        /* elementwise, so pieces give the same answer */
        int64_t per = (int64_t)(coll_msg_max / sizeof *v);
        if (per < 1) per = 1;
        int was = rt_wait_begin(rt, RT_REDUCTION);
        for (int64_t o = 0; o < n && !rc; o += per)
            if (MPI_Exscan(v + o, tmp + o, (int)(n - o < per ? n - o : per), MPI_INT64_T,
                           op ? MPI_PROD : MPI_SUM, rt->comm) != MPI_SUCCESS)
                rc = err_set(err, PARC_EMPI, (span_t){0}, "MPI_Exscan failed");
        rt_wait_end(rt, was);
        rc = arri_agree(rt, rc, err);
    }
    if (!rc && rt->rank > 0) memcpy(v, tmp, (size_t)n * sizeof *v);
    mem_free(tmp);
    return rc;
}

int coll_chain(const rt_t *rt, size_t n, void (*step)(void *ctx, const void *in, void *out),
               void *ctx, err_t *err)
{
    char *in = mem_alloc(n + 1), *out = mem_alloc(n + 1);
    int rc = in && out ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    rc = arri_agree(rt, rc, err);
    if (!rc) {
        int was = rt_wait_begin(rt, RT_COLLECTIVE), r = rt->rank;
        if (r > 0) rc = recv_pieces(rt, in, n, r - 1, EXCHANGE_TAG);
        step(ctx, r > 0 ? in : NULL, out);
        if (r + 1 < rt->nranks && send_pieces(rt, out, n, r + 1, EXCHANGE_TAG)) rc = PARC_EMPI;
        rt_wait_end(rt, was);
        if (rc) err_set(err, rc, (span_t){0}, "MPI point-to-point chain failed");
        rc = arri_agree(rt, rc, err);
    }
    mem_free(in);
    mem_free(out);
    return rc;
}

/* ---- the reproducible tree ---- */

int64_t coll_tree_block(int64_t w)
{
    int64_t B = 1;
    while (B * 2 * w <= KERN_BLK)
        B *= 2;
    return B;
}

void coll_tree_owned(int64_t n, int64_t B, int64_t g0, int64_t g1, int64_t *jlo, int64_t *jhi)
{
    int64_t nb = (n + B - 1) / B;
    int64_t lo = (g0 + B - 1) / B, hi = g1 == n ? nb : g1 / B;
    if (g0 >= g1) lo = hi = 0;
    if (hi < lo) hi = lo;
    *jlo = lo;
    *jhi = hi;
}

typedef struct {
    int64_t a, k;
    size_t off; /* of the value in vals */
} node_t;

typedef struct {
    int op, acc;
    int64_t w, nb;
    size_t vsz; /* bytes of one value vector */
    node_t *nodes;
    size_t nn;
    char *vals;
    char *tmp; /* one scratch vector per level */
} tree_t;

static size_t acc_size(int acc)
{
    return acc == ACC_F32 ? 4 : acc == ACC_C128 ? 16 : 8;
}

static int node_cmp(const void *x, const void *y)
{
    const node_t *a = x, *b = y;
    return a->a < b->a ? -1 : a->a > b->a;
}

static const node_t *find(const tree_t *t, int64_t a)
{
    size_t lo = 0, hi = t->nn;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->nodes[mid].a < a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->nn && t->nodes[lo].a == a ? &t->nodes[lo] : NULL;
}

/* Value of node (a, k) into dst: 1, 0 when empty (beyond nb), -1 when a part is missing. */
static int get(const tree_t *t, int64_t a, int k, void *dst)
{
    if (a >= t->nb) return 0;
    const node_t *nd = find(t, a);
    if (nd && nd->k == k) {
        memcpy(dst, t->vals + nd->off, t->vsz);
        return 1;
    }
    if (k == 0) return -1;
    int r = get(t, a, k - 1, dst);
    if (r <= 0) return r;
    char *right = t->tmp + (size_t)k * t->vsz;
    int r2 = get(t, a + ((int64_t)1 << (k - 1)), k - 1, right);
    if (r2 < 0) return r2;
    if (r2) kern_combine(t->op, t->acc, t->w, dst, right);
    return 1;
}

static int tree(const rt_t *rt, int coll, int op, int acc, int64_t w, int64_t n, int64_t g0,
                int64_t g1, kern_leaf_fn leaf, void *lctx, int npieces, const int64_t *pstart,
                const int64_t *pcount, const void *const *pvals, void *out, err_t *err)
{
    int64_t B = coll_tree_block(w), jlo, jhi;
    coll_tree_owned(n, B, g0, g1, &jlo, &jhi);
    tree_t t = {op, acc, w, (n + B - 1) / B, (size_t)w * acc_size(acc), NULL, 0, NULL, NULL};
    int K = 0;
    while (((int64_t)1 << K) < t.nb)
        K++;
    size_t esz = t.vsz; /* one element is a vector of w values */
    wbuf_t msg;
    wbuf_init(&msg);
    t.tmp = mem_calloc((size_t)K + 2, t.vsz);
    char *scratch = mem_calloc(KERN_TREE_SLOTS(K), t.vsz);
    char *v = mem_alloc(t.vsz);
    /* Maximal aligned subtrees within [jlo, jhi). */
    uint32_t nloc = 0;
    wbuf_t nodes;
    wbuf_init(&nodes);
    for (int64_t a = jlo; a < jhi && t.tmp && scratch && v;) {
        int k = 0;
        while (k < K) {
            int64_t sz = (int64_t)1 << (k + 1);
            if (a % sz) break;
            int64_t end = a + sz < t.nb ? a + sz : t.nb;
            if (end > jhi) break;
            k++;
        }
        kern_tree_fn(op, acc, w, t.vsz, leaf, lctx, a - jlo, t.nb - a, k, v, scratch);
        wbuf_i64(&nodes, a);
        wbuf_i64(&nodes, k);
        wbuf_bytes(&nodes, v, t.vsz);
        nloc++;
        a += (int64_t)1 << k;
    }
    wbuf_u32(&msg, nloc);
    wbuf_u32(&msg, (uint32_t)npieces);
    wbuf_bytes(&msg, nodes.p, nodes.len);
    wbuf_free(&nodes);
    for (int i = 0; i < npieces; i++) {
        wbuf_i64(&msg, pstart[i]);
        wbuf_i64(&msg, pcount[i]);
        wbuf_bytes(&msg, pvals[i], (size_t)pcount[i] * esz);
    }
    int rc = 0;
    if (!t.tmp || !scratch || !v || msg.oom)
        rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory in a reduction");
    int p = coll ? rt->nranks : 1;
    int64_t *cnt = mem_calloc((size_t)p * 2, sizeof *cnt);
    if (!cnt && !rc) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (coll) rc = arri_agree(rt, rc, err);
    char *all = NULL;
    if (!rc && !coll) {
        all = (char *)msg.p;
        cnt[0] = (int64_t)msg.len;
    } else if (!rc) {
        int64_t mine = (int64_t)msg.len;
        if (MPI_Allgather(&mine, 1, MPI_INT64_T, cnt, 1, MPI_INT64_T, rt->comm) != MPI_SUCCESS)
            rc = PARC_EMPI;
        size_t tot = 0;
        for (int r = 0; r < p && !rc; r++) {
            cnt[p + r] = (int64_t)tot;
            tot += (size_t)cnt[r];
        }
        if (!rc) all = mem_alloc(tot ? tot : 1);
        if (!rc && !all) rc = PARC_ENOMEM;
        rc = coll_agree(rt, rc);
        if (!rc) rc = allgatherv(rt, msg.p, cnt, cnt + p, all);
        rc = coll_agree(rt, rc);
        if (rc) err_set(err, rc, (span_t){0}, "a reduction's exchange failed");
    }
    /* Decode every rank's nodes; gather the shared blocks' elements. */
    size_t total_nodes = 0, total_pieces = 0;
    if (!rc) {
        for (int r = 0; r < p; r++) {
            rbuf_t rb;
            rbuf_init(&rb, all + cnt[p + r], (size_t)cnt[r]);
            total_nodes += rbuf_u32(&rb);
            total_pieces += rbuf_u32(&rb);
        }
        t.nodes = mem_calloc(total_nodes + 2 * total_pieces + 1, sizeof *t.nodes);
        t.vals = mem_calloc(total_nodes + 2 * total_pieces + 1, t.vsz);
        if (!t.nodes || !t.vals) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    }
    char *blk = NULL;
    if (!rc && total_pieces) {
        blk = mem_alloc((size_t)B * esz);
        if (!blk) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    }
    /* Shared blocks: at most 2 per rank; record (block, rank, piece offset) to assemble. */
    for (int r = 0; r < p && !rc; r++) {
        rbuf_t rb;
        rbuf_init(&rb, all + cnt[p + r], (size_t)cnt[r]);
        uint32_t nn = rbuf_u32(&rb), np = rbuf_u32(&rb);
        for (uint32_t i = 0; i < nn; i++) {
            node_t *nd = &t.nodes[t.nn];
            nd->a = rbuf_i64(&rb);
            nd->k = rbuf_i64(&rb);
            nd->off = t.nn * t.vsz;
            const void *src = rbuf_bytes(&rb, t.vsz);
            if (src) memcpy(t.vals + nd->off, src, t.vsz);
            t.nn++;
        }
        for (uint32_t i = 0; i < np; i++) {
            int64_t s = rbuf_i64(&rb), c = rbuf_i64(&rb);
            rbuf_bytes(&rb, (size_t)c * esz);
            /* Each block touched by this piece: assemble it once, from its first piece. */
            for (int64_t j = s / B; c > 0 && j <= (s + c - 1) / B; j++) {
                if (!(s <= j * B && j * B < s + c)) continue; /* holder of jB assembles */
                int64_t bend = (j + 1) * B < n ? (j + 1) * B : n;
                /* Collect [jB, bend) from all pieces of all ranks. */
                for (int r2 = 0; r2 < p; r2++) {
                    rbuf_t q;
                    rbuf_init(&q, all + cnt[p + r2], (size_t)cnt[r2]);
                    uint32_t qn = rbuf_u32(&q), qp = rbuf_u32(&q);
                    rbuf_bytes(&q, (size_t)qn * (16 + t.vsz));
                    for (uint32_t i2 = 0; i2 < qp; i2++) {
                        int64_t s2 = rbuf_i64(&q), c2 = rbuf_i64(&q);
                        const char *pv = rbuf_bytes(&q, (size_t)c2 * esz);
                        int64_t lo;
                        int64_t m = overlap(s2, s2 + c2, j * B, bend, &lo);
                        if (m && pv)
                            memcpy(blk + (size_t)(lo - j * B) * esz, pv + (size_t)(lo - s2) * esz,
                                   (size_t)m * esz);
                    }
                }
                node_t *nd = &t.nodes[t.nn];
                nd->a = j;
                nd->k = 0;
                nd->off = t.nn * t.vsz;
                kern_fold(op, acc, w, B, blk, bend - j * B, t.vals + nd->off);
                t.nn++;
            }
        }
        if (rb.bad) rc = err_set(err, PARC_EPROTO, (span_t){0}, "bad reduction message");
    }
    if (!rc) {
        qsort(t.nodes, t.nn, sizeof *t.nodes, node_cmp);
        int r = t.nb ? get(&t, 0, K, out) : 0;
        if (r < 0) rc = err_set(err, PARC_ERUNTIME, (span_t){0}, "reduction tree incomplete");
        if (r == 0) {
            /* Empty: the identity. */
            char id[16] = {0};
            if (op) kern_fold(op, acc, 1, 1, id, 0, id);
            for (int64_t i = 0; i < w; i++)
                memcpy((char *)out + (size_t)i * acc_size(acc), id, acc_size(acc));
        }
    }
    mem_free(blk);
    if (coll) mem_free(all);
    mem_free(cnt);
    mem_free(t.nodes);
    mem_free(t.vals);
    mem_free(t.tmp);
    mem_free(scratch);
    mem_free(v);
    wbuf_free(&msg);
    return rc;
}

/* ---- rows by global index ---- */

/* The rank holding row g of a. */
static int row_owner(const arr_t *a, int64_t g)
{
    int64_t l;
    return dist_g2l(&a->dist, 0, g, &l);
}

/* Copies row lr of a's chunk (w elements) to or from the contiguous bytes at buf. */
static void row_copy(arr_t *a, int64_t lr, int64_t w, char *buf, int put)
{
    size_t sz = dt_size(a->dtype);
    if (arri_contig(a)) {
        char *p = (char *)arri_base(a) + lr * w * (int64_t)sz;
        if (put)
            memcpy(p, buf, (size_t)w * sz);
        else
            memcpy(buf, p, (size_t)w * sz);
        return;
    }
    for (int64_t j = 0; j < w; j++) {
        char *p = arri_addr(a, lr * w + j);
        if (put)
            memcpy(p, buf + j * (int64_t)sz, sz);
        else
            memcpy(buf + j * (int64_t)sz, p, sz);
    }
}

/* The exchange both directions share: this rank's n rows idx[] grouped by owner. Fills
 * ord (the k of each grouped slot), the send counts/displacements in rows (sc, sd), the
 * receive ones (rc, rd) after MPI_Alltoall, and the owners' received row indices *got
 * (*ngot of them, mem_alloc'ed). */
static int rows_plan(const rt_t *rt, const arr_t *a, const int64_t *idx, int64_t n, int64_t *ord,
                     int *sc, int *sd, int *rcn, int *rd, int64_t **got, int64_t *ngot, err_t *err)
{
    int p = rt->nranks;
    int64_t *sidx = mem_alloc((size_t)(n ? n : 1) * sizeof *sidx);
    int *own = mem_alloc((size_t)(n ? n : 1) * sizeof *own);
    int rc = sidx && own ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    *got = NULL;
    if (!rc) {
        memset(sc, 0, (size_t)p * sizeof *sc);
        for (int64_t k = 0; k < n; k++) {
            own[k] = row_owner(a, idx[k]);
            sc[own[k]]++;
        }
        sd[0] = 0;
        for (int q = 1; q < p; q++)
            sd[q] = sd[q - 1] + sc[q - 1];
        int *fill = rd; /* rd is free until the counts come back */
        memcpy(fill, sd, (size_t)p * sizeof *fill);
        for (int64_t k = 0; k < n; k++) {
            int slot = fill[own[k]]++;
            ord[slot] = k;
            sidx[slot] = idx[k];
        }
    }
    rc = arri_agree(rt, rc, err);
    if (!rc && MPI_Alltoall(sc, 1, MPI_INT, rcn, 1, MPI_INT, rt->comm) != MPI_SUCCESS)
        rc = PARC_EMPI;
    int64_t tot = 0;
    if (!rc) {
        for (int q = 0; q < p; q++) {
            rd[q] = (int)tot;
            tot += rcn[q];
        }
        if (!(*got = mem_alloc((size_t)(tot ? tot : 1) * sizeof **got)))
            rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    }
    rc = arri_agree(rt, rc, err);
    if (!rc && MPI_Alltoallv(sidx, sc, sd, MPI_INT64_T, *got, rcn, rd, MPI_INT64_T, rt->comm) !=
                   MPI_SUCCESS)
        rc = PARC_EMPI;
    rc = coll_agree(rt, rc);
    if (rc) {
        if (!err->code) err_set(err, rc, (span_t){0}, "exchanging row indices failed");
        mem_free(*got);
        *got = NULL;
    }
    *ngot = tot;
    mem_free(sidx);
    mem_free(own);
    return rc;
}

/* A committed datatype of n contiguous bytes; above coll_msg_max a struct of whole pieces
 * and the rest, so that no count passed to MPI exceeds it. */
static int bytes_type(size_t n, MPI_Datatype *t)
{
    int rc = 0;
    if (n <= coll_msg_max) {
        rc = MPI_Type_contiguous((int)n, MPI_BYTE, t);
    } else {
        MPI_Datatype part;
        int len[2] = {(int)(n / coll_msg_max), (int)(n % coll_msg_max)};
        MPI_Aint at[2] = {0, (MPI_Aint)(n - n % coll_msg_max)};
        rc = MPI_Type_contiguous((int)coll_msg_max, MPI_BYTE, &part);
        MPI_Datatype ty[2] = {part, MPI_BYTE};
        if (rc == MPI_SUCCESS) rc = MPI_Type_create_struct(2, len, at, ty, t);
        MPI_Type_free(&part);
    }
    if (rc == MPI_SUCCESS) rc = MPI_Type_commit(t);
    return rc == MPI_SUCCESS ? 0 : PARC_EMPI;
}

/* One direction of the row data: rows of rb bytes, counts in rows. */
static int rows_move(const rt_t *rt, const void *s, const int *sc, const int *sd, void *r,
                     const int *rcn, const int *rd, int64_t rb, err_t *err)
{
    if (rb == 0) return 0;
    MPI_Datatype row;
    int rc = coll_agree(rt, bytes_type((size_t)rb, &row));
    if (rc) return err_set(err, rc, (span_t){0}, "making an MPI datatype failed");
    if (MPI_Alltoallv(s, sc, sd, row, r, rcn, rd, row, rt->comm) != MPI_SUCCESS) rc = PARC_EMPI;
    MPI_Type_free(&row);
    rc = coll_agree(rt, rc);
    if (rc) err_set(err, rc, (span_t){0}, "exchanging rows failed");
    return rc;
}

/* What coll_take_rows and coll_put_rows share: the plan of the exchange and two buffers,
 * mine (this rank's n rows) and theirs (the ngot rows other ranks ask of or send to it). */
typedef struct {
    int *c, *sc, *sd, *rcn, *rd;
    int64_t *ord, *got, ngot, w, rb;
    char *mine, *theirs;
} rows_t;

static void rows_end(rows_t *x)
{
    mem_free(x->c);
    mem_free(x->ord);
    mem_free(x->got);
    mem_free(x->mine);
    mem_free(x->theirs);
}

static int rows_begin(const rt_t *rt, const arr_t *a, const int64_t *idx, int64_t n, rows_t *x,
                      err_t *err)
{
    int p = rt->nranks;
    memset(x, 0, sizeof *x);
    x->w = row_elems(a);
    x->rb = x->w * (int64_t)dt_size(a->dtype);
    x->c = mem_calloc((size_t)p * 4, sizeof *x->c);
    x->ord = mem_alloc((size_t)(n ? n : 1) * sizeof *x->ord);
    int rc = x->c && x->ord ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    rc = arri_agree(rt, rc, err);
    if (rc) return rc;
    x->sc = x->c;
    x->sd = x->c + p;
    x->rcn = x->c + 2 * p;
    x->rd = x->c + 3 * p;
    rc = rows_plan(rt, a, idx, n, x->ord, x->sc, x->sd, x->rcn, x->rd, &x->got, &x->ngot, err);
    if (rc) return rc;
    x->mine = mem_alloc((size_t)(n ? n : 1) * (size_t)x->rb + 1);
    x->theirs = mem_alloc((size_t)(x->ngot ? x->ngot : 1) * (size_t)x->rb + 1);
    if (!x->mine || !x->theirs) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    return arri_agree(rt, rc, err);
}

static int take_round(const rt_t *rt, const arr_t *a, const int64_t *want, int64_t n, void *dst,
                      err_t *err)
{
    rows_t x;
    int rc = rows_begin(rt, a, want, n, &x, err);
    /* The owners answer with the rows asked of them, in the order asked (the reverse of
     * the requests: sent with rcn/rd, received with sc/sd). */
    for (int64_t j = 0; !rc && j < x.ngot; j++)
        row_copy((arr_t *)a, x.got[j] - arri_row(a, rt->rank), x.w, x.theirs + j * x.rb, 0);
    if (!rc) rc = rows_move(rt, x.theirs, x.rcn, x.rd, x.mine, x.sc, x.sd, x.rb, err);
    for (int64_t s = 0; !rc && s < n; s++)
        memcpy((char *)dst + x.ord[s] * x.rb, x.mine + s * x.rb, (size_t)x.rb);
    rows_end(&x);
    return rc;
}

/* last: when the rows move in more than one round, the rank that last wrote each local row
 * (-1: none yet); a later round's write from a lower rank must not replace it. */
static int put_round(const rt_t *rt, arr_t *a, const int64_t *put, int64_t n, const void *src,
                     int *last, err_t *err)
{
    rows_t x;
    int rc = rows_begin(rt, a, put, n, &x, err);
    for (int64_t s = 0; !rc && s < n; s++)
        memcpy(x.mine + s * x.rb, (const char *)src + x.ord[s] * x.rb, (size_t)x.rb);
    if (!rc) rc = rows_move(rt, x.mine, x.sc, x.sd, x.theirs, x.rcn, x.rd, x.rb, err);
    /* In rank order, then in each rank's order: the last of repeated rows wins, as in NumPy. */
    int64_t j = 0;
    for (int q = 0; !rc && q < rt->nranks; q++)
        for (int64_t end = (int64_t)x.rd[q] + x.rcn[q]; j < end; j++) {
            int64_t lr = x.got[j] - arri_row(a, rt->rank);
            if (last && last[lr] > q) continue;
            if (last) last[lr] = q;
            row_copy(a, lr, x.w, x.theirs + j * x.rb, 1);
        }
    rows_end(&x);
    return rc;
}

/* Rows of rb bytes move in rounds of at most per indices from each rank, so that a round's counts
 * (ints) and buffers stay within coll_msg_max bytes; every rank takes part in as many
 * rounds as the rank with the most indices needs (*nround, agreed). */
static int rows_rounds(const rt_t *rt, int64_t rb, int64_t n, int64_t *per, int64_t *nround,
                       err_t *err)
{
    size_t unit = rb > 8 ? (size_t)rb : 8;
    *per = (int64_t)(coll_msg_max / unit / (size_t)rt->nranks);
    if (*per < 1) *per = 1;
    int64_t mine = (n + *per - 1) / *per;
    int rc = MPI_Allreduce(&mine, nround, 1, MPI_INT64_T, MPI_MAX, rt->comm) == MPI_SUCCESS
                 ? 0
                 : err_set(err, PARC_EMPI, (span_t){0}, "MPI_Allreduce failed");
    return arri_agree(rt, rc, err);
}

int coll_take_rows(const rt_t *rt, const arr_t *a, const int64_t *want, int64_t n, void *dst,
                   err_t *err)
{
    int64_t per, nround, rb = row_elems(a) * (int64_t)dt_size(a->dtype);
    int rc = rows_rounds(rt, rb, n, &per, &nround, err);
    for (int64_t k = 0; !rc && k < nround; k++) {
        int64_t o = k * per < n ? k * per : n, m = n - o < per ? n - o : per;
        rc = take_round(rt, a, o ? want + o : want, m, o ? (char *)dst + o * rb : dst, err);
    }
    return rc;
}

int coll_put_rows(const rt_t *rt, arr_t *a, const int64_t *put, int64_t n, const void *src,
                  err_t *err)
{
    int64_t per, nround, rb = row_elems(a) * (int64_t)dt_size(a->dtype);
    int rc = rows_rounds(rt, rb, n, &per, &nround, err);
    int64_t lrows = arri_row(a, rt->rank + 1) - arri_row(a, rt->rank);
    int *last = NULL;
    if (!rc && nround > 1) {
        last = mem_alloc((size_t)(lrows ? lrows : 1) * sizeof *last);
        rc = last ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        for (int64_t i = 0; last && i < lrows; i++)
            last[i] = -1;
        rc = arri_agree(rt, rc, err);
    }
    for (int64_t k = 0; !rc && k < nround; k++) {
        int64_t o = k * per < n ? k * per : n, m = n - o < per ? n - o : per;
        rc =
            put_round(rt, a, o ? put + o : put, m, o ? (const char *)src + o * rb : src, last, err);
    }
    mem_free(last);
    return rc;
}

int coll_tree(const rt_t *rt, int coll, int op, int acc, int64_t w, int64_t n, int64_t g0,
              int64_t g1, const void *bvals, int npieces, const int64_t *pstart,
              const int64_t *pcount, const void *const *pvals, void *out, err_t *err)
{
    kern_leaves_t l = {bvals, (size_t)w * acc_size(acc)};
    return coll_tree_fn(rt, coll, op, acc, w, n, g0, g1, kern_leaf_at, &l, npieces, pstart, pcount,
                        pvals, out, err);
}

int coll_tree_fn(const rt_t *rt, int coll, int op, int acc, int64_t w, int64_t n, int64_t g0,
                 int64_t g1, kern_leaf_fn leaf, void *lctx, int npieces, const int64_t *pstart,
                 const int64_t *pcount, const void *const *pvals, void *out, err_t *err)
{
    int was = rt_wait_begin(rt, RT_REDUCTION);
    int rc =
        tree(rt, coll, op, acc, w, n, g0, g1, leaf, lctx, npieces, pstart, pcount, pvals, out, err);
    rt_wait_end(rt, was);
    return rc;
}

/* MPI_Allreduce in place, in pieces of at most 2^26 values: MPI counts are ints. */
static int allreduce(const rt_t *rt, void *v, int64_t n, MPI_Datatype type, size_t size, MPI_Op op,
                     err_t *err)
{
    int was = rt_wait_begin(rt, RT_REDUCTION), rc = 0;
    for (int64_t o = 0; o < n; o += (int64_t)1 << 26) {
        int k = (int)(n - o < ((int64_t)1 << 26) ? n - o : (int64_t)1 << 26);
        if (MPI_Allreduce(MPI_IN_PLACE, (char *)v + o * (int64_t)size, k, type, op, rt->comm) !=
            MPI_SUCCESS) {
            rc = arri_agree(rt, err_set(err, PARC_EMPI, (span_t){0}, "MPI_Allreduce failed"), err);
            break;
        }
    }
    rt_wait_end(rt, was);
    return rc;
}

int coll_sum_i64(const rt_t *rt, int64_t *v, int64_t n, err_t *err)
{
    return allreduce(rt, v, n, MPI_INT64_T, sizeof *v, MPI_SUM, err);
}

int coll_reduce_f64(const rt_t *rt, double *v, int64_t n, int op, err_t *err)
{
    MPI_Op mop = op == COLL_MIN ? MPI_MIN : op == COLL_MAX ? MPI_MAX : MPI_SUM;
    return allreduce(rt, v, n, MPI_DOUBLE, sizeof *v, mop, err);
}
