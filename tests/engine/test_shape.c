/* test_shape.c - transpose, reshape, expand_dims, squeeze, concatenate and negative steps
 * (arrshape.c, arridx.c) on every layout of a 5x7 array, on 1-4 ranks: each element of a
 * result is checked against the value its global indices say it must hold, and views are
 * checked to share memory with their source. In debug builds also the check that every
 * rank passed the same agreement sites (coll_sequence), with one rank sent another way. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "arr.h"
#include "arrint.h"
#include "mpicheck.h"
#include "coll.h"

static rt_t rt;
static atomic_int intr;

typedef int64_t (*want_fn)(const int64_t *g);

/* 1 when every element of a's chunk holds want(its global indices). */
static int holds(const arr_t *a, want_fn want)
{
    int coord[ARR_MAXDIM], ok = 1;
    dist_coords(&a->dist, rt.rank, coord);
    int64_t m = arri_lsize(a);
    for (int64_t k = 0; k < m; k++) {
        int64_t q = k, g[ARR_MAXDIM];
        for (int d = a->ndim - 1; d >= 0; d--) {
            g[d] = dist_l2g(&a->dist, d, coord[d], q % a->lshape[d]);
            q /= a->lshape[d];
        }
        ok &= arri_loadi(a->dtype, arri_addr(a, k)) == want(g);
    }
    int all = 0;
    MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, rt.comm);
    return all;
}

static int64_t w_flat(const int64_t *g) /* x[i, j] = 7i + j */
{
    return g[0] * 7 + g[1];
}
static int64_t w_t(const int64_t *g) /* x.T */
{
    return g[1] * 7 + g[0];
}
static int64_t w_flat1(const int64_t *g) /* ravel, reshape to 1-d */
{
    return g[0];
}
static int64_t w_75(const int64_t *g) /* reshape(7, 5) */
{
    return g[0] * 5 + g[1];
}
static int64_t w_rev(const int64_t *g) /* x[::-1] */
{
    return (4 - g[0]) * 7 + g[1];
}
static int64_t w_rev2(const int64_t *g) /* x[3:0:-2] */
{
    return (3 - 2 * g[0]) * 7 + g[1];
}
static int64_t w_exp(const int64_t *g) /* expand_dims(x, 1) */
{
    return g[0] * 7 + g[2];
}
static int64_t w_cat0(const int64_t *g) /* concatenate((x, x)) */
{
    return (g[0] % 5) * 7 + g[1];
}
static int64_t w_cat1(const int64_t *g) /* concatenate((x, x), axis=1) */
{
    return g[0] * 7 + g[1] % 7;
}

static int64_t w_sl(const int64_t *g) /* x[1:4, ::2] */
{
    return (1 + g[0]) * 7 + 2 * g[1];
}

static arr_t *make(const char *kinds, int64_t bs)
{
    err_t err;
    err_clear(&err);
    int64_t sh[2] = {5, 7};
    dist_spec_t s;
    dist_spec_default(&s);
    s.kind[0] = kinds[0];
    s.kind[1] = kinds[1];
    s.block_size = bs;
    arr_t *a = NULL;
    CHECK(arr_full(&rt, 2, sh, DT_INT64, NULL, &s, &a, &err) == 0);
    int coord[ARR_MAXDIM];
    dist_coords(&a->dist, rt.rank, coord);
    for (int64_t k = 0; k < arri_lsize(a); k++) {
        int64_t i = dist_l2g(&a->dist, 0, coord[0], k / a->lshape[1]);
        int64_t j = dist_l2g(&a->dist, 1, coord[1], k % a->lshape[1]);
        int64_t v = i * 7 + j;
        memcpy(arri_addr(a, k), &v, 8);
    }
    return a;
}

static void one_layout(const char *kinds, int64_t bs)
{
    err_t err;
    err_clear(&err);
    arr_t *x = make(kinds, bs), *r = NULL, *r2 = NULL;
    CHECK(holds(x, w_flat));
    /* transpose: a view when no engine changes place */
    CHECK(arr_transpose(&rt, x, NULL, &r, &err) == 0);
    CHECK(r && r->shape[0] == 7 && r->shape[1] == 5 && holds(r, w_t));
    int grids = (x->dist.grid[0] > 1) + (x->dist.grid[1] > 1);
    if (grids < 2) CHECK(r && r->buf == x->buf);
    CHECK(r && arr_transpose(&rt, r, NULL, &r2, &err) == 0 && holds(r2, w_flat));
    arr_unref(&r);
    arr_unref(&r2);
    /* reshape */
    int64_t s75[2] = {7, -1}, s1 = -1, sbad[2] = {6, 6};
    CHECK(arr_reshape(&rt, x, 2, s75, &r, &err) == 0);
    CHECK(r && r->shape[1] == 5 && holds(r, w_75));
    arr_unref(&r);
    CHECK(arr_reshape(&rt, x, 1, &s1, &r, &err) == 0);
    CHECK(r && r->shape[0] == 35 && holds(r, w_flat1));
    arr_unref(&r);
    CHECK(arr_reshape(&rt, x, 2, sbad, &r, &err) == PARC_EVALUE);
    CHECK_STR(err.msg, "cannot reshape array of size 35 into shape (6, 6)");
    err_clear(&err);
    /* expand_dims then squeeze: views */
    CHECK(arr_expand_dims(&rt, x, 1, &r, &err) == 0);
    CHECK(r && r->ndim == 3 && r->shape[1] == 1 && r->buf == x->buf && holds(r, w_exp));
    CHECK(r && arr_squeeze(&rt, r, ARR_NOAXIS, &r2, &err) == 0);
    CHECK(r2 && r2->ndim == 2 && r2->buf == x->buf && holds(r2, w_flat));
    arr_unref(&r);
    arr_unref(&r2);
    /* concatenate */
    arr_t *two[2] = {x, x};
    CHECK(arr_concatenate(&rt, two, 2, 0, &r, &err) == 0);
    CHECK(r && r->shape[0] == 10 && holds(r, w_cat0));
    arr_unref(&r);
    CHECK(arr_concatenate(&rt, two, 2, 1, &r, &err) == 0);
    CHECK(r && r->shape[1] == 14 && holds(r, w_cat1));
    arr_unref(&r);
    /* negative steps on axis 0 */
    idx_t ix = {0};
    ix.kind = IDX_SLICE;
    ix.step = -1;
    ix.has_step = 1;
    val_t v;
    CHECK(arr_getitem(&rt, x, &ix, 1, &v, &err) == 0);
    CHECK(v.kind == V_ARRAY && holds(v.u.a, w_rev));
    arr_unref(&v.u.a);
    ix = (idx_t){IDX_SLICE, 1, 1, 1, 0, 3, 0, -2, NULL};
    CHECK(arr_getitem(&rt, x, &ix, 1, &v, &err) == 0);
    CHECK(v.kind == V_ARRAY && v.u.a->shape[0] == 2 && holds(v.u.a, w_rev2));
    arr_unref(&v.u.a);
    /* basic slices: views in every layout without a cyclic axis over several engines */
    idx_t sl[2] = {{IDX_SLICE, 1, 1, 0, 0, 1, 4, 1, NULL}, {IDX_SLICE, 0, 0, 1, 0, 0, 0, 2, NULL}};
    CHECK(arr_getitem(&rt, x, sl, 2, &v, &err) == 0);
    int cyc = (x->dist.kind[0] == 'c' && x->dist.grid[0] > 1) ||
              (x->dist.kind[1] == 'c' && x->dist.grid[1] > 1);
    CHECK(v.kind == V_ARRAY && v.u.a->shape[0] == 3 && v.u.a->shape[1] == 4 && holds(v.u.a, w_sl));
    if (!cyc) CHECK(v.kind == V_ARRAY && v.u.a->buf == x->buf);
    val_drop(&v);
    /* one element, read and written on its owner in any layout */
    idx_t e2[2] = {{0}, {0}};
    e2[0].kind = e2[1].kind = IDX_INT;
    e2[0].i = 3;
    e2[1].i = -2;
    CHECK(arr_getitem(&rt, x, e2, 2, &v, &err) == 0);
    CHECK(v.kind == V_INT && v.u.i == 3 * 7 + 5);
    val_t nine = {0};
    nine.kind = V_INT;
    nine.u.i = 99;
    CHECK(arr_setitem(&rt, x, e2, 2, &nine, &err) == 0);
    CHECK(arr_getitem(&rt, x, e2, 2, &v, &err) == 0 && v.u.i == 99);
    nine.u.i = 3 * 7 + 5;
    CHECK(arr_setitem(&rt, x, e2, 2, &nine, &err) == 0);
    e2[0].i = 5;
    CHECK(arr_getitem(&rt, x, e2, 2, &v, &err) == PARC_EINDEX);
    err_clear(&err);
    /* x[::-1] = x[::-1] leaves x as it was */
    ix = (idx_t){IDX_SLICE, 0, 0, 1, 0, 0, 0, -1, NULL};
    CHECK(arr_getitem(&rt, x, &ix, 1, &v, &err) == 0);
    CHECK(arr_setitem(&rt, x, &ix, 1, &v, &err) == 0);
    CHECK(holds(x, w_flat));
    val_drop(&v);
    arr_unref(&x);
}

/* Debug builds: rank 0 (or, on 3+ ranks, the last) agrees from another line than the
 * others; every rank gets the same error naming it, then all go on in step again. */
static void test_sequence(void)
{
#ifndef NDEBUG
    err_t err;
    err_clear(&err);
    int odd = rt.nranks >= 3 ? rt.nranks - 1 : 1 % rt.nranks, rc;
    if (rt.rank == odd)
        rc = arri_agree(&rt, 0, &err);
    else
        rc = arri_agree(&rt, 0, &err);
    if (rt.nranks == 1) {
        CHECK(rc == 0);
        return;
    }
    CHECK(rc == PARC_ERUNTIME);
    char want[64];
    snprintf(want, sizeof want, "engine %d took another path than engine 0", odd);
    CHECK(strstr(err.msg, want) != NULL);
    /* reported once: the ranks go on from the same hash */
    err_clear(&err);
    CHECK(arri_agree(&rt, 0, &err) == 0);
#endif
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    if (rt_init(&rt, 1, &intr) != 0) MPI_Abort(MPI_COMM_WORLD, 1);
    static const char *const kinds[] = {"bn", "cn", "bc", "cb", "bb", "cc", "nb", "nc"};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        for (int64_t bs = 1; bs <= 2; bs++)
            one_layout(kinds[i], bs);
    test_sequence();
    int rc = check_mpi_done();
    rt_fini(&rt);
    MPI_Finalize();
    return rc;
}
