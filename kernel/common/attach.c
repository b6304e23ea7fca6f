/* attach.c - writes and reads the attach file (see attach.h). */
#include "attach.h"
#include "hex.h"
#include "mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATTACH_FILE_MAX 65536 /* longer than any real attach file */

int attach_format(const attach_t *a, wbuf_t *out, err_t *err)
{
    if (strpbrk(a->address, "\r\n") || strpbrk(a->kernel_host, "\r\n") ||
        a->keylen > ATTACH_KEY_MAX)
        return err_set(err, PARC_EVALUE, (span_t){0}, "attach file: a field does not fit a line");
    char key[2 * ATTACH_KEY_MAX + 1];
    hex_encode(a->key, a->keylen, key);
    wbuf_printf(out,
                "# parc engine attach file: parc-engine --attach THIS_FILE\n"
                "address=%s\nkey=%s\nsignature_scheme=hmac-sha256\n"
                "kernel_pid=%ld\nkernel_host=%s\n",
                a->address, key, a->kernel_pid, a->kernel_host);
    memset(key, 0, sizeof key);
    if (out->oom) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    return 0;
}

/* Copies n bytes of v into dst (cap bytes with the NUL); 0, or -1 when too long. */
static int copy(char *dst, size_t cap, const char *v, size_t n)
{
    if (n >= cap) return -1;
    memcpy(dst, v, n);
    dst[n] = 0;
    return 0;
}

/* One "key=value" line (no newline). 0, or -1 with *what naming the bad field. */
static int line(attach_t *a, const char *s, size_t n, const char **what)
{
    const char *eq = memchr(s, '=', n);
    if (!n || s[0] == '#' || !eq) return 0;
    size_t kn = (size_t)(eq - s), vn = n - kn - 1;
    const char *v = eq + 1;
    if (kn == 7 && memcmp(s, "address", 7) == 0) {
        *what = "address";
        return copy(a->address, sizeof a->address, v, vn);
    }
    if (kn == 3 && memcmp(s, "key", 3) == 0) {
        *what = "key";
        long k = hex_decode(v, vn, a->key, sizeof a->key);
        if (k < 0) return -1;
        a->keylen = (size_t)k;
        return 0;
    }
    if (kn == 16 && memcmp(s, "signature_scheme", 16) == 0) {
        *what = "signature_scheme";
        return vn == 0 || (vn == 11 && memcmp(v, "hmac-sha256", 11) == 0) ? 0 : -1;
    }
    if (kn == 10 && memcmp(s, "kernel_pid", 10) == 0) {
        char num[24];
        if (copy(num, sizeof num, v, vn) == 0) a->kernel_pid = strtol(num, NULL, 10);
        return 0;
    }
    if (kn == 11 && memcmp(s, "kernel_host", 11) == 0) {
        *what = "kernel_host";
        return copy(a->kernel_host, sizeof a->kernel_host, v, vn);
    }
    return 0;
}

int attach_parse(const char *text, size_t len, attach_t *out, err_t *err)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len, n = end - i;
        if (n && text[i + n - 1] == '\r') n--;
        const char *what = "";
        if (line(out, text + i, n, &what) != 0) {
            attach_wipe(out);
            return err_set(err, PARC_EVALUE, (span_t){0}, "attach file: bad %s", what);
        }
        i = end + 1;
    }
    if (!out->address[0]) {
        attach_wipe(out);
        return err_set(err, PARC_EVALUE, (span_t){0}, "attach file: no address");
    }
    return 0;
}

int attach_read(const char *path, attach_t *out, err_t *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return err_set(err, PARC_EIO, (span_t){0}, "cannot open attach file %s: %s", path,
                       strerror(errno));
    char *buf = mem_alloc(ATTACH_FILE_MAX);
    if (!buf) {
        fclose(f);
        return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    }
    size_t n = fread(buf, 1, ATTACH_FILE_MAX, f);
    int bad = ferror(f) || n == ATTACH_FILE_MAX;
    fclose(f);
    int rc = bad ? err_set(err, PARC_EIO, (span_t){0}, "cannot read attach file %s", path)
                 : attach_parse(buf, n, out, err);
    memset(buf, 0, n);
    mem_free(buf);
    return rc;
}

void attach_wipe(attach_t *a)
{
    memset(a->key, 0, sizeof a->key);
    a->keylen = 0;
}
