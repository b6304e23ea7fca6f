/* arrfilei.h - what the file modules share (arrfile.c: .npy and the MPI-IO steps, arrnpz.c:
 * .npz archives, arrtext.c: text files): engine 0's plan of a read or a write, sent to every
 * engine, and the collective steps around it. Included by those three only. */
#ifndef PARC_ARRFILEI_H
#define PARC_ARRFILEI_H

#include <stdint.h>

#include "arrfile.h"
#include "arrint.h"
#include "npy.h"

#define ARRF_PATH 4096

/* What engine 0 found out, sent to every engine (arrf_share). */
typedef struct {
    int32_t rc;            /* 0, or the error every engine returns */
    char msg[256];         /* its message */
    char path[ARRF_PATH];  /* the absolute path */
    char tmp[ARRF_PATH];   /* save: the temporary name beside it */
    char shown[ARRF_PATH]; /* the path as the user wrote it, for messages */
    int64_t data_off;      /* save of a .npy: bytes of the header */
    int32_t zip64;         /* save of a .npz: Zip64 fields on every record (PARC_ZIP64) */
    int32_t archive;       /* load: 1 for a .npz archive */
    int32_t nmem;          /* load: arrays in the file */
} arrf_plan_t;

/* One array of a file being loaded. */
typedef struct {
    char name[128];         /* an archive member's name without '.npy' ("" for a .npy file) */
    npy_hdr_t h;            /* its header (data_off: from the start of its .npy bytes) */
    unsigned char elem[16]; /* a 0-d array's element */
    int32_t method;         /* 0 stored, 8 deflated (an archive member) */
    int64_t base;           /* where its .npy bytes start, or its deflate stream */
    int64_t csize;          /* deflated: the stream's bytes */
    int64_t usize;          /* an archive member's .npy bytes */
    uint32_t crc;           /* and their CRC-32 */
} arrf_member_t;

struct arr_npy {
    arrf_plan_t p;
    arrf_member_t *m; /* p.nmem of them */
};

/* The plan's error from errno e (FileNotFoundError, PermissionError, else OSError, with
 * Python's "[Errno 2] No such file or directory: 'a.npy'"), or from a format; the code. */
int arrf_oserr(arrf_plan_t *p, int e, const char *path);
int arrf_planerr(arrf_plan_t *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Engine 0: p->path from path and its working directory. 0 or the plan's error. */
int arrf_resolve(arrf_plan_t *p, const char *path);
/* Engine 0: path resolved (p->path) and opened to read (*fd, the caller closes it), its size
 * in *size; a directory is OSError [Errno 21]. 0 or the plan's error (*fd then closed). */
int arrf_open(arrf_plan_t *p, const char *path, int *fd, int64_t *size);
/* Engine 0: a new empty temporary file beside p->path (p->tmp), of mode 0666 less the umask. */
int arrf_tmpfile(arrf_plan_t *p, const char *path, int *fd);
/* Collective: engine 0's plan on every engine; a failed plan is the same error everywhere. */
int arrf_share(const rt_t *rt, arrf_plan_t *p, err_t *err);
/* Collective: after a save's data is written (rc: how that went), engine 0 renames p->tmp to
 * p->path, or removes it when rc or the rename failed; the agreed result. */
int arrf_finish(const rt_t *rt, arrf_plan_t *p, int rc, err_t *err);
/* In local view the engine works alone: rt with MPI_COMM_SELF (in *self), else rt. */
const rt_t *arrf_alone(const rt_t *rt, rt_t *self);

/* Collective: every engine moves its nbytes at buf (its chunk of layout d, C order, elements
 * of esize bytes) to (wr) or from the C-order data at off of path, with MPI-IO. */
int arrf_transfer(const rt_t *rt, const char *path, const char *shown, int wr, int64_t off,
                  const dist_t *d, size_t esize, char *buf, int64_t nbytes, err_t *err);

/* Collective: writes a's data (any layout; chunks need not be contiguous) at off of p->tmp. */
int arrf_write_array(rt_t *rt0, const rt_t *rt, const arrf_plan_t *p, const arr_t *a, int64_t off,
                     err_t *err);

/* Engine 0: header checks for member m (what: the name in messages): the parse of its first
 * got bytes, and whether have bytes from its start hold its data. 0 or the plan's error. */
int arrf_parse(arrf_plan_t *p, arrf_member_t *m, const unsigned char *buf, size_t got,
               const char *what);
int arrf_check_size(arrf_plan_t *p, const arrf_member_t *m, int64_t have, const char *what);

/* pwrite/pread of all n bytes (EINTR retried); 0 or -1 with errno. read: *got may be less
 * at the end of the file. */
int arrf_pwrite(int fd, const void *p, size_t n, int64_t off);
int arrf_pread(int fd, void *buf, size_t n, int64_t off, size_t *got);

/* Engine 0: the members of the .npz archive open as fd (fsize bytes) into p->nmem and *m
 * (the caller frees it), each header read and checked. 0 or the plan's error. */
int arrf_npz_scan(arrf_plan_t *p, int fd, int64_t fsize, arrf_member_t **m);
/* Not collective: the bytes [lo, lo + n) of deflated member m's data (after its header) into
 * buf, inflating its stream from the file; an interrupt stops it (PARC_EINTR). The last
 * engine inflates the whole stream and checks its CRC-32 and length (ValueError). */
int arrf_inflate(const rt_t *rt, const arrf_plan_t *p, const arrf_member_t *m, int64_t lo,
                 int64_t n, char *buf, err_t *err);

#endif
