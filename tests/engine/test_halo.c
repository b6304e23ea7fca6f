/* test_halo.c - halo reads (halo.h) under mpiexec -n 1/2/3/4: views of an array holding
 * its global flat indices, shifted against each other along one axis, both axes and
 * diagonally, on row blocks, 2-d grids and ('n', 'b'); whenever halo_fits says yes, every
 * element of this rank's block under the target view's layout is read back (in blocks of
 * several sizes, straddling the halo edges) and compared with the index it must hold, and
 * the bytes received are at most the halo's. Also: which shifts fit on known splits. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "arr.h"
#include "arrcheck.h"
#include "arrint.h"
#include "mpicheck.h"
#include "coll.h"
#include "halo.h"

static rt_t rt;
static atomic_int intr;
static int64_t fitted, moved; /* pairs read through a halo; of them, with bytes received */

/* A distributed int64 array of shape sh (kinds e.g. "bn", "bb") holding flat indices. */
static arr_t *iota(int nd, const int64_t *sh, const char *kinds)
{
    arr_t *a = arrcheck_iota(&rt, nd, sh, kinds, 1);
    CHECK(a != NULL);
    return a;
}

/* a[lo[0]:lo[0]+m[0], lo[1]:lo[1]+m[1]] (nd axes). */
static arr_t *slice(arr_t *a, int nd, const int64_t *lo, const int64_t *m)
{
    err_t err;
    err_clear(&err);
    idx_t ix[ARR_MAXDIM];
    memset(ix, 0, sizeof ix);
    for (int d = 0; d < nd; d++) {
        ix[d].kind = IDX_SLICE;
        ix[d].has_start = ix[d].has_stop = 1;
        ix[d].start = lo[d];
        ix[d].stop = lo[d] + m[d];
    }
    val_t v;
    CHECK(arr_getitem(&rt, a, ix, nd, &v, &err) == 0);
    return v.kind == V_ARRAY ? v.u.a : NULL;
}

/* Reads source view s (offsets so) in target view t's blocks (t's offsets irrelevant:
 * element i of the views is base element so + i). Returns halo_fits. */
static int check_pair(const arr_t *base, arr_t *s, const int64_t *so, arr_t *t)
{
    err_t err;
    err_clear(&err);
    if (!halo_fits(&s->dist, &t->dist)) return 0;
    halo_t *h = NULL;
    CHECK(halo_new(&rt, s, &t->dist, &h, &err) == 0);
    if (!h) return 1;
    int nd = t->ndim, coord[ARR_MAXDIM];
    int64_t lo[ARR_MAXDIM], len[ARR_MAXDIM], n = 1, slo[ARR_MAXDIM], shi[ARR_MAXDIM];
    dist_coords(&t->dist, rt.rank, coord);
    size_t halo = 1;
    for (int d = 0; d < nd; d++) {
        int64_t hi;
        dist_block_range(&t->dist, d, coord[d], &lo[d], &hi);
        len[d] = hi - lo[d];
        n *= len[d];
        dist_block_range(&s->dist, d, coord[d], &slo[d], &shi[d]);
    }
    /* what this rank lacks: the block minus the part s holds here */
    size_t vol = (size_t)n, inside = 1;
    for (int d = 0; d < nd; d++) {
        int64_t a = lo[d] > slo[d] ? lo[d] : slo[d],
                b = lo[d] + len[d] < shi[d] ? lo[d] + len[d] : shi[d];
        inside *= (size_t)(b > a ? b - a : 0);
    }
    halo = (vol - inside) * 8;
    CHECK(halo_bytes(h) == halo);
    fitted++;
    moved += halo > 0;
    static const int64_t bs[] = {1, 3, 7, 4096};
    int64_t buf[4096];
    for (size_t b = 0; b < sizeof bs / sizeof *bs; b++)
        for (int64_t s0 = 0; s0 < n; s0 += bs[b]) {
            int64_t m = n - s0 < bs[b] ? n - s0 : bs[b];
            const int64_t *p = halo_read(h, s0, m, buf);
            for (int64_t k = 0; k < m; k++) {
                int64_t q = s0 + k, g = 0, mul = 1;
                for (int d = nd - 1; d >= 0; d--) {
                    g += (so[d] + lo[d] + q % len[d]) * mul;
                    q /= len[d];
                    mul *= base->shape[d];
                }
                if (p[k] != g) {
                    CHECK(p[k] == g);
                    fprintf(stderr, "rank %d: element %lld is %lld, want %lld\n", rt.rank,
                            (long long)(s0 + k), (long long)p[k], (long long)g);
                    b = 99;
                    break;
                }
            }
            if (b == 99) break;
        }
    halo_free(&h);
    return 1;
}

/* Every pair of views base[a:a+m] and base[b:b+m] (shifts up to 3, lengths as they come). */
static void test_1d(void)
{
    for (int64_t n = 1; n <= 13; n++) {
        int64_t sh[1] = {n};
        arr_t *base = iota(1, sh, "b");
        for (int64_t k = 0; k <= 3 && k < n; k++) {
            int64_t m = n - k;
            for (int64_t a = 0; a <= k; a++)
                for (int64_t b = 0; b <= k; b++) {
                    int64_t so[1] = {a}, to[1] = {b}, len[1] = {m};
                    arr_t *s = slice(base, 1, so, len), *t = slice(base, 1, to, len);
                    if (s && t) check_pair(base, s, so, t);
                    arr_unref(&s);
                    arr_unref(&t);
                }
        }
        arr_unref(&base);
    }
}

/* Shifts by -2..2 on both axes of 2-d arrays on rows, grids and ('n', 'b'). */
static void test_2d(void)
{
    static const char *const kinds[] = {"bn", "bb", "nb"};
    static const int64_t shapes[][2] = {{7, 9}, {3, 4}, {2, 2}, {12, 5}};
    for (size_t ki = 0; ki < 3; ki++)
        for (size_t si = 0; si < 4; si++) {
            arr_t *base = iota(2, shapes[si], kinds[ki]);
            int64_t m[2] = {shapes[si][0] - 2, shapes[si][1] - 2};
            if (m[0] <= 0 || m[1] <= 0) {
                m[0] = shapes[si][0] - 1;
                m[1] = shapes[si][1] - 1;
            }
            int64_t mid[2] = {(shapes[si][0] - m[0]) / 2, (shapes[si][1] - m[1]) / 2};
            arr_t *t = slice(base, 2, mid, m);
            for (int64_t a = 0; a <= shapes[si][0] - m[0]; a++)
                for (int64_t b = 0; b <= shapes[si][1] - m[1]; b++) {
                    int64_t so[2] = {a, b};
                    arr_t *s = slice(base, 2, so, m);
                    if (s && t) check_pair(base, s, so, t);
                    if (s && t) check_pair(base, t, mid, s);
                    arr_unref(&s);
                }
            arr_unref(&t);
            arr_unref(&base);
        }
}

/* Which shifts fit: 10 elements over p engines (4, 3, 3 on 3; 3, 3, 2, 2 on 4). */
static void test_fits(void)
{
    int64_t sh[1] = {10};
    arr_t *base = iota(1, sh, "b");
    int p = rt.nranks;
    for (int64_t k = 1; k <= 8; k++) {
        int64_t z[1] = {0}, kk[1] = {k}, m[1] = {10 - k};
        arr_t *s = slice(base, 1, kk, m), *t = slice(base, 1, z, m);
        int want = p <= 2 || (p == 3 && k <= 3) || (p == 4 && k <= 2);
        if (s && t) CHECK(halo_fits(&s->dist, &t->dist) == want);
        if (s && t) CHECK(halo_fits(&t->dist, &s->dist) == want);
        arr_unref(&s);
        arr_unref(&t);
    }
    arr_unref(&base);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    if (rt_init(&rt, 1, &intr) != 0) MPI_Abort(MPI_COMM_WORLD, 1);
    test_fits();
    test_1d();
    test_2d();
    /* the tests above did read through halos, and on several engines received some */
    int64_t all[2] = {fitted, moved};
    MPI_Allreduce(MPI_IN_PLACE, all, 2, MPI_INT64_T, MPI_SUM, rt.comm);
    CHECK(all[0] > 100 && (rt.nranks == 1 || all[1] > 100));
    if (rt.rank == 0)
        printf("%lld reads through a halo, %lld with bytes received\n", (long long)all[0],
               (long long)all[1]);
    int rc = check_mpi_done();
    rt_fini(&rt);
    MPI_Finalize();
    return rc;
}
