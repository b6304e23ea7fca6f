/* chan.h - the kernel's outgoing side of the Jupyter protocol: replies on shell, control
 * and stdin, and messages published on iopub (status, stream, ...), all signed through one
 * session. Used by proto_ (the handlers) and exec_ (the execute queue); never blocks.
 *
 * Stream text is coalesced: consecutive chan_stream calls for the same parent and stream
 * name become one iopub message, sent when anything else is sent, when CHAN_STREAM_MAX
 * bytes are pending, or by chan_tick (once per loop turn) when CHAN_STREAM_MS have passed
 * since the last stream message (a first line after a pause goes out at once). So a flood
 * of small engine writes costs a few dozen messages a second, which a front end keeps up
 * with, and iopub's send high-water mark (a subscriber that stops reading loses messages,
 * not the kernel's memory) bounds what is queued for a stalled subscriber at about
 * HWM * CHAN_STREAM_MAX bytes.
 *
 * A request's opening messages (busy, execute_input) may be held back by chan_hold until
 * the cell has gone to the engines: they are sent by the next chan_flush, which every send
 * calls first, so iopub's order is the order of the calls. */
#ifndef PARC_CHAN_H
#define PARC_CHAN_H

#include <stddef.h>

#include "msg.h"
#include "sign.h"
#include "wire.h"

#define CHAN_IOPUB_HWM  1000        /* iopub ZMQ_SNDHWM: ZeroMQ's (and ipykernel's) default */
#define CHAN_STREAM_MAX (64u << 10) /* pending stream bytes that force a send */
#define CHAN_STREAM_MS  20          /* least time between two stream messages, otherwise */
#define CHAN_HELD       2           /* messages chan_hold keeps */

typedef struct {
    void *shell, *control, *stdin_sock, *iopub; /* borrowed sockets */
    msg_session_t ss;                           /* signs and counts what we send */
    wbuf_t pend;                                /* stream text not sent yet */
    const msg_t *pend_parent;                   /* borrowed: its parent (valid until sent) */
    const char *pend_name;                      /* "stdout" or "stderr" (static strings) */
    long long last_stream_ms;                   /* when the last stream message went out */
    struct {
        const msg_t *parent; /* borrowed until sent */
        const char *type;    /* static string */
        json_t *content;     /* owned */
    } held[CHAN_HELD];       /* chan_hold's messages, in order */
    int nheld;
} chan_t;

/* Sets up c with the borrowed sockets and signer. */
void chan_init(chan_t *c, void *shell, void *control, void *stdin_sock, void *iopub,
               const sign_t *sign);
void chan_fini(chan_t *c); /* sends pending stream text, frees it */
/* Sends the held messages, then the pending stream text, now. Must be called before the
 * parent message of a chan_stream or chan_hold call is freed (chan_reply and chan_publish
 * call it first). */
void chan_flush(chan_t *c);
long long chan_now_ms(void);       /* CLOCK_MONOTONIC in ms: the clock of the timers above */
void chan_tick(chan_t *c);         /* sends pending stream text when CHAN_STREAM_MS passed */
long chan_due_ms(const chan_t *c); /* ms until chan_tick has work (0 now), -1: nothing held */

/* Sends type with content (consumed; NULL = {}) as a reply to m on channel ch
 * (CONN_SHELL, CONN_CONTROL or CONN_STDIN). */
void chan_reply(chan_t *c, int ch, const msg_t *m, const char *type, json_t *content);
/* Publishes type with content (consumed; NULL: logged and dropped) on iopub, parent m. */
void chan_publish(chan_t *c, const msg_t *m, const char *type, json_t *content);
void chan_status(chan_t *c, const msg_t *m, const char *state); /* "busy", "idle" ... */
/* chan_publish, but sent by the next chan_flush (before anything sent after this call):
 * a request's busy and execute_input wait while the kernel hands the cell to the engines.
 * type is a static string; chan_due_ms is 0 while a message is held. */
void chan_hold(chan_t *c, const msg_t *m, const char *type, json_t *content);
/* Queues stream text (name "stdout" or "stderr"; m borrowed until the next flush); bytes
 * that are not valid UTF-8 are shown as '?'. */
void chan_stream(chan_t *c, const msg_t *m, const char *name, const char *text, size_t n);

/* {"status": "error", ename, evalue, "traceback": []}: caller owns (NULL when out of memory). */
json_t *chan_error_content(const char *ename, const char *evalue);
/* The boolean o[k] of a request's content, or def when absent or not a boolean. */
int chan_bool(json_t *o, const char *k, int def);

#endif
