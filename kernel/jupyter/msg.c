/* msg.c - Jupyter wire frames <-> msg_t (see msg.h); sits between loop_ (sockets) and
 * proto_ (handlers).
 * Order of checks on input, cheapest and most suspicious first: frame count and total size,
 * the delimiter, the HMAC over the raw header/parent/metadata/content bytes, and only then
 * Jansson. Nothing unauthenticated is parsed. A header that does not parse (or lacks
 * msg_type/msg_id) leaves nobody to answer, so the message is dropped; a bad parent,
 * metadata or content still has a usable header and is answered with an error reply.
 * Outgoing JSON is dumped with json_dumpb into mem_ buffers (so fault injection covers it). */
#include "msg.h"
#include "hex.h"
#include "mem.h"

#include <errno.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static const char DELIM[] = "<IDS|MSG>";

const char *msg_str(json_t *obj, const char *key, const char *def)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : def;
}

void msg_destroy(msg_t **mp)
{
    if (!mp || !*mp) return;
    msg_t *m = *mp;
    for (size_t i = 0; i < m->nids; i++)
        mem_free((void *)m->ids[i].p);
    mem_free(m->ids);
    json_decref(m->header);
    json_decref(m->parent);
    json_decref(m->metadata);
    json_decref(m->content);
    mem_free(m->header_raw);
    mem_free(m);
    *mp = NULL;
}

static json_t *load_obj(const msg_frame_t *f)
{
    json_error_t je;
    json_t *j = json_loadb(f->p, f->n, 0, &je);
    if (j && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    return j;
}

/* Copies the routing identities. 0 or PARC_ENOMEM. */
static int copy_ids(msg_t *m, const msg_frame_t *f, size_t nids)
{
    if (nids == 0) return 0;
    m->ids = mem_calloc(nids, sizeof *m->ids);
    if (!m->ids) return PARC_ENOMEM;
    for (size_t i = 0; i < nids; i++) {
        void *p = mem_alloc(f[i].n ? f[i].n : 1);
        if (!p) return PARC_ENOMEM;
        if (f[i].n) memcpy(p, f[i].p, f[i].n);
        m->ids[i].p = p;
        m->ids[i].n = f[i].n;
        m->nids = i + 1;
    }
    return 0;
}

int msg_decode(const msg_frame_t *f, size_t n, const sign_t *s, msg_t **out, err_t *err)
{
    *out = NULL;
    if (n > MSG_MAX_FRAMES)
        return err_set(err, PARC_EPROTO, (span_t){0}, "too many frames (%zu)", n);
    size_t total = 0, d = n;
    for (size_t i = 0; i < n; i++) {
        if (mem_add(total, f[i].n, &total) || total > MSG_MAX_BYTES)
            return err_set(err, PARC_EPROTO, (span_t){0}, "message larger than %u bytes",
                           MSG_MAX_BYTES);
        if (d == n && f[i].n == sizeof DELIM - 1 && memcmp(f[i].p, DELIM, f[i].n) == 0) d = i;
    }
    if (d == n) return err_set(err, PARC_EPROTO, (span_t){0}, "no <IDS|MSG> delimiter");
    if (d > MSG_MAX_IDS)
        return err_set(err, PARC_EPROTO, (span_t){0}, "too many routing identities (%zu)", d);
    if (n - d - 1 < 5)
        return err_set(err, PARC_EPROTO, (span_t){0}, "missing frames (%zu after delimiter)",
                       n - d - 1);
    const msg_frame_t *sig = &f[d + 1], *js = &f[d + 2];
    sign_part_t parts[4];
    for (int i = 0; i < 4; i++)
        parts[i] = (sign_part_t){js[i].p, js[i].n};
    if (!sign_check_hex(s, parts, 4, sig->p, sig->n))
        return err_set(err, PARC_EPROTO, (span_t){0}, "bad signature");

    msg_t *m = mem_calloc(1, sizeof *m);
    if (!m) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (copy_ids(m, f, d)) {
        msg_destroy(&m);
        return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    }
    m->header = load_obj(&js[0]);
    json_t *ty = m->header ? json_object_get(m->header, "msg_type") : NULL;
    json_t *id = m->header ? json_object_get(m->header, "msg_id") : NULL;
    if (!json_is_string(ty) || !json_is_string(id) || json_string_length(ty) == 0) {
        msg_destroy(&m);
        return err_set(err, PARC_EPROTO, (span_t){0},
                       "header is not an object with msg_type and msg_id");
    }
    m->type = json_string_value(ty);
    size_t hn = json_dumpb(m->header, NULL, 0, JSON_COMPACT);
    m->header_raw = hn ? mem_alloc(hn) : NULL; /* else msg_encode dumps it each time */
    if (m->header_raw && json_dumpb(m->header, m->header_raw, hn, JSON_COMPACT) == hn)
        m->header_len = hn;
    else
        mem_free(m->header_raw), m->header_raw = NULL;
    m->parent = load_obj(&js[1]);
    m->metadata = load_obj(&js[2]);
    m->content = load_obj(&js[3]);
    const char *bad = !m->parent     ? "parent_header"
                      : !m->metadata ? "metadata"
                      : !m->content  ? "content"
                                     : NULL;
    if (!m->parent) m->parent = json_object();
    if (!m->metadata) m->metadata = json_object();
    if (!m->content) m->content = json_object();
    if (!m->parent || !m->metadata || !m->content) {
        msg_destroy(&m);
        return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    }
    *out = m;
    if (bad) return err_set(err, PARC_EPROTO, (span_t){0}, "%s is not a JSON object", bad);
    return 0;
}

void msg_uuid4(char out[37])
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1) {
        /* OpenSSL's generator failed: fall back to something unique, not secret. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        static const char *const seed = "parc";
        for (int i = 0; i < 16; i++)
            b[i] = (unsigned char)((ts.tv_nsec >> (i % 8)) ^ (ts.tv_sec << i) ^ seed[i % 4]);
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    /* 8-4-4-4-12 digits: bytes 0-3, 4-5, 6-7, 8-9, 10-15 */
    static const int group[] = {0, 4, 6, 8, 10, 16};
    char *o = out;
    for (int g = 0; g < 5; g++) {
        if (g) *o++ = '-';
        hex_encode(b + group[g], (size_t)(group[g + 1] - group[g]), o);
        o += 2 * (group[g + 1] - group[g]);
    }
}

void msg_now_iso(char out[32])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t k = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + k, 32 - k, ".%06ldZ", (long)(ts.tv_nsec / 1000));
}

void msg_session_init(msg_session_t *ss)
{
    msg_uuid4(ss->session);
    const char *u = getenv("USER");
    if (!u || !*u || strlen(u) >= sizeof ss->username) u = "parc-kernel";
    memcpy(ss->username, u, strlen(u) + 1);
    json_t *j = json_string(ss->username);
    size_t n = j ? json_dumpb(j, ss->username_json, sizeof ss->username_json - 1,
                              JSON_ENCODE_ANY | JSON_COMPACT)
                 : 0;
    ss->username_json[n < sizeof ss->username_json ? n : 0] = 0;
    json_decref(j);
}

void msg_frames_free(msg_frames_t *fr)
{
    for (size_t i = 0; i < fr->n; i++)
        mem_free((void *)fr->f[i].p);
    fr->n = 0;
}

static int push_copy(msg_frames_t *fr, const void *p, size_t n)
{
    void *q = mem_alloc(n ? n : 1);
    if (!q) return PARC_ENOMEM;
    if (n) memcpy(q, p, n);
    fr->f[fr->n].p = q;
    fr->f[fr->n].n = n;
    fr->n++;
    return 0;
}

static int push_json(msg_frames_t *fr, json_t *j)
{
    size_t n = json_dumpb(j, NULL, 0, JSON_COMPACT);
    if (n == 0) return PARC_ENOMEM;
    char *q = mem_alloc(n);
    if (!q) return PARC_ENOMEM;
    if (json_dumpb(j, q, n, JSON_COMPACT) != n) {
        mem_free(q);
        return PARC_EPROTO;
    }
    fr->f[fr->n].p = q;
    fr->f[fr->n].n = n;
    fr->n++;
    return 0;
}

/* A message id: the session's uuid4 and a count, as jupyter_client makes its own ("<session>_
 * <pid>_<n>"), unique since the session is; a fresh uuid4 per message spent most of its time
 * in OpenSSL's generator (2.5% of a trivial cell's kernel time). */
static void next_id(const msg_session_t *ss, char out[64])
{
    static _Atomic unsigned long long count;
    snprintf(out, 64, "%s_%llu", ss->session, ++count);
}

static json_t *make_header(const msg_session_t *ss, const char *type)
{
    char id[64], date[32];
    next_id(ss, id);
    msg_now_iso(date);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "msg_id", id, "session", ss->session,
                     "username", ss->username, "date", date, "msg_type", type, "version",
                     MSG_VERSION);
}

/* Our header as JSON text without Jansson, when nothing in it needs escaping (uuids, the
 * date, and a message type of letters and underscores; the username was escaped once):
 * about a tenth of a trivial cell's kernel time went to building and dumping the same
 * handful of objects. 0, or -1 (then make_header). */
static int push_header(msg_frames_t *fr, const msg_session_t *ss, const char *type)
{
    for (const char *c = type; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || *c == '_')) return -1;
    if (!ss->username_json[0]) return -1;
    char id[64], date[32], buf[640];
    next_id(ss, id);
    msg_now_iso(date);
    int n = snprintf(buf, sizeof buf,
                     "{\"msg_id\":\"%s\",\"session\":\"%s\",\"username\":%s,\"date\":\"%s\","
                     "\"msg_type\":\"%s\",\"version\":\"%s\"}",
                     id, ss->session, ss->username_json, date, type, MSG_VERSION);
    if (n < 0 || n >= (int)sizeof buf) return -1;
    return push_copy(fr, buf, (size_t)n);
}

int msg_encode(const msg_session_t *ss, const msg_t *parent, const char *type, json_t *content,
               json_t *metadata, const char *topic, msg_frames_t *out)
{
    int rc = 0;
    out->n = 0;
    json_t *hdr = NULL;
    if (topic) {
        rc = push_copy(out, topic, strlen(topic));
    } else if (parent) {
        for (size_t i = 0; i < parent->nids && !rc; i++)
            rc = push_copy(out, parent->ids[i].p, parent->ids[i].n);
    }
    if (!rc) rc = push_copy(out, DELIM, sizeof DELIM - 1);
    size_t sig_at = out->n;
    if (!rc) rc = push_copy(out, "", 0); /* signature, filled below */
    if (!rc && push_header(out, ss, type) != 0) {
        hdr = make_header(ss, type);
        rc = hdr ? push_json(out, hdr) : PARC_ENOMEM;
    }
    if (!rc && parent && parent->header_raw)
        rc = push_copy(out, parent->header_raw, parent->header_len);
    else if (!rc && parent && parent->header)
        rc = push_json(out, parent->header);
    else if (!rc)
        rc = push_copy(out, "{}", 2);
    if (!rc) rc = metadata ? push_json(out, metadata) : push_copy(out, "{}", 2);
    if (!rc) rc = content ? push_json(out, content) : push_copy(out, "{}", 2);
    if (!rc) {
        sign_part_t parts[4];
        char hex[65];
        for (int i = 0; i < 4; i++)
            parts[i] = (sign_part_t){out->f[sig_at + 1 + i].p, out->f[sig_at + 1 + i].n};
        if (sign_hex(ss->sign, parts, 4, hex) != 0) {
            rc = PARC_EPROTO;
        } else {
            char *q = mem_strndup(hex, strlen(hex));
            if (!q) {
                rc = PARC_ENOMEM;
            } else {
                mem_free((void *)out->f[sig_at].p);
                out->f[sig_at].p = q;
                out->f[sig_at].n = strlen(hex);
            }
        }
    }
    json_decref(hdr);
    if (rc) msg_frames_free(out);
    return rc;
}

int msg_send(void *sock, const msg_session_t *ss, const msg_t *parent, const char *type,
             json_t *content, json_t *metadata, const char *topic)
{
    msg_frames_t fr;
    if (msg_encode(ss, parent, type, content, metadata, topic, &fr) != 0) {
        fprintf(stderr, "parc-kernel: cannot encode %s message\n", type);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < fr.n; i++) {
        int more = i + 1 < fr.n ? ZMQ_SNDMORE : 0;
        if (zmq_send(sock, fr.f[i].p, fr.f[i].n, more | ZMQ_DONTWAIT) < 0) {
            fprintf(stderr, "parc-kernel: cannot send %s: %s\n", type, zmq_strerror(errno));
            rc = -1;
            break;
        }
    }
    msg_frames_free(&fr);
    return rc;
}

int msg_recv(void *sock, const sign_t *s, msg_t **out, err_t *err)
{
    zmq_msg_t parts[64];
    msg_frame_t fr[64];
    size_t n = 0, dropped = 0;
    int more = 1, rc = 0;
    *out = NULL;
    while (more) {
        zmq_msg_t z;
        zmq_msg_init(&z);
        if (zmq_msg_recv(&z, sock, n == 0 && !dropped ? ZMQ_DONTWAIT : 0) < 0) {
            int e = errno;
            zmq_msg_close(&z);
            if (n == 0 && !dropped && e == EAGAIN) return 0;
            fprintf(stderr, "parc-kernel: recv: %s\n", zmq_strerror(e));
            rc = -1;
            break;
        }
        more = zmq_msg_more(&z);
        if (n < 64) {
            parts[n] = z;
            fr[n].p = zmq_msg_data(&parts[n]);
            fr[n].n = zmq_msg_size(&parts[n]);
            n++;
        } else {
            /* Keep reading so the socket is left at a message boundary; the frames past
             * 64 are buffers (or garbage) that the kernel ignores. */
            zmq_msg_close(&z);
            dropped++;
        }
    }
    if (rc == 0) {
        err_clear(err);
        if (dropped + n > MSG_MAX_FRAMES) {
            err_set(err, PARC_EPROTO, (span_t){0}, "too many frames (%zu)", dropped + n);
        } else {
            msg_decode(fr, n, s, out, err);
        }
        if (err->code && !*out) fprintf(stderr, "parc-kernel: dropped a message: %s\n", err->msg);
        rc = *out ? 1 : 0;
    }
    for (size_t i = 0; i < n; i++)
        zmq_msg_close(&parts[i]);
    return rc;
}
