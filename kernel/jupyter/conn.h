/* conn.h - the Jupyter connection file (`parc-kernel -f FILE`): where to bind, and the key.
 * conn_load reads it with Jansson and checks every field; conn_endpoint builds the zmq
 * address of one channel ("tcp://127.0.0.1:5555" or "ipc://path-5555"). */
#ifndef PARC_CONN_H
#define PARC_CONN_H

#include <stddef.h>

#include "err.h"

enum { CONN_SHELL, CONN_CONTROL, CONN_STDIN, CONN_IOPUB, CONN_HB, CONN_NCHANNELS };

typedef struct {
    char transport[8];         /* "tcp" or "ipc" */
    char ip[256];              /* address (tcp) or path prefix (ipc) */
    int ports[CONN_NCHANNELS]; /* indexed by CONN_* */
    char *key;                 /* mem_alloc'ed, NUL-terminated; "" = no signing */
    char scheme[32];           /* "hmac-sha256" */
} conn_t;

/* Reads and checks the connection file. 0, or PARC_EIO/PARC_EVALUE/PARC_ENOMEM with err
 * set (then nothing is allocated). On success the caller calls conn_free. */
int conn_load(const char *path, conn_t *c, err_t *err);
void conn_free(conn_t *c); /* frees key; safe on a zeroed or freed conn_t */

/* Writes the endpoint of channel ch into buf (size n). 0, or -1 when it does not fit. */
int conn_endpoint(const conn_t *c, int ch, char *buf, size_t n);

/* The channel's name ("shell", "control", "stdin", "iopub", "hb"). */
const char *conn_channel_name(int ch);

#endif
