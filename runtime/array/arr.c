/* arr.c - distributed arrays: dtypes, the axis-0 row split, chunk memory, creation
 * (full/arange/linspace/array), Philox random arrays, local views and conversions.
 *
 * Every distributed array is split on axis 0 into one ascending row range per rank (see
 * arrint.h); creation computes the split from the shape alone, allocates only this rank's
 * chunk (64-byte aligned, size checked against rt->mem_avail before allocating) and then
 * agrees with the other ranks on success, so a MemoryError on one engine is an error on all.
 *
 * Random numbers: every value is Philox4x32-10 of counter (global flat index, call number)
 * under key seed, so it is the same on any number of ranks and any split; uniform doubles
 * take 53 bits, float32 24 bits, normals one Box-Muller pair per index (rng.h draws them in
 * SIMD batches). */
#include "arr.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "arrint.h"
#include "coll.h"
#include "kern.h"
#include "mem.h"
#include "rng.h"

static const char *const dt_names[DT_COUNT] = {"bool",    "int32",   "int64",
                                               "float32", "float64", "complex128"};
static const size_t dt_sizes[DT_COUNT] = {1, 4, 8, 4, 8, 16};

const char *dt_name(int dt)
{
    return dt >= 0 && dt < DT_COUNT ? dt_names[dt] : "?";
}

size_t dt_size(int dt)
{
    return dt >= 0 && dt < DT_COUNT ? dt_sizes[dt] : 0;
}

int dt_from_name(const char *s)
{
    if (!s) return -1;
    if (strcmp(s, "bool_") == 0) return DT_BOOL;
    for (int i = 0; i < DT_COUNT; i++)
        if (strcmp(s, dt_names[i]) == 0) return i;
    return -1;
}

int dt_promote(int a, int b)
{
    if (a == b) return a;
    int hi = a > b ? a : b, lo = a > b ? b : a;
    /* float32 cannot hold every int32/int64: NumPy goes to float64. */
    if (hi == DT_FLOAT32 && (lo == DT_INT32 || lo == DT_INT64)) return DT_FLOAT64;
    return hi;
}

/* ---- reference counting and accessors ---- */

arr_t *arr_ref(arr_t *a)
{
    if (a) a->refs++;
    return a;
}

void arr_unref(arr_t **ap)
{
    if (!ap || !*ap) return;
    arr_t *a = *ap;
    *ap = NULL;
    if (--a->refs > 0) return;
    if (a->buf && --a->buf->refs == 0) {
        arri_back_free(a->buf->back);
        chunk_put(a->buf->pool, a->buf->p, a->buf->bytes, a->buf->cap, a->buf->mem_avail);
        mem_free(a->buf);
    }
    dist_clear(&a->dist);
    mem_free(a->gen);
    mem_free(a);
}

int arr_ndim(const arr_t *a)
{
    return a->ndim;
}

const int64_t *arr_shape(const arr_t *a)
{
    return a->shape;
}

int arr_dtype(const arr_t *a)
{
    return a->dtype;
}

int64_t arr_size(const arr_t *a)
{
    int64_t n = 1;
    for (int d = 0; d < a->ndim; d++)
        n *= a->shape[d];
    return n;
}

int arr_is_dist(const arr_t *a)
{
    return a->isdist;
}

size_t arr_local_bytes(const arr_t *a)
{
    return (size_t)arri_lsize(a) * dt_size(a->dtype);
}

const dist_t *arr_dist(const arr_t *a)
{
    return a->isdist ? &a->dist : NULL;
}

const dist_t *arr_origin_dist(const arr_t *a)
{
    return a->isdist || a->ofdist ? &a->dist : NULL;
}

int64_t arri_lsize(const arr_t *a)
{
    int64_t n = 1;
    for (int d = 0; d < a->ndim; d++)
        n *= a->lshape[d];
    return n;
}

int arri_contig(const arr_t *a)
{
    int64_t s = 1;
    for (int d = a->ndim - 1; d >= 0; d--) {
        if (a->lshape[d] != 1 && a->lstride[d] != s) return 0;
        s *= a->lshape[d];
    }
    return 1;
}

void *arri_base(const arr_t *a)
{
    return (char *)a->buf->p + a->loff * (int64_t)dt_size(a->dtype);
}

void *arri_addr(const arr_t *a, int64_t k)
{
    int64_t off = a->loff;
    for (int d = a->ndim - 1; d >= 0; d--) {
        int64_t n = a->lshape[d];
        if (n == 0) break;
        off += (k % n) * a->lstride[d];
        k /= n;
    }
    return (char *)a->buf->p + off * (int64_t)dt_size(a->dtype);
}

int64_t arri_row(const arr_t *a, int r)
{
    int64_t lo, hi;
    if (r >= a->dist.grid[0]) return a->shape[0];
    dist_block_range(&a->dist, 0, r, &lo, &hi);
    return lo;
}

void arri_block(int64_t n, int p, int64_t *bnd)
{
    dist_t d;
    memset(&d, 0, sizeof d);
    d.ndim = 1;
    d.nranks = d.grid[0] = p;
    d.shape[0] = n;
    d.kind[0] = 'b';
    for (int c = 0; c < p; c++)
        dist_block_range(&d, 0, c, &bnd[c], &bnd[c + 1]);
}

int64_t *arri_rows(const rt_t *rt, const arr_t *a)
{
    int64_t *b = mem_alloc((size_t)(rt->nranks + 1) * sizeof *b);
    for (int r = 0; b && r <= rt->nranks; r++)
        b[r] = arri_row(a, r);
    return b;
}

int arri_rows_dist(const rt_t *rt, int ndim, const int64_t *shape, const int64_t *bnd, dist_t *d,
                   err_t *err)
{
    dist_t t;
    int rc = dist_init(&t, ndim, shape, NULL, rt->nranks, err);
    if (!rc && bnd) rc = dist_set_bounds(&t, 0, bnd, err);
    if (rc) {
        dist_clear(&t);
        return rc;
    }
    *d = t;
    return 0;
}

/* NumPy's _size_to_string: "72.8 TiB". */
static void human(uint64_t n, char *buf, size_t cap)
{
    static const char *const u[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int i = 0;
    double v = (double)n;
    while (v >= 1024 && i < 6) {
        v /= 1024;
        i++;
    }
    if (i == 0)
        snprintf(buf, cap, "%llu bytes", (unsigned long long)n);
    else
        snprintf(buf, cap, "%.3g %s", v, u[i]);
}

static void shape_text(int ndim, const int64_t *shape, char *buf, size_t cap)
{
    size_t k = 0;
    k += (size_t)snprintf(buf + k, cap - k, "(");
    for (int d = 0; d < ndim && k < cap; d++)
        k += (size_t)snprintf(buf + k, cap - k, d ? ", %lld" : "%lld", (long long)shape[d]);
    if (k < cap) snprintf(buf + k, cap - k, ndim == 1 ? ",)" : ")");
}

/* The MemoryError of one engine, in words that are the same on every engine that fails
 * alike (the kernel heads the group with the engine set): what it needed, of how much in
 * all when the array is split over the engines, and what it had left of what it may hold.
 * left (size_t)-1: the check passed (or there is none) and the system still said no. */
static int too_big(const rt_t *rt, int ndim, const int64_t *shape, int dtype, int split,
                   uint64_t bytes, uint64_t total, size_t left, err_t *err)
{
    char h[32], t[32], s[160], room[128];
    human(bytes, h, sizeof h);
    human(total, t, sizeof t);
    shape_text(ndim, shape, s, sizeof s);
    if (rt->mem_avail && left != (size_t)-1) {
        char l[32], m[32];
        human(left, l, sizeof l);
        human(rt->mem_avail, m, sizeof m);
        snprintf(room, sizeof room, "the engine has %s left of the %s it may hold", l, m);
    } else {
        snprintf(room, sizeof room, "the system refused it");
    }
    if (split)
        return err_set(err, PARC_ENOMEM, (span_t){0},
                       "Unable to allocate %s (this engine's part of %s) for an array with shape "
                       "%s and data type %s; %s",
                       h, t, s, dt_name(dtype), room);
    return err_set(err, PARC_ENOMEM, (span_t){0},
                   "Unable to allocate %s for an array with shape %s and data type %s; %s", h, s,
                   dt_name(dtype), room);
}

/* A new chunk's contents until written. Release builds: zeros. Debug builds (the
 * sanitizer tests): signalling NaNs for floats and 0xA5 bytes for the rest, over the
 * whole allocation (its rounding to 64 bytes too), so a kernel that reads an element no
 * one wrote gives a wrong answer that a test sees (zeros often pass unnoticed, and
 * AddressSanitizer does not look inside an allocation). */
static void poison(int dtype, void *p, size_t n)
{
#ifdef NDEBUG
    (void)dtype;
    memset(p, 0, n);
#else
    memset(p, 0xA5, n);
    if (dtype == DT_FLOAT64 || dtype == DT_COMPLEX128) {
        uint64_t snan = 0x7FF4000000000000u;
        for (size_t k = 0; k + 8 <= n; k += 8)
            memcpy((char *)p + k, &snan, 8);
    } else if (dtype == DT_FLOAT32) {
        uint32_t snan = 0x7FA00000u;
        for (size_t k = 0; k + 4 <= n; k += 4)
            memcpy((char *)p + k, &snan, 4);
    }
#endif
}

enum { NEW_ZERO, NEW_VIRT, NEW_OUT }; /* what alloc_arr makes: see there */

/* Header and chunk of a new array; lay is NULL (local) or its layout (taken, cleared).
 * how: NEW_ZERO poisons the chunk (zeros in release builds), NEW_OUT leaves it unwritten in
 * release builds (the caller writes every element; only the rounding to 64 bytes past the
 * end is zeroed), NEW_VIRT makes the header only (arri_virtual), after the same checks. */
static int alloc_arr(const rt_t *rt, int ndim, const int64_t *shape, int dtype, dist_t *lay,
                     int how, arr_t **out, err_t *err)
{
    if (ndim < 0 || ndim > ARR_MAXDIM)
        return err_set(err, PARC_EVALUE, (span_t){0}, "arrays have at most %d dimensions",
                       ARR_MAXDIM);
    if (dtype < 0 || dtype >= DT_COUNT)
        return err_set(err, PARC_ETYPE, (span_t){0}, "data type not understood");
    size_t total = dt_size(dtype);
    for (int k = 0; k < ndim; k++) {
        if (shape[k] < 0)
            return err_set(err, PARC_EVALUE, (span_t){0}, "negative dimensions are not allowed");
        if (mem_mul(total, (size_t)shape[k], &total) || total > (size_t)INT64_MAX / 2)
            return err_set(err, PARC_EVALUE, (span_t){0},
                           "array is too big; `arr.size * arr.dtype.itemsize` is larger than "
                           "the maximum possible size.");
    }
    arr_t *a = mem_calloc(1, sizeof *a);
    if (!a) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    a->refs = 1;
    a->ndim = ndim;
    a->dtype = dtype;
    a->isdist = lay != NULL;
    memcpy(a->shape, shape, (size_t)ndim * sizeof *shape);
    memcpy(a->lshape, shape, (size_t)ndim * sizeof *shape);
    if (lay) {
        a->dist = *lay;
        memset(lay, 0, sizeof *lay);
        dist_lshape(&a->dist, rt->rank, a->lshape);
    }
    int64_t s = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        a->lstride[d] = s;
        s *= a->lshape[d];
    }
    size_t bytes = (size_t)s * dt_size(dtype);
    size_t held = chunk_held(rt->chunks) + rt->deferred;
    size_t left = rt->mem_avail > held ? rt->mem_avail - held : 0;
    if (rt->mem_avail && bytes > left) {
        arr_unref(&a);
        return too_big(rt, ndim, shape, dtype, lay && rt->nranks > 1, bytes, total, left, err);
    }
    if (how == NEW_VIRT) {
        *out = a;
        return 0;
    }
    a->buf = mem_calloc(1, sizeof *a->buf);
    if (a->buf) {
        a->buf->refs = 1;
        a->buf->bytes = bytes;
        a->buf->pool = rt->chunks;
        a->buf->mem_avail = rt->mem_avail;
        a->buf->p = chunk_get(rt->chunks, bytes, rt->mem_avail, &a->buf->cap);
    }
    if (!a->buf || !a->buf->p) {
        arr_unref(&a);
        return too_big(rt, ndim, shape, dtype, lay && rt->nranks > 1, bytes, total, (size_t)-1,
                       err);
    }
    size_t padded = bytes ? (bytes + 63) / 64 * 64 : 64;
#ifdef NDEBUG
    if (how == NEW_OUT) {
        memset((char *)a->buf->p + bytes, 0, padded - bytes);
        *out = a;
        return 0;
    }
#endif
    poison(dtype, a->buf->p, padded);
    *out = a;
    return 0;
}

int arri_new(const rt_t *rt, int ndim, const int64_t *shape, int dtype, int dist,
             const int64_t *bnd, arr_t **out, err_t *err)
{
    /* 0-d arrays are local; a bad ndim is refused by alloc_arr */
    if (!dist || ndim <= 0 || ndim > ARR_MAXDIM)
        return alloc_arr(rt, ndim, shape, dtype, NULL, NEW_ZERO, out, err);
    dist_t d;
    int rc = arri_rows_dist(rt, ndim, shape, bnd, &d, err);
    if (rc) return rc;
    rc = alloc_arr(rt, ndim, shape, dtype, &d, NEW_ZERO, out, err);
    dist_clear(&d);
    return rc;
}

static int new_dist(const rt_t *rt, int dtype, const dist_t *d, int how, arr_t **out, err_t *err)
{
    dist_t c;
    int rc = dist_copy(&c, d, err);
    if (rc) return rc;
    rc = alloc_arr(rt, d->ndim, d->shape, dtype, &c, how, out, err);
    dist_clear(&c);
    return rc;
}

int arri_new_dist(const rt_t *rt, int dtype, const dist_t *d, arr_t **out, err_t *err)
{
    return new_dist(rt, dtype, d, NEW_ZERO, out, err);
}

int arri_new_out(const rt_t *rt, int dtype, int isdist, const dist_t *d, int ndim,
                 const int64_t *shape, arr_t **out, err_t *err)
{
    if (isdist) return new_dist(rt, dtype, d, NEW_OUT, out, err);
    return alloc_arr(rt, ndim, shape, dtype, NULL, NEW_OUT, out, err);
}

int arri_virtual(const rt_t *rt, int dtype, const dist_t *d, arr_t **out, err_t *err)
{
    return new_dist(rt, dtype, d, NEW_VIRT, out, err);
}

int arri_virtual_local(const rt_t *rt, int dtype, int ndim, const int64_t *shape, arr_t **out,
                       err_t *err)
{
    return alloc_arr(rt, ndim, shape, dtype, NULL, NEW_VIRT, out, err);
}

int arri_agree_at(const rt_t *rt, int rc, err_t *err, const char *file, int line)
{
    int all = coll_agree(rt, rc);
    if (all && !rc) err_set(err, all, (span_t){0}, "the operation failed on another engine");
    if (!all) all = coll_sequence(rt, file, line, err);
    return all;
}

/* ---- elements as numbers ---- */

void arri_load(int dt, const void *p, double v[2])
{
    v[0] = v[1] = 0;
    switch (dt) {
    case DT_BOOL:
        v[0] = *(const uint8_t *)p;
        break;
    case DT_INT32:
        v[0] = *(const int32_t *)p;
        break;
    case DT_INT64:
        v[0] = (double)*(const int64_t *)p;
        break;
    case DT_FLOAT32:
        v[0] = *(const float *)p;
        break;
    case DT_FLOAT64:
        v[0] = *(const double *)p;
        break;
    case DT_COMPLEX128:
        memcpy(v, p, 16);
        break;
    }
}

int64_t arri_loadi(int dt, const void *p)
{
    switch (dt) {
    case DT_BOOL:
        return *(const uint8_t *)p;
    case DT_INT32:
        return *(const int32_t *)p;
    case DT_INT64:
        return *(const int64_t *)p;
    }
    double v[2] = {0, 0};
    arri_load(dt, p, v);
    return (int64_t)v[0];
}

void arri_store(int dt, void *p, const double v[2])
{
    kern_cast(DT_COMPLEX128, dt, p, v, 1);
}

void arri_store_val(int dt, void *p, const val_t *v)
{
    if (v->kind == V_BOOL || v->kind == V_INT) {
        int64_t i = v->u.i;
        kern_cast(DT_INT64, dt, p, &i, 1);
        return;
    }
    double c[2];
    arri_val_to_num(v, c);
    arri_store(dt, p, c);
}

void arri_val_to_num(const val_t *v, double out[2])
{
    out[1] = 0;
    switch (v->kind) {
    case V_BOOL:
    case V_INT:
        out[0] = (double)v->u.i;
        break;
    case V_FLOAT:
        out[0] = v->u.f;
        break;
    case V_COMPLEX:
        out[0] = v->u.c[0];
        out[1] = v->u.c[1];
        break;
    default:
        out[0] = 0;
    }
}

val_t arri_num_to_val(int dt, const double v[2], int weak)
{
    val_t r = {0};
    r.dtype = (uint8_t)dt;
    r.weak = (uint8_t)weak;
    switch (dt) {
    case DT_BOOL:
        r.kind = V_BOOL;
        r.u.i = v[0] != 0;
        break;
    case DT_INT32:
    case DT_INT64:
        r.kind = V_INT;
        r.u.i = (int64_t)v[0];
        break;
    case DT_FLOAT32:
        r.kind = V_FLOAT;
        r.u.f = (float)v[0];
        break;
    case DT_FLOAT64:
        r.kind = V_FLOAT;
        r.u.f = v[0];
        break;
    default:
        r.kind = V_COMPLEX;
        r.u.c[0] = v[0];
        r.u.c[1] = v[1];
    }
    return r;
}

val_t arri_elem_val(int dt, const void *p)
{
    if (dt == DT_BOOL || dt == DT_INT32 || dt == DT_INT64) {
        val_t r = {0};
        r.kind = dt == DT_BOOL ? V_BOOL : V_INT;
        r.dtype = (uint8_t)dt;
        r.u.i = arri_loadi(dt, p);
        return r;
    }
    double v[2];
    arri_load(dt, p, v);
    return arri_num_to_val(dt, v, 0);
}

/* Copies src's chunk into dst's (same local shape), converting; rows at a time. */
void arri_copy_chunk(arr_t *dst, const arr_t *src)
{
    arri_cast_chunk(dst, src);
}

/* Elements per side of a tile of arri_copy_2d: 16 x 16 of 8 bytes is 2 KiB, in L1. */
#define COPY_TILE 16

/* In tiles (arrint.h): a transposed view read along its rows touches a new cache line per
 * element, and a page every few; in a tile each line it reads is used whole. */
void arri_copy_2d(char *d, int64_t ds0, int64_t ds1, const char *s, int64_t ss0, int64_t ss1,
                  int64_t n0, int64_t n1, size_t sz, int nt)
{
    if (n0 == 1 && ds1 == (int64_t)sz && ss1 == (int64_t)sz) {
        memcpy(d, s, (size_t)n1 * sz);
        return;
    }
    /* one side's rows are the other's memory columns: kern_transpose's register blocks
     * (z.T.copy() of 8192 x 8192 float64 on 2 engines here: 0.062 s in tiles below) */
    if (n0 > 1 && n1 > 1 && ss0 == (int64_t)sz && ds1 == (int64_t)sz) {
        kern_transpose(d, ds0, s, ss1, n0, n1, sz, nt);
        return;
    }
    if (n0 > 1 && n1 > 1 && ds0 == (int64_t)sz && ss1 == (int64_t)sz) {
        kern_transpose(d, ds1, s, ss0, n1, n0, sz, nt);
        return;
    }
#define COPY_AS(T)                                                                                 \
    if (n0 == 1) { /* one row: a strided loop (redist.c's runs were 15-20% slower as tiles) */     \
        for (int64_t j = 0; j < n1; j++, d += ds1, s += ss1)                                       \
            memcpy(d, s, sizeof(T));                                                               \
        return;                                                                                    \
    }                                                                                              \
    for (int64_t i0 = 0; i0 < n0; i0 += COPY_TILE)                                                 \
        for (int64_t j0 = 0; j0 < n1; j0 += COPY_TILE) {                                           \
            int64_t i1 = i0 + COPY_TILE < n0 ? i0 + COPY_TILE : n0;                                \
            int64_t j1 = j0 + COPY_TILE < n1 ? j0 + COPY_TILE : n1;                                \
            for (int64_t i = i0; i < i1; i++)                                                      \
                for (int64_t j = j0; j < j1; j++)                                                  \
                    memcpy(d + i * ds0 + j * ds1, s + i * ss0 + j * ss1, sizeof(T));               \
        }                                                                                          \
    return;
    switch (sz) {
    case 1:
        COPY_AS(uint8_t)
    case 2:
        COPY_AS(uint16_t)
    case 4:
        COPY_AS(uint32_t)
    case 8:
        COPY_AS(uint64_t)
    case 16:
        COPY_AS(char[16])
    }
#undef COPY_AS
    for (int64_t i = 0; i < n0; i++)
        for (int64_t j = 0; j < n1; j++)
            memcpy(d + i * ds0 + j * ds1, s + i * ss0 + j * ss1, sz);
}

/* dst = src of one dtype and local shape, any strides: the last two dimensions as tiles
 * (arri_copy_2d) under a walk of the others. */
static void copy_strided(arr_t *dst, const arr_t *src)
{
    int nd = src->ndim;
    size_t sz = dt_size(src->dtype);
    int64_t n0 = nd >= 2 ? src->lshape[nd - 2] : 1, n1 = src->lshape[nd - 1];
    int64_t ss1 = src->lstride[nd - 1] * (int64_t)sz, ds1 = dst->lstride[nd - 1] * (int64_t)sz;
    int64_t ss0 = nd >= 2 ? src->lstride[nd - 2] * (int64_t)sz : 0;
    int64_t ds0 = nd >= 2 ? dst->lstride[nd - 2] * (int64_t)sz : 0;
    int64_t idx[ARR_MAXDIM] = {0};
    int nt = arri_lsize(dst) * (int64_t)sz >= ARRI_NT_MIN;
    for (;;) {
        int64_t so = src->loff, dof = dst->loff;
        for (int d = 0; d < nd - 2; d++) {
            so += idx[d] * src->lstride[d];
            dof += idx[d] * dst->lstride[d];
        }
        arri_copy_2d((char *)dst->buf->p + dof * (int64_t)sz, ds0, ds1,
                     (const char *)src->buf->p + so * (int64_t)sz, ss0, ss1, n0, n1, sz, nt);
        int d = nd - 3;
        for (; d >= 0; d--) {
            if (++idx[d] < src->lshape[d]) break;
            idx[d] = 0;
        }
        if (d < 0) return;
    }
}

int arri_cast_chunk(arr_t *dst, const arr_t *src)
{
    int64_t n = arri_lsize(src);
    int w = 0;
    if (n == 0) return 0;
    if (arri_contig(src) && arri_contig(dst)) {
        w = kern_cast_warns(src->dtype, dst->dtype, arri_base(src), (size_t)n);
        kern_cast(src->dtype, dst->dtype, arri_base(dst), arri_base(src), (size_t)n);
        return w;
    }
    if (src->dtype == dst->dtype && src->ndim > 0) {
        copy_strided(dst, src);
        return 0;
    }
    size_t ss = dt_size(src->dtype), ds = dt_size(dst->dtype);
    int nd = src->ndim;
    int64_t idx[ARR_MAXDIM] = {0};
    for (int64_t k = 0; k < n; k++) {
        int64_t so = src->loff, dof = dst->loff;
        for (int d = 0; d < nd; d++) {
            so += idx[d] * src->lstride[d];
            dof += idx[d] * dst->lstride[d];
        }
        const char *sp = (const char *)src->buf->p + so * (int64_t)ss;
        w |= kern_cast_warns(src->dtype, dst->dtype, sp, 1);
        kern_cast(src->dtype, dst->dtype, (char *)dst->buf->p + dof * (int64_t)ds, sp, 1);
        for (int d = nd - 1; d >= 0; d--) {
            if (++idx[d] < src->lshape[d]) break;
            idx[d] = 0;
        }
    }
    return w;
}

/* ---- creation ---- */

/* Creates the chunk on every rank and agrees on success. In global view an array of at
 * least one dimension is distributed with the layout dist asks for (NULL: the default). */
static int make_as(rt_t *rt, int ndim, const int64_t *shape, int dtype, const dist_spec_t *dist,
                   int how, arr_t **out, err_t *err)
{
    int isdist = !rt->local && ndim > 0 && ndim <= ARR_MAXDIM;
    if (!isdist) return alloc_arr(rt, ndim, shape, dtype, NULL, how, out, err);
    dist_t d;
    memset(&d, 0, sizeof d);
    int rc = dist_init(&d, ndim, shape, dist, rt->nranks, err);
    if (!rc) rc = alloc_arr(rt, ndim, shape, dtype, &d, how, out, err);
    dist_clear(&d);
    int all = arri_agree(rt, rc, err);
    if (all && !rc) arr_unref(out);
    return all;
}

static int make(rt_t *rt, int ndim, const int64_t *shape, int dtype, const dist_spec_t *dist,
                arr_t **out, err_t *err)
{
    return make_as(rt, ndim, shape, dtype, dist, NEW_ZERO, out, err);
}

/* Global flat (C order) indices of local elements [k0, k0 + n) of a's chunk into g: the
 * creators fill by global position, so values do not depend on the layout. */
static void gflat(const rt_t *rt, const arr_t *a, int64_t k0, int64_t n, int64_t *g)
{
    if (!a->isdist || dist_is_rows(&a->dist)) {
        int64_t inner = 1;
        for (int d = 1; d < a->ndim; d++)
            inner *= a->shape[d];
        int64_t g0 = a->isdist ? arri_row(a, rt->rank) * inner : 0;
        for (int64_t i = 0; i < n; i++)
            g[i] = g0 + k0 + i;
        return;
    }
    int nd = a->ndim, coord[ARR_MAXDIM];
    int64_t idx[ARR_MAXDIM], q = k0;
    dist_coords(&a->dist, rt->rank, coord);
    for (int d = nd - 1; d >= 0; d--) {
        idx[d] = q % a->lshape[d];
        q /= a->lshape[d];
    }
    for (int64_t i = 0; i < n; i++) {
        int64_t f = 0;
        for (int d = 0; d < nd; d++)
            f = f * a->shape[d] + dist_l2g(&a->dist, d, coord[d], idx[d]);
        g[i] = f;
        for (int d = nd - 1; d >= 0; d--) {
            if (++idx[d] < a->lshape[d]) break;
            idx[d] = 0;
        }
    }
}

#define GBLK 1024

int arri_rowwise(const rt_t *rt, arr_t *a, arr_t **out, err_t *err)
{
    if (!a->isdist || rt->local || dist_is_rows(&a->dist)) {
        *out = arr_ref(a);
        return 0;
    }
    return coll_redistribute(rt, a, NULL, out, err);
}

int arri_val_dtype(const val_t *v, int *weak)
{
    *weak = 0;
    switch (v->kind) {
    case V_ARRAY:
        return arr_dtype(v->u.a);
    case V_BOOL:
        *weak = v->weak;
        return DT_BOOL;
    case V_INT:
        *weak = v->weak;
        return v->dtype == DT_INT32 && !v->weak ? DT_INT32 : DT_INT64;
    case V_FLOAT:
        *weak = v->weak;
        return v->dtype == DT_FLOAT32 && !v->weak ? DT_FLOAT32 : DT_FLOAT64;
    case V_COMPLEX:
        *weak = v->weak;
        return DT_COMPLEX128;
    }
    return -1;
}

/* The dtype of a number used as a fill value or array element; -1 for anything else. */
static int num_dtype(const val_t *v)
{
    int weak;
    return v->kind == V_ARRAY ? -1 : arri_val_dtype(v, &weak);
}

int arr_full(rt_t *rt, int ndim, const int64_t *shape, int dtype, const val_t *fill,
             const dist_spec_t *dist, arr_t **out, err_t *err)
{
    if (fill && fill->kind != V_NONE && num_dtype(fill) < 0)
        return err_set(err, PARC_ETYPE, (span_t){0}, "fill value must be a number, not '%s'",
                       val_kind_name(fill));
    if (dtype < 0) dtype = fill && fill->kind != V_NONE ? num_dtype(fill) : DT_FLOAT64;
    arr_t *a = NULL;
    int rc = make(rt, ndim, shape, dtype, dist, &a, err);
    if (rc) return rc;
    char v[16] = {0};
    if (fill && fill->kind != V_NONE) arri_store_val(dtype, v, fill);
    kern_fill(dtype, arri_base(a), v, (size_t)arri_lsize(a));
    *out = a;
    return 0;
}

int arr_arange(rt_t *rt, const val_t *start, const val_t *stop, const val_t *step, int dtype,
               const dist_spec_t *dist, arr_t **out, err_t *err)
{
    const val_t *vs[3] = {start, stop, step};
    int isint = 1;
    double f[3] = {0, 0, 1};
    int64_t i[3] = {0, 0, 1};
    for (int k = 0; k < 3; k++) {
        const val_t *v = vs[k];
        if (!v || v->kind == V_NONE) {
            if (k == 1)
                return err_set(err, PARC_ETYPE, (span_t){0},
                               "arange() missing required argument 'stop'");
            continue;
        }
        if (v->kind == V_BOOL || v->kind == V_INT) {
            i[k] = v->u.i;
            f[k] = (double)v->u.i;
        } else if (v->kind == V_FLOAT) {
            isint = 0;
            f[k] = v->u.f;
        } else {
            return err_set(err, PARC_ETYPE, (span_t){0}, "unsupported type '%s' for arange",
                           val_kind_name(v));
        }
    }
    if (f[2] == 0) return err_set(err, PARC_EZERODIV, (span_t){0}, "division by zero");
    int64_t n;
    if (isint) {
        int64_t span = i[1] - i[0], st = i[2];
        n = st > 0 ? (span + st - 1) / st : (span + st + 1) / st;
        if (span == 0) n = 0;
    } else {
        double len = ceil((f[1] - f[0]) / f[2]);
        if (!(len < 9.2e18))
            return err_set(err, PARC_EVALUE, (span_t){0}, "Maximum allowed size exceeded");
        n = len > 0 ? (int64_t)len : 0;
    }
    if (n < 0) n = 0;
    if (dtype < 0) dtype = isint ? DT_INT64 : DT_FLOAT64;
    arr_t *a = NULL;
    int rc = make(rt, 1, &n, dtype, dist, &a, err);
    if (rc) return rc;
    int64_t m = arri_lsize(a), g[GBLK];
    char *p = arri_base(a);
    size_t sz = dt_size(dtype);
    /* NumPy fills start + i*delta with delta = (start + step) - start. */
    double delta = (f[0] + f[2]) - f[0];
    for (int64_t k0 = 0; k0 < m; k0 += GBLK) {
        int64_t nb = m - k0 < GBLK ? m - k0 : GBLK;
        gflat(rt, a, k0, nb, g);
        for (int64_t j = 0; j < nb; j++) {
            char *e = p + (k0 + j) * (int64_t)sz;
            if (isint) {
                int64_t v = (int64_t)((uint64_t)i[0] + (uint64_t)g[j] * (uint64_t)i[2]);
                kern_cast(DT_INT64, dtype, e, &v, 1);
            } else {
                double v = g[j] == 0 ? f[0] : f[0] + (double)g[j] * delta;
                kern_cast(DT_FLOAT64, dtype, e, &v, 1);
            }
        }
    }
    *out = a;
    return 0;
}

int arr_linspace(rt_t *rt, double start, double stop, int64_t num, int endpoint, int dtype,
                 const dist_spec_t *dist, arr_t **out, err_t *err)
{
    if (num < 0)
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "Number of samples, %lld, must be non-negative.", (long long)num);
    if (dtype < 0) dtype = DT_FLOAT64;
    arr_t *a = NULL;
    int rc = make(rt, 1, &num, dtype, dist, &a, err);
    if (rc) return rc;
    int64_t div = endpoint ? num - 1 : num;
    double delta = stop - start, step = div > 0 ? delta / (double)div : NAN;
    int64_t m = arri_lsize(a), g[GBLK];
    char *p = arri_base(a);
    for (int64_t k0 = 0; k0 < m; k0 += GBLK) {
        int64_t nb = m - k0 < GBLK ? m - k0 : GBLK;
        gflat(rt, a, k0, nb, g);
        for (int64_t j = 0; j < nb; j++) {
            double i = (double)g[j], v;
            if (div > 0)
                v = step == 0 ? i / (double)div * delta + start : i * step + start;
            else
                v = i * delta + start;
            if (endpoint && num > 1 && g[j] == num - 1) v = stop;
            kern_cast(DT_FLOAT64, dtype, p + (k0 + j) * (int64_t)dt_size(dtype), &v, 1);
        }
    }
    *out = a;
    return 0;
}

/* Shape and dtype of a nested list; -1 depth mismatch. */
static int walk_shape(const val_t *v, int depth, int *ndim, int64_t *shape, int *dt, err_t *err)
{
    if (v->kind == V_LIST || v->kind == V_TUPLE) {
        const seq_t *s = (const seq_t *)v->u.o;
        if (depth >= ARR_MAXDIM)
            return err_set(err, PARC_EVALUE, (span_t){0}, "too many dimensions");
        if (depth >= *ndim) {
            if (*ndim >= 0 && depth > *ndim) goto ragged;
            if (*dt >= 0) goto ragged; /* scalars already seen at this depth */
            *ndim = depth + 1;
            shape[depth] = (int64_t)s->n;
        } else if (shape[depth] != (int64_t)s->n) {
            goto ragged;
        }
        for (size_t k = 0; k < s->n; k++) {
            int rc = walk_shape(&s->v[k], depth + 1, ndim, shape, dt, err);
            if (rc) return rc;
        }
        if (s->n == 0 && *dt < 0 && *ndim == depth + 1) *dt = -2;
        return 0;
    }
    int d = num_dtype(v);
    if (d < 0)
        return err_set(err, PARC_ETYPE, (span_t){0}, "array() cannot hold a value of type '%s'",
                       val_kind_name(v));
    if (*ndim < 0) *ndim = depth;
    if (depth != *ndim) goto ragged;
    if (v->weak || v->kind == V_BOOL)
        d = v->kind == V_BOOL    ? DT_BOOL
            : v->kind == V_INT   ? DT_INT64
            : v->kind == V_FLOAT ? DT_FLOAT64
                                 : DT_COMPLEX128;
    *dt = *dt < 0 ? d : dt_promote(*dt, d);
    return 0;
ragged:
    return err_set(err, PARC_EVALUE, (span_t){0},
                   "setting an array element with a sequence. The requested array has an "
                   "inhomogeneous shape after %d dimensions.",
                   depth);
}

static const val_t *elem_at(const val_t *v, int ndim, const int64_t *shape, int64_t flat)
{
    int64_t idx[ARR_MAXDIM];
    for (int d = ndim - 1; d >= 0; d--) {
        idx[d] = flat % shape[d];
        flat /= shape[d];
    }
    for (int d = 0; d < ndim; d++)
        v = &((const seq_t *)v->u.o)->v[idx[d]];
    return v;
}

int arr_from_value(rt_t *rt, const val_t *v, int dtype, const dist_spec_t *dist, arr_t **out,
                   err_t *err)
{
    int ndim = -1, dt = -1;
    int64_t shape[ARR_MAXDIM] = {0};
    int rc = walk_shape(v, 0, &ndim, shape, &dt, err);
    if (rc) return rc;
    if (ndim < 0) ndim = 0;
    if (dt < 0) dt = DT_FLOAT64;
    if (dtype < 0) dtype = dt;
    arr_t *a = NULL;
    rc = make(rt, ndim, shape, dtype, dist, &a, err);
    if (rc) return rc;
    int64_t m = arri_lsize(a), g[GBLK];
    char *p = arri_base(a);
    for (int64_t k0 = 0; k0 < m; k0 += GBLK) {
        int64_t nb = m - k0 < GBLK ? m - k0 : GBLK;
        gflat(rt, a, k0, nb, g);
        for (int64_t j = 0; j < nb; j++)
            arri_store_val(dtype, p + (k0 + j) * (int64_t)dt_size(dtype),
                           elem_at(v, ndim, shape, g[j]));
    }
    *out = a;
    return 0;
}

/* ---- random ---- */

static rng_t stream(rt_t *rt)
{
    rng_t s;
    uint64_t seed = rt->local ? rt->lseed : rt->seed;
    s.key[0] = (uint32_t)seed;
    s.key[1] = (uint32_t)(seed >> 32) ^ (rt->local ? 0x5bd1e995u : 0u);
    s.call = rt->local ? rt->lcalls++ : rt->calls++;
    return s;
}

/* n values of kind from global index g0 into p (dtype), in blocks for the integer cast. */
static void rfill(const rng_t *s, int kind, int dtype, double lo, double hi, uint64_t g0, int64_t n,
                  void *p)
{
    if (kind == RAND_UNIFORM && dtype == DT_FLOAT32) {
        rng_uniform32(s, g0, (size_t)n, lo, hi, p);
        return;
    }
    if (kind == RAND_UNIFORM) {
        rng_uniform64(s, g0, (size_t)n, lo, hi, p);
        return;
    }
    double f[KERN_BLK];
    int64_t iv[KERN_BLK];
    uint64_t range = (uint64_t)((int64_t)hi - (int64_t)lo);
    size_t sz = dt_size(dtype);
    for (int64_t k = 0; k < n; k += KERN_BLK) {
        size_t m = (size_t)(n - k < KERN_BLK ? n - k : KERN_BLK);
        char *d = (char *)p + (size_t)k * sz;
        if (kind == RAND_INT) {
            rng_int(s, g0 + (uint64_t)k, m, (int64_t)lo, range, iv);
            kern_cast(DT_INT64, dtype, d, iv, m);
        } else if (dtype == DT_FLOAT32) {
            rng_normal(s, g0 + (uint64_t)k, m, lo, hi, f);
            kern_cast(DT_FLOAT64, DT_FLOAT32, d, f, m);
        } else {
            rng_normal(s, g0 + (uint64_t)k, m, lo, hi, (double *)d);
        }
    }
}

/* rfill over a chunk of any layout: each owned interval of the last axis is a run of
 * consecutive global flat indices. */
static void rand_runs(const rt_t *rt, const rng_t *s, int kind, int dtype, double lo, double hi,
                      arr_t *a)
{
    int nd = a->ndim, coord[ARR_MAXDIM];
    int64_t last = a->lshape[nd - 1], idx[ARR_MAXDIM] = {0};
    if (last == 0) return;
    dist_coords(&a->dist, rt->rank, coord);
    int64_t outer = arri_lsize(a) / last, nint = dist_nintervals(&a->dist, nd - 1, coord[nd - 1]);
    size_t sz = dt_size(dtype);
    for (int64_t o = 0; o < outer; o++) {
        int64_t base = 0, off = 0;
        for (int d = 0; d < nd - 1; d++)
            base = base * a->shape[d] + dist_l2g(&a->dist, d, coord[d], idx[d]);
        base *= a->shape[nd - 1];
        char *row = (char *)arri_base(a) + (size_t)(o * last) * sz;
        for (int64_t i = 0; i < nint; i++) {
            int64_t st, cnt;
            dist_interval(&a->dist, nd - 1, coord[nd - 1], i, &st, &cnt);
            rfill(s, kind, dtype, lo, hi, (uint64_t)(base + st), cnt, row + (size_t)off * sz);
            off += cnt;
        }
        for (int d = nd - 2; d >= 0; d--) {
            if (++idx[d] < a->lshape[d]) break;
            idx[d] = 0;
        }
    }
}

static int rand_check(int kind, double lo, double hi, err_t *err)
{
    if (kind == RAND_INT && !((int64_t)lo < (int64_t)hi))
        return err_set(err, PARC_EVALUE, (span_t){0}, "low >= high");
    if (kind == RAND_NORMAL && hi < 0) return err_set(err, PARC_EVALUE, (span_t){0}, "scale < 0");
    return 0;
}

/* arr_random, or (virt, at least one dimension) its virtual array: in global view agreed
 * by every rank, in local view (not distributed) this rank's alone. */
static int random_as(rt_t *rt, int kind, int ndim, const int64_t *shape, int dtype, double lo,
                     double hi, const dist_spec_t *dist, int virt, arr_t **out, err_t *err)
{
    int rc = rand_check(kind, lo, hi, err);
    if (rc) return rc;
    if (dtype < 0) dtype = kind == RAND_INT ? DT_INT64 : DT_FLOAT64;
    if (kind != RAND_INT && dtype != DT_FLOAT32 && dtype != DT_FLOAT64)
        return err_set(err, PARC_ETYPE, (span_t){0}, "Unsupported dtype %s for random floats",
                       dt_name(dtype));
    arr_t *a = NULL;
    rc = make_as(rt, ndim, shape, dtype, dist, virt && ndim > 0 ? NEW_VIRT : NEW_OUT, &a, err);
    if (rc) return rc;
    rng_t s = stream(rt);
    if (!a->buf) {
        a->gen = mem_calloc(1, sizeof *a->gen);
        if (!a->gen) {
            /* the stream moved on every rank; this rank cannot stand for the values */
            arr_unref(&a);
            rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
            return rt->local ? rc : arri_agree(rt, rc, err);
        }
        *a->gen = (arr_gen_t){s, kind, lo, hi};
        rc = rt->local ? 0 : arri_agree(rt, 0, err);
        if (rc) {
            arr_unref(&a);
            return rc;
        }
    } else if (!a->isdist || dist_is_rows(&a->dist)) {
        int64_t g0 = 0;
        gflat(rt, a, 0, 1, &g0);
        rfill(&s, kind, dtype, lo, hi, (uint64_t)g0, arri_lsize(a), arri_base(a));
    } else {
        rand_runs(rt, &s, kind, dtype, lo, hi, a);
    }
    *out = a;
    return 0;
}

int arr_random(rt_t *rt, int kind, int ndim, const int64_t *shape, int dtype, double lo, double hi,
               const dist_spec_t *dist, arr_t **out, err_t *err)
{
    return random_as(rt, kind, ndim, shape, dtype, lo, hi, dist, 0, out, err);
}

int arri_random_virtual(rt_t *rt, int kind, int ndim, const int64_t *shape, int dtype, double lo,
                        double hi, const dist_spec_t *dist, arr_t **out, err_t *err)
{
    return random_as(rt, kind, ndim, shape, dtype, lo, hi, dist, 1, out, err);
}

int arri_realize(const rt_t *rt, const arr_t *v, arr_t **out, err_t *err)
{
    arr_t *a = NULL;
    int rc = arri_new_out(rt, v->dtype, v->isdist, &v->dist, v->ndim, v->shape, &a, err);
    if (rc) return rc;
    const arr_gen_t *g = v->gen;
    if (!a->isdist || dist_is_rows(&a->dist)) {
        int64_t g0 = 0;
        gflat(rt, a, 0, 1, &g0);
        rfill(&g->s, g->kind, a->dtype, g->lo, g->hi, (uint64_t)g0, arri_lsize(a), arri_base(a));
    } else {
        rand_runs(rt, &g->s, g->kind, a->dtype, g->lo, g->hi, a);
    }
    *out = a;
    return 0;
}

void arri_gen_fill(const arr_t *v, uint64_t g0, int64_t n, void *p)
{
    const arr_gen_t *g = v->gen;
    rfill(&g->s, g->kind, v->dtype, g->lo, g->hi, g0, n, p);
}

void arri_gen_range(const arr_t *v, double *lo, double *hi)
{
    const arr_gen_t *g = v->gen;
    if (g->kind == RAND_INT) {
        *lo = (double)(int64_t)g->lo;
        *hi = (double)((int64_t)g->hi - 1);
    } else if (g->kind == RAND_NORMAL) {
        /* Box-Muller: sqrt(-2 log1p(-u1)) with u1 < 1 - 2^-53 stays below 8.58 */
        *lo = g->lo - 8.6 * g->hi;
        *hi = g->lo + 8.6 * g->hi;
    } else {
        *lo = g->lo < g->hi ? g->lo : g->hi;
        *hi = g->lo < g->hi ? g->hi : g->lo;
    }
}

int arr_random_scalar(rt_t *rt, int kind, double lo, double hi, val_t *out, err_t *err)
{
    int rc = rand_check(kind, lo, hi, err);
    if (rc) return rc;
    rng_t s = stream(rt);
    double f = 0;
    int64_t iv = 0;
    rfill(&s, kind, kind == RAND_INT ? DT_INT64 : DT_FLOAT64, lo, hi, 0, 1,
          kind == RAND_INT ? (void *)&iv : (void *)&f);
    val_t v = {0};
    v.weak = 1;
    if (kind == RAND_INT) {
        v.kind = V_INT;
        v.dtype = DT_INT64;
        v.u.i = iv;
    } else {
        v.kind = V_FLOAT;
        v.dtype = DT_FLOAT64;
        v.u.f = f;
    }
    *out = v;
    return 0;
}

/* ---- layout queries and conversions ---- */

int arr_localshapes(const rt_t *rt, const arr_t *a, int64_t *out, size_t cap)
{
    size_t need = (size_t)rt->nranks * (size_t)a->ndim;
    if (cap < need) return -1;
    for (int r = 0; r < rt->nranks; r++) {
        int64_t *o = out + (size_t)r * (size_t)a->ndim;
        if (a->isdist)
            dist_lshape(&a->dist, r, o);
        else
            memcpy(o, a->lshape, (size_t)a->ndim * sizeof *o);
    }
    return (int)need;
}

void arr_dist_text(const arr_t *a, wbuf_t *out)
{
    char buf[64];
    if (a->isdist) {
        dist_text(&a->dist, buf, sizeof buf);
        wbuf_printf(out, "%s", buf);
        return;
    }
    wbuf_printf(out, "(");
    for (int d = 0; d < a->ndim; d++)
        wbuf_printf(out, d ? ", 'n'" : "'n'");
    wbuf_printf(out, a->ndim == 1 ? ",)" : ")");
}

int arr_owned_indices(const rt_t *rt, const dist_t *d, int dim, arr_t **out, err_t *err)
{
    int coord[ARR_MAXDIM];
    dist_coords(d, rt->rank, coord);
    int64_t n = dist_extent(d, dim, coord[dim]);
    int rc = arri_new(rt, 1, &n, DT_INT64, 0, NULL, out, err);
    for (int64_t l = 0; !rc && l < n; l++)
        ((int64_t *)arri_base(*out))[l] = dist_l2g(d, dim, coord[dim], l);
    return rc;
}

arr_t *arr_local(const arr_t *a)
{
    arr_t *l = mem_calloc(1, sizeof *l);
    if (!l) return NULL;
    *l = *a;
    l->refs = 1;
    l->isdist = 0;
    /* the chunk remembers where it lies in a (x.global_index in local view) */
    err_t e;
    err_clear(&e);
    l->ofdist = a->isdist && !dist_copy(&l->dist, &a->dist, &e);
    if (!l->ofdist) memset(&l->dist, 0, sizeof l->dist);
    memcpy(l->shape, a->lshape, sizeof l->shape);
    l->buf->refs++;
    return l;
}

/* Each rank's extent along every axis, checked against the layout: engines at the same grid
 * coordinate along an axis hold the same extent there ('n' axes: all of them), and a
 * cyclic axis must be split as its global length (the sum over its coordinates) splits.
 * Fills the global shape and, for 'b' axes, the explicit bounds bnd[d] (grid[d] + 1). */
static int local_shapes(const rt_t *rt, const dist_t *g, const int64_t *all, size_t stride,
                        int64_t *shape, int64_t **bnd, err_t *err)
{
    int nd = g->ndim, coord[DIST_MAXDIM];
    for (int d = 0; d < nd; d++) {
        for (int c = 0; c <= g->grid[d]; c++)
            bnd[d][c] = -1;
    }
    for (int r = 0; r < rt->nranks; r++) {
        const int64_t *o = all + (size_t)r * stride;
        dist_coords(g, r, coord);
        for (int d = 0; d < nd; d++) {
            int64_t *e = &bnd[d][coord[d] + 1], n = o[2 + d];
            if (*e < 0) *e = n;
            if (*e != n)
                return err_set(err, PARC_EVALUE, (span_t){0},
                               "from_local: engine %d's array has %lld elements along axis %d, "
                               "another engine at the same place along it %lld",
                               r, (long long)n, d, (long long)*e);
        }
    }
    for (int d = 0; d < nd; d++) {
        bnd[d][0] = 0;
        for (int c = 0; c < g->grid[d]; c++)
            bnd[d][c + 1] += bnd[d][c];
        shape[d] = bnd[d][g->grid[d]];
    }
    return 0;
}

int arr_from_local(rt_t *rt, const arr_t *local, const dist_spec_t *spec, arr_t **out, err_t *err)
{
    /* every rank's ndim, dtype and local shape, gathered */
    enum { W = ARR_MAXDIM + 2 };
    int64_t mine[W] = {0};
    int rc = 0, p = rt->nranks;
    mine[0] = local->ndim;
    mine[1] = local->dtype;
    for (int d = 0; d < local->ndim; d++)
        mine[2 + d] = local->lshape[d];
    if (local->ndim == 0)
        rc = err_set(err, PARC_EVALUE, (span_t){0},
                     "from_local needs arrays of at least one dimension");
    int64_t *all = mem_calloc((size_t)p, sizeof mine);
    int64_t *bnd[DIST_MAXDIM] = {NULL};
    for (int d = 0; !rc && d < local->ndim; d++)
        if (!(bnd[d] = mem_alloc((size_t)(p + 1) * sizeof *bnd[d])))
            rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (!all && !rc) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    rc = arri_agree(rt, rc, err);
    if (!rc) rc = coll_allgather_bytes(rt, mine, sizeof mine, all, err);
    int dtype = rc ? 0 : (int)all[1];
    for (int r = 0; r < p && !rc; r++) {
        if (all[(size_t)r * W] != local->ndim)
            rc = err_set(err, PARC_EVALUE, (span_t){0},
                         "from_local: engine %d's array has %lld dimensions, this one %d", r,
                         (long long)all[(size_t)r * W], local->ndim);
        dtype = dt_promote(dtype, (int)all[(size_t)r * W + 1]);
    }
    /* the grid (it does not depend on the shape), then the shape the chunks make */
    dist_t g, d;
    memset(&g, 0, sizeof g);
    memset(&d, 0, sizeof d);
    int64_t shape[ARR_MAXDIM];
    if (!rc) rc = dist_init(&g, local->ndim, local->lshape, spec, p, err);
    if (!rc) rc = local_shapes(rt, &g, all, W, shape, bnd, err);
    if (!rc) rc = dist_init(&d, local->ndim, shape, spec, p, err);
    for (int k = 0; !rc && k < d.ndim; k++) {
        for (int c = 0; !rc && d.kind[k] == 'c' && c < d.grid[k]; c++)
            if (dist_extent(&d, k, c) != bnd[k][c + 1] - bnd[k][c])
                rc = err_set(err, PARC_EVALUE, (span_t){0},
                             "from_local: the engines at place %d along cyclic axis %d hold %lld "
                             "elements, a cyclic split of %lld gives them %lld",
                             c, k, (long long)(bnd[k][c + 1] - bnd[k][c]), (long long)shape[k],
                             (long long)dist_extent(&d, k, c));
        if (!rc && d.kind[k] == 'b') rc = dist_set_bounds(&d, k, bnd[k], err);
    }
    arr_t *a = NULL;
    if (!rc) rc = arri_new_dist(rt, dtype, &d, &a, err);
    mem_free(all);
    for (int k = 0; k < local->ndim; k++)
        mem_free(bnd[k]);
    dist_clear(&g);
    dist_clear(&d);
    rc = arri_agree(rt, rc, err);
    if (rc) {
        arr_unref(&a);
        return rc;
    }
    arri_copy_chunk(a, local);
    *out = a;
    return 0;
}

int arr_astype(rt_t *rt, const arr_t *a, int dtype, arr_t **out, err_t *err)
{
    arr_t *b = NULL;
    int rc = arri_new_out(rt, dtype, a->isdist, &a->dist, a->ndim, a->shape, &b, err);
    if (a->isdist && !rt->local) rc = arri_agree(rt, rc, err);
    if (rc) {
        arr_unref(&b);
        return rc;
    }
    /* NumPy's warnings for a cast that loses the value (nan to int, 1e300 to float32) */
    int w = arri_cast_chunk(b, a);
    if (w & KERN_WINVALID) rt_warn(rt, (span_t){0}, "invalid value", "cast");
    if (w & KERN_WOVERFLOW) rt_warn(rt, (span_t){0}, "overflow", "cast");
    *out = b;
    return 0;
}

int arr_redistribute(rt_t *rt, const arr_t *a, const dist_spec_t *spec, arr_t **out, err_t *err)
{
    if (!a->isdist || rt->local)
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "redistribute() moves a distributed array in global view");
    dist_t d;
    memset(&d, 0, sizeof d);
    int rc = dist_init(&d, a->ndim, a->shape, spec, rt->nranks, err);
    rc = arri_agree(rt, rc, err);
    if (!rc) rc = coll_redist(rt, a, &d, out, err);
    dist_clear(&d);
    return rc;
}

int arr_copy(rt_t *rt, const arr_t *a, arr_t **out, err_t *err)
{
    return arr_astype(rt, a, a->dtype, out, err);
}
