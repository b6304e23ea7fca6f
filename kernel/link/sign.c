/* sign.c - HMAC-SHA256 with OpenSSL 3's EVP_MAC (see sign.h). HMAC_CTX_* is deprecated in
 * OpenSSL 3 and fails under -Werror. A sign_t holds a context keyed once (the digest looked
 * up and the key's pads hashed); each call works on a copy of it (EVP_MAC_CTX_dup), so a
 * sign_t can be shared read-only. */
#include "sign.h"
#include "hex.h"
#include "mem.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <string.h>

struct sign {
    EVP_MAC *mac;
    EVP_MAC_CTX *keyed; /* initialized with the key; only copied from */
    unsigned char *key;
    size_t keylen;
};

sign_t *sign_new(const void *key, size_t keylen)
{
    sign_t *s = mem_calloc(1, sizeof *s);
    if (!s) return NULL;
    s->key = mem_alloc(keylen + 1);
    s->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (!s->key || !s->mac) {
        sign_destroy(&s);
        return NULL;
    }
    memcpy(s->key, key, keylen);
    s->keylen = keylen;
    if (keylen) {
        char sha[] = "SHA256";
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, sha, 0),
                               OSSL_PARAM_construct_end()};
        s->keyed = EVP_MAC_CTX_new(s->mac);
        if (!s->keyed || !EVP_MAC_init(s->keyed, s->key, s->keylen, params)) {
            sign_destroy(&s);
            return NULL;
        }
    }
    return s;
}

void sign_destroy(sign_t **sp)
{
    if (!sp || !*sp) return;
    sign_t *s = *sp;
    if (s->key) OPENSSL_cleanse(s->key, s->keylen);
    mem_free(s->key);
    EVP_MAC_CTX_free(s->keyed);
    EVP_MAC_free(s->mac);
    mem_free(s);
    *sp = NULL;
}

int sign_enabled(const sign_t *s)
{
    return s && s->keylen > 0;
}

static int digest(const sign_t *s, const sign_part_t *parts, int nparts, unsigned char out[32])
{
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(s->keyed);
    size_t len = 0;
    int ok = ctx != NULL;
    for (int i = 0; ok && i < nparts; i++)
        ok = EVP_MAC_update(ctx, parts[i].p, parts[i].n);
    ok = ok && EVP_MAC_final(ctx, out, &len, 32) && len == 32;
    EVP_MAC_CTX_free(ctx);
    return ok ? 0 : -1;
}

int sign_hex(const sign_t *s, const sign_part_t *parts, int nparts, char out[65])
{
    out[0] = 0;
    if (!sign_enabled(s)) return 0;
    unsigned char d[32];
    if (digest(s, parts, nparts, d)) return -1;
    hex_encode(d, sizeof d, out);
    return 0;
}

int sign_check_hex(const sign_t *s, const sign_part_t *parts, int nparts, const char *sig,
                   size_t siglen)
{
    if (!sign_enabled(s)) return siglen == 0;
    char want[65];
    if (siglen != 64 || sign_hex(s, parts, nparts, want)) return 0;
    return CRYPTO_memcmp(want, sig, 64) == 0;
}
