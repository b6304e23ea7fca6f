/* bench_mvec.c - the float64 transcendentals of the array kernels (kern_un: libmvec's
 * AVX2 functions where the build has them) against libm's scalar functions one element at
 * a time (kern_un_ref, what NumPy 1.24 calls on this machine). Per function: nanoseconds
 * per element of each over blocks of KERN_BLK uniform values in the function's range (best
 * of 5), the speedup, and the largest difference in units in the last place over those
 * values, small ones and the edge values (0, -0, +-inf, nan, overflow and pole arguments).
 * Usage: bench_mvec [reps]. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "builtins.h"
#include "dtype.h"
#include "kern.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Units in the last place between a and b (both nan: 0; nan against a number or zeros of
 * opposite signs: a huge count). */
static long long ulps(double a, double b)
{
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b) ? 0 : 1LL << 62;
    if (a == b) return signbit(a) == signbit(b) ? 0 : 1LL << 62;
    long long x, y;
    memcpy(&x, &a, 8);
    memcpy(&y, &b, 8);
    if (x < 0) x = (long long)(0x8000000000000000ULL - (unsigned long long)x);
    if (y < 0) y = (long long)(0x8000000000000000ULL - (unsigned long long)y);
    return llabs(x - y);
}

static const struct {
    const char *name;
    int bi;
    double lo, hi;
} FN[] = {
    {"exp", BI_EXP, -700, 700},      {"log", BI_LOG, 0, 1e6},
    {"sin", BI_SIN, -100, 100},      {"cos", BI_COS, -100, 100},
    {"tan", BI_TAN, -100, 100},      {"arcsin", BI_ARCSIN, -1, 1},
    {"arccos", BI_ARCCOS, -1, 1},    {"arctan", BI_ARCTAN, -100, 100},
    {"sinh", BI_SINH, -700, 700},    {"cosh", BI_COSH, -700, 700},
    {"tanh", BI_TANH, -20, 20},      {"arcsinh", BI_ARCSINH, -1e6, 1e6},
    {"arccosh", BI_ARCCOSH, 1, 1e6}, {"arctanh", BI_ARCTANH, -1, 1},
    {"log10", BI_LOG10, 0, 1e6},     {"log1p", BI_LOG1P, -1, 1e6},
    {"expm1", BI_EXPM1, -700, 700},
};

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 200;
    enum { N = KERN_BLK };
    static double x[N], z[N];
    double sink = 0;
    static const double edge[] = {0.0,    -0.0,   INFINITY, -INFINITY, NAN,   1000,   -1000,
                                  710,    -745.2, 1e-310,   -1e-310,   1e300, -1e300, 1e22,
                                  5e-324, -1,     1,        2,         -2,    0.5,    1e-20};
    printf("| function | libm, 1 element at a time (ns) | kern_un (ns) | speedup | max ulp |\n");
    printf("| --- | --- | --- | --- | --- |\n");
    for (size_t f = 0; f < sizeof FN / sizeof *FN; f++) {
        int op = KOP_BI + FN[f].bi;
        srand(1);
        for (int i = 0; i < N; i++)
            x[i] = FN[f].lo + (FN[f].hi - FN[f].lo) * rand() / (double)RAND_MAX;
        double ts = 1e30, tv = 1e30;
        for (int k = 0; k < 5; k++) {
            double t0 = now();
            for (int r = 0; r < reps; r++)
                for (int i = 0; i < N; i++)
                    z[i] = kern_un_ref(op, x[i]);
            sink += z[N - 1];
            double t1 = now();
            for (int r = 0; r < reps; r++)
                kern_un(op, DT_FLOAT64, z, x, N);
            double t2 = now();
            ts = t1 - t0 < ts ? t1 - t0 : ts;
            tv = t2 - t1 < tv ? t2 - t1 : tv;
        }
        long long worst = 0;
        for (int pass = 0; pass < 3; pass++) {
            int m = pass == 2 ? (int)(sizeof edge / sizeof *edge) : N;
            for (int i = 0; i < m; i++)
                x[i] = pass == 0   ? x[i]
                       : pass == 1 ? FN[f].lo / 1e3 + (FN[f].hi - FN[f].lo) / 1e3 * i / N
                                   : edge[i];
            kern_un(op, DT_FLOAT64, z, x, (size_t)m);
            for (int i = 0; i < m; i++) {
                long long u = ulps(kern_un_ref(op, x[i]), z[i]);
                worst = u > worst ? u : worst;
            }
        }
        printf("| %s | %.2f | %.2f | %.1fx | %lld |\n", FN[f].name, ts / reps / N * 1e9,
               tv / reps / N * 1e9, ts / tv, worst);
    }
    return sink == 1.5; /* keeps the reference loop */
}
