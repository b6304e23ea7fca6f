/* bench_ceiling.c - the "limit" column of bench/speed.py: what plain C on this machine does
 * for the same rows, under mpiexec, each rank on its half of n. Prints one line per row with
 * the best of 3 times (the slowest rank's) and a checksum:
 *   pi    estimate_pi(n) fused: x and y drawn inline by rng_ (parc's generator) in blocks of
 *         KERN_BLK, counted where x*x + y*y <= 1 (libm's hypot is a
 *         scalar call), one MPI_Allreduce; no arrays
 *   rand  rng_uniform64 into memory already written once (parc's random.rand on reused memory)
 *   read  one pass reading n/ranks doubles per rank (sixteen partial sums, two AVX-512
 *         vectors: 8-12% faster here than eight, a single dependency chain): the STREAM-like
 *         floor of x.sum(); and the same over a 10^4 x 10^4-sized chunk is the floor of z.sum
 * Usage: mpiexec -n 2 bench_ceiling [n] [read|fold|transpose]; with "read", only the read row (best
 * of 5, the memory written by the generator first), which speed.py runs beside each parc row that
 * reads its array once, so that both sides see the machine in the same state; with "fold", six
 * rounds of the read pass and then parc's own reduction loops over the same memory (kern_fold of
 * each KERN_BLK block, as x.sum() runs it on an engine, and kern_red's max and argmax, as x.max()
 * and x.argmax() do), each round's times printed: whether parc's loops keep up with the plain pass
 * in whatever state the memory is. With "transpose", n is the side of a square float64 matrix in
 * row blocks (as redistribute(z.T) moves it): each rank copies its block once with memcpy and
 * transposes it with kern_transpose through the cache and past it (non-temporal stores), into
 * memory written before, best of 5 each: what a transpose costs against a copy of the same bytes
 * here. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "dtype.h"
#include "kern.h"
#include "mem.h"
#include "rng.h"

static double slowest(MPI_Comm comm, double t)
{
    double m = 0;
    MPI_Allreduce(&t, &m, 1, MPI_DOUBLE, MPI_MAX, comm);
    return m;
}

static double read_sum(const double *x, int64_t n)
{
    double s[16] = {0};
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int k = 0; k < 16; k++)
            s[k] += x[i + k];
    for (; i < n; i++)
        s[0] += x[i];
    for (int h = 8; h >= 1; h /= 2)
        for (int k = 0; k < h; k++)
            s[k] += s[k + h];
    return s[0];
}

/* The "transpose" rows: this rank's n / ranks x n block. */
static void transpose_rows(int64_t n, int rank, int nr)
{
    int64_t rows = n * (rank + 1) / nr - n * rank / nr;
    size_t bytes = (size_t)(rows * n) * sizeof(double);
    double *a = mem_aligned(64, bytes + 64), *b = mem_aligned(64, bytes + 64);
    if (!a || !b) MPI_Abort(MPI_COMM_WORLD, 1);
    for (int64_t k = 0; k < rows * n; k++)
        a[k] = (double)k;
    memset(b, 0, bytes);
    double best[3] = {1e30, 1e30, 1e30};
    for (int rep = 0; rep < 5; rep++)
        for (int w = 0; w < 3; w++) {
            MPI_Barrier(MPI_COMM_WORLD);
            double t0 = MPI_Wtime();
            if (w == 0)
                memcpy(b, a, bytes);
            else /* b (n x rows) = a (rows x n) transposed */
                kern_transpose((char *)b, rows * 8, (const char *)a, n * 8, n, rows, 8, w == 2);
            double t = slowest(MPI_COMM_WORLD, MPI_Wtime() - t0);
            if (t < best[w]) best[w] = t;
        }
    int ok = rows < 2 || b[1 * rows + 1] == a[1 * n + 1];
    if (rank == 0)
        printf("transpose n=%lld ranks=%d memcpy=%.6f s transpose=%.6f s transpose_nt=%.6f s%s\n",
               (long long)n, nr, best[0], best[1], best[2], ok ? "" : " WRONG");
    mem_free(a);
    mem_free(b);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, nr;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nr);
    int64_t n = argc > 1 ? atoll(argv[1]) : 100000000;
    if (argc > 2 && strcmp(argv[2], "transpose") == 0) {
        transpose_rows(n, rank, nr);
        MPI_Finalize();
        return 0;
    }
    int64_t lo = n * rank / nr, hi = n * (rank + 1) / nr, m = hi - lo;
    rng_t sx = {{1, 0}, 0}, sy = {{1, 0}, 1};
    double *x = mem_aligned(64, (size_t)m * sizeof *x + 64);
    if (!x) MPI_Abort(MPI_COMM_WORLD, 1);
    memset(x, 0, (size_t)m * sizeof *x);
    double best[3] = {1e30, 1e30, 1e30}, chk[3] = {0, 0, 0};
    int only_read = argc > 2 && strcmp(argv[2], "read") == 0;
    if (argc > 2 && strcmp(argv[2], "fold") == 0) {
        rng_uniform64(&sx, (uint64_t)lo, (size_t)m, 0, 1, x);
        int64_t nb = (m + KERN_BLK - 1) / KERN_BLK;
        double *bv = mem_alloc((size_t)(nb ? nb : 1) * sizeof *bv), sink = 0;
        if (!bv) MPI_Abort(MPI_COMM_WORLD, 1);
        for (int rep = 0; rep < 6; rep++) {
            MPI_Barrier(MPI_COMM_WORLD);
            double t0 = MPI_Wtime();
            sink += read_sum(x, m);
            double tr = slowest(MPI_COMM_WORLD, MPI_Wtime() - t0);
            MPI_Barrier(MPI_COMM_WORLD);
            t0 = MPI_Wtime();
            for (int64_t j = 0; j < nb; j++) {
                int64_t k = j * KERN_BLK, b = m - k < KERN_BLK ? m - k : KERN_BLK;
                kern_fold(0, ACC_F64, 1, KERN_BLK, x + k, b, bv + j);
            }
            double tf = slowest(MPI_COMM_WORLD, MPI_Wtime() - t0);
            sink += bv[0];
            double tm[2];
            for (int w = 0; w < 2; w++) { /* max, argmax: kern_red over each block */
                int bi = w ? BI_ARGMAX : BI_MAX;
                kred_t st;
                kern_red_init(bi, &st);
                MPI_Barrier(MPI_COMM_WORLD);
                t0 = MPI_Wtime();
                for (int64_t k = 0; k < m; k += KERN_BLK)
                    kern_red(bi, DT_FLOAT64, x + k, (size_t)(m - k < KERN_BLK ? m - k : KERN_BLK),
                             &st);
                tm[w] = slowest(MPI_COMM_WORLD, MPI_Wtime() - t0);
                sink += st.f[0] + (double)st.at;
            }
            if (rank == 0)
                printf("fold n=%lld ranks=%d round=%d read=%.6f s fold=%.6f s max=%.6f s "
                       "argmax=%.6f s\n",
                       (long long)n, nr, rep, tr, tf, tm[0], tm[1]);
        }
        if (rank == 0) printf("checksum=%.6g\n", sink);
        mem_free(bv);
        mem_free(x);
        MPI_Finalize();
        return 0;
    }
    if (only_read) rng_uniform64(&sx, (uint64_t)lo, (size_t)m, 0, 1, x);
    for (int rep = 0; rep < (only_read ? 5 : 3); rep++) {
        if (!only_read) { /* the pi and rand rows */
            double bx[KERN_BLK], by[KERN_BLK];
            MPI_Barrier(MPI_COMM_WORLD);
            double t0 = MPI_Wtime();
            long long in = 0, all = 0;
            for (int64_t k = 0; k < m; k += KERN_BLK) {
                size_t b = (size_t)(m - k < KERN_BLK ? m - k : KERN_BLK);
                rng_uniform64(&sx, (uint64_t)(lo + k), b, 0, 1, bx);
                rng_uniform64(&sy, (uint64_t)(lo + k), b, 0, 1, by);
                for (size_t i = 0; i < b; i++)
                    in += bx[i] * bx[i] + by[i] * by[i] <= 1.0;
            }
            MPI_Allreduce(&in, &all, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
            double t = slowest(MPI_COMM_WORLD, MPI_Wtime() - t0);
            if (t < best[0]) best[0] = t;
            chk[0] = 4.0 * (double)all / (double)n;

            MPI_Barrier(MPI_COMM_WORLD);
            t0 = MPI_Wtime();
            rng_uniform64(&sx, (uint64_t)lo, (size_t)m, 0, 1, x);
            t = slowest(MPI_COMM_WORLD, MPI_Wtime() - t0);
            if (t < best[1]) best[1] = t;
        }
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = MPI_Wtime(), s = read_sum(x, m), tot = 0;
        MPI_Allreduce(&s, &tot, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        double t = slowest(MPI_COMM_WORLD, MPI_Wtime() - t0);
        if (t < best[2]) best[2] = t;
        chk[2] = tot;
    }
    if (rank == 0 && !only_read) {
        printf("pi n=%lld ranks=%d time=%.6f s checksum=%.7f\n", (long long)n, nr, best[0], chk[0]);
        printf("rand n=%lld ranks=%d time=%.6f s\n", (long long)n, nr, best[1]);
    }
    if (rank == 0) {
        printf("read n=%lld ranks=%d time=%.6f s checksum=%.6g\n", (long long)n, nr, best[2],
               chk[2]);
    }
    mem_free(x);
    MPI_Finalize();
    return 0;
}
