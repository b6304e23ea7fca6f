/* npy.h - NumPy's .npy header (numpy/lib/format.py): the magic, the version, and the
 * Python dict literal {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), } that
 * says what follows. Pure byte work, no files and no MPI: arrfile.c reads and writes the
 * data around it. */
#ifndef PARC_NPY_H
#define PARC_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "dist.h"

#define NPY_PREFIX     12     /* bytes to read before the header's length is known (v2) */
#define NPY_MAX_HEADER 100000 /* longer headers are refused (NumPy 1.24: 10000 by default) */

typedef struct {
    int dtype;   /* DT_* */
    int swap;    /* 1: the data is big-endian ('>'): swap each element's bytes */
    int fortran; /* fortran_order: the data is the transpose's C order */
    int ndim;    /* dimensions (0: one element) */
    int64_t shape[DIST_MAXDIM];
    int64_t data_off; /* bytes before the data (prefix + header) */
    char descr[16];   /* the descr as written ('<f8'), for messages */
} npy_hdr_t;

/* NumPy 1.24's header for an array of dtype and shape, byte for byte what np.save writes
 * (version 1.0, or 2.0 when the header needs more than 65535 bytes): into buf (cap bytes),
 * its length in *len. 0, or -1 when cap is too small. */
int npy_header(int dtype, int ndim, const int64_t *shape, char *buf, size_t cap, size_t *len);

/* Parses the first n bytes of a file. 0 with *h filled; 1 when n is shorter than the header
 * (h->data_off then says how many bytes are needed); or PARC_EVALUE with the reason in msg
 * (cap bytes, NumPy's wording where it has one): bad magic, an unknown version, a header
 * that is not the dict, a dtype parc does not have (msg names it), a bad shape. */
int npy_parse(const unsigned char *buf, size_t n, npy_hdr_t *h, char *msg, size_t cap);

/* Bytes of data the header describes (dtype size times every dimension), or -1 when that
 * overflows int64. */
int64_t npy_data_bytes(const npy_hdr_t *h);

/* Swaps the byte order of n elements of dtype at p in place (complex: each half). */
void npy_swap(int dtype, void *p, int64_t n);

#endif
