/* wire.h - little-endian byte encoding shared by the IR and the kernel<->engine link.
 * wbuf_t grows as it is written; a failed allocation sets oom and later writes are no-ops
 * (check once at the end). rbuf_t reads from borrowed bytes; reading past the end sets bad
 * and returns zeros (check once at the end). Strings are a u32 length and the bytes. */
#ifndef PARC_WIRE_H
#define PARC_WIRE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *p; /* owned, mem_alloc'ed; NULL until the first write */
    size_t len, cap;
    int oom; /* set once a growth failed */
} wbuf_t;

void wbuf_init(wbuf_t *b);
void wbuf_free(wbuf_t *b); /* frees p and resets b */
void wbuf_u8(wbuf_t *b, uint8_t v);
void wbuf_u16(wbuf_t *b, uint16_t v);
void wbuf_u32(wbuf_t *b, uint32_t v);
void wbuf_u64(wbuf_t *b, uint64_t v);
void wbuf_i32(wbuf_t *b, int32_t v);
void wbuf_i64(wbuf_t *b, int64_t v);
void wbuf_f64(wbuf_t *b, double v);
void wbuf_bytes(wbuf_t *b, const void *p, size_t n);
void wbuf_str(wbuf_t *b, const char *s, size_t n); /* u32 n, then n bytes */
void wbuf_cstr(wbuf_t *b, const char *s);          /* wbuf_str(b, s, strlen(s)) */
/* printf-style append of text (no length prefix; not NUL-terminated in len). */
void wbuf_printf(wbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Makes p NUL-terminated (without counting it in len) and returns p; "" if empty or oom. */
/* Appends s[0..n) with HTML's three special characters (< > &) escaped. */
void wbuf_html(wbuf_t *b, const char *s, size_t n);
const char *wbuf_cstring(wbuf_t *b);

typedef struct {
    const uint8_t *p; /* borrowed */
    size_t len, off;
    int bad; /* set once a read ran past the end or a length was absurd */
} rbuf_t;

void rbuf_init(rbuf_t *r, const void *p, size_t len);
uint8_t rbuf_u8(rbuf_t *r);
uint16_t rbuf_u16(rbuf_t *r);
uint32_t rbuf_u32(rbuf_t *r);
uint64_t rbuf_u64(rbuf_t *r);
int32_t rbuf_i32(rbuf_t *r);
int64_t rbuf_i64(rbuf_t *r);
double rbuf_f64(rbuf_t *r);
/* A length-prefixed string: pointer into r's bytes (not NUL-terminated), *n its length.
 * Returns "" with *n = 0 and sets bad when it does not fit. */
const char *rbuf_str(rbuf_t *r, size_t *n);
const void *rbuf_bytes(rbuf_t *r, size_t n); /* n raw bytes, or NULL and bad */
size_t rbuf_left(const rbuf_t *r);

#endif
