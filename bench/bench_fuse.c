/* bench_fuse.c - count_nonzero(hypot(x, y) <= 1) over n uniform(-1, 1) points, fused (no
 * temporary), under mpiexec. Prints the time of the fused reduction, throughput and the
 * count as a checksum (the same on any number of ranks). Usage: bench_fuse [n]. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "arr.h"
#include "builtins.h"
#include "ir.h"

/* Peak resident memory of this process in bytes (VmHWM), 0 if unknown. */
static long long peak_rss(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0) kb = atoll(line + 6);
    if (f) fclose(f);
    return kb * 1024;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    static atomic_int intr;
    rt_t rt;
    if (rt_init(&rt, 1, &intr) != 0) MPI_Abort(MPI_COMM_WORLD, 1);
    int64_t n = argc > 1 ? atoll(argv[1]) : 100000000;
    err_t err;
    err_clear(&err);
    arr_t *x = NULL, *y = NULL;
    if (arr_random(&rt, RAND_UNIFORM, 1, &n, -1, -1, 1, NULL, &x, &err) ||
        arr_random(&rt, RAND_UNIFORM, 1, &n, -1, -1, 1, NULL, &y, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    arena_t *ar = arena_new();
    ir_node_t *le = ir_new(ar, IR_LE, (span_t){0}, 2);
    ir_node_t *c = ir_new(ar, IR_CALL, (span_t){0}, 3);
    c->kid[0] = ir_new(ar, IR_BUILTIN, (span_t){0}, 0);
    c->kid[0]->imm.i = BI_HYPOT;
    c->kid[1] = ir_new(ar, IR_NAME, (span_t){0}, 0);
    c->kid[2] = ir_new(ar, IR_NAME, (span_t){0}, 0);
    le->kid[0] = c;
    le->kid[1] = ir_new(ar, IR_INT, (span_t){0}, 0);
    val_t leaves[3] = {{0}, {0}, {0}};
    leaves[0].kind = leaves[1].kind = V_ARRAY;
    leaves[0].u.a = x;
    leaves[1].u.a = y;
    leaves[2].kind = V_INT;
    leaves[2].dtype = DT_INT64;
    leaves[2].weak = 1;
    leaves[2].u.i = 1;
    double best = 1e30;
    val_t cnt = {0};
    for (int rep = 0; rep < 3; rep++) {
        MPI_Barrier(rt.comm);
        double t0 = MPI_Wtime();
        if (arr_reduce(&rt, BI_COUNT_NONZERO, le, leaves, 3, ARR_NOAXIS, &cnt, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        double t = MPI_Wtime() - t0;
        if (t < best) best = t;
    }
    long long peak = peak_rss(), maxpeak = 0;
    MPI_Reduce(&peak, &maxpeak, 1, MPI_LONG_LONG, MPI_MAX, 0, rt.comm);
    long long share = (long long)(2 * arr_local_bytes(x));
    if (rt.rank == 0) {
        printf("n=%lld ranks=%d time=%.4f s throughput=%.1f Melem/s checksum=%lld pi=%.7f\n",
               (long long)n, rt.nranks, best, (double)n / best / 1e6, (long long)cnt.u.i,
               4.0 * (double)cnt.u.i / (double)n);
        printf("peak rss of the largest rank %.1f MiB; its share of x and y %.1f MiB (%.2fx)\n",
               maxpeak / 1048576.0, share / 1048576.0, (double)maxpeak / (double)share);
    }
    arr_unref(&x);
    arr_unref(&y);
    arena_destroy(&ar);
    rt_fini(&rt);
    MPI_Finalize();
    return 0;
}
