/* fan.c - cells out by MPI_Ibcast from rank 0, DONE replies in by reduction (see fan.h). */
#define _GNU_SOURCE
#include "fan.h"

#include <poll.h>
#include <sched.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "mem.h"

#define HEAD      9 /* u8 kind, u32 seq, u32 body length */
#define INLINE    (FAN_HDR - HEAD)
#define TAG_DONE  0x7a12
#define SPINS     32       /* quick tests before the first nap */
#define FD_SPINS  4        /* the same when a cell can wake the nap (fan_nap) */
#define NAP_MIN   20000L   /* ns */
#define NAP_MAX   1000000L /* ns, within a second of the last work */
#define NAP_IDLE  5000000L /* ns, later */
#define IDLE_SECS 1.0

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

uint64_t fan_hash(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* (digest, ~digest, seconds' bits, messages): max, max, max, sum. A positive double's
 * bits order as its value does. */
static void combine(void *in, void *inout, int *len, MPI_Datatype *dt)
{
    (void)dt;
    const uint64_t *a = in;
    uint64_t *b = inout;
    for (int i = 0; i < *len; i++)
        b[i] = i % 4 == 3 ? b[i] + a[i] : a[i] > b[i] ? a[i] : b[i];
}

int fan_init(fan_t *f, atomic_int *gone)
{
    memset(f, 0, sizeof *f);
    f->comm = MPI_COMM_NULL;
    f->op = MPI_OP_NULL;
    f->hreq = MPI_REQUEST_NULL;
    f->gone = gone;
    f->idle_since = now_s();
    if (MPI_Comm_dup(MPI_COMM_WORLD, &f->comm) != MPI_SUCCESS) {
        f->comm = MPI_COMM_NULL;
        return -1;
    }
    if (MPI_Comm_set_errhandler(f->comm, MPI_ERRORS_RETURN) != MPI_SUCCESS ||
        MPI_Comm_rank(f->comm, &f->rank) != MPI_SUCCESS ||
        MPI_Comm_size(f->comm, &f->nranks) != MPI_SUCCESS ||
        MPI_Op_create(combine, 1, &f->op) != MPI_SUCCESS)
        return -1;
    fan_wake(f);
    return 0;
}

int fan_pending(const fan_t *f)
{
    return f->hreq != MPI_REQUEST_NULL || f->stuck;
}

void fan_fini(fan_t *f)
{
    if (f->op != MPI_OP_NULL) MPI_Op_free(&f->op);
    if (f->comm != MPI_COMM_NULL && !fan_pending(f)) MPI_Comm_free(&f->comm);
    f->comm = MPI_COMM_NULL;
}

void fan_wake(fan_t *f)
{
    f->spins = SPINS;
    f->nap_ns = 0;
    f->idle_since = now_s();
}

void fan_nap(fan_t *f, int fd)
{
    int spins = fd >= 0 && f->direct ? SPINS - FD_SPINS : 0;
    if (f->spins > spins) {
        f->spins--;
        sched_yield();
        return;
    }
    long cap = now_s() - f->idle_since > IDLE_SECS ? NAP_IDLE : NAP_MAX;
    f->nap_ns = f->nap_ns ? f->nap_ns * 2 : NAP_MIN;
    if (f->nap_ns > cap) f->nap_ns = cap;
    struct timespec ts = {0, f->nap_ns};
    if (fd < 0) {
        nanosleep(&ts, NULL);
        return;
    }
    struct pollfd p = {fd, POLLIN, 0};
    ppoll(&p, 1, &ts, NULL);
}

/* Tells f->waited, once, that this rank has waited long enough in a fan-in (or at once). */
static void waited(fan_t *f, int now)
{
    if (!f->waited || !(now || now_s() - f->wait_from >= FAN_WAITED_S)) return;
    void (*cb)(void *) = f->waited;
    f->waited = NULL;
    cb(f->waited_ud);
}

/* Tests req between naps until it completes. 0, or -1 when MPI failed or (give_up) the
 * kernel is gone; the request then stays pending. */
static int wait_req(fan_t *f, MPI_Request *req, int give_up)
{
    fan_wake(f);
    for (;;) {
        int done = 0;
        if (MPI_Test(req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) return -1;
        if (done) return 0;
        if (give_up && f->gone && atomic_load(f->gone)) {
            f->stuck = 1;
            return -1;
        }
        waited(f, 0);
        fan_nap(f, -1);
    }
}

static void put_head(uint8_t *h, int kind, uint32_t seq, uint32_t n)
{
    h[0] = (uint8_t)kind;
    for (int i = 0; i < 4; i++) {
        h[1 + i] = (uint8_t)(seq >> 8 * i);
        h[5 + i] = (uint8_t)(n >> 8 * i);
    }
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int fan_send(fan_t *f, int kind, uint32_t seq, const void *body, size_t n)
{
    if (n > 0x7fffffffu) return -1;
    put_head(f->hbuf, kind, seq, (uint32_t)n);
    if (n) memcpy(f->hbuf + HEAD, body, n < INLINE ? n : INLINE);
    MPI_Request r;
    if (MPI_Ibcast(f->hbuf, FAN_HDR, MPI_BYTE, 0, f->comm, &r) != MPI_SUCCESS || wait_req(f, &r, 0))
        return -1;
    if (n > INLINE) {
        void *rest = (void *)((const uint8_t *)body + INLINE);
        if (MPI_Ibcast(rest, (int)(n - INLINE), MPI_BYTE, 0, f->comm, &r) != MPI_SUCCESS ||
            wait_req(f, &r, 0))
            return -1;
    }
    return 0;
}

int fan_poll(fan_t *f, int *kind, uint32_t *seq, uint8_t **body, size_t *n)
{
    *body = NULL;
    *n = 0;
    if (f->hreq == MPI_REQUEST_NULL &&
        MPI_Ibcast(f->hbuf, FAN_HDR, MPI_BYTE, 0, f->comm, &f->hreq) != MPI_SUCCESS) {
        f->hreq = MPI_REQUEST_NULL;
        return -1;
    }
    int done = 0;
    if (MPI_Test(&f->hreq, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) return -1;
    if (!done) return 0;
    f->hreq = MPI_REQUEST_NULL;
    *kind = f->hbuf[0];
    *seq = get_u32(f->hbuf + 1);
    size_t len = get_u32(f->hbuf + 5);
    /* Every rank takes part in the second broadcast, even one short of memory (into a
     * scratch byte it then drops), or the others would wait for it. */
    uint8_t *b = mem_alloc(len ? len : 1), scratch[1];
    if (b) memcpy(b, f->hbuf + HEAD, len < INLINE ? len : INLINE);
    if (len > INLINE) {
        MPI_Request r;
        MPI_Datatype skip;
        int rc;
        if (b) {
            rc = MPI_Ibcast(b + INLINE, (int)(len - INLINE), MPI_BYTE, 0, f->comm, &r);
        } else {
            /* count 0 with a type of the same signature would not match: receive the
             * bytes into a type that lays them all on one byte */
            MPI_Type_create_resized(MPI_BYTE, 0, 0, &skip);
            MPI_Type_commit(&skip);
            rc = MPI_Ibcast(scratch, (int)(len - INLINE), skip, 0, f->comm, &r);
            MPI_Type_free(&skip);
        }
        if (rc != MPI_SUCCESS || wait_req(f, &r, 0)) {
            mem_free(b);
            return -1;
        }
    }
    if (!b) return -1;
    *body = b;
    *n = len;
    return 1;
}

/* DONE_ALL (link.h): u32 messages, f64 seconds, u8 same, then the one reply, or u32 n and
 * n replies in rank order. */
static void all_head(wbuf_t *out, uint32_t nmsg, double secs, int same)
{
    wbuf_u32(out, nmsg);
    wbuf_f64(out, secs);
    wbuf_u8(out, (uint8_t)same);
}

/* Every rank: digests agree, or the replies travel to rank 0. */
static int in_all(fan_t *f, const wbuf_t *done, uint64_t digest, uint32_t nmsg, double secs,
                  wbuf_t *out)
{
    uint64_t mine[4], all[4];
    mine[0] = digest;
    mine[1] = ~digest;
    memcpy(&mine[2], &secs, sizeof secs);
    if (!(secs > 0)) mine[2] = 0;
    mine[3] = nmsg;
    MPI_Request r;
    if (MPI_Iallreduce(mine, all, 4, MPI_UINT64_T, f->op, f->comm, &r) != MPI_SUCCESS ||
        wait_req(f, &r, 1))
        return -1;
    double maxs;
    memcpy(&maxs, &all[2], sizeof maxs);
    int same = all[0] == ~all[1], root = f->rank == 0;
    if (same) {
        if (!root) return 0;
        all_head(out, (uint32_t)all[3], maxs, 1);
        wbuf_str(out, (const char *)done->p, done->len);
        return 1;
    }
    int len = (int)done->len, *lens = NULL, *offs = NULL, ok = 1;
    uint8_t *buf = NULL;
    if (root) {
        lens = mem_calloc((size_t)f->nranks, sizeof *lens);
        offs = mem_calloc((size_t)f->nranks, sizeof *offs);
        ok = lens && offs;
    }
    if (MPI_Igather(&len, 1, MPI_INT, lens, 1, MPI_INT, 0, f->comm, &r) != MPI_SUCCESS ||
        wait_req(f, &r, 1))
        goto fail;
    size_t total = 0;
    for (int i = 0; root && ok && i < f->nranks; i++) {
        offs[i] = (int)total;
        total += (size_t)lens[i];
        if (total > 0x7fffffff) ok = 0;
    }
    if (root && ok) ok = (buf = mem_alloc(total ? total : 1)) != NULL;
    /* everyone learns whether rank 0 can take the replies */
    if (MPI_Ibcast(&ok, 1, MPI_INT, 0, f->comm, &r) != MPI_SUCCESS || wait_req(f, &r, 1)) goto fail;
    if (ok && (MPI_Igatherv(done->p, len, MPI_BYTE, buf, lens, offs, MPI_BYTE, 0, f->comm, &r) !=
                   MPI_SUCCESS ||
               wait_req(f, &r, 1)))
        goto fail;
    if (root) {
        all_head(out, (uint32_t)all[3], maxs, ok ? 0 : 1);
        if (ok) {
            wbuf_u32(out, (uint32_t)f->nranks);
            for (int i = 0; i < f->nranks; i++)
                wbuf_str(out, (const char *)buf + offs[i], (size_t)lens[i]);
        } else {
            /* out of memory for the others' replies: rank 0's stands for all */
            log_warn("parc-engine 0: out of memory gathering the replies; rank 0's stands for all");
            wbuf_str(out, (const char *)done->p, done->len);
        }
    }
    mem_free(lens);
    mem_free(offs);
    mem_free(buf);
    return root;
fail:
    mem_free(lens);
    mem_free(offs);
    mem_free(buf);
    return -1;
}

/* A subset: each target sends (digest, messages, seconds, reply) to the lowest target. */
static int in_some(fan_t *f, const uint32_t *t, size_t nt, const wbuf_t *done, uint64_t digest,
                   uint32_t nmsg, double secs, wbuf_t *out)
{
    int leader = (int)t[0];
    if (f->rank != leader) {
        waited(f, 1);
        wbuf_t b;
        wbuf_init(&b);
        wbuf_u64(&b, digest);
        wbuf_u32(&b, nmsg);
        wbuf_f64(&b, secs);
        wbuf_bytes(&b, done->p, done->len);
        if (b.oom) { /* still send, or the leader waits: just the numbers, no reply */
            wbuf_free(&b);
            wbuf_u64(&b, ~digest);
            wbuf_u32(&b, nmsg);
            wbuf_f64(&b, secs);
        }
        MPI_Request r;
        int rc =
            b.oom ||
            MPI_Isend(b.p, (int)b.len, MPI_BYTE, leader, TAG_DONE, f->comm, &r) != MPI_SUCCESS ||
            wait_req(f, &r, 1);
        wbuf_free(&b);
        return rc ? -1 : 0;
    }
    uint8_t **got = mem_calloc(nt, sizeof *got);
    int *lens = mem_calloc(nt, sizeof *lens);
    int same = 1, rc = 1;
    uint32_t total = nmsg;
    double maxs = secs;
    for (size_t i = 1; i < nt; i++) {
        MPI_Status st;
        int flag = 0, cnt = 0;
        fan_wake(f);
        while (!flag) {
            if (MPI_Iprobe((int)t[i], TAG_DONE, f->comm, &flag, &st) != MPI_SUCCESS) goto fail;
            if (flag) break;
            if (f->gone && atomic_load(f->gone)) goto fail;
            waited(f, 0);
            fan_nap(f, -1);
        }
        MPI_Get_count(&st, MPI_BYTE, &cnt);
        uint8_t *b = mem_alloc(cnt ? (size_t)cnt : 1), scratch[32];
        if (MPI_Recv(b ? (void *)b : (void *)scratch, b ? cnt : 0, MPI_BYTE, (int)t[i], TAG_DONE,
                     f->comm, MPI_STATUS_IGNORE) != MPI_SUCCESS) {
            mem_free(b);
            goto fail;
        }
        rbuf_t r;
        rbuf_init(&r, b, b ? (size_t)cnt : 0);
        uint64_t d = rbuf_u64(&r);
        total += rbuf_u32(&r);
        double s = rbuf_f64(&r);
        if (s > maxs) maxs = s;
        if (r.bad || d != digest) same = 0;
        if (got && lens) {
            got[i] = b;
            lens[i] = r.bad ? 0 : (int)rbuf_left(&r);
        } else {
            mem_free(b);
        }
    }
    all_head(out, total, maxs, same || !got || !lens);
    if (same || !got || !lens) {
        wbuf_str(out, (const char *)done->p, done->len);
    } else {
        wbuf_u32(out, (uint32_t)nt);
        wbuf_str(out, (const char *)done->p, done->len);
        for (size_t i = 1; i < nt; i++)
            wbuf_str(out, got[i] ? (const char *)got[i] + 20 : "", got[i] ? (size_t)lens[i] : 0);
    }
    goto out;
fail:
    rc = -1;
out:
    for (size_t i = 0; got && i < nt; i++)
        mem_free(got[i]);
    mem_free(got);
    mem_free(lens);
    return rc;
}

int fan_in(fan_t *f, const uint32_t *targets, size_t nt, const wbuf_t *done, uint64_t digest,
           uint32_t nmsg, double secs, wbuf_t *out)
{
    f->wait_from = now_s();
    int rc = nt == 0 ? in_all(f, done, digest, nmsg, secs, out)
                     : in_some(f, targets, nt, done, digest, nmsg, secs, out);
    f->waited = NULL;
    return rc;
}
