/* mem.c - checked allocation with fault injection (see mem.h). The counters are the only
 * mutable globals in parc: they exist for tests and are touched by one thread per process. */
#include "mem.h"

#include <stdlib.h>
#include <string.h>

static long fail_after = -1;
static size_t count;

static int should_fail(void)
{
    count++;
    if (fail_after < 0) return 0;
    if (fail_after == 0) {
        fail_after = -1;
        return 1;
    }
    fail_after--;
    return 0;
}

void *mem_alloc(size_t n)
{
    if (should_fail()) return NULL;
    return malloc(n ? n : 1);
}

void *mem_calloc(size_t n, size_t sz)
{
    size_t t;
    if (mem_mul(n, sz, &t) || should_fail()) return NULL;
    return calloc(t ? t : 1, 1);
}

void *mem_realloc(void *p, size_t n)
{
    if (should_fail()) return NULL;
    return realloc(p, n ? n : 1);
}

void *mem_aligned(size_t align, size_t n)
{
    void *p = NULL;
    if (should_fail()) return NULL;
    if (posix_memalign(&p, align, n ? n : 1)) return NULL;
    return p;
}

char *mem_strndup(const char *s, size_t n)
{
    char *d = mem_alloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

char *mem_strdup(const char *s)
{
    return s ? mem_strndup(s, strlen(s)) : NULL;
}

void mem_free(void *p)
{
    free(p);
}

int mem_mul(size_t a, size_t b, size_t *out)
{
    size_t r;
    if (__builtin_mul_overflow(a, b, &r)) return -1;
    *out = r;
    return 0;
}

int mem_add(size_t a, size_t b, size_t *out)
{
    size_t r;
    if (__builtin_add_overflow(a, b, &r)) return -1;
    *out = r;
    return 0;
}

void mem_fail_after(long n)
{
    fail_after = n;
}

size_t mem_count(void)
{
    return count;
}

void *mem_grow_zero(void *p, size_t *n, size_t need, size_t sz)
{
    if (need <= *n) return p;
    size_t bytes;
    if (mem_mul(need, sz, &bytes)) return NULL;
    char *q = mem_realloc(p, bytes);
    if (!q) return NULL;
    memset(q + *n * sz, 0, (need - *n) * sz);
    *n = need;
    return q;
}
