/* loop.c - the kernel's zmq_poll loop (see loop.h); owns the zmq context, the Jupyter
 * sockets, the engine pool and the protocol handlers, and wires them together.
 *
 * Decisions: the heartbeat is echoed in this loop rather than in a zmq_proxy thread, since
 * nothing here blocks (compiling a cell takes milliseconds; engines are waited for through
 * their sockets). Control is read before shell each turn so an interrupt or shutdown never
 * waits behind a burst of shell requests. The signal flags are the only mutable globals:
 * a signal handler has nowhere else to write. The parent-death check compares getppid()
 * with the one at start once a second (the poll timeout is at most a second). */
#include "log.h"
#include "loop.h"
#include "chan.h"
#include "mem.h"
#include "msg.h"
#include "pool.h"
#include "proto.h"
#include "sign.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#ifndef PARC_ENGINE_DEFAULT
#define PARC_ENGINE_DEFAULT "parc-engine"
#endif

#define DRAIN_MAX 64 /* messages read from one socket per turn */
#define POLL_MAX  32

static volatile sig_atomic_t got_sigint, got_sigterm;

static void on_signal(int sig)
{
    if (sig == SIGINT)
        got_sigint = 1;
    else
        got_sigterm = 1;
}

void loop_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

struct loop {
    void *ctx;
    void *sock[CONN_NCHANNELS];
    sign_t *sign;
    pool_t *pool;
    proto_t *proto;
    pid_t ppid;
    char engine[PATH_MAX];
};

static int set_int(void *s, int opt, int v)
{
    return zmq_setsockopt(s, opt, &v, sizeof v);
}

static void *open_sock(loop_t *l, const conn_t *c, int ch, err_t *err)
{
    static const int types[CONN_NCHANNELS] = {ZMQ_ROUTER, ZMQ_ROUTER, ZMQ_ROUTER, ZMQ_PUB, ZMQ_REP};
    char ep[320];
    void *s = zmq_socket(l->ctx, types[ch]);
    if (!s) {
        err_set(err, PARC_EIO, (span_t){0}, "zmq_socket: %s", zmq_strerror(errno));
        return NULL;
    }
    int64_t maxsz = (int64_t)MSG_MAX_BYTES;
    int ok = set_int(s, ZMQ_LINGER, 1000) == 0;
    if (types[ch] == ZMQ_ROUTER) {
        /* a second client of the same KernelManager reuses the first one's identity */
        ok = ok && set_int(s, ZMQ_ROUTER_HANDOVER, 1) == 0;
        ok = ok && zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxsz, sizeof maxsz) == 0;
    }
    /* A subscriber that stops reading loses messages beyond the mark (chan.h). */
    if (types[ch] == ZMQ_PUB) {
        int hwm = atoi(getenv("PARC_IOPUB_HWM") ? getenv("PARC_IOPUB_HWM") : "0");
        ok = ok && set_int(s, ZMQ_SNDHWM, hwm > 0 ? hwm : CHAN_IOPUB_HWM) == 0;
    }
    if (!ok || conn_endpoint(c, ch, ep, sizeof ep) != 0 || zmq_bind(s, ep) != 0) {
        err_set(err, PARC_EIO, (span_t){0}, "cannot bind %s channel: %s", conn_channel_name(ch),
                zmq_strerror(errno));
        zmq_close(s);
        return NULL;
    }
    return s;
}

/* PARC_ENGINE, else parc-engine next to this executable, else the build-time default. */
static void find_engine(char *out, size_t n)
{
    const char *env = getenv("PARC_ENGINE");
    if (env && *env) {
        snprintf(out, n, "%s", env);
        return;
    }
    char self[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
    if (k > 0) {
        self[k] = 0;
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = 0;
            if ((size_t)snprintf(out, n, "%s/parc-engine", self) < n && access(out, X_OK) == 0)
                return;
        }
    }
    snprintf(out, n, "%s", PARC_ENGINE_DEFAULT);
}

static const char *env_or(const char *name, const char *def)
{
    const char *v = getenv(name);
    return (v && *v) ? v : def;
}

static void make_pool(loop_t *l, const conn_t *c)
{
    err_t err;
    err_clear(&err);
    find_engine(l->engine, sizeof l->engine);
    pool_cfg_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.key = c->key;
    cfg.engine_path = l->engine;
    cfg.mpirun = env_or("PARC_MPIRUN", "mpirun");
    cfg.mpi_args = env_or("PARC_MPI_ARGS", NULL);
    cfg.bind_host = env_or("PARC_BIND_HOST", "127.0.0.1");
    cfg.attach_file = env_or("PARC_ATTACH_FILE", NULL);
    cfg.nengines = atoi(env_or("PARC_ENGINES", "0"));
    if (cfg.nengines < 0) cfg.nengines = 0;
    cfg.launch = atoi(env_or("PARC_LAUNCH", "1")) != 0;
    cfg.start_timeout_ms = atoi(env_or("PARC_START_TIMEOUT_MS", "30000"));
    l->pool = pool_new(l->ctx, &cfg, &err);
    if (!l->pool) {
        fprintf(stderr, "parc-kernel: no engine pool: %s\n", err.msg);
        return;
    }
    if (pool_start(l->pool, cfg.nengines, &err) != 0)
        fprintf(stderr, "parc-kernel: cannot start the engines: %s\n", err.msg);
    else
        log_info("parc-kernel: starting engines (%s)", l->engine);
}

loop_t *loop_new(const conn_t *c, err_t *err)
{
    loop_t *l = mem_calloc(1, sizeof *l);
    if (!l) {
        err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        return NULL;
    }
    l->ppid = getppid();
    l->ctx = zmq_ctx_new();
    l->sign = sign_new(c->key, strlen(c->key));
    if (!l->ctx || !l->sign) {
        err_set(err, PARC_EIO, (span_t){0}, "cannot create the zmq context or the signer");
        loop_destroy(&l);
        return NULL;
    }
    for (int ch = 0; ch < CONN_NCHANNELS; ch++) {
        l->sock[ch] = open_sock(l, c, ch, err);
        if (!l->sock[ch]) {
            loop_destroy(&l);
            return NULL;
        }
    }
    make_pool(l, c);
    proto_cfg_t pc = {l->sock[CONN_SHELL],
                      l->sock[CONN_CONTROL],
                      l->sock[CONN_STDIN],
                      l->sock[CONN_IOPUB],
                      l->sign,
                      l->pool};
    l->proto = proto_new(&pc);
    if (!l->proto) {
        err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        loop_destroy(&l);
        return NULL;
    }
    proto_starting(l->proto);
    return l;
}

/* Echoes every waiting heartbeat (REP: one request, one reply). */
static void heartbeat(void *s)
{
    for (int i = 0; i < DRAIN_MAX; i++) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, s, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            return;
        }
        int more = zmq_msg_more(&m);
        if (zmq_msg_send(&m, s, more ? ZMQ_SNDMORE : 0) < 0) zmq_msg_close(&m);
    }
}

static void drain(loop_t *l, int ch)
{
    for (int i = 0; i < DRAIN_MAX && !proto_should_exit(l->proto); i++) {
        msg_t *m = NULL;
        err_t err;
        err_clear(&err);
        int rc = msg_recv(l->sock[ch], l->sign, &m, &err);
        if (rc <= 0 && !m) {
            if (rc == 0 && err.code == 0) return; /* nothing waiting */
            continue;                             /* dropped (logged): read on */
        }
        proto_handle(l->proto, ch, &m, &err);
    }
}

int loop_run(loop_t *l)
{
    static const int order[] = {CONN_CONTROL, CONN_SHELL, CONN_STDIN};
    struct timespec last;
    clock_gettime(CLOCK_MONOTONIC, &last);
    while (!proto_should_exit(l->proto)) {
        zmq_pollitem_t it[POLL_MAX];
        memset(it, 0, sizeof it);
        int n = 0;
        it[n++] = (zmq_pollitem_t){l->sock[CONN_HB], 0, ZMQ_POLLIN, 0};
        for (int i = 0; i < 3; i++)
            it[n++] = (zmq_pollitem_t){l->sock[order[i]], 0, ZMQ_POLLIN, 0};
        if (l->pool) n += pool_pollitems(l->pool, it + n, POLL_MAX - n);
        long timeout = 1000;
        if (l->pool) {
            long pt = pool_timeout_ms(l->pool);
            if (pt >= 0 && pt < timeout) timeout = pt;
        }
        long et = proto_timeout_ms(l->proto);
        if (et >= 0 && et < timeout) timeout = et;
        int rc = zmq_poll(it, n, timeout);
        if (rc < 0 && errno != EINTR) {
            fprintf(stderr, "parc-kernel: zmq_poll: %s\n", zmq_strerror(errno));
            return -1;
        }
        if (rc > 0 && (it[0].revents & ZMQ_POLLIN)) heartbeat(l->sock[CONN_HB]);
        for (int i = 0; i < 3; i++)
            if (rc > 0 && (it[1 + i].revents & ZMQ_POLLIN)) drain(l, order[i]);
        if (l->pool) pool_handle(l->pool);
        proto_tick(l->proto);
        if (got_sigint) {
            got_sigint = 0;
            fprintf(stderr, "parc-kernel: SIGINT: interrupting the running cell\n");
            proto_interrupt(l->proto);
        }
        if (got_sigterm) {
            fprintf(stderr, "parc-kernel: SIGTERM: shutting down\n");
            break;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec != last.tv_sec) {
            last = now;
            if (l->ppid > 1 && getppid() != l->ppid) {
                fprintf(stderr, "parc-kernel: parent process %d is gone: shutting down\n",
                        (int)l->ppid);
                break;
            }
        }
    }
    return 0;
}

void loop_destroy(loop_t **lp)
{
    if (!lp || !*lp) return;
    loop_t *l = *lp;
    if (l->proto) proto_shutting_down(l->proto);
    pool_destroy(&l->pool);
    proto_destroy(&l->proto);
    for (int ch = 0; ch < CONN_NCHANNELS; ch++)
        if (l->sock[ch]) zmq_close(l->sock[ch]);
    if (l->ctx) zmq_ctx_term(l->ctx);
    sign_destroy(&l->sign);
    mem_free(l);
    *lp = NULL;
}
