/* msg.h - Jupyter wire messages: raw zmq frames <-> msg_t.
 * Incoming: [ids...] "<IDS|MSG>" hmac header parent_header metadata content [buffers...].
 * msg_decode checks frame count and sizes, then the HMAC over the four raw JSON frames, and
 * only then parses them with Jansson. Outgoing messages get a fresh header (uuid4 msg_id,
 * session, username, ISO 8601 UTC date with microseconds, version 5.3) and are signed. */
#ifndef PARC_MSG_H
#define PARC_MSG_H

#include <jansson.h>
#include <stddef.h>

#include "err.h"
#include "sign.h"

#define MSG_MAX_FRAMES 1024         /* more frames than this: dropped */
#define MSG_MAX_BYTES  (256u << 20) /* total bytes of one message; more: dropped */
#define MSG_MAX_IDS    32           /* routing identities before the delimiter */
#define MSG_VERSION    "5.3"

/* One raw frame, borrowed. */
typedef struct {
    const void *p;
    size_t n;
} msg_frame_t;

/* A decoded message. Owns every field; free with msg_destroy. */
typedef struct {
    size_t nids;
    msg_frame_t *ids; /* routing identities, each p mem_alloc'ed */
    json_t *header;   /* object with string msg_type and msg_id */
    json_t *parent;   /* object (maybe empty) */
    json_t *metadata; /* object (maybe empty) */
    json_t *content;  /* object (maybe empty) */
    const char *type; /* borrowed from header: msg_type */
    char *header_raw; /* header dumped once, the parent_header of every answer; or NULL */
    size_t header_len;
} msg_t;

/* Decodes frames (borrowed). Returns 0 with *out set (caller owns), or PARC_EPROTO with err
 * set: then *out is NULL when the message must be dropped (too big, no delimiter, bad
 * signature, unusable header), or a msg_t whose header is usable but whose parent, metadata
 * or content were malformed (those are then empty objects): the caller answers with an
 * error reply. PARC_ENOMEM when memory ran out (*out NULL). */
int msg_decode(const msg_frame_t *f, size_t n, const sign_t *s, msg_t **out, err_t *err);
void msg_destroy(msg_t **mp); /* NULL-safe; NULLs *mp */

/* What the kernel puts in the header of everything it sends. */
typedef struct {
    const sign_t *sign; /* borrowed */
    char session[37];   /* uuid4 of this kernel process */
    char username[64];
    char username_json[64 * 6 + 3]; /* username as a JSON string, quotes and escapes included */
} msg_session_t;

/* Fills session with a fresh uuid4 and username "parc-kernel" (or $USER). */
void msg_session_init(msg_session_t *ss);

/* Writes a uuid4 ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx") into out. */
void msg_uuid4(char out[37]);

/* Writes the current UTC time as "2024-01-02T03:04:05.123456Z" into out. */
void msg_now_iso(char out[32]);

/* Encoded outgoing message: frames owned (mem_alloc'ed) until msg_frames_free. */
typedef struct {
    size_t n;
    msg_frame_t f[MSG_MAX_IDS + 8];
} msg_frames_t;

/* Builds the frames of a message of type `type` whose parent is `parent` (may be NULL),
 * with content (borrowed; NULL = {}) and metadata (borrowed; NULL = {}). Routing: when
 * topic is non-NULL it is the single prefix frame (iopub); otherwise the parent's ids are
 * used (shell, control, stdin replies). 0 or PARC_ENOMEM/PARC_EPROTO (out is then empty). */
int msg_encode(const msg_session_t *ss, const msg_t *parent, const char *type, json_t *content,
               json_t *metadata, const char *topic, msg_frames_t *out);
void msg_frames_free(msg_frames_t *fr);

/* msg_encode, then sends every frame on sock (non-blocking; a full queue drops the message,
 * logged). Returns 0 or -1. */
int msg_send(void *sock, const msg_session_t *ss, const msg_t *parent, const char *type,
             json_t *content, json_t *metadata, const char *topic);

/* Receives one multipart message from sock without waiting, and decodes it. Returns 1 with
 * *out set or (on a usable-header decode failure) *out set and err->code != 0; 0 when
 * nothing was waiting or the message was dropped (logged); -1 on a socket error. */
int msg_recv(void *sock, const sign_t *s, msg_t **out, err_t *err);

/* String field of m's header/content, or def. Borrowed. */
const char *msg_str(json_t *obj, const char *key, const char *def);

#endif
