/* attach.h - the attach file: what an engine rank needs to join a kernel, written by the
 * kernel (launch_) and read by every engine. Text, one key=value per line, '#' comments:
 *
 *   # parc engine attach file: parc-engine --attach THIS_FILE
 *   address=tcp://127.0.0.1:40123      the kernel's engine socket
 *   key=6b6579                         the session key, hex ("" = no signing)
 *   signature_scheme=hmac-sha256
 *   kernel_pid=4242
 *   kernel_host=node1
 *
 * Readers skip keys they do not know, so later versions may add lines. */
#ifndef PARC_ATTACH_H
#define PARC_ATTACH_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "wire.h"

#define ATTACH_KEY_MAX 512 /* bytes of session key */

typedef struct {
    char address[512];
    uint8_t key[ATTACH_KEY_MAX];
    size_t keylen;
    long kernel_pid; /* 0 when unknown */
    char kernel_host[256];
} attach_t;

/* Appends the file's text for a to out. 0, or PARC_EVALUE when a field does not fit a
 * line (a newline in it) or PARC_ENOMEM. */
int attach_format(const attach_t *a, wbuf_t *out, err_t *err);
/* Parses len bytes of attach-file text into out. 0, or PARC_EVALUE with err set when the
 * address is missing or too long, the key is not hex or too long, or the signature scheme
 * is not hmac-sha256. */
int attach_parse(const char *text, size_t len, attach_t *out, err_t *err);
/* Reads and parses the file at path. 0, PARC_EIO (cannot read) or PARC_EVALUE with err. */
int attach_read(const char *path, attach_t *out, err_t *err);
/* Zeroes the key in a (call when done with it). */
void attach_wipe(attach_t *a);

#endif
