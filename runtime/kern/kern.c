/* kern.c - the typed block loops behind fused elementwise programs and reductions (kern.h).
 *
 * One function per dtype family holds a switch over the op with a plain loop inside each
 * case, so the switch is taken once per block and the loop vectorizes (-O3 -march=native
 * -fno-math-errno). Integer semantics follow NumPy: floor division and modulo take the
 * divisor's sign, division by zero gives 0, shifts past the width give 0 (or -1), integer
 * powers with negative exponents are refused. hypot takes sqrt(x*x+y*y) for a block whose
 * magnitudes are all in a safe range and libm's hypot otherwise. */
#include "kern.h"

#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "builtins.h"
#include "dtype.h"
#include "ir.h"

typedef double complex cplx;

/* glibc defines CMPLX for gcc only; clang has the same builtin. */
#ifndef CMPLX
#define CMPLX(x, y) __builtin_complex((double)(x), (double)(y))
#endif

/* NumPy's float floor division (npy_divmod). */
static inline double fdivf64(double a, double b)
{
    if (b == 0) return a / b;
    double mod = fmod(a, b);
    double div = (a - mod) / b;
    if (mod != 0 && (b < 0) != (mod < 0)) div -= 1.0;
    if (div == 0) return copysign(0.0, a / b);
    double fl = floor(div);
    if (div - fl > 0.5) fl += 1.0;
    return fl;
}

static inline double fmodf64(double a, double b)
{
    double mod = fmod(a, b);
    if (b == 0) return mod;
    if (mod != 0) {
        if ((b < 0) != (mod < 0)) mod += b;
    } else {
        mod = copysign(0.0, b);
    }
    return mod;
}

static inline double fmaxnan(double a, double b)
{
    return (a >= b || isnan(a)) ? a : b;
}

static inline double fminnan(double a, double b)
{
    return (a <= b || isnan(a)) ? a : b;
}

static inline double fsign(double a)
{
    return a > 0 ? 1.0 : a < 0 ? -1.0 : a == 0 ? 0.0 : a;
}

/* ---- complex arithmetic as NumPy 1.24's loops compute it ---- */

/* The plain product (NumPy's contiguous loop): no C99 Annex G recovery of infinities, so
 * (2j - inf) * (2j - inf) is nan+nanj as in NumPy. kern.c is built with fp-contract off. */
static inline cplx cmul(cplx a, cplx b)
{
    double ar = creal(a), ai = cimag(a), br = creal(b), bi = cimag(b);
    return CMPLX(ar * br - ai * bi, ar * bi + ai * br);
}

/* Smith's division, NumPy's variant (a zero divisor gives inf or nan parts). */
static inline cplx cdiv(cplx a, cplx b)
{
    double ar = creal(a), ai = cimag(a), br = creal(b), bi = cimag(b);
    double abr = fabs(br), abi = fabs(bi);
    if (abr >= abi) {
        if (abr == 0 && abi == 0) return CMPLX(ar / abr, ai / abi);
        double rat = bi / br, scl = 1.0 / (br + bi * rat);
        return CMPLX((ar + ai * rat) * scl, (ai - ar * rat) * scl);
    }
    double rat = br / bi, scl = 1.0 / (bi + br * rat);
    return CMPLX((ar * rat + ai) * scl, (ai * rat - ar) * scl);
}

/* NumPy's reciprocal loop. */
static inline cplx crecip(cplx a)
{
    double ar = creal(a), ai = cimag(a);
    if (fabs(ai) <= fabs(ar)) {
        double r = ai / ar, d = ar + ai * r;
        return CMPLX(1 / d, -r / d);
    }
    double r = ar / ai, d = ar * r + ai;
    return CMPLX(r / d, -1 / d);
}

/* npy_cpow: x**0 is 1 (also for x = 0), 0**b is 0 for b.real > 0 and nan+nanj otherwise,
 * integer exponents below 100 in magnitude by repeated products, the rest by cpow. */
static cplx cpow_np(cplx a, cplx b)
{
    double ar = creal(a), ai = cimag(a), br = creal(b), bi = cimag(b);
    if (br == 0 && bi == 0) return CMPLX(1.0, 0.0);
    if (ar == 0 && ai == 0) {
        if (br > 0 && bi == 0) return CMPLX(0.0, 0.0);
        return CMPLX(NAN, NAN);
    }
    if (bi == 0 && br >= -100 && br <= 100 && br == (double)(int64_t)br) {
        int64_t n = (int64_t)br;
        if (n == 1) return a;
        if (n == 2) return cmul(a, a);
        if (n == 3) return cmul(a, cmul(a, a));
        int64_t m = n < 0 ? -n : n, mask = 1;
        cplx acc = CMPLX(1.0, 0.0), p = a;
        for (;;) {
            if (m & mask) acc = cmul(acc, p);
            mask <<= 1;
            if (m < mask) break;
            p = cmul(p, p);
        }
        return n < 0 ? cdiv(CMPLX(1.0, 0.0), acc) : acc;
    }
    return cpow(a, b);
}

/* NumPy's complex maximum/minimum: a (the first operand) when it holds a nan or wins the
 * lexicographic order, else b. */
static inline cplx cpick(cplx a, cplx b, int max)
{
    double xr = creal(a), xi = cimag(a), yr = creal(b), yi = cimag(b);
    int keep = max ? (xr > yr && !isnan(xi) && !isnan(yi)) || (xr == yr && xi >= yi)
                   : (xr < yr && !isnan(xi) && !isnan(yi)) || (xr == yr && xi <= yi);
    return (isnan(xr) || isnan(xi) || keep) ? a : b;
}

/* NumPy's complex sign: the sign of the real part, or of the imaginary part when the real
 * part is 0, as a complex; nan+0j when a part is nan. */
static inline cplx csign(cplx a)
{
    double xr = creal(a), xi = cimag(a);
    int gt = (xr > 0 && !isnan(xi)) || (xr == 0 && xi > 0);
    int lt = (xr < 0 && !isnan(xi)) || (xr == 0 && xi < 0);
    int eq = xr == 0 && xi == 0;
    return CMPLX(gt ? 1.0 : lt ? -1.0 : eq ? 0.0 : NAN, 0.0);
}

/* NumPy's nc_log10, nc_log1p and nc_expm1. */
static inline cplx clog10_np(cplx a)
{
    cplx r = clog(a);
    const double log10e = 0.434294481903251827651128918916605082;
    return CMPLX(creal(r) * log10e, cimag(r) * log10e);
}

static inline cplx clog1p_np(cplx a)
{
    double l = hypot(creal(a) + 1, cimag(a));
    return CMPLX(log(l), atan2(cimag(a), creal(a) + 1));
}

static inline cplx cexpm1_np(cplx a)
{
    double s = sin(cimag(a) / 2);
    return CMPLX(expm1(creal(a)) * cos(cimag(a)) - 2 * s * s, exp(creal(a)) * sin(cimag(a)));
}

/* hypot for a block: fast path when every magnitude is in [1e-150, 1e150] (or zero). */
static void hypot_f64(double *d, const double *a, const double *b, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        double x = fabs(a[i]), y = fabs(b[i]);
        double m = x > y ? x : y;
        bad |= (x > 1e150) | (y > 1e150) | ((m < 1e-150) & (m != 0));
    }
    if (!bad) {
        for (size_t i = 0; i < n; i++)
            d[i] = sqrt(a[i] * a[i] + b[i] * b[i]);
    } else {
        for (size_t i = 0; i < n; i++)
            d[i] = hypot(a[i], b[i]);
    }
}

static void hypot_f32(float *d, const float *a, const float *b, size_t n)
{
    /* float32 squares in double never overflow or lose range. */
    for (size_t i = 0; i < n; i++) {
        double x = a[i], y = b[i];
        d[i] = isinf(x) || isinf(y) ? INFINITY : (float)sqrt(x * x + y * y);
    }
}

#define FLOAT_BIN(NAME, T, SQRT, POW, FLOOR, FMOD)                                                 \
    static int NAME(int op, T *d, const T *a, const T *b, size_t n)                                \
    {                                                                                              \
        switch (op) {                                                                              \
        case IR_ADD:                                                                               \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = a[i] + b[i];                                                                \
            return 0;                                                                              \
        case IR_SUB:                                                                               \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = a[i] - b[i];                                                                \
            return 0;                                                                              \
        case IR_MUL:                                                                               \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = a[i] * b[i];                                                                \
            return 0;                                                                              \
        case IR_DIV:                                                                               \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = a[i] / b[i];                                                                \
            return 0;                                                                              \
        case IR_FLOORDIV:                                                                          \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = (T)fdivf64(a[i], b[i]);                                                     \
            return 0;                                                                              \
        case IR_MOD:                                                                               \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = (T)fmodf64(a[i], b[i]);                                                     \
            return 0;                                                                              \
        case IR_POW:                                                                               \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = POW(a[i], b[i]);                                                            \
            return 0;                                                                              \
        /* equal operands give the second, as NumPy 1.24's loops do: maximum(-0.0, 0.0) is         \
         * 0.0 and maximum(0.0, -0.0) is -0.0 */                                                   \
        case KOP_BI + BI_MAXIMUM:                                                                  \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = (a[i] > b[i] || a[i] != a[i]) ? a[i] : b[i];                                \
            return 0;                                                                              \
        case KOP_BI + BI_MINIMUM:                                                                  \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = (a[i] < b[i] || a[i] != a[i]) ? a[i] : b[i];                                \
            return 0;                                                                              \
        case KOP_BI + BI_ARCTAN2:                                                                  \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = (T)atan2(a[i], b[i]);                                                       \
            return 0;                                                                              \
        case KOP_BI + BI_FMOD:                                                                     \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = FMOD(a[i], b[i]);                                                           \
            return 0;                                                                              \
        case KOP_CLIPLO:                                                                           \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = (a[i] != a[i] || a[i] > b[i]) ? a[i] : b[i];                                \
            return 0;                                                                              \
        case KOP_CLIPHI:                                                                           \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = (a[i] != a[i] || a[i] < b[i]) ? a[i] : b[i];                                \
            return 0;                                                                              \
        case KOP_CLIPLO_C:                                                                         \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = (a[i] != a[i] || b[i] != b[i] || a[i] > b[i]) ? a[i] : b[i];                \
            return 0;                                                                              \
        case KOP_CLIPHI_C:                                                                         \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = (a[i] != a[i] || b[i] != b[i] || a[i] < b[i]) ? a[i] : b[i];                \
            return 0;                                                                              \
        }                                                                                          \
        return KERN_EBADOP;                                                                        \
    }

FLOAT_BIN(bin_f64, double, sqrt, pow, floor, fmod)
FLOAT_BIN(bin_f32, float, sqrtf, powf, floorf, fmodf)

/* Integer power by squaring; wraps like NumPy. */
static inline int64_t ipow(int64_t a, int64_t b)
{
    uint64_t r = 1, x = (uint64_t)a;
    while (b > 0) {
        if (b & 1) r *= x;
        x *= x;
        b >>= 1;
    }
    return (int64_t)r;
}

#define INT_BIN(NAME, T, UT, BITS, TMIN)                                                           \
    static int NAME(int op, T *d, const T *a, const T *b, size_t n)                                \
    {                                                                                              \
        int zero = 0, ovf = 0; /* a zero divisor met, TMIN // -1 met */                            \
        switch (op) {                                                                              \
        case IR_ADD:                                                                               \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = (T)((UT)a[i] + (UT)b[i]);                                                   \
            return 0;                                                                              \
        case IR_SUB:                                                                               \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = (T)((UT)a[i] - (UT)b[i]);                                                   \
            return 0;                                                                              \
        case IR_MUL:                                                                               \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = (T)((UT)a[i] * (UT)b[i]);                                                   \
            return 0;                                                                              \
        case IR_FLOORDIV:                                                                          \
            for (size_t i = 0; i < n; i++) {                                                       \
                T x = a[i], y = b[i];                                                              \
                if (y == 0) {                                                                      \
                    d[i] = 0;                                                                      \
                    zero = 1;                                                                      \
                } else if (y == -1) {                                                              \
                    ovf |= x == TMIN;                                                              \
                    d[i] = (T)(0 - (UT)x);                                                         \
                } else {                                                                           \
                    T q = x / y;                                                                   \
                    if ((x % y != 0) && ((x < 0) != (y < 0))) q--;                                 \
                    d[i] = q;                                                                      \
                }                                                                                  \
            }                                                                                      \
            return (zero ? KERN_WZERODIV : 0) | (ovf ? KERN_WOVERFLOW : 0);                        \
        case IR_MOD:                                                                               \
            for (size_t i = 0; i < n; i++) {                                                       \
                T x = a[i], y = b[i];                                                              \
                zero |= y == 0;                                                                    \
                if (y == 0 || y == -1)                                                             \
                    d[i] = 0;                                                                      \
                else {                                                                             \
                    T r = x % y;                                                                   \
                    if (r != 0 && ((r < 0) != (y < 0))) r += y;                                    \
                    d[i] = r;                                                                      \
                }                                                                                  \
            }                                                                                      \
            return zero ? KERN_WZERODIV : 0;                                                       \
        case KOP_BI + BI_FMOD:                                                                     \
            for (size_t i = 0; i < n; i++) {                                                       \
                T x = a[i], y = b[i];                                                              \
                zero |= y == 0;                                                                    \
                d[i] = (y == 0 || y == -1) ? 0 : x % y;                                            \
            }                                                                                      \
            return zero ? KERN_WZERODIV : 0;                                                       \
        case IR_POW:                                                                               \
            for (size_t i = 0; i < n; i++)                                                         \
                if (b[i] < 0) return KERN_ENEGPOW;                                                 \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = (T)ipow(a[i], b[i]);                                                        \
            return 0;                                                                              \
        case IR_LSHIFT:                                                                            \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = (b[i] < 0 || b[i] >= BITS) ? 0 : (T)((UT)a[i] << b[i]);                     \
            return 0;                                                                              \
        case IR_RSHIFT:                                                                            \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = (b[i] < 0 || b[i] >= BITS) ? (a[i] < 0 ? -1 : 0) : (T)(a[i] >> b[i]);       \
            return 0;                                                                              \
        case IR_BITAND:                                                                            \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = a[i] & b[i];                                                                \
            return 0;                                                                              \
        case IR_BITOR:                                                                             \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = a[i] | b[i];                                                                \
            return 0;                                                                              \
        case IR_BITXOR:                                                                            \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = a[i] ^ b[i];                                                                \
            return 0;                                                                              \
        case KOP_BI + BI_MAXIMUM:                                                                  \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = a[i] >= b[i] ? a[i] : b[i];                                                 \
            return 0;                                                                              \
        case KOP_CLIPLO:                                                                           \
        case KOP_CLIPLO_C:                                                                         \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = a[i] > b[i] ? a[i] : b[i];                                                  \
            return 0;                                                                              \
        case KOP_CLIPHI:                                                                           \
        case KOP_CLIPHI_C:                                                                         \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = a[i] < b[i] ? a[i] : b[i];                                                  \
            return 0;                                                                              \
        case KOP_BI + BI_MINIMUM:                                                                  \
            for (size_t i = 0; i < n; i++)                                                         \
                d[i] = a[i] <= b[i] ? a[i] : b[i];                                                 \
            return 0;                                                                              \
        }                                                                                          \
        (void)(TMIN);                                                                              \
        return KERN_EBADOP;                                                                        \
    }

INT_BIN(bin_i64, int64_t, uint64_t, 64, INT64_MIN)
INT_BIN(bin_i32, int32_t, uint32_t, 32, INT32_MIN)

static int bin_bool(int op, uint8_t *d, const uint8_t *a, const uint8_t *b, size_t n)
{
    switch (op) {
    case IR_ADD:
    case IR_BITOR:
    case KOP_BI + BI_MAXIMUM:
    case KOP_CLIPLO:
    case KOP_CLIPLO_C:
        for (size_t i = 0; i < n; i++)
            d[i] = a[i] | b[i];
        return 0;
    case IR_MUL:
    case IR_BITAND:
    case KOP_BI + BI_MINIMUM:
    case KOP_CLIPHI:
    case KOP_CLIPHI_C:
        for (size_t i = 0; i < n; i++)
            d[i] = a[i] & b[i];
        return 0;
    case IR_BITXOR:
        for (size_t i = 0; i < n; i++)
            d[i] = a[i] ^ b[i];
        return 0;
    }
    return KERN_EBADOP;
}

static int bin_c128(int op, cplx *d, const cplx *a, const cplx *b, size_t n)
{
    switch (op) {
    case IR_ADD:
        for (size_t i = 0; i < n; i++)
            d[i] = a[i] + b[i];
        return 0;
    case IR_SUB:
        for (size_t i = 0; i < n; i++)
            d[i] = a[i] - b[i];
        return 0;
    case IR_MUL:
        for (size_t i = 0; i < n; i++)
            d[i] = cmul(a[i], b[i]);
        return 0;
    case IR_DIV: {
        /* The IEEE flags of the zero divisors' parts (x / 0: divide by zero, 0 / 0:
         * invalid), as NumPy's loop raises them; the vectorized loop's own flags are not
         * NumPy's (it computes both of Smith's branches). */
        int w = 0;
        for (size_t i = 0; i < n; i++) {
            cplx x = a[i], y = b[i];
            if (creal(y) == 0 && cimag(y) == 0)
                for (int k = 0; k < 2; k++) {
                    double p = k ? cimag(x) : creal(x);
                    w |= p == 0 ? KERN_WINVALID : p == p ? KERN_WZERODIV : 0;
                }
            d[i] = cdiv(x, y);
        }
        return w;
    }
    case IR_POW:
        for (size_t i = 0; i < n; i++)
            d[i] = cpow_np(a[i], b[i]);
        return 0;
    case KOP_CLIPLO:
    case KOP_CLIPLO_C:
    case KOP_CLIPHI:
    case KOP_CLIPHI_C:
    case KOP_BI + BI_MAXIMUM:
    case KOP_BI + BI_MINIMUM: {
        int mx = op == KOP_BI + BI_MAXIMUM || op == KOP_CLIPLO || op == KOP_CLIPLO_C;
        for (size_t i = 0; i < n; i++)
            d[i] = cpick(a[i], b[i], mx);
        return 0;
    }
    }
    return KERN_EBADOP;
}

#define CMP_LOOP(T, EXPR)                                                                          \
    for (size_t i = 0; i < n; i++) {                                                               \
        T x = a[i], y = b[i];                                                                      \
        d[i] = (uint8_t)(EXPR);                                                                    \
    }                                                                                              \
    return 0;

#define REAL_CMP(NAME, T)                                                                          \
    static int NAME(int op, uint8_t *d, const T *a, const T *b, size_t n)                          \
    {                                                                                              \
        switch (op) {                                                                              \
        case IR_LT:                                                                                \
            CMP_LOOP(T, x < y)                                                                     \
        case IR_LE:                                                                                \
            CMP_LOOP(T, x <= y)                                                                    \
        case IR_GT:                                                                                \
            CMP_LOOP(T, x > y)                                                                     \
        case IR_GE:                                                                                \
            CMP_LOOP(T, x >= y)                                                                    \
        case IR_EQ:                                                                                \
            CMP_LOOP(T, x == y)                                                                    \
        case IR_NE:                                                                                \
            CMP_LOOP(T, x != y)                                                                    \
        }                                                                                          \
        return KERN_EBADOP;                                                                        \
    }

REAL_CMP(cmp_bool, uint8_t)
REAL_CMP(cmp_i32, int32_t)
REAL_CMP(cmp_i64, int64_t)
REAL_CMP(cmp_f32, float)
REAL_CMP(cmp_f64, double)

/* Complex order is lexicographic (real, then imaginary), as NumPy's. */
static int cmp_c128(int op, uint8_t *d, const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double ar = a[2 * i], ai = a[2 * i + 1], br = b[2 * i], bi = b[2 * i + 1];
        int lt = ar < br || (ar == br && ai < bi);
        int eq = ar == br && ai == bi;
        int r;
        switch (op) {
        case IR_LT:
            r = lt;
            break;
        case IR_LE:
            r = lt || eq;
            break;
        case IR_GT:
            r = !lt && !eq && !isnan(ar) && !isnan(ai) && !isnan(br) && !isnan(bi);
            break;
        case IR_GE:
            r = !lt && !isnan(ar) && !isnan(ai) && !isnan(br) && !isnan(bi);
            break;
        case IR_EQ:
            r = eq;
            break;
        case IR_NE:
            r = !eq;
            break;
        default:
            return KERN_EBADOP;
        }
        d[i] = (uint8_t)r;
    }
    return 0;
}

/* KERN_BY_DTYPE(dt, F, args...): returns F_<dtype>(args...) from the dtype's kernel family
 * (F_bool, F_i32, F_i64, F_f32, F_f64, F_c128), KERN_EBADOP for any other dtype. */
#define KERN_BY_DTYPE(dt, F, ...)                                                                  \
    do {                                                                                           \
        switch (dt) {                                                                              \
        case DT_BOOL:                                                                              \
            return F##_bool(__VA_ARGS__);                                                          \
        case DT_INT32:                                                                             \
            return F##_i32(__VA_ARGS__);                                                           \
        case DT_INT64:                                                                             \
            return F##_i64(__VA_ARGS__);                                                           \
        case DT_FLOAT32:                                                                           \
            return F##_f32(__VA_ARGS__);                                                           \
        case DT_FLOAT64:                                                                           \
            return F##_f64(__VA_ARGS__);                                                           \
        case DT_COMPLEX128:                                                                        \
            return F##_c128(__VA_ARGS__);                                                          \
        }                                                                                          \
        return KERN_EBADOP;                                                                        \
    } while (0)

int kern_bin(int op, int dt, void *d, const void *a, const void *b, size_t n)
{
    if (op >= IR_LT && op <= IR_NE) {
        KERN_BY_DTYPE(dt, cmp, op, d, a, b, n);
    }
    if (op == KOP_BI + BI_HYPOT) {
        if (dt == DT_FLOAT64) {
            hypot_f64(d, a, b, n);
            return 0;
        }
        if (dt == DT_FLOAT32) {
            hypot_f32(d, a, b, n);
            return 0;
        }
        return KERN_EBADOP;
    }
    KERN_BY_DTYPE(dt, bin, op, d, a, b, n);
}

#define UN_CASE(OP, EXPR)                                                                          \
    case OP:                                                                                       \
        for (size_t i = 0; i < n; i++) {                                                           \
            T x = a[i];                                                                            \
            d[i] = (T)(EXPR);                                                                      \
        }                                                                                          \
        return 0;

#define FLOAT_UN(NAME, TY, S)                                                                      \
    static int NAME(int op, TY *d, const TY *a, size_t n)                                          \
    {                                                                                              \
        typedef TY T;                                                                              \
        switch (op) {                                                                              \
            UN_CASE(IR_NEG, -x)                                                                    \
            UN_CASE(IR_POS, x)                                                                     \
            UN_CASE(KOP_BI + BI_NEGATIVE, -x)                                                      \
            UN_CASE(KOP_BI + BI_ABS, fabs##S(x))                                                   \
            UN_CASE(KOP_BI + BI_ABSOLUTE, fabs##S(x))                                              \
            UN_CASE(KOP_BI + BI_SQRT, sqrt##S(x))                                                  \
            UN_CASE(KOP_BI + BI_EXP, exp##S(x))                                                    \
            UN_CASE(KOP_BI + BI_LOG, log##S(x))                                                    \
            UN_CASE(KOP_BI + BI_SIN, sin##S(x))                                                    \
            UN_CASE(KOP_BI + BI_COS, cos##S(x))                                                    \
            UN_CASE(KOP_BI + BI_TAN, tan##S(x))                                                    \
            UN_CASE(KOP_BI + BI_ARCSIN, asin##S(x))                                                \
            UN_CASE(KOP_BI + BI_ARCCOS, acos##S(x))                                                \
            UN_CASE(KOP_BI + BI_ARCTAN, atan##S(x))                                                \
            UN_CASE(KOP_BI + BI_SINH, sinh##S(x))                                                  \
            UN_CASE(KOP_BI + BI_COSH, cosh##S(x))                                                  \
            UN_CASE(KOP_BI + BI_TANH, tanh##S(x))                                                  \
            UN_CASE(KOP_BI + BI_ARCSINH, asinh##S(x))                                              \
            UN_CASE(KOP_BI + BI_ARCCOSH, acosh##S(x))                                              \
            UN_CASE(KOP_BI + BI_ARCTANH, atanh##S(x))                                              \
            UN_CASE(KOP_BI + BI_LOG10, log10##S(x))                                                \
            UN_CASE(KOP_BI + BI_LOG1P, log1p##S(x))                                                \
            UN_CASE(KOP_BI + BI_EXPM1, expm1##S(x))                                                \
            UN_CASE(KOP_BI + BI_FLOOR, floor##S(x))                                                \
            UN_CASE(KOP_BI + BI_CEIL, ceil##S(x))                                                  \
            UN_CASE(KOP_BI + BI_RINT, rint##S(x))                                                  \
            UN_CASE(KOP_BI + BI_SQUARE, x * x)                                                     \
            UN_CASE(KOP_BI + BI_RECIPROCAL, (T)1 / x)                                              \
            UN_CASE(KOP_BI + BI_SIGN, fsign(x))                                                    \
        }                                                                                          \
        return KERN_EBADOP;                                                                        \
    }

FLOAT_UN(un_f64, double, )
FLOAT_UN(un_f32, float, f)

#define INT_UN(NAME, TY, UT)                                                                       \
    static int NAME(int op, TY *d, const TY *a, size_t n)                                          \
    {                                                                                              \
        typedef TY T;                                                                              \
        switch (op) {                                                                              \
            UN_CASE(IR_NEG, 0 - (UT)x)                                                             \
            UN_CASE(KOP_BI + BI_NEGATIVE, 0 - (UT)x)                                               \
            UN_CASE(IR_POS, x)                                                                     \
            UN_CASE(IR_INVERT, ~x)                                                                 \
            UN_CASE(KOP_BI + BI_ABS, x < 0 ? 0 - (UT)x : (UT)x)                                    \
            UN_CASE(KOP_BI + BI_ABSOLUTE, x < 0 ? 0 - (UT)x : (UT)x)                               \
            UN_CASE(KOP_BI + BI_SQUARE, (UT)x * (UT)x)                                             \
            UN_CASE(KOP_BI + BI_SIGN, x > 0 ? 1 : x < 0 ? -1 : 0)                                  \
            UN_CASE(KOP_BI + BI_RECIPROCAL, x == 0 ? (T)((UT)1 << (sizeof(T) * 8 - 1))             \
                                            : (x == 1 || x == -1) ? x                              \
                                                                  : 0)                             \
        }                                                                                          \
        return KERN_EBADOP;                                                                        \
    }

INT_UN(un_i64, int64_t, uint64_t)
INT_UN(un_i32, int32_t, uint32_t)

static int un_bool(int op, uint8_t *d, const uint8_t *a, size_t n)
{
    typedef uint8_t T;
    switch (op) {
        UN_CASE(IR_INVERT, !x)
        UN_CASE(IR_POS, x)
        UN_CASE(KOP_BI + BI_ABS, x)
        UN_CASE(KOP_BI + BI_ABSOLUTE, x)
        UN_CASE(KOP_BI + BI_SQUARE, x)
        UN_CASE(KOP_BI + BI_SIGN, x)
    }
    return KERN_EBADOP;
}

static int un_c128(int op, cplx *d, const cplx *a, size_t n)
{
    typedef cplx T;
    switch (op) {
        UN_CASE(IR_NEG, -x)
        UN_CASE(KOP_BI + BI_NEGATIVE, -x)
        UN_CASE(IR_POS, x)
        UN_CASE(KOP_BI + BI_SQRT, csqrt(x))
        UN_CASE(KOP_BI + BI_EXP, cexp(x))
        UN_CASE(KOP_BI + BI_LOG, clog(x))
        UN_CASE(KOP_BI + BI_SIN, csin(x))
        UN_CASE(KOP_BI + BI_COS, ccos(x))
        UN_CASE(KOP_BI + BI_TAN, ctan(x))
        UN_CASE(KOP_BI + BI_SINH, csinh(x))
        UN_CASE(KOP_BI + BI_COSH, ccosh(x))
        UN_CASE(KOP_BI + BI_TANH, ctanh(x))
        UN_CASE(KOP_BI + BI_ARCSIN, casin(x))
        UN_CASE(KOP_BI + BI_ARCCOS, cacos(x))
        UN_CASE(KOP_BI + BI_ARCTAN, catan(x))
        UN_CASE(KOP_BI + BI_ARCSINH, casinh(x))
        UN_CASE(KOP_BI + BI_ARCCOSH, cacosh(x))
        UN_CASE(KOP_BI + BI_ARCTANH, catanh(x))
        UN_CASE(KOP_BI + BI_CONJUGATE, conj(x))
        UN_CASE(KOP_BI + BI_SQUARE, cmul(x, x))
        UN_CASE(KOP_BI + BI_RECIPROCAL, crecip(x))
        UN_CASE(KOP_BI + BI_SIGN, csign(x))
        UN_CASE(KOP_BI + BI_RINT, CMPLX(rint(creal(x)), rint(cimag(x))))
        UN_CASE(KOP_BI + BI_LOG10, clog10_np(x))
        UN_CASE(KOP_BI + BI_LOG1P, clog1p_np(x))
        UN_CASE(KOP_BI + BI_EXPM1, cexpm1_np(x))
    }
    return KERN_EBADOP;
}

/* isnan (cls 0), isfinite (1) or isinf (2) of re + im*j. */
static inline int fclass(int cls, double re, double im)
{
    if (cls == 0) return isnan(re) || isnan(im);
    if (cls == 1) return isfinite(re) && isfinite(im);
    return isinf(re) || isinf(im);
}

/* Unaries whose output dtype differs from the input's. */
static int un_special(int op, int dt, void *d, const void *a, size_t n)
{
    uint8_t *o = d;
    if (op == KOP_CABS) {
        const cplx *x = a;
        double *r = d;
        for (size_t i = 0; i < n; i++)
            r[i] = cabs(x[i]);
        return 0;
    }
    /* cls: 0 isnan, 1 isfinite, 2 isinf */
    int cls = op == KOP_BI + BI_ISNAN ? 0 : op == KOP_BI + BI_ISFINITE ? 1 : 2;
    switch (dt) {
    case DT_FLOAT64: {
        const double *x = a;
        for (size_t i = 0; i < n; i++)
            o[i] = (uint8_t)fclass(cls, x[i], 0);
        return 0;
    }
    case DT_FLOAT32: {
        const float *x = a;
        for (size_t i = 0; i < n; i++)
            o[i] = (uint8_t)fclass(cls, x[i], 0);
        return 0;
    }
    case DT_COMPLEX128: {
        const double *x = a;
        for (size_t i = 0; i < n; i++)
            o[i] = (uint8_t)fclass(cls, x[2 * i], x[2 * i + 1]);
        return 0;
    }
    default:
        for (size_t i = 0; i < n; i++)
            o[i] = (uint8_t)(cls == 1);
        return 0;
    }
}

#if defined(PARC_MVEC) && defined(__AVX2__)
/* float64 transcendentals through glibc's libmvec, 4 lanes at a time (AVX2): 2-30x faster
 * than the scalar libm calls (bench/mvec.c), within 4 ulp of the correctly rounded value as
 * libmvec promises (NumPy 1.24 calls the scalar libm here: up to 3 ulp apart measured). A
 * tail of fewer than 4 elements is padded, so every element goes through the same vector
 * function on any split. libmvec's own IEEE flags are not the scalar functions' (exp(inf)
 * raises invalid, sin of a huge x overflow), so the caller's flags are restored and the
 * flags IEEE gives the function raised from the values: invalid for a nan out of a number,
 * divide by zero (a pole: log(0), atanh(1)) or overflow (exp(1000)) for an infinity out
 * of a finite number. */
#include <fenv.h>
#include <immintrin.h>

typedef __m256d (*vfun_t)(__m256d);
#define MVEC(f) __m256d _ZGVdN4v_##f(__m256d)
MVEC(exp);
MVEC(log);
MVEC(sin);
MVEC(cos);
MVEC(tan);
MVEC(asin);
MVEC(acos);
MVEC(atan);
MVEC(sinh);
MVEC(cosh);
MVEC(tanh);
MVEC(asinh);
MVEC(acosh);
MVEC(atanh);
MVEC(log10);
MVEC(log1p);
MVEC(expm1);
#undef MVEC

/* The ops with a vector form; pole: an infinite result of a finite x is a pole (divide
 * by zero), else an overflow. */
static const struct {
    int op;
    vfun_t f;
    int pole;
} MVEC_FN[] = {
    {KOP_BI + BI_EXP, _ZGVdN4v_exp, 0},       {KOP_BI + BI_EXPM1, _ZGVdN4v_expm1, 0},
    {KOP_BI + BI_SIN, _ZGVdN4v_sin, 0},       {KOP_BI + BI_COS, _ZGVdN4v_cos, 0},
    {KOP_BI + BI_TAN, _ZGVdN4v_tan, 0},       {KOP_BI + BI_ARCSIN, _ZGVdN4v_asin, 0},
    {KOP_BI + BI_ARCCOS, _ZGVdN4v_acos, 0},   {KOP_BI + BI_ARCTAN, _ZGVdN4v_atan, 0},
    {KOP_BI + BI_SINH, _ZGVdN4v_sinh, 0},     {KOP_BI + BI_COSH, _ZGVdN4v_cosh, 0},
    {KOP_BI + BI_TANH, _ZGVdN4v_tanh, 0},     {KOP_BI + BI_ARCSINH, _ZGVdN4v_asinh, 0},
    {KOP_BI + BI_ARCCOSH, _ZGVdN4v_acosh, 0}, {KOP_BI + BI_LOG, _ZGVdN4v_log, 1},
    {KOP_BI + BI_LOG10, _ZGVdN4v_log10, 1},   {KOP_BI + BI_LOG1P, _ZGVdN4v_log1p, 1},
    {KOP_BI + BI_ARCTANH, _ZGVdN4v_atanh, 1},
};

#define MVEC_STEP 256 /* elements per step: the input kept for the flags (d may be a) */

/* d[i] = op(a[i]) for n float64 through libmvec: 1, or 0 when op has no vector form. */
static int mvec_un(int op, double *d, const double *a, size_t n)
{
    size_t k = 0;
    while (k < sizeof MVEC_FN / sizeof *MVEC_FN && MVEC_FN[k].op != op)
        k++;
    if (k == sizeof MVEC_FN / sizeof *MVEC_FN) return 0;
    vfun_t f = MVEC_FN[k].f;
    int pole = MVEC_FN[k].pole;
    const int fl = FE_DIVBYZERO | FE_OVERFLOW | FE_INVALID;
    fexcept_t saved;
    fegetexceptflag(&saved, fl);
    int inv = 0, inf = 0;
    for (size_t s = 0; s < n; s += MVEC_STEP) {
        size_t m = n - s < MVEC_STEP ? n - s : MVEC_STEP, i = 0;
        double in[MVEC_STEP];
        memcpy(in, a + s, m * sizeof *in);
        for (; i + 4 <= m; i += 4)
            _mm256_storeu_pd(d + s + i, f(_mm256_loadu_pd(in + i)));
        if (i < m) {
            double t[4] = {0.5, 0.5, 0.5, 0.5};
            memcpy(t, in + i, (m - i) * sizeof *t);
            _mm256_storeu_pd(t, f(_mm256_loadu_pd(t)));
            memcpy(d + s + i, t, (m - i) * sizeof *t);
        }
        const double *o = d + s;
        for (i = 0; i < m; i++) {
            inv |= (isnan(in[i]) == 0) & (isnan(o[i]) != 0);
            inf |= (isfinite(in[i]) != 0) & (isinf(o[i]) != 0);
        }
    }
    fesetexceptflag(&saved, fl);
    if (inv) feraiseexcept(FE_INVALID);
    if (inf) feraiseexcept(pole ? FE_DIVBYZERO : FE_OVERFLOW);
    return 1;
}
#else
static int mvec_un(int op, double *d, const double *a, size_t n)
{
    (void)op, (void)d, (void)a, (void)n;
    return 0;
}
#endif

int kern_un(int op, int dt, void *d, const void *a, size_t n)
{
    if (dt == DT_FLOAT64 && mvec_un(op, d, a, n)) return 0;
    if (op == KOP_CABS || op == KOP_BI + BI_ISNAN || op == KOP_BI + BI_ISFINITE ||
        op == KOP_BI + BI_ISINF)
        return un_special(op, dt, d, a, n);
    KERN_BY_DTYPE(dt, un, op, d, a, n);
}

static inline int64_t f2i64(double x)
{
    return (x >= -9223372036854775808.0 && x < 9223372036854775808.0) ? (int64_t)x : INT64_MIN;
}

static inline int32_t f2i32(double x)
{
    return (x > -2147483649.0 && x < 2147483648.0) ? (int32_t)x : INT32_MIN;
}

/* CAST_STORE(T, STORE): runs STORE for every i with o pointing at the destination d as T *. */
#define CAST_STORE(T, STORE)                                                                       \
    {                                                                                              \
        T *o = d;                                                                                  \
        for (size_t i = 0; i < n; i++)                                                             \
            STORE;                                                                                 \
        return;                                                                                    \
    }

/* CAST_TO: writes element i of a, read as EXPR_F64 (real part), EXPR_I32/EXPR_I64 (as an
 * integer) and IM (imaginary part, when ISCPLX), into the destination dtype `to`. */
#define CAST_TO(EXPR_F64, EXPR_I32, EXPR_I64, ISCPLX, IM)                                          \
    switch (to) {                                                                                  \
    case DT_BOOL:                                                                                  \
        CAST_STORE(uint8_t, o[i] = (uint8_t)((EXPR_F64) != 0 || (ISCPLX && (IM) != 0)))            \
    case DT_INT32:                                                                                 \
        CAST_STORE(int32_t, o[i] = (EXPR_I32))                                                     \
    case DT_INT64:                                                                                 \
        CAST_STORE(int64_t, o[i] = (EXPR_I64))                                                     \
    case DT_FLOAT32:                                                                               \
        CAST_STORE(float, o[i] = (float)(EXPR_F64))                                                \
    case DT_FLOAT64:                                                                               \
        CAST_STORE(double, o[i] = (double)(EXPR_F64))                                              \
    case DT_COMPLEX128:                                                                            \
        CAST_STORE(double,                                                                         \
                   (o[2 * i] = (double)(EXPR_F64), o[2 * i + 1] = ISCPLX ? (double)(IM) : 0.0))    \
    }

/* CAST_WARNS(X): or's KERN_WINVALID / KERN_WOVERFLOW over the n real values X(i). */
#define CAST_WARNS(X)                                                                              \
    {                                                                                              \
        int bad = 0;                                                                               \
        if (to == DT_INT64)                                                                        \
            for (size_t i = 0; i < n; i++)                                                         \
                bad |= !((X) >= -9223372036854775808.0 && (X) < 9223372036854775808.0);            \
        else if (to == DT_INT32)                                                                   \
            for (size_t i = 0; i < n; i++)                                                         \
                bad |= !((X) > -2147483649.0 && (X) < 2147483648.0);                               \
        else if (to == DT_FLOAT32)                                                                 \
            for (size_t i = 0; i < n; i++)                                                         \
                bad |= isinf((float)(X)) && isfinite(X);                                           \
        return !bad ? 0 : to == DT_FLOAT32 ? KERN_WOVERFLOW : KERN_WINVALID;                       \
    }

int kern_cast_warns(int from, int to, const void *a, size_t n)
{
    const double *x = a;
    const float *y = a;
    if (from == DT_FLOAT64) CAST_WARNS(x[i])
    if (from == DT_COMPLEX128) CAST_WARNS(x[2 * i])
    if (from == DT_FLOAT32 && to != DT_FLOAT32) CAST_WARNS((double)y[i])
    return 0;
}

void kern_cast(int from, int to, void *d, const void *a, size_t n)
{
    if (from == to) {
        memmove(d, a, n * dt_size(from));
        return;
    }
    switch (from) {
    case DT_BOOL: {
        const uint8_t *x = a;
        CAST_TO(x[i], (int32_t)x[i], (int64_t)x[i], 0, 0)
        return;
    }
    case DT_INT32: {
        const int32_t *x = a;
        CAST_TO(x[i], (int32_t)x[i], (int64_t)x[i], 0, 0)
        return;
    }
    case DT_INT64: {
        const int64_t *x = a;
        CAST_TO(x[i], (int32_t)x[i], x[i], 0, 0)
        return;
    }
    case DT_FLOAT32: {
        const float *x = a;
        CAST_TO(x[i], f2i32(x[i]), f2i64(x[i]), 0, 0)
        return;
    }
    case DT_FLOAT64: {
        const double *x = a;
        CAST_TO(x[i], f2i32(x[i]), f2i64(x[i]), 0, 0)
        return;
    }
    case DT_COMPLEX128: {
        const double *x = a;
        CAST_TO(x[2 * i], f2i32(x[2 * i]), f2i64(x[2 * i]), 1, x[2 * i + 1])
        return;
    }
    }
}

#define SEL_LOOP(T)                                                                                \
    {                                                                                              \
        T *o = d;                                                                                  \
        const T *p = x, *q = y;                                                                    \
        for (size_t i = 0; i < n; i++)                                                             \
            o[i] = m[i] ? p[i] : q[i];                                                             \
        return;                                                                                    \
    }

void kern_sel(int dt, void *d, const void *c, const void *x, const void *y, size_t n)
{
    const uint8_t *m = c;
    switch (dt_size(dt)) {
    case 1:
        SEL_LOOP(uint8_t)
    case 4:
        SEL_LOOP(uint32_t)
    case 8:
        SEL_LOOP(uint64_t)
    default:
        SEL_LOOP(cplx)
    }
}

void kern_fill(int dt, void *d, const void *v, size_t n)
{
    size_t sz = dt_size(dt);
    switch (sz) {
    case 1:
        memset(d, *(const uint8_t *)v, n);
        return;
    case 4: {
        uint32_t x, *o = d;
        memcpy(&x, v, 4);
        for (size_t i = 0; i < n; i++)
            o[i] = x;
        return;
    }
    case 8: {
        uint64_t x, *o = d;
        memcpy(&x, v, 8);
        for (size_t i = 0; i < n; i++)
            o[i] = x;
        return;
    }
    default:
        for (size_t i = 0; i < n; i++)
            memcpy((char *)d + i * sz, v, sz);
    }
}

/* FOLD_HALVE: the c values of vals padded to m with op's identity (1 for a product, 0 for a
 * sum), halved pairwise down to the w lanes, stored in out. The first halving reads vals
 * itself (no copy of the block), computing each t[i] = v[i] op v[i + h] with the padding
 * as operands exactly where the padded copy had them, so the bits are those of halving the
 * padded copy. */
#define FOLD_HALVE(T, t, vals, c, m, w, op, out)                                                   \
    do {                                                                                           \
        int64_t c_ = (c), m_ = (m), w_ = (w), h_ = m_ / 2;                                         \
        const T *v_ = (const T *)(vals), id_ = (T)(op ? 1 : 0);                                    \
        if (h_ < w_) {                                                                             \
            memcpy(t, v_, (size_t)c_ * sizeof(T));                                                 \
            for (int64_t i = c_; i < m_; i++)                                                      \
                t[i] = id_;                                                                        \
        } else {                                                                                   \
            int64_t both_ = c_ - h_ < 0 ? 0 : c_ - h_, one_ = c_ < h_ ? c_ : h_;                   \
            if (op) {                                                                              \
                for (int64_t i = 0; i < both_; i++)                                                \
                    t[i] = v_[i] * v_[i + h_];                                                     \
                for (int64_t i = both_; i < one_; i++)                                             \
                    t[i] = v_[i] * id_;                                                            \
                for (int64_t i = one_; i < h_; i++)                                                \
                    t[i] = id_ * id_;                                                              \
            } else {                                                                               \
                for (int64_t i = 0; i < both_; i++)                                                \
                    t[i] = v_[i] + v_[i + h_];                                                     \
                for (int64_t i = both_; i < one_; i++)                                             \
                    t[i] = v_[i] + id_;                                                            \
                for (int64_t i = one_; i < h_; i++)                                                \
                    t[i] = id_ + id_;                                                              \
            }                                                                                      \
            m_ = h_;                                                                               \
        }                                                                                          \
        for (int64_t h = m_ / 2; h >= w_; h /= 2)                                                  \
            if (op)                                                                                \
                for (int64_t i = 0; i < h; i++)                                                    \
                    t[i] = t[i] * t[i + h];                                                        \
            else                                                                                   \
                for (int64_t i = 0; i < h; i++)                                                    \
                    t[i] = t[i] + t[i + h];                                                        \
        memcpy(out, t, (size_t)w_ * sizeof(T));                                                    \
    } while (0)

/* FOLD_LANES: a sum of the c values at v whose lane count w divides FOLD_NL: FOLD_NL
 * accumulators, accumulator k holding the values at k, k + FOLD_NL, ... in that order
 * (starting from the value at k; 0 when c <= k), then halved pairwise (s[k] += s[k + h]
 * for h = FOLD_NL / 2 down to w): one streaming pass over the block, which the halving of
 * the whole block is not. */
#define FOLD_NL 16
#define FOLD_LANES(T, vals, c, w, out)                                                             \
    do {                                                                                           \
        const T *v_ = (const T *)(vals);                                                           \
        int64_t c_ = (c), i_ = c_ < FOLD_NL ? c_ : FOLD_NL;                                        \
        T s_[FOLD_NL] = {0};                                                                       \
        for (int64_t k = 0; k < i_; k++) /* loops, not memcpy calls: two per block */              \
            s_[k] = v_[k];                                                                         \
        for (; i_ + FOLD_NL <= c_; i_ += FOLD_NL)                                                  \
            for (int k = 0; k < FOLD_NL; k++)                                                      \
                s_[k] += v_[i_ + k];                                                               \
        for (int k = 0; i_ + k < c_; k++)                                                          \
            s_[k] += v_[i_ + k];                                                                   \
        for (int64_t h = FOLD_NL / 2; h >= (w); h /= 2)                                            \
            for (int64_t k = 0; k < h; k++)                                                        \
                s_[k] += s_[k + h];                                                                \
        for (int64_t k = 0; k < (w); k++)                                                          \
            memcpy((char *)(out) + (size_t)k * sizeof(T), &s_[k], sizeof(T));                      \
    } while (0)

/* The fold of one block; the order of the operations is fixed by B and w alone. */
void kern_fold(int op, int acc, int64_t w, int64_t B, const void *vals, int64_t count, void *out)
{
    int64_t wl = acc == ACC_C128 ? 2 * w : w; /* lanes of doubles or floats */
    if (!op && FOLD_NL % wl == 0) {
        if (acc == ACC_F32)
            FOLD_LANES(float, vals, count *wl, wl, out);
        else
            FOLD_LANES(double, vals, count *wl, wl, out);
        return;
    }
    if (acc == ACC_F32) {
        float t[KERN_BLK];
        FOLD_HALVE(float, t, vals, count *w, w *B, w, op, out);
        return;
    }
    if (acc == ACC_C128 && op) {
        cplx t[KERN_BLK];
        int64_t m = w * B, c = count * w;
        memcpy(t, vals, (size_t)c * sizeof(cplx));
        for (int64_t i = c; i < m; i++)
            t[i] = 1.0;
        /* The padding is never multiplied in: inf * (1+0j) is inf+nanj with NumPy's
         * product, and NumPy never multiplies by the identity. */
        for (int64_t h = m / 2; h >= w; h /= 2) {
            for (int64_t i = 0; i + h < c; i++)
                t[i] = cmul(t[i], t[i + h]);
            if (c > h) c = h;
        }
        memcpy(out, t, (size_t)w * sizeof(cplx));
        return;
    }
    /* double sums, double products, complex sums (componentwise as doubles) */
    double t[2 * KERN_BLK];
    int64_t k = acc == ACC_C128 ? 2 : 1;
    FOLD_HALVE(double, t, vals, count *w *k, w *B *k, w *k, op, out);
}

void kern_fold_shifted(const double *x, int64_t n, double c, double out[2])
{
    /* FOLD_LANES over the pairs: accumulator 2j holds the deviations of the elements j,
     * j + 8, ..., accumulator 2j + 1 their squares (the first eight set, the rest added) */
    double s[FOLD_NL / 2] = {0}, q[FOLD_NL / 2] = {0};
    int64_t e = 0;
    for (; e < n && e < FOLD_NL / 2; e++) {
        s[e] = x[e] - c;
        q[e] = s[e] * s[e];
    }
    for (; e + FOLD_NL / 2 <= n; e += FOLD_NL / 2)
        for (int j = 0; j < FOLD_NL / 2; j++) {
            double d = x[e + j] - c;
            s[j] += d;
            q[j] += d * d;
        }
    for (int j = 0; e + j < n; j++) {
        double d = x[e + j] - c;
        s[j] += d;
        q[j] += d * d;
    }
    /* the halving of the 16 accumulators down to 2: pairs j, j + h/2 */
    for (int h = FOLD_NL / 4; h >= 1; h /= 2)
        for (int j = 0; j < h; j++) {
            s[j] += s[j + h];
            q[j] += q[j + h];
        }
    out[0] = s[0];
    out[1] = q[0];
}

/* d = (l[0] + l[1]) + (l[2] + l[3]) for w accumulator values (complex: componentwise). */
static void sum4(int acc, int64_t w, void *d, const void *const *l)
{
    if (acc == ACC_F32) {
        float *o = d;
        const float *a = l[0], *b = l[1], *c = l[2], *e = l[3];
        for (int64_t i = 0; i < w; i++)
            o[i] = (a[i] + b[i]) + (c[i] + e[i]);
        return;
    }
    double *o = d;
    const double *a = l[0], *b = l[1], *c = l[2], *e = l[3];
    int64_t m = acc == ACC_C128 ? 2 * w : w;
    for (int64_t i = 0; i < m; i++)
        o[i] = (a[i] + b[i]) + (c[i] + e[i]);
}

/* d = ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)) for w double (or complex) values. */
static void sum8(int acc, int64_t w, void *d, const void *const *l)
{
    double *o = d;
    const double *a = l[0], *b = l[1], *c = l[2], *e = l[3];
    const double *f = l[4], *g = l[5], *h = l[6], *j = l[7];
    int64_t m = acc == ACC_C128 ? 2 * w : w;
    for (int64_t i = 0; i < m; i++)
        o[i] = ((a[i] + b[i]) + (c[i] + e[i])) + ((f[i] + g[i]) + (h[i] + j[i]));
}

/* The node (i0, k) of kern_tree_fn. lv: the level slots, lv + j * vsz the right child of a
 * node at level j, so a node at level k may use slots 0 to k (its ancestors' right children
 * are at k + 1 and up); ex: KERN_TREE_EXTRA more vectors, for the eight leaves of sum8. */
static void tree_node(int op, int acc, int64_t w, size_t vsz, kern_leaf_fn leaf, void *ctx,
                      int64_t i0, int64_t n, int k, void *dst, char *lv, char *ex)
{
    if (k == 0 || (k == 1 && n < 2)) {
        const void *l = leaf(ctx, i0, dst);
        if (l != dst) memcpy(dst, l, vsz);
        return;
    }
    if (k == 1) { /* two leaves: combined straight from where they are, not copied first */
        const void *a = leaf(ctx, i0, dst);
        const void *b = leaf(ctx, i0 + 1, lv + vsz);
        kern_combine_to(op, acc, w, dst, a, b);
        return;
    }
    if (k == 3 && n >= 8 && !op && acc != ACC_F32) {
        /* eight leaves of a double sum in one pass, as the three levels add them: half the
         * stores of two sum4 and a combine (z.sum(axis=0) 4-5% faster) */
        char *buf[8] = {dst, lv, lv + vsz, lv + 2 * vsz, lv + 3 * vsz, ex, ex + vsz, ex + 2 * vsz};
        const void *l[8];
        for (int j = 0; j < 8; j++)
            l[j] = leaf(ctx, i0 + j, buf[j]);
        sum8(acc, w, dst, l);
        return;
    }
    if (k == 2 && n >= 4 && !op) {
        /* four leaves of a sum in one pass, (l0 + l1) + (l2 + l3) as the two levels add them */
        const void *l[4] = {leaf(ctx, i0, dst), leaf(ctx, i0 + 1, lv), leaf(ctx, i0 + 2, lv + vsz),
                            leaf(ctx, i0 + 3, lv + 2 * vsz)};
        sum4(acc, w, dst, l);
        return;
    }
    tree_node(op, acc, w, vsz, leaf, ctx, i0, n, k - 1, dst, lv, ex);
    int64_t h = (int64_t)1 << (k - 1);
    if (h >= n) return;
    char *right = lv + (size_t)k * vsz;
    tree_node(op, acc, w, vsz, leaf, ctx, i0 + h, n - h, k - 1, right, lv, ex);
    kern_combine(op, acc, w, dst, right);
}

void kern_tree_fn(int op, int acc, int64_t w, size_t vsz, kern_leaf_fn leaf, void *ctx, int64_t i0,
                  int64_t n, int k, void *dst, void *scratch)
{
    char *ex = scratch;
    tree_node(op, acc, w, vsz, leaf, ctx, i0, n, k, dst, ex + KERN_TREE_EXTRA * vsz, ex);
}

const void *kern_leaf_at(void *ctx, int64_t i, void *buf)
{
    (void)buf;
    const kern_leaves_t *l = ctx;
    return (const char *)l->bv + (size_t)i * l->vsz;
}

void kern_tree(int op, int acc, int64_t w, size_t vsz, const void *bv, int64_t n, int k, void *dst,
               void *scratch)
{
    kern_leaves_t l = {bv, vsz};
    kern_tree_fn(op, acc, w, vsz, kern_leaf_at, &l, 0, n, k, dst, scratch);
}

void kern_combine_to(int op, int acc, int64_t w, void *d, const void *a, const void *b)
{
    if (acc == ACC_F32) {
        float *o = d;
        const float *x = a, *y = b;
        for (int64_t i = 0; i < w; i++)
            o[i] = op ? x[i] * y[i] : x[i] + y[i];
    } else if (acc == ACC_C128 && op) {
        cplx *o = d;
        const cplx *x = a, *y = b;
        for (int64_t i = 0; i < w; i++)
            o[i] = cmul(x[i], y[i]);
    } else {
        double *o = d;
        const double *x = a, *y = b;
        int64_t m = acc == ACC_C128 ? 2 * w : w;
        for (int64_t i = 0; i < m; i++)
            o[i] = op ? x[i] * y[i] : x[i] + y[i];
    }
}

void kern_combine(int op, int acc, int64_t w, void *a, const void *b)
{
    kern_combine_to(op, acc, w, a, a, b);
}

void kern_red_init(int bi, kred_t *st)
{
    memset(st, 0, sizeof *st);
    if (bi == BI_PROD || bi == BI_ALL) st->i = 1;
}

static inline void mm(int bi, kred_t *st, double re, double im)
{
    if (re != re || im != im) {
        if (!st->nan) {
            st->nf[0] = re;
            st->nf[1] = im;
        }
        st->nan = 1;
        return;
    }
    if (st->nan) return;
    if (!st->has) {
        st->f[0] = re;
        st->f[1] = im;
        st->has = 1;
        return;
    }
    int less = re < st->f[0] || (re == st->f[0] && im < st->f[1]);
    int more = re > st->f[0] || (re == st->f[0] && im > st->f[1]);
    if ((bi == BI_MIN && less) || (bi == BI_MAX && more)) {
        st->f[0] = re;
        st->f[1] = im;
    }
}

/* argmin/argmax of one float (or complex) value at index at: the first nan wins, then the
 * first of equal best values, as NumPy's. */
static inline void am(int bi, kred_t *st, double re, double im, int64_t at)
{
    if (re != re || im != im) {
        if (!st->nan) st->nat = at;
        st->nan = 1;
        return;
    }
    int better = !st->has;
    if (!better && bi == BI_ARGMIN) better = re < st->f[0] || (re == st->f[0] && im < st->f[1]);
    if (!better && bi == BI_ARGMAX) better = re > st->f[0] || (re == st->f[0] && im > st->f[1]);
    if (better) {
        st->f[0] = re;
        st->f[1] = im;
        st->at = at;
        st->has = 1;
    }
}

static inline void am_int(int bi, kred_t *st, int64_t v, int64_t at)
{
    if (!st->has || (bi == BI_ARGMIN ? v < st->i : v > st->i)) {
        st->i = v;
        st->at = at;
        st->has = 1;
    }
}

/* The least (mn) or greatest value of n real floats in 16 lanes, written with gcc's vector
 * types: as plain loops gcc 12 leaves them scalar (a compare and a conditional move per
 * element). Lane l keeps `y < acc ? y : acc` (or >) over the elements at l, l + 16, ..., as a
 * mask and a blend, and a mask of y != y finds nans; with at, each lane also keeps the index
 * of its best (the first of equal ones), and *at is the least index holding the best value.
 * 1 with *out, or 0 when the block holds a nan or is too short. Of a +0 and a -0 either may
 * come out (and *at is the first of either). */
#define MM_LANES 16

#if defined(__AVX512F__)
/* BEST_LANES' main loop for the float64 min or max (16 lanes: two vectors at a) with AVX-512
 * from element k on; returns where it stopped and sets *bad for a nan. vminpd and vmaxpd give
 * `y < acc ? y : acc` (and >) as the blend does, acc on ties; one unordered compare of the
 * two loads finds a nan in either. gcc makes the vector types' blend a compare and two xors;
 * when the memory is in its faster state that loop fell behind it (bench_ceiling fold,
 * 2026-12-08: max 1.20-1.27x the time of the read pass, 1.07-1.21x this way; argmax, which
 * also keeps indices, stays on the vector types: the same written with intrinsics was no
 * faster there). */
#define BEST_F64_AVX512 1
#define BEST_F64_STEP(MINMAX)                                                                      \
    for (; k + 16 <= n; k += 16) {                                                                 \
        __m512d y0 = _mm512_loadu_pd(x + k), y1 = _mm512_loadu_pd(x + k + 8);                      \
        nan |= _mm512_cmp_pd_mask(y0, y1, _CMP_UNORD_Q);                                           \
        a0 = MINMAX(y0, a0);                                                                       \
        a1 = MINMAX(y1, a1);                                                                       \
    }
static size_t best_f64_avx512(int mn, const double *x, size_t n, size_t k, void *a, int *bad)
{
    __m512d a0 = _mm512_loadu_pd((double *)a), a1 = _mm512_loadu_pd((double *)a + 8);
    __mmask8 nan = 0;
    if (mn)
        BEST_F64_STEP(_mm512_min_pd)
    else
        BEST_F64_STEP(_mm512_max_pd)
    _mm512_storeu_pd((double *)a, a0);
    _mm512_storeu_pd((double *)a + 8, a1);
    *bad |= nan != 0;
    return k;
}
#else
#define BEST_F64_AVX512 0
static size_t best_f64_avx512(int mn, const double *x, size_t n, size_t k, void *a, int *bad)
{
    (void)mn, (void)x, (void)n, (void)a, (void)bad;
    return k;
}
#endif

#define BEST_LANES(NAME, T, IT)                                                                    \
    static int NAME(int mn, const T *x, size_t n, T *out, int64_t *at)                             \
    {                                                                                              \
        typedef T vt __attribute__((vector_size(64)));                                             \
        typedef IT vi __attribute__((vector_size(64)));                                            \
        enum { NV = MM_LANES * sizeof(T) / 64, PER = 64 / sizeof(T) };                             \
        if (n < 2 * MM_LANES || n > INT32_MAX) return 0;                                           \
        vt acc[NV], y;                                                                             \
        vi bad = {0}, m, idx[NV], best[NV];                                                        \
        for (int v = 0; v < NV; v++) {                                                             \
            memcpy(&acc[v], x + v * PER, 64);                                                      \
            bad |= acc[v] != acc[v];                                                               \
            for (int l = 0; l < PER; l++)                                                          \
                idx[v][l] = best[v][l] = (IT)(v * PER + l);                                        \
        }                                                                                          \
        size_t k = MM_LANES;                                                                       \
        int fbad = 0;                                                                              \
        if (BEST_F64_AVX512 && sizeof(T) == 8 && MM_LANES == 16 && !at)                            \
            k = best_f64_avx512(mn, (const double *)(const void *)x, n, k, acc, &fbad);            \
        else if (at)                                                                               \
            for (; k + MM_LANES <= n; k += MM_LANES)                                               \
                for (int v = 0; v < NV; v++) {                                                     \
                    memcpy(&y, x + k + v * PER, 64);                                               \
                    idx[v] += MM_LANES;                                                            \
                    bad |= y != y;                                                                 \
                    m = mn ? y < acc[v] : y > acc[v];                                              \
                    acc[v] = (vt)(((vi)y & m) | ((vi)acc[v] & ~m));                                \
                    best[v] = (idx[v] & m) | (best[v] & ~m);                                       \
                }                                                                                  \
        else                                                                                       \
            for (; k + MM_LANES <= n; k += MM_LANES)                                               \
                for (int v = 0; v < NV; v++) {                                                     \
                    memcpy(&y, x + k + v * PER, 64);                                               \
                    bad |= y != y;                                                                 \
                    m = mn ? y < acc[v] : y > acc[v];                                              \
                    acc[v] = (vt)(((vi)y & m) | ((vi)acc[v] & ~m));                                \
                }                                                                                  \
        IT b = (IT)fbad;                                                                           \
        for (int l = 0; l < PER; l++)                                                              \
            b |= bad[l];                                                                           \
        for (; k < n; k++)                                                                         \
            b |= x[k] != x[k];                                                                     \
        if (b) return 0;                                                                           \
        T lanes[MM_LANES];                                                                         \
        IT li[MM_LANES];                                                                           \
        memcpy(lanes, acc, sizeof lanes);                                                          \
        memcpy(li, best, sizeof li);                                                               \
        T v = lanes[0];                                                                            \
        for (int l = 1; l < MM_LANES; l++)                                                         \
            v = (mn ? lanes[l] < v : lanes[l] > v) ? lanes[l] : v;                                 \
        int64_t first = INT64_MAX;                                                                 \
        for (int l = 0; l < MM_LANES; l++)                                                         \
            if (lanes[l] == v && li[l] < first) first = li[l];                                     \
        for (k = n - (n - MM_LANES) % MM_LANES; k < n; k++)                                        \
            if (mn ? x[k] < v : x[k] > v) {                                                        \
                v = x[k];                                                                          \
                first = (int64_t)k;                                                                \
            }                                                                                      \
        *out = v;                                                                                  \
        if (at) *at = first;                                                                       \
        return 1;                                                                                  \
    }

/* min/max (mm_fast) and argmin/argmax (am_fast) of a block of real floats by BEST_LANES: 1
 * when done, 0 (st untouched) when the block holds a nan, or for min/max when the result is
 * a zero (+0 and -0 tie, and the lanes might pick another one than the sequential loop):
 * the caller then goes element by element. */
#define MM_FAST(T, IT)                                                                             \
    BEST_LANES(best_##T, T, IT)                                                                    \
    static int mm_fast_##T(int bi, kred_t *st, const T *x, size_t n)                               \
    {                                                                                              \
        T v;                                                                                       \
        if (st->nan || !best_##T(bi == BI_MIN, x, n, &v, NULL) || v == 0) return 0;                \
        mm(bi, st, (double)v, 0);                                                                  \
        return 1;                                                                                  \
    }                                                                                              \
    static int am_fast_##T(int bi, kred_t *st, const T *x, size_t n)                               \
    {                                                                                              \
        T v;                                                                                       \
        int64_t k;                                                                                 \
        if (st->nan || !best_##T(bi == BI_ARGMIN, x, n, &v, &k)) return 0;                         \
        am(bi, st, (double)x[k], 0, st->pos + k);                                                  \
        st->pos += (int64_t)n;                                                                     \
        return 1;                                                                                  \
    }
MM_FAST(double, int64_t)
MM_FAST(float, int32_t)

#define RED_LOOP(T, RE, IM, ISINT)                                                                 \
    {                                                                                              \
        const T *x = a;                                                                            \
        switch (bi) {                                                                              \
        case BI_SUM: {                                                                             \
            uint64_t s = (uint64_t)st->i;                                                          \
            for (size_t k = 0; k < n; k++)                                                         \
                s += (uint64_t)(int64_t)x[k];                                                      \
            st->i = (int64_t)s;                                                                    \
            return;                                                                                \
        }                                                                                          \
        case BI_PROD: {                                                                            \
            uint64_t s = (uint64_t)st->i;                                                          \
            for (size_t k = 0; k < n; k++)                                                         \
                s *= (uint64_t)(int64_t)x[k];                                                      \
            st->i = (int64_t)s;                                                                    \
            return;                                                                                \
        }                                                                                          \
        case BI_COUNT_NONZERO:                                                                     \
        case BI_ANY: {                                                                             \
            int64_t c = 0;                                                                         \
            for (size_t k = 0; k < n; k++)                                                         \
                c += ((RE) != 0) | ((IM) != 0);                                                    \
            if (bi == BI_ANY)                                                                      \
                st->i |= c != 0;                                                                   \
            else                                                                                   \
                st->i += c;                                                                        \
            return;                                                                                \
        }                                                                                          \
        case BI_ALL: {                                                                             \
            int64_t c = 0;                                                                         \
            for (size_t k = 0; k < n; k++)                                                         \
                c += ((RE) != 0) | ((IM) != 0);                                                    \
            st->i &= c == (int64_t)n;                                                              \
            return;                                                                                \
        }                                                                                          \
        case BI_MIN:                                                                               \
        case BI_MAX:                                                                               \
            if (ISINT && n) {                                                                      \
                int64_t v = (int64_t)x[0];                                                         \
                for (size_t k = 1; k < n; k++)                                                     \
                    if (bi == BI_MIN ? (int64_t)x[k] < v : (int64_t)x[k] > v) v = (int64_t)x[k];   \
                if (!st->has || (bi == BI_MIN ? v < st->i : v > st->i)) st->i = v;                 \
                st->has = 1;                                                                       \
                return;                                                                            \
            }                                                                                      \
            if (dt == DT_FLOAT64 ? mm_fast_double(bi, st, a, n)                                    \
                                 : dt == DT_FLOAT32 && mm_fast_float(bi, st, a, n))                \
                return;                                                                            \
            for (size_t k = 0; k < n; k++)                                                         \
                mm(bi, st, (double)(RE), (double)(IM));                                            \
            return;                                                                                \
        case BI_ARGMIN:                                                                            \
        case BI_ARGMAX:                                                                            \
            if (dt == DT_FLOAT64 ? am_fast_double(bi, st, a, n)                                    \
                                 : dt == DT_FLOAT32 && am_fast_float(bi, st, a, n))                \
                return;                                                                            \
            for (size_t k = 0; k < n; k++) {                                                       \
                if (ISINT)                                                                         \
                    am_int(bi, st, (int64_t)x[k], st->pos + (int64_t)k);                           \
                else                                                                               \
                    am(bi, st, (double)(RE), (double)(IM), st->pos + (int64_t)k);                  \
            }                                                                                      \
            st->pos += (int64_t)n;                                                                 \
            return;                                                                                \
        }                                                                                          \
    }

void kern_red(int bi, int dt, const void *a, size_t n, kred_t *st)
{
    switch (dt) {
    case DT_BOOL:
        RED_LOOP(uint8_t, x[k], 0, 1)
        return;
    case DT_INT32:
        RED_LOOP(int32_t, x[k], 0, 1)
        return;
    case DT_INT64:
        RED_LOOP(int64_t, x[k], 0, 1)
        return;
    case DT_FLOAT32:
        RED_LOOP(float, x[k], 0, 0)
        return;
    case DT_FLOAT64:
        RED_LOOP(double, x[k], 0, 0)
        return;
    case DT_COMPLEX128: {
        const double *x = a;
        switch (bi) {
        case BI_COUNT_NONZERO:
        case BI_ANY:
        case BI_ALL: {
            int64_t c = 0;
            for (size_t k = 0; k < n; k++)
                c += (x[2 * k] != 0) | (x[2 * k + 1] != 0);
            if (bi == BI_ANY) st->i |= c != 0;
            if (bi == BI_ALL) st->i &= c == (int64_t)n;
            if (bi == BI_COUNT_NONZERO) st->i += c;
            return;
        }
        case BI_MIN:
        case BI_MAX:
            for (size_t k = 0; k < n; k++)
                mm(bi, st, x[2 * k], x[2 * k + 1]);
            return;
        case BI_ARGMIN:
        case BI_ARGMAX:
            for (size_t k = 0; k < n; k++)
                am(bi, st, x[2 * k], x[2 * k + 1], st->pos + (int64_t)k);
            st->pos += (int64_t)n;
            return;
        }
        return;
    }
    }
}

/* Column-wise float min/max of rows by plain loops over the columns, which gcc vectorizes
 * (a compare and a blend; `y > a ? y : a` keeps the first of equal values, as mm() does),
 * nans found by a mask; a column with a nan is folded again element by element for its first
 * nan, as the sequential loop keeps it. */
#define MM_ROWS(T, IT)                                                                             \
    {                                                                                              \
        const T *x = xv;                                                                           \
        int mn = bi == BI_MIN;                                                                     \
        for (int64_t c0 = 0; c0 < n; c0 += KERN_BLK) {                                             \
            int64_t nc = n - c0 < KERN_BLK ? n - c0 : KERN_BLK;                                    \
            T o[KERN_BLK];                                                                         \
            IT bad[KERN_BLK], any = 0;                                                             \
            for (int64_t j = 0; j < nc; j++) {                                                     \
                o[j] = x[c0 + j];                                                                  \
                any |= -(IT)(o[j] != o[j]);                                                        \
            }                                                                                      \
            for (int64_t r = 1; r < L; r++) {                                                      \
                const T *y = x + r * stride + c0;                                                  \
                if (mn)                                                                            \
                    for (int64_t j = 0; j < nc; j++) {                                             \
                        any |= -(IT)(y[j] != y[j]);                                                \
                        o[j] = y[j] < o[j] ? y[j] : o[j];                                          \
                    }                                                                              \
                else                                                                               \
                    for (int64_t j = 0; j < nc; j++) {                                             \
                        any |= -(IT)(y[j] != y[j]);                                                \
                        o[j] = y[j] > o[j] ? y[j] : o[j];                                          \
                    }                                                                              \
            }                                                                                      \
            /* a nan somewhere in the block: which columns (rare, a second pass) */                \
            for (int64_t j = 0; j < nc; j++)                                                       \
                bad[j] = 0;                                                                        \
            for (int64_t r = 0; any && r < L; r++) {                                               \
                const T *y = x + r * stride + c0;                                                  \
                for (int64_t j = 0; j < nc; j++)                                                   \
                    bad[j] |= -(IT)(y[j] != y[j]);                                                 \
            }                                                                                      \
            for (int64_t j = 0; j < nc; j++) {                                                     \
                kred_t *s = &st[c0 + j];                                                           \
                if (bad[j]) {                                                                      \
                    for (int64_t r = 0; r < L && !s->nan; r++)                                     \
                        kern_red(bi, dt, x + c0 + j + r * stride, 1, s);                           \
                    continue;                                                                      \
                }                                                                                  \
                s->has = 1;                                                                        \
                s->f[0] = (double)o[j];                                                            \
                s->f[1] = 0;                                                                       \
            }                                                                                      \
        }                                                                                          \
        return 1;                                                                                  \
    }

/* Column-wise integer sums, products, min and max (ints and bools) and nonzero counts (any
 * real dtype) of rows, in plain loops over the columns that gcc vectorizes; the integer
 * arithmetic wraps as kern_red's does. */
#define RED_ROWS(T)                                                                                \
    {                                                                                              \
        const T *x = xv;                                                                           \
        for (int64_t c0 = 0; c0 < n; c0 += KERN_BLK) {                                             \
            int64_t nc = n - c0 < KERN_BLK ? n - c0 : KERN_BLK;                                    \
            int64_t a[KERN_BLK];                                                                   \
            for (int64_t j = 0; j < nc; j++)                                                       \
                a[j] = cnt ? x[c0 + j] != 0 : (int64_t)x[c0 + j];                                  \
            for (int64_t r = 1; r < L; r++) {                                                      \
                const T *y = x + r * stride + c0;                                                  \
                switch (bi) {                                                                      \
                case BI_SUM:                                                                       \
                    for (int64_t j = 0; j < nc; j++)                                               \
                        a[j] = (int64_t)((uint64_t)a[j] + (uint64_t)(int64_t)y[j]);                \
                    break;                                                                         \
                case BI_PROD:                                                                      \
                    for (int64_t j = 0; j < nc; j++)                                               \
                        a[j] = (int64_t)((uint64_t)a[j] * (uint64_t)(int64_t)y[j]);                \
                    break;                                                                         \
                case BI_MIN:                                                                       \
                    for (int64_t j = 0; j < nc; j++)                                               \
                        a[j] = (int64_t)y[j] < a[j] ? (int64_t)y[j] : a[j];                        \
                    break;                                                                         \
                case BI_MAX:                                                                       \
                    for (int64_t j = 0; j < nc; j++)                                               \
                        a[j] = (int64_t)y[j] > a[j] ? (int64_t)y[j] : a[j];                        \
                    break;                                                                         \
                default:                                                                           \
                    for (int64_t j = 0; j < nc; j++)                                               \
                        a[j] += y[j] != 0;                                                         \
                }                                                                                  \
            }                                                                                      \
            for (int64_t j = 0; j < nc; j++) {                                                     \
                kred_t *o = &st[c0 + j];                                                           \
                o->i = bi == BI_ANY ? a[j] != 0 : bi == BI_ALL ? a[j] == L : a[j];                 \
                if (bi == BI_MIN || bi == BI_MAX) o->has = 1;                                      \
            }                                                                                      \
        }                                                                                          \
        return 1;                                                                                  \
    }

int kern_red_rows(int bi, int dt, const void *xv, int64_t stride, int64_t L, int64_t n, kred_t *st)
{
    int cnt = bi == BI_ANY || bi == BI_ALL || bi == BI_COUNT_NONZERO;
    int ints = bi == BI_SUM || bi == BI_PROD || bi == BI_MIN || bi == BI_MAX;
    if (L <= 0 || !(cnt || ints)) return 0;
    switch (dt) {
    case DT_BOOL:
        RED_ROWS(uint8_t)
    case DT_INT32:
        RED_ROWS(int32_t)
    case DT_INT64:
        RED_ROWS(int64_t)
    case DT_FLOAT32:
        if (cnt) RED_ROWS(float)
        if (bi == BI_MIN || bi == BI_MAX) MM_ROWS(float, int32_t)
        return 0;
    case DT_FLOAT64:
        if (cnt) RED_ROWS(double)
        if (bi == BI_MIN || bi == BI_MAX) MM_ROWS(double, int64_t)
        return 0;
    }
    return 0;
}

void kern_red_merge(int bi, int dt, kred_t *st, const kred_t *o)
{
    int isint = dt == DT_BOOL || dt == DT_INT32 || dt == DT_INT64;
    switch (bi) {
    case BI_SUM:
        st->i = (int64_t)((uint64_t)st->i + (uint64_t)o->i);
        return;
    case BI_PROD:
        st->i = (int64_t)((uint64_t)st->i * (uint64_t)o->i);
        return;
    case BI_COUNT_NONZERO:
        st->i += o->i;
        return;
    case BI_ANY:
        st->i |= o->i;
        return;
    case BI_ALL:
        st->i &= o->i;
        return;
    case BI_MIN:
    case BI_MAX:
        if (!o->has && !o->nan) return;
        if (isint) {
            if (o->has && (!st->has || (bi == BI_MIN ? o->i < st->i : o->i > st->i))) st->i = o->i;
            st->has |= o->has;
            return;
        }
        if (o->nan && !st->nan) {
            st->nf[0] = o->nf[0];
            st->nf[1] = o->nf[1];
            st->nan = 1;
        }
        if (o->has) mm(bi, st, o->f[0], o->f[1]);
        return;
    case BI_ARGMIN:
    case BI_ARGMAX:
        if (o->nan && (!st->nan || o->nat < st->nat)) {
            st->nat = o->nat;
            st->nan = 1;
        }
        if (!o->has) return;
        if (st->has && (isint ? o->i == st->i : o->f[0] == st->f[0] && o->f[1] == st->f[1])) {
            if (o->at < st->at) st->at = o->at;
            return;
        }
        if (isint)
            am_int(bi, st, o->i, o->at);
        else
            am(bi, st, o->f[0], o->f[1], o->at);
        return;
    }
}

double kern_bin_ref(int op, double a, double b)
{
    switch (op) {
    case IR_ADD:
        return a + b;
    case IR_SUB:
        return a - b;
    case IR_MUL:
        return a * b;
    case IR_DIV:
        return a / b;
    case IR_FLOORDIV:
        return fdivf64(a, b);
    case IR_MOD:
        return fmodf64(a, b);
    case IR_POW:
        return pow(a, b);
    case IR_LT:
        return a < b;
    case IR_LE:
        return a <= b;
    case IR_GT:
        return a > b;
    case IR_GE:
        return a >= b;
    case IR_EQ:
        return a == b;
    case IR_NE:
        return a != b;
    case KOP_BI + BI_HYPOT:
        return hypot(a, b);
    case KOP_BI + BI_ARCTAN2:
        return atan2(a, b);
    case KOP_BI + BI_MAXIMUM:
        return fmaxnan(a, b);
    case KOP_BI + BI_MINIMUM:
        return fminnan(a, b);
    case KOP_BI + BI_FMOD:
        return fmod(a, b);
    case KOP_CLIPLO:
        return isnan(a) || a > b ? a : b;
    case KOP_CLIPHI:
        return isnan(a) || a < b ? a : b;
    }
    return NAN;
}

double kern_un_ref(int op, double a)
{
    switch (op) {
    case IR_NEG:
    case KOP_BI + BI_NEGATIVE:
        return -a;
    case IR_POS:
        return a;
    case KOP_BI + BI_ABS:
    case KOP_BI + BI_ABSOLUTE:
        return fabs(a);
    case KOP_BI + BI_SQRT:
        return sqrt(a);
    case KOP_BI + BI_EXP:
        return exp(a);
    case KOP_BI + BI_LOG:
        return log(a);
    case KOP_BI + BI_SIN:
        return sin(a);
    case KOP_BI + BI_COS:
        return cos(a);
    case KOP_BI + BI_TAN:
        return tan(a);
    case KOP_BI + BI_ARCSIN:
        return asin(a);
    case KOP_BI + BI_ARCCOS:
        return acos(a);
    case KOP_BI + BI_ARCTAN:
        return atan(a);
    case KOP_BI + BI_SINH:
        return sinh(a);
    case KOP_BI + BI_COSH:
        return cosh(a);
    case KOP_BI + BI_TANH:
        return tanh(a);
    case KOP_BI + BI_ARCSINH:
        return asinh(a);
    case KOP_BI + BI_ARCCOSH:
        return acosh(a);
    case KOP_BI + BI_ARCTANH:
        return atanh(a);
    case KOP_BI + BI_LOG10:
        return log10(a);
    case KOP_BI + BI_LOG1P:
        return log1p(a);
    case KOP_BI + BI_EXPM1:
        return expm1(a);
    case KOP_BI + BI_FLOOR:
        return floor(a);
    case KOP_BI + BI_CEIL:
        return ceil(a);
    case KOP_BI + BI_RINT:
        return rint(a);
    case KOP_BI + BI_SQUARE:
        return a * a;
    case KOP_BI + BI_RECIPROCAL:
        return 1.0 / a;
    case KOP_BI + BI_SIGN:
        return fsign(a);
    case KOP_BI + BI_ISNAN:
        return isnan(a);
    case KOP_BI + BI_ISFINITE:
        return isfinite(a);
    case KOP_BI + BI_ISINF:
        return isinf(a);
    }
    return NAN;
}
