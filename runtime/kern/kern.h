/* kern.h - rank-local array loops: typed elementwise block kernels that a fused program
 * (built by arrops.c from an IR FUSE tree) runs block by block, casts, the pairwise block
 * fold of the reproducible reduction tree, and order-free local reductions.
 *
 * No MPI, no allocation, no errors beyond a status code: callers own every buffer. Ops are
 * IR opcodes (IR_ADD ...) for operators and KOP_BI + BI_* id for ufunc builtins; dtypes
 * are dtype_t. Compiled with -O3 -fno-math-errno -march=native (CMakeLists.txt). */
#ifndef PARC_KERN_H
#define PARC_KERN_H

#include <stddef.h>
#include <stdint.h>

#define KERN_BLK 4096 /* elements per block: temps stay in L2 */
#define KOP_BI   1000 /* op = KOP_BI + BI_* for ufunc builtins */
#define KOP_CABS 3000 /* |complex| -> float64 */
#define KOP_REAL 3001 /* unused placeholder for future real/imag */
/* clip's two steps: x > lo ? x : lo, then x < hi ? x : hi (a bound equal to x wins, a nan x
 * stays); the _C forms ignore a nan bound, as NumPy's loop for a constant bound does. */
#define KOP_CLIPLO   3002
#define KOP_CLIPHI   3003
#define KOP_CLIPLO_C 3004
#define KOP_CLIPHI_C 3005

enum { ACC_F64, ACC_F32, ACC_C128 }; /* reduction accumulators */
/* KERN_W* are not errors but bits that may be or'ed together: an integer floor_divide,
 * remainder or fmod met a zero divisor (NumPy's 0 written there), or a floor_divide of the
 * smallest integer by -1 wrapped, or a complex division by zero (KERN_WZERODIV for x / 0,
 * KERN_WINVALID for 0 / 0 in a part); the loop finished, NumPy warns ("divide by zero",
 * "overflow", "invalid value"). */
enum {
    KERN_OK = 0,
    KERN_ENEGPOW = 1,
    KERN_EBADOP = 2,
    KERN_WZERODIV = 4,
    KERN_WOVERFLOW = 8,
    KERN_WINVALID = 16
};

/* d[i] = a[i] op b[i] for n elements of dtype dt (d has dt too, or bool for comparisons:
 * IR_LT..IR_NE write uint8). Returns KERN_OK, KERN_W* bits (done; see above),
 * KERN_ENEGPOW (integer ** negative) or KERN_EBADOP (op not defined for dt: a caller bug,
 * types are checked before). Float ops raise the FE_* flags IEEE gives them. */
int kern_bin(int op, int dt, void *d, const void *a, const void *b, size_t n);
/* d[i] = op a[i]. Output dtype is dt, except isnan/isfinite (bool) and KOP_CABS (float64). */
int kern_un(int op, int dt, void *d, const void *a, size_t n);
/* d[i] = (to) a[i], NumPy's unsafe casting (nan/inf to int gives INT_MIN). */
void kern_cast(int from, int to, void *d, const void *a, size_t n);
/* What NumPy 1.24 warns for that cast of n elements at a: KERN_WINVALID when a float (or a
 * complex number's real part) is nan, infinite or out of the integer dtype's range,
 * KERN_WOVERFLOW when a finite float64 becomes an infinite float32; else 0. */
int kern_cast_warns(int from, int to, const void *a, size_t n);
/* d[i] = c[i] ? x[i] : y[i] for n elements of dtype dt (where). */
void kern_sel(int dt, void *d, const void *c, const void *x, const void *y, size_t n);
/* Fills n elements of dtype dt at d with the element at v. */
void kern_fill(int dt, void *d, const void *v, size_t n);

/* Reproducible fold of one block: count vectors of w values (acc 0 double, 1 float,
 * 2 complex) into one vector, written to out; B*w <= KERN_BLK. A sum whose lanes (w, or
 * 2w doubles for complex) divide 16 runs 16 accumulators over the flat values (value i
 * into accumulator i mod 16, in order), halved pairwise down to the lanes; otherwise the
 * block is padded with the identity to B vectors whose halves are added (op 0) or
 * multiplied (op 1) elementwise until one vector is left. */
void kern_fold(int op, int acc, int64_t w, int64_t B, const void *vals, int64_t count, void *out);
/* kern_fold(0, ACC_C128, 1, B, p, n, out) of the n pairs p[i] = (x[i] - c, (x[i] - c)^2),
 * the same bits, without making the pairs: out gets the sums of both. */
void kern_fold_shifted(const double *x, int64_t n, double c, double out[2]);
/* Node (0, k) of the fixed binary tree over n block values (w accumulator values each,
 * vsz bytes, at bv): a leaf is a block's value, a node its left half op its right half,
 * elementwise, and a right half that starts at or beyond n leaves the left one. dst gets w
 * values; scratch holds KERN_TREE_SLOTS(k) vectors. */
#define KERN_TREE_EXTRA    3
#define KERN_TREE_SLOTS(k) ((size_t)(k) + 1 + KERN_TREE_EXTRA)
void kern_tree(int op, int acc, int64_t w, size_t vsz, const void *bv, int64_t n, int k, void *dst,
               void *scratch);
/* Leaf i of a tree as kern_tree_fn asks for it: written into buf (vsz bytes, the caller's
 * scratch) or found elsewhere; returns where it is. */
typedef const void *(*kern_leaf_fn)(void *ctx, int64_t i, void *buf);
/* kern_tree over the leaves i0 .. i0 + n - 1 that leaf gives, each made when the tree needs
 * it (and read once), so that no vector of all the leaves is made. */
void kern_tree_fn(int op, int acc, int64_t w, size_t vsz, kern_leaf_fn leaf, void *ctx, int64_t i0,
                  int64_t n, int k, void *dst, void *scratch);
/* The leaves of kern_tree: one vector every vsz bytes from bv (ctx: a kern_leaves_t). */
typedef struct {
    const void *bv;
    size_t vsz;
} kern_leaves_t;
const void *kern_leaf_at(void *ctx, int64_t i, void *buf);
/* a = a op b for w accumulator values; kern_combine_to: d = a op b (d may be a). */
void kern_combine(int op, int acc, int64_t w, void *a, const void *b);
void kern_combine_to(int op, int acc, int64_t w, void *d, const void *a, const void *b);

/* Order-free reductions of n values of dtype dt into st (start with kern_red_init). */
typedef struct {
    int64_t i;    /* int sum/prod, count, any/all */
    double f[2];  /* min/max (re, im) */
    int has;      /* min/max: a value seen */
    int nan;      /* min/max: a nan seen */
    double nf[2]; /* min/max: the first element with a nan (NumPy returns it) */
    int64_t pos;  /* argmin/argmax: index of the next element (set it before the first call) */
    int64_t at;   /* argmin/argmax: index of the best value (i or f holds the value) */
    int64_t nat;  /* argmin/argmax: index of the first nan (wins when nan is set) */
} kred_t;
void kern_red_init(int bi, kred_t *st);
void kern_red(int bi, int dt, const void *a, size_t n, kred_t *st);
/* The states of n columns of L >= 1 rows (dtype dt, row r at x + r * stride elements) for
 * min and max (bool, integer and real float dtypes), integer sums and products, and any,
 * all and count_nonzero (any real dtype), folded whole rows at a time: st[j] as kern_red over
 * column j from kern_red_init gives it. 1 when done, 0 when bi or dt is not one of these (st
 * untouched). */
int kern_red_rows(int bi, int dt, const void *x, int64_t stride, int64_t L, int64_t n, kred_t *st);
/* Folds st2 into st (rank order combine; argmin/argmax keep the smaller index on ties). */
void kern_red_merge(int bi, int dt, kred_t *st, const kred_t *st2);

/* Equal-width histogram bins over [first, last] as NumPy 1.24 places them (khist.c). */
typedef struct {
    int64_t nbins;      /* 1 .. INT32_MAX - 1 */
    int lo_int, hi_int; /* integer input: that end compared as an integer */
    int64_t loi, hii;
    double lod, hid, den; /* ends and last - first as float64 */
    float lo32, hi32, den32;
    const void *edges; /* nbins + 1 edges: float for float32 input, else double */
} khist_t;
/* Adds the bins of n elements of dtype dt at x to cnt: ways (1 or 4) sets of nbins
 * counters, one after the other, that the caller adds up. Values outside [first, last] and
 * nan are skipped. Returns 1 when a value inside could not be placed (a float32 range too
 * narrow for NumPy's steps), else 0. */
int kern_hist(const khist_t *h, int dt, const void *x, size_t n, int64_t *cnt, int ways);

/* Transposes a block: d[i * ds + j * sz] = s[j * ss + i * sz] for i < ni, j < nj (strides
 * in bytes, either sign): nj rows of ni elements at s become ni rows of nj at d (kcopy.c).
 * The two must not overlap. nt: d is too large to be read again from the cache, store past
 * it where that can be done. */
void kern_transpose(char *d, int64_t ds, const char *s, int64_t ss, int64_t ni, int64_t nj,
                    size_t sz, int nt);

/* memcpy with non-temporal stores (where the CPU has them; else memcpy) for destinations too
 * large to be read again from the cache (kcopy.c). */
void kern_copy_nt(void *d, const void *s, size_t n);

/* Naive twin of kern_bin/kern_un for float64 one element at a time (the tests compare). */
double kern_bin_ref(int op, double a, double b);
double kern_un_ref(int op, double a);

#endif
