/* zip.c - ZIP records for .npz files (zip.h), little-endian as APPNOTE 6.3 lays them out.
 * Written members are stored (method 0) with version 2.0 records, a fixed 1980-01-01
 * timestamp (so the same arrays give the same bytes) and Unix mode 0644; Python's zipfile,
 * which np.load uses, reads them. The reader takes what zipfile writes for np.savez and
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

size_t zip_local(uint8_t *out, const char *name, uint32_t crc, uint32_t size)
{
    size_t n = strlen(name);
    memset(out, 0, ZIP_LOCAL);
    put32(out, 0x04034b50);
    put16(out + 4, 20);
    put16(out + 12, DOS_DATE);
    put32(out + 14, crc);
    put32(out + 18, size);
    put32(out + 22, size);
    put16(out + 26, (uint32_t)n);
    memcpy(out + ZIP_LOCAL, name, n);
    return ZIP_LOCAL + n;
}

size_t zip_center(uint8_t *out, const char *name, uint32_t crc, uint32_t size, uint32_t offset)
{
    size_t n = strlen(name);
    memset(out, 0, ZIP_CENTER);
    put32(out, 0x02014b50);
    put16(out + 4, 3u << 8 | 20); /* made by Unix, version 2.0 */
    put16(out + 6, 20);
    put16(out + 14, DOS_DATE);
    put32(out + 16, crc);
    put32(out + 20, size);
    put32(out + 24, size);
    put16(out + 28, (uint32_t)n);
    put32(out + 38, 0100644u << 16); /* a regular file, rw-r--r-- */
    put32(out + 42, offset);
    memcpy(out + ZIP_CENTER, name, n);
    return ZIP_CENTER + n;
}

size_t zip_end(uint8_t *out, uint32_t n, uint32_t size, uint32_t offset)
{
    memset(out, 0, ZIP_END);
    put32(out, 0x06054b50);
    put16(out + 8, n);
    put16(out + 10, n);
    put32(out + 12, size);
    put32(out + 16, offset);
    return ZIP_END;
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
