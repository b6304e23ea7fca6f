/* stencil_mpi.c - the C/MPI column of bench/stencil.py: the stencils written the way an MPI
 * code writes them, under mpiexec, each rank holding a block of rows plus halo rows
 * (radius 2), exchanging them with its neighbours by MPI_Sendrecv, then one fused pass.
 * Prints one line per row with the best of R times (the slowest rank's) and a checksum:
 *   star5    sum of the 5-point stencil z[2:, 1:-1] + z[:-2, 1:-1] + z[1:-1, 2:] +
 *            z[1:-1, :-2] - 4 z[1:-1, 1:-1] over an n x n array (one halo row each way)
 *   star2    the Parallel Research Kernels' star stencil of radius 2 added into b
 *            (weights 1/(2 j r) at distance j, as bench/stencil.py writes it with slices)
 *   jacobi   100 steps of u[1:-1] = 0.5 * (u[2:] + u[:-2]) on m elements (two arrays
 *            swapped, one halo element each way per step)
 * The values are z[i, j] = (i * n + j) % 7 * 0.25 (any data: the times do not depend on it).
 * Usage: mpiexec -n 2 stencil_mpi [n] [m] [R]. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double slowest(double t)
{
    double m = 0;
    MPI_Allreduce(&t, &m, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return m;
}

/* Rows [lo, hi) of n over p ranks, the first ranks taking the extra ones. */
static void split(long n, int p, int r, long *lo, long *hi)
{
    long q = n / p, e = n % p;
    *lo = r * q + (r < e ? r : e);
    *hi = *lo + q + (r < e ? 1 : 0);
}

/* Sends the first and last h rows (of w doubles) of the block to the neighbours and
 * receives theirs into the halo rows around it (a has h halo rows on each side). */
static void halo(double *a, long rows, long w, int h, int rank, int p)
{
    int up = rank > 0 ? rank - 1 : MPI_PROC_NULL, down = rank + 1 < p ? rank + 1 : MPI_PROC_NULL;
    int cnt = (int)(h * w);
    MPI_Sendrecv(a + h * w, cnt, MPI_DOUBLE, up, 1, a + (h + rows) * w, cnt, MPI_DOUBLE, down, 1,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Sendrecv(a + rows * w, cnt, MPI_DOUBLE, down, 2, a, cnt, MPI_DOUBLE, up, 2, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, p;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &p);
    long n = argc > 1 ? atol(argv[1]) : 8000, m = argc > 2 ? atol(argv[2]) : 10000000;
    int R = argc > 3 ? atoi(argv[3]) : 3, H = 2;
    long lo, hi;
    split(n, p, rank, &lo, &hi);
    long rows = hi - lo;
    double *z = malloc((size_t)(rows + 2 * H) * (size_t)n * sizeof *z);
    double *b = malloc((size_t)(rows + 2 * H) * (size_t)n * sizeof *b);
    if (!z || !b) MPI_Abort(MPI_COMM_WORLD, 1);
    for (long i = 0; i < rows + 2 * H; i++)
        for (long j = 0; j < n; j++) {
            z[i * n + j] = (double)(((lo + i - H) * n + j) % 7) * 0.25;
            b[i * n + j] = 0;
        }
    double best[3] = {1e30, 1e30, 1e30}, chk[3] = {0, 0, 0};
    for (int rep = 0; rep < R; rep++) {
        /* star5: global rows 1..n-2 of the result that lie here */
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = MPI_Wtime(), s = 0;
        halo(z, rows, n, H, rank, p);
        long r0 = lo > 1 ? lo : 1, r1 = hi < n - 1 ? hi : n - 1;
        /* 32 partial sums, four vectors of 8 whose additions overlap: one running sum is
         * bound by the latency of its additions (star5 of 8000 x 8000 on 2 ranks: 0.033 s
         * with one, 0.017 s with these) */
        double acc[32] = {0};
        for (long g = r0; g < r1; g++) {
            const double *c = z + (g - lo + H) * n;
            long j = 1;
            for (; j + 32 <= n - 1; j += 32)
                for (int k = 0; k < 32; k++)
                    acc[k] +=
                        c[j + k + n] + c[j + k - n] + c[j + k + 1] + c[j + k - 1] - 4 * c[j + k];
            for (; j < n - 1; j++)
                acc[0] += c[j + n] + c[j - n] + c[j + 1] + c[j - 1] - 4 * c[j];
        }
        for (int k = 0; k < 32; k++)
            s += acc[k];
        double all = 0;
        MPI_Allreduce(&s, &all, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        double t = slowest(MPI_Wtime() - t0);
        best[0] = t < best[0] ? t : best[0];
        chk[0] = all;

        /* star2: b[2:-2, 2:-2] += the radius-2 star of z */
        MPI_Barrier(MPI_COMM_WORLD);
        t0 = MPI_Wtime();
        halo(z, rows, n, H, rank, p);
        r0 = lo > 2 ? lo : 2;
        r1 = hi < n - 2 ? hi : n - 2;
        for (long g = r0; g < r1; g++) {
            const double *c = z + (g - lo + H) * n;
            double *o = b + (g - lo + H) * n;
            for (long j = 2; j < n - 2; j++)
                o[j] += 0.25 * (c[j + 1] - c[j - 1]) + 0.125 * (c[j + 2] - c[j - 2]) +
                        0.25 * (c[j + n] - c[j - n]) + 0.125 * (c[j + 2 * n] - c[j - 2 * n]);
        }
        t = slowest(MPI_Wtime() - t0);
        best[1] = t < best[1] ? t : best[1];
        chk[1] = b[H * n + n / 2];
    }
    free(z);
    free(b);

    /* jacobi: u and v of the block plus one halo element each way */
    long ulo, uhi;
    split(m, p, rank, &ulo, &uhi);
    long ml = uhi - ulo;
    double *u = malloc((size_t)(ml + 2) * sizeof *u), *v = malloc((size_t)(ml + 2) * sizeof *v);
    if (!u || !v) MPI_Abort(MPI_COMM_WORLD, 1);
    for (int rep = 0; rep < R; rep++) {
        for (long i = 0; i < ml + 2; i++)
            u[i] = v[i] = (double)((ulo + i - 1) % 7) * 0.25;
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = MPI_Wtime();
        for (int step = 0; step < 100; step++) {
            halo(u, ml, 1, 1, rank, p);
            long i0 = ulo > 1 ? 1 : 2, i1 = uhi < m - 1 ? ml + 1 : ml;
            for (long i = i0; i < i1; i++)
                v[i] = 0.5 * (u[i + 1] + u[i - 1]);
            double *w = u;
            u = v;
            v = w;
        }
        double t = slowest(MPI_Wtime() - t0);
        best[2] = t < best[2] ? t : best[2];
        chk[2] = u[1];
    }
    free(u);
    free(v);
    if (rank == 0) {
        static const char *const names[] = {"star5", "star2", "jacobi"};
        for (int k = 0; k < 3; k++)
            printf("%s time=%.6f check=%.17g\n", names[k], best[k], chk[k]);
    }
    MPI_Finalize();
    return 0;
}
