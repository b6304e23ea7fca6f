/* exec.h - the execute queue and the cell that is running: execute_requests wait in order,
 * one cell runs on the engines at a time, and its segments' output (streams, per-engine
 * results, merged engine errors, %time reports) becomes iopub messages, then the
 * execute_reply. proto_ owns it and feeds it; the loop moves it on through exec_tick.
 * Never blocks. */
#ifndef PARC_EXEC_H
#define PARC_EXEC_H

#include <stddef.h>

#include "chan.h"
#include "err.h"
#include "hist.h"
#include "magic.h"
#include "msg.h"
#include "pool.h"
#include "wire.h"

typedef struct exec exec_t;

/* chan, pool (NULL: engines unavailable) and hist are borrowed and must outlive it.
 * Caller owns; NULL when out of memory. */
exec_t *exec_new(chan_t *chan, pool_t *pool, hist_t *hist);
void exec_destroy(exec_t **pp); /* frees queued requests and the running cell; NULL-safe */

/* Queues the execute_request *mp that arrived on channel ch (takes it, NULLs *mp) and
 * starts it when nothing runs; refused with an error reply when closing or the queue is full. */
void exec_submit(exec_t *p, int ch, msg_t **mp);
/* Shell requests are answered in the order they arrived (a kernel_info_request sent after an
 * execute_request on the same socket gets its reply after the execute_reply). proto_ asks
 * exec_pending_from whether an execute from m's client is queued or running; if so it queues
 * m with exec_defer (takes *mp), and exec_ hands it to the other-handler in its turn. */
typedef void (*exec_other_fn)(void *ud, int ch, msg_t **mp);
void exec_set_other(exec_t *p, exec_other_fn fn, void *ud);
int exec_pending_from(const exec_t *p, const msg_t *m);
void exec_defer(exec_t *p, int ch, msg_t **mp);
void exec_input_reply(exec_t *p, const msg_t *m); /* an input_reply (borrowed) on stdin */
void exec_close(exec_t *p);                       /* the kernel is going away: start nothing new */
/* Moves a cell on after the pool reported (call after pool_handle, every loop turn). */
void exec_tick(exec_t *p);
/* How long the loop may sleep before exec_tick has work (-1: until a socket wakes it). */
long exec_timeout_ms(const exec_t *p);

/* For the kernel-side magics (kmagic_), while one of them runs as a segment of a cell: */
pool_t *exec_pool(exec_t *p);                            /* borrowed; NULL: no engine pool */
void exec_stdout(exec_t *p, const char *text, size_t n); /* a stream on the cell's stdout */
void exec_out_text(exec_t *p, wbuf_t *t);                /* shows t on stdout, then frees it */
void exec_usage_error(exec_t *p, const char *msg);       /* shows "UsageError: msg"; cell fails */
void exec_show_err(exec_t *p, err_t err);                /* shows err as the cell's error */
hist_t *exec_hist(exec_t *p);                            /* borrowed: the cells run so far */
/* Shows plain text as the cell's execute_result (Out[N]), as IPython shows %pwd. */
void exec_result(exec_t *p, const char *plain, size_t n);
/* Adds a payload (consumed) to the cell's execute_reply: {"source": "ask_exit", ...}. */
void exec_payload(exec_t *p, json_t *payload);
/* Compiles segment g and starts it on the engines. local: %px view; time_kind: 0, 1 (%time)
 * or 2 (%timeit). g must live until the cell ends. */
void exec_run_code(exec_t *p, const magic_seg_t *g, int local, int time_kind);
/* %pxresult: shows the last %px --noblock cell's output, results and errors (it has ended:
 * a %pxresult segment waits for it), for the engines in the --targets spec (NULL: all). */
void exec_pxresult(exec_t *p, const char *spec);
/* %verify: g->args the engine counts ("1,2,3"), g->src the statement; runs it on fresh
 * pools (verify_) while the cell waits, then shows the report. */
void exec_verify(exec_t *p, const magic_seg_t *g);

#endif
