/* proto.h - the Jupyter message handlers: one table from msg_type to handler, busy/idle
 * around every request, the execute queue (one cell runs on the engines at a time; the
 * others wait in order while control, heartbeat, kernel_info, complete, inspect and
 * is_complete are still answered), and the iopub helpers that turn the pool's callbacks
 * into stream / display_data / execute_result / error messages. Never blocks. */
#ifndef PARC_PROTO_H
#define PARC_PROTO_H

#include "conn.h"
#include "msg.h"
#include "pool.h"

typedef struct proto proto_t;

typedef struct {
    void *shell, *control, *stdin_sock, *iopub; /* borrowed sockets */
    const sign_t *sign;                         /* borrowed */
    pool_t *pool;                               /* borrowed; NULL: engines unavailable */
} proto_cfg_t;

proto_t *proto_new(const proto_cfg_t *cfg); /* caller owns; NULL on failure */
/* Frees queued requests and the running cell's state. Destroy the pool first (it may
 * still report to proto while it stops) and proto after. */
void proto_destroy(proto_t **pp);

/* Handles one decoded message that arrived on channel ch (CONN_SHELL, CONN_CONTROL or
 * CONN_STDIN). Takes *mp (queued or freed) and NULLs it. When decode_err is non-NULL with
 * a code, the message's header was usable but its body was not: answered with an error. */
void proto_handle(proto_t *p, int ch, msg_t **mp, const err_t *decode_err);

void proto_interrupt(proto_t *p);        /* SIGINT or interrupt_request: stop the running cell */
void proto_starting(proto_t *p);         /* publishes status "starting" on iopub */
int proto_should_exit(const proto_t *p); /* 1 once shutdown_request was answered */
void proto_shutting_down(proto_t *p);    /* the kernel is going away: start nothing new */
/* Moves a cell on after the pool reported (call after pool_handle, every loop turn). */
void proto_tick(proto_t *p);
long proto_timeout_ms(const proto_t *p); /* how long the loop may sleep; -1: no limit */

#endif
