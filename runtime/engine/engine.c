/* engine.c - a parc-engine rank's life: MPI set-up, the two link sockets, the request loop.
 *
 * Every rank has its own link to the kernel, and a cell reaches the ranks one of two ways.
 * Direct (small jobs): the kernel sends EXEC to each targeted "e<rank>" and each answers
 * with its DONE. Broadcast (PARC_BCAST_MIN engines and more, kernel/pool/pool.c): the kernel
 * sends one CELL to rank 0, which passes it on by MPI_Ibcast; the targets combine their
 * outcomes and one DONE_ALL answers (fan.h). Either way every rank sends its own output.
 *
 * Threads: the main thread owns MPI and the work socket. A small control thread owns the
 * "c<rank>" socket; it only sets the atomic interrupt flag (never touches MPI), and it also
 * watches whether the kernel is still there: its pid (same host) and the connection state
 * of its socket (ZMTP heartbeats, socket monitor). When the kernel is gone it raises the
 * interrupt flag and the "gone" flag, and the main loop leaves.
 *
 * Interrupts carry the seq of the request they target. An INTERRUPT may overtake the EXEC it
 * aims at (two sockets), so a cell starts with flag = (last interrupted seq == this seq)
 * rather than with a plain clear; stale interrupts for older requests are ignored. */
#define _DEFAULT_SOURCE
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <mpi.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "arena.h"
#include "attach.h"
#include "eval.h"
#include "fan.h"
#include "ir.h"
#include "link.h"
#include "log.h"
#include "mem.h"
#include "rt.h"
#include "sign.h"
#include "wire.h"

#define GONE_AFTER_MS   60000 /* disconnected this long: the kernel is gone */
#define MAX_FRAMES_SENT 16

struct eng {
    rt_t rt;
    int wrank;            /* rank in MPI_COMM_WORLD: this engine's name to the kernel (rt.rank
                             changes when a pmap goes on without a dead engine, pmap.c) */
    atomic_int intr;      /* rt.interrupt points here */
    atomic_uint cur_seq;  /* seq of the running request */
    atomic_uint intr_seq; /* seq of the last INTERRUPT received */
    atomic_int have_intr; /* 1 once any INTERRUPT arrived (intr_seq valid) */
    atomic_int gone;      /* the kernel went away */
    atomic_int stop;      /* tells the control thread to leave */
    void *zctx;
    void *work; /* DEALER "e<rank>", main thread only */
    sign_t *sign;
    char addr[512];  /* tcp://host:port of the kernel's ROUTER */
    char host[256];  /* this node's name */
    char khost[256]; /* the kernel's node */
    long kpid;       /* the kernel's pid (0 unknown) */
    uint32_t seq;    /* request being answered */
    eval_t *ev;
    pthread_t ctl;
    int ctl_started;
    fan_t fan;     /* cells by broadcast from rank 0, replies by reduction (fan.h) */
    int fan_ok;    /* fan set up */
    int world_n;   /* ranks in the job (rt.nranks shrinks after a death in pmap) */
    uint32_t nmsg; /* messages sent for the running request before its DONE */
    wbuf_t result; /* a RESULT body held for the DONE (eng_result) */
    int held;      /* result holds one */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- start phases ----
 * Under PARC_DEBUG an engine logs, once it has said HELLO, when each step of its start
 * ended (wall ms since the kernel launched mpirun, PARC_LAUNCH_T0) and the CPU ms it spent
 * in it: where the start time of a large pool goes (bench/startup.py, docs/engines.md). */

enum { PH_MAIN, PH_MPI, PH_SETUP, PH_INTERP, PH_HELLO, PH_N };

typedef struct {
    double wall[PH_N], cpu[PH_N];
} phases_t;

static void phase(phases_t *ph, int k)
{
    struct timespec w, c;
    clock_gettime(CLOCK_REALTIME, &w);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c);
    const char *t0 = getenv("PARC_LAUNCH_T0");
    ph->wall[k] = (double)w.tv_sec * 1e3 + (double)w.tv_nsec * 1e-6 - (t0 ? atof(t0) : 0);
    ph->cpu[k] = (double)c.tv_sec * 1e3 + (double)c.tv_nsec * 1e-6;
}

static void phases_log(const phases_t *ph, int rank)
{
    if (!getenv("PARC_LAUNCH_T0")) return;
    log_info("parc-engine %d: start at %.1f ms (cpu %.1f); MPI_Init +%.1f (cpu %.1f), MPI "
             "set-up +%.1f (cpu %.1f), interpreter +%.1f (cpu %.1f), connect and HELLO +%.1f "
             "(cpu %.1f)",
             rank, ph->wall[PH_MAIN], ph->cpu[PH_MAIN], ph->wall[PH_MPI] - ph->wall[PH_MAIN],
             ph->cpu[PH_MPI] - ph->cpu[PH_MAIN], ph->wall[PH_SETUP] - ph->wall[PH_MPI],
             ph->cpu[PH_SETUP] - ph->cpu[PH_MPI], ph->wall[PH_INTERP] - ph->wall[PH_SETUP],
             ph->cpu[PH_INTERP] - ph->cpu[PH_SETUP], ph->wall[PH_HELLO] - ph->wall[PH_INTERP],
             ph->cpu[PH_HELLO] - ph->cpu[PH_INTERP]);
}

/* Reads the attach file (attach.h). 0 or -1 with a message. */
static int read_attach(eng_t *e, const char *path)
{
    attach_t a;
    err_t err;
    err_clear(&err);
    if (attach_read(path, &a, &err) != 0) {
        log_warn("parc-engine: %s (%s)", err.msg, path);
        return -1;
    }
    snprintf(e->addr, sizeof e->addr, "%s", a.address);
    snprintf(e->khost, sizeof e->khost, "%s", a.kernel_host);
    e->kpid = a.kernel_pid;
    e->sign = sign_new(a.key, a.keylen);
    attach_wipe(&a);
    if (!e->sign) {
        log_warn("parc-engine: cannot set up HMAC-SHA256");
        return -1;
    }
    return 0;
}

/* A DEALER connected to the kernel as "<ch><rank>". With mon, also a PAIR socket receiving
 * its connection events (CONNECTED, DISCONNECTED), set up before the connection is made:
 * the monitor drops events while nobody listens, and a CONNECTED missed that way once made
 * a rank believe the kernel gone a minute later and leave mid-cell, the other ranks
 * waiting for it in a collective. */
static void *dealer(eng_t *e, char ch, void **mon)
{
    char id[32], monaddr[64];
    snprintf(id, sizeof id, "%c%d", ch, e->wrank);
    snprintf(monaddr, sizeof monaddr, "inproc://parc-%c-mon-%d", ch, e->wrank);
    void *s = zmq_socket(e->zctx, ZMQ_DEALER);
    if (!s) return NULL;
    int linger = 1000, ivl = 2000, ttl = 10000, sndtimeo = 30000;
    if (zmq_setsockopt(s, ZMQ_ROUTING_ID, id, strlen(id)) || /* identity first */
        zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_setsockopt(s, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl) ||
        zmq_setsockopt(s, ZMQ_HEARTBEAT_TIMEOUT, &ttl, sizeof ttl) ||
        zmq_setsockopt(s, ZMQ_SNDTIMEO, &sndtimeo, sizeof sndtimeo)) {
        zmq_close(s);
        return NULL;
    }
    if (mon) {
        *mon = NULL;
        if (zmq_socket_monitor(s, monaddr, ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED) == 0)
            *mon = zmq_socket(e->zctx, ZMQ_PAIR);
        if (*mon && zmq_connect(*mon, monaddr) != 0) {
            zmq_close(*mon);
            *mon = NULL;
        }
    }
    if (zmq_connect(s, e->addr) != 0) {
        log_warn("parc-engine %d: cannot connect to %s: %s", e->rt.rank, e->addr,
                 zmq_strerror(zmq_errno()));
        if (mon && *mon) {
            zmq_close(*mon);
            *mon = NULL; /* the caller closes what it gets: not this one twice */
        }
        zmq_socket_monitor(s, NULL, 0);
        zmq_close(s);
        return NULL;
    }
    return s;
}

static int hello(eng_t *e, void *s, int channel)
{
    wbuf_t b;
    wbuf_init(&b);
    wbuf_u32(&b, (uint32_t)e->rt.nranks);
    wbuf_u32(&b, (uint32_t)getpid());
    wbuf_cstr(&b, e->host);
    wbuf_u8(&b, (uint8_t)channel);
    link_hdr_t h = {LINK_HELLO, 0, e->wrank};
    int rc = b.oom ? -1 : link_send(s, NULL, 0, e->sign, &h, b.p, b.len);
    wbuf_free(&b);
    return rc;
}

/* --- the control thread ------------------------------------------------------------- */

static int kernel_alive(const eng_t *e)
{
    if (e->kpid <= 0 || strcmp(e->khost, e->host) != 0) return 1;
    return !(kill((pid_t)e->kpid, 0) < 0 && errno == ESRCH);
}

static void set_gone(eng_t *e, const char *why)
{
    if (!atomic_exchange(&e->gone, 1)) {
        log_warn("parc-engine %d: %s; leaving", e->rt.rank, why);
        atomic_store(&e->intr, 1);
    }
}

/* Answers the kernel's PROGRESS for the request running now (a question about an older
 * one is not answered). Reads the main thread's progress word; never touches MPI. */
static void progress_reply(eng_t *e, void *s, uint32_t seq)
{
    const rt_progress_t *pg = e->rt.pg;
    if (!pg || atomic_load(&e->cur_seq) != seq) return;
    wbuf_t b;
    wbuf_init(&b);
    wbuf_u8(&b, (uint8_t)atomic_load_explicit(&pg->state, memory_order_relaxed));
    wbuf_u32(&b, atomic_load_explicit(&pg->cell, memory_order_relaxed));
    wbuf_u32(&b, (uint32_t)atomic_load_explicit(&pg->line, memory_order_relaxed));
    wbuf_u64(&b, (uint64_t)atomic_load_explicit(&pg->done, memory_order_relaxed));
    wbuf_u64(&b, (uint64_t)atomic_load_explicit(&pg->total, memory_order_relaxed));
    link_hdr_t h = {LINK_PROGRESS, seq, e->wrank};
    if (!b.oom) link_send(s, NULL, 0, e->sign, &h, b.p, b.len);
    wbuf_free(&b);
}

static void ctl_message(eng_t *e, void *s)
{
    link_msg_t m;
    while (link_recv(s, 0, e->sign, 1, &m) == 1) {
        if (m.h.type == LINK_PROGRESS) {
            progress_reply(e, s, m.h.seq);
        } else if (m.h.type == LINK_INTERRUPT) {
            atomic_store(&e->intr_seq, m.h.seq);
            atomic_store(&e->have_intr, 1);
            if (atomic_load(&e->cur_seq) == m.h.seq) atomic_store(&e->intr, 1);
        } else {
            log_warn("parc-engine %d: unexpected message type %d on control", e->rt.rank, m.h.type);
        }
        link_msg_close(&m);
    }
}

/* Socket monitor events: u16 event, u32 value, then a frame with the address. */
static void mon_event(void *mon, int *connected, double *since)
{
    zmq_msg_t a, b;
    zmq_msg_init(&a);
    zmq_msg_init(&b);
    if (zmq_msg_recv(&a, mon, ZMQ_DONTWAIT) >= 0) {
        if (zmq_msg_more(&a)) zmq_msg_recv(&b, mon, 0);
        if (zmq_msg_size(&a) >= 2) {
            const uint8_t *d = zmq_msg_data(&a);
            uint16_t ev = (uint16_t)(d[0] | d[1] << 8);
            if (ev == ZMQ_EVENT_CONNECTED) {
                *connected = 1;
            } else if (ev == ZMQ_EVENT_DISCONNECTED) {
                *connected = 0;
                *since = now_s();
            }
        }
    }
    zmq_msg_close(&a);
    zmq_msg_close(&b);
}

static void *ctl_main(void *arg)
{
    eng_t *e = arg;
    void *mon = NULL;
    void *s = dealer(e, 'c', &mon);
    if (!s || hello(e, s, 1) != 0) {
        set_gone(e, "the control channel failed");
        goto out;
    }
    int connected = 0;
    double since = now_s(), last_check = 0;
    while (!atomic_load(&e->stop)) {
        zmq_pollitem_t it[2] = {{s, 0, ZMQ_POLLIN, 0}, {mon, 0, ZMQ_POLLIN, 0}};
        int rc = zmq_poll(it, mon ? 2 : 1, 250);
        if (rc < 0 && zmq_errno() != EINTR) {
            set_gone(e, "polling the control channel failed");
            break;
        }
        if (rc > 0 && (it[0].revents & ZMQ_POLLIN)) ctl_message(e, s);
        if (rc > 0 && mon && (it[1].revents & ZMQ_POLLIN)) mon_event(mon, &connected, &since);
        double t = now_s();
        if (t - last_check >= 1.0) {
            last_check = t;
            if (!kernel_alive(e))
                set_gone(e, "the kernel process is gone");
            else if (mon && !connected && (t - since) * 1000 > GONE_AFTER_MS)
                set_gone(e, "no connection to the kernel for a minute");
        }
    }
out:
    if (s) {
        int zero = 0;
        zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
        zmq_socket_monitor(s, NULL, 0);
        zmq_close(s);
    }
    if (mon) zmq_close(mon);
    return NULL;
}

/* --- replies ------------------------------------------------------------------------- */

static int send_now(eng_t *e, int type, const void *body, size_t n)
{
    link_hdr_t h = {(uint8_t)type, e->seq, e->wrank};
    if (link_send(e->work, NULL, 0, e->sign, &h, body, n) != 0) {
        log_warn("parc-engine %d: send failed: %s", e->rt.rank, zmq_strerror(zmq_errno()));
        return -1;
    }
    if (link_counted(type)) e->nmsg++;
    return 0;
}

/* The held result as a RESULT of its own, so that it stays before what comes next. */
static void send_held(eng_t *e)
{
    if (!e->held) return;
    e->held = 0;
    send_now(e, LINK_RESULT, e->result.p, e->result.len);
    e->result.len = 0;
}

int eng_send(eng_t *e, int type, const void *body, size_t n)
{
    if (type != LINK_DONE && type != LINK_DONE_ALL) send_held(e);
    return send_now(e, type, body, n);
}

void eng_result(eng_t *e, const void *body, size_t n)
{
    send_held(e);
    e->result.len = 0;
    e->result.oom = 0;
    wbuf_bytes(&e->result, body, n);
    if (e->result.oom)
        log_warn("parc-engine %d: out of memory holding a result", e->rt.rank);
    else
        e->held = 1;
}

/* The DONE body (link.h) into b; *digest hashes what must agree between ranks for one
 * reply to stand for all: everything but the seconds, and the names only in local view
 * (in global view rank 0 alone sends them). */
static void build_done(eng_t *e, const err_t *err, const eval_frame_t *fr, size_t nfr,
                       int with_names, double secs, wbuf_t *b, uint64_t *digest)
{
    wbuf_t nb;
    wbuf_init(&nb);
    uint32_t nnames = with_names && e->ev ? eval_names(e->ev, &nb) : 0;
    if (nb.oom) nnames = 0;
    wbuf_i32(b, err->code);
    wbuf_u32(b, err->at.cell);
    wbuf_i32(b, err->at.line);
    wbuf_i32(b, err->at.col);
    wbuf_i32(b, err->at.len);
    wbuf_cstr(b, err->code ? err_kind(err->code) : "");
    wbuf_cstr(b, err->code ? err->msg : "");
    wbuf_u32(b, (uint32_t)nfr);
    for (size_t i = 0; i < nfr; i++) {
        wbuf_u32(b, fr[i].at.cell);
        wbuf_i32(b, fr[i].at.line);
        wbuf_i32(b, fr[i].at.col);
        wbuf_i32(b, fr[i].at.len);
        wbuf_cstr(b, fr[i].fn);
    }
    size_t names_at = b->len;
    wbuf_u32(b, nnames);
    if (nnames) wbuf_bytes(b, nb.p, nb.len);
    size_t secs_at = b->len;
    wbuf_f64(b, secs);
    wbuf_u32(b, (uint32_t)e->rt.nwarn);
    for (int i = 0; i < e->rt.nwarn; i++)
        wbuf_cstr(b, e->rt.warn[i]);
    size_t result_at = b->len;
    if (e->held) wbuf_bytes(b, e->result.p, e->result.len);
    e->held = 0;
    e->result.len = 0;
    if (b->oom) {
        /* Still answer, or the kernel waits forever for this rank. */
        wbuf_free(b);
        wbuf_i32(b, PARC_ENOMEM);
        for (int i = 0; i < 4; i++)
            wbuf_u32(b, 0);
        wbuf_cstr(b, err_kind(PARC_ENOMEM));
        wbuf_cstr(b, "out of memory while reporting the result");
        wbuf_u32(b, 0);
        names_at = b->len;
        wbuf_u32(b, 0);
        secs_at = b->len;
        wbuf_f64(b, secs);
        wbuf_u32(b, 0);
        result_at = b->len;
    }
    uint64_t h = FAN_H0;
    if (!b->oom) {
        /* in global view rank 0 alone speaks for the names and the shown value */
        h = fan_hash(h, b->p, e->rt.local ? secs_at : names_at);
        h = fan_hash(h, b->p + secs_at + 8, (e->rt.local ? b->len : result_at) - secs_at - 8);
    }
    *digest = h;
    wbuf_free(&nb);
}

static void send_done(eng_t *e, const err_t *err, const eval_frame_t *fr, size_t nfr,
                      int with_names, double secs)
{
    wbuf_t b;
    uint64_t digest;
    wbuf_init(&b);
    build_done(e, err, fr, nfr, with_names, secs, &b, &digest);
    if (!b.oom) eng_send(e, LINK_DONE, b.p, b.len);
    wbuf_free(&b);
}

/* In local view a rank that finished before the others says so, after the output it sent
 * on the same socket, so that the kernel can stream the next engine's output live. */
static void say_finished(void *ud)
{
    eng_t *e = ud;
    eng_send(e, LINK_FINISHED, NULL, 0);
}

/* A cell's outcome that came by broadcast: combined with the other targets' (fan_in), and
 * the leader answers for all. After a death in pmap (rt.nranks < world_n) the reduction
 * would wait for the dead: every survivor answers for itself, as on the direct path. */
static void fan_done(eng_t *e, const uint32_t *t, size_t nt, const err_t *err,
                     const eval_frame_t *fr, size_t nfr, int with_names, double secs)
{
    if (e->rt.nranks < e->world_n) {
        send_done(e, err, fr, nfr, with_names, secs);
        return;
    }
    wbuf_t b, out;
    uint64_t digest;
    wbuf_init(&b);
    wbuf_init(&out);
    build_done(e, err, fr, nfr, with_names, secs, &b, &digest);
    /* the kernel's status line calls a rank waiting here "finishing" */
    if (e->rt.pg) atomic_store(&e->rt.pg->state, RT_IDLE);
    e->fan.waited = e->rt.local ? say_finished : NULL;
    e->fan.waited_ud = e;
    int rc = t || nt == 0 ? fan_in(&e->fan, t, nt, &b, digest, e->nmsg, secs, &out) : 1;
    if (rc == 1 && !t && nt) { /* a malformed CELL: rank 0 answers alone */
        wbuf_u32(&out, 0);
        wbuf_f64(&out, 0);
        wbuf_u8(&out, 1);
        wbuf_str(&out, (const char *)b.p, b.len);
    }
    if (rc < 0)
        log_warn("parc-engine %d: combining the replies failed", e->wrank);
    else if (rc == 1 && !out.oom)
        eng_send(e, LINK_DONE_ALL, out.p, out.len);
    wbuf_free(&b);
    wbuf_free(&out);
}

/* Runs one EXEC (direct: this rank answers for itself) or CELL (fan: the body ends with the
 * targets; a rank not among them does nothing). */
static void run_exec(eng_t *e, uint32_t seq, const uint8_t *body, size_t n, int fan)
{
    err_t err;
    err_clear(&err);
    err.rank = e->wrank;
    rbuf_t r;
    rbuf_init(&r, body, n);
    uint8_t mode = rbuf_u8(&r);
    uint32_t cell = rbuf_u32(&r), flags = rbuf_u32(&r);
    size_t irn = 0;
    const char *ir = rbuf_str(&r, &irn);
    uint32_t nt = fan ? rbuf_u32(&r) : 0, *t = NULL;
    int mine = nt == 0;
    if (nt && nt <= (uint32_t)e->world_n && rbuf_left(&r) == (size_t)nt * 4 &&
        (t = mem_calloc(nt, sizeof *t))) {
        for (uint32_t i = 0; i < nt; i++) {
            t[i] = rbuf_u32(&r);
            if (t[i] >= (uint32_t)e->world_n || (i && t[i] <= t[i - 1])) r.bad = 1;
            mine |= t[i] == (uint32_t)e->wrank;
        }
    } else if (nt) {
        r.bad = 1;
    }
    eval_frame_t frames[MAX_FRAMES_SENT];
    size_t nframes = 0;
    double t0 = now_s();
    e->seq = seq;
    e->nmsg = 0;
    e->held = 0;
    if (r.bad || rbuf_left(&r) || mode > LINK_LOCAL) {
        /* every rank got the same bytes: all refuse them, the leader answers */
        err_set(&err, PARC_EPROTO, (span_t){0}, "malformed EXEC message");
        if (!fan)
            send_done(e, &err, NULL, 0, 0, 0);
        else if (e->wrank == 0)
            fan_done(e, NULL, 1, &err, NULL, 0, 0, 0);
        mem_free(t);
        return;
    }
    if (!mine) return;
    e->rt.local = mode == LINK_LOCAL;
    e->rt.cell = cell;
    e->rt.nwarn = 0;
    if (e->rt.pg) {
        atomic_store(&e->rt.pg->cell, cell);
        atomic_store(&e->rt.pg->line, 0);
        rt_step(&e->rt, 0, 0);
        atomic_store(&e->rt.pg->op, 0);
        atomic_store(&e->rt.pg->state, RT_COMPUTING);
    }
    atomic_store(&e->cur_seq, seq);
    atomic_store(&e->intr, 0);
    if (atomic_load(&e->have_intr) && atomic_load(&e->intr_seq) == seq) atomic_store(&e->intr, 1);
    if (atomic_load(&e->gone)) atomic_store(&e->intr, 1);

    arena_t *a = arena_new();
    ir_node_t *root = NULL;
    if (!a)
        err_set(&err, PARC_ENOMEM, (span_t){0}, "out of memory for the cell");
    else if (ir_decode(a, ir, irn, &root, &err) == 0) {
        nframes = MAX_FRAMES_SENT;
        if (eval_cell(e->ev, &a, root, (flags & LINK_F_SILENT) != 0, &err, frames, &nframes) == 0)
            nframes = 0;
    }
    if (nframes > MAX_FRAMES_SENT) nframes = MAX_FRAMES_SENT;
    arena_destroy(&a);
    double secs = now_s() - t0;
    int with_names = e->rt.local || e->wrank == 0;
    if (fan) fan_done(e, t, nt, &err, frames, err.code ? nframes : 0, with_names, secs);
    if (e->rt.pg) atomic_store(&e->rt.pg->state, RT_IDLE);
    if (!fan) send_done(e, &err, frames, err.code ? nframes : 0, with_names, secs);
    atomic_store(&e->cur_seq, 0);
    mem_free(t);
}

/* --- set-up and the loop -------------------------------------------------------------- */

static uint64_t random_seed(void)
{
    uint64_t s = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &s, sizeof s) != (ssize_t)sizeof s) s = 0;
        close(fd);
    }
    if (!s) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        s = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)ts.tv_sec ^
            (uint64_t)getpid() << 32;
    }
    return s;
}

/* One message from the kernel while idle. 1: leave (SHUTDOWN). */
static int on_kernel(eng_t *e, const link_msg_t *m)
{
    int type = m->h.type, fan = e->world_n > 1;
    e->seq = m->h.seq;
    if (type == LINK_EXEC) {
        run_exec(e, m->h.seq, m->body, m->n, 0);
    } else if (type == LINK_CELL && e->wrank == 0) {
        if (fan && fan_send(&e->fan, FAN_CELL, m->h.seq, m->body, m->n) != 0) {
            log_warn("parc-engine 0: cannot pass the cell on to the other ranks");
            return 1;
        }
        run_exec(e, m->h.seq, m->body, m->n, 1);
    } else if (type == LINK_NAMES) {
        err_t ok;
        err_clear(&ok);
        send_done(e, &ok, NULL, 0, 1, 0);
    } else if (type != LINK_SHUTDOWN && type != LINK_INPUT_REP) {
        log_warn("parc-engine %d: unexpected message type %d", e->rt.rank, type);
    }
    return type == LINK_SHUTDOWN;
}

/* The idle loop. Rank 0 waits on its work socket (cells come to it first); the other
 * ranks test the posted header broadcast and read their work socket between naps (fan.h);
 * a message on the work socket ends a nap early, so a cell the kernel sends a rank itself
 * (the direct path of a small pool, link.h) waits for no timer.
 * Leaving: rank 0 broadcasts FAN_SHUTDOWN so that no rank is left with the broadcast
 * pending; another rank told to leave (or finding the kernel gone) waits up to 2 s for it. */
static void serve(eng_t *e)
{
    int root = e->wrank == 0, fan = e->world_n > 1, wfd = -1;
    size_t wfd_len = sizeof wfd;
    if (zmq_getsockopt(e->work, ZMQ_FD, &wfd, &wfd_len) != 0) wfd = -1;
    double leave_at = 0;
    for (;;) {
        if (!root && fan) {
            int kind = 0;
            uint32_t seq = 0;
            uint8_t *body = NULL;
            size_t n = 0;
            int rc = fan_poll(&e->fan, &kind, &seq, &body, &n);
            if (rc < 0) {
                log_warn("parc-engine %d: the broadcast from rank 0 failed", e->wrank);
                return;
            }
            if (rc == 1) {
                if (kind == FAN_CELL) e->fan.direct = 0;
                if (kind == FAN_CELL && !leave_at) run_exec(e, seq, body, n, 1);
                mem_free(body);
                if (kind == FAN_SHUTDOWN) return;
                fan_wake(&e->fan);
                continue;
            }
        }
        if (atomic_load(&e->gone)) {
            if (root || !fan) break;
            if (!leave_at) leave_at = now_s() + 2;
        }
        if (leave_at && now_s() > leave_at) return;
        zmq_pollitem_t it = {e->work, 0, ZMQ_POLLIN, 0};
        int rc = zmq_poll(&it, 1, root || !fan ? 500 : 0);
        if (rc < 0) {
            if (zmq_errno() == EINTR) continue;
            log_warn("parc-engine %d: poll failed: %s", e->rt.rank, zmq_strerror(zmq_errno()));
            break;
        }
        link_msg_t m;
        int any = 0, leave = 0;
        while (!leave && rc > 0 && (rc = link_recv(e->work, 0, e->sign, 1, &m)) == 1) {
            any = 1;
            leave = on_kernel(e, &m);
            link_msg_close(&m);
        }
        if (rc < 0) {
            log_warn("parc-engine %d: receive failed: %s", e->rt.rank, zmq_strerror(zmq_errno()));
            break;
        }
        if (leave && (root || !fan)) break;
        if (leave && !leave_at) leave_at = now_s() + 2;
        if (any) {
            e->fan.direct = 1;
            fan_wake(&e->fan);
        } else if (!root && fan) {
            fan_nap(&e->fan, wfd);
        }
    }
    if (root && fan && fan_send(&e->fan, FAN_SHUTDOWN, 0, NULL, 0) != 0)
        log_warn("parc-engine 0: cannot tell the other ranks to leave");
}

/* Waits on the work socket for the kernel's message of type `type` answering the running
 * request; others are logged and dropped. interruptible: give up on an interrupt (input()
 * does; a farm's kernel always answers at once). 0 with *m filled (caller closes it), or
 * an error naming `what`. */
static int await_reply(eng_t *e, int type, int interruptible, const char *what, link_msg_t *m,
                       err_t *err)
{
    for (;;) {
        int rc = interruptible ? rt_check(&e->rt, err) : 0;
        if (rc) return rc;
        if (atomic_load(&e->gone))
            return err_set(err, interruptible ? PARC_EINTR : PARC_EIO, (span_t){0},
                           "%s: the kernel is gone", what);
        zmq_pollitem_t it = {e->work, 0, ZMQ_POLLIN, 0};
        rc = zmq_poll(&it, 1, 100);
        if (rc < 0 && zmq_errno() != EINTR)
            return err_set(err, PARC_EIO, (span_t){0}, "%s: the link failed", what);
        if (rc <= 0) continue;
        while ((rc = link_recv(e->work, 0, e->sign, 1, m)) == 1) {
            if (m->h.type == type && m->h.seq == e->seq) return 0;
            log_warn("parc-engine %d: message type %d ignored while waiting in %s", e->rt.rank,
                     m->h.type, what);
            link_msg_close(m);
        }
        if (rc < 0) return err_set(err, PARC_EIO, (span_t){0}, "%s: the link failed", what);
    }
}

int eng_input(eng_t *e, char **line, size_t *n, err_t *err)
{
    *line = NULL;
    *n = 0;
    link_msg_t m;
    int res = await_reply(e, LINK_INPUT_REP, 1, "input()", &m, err);
    if (res) return res;
    if (m.n == 1 && m.body[0] == 0) {
        res = err_set(err, PARC_EIO, (span_t){0}, "input() needs a front end that allows stdin");
    } else {
        rbuf_t r;
        rbuf_init(&r, m.body, m.n);
        size_t len = 0;
        const char *s = rbuf_str(&r, &len);
        if (r.bad || rbuf_left(&r))
            res = err_set(err, PARC_EIO, (span_t){0}, "input(): malformed reply");
        else if (!(*line = mem_strndup(s, len)))
            res = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory for input()");
        else
            *n = len;
    }
    link_msg_close(&m);
    return res;
}

int eng_farm(eng_t *e, const void *body, size_t n, uint32_t reply[3], uint8_t *dead, int nranks,
             err_t *err)
{
    if (eng_send(e, LINK_FARM, body, n) != 0)
        return err_set(err, PARC_EIO, (span_t){0}, "pmap: cannot reach the kernel");
    link_msg_t m;
    int rc = await_reply(e, LINK_FARM_GO, 0, "pmap", &m, err);
    if (rc) return rc;
    rbuf_t r;
    rbuf_init(&r, m.body, m.n);
    for (int i = 0; i < 3; i++)
        reply[i] = rbuf_u32(&r);
    uint32_t ndead = rbuf_left(&r) ? rbuf_u32(&r) : 0;
    for (uint32_t i = 0; i < ndead && !r.bad; i++) {
        uint32_t d = rbuf_u32(&r);
        if (d >= (uint32_t)nranks) r.bad = 1;
        if (!r.bad && dead) dead[d] = 1;
    }
    int bad = r.bad || rbuf_left(&r);
    link_msg_close(&m);
    return bad ? err_set(err, PARC_EPROTO, (span_t){0}, "pmap: malformed reply") : 0;
}

static void teardown(eng_t *e, int graceful)
{
    if (e->ctl_started) {
        atomic_store(&e->stop, 1);
        pthread_join(e->ctl, NULL);
        e->ctl_started = 0;
    }
    if (e->work) {
        int linger = graceful ? 1000 : 0;
        zmq_setsockopt(e->work, ZMQ_LINGER, &linger, sizeof linger);
        zmq_close(e->work);
        e->work = NULL;
    }
    if (e->zctx) {
        zmq_ctx_term(e->zctx);
        e->zctx = NULL;
    }
    eval_destroy(&e->ev);
    sign_destroy(&e->sign);
}

int eng_main(const char *attach_file)
{
    int provided = 0;
    phases_t ph;
    phase(&ph, PH_MAIN);
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        log_warn("parc-engine: MPI_Init_thread failed");
        return 1;
    }
    eng_t *e = mem_calloc(1, sizeof *e);
    int status = 1;
    if (!e) {
        log_warn("parc-engine: out of memory");
        goto fin;
    }
    /* A kernel gone mid-send must not kill the rank with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    if (gethostname(e->host, sizeof e->host - 1) != 0) snprintf(e->host, sizeof e->host, "?");
    phase(&ph, PH_MPI);
    if (rt_init(&e->rt, random_seed(), &e->intr) != 0) {
        log_warn("parc-engine: MPI set-up failed");
        goto fin;
    }
    e->rt.eng = e;
    e->wrank = e->rt.rank;
    e->world_n = e->rt.nranks;
    if (fan_init(&e->fan, &e->gone) != 0) {
        log_warn("parc-engine: MPI set-up failed");
        goto fin;
    }
    e->fan_ok = 1;
    if (read_attach(e, attach_file) != 0) goto fin;
    phase(&ph, PH_SETUP);
    e->ev = eval_new(&e->rt);
    e->zctx = zmq_ctx_new();
    if (!e->ev || !e->zctx) {
        log_warn("parc-engine %d: cannot create the interpreter or zmq context", e->rt.rank);
        goto fin;
    }
    phase(&ph, PH_INTERP);
    e->work = dealer(e, 'e', NULL);
    if (!e->work || hello(e, e->work, 0) != 0) goto fin;
    phase(&ph, PH_HELLO);
    phases_log(&ph, e->rt.rank);
    if (pthread_create(&e->ctl, NULL, ctl_main, e) != 0) {
        log_warn("parc-engine %d: cannot start the control thread", e->rt.rank);
        goto fin;
    }
    e->ctl_started = 1;
    serve(e);
    status = 0;
fin:;
    int finalize = 1;
    if (e) {
        teardown(e, !atomic_load(&e->gone));
        /* a broadcast still pending (rank 0 gone first) would make MPI_Finalize wait */
        if (e->fan_ok && fan_pending(&e->fan)) finalize = 0;
        if (e->fan_ok) fan_fini(&e->fan);
        rt_fini(&e->rt);
        wbuf_free(&e->result);
        mem_free(e);
    }
    if (finalize) MPI_Finalize();
    return status;
}
