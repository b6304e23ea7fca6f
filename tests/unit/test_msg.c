/* test_msg.c - msg_ decode/encode: round trip, signature checks, truncated and missing
 * frames, bad JSON, size limits, and a walk of mem_fail_after over msg_decode/msg_encode. */
#include "check.h"
#include "mem.h"
#include "msg.h"
#include "sign.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static msg_session_t ss;

/* Builds the frames of a message: one identity, delimiter, signature, four JSON frames. */
static size_t build(msg_frame_t *f, char sig[65], const sign_t *s, const char *hdr,
                    const char *parent, const char *meta, const char *content)
{
    size_t n = 0;
    f[n++] = (msg_frame_t){"client-1", 8};
    f[n++] = (msg_frame_t){"<IDS|MSG>", 9};
    const char *js[4] = {hdr, parent, meta, content};
    sign_part_t parts[4];
    for (int i = 0; i < 4; i++)
        parts[i] = (sign_part_t){js[i], strlen(js[i])};
    sign_hex(s, parts, 4, sig);
    f[n++] = (msg_frame_t){sig, strlen(sig)};
    for (int i = 0; i < 4; i++)
        f[n++] = (msg_frame_t){js[i], strlen(js[i])};
    return n;
}

static const char HDR[] = "{\"msg_id\":\"a1\",\"msg_type\":\"kernel_info_request\","
                          "\"session\":\"s\",\"username\":\"u\",\"version\":\"5.3\"}";

static void test_good(const sign_t *s)
{
    msg_frame_t f[8];
    char sig[65];
    size_t n = build(f, sig, s, HDR, "{}", "{}", "{\"code\":\"1+2\"}");
    msg_t *m = NULL;
    err_t err;
    err_clear(&err);
    CHECK(msg_decode(f, n, s, &m, &err) == 0);
    CHECK(m != NULL);
    if (!m) return;
    CHECK_STR(m->type, "kernel_info_request");
    CHECK(m->nids == 1 && m->ids[0].n == 8 && memcmp(m->ids[0].p, "client-1", 8) == 0);
    CHECK_STR(msg_str(m->content, "code", NULL), "1+2");

    /* reply: routed back to the same identity, parent header = request header, signed */
    msg_frames_t out;
    json_t *c = json_pack("{s:s}", "status", "ok");
    CHECK(msg_encode(&ss, m, "kernel_info_reply", c, NULL, NULL, &out) == 0);
    CHECK(out.n == 7);
    CHECK(out.f[0].n == 8 && memcmp(out.f[0].p, "client-1", 8) == 0);
    msg_t *back = NULL;
    err_clear(&err);
    CHECK(msg_decode(out.f, out.n, s, &back, &err) == 0);
    if (back) {
        CHECK_STR(back->type, "kernel_info_reply");
        CHECK_STR(msg_str(back->parent, "msg_id", NULL), "a1");
        CHECK_STR(msg_str(back->header, "version", NULL), "5.3");
        CHECK_STR(msg_str(back->header, "session", NULL), ss.session);
        const char *date = msg_str(back->header, "date", "");
        CHECK(strlen(date) == 27 && date[10] == 'T' && date[26] == 'Z' && date[19] == '.');
        /* "<session>_<n>": unique with the session */
        const char *id = msg_str(back->header, "msg_id", "");
        CHECK(strncmp(id, ss.session, 36) == 0 && id[36] == '_' && id[37] >= '1' && id[37] <= '9');
        CHECK_STR(msg_str(back->content, "status", NULL), "ok");
    }
    msg_destroy(&back);
    msg_frames_free(&out);

    /* iopub: a topic frame instead of identities */
    CHECK(msg_encode(&ss, m, "status", c, NULL, "status", &out) == 0);
    CHECK(out.n == 7 && out.f[0].n == 6 && memcmp(out.f[0].p, "status", 6) == 0);
    msg_frames_free(&out);
    json_decref(c);
    msg_destroy(&m);
    CHECK(m == NULL);
    msg_destroy(&m); /* NULL-safe */
}

static void expect_drop(const msg_frame_t *f, size_t n, const sign_t *s, const char *what)
{
    msg_t *m = (msg_t *)1;
    err_t err;
    err_clear(&err);
    int rc = msg_decode(f, n, s, &m, &err);
    CHECK(rc == PARC_EPROTO);
    CHECK(m == NULL);
    if (rc != PARC_EPROTO || m) fprintf(stderr, "  (%s)\n", what);
    msg_destroy(&m);
}

static void test_bad(const sign_t *s)
{
    msg_frame_t f[8];
    char sig[65];
    size_t n = build(f, sig, s, HDR, "{}", "{}", "{}");
    /* a tampered content frame: signature no longer matches */
    msg_frame_t g[8];
    memcpy(g, f, sizeof g);
    g[6] = (msg_frame_t){"{\"x\":1}", 7};
    expect_drop(g, n, s, "tampered");
    /* wrong signature text, short signature, empty signature */
    memcpy(g, f, sizeof g);
    char bad[65];
    memcpy(bad, sig, 65);
    bad[0] = bad[0] == 'a' ? 'b' : 'a';
    g[2] = (msg_frame_t){bad, 64};
    expect_drop(g, n, s, "bad sig");
    g[2] = (msg_frame_t){sig, 10};
    expect_drop(g, n, s, "short sig");
    g[2] = (msg_frame_t){"", 0};
    expect_drop(g, n, s, "empty sig");
    /* missing frames and no delimiter */
    expect_drop(f, n - 1, s, "missing content");
    expect_drop(f, 3, s, "only sig");
    expect_drop(f, 1, s, "no delimiter");
    expect_drop(f, 0, s, "nothing");
    memcpy(g, f, sizeof g);
    g[1] = (msg_frame_t){"<IDS|MSG", 8};
    expect_drop(g, n, s, "bad delimiter");
    /* header that is not JSON, not an object, or lacks msg_type */
    n = build(f, sig, s, "{not json", "{}", "{}", "{}");
    expect_drop(f, n, s, "bad header json");
    n = build(f, sig, s, "[1,2]", "{}", "{}", "{}");
    expect_drop(f, n, s, "header array");
    n = build(f, sig, s, "{\"msg_id\":\"x\"}", "{}", "{}", "{}");
    expect_drop(f, n, s, "no msg_type");
    n = build(f, sig, s, "{\"msg_id\":\"x\",\"msg_type\":3}", "{}", "{}", "{}");
    expect_drop(f, n, s, "msg_type not a string");

    /* usable header, bad content: a message comes back with an error, for an error reply */
    n = build(f, sig, s, HDR, "{}", "{}", "{\"code\": ");
    msg_t *m = NULL;
    err_t err;
    err_clear(&err);
    CHECK(msg_decode(f, n, s, &m, &err) == PARC_EPROTO);
    CHECK(m != NULL && strstr(err.msg, "content") != NULL);
    if (m) CHECK(json_is_object(m->content) && json_object_size(m->content) == 0);
    msg_destroy(&m);
    n = build(f, sig, s, HDR, "7", "{}", "{}");
    err_clear(&err);
    CHECK(msg_decode(f, n, s, &m, &err) == PARC_EPROTO && m && strstr(err.msg, "parent"));
    msg_destroy(&m);

    /* buffers after content are accepted (ignored) */
    n = build(f, sig, s, HDR, "{}", "{}", "{}");
    f[n++] = (msg_frame_t){"buffer", 6};
    err_clear(&err);
    CHECK(msg_decode(f, n, s, &m, &err) == 0 && m);
    msg_destroy(&m);
}

static void test_limits(const sign_t *s)
{
    /* too many identities, too many frames */
    msg_frame_t *f = calloc(MSG_MAX_FRAMES + 2, sizeof *f);
    char sig[65];
    for (size_t i = 0; i < MSG_MAX_FRAMES + 2; i++)
        f[i] = (msg_frame_t){"id", 2};
    size_t n = build(f + MSG_MAX_IDS + 1, sig, s, HDR, "{}", "{}", "{}");
    (void)n;
    /* build wrote its own identity at f[MSG_MAX_IDS + 1]: MSG_MAX_IDS + 2 identities */
    expect_drop(f, MSG_MAX_IDS + 1 + 7, s, "too many ids");
    expect_drop(f, MSG_MAX_FRAMES + 1, s, "too many frames");
    free(f);
    /* a frame larger than the limit is refused before any hashing */
    msg_frame_t g[8];
    n = build(g, sig, s, HDR, "{}", "{}", "{}");
    g[6].n = (size_t)MSG_MAX_BYTES + 1; /* the length alone is checked first */
    expect_drop(g, n, s, "too big");
}

static void test_unsigned(void)
{
    sign_t *s = sign_new("", 0);
    msg_frame_t f[8];
    char sig[65];
    size_t n = build(f, sig, s, HDR, "{}", "{}", "{}");
    CHECK(f[2].n == 0);
    msg_t *m = NULL;
    err_t err;
    err_clear(&err);
    CHECK(msg_decode(f, n, s, &m, &err) == 0 && m);
    msg_destroy(&m);
    f[2] = (msg_frame_t){"abcd", 4};
    expect_drop(f, n, s, "signature when unsigned");
    sign_destroy(&s);
}

/* Every allocation in decode and encode may fail: no crash, no leak (under ASan). */
static void test_fail_walk(const sign_t *s)
{
    msg_frame_t f[8];
    char sig[65];
    size_t n = build(f, sig, s, HDR, "{\"msg_id\":\"p\"}", "{}", "{\"code\":\"x = [1, 2]\"}");
    int ok_seen = 0;
    for (long k = 0; k < 200; k++) {
        msg_t *m = NULL;
        err_t err;
        err_clear(&err);
        mem_fail_after(k);
        int rc = msg_decode(f, n, s, &m, &err);
        int rc2 = -1;
        if (rc == 0 && m) {
            msg_frames_t out;
            json_t *c = json_object();
            rc2 = c ? msg_encode(&ss, m, "x_reply", c, NULL, NULL, &out) : PARC_ENOMEM;
            if (rc2 == 0) msg_frames_free(&out);
            json_decref(c);
        }
        mem_fail_after(-1);
        CHECK(rc == 0 || rc == PARC_ENOMEM || rc == PARC_EPROTO);
        CHECK(rc != 0 || m != NULL);
        msg_destroy(&m);
        if (rc == 0 && rc2 == 0) {
            ok_seen = 1;
            break;
        }
    }
    CHECK(ok_seen);
}

static void test_uuid(void)
{
    char a[37], b[37];
    msg_uuid4(a);
    msg_uuid4(b);
    CHECK(strlen(a) == 36 && a[14] == '4' && a[8] == '-' && strcmp(a, b) != 0);
    CHECK(strchr("89ab", a[19]) != NULL);
}

/* The header the kernel writes (without Jansson when nothing needs escaping) and the
 * parent header it copies decode to what they stand for, for any username and type. */
static void test_header(const sign_t *s)
{
    msg_frame_t f[8];
    char sig[65];
    const char *req = "{\"msg_id\":\"r\\u00e9\\\"q\",\"msg_type\":\"x\",\"session\":\"s\","
                      "\"username\":\"a b\",\"date\":\"d\",\"version\":\"5.3\",\"n\":[1,{}]}";
    size_t n = build(f, sig, s, req, "{}", "{}", "{}");
    msg_t *m = NULL;
    err_t err;
    err_clear(&err);
    CHECK(msg_decode(f, n, s, &m, &err) == 0);
    if (!m) return;
    const char *users[] = {"alice", "q\"uote\\back\nline", ""};
    const char *types[] = {"execute_reply", "Odd-Type", "status"};
    for (int i = 0; i < 3; i++) {
        msg_session_t us;
        setenv("USER", users[i], 1);
        msg_session_init(&us);
        us.sign = s;
        const char *want = users[i][0] ? users[i] : "parc-kernel";
        msg_frames_t out;
        CHECK(msg_encode(&us, m, types[i], NULL, NULL, NULL, &out) == 0);
        msg_t *back = NULL;
        err_clear(&err);
        CHECK(msg_decode(out.f, out.n, s, &back, &err) == 0);
        if (back) {
            CHECK_STR(back->type, types[i]);
            CHECK_STR(msg_str(back->header, "username", NULL), want);
            CHECK_STR(msg_str(back->header, "session", NULL), us.session);
            CHECK_STR(msg_str(back->header, "version", NULL), "5.3");
            CHECK(json_object_size(back->header) == 6);
            CHECK(json_equal(back->parent, m->header));
            CHECK(json_object_size(back->content) == 0 && json_object_size(back->metadata) == 0);
        }
        msg_destroy(&back);
        msg_frames_free(&out);
    }
    unsetenv("USER");
    msg_destroy(&m);
}

/* RFC 4231 test case 2, with the data in one part and in three, signed twice by one sign_t
 * (each call starts from the keyed context, none from the last call's state). */
static void test_known_answer(void)
{
    static const char want[] = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    sign_t *k = sign_new("Jefe", 4);
    CHECK(k != NULL);
    sign_part_t one[] = {{"what do ya want for nothing?", 28}};
    sign_part_t three[] = {{"what do ", 8}, {"", 0}, {"ya want for nothing?", 20}};
    char sig[65];
    for (int i = 0; i < 2; i++) {
        CHECK(sign_hex(k, one, 1, sig) == 0 && strcmp(sig, want) == 0);
        CHECK(sign_hex(k, three, 3, sig) == 0 && strcmp(sig, want) == 0);
    }
    CHECK(sign_check_hex(k, one, 1, want, 64));
    sign_destroy(&k);
}

int main(void)
{
    json_set_alloc_funcs(mem_alloc, mem_free);
    sign_t *s = sign_new("secret-key", 10);
    ss.sign = s;
    msg_session_init(&ss);
    test_good(s);
    test_header(s);
    test_bad(s);
    test_limits(s);
    test_unsigned();
    test_fail_walk(s);
    test_uuid();
    test_known_answer();
    sign_destroy(&s);
    return check_done();
}
