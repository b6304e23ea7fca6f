/* kcopy.c - copies that the cache would slow down: block transposes (kern_transpose), the
 * copy at the heart of moving a transposed view between layouts (redist.c) and of copying
 * one, and copies past the cache (kern_copy_nt).
 *
 * For 8-byte elements with AVX-512 (and 4-byte ones with AVX) an 8 x 8 block goes through
 * registers: eight row loads, three rounds of shuffles, eight row stores, so that every cache
 * line it touches is read or written whole and at once. Element by element, a tile of 8 x 8
 * writes each of the eight output lines eight times; with taller tiles the output rows, a
 * power of two apart, fall into one L1 set. A local 4096 x 8192 float64 transpose here (bands
 * of 8 to 128 output rows over the whole input, 2026-12-08, a standalone test): element by
 * element 0.047-0.058 s at 8 rows and 0.19 s at 32, through registers 0.028-0.029 s at 32
 * rows (a memcpy of the same bytes 0.013-0.017 s); `bench_ceiling N transpose` times the
 * final loops. Blocks are visited in bands of output rows, input row block by input row block
 * inside. Other element sizes go one at a time in small tiles. */
#include <stdint.h>
#include <string.h>

#include "kern.h"

#if defined(__AVX512F__)
#include <immintrin.h>

/* d row k = s column k, for 8 rows of 8 doubles (strides in elements); with nt the rows are
 * stored past the cache (d and ds must keep them on 64-byte boundaries). */
static inline void t8x8(double *d, int64_t ds, const double *s, int64_t ss, int nt)
{
    __m512d r0 = _mm512_loadu_pd(s), r1 = _mm512_loadu_pd(s + ss);
    __m512d r2 = _mm512_loadu_pd(s + 2 * ss), r3 = _mm512_loadu_pd(s + 3 * ss);
    __m512d r4 = _mm512_loadu_pd(s + 4 * ss), r5 = _mm512_loadu_pd(s + 5 * ss);
    __m512d r6 = _mm512_loadu_pd(s + 6 * ss), r7 = _mm512_loadu_pd(s + 7 * ss);
    /* pairs of rows: even and odd columns */
    __m512d t0 = _mm512_unpacklo_pd(r0, r1), t1 = _mm512_unpackhi_pd(r0, r1);
    __m512d t2 = _mm512_unpacklo_pd(r2, r3), t3 = _mm512_unpackhi_pd(r2, r3);
    __m512d t4 = _mm512_unpacklo_pd(r4, r5), t5 = _mm512_unpackhi_pd(r4, r5);
    __m512d t6 = _mm512_unpacklo_pd(r6, r7), t7 = _mm512_unpackhi_pd(r6, r7);
    /* quads of rows: columns c and c + 4 of rows 0-3 (u0-u3) and 4-7 (u4-u7) */
    const __m512i lo = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0);
    const __m512i hi = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
    __m512d u0 = _mm512_permutex2var_pd(t0, lo, t2), u1 = _mm512_permutex2var_pd(t1, lo, t3);
    __m512d u2 = _mm512_permutex2var_pd(t0, hi, t2), u3 = _mm512_permutex2var_pd(t1, hi, t3);
    __m512d u4 = _mm512_permutex2var_pd(t4, lo, t6), u5 = _mm512_permutex2var_pd(t5, lo, t7);
    __m512d u6 = _mm512_permutex2var_pd(t4, hi, t6), u7 = _mm512_permutex2var_pd(t5, hi, t7);
    __m512d c[8] = {_mm512_shuffle_f64x2(u0, u4, 0x44), _mm512_shuffle_f64x2(u1, u5, 0x44),
                    _mm512_shuffle_f64x2(u2, u6, 0x44), _mm512_shuffle_f64x2(u3, u7, 0x44),
                    _mm512_shuffle_f64x2(u0, u4, 0xee), _mm512_shuffle_f64x2(u1, u5, 0xee),
                    _mm512_shuffle_f64x2(u2, u6, 0xee), _mm512_shuffle_f64x2(u3, u7, 0xee)};
    if (nt)
        for (int k = 0; k < 8; k++)
            _mm512_stream_pd(d + k * ds, c[k]);
    else
        for (int k = 0; k < 8; k++)
            _mm512_storeu_pd(d + k * ds, c[k]);
}
#define HAVE_T8X8 1
#else
#define HAVE_T8X8 0
#endif

#if defined(__AVX__)
#include <immintrin.h>

/* The same for 8 rows of 8 floats (4-byte elements: float32, int32) in 256-bit registers. */
static inline void t8x8_32(float *d, int64_t ds, const float *s, int64_t ss)
{
    __m256 r0 = _mm256_loadu_ps(s), r1 = _mm256_loadu_ps(s + ss);
    __m256 r2 = _mm256_loadu_ps(s + 2 * ss), r3 = _mm256_loadu_ps(s + 3 * ss);
    __m256 r4 = _mm256_loadu_ps(s + 4 * ss), r5 = _mm256_loadu_ps(s + 5 * ss);
    __m256 r6 = _mm256_loadu_ps(s + 6 * ss), r7 = _mm256_loadu_ps(s + 7 * ss);
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xee);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xee);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xee);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xee);
    _mm256_storeu_ps(d, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(d + ds, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(d + 2 * ds, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(d + 3 * ds, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(d + 4 * ds, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(d + 5 * ds, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(d + 6 * ds, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(d + 7 * ds, _mm256_permute2f128_ps(u3, u7, 0x31));
}

#define HAVE_T8X8_32 1
#else
#define HAVE_T8X8_32 0
#endif

/* Output rows written together: every input row gives each band BAND elements at a time;
 * and blocks of BLK x BLK, so that the pages a block touches stay in the TLB. The whole
 * 4096 x 8192 float64 transpose above: 0.047-0.058 s in bands of 8 rows, 0.026-0.033 s in
 * 16, 0.024-0.029 s in 32, 0.030-0.034 s in 64, 0.038-0.046 s in 128 (over all input rows);
 * in blocks of 256 x 256 (bands of 32 inside) 0.021-0.022 s, and 0.015 s with non-temporal
 * stores. 4-byte elements take the same (not measured apart). */
#define BAND 32
#define BLK  256

#if HAVE_T8X8 || HAVE_T8X8_32
/* The ni8 x nj8 elements (multiples of 8) of sz = 8 or 4 bytes in register blocks; nt for 8
 * (t8x8's requirements checked by the caller). */
static void t8_blocks(char *d, int64_t ds, const char *s, int64_t ss, int64_t ni8, int64_t nj8,
                      size_t sz, int nt)
{
    int64_t z = (int64_t)sz;
    (void)nt; /* without AVX-512 (4-byte blocks only) */
    for (int64_t i2 = 0; i2 < ni8; i2 += BLK)
        for (int64_t j2 = 0; j2 < nj8; j2 += BLK) {
            int64_t ie = i2 + BLK < ni8 ? i2 + BLK : ni8, je = j2 + BLK < nj8 ? j2 + BLK : nj8;
            for (int64_t i0 = i2; i0 < ie; i0 += BAND) {
                int64_t i1 = i0 + BAND < ie ? i0 + BAND : ie;
                for (int64_t j = j2; j < je; j += 8)
                    for (int64_t i = i0; i < i1; i += 8) {
                        char *o = d + i * ds + j * z;
                        const char *x = s + j * ss + i * z;
#if HAVE_T8X8
                        if (z == 8) t8x8((double *)o, ds / 8, (const double *)x, ss / 8, nt);
#endif
#if HAVE_T8X8_32
                        if (z == 4) t8x8_32((float *)o, ds / 4, (const float *)x, ss / 4);
#endif
                    }
            }
        }
#if HAVE_T8X8
    if (nt) _mm_sfence();
#endif
}
#endif

/* Elements i in [i0, i1), j in [j0, j1) in tiles of TILE x TILE, one at a time, an output
 * row at a time inside each tile: each line read or written is used whole while the tile is
 * in L1 (a transposed copy of 8192 x 8192 float32 on 2 engines took 0.25 s as one pass over
 * all of one side, 0.026 s through t8x8_32; 64 x 64 tiles of bytes 0.22 s, their output
 * rows 8 KiB apart sharing L1 sets). SZ is the element size, a constant where it can be. */
#define TILE 16
#define T_TILED(SZ, I0, I1, J0, J1)                                                                \
    for (int64_t ti = (I0); ti < (I1); ti += TILE)                                                 \
        for (int64_t tj = (J0); tj < (J1); tj += TILE) {                                           \
            int64_t ie = ti + TILE < (I1) ? ti + TILE : (I1);                                      \
            int64_t je = tj + TILE < (J1) ? tj + TILE : (J1);                                      \
            for (int64_t i = ti; i < ie; i++)                                                      \
                for (int64_t j = tj; j < je; j++)                                                  \
                    memcpy(d + i * ds + j * (int64_t)(SZ), s + j * ss + i * (int64_t)(SZ), (SZ));  \
        }

void kern_transpose(char *d, int64_t ds, const char *s, int64_t ss, int64_t ni, int64_t nj,
                    size_t sz, int nt)
{
#if HAVE_T8X8 || HAVE_T8X8_32
    int64_t z = (int64_t)sz;
    if (((HAVE_T8X8 && z == 8) || (HAVE_T8X8_32 && z == 4)) && ds % z == 0 && ss % z == 0) {
        int64_t ni8 = ni / 8 * 8, nj8 = nj / 8 * 8;
        t8_blocks(d, ds, s, ss, ni8, nj8, sz,
                  nt && z == 8 && (uintptr_t)d % 64 == 0 && ds % 64 == 0);
        T_TILED(sz, ni8, ni, 0, nj8) /* the last ni % 8 output rows */
        T_TILED(sz, 0, ni, nj8, nj)  /* the last nj % 8 output columns */
        return;
    }
#else
    (void)nt;
#endif
    switch (sz) {
    case 1:
        T_TILED(1, 0, ni, 0, nj)
        return;
    case 2:
        T_TILED(2, 0, ni, 0, nj)
        return;
    case 4:
        T_TILED(4, 0, ni, 0, nj)
        return;
    case 8:
        T_TILED(8, 0, ni, 0, nj)
        return;
    case 16:
        T_TILED(16, 0, ni, 0, nj)
        return;
    }
    T_TILED(sz, 0, ni, 0, nj)
}

/* Non-temporal stores write whole lines without reading them first: into memory that is not
 * in the cache, a plain store costs a read of the line as well. Two engines at once each
 * copying a cache-resident 1 MiB buffer over 400 MB here (2026-12-08): 0.019-0.029 s with
 * memcpy, 0.014-0.017 s this way. */
void kern_copy_nt(void *d, const void *s, size_t n)
{
#if defined(__AVX512F__)
    char *o = d;
    const char *x = s;
    size_t head = (64 - ((uintptr_t)o & 63)) & 63;
    if (n < head + 64) {
        memcpy(d, s, n);
        return;
    }
    memcpy(o, x, head);
    o += head, x += head, n -= head;
    for (; n >= 64; o += 64, x += 64, n -= 64)
        _mm512_stream_si512((void *)o, _mm512_loadu_si512(x));
    memcpy(o, x, n);
    _mm_sfence(); /* before anything else reads them, this thread or another */
#else
    memcpy(d, s, n);
#endif
}
