/* hex.h - bytes as lower-case hexadecimal text and back: HMAC digests, the session key in
 * the attach file, message ids. */
#ifndef PARC_HEX_H
#define PARC_HEX_H

#include <stddef.h>

/* Writes the 2n hex digits of the n bytes at p to out, then a NUL (out holds 2n + 1). */
void hex_encode(const void *p, size_t n, char *out);
/* Reads the n hex digits at s (either case) as n/2 bytes into out (cap bytes). Returns the
 * byte count, or -1 when n is odd, the bytes do not fit, or a character is not a digit
 * (out may then be partly written). */
long hex_decode(const char *s, size_t n, void *out, size_t cap);

#endif
