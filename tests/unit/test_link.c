/* test_link.c - the kernel<->engine link (link.h) over inproc ROUTER/DEALER sockets: good
 * messages both ways, and forged signatures, a wrong key, truncated or extra frames, a bad
 * magic, version, type or header size are dropped while the next good message still
 * arrives. */
#include <string.h>
#include <zmq.h>

#include "check.h"
#include "link.h"
#include "mem.h"
#include "sign.h"

static void *router, *dealer;
static sign_t *key, *other, *nokey;

/* Sends frames as given (after the dealer's identity, which zmq adds on the ROUTER side). */
static void raw(const void *const *parts, const size_t *lens, int n)
{
    for (int i = 0; i < n; i++)
        CHECK(zmq_send(dealer, parts[i], lens[i], i + 1 < n ? ZMQ_SNDMORE : 0) >= 0);
}

static void header(uint8_t *h, uint32_t magic, uint16_t ver, uint8_t type)
{
    wbuf_t b;
    wbuf_init(&b);
    wbuf_u32(&b, magic);
    wbuf_u16(&b, ver);
    wbuf_u8(&b, type);
    wbuf_u8(&b, 0);
    wbuf_u32(&b, 7);
    wbuf_i32(&b, 0);
    memcpy(h, b.p, 16);
    wbuf_free(&b);
}

/* A correctly signed message with the given header bytes. */
static void signed_raw(const uint8_t *h, size_t hn, const char *body)
{
    char sig[65];
    sign_part_t parts[2] = {{h, hn}, {body, strlen(body)}};
    CHECK(sign_hex(key, parts, 2, sig) == 0);
    const void *p[3] = {sig, h, body};
    size_t l[3] = {strlen(sig), hn, strlen(body)};
    raw(p, l, 3);
}

static void good(uint32_t seq)
{
    link_hdr_t h = {LINK_STREAM, seq, 0};
    CHECK(link_send(dealer, NULL, 0, key, &h, "good", 4) == 0);
}

/* The next message the router keeps is the good one with this seq; drops come first. */
static void expect_good(uint32_t seq, int drops)
{
    link_msg_t m;
    int dropped = 0, rc;
    while ((rc = link_recv(router, 1, key, 0, &m)) == 0)
        dropped++;
    CHECK(rc == 1);
    CHECK(dropped == drops);
    if (rc != 1) return;
    CHECK(m.h.type == LINK_STREAM && m.h.seq == seq && m.h.rank == 0);
    CHECK(m.n == 4 && memcmp(m.body, "good", 4) == 0);
    CHECK_STR(m.id, "e0");
    link_msg_close(&m);
}

int main(void)
{
    void *ctx = zmq_ctx_new();
    router = zmq_socket(ctx, ZMQ_ROUTER);
    dealer = zmq_socket(ctx, ZMQ_DEALER);
    CHECK(zmq_bind(router, "inproc://link") == 0);
    CHECK(zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "e0", 2) == 0);
    CHECK(zmq_connect(dealer, "inproc://link") == 0);
    key = sign_new("secret", 6);
    other = sign_new("guess", 5);
    nokey = sign_new("", 0);

    /* Both directions. */
    link_hdr_t h = {LINK_HELLO, 0, 0};
    CHECK(link_send(dealer, NULL, 0, key, &h, "hi", 2) == 0);
    link_msg_t m;
    CHECK(link_recv(router, 1, key, 0, &m) == 1);
    CHECK(m.h.type == LINK_HELLO && m.n == 2 && memcmp(m.body, "hi", 2) == 0);
    CHECK_STR(m.id, "e0");
    CHECK(m.idlen == 2);
    link_msg_close(&m);
    link_hdr_t down = {LINK_SHUTDOWN, 5, -1};
    CHECK(link_send(router, "e0", 2, key, &down, NULL, 0) == 0);
    CHECK(link_recv(dealer, 0, key, 0, &m) == 1);
    CHECK(m.h.type == LINK_SHUTDOWN && m.h.seq == 5 && m.h.rank == -1 && m.n == 0);
    CHECK_STR(m.id, "");
    link_msg_close(&m);
    CHECK(link_recv(dealer, 0, key, 1, &m) == 0); /* nothing there */

    /* Forged signature. */
    uint8_t hdr[16];
    header(hdr, LINK_MAGIC, LINK_VERSION, LINK_STREAM);
    {
        const char *sig = "00000000000000000000000000000000000000000000000000000000000000aa";
        const void *p[3] = {sig, hdr, "evil"};
        size_t l[3] = {64, 16, 4};
        raw(p, l, 3);
    }
    good(1);
    expect_good(1, 1);

    /* Wrong key, and an unsigned message to a signed link. */
    link_hdr_t hs = {LINK_STREAM, 2, 0};
    CHECK(link_send(dealer, NULL, 0, other, &hs, "good", 4) == 0);
    CHECK(link_send(dealer, NULL, 0, nokey, &hs, "good", 4) == 0);
    good(2);
    expect_good(2, 2);

    /* Truncated: two frames, one frame; and one frame too many. */
    {
        const void *p[4] = {"sig", hdr, "body", "extra"};
        size_t l[4] = {3, 16, 4, 5};
        raw(p, l, 2);
        raw(p, l, 1);
        raw(p, l, 4);
    }
    good(3);
    expect_good(3, 3);

    /* Signed, but a bad magic, version, type or header size. */
    header(hdr, 0xdeadbeef, LINK_VERSION, LINK_STREAM);
    signed_raw(hdr, 16, "x");
    header(hdr, LINK_MAGIC, LINK_VERSION + 1, LINK_STREAM);
    signed_raw(hdr, 16, "x");
    header(hdr, LINK_MAGIC, LINK_VERSION, 0);
    signed_raw(hdr, 16, "x");
    header(hdr, LINK_MAGIC, LINK_VERSION, LINK_NTYPES);
    signed_raw(hdr, 16, "x");
    header(hdr, LINK_MAGIC, LINK_VERSION, LINK_STREAM);
    signed_raw(hdr, 15, "x");
    good(4);
    expect_good(4, 5);

    /* A correctly signed raw message is accepted (the check above is not too strict). */
    signed_raw(hdr, 16, "good");
    expect_good(7, 0);

    /* An empty key on both sides: unsigned links work. */
    CHECK(link_send(dealer, NULL, 0, nokey, &hs, "good", 4) == 0);
    CHECK(link_recv(router, 1, nokey, 0, &m) == 1);
    CHECK(m.h.seq == 2);
    link_msg_close(&m);

    /* Out of memory while receiving: an error, not a crash. */
    good(8);
    mem_fail_after(0);
    CHECK(link_recv(router, 1, key, 0, &m) == -1);
    mem_fail_after(-1);
    expect_good(8, 0);

    link_msg_close(&m); /* closing twice is harmless */
    sign_destroy(&key);
    sign_destroy(&other);
    sign_destroy(&nokey);
    zmq_close(dealer);
    zmq_close(router);
    zmq_ctx_term(ctx);
    return check_done();
}
