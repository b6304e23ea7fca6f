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

/* An archive of two 10-byte members written with the record writers (zip64: every record
 * with its Zip64 fields, as PARC_ZIP64 asks), then read back by the directory reader. */
static void zip_round_trip(int zip64)
{
    uint8_t a[4096];
    size_t at = 0, cd;
    const char *names[2] = {"x.npy", "long name.npy"};
    zip_entry_t w[2];
    memset(w, 0, sizeof w);
    for (int i = 0; i < 2; i++) {
        snprintf(w[i].name, sizeof w[i].name, "%s", names[i]);
        w[i].method = (uint16_t)(i ? 8 : 0);
        w[i].crc = 0x1234u + (uint32_t)i;
        w[i].csize = w[i].usize = 10;
        w[i].offset = at;
        at += zip_local(a + at, &w[i], zip64);
        CHECK(zip_local_len(a + w[i].offset) == ZIP_LOCAL + strlen(names[i]) + (zip64 ? 20 : 0));
        memset(a + at, 'd', 10);
        at += 10;
    }
    cd = at;
    for (int i = 0; i < 2; i++)
        at += zip_center(a + at, &w[i], zip64);
    size_t cdlen = at - cd;
    at += zip_end(a + at, 2, cdlen, cd, at, zip64);
    uint64_t count = 0, cdoff = 0, cdsize = 0;
    CHECK(zip_directory(a, at, at, &count, &cdoff, &cdsize) == 0);
    CHECK(count == 2 && cdoff == cd && cdsize == cdlen);
    zip_entry_t e[2];
    char msg[200];
    CHECK(zip_entries(a + cd, (size_t)cdsize, count, e, msg, sizeof msg) == 0);
    CHECK(!strcmp(e[1].name, "long name.npy") && e[1].crc == 0x1235u && e[1].csize == 10 &&
          e[1].usize == 10 && e[1].offset == w[1].offset && e[0].method == 0 && e[1].method == 8);
    CHECK(zip_entries(a + cd, (size_t)cdsize - 3, count, e, msg, sizeof msg) == -1);
    CHECK(zip_directory(a, at - 1, at - 1, &count, &cdoff, &cdsize) == -1);
    CHECK(zip_local_len(a + 1) == 0);
    if (zip64) {
        /* the tail read does not reach the zip64 record: its offset is asked for */
        size_t rec = cd + cdlen, tail = at - rec - 8;
        CHECK(zip_directory(a + at - tail, tail, at, &count, &cdoff, &cdsize) == 1 && cdoff == rec);
    }
}

static void test_zip(void)
{
    zip_round_trip(0);
    zip_round_trip(1);
    /* sizes and offsets past 4 GiB go to the Zip64 field without being asked */
    zip_entry_t w, e;
    memset(&w, 0, sizeof w);
    snprintf(w.name, sizeof w.name, "big.npy");
    w.usize = 5ull << 30;
    w.csize = 9ull << 29;
    w.offset = 7ull << 30;
    uint8_t c[400];
    char msg[200];
    size_t n = zip_center(c, &w, 0);
    CHECK(n == ZIP_CENTER + 7 + 28);
    CHECK(zip_entries(c, n, 1, &e, msg, sizeof msg) == 0 && e.usize == w.usize &&
          e.csize == w.csize && e.offset == w.offset);
    w.csize = 100;
    n = zip_center(c, &w, 0);
    CHECK(n == ZIP_CENTER + 7 + 20);
    CHECK(zip_entries(c, n, 1, &e, msg, sizeof msg) == 0 && e.usize == w.usize && e.csize == 100 &&
          e.offset == w.offset);
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
