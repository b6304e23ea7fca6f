/* rng.c - Philox4x32-10 in batches of 12 counters (see rng.h).
 *
 * The lanes are gcc vector types, so the same source is AVX2 with -march=native (the
 * 32x32->64 multiply is vpmuludq) and plain SSE2 or scalar code without. The 53-bit
 * integer becomes a double exactly, so the value is (double)m * 2^-53 as in the scalar
 * formula. No FMA contraction (-ffp-contract=off): lo + (hi - lo) * u rounds as written. */
#include "rng.h"

#include <math.h>
#include <string.h>

#ifdef __AVX2__
#include <immintrin.h>
#endif

#define LANES 4 /* counters per vector: one per 64-bit lane */
#define G     3 /* independent vectors per batch (more spill registers here) */
#define BATCH (G * LANES)
#define M0    0xD2511F53u /* Random123's PHILOX_M4x32_0 */
#define M1    0xCD9E8D57u
#define W0    0x9E3779B9u /* key bumps: golden ratio, sqrt(3) - 1 */
#define W1    0xBB67AE85u

/* Every function taking or giving a vector here is static and inlined, so the note gcc and
 * clang give about the vector calling convention without AVX does not apply. */
#pragma GCC diagnostic ignored "-Wpsabi"

typedef uint64_t v4l __attribute__((vector_size(32)));
typedef double v4d __attribute__((vector_size(32)));
typedef int32_t v4i __attribute__((vector_size(16)));
typedef float v4f __attribute__((vector_size(16)));

/* One batch: word w of counter i0 + 4g + j in the low half of lane j of v[w][g]. */
typedef struct {
    v4l v[4][G];
} blk_t;

/* The low 32 bits of each lane of a times m, as 64-bit lanes (vpmuludq with AVX2). */
static inline v4l mul32(v4l a, uint32_t m)
{
#ifdef __AVX2__
    return (v4l)_mm256_mul_epu32((__m256i)a, _mm256_set1_epi64x(m));
#else
    return (a & 0xffffffffu) * (uint64_t)m;
#endif
}

/* Philox4x32-10 of the BATCH counters {i0 + k, call}. Each 32-bit word lives in the low
 * half of a 64-bit lane, so a multiply gives hi:lo in place and only the low halves mean
 * anything (the high halves carry junk that the multiplies and the final masks ignore).
 * A round's multiply takes ~5 cycles to give its result: G independent vectors keep the
 * multiplier busy instead of waiting. */
static inline void philox(const rng_t *s, uint64_t i0, blk_t *b)
{
    v4l c0[G], c1[G], c2[G], c3[G];
    const v4l iota = {0, 1, 2, 3};
    for (int g = 0; g < G; g++) {
        v4l i = iota + (i0 + (uint64_t)(g * LANES));
        c0[g] = i;
        c1[g] = i >> 32;
        c2[g] = (v4l){0} + (s->call & 0xffffffffu);
        c3[g] = (v4l){0} + (s->call >> 32);
    }
    uint64_t k0 = s->key[0], k1 = s->key[1];
    for (int r = 0; r < 10; r++) {
        for (int g = 0; g < G; g++) {
            v4l p0 = mul32(c0[g], M0), p1 = mul32(c2[g], M1);
            c0[g] = (p1 >> 32) ^ c1[g] ^ k0;
            c1[g] = p1;
            c2[g] = (p0 >> 32) ^ c3[g] ^ k1;
            c3[g] = p0;
        }
        k0 = (uint32_t)(k0 + W0);
        k1 = (uint32_t)(k1 + W1);
    }
    for (int g = 0; g < G; g++) {
        b->v[0][g] = c0[g] & 0xffffffffu;
        b->v[1][g] = c1[g] & 0xffffffffu;
        b->v[2][g] = c2[g] & 0xffffffffu;
        b->v[3][g] = c3[g] & 0xffffffffu;
    }
}

/* (double)(((hi << 32 | lo) >> 11)) * 2^-53, lane by lane, exactly: the top 21 and the low
 * 32 bits of the 53-bit integer as 2^52-biased doubles (AVX2 cannot convert 64-bit lanes). */
static inline v4d u53(v4l lo, v4l hi)
{
    const uint64_t bias = 0x4330000000000000u; /* 2^52 as a double's bits */
    v4l m = ((hi << 32) | lo) >> 11;
    v4d dh = (v4d)((m >> 32) | bias) - 0x1p52;
    v4d dl = (v4d)((m & 0xffffffffu) | bias) - 0x1p52;
    return (dh * 0x1p32 + dl) * 0x1p-53;
}

/* The batches of a run of n values at out (elem bytes each): full ones straight into out,
 * the last through a local buffer. FILL(b, d) writes BATCH values of batch b to d. */
#define RUN(elem, FILL)                                                                            \
    do {                                                                                           \
        for (size_t k = 0; k < n; k += BATCH) {                                                    \
            blk_t b;                                                                               \
            philox(s, i0 + k, &b);                                                                 \
            if (n - k >= BATCH) {                                                                  \
                FILL(b, out + k);                                                                  \
            } else {                                                                               \
                elem tail[BATCH];                                                                  \
                FILL(b, tail);                                                                     \
                memcpy(out + k, tail, (n - k) * sizeof *out);                                      \
            }                                                                                      \
        }                                                                                          \
    } while (0)

void rng_uniform64(const rng_t *s, uint64_t i0, size_t n, double lo, double hi, double *out)
{
    double span = hi - lo;
#define FILL_U64(b, d)                                                                             \
    for (int g = 0; g < G; g++) {                                                                  \
        v4d u = lo + span * u53(b.v[0][g], b.v[1][g]);                                             \
        memcpy((d) + g * LANES, &u, sizeof u);                                                     \
    }
    RUN(double, FILL_U64);
}

void rng_uniform32(const rng_t *s, uint64_t i0, size_t n, double lo, double hi, float *out)
{
    float flo = (float)lo, span = (float)hi - (float)lo;
#define FILL_U32(b, d)                                                                             \
    for (int g = 0; g < G; g++) {                                                                  \
        v4i w = __builtin_convertvector(b.v[0][g] >> 8, v4i);                                      \
        v4f u = flo + span * (__builtin_convertvector(w, v4f) * 0x1p-24f);                         \
        memcpy((d) + g * LANES, &u, sizeof u);                                                     \
    }
    RUN(float, FILL_U32);
}

void rng_normal(const rng_t *s, uint64_t i0, size_t n, double mu, double sigma, double *out)
{
#define FILL_N(b, d)                                                                               \
    for (int g = 0; g < G; g++) {                                                                  \
        v4d u1 = u53(b.v[0][g], b.v[1][g]), u2 = u53(b.v[2][g], b.v[3][g]);                        \
        for (int j = 0; j < LANES; j++)                                                            \
            (d)[g * LANES + j] =                                                                   \
                mu + sigma * sqrt(-2.0 * log1p(-u1[j])) * cos(6.283185307179586 * u2[j]);          \
    }
    RUN(double, FILL_N);
}

void rng_int(const rng_t *s, uint64_t i0, size_t n, int64_t lo, uint64_t range, int64_t *out)
{
#define FILL_I(b, d)                                                                               \
    for (int g = 0; g < G; g++) {                                                                  \
        v4l x = (b.v[1][g] << 32) | b.v[0][g];                                                     \
        for (int j = 0; j < LANES; j++)                                                            \
            (d)[g * LANES + j] = lo + (int64_t)(((unsigned __int128)x[j] * range) >> 64);          \
    }
    RUN(int64_t, FILL_I);
}

void rng_ref(const rng_t *s, uint64_t i, uint32_t out[4])
{
    uint32_t c[4] = {(uint32_t)i, (uint32_t)(i >> 32), (uint32_t)s->call,
                     (uint32_t)(s->call >> 32)};
    uint32_t k0 = s->key[0], k1 = s->key[1];
    for (int r = 0; r < 10; r++) {
        uint64_t p0 = (uint64_t)M0 * c[0], p1 = (uint64_t)M1 * c[2];
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c[1] ^ k0, n2 = (uint32_t)(p0 >> 32) ^ c[3] ^ k1;
        c[1] = (uint32_t)p1;
        c[3] = (uint32_t)p0;
        c[0] = n0;
        c[2] = n2;
        k0 += W0;
        k1 += W1;
    }
    memcpy(out, c, sizeof c);
}
