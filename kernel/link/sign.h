/* sign.h - HMAC-SHA256 over message parts with the session key (OpenSSL 3 EVP_MAC).
 * Used for Jupyter wire messages (hex digest over header, parent, metadata, content) and for
 * every kernel<->engine link message. An empty key means "no signing": sign_hex writes ""
 * and sign_check_hex accepts only "". Checks compare lengths first, then CRYPTO_memcmp, so
 * they take the same time whatever the first differing byte is. */
#ifndef PARC_SIGN_H
#define PARC_SIGN_H

#include <stddef.h>

typedef struct sign sign_t;

typedef struct {
    const void *p;
    size_t n;
} sign_part_t;

/* Caller owns; key is copied. NULL on failure (bad key or OpenSSL without HMAC). */
sign_t *sign_new(const void *key, size_t keylen);
void sign_destroy(sign_t **sp);    /* NULL-safe; wipes the key */
int sign_enabled(const sign_t *s); /* 0 when the key is empty */

/* Writes the lowercase hex HMAC of the concatenated parts into out (65 bytes incl. NUL;
 * "" when signing is disabled). Returns 0 or -1 on an OpenSSL failure. */
int sign_hex(const sign_t *s, const sign_part_t *parts, int nparts, char out[65]);

/* 1 when sig (siglen bytes, not NUL-terminated) is the right hex digest of parts, else 0. */
int sign_check_hex(const sign_t *s, const sign_part_t *parts, int nparts, const char *sig,
                   size_t siglen);

#endif
