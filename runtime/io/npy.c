/* npy.c - the .npy header (npy.h), written as NumPy 1.24's _write_array_header writes it:
 * the dict's keys sorted, the shape's repr, 21 - len(repr(shape[0])) spaces of room to
 * grow, then spaces and a newline up to a multiple of 64 bytes (ARRAY_ALIGN), so a parc
 * file and np.save's file of the same array are the same bytes. The parser takes what
 * NumPy's safe_eval would: the three keys in any order, either quote, a trailing comma,
 * Python 2's 'L' suffix (removed by NumPy's _filter_header), whitespace anywhere. */
#include "npy.h"

#include <stdio.h>
#include <string.h>

#include "dtype.h"

static const char *const DESCR[DT_COUNT] = {"|b1", "<i4", "<i8", "<f4", "<f8", "<c16"};

int npy_header(int dtype, int ndim, const int64_t *shape, char *buf, size_t cap, size_t *len)
{
    char dict[64 + DIST_MAXDIM * 24];
    int k = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                     DESCR[dtype]);
    for (int i = 0; i < ndim; i++)
        k +=
            snprintf(dict + k, sizeof dict - (size_t)k, i ? ", %lld" : "%lld", (long long)shape[i]);
    k += snprintf(dict + k, sizeof dict - (size_t)k, "%s), }", ndim == 1 ? "," : "");
    if (ndim > 0) {
        char first[24];
        int grow = 21 - snprintf(first, sizeof first, "%lld", (long long)shape[0]);
        for (int i = 0; i < grow; i++)
            dict[k++] = ' ';
    }
    size_t hlen = (size_t)k + 1, prefix = 10;
    size_t pad = 64 - (prefix + hlen) % 64;
    if (hlen + pad > 65535) {
        prefix = 12;
        pad = 64 - (prefix + hlen) % 64;
    }
    size_t total = prefix + hlen + pad;
    if (total > cap) return -1;
    uint32_t hl = (uint32_t)(hlen + pad);
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = prefix == 10 ? 1 : 2;
    buf[7] = 0;
    for (size_t i = 0; i < prefix - 8; i++)
        buf[8 + i] = (char)(hl >> (8 * i) & 0xff);
    memcpy(buf + prefix, dict, (size_t)k);
    memset(buf + prefix + k, ' ', pad);
    buf[total - 1] = '\n';
    *len = total;
    return 0;
}

/* ---- the parser: a cursor over the dict's text ---- */

typedef struct {
    const char *s, *end;
    char *msg;
    size_t cap;
} cur_t;

static void ws(cur_t *c)
{
    while (c->s < c->end && (*c->s == ' ' || *c->s == '\t' || *c->s == '\n' || *c->s == '\r'))
        c->s++;
}

static int eat(cur_t *c, char ch)
{
    ws(c);
    if (c->s < c->end && *c->s == ch) {
        c->s++;
        return 1;
    }
    return 0;
}

/* A quoted string into out (at most cap - 1 bytes kept). */
static int str(cur_t *c, char *out, size_t cap)
{
    ws(c);
    if (c->s >= c->end || (*c->s != '\'' && *c->s != '"')) return 0;
    char q = *c->s++;
    size_t n = 0;
    while (c->s < c->end && *c->s != q) {
        if (n + 1 < cap) out[n++] = *c->s;
        c->s++;
    }
    out[n] = 0;
    if (c->s >= c->end) return 0;
    c->s++;
    return 1;
}

static int word(cur_t *c, const char *w)
{
    ws(c);
    size_t n = strlen(w);
    if ((size_t)(c->end - c->s) >= n && memcmp(c->s, w, n) == 0) {
        c->s += n;
        return 1;
    }
    return 0;
}

static int bad(cur_t *c, const char *what)
{
    snprintf(c->msg, c->cap, "%s", what);
    return PARC_EVALUE;
}

static int shape(cur_t *c, npy_hdr_t *h)
{
    if (!eat(c, '(')) return bad(c, "shape is not valid: not a tuple");
    h->ndim = 0;
    for (;;) {
        ws(c);
        if (eat(c, ')')) return 0;
        int64_t v = 0;
        int digits = 0;
        while (c->s < c->end && *c->s >= '0' && *c->s <= '9') {
            if (v > (INT64_MAX - 9) / 10) return bad(c, "shape is not valid: too large");
            v = v * 10 + (*c->s++ - '0');
            digits++;
        }
        if (!digits) return bad(c, "shape is not valid: not a tuple of non-negative integers");
        if (c->s < c->end && (*c->s == 'L' || *c->s == 'l')) c->s++;
        if (h->ndim == DIST_MAXDIM) return bad(c, "shape is not valid: more than 8 dimensions");
        h->shape[h->ndim++] = v;
        if (eat(c, ')')) return 0;
        if (!eat(c, ',')) return bad(c, "shape is not valid: expected ',' or ')'");
    }
}

static int descr(cur_t *c, npy_hdr_t *h)
{
    ws(c);
    if (c->s < c->end && *c->s == '[')
        return bad(c, "structured dtypes (a descr list) are not supported: parc's dtypes are "
                      "bool, int32, int64, float32, float64 and complex128");
    if (!str(c, h->descr, sizeof h->descr)) return bad(c, "descr is not a valid dtype descriptor");
    const char *d = h->descr;
    char order = *d;
    if (order == '<' || order == '>' || order == '|' || order == '=')
        d++;
    else
        order = '=';
    static const char *const code[DT_COUNT] = {"b1", "i4", "i8", "f4", "f8", "c16"};
    for (int t = 0; t < DT_COUNT; t++)
        if (strcmp(d, code[t]) == 0 && (t == DT_BOOL || order != '|')) {
            h->dtype = t;
            h->swap = order == '>' && t != DT_BOOL;
            return 0;
        }
    snprintf(c->msg, c->cap,
             "dtype '%s' is not supported: parc's dtypes are bool, int32, int64, float32, "
             "float64 and complex128",
             h->descr);
    return PARC_EVALUE;
}

int npy_parse(const unsigned char *buf, size_t n, npy_hdr_t *h, char *msg, size_t cap)
{
    memset(h, 0, sizeof *h);
    if (n < 8 || memcmp(buf, "\x93NUMPY", 6) != 0) {
        snprintf(msg, cap, "the magic string is not correct; expected b'\\x93NUMPY'%s",
                 n < 8 ? " (the file is shorter than the magic)" : "");
        return PARC_EVALUE;
    }
    int major = buf[6], minor = buf[7];
    if ((major < 1 || major > 3) || minor != 0) {
        snprintf(msg, cap, "we only support format version (1,0), (2,0), and (3,0), not (%d, %d)",
                 major, minor);
        return PARC_EVALUE;
    }
    size_t prefix = major == 1 ? 10 : 12;
    if (n < prefix) {
        h->data_off = (int64_t)prefix;
        return 1;
    }
    uint64_t hl = 0;
    for (size_t i = 0; i < prefix - 8; i++)
        hl |= (uint64_t)buf[8 + i] << (8 * i);
    if (hl > NPY_MAX_HEADER) {
        snprintf(msg, cap, "Header info length (%llu) is large and may not be safe to load",
                 (unsigned long long)hl);
        return PARC_EVALUE;
    }
    h->data_off = (int64_t)(prefix + hl);
    if (n < prefix + hl) return 1;
    cur_t c = {(const char *)buf + prefix, (const char *)buf + prefix + hl, msg, cap};
    int seen[3] = {0, 0, 0}, rc = 0;
    if (!eat(&c, '{')) return bad(&c, "Header is not a dictionary");
    while (!rc && !eat(&c, '}')) {
        char key[32];
        if (!str(&c, key, sizeof key) || !eat(&c, ':'))
            return bad(&c, "Cannot parse header: expected 'key': value");
        int which = strcmp(key, "descr") == 0           ? 0
                    : strcmp(key, "fortran_order") == 0 ? 1
                    : strcmp(key, "shape") == 0         ? 2
                                                        : -1;
        if (which < 0 || seen[which])
            return bad(&c, "Header does not contain the correct keys: expected 'descr', "
                           "'fortran_order' and 'shape'");
        seen[which] = 1;
        if (which == 0)
            rc = descr(&c, h);
        else if (which == 1) {
            if (word(&c, "True"))
                h->fortran = 1;
            else if (!word(&c, "False"))
                return bad(&c, "fortran_order is not a valid bool");
        } else
            rc = shape(&c, h);
        if (!rc && !eat(&c, ',') && (ws(&c), c.s < c.end && *c.s != '}'))
            return bad(&c, "Cannot parse header: expected ',' or '}'");
    }
    if (rc) return rc;
    ws(&c);
    if (c.s != c.end) return bad(&c, "Cannot parse header: text after the dictionary");
    if (!seen[0] || !seen[1] || !seen[2])
        return bad(&c, "Header does not contain the correct keys: expected 'descr', "
                       "'fortran_order' and 'shape'");
    return 0;
}

int64_t npy_data_bytes(const npy_hdr_t *h)
{
    int64_t n = (int64_t)dt_size(h->dtype);
    for (int i = 0; i < h->ndim; i++) {
        if (h->shape[i] && n > INT64_MAX / h->shape[i]) return -1;
        n *= h->shape[i];
    }
    return n;
}

void npy_swap(int dtype, void *p, int64_t n)
{
    size_t w = dtype == DT_COMPLEX128 ? 8 : dt_size(dtype);
    if (w == 1) return;
    if (dtype == DT_COMPLEX128) n *= 2;
    unsigned char *b = p;
    for (int64_t i = 0; i < n; i++, b += w)
        for (size_t j = 0; j < w / 2; j++) {
            unsigned char t = b[j];
            b[j] = b[w - 1 - j];
            b[w - 1 - j] = t;
        }
}
