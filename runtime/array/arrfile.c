/* arrfile.c - .npy files read and written by every engine at once (arrfile.h).
 *
 * Engine 0 does the small things that need one answer: it resolves the path, reads and
 * checks the header (load) or writes it to a temporary file (save), and sends what it found
 * to everyone (a plan_t, its error included, so a bad file gives the same message on every
 * engine). Then each engine moves its own part of the data with one collective MPI-IO call
 * per 64 MiB piece (an interrupt is agreed between pieces), through a file view that picks
 * out, from the C-order data, the elements its chunk holds in the chunk's C order: per
 * dimension, from the last, the owned intervals of whole rows below it, a vector for the
 * regular blocks of a cyclic dimension, so the type stays small for any layout (uneven
 * blocks included, which MPI_Type_create_darray cannot express).
 *
 * Before opening with MPI, every engine checks with open(2) that it sees the file, and the
 * engines agree on it: an engine that cannot see it (no shared file system) would otherwise
 * fail inside MPI_File_open while the others wait for it in MPI_File_close. */
#include "arrfile.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arrint.h"
#include "coll.h"
#include "mem.h"
#include "npy.h"

#define PIECE   ((int64_t)64 << 20) /* bytes per collective read or write */
#define PATHCAP 4096

/* What engine 0 found out, sent to every engine. */
typedef struct arr_npy {
    int32_t rc;             /* 0, or the error every engine returns */
    char msg[256];          /* its message */
    char path[PATHCAP];     /* the absolute path */
    char tmp[PATHCAP];      /* save: the temporary name beside it */
    char shown[PATHCAP];    /* the path as the user wrote it, for messages */
    npy_hdr_t h;            /* load: the header */
    unsigned char elem[16]; /* load of a 0-d file: its element */
} plan_t;

/* the path as the user wrote it, for messages: kept after the plan */

static int oserr(plan_t *p, int e, const char *path)
{
    p->rc = e == ENOENT ? PARC_ENOENT : e == EACCES || e == EPERM ? PARC_EPERM : PARC_EIO;
    snprintf(p->msg, sizeof p->msg, "[Errno %d] %s: '%s'", e, strerror(e), path);
    return p->rc;
}

static int planerr(plan_t *p, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int planerr(plan_t *p, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof p->msg, fmt, ap);
    va_end(ap);
    p->rc = code;
    return code;
}

/* path made absolute from this engine's working directory. */
static int resolve(plan_t *p, const char *path)
{
    int n;
    if (!*path) return oserr(p, ENOENT, path);
    if (path[0] == '/') {
        n = snprintf(p->path, sizeof p->path, "%s", path);
    } else {
        char cwd[PATHCAP];
        if (!getcwd(cwd, sizeof cwd)) return oserr(p, errno, path);
        n = snprintf(p->path, sizeof p->path, "%s/%s", cwd, path);
    }
    return n >= (int)sizeof p->path ? oserr(p, ENAMETOOLONG, path) : 0;
}

/* Collective: engine 0's plan on every engine; a failed plan is the same error everywhere. */
static int share(const rt_t *rt, plan_t *p, err_t *err)
{
    int rc = coll_bcast_bytes(rt, p, sizeof *p, 0, err);
    if (!rc && p->rc) rc = err_set(err, p->rc, (span_t){0}, "%s", p->msg);
    return rc;
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
        plan_t p;
        oserr(&p, errno, shown);
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
    int lens[2];
    MPI_Aint disp[2];
    for (int64_t i = 0; i < n; i++) {
        dist_interval(d, k, c, i, &s, &cnt);
        if (cnt * mul > INT32_MAX) return too_long(err);
        lens[i] = (int)(cnt * mul);
        disp[i] = (MPI_Aint)(s * ext);
    }
    m = MPI_Type_create_hindexed((int)n, lens, disp, r, nt);
    return m == MPI_SUCCESS ? 0 : mpierr(m, "MPI_Type_create_hindexed", err);
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

/* Collective. Moves this rank's nbytes at buf (its chunk of layout d, C order) to (wr) or
 * from the file's data at off, a piece at a time with an agreed interrupt check between. */
static int io(const rt_t *rt, MPI_File fh, MPI_Offset off, const dist_t *d, size_t esize, char *buf,
              int64_t nbytes, int wr, err_t *err)
{
    MPI_Datatype ft;
    int rc = arri_agree(rt, filetype(d, rt->rank, esize, &ft, err), err);
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
        MPI_Status st;
        int was = rt_wait_begin(rt, RT_COLLECTIVE);
        m = wr ? MPI_File_write_all(fh, buf + at, (int)n, MPI_BYTE, &st)
               : MPI_File_read_all(fh, buf + at, (int)n, MPI_BYTE, &st);
        rt_wait_end(rt, was);
        int got = 0;
        if (m != MPI_SUCCESS)
            rc = mpierr(m, wr ? "MPI_File_write_all" : "MPI_File_read_all", err);
        else if (MPI_Get_count(&st, MPI_BYTE, &got) != MPI_SUCCESS || got != n)
            rc = err_set(err, wr ? PARC_EIO : PARC_EVALUE, (span_t){0},
                         "%s %d of %lld bytes: the file is shorter than its header says",
                         wr ? "wrote" : "read", got, (long long)n);
        if (!rc) rc = rt_check(rt, err);
        rt_step(rt, at + n, nbytes);
        rc = arri_agree(rt, rc, err);
    }
    rt_step(rt, 0, 0);
    return rc;
}

/* Collective: opens path with amode, runs io, closes. */
static int transfer(const rt_t *rt, const char *path, const char *shown, int wr, MPI_Offset off,
                    const dist_t *d, size_t esize, char *buf, int64_t nbytes, err_t *err)
{
    int rc = visible(rt, path, shown, wr ? O_WRONLY : O_RDONLY, err);
    if (rc) return rc;
    MPI_File fh = MPI_FILE_NULL;
    int m =
        MPI_File_open(rt->comm, path, wr ? MPI_MODE_WRONLY : MPI_MODE_RDONLY, MPI_INFO_NULL, &fh);
    rc = arri_agree(rt, m == MPI_SUCCESS ? 0 : mpierr(m, "MPI_File_open", err), err);
    if (!rc) rc = io(rt, fh, off, d, esize, buf, nbytes, wr, err);
    if (fh != MPI_FILE_NULL) {
        m = MPI_File_close(&fh);
        if (m != MPI_SUCCESS && !rc) rc = mpierr(m, "MPI_File_close", err);
    }
    return arri_agree(rt, rc, err);
}

/* In local view the engine works alone: the same steps over MPI_COMM_SELF. */
static const rt_t *alone(const rt_t *rt, rt_t *self)
{
    if (!rt->local) return rt;
    *self = *rt;
    self->comm = MPI_COMM_SELF;
    self->rank = 0;
    self->nranks = 1;
    self->collseq = NULL; /* its agreements are not the engines' common sequence */
    return self;
}

/* ---- save ---- */

static int write_all(int fd, const void *p, size_t n)
{
    const char *b = p;
    while (n) {
        ssize_t k = write(fd, b, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        b += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Engine 0: the temporary file beside p->path with the header (and a 0-d array's element)
 * written, its name in p->tmp. */
static int begin_save(plan_t *p, const char *path, int dtype, int ndim, const int64_t *shape,
                      const void *elem)
{
    if (resolve(p, path)) return p->rc;
    char hdr[256];
    size_t hlen = 0;
    if (npy_header(dtype, ndim, shape, hdr, sizeof hdr, &hlen))
        return planerr(p, PARC_EVALUE, "%s: the header does not fit", path);
    const char *slash = strrchr(p->path, '/');
    int dirlen = (int)(slash - p->path);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec * 2654435761u ^ (uint64_t)getpid() << 32;
    for (int tries = 0; tries < 100; tries++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        int n = snprintf(p->tmp, sizeof p->tmp, "%.*s/.%s.parc-%06llx", dirlen, p->path, slash + 1,
                         (unsigned long long)(x >> 40));
        if (n >= (int)sizeof p->tmp) return oserr(p, ENAMETOOLONG, path);
        int fd = open(p->tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (fd < 0 && errno == EEXIST) continue;
        if (fd < 0) return oserr(p, errno, path);
        int bad = write_all(fd, hdr, hlen) || (ndim == 0 && write_all(fd, elem, dt_size(dtype)));
        int e = errno;
        if (close(fd) && !bad) {
            bad = 1;
            e = errno;
        }
        if (bad) {
            unlink(p->tmp);
            return oserr(p, e, path);
        }
        p->h.data_off = (int64_t)hlen;
        return 0;
    }
    return oserr(p, EEXIST, path);
}

int arr_save_npy(rt_t *rt0, const val_t *v, const char *path, err_t *err)
{
    rt_t self;
    const rt_t *rt = alone(rt0, &self);
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
    plan_t p, done;
    memset(&p, 0, sizeof p);
    memset(&done, 0, sizeof done);
    if (rt->rank == 0) begin_save(&p, path, dtype, ndim, a ? a->shape : NULL, elem);
    int rc = share(rt, &p, err);
    if (rc) return rc;
    dist_t own, *d = NULL;
    memset(&own, 0, sizeof own);
    arr_t *tmp = NULL;
    if (a && arr_size(a) > 0) {
        if (a->isdist) {
            d = (dist_t *)&a->dist;
        } else if (!(rc = dist_init(&own, a->ndim, a->shape, NULL, 1, err))) {
            d = &own;
        }
        const arr_t *src = a;
        if (!rc && !arri_contig(a)) {
            rc = arri_new(rt0, a->ndim, a->lshape, a->dtype, 0, NULL, &tmp, err);
            if (!rc) arri_copy_chunk(tmp, a);
            src = tmp;
        }
        rc = arri_agree(rt, rc, err);
        if (!rc)
            rc = transfer(rt, p.tmp, path, 1, p.h.data_off, d, dt_size(dtype), arri_base(src),
                          arri_lsize(src) * (int64_t)dt_size(dtype), err);
    }
    arr_unref(&tmp);
    dist_clear(&own);
    /* engine 0 puts the file in place only when every engine wrote its part */
    if (rt->rank == 0) {
        if (rc)
            unlink(p.tmp);
        else if (rename(p.tmp, p.path)) {
            oserr(&done, errno, path);
            unlink(p.tmp);
        }
    }
    if (rc) return rc;
    return share(rt, &done, err);
}

/* ---- load ---- */

static int read_at(int fd, void *buf, size_t n, off_t off, size_t *got)
{
    *got = 0;
    while (*got < n) {
        ssize_t k = pread(fd, (char *)buf + *got, n - *got, off + (off_t)*got);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return -1;
        if (k == 0) break;
        *got += (size_t)k;
    }
    return 0;
}

static void shape_text(const npy_hdr_t *h, char *buf, size_t cap)
{
    int k = snprintf(buf, cap, "(");
    for (int i = 0; i < h->ndim && k < (int)cap; i++)
        k += snprintf(buf + k, cap - (size_t)k, i ? ", %lld" : "%lld", (long long)h->shape[i]);
    if (k < (int)cap) snprintf(buf + k, cap - (size_t)k, h->ndim == 1 ? ",)" : ")");
}

/* Engine 0: the header of path checked against the file's size. */
static int begin_load(plan_t *p, const char *path)
{
    if (resolve(p, path)) return p->rc;
    int fd = open(p->path, O_RDONLY);
    if (fd < 0) return oserr(p, errno, path);
    struct stat st;
    unsigned char *buf = NULL;
    size_t want = NPY_PREFIX, got = 0;
    int rc = 0;
    if (fstat(fd, &st)) {
        rc = oserr(p, errno, path);
    } else if (S_ISDIR(st.st_mode)) {
        rc = oserr(p, EISDIR, path);
    }
    while (!rc) {
        unsigned char *nb = mem_realloc(buf, want);
        if (!nb) {
            rc = planerr(p, PARC_ENOMEM, "%s: out of memory", path);
            break;
        }
        buf = nb;
        if (read_at(fd, buf, want, 0, &got)) {
            rc = oserr(p, errno, path);
            break;
        }
        char msg[200];
        int r = npy_parse(buf, got, &p->h, msg, sizeof msg);
        if (r < 0) {
            rc = planerr(p, r, "%s is not a .npy file parc can read: %s", path, msg);
        } else if (r == 1 && (size_t)p->h.data_off > got && got == want) {
            want = (size_t)p->h.data_off; /* the header is longer: read all of it */
            continue;
        } else if (r == 1) {
            rc = planerr(p, PARC_EVALUE, "%s is truncated: the file ends inside the header", path);
        }
        break;
    }
    int64_t need = rc ? 0 : npy_data_bytes(&p->h);
    if (!rc && need < 0) rc = planerr(p, PARC_EVALUE, "%s: the shape is too large", path);
    if (!rc && (int64_t)st.st_size - p->h.data_off < need) {
        char sh[200];
        shape_text(&p->h, sh, sizeof sh);
        rc = planerr(p, PARC_EVALUE,
                     "%s is truncated: its header says shape %s of %s (%lld bytes of data) but "
                     "%lld bytes follow it",
                     path, sh, dt_name(p->h.dtype), (long long)need,
                     (long long)(st.st_size - p->h.data_off));
    }
    if (!rc && p->h.ndim == 0 &&
        (read_at(fd, p->elem, dt_size(p->h.dtype), (off_t)p->h.data_off, &got) ||
         got != dt_size(p->h.dtype)))
        rc = oserr(p, errno ? errno : EIO, path);
    mem_free(buf);
    close(fd);
    return rc;
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

int arr_npy_open(rt_t *rt0, const char *path, arr_npy_t **f, err_t *err)
{
    rt_t self;
    const rt_t *rt = alone(rt0, &self);
    plan_t *p = mem_calloc(1, sizeof *p);
    int rc = arri_agree(rt, p ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory"), err);
    if (rc) {
        mem_free(p);
        return rc;
    }
    if (rt->rank == 0) begin_load(p, path);
    snprintf(p->shown, sizeof p->shown, "%s", path);
    if ((rc = share(rt, p, err))) {
        mem_free(p);
        return rc;
    }
    *f = p;
    return 0;
}

int arr_npy_ndim(const arr_npy_t *f)
{
    return f->h.ndim;
}

void arr_npy_close(arr_npy_t **f)
{
    if (!f || !*f) return;
    mem_free(*f);
    *f = NULL;
}

int arr_npy_read(rt_t *rt0, const arr_npy_t *p, const dist_spec_t *spec, val_t *out, err_t *err)
{
    rt_t self;
    const rt_t *rt = alone(rt0, &self);
    const npy_hdr_t *h = &p->h;
    if (h->ndim == 0) {
        unsigned char e[16];
        memcpy(e, p->elem, sizeof e);
        if (h->swap) npy_swap(h->dtype, e, 1);
        *out = arri_elem_val(h->dtype, e);
        return 0;
    }
    int fortran = h->fortran && h->ndim > 1, rc;
    dist_t want, rd;
    memset(&want, 0, sizeof want);
    memset(&rd, 0, sizeof rd);
    arr_t *a = NULL;
    if (rt0->local) {
        int64_t shape[DIST_MAXDIM];
        for (int i = 0; i < h->ndim; i++)
            shape[i] = h->shape[fortran ? h->ndim - 1 - i : i];
        rc = dist_init(&rd, h->ndim, shape, NULL, 1, err);
        if (!rc) rc = arri_new(rt0, h->ndim, shape, h->dtype, 0, NULL, &a, err);
    } else {
        rc = dist_init(&want, h->ndim, h->shape, spec, rt->nranks, err);
        if (!rc) rc = fortran ? reversed(&want, rt->nranks, &rd, err) : dist_copy(&rd, &want, err);
        if (!rc) rc = arri_new_dist(rt0, h->dtype, &rd, &a, err);
    }
    rc = arri_agree(rt, rc, err);
    int64_t bytes = a ? arri_lsize(a) * (int64_t)dt_size(h->dtype) : 0;
    if (!rc && npy_data_bytes(h) > 0)
        rc = transfer(rt, p->path, p->shown, 0, h->data_off, &rd, dt_size(h->dtype), arri_base(a),
                      bytes, err);
    if (!rc && h->swap) npy_swap(h->dtype, arri_base(a), arri_lsize(a));
    if (!rc && fortran) {
        arr_t *t = NULL;
        rc = arr_transpose(rt0, a, NULL, &t, err);
        arr_unref(&a);
        a = t;
        if (!rc && !rt0->local && !dist_equal(&a->dist, &want)) {
            rc = arr_redistribute(rt0, a, spec, &t, err);
            arr_unref(&a);
            a = t;
        }
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
