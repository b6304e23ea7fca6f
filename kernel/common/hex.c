/* hex.c - hexadecimal text for bytes (see hex.h). */
#include "hex.h"

#include <stdint.h>

void hex_encode(const void *p, size_t n, char *out)
{
    static const char digit[] = "0123456789abcdef";
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digit[b[i] >> 4];
        out[2 * i + 1] = digit[b[i] & 15];
    }
    out[2 * n] = 0;
}

static int value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

long hex_decode(const char *s, size_t n, void *out, size_t cap)
{
    if (n % 2 || n / 2 > cap) return -1;
    uint8_t *b = out;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = value(s[2 * i]), lo = value(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        b[i] = (uint8_t)(hi << 4 | lo);
    }
    return (long)(n / 2);
}
