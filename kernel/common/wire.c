/* wire.c - see wire.h. Values are written little-endian byte by byte so the encoding does
 * not depend on the host (a cluster may mix them, however unlikely). */
#include "wire.h"
#include "mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void wbuf_init(wbuf_t *b)
{
    memset(b, 0, sizeof *b);
}

void wbuf_free(wbuf_t *b)
{
    mem_free(b->p);
    wbuf_init(b);
}

static int reserve(wbuf_t *b, size_t n)
{
    size_t need;
    if (b->oom) return -1;
    if (mem_add(b->len, n, &need)) goto fail;
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) {
        if (mem_mul(cap, 2, &cap)) goto fail;
    }
    uint8_t *p = mem_realloc(b->p, cap);
    if (!p) goto fail;
    b->p = p;
    b->cap = cap;
    return 0;
fail:
    b->oom = 1;
    return -1;
}

static void put_le(wbuf_t *b, uint64_t v, int n)
{
    if (reserve(b, n)) return;
    for (int i = 0; i < n; i++)
        b->p[b->len++] = (uint8_t)(v >> (8 * i));
}

void wbuf_u8(wbuf_t *b, uint8_t v)
{
    put_le(b, v, 1);
}
void wbuf_u16(wbuf_t *b, uint16_t v)
{
    put_le(b, v, 2);
}
void wbuf_u32(wbuf_t *b, uint32_t v)
{
    put_le(b, v, 4);
}
void wbuf_u64(wbuf_t *b, uint64_t v)
{
    put_le(b, v, 8);
}
void wbuf_i32(wbuf_t *b, int32_t v)
{
    put_le(b, (uint32_t)v, 4);
}
void wbuf_i64(wbuf_t *b, int64_t v)
{
    put_le(b, (uint64_t)v, 8);
}
void wbuf_f64(wbuf_t *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    put_le(b, u, 8);
}

void wbuf_bytes(wbuf_t *b, const void *p, size_t n)
{
    if (!n || reserve(b, n)) return;
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

void wbuf_str(wbuf_t *b, const char *s, size_t n)
{
    if (n > UINT32_MAX) {
        b->oom = 1;
        return;
    }
    wbuf_u32(b, (uint32_t)n);
    wbuf_bytes(b, s, n);
}

void wbuf_cstr(wbuf_t *b, const char *s)
{
    wbuf_str(b, s, strlen(s));
}

void wbuf_printf(wbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(b, (size_t)n + 1)) return;
    va_start(ap, fmt);
    vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void wbuf_html(wbuf_t *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '<')
            wbuf_printf(b, "&lt;");
        else if (s[i] == '>')
            wbuf_printf(b, "&gt;");
        else if (s[i] == '&')
            wbuf_printf(b, "&amp;");
        else
            wbuf_bytes(b, s + i, 1);
    }
}

const char *wbuf_cstring(wbuf_t *b)
{
    if (reserve(b, 1)) return "";
    b->p[b->len] = 0;
    return (const char *)b->p;
}

void rbuf_init(rbuf_t *r, const void *p, size_t len)
{
    r->p = p;
    r->len = len;
    r->off = 0;
    r->bad = 0;
}

static uint64_t get_le(rbuf_t *r, int n)
{
    if (r->bad || r->len - r->off < (size_t)n) {
        r->bad = 1;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)r->p[r->off + i] << (8 * i);
    r->off += n;
    return v;
}

uint8_t rbuf_u8(rbuf_t *r)
{
    return (uint8_t)get_le(r, 1);
}
uint16_t rbuf_u16(rbuf_t *r)
{
    return (uint16_t)get_le(r, 2);
}
uint32_t rbuf_u32(rbuf_t *r)
{
    return (uint32_t)get_le(r, 4);
}
uint64_t rbuf_u64(rbuf_t *r)
{
    return get_le(r, 8);
}
int32_t rbuf_i32(rbuf_t *r)
{
    return (int32_t)(uint32_t)get_le(r, 4);
}
int64_t rbuf_i64(rbuf_t *r)
{
    return (int64_t)get_le(r, 8);
}
double rbuf_f64(rbuf_t *r)
{
    uint64_t u = get_le(r, 8);
    double d;
    memcpy(&d, &u, 8);
    return d;
}

const void *rbuf_bytes(rbuf_t *r, size_t n)
{
    if (r->bad || r->len - r->off < n) {
        r->bad = 1;
        return NULL;
    }
    const void *p = r->p + r->off;
    r->off += n;
    return p;
}

const char *rbuf_str(rbuf_t *r, size_t *n)
{
    uint32_t len = rbuf_u32(r);
    const char *p = rbuf_bytes(r, len);
    if (!p) {
        *n = 0;
        return "";
    }
    *n = len;
    return p;
}

size_t rbuf_left(const rbuf_t *r)
{
    return r->bad ? 0 : r->len - r->off;
}
