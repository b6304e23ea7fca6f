/* test_npy.c - the .npy header and the ZIP records of .npz files, as bytes: headers for every
 * dtype and shape parse back to what was written (NumPy's exact bytes for one of them), the
 * header variants NumPy's reader takes parse and the broken ones are refused with the reason,
 * byte swapping, and an archive made of zip_ records (with and without the Zip64 end
 * records) reads back. No files: tests/py/test_files.py checks the files with NumPy. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "mpicheck.h"
#include "dtype.h"
#include "npy.h"
#include "zip.h"

static int parse_text(const char *dict, npy_hdr_t *h, char *msg)
{
    unsigned char buf[512];
    size_t n = strlen(dict);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)(n & 0xff);
    buf[9] = (unsigned char)(n >> 8);
    memcpy(buf + 10, dict, n);
    return npy_parse(buf, 10 + n, h, msg, 200);
}

static void test_header(void)
{
    char buf[512], msg[200];
    size_t len = 0;
    int64_t shape[3] = {3, 4, 5};
    /* np.save of np.zeros(3): 128 bytes, the dict then 21 - 1 spaces of room, then padding */
    CHECK(npy_header(DT_FLOAT64, 1, shape, buf, sizeof buf, &len) == 0 && len == 128);
    const char *want = "\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, "
                       "'shape': (3,), }";
    CHECK(memcmp(buf, want, strlen(want)) == 0 && buf[127] == '\n' && buf[126] == ' ');
    for (int dt = 0; dt < DT_COUNT; dt++)
        for (int nd = 0; nd <= 3; nd++) {
            npy_hdr_t h;
            CHECK(npy_header(dt, nd, shape, buf, sizeof buf, &len) == 0 && len % 64 == 0);
            CHECK(npy_parse((unsigned char *)buf, len, &h, msg, sizeof msg) == 0);
            CHECK(h.dtype == dt && h.ndim == nd && !h.swap && !h.fortran &&
                  h.data_off == (int64_t)len);
            for (int k = 0; k < nd; k++)
                CHECK(h.shape[k] == shape[k]);
            /* a header cut short asks for more */
            CHECK(npy_parse((unsigned char *)buf, len - 1, &h, msg, sizeof msg) == 1 &&
                  h.data_off == (int64_t)len);
        }
    CHECK(npy_header(DT_FLOAT64, 1, shape, buf, 100, &len) == -1);
}

static void test_variants(void)
{
    npy_hdr_t h;
    char msg[200];
    CHECK(parse_text("{\"shape\": (2L, 3L), \"fortran_order\": True, \"descr\": \">i8\"}\n", &h,
                     msg) == 0);
    CHECK(h.dtype == DT_INT64 && h.swap && h.fortran && h.ndim == 2 && h.shape[1] == 3);
    CHECK(parse_text("{'descr':'|b1','fortran_order':False,'shape':()}", &h, msg) == 0);
    CHECK(h.dtype == DT_BOOL && h.ndim == 0 && !h.swap);
    CHECK(parse_text("{'descr': '>b1', 'fortran_order': False, 'shape': (7,)}", &h, msg) == 0 &&
          !h.swap);
    CHECK(parse_text("{'descr': '<c16', 'fortran_order': False, 'shape': ( 4 , ) , }  \n", &h,
                     msg) == 0 &&
          h.dtype == DT_COMPLEX128 && h.shape[0] == 4);
    static const struct {
        const char *dict, *why;
    } bad[] = {
        {"{'descr': '<f8', 'fortran_order': False}", "correct keys"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'extra': 1}", "correct keys"},
        {"{'descr': '<f8', 'descr': '<f8', 'shape': (3,)}", "correct keys"},
        {"{'descr': '<i2', 'fortran_order': False, 'shape': (3,)}", "'<i2'"},
        {"{'descr': '|f8', 'fortran_order': False, 'shape': (3,)}", "'|f8'"},
        {"{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3,)}", "structured"},
        {"{'descr': '<f8', 'fortran_order': 0, 'shape': (3,)}", "fortran_order"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (-3,)}", "shape"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': [3]}", "shape"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (3,)} x", "after"},
        {"['descr', '<f8']", "dictionary"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        msg[0] = 0;
        int rc = parse_text(bad[i].dict, &h, msg);
        CHECK(rc == PARC_EVALUE && strstr(msg, bad[i].why));
        if (rc != PARC_EVALUE || !strstr(msg, bad[i].why))
            fprintf(stderr, "  %s -> %d %s\n", bad[i].dict, rc, msg);
    }
    unsigned char b[16] = "\x93NUMPZ\x01\x00";
    CHECK(npy_parse(b, 16, &h, msg, sizeof msg) == PARC_EVALUE && strstr(msg, "magic"));
    memcpy(b, "\x93NUMPY\x04\x00", 8);
    CHECK(npy_parse(b, 16, &h, msg, sizeof msg) == PARC_EVALUE && strstr(msg, "version"));
    CHECK(npy_parse(b, 5, &h, msg, sizeof msg) == PARC_EVALUE);
}

static void test_swap(void)
{
    double d = 1.5, e;
    unsigned char *p = (unsigned char *)&d;
    unsigned char r[8];
    for (int i = 0; i < 8; i++)
        r[i] = p[7 - i];
    npy_swap(DT_FLOAT64, r, 1);
    memcpy(&e, r, 8);
    CHECK(e == 1.5);
    double c[2] = {1.0, -2.0}, c2[2] = {1.0, -2.0};
    npy_swap(DT_COMPLEX128, c, 1);
    CHECK(memcmp(c, c2, 16) != 0);
    npy_swap(DT_COMPLEX128, c, 1);
    CHECK(c[0] == 1.0 && c[1] == -2.0);
}

static void put(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void test_zip(void)
{
    uint8_t a[4096];
    size_t at = 0, cd;
    const char *names[2] = {"x.npy", "long name.npy"};
    uint32_t off[2];
    for (int i = 0; i < 2; i++) {
        off[i] = (uint32_t)at;
        at += zip_local(a + at, names[i], 0x1234u + (uint32_t)i, 10);
        CHECK(zip_local_len(a + off[i]) == ZIP_LOCAL + strlen(names[i]));
        memset(a + at, 'd', 10);
        at += 10;
    }
    cd = at;
    for (int i = 0; i < 2; i++)
        at += zip_center(a + at, names[i], 0x1234u + (uint32_t)i, 10, off[i]);
    at += zip_end(a + at, 2, (uint32_t)(at - cd), (uint32_t)cd);
    uint64_t count = 0, cdoff = 0, cdsize = 0;
    CHECK(zip_directory(a, at, at, &count, &cdoff, &cdsize) == 0);
    CHECK(count == 2 && cdoff == cd && cdsize == at - ZIP_END - cd);
    zip_entry_t e[2];
    char msg[200];
    CHECK(zip_entries(a + cd, (size_t)cdsize, count, e, msg, sizeof msg) == 0);
    CHECK(!strcmp(e[1].name, "long name.npy") && e[1].crc == 0x1235u && e[1].csize == 10 &&
          e[1].usize == 10 && e[1].offset == off[1] && e[0].method == 0);
    CHECK(zip_entries(a + cd, (size_t)cdsize - 3, count, e, msg, sizeof msg) == -1);
    CHECK(zip_directory(a, at - 1, at - 1, &count, &cdoff, &cdsize) == -1);
    CHECK(zip_local_len(a + 1) == 0);
    /* Zip64: the end record says 0xffff..., a locator and a zip64 record say where */
    uint8_t z[4096];
    memcpy(z, a, cd);
    size_t zat = cd;
    size_t c0 = zat;
    zat += zip_center(z + zat, names[0], 0x1234u, 10, 0xffffffffu);
    put(z + c0 + 30, 12, 2); /* an extra field: id 1, 8 bytes, the offset */
    put(z + zat, 1, 2);
    put(z + zat + 2, 8, 2);
    put(z + zat + 4, off[0], 8);
    zat += 12;
    size_t rec = zat, cdlen = zat - c0;
    put(z + zat, 0x06064b50, 4);
    memset(z + zat + 4, 0, 52);
    put(z + zat + 32, 1, 8);
    put(z + zat + 40, cdlen, 8);
    put(z + zat + 48, c0, 8);
    zat += 56;
    put(z + zat, 0x07064b50, 4);
    put(z + zat + 4, 0, 4);
    put(z + zat + 8, rec, 8);
    put(z + zat + 16, 1, 4);
    zat += 20;
    zat += zip_end(z + zat, 0xffff, 0xffffffffu, 0xffffffffu);
    CHECK(zip_directory(z, zat, zat, &count, &cdoff, &cdsize) == 0);
    CHECK(count == 1 && cdoff == c0 && cdsize == cdlen);
    CHECK(zip_entries(z + c0, (size_t)cdsize, count, e, msg, sizeof msg) == 0);
    CHECK(e[0].offset == off[0] && !strcmp(e[0].name, "x.npy"));
    /* the tail read does not reach the zip64 record: its offset is asked for */
    size_t tail = zat - rec - 8;
    CHECK(zip_directory(z + zat - tail, tail, zat, &count, &cdoff, &cdsize) == 1 && cdoff == rec);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    test_header();
    test_variants();
    test_swap();
    test_zip();
    int rc = check_mpi_done();
    MPI_Finalize();
    return rc;
}
