/* test_attach.c - the attach file (attach.h) and the hex encoding under it: what the kernel
 * writes the engines read back field for field (keys with every byte value, no key, long
 * fields); malformed files are refused with ValueError; allocation failures are errors. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "attach.h"
#include "check.h"
#include "hex.h"
#include "mem.h"

static void test_hex(void)
{
    const unsigned char b[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
    char s[2 * sizeof b + 1];
    hex_encode(b, sizeof b, s);
    CHECK_STR(s, "00017f80abff");
    unsigned char back[8];
    CHECK(hex_decode(s, strlen(s), back, sizeof back) == (long)sizeof b);
    CHECK(memcmp(back, b, sizeof b) == 0);
    CHECK(hex_decode("ABcd", 4, back, sizeof back) == 2 && back[0] == 0xab && back[1] == 0xcd);
    CHECK(hex_decode("", 0, back, sizeof back) == 0);
    CHECK(hex_decode("abc", 3, back, sizeof back) == -1); /* odd */
    CHECK(hex_decode("0g", 2, back, sizeof back) == -1);  /* not a digit */
    CHECK(hex_decode("000000", 6, back, 2) == -1);        /* does not fit */
    char empty[1] = {'x'};
    hex_encode(b, 0, empty);
    CHECK(empty[0] == 0);
}

/* Formats a, parses the text back, and checks every field came through. */
static void roundtrip(const attach_t *a)
{
    wbuf_t w;
    wbuf_init(&w);
    err_t err;
    err_clear(&err);
    CHECK(attach_format(a, &w, &err) == 0);
    attach_t b;
    CHECK(attach_parse((const char *)w.p, w.len, &b, &err) == 0);
    CHECK(err.code == 0);
    CHECK_STR(b.address, a->address);
    CHECK_STR(b.kernel_host, a->kernel_host);
    CHECK(b.kernel_pid == a->kernel_pid);
    CHECK(b.keylen == a->keylen && memcmp(b.key, a->key, a->keylen) == 0);
    wbuf_free(&w);
}

static void test_roundtrip(void)
{
    attach_t a = {.address = "tcp://127.0.0.1:40123", .kernel_pid = 4242, .kernel_host = "n1"};
    memcpy(a.key, "5e1f-key", 8);
    a.keylen = 8;
    roundtrip(&a);
    for (size_t i = 0; i < ATTACH_KEY_MAX; i++)
        a.key[i] = (uint8_t)(i * 37 + 11);
    a.keylen = ATTACH_KEY_MAX;
    memset(a.address, 'a', sizeof a.address - 1);
    memset(a.kernel_host, 'h', sizeof a.kernel_host - 1);
    roundtrip(&a);
    attach_t none = {.address = "tcp://h:1"}; /* no key: no signing; pid unknown */
    roundtrip(&none);

    /* The text is what docs/engines.md shows. */
    wbuf_t w;
    wbuf_init(&w);
    attach_t doc = {.address = "tcp://127.0.0.1:5",
                    .key = {'k', 'e', 'y'},
                    .keylen = 3,
                    .kernel_pid = 7,
                    .kernel_host = "node1"};
    CHECK(attach_format(&doc, &w, NULL) == 0);
    CHECK_STR(wbuf_cstring(&w), "# parc engine attach file: parc-engine --attach THIS_FILE\n"
                                "address=tcp://127.0.0.1:5\nkey=6b6579\n"
                                "signature_scheme=hmac-sha256\nkernel_pid=7\n"
                                "kernel_host=node1\n");
    wbuf_free(&w);

    /* A newline in a field would forge a line: refused. */
    attach_t nl = {.address = "tcp://h:1\nkey=00"};
    wbuf_init(&w);
    err_t err;
    err_clear(&err);
    CHECK(attach_format(&nl, &w, &err) == PARC_EVALUE);
    wbuf_free(&w);
}

static int parses(const char *text, attach_t *a)
{
    err_t err;
    err_clear(&err);
    int rc = attach_parse(text, strlen(text), a, &err);
    CHECK(rc == err.code);
    return rc;
}

static void test_parse(void)
{
    attach_t a;
    /* CRLF, comments, blank lines, unknown keys and an empty scheme are fine. */
    CHECK(parses("# x\r\n\r\naddress=tcp://a:1\r\nfuture=1\nsignature_scheme=\nkey=0a0B", &a) == 0);
    CHECK_STR(a.address, "tcp://a:1");
    CHECK(a.keylen == 2 && a.key[0] == 0x0a && a.key[1] == 0x0b && a.kernel_pid == 0);
    CHECK(parses("", &a) == PARC_EVALUE);                            /* no address */
    CHECK(parses("key=00\n", &a) == PARC_EVALUE);                    /* no address */
    CHECK(parses("address=tcp://a:1\nkey=0\n", &a) == PARC_EVALUE);  /* odd key */
    CHECK(parses("address=tcp://a:1\nkey=zz\n", &a) == PARC_EVALUE); /* not hex */
    CHECK(a.keylen == 0);                                            /* wiped */
    CHECK(parses("address=tcp://a:1\nsignature_scheme=md5\n", &a) == PARC_EVALUE);
    char big[2 * ATTACH_KEY_MAX + 40];
    snprintf(big, sizeof big, "address=x\nkey=");
    size_t n = strlen(big);
    memset(big + n, '0', 2 * ATTACH_KEY_MAX + 2);
    big[n + 2 * ATTACH_KEY_MAX + 2] = 0;
    CHECK(parses(big, &a) == PARC_EVALUE); /* key too long */
    char addr[600] = "address=";
    memset(addr + 8, 'a', 520);
    addr[528] = 0;
    CHECK(parses(addr, &a) == PARC_EVALUE); /* address too long */
}

static void test_file(void)
{
    char path[] = "/tmp/parc-test-attach-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    attach_t a = {.address = "tcp://127.0.0.1:9",
                  .key = {1, 2, 3},
                  .keylen = 3,
                  .kernel_pid = 99,
                  .kernel_host = "here"};
    wbuf_t w;
    wbuf_init(&w);
    CHECK(attach_format(&a, &w, NULL) == 0);
    CHECK(write(fd, w.p, w.len) == (ssize_t)w.len);
    close(fd);
    wbuf_free(&w);
    attach_t b;
    err_t err;
    err_clear(&err);
    CHECK(attach_read(path, &b, &err) == 0);
    CHECK_STR(b.address, a.address);
    CHECK(b.keylen == 3 && b.key[2] == 3 && b.kernel_pid == 99);
    /* Every allocation attach_read makes may fail: an error, never a crash. */
    for (long k = 0; k < 4; k++) {
        err_clear(&err);
        mem_fail_after(k);
        int rc = attach_read(path, &b, &err);
        mem_fail_after(-1);
        CHECK(rc == 0 || rc == PARC_ENOMEM);
    }
    unlink(path);
    err_clear(&err);
    CHECK(attach_read(path, &b, &err) == PARC_EIO);
    CHECK(strstr(err.msg, path) != NULL);
}

int main(void)
{
    test_hex();
    test_roundtrip();
    test_parse();
    test_file();
    return check_done();
}
