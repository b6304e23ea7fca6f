/* test_arr.c - distributed arrays under mpiexec -n 1/2/3: creation and uneven chunk
 * shapes, Philox values independent of the rank count, fused kernels against their naive
 * twins, reductions bitwise equal to the one-rank tree, NumPy's repr text, and errors. */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include <Random123/philox.h>

#include "arena.h"
#include "arr.h"
#include "arrcheck.h"
#include "arrint.h"
#include "builtins.h"
#include "mpicheck.h"
#include "chunk.h"
#include "coll.h"
#include "ir.h"
#include "kern.h"
#include "mem.h"
#include "rng.h"
#include "wire.h"

static rt_t rt;
static atomic_int intr;

static val_t vint(int64_t i)
{
    val_t v = {0};
    v.kind = V_INT;
    v.dtype = DT_INT64;
    v.weak = 1;
    v.u.i = i;
    return v;
}

static val_t varr(arr_t *a)
{
    val_t v = {0};
    v.kind = V_ARRAY;
    v.u.a = a;
    return v;
}

static ir_node_t *node(arena_t *ar, int op, uint32_t nkid)
{
    return ir_new(ar, op, (span_t){0}, nkid);
}

static ir_node_t *bi_call(arena_t *ar, int bi, ir_node_t *x, ir_node_t *y)
{
    ir_node_t *c = node(ar, IR_CALL, y ? 3 : 2);
    c->kid[0] = node(ar, IR_BUILTIN, 0);
    c->kid[0]->imm.i = bi;
    c->kid[1] = x;
    if (y) c->kid[2] = y;
    return c;
}

static const char *repr_of(arr_t *a, wbuf_t *b)
{
    err_t err;
    err_clear(&err);
    b->len = 0;
    CHECK(arr_repr(&rt, a, b, NULL, &err) == 0);
    return wbuf_cstring(b);
}

static void test_create(void)
{
    err_t err;
    err_clear(&err);
    arr_t *a = NULL;
    int64_t shape[2] = {10, 3};
    CHECK(arr_full(&rt, 2, shape, -1, NULL, NULL, &a, &err) == 0);
    int64_t ls[2 * 64];
    CHECK(arr_localshapes(&rt, a, ls, 128) == 2 * rt.nranks);
    int64_t tot = 0;
    for (int r = 0; r < rt.nranks; r++) {
        int64_t want = 10 / rt.nranks + (r < 10 % rt.nranks);
        CHECK(ls[2 * r] == want && ls[2 * r + 1] == 3);
        tot += ls[2 * r];
    }
    CHECK(tot == 10);
    CHECK(arr_dtype(a) == DT_FLOAT64);
    wbuf_t b;
    wbuf_init(&b);
    arr_dist_text(a, &b);
    CHECK_STR(wbuf_cstring(&b), "('b', 'n')");
    arr_unref(&a);
    /* A huge array is an error on every rank, not a crash. */
    int64_t big = 10000000000000LL;
    int rc = arr_full(&rt, 1, &big, -1, NULL, NULL, &a, &err);
    CHECK(rc == PARC_ENOMEM || rc == PARC_EVALUE);
    CHECK(a == NULL);
    /* arange dtype and values */
    err_clear(&err);
    val_t stop = vint(10);
    CHECK(arr_arange(&rt, NULL, &stop, NULL, -1, NULL, &a, &err) == 0);
    CHECK(arr_dtype(a) == DT_INT64);
    if (rt.rank == 0 || 1) {
        const char *s = repr_of(a, &b);
        if (rt.rank == 0)
            CHECK(strncmp(s, "DistArray(shape=(10,), dtype=int64, dist=('b',), engines=",
                          strlen("DistArray(shape=(10,), dtype=int64, dist=('b',), engines=")) ==
                  0);
    }
    arr_unref(&a);
    wbuf_free(&b);
}

/* The Philox formula, one value, as the spec defines it. */
static double philox_u(uint64_t seed, uint64_t call, uint64_t i)
{
    philox4x32_key_t k = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
    philox4x32_ctr_t c = {
        {(uint32_t)i, (uint32_t)(i >> 32), (uint32_t)call, (uint32_t)(call >> 32)}};
    philox4x32_ctr_t r = philox4x32(c, k);
    return (double)((((uint64_t)r.v[1] << 32) | r.v[0]) >> 11) * 0x1p-53;
}

static void test_random(void)
{
    err_t err;
    err_clear(&err);
    rt.seed = 42;
    rt.calls = 0;
    arr_t *x = NULL;
    int64_t n = 1001;
    CHECK(arr_random(&rt, RAND_UNIFORM, 1, &n, -1, 0, 1, NULL, &x, &err) == 0);
    CHECK(rt.calls == 1);
    arr_t *full = NULL;
    CHECK(coll_allgather(&rt, x, &full, &err) == 0);
    arr_t *loc = arr_local(full);
    const double *v = arri_base(loc);
    int bad = 0;
    for (int64_t i = 0; i < n; i++)
        bad += v[i] != philox_u(42, 0, (uint64_t)i);
    CHECK(bad == 0);
    arr_unref(&loc);
    arr_unref(&full);
    arr_unref(&x);
}

/* The batched generator against Random123's scalar Philox and the scalar formulas, for
 * runs that start anywhere (a counter crossing 2^32 too) and end between batches. */
static void test_rng(void)
{
    rng_t s = {{0x12345678u, 0x9abcdef0u}, ((uint64_t)7 << 32) | 3};
    philox4x32_key_t k = {{s.key[0], s.key[1]}};
    static const uint64_t starts[] = {0, 5, 1000, ((uint64_t)1 << 32) - 6};
    enum { N = 37 };
    int bad = 0;
    for (size_t t = 0; t < sizeof starts / sizeof *starts; t++) {
        uint64_t i0 = starts[t];
        double u[N], g[N];
        float f[N];
        int64_t iv[N];
        rng_uniform64(&s, i0, N, -2.0, 3.0, u);
        rng_uniform32(&s, i0, N, -2.0, 3.0, f);
        rng_normal(&s, i0, N, 1.5, 2.0, g);
        rng_int(&s, i0, N, -10, 1000, iv);
        for (int j = 0; j < N; j++) {
            uint64_t i = i0 + (uint64_t)j;
            philox4x32_ctr_t c = {
                {(uint32_t)i, (uint32_t)(i >> 32), (uint32_t)s.call, (uint32_t)(s.call >> 32)}};
            philox4x32_ctr_t r = philox4x32(c, k);
            uint32_t w[4];
            rng_ref(&s, i, w);
            bad += memcmp(w, r.v, sizeof w) != 0;
            double u1 = (double)((((uint64_t)r.v[1] << 32) | r.v[0]) >> 11) * 0x1p-53;
            double u2 = (double)((((uint64_t)r.v[3] << 32) | r.v[2]) >> 11) * 0x1p-53;
            bad += u[j] != -2.0 + (3.0 - -2.0) * u1;
            float fu = (float)(r.v[0] >> 8) * 0x1p-24f;
            bad += f[j] != -2.0f + (3.0f - -2.0f) * fu;
            bad += g[j] != 1.5 + 2.0 * sqrt(-2.0 * log1p(-u1)) * cos(6.283185307179586 * u2);
            uint64_t x = ((uint64_t)r.v[1] << 32) | r.v[0];
            bad += iv[j] != -10 + (int64_t)(((unsigned __int128)x * 1000) >> 64);
        }
    }
    CHECK(bad == 0);
}

/* sum(x) for random x: bitwise the same as the one-rank tree over the gathered values. */
static void test_reduce(void)
{
    err_t err;
    err_clear(&err);
    rt.seed = 7;
    rt.calls = 0;
    int64_t sizes[] = {1, 5, 4096, 4097, 10007, 30000};
    for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
        arr_t *x = NULL, *full = NULL;
        CHECK(arr_random(&rt, RAND_NORMAL, 1, &sizes[t], -1, 0, 1, NULL, &x, &err) == 0);
        CHECK(coll_allgather(&rt, x, &full, &err) == 0);
        val_t lv = varr(x), fv = varr(full);
        val_t s1, s2, m1, m2, v1, v2;
        CHECK(arr_reduce(&rt, BI_SUM, NULL, &lv, 1, ARR_NOAXIS, &s1, &err) == 0);
        CHECK(arr_reduce(&rt, BI_MEAN, NULL, &lv, 1, ARR_NOAXIS, &m1, &err) == 0);
        CHECK(arr_reduce(&rt, BI_VAR, NULL, &lv, 1, ARR_NOAXIS, &v1, &err) == 0);
        rt.local = 1;
        CHECK(arr_reduce(&rt, BI_SUM, NULL, &fv, 1, ARR_NOAXIS, &s2, &err) == 0);
        CHECK(arr_reduce(&rt, BI_MEAN, NULL, &fv, 1, ARR_NOAXIS, &m2, &err) == 0);
        CHECK(arr_reduce(&rt, BI_VAR, NULL, &fv, 1, ARR_NOAXIS, &v2, &err) == 0);
        rt.local = 0;
        CHECK(memcmp(&s1.u.f, &s2.u.f, 8) == 0);
        CHECK(memcmp(&m1.u.f, &m2.u.f, 8) == 0);
        CHECK(memcmp(&v1.u.f, &v2.u.f, 8) == 0);
        /* and close to the naive sum */
        if (sizes[t] == 10007) CHECK(s1.u.f == -0x1.af56ed2db83dcp+5); /* from -n 1 */
        {
            /* var (one shifted pass past one block, two passes below) against two passes
             * in long double */
            const double *fx = arri_base(full);
            long double mu = 0, q = 0;
            for (int64_t i = 0; i < sizes[t]; i++)
                mu += fx[i];
            mu /= sizes[t];
            for (int64_t i = 0; i < sizes[t]; i++)
                q += (fx[i] - mu) * (fx[i] - mu);
            double want = (double)(q / sizes[t]);
            CHECK(fabs(v1.u.f - want) <= 4e-16 * want);
        }
        arr_unref(&x);
        arr_unref(&full);
    }
    /* Known values: the sum of arange(10007.) is exact. */
    arr_t *a = NULL;
    val_t stop = {0};
    stop.kind = V_FLOAT;
    stop.dtype = DT_FLOAT64;
    stop.weak = 1;
    stop.u.f = 10007.0;
    CHECK(arr_arange(&rt, NULL, &stop, NULL, -1, NULL, &a, &err) == 0);
    val_t av = varr(a), s;
    CHECK(arr_reduce(&rt, BI_SUM, NULL, &av, 1, ARR_NOAXIS, &s, &err) == 0);
    CHECK(s.kind == V_FLOAT && s.u.f == 10006.0 * 10007.0 / 2);
    CHECK(arr_reduce(&rt, BI_MAX, NULL, &av, 1, ARR_NOAXIS, &s, &err) == 0);
    CHECK(s.u.f == 10006.0);
    CHECK(arr_reduce(&rt, BI_COUNT_NONZERO, NULL, &av, 1, ARR_NOAXIS, &s, &err) == 0);
    CHECK(s.kind == V_INT && s.u.i == 10006);
    /* sorted: the first elements' mean is far from the mean, so var takes two passes */
    CHECK(arr_reduce(&rt, BI_VAR, NULL, &av, 1, ARR_NOAXIS, &s, &err) == 0);
    CHECK(s.u.f == (10007.0 * 10007.0 - 1) / 12);
    arr_unref(&a);
    /* kern_fold_shifted is kern_fold of the (x - c, (x - c)^2) pairs, bit for bit */
    {
        enum { NB = 4096 };
        static double xs[NB], pr[2 * NB];
        for (int i = 0; i < NB; i++)
            xs[i] = sin(i * 0.37) * 1e3 + i * 1e-3;
        int64_t ns[] = {1, 7, 8, 9, 15, 16, 17, 24, 1000, NB - 1, NB};
        for (size_t t = 0; t < sizeof ns / sizeof *ns; t++) {
            double c = 0.3, got[2], want[2];
            for (int64_t i = 0; i < ns[t]; i++) {
                pr[2 * i] = xs[i] - c;
                pr[2 * i + 1] = pr[2 * i] * pr[2 * i];
            }
            kern_fold(0, ACC_C128, 1, NB, pr, ns[t], want);
            kern_fold_shifted(xs, ns[t], c, got);
            CHECK(memcmp(got, want, sizeof got) == 0);
        }
    }
    /* Axis reductions of ones((7, 3)): sum over axis 0 is 7s, over axis 1 3s. */
    int64_t shp[2] = {7, 3};
    val_t onef = stop;
    onef.u.f = 1.0;
    CHECK(arr_full(&rt, 2, shp, -1, &onef, NULL, &a, &err) == 0);
    av = varr(a);
    wbuf_t b;
    wbuf_init(&b);
    val_t r;
    CHECK(arr_reduce(&rt, BI_SUM, NULL, &av, 1, 0, &r, &err) == 0);
    CHECK(r.kind == V_ARRAY);
    {
        const char *t = repr_of(r.u.a, &b);
        if (rt.rank == 0) CHECK_STR(strstr(t, "array("), "array([7., 7., 7.])");
    }
    arr_unref(&r.u.a);
    CHECK(arr_reduce(&rt, BI_SUM, NULL, &av, 1, 1, &r, &err) == 0);
    {
        const char *t = repr_of(r.u.a, &b);
        if (rt.rank == 0) CHECK_STR(strstr(t, "array("), "array([3., 3., 3., 3., 3., 3., 3.])");
    }
    arr_unref(&r.u.a);
    arr_unref(&a);
    wbuf_free(&b);
}

/* Tree reductions along an axis on the distributed array: bitwise the same as in local
 * view on this rank's gathered copy (the whole axis on one rank), for row blocks that
 * straddle ranks (w = 3: 1024-row blocks), one-row blocks (w = 3000) and a middle axis,
 * float64 and float32. */
static void test_axis_tree(void)
{
    static const struct {
        int ndim;
        int64_t shape[3];
        int axis;
    } cases[] = {{2, {2500, 3, 0}, 0}, {2, {9, 3000, 0}, 0}, {3, {37, 5, 4}, 0},
                 {3, {37, 5, 4}, 1},   {3, {37, 5, 4}, 2},   {2, {2500, 3, 0}, 1}};
    static const int bis[] = {BI_SUM, BI_MEAN, BI_VAR, BI_STD, BI_PROD};
    err_t err;
    err_clear(&err);
    rt.seed = 11;
    rt.calls = 0;
    int bad = 0;
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        for (int f32 = 0; f32 < 2; f32++) {
            arr_t *x = NULL, *full = NULL;
            CHECK(arr_random(&rt, RAND_UNIFORM, cases[c].ndim, cases[c].shape,
                             f32 ? DT_FLOAT32 : DT_FLOAT64, 0.5, 1.5, NULL, &x, &err) == 0);
            CHECK(coll_allgather(&rt, x, &full, &err) == 0);
            arr_t *loc = full ? arr_local(full) : NULL;
            for (size_t k = 0; k < sizeof bis / sizeof *bis && x && loc; k++) {
                val_t xv = varr(x), lv = varr(loc), d, l;
                CHECK(arr_reduce(&rt, bis[k], NULL, &xv, 1, cases[c].axis, &d, &err) == 0);
                arr_t *dg = NULL;
                CHECK(coll_allgather(&rt, d.u.a, &dg, &err) == 0);
                rt.local = 1;
                CHECK(arr_reduce(&rt, bis[k], NULL, &lv, 1, cases[c].axis, &l, &err) == 0);
                rt.local = 0;
                arr_t *dl = dg ? arr_local(dg) : NULL;
                if (dl && arri_lsize(dl) == arri_lsize(l.u.a))
                    bad += memcmp(arri_base(dl), arri_base(l.u.a), arr_local_bytes(dl)) != 0;
                else
                    bad++;
                arr_unref(&dl);
                arr_unref(&dg);
                arr_unref(&d.u.a);
                arr_unref(&l.u.a);
            }
            arr_unref(&loc);
            arr_unref(&full);
            arr_unref(&x);
        }
    }
    CHECK(bad == 0);
}

static void test_fuse(void)
{
    err_t err;
    err_clear(&err);
    arena_t *ar = arena_new();
    rt.seed = 3;
    rt.calls = 0;
    int64_t n = 5000;
    arr_t *x = NULL, *y = NULL;
    CHECK(arr_random(&rt, RAND_UNIFORM, 1, &n, -1, -1, 1, NULL, &x, &err) == 0);
    CHECK(arr_random(&rt, RAND_UNIFORM, 1, &n, -1, -1, 1, NULL, &y, &err) == 0);
    /* count_nonzero(hypot(x, y) <= 1) and the same with a naive loop */
    ir_node_t *t = node(ar, IR_LE, 2);
    t->kid[0] = bi_call(ar, BI_HYPOT, node(ar, IR_NAME, 0), node(ar, IR_NAME, 0));
    t->kid[1] = node(ar, IR_INT, 0);
    val_t leaves[3] = {varr(x), varr(y), vint(1)};
    val_t cnt;
    CHECK(arr_reduce(&rt, BI_COUNT_NONZERO, t, leaves, 3, ARR_NOAXIS, &cnt, &err) == 0);
    arr_t *fx = NULL, *fy = NULL;
    CHECK(coll_allgather(&rt, x, &fx, &err) == 0);
    CHECK(coll_allgather(&rt, y, &fy, &err) == 0);
    /* Expected via a one-rank fused run on the gathered copies (local view). */
    val_t lf[3] = {varr(fx), varr(fy), vint(1)};
    rt.local = 1;
    val_t cnt2;
    CHECK(arr_reduce(&rt, BI_COUNT_NONZERO, t, lf, 3, ARR_NOAXIS, &cnt2, &err) == 0);
    /* naive twin: element by element through kern_*_ref */
    val_t h;
    ir_node_t *hy = bi_call(ar, BI_HYPOT, node(ar, IR_NAME, 0), node(ar, IR_NAME, 0));
    CHECK(arr_fuse(&rt, hy, lf, 2, &h, &err) == 0);
    rt.local = 0;
    CHECK(cnt.u.i == cnt2.u.i);
    CHECK(cnt.u.i > 3500 && cnt.u.i < 4300);
    /* fused x*2 + y vs ref */
    ir_node_t *e = node(ar, IR_ADD, 2);
    e->kid[0] = node(ar, IR_MUL, 2);
    e->kid[0]->kid[0] = node(ar, IR_NAME, 0);
    e->kid[0]->kid[1] = node(ar, IR_INT, 0);
    e->kid[1] = node(ar, IR_NAME, 0);
    val_t l2[3] = {varr(x), vint(2), varr(y)};
    val_t r;
    CHECK(arr_fuse(&rt, e, l2, 3, &r, &err) == 0);
    CHECK(r.kind == V_ARRAY && arr_dtype(r.u.a) == DT_FLOAT64);
    val_t sr, sx, sy;
    CHECK(arr_reduce(&rt, BI_SUM, NULL, &r, 1, ARR_NOAXIS, &sr, &err) == 0);
    CHECK(arr_reduce(&rt, BI_SUM, NULL, &l2[0], 1, ARR_NOAXIS, &sx, &err) == 0);
    CHECK(arr_reduce(&rt, BI_SUM, NULL, &l2[2], 1, ARR_NOAXIS, &sy, &err) == 0);
    CHECK(fabs(sr.u.f - (2 * sx.u.f + sy.u.f)) < 1e-9 * n);
    arr_unref(&r.u.a);
    arr_unref(&h.u.a);
    /* kern vs ref on a block, every float op */
    double a[64], b2[64], d[64];
    for (int i = 0; i < 64; i++) {
        a[i] = (i - 30) * 0.37;
        b2[i] = (i % 7 - 3) * 1.3 + 0.1;
    }
    int ops[] = {IR_ADD,
                 IR_SUB,
                 IR_MUL,
                 IR_DIV,
                 IR_FLOORDIV,
                 IR_MOD,
                 KOP_BI + BI_HYPOT,
                 KOP_BI + BI_ARCTAN2,
                 KOP_BI + BI_MAXIMUM,
                 KOP_BI + BI_FMOD,
                 KOP_CLIPLO,
                 KOP_CLIPHI};
    for (size_t k = 0; k < sizeof ops / sizeof *ops; k++) {
        CHECK(kern_bin(ops[k], DT_FLOAT64, d, a, b2, 64) == 0);
        int bad = 0;
        for (int i = 0; i < 64; i++) {
            double w = kern_bin_ref(ops[k], a[i], b2[i]);
            bad += !(fabs(d[i] - w) <= 1e-15 * fabs(w));
        }
        CHECK(bad == 0);
    }
    int uops[] = {KOP_BI + BI_SQRT,  KOP_BI + BI_EXP,      KOP_BI + BI_SIN,
                  KOP_BI + BI_FLOOR, KOP_BI + BI_ABSOLUTE, IR_NEG,
                  KOP_BI + BI_SIGN,  KOP_BI + BI_ARCSINH,  KOP_BI + BI_ARCTANH};
    for (size_t k = 0; k < sizeof uops / sizeof *uops; k++) {
        CHECK(kern_un(uops[k], DT_FLOAT64, d, a, 64) == 0);
        /* the transcendentals may come from libmvec: within its 4 ulp of libm's */
        int tr = uops[k] == KOP_BI + BI_EXP || uops[k] == KOP_BI + BI_SIN ||
                 uops[k] == KOP_BI + BI_ARCSINH || uops[k] == KOP_BI + BI_ARCTANH;
        int bad = 0;
        for (int i = 0; i < 64; i++) {
            double w = kern_un_ref(uops[k], a[i]);
            int64_t bd, bw;
            memcpy(&bd, &d[i], 8);
            memcpy(&bw, &w, 8);
            int near = tr && (bd ^ bw) >= 0 && (bd > bw ? bd - bw : bw - bd) <= 4;
            bad += !(d[i] == w || near || (isnan(d[i]) && isnan(w)));
        }
        CHECK(bad == 0);
    }
    /* where's select, for each element size */
    {
        uint8_t m[3] = {1, 0, 1};
        int32_t x4[3] = {1, 2, 3}, y4[3] = {-1, -2, -3}, d4[3];
        double xc[6] = {1, 2, 3, 4, 5, 6}, yc[6] = {-1, -2, -3, -4, -5, -6}, dc[6];
        kern_sel(DT_INT32, d4, m, x4, y4, 3);
        CHECK(d4[0] == 1 && d4[1] == -2 && d4[2] == 3);
        kern_sel(DT_COMPLEX128, dc, m, xc, yc, 3);
        CHECK(dc[0] == 1 && dc[1] == 2 && dc[2] == -3 && dc[3] == -4 && dc[4] == 5);
    }
    /* integer floor division and modulo take the divisor's sign */
    int64_t ia[4] = {7, -7, 7, -7}, ib[4] = {2, 2, -2, -2}, id[4];
    CHECK(kern_bin(IR_FLOORDIV, DT_INT64, id, ia, ib, 4) == 0);
    CHECK(id[0] == 3 && id[1] == -4 && id[2] == -4 && id[3] == 3);
    CHECK(kern_bin(IR_MOD, DT_INT64, id, ia, ib, 4) == 0);
    CHECK(id[0] == 1 && id[1] == 1 && id[2] == -1 && id[3] == -1);
    /* a zero divisor gives 0 and says so; INT64_MIN // -1 wraps and says so */
    int64_t za[3] = {7, INT64_MIN, -7}, zb[3] = {0, -1, 2}, zd[3];
    CHECK(kern_bin(IR_FLOORDIV, DT_INT64, zd, za, zb, 3) == (KERN_WZERODIV | KERN_WOVERFLOW));
    CHECK(zd[0] == 0 && zd[1] == INT64_MIN && zd[2] == -4);
    CHECK(kern_bin(IR_MOD, DT_INT64, zd, za, zb, 3) == KERN_WZERODIV);
    CHECK(zd[0] == 0 && zd[1] == 0 && zd[2] == 1);
    CHECK(kern_bin(IR_FLOORDIV, DT_INT64, zd, za + 2, zb + 2, 1) == 0);
    int32_t wa[2] = {INT32_MIN, 5}, wb[2] = {-1, 0}, wd[2];
    CHECK(kern_bin(IR_FLOORDIV, DT_INT32, wd, wa, wb, 1) == KERN_WOVERFLOW);
    CHECK(kern_bin(KOP_BI + BI_FMOD, DT_INT32, wd, wa, wb, 2) == KERN_WZERODIV);
    CHECK(wd[0] == 0 && wd[1] == 0);
    /* errors: broadcast mismatch, negative integer power */
    int64_t n12 = 12, n10 = 10;
    arr_t *p = NULL, *q = NULL;
    CHECK(arr_full(&rt, 1, &n10, -1, NULL, NULL, &p, &err) == 0);
    CHECK(arr_full(&rt, 1, &n12, -1, NULL, NULL, &q, &err) == 0);
    ir_node_t *add = node(ar, IR_ADD, 2);
    add->kid[0] = node(ar, IR_NAME, 0);
    add->kid[1] = node(ar, IR_NAME, 0);
    val_t l3[2] = {varr(p), varr(q)};
    err_clear(&err);
    CHECK(arr_fuse(&rt, add, l3, 2, &r, &err) == PARC_EVALUE);
    CHECK_STR(err.msg, "operands could not be broadcast together with shapes (10,) (12,)");
    /* (3, 4) + (4,) broadcasting */
    int64_t s34[2] = {3, 4};
    arr_t *m34 = NULL, *v4 = NULL;
    err_clear(&err);
    val_t two = vint(2);
    CHECK(arr_full(&rt, 2, s34, -1, &two, NULL, &m34, &err) == 0);
    val_t st4 = vint(4);
    CHECK(arr_arange(&rt, NULL, &st4, NULL, -1, NULL, &v4, &err) == 0);
    val_t l4[2] = {varr(m34), varr(v4)};
    CHECK(arr_fuse(&rt, add, l4, 2, &r, &err) == 0);
    wbuf_t b;
    wbuf_init(&b);
    {
        const char *s = repr_of(r.u.a, &b);
        if (rt.rank == 0)
            CHECK_STR(strstr(s, "array("), "array([[2, 3, 4, 5],\n       [2, 3, 4, 5],\n       [2, "
                                           "3, 4, 5]])");
    }
    arr_unref(&r.u.a);
    /* scalars: Python rules for two Python numbers, NumPy's (0 and a warning) with a
     * NumPy scalar */
    val_t s7 = vint(7), s0 = vint(0), out;
    err_clear(&err);
    CHECK(arr_scalar_binop(&rt, IR_FLOORDIV, &s7, &s0, &out, &err) == PARC_EZERODIV);
    err_clear(&err);
    CHECK(arr_scalar_binop(&rt, IR_DIV, &s7, &two, &out, &err) == 0);
    CHECK(out.kind == V_FLOAT && out.u.f == 3.5);
    val_t n7 = s7;
    n7.weak = 0;
    rt.nwarn = 0;
    CHECK(arr_scalar_binop(&rt, IR_FLOORDIV, &n7, &s0, &out, &err) == 0);
    CHECK(out.kind == V_INT && out.u.i == 0 && !out.weak);
    CHECK(rt.nwarn == 1 && strstr(rt.warn[0], "divide by zero encountered in scalar floor_divide"));
    rt.nwarn = 0;
    wbuf_free(&b);
    arr_unref(&m34);
    arr_unref(&v4);
    arr_unref(&p);
    arr_unref(&q);
    arr_unref(&fx);
    arr_unref(&fy);
    arr_unref(&x);
    arr_unref(&y);
    arena_destroy(&ar);
}

static void test_repr(void)
{
    err_t err;
    err_clear(&err);
    wbuf_t b;
    wbuf_init(&b);
    rt.local = 1; /* local arrays: no header */
    struct {
        const char *what, *want;
    } cases[] = {
        {"arange10", "array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])"},
        {"arange2000.", "array([0.000e+00, 1.000e+00, 2.000e+00, ..., 1.997e+03, 1.998e+03,\n "
                        "      1.999e+03])"},
        {"linspace", "array([0.        , 0.16666667, 0.33333333, 0.5       , 0.66666667,\n       "
                     "0.83333333, 1.        ])"},
        {"ones300", "array([[1., 1., 1., ..., 1., 1., 1.],\n       [1., 1., 1., ..., 1., 1., 1.],\n"
                    "       [1., 1., 1., ..., 1., 1., 1.],\n       ...,\n       [1., 1., 1., ..., "
                    "1., 1., 1.],\n       [1., 1., 1., ..., 1., 1., 1.],\n       [1., 1., 1., "
                    "..., 1., 1., 1.]])"},
        {"zeros234i", "array([[[0, 0, 0, 0],\n        [0, 0, 0, 0],\n        [0, 0, 0, 0]],\n\n  "
                      "     [[0, 0, 0, 0],\n        [0, 0, 0, 0],\n        [0, 0, 0, 0]]], "
                      "dtype=int32)"},
        {"f32", "array([0.        , 0.33333334, 0.6666667 , 1.        , 1.3333334 ],\n      "
                "dtype=float32)"},
        {"empty", "array([], dtype=float64)"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        arr_t *a = NULL;
        const char *w = cases[k].what;
        if (!strcmp(w, "arange10")) {
            val_t s = vint(10);
            arr_arange(&rt, NULL, &s, NULL, -1, NULL, &a, &err);
        } else if (!strcmp(w, "arange2000.")) {
            val_t s = {0};
            s.kind = V_FLOAT;
            s.weak = 1;
            s.dtype = DT_FLOAT64;
            s.u.f = 2000;
            arr_arange(&rt, NULL, &s, NULL, -1, NULL, &a, &err);
        } else if (!strcmp(w, "linspace")) {
            arr_linspace(&rt, 0, 1, 7, 1, -1, NULL, &a, &err);
        } else if (!strcmp(w, "ones300")) {
            int64_t s[2] = {300, 10};
            val_t one = vint(1);
            arr_full(&rt, 2, s, DT_FLOAT64, &one, NULL, &a, &err);
        } else if (!strcmp(w, "zeros234i")) {
            int64_t s[3] = {2, 3, 4};
            arr_full(&rt, 3, s, DT_INT32, NULL, NULL, &a, &err);
        } else if (!strcmp(w, "f32")) {
            arr_t *t = NULL;
            val_t s = vint(5);
            arr_arange(&rt, NULL, &s, NULL, DT_FLOAT32, NULL, &t, &err);
            arena_t *ar = arena_new();
            ir_node_t *d = node(ar, IR_DIV, 2);
            d->kid[0] = node(ar, IR_NAME, 0);
            d->kid[1] = node(ar, IR_INT, 0);
            val_t l[2] = {varr(t), vint(3)};
            val_t r;
            CHECK(arr_fuse(&rt, d, l, 2, &r, &err) == 0);
            a = r.u.a;
            arr_unref(&t);
            arena_destroy(&ar);
        } else {
            int64_t z = 0;
            arr_full(&rt, 1, &z, -1, NULL, NULL, &a, &err);
        }
        CHECK(a != NULL);
        if (!a) continue;
        CHECK_STR(repr_of(a, &b), cases[k].want);
        arr_unref(&a);
    }
    rt.local = 0;
    /* distributed: header line, then the text, only on rank 0 */
    arr_t *a = NULL;
    int64_t s[2] = {300, 10};
    val_t one = vint(1);
    CHECK(arr_full(&rt, 2, s, DT_FLOAT64, &one, NULL, &a, &err) == 0);
    const char *t = repr_of(a, &b);
    if (rt.rank == 0) {
        char want[128];
        snprintf(want, sizeof want,
                 "DistArray(shape=(300, 10), dtype=float64, dist=('b', 'n'), engines=%d)\n"
                 "array([[1., 1., 1., ..., 1., 1., 1.],",
                 rt.nranks);
        CHECK(strncmp(t, want, strlen(want)) == 0);
    } else {
        CHECK(b.len == 0);
    }
    arr_unref(&a);
    wbuf_free(&b);
}

/* kern_transpose against its definition: every element size, block edges on both sides of
 * 8 (the register path's blocks) and of its 256 x 256 blocks, strides wider than a row,
 * either sign, stored through the cache or past it (64-byte aligned rows). */
static void test_transpose(void)
{
    static const size_t szs[] = {1, 2, 4, 8, 16};
    static const int64_t ns[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 19, 255, 257, 300};
    enum { MAXN = 300, PADW = 3, CAP = (MAXN + PADW) * (MAXN + 8) * 16 };
    static _Alignas(64) unsigned char src[CAP], dst[CAP];
    for (size_t k = 0; k < sizeof src; k++)
        src[k] = (unsigned char)(k * 7 + 3);
    size_t nn = sizeof ns / sizeof *ns;
    for (size_t zi = 0; zi < sizeof szs / sizeof *szs; zi++)
        for (size_t a = 0; a < nn; a++)
            for (size_t b = 0; b < nn; b++)
                for (int mode = 0; mode < 4; mode++) {
                    int64_t ni = ns[a], nj = ns[b], sz = (int64_t)szs[zi];
                    int big_i = ni > 19, big_j = nj > 19; /* one 300 x 300 */
                    if (big_i && big_j && (a != nn - 1 || b != nn - 1)) continue;
                    int flip = mode & 1, nt = mode >> 1;
                    int64_t ss = (ni + PADW) * sz, ds = (nj + 1) * sz;
                    if (nt) ds = (ds + 63) / 64 * 64;
                    char *s = (char *)src, *d = (char *)dst;
                    if (flip) { /* input rows in reverse */
                        s += (nj ? nj - 1 : 0) * ss;
                        ss = -ss;
                    }
                    memset(dst, 0xee, (size_t)(ni * ds + 64));
                    kern_transpose(d, ds, s, ss, ni, nj, (size_t)sz, nt);
                    int ok = 1;
                    for (int64_t i = 0; i < ni; i++)
                        for (int64_t j = 0; j < nj; j++)
                            ok &= !memcmp(d + i * ds + j * sz, s + j * ss + i * sz, (size_t)sz);
                    for (int64_t i = 0; i < ni; i++) /* the gap after each row untouched */
                        for (int64_t g = nj * sz; g < ds; g++)
                            ok &= (unsigned char)d[i * ds + g] == 0xee;
                    CHECK(ok);
                }
    /* kern_copy_nt: memcpy's bytes, from every alignment, to every alignment and length
     * around its 64-byte lines, nothing outside */
    for (int64_t da = 0; da < 64; da += 7)
        for (int64_t sa = 0; sa < 64; sa += 13)
            for (int64_t n = 0; n < 400; n += n < 130 ? 1 : 37) {
                memset(dst, 0xee, 600);
                kern_copy_nt(dst + da, src + sa, (size_t)n);
                int ok = !memcmp(dst + da, src + sa, (size_t)n);
                for (int64_t k = 0; k < 600; k++)
                    ok &= (k >= da && k < da + n) || dst[k] == 0xee;
                CHECK(ok);
            }
}

/* coll_redist through a window made afresh and grown round by round, up to a small largest
 * buffer past which rounds take MPI_Alltoallv: 1-d block to cyclic and back, one round per
 * call, sizes growing. */
static void test_redist_window(void)
{
    size_t keep_max = coll_redist_shm_max;
    int64_t keep_round = coll_round_bytes;
    err_t err;
    err_clear(&err);
    coll_redist_fini(); /* a new window (the old one stays mapped) */
    coll_redist_shm_max = 4096;
    coll_round_bytes = (int64_t)64 << 20;
    static const int64_t ns[] = {7, 100, 300, 1000, 5000, 20000};
    for (size_t i = 0; i < sizeof ns / sizeof *ns; i++) {
        int64_t sh[1] = {ns[i]};
        arr_t *a = arrcheck_iota(&rt, 1, sh, "b", 1), *t = arrcheck_iota(&rt, 1, sh, "c", 1);
        arr_t *c = NULL, *e = NULL;
        if (!a || !t) continue;
        CHECK(coll_redist(&rt, a, &t->dist, &c, &err) == 0);
        CHECK(c && arrcheck_holds(&rt, c));
        CHECK(c && coll_redist(&rt, c, &a->dist, &e, &err) == 0);
        CHECK(e && arrcheck_holds(&rt, e));
        arr_unref(&a);
        arr_unref(&t);
        arr_unref(&c);
        arr_unref(&e);
    }
    coll_redist_shm_max = keep_max;
    coll_round_bytes = keep_round;
    coll_redist_fini();
}

/* coll_redist between every pair of layouts of a 2-d array (row blocks, cyclic,
 * block-cyclic, 2-d grids): values follow their global indices, and back again. */
static void test_redist(void)
{
    err_t err;
    err_clear(&err);
    int64_t sh[2] = {7, 5};
    arr_t *b = NULL;
    dist_t rows;
    CHECK(arri_rows_dist(&rt, 2, sh, NULL, &rows, &err) == 0);
    /* a 2-d arange in row blocks */
    CHECK(arri_new_dist(&rt, DT_INT64, &rows, &b, &err) == 0);
    for (int64_t k = 0; k < arri_lsize(b); k++) {
        int64_t v = arri_row(b, rt.rank) * 5 + k;
        memcpy(arri_addr(b, k), &v, 8);
    }
    CHECK(arrcheck_holds(&rt, b));
    static const char *const kinds[] = {"bn", "cn", "bc", "cb", "bb", "cc", "nb", "nc"};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        for (int64_t bs = 1; bs <= 2; bs++) {
            dist_spec_t s;
            dist_spec_default(&s);
            s.kind[0] = kinds[i][0];
            s.kind[1] = kinds[i][1];
            s.block_size = bs;
            dist_t d;
            CHECK(dist_init(&d, 2, sh, &s, rt.nranks, &err) == 0);
            arr_t *c = NULL, *e = NULL;
            CHECK(coll_redist(&rt, b, &d, &c, &err) == 0);
            CHECK(c && dist_equal(&c->dist, &d) && arrcheck_holds(&rt, c));
            CHECK(c && coll_redist(&rt, c, &rows, &e, &err) == 0);
            CHECK(e && arrcheck_holds(&rt, e));
            arr_unref(&c);
            arr_unref(&e);
            dist_clear(&d);
        }
    dist_clear(&rows);
    arr_unref(&b);
}

/* a's transpose (a view whose last axis is far apart in memory: packed tile by tile) moved
 * to each layout of kinds reversed, then transposed back: every element where it was. */
static void redist_transposed(arr_t *a, const char *const *kinds, int nd)
{
    err_t err;
    err_clear(&err);
    arr_t *v = NULL;
    CHECK(arr_transpose(&rt, a, NULL, &v, &err) == 0);
    for (int j = 0; v && j < 8 && kinds[j]; j++) {
        char rk[ARR_MAXDIM + 1] = {0};
        for (int d = 0; d < nd; d++)
            rk[d] = kinds[j][nd - 1 - d];
        arr_t *t = arrcheck_iota(&rt, nd, v->shape, rk, 2), *c = NULL, *w = NULL;
        if (!t) continue;
        CHECK(coll_redist(&rt, v, &t->dist, &c, &err) == 0);
        CHECK(c && arr_transpose(&rt, c, NULL, &w, &err) == 0);
        CHECK(w && arrcheck_holds(&rt, w));
        arr_unref(&w);
        arr_unref(&c);
        arr_unref(&t);
    }
    arr_unref(&v);
}

/* coll_redist between every pair of a set of layouts, on 1-, 2- and 3-d shapes, in one
 * round and in rounds of a few rows (the slabs cut at every axis-0 index): values follow
 * their global indices. */
static void test_redist_pairs(void)
{
    static const struct {
        int nd;
        int64_t sh[3];
        const char *kinds[8];
    } cases[] = {
        {1, {101}, {"b", "c", NULL}},
        {1, {5}, {"b", "c", NULL}},
        {2, {13, 11}, {"bn", "cn", "nb", "nc", "bc", "cb", "bb", "cc"}},
        {2, {2, 40}, {"bn", "nc", "cb", NULL}},
        {3, {5, 4, 6}, {"bnn", "cnn", "nbn", "ncb", "nnc", NULL}},
    };
    static const int64_t bss[] = {1, 2, 3, 7};
    static const int64_t rounds[] = {(int64_t)64 << 20, 200, 1};
    int64_t keep = coll_round_bytes;
    err_t err;
    err_clear(&err);
    for (size_t ci = 0; ci < sizeof cases / sizeof *cases; ci++) {
        int nd = cases[ci].nd;
        const int64_t *sh = cases[ci].sh;
        for (int i = 0; i < 8 && cases[ci].kinds[i]; i++)
            for (size_t bi = 0; bi < 4; bi++) {
                arr_t *a = arrcheck_iota(&rt, nd, sh, cases[ci].kinds[i], bss[bi]);
                if (!a) continue;
                CHECK(arrcheck_holds(&rt, a));
                for (int j = 0; j < 8 && cases[ci].kinds[j]; j++)
                    for (size_t bj = 0; bj < 4; bj += 3)
                        for (size_t ri = 0; ri < 6; ri++) {
                            arr_t *t = arrcheck_iota(&rt, nd, sh, cases[ci].kinds[j], bss[bj]),
                                  *c = NULL;
                            if (!t) continue;
                            coll_round_bytes = rounds[ri % 3];
                            coll_redist_shm =
                                ri < 3; /* the window's rounds, then MPI_Alltoallv's */
                            CHECK(coll_redist(&rt, a, &t->dist, &c, &err) == 0);
                            CHECK(c && dist_equal(&c->dist, &t->dist) && arrcheck_holds(&rt, c));
                            coll_round_bytes = keep;
                            coll_redist_shm = 1;
                            arr_unref(&c);
                            arr_unref(&t);
                        }
                if (nd >= 2) redist_transposed(a, cases[ci].kinds, nd);
                arr_unref(&a);
            }
    }
}

static void test_index(void)
{
    err_t err;
    err_clear(&err);
    arr_t *a = NULL;
    val_t stop = vint(10);
    CHECK(arr_arange(&rt, NULL, &stop, NULL, -1, NULL, &a, &err) == 0);
    idx_t ix = {0};
    ix.kind = IDX_INT;
    ix.i = -3;
    val_t r;
    CHECK(arr_getitem(&rt, a, &ix, 1, &r, &err) == 0);
    CHECK(r.kind == V_INT && r.u.i == 7);
    ix.i = 10;
    CHECK(arr_getitem(&rt, a, &ix, 1, &r, &err) == PARC_EINDEX);
    CHECK_STR(err.msg, "index 10 is out of bounds for axis 0 with size 10");
    err_clear(&err);
    /* y = x[2:9:3] is a view: y[:] = 0 changes x */
    idx_t sl = {0};
    sl.kind = IDX_SLICE;
    sl.has_start = sl.has_stop = sl.has_step = 1;
    sl.start = 2;
    sl.stop = 9;
    sl.step = 3;
    CHECK(arr_getitem(&rt, a, &sl, 1, &r, &err) == 0);
    wbuf_t b;
    wbuf_init(&b);
    rt.local = 0;
    {
        const char *t = repr_of(r.u.a, &b);
        if (rt.rank == 0) CHECK_STR(strstr(t, "array("), "array([2, 5, 8])");
    }
    idx_t all = {0};
    all.kind = IDX_SLICE;
    val_t zero = vint(0);
    CHECK(arr_setitem(&rt, r.u.a, &all, 1, &zero, &err) == 0);
    {
        const char *t = repr_of(a, &b);
        if (rt.rank == 0) CHECK_STR(strstr(t, "array("), "array([0, 1, 0, 3, 4, 0, 6, 7, 0, 9])");
    }
    arr_unref(&r.u.a);
    wbuf_free(&b);
    arr_unref(&a);
}

/* The chunk pool: a dropped big chunk is handed back to the next array of its size class
 * (same memory, poisoned again in debug builds), one that is too big for the bound is
 * not kept, and pooled memory counts as free for the MemoryError check. Local view, so
 * every rank checks its own chunks. */
static void test_pool(void)
{
    size_t avail0 = rt.mem_avail;
    int local0 = rt.local;
    rt.local = 1;
    rt.mem_avail = (size_t)64 << 20;
    chunk_trim(rt.chunks);
    err_t err;
    err_clear(&err);
    int64_t n = 1 << 18; /* 2 MiB of float64 */
    arr_t *a = NULL, *b = NULL;
    chunk_stats_t s0 = chunk_stats(rt.chunks);
    CHECK(arr_random(&rt, RAND_UNIFORM, 1, &n, -1, 0, 1, NULL, &a, &err) == 0);
    void *pa = a ? arri_base(a) : NULL;
    arr_unref(&a);
    chunk_stats_t s1 = chunk_stats(rt.chunks);
    CHECK(s1.fresh == s0.fresh + 1 && s1.pooled >= (size_t)n * 8 && s1.held == s0.held);
    int64_t n2 = n + 100; /* a few rows more: the same size class */
    CHECK(arri_new(&rt, 1, &n2, DT_FLOAT64, 0, NULL, &b, &err) == 0);
    chunk_stats_t s2 = chunk_stats(rt.chunks);
    CHECK(b && arri_base(b) == pa && s2.reused == s1.reused + 1 && s2.pooled == 0);
    if (b) {
        uint64_t bits;
        memcpy(&bits, (char *)arri_base(b) + 8 * 1000, 8);
#ifdef NDEBUG
        CHECK(bits == 0);
#else
        CHECK(bits == 0x7FF4000000000000u); /* poisoned again, not the old values */
#endif
    }
    arr_unref(&b);
    /* a chunk bigger than a quarter of what the rank may hold is freed, not pooled */
    int64_t big = (int64_t)(rt.mem_avail / 4 / 8) + (1 << 16);
    CHECK(arri_new(&rt, 1, &big, DT_FLOAT64, 0, NULL, &a, &err) == 0);
    arr_unref(&a);
    chunk_stats_t s3 = chunk_stats(rt.chunks);
    CHECK(s3.fresh == s2.fresh + 1 && s3.pooled <= rt.mem_avail / 4);
    /* pooled bytes are free: 63/64 of the limit still fits with a chunk in the pool, which
     * goes back to the system first */
    CHECK(arri_new(&rt, 1, &n, DT_FLOAT64, 0, NULL, &a, &err) == 0);
    arr_unref(&a);
    CHECK(chunk_stats(rt.chunks).pooled > 0);
    int64_t most = (int64_t)(rt.mem_avail / 8 / 64 * 63);
    CHECK(arri_new(&rt, 1, &most, DT_FLOAT64, 0, NULL, &a, &err) == 0);
    chunk_stats_t s4 = chunk_stats(rt.chunks);
    CHECK(a && s4.held == (size_t)most * 8 && s4.held + s4.pooled <= rt.mem_avail);
    arr_unref(&a);
    rt.mem_avail = avail0;
    rt.local = local0;
}

/* coll_chain's step in test_pieces: byte i leaves rank r as i + 1 + 2 + ... + (r + 1). */
typedef struct {
    int rank, ok;
    size_t n;
} chain_ctx_t;

static void chain_check(void *ctx, const void *in, void *out)
{
    chain_ctx_t *c = ctx;
    for (size_t i = 0; i < c->n; i++) {
        unsigned char want = (unsigned char)(i + (size_t)c->rank * (c->rank + 1) / 2);
        unsigned char v = in ? ((const unsigned char *)in)[i] : (unsigned char)i;
        c->ok &= v == want;
        ((unsigned char *)out)[i] = (unsigned char)(v + c->rank + 1);
    }
}

/* Every collective of coll.c with its messages cut into pieces of 1, 7 and 1000 bytes, the
 * path messages of more than coll_msg_max (1 GiB) take: the same bytes arrive, and rows put
 * by index in many rounds still leave the last writer in (rank, index) order, as NumPy's
 * x[idx] = v does with repeats. */
static void test_pieces(void)
{
    static const size_t maxes[] = {1, 7, 1000};
    size_t keep = coll_msg_max;
    int p = rt.nranks, me = rt.rank;
    err_t err;
    err_clear(&err);
    for (size_t mi = 0; mi < sizeof maxes / sizeof *maxes; mi++) {
        coll_msg_max = maxes[mi];
        unsigned char mine[300], *all = mem_alloc((size_t)p * 300);
        for (int i = 0; i < 300; i++)
            mine[i] = (unsigned char)(me * 37 + i);
        CHECK(coll_allgather_bytes(&rt, mine, 37, all, &err) == 0);
        for (int r = 0; r < p; r++)
            for (int i = 0; i < 37; i++)
                CHECK(all[r * 37 + i] == (unsigned char)(r * 37 + i));
        unsigned char b[100] = {0};
        for (int i = 0; me == p - 1 && i < 100; i++)
            b[i] = (unsigned char)(3 * i + 1);
        CHECK(coll_bcast_bytes(&rt, b, sizeof b, p - 1, &err) == 0);
        for (int i = 0; i < 100; i++)
            CHECK(b[i] == (unsigned char)(3 * i + 1));
        /* rank r gathers 13 r + 5 bytes on rank 0 */
        char *g = NULL;
        int64_t *offs = NULL;
        CHECK(coll_gather_bytes(&rt, mine, (size_t)(13 * me + 5), &g, &offs, &err) == 0);
        for (int r = 0; me == 0 && g && r < p; r++) {
            CHECK(offs[r + 1] - offs[r] == 13 * r + 5);
            for (int i = 0; i < 13 * r + 5; i++)
                CHECK((unsigned char)g[offs[r] + i] == (unsigned char)(r * 37 + i));
        }
        mem_free(g);
        mem_free(offs);
        /* a ring: 50 + r bytes from rank r to the next */
        int next = (me + 1) % p, prev = (me + p - 1) % p;
        unsigned char in[300] = {0};
        coll_msg_t s = {next, mine, (size_t)(50 + me)}, r = {prev, in, (size_t)(50 + prev)};
        CHECK(coll_exchange(&rt, 0, &s, 1, &r, 1, &err) == 0);
        for (int i = 0; i < 50 + prev; i++)
            CHECK(in[i] == (unsigned char)(prev * 37 + i));
        int64_t v[300];
        for (int i = 0; i < 300; i++)
            v[i] = me + i;
        CHECK(coll_exscan_i64(&rt, v, 300, 0, &err) == 0);
        for (int i = 0; me > 0 && i < 300; i++)
            CHECK(v[i] == (int64_t)me * (me - 1) / 2 + (int64_t)me * i);
        chain_ctx_t cc = {me, 1, 20};
        CHECK(coll_chain(&rt, cc.n, chain_check, &cc, &err) == 0);
        CHECK(cc.ok);
        mem_free(all);

        /* rows by index of a 1-d iota: rank q asks for / writes 150 - 60 q rows (at least 5) */
        int64_t n = 101, want[150], got[150];
        arr_t *a = arrcheck_iota(&rt, 1, &n, "b", 1);
        int64_t m = 150 - 60 * me > 5 ? 150 - 60 * me : 5;
        for (int64_t k = 0; k < m; k++)
            want[k] = (k * 7 + me) % n;
        CHECK(a && coll_take_rows(&rt, a, want, m, got, &err) == 0);
        for (int64_t k = 0; k < m; k++)
            CHECK(got[k] == want[k]);
        for (int64_t k = 0; k < m; k++)
            got[k] = me * 1000 + k;
        CHECK(a && coll_put_rows(&rt, a, want, m, got, &err) == 0);
        int64_t r0 = a ? arri_row(a, me) : 0, r1 = a ? arri_row(a, me + 1) : 0;
        for (int64_t row = r0; row < r1; row++) {
            int64_t expect = row; /* NumPy's order: ranks in turn, each index in turn */
            for (int q = 0; q < p; q++) {
                int64_t mq = 150 - 60 * q > 5 ? 150 - 60 * q : 5;
                for (int64_t k = 0; k < mq; k++)
                    if ((k * 7 + q) % n == row) expect = q * 1000 + k;
            }
            CHECK(arri_loadi(DT_INT64, arri_addr(a, row - r0)) == expect);
        }
        arr_unref(&a);
        CHECK(!err.code);
    }
    coll_msg_max = keep;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    if (rt_init(&rt, 1, &intr) != 0) MPI_Abort(MPI_COMM_WORLD, 1);
    test_create();
    test_random();
    test_rng();
    test_reduce();
    test_axis_tree();
    test_transpose();
    test_fuse();
    test_repr();
    test_index();
    test_redist();
    test_redist_pairs();
    test_redist_window();
    test_pool();
    test_pieces();
    /* again with every message of more than 1000 bytes in pieces */
    size_t keep = coll_msg_max;
    coll_msg_max = 1000;
    test_reduce();
    test_axis_tree();
    test_repr();
    coll_msg_max = keep;
    int rc = check_mpi_done();
    rt_fini(&rt);
    MPI_Finalize();
    return rc;
}
