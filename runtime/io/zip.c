/* zip.c - ZIP records for .npz files (zip.h), little-endian as APPNOTE 6.3 lays them out.
 * Written members are stored (method 0, np.savez) or deflated (8, np.savez_compressed), with
 * a fixed 1980-01-01 timestamp (so the same arrays give the same bytes) and Unix mode 0644;
 * values of 4 GiB or more go to Zip64 extra fields and end records (version 4.5), written
 * on every record when asked (as zipfile's force_zip64). Python's zipfile, which np.load
 * uses, reads them. The reader takes what zipfile writes for np.savez and
 * np.savez_compressed: Zip64 extra fields on any entry (force_zip64 writes them on local
 * headers) and the Zip64 end records of large archives. */
#include "zip.h"

#include <stdio.h>
#include <string.h>

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v & 0xffff);
    put16(p + 2, v >> 16);
}

static uint32_t get16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) | get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

#define DOS_DATE 0x21 /* 1980-01-01 */

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

/* A 32-bit field, or 0xffffffff when the value goes to the Zip64 extra field. */
static uint32_t field(uint64_t v, int in64)
{
    return in64 ? 0xffffffffu : (uint32_t)v;
}

/* The fields a local header (from its offset 4) and a central directory entry (from 6)
 * share, from the version needed to the extra field's length: e's method, timestamp, CRC,
 * sizes (csize, usize as given) and name length; xl bytes of extra field. */
static void common(uint8_t *p, const zip_entry_t *e, int in64, uint32_t csize, uint32_t usize,
                   size_t xl)
{
    put16(p, in64 ? 45 : 20);
    put16(p + 4, e->method);
    put16(p + 8, DOS_DATE);
    put32(p + 10, e->crc);
    put32(p + 14, csize);
    put32(p + 18, usize);
    put16(p + 22, (uint32_t)strlen(e->name));
    put16(p + 24, (uint32_t)xl);
}

/* The Zip64 extra field (id 1) at x with the k values v: its length. */
static size_t extra64(uint8_t *x, const uint64_t *v, int k)
{
    if (!k) return 0;
    put16(x, 1);
    put16(x + 2, 8u * (uint32_t)k);
    for (int i = 0; i < k; i++)
        put64(x + 4 + 8 * i, v[i]);
    return 4 + 8 * (size_t)k;
}

size_t zip_local(uint8_t *out, const zip_entry_t *e, int zip64)
{
    size_t n = strlen(e->name);
    memset(out, 0, ZIP_LOCAL);
    put32(out, 0x04034b50);
    /* a local header's Zip64 field holds both sizes, uncompressed first */
    const uint64_t v[2] = {e->usize, e->csize};
    size_t xl = extra64(out + ZIP_LOCAL + n, v, zip64 ? 2 : 0);
    common(out + 4, e, zip64, field(e->csize, zip64), field(e->usize, zip64), xl);
    memcpy(out + ZIP_LOCAL, e->name, n);
    return ZIP_LOCAL + n + xl;
}

size_t zip_center(uint8_t *out, const zip_entry_t *e, int zip64)
{
    size_t n = strlen(e->name);
    int big[3] = {zip64 || e->usize >= ZIP_MAX, zip64 || e->csize >= ZIP_MAX,
                  zip64 || e->offset >= ZIP_MAX};
    /* the Zip64 field: the values left out of the entry, in this order */
    uint64_t v[3];
    int k = 0;
    const uint64_t all[3] = {e->usize, e->csize, e->offset};
    for (int i = 0; i < 3; i++)
        if (big[i]) v[k++] = all[i];
    memset(out, 0, ZIP_CENTER);
    size_t xl = extra64(out + ZIP_CENTER + n, v, k);
    put32(out, 0x02014b50);
    put16(out + 4, 3u << 8 | 45); /* made by Unix, version 4.5 */
    common(out + 6, e, k > 0, field(e->csize, big[1]), field(e->usize, big[0]), xl);
    put32(out + 38, 0100644u << 16); /* a regular file, rw-r--r-- */
    put32(out + 42, field(e->offset, big[2]));
    memcpy(out + ZIP_CENTER, e->name, n);
    return ZIP_CENTER + n + xl;
}

size_t zip_end(uint8_t *out, uint64_t n, uint64_t size, uint64_t offset, uint64_t at, int zip64)
{
    size_t len = 0;
    if (zip64 || n >= 0xffff || size >= ZIP_MAX || offset >= ZIP_MAX) {
        /* the Zip64 end record at `at`, then its locator, then the end record proper with
         * its fields saturated */
        memset(out, 0, 56 + 20);
        put32(out, 0x06064b50);
        put64(out + 4, 44);
        put16(out + 12, 3u << 8 | 45);
        put16(out + 14, 45);
        put64(out + 24, n);
        put64(out + 32, n);
        put64(out + 40, size);
        put64(out + 48, offset);
        put32(out + 56, 0x07064b50);
        put64(out + 64, at);
        put32(out + 72, 1);
        len = 56 + 20;
        n = 0xffff;
        size = offset = 0xffffffffu;
    }
    uint8_t *e = out + len;
    memset(e, 0, ZIP_END);
    put32(e, 0x06054b50);
    put16(e + 8, (uint32_t)(n < 0xffff ? n : 0xffff));
    put16(e + 10, (uint32_t)(n < 0xffff ? n : 0xffff));
    put32(e + 12, (uint32_t)(size < 0xffffffffu ? size : 0xffffffffu));
    put32(e + 16, (uint32_t)(offset < 0xffffffffu ? offset : 0xffffffffu));
    return len + ZIP_END;
}

int zip_directory(const uint8_t *tail, size_t n, uint64_t fsize, uint64_t *count, uint64_t *cdoff,
                  uint64_t *cdsize)
{
    if (n < ZIP_END) return -1;
    /* the end record is the last signature that leaves room for itself and its comment */
    for (size_t i = n - ZIP_END + 1; i-- > 0;) {
        const uint8_t *e = tail + i;
        if (get32(e) != 0x06054b50 || i + ZIP_END + get16(e + 20) != n) continue;
        *count = get16(e + 10);
        *cdsize = get32(e + 12);
        *cdoff = get32(e + 16);
        if (*count != 0xffff && *cdsize != 0xffffffffu && *cdoff != 0xffffffffu) return 0;
        /* Zip64: the locator (20 bytes) just before says where the zip64 record is */
        if (i < 20 || get32(e - 20) != 0x07064b50) return -1;
        uint64_t rec = get64(e - 20 + 8), start = fsize - n;
        if (rec + 56 > fsize) return -1;
        if (rec < start) {
            *cdoff = rec;
            return 1;
        }
        const uint8_t *z = tail + (rec - start);
        if (get32(z) != 0x06064b50) return -1;
        *count = get64(z + 32);
        *cdsize = get64(z + 40);
        *cdoff = get64(z + 48);
        return 0;
    }
    return -1;
}

/* The Zip64 extra field (id 1) of an entry: the values that are 0xffffffff in the entry. */
static int zip64(const uint8_t *x, size_t n, zip_entry_t *e, int has_off)
{
    while (n >= 4) {
        uint32_t id = get16(x), len = get16(x + 2);
        if (len > n - 4) return -1;
        if (id == 1) {
            const uint8_t *p = x + 4, *end = x + 4 + len;
            if (e->usize == 0xffffffffu) {
                if (p + 8 > end) return -1;
                e->usize = get64(p);
                p += 8;
            }
            if (e->csize == 0xffffffffu) {
                if (p + 8 > end) return -1;
                e->csize = get64(p);
                p += 8;
            }
            if (has_off && e->offset == 0xffffffffu) {
                if (p + 8 > end) return -1;
                e->offset = get64(p);
            }
            return 0;
        }
        x += 4 + len;
        n -= 4 + len;
    }
    return 0;
}

int zip_entries(const uint8_t *cd, size_t n, uint64_t count, zip_entry_t *e, char *msg, size_t cap)
{
    size_t at = 0;
    for (uint64_t k = 0; k < count; k++) {
        const uint8_t *p = cd + at;
        if (at + ZIP_CENTER > n || get32(p) != 0x02014b50) {
            snprintf(msg, cap, "the central directory is damaged (entry %llu)",
                     (unsigned long long)k);
            return -1;
        }
        size_t nl = get16(p + 28), xl = get16(p + 30), cl = get16(p + 32);
        if (at + ZIP_CENTER + nl + xl + cl > n) {
            snprintf(msg, cap, "the central directory is truncated");
            return -1;
        }
        if (nl >= sizeof e[k].name) {
            snprintf(msg, cap, "a member name is longer than %zu bytes", sizeof e[k].name - 1);
            return -1;
        }
        memcpy(e[k].name, p + ZIP_CENTER, nl);
        e[k].name[nl] = 0;
        e[k].flags = (uint16_t)get16(p + 8);
        e[k].method = (uint16_t)get16(p + 10);
        e[k].crc = get32(p + 16);
        e[k].csize = get32(p + 20);
        e[k].usize = get32(p + 24);
        e[k].offset = get32(p + 42);
        if (zip64(p + ZIP_CENTER + nl, xl, &e[k], 1)) {
            snprintf(msg, cap, "the Zip64 field of '%s' is damaged", e[k].name);
            return -1;
        }
        at += ZIP_CENTER + nl + xl + cl;
    }
    return 0;
}

uint64_t zip_local_len(const uint8_t *p)
{
    if (get32(p) != 0x04034b50) return 0;
    return ZIP_LOCAL + (uint64_t)get16(p + 26) + get16(p + 28);
}
