/* arrnpz.c - .npz archives (arrfile.h): np.savez's ZIP of .npy members, read and written by
 * every engine at once.
 *
 * savez stores the members (no compression, as np.savez does), savez_compressed deflates
 * them (as np.savez_compressed). The engines first move each array to the row layout (no
 * copy when it has it already), so that every engine's part is one run of the member's
 * bytes: each computes the CRC-32 of its run, one allgather brings the CRCs, and
 * crc32_combine (zlib) joins them in file order. Stored, each run is written where its
 * bytes go, with MPI-IO; deflated, each engine compresses its run into a piece of the
 * member's deflate stream (the pieces join, see deflate_piece), the pieces' sizes come with
 * the CRCs, and each engine writes its piece after the others' before it, with MPI-IO.
 * Engine 0 writes the ZIP records and headers last, around the data, and renames the
 * temporary file. Sizes and offsets of 4 GiB or more get Zip64 records (zip.c), and every
 * record does when PARC_ZIP64 is set (so the tests read them on small files).
 *
 * load reads the central directory on engine 0 (Zip64 included, as Python's zipfile writes
 * it for np.savez), then each member as a .npy file: stored members by MPI-IO at their
 * offset, deflated ones (np.savez_compressed) by every engine inflating the member's stream
 * itself and keeping its own rows, then moved to the layout asked for. Only members whose
 * names end in '.npy' are arrays (NumPy's NpzFile lists the others as bytes): they are
 * left out. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "arrfilei.h"
#include "coll.h"
#include "mem.h"
#include "zip.h"

#define ZBUF (1 << 20)

/* ---- load ---- */

/* Inflates a deflated member from its start; calls take() with each piece of output, until
 * upto bytes came out or, with crc, to the end of the stream: *crc is then the CRC-32 of
 * all the output and *total its length. */
typedef int (*take_fn)(void *ctx, const unsigned char *p, size_t n, int64_t at);

static int inflate_stream(int fd, int64_t base, int64_t csize, int64_t upto, take_fn take,
                          void *ctx, const rt_t *rt, err_t *err, const char *what, uLong *crc,
                          int64_t *total)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
        return err_set(err, PARC_ENOMEM, (span_t){0}, "%s: zlib cannot start", what);
    unsigned char *in = mem_alloc(ZBUF), *out = mem_alloc(ZBUF);
    int rc = in && out ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    int64_t read = 0, at = 0;
    int zr = Z_OK;
    if (crc) *crc = crc32(0L, Z_NULL, 0);
    while (!rc && (crc || at < upto) && zr != Z_STREAM_END) {
        if (z.avail_in == 0) {
            size_t want = (size_t)(csize - read < ZBUF ? csize - read : ZBUF), got = 0;
            if (want == 0) {
                rc = err_set(err, PARC_EVALUE, (span_t){0}, "%s: the compressed data ends early",
                             what);
                break;
            }
            if (arrf_pread(fd, in, want, base + read, &got) || got != want) {
                rc = err_set(err, PARC_EIO, (span_t){0}, "%s: cannot read the archive: %s", what,
                             strerror(errno ? errno : EIO));
                break;
            }
            read += (int64_t)got;
            z.next_in = in;
            z.avail_in = (uInt)got;
        }
        z.next_out = out;
        z.avail_out = ZBUF;
        zr = inflate(&z, Z_NO_FLUSH);
        if (zr != Z_OK && zr != Z_STREAM_END) {
            rc = err_set(err, PARC_EVALUE, (span_t){0}, "%s: the compressed data is damaged (%s)",
                         what, z.msg ? z.msg : "zlib error");
            break;
        }
        size_t n = ZBUF - z.avail_out;
        if (crc) *crc = crc32(*crc, out, (uInt)n);
        rc = take(ctx, out, n, at);
        at += (int64_t)n;
        if (!rc && rt) rc = rt_check(rt, err);
    }
    if (total) *total = at;
    inflateEnd(&z);
    mem_free(in);
    mem_free(out);
    return rc;
}

/* The message for member data whose CRC-32 (or length) is not the directory's. */
#define BAD_CRC "%s: its data do not match its CRC-32 (the archive is damaged)"

typedef struct {
    unsigned char *buf; /* output kept: [lo, lo + n) of the member's .npy bytes */
    int64_t lo, n;
} keep_t;

static int keep(void *ctx, const unsigned char *p, size_t n, int64_t at)
{
    keep_t *k = ctx;
    int64_t s = at > k->lo ? at : k->lo, e = at + (int64_t)n;
    if (e > k->lo + k->n) e = k->lo + k->n;
    if (s < e) memcpy(k->buf + (s - k->lo), p + (s - at), (size_t)(e - s));
    return 0;
}

int arrf_inflate(const rt_t *rt, const arrf_plan_t *p, const arrf_member_t *m, int64_t lo,
                 int64_t n, char *buf, err_t *err)
{
    int fd = open(p->path, O_RDONLY);
    if (fd < 0) {
        arrf_plan_t e;
        arrf_oserr(&e, errno, p->shown);
        return err_set(err, e.rc, (span_t){0}, "engine %d cannot open the file: %s", rt->rank,
                       e.msg);
    }
    keep_t k = {(unsigned char *)buf, m->h.data_off + lo, n};
    char what[ARRF_PATH + 160];
    snprintf(what, sizeof what, "%s (member '%s.npy')", p->shown, m->name);
    /* the last engine's part ends the stream, or nearly: it goes on to check the CRC-32 */
    uLong crc = 0;
    int64_t total = 0;
    int last = rt->rank == rt->nranks - 1;
    int rc = inflate_stream(fd, m->base, m->csize, k.lo + n, keep, &k, rt, err, what,
                            last ? &crc : NULL, &total);
    close(fd);
    if (!rc && last && ((uint32_t)crc != m->crc || total != m->usize))
        rc = err_set(err, PARC_EVALUE, (span_t){0}, BAD_CRC, what);
    return rc;
}

/* Engine 0: one member's header (and a 0-d element) from the archive. */
static int scan_member(arrf_plan_t *p, int fd, int64_t fsize, const zip_entry_t *e,
                       arrf_member_t *m)
{
    char what[ARRF_PATH + 300];
    snprintf(what, sizeof what, "%s (member '%s')", p->shown, e->name);
    uint8_t lh[ZIP_LOCAL];
    size_t got = 0;
    if (e->flags & 1) return arrf_planerr(p, PARC_EVALUE, "%s is encrypted", what);
    if (e->method != 0 && e->method != 8)
        return arrf_planerr(p, PARC_EVALUE, "%s: compression method %u is not supported", what,
                            (unsigned)e->method);
    if (arrf_pread(fd, lh, sizeof lh, (int64_t)e->offset, &got))
        return arrf_oserr(p, errno, p->shown);
    uint64_t ll = got == sizeof lh ? zip_local_len(lh) : 0;
    if (!ll) return arrf_planerr(p, PARC_EVALUE, "%s: its local header is damaged", what);
    m->method = e->method;
    m->base = (int64_t)(e->offset + ll);
    m->csize = (int64_t)e->csize;
    m->usize = (int64_t)e->usize;
    m->crc = e->crc;
    if (m->base + m->csize > fsize)
        return arrf_planerr(p, PARC_EVALUE, "%s is truncated: the archive ends inside it", what);
    size_t n = NPY_PREFIX + NPY_MAX_HEADER + 16;
    if ((uint64_t)n > e->usize) n = (size_t)e->usize;
    unsigned char *buf = mem_alloc(n ? n : 1);
    if (!buf) return arrf_planerr(p, PARC_ENOMEM, "%s: out of memory", what);
    /* a member read whole here (a small one) has its CRC-32 checked here */
    int rc = 0, whole = (uint64_t)n == e->usize;
    uLong crc = 0;
    int64_t total = (int64_t)n;
    if (m->method == 0) {
        if (arrf_pread(fd, buf, n, m->base, &got)) rc = arrf_oserr(p, errno, p->shown);
        if (!rc && whole) crc = crc32(0L, buf, (uInt)got);
        total = (int64_t)got;
    } else {
        err_t er;
        err_clear(&er);
        keep_t k = {buf, 0, (int64_t)n};
        if (inflate_stream(fd, m->base, m->csize, (int64_t)n, keep, &k, NULL, &er, what,
                           whole ? &crc : NULL, whole ? &total : NULL))
            rc = arrf_planerr(p, er.code, "%s", er.msg);
        got = n;
    }
    if (!rc && whole && ((uint32_t)crc != e->crc || total != (int64_t)n))
        rc = arrf_planerr(p, PARC_EVALUE, BAD_CRC, what);
    if (!rc) rc = arrf_parse(p, m, buf, got, what);
    if (!rc) rc = arrf_check_size(p, m, (int64_t)e->usize, what);
    if (!rc && m->h.ndim == 0) {
        if ((size_t)m->h.data_off + dt_size(m->h.dtype) > got)
            rc = arrf_planerr(p, PARC_EVALUE, "%s is truncated", what);
        else
            memcpy(m->elem, buf + m->h.data_off, dt_size(m->h.dtype));
    }
    mem_free(buf);
    return rc;
}

int arrf_npz_scan(arrf_plan_t *p, int fd, int64_t fsize, arrf_member_t **mp)
{
    const char *path = p->shown;
    size_t tail = fsize < 65557 + 76 ? (size_t)fsize : 65557 + 76, got = 0;
    uint8_t *buf = mem_alloc(tail ? tail : 1);
    zip_entry_t *e = NULL;
    arrf_member_t *m = NULL;
    uint64_t count = 0, cdoff = 0, cdsize = 0;
    int rc = 0, r;
    if (!buf) return arrf_planerr(p, PARC_ENOMEM, "%s: out of memory", path);
    if (arrf_pread(fd, buf, tail, fsize - (int64_t)tail, &got) || got != tail) {
        rc = arrf_oserr(p, errno ? errno : EIO, path);
        goto out;
    }
    r = zip_directory(buf, tail, (uint64_t)fsize, &count, &cdoff, &cdsize);
    if (r == 1) { /* a Zip64 end record further back */
        uint8_t z[56];
        if (arrf_pread(fd, z, sizeof z, (int64_t)cdoff, &got) || got != sizeof z ||
            memcmp(z, "PK\x06\x06", 4) != 0)
            r = -1;
        else {
            count = 0;
            cdsize = 0;
            for (int i = 7; i >= 0; i--) {
                count = count << 8 | z[32 + i];
                cdsize = cdsize << 8 | z[40 + i];
            }
            cdoff = 0;
            for (int i = 7; i >= 0; i--)
                cdoff = cdoff << 8 | z[48 + i];
            r = 0;
        }
    }
    if (r || cdoff + cdsize > (uint64_t)fsize || cdsize > ((uint64_t)1 << 30) ||
        count > cdsize / ZIP_CENTER + 1) {
        rc = arrf_planerr(p, PARC_EVALUE,
                          "%s is not a .npz file parc can read: its ZIP directory is missing or "
                          "damaged (truncated?)",
                          path);
        goto out;
    }
    mem_free(buf);
    buf = mem_alloc(cdsize ? (size_t)cdsize : 1);
    e = mem_calloc(count ? (size_t)count : 1, sizeof *e);
    m = mem_calloc(count ? (size_t)count : 1, sizeof *m);
    if (!buf || !e || !m) {
        rc = arrf_planerr(p, PARC_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    char msg[200];
    if (arrf_pread(fd, buf, (size_t)cdsize, (int64_t)cdoff, &got) || got != cdsize) {
        rc = arrf_oserr(p, errno ? errno : EIO, path);
        goto out;
    }
    if (zip_entries(buf, (size_t)cdsize, count, e, msg, sizeof msg)) {
        rc = arrf_planerr(p, PARC_EVALUE, "%s is not a .npz file parc can read: %s", path, msg);
        goto out;
    }
    int n = 0;
    for (uint64_t k = 0; k < count && !rc; k++) {
        size_t len = strlen(e[k].name);
        if (len < 4 || strcmp(e[k].name + len - 4, ".npy") != 0) continue;
        if (len - 4 >= sizeof m[n].name) {
            rc = arrf_planerr(p, PARC_EVALUE, "%s: member name '%s' is too long", path, e[k].name);
            break;
        }
        memcpy(m[n].name, e[k].name, len - 4);
        rc = scan_member(p, fd, fsize, &e[k], &m[n]);
        n++;
    }
    if (!rc) {
        p->nmem = n;
        *mp = m;
        m = NULL;
    }
out:
    mem_free(buf);
    mem_free(e);
    mem_free(m);
    return rc;
}

/* ---- savez, savez_compressed ---- */

typedef struct {
    int dtype, ndim;
    const int64_t *shape;
    char hdr[256];
    size_t hlen;
    int64_t data;  /* bytes of data */
    int zip64;     /* Zip64 fields on its records */
    zip_entry_t e; /* its records: name (with .npy), method, CRC, sizes, local header offset */
} part_t;

/* CRC-32 of n bytes (zlib's length is an unsigned int: in pieces). */
static uLong crc_of(uLong crc, const unsigned char *p, int64_t n)
{
    while (n > 0) {
        uInt k = n > (1 << 30) ? (1u << 30) : (uInt)n;
        crc = crc32(crc, p, k);
        p += k;
        n -= k;
    }
    return crc;
}

/* One deflate call with the output space left (at most 1 GiB at once). */
static int zstep(z_stream *z, unsigned char *buf, int64_t cap, int64_t *pos, int flush, int *zr,
                 err_t *err)
{
    int64_t room = cap - *pos;
    if (room <= 0)
        return err_set(err, PARC_ERUNTIME, (span_t){0}, "deflate needs more room than its bound");
    z->next_out = buf + *pos;
    z->avail_out = room > (1 << 30) ? (1u << 30) : (uInt)room;
    uInt before = z->avail_out;
    *zr = deflate(z, flush);
    *pos += before - z->avail_out;
    return *zr == Z_STREAM_ERROR ? err_set(err, PARC_ERUNTIME, (span_t){0}, "deflate failed") : 0;
}

/* Not collective: this engine's piece of a member's raw deflate stream, the bytes head (hn)
 * then src (n) compressed at zlib's default level (zipfile's). A piece that is not the
 * last ends with a sync flush (byte-aligned, no final block), the last with the final
 * block, so the pieces of all engines in rank order make one stream (as pigz joins its
 * pieces). *out (caller frees) holds *outn bytes. */
static int deflate_piece(const rt_t *rt, const unsigned char *head, size_t hn,
                         const unsigned char *src, int64_t n, int last, unsigned char **out,
                         int64_t *outn, err_t *err)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
        return err_set(err, PARC_ENOMEM, (span_t){0}, "zlib cannot start");
    /* zlib's bound for the whole input, and room for the sync flush's empty stored block */
    int64_t cap = (int64_t)deflateBound(&z, (uLong)hn + (uLong)n) + 64, pos = 0;
    unsigned char *buf = mem_alloc((size_t)cap);
    int rc = buf ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory"), zr = Z_OK;
    const unsigned char *seg[2] = {head, src};
    int64_t segn[2] = {(int64_t)hn, n};
    for (int k = 0; k < 2 && !rc; k++)
        for (int64_t at = 0; at < segn[k] && !rc;) {
            /* pieces of 16 MiB, an interrupt checked between them */
            uInt len = segn[k] - at > (1 << 24) ? (1u << 24) : (uInt)(segn[k] - at);
            z.next_in = (Bytef *)(seg[k] + at);
            z.avail_in = len;
            while (z.avail_in > 0 && !rc)
                rc = zstep(&z, buf, cap, &pos, Z_NO_FLUSH, &zr, err);
            at += len;
            if (!rc) rc = rt_check(rt, err);
        }
    int flush = last ? Z_FINISH : Z_SYNC_FLUSH;
    do {
        if (!rc) rc = zstep(&z, buf, cap, &pos, flush, &zr, err);
    } while (!rc && (last ? zr != Z_STREAM_END : z.avail_out == 0));
    deflateEnd(&z);
    if (rc) {
        mem_free(buf);
        return rc;
    }
    *out = buf;
    *outn = pos;
    return 0;
}

/* Collective: part q's data written at `at` of the temporary file (its local header before
 * it), from v moved to rows so that each engine's part is one run of the member's bytes;
 * q->e gets its CRC and sizes. Stored: the runs go where their bytes are (after the .npy
 * header, which engine 0 writes with the records). Deflated: each engine compresses its run
 * (engine 0 with the .npy header in front, and a 0-d member's element), the pieces' sizes
 * are allgathered and each engine writes its piece after those of the engines before it. */
static int write_member(rt_t *rt0, const rt_t *rt, const arrf_plan_t *p, part_t *q, const val_t *v,
                        int64_t at, err_t *err)
{
    int defl = q->e.method == 8;
    unsigned char elem[16];
    arr_t *rows = NULL, *tmp = NULL;
    const unsigned char *run = elem;
    int64_t runn = 0;
    int rc = 0;
    if (v->kind != V_ARRAY) {
        arri_store_val(q->dtype, elem, v);
        runn = rt->rank == 0 ? (int64_t)dt_size(q->dtype) : 0;
    } else {
        rc = arri_rowwise(rt0, v->u.a, &rows, err);
        if (rc) return rc;
        const arr_t *src = rows;
        if (!arri_contig(rows)) {
            rc = arri_new(rt0, rows->ndim, rows->lshape, rows->dtype, 0, NULL, &tmp, err);
            if (!rc) arri_copy_chunk(tmp, rows);
            src = tmp;
        }
        if (!rc) {
            run = arri_base(src);
            runn = arri_lsize(src) * (int64_t)dt_size(q->dtype);
        }
    }
    unsigned char *z = NULL;
    int64_t zn = 0;
    const unsigned char *head = rt->rank == 0 ? (const unsigned char *)q->hdr : NULL;
    size_t hn = rt->rank == 0 ? q->hlen : 0;
    if (!rc && defl)
        rc = deflate_piece(rt, head, hn, run, runn, rt->rank == rt->nranks - 1, &z, &zn, err);
    rc = arri_agree(rt, rc, err);
    /* per engine: the CRC and length of its bytes (engine 0's with the header), its piece */
    int64_t mine[3] = {0, 0, 0}, *all = NULL;
    if (!rc) {
        uLong c = crc_of(crc32(0L, Z_NULL, 0), head ? head : elem, (int64_t)hn);
        mine[0] = (int64_t)crc_of(c, run, runn);
        mine[1] = (int64_t)hn + runn;
        mine[2] = zn;
        all = mem_alloc((size_t)rt->nranks * sizeof mine);
        rc = arri_agree(rt, all ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory"), err);
    }
    if (!rc) rc = coll_allgather_bytes(rt, mine, sizeof mine, all, err);
    int64_t *bnd = NULL;
    if (!rc) {
        uLong crc = crc32(0L, Z_NULL, 0);
        int64_t usize = 0, csize = 0;
        for (int r = 0; r < rt->nranks; r++) {
            if (all[3 * r + 1])
                crc = crc32_combine(crc, (uLong)all[3 * r], (z_off_t)all[3 * r + 1]);
            usize += all[3 * r + 1];
            csize += all[3 * r + 2];
        }
        q->e.crc = (uint32_t)crc;
        q->e.usize = (uint64_t)usize;
        q->e.csize = defl ? (uint64_t)csize : (uint64_t)usize;
        if (defl && !q->zip64 && csize >= (int64_t)ZIP_MAX)
            rc = err_set(err, PARC_ERUNTIME, (span_t){0},
                         "savez_compressed(): a member came out larger than its bound");
        if (!rc && defl) {
            bnd = mem_alloc((size_t)(rt->nranks + 1) * sizeof *bnd);
            rc = bnd ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
            for (int r = 0; bnd && r <= rt->nranks; r++)
                bnd[r] = r ? bnd[r - 1] + all[3 * (r - 1) + 2] : 0;
        }
        rc = arri_agree(rt, rc, err);
    }
    mem_free(all);
    if (!rc && defl) {
        dist_t d;
        int64_t total = bnd[rt->nranks];
        rc = arri_agree(rt, arri_rows_dist(rt, 1, &total, bnd, &d, err), err);
        if (!rc) {
            rc = arrf_transfer(rt, p->tmp, p->shown, 1, at, &d, 1, (char *)z, zn, err);
            dist_clear(&d);
        }
    } else if (!rc && rows) {
        /* rows, not src: src may be this engine's own copy, which is not distributed */
        rc = arrf_write_array(rt0, rt, p, rows, at + (int64_t)q->hlen, err);
    }
    mem_free(bnd);
    mem_free(z);
    arr_unref(&tmp);
    arr_unref(&rows);
    return rc;
}

/* Engine 0: the ZIP records (and a stored member's .npy header and 0-d element) around
 * the data, after it was written; the directory starts at end. */
static int write_records(arrf_plan_t *p, const part_t *q, const val_t *vals, int n, uint64_t end)
{
    int fd = open(p->tmp, O_WRONLY);
    if (fd < 0) return arrf_oserr(p, errno, p->shown);
    uint8_t rec[ZIP_CENTER + 300 + ZIP_END64];
    int bad = 0;
    for (int i = 0; i < n && !bad; i++) {
        size_t len = zip_local(rec, &q[i].e, q[i].zip64);
        int64_t at = (int64_t)q[i].e.offset;
        bad = arrf_pwrite(fd, rec, len, at);
        if (!bad && q[i].e.method == 0)
            bad = arrf_pwrite(fd, q[i].hdr, q[i].hlen, at + (int64_t)len);
        if (!bad && q[i].e.method == 0 && vals[i].kind != V_ARRAY) {
            unsigned char elem[16];
            arri_store_val(q[i].dtype, elem, &vals[i]);
            bad = arrf_pwrite(fd, elem, dt_size(q[i].dtype), at + (int64_t)(len + q[i].hlen));
        }
    }
    uint64_t at = end;
    for (int i = 0; i < n && !bad; i++) {
        size_t len = zip_center(rec, &q[i].e, q[i].zip64);
        bad = arrf_pwrite(fd, rec, len, (int64_t)at);
        at += len;
    }
    if (!bad) {
        size_t len = zip_end(rec, (uint64_t)n, at - end, end, at, p->zip64);
        bad = arrf_pwrite(fd, rec, len, (int64_t)at);
    }
    int e = errno;
    if (close(fd) && !bad) {
        bad = 1;
        e = errno;
    }
    return bad ? arrf_oserr(p, e, p->shown) : 0;
}

int arr_save_npz(rt_t *rt0, const char *const *names, const val_t *vals, int n, const char *path,
                 int compress, err_t *err)
{
    rt_t self;
    const rt_t *rt = arrf_alone(rt0, &self);
    const char *fn = compress ? "savez_compressed" : "savez";
    part_t *q = mem_calloc(n ? (size_t)n : 1, sizeof *q);
    int rc = arri_agree(rt, q ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory"), err),
        weak;
    if (rc) {
        mem_free(q);
        return rc;
    }
    for (int i = 0; i < n && !rc; i++) {
        const arr_t *a = vals[i].kind == V_ARRAY ? vals[i].u.a : NULL;
        q[i].dtype = a ? arr_dtype(a) : arri_val_dtype(&vals[i], &weak);
        q[i].ndim = a ? arr_ndim(a) : 0;
        q[i].shape = a ? arr_shape(a) : NULL;
        q[i].e.method = compress ? 8 : 0;
        if (q[i].dtype < 0)
            rc = err_set(err, PARC_ETYPE, (span_t){0},
                         "%s() writes arrays or numbers, not '%s' (%s)", fn,
                         val_kind_name(&vals[i]), names[i]);
        else if (a && !arr_is_dist(a) && !rt0->local)
            rc = err_set(err, PARC_ETYPE, (span_t){0},
                         "%s() in global view needs distributed arrays", fn);
        else if (snprintf(q[i].e.name, sizeof q[i].e.name, "%s.npy", names[i]) >= 140)
            rc = err_set(err, PARC_EVALUE, (span_t){0}, "%s(): the name '%s' is too long", fn,
                         names[i]);
        else
            npy_header(q[i].dtype, q[i].ndim, q[i].shape, q[i].hdr, sizeof q[i].hdr, &q[i].hlen);
        q[i].data = a ? arr_size(a) * (int64_t)dt_size(q[i].dtype) : (int64_t)dt_size(q[i].dtype);
    }
    arrf_plan_t p;
    memset(&p, 0, sizeof p);
    if (rc) {
        mem_free(q);
        return rc;
    }
    int fd = -1;
    if (rt->rank == 0) {
        const char *z = getenv("PARC_ZIP64");
        p.zip64 = z && *z && strcmp(z, "0") != 0;
        if (!arrf_tmpfile(&p, path, &fd)) close(fd);
    }
    rc = arrf_share(rt, &p, err);
    if (rc) {
        mem_free(q);
        return rc;
    }
    /* members one after the other; a deflated one's size is known once it is written */
    uint64_t at = 0;
    for (int i = 0; i < n && !rc; i++) {
        uint64_t usize = q[i].hlen + (uint64_t)q[i].data;
        /* Zip64 in the local header when the sizes may not fit (deflate's bound for a
         * deflated member: it can grow incompressible data a little) */
        uint64_t most = compress ? usize + (usize >> 8) + 64 * (uint64_t)rt->nranks + 1024 : usize;
        q[i].zip64 = p.zip64 || most >= ZIP_MAX;
        q[i].e.offset = at;
        uint64_t data = at + ZIP_LOCAL + strlen(q[i].e.name) + (q[i].zip64 ? 20 : 0);
        rc = write_member(rt0, rt, &p, &q[i], &vals[i], (int64_t)data, err);
        at = data + q[i].e.csize;
    }
    arrf_plan_t rec;
    memset(&rec, 0, sizeof rec);
    if (!rc) {
        if (rt->rank == 0) write_records(&p, q, vals, n, at);
        snprintf(rec.msg, sizeof rec.msg, "%s", p.msg);
        rec.rc = p.rc;
        rc = arrf_share(rt, &rec, err);
    }
    mem_free(q);
    return arrf_finish(rt, &p, rc, err);
}
