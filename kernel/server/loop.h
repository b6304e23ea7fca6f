/* loop.h - the kernel's one thread: a zmq_poll loop over the Jupyter sockets (shell, control,
 * stdin, heartbeat; iopub is send-only) and the engine pool's sockets. Handlers never block,
 * so the heartbeat, control and kernel_info are answered while a cell runs on the engines.
 * Stops on shutdown_request, SIGTERM, or when the parent process (the front end) is gone. */
#ifndef PARC_LOOP_H
#define PARC_LOOP_H

#include "conn.h"
#include "err.h"

typedef struct loop loop_t;

/* Binds the five channels of c and creates the engine pool (started at once, in the
 * background). Caller owns; NULL with err set when a socket cannot be bound. A pool that
 * cannot be created is logged, not fatal: cells then fail with an EngineError. */
loop_t *loop_new(const conn_t *c, err_t *err);

/* Runs until the kernel should exit. Returns 0, or -1 on a fatal socket error. */
int loop_run(loop_t *l);

/* Stops the engines, closes the sockets, frees everything. NULL-safe; NULLs *lp. */
void loop_destroy(loop_t **lp);

/* Signal handlers (async-signal-safe): SIGINT interrupts the running cell, SIGTERM stops. */
void loop_install_signals(void);

#endif
