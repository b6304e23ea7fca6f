/* lamul.c - dot, @/matmul, inner and vdot (see la.h): NumPy's rules for shapes, dtypes and
 * messages, then one of three ways to the product: rank-local (local view, or operands held
 * whole by every rank), rows (the right operand gathered, one local GEMM per engine on its
 * own rows) or PBLAS (lagrid.c's block-cyclic matrices and p?gemm). The vector dot of two
 * 1-d operands is a fused sum of products (ops_formula), so it has sum()'s fixed order. */
#include "la.h"
#include "lapriv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "coll.h"
#include "mem.h"

void psgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k,
             const float *alpha, const float *a, const int *ia, const int *ja, const int *desca,
             const float *b, const int *ib, const int *jb, const int *descb, const float *beta,
             float *c, const int *ic, const int *jc, const int *descc);
void pdgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k,
             const double *alpha, const double *a, const int *ia, const int *ja, const int *desca,
             const double *b, const int *ib, const int *jb, const int *descb, const double *beta,
             double *c, const int *ic, const int *jc, const int *descc);
void pzgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k,
             const double *alpha, const double *a, const int *ia, const int *ja, const int *desca,
             const double *b, const int *ib, const int *jb, const int *descb, const double *beta,
             double *c, const int *ic, const int *jc, const int *descc);

#define SIG "(n?,k),(k,m?)->(n?,m?)"

static const char *const fname[] = {"matmul", "dot", "inner", "vdot"};

/* "(2,3)" as NumPy writes a shape in its messages. */
static void shape_text(const arr_t *a, char *buf, size_t cap)
{
    int nd = arr_ndim(a);
    const int64_t *s = arr_shape(a);
    size_t n = (size_t)snprintf(buf, cap, "(");
    for (int i = 0; i < nd && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, i ? ",%lld" : "%lld", (long long)s[i]);
    if (n < cap) snprintf(buf + n, cap - n, nd == 1 ? ",)" : ")");
}

/* dot's and inner's message: "shapes (2,3) and (4,5) not aligned: 3 (dim 1) != 4 (dim 0)" */
static int not_aligned(const arr_t *a, int da, const arr_t *b, int db, err_t *err)
{
    char sa[96], sb[96];
    shape_text(a, sa, sizeof sa);
    shape_text(b, sb, sizeof sb);
    return err_set(err, PARC_EVALUE, (span_t){0},
                   "shapes %s and %s not aligned: %lld (dim %d) != %lld (dim %d)", sa, sb,
                   (long long)arr_shape(a)[da], da, (long long)arr_shape(b)[db], db);
}

/* A 0-d result as NumPy gives it: the sum's value cast to dt (int32 wraps, bool is "any"). */
static void cast_scalar(val_t *v, int dt)
{
    if (dt == DT_BOOL) {
        int t = v->kind == V_COMPLEX ? (v->u.c[0] != 0 || v->u.c[1] != 0)
                : v->kind == V_FLOAT ? v->u.f != 0
                                     : v->u.i != 0;
        *v = val_bool(t);
    } else if (dt == DT_INT32 && v->kind == V_INT) {
        v->u.i = (int32_t)(uint32_t)(uint64_t)v->u.i;
        v->dtype = DT_INT32;
    }
    v->weak = 0;
}

/* Product of two 1-d arrays of one length, in sum()'s order. */
static int vector_dot(ops_t *ops, int conj, arr_t *a, arr_t *b, int dt, val_t *out, err_t *err)
{
    val_t args[2] = {{.kind = V_ARRAY, .u.a = a}, {.kind = V_ARRAY, .u.a = b}};
    int rc = ops_formula(ops, conj ? "multiply(conjugate($0), $1)" : "multiply($0, $1)", args, 2,
                         BI_SUM, out, err);
    if (!rc) cast_scalar(out, dt);
    return rc;
}

int la_contig(const rt_t *rt, const arr_t *a, arr_t **out, err_t *err)
{
    if (arri_contig(a)) {
        *out = arr_ref((arr_t *)a);
        return 0;
    }
    arr_t *c = NULL;
    int rc = a->isdist ? arri_new_dist(rt, a->dtype, &a->dist, &c, err)
                       : arri_new(rt, a->ndim, a->shape, a->dtype, 0, NULL, &c, err);
    if (a->isdist && !rt->local) rc = arri_agree(rt, rc, err);
    if (rc) return rc;
    arri_copy_chunk(c, a);
    *out = c;
    return 0;
}

/* The product's dimensions: a is m x k (or k: m = 1, drops), b k x n (or k: n = 1, drops). */
typedef struct {
    int64_t m, n, k;
    int nd;           /* the result's dimensions: 0, 1 or 2 */
    int64_t shape[2]; /* and its shape */
} dims_t;

static dims_t dims_of(const arr_t *a, const arr_t *b)
{
    dims_t d = {0};
    d.m = arr_ndim(a) == 2 ? arr_shape(a)[0] : 1;
    d.k = arr_shape(a)[arr_ndim(a) - 1];
    d.n = arr_ndim(b) == 2 ? arr_shape(b)[1] : 1;
    if (arr_ndim(a) == 2) d.shape[d.nd++] = d.m;
    if (arr_ndim(b) == 2) d.shape[d.nd++] = d.n;
    return d;
}

/* Both operands whole on this rank (contiguous, dtype dt): C on this rank, local. */
static int local_product(const rt_t *rt, const arr_t *a, const arr_t *b, int dt, const dims_t *d,
                         arr_t **out, err_t *err)
{
    arr_t *c = NULL;
    int rc = arri_new(rt, d->nd, d->shape, dt, 0, NULL, &c, err);
    if (rc) return rc;
    la_gemm(dt, d->m, d->n, d->k, arri_base(a), d->k, arri_base(b), d->n, arri_base(c), d->n);
    *out = c;
    return 0;
}

/* Rows: this rank's rows of a (row layout, contiguous) times b held whole. */
static int rows_product(const rt_t *rt, const arr_t *a, const arr_t *bfull, int dt, const dims_t *d,
                        arr_t **out, err_t *err)
{
    int64_t *bnd = arri_rows(rt, a);
    arr_t *c = NULL;
    int rc = bnd ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (!rc) rc = arri_new(rt, d->nd, d->shape, dt, 1, bnd, &c, err);
    mem_free(bnd);
    rc = arri_agree(rt, rc, err);
    if (rc) return rc;
    la_gemm(dt, a->lshape[0], d->n, d->k, arri_base(a), d->k, arri_base(bfull), d->n, arri_base(c),
            d->n);
    *out = c;
    return 0;
}

/* A copy of a distributed a whole on every rank, contiguous (coll_allgather's). */
static int gather(const rt_t *rt, const arr_t *a, arr_t **out, err_t *err)
{
    if (!a->isdist || rt->local) return la_contig(rt, a, out, err);
    return coll_allgather(rt, a, out, err);
}

/* 2-d view of a 1-d array as (1, k) (row) or (k, 1). */
static int as_matrix(rt_t *rt, arr_t *a, int row, arr_t **out, err_t *err)
{
    if (a->ndim == 2) {
        *out = arr_ref(a);
        return 0;
    }
    int64_t s[2] = {row ? 1 : a->shape[0], row ? a->shape[0] : 1};
    return arr_reshape(rt, a, 2, s, out, err);
}

static int pblas_product(rt_t *rt, arr_t *a, arr_t *b, int dt, const dims_t *d, arr_t **out,
                         err_t *err)
{
    la_grid_t g;
    arr_t *a2 = NULL, *b2 = NULL, *c2 = NULL;
    bc_t A = {0}, B = {0}, C = {0};
    int rc = as_matrix(rt, a, 1, &a2, err);
    if (!rc) rc = as_matrix(rt, b, 0, &b2, err);
    if (rc) goto done;
    if ((rc = la_grid_new(rt, 0, &g, err))) goto done;
    int nb = la_block(&g, d->m, d->n, d->k);
    rc = la_to_bc(rt, &g, a2, dt, nb, &A, err);
    if (!rc) rc = la_to_bc(rt, &g, b2, dt, nb, &B, err);
    if (!rc) rc = arri_agree(rt, la_bc_new(rt, &g, d->m, d->n, dt, nb, &C, err), err);
    if (!rc && d->m && d->n && d->k) {
        int m = (int)d->m, n = (int)d->n, k = (int)d->k, one = 1;
        int old = rt_wait_begin(rt, RT_COLLECTIVE);
        if (dt == DT_FLOAT32) {
            float f1 = 1, f0 = 0;
            psgemm_("N", "N", &m, &n, &k, &f1, A.p, &one, &one, A.desc, B.p, &one, &one, B.desc,
                    &f0, C.p, &one, &one, C.desc);
        } else if (dt == DT_FLOAT64) {
            double f1 = 1, f0 = 0;
            pdgemm_("N", "N", &m, &n, &k, &f1, A.p, &one, &one, A.desc, B.p, &one, &one, B.desc,
                    &f0, C.p, &one, &one, C.desc);
        } else {
            double z1[2] = {1, 0}, z0[2] = {0, 0};
            pzgemm_("N", "N", &m, &n, &k, z1, A.p, &one, &one, A.desc, B.p, &one, &one, B.desc, z0,
                    C.p, &one, &one, C.desc);
        }
        rt_wait_end(rt, old);
    }
    if (!rc) rc = la_from_bc(rt, &g, &C, &c2, err);
    if (!rc)
        rc = d->nd == 2 ? (*out = arr_ref(c2), 0) : arr_reshape(rt, c2, d->nd, d->shape, out, err);
    la_grid_free(&g);
done:
    la_bc_free(&A);
    la_bc_free(&B);
    la_bc_free(&C);
    arr_unref(&a2);
    arr_unref(&b2);
    arr_unref(&c2);
    return rc;
}

/* The most bytes of a right operand the rows way gathers on every engine: LA_GATHER_MAX,
 * or PARC_GATHER_MAX (bytes; 0: never) from rank 0's environment, so that every rank
 * takes the same way. Collective. */
static int gather_max(const rt_t *rt, int64_t *out, err_t *err)
{
    int64_t v = LA_GATHER_MAX;
    const char *s = rt->rank == 0 ? getenv("PARC_GATHER_MAX") : NULL;
    if (s && *s) {
        char *e;
        long long x = strtoll(s, &e, 10);
        if (!*e && x >= 0) v = x;
    }
    int rc = coll_bcast_bytes(rt, &v, sizeof v, 0, err);
    *out = v;
    return rc;
}

/* Whether the rows way (a moved to the rows if it is elsewhere, b gathered on every
 * engine, one local GEMM) moves fewer bytes into each engine than PBLAS for a 2-d
 * distributed a. PBLAS moves a, b and the product to and from the block-cyclic layout and,
 * inside p?gemm, sends every engine the panels of a along its grid row and of b along its
 * grid column; rows gathers b whole. On few engines rows moves less (2 engines, square
 * matrices: 3/4 of a matrix against 1), and its local product is one GEMM at full speed
 * where p?gemm's is a sum of thin updates, each a pass over the product's block. */
static int rows_cheaper(const rt_t *rt, const arr_t *a, const dims_t *d, int64_t es)
{
    if (dist_is_rows(&a->dist)) return 1;
    int dims[2] = {0, 0};
    if (MPI_Dims_create(rt->nranks, 2, dims) != MPI_SUCCESS) return 0;
    double p = rt->nranks, pr = dims[0], q = dims[1];
    double A = (double)d->m * d->k * es, B = (double)d->k * d->n * es, C = (double)d->m * d->n * es,
           moved = (p - 1) / (p * p);
    double rows = B * (p - 1) / p + A * moved;
    double pblas = (A + B + C) * moved + A / pr * (q - 1) / q + B / q * (pr - 1) / pr;
    return rows <= pblas;
}

/* a (m x k or k) times b (k x n or k), both of dtype dt, at least one 2-d. */
static int mat_product(rt_t *rt, arr_t *a, arr_t *b, int dt, val_t *out, err_t *err)
{
    dims_t d = dims_of(a, b);
    if (!la_blas_fits(d.m, d.n, d.k))
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "matrix dimensions of more than 2**31 - 1 are not supported");
    arr_t *c = NULL, *af = NULL, *bf = NULL, *cf = NULL;
    int rc = 0;
    int ldist = a->isdist && !rt->local, rdist = b->isdist && !rt->local;
    int isfloat = dt == DT_FLOAT32 || dt == DT_FLOAT64 || dt == DT_COMPLEX128;
    int64_t bbytes = arr_size(b) * (int64_t)dt_size(dt), gmax = 0;
    if ((ldist || rdist) && (rc = gather_max(rt, &gmax, err))) return rc;
    int rows = a->ndim == 2 && ldist && bbytes <= gmax && rows_cheaper(rt, a, &d, dt_size(dt));
    if (!ldist && !rdist) {
        /* local view, or both held whole (a local array in global view is the same on
         * every rank) */
        arr_t *la = rt->local && a->isdist ? arr_local(a) : arr_ref(a);
        arr_t *lb = rt->local && b->isdist ? arr_local(b) : arr_ref(b);
        rc = la && lb ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        if (!rc) rc = la_contig(rt, la, &af, err);
        if (!rc) rc = la_contig(rt, lb, &bf, err);
        if (!rc) rc = local_product(rt, af, bf, dt, &d, &c, err);
        arr_unref(&la);
        arr_unref(&lb);
    } else if (isfloat && rt->nranks > 1 && !rows) {
        rc = pblas_product(rt, a, b, dt, &d, &c, err);
    } else if (a->ndim == 2 && ldist) {
        rc = arri_rowwise(rt, a, &cf, err);
        if (!rc) rc = la_contig(rt, cf, &af, err);
        if (!rc) rc = gather(rt, b, &bf, err);
        if (!rc) rc = rows_product(rt, af, bf, dt, &d, &c, err);
    } else {
        /* a vector (or a matrix held whole) times a distributed matrix: small enough to
         * be gathered (integers, or one engine): computed whole everywhere, then split */
        rc = gather(rt, a, &af, err);
        if (!rc) rc = gather(rt, b, &bf, err);
        if (!rc) rc = arri_agree(rt, local_product(rt, af, bf, dt, &d, &cf, err), err);
        if (!rc) rc = la_scatter(rt, cf, &c, err);
    }
    arr_unref(&af);
    arr_unref(&bf);
    arr_unref(&cf);
    if (rc) return rc;
    *out = val_array(&c);
    return 0;
}

/* x (a stack) broadcast to the batch shape bs (nbs axes) in front of its last two axes:
 * x * ones(bs + (1, 1)), a product by one, which is exact for every dtype (bool: and). */
static int broadcast_batch(ops_t *ops, rt_t *rt, arr_t *x, const int64_t *bs, int nbs, arr_t **out,
                           err_t *err)
{
    if (x->ndim == nbs + 2 && !memcmp(x->shape, bs, (size_t)nbs * sizeof *bs)) {
        *out = arr_ref(x);
        return 0;
    }
    int64_t shape[ARR_MAXDIM];
    memcpy(shape, bs, (size_t)nbs * sizeof *shape);
    shape[nbs] = shape[nbs + 1] = 1;
    val_t one = x->dtype == DT_BOOL ? val_bool(1) : val_int(1), r = val_none();
    arr_t *o = NULL;
    int rc = arr_full(rt, nbs + 2, shape, x->dtype, &one, NULL, &o, err);
    if (!rc) {
        val_t vx = {.kind = V_ARRAY, .u.a = x}, vo = {.kind = V_ARRAY, .u.a = o};
        rc = ops_binop(ops, IR_MUL, &vx, &vo, &r, err);
    }
    arr_unref(&o);
    if (rc) return rc;
    *out = arr_ref(r.u.a);
    val_drop(&r);
    return 0;
}

/* The batch shapes of stacks a and b broadcast as NumPy does (into bs, *nbs axes); 0, or
 * NumPy's ValueError when they cannot be. */
static int batch_shape(const arr_t *a, const arr_t *b, int64_t *bs, int *nbs, err_t *err)
{
    int na = a->ndim - 2, nb = b->ndim - 2, n = na > nb ? na : nb;
    for (int i = 0; i < n; i++) {
        int64_t x = i < n - na ? 1 : a->shape[i - (n - na)];
        int64_t y = i < n - nb ? 1 : b->shape[i - (n - nb)];
        if (x != y && x != 1 && y != 1)
            return err_set(err, PARC_EVALUE, (span_t){0},
                           "matmul: operands could not be broadcast together: batch shapes "
                           "differ in axis %d (%lld and %lld)",
                           i, (long long)x, (long long)y);
        bs[i] = x == 1 ? y : x;
    }
    *nbs = n;
    return 0;
}

static int stack_product(rt_t *rt, ops_t *ops, arr_t *a, arr_t *b, int dt, val_t *out, err_t *err);

/* Stacks with different batch shapes: each broadcast to the common one (a copy), then
 * multiplied batch by batch. */
static int broadcast_product(rt_t *rt, ops_t *ops, arr_t *a, arr_t *b, int dt, val_t *out,
                             err_t *err)
{
    int64_t bs[ARR_MAXDIM];
    int nbs = 0;
    arr_t *x = NULL, *y = NULL;
    int rc = batch_shape(a, b, bs, &nbs, err);
    if (!rc && nbs + 2 > ARR_MAXDIM)
        rc = err_set(err, PARC_EVALUE, (span_t){0}, "matmul: too many dimensions");
    if (!rc) rc = broadcast_batch(ops, rt, a, bs, nbs, &x, err);
    if (!rc) rc = broadcast_batch(ops, rt, b, bs, nbs, &y, err);
    if (!rc) rc = stack_product(rt, ops, x, y, dt, out, err);
    arr_unref(&x);
    arr_unref(&y);
    return rc;
}

/* A stack of matrices (a or b of 3 or more dimensions, NumPy's matmul over the leading
 * "batch" axes, broadcast between the two as NumPy does): the stacks go to the row layout
 * (batches split over the engines along axis 0; a second stack to the first one's rows),
 * a plain matrix or vector is gathered, and each engine multiplies its own batches. */
static int stack_product(rt_t *rt, ops_t *ops, arr_t *a, arr_t *b, int dt, val_t *out, err_t *err)
{
    int na = a->ndim, nb = b->ndim, bigA = na > 2, bigB = nb > 2;
    if (bigA && bigB && (na != nb || memcmp(a->shape, b->shape, (size_t)(na - 2) * 8)))
        return broadcast_product(rt, ops, a, b, dt, out, err);
    const arr_t *big = bigA ? a : b;
    int64_t m = na == 1 ? 1 : a->shape[na - 2], k = a->shape[na - 1];
    int64_t n = nb == 1 ? 1 : b->shape[nb - 1], shape[ARR_MAXDIM];
    int nd = 0;
    for (int i = 0; i < big->ndim - 2; i++)
        shape[nd++] = big->shape[i];
    if (na >= 2) shape[nd++] = m;
    if (nb >= 2) shape[nd++] = n;
    if (!la_blas_fits(m, n, k))
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "matrix dimensions of more than 2**31 - 1 are not supported");
    arr_t *A = NULL, *B = NULL, *ca = NULL, *cb = NULL, *c = NULL;
    int64_t *bnd = NULL;
    int dist = (a->isdist || b->isdist) && !rt->local, rc = 0;
    if (dist) {
        rc = bigA ? arri_rowwise(rt, a, &A, err) : gather(rt, a, &A, err);
        if (!rc) rc = bigA ? (bigB ? 0 : gather(rt, b, &B, err)) : arri_rowwise(rt, b, &B, err);
        if (!rc) bnd = arri_rows(rt, bigA ? A : B);
        if (!rc && !bnd) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        rc = arri_agree(rt, rc, err);
        if (!rc && bigA && bigB) rc = coll_redistribute(rt, b, bnd, &B, err);
        if (!rc) rc = arri_agree(rt, arri_new(rt, nd, shape, dt, 1, bnd, &c, err), err);
    } else {
        A = rt->local && a->isdist ? arr_local(a) : arr_ref(a);
        B = rt->local && b->isdist ? arr_local(b) : arr_ref(b);
        rc = A && B ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        if (!rc) rc = arri_new(rt, nd, shape, dt, 0, NULL, &c, err);
    }
    mem_free(bnd);
    if (!rc) rc = la_contig(rt, A, &ca, err);
    if (!rc) rc = la_contig(rt, B, &cb, err);
    if (!rc) {
        const arr_t *s = bigA ? ca : cb;
        int64_t batches = s->lshape[0];
        for (int i = 1; i < s->ndim - 2; i++)
            batches *= s->lshape[i];
        size_t es = dt_size(dt);
        for (int64_t t = 0; t < batches; t++)
            la_gemm(dt, m, n, k, (const char *)arri_base(ca) + (size_t)(bigA ? t * m * k : 0) * es,
                    k, (const char *)arri_base(cb) + (size_t)(bigB ? t * k * n : 0) * es, n,
                    (char *)arri_base(c) + (size_t)(t * m * n) * es, n);
    }
    arr_unref(&A);
    arr_unref(&B);
    arr_unref(&ca);
    arr_unref(&cb);
    if (rc) {
        arr_unref(&c);
        return rc;
    }
    *out = val_array(&c);
    return 0;
}

/* dot(a, b) with b of 3 or more dimensions (a sum over a's last axis and b's
 * second-to-last), inner(a, b) of stacks (over both last axes): as one matrix product of
 * a as (A, k) and b as (k, B), the result reshaped to NumPy's shape a.shape[:-1] +
 * b's other axes. */
static int nd_product(rt_t *rt, int kind, arr_t *a, arr_t *b, int dt, val_t *out, err_t *err)
{
    int na = a->ndim, nb = b->ndim, kb = kind == LA_INNER ? nb - 1 : nb - 2, axes[ARR_MAXDIM];
    int64_t k = a->shape[na - 1], A = 1, B = 1, shape[2 * ARR_MAXDIM];
    int nd = 0;
    for (int i = 0; i < na - 1; i++) {
        A *= a->shape[i];
        shape[nd++] = a->shape[i];
    }
    /* b with its summed axis first, the others in order */
    axes[0] = kb;
    for (int i = 0, j = 1; i < nb; i++)
        if (i != kb) {
            axes[j++] = i;
            B *= b->shape[i];
            shape[nd++] = b->shape[i];
        }
    if (nd > ARR_MAXDIM)
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "%s(): the result would have %d dimensions, more than %d", fname[kind], nd,
                       ARR_MAXDIM);
    arr_t *a2 = NULL, *bt = NULL, *b2 = NULL, *c = NULL;
    int64_t sa[2] = {A, k}, sb[2] = {k, B};
    val_t r = val_none();
    int rc = arr_reshape(rt, a, 2, sa, &a2, err);
    if (!rc) rc = arr_transpose(rt, b, axes, &bt, err);
    if (!rc) rc = arr_reshape(rt, bt, 2, sb, &b2, err);
    if (!rc) rc = mat_product(rt, a2, b2, dt, &r, err);
    if (!rc) rc = arr_reshape(rt, r.u.a, nd, shape, &c, err);
    val_drop(&r);
    arr_unref(&a2);
    arr_unref(&bt);
    arr_unref(&b2);
    if (rc) return rc;
    *out = val_array(&c);
    return 0;
}

static int to_array(rt_t *rt, const val_t *v, arr_t **out, err_t *err)
{
    if (v->kind == V_ARRAY) {
        *out = arr_ref(v->u.a);
        return 0;
    }
    return arr_from_value(rt, v, -1, NULL, out, err);
}

static int usable(const val_t *v)
{
    return v->kind == V_ARRAY || v->kind == V_LIST || v->kind == V_TUPLE || val_is_num(v);
}

/* dot/inner with a number or a 0-d operand: the elementwise product, as NumPy. */
static int scalar_product(ops_t *ops, int conj, const val_t *a, const val_t *b, val_t *out,
                          err_t *err)
{
    if (!conj) return ops_binop(ops, IR_MUL, a, b, out, err);
    val_t ca = val_none();
    int rc = ops_ufunc(ops, BI_CONJUGATE, a, 1, &ca, err);
    if (!rc) rc = ops_binop(ops, IR_MUL, &ca, b, out, err);
    val_drop(&ca);
    return rc;
}

/* The checks and the NumPy reshaping of each kind; *x and *y become the operands of a
 * plain product (references the caller drops). 1: the vector dot of *x and *y. */
static int prepare(rt_t *rt, int kind, arr_t **x, arr_t **y, err_t *err)
{
    arr_t *a = *x, *b = *y, *t = NULL;
    int na = arr_ndim(a), nb = arr_ndim(b), rc;
    if (kind == LA_VDOT) {
        int64_t sa = arr_size(a), sb = arr_size(b);
        if (sa != sb)
            return err_set(err, PARC_EVALUE, (span_t){0},
                           "cannot reshape array of size %lld into shape (%lld,)", (long long)sb,
                           (long long)sa);
        for (int i = 0; i < 2; i++) {
            arr_t **p = i ? y : x;
            if (arr_ndim(*p) == 1) continue;
            if ((rc = arr_reshape(rt, *p, 1, &sa, &t, err))) return rc;
            arr_unref(p);
            *p = t;
            t = NULL;
        }
        return 1;
    }
    int stack = na > 2 || nb > 2;
    const int64_t *sa = arr_shape(a), *sb = arr_shape(b);
    int da = na - 1, db = kind == LA_INNER ? nb - 1 : nb >= 2 ? nb - 2 : 0;
    if (sa[da] != sb[db]) {
        if (kind != LA_MATMUL) return not_aligned(a, da, b, db, err);
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "matmul: Input operand 1 has a mismatch in its core dimension 0, with "
                       "gufunc signature " SIG " (size %lld is different from %lld)",
                       (long long)sb[db], (long long)sa[da]);
    }
    if (na == 1 && nb == 1) return 1;
    if (stack && (kind == LA_INNER || (kind == LA_DOT && nb > 2))) return 3;
    if (stack) return 2;
    if (kind == LA_INNER && nb == 2) {
        if ((rc = arr_transpose(rt, b, NULL, &t, err))) return rc;
        arr_unref(y);
        *y = t;
    }
    return 0;
}

int la_product(rt_t *rt, ops_t *ops, int kind, const val_t *a, const val_t *b, val_t *out,
               err_t *err)
{
    if (!usable(a) || !usable(b))
        return err_set(err, PARC_ETYPE, (span_t){0},
                       kind == LA_MATMUL ? "unsupported operand type(s) for @: '%s' and '%s'"
                                         : "%s() of '%s' and '%s' is not supported",
                       kind == LA_MATMUL ? val_kind_name(a) : fname[kind],
                       kind == LA_MATMUL ? val_kind_name(b) : val_kind_name(a),
                       kind == LA_MATMUL ? "" : val_kind_name(b));
    int za = a->kind != V_ARRAY ? val_is_num(a) : arr_ndim(a->u.a) == 0;
    int zb = b->kind != V_ARRAY ? val_is_num(b) : arr_ndim(b->u.a) == 0;
    if (kind == LA_MATMUL && (za || zb))
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "matmul: Input operand %d does not have enough dimensions (has 0, gufunc "
                       "core with signature " SIG " requires 1)",
                       za ? 0 : 1);
    if ((kind == LA_DOT || kind == LA_INNER) && (za || zb))
        return scalar_product(ops, 0, a, b, out, err);
    if (kind == LA_VDOT && za && zb) return scalar_product(ops, 1, a, b, out, err);
    arr_t *x = NULL, *y = NULL, *cx = NULL, *cy = NULL;
    int rc = to_array(rt, a, &x, err);
    if (!rc) rc = to_array(rt, b, &y, err);
    if (!rc) rc = prepare(rt, kind, &x, &y, err);
    int dt = x && y ? dt_promote(arr_dtype(x), arr_dtype(y)) : 0;
    int rc2 = rc;
    if (rc == 1) {
        rc = vector_dot(ops, kind == LA_VDOT, x, y, dt, out, err);
    } else if (rc == 0 || rc == 2 || rc == 3) {
        rc = 0;
        if (arr_dtype(x) != dt) rc = arr_astype(rt, x, dt, &cx, err);
        if (!rc && arr_dtype(y) != dt) rc = arr_astype(rt, y, dt, &cy, err);
        if (!rc && rc2 == 3)
            rc = nd_product(rt, kind, cx ? cx : x, cy ? cy : y, dt, out, err);
        else if (!rc && rc2 == 2)
            rc = stack_product(rt, ops, cx ? cx : x, cy ? cy : y, dt, out, err);
        else if (!rc)
            rc = mat_product(rt, cx ? cx : x, cy ? cy : y, dt, out, err);
    }
    arr_unref(&x);
    arr_unref(&y);
    arr_unref(&cx);
    arr_unref(&cy);
    return rc;
}

int la_outer(rt_t *rt, ops_t *ops, const val_t *a, const val_t *b, val_t *out, err_t *err)
{
    if (!usable(a) || !usable(b))
        return err_set(err, PARC_ETYPE, (span_t){0}, "outer() of '%s' and '%s' is not supported",
                       val_kind_name(a), val_kind_name(b));
    arr_t *x = NULL, *y = NULL, *cx = NULL, *cy = NULL;
    int rc = to_array(rt, a, &x, err);
    if (!rc) rc = to_array(rt, b, &y, err);
    if (!rc) {
        int64_t sx[2] = {arr_size(x), 1}, sy[2] = {1, arr_size(y)};
        rc = arr_reshape(rt, x, 2, sx, &cx, err);
        if (!rc) rc = arr_reshape(rt, y, 2, sy, &cy, err);
    }
    if (!rc) {
        val_t vx = {.kind = V_ARRAY, .u.a = cx}, vy = {.kind = V_ARRAY, .u.a = cy};
        rc = ops_binop(ops, IR_MUL, &vx, &vy, out, err);
    }
    arr_unref(&x);
    arr_unref(&y);
    arr_unref(&cx);
    arr_unref(&cy);
    return rc;
}
