/* link.h - the kernel<->engine messages: what travels over ZeroMQ between pool_ and eng_.
 *
 * Transport: the kernel binds one ROUTER socket (tcp, loopback by default or a cluster
 * address) and writes its address and key to the attach file. Each engine rank connects two
 * DEALER sockets to it with identities "e<rank>" (work: EXEC down; STREAM, RESULT, DONE,
 * INPUT_REQ up) and "c<rank>" (control: INTERRUPT down, handled by a small thread so that a
 * busy engine still hears it). Both send HELLO first so that the ROUTER learns the identity.
 *
 * Every message is three frames: [hex HMAC-SHA256 of frames 2 and 3] [header] [body].
 * header = u32 LINK_MAGIC, u16 LINK_VERSION, u8 type, u8 reserved, u32 seq, i32 rank.
 * A receiver drops (and logs) any message whose signature, magic, version, type or body does
 * not check out. seq is the kernel's request number, echoed by every reply to it.
 *
 * Bodies (wire.h encoding; str = u32 length + bytes):
 *   HELLO      E->K  u32 nranks, u32 pid, str host, u8 channel (0 work, 1 control)
 *   EXEC       K->E  u8 mode (LINK_GLOBAL/LINK_LOCAL), u32 exec_count, u32 flags, str ir
 *              (flags: LINK_F_SILENT: show no result)
 *   STREAM     E->K  u8 stream (1 stdout, 2 stderr), str text   (sent as it is printed)
 *   RESULT     E->K  str text/plain, str text/html ("" if none)  (the cell's displayed value,
 *                    when the rank sends anything after it; else it ends the DONE body)
 *   INPUT_REQ  E->K  str prompt, u8 password                     (global: rank 0 only)
 *   INPUT_REP  K->E  str text                                     (to the rank that asked)
 *   DONE       E->K  i32 code, u32 cell, i32 line, i32 col, i32 len, str kind, str msg,
 *                    u32 nframes, nframes * (u32 cell, i32 line, i32 col, i32 len, str fn),
 *                    u32 nnames, nnames * name record,  f64 seconds (wall time of the cell),
 *                    u32 nwarn, nwarn * str warning, then optionally a RESULT body: the
 *                    value the cell showed last, which nothing followed (one message less;
 *                    on the broadcast path the targets' values travel in DONE_ALL)
 *              name record: str name, str kind ("int" "float" "ndarray" "function" ...),
 *                    str dtype, str shape ("(10, 3)"), str dist ("('b', 'n')"),
 *                    u64 bytes on this engine, u8 per_engine (defined in local view),
 *                    str summary (signature for functions, short repr for scalars)
 *              In global view rank 0 sends the whole name table; the others send none.
 *   INTERRUPT  K->E  (empty)  on the control socket: stop the running cell at the next check
 *   SHUTDOWN   K->E  (empty)  leave the loop, MPI_Finalize, exit 0
 *   NAMES      K->E  (empty)  answer with DONE carrying the name table, code 0 (no cell run)
 *   FARM       E->K  ready for the next chunk of a pmap/apply farm (bodies: farm.h)
 *   FARM_GO    K->E  the chunk (or none), in answer to FARM
 *   PROGRESS   K->E  (empty)  on the control socket: what is the request seq doing?
 *              E->K  from the control socket, only while that request runs: u8 state
 *                    (RT_* of runtime/engine/rt.h), u32 cell, i32 line (the statement
 *                    running; 0 unknown), i64 done, i64 total (elements of the running
 *                    array operation; total 0: none)
 *   FIGURE     E->K  one figure record (figure.h): a plot's reduced data, figure(), savefig()
 *              (global view: rank 0 only)
 *   CELL       K->E  to rank 0 only: EXEC's body, then u32 ntargets, ntargets * u32 rank
 *              (sorted; 0: every rank). Rank 0 passes it to every rank by MPI_Ibcast
 *              (runtime/engine/fan.h); the targets run it and combine their DONEs.
 *   DONE_ALL   E->K  from rank 0 (the lowest target for a subset), answering CELL: u32 the
 *              messages the targets sent for the request before it (STREAM, RESULT, FIGURE,
 *              INPUT_REQ, FARM: the kernel waits for them all), f64 the slowest target's
 *              seconds, u8 same; same: str one DONE body that stands for every target; else
 *              u32 n, n * str DONE body, the targets in order
 *   FINISHED   E->K  (empty) a target of a local-view CELL that finished while others still
 *              run; everything it printed for the request was sent before it, on this socket
 *
 * DONE, DONE_ALL and FINISHED are not counted among the messages DONE_ALL announces.
 */
#ifndef PARC_LINK_H
#define PARC_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "sign.h"
#include "wire.h"

#define LINK_MAGIC   0x4b4c5050u /* "PPLK" */
#define LINK_VERSION 1
#define LINK_MAXMSG  (256u << 20) /* larger bodies are refused */

enum {
    LINK_HELLO = 1,
    LINK_EXEC,
    LINK_STREAM,
    LINK_RESULT,
    LINK_INPUT_REQ,
    LINK_INPUT_REP,
    LINK_DONE,
    LINK_INTERRUPT,
    LINK_SHUTDOWN,
    LINK_NAMES,
    LINK_FARM,
    LINK_FARM_GO,
    LINK_PROGRESS,
    LINK_FIGURE,
    LINK_CELL,
    LINK_DONE_ALL,
    LINK_FINISHED,
    LINK_NTYPES
};
enum { LINK_GLOBAL = 0, LINK_LOCAL = 1 };
enum { LINK_F_SILENT = 1 };
/* FARM flags (farm.h) */
enum {
    FARM_F_BALANCED = 1, /* next chunk to whoever asks; else chunk c goes to engine c % N */
    FARM_F_STOP = 2,     /* this engine was interrupted: hand out nothing more, to anyone */
    FARM_F_ASYNC = 4     /* pmap_async: the farm outlives the request that started it */
};
#define FARM_CANCELLED 0xffffffffu /* FARM_GO's first item when the farm was interrupted */

typedef struct {
    uint8_t type;
    uint32_t seq;
    int32_t rank; /* sender's rank for E->K; -1 for K->E */
} link_hdr_t;

/* Whether a message of this type counts among those a DONE_ALL announces. */
static inline int link_counted(int type)
{
    return type != LINK_DONE && type != LINK_DONE_ALL && type != LINK_FINISHED;
}

/* Sends one message (three frames) on a zmq socket. For a ROUTER socket pass the peer
 * identity in id/idlen (it is sent first, unsigned); otherwise id = NULL. body may be NULL
 * with n = 0. Returns 0 or -1 (errno from zmq). Never blocks longer than the socket's
 * ZMQ_SNDTIMEO. */
int link_send(void *sock, const void *id, size_t idlen, const sign_t *s, const link_hdr_t *h,
              const void *body, size_t n);

/* A received message: frames owned by the struct until link_msg_close. */
typedef struct {
    link_hdr_t h;
    char id[64]; /* ROUTER peer identity, NUL-terminated ("" on a DEALER) */
    size_t idlen;
    const uint8_t *body; /* borrowed from the zmq frame */
    size_t n;
    void *frames_; /* internal */
} link_msg_t;

/* Receives one message if there is one (non-blocking when dontwait). Returns 1 with *m
 * filled, 0 when there is nothing to read (or a bad message was dropped: the reason is
 * written to stderr), -1 on a socket error. The caller calls link_msg_close after. */
int link_recv(void *sock, int is_router, const sign_t *s, int dontwait, link_msg_t *m);
void link_msg_close(link_msg_t *m);

#endif
