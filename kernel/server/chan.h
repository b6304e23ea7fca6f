/* chan.h - the kernel's outgoing side of the Jupyter protocol: replies on shell, control
 * and stdin, and messages published on iopub (status, stream, ...), all signed through one
 * session. Used by proto_ (the handlers) and exec_ (the execute queue); never blocks. */
#ifndef PARC_CHAN_H
#define PARC_CHAN_H

#include <stddef.h>

#include "msg.h"
#include "sign.h"

typedef struct {
    void *shell, *control, *stdin_sock, *iopub; /* borrowed sockets */
    msg_session_t ss;                           /* signs and counts what we send */
} chan_t;

/* Sets up c with the borrowed sockets and signer. */
void chan_init(chan_t *c, void *shell, void *control, void *stdin_sock, void *iopub,
               const sign_t *sign);

/* Sends type with content (consumed; NULL = {}) as a reply to m on channel ch
 * (CONN_SHELL, CONN_CONTROL or CONN_STDIN). */
void chan_reply(chan_t *c, int ch, const msg_t *m, const char *type, json_t *content);
/* Publishes type with content (consumed; NULL: logged and dropped) on iopub, parent m. */
void chan_publish(chan_t *c, const msg_t *m, const char *type, json_t *content);
void chan_status(chan_t *c, const msg_t *m, const char *state); /* "busy", "idle" ... */
/* Publishes a stream message; bytes that are not valid UTF-8 are shown as '?'. */
void chan_stream(chan_t *c, const msg_t *m, const char *name, const char *text, size_t n);

/* {"status": "error", ename, evalue, "traceback": []}: caller owns (NULL when out of memory). */
json_t *chan_error_content(const char *ename, const char *evalue);
/* The boolean o[k] of a request's content, or def when absent or not a boolean. */
int chan_bool(json_t *o, const char *k, int def);

#endif
