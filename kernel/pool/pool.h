/* pool.h - the engine pool, kernel side: starts (or lets a launcher attach) one MPI job of
 * parc-engine ranks, sends them IR, and turns their replies into callbacks.
 *
 * The pool never blocks: its sockets and timers join the kernel's zmq_poll through
 * pool_pollitems/pool_timeout_ms, and pool_handle does whatever is ready. Engines are
 * started with `mpirun -n N parc-engine --attach FILE` in a session of their own (setsid),
 * so the SIGINT that jupyter_client sends the kernel's process group never reaches mpirun;
 * interrupts are forwarded as signed LINK_INTERRUPT messages. One request runs at a time;
 * pool_exec while one runs is a programmer error (proto_ queues requests). */
#ifndef PARC_POOL_H
#define PARC_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#include "err.h"
#include "farm.h"
#include "vartab.h"
#include "wire.h"

typedef struct pool pool_t;

typedef struct {
    const char *key;         /* session key (from the connection file); "" = unsigned */
    const char *engine_path; /* path of parc-engine */
    const char *mpirun;      /* "mpirun" unless overridden (PARC_MPIRUN) */
    const char *mpi_args;    /* extra mpirun arguments, space separated (PARC_MPI_ARGS) */
    const char *bind_host;   /* address the engine link listens on; "127.0.0.1" default */
    const char *attach_file; /* where to write the engines' attach file; NULL: a temp file */
    int nengines;            /* 0: number of cores (or PARC_ENGINES) */
    int launch;              /* 1: start engines with mpirun; 0: wait for a launcher to attach */
    int start_timeout_ms;    /* how long to wait for every HELLO; 30000 default */
} pool_cfg_t;

/* One rank's outcome of a request, in DONE. */
typedef struct {
    int rank;
    err_t err;     /* err.code 0 when this rank succeeded */
    char kind[32]; /* error kind as the engine named it ("ValueError") */
    size_t nframes;
    struct {
        span_t at;
        char fn[64];
    } frames[16]; /* call chain, outermost first (at most 16 kept) */
} pool_rank_done_t;

typedef struct {
    int code;       /* 0, or the worst code of any rank, or PARC_EENGINE ... */
    err_t pool_err; /* errors of the pool itself (engines died, not started) */
    size_t nranks;  /* entries in ranks[] (the targeted engines) */
    const pool_rank_done_t *ranks;
    double seconds;       /* slowest engine's wall time for the cell */
    const char *warnings; /* RuntimeWarning lines of the ranks, each once ("" if none) */
} pool_done_t;

/* What one engine said it was doing (LINK_PROGRESS, kernel/link/link.h). */
typedef struct {
    int state;     /* RT_* of runtime/engine/rt.h: 1 computing, 2 in a reduction, 3 in
                      another collective, 4 sending output, 5 waiting for input() */
    uint32_t cell; /* the statement running: cell and line (line 0: unknown) */
    int32_t line;
    int64_t done, total; /* elements of the running array operation (total 0: none) */
} pool_progress_t;

typedef struct {
    void *ud;
    /* stream 1 stdout, 2 stderr; 3 and 4 the same printed by a pmap item in global view */
    void (*on_stream)(void *ud, int rank, int stream, const char *text, size_t n);
    void (*on_result)(void *ud, int rank, const char *plain, size_t np, const char *html,
                      size_t nh);
    void (*on_input)(void *ud, int rank, const char *prompt, int password);
    /* optional: a FIGURE record (figure.h) from rank */
    void (*on_figure)(void *ud, int rank, const void *rec, size_t n);
    /* optional (NULL: not called): rank's DONE arrived, after all its output; before on_done */
    void (*on_rank_done)(void *ud, int rank);
    /* optional: a farm (pmap) of this request moved on: fail is a failed item, or NULL when
     * only the progress changed (also called every tick while the farm runs, and once with
     * the farm still readable just before on_done) */
    void (*on_farm)(void *ud, const farm_t *f, const farm_fail_t *fail);
    void (*on_done)(void *ud, const pool_done_t *d); /* exactly once per accepted pool_exec */
    /* optional: rank's answer to pool_ask_progress (only while the request runs) */
    void (*on_progress)(void *ud, int rank, const pool_progress_t *pg);
} pool_cb_t;

pool_t *pool_new(void *zmq_ctx, const pool_cfg_t *cfg, err_t *err); /* caller owns */
void pool_destroy(pool_t **pp); /* stops the engines (SHUTDOWN, then signals) and frees */

/* Starts the engines if they are not running or starting. Returns at once. */
int pool_start(pool_t *p, int nengines, err_t *err);
int pool_stop(pool_t *p);           /* SHUTDOWN, wait a little, then kill */
int pool_ready(const pool_t *p);    /* 1 when every rank said HELLO */
int pool_busy(const pool_t *p);     /* 1 while a request runs */
int pool_launches(const pool_t *p); /* 1: the kernel starts engines; 0: attach mode */
int pool_starting(const pool_t *p); /* 1 while the engines start (or attach) and say HELLO */
int pool_size(const pool_t *p);     /* ranks in the job (0 before HELLO) */

/* Runs encoded IR on the engines. mode LINK_GLOBAL (all ranks) or LINK_LOCAL on targets
 * (ntargets ranks; ntargets 0 = all). If the engines are still starting, the request waits
 * for them (or fails through on_done when they cannot start). Returns 0 when accepted (then
 * on_done will be called once), or a PARC_E* code with err set when it cannot even be sent.
 * The IR bytes are copied. */
int pool_exec(pool_t *p, int mode, const int *targets, size_t ntargets, uint32_t exec_count,
              uint32_t flags, const void *ir, size_t n, const pool_cb_t *cb, err_t *err);

void pool_interrupt(pool_t *p); /* the running request, if any */
/* Asks each engine of the running request whose DONE has not arrived what it is doing (on
 * the control sockets, so a busy engine answers at once); answers come to on_progress. */
void pool_ask_progress(pool_t *p);
void pool_input_reply(pool_t *p, const char *text, size_t n); /* answer to on_input */

/* Poll integration: fills up to max items (sockets/fds), returns how many. After zmq_poll
 * the loop calls pool_handle whatever the revents. pool_timeout_ms: how long the loop may
 * sleep before the pool needs a tick (-1 = forever). */
int pool_pollitems(pool_t *p, zmq_pollitem_t *items, int max);
void pool_handle(pool_t *p);
long pool_timeout_ms(const pool_t *p);

const vartab_t *pool_names(const pool_t *p); /* borrowed: the engines' variables */

/* Appends the %engines table (rank, host, pid, memory) as text to *out; 0 or PARC_ENOMEM. */
int pool_describe(const pool_t *p, wbuf_t *out);

/* Fresh engines beside p's (%verify): a pool of nengines ranks started on this machine with
 * p's key, engine and launcher, polled and ticked through p (pool_pollitems, pool_handle,
 * pool_timeout_ms and pool_interrupt cover it), p's own engines and names untouched. One at
 * a time: a second start replaces the first. Borrowed until pool_side_end or
 * pool_destroy(p); NULL with err set when it cannot be started. */
pool_t *pool_side_start(pool_t *p, int nengines, err_t *err);
void pool_side_end(pool_t *p); /* stops and frees the side pool; not from its callbacks */

/* Path of the attach file a cluster launcher passes to parc-engine (--attach FILE). */
const char *pool_attach_file(const pool_t *p);

#endif
