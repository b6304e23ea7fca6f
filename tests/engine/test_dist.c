/* test_dist.c - the distribution descriptor against naive twins: for every engine count
 * 1..8 (simulated in one process) and every kind ('b' even and uneven, explicit bounds,
 * 'c', block-cyclic, 'n') the owner and local index of each global index are recomputed
 * by walking the index space, and extents, local <-> global, owners, intervals and
 * equality are checked against them. Under mpiexec the ranks also check that the shapes
 * they compute for each other agree. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "mpicheck.h"
#include "dist.h"

/* Naive owner and local index of every g along one dimension. */
static void naive_dim(const dist_t *d, int dim, int64_t *own, int64_t *loc)
{
    int64_t n = d->shape[dim], p = d->grid[dim], cnt[64] = {0};
    for (int64_t g = 0; g < n; g++) {
        int64_t o = 0;
        if (d->kind[dim] == 'c') {
            o = (g / d->bsize[dim]) % p;
        } else if (d->bnd[dim]) {
            while (!(d->bnd[dim][o] <= g && g < d->bnd[dim][o + 1]))
                o++;
        } else {
            /* first n % p engines take n / p + 1 */
            int64_t q = n / p, r = n % p, acc = 0;
            while (g >= acc + q + (o < r)) {
                acc += q + (o < r);
                o++;
            }
        }
        own[g] = o;
        loc[g] = cnt[o]++;
    }
}

/* dim of d against the owners and local indices own, loc of each index. */
static void check_owners(const dist_t *d, int dim, const int64_t *own, const int64_t *loc)
{
    int64_t n = d->shape[dim];
    int64_t total = 0;
    for (int c = 0; c < d->grid[dim]; c++) {
        int64_t e = dist_extent(d, dim, c), want = 0;
        for (int64_t g = 0; g < n; g++)
            want += own[g] == c;
        CHECK(e == want);
        total += e;
        for (int64_t l = 0; l < e; l++) {
            int64_t g = dist_l2g(d, dim, c, l);
            CHECK(g >= 0 && g < n && own[g] == c && loc[g] == l);
        }
        /* intervals: ascending, maximal, exactly the owned set */
        int64_t ni = dist_nintervals(d, dim, c), seen = 0, prev_end = -2;
        for (int64_t i = 0; i < ni; i++) {
            int64_t s, k;
            dist_interval(d, dim, c, i, &s, &k);
            CHECK(k > 0 && s > prev_end);
            for (int64_t g = s; g < s + k; g++)
                CHECK(own[g] == c && loc[g] == seen + g - s);
            seen += k;
            prev_end = s + k;
        }
        CHECK(seen == e);
    }
    CHECK(total == n);
    for (int64_t g = 0; g < n; g++) {
        int64_t l = -1;
        int c = dist_g2l(d, dim, g, &l);
        CHECK(c == own[g] && l == loc[g]);
    }
}

static void check_dim(const dist_t *d, int dim)
{
    int64_t own[200], loc[200];
    naive_dim(d, dim, own, loc);
    check_owners(d, dim, own, loc);
}

static void check_all(const dist_t *d)
{
    for (int i = 0; i < d->ndim; i++)
        check_dim(d, i);
    int prod = 1;
    for (int i = 0; i < d->ndim; i++)
        prod *= d->grid[i];
    CHECK(prod == d->nranks);
    int64_t sum = 0;
    for (int r = 0; r < d->nranks; r++) {
        int coord[DIST_MAXDIM];
        dist_coords(d, r, coord);
        CHECK(dist_rank(d, coord) == r);
        sum += dist_lsize(d, r);
    }
    int64_t size = 1;
    for (int i = 0; i < d->ndim; i++)
        size *= d->shape[i];
    CHECK(sum == size);
    if (d->ndim == 2 && size > 0) {
        /* the owner of (i, j) is the rank at the coordinates of both owners */
        for (int64_t i = 0; i < d->shape[0]; i += 3)
            for (int64_t j = 0; j < d->shape[1]; j += 2) {
                int64_t g[2] = {i, j}, l;
                int coord[2] = {dist_g2l(d, 0, i, &l), dist_g2l(d, 1, j, &l)};
                CHECK(dist_owner(d, g) == dist_rank(d, coord));
            }
    }
}

static void spec_of(dist_spec_t *s, const char *kinds, int64_t bs, int g0, int g1)
{
    dist_spec_default(s);
    for (int i = 0; kinds[i]; i++)
        s->kind[i] = kinds[i];
    s->block_size = bs;
    s->grid[0] = g0;
    s->grid[1] = g1;
}

static void test_kinds(void)
{
    static const int64_t lens[] = {0, 1, 2, 3, 7, 10, 17, 64, 101};
    static const int64_t bss[] = {1, 2, 3, 5, 200};
    err_t err;
    for (int p = 1; p <= 8; p++)
        for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
            int64_t n = lens[li];
            dist_t d;
            err_clear(&err);
            CHECK(dist_init(&d, 1, &n, NULL, p, &err) == 0);
            CHECK(d.kind[0] == 'b' && d.grid[0] == p && dist_is_default(&d));
            check_all(&d);
            for (size_t bi = 0; bi < sizeof bss / sizeof *bss; bi++) {
                dist_spec_t s;
                spec_of(&s, "c", bss[bi], 0, 0);
                dist_t c;
                CHECK(dist_init(&c, 1, &n, &s, p, &err) == 0);
                check_all(&c);
                /* cyclic with one block per engine and a block split agree only where the
                 * owned intervals do */
                int same = 1;
                for (int k = 0; k < p; k++) {
                    int64_t lo, hi, s0 = 0, k0 = 0;
                    dist_block_range(&d, 0, k, &lo, &hi);
                    int64_t ni = dist_nintervals(&c, 0, k);
                    if (ni) dist_interval(&c, 0, k, 0, &s0, &k0);
                    if (ni > 1 || (ni ? k0 : 0) != hi - lo || (hi > lo && s0 != lo)) same = 0;
                }
                CHECK(dist_equal(&c, &d) == same);
            }
            /* explicit uneven bounds, including empty blocks */
            int64_t bnd[9];
            bnd[0] = 0;
            for (int c = 0; c < p; c++)
                bnd[c + 1] = c == p - 1 ? n : (bnd[c] + (c % 3 == 1 ? 0 : n / (p + 1)));
            dist_t u, v;
            CHECK(dist_init(&u, 1, &n, NULL, p, &err) == 0);
            CHECK(dist_set_bounds(&u, 0, bnd, &err) == 0);
            check_all(&u);
            CHECK(dist_copy(&v, &u, &err) == 0);
            CHECK(v.bnd[0] != u.bnd[0] && dist_equal(&u, &v));
            check_all(&v);
            int even = 1;
            for (int c = 0; c < p; c++) {
                int64_t lo, hi;
                dist_block_range(&d, 0, c, &lo, &hi);
                even &= lo == bnd[c] && hi == bnd[c + 1];
            }
            CHECK(dist_equal(&u, &d) == even);
            dist_clear(&u);
            dist_clear(&v);
        }
}

static void test_grids(void)
{
    err_t err;
    dist_spec_t s;
    dist_t d;
    char txt[64];
    int64_t sh[3] = {13, 9, 4};
    static const char *const kinds[] = {"bb", "bc", "cb", "cc", "nb", "bn", "cn", "nc"};
    for (int p = 1; p <= 8; p++)
        for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
            for (int64_t bs = 1; bs <= 3; bs += 2) {
                err_clear(&err);
                spec_of(&s, kinds[k], bs, 0, 0);
                CHECK(dist_init(&d, 2, sh, &s, p, &err) == 0);
                check_all(&d);
            }
    /* MPI_Dims_create's balanced choice, and an explicit grid_shape */
    spec_of(&s, "bb", 1, 0, 0);
    CHECK(dist_init(&d, 2, sh, &s, 4, &err) == 0 && d.grid[0] == 2 && d.grid[1] == 2);
    CHECK(dist_init(&d, 2, sh, &s, 6, &err) == 0 && d.grid[0] == 3 && d.grid[1] == 2);
    spec_of(&s, "bb", 1, 1, 4);
    CHECK(dist_init(&d, 2, sh, &s, 4, &err) == 0 && d.grid[0] == 1 && d.grid[1] == 4);
    spec_of(&s, "bb", 1, 0, 3);
    CHECK(dist_init(&d, 2, sh, &s, 6, &err) == 0 && d.grid[0] == 2 && d.grid[1] == 3);
    check_all(&d);
    spec_of(&s, "nbc", 2, 0, 0);
    CHECK(dist_init(&d, 3, sh, &s, 8, &err) == 0 && d.grid[0] == 1 && d.grid[1] * d.grid[2] == 8);
    check_all(&d);
    dist_text(&d, txt, sizeof txt);
    CHECK_STR(txt, "('n', 'b', 'c')");
    CHECK(dist_init(&d, 1, sh, NULL, 3, &err) == 0);
    dist_text(&d, txt, sizeof txt);
    CHECK_STR(txt, "('b',)");
    /* refusals */
    err_clear(&err);
    spec_of(&s, "bb", 1, 3, 0);
    CHECK(dist_init(&d, 2, sh, &s, 4, &err) == PARC_EVALUE);
    CHECK(strstr(err.msg, "grid_shape does not fit 4 engines") != NULL);
    err_clear(&err);
    spec_of(&s, "bb", 1, 2, 3);
    CHECK(dist_init(&d, 2, sh, &s, 4, &err) == PARC_EVALUE);
    err_clear(&err);
    spec_of(&s, "nb", 1, 2, 2);
    CHECK(dist_init(&d, 2, sh, &s, 4, &err) == PARC_EVALUE);
    err_clear(&err);
    spec_of(&s, "nn", 1, 0, 0);
    CHECK(dist_init(&d, 2, sh, &s, 2, &err) == PARC_EVALUE);
    CHECK(dist_init(&d, 2, sh, &s, 1, &err) == 0);
    err_clear(&err);
    spec_of(&s, "c", 0, 0, 0);
    CHECK(dist_init(&d, 1, sh, &s, 2, &err) == PARC_EVALUE);
}

static void test_darray(void)
{
    err_t err;
    dist_spec_t s;
    dist_t d;
    int gs[2], ds[2], da[2], ps[2];
    int64_t n = 10, sh[2] = {12, 7};
    CHECK(dist_init(&d, 1, &n, NULL, 3, &err) == 0);
    CHECK(dist_darray(&d, gs, ds, da, ps) == 0); /* 4 3 3 is not MPI's 4 4 2 */
    CHECK(dist_init(&d, 1, &n, NULL, 5, &err) == 0);
    CHECK(dist_darray(&d, gs, ds, da, ps) == 1 && ds[0] == MPI_DISTRIBUTE_BLOCK && ps[0] == 5);
    spec_of(&s, "cn", 3, 0, 0);
    CHECK(dist_init(&d, 2, sh, &s, 4, &err) == 0);
    CHECK(dist_darray(&d, gs, ds, da, ps) == 1);
    CHECK(ds[0] == MPI_DISTRIBUTE_CYCLIC && da[0] == 3 && ps[0] == 4 && gs[0] == 12);
    CHECK(ds[1] == MPI_DISTRIBUTE_NONE && ps[1] == 1 && gs[1] == 7);
}

/* The real ranks: each checks that its own extents match what the others compute. */
static void test_ranks(void)
{
    int rank, p;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &p);
    err_t err;
    dist_spec_t s;
    dist_t d;
    int64_t sh[2] = {11, 6};
    spec_of(&s, "bc", 2, 0, 0);
    CHECK(dist_init(&d, 2, sh, &s, p, &err) == 0);
    int64_t mine[2], all[2 * 16];
    dist_lshape(&d, rank, mine);
    CHECK(p <= 16);
    MPI_Allgather(mine, 2, MPI_INT64_T, all, 2, MPI_INT64_T, MPI_COMM_WORLD);
    for (int r = 0; r < p; r++) {
        int64_t ls[2];
        dist_lshape(&d, r, ls);
        CHECK(ls[0] == all[2 * r] && ls[1] == all[2 * r + 1]);
    }
}

/* dist_slice of dimension 0 of src (checked already) against src's own answers: element j
 * of the slice is src's start + j * step, its owner src's, its local index its place among
 * that owner's elements; and l0, ls locate it among src's local elements. Then slices of
 * the slice. */
static void check_slice(const dist_t *src, int depth)
{
    static const int64_t steps[] = {1, 2, 3, 4, 6, -1, -2, -3, -5, 8};
    int64_t n = src->shape[0];
    err_t err;
    for (size_t si = 0; si < sizeof steps / sizeof *steps; si++)
        for (int64_t start = 0; start < n; start += 1 + n / 4) {
            int64_t step = steps[si], count = 0;
            for (int64_t g = start; g >= 0 && g < n; g += step)
                count++;
            int64_t own[200], loc[200], cnt[64] = {0}, l0[64], ls[64], sl[200];
            dist_t v;
            for (int64_t j = 0; j < count; j++) {
                own[j] = dist_g2l(src, 0, start + j * step, &sl[j]);
                loc[j] = cnt[own[j]]++;
            }
            int rc = 0;
            for (int c = 0; c < src->grid[0] && !rc; c++) {
                err_clear(&err);
                rc = dist_slice(src, 0, c, start, step, count, &v, &l0[c], &ls[c], &err);
                if (!rc && c + 1 < src->grid[0]) dist_clear(&v);
            }
            if (rc == 1) {
                /* only a block-cyclic step that neither divides nor is divided by k */
                CHECK(src->kind[0] == 'c' || src->kind[0] == 'v');
                continue;
            }
            CHECK(rc == 0);
            if (rc) continue;
            CHECK(v.shape[0] == count && v.grid[0] == src->grid[0]);
            check_owners(&v, 0, own, loc);
            for (int64_t j = 0; j < count; j++)
                CHECK(sl[j] == l0[own[j]] + loc[j] * ls[own[j]]);
            dist_t c2;
            CHECK(dist_copy(&c2, &v, &err) == 0 && dist_equal(&c2, &v));
            dist_clear(&c2);
            if (depth < 1 && count > 2) check_slice(&v, depth + 1);
            dist_clear(&v);
        }
}

/* dist_pin of dimension dim of 2-d src: every rank holds what it held of row/column i. */
static void check_pin(const dist_t *src, int dim)
{
    err_t err;
    for (int64_t i = 0; i < src->shape[dim]; i += 1 + src->shape[dim] / 3) {
        dist_t v;
        int cd;
        int64_t li;
        err_clear(&err);
        CHECK(dist_pin(src, dim, i, &v, &cd, &li, &err) == 0);
        CHECK(v.ndim == 1 && v.grid[0] == src->nranks);
        int e = 1 - dim;
        for (int64_t j = 0; j < src->shape[e]; j++) {
            int64_t g[2], lv, le;
            g[dim] = i;
            g[e] = j;
            int r = dist_owner(src, g), cv = dist_g2l(&v, 0, j, &lv);
            dist_g2l(src, e, j, &le);
            CHECK(cv == r && lv == le);
            CHECK(dist_l2g(&v, 0, cv, lv) == j);
        }
        int64_t sum = 0;
        for (int r = 0; r < src->nranks; r++) {
            int coord[2];
            dist_coords(src, r, coord);
            int64_t ext = dist_extent(&v, 0, r);
            CHECK(coord[dim] == cd ? ext == dist_extent(src, e, coord[e]) : ext == 0);
            sum += ext;
        }
        CHECK(sum == src->shape[e]);
        dist_clear(&v);
    }
}

static void test_views(void)
{
    static const int64_t lens[] = {1, 2, 7, 10, 17, 40};
    static const int64_t bss[] = {1, 2, 3, 4};
    static const char *kinds[] = {"b", "c", "n"};
    err_t err;
    for (int p = 1; p <= 5; p++)
        for (size_t li = 0; li < sizeof lens / sizeof *lens; li++)
            for (size_t ki = 0; ki < 2; ki++)
                for (size_t bi = 0; bi < (kinds[ki][0] == 'c' ? 4 : 1); bi++) {
                    dist_spec_t s;
                    dist_t d;
                    spec_of(&s, kinds[ki], bss[bi], p, 0);
                    err_clear(&err);
                    CHECK(dist_init(&d, 1, &lens[li], &s, p, &err) == 0);
                    check_slice(&d, 0);
                    dist_clear(&d);
                }
    /* integers on 2-d grids: every pair of kinds, 2x2, 2x3, 3x2, 1x4, 4x1 */
    static const int grids[][2] = {{2, 2}, {2, 3}, {3, 2}, {1, 4}, {4, 1}};
    static const char *two[] = {"bb", "bc", "cb", "cc", "bn", "nb", "cn", "nc"};
    for (size_t gi = 0; gi < 5; gi++)
        for (size_t ki = 0; ki < 8; ki++)
            for (int64_t bs = 1; bs <= 2; bs++) {
                int g0 = grids[gi][0], g1 = grids[gi][1];
                if (two[ki][0] == 'n') g0 = 1;
                if (two[ki][1] == 'n') g1 = 1;
                int p = g0 * g1;
                if (p < 2) continue;
                dist_spec_t s;
                dist_t d;
                int64_t shape[2] = {7, 9};
                spec_of(&s, two[ki], bs, g0, g1);
                err_clear(&err);
                CHECK(dist_init(&d, 2, shape, &s, p, &err) == 0);
                check_pin(&d, 0);
                check_pin(&d, 1);
                dist_clear(&d);
            }
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    test_kinds();
    test_grids();
    test_darray();
    test_ranks();
    test_views();
    int rc = check_mpi_done();
    MPI_Finalize();
    return rc;
}
