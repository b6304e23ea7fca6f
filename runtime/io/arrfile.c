/* arrfile.c - .npy files read and written by every engine at once (arrfile.h).
 *
 * Engine 0 does the small things that need one answer: it resolves the path, reads and
 * checks the header (load) or writes it to a temporary file (save), and sends what it found
 * to everyone (a plan_t, its error included, so a bad file gives the same message on every
 * engine; an arrf_plan_t, arrfilei.h). Then each engine moves its own part of the data with
 * MPI-IO in 64 MiB pieces. When every engine's part is one run of bytes (rows), each writes
 * or reads its run independently (MPI_File_write_at) and the engines agree once; otherwise
 * collective calls (MPI_File_write_all) go through a file view that picks out, from the
 * C-order data, the elements the chunk holds in the chunk's C order: per dimension, from the
 * last, the owned intervals of whole rows below it, a vector for the regular blocks of a
 * cyclic dimension, so the type stays small for any layout (uneven blocks included, which
 * MPI_Type_create_darray cannot express); an interrupt is agreed between pieces.
 *
 * Before opening with MPI, every engine checks with open(2) that it sees the file, and the
 * engines agree on it: an engine that cannot see it (no shared file system) would otherwise
 * fail inside MPI_File_open while the others wait for it in MPI_File_close. */
#include "arrfilei.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "coll.h"
#include "mem.h"

#define PIECE ((int64_t)64 << 20) /* bytes per collective read or write */

int arrf_oserr(arrf_plan_t *p, int e, const char *path)
{
    p->rc = e == ENOENT ? PARC_ENOENT : e == EACCES || e == EPERM ? PARC_EPERM : PARC_EIO;
    if (snprintf(p->msg, sizeof p->msg, "[Errno %d] %s: '%s'", e, strerror(e), path) < 0)
        p->msg[0] = 0; /* a long path is cut short */
    return p->rc;
}

int arrf_planerr(arrf_plan_t *p, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof p->msg, fmt, ap);
    va_end(ap);
    p->rc = code;
    return code;
}

int arrf_resolve(arrf_plan_t *p, const char *path)
{
    int n;
    snprintf(p->shown, sizeof p->shown, "%s", path);
    if (!*path) return arrf_oserr(p, ENOENT, path);
    if (path[0] == '/') {
        n = snprintf(p->path, sizeof p->path, "%s", path);
    } else {
        char cwd[ARRF_PATH];
        if (!getcwd(cwd, sizeof cwd)) return arrf_oserr(p, errno, path);
        n = snprintf(p->path, sizeof p->path, "%s/%s", cwd, path);
    }
    return n >= (int)sizeof p->path ? arrf_oserr(p, ENAMETOOLONG, path) : 0;
}

int arrf_share(const rt_t *rt, arrf_plan_t *p, err_t *err)
{
    int rc = coll_bcast_bytes(rt, p, sizeof *p, 0, err);
    if (!rc && p->rc) rc = err_set(err, p->rc, (span_t){0}, "%s", p->msg);
    return rc;
}

const rt_t *arrf_alone(const rt_t *rt, rt_t *self)
{
    if (!rt->local) return rt;
    *self = *rt;
    self->comm = MPI_COMM_SELF;
    self->rank = 0;
    self->nranks = 1;
    self->collseq = NULL; /* its agreements are not the engines' common sequence */
    return self;
}

int arrf_pwrite(int fd, const void *p, size_t n, int64_t off)
{
    const char *b = p;
    while (n) {
        ssize_t k = pwrite(fd, b, n, (off_t)off);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        b += k;
        off += k;
        n -= (size_t)k;
    }
    return 0;
}

int arrf_pread(int fd, void *buf, size_t n, int64_t off, size_t *got)
{
    *got = 0;
    while (*got < n) {
        ssize_t k = pread(fd, (char *)buf + *got, n - *got, (off_t)off + (off_t)*got);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return -1;
        if (k == 0) break;
        *got += (size_t)k;
    }
    return 0;
}

static int mpierr(int code, const char *what, err_t *err)
{
    char s[MPI_MAX_ERROR_STRING];
    int n = 0;
    if (MPI_Error_string(code, s, &n) != MPI_SUCCESS) snprintf(s, sizeof s, "error %d", code);
    return err_set(err, PARC_EIO, (span_t){0}, "%s failed: %s", what, s);
}

/* Collective: every engine can open path with flags (open(2)), else the engines' errors. */
static int visible(const rt_t *rt, const char *path, const char *shown, int flags, err_t *err)
{
    int rc = 0, fd = open(path, flags);
    if (fd < 0) {
        arrf_plan_t p;
        arrf_oserr(&p, errno, shown);
        rc = err_set(err, p.rc, (span_t){0}, "engine %d cannot open the file: %s", rt->rank, p.msg);
    } else {
        close(fd);
    }
    return arri_agree(rt, rc, err);
}

/* ---- the file view ---- */

static int too_long(err_t *err)
{
    return err_set(err, PARC_ENOTIMPL, (span_t){0},
                   "an engine's part is more than 2**31 rows or blocks along one axis");
}

/* One dimension's type from r (a row below it, or bytes when mul > 1: then a row is mul of
 * them): the owned intervals of coordinate c along dimension k, displaced in bytes by ext
 * per index. */
static int dimtype(const dist_t *d, int k, int c, MPI_Datatype r, int64_t mul, int64_t ext,
                   MPI_Datatype *nt, err_t *err)
{
    int64_t n = dist_nintervals(d, k, c), s, cnt;
    int m = MPI_SUCCESS;
    if (d->kind[k] == 'c' && n > 2) {
        int64_t bs = d->bsize[k], p = d->grid[k], ls, lc;
        dist_interval(d, k, c, n - 1, &ls, &lc);
        int64_t nfull = lc == bs ? n : n - 1;
        if (nfull > INT32_MAX || bs * mul > INT32_MAX) return too_long(err);
        MPI_Datatype vec, types[2];
        m = MPI_Type_create_hvector((int)nfull, (int)(bs * mul), (MPI_Aint)(p * bs * ext), r, &vec);
        if (m != MPI_SUCCESS) return mpierr(m, "MPI_Type_create_hvector", err);
        types[0] = vec;
        types[1] = r;
        int lens[2] = {1, (int)(lc * mul)};
        MPI_Aint disp[2] = {(MPI_Aint)(c * bs * ext), (MPI_Aint)(ls * ext)};
        m = MPI_Type_create_struct(nfull == n ? 1 : 2, lens, disp, types, nt);
        MPI_Type_free(&vec);
        return m == MPI_SUCCESS ? 0 : mpierr(m, "MPI_Type_create_struct", err);
    }
    /* a block, two pieces of a cyclic one, or the runs of a view dimension */
    int lens2[2], *lens = lens2;
    MPI_Aint disp2[2], *disp = disp2;
    if (n > INT32_MAX) return too_long(err);
    if (n > 2) {
        lens = mem_alloc((size_t)n * sizeof *lens);
        disp = mem_alloc((size_t)n * sizeof *disp);
    }
    int rc = lens && disp ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    for (int64_t i = 0; !rc && i < n; i++) {
        dist_interval(d, k, c, i, &s, &cnt);
        if (cnt * mul > INT32_MAX) rc = too_long(err);
        lens[i] = (int)(cnt * mul);
        disp[i] = (MPI_Aint)(s * ext);
    }
    if (!rc && (m = MPI_Type_create_hindexed((int)n, lens, disp, r, nt)) != MPI_SUCCESS)
        rc = mpierr(m, "MPI_Type_create_hindexed", err);
    if (lens != lens2) mem_free(lens);
    if (disp != disp2) mem_free(disp);
    return rc;
}

/* The bytes rank holds of the C-order data of layout d (elements of esize bytes), in its
 * chunk's C order, as a committed datatype (*ft; the caller frees it), or *ft =
 * MPI_DATATYPE_NULL when the rank holds everything or nothing (one run of bytes). */
static int filetype(const dist_t *d, int rank, size_t esize, MPI_Datatype *ft, err_t *err)
{
    int coord[DIST_MAXDIM], rc = 0, m;
    *ft = MPI_DATATYPE_NULL;
    if (dist_lsize(d, rank) == 0) return 0;
    dist_coords(d, rank, coord);
    MPI_Datatype t = MPI_DATATYPE_NULL;
    int64_t ext = (int64_t)esize; /* bytes of one index step along dimension k */
    for (int k = d->ndim - 1; k >= 0 && !rc; k--) {
        int64_t s0, c0;
        dist_interval(d, k, coord[k], 0, &s0, &c0);
        if (t == MPI_DATATYPE_NULL && dist_nintervals(d, k, coord[k]) == 1 && s0 == 0 &&
            c0 == d->shape[k]) {
            ext *= d->shape[k]; /* every row below is whole: still one run */
            continue;
        }
        MPI_Datatype r = MPI_BYTE, nt;
        int64_t mul = ext;
        if (t != MPI_DATATYPE_NULL) {
            m = MPI_Type_create_resized(t, 0, (MPI_Aint)ext, &r);
            MPI_Type_free(&t);
            if (m != MPI_SUCCESS) return mpierr(m, "MPI_Type_create_resized", err);
            mul = 1;
        } else if (ext > INT32_MAX / 2) {
            if (ext > INT32_MAX) return too_long(err);
            if ((m = MPI_Type_contiguous((int)ext, MPI_BYTE, &r)) != MPI_SUCCESS)
                return mpierr(m, "MPI_Type_contiguous", err);
            mul = 1;
        }
        rc = dimtype(d, k, coord[k], r, mul, ext, &nt, err);
        if (r != MPI_BYTE) MPI_Type_free(&r);
        if (rc) return rc;
        t = nt;
        ext *= d->shape[k];
    }
    if (t != MPI_DATATYPE_NULL && (m = MPI_Type_commit(&t)) != MPI_SUCCESS) {
        MPI_Type_free(&t);
        return mpierr(m, "MPI_Type_commit", err);
    }
    *ft = t;
    return 0;
}

/* 1 when rank's part of layout d is one run of the C-order data (every dimension after the
 * first it does not hold whole is held whole, and those before it one index each), with its
 * first byte at *start; 0 when it is several runs. A rank holding nothing is one run. */
static int one_run(const dist_t *d, int rank, size_t esize, int64_t *start)
{
    int coord[DIST_MAXDIM];
    int64_t ext = (int64_t)esize, s0, c0;
    *start = 0;
    if (dist_lsize(d, rank) == 0) return 1;
    dist_coords(d, rank, coord);
    int partial = 0; /* a dimension after this one is not whole: the rest must be single */
    for (int k = d->ndim - 1; k >= 0; k--) {
        if (dist_nintervals(d, k, coord[k]) != 1) return 0;
        dist_interval(d, k, coord[k], 0, &s0, &c0);
        if (partial && c0 != 1) return 0;
        if (s0 != 0 || c0 != d->shape[k]) partial = 1;
        *start += s0 * ext;
        ext *= d->shape[k];
    }
    return 1;
}

/* Moves n bytes at buf to (wr) or from the file at off, independently (no other engine
 * takes part); the bytes it moved, or -1 with err set. */
static int piece(MPI_File fh, MPI_Offset off, char *buf, int64_t n, int wr, int all, err_t *err)
{
    MPI_Status st;
    int m, got = 0;
    if (all)
        m = wr ? MPI_File_write_all(fh, buf, (int)n, MPI_BYTE, &st)
               : MPI_File_read_all(fh, buf, (int)n, MPI_BYTE, &st);
    else
        m = wr ? MPI_File_write_at(fh, off, buf, (int)n, MPI_BYTE, &st)
               : MPI_File_read_at(fh, off, buf, (int)n, MPI_BYTE, &st);
    if (m != MPI_SUCCESS)
        return mpierr(m,
                      all ? (wr ? "MPI_File_write_all" : "MPI_File_read_all")
                          : (wr ? "MPI_File_write_at" : "MPI_File_read_at"),
                      err);
    if (MPI_Get_count(&st, MPI_BYTE, &got) != MPI_SUCCESS || got != n)
        return err_set(err, wr ? PARC_EIO : PARC_EVALUE, (span_t){0},
                       "%s %d of %lld bytes: the file is shorter than its header says",
                       wr ? "wrote" : "read", got, (long long)n);
    return 0;
}

/* Collective. Moves this rank's nbytes at buf (its chunk of layout d, C order) to (wr) or
 * from the file's data at off, a piece at a time. When every engine's part is one run of
 * bytes (rows, blocks of a 1-d array), there is nothing to exchange: each engine moves its
 * run with independent MPI_File_write_at / read_at, checks for an interrupt between pieces
 * on its own, and the engines agree once at the end (no engine waits for another while
 * the data moves). Otherwise the file view of each engine's part goes to collective
 * MPI_File_write_all / read_all calls, which let MPI-IO merge the interleaved parts, with an
 * agreed interrupt check between pieces. */
static int io(const rt_t *rt, MPI_File fh, MPI_Offset off, const dist_t *d, size_t esize, char *buf,
              int64_t nbytes, int wr, err_t *err)
{
    int64_t start = 0;
    int run = one_run(d, rt->rank, esize, &start), runs = 0, rc = 0;
    if (MPI_Allreduce(&run, &runs, 1, MPI_INT, MPI_MIN, rt->comm) != MPI_SUCCESS)
        return arri_agree(rt, err_set(err, PARC_EMPI, (span_t){0}, "MPI_Allreduce failed"), err);
    if (runs) {
        int was = rt_wait_begin(rt, RT_COLLECTIVE);
        for (int64_t at = 0; !rc && at < nbytes; at += PIECE) {
            int64_t n = nbytes - at < PIECE ? nbytes - at : PIECE;
            rc = piece(fh, off + (MPI_Offset)(start + at), buf + at, n, wr, 0, err);
            if (!rc) rc = rt_check(rt, err);
            rt_step(rt, at + n, nbytes);
        }
        rt_wait_end(rt, was);
        rt_step(rt, 0, 0);
        return arri_agree(rt, rc, err);
    }
    MPI_Datatype ft;
    rc = arri_agree(rt, filetype(d, rt->rank, esize, &ft, err), err);
    if (rc) {
        if (ft != MPI_DATATYPE_NULL) MPI_Type_free(&ft);
        return rc;
    }
    int m = MPI_File_set_view(fh, off, MPI_BYTE, ft == MPI_DATATYPE_NULL ? MPI_BYTE : ft, "native",
                              MPI_INFO_NULL);
    if (ft != MPI_DATATYPE_NULL) MPI_Type_free(&ft);
    rc = arri_agree(rt, m == MPI_SUCCESS ? 0 : mpierr(m, "MPI_File_set_view", err), err);
    int64_t steps = (nbytes + PIECE - 1) / PIECE, all = 0;
    if (!rc && MPI_Allreduce(&steps, &all, 1, MPI_INT64_T, MPI_MAX, rt->comm) != MPI_SUCCESS)
        rc = err_set(err, PARC_EMPI, (span_t){0}, "MPI_Allreduce failed");
    for (int64_t s = 0; !rc && s < all; s++) {
        int64_t at = s * PIECE, n = at < nbytes ? nbytes - at : 0;
        if (n > PIECE) n = PIECE;
        int was = rt_wait_begin(rt, RT_COLLECTIVE);
        rc = piece(fh, 0, buf + at, n, wr, 1, err);
        rt_wait_end(rt, was);
        if (!rc) rc = rt_check(rt, err);
        rt_step(rt, at + n, nbytes);
        rc = arri_agree(rt, rc, err);
    }
    rt_step(rt, 0, 0);
    return rc;
}

int arrf_transfer(const rt_t *rt, const char *path, const char *shown, int wr, int64_t off,
                  const dist_t *d, size_t esize, char *buf, int64_t nbytes, err_t *err)
{
    int rc = visible(rt, path, shown, wr ? O_WRONLY : O_RDONLY, err);
    if (rc) return rc;
    MPI_File fh = MPI_FILE_NULL;
    int m =
        MPI_File_open(rt->comm, path, wr ? MPI_MODE_WRONLY : MPI_MODE_RDONLY, MPI_INFO_NULL, &fh);
    rc = arri_agree(rt, m == MPI_SUCCESS ? 0 : mpierr(m, "MPI_File_open", err), err);
    if (!rc) rc = io(rt, fh, (MPI_Offset)off, d, esize, buf, nbytes, wr, err);
    if (fh != MPI_FILE_NULL) {
        m = MPI_File_close(&fh);
        if (m != MPI_SUCCESS && !rc) rc = mpierr(m, "MPI_File_close", err);
    }
    return arri_agree(rt, rc, err);
}

/* ---- save ---- */

int arrf_tmpfile(arrf_plan_t *p, const char *path, int *fd)
{
    if (arrf_resolve(p, path)) return p->rc;
    const char *slash = strrchr(p->path, '/');
    int dirlen = (int)(slash - p->path);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec * 2654435761u ^ (uint64_t)getpid() << 32;
    for (int tries = 0; tries < 100; tries++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        int n = snprintf(p->tmp, sizeof p->tmp, "%.*s/.%s.parc-%06llx", dirlen, p->path, slash + 1,
                         (unsigned long long)(x >> 40));
        if (n >= (int)sizeof p->tmp) return arrf_oserr(p, ENAMETOOLONG, path);
        *fd = open(p->tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (*fd >= 0) return 0;
        if (errno != EEXIST) return arrf_oserr(p, errno, path);
    }
    return arrf_oserr(p, EEXIST, path);
}

int arrf_finish(const rt_t *rt, arrf_plan_t *p, int rc, err_t *err)
{
    arrf_plan_t done;
    memset(&done, 0, sizeof done);
    if (rt->rank == 0) {
        if (rc)
            unlink(p->tmp);
        else if (rename(p->tmp, p->path)) {
            arrf_oserr(&done, errno, p->shown);
            unlink(p->tmp);
        }
    }
    if (rc) return rc;
    return arrf_share(rt, &done, err);
}

/* Engine 0: the temporary file with the header (and a 0-d array's element). */
static int begin_save(arrf_plan_t *p, const char *path, int dtype, int ndim, const int64_t *shape,
                      const void *elem)
{
    char hdr[256];
    size_t hlen = 0;
    int fd = -1;
    if (npy_header(dtype, ndim, shape, hdr, sizeof hdr, &hlen))
        return arrf_planerr(p, PARC_EVALUE, "%s: the header does not fit", path);
    if (arrf_tmpfile(p, path, &fd)) return p->rc;
    int bad = arrf_pwrite(fd, hdr, hlen, 0) ||
              (ndim == 0 && arrf_pwrite(fd, elem, dt_size(dtype), (int64_t)hlen));
    int e = errno;
    if (close(fd) && !bad) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        unlink(p->tmp);
        return arrf_oserr(p, e, path);
    }
    p->data_off = (int64_t)hlen;
    return 0;
}

int arr_save_npy(rt_t *rt0, const val_t *v, const char *path, err_t *err)
{
    rt_t self;
    const rt_t *rt = arrf_alone(rt0, &self);
    const arr_t *a = v->kind == V_ARRAY ? v->u.a : NULL;
    int weak, dtype = a ? a->dtype : arri_val_dtype(v, &weak), ndim = a ? a->ndim : 0;
    unsigned char elem[16] = {0};
    if (dtype < 0)
        return err_set(err, PARC_ETYPE, (span_t){0}, "save() writes an array or a number, not '%s'",
                       val_kind_name(v));
    if (a && !a->isdist && !rt0->local)
        return err_set(err, PARC_ETYPE, (span_t){0},
                       "save() in global view needs a distributed array");
    if (!a) arri_store_val(dtype, elem, v);
    arrf_plan_t p;
    memset(&p, 0, sizeof p);
    if (rt->rank == 0) begin_save(&p, path, dtype, ndim, a ? a->shape : NULL, elem);
    int rc = arrf_share(rt, &p, err);
    if (rc) return rc;
    if (a) rc = arrf_write_array(rt0, rt, &p, a, p.data_off, err);
    return arrf_finish(rt, &p, rc, err);
}

int arrf_write_array(rt_t *rt0, const rt_t *rt, const arrf_plan_t *p, const arr_t *a, int64_t off,
                     err_t *err)
{
    if (arr_size(a) == 0) return 0;
    dist_t own, *d = (dist_t *)&a->dist;
    memset(&own, 0, sizeof own);
    arr_t *tmp = NULL;
    int rc = 0;
    if (!a->isdist) {
        rc = dist_init(&own, a->ndim, a->shape, NULL, 1, err);
        d = &own;
    }
    const arr_t *src = a;
    if (!rc && !arri_contig(a)) {
        rc = arri_new(rt0, a->ndim, a->lshape, a->dtype, 0, NULL, &tmp, err);
        if (!rc) arri_copy_chunk(tmp, a);
        src = tmp;
    }
    rc = arri_agree(rt, rc, err);
    size_t es = dt_size(a->dtype);
    if (!rc)
        rc = arrf_transfer(rt, p->tmp, p->shown, 1, off, d, es, arri_base(src),
                           arri_lsize(src) * (int64_t)es, err);
    arr_unref(&tmp);
    dist_clear(&own);
    return rc;
}

/* ---- load ---- */

static void shape_text(const npy_hdr_t *h, char *buf, size_t cap)
{
    int k = snprintf(buf, cap, "(");
    for (int i = 0; i < h->ndim && k < (int)cap; i++)
        k += snprintf(buf + k, cap - (size_t)k, i ? ", %lld" : "%lld", (long long)h->shape[i]);
    if (k < (int)cap) snprintf(buf + k, cap - (size_t)k, h->ndim == 1 ? ",)" : ")");
}

int arrf_check_size(arrf_plan_t *p, const arrf_member_t *m, int64_t have, const char *what)
{
    int64_t need = npy_data_bytes(&m->h);
    if (need < 0) return arrf_planerr(p, PARC_EVALUE, "%s: the shape is too large", what);
    if (have - m->h.data_off >= need) return 0;
    char sh[200];
    shape_text(&m->h, sh, sizeof sh);
    return arrf_planerr(p, PARC_EVALUE,
                        "%s is truncated: its header says shape %s of %s (%lld bytes of data) "
                        "but %lld bytes follow it",
                        what, sh, dt_name(m->h.dtype), (long long)need,
                        (long long)(have - m->h.data_off));
}

int arrf_parse(arrf_plan_t *p, arrf_member_t *m, const unsigned char *buf, size_t got,
               const char *what)
{
    char msg[200];
    int r = npy_parse(buf, got, &m->h, msg, sizeof msg);
    if (r < 0) return arrf_planerr(p, r, "%s is not a .npy file parc can read: %s", what, msg);
    if (r == 1)
        return arrf_planerr(p, PARC_EVALUE, "%s is truncated: it ends inside the header", what);
    return 0;
}

/* Engine 0: a .npy file's one member (fd open, fsize bytes). */
static int scan_npy(arrf_plan_t *p, int fd, int64_t fsize, arrf_member_t **mp)
{
    const char *path = p->shown;
    arrf_member_t *m = mem_calloc(1, sizeof *m);
    if (!m) return arrf_planerr(p, PARC_ENOMEM, "%s: out of memory", path);
    unsigned char *buf = NULL;
    size_t want = NPY_PREFIX, got = 0;
    int rc = 0;
    for (;;) {
        unsigned char *nb = mem_realloc(buf, want);
        if (!nb) {
            rc = arrf_planerr(p, PARC_ENOMEM, "%s: out of memory", path);
            break;
        }
        buf = nb;
        if (arrf_pread(fd, buf, want, 0, &got)) {
            rc = arrf_oserr(p, errno, path);
            break;
        }
        char msg[8];
        if (npy_parse(buf, got, &m->h, msg, sizeof msg) == 1 && got == want &&
            (size_t)m->h.data_off > got) {
            want = (size_t)m->h.data_off; /* the header is longer: read all of it */
            continue;
        }
        rc = arrf_parse(p, m, buf, got, path);
        break;
    }
    mem_free(buf);
    if (!rc) rc = arrf_check_size(p, m, fsize, path);
    if (!rc && m->h.ndim == 0 &&
        (arrf_pread(fd, m->elem, dt_size(m->h.dtype), m->h.data_off, &got) ||
         got != dt_size(m->h.dtype)))
        rc = arrf_oserr(p, errno ? errno : EIO, path);
    if (rc) {
        mem_free(m);
        return rc;
    }
    p->nmem = 1;
    *mp = m;
    return 0;
}

int arrf_open(arrf_plan_t *p, const char *path, int *fd, int64_t *size)
{
    struct stat st;
    if (arrf_resolve(p, path)) return p->rc;
    *fd = open(p->path, O_RDONLY);
    if (*fd < 0) return arrf_oserr(p, errno, path);
    int rc = fstat(*fd, &st)       ? arrf_oserr(p, errno, path)
             : S_ISDIR(st.st_mode) ? arrf_oserr(p, EISDIR, path)
                                   : 0;
    if (rc) {
        close(*fd);
        *fd = -1;
        return rc;
    }
    *size = (int64_t)st.st_size;
    return 0;
}

/* Engine 0: what path holds. */
static int begin_load(arrf_plan_t *p, const char *path, arrf_member_t **m)
{
    int fd;
    int64_t size = 0;
    if (arrf_open(p, path, &fd, &size)) return p->rc;
    unsigned char magic[4] = {0};
    size_t got = 0;
    int rc;
    if (arrf_pread(fd, magic, 4, 0, &got)) {
        rc = arrf_oserr(p, errno, path);
    } else if (got == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] <= 6 && magic[3] <= 6) {
        p->archive = 1;
        rc = arrf_npz_scan(p, fd, size, m);
    } else {
        rc = scan_npy(p, fd, size, m);
    }
    close(fd);
    return rc;
}

int arr_npy_open(rt_t *rt0, const char *path, arr_npy_t **f, err_t *err)
{
    rt_t self;
    const rt_t *rt = arrf_alone(rt0, &self);
    arr_npy_t *o = mem_calloc(1, sizeof *o);
    int rc = arri_agree(rt, o ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory"), err);
    if (rc) {
        mem_free(o);
        return rc;
    }
    if (rt->rank == 0) begin_load(&o->p, path, &o->m);
    rc = arrf_share(rt, &o->p, err);
    if (!rc && rt->rank && o->p.nmem) {
        o->m = mem_calloc((size_t)o->p.nmem, sizeof *o->m);
        if (!o->m) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    }
    if (!rc) rc = arri_agree(rt, rc, err);
    if (!rc && o->p.nmem) rc = coll_bcast_bytes(rt, o->m, (size_t)o->p.nmem * sizeof *o->m, 0, err);
    if (rc) {
        arr_npy_close(&o);
        return rc;
    }
    *f = o;
    return 0;
}

int arr_npy_count(const arr_npy_t *f)
{
    return f->p.archive ? f->p.nmem : -1;
}

const char *arr_npy_name(const arr_npy_t *f, int i)
{
    return f->m[i].name;
}

int arr_npy_ndim(const arr_npy_t *f, int i)
{
    return f->m[i].h.ndim;
}

void arr_npy_close(arr_npy_t **f)
{
    if (!f || !*f) return;
    mem_free((*f)->m);
    mem_free(*f);
    *f = NULL;
}

/* The layout to read a Fortran-order file into: the transpose of the wanted layout t (its
 * kinds, grid and block sizes reversed), over the reversed shape. */
static int reversed(const dist_t *t, int nranks, dist_t *r, err_t *err)
{
    dist_spec_t s;
    int64_t shape[DIST_MAXDIM];
    dist_spec_default(&s);
    int nd = t->ndim;
    for (int i = 0; i < nd; i++) {
        shape[i] = t->shape[nd - 1 - i];
        s.kind[i] = t->kind[nd - 1 - i];
        s.grid[i] = t->grid[nd - 1 - i];
        if (t->kind[nd - 1 - i] == 'c') s.block_size = t->bsize[nd - 1 - i];
    }
    return dist_init(r, nd, shape, &s, nranks, err);
}

/* This rank's part of the data of member m into a (laid out by rd): MPI-IO from a stored
 * member, or inflated from a deflated one (rd is then rows: one byte range per rank). */
static int fill(const rt_t *rt, const arr_npy_t *f, const arrf_member_t *m, const dist_t *rd,
                arr_t *a, err_t *err)
{
    size_t es = dt_size(m->h.dtype);
    int64_t bytes = arri_lsize(a) * (int64_t)es;
    if (npy_data_bytes(&m->h) == 0) return 0;
    if (m->method == 0)
        return arrf_transfer(rt, f->p.path, f->p.shown, 0, m->base + m->h.data_off, rd, es,
                             arri_base(a), bytes, err);
    int64_t lo = 0, hi = 0, row = (int64_t)es;
    for (int k = 1; k < rd->ndim; k++)
        row *= rd->shape[k];
    dist_block_range(rd, 0, rt->rank, &lo, &hi);
    int rc = bytes ? arrf_inflate(rt, &f->p, m, lo * row, bytes, arri_base(a), err) : 0;
    return arri_agree(rt, rc, err);
}

int arr_npy_read(rt_t *rt0, const arr_npy_t *f, int i, const dist_spec_t *spec, val_t *out,
                 err_t *err)
{
    rt_t self;
    const rt_t *rt = arrf_alone(rt0, &self);
    const arrf_member_t *m = &f->m[i];
    const npy_hdr_t *h = &m->h;
    if (h->ndim == 0) {
        unsigned char e[16];
        memcpy(e, m->elem, sizeof e);
        if (h->swap) npy_swap(h->dtype, e, 1);
        *out = arri_elem_val(h->dtype, e);
        return 0;
    }
    int fortran = h->fortran && h->ndim > 1, rc;
    int64_t shape[DIST_MAXDIM];
    for (int k = 0; k < h->ndim; k++)
        shape[k] = h->shape[fortran ? h->ndim - 1 - k : k];
    dist_t want, rd;
    memset(&want, 0, sizeof want);
    memset(&rd, 0, sizeof rd);
    arr_t *a = NULL;
    if (rt0->local) {
        rc = dist_init(&rd, h->ndim, shape, NULL, 1, err);
        if (!rc) rc = arri_new(rt0, h->ndim, shape, h->dtype, 0, NULL, &a, err);
    } else {
        rc = dist_init(&want, h->ndim, h->shape, spec, rt->nranks, err);
        if (!rc && m->method)
            rc = arri_rows_dist(rt0, h->ndim, shape, NULL, &rd, err);
        else if (!rc)
            rc = fortran ? reversed(&want, rt->nranks, &rd, err) : dist_copy(&rd, &want, err);
        if (!rc) rc = arri_new_dist(rt0, h->dtype, &rd, &a, err);
    }
    rc = arri_agree(rt, rc, err);
    if (!rc) rc = fill(rt, f, m, &rd, a, err);
    if (!rc && h->swap) npy_swap(h->dtype, arri_base(a), arri_lsize(a));
    if (!rc && fortran) {
        arr_t *t = NULL;
        rc = arr_transpose(rt0, a, NULL, &t, err);
        arr_unref(&a);
        a = t;
    }
    if (!rc && !rt0->local && !dist_equal(&a->dist, &want)) {
        arr_t *t = NULL;
        rc = arr_redistribute(rt0, a, spec, &t, err);
        arr_unref(&a);
        a = t;
    }
    dist_clear(&want);
    dist_clear(&rd);
    if (rc) {
        arr_unref(&a);
        return rc;
    }
    *out = val_array(&a);
    return 0;
}
