/* rng.h - Philox4x32-10 random values in SIMD batches, straight into a caller's buffer.
 *
 * Value k of a run starting at index i0 comes from the four words of Philox4x32-10
 * (Random123's philox4x32, rounds 10) of counter {i lo, i hi, call lo, call hi}, i = i0 + k,
 * under the stream's key: a pure function of (key, call, index), so a chunk fills the same
 * values whatever rank holds it. Eight counters run at once in gcc vector types. Doubles
 * take words 0 (low) and 1 (high) as one 64-bit integer's top 53 bits (NumPy's scheme),
 * float32 the top 24 bits of word 0, normals one Box-Muller pair per index (u1 from words
 * 0-1, u2 from 2-3, log1p and cos of libm, so the bits are the scalar formula's).
 * No MPI, no allocation; n may be any size. */
#ifndef PARC_RNG_H
#define PARC_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t key[2]; /* Philox key: the seed */
    uint64_t call;   /* the stream's call number: counter words 2-3 */
} rng_t;

/* out[k] = lo + (hi - lo) * u53(i0 + k), uniform in [lo, hi). */
void rng_uniform64(const rng_t *s, uint64_t i0, size_t n, double lo, double hi, double *out);
/* out[k] = (float)lo + ((float)hi - (float)lo) * u24(i0 + k), in float arithmetic. */
void rng_uniform32(const rng_t *s, uint64_t i0, size_t n, double lo, double hi, float *out);
/* out[k] = mu + sigma * sqrt(-2 log1p(-u1)) * cos(2 pi u2). */
void rng_normal(const rng_t *s, uint64_t i0, size_t n, double mu, double sigma, double *out);
/* out[k] = lo + floor(x * range / 2^64), x the 64-bit integer of words 0-1: [lo, lo+range). */
void rng_int(const rng_t *s, uint64_t i0, size_t n, int64_t lo, uint64_t range, int64_t *out);

/* Naive twin: the four words of index i, one scalar Philox (the tests compare). */
void rng_ref(const rng_t *s, uint64_t i, uint32_t out[4]);

#endif
