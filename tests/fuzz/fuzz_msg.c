/* fuzz_msg.c - libFuzzer target for the wire side: raw frames -> msg_decode -> accessors ->
 * msg_encode -> msg_decode again. Built with -fsanitize=fuzzer,address when PARC_FUZZ=ON;
 * replay_msg.c runs the committed corpus (corpus/msg) through the same function in every
 * build.
 *
 * Input layout: a sequence of frames, each a 4-byte big-endian length L and then L bytes.
 *   - L <= bytes left: an ordinary frame of L bytes.
 *   - L > bytes left and L > MSG_MAX_BYTES: a "huge" frame that claims L bytes but only
 *     has the rest of the input behind it; it is always the last frame. msg_decode must
 *     drop such a message on its size check without reading the frame (ASan watches).
 *   - L > bytes left otherwise: a truncated frame of the bytes left (the last frame).
 *   - 1 to 3 trailing bytes (no room for a length) are one last, short frame.
 * At most MSG_MAX_FRAMES + 1 frames are taken (enough to trip the frame-count check); the
 * rest of the input is ignored.
 *
 * Each input is decoded three ways:
 *   1. as is, with the fixed key KEY: the fuzzer rarely forges an HMAC, so this mostly
 *      checks that a wrong signature is dropped before anything is parsed;
 *   2. as is, with an empty key (signing disabled: only an empty signature passes);
 *   3. with the signature frame replaced by the right HMAC, computed here with sign_hex
 *      over the four JSON frames, so the fuzzer reaches the Jansson side of msg_decode.
 * Every decoded message (rc 0, or PARC_EPROTO with a usable header) has its accessors
 * read, is answered with msg_encode (routed by its ids, and again by a topic), and the
 * answer must decode again to the same parent, metadata, content and routing. Whatever
 * the bytes, nothing may crash or leak, and a broken invariant traps:
 *   - rc is 0, PARC_EPROTO or PARC_ENOMEM; rc 0 always comes with a message, and a
 *     message comes only with rc 0 or PARC_EPROTO;
 *   - a decoded message has a non-empty msg_type equal to the header's, object parent,
 *     metadata and content, and exactly the routing identities before the delimiter;
 *   - decode 1 succeeds only when the signature frame is the right HMAC, decode 2 only when
 *     it is empty; decode 3 keeps any message whose header is an object with a non-empty
 *     string msg_type and a string msg_id (checked here with Jansson directly). */
#include "err.h"
#include "msg.h"
#include "sign.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KEY        "fuzz-key-0123456789abcdef"
#define MAX_FRAMES (MSG_MAX_FRAMES + 1)

static const char DELIM[] = "<IDS|MSG>";

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) __builtin_trap();                                                                \
    } while (0)

typedef struct {
    msg_frame_t f[MAX_FRAMES];
    size_t n;
    int huge;     /* the last frame claims more bytes than it has */
    size_t delim; /* index of the first delimiter frame, or n */
} frames_t;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void split(const uint8_t *data, size_t size, frames_t *fr)
{
    size_t at = 0;
    fr->n = 0;
    fr->huge = 0;
    while (at < size && fr->n < MAX_FRAMES) {
        msg_frame_t *f = &fr->f[fr->n++];
        if (size - at < 4) {
            *f = (msg_frame_t){data + at, size - at};
            break;
        }
        size_t len = be32(data + at);
        at += 4;
        f->p = data + at;
        if (len <= size - at) {
            f->n = len;
            at += len;
        } else {
            f->n = len > MSG_MAX_BYTES ? len : size - at;
            fr->huge = len > MSG_MAX_BYTES;
            break;
        }
    }
    fr->delim = fr->n;
    for (size_t i = 0; i < fr->n && !fr->huge; i++)
        if (fr->f[i].n == sizeof DELIM - 1 && memcmp(fr->f[i].p, DELIM, fr->f[i].n) == 0) {
            fr->delim = i;
            break;
        }
}

/* 1 when the frames pass every check msg_decode makes before the HMAC. */
static int well_framed(const frames_t *fr)
{
    return !fr->huge && fr->n <= MSG_MAX_FRAMES && fr->delim < fr->n && fr->delim <= MSG_MAX_IDS &&
           fr->n - fr->delim - 1 >= 5;
}

/* Right hex HMAC of the four JSON frames (well-framed input only). */
static void right_sig(const sign_t *s, const frames_t *fr, char hex[65])
{
    sign_part_t parts[4];
    for (int i = 0; i < 4; i++)
        parts[i] = (sign_part_t){fr->f[fr->delim + 2 + i].p, fr->f[fr->delim + 2 + i].n};
    CHECK(sign_hex(s, parts, 4, hex) == 0);
}

/* 1 when the header frame is what msg_decode needs to keep a message. */
static int usable_header(const msg_frame_t *h)
{
    json_error_t je;
    json_t *j = json_loadb(h->p, h->n, 0, &je);
    json_t *ty = json_object_get(j, "msg_type"), *id = json_object_get(j, "msg_id");
    int ok =
        json_is_object(j) && json_is_string(ty) && json_string_length(ty) > 0 && json_is_string(id);
    json_decref(j);
    return ok;
}

static void check_result(int rc, const msg_t *m, const err_t *e)
{
    CHECK(rc == 0 || rc == PARC_EPROTO || rc == PARC_ENOMEM);
    CHECK(e->code == rc);
    if (rc == 0) CHECK(m);
    if (m) CHECK(rc == 0 || rc == PARC_EPROTO);
}

static void check_msg(const msg_t *m, const msg_frame_t *ids, size_t nids)
{
    CHECK(json_is_object(m->header) && json_is_object(m->parent));
    CHECK(json_is_object(m->metadata) && json_is_object(m->content));
    CHECK(m->type && m->type[0]);
    CHECK(strcmp(m->type, msg_str(m->header, "msg_type", "")) == 0);
    CHECK(json_is_string(json_object_get(m->header, "msg_id")));
    CHECK(m->nids == nids);
    for (size_t i = 0; i < nids; i++)
        CHECK(m->ids[i].n == ids[i].n &&
              (ids[i].n == 0 || memcmp(m->ids[i].p, ids[i].p, ids[i].n) == 0));
}

/* Reads what the handlers read, as proto.c does. */
static size_t read_fields(const msg_t *m)
{
    static const char *const hkeys[] = {"msg_id",   "msg_type", "session",
                                        "username", "date",     "version"};
    static const char *const ckeys[] = {"code", "target_name", "comm_id", "value", "oname"};
    size_t sum = 0;
    for (size_t i = 0; i < sizeof hkeys / sizeof *hkeys; i++) {
        sum += strlen(msg_str(m->header, hkeys[i], ""));
        sum += strlen(msg_str(m->parent, hkeys[i], ""));
    }
    for (size_t i = 0; i < sizeof ckeys / sizeof *ckeys; i++)
        sum += strlen(msg_str(m->content, ckeys[i], ""));
    CHECK(msg_str(NULL, "code", NULL) == NULL);
    json_t *cp = json_object_get(m->content, "cursor_pos");
    if (json_is_integer(cp)) sum += (size_t)json_integer_value(cp);
    sum += json_is_true(json_object_get(m->content, "silent"));
    sum += json_is_true(json_object_get(m->content, "store_history"));
    return sum;
}

/* Answers m (routed by its ids, or by topic) and checks that the answer decodes back. */
static void round_trip(const msg_session_t *ss, const msg_t *m, const char *topic)
{
    msg_frames_t out;
    int rc = msg_encode(ss, m, "fuzz_reply", m->content, m->metadata, topic, &out);
    CHECK(rc == 0 || rc == PARC_ENOMEM);
    if (rc) return;
    msg_t *back = NULL;
    err_t e;
    err_clear(&e);
    rc = msg_decode(out.f, out.n, ss->sign, &back, &e);
    CHECK(rc == 0 && back);
    msg_frame_t t = {topic, topic ? strlen(topic) : 0};
    check_msg(back, topic ? &t : m->ids, topic ? 1 : m->nids);
    CHECK(strcmp(back->type, "fuzz_reply") == 0);
    CHECK(json_equal(back->parent, m->header));
    CHECK(json_equal(back->metadata, m->metadata));
    CHECK(json_equal(back->content, m->content));
    CHECK(strcmp(msg_str(back->header, "version", ""), MSG_VERSION) == 0);
    CHECK(strcmp(msg_str(back->header, "session", ""), ss->session) == 0);
    msg_destroy(&back);
    CHECK(back == NULL);
    msg_frames_free(&out);
}

/* One decode; returns 1 when a message came out. */
static int decode(const frames_t *fr, const sign_t *s, const msg_session_t *ss)
{
    msg_t *m = NULL;
    err_t e;
    err_clear(&e);
    int rc = msg_decode(fr->f, fr->n, s, &m, &e);
    check_result(rc, m, &e);
    if (fr->huge) CHECK(rc == PARC_EPROTO && !m);
    if (!m) return 0;
    CHECK(well_framed(fr));
    check_msg(m, fr->f, fr->delim);
    volatile size_t sink = read_fields(m);
    (void)sink;
    round_trip(ss, m, NULL);
    round_trip(ss, m, "kernel.fuzz.status");
    msg_destroy(&m);
    CHECK(m == NULL);
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static frames_t fr; /* ~16 KiB: off the stack */
    sign_t *key = sign_new(KEY, sizeof KEY - 1);
    sign_t *nokey = sign_new("", 0);
    if (!key || !nokey) goto out;
    msg_session_t ss;
    msg_session_init(&ss);
    ss.sign = key;
    split(data, size, &fr);

    char hex[65] = "";
    if (well_framed(&fr)) right_sig(key, &fr, hex);
    const msg_frame_t *sig = well_framed(&fr) ? &fr.f[fr.delim + 1] : NULL;

    /* 1: the fixed key, signature as given */
    if (decode(&fr, key, &ss)) CHECK(sig && sig->n == 64 && memcmp(sig->p, hex, 64) == 0);
    /* 2: signing disabled */
    if (decode(&fr, nokey, &ss)) CHECK(sig && sig->n == 0);
    /* 3: the right signature, so the JSON frames get parsed */
    if (sig) {
        msg_frame_t keep = *sig;
        fr.f[fr.delim + 1] = (msg_frame_t){hex, 64};
        int got = decode(&fr, key, &ss);
        CHECK(got == usable_header(&fr.f[fr.delim + 2]));
        fr.f[fr.delim + 1] = keep;
    }
out:
    sign_destroy(&key);
    sign_destroy(&nokey);
    return 0;
}
