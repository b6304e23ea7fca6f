/* lasolve.c - the solvers of linalg.* (see la.h) on ScaLAPACK: solve (p?gesv), inv
 * (p?getrf, p?getri), det (p?getrf, then NumPy's own formula: the sign and the sum of the
 * logs of the pivots, in index order), cholesky (p?potrf), qr (p?geqrf, p?orgqr/p?ungqr),
 * svd (p?gesvd; full_matrices=True of a non-square matrix completes U or Vh with the QR
 * factors of the part p?gesvd gives, the other singular vectors being any orthonormal
 * basis of the rest, as in LAPACK), eigh (p?syevd/p?heevd) and lstsq (p?gels, with p?gesvd
 * for the rank and the singular values NumPy also returns).
 *
 * Every matrix goes to the block-cyclic layout of lagrid.c on one grid of all the engines
 * (in local view a 1 x 1 grid of the engine alone), every routine is called by every rank
 * of the grid, and the results come back in the default rows. Only the double precision
 * routines are used: float32 input is solved in float64 and its results rounded back to
 * float32 (NumPy's single precision LAPACK gives float32 results too, a little less
 * accurate), integers and bools are solved as float64, as NumPy does. ScaLAPACK's INFO is
 * agreed over the ranks before anything depends on it, so a singular matrix is the same
 * LinAlgError on every engine. */
#include "la.h"
#include "lapriv.h"

#include <complex.h>
#include <math.h>
#include <string.h>

#include "builtins.h"
#include "coll.h"
#include "mem.h"

/* ScaLAPACK's Fortran routines (d: double, z: double complex; matrices as void *). The
 * trailing size_t arguments are the hidden lengths of the character arguments. */
typedef void gesv_fn(const int *n, const int *nrhs, void *a, const int *ia, const int *ja,
                     const int *desca, int *ipiv, void *b, const int *ib, const int *jb,
                     const int *descb, int *info);
typedef void getrf_fn(const int *m, const int *n, void *a, const int *ia, const int *ja,
                      const int *desca, int *ipiv, int *info);
typedef void getri_fn(const int *n, void *a, const int *ia, const int *ja, const int *desca,
                      const int *ipiv, void *work, const int *lwork, int *iwork, const int *liwork,
                      int *info);
typedef void potrf_fn(const char *uplo, const int *n, void *a, const int *ia, const int *ja,
                      const int *desca, int *info, size_t);
typedef void geqrf_fn(const int *m, const int *n, void *a, const int *ia, const int *ja,
                      const int *desca, void *tau, void *work, const int *lwork, int *info);
typedef void orgqr_fn(const int *m, const int *n, const int *k, void *a, const int *ia,
                      const int *ja, const int *desca, const void *tau, void *work,
                      const int *lwork, int *info);
typedef void gels_fn(const char *trans, const int *m, const int *n, const int *nrhs, void *a,
                     const int *ia, const int *ja, const int *desca, void *b, const int *ib,
                     const int *jb, const int *descb, void *work, const int *lwork, int *info,
                     size_t);
gesv_fn pdgesv_, pzgesv_;
getrf_fn pdgetrf_, pzgetrf_;
getri_fn pdgetri_, pzgetri_;
potrf_fn pdpotrf_, pzpotrf_;
geqrf_fn pdgeqrf_, pzgeqrf_;
orgqr_fn pdorgqr_, pzungqr_;
gels_fn pdgels_, pzgels_;
void pdtran_(const int *m, const int *n, const void *alpha, const void *a, const int *ia,
             const int *ja, const int *desca, const void *beta, void *c, const int *ic,
             const int *jc, const int *descc);
void pztranc_(const int *m, const int *n, const void *alpha, const void *a, const int *ia,
              const int *ja, const int *desca, const void *beta, void *c, const int *ic,
              const int *jc, const int *descc);
void pdgesvd_(const char *jobu, const char *jobvt, const int *m, const int *n, void *a,
              const int *ia, const int *ja, const int *desca, double *s, void *u, const int *iu,
              const int *ju, const int *descu, void *vt, const int *ivt, const int *jvt,
              const int *descvt, void *work, const int *lwork, int *info, size_t, size_t);
void pzgesvd_(const char *jobu, const char *jobvt, const int *m, const int *n, void *a,
              const int *ia, const int *ja, const int *desca, double *s, void *u, const int *iu,
              const int *ju, const int *descu, void *vt, const int *ivt, const int *jvt,
              const int *descvt, void *work, const int *lwork, double *rwork, int *info, size_t,
              size_t);
void pdsyevd_(const char *jobz, const char *uplo, const int *n, void *a, const int *ia,
              const int *ja, const int *desca, double *w, void *z, const int *iz, const int *jz,
              const int *descz, void *work, const int *lwork, int *iwork, const int *liwork,
              int *info, size_t, size_t);
void pzheevd_(const char *jobz, const char *uplo, const int *n, void *a, const int *ia,
              const int *ja, const int *desca, double *w, void *z, const int *iz, const int *jz,
              const int *descz, void *work, const int *lwork, double *rwork, const int *lrwork,
              int *iwork, const int *liwork, int *info, size_t, size_t);

static const int ONE = 1;

/* One solver call's state: the grid, the dtypes, and up to four matrices. */
typedef struct {
    rt_t *rt;
    la_grid_t g;
    int in_dt; /* the input's dtype (after the int -> float64 rule) */
    int dt;    /* the dtype ScaLAPACK computes in: DT_FLOAT64 or DT_COMPLEX128 */
    int cplx;
    int nb;
    bc_t m[4];
} job_t;

static int linalg_error(err_t *err, const char *msg)
{
    return err_set(err, PARC_ELINALG, (span_t){0}, "%s", msg);
}

/* NumPy's checks of a stack of matrices: at least 2-d, square when asked; more than 2-d
 * (a stack) is not available. */
static int check_matrix(const arr_t *a, int square, err_t *err)
{
    int nd = arr_ndim(a);
    if (nd < 2)
        return err_set(err, PARC_ELINALG, (span_t){0},
                       "%d-dimensional array given. Array must be at least two-dimensional", nd);
    if (square && arr_shape(a)[nd - 1] != arr_shape(a)[nd - 2])
        return linalg_error(err, "Last 2 dimensions of the array must be square");
    if (nd > 2)
        return err_set(err, PARC_ENOTIMPL, (span_t){0},
                       "linalg of stacks of matrices (more than 2 dimensions) is not available "
                       "yet");
    return 0;
}

/* Starts a job on matrices of these dimensions: the grid, the dtypes from a's. */
static int job_begin(rt_t *rt, job_t *j, const arr_t *a, int64_t m, int64_t n, int64_t k,
                     err_t *err)
{
    memset(j, 0, sizeof *j);
    j->rt = rt;
    int dt = arr_dtype(a);
    j->in_dt = dt == DT_FLOAT32 || dt == DT_COMPLEX128 ? dt : DT_FLOAT64;
    j->dt = dt == DT_COMPLEX128 ? DT_COMPLEX128 : DT_FLOAT64;
    j->cplx = j->dt == DT_COMPLEX128;
    if (!la_blas_fits(m, n, k))
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "matrix dimensions of more than 2**31 - 1 are not supported");
    /* P <= Q: a panel of columns then sits on fewer grid rows, so the pivot search and
     * the Householder vectors of p?getrf, p?geqrf ... need fewer messages (on 2 engines,
     * none: one engine holds the whole panel) */
    int dims[2] = {0, 0};
    if (!rt->local && MPI_Dims_create(rt->nranks, 2, dims) != MPI_SUCCESS)
        return err_set(err, PARC_EMPI, (span_t){0}, "MPI_Dims_create failed");
    int rc = la_grid_new(rt, rt->local ? 0 : dims[1], &j->g, err);
    if (!rc) j->nb = la_block(&j->g, m, n, k);
    return rc;
}

static void job_end(job_t *j)
{
    for (int i = 0; i < 4; i++)
        la_bc_free(&j->m[i]);
    la_grid_free(&j->g);
}

/* Agreement of a step's code over the grid's ranks (nothing to agree in local view). */
static int agree(job_t *j, int rc, err_t *err)
{
    return j->g.local ? rc : arri_agree(j->rt, rc, err);
}

/* ScaLAPACK's INFO, the largest over the ranks (they should all have the same). */
static int agree_info(job_t *j, int info)
{
    if (j->g.local) return info;
    if (info < 0) return info;
    return -coll_agree(j->rt, -info);
}

/* Allocated workspace of n elements of es bytes (at least one), agreed. */
static void *work_alloc(job_t *j, double n, size_t es, int *rc, err_t *err)
{
    void *p = NULL;
    if (!*rc) {
        size_t cnt = n >= 1 && n < 1e15 ? (size_t)n : 1;
        p = mem_calloc(cnt, es);
        if (!p) *rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    }
    *rc = agree(j, *rc, err);
    return p;
}

/* Matrix i of the job as a new array of the input's dtype (rounded back from float64 for
 * float32), in the default rows; a (n x 1) matrix as a 1-d array when vec. */
static int result(job_t *j, int i, int vec, arr_t **out, err_t *err)
{
    arr_t *a = NULL, *c = NULL;
    int rc = la_from_bc(j->rt, &j->g, &j->m[i], &a, err);
    if (!rc && j->in_dt != j->dt) {
        rc = arr_astype(j->rt, a, j->in_dt, &c, err);
        arr_unref(&a);
        a = c;
    }
    if (!rc && vec) {
        int64_t n = arr_shape(a)[0];
        rc = arr_reshape(j->rt, a, 1, &n, &c, err);
        arr_unref(&a);
        a = c;
    }
    if (rc) {
        arr_unref(&a);
        return rc;
    }
    *out = a;
    return 0;
}

/* A replicated vector (the same on every rank: singular values, eigenvalues) of n doubles
 * as a distributed 1-d array of dtype dt (float64 or float32). */
static int vector_result(rt_t *rt, const double *v, int64_t n, int dt, arr_t **out, err_t *err)
{
    arr_t *l = NULL;
    int rc = arri_new(rt, 1, &n, dt, 0, NULL, &l, err);
    if (!rt->local) rc = arri_agree(rt, rc, err);
    if (rc) return rc;
    for (int64_t i = 0; i < n; i++)
        arri_store(dt, (char *)arri_base(l) + (size_t)i * dt_size(dt), (double[2]){v[i], 0});
    if (rt->local) {
        *out = l;
        return 0;
    }
    rc = la_scatter(rt, l, out, err);
    arr_unref(&l);
    return rc;
}

/* b as a matrix (n x 1 for a vector): a new reference. */
static int as_column(rt_t *rt, const arr_t *b, arr_t **out, err_t *err)
{
    if (arr_ndim(b) == 2) {
        *out = arr_ref((arr_t *)b);
        return 0;
    }
    int64_t s[2] = {arr_shape(b)[0], 1};
    return arr_reshape(rt, (arr_t *)b, 2, s, out, err);
}

static val_t tuple_of(arr_t **items, int n, err_t *err)
{
    val_t t = val_seq(V_TUPLE, (size_t)n, err);
    if (t.kind != V_TUPLE) {
        for (int i = 0; i < n; i++)
            arr_unref(&items[i]);
        return t;
    }
    seq_t *s = (seq_t *)t.u.o;
    for (int i = 0; i < n; i++)
        s->v[i] = val_array(&items[i]);
    return t;
}

/* ---- solve, inv, det ---- */

int la_solve(rt_t *rt, const arr_t *a, const arr_t *b, val_t *out, err_t *err)
{
    int rc = check_matrix(a, 1, err);
    if (rc) return rc;
    int64_t n = arr_shape(a)[0];
    int vec = arr_ndim(b) == 1;
    if (arr_ndim(b) == 0 || arr_ndim(b) > 2)
        return err_set(err, arr_ndim(b) ? PARC_ENOTIMPL : PARC_EVALUE, (span_t){0},
                       arr_ndim(b) ? "solve() of stacks of right-hand sides is not available yet"
                                   : "solve: Input operand 1 does not have enough dimensions "
                                     "(has 0, gufunc core with signature (m,m),(m,n)->(m,n) "
                                     "requires 2)");
    if (arr_shape(b)[0] != n)
        return err_set(err, PARC_EVALUE, (span_t){0},
                       vec ? "solve1: Input operand 1 has a mismatch in its core dimension 0, "
                             "with gufunc signature (m,m),(m)->(m) (size %lld is different "
                             "from %lld)"
                           : "solve: Input operand 1 has a mismatch in its core dimension 0, "
                             "with gufunc signature (m,m),(m,n)->(m,n) (size %lld is different "
                             "from %lld)",
                       (long long)arr_shape(b)[0], (long long)n);
    int64_t k = vec ? 1 : arr_shape(b)[1];
    arr_t *b2 = NULL, *x = NULL;
    job_t j;
    int bd = arr_dtype(b) == DT_COMPLEX128 ? DT_COMPLEX128 : DT_FLOAT64;
    if ((rc = job_begin(rt, &j, a, n, n, k, err))) return rc;
    if (bd == DT_COMPLEX128 && !j.cplx) {
        /* a real a and a complex b: solved in complex, as NumPy's result type says */
        j.dt = DT_COMPLEX128;
        j.cplx = 1;
    }
    if (arr_dtype(b) == DT_COMPLEX128 || j.in_dt == DT_COMPLEX128)
        j.in_dt = DT_COMPLEX128;
    else if (j.in_dt == DT_FLOAT32 && arr_dtype(b) != DT_FLOAT32)
        j.in_dt = arr_dtype(b) == DT_FLOAT64 ? DT_FLOAT64 : DT_FLOAT32;
    rc = as_column(rt, b, &b2, err);
    if (!rc) rc = la_to_bc(rt, &j.g, a, j.dt, j.nb, &j.m[0], err);
    if (!rc) rc = la_to_bc(rt, &j.g, b2, j.dt, j.nb, &j.m[1], err);
    int *ipiv = work_alloc(&j, (double)j.m[0].lr + j.nb, sizeof(int), &rc, err);
    if (!rc && n > 0 && k > 0) {
        int in = (int)n, ik = (int)k, info = 0;
        (j.cplx ? pzgesv_ : pdgesv_)(&in, &ik, j.m[0].p, &ONE, &ONE, j.m[0].desc, ipiv, j.m[1].p,
                                     &ONE, &ONE, j.m[1].desc, &info);
        info = agree_info(&j, info);
        if (info > 0) rc = linalg_error(err, "Singular matrix");
        if (info < 0) rc = err_set(err, PARC_ERUNTIME, (span_t){0}, "p?gesv: INFO %d", info);
    }
    mem_free(ipiv);
    if (!rc) rc = result(&j, 1, vec, &x, err);
    job_end(&j);
    arr_unref(&b2);
    if (!rc) *out = val_array(&x);
    return rc;
}

/* p?getrf of j->m[0] (n x n) into *ipiv (caller frees). *info: ScaLAPACK's, agreed. */
static int lu(job_t *j, int64_t n, int **ipiv, int *info, err_t *err)
{
    int rc = 0;
    *ipiv = work_alloc(j, (double)j->m[0].lr + j->nb, sizeof(int), &rc, err);
    *info = 0;
    if (!rc && n > 0) {
        int in = (int)n;
        (j->cplx ? pzgetrf_ : pdgetrf_)(&in, &in, j->m[0].p, &ONE, &ONE, j->m[0].desc, *ipiv, info);
        *info = agree_info(j, *info);
        if (*info < 0) rc = err_set(err, PARC_ERUNTIME, (span_t){0}, "p?getrf: INFO %d", *info);
    }
    return rc;
}

/* The LU factors of square a in j->m[0] (a job begun here: end it with job_end unless
 * this returns before the job starts, *started 0). */
static int lu_of(rt_t *rt, const arr_t *a, job_t *j, int *started, int64_t *n, int **ipiv,
                 int *info, err_t *err)
{
    *started = 0;
    int rc = check_matrix(a, 1, err);
    if (rc) return rc;
    *n = arr_shape(a)[0];
    if ((rc = job_begin(rt, j, a, *n, *n, *n, err))) return rc;
    *started = 1;
    rc = la_to_bc(rt, &j->g, a, j->dt, j->nb, &j->m[0], err);
    if (!rc) rc = lu(j, *n, ipiv, info, err);
    return rc;
}

int la_inv(rt_t *rt, const arr_t *a, val_t *out, err_t *err)
{
    job_t j;
    arr_t *x = NULL;
    int *ipiv = NULL, info = 0, started;
    int64_t n = 0;
    int rc = lu_of(rt, a, &j, &started, &n, &ipiv, &info, err);
    if (!started) return rc;
    if (!rc && info > 0) rc = linalg_error(err, "Singular matrix");
    if (!rc && n > 0) {
        int in = (int)n, lwork = -1, liwork = -1, iq = 0;
        double q[2] = {0, 0};
        (j.cplx ? pzgetri_ : pdgetri_)(&in, j.m[0].p, &ONE, &ONE, j.m[0].desc, ipiv, q, &lwork, &iq,
                                       &liwork, &info);
        lwork = (int)q[0] + 1;
        liwork = iq + 1;
        void *work = work_alloc(&j, lwork, dt_size(j.dt), &rc, err);
        int *iwork = work_alloc(&j, liwork, sizeof(int), &rc, err);
        if (!rc) {
            (j.cplx ? pzgetri_ : pdgetri_)(&in, j.m[0].p, &ONE, &ONE, j.m[0].desc, ipiv, work,
                                           &lwork, iwork, &liwork, &info);
            info = agree_info(&j, info);
            if (info > 0) rc = linalg_error(err, "Singular matrix");
            if (info < 0) rc = err_set(err, PARC_ERUNTIME, (span_t){0}, "p?getri: INFO %d", info);
        }
        mem_free(work);
        mem_free(iwork);
    }
    mem_free(ipiv);
    if (!rc) rc = result(&j, 0, 0, &x, err);
    job_end(&j);
    if (!rc) *out = val_array(&x);
    return rc;
}

/* The pivots of this rank's rows of the LU factors (process column 0 only, so that each
 * row counts once): how many rows were swapped. */
static int64_t own_swaps(const job_t *j, const int *ipiv)
{
    if (j->g.mycol != 0) return 0;
    int64_t s = 0;
    for (int li = 0; li < j->m[0].lr; li++) {
        int64_t blk = li / j->nb, off = li % j->nb;
        int64_t gi = (blk * j->g.P + j->g.myrow) * j->nb + off;
        s += ipiv[li] != gi + 1;
    }
    return s;
}

int la_det(rt_t *rt, const arr_t *a, val_t *out, err_t *err)
{
    job_t j;
    arr_t *f = NULL;
    int *ipiv = NULL, info = 0, started;
    int64_t n = 0;
    int rc = lu_of(rt, a, &j, &started, &n, &ipiv, &info, err);
    if (!started) return rc;
    int64_t swaps = !rc ? own_swaps(&j, ipiv) : 0;
    mem_free(ipiv);
    if (!rc && !j.g.local) rc = coll_sum_i64(rt, &swaps, 1, err);
    if (!rc) rc = la_from_bc(rt, &j.g, &j.m[0], &f, err);
    job_end(&j);
    double *u = NULL;
    if (!rc) rc = la_diag(rt, f, &u, err);
    arr_unref(&f);
    if (rc) return rc;
    /* NumPy's det: the sign times exp of the sum of log|u_ii|, both in index order */
    double complex sign = swaps % 2 ? -1 : 1;
    double logdet = 0;
    for (int64_t i = 0; i < n && info == 0; i++) {
        double complex x; /* (re, im) pairs are a double complex's layout; no CMPLX in clang */
        memcpy(&x, u + 2 * i, sizeof x);
        double ax = cabs(x);
        sign *= x / ax;
        logdet += log(ax);
    }
    mem_free(u);
    double complex r = info ? 0 : sign * exp(logdet);
    if (j.in_dt == DT_COMPLEX128)
        *out = arri_num_to_val(DT_COMPLEX128, (double[2]){creal(r), cimag(r)}, 0);
    else
        *out = arri_num_to_val(j.in_dt, (double[2]){creal(r), 0}, 0);
    return 0;
}

/* ---- cholesky, qr, svd, eigh ---- */

/* Global index of local index l along a block-cyclic dimension (block nb, p places, this
 * rank at place me). */
static int64_t bc_g2(int64_t l, int nb, int p, int me)
{
    return (l / nb * p + me) * nb + l % nb;
}

/* Zeroes the part of matrix x strictly above (upper = 1) or below the diagonal. */
static void zero_triangle(const job_t *j, bc_t *x, int upper)
{
    size_t es = dt_size(x->dtype);
    for (int lj = 0; lj < x->lc; lj++) {
        int64_t gj = bc_g2(lj, x->nb, j->g.Q, j->g.mycol);
        for (int li = 0; li < x->lr; li++) {
            int64_t gi = bc_g2(li, x->nb, j->g.P, j->g.myrow);
            if (upper ? gj > gi : gi > gj)
                memset((char *)x->p + ((size_t)lj * (size_t)x->lld + (size_t)li) * es, 0, es);
        }
    }
}

int la_cholesky(rt_t *rt, const arr_t *a, val_t *out, err_t *err)
{
    int rc = check_matrix(a, 1, err);
    if (rc) return rc;
    int64_t n = arr_shape(a)[0];
    job_t j;
    arr_t *l = NULL;
    if ((rc = job_begin(rt, &j, a, n, n, n, err))) return rc;
    rc = la_to_bc(rt, &j.g, a, j.dt, j.nb, &j.m[0], err);
    if (!rc && n > 0) {
        int in = (int)n, info = 0;
        (j.cplx ? pzpotrf_ : pdpotrf_)("L", &in, j.m[0].p, &ONE, &ONE, j.m[0].desc, &info, 1);
        info = agree_info(&j, info);
        if (info > 0) rc = linalg_error(err, "Matrix is not positive definite");
        if (info < 0) rc = err_set(err, PARC_ERUNTIME, (span_t){0}, "p?potrf: INFO %d", info);
    }
    if (!rc) zero_triangle(&j, &j.m[0], 1);
    if (!rc) rc = result(&j, 0, 0, &l, err);
    job_end(&j);
    if (!rc) *out = val_array(&l);
    return rc;
}

/* x[r0:r1, c0:c1] of a 2-d array as a new array in the default layout. */
static int sub(rt_t *rt, arr_t *x, int64_t r1, int64_t c1, arr_t **out, err_t *err)
{
    if (arr_shape(x)[0] == r1 && arr_shape(x)[1] == c1) {
        *out = arr_ref(x);
        return 0;
    }
    idx_t idx[2];
    memset(idx, 0, sizeof idx);
    idx[0].kind = idx[1].kind = IDX_SLICE;
    idx[0].has_stop = idx[1].has_stop = 1;
    idx[0].stop = r1;
    idx[1].stop = c1;
    idx[0].step = idx[1].step = 1;
    val_t v = val_none();
    int rc = arr_getitem(rt, x, idx, 2, &v, err);
    if (!rc) rc = arr_copy(rt, v.u.a, out, err);
    val_drop(&v);
    return rc;
}

/* p?geqrf of x in place; *tau (caller frees) the reflectors' scalars. */
static int qr_factor(job_t *j, bc_t *x, void **tau, err_t *err)
{
    int rc = 0;
    size_t es = dt_size(j->dt);
    *tau = work_alloc(j, (double)x->lc + j->nb, es, &rc, err);
    int im = (int)x->m, in = (int)x->n, lwork = -1, info = 0;
    double q[2] = {0, 0};
    if (rc || x->m == 0 || x->n == 0) return rc;
    geqrf_fn *f = j->cplx ? pzgeqrf_ : pdgeqrf_;
    f(&im, &in, x->p, &ONE, &ONE, x->desc, *tau, q, &lwork, &info);
    lwork = (int)q[0] + 1;
    void *work = work_alloc(j, lwork, es, &rc, err);
    if (!rc) f(&im, &in, x->p, &ONE, &ONE, x->desc, *tau, work, &lwork, &info);
    mem_free(work);
    return rc;
}

/* *q (m x ncols, min(m, n) <= ncols <= m) = the first ncols columns of the product of the
 * reflectors of x (m x n, factored by qr_factor): p?orgqr / p?ungqr. */
static int qr_q(job_t *j, const bc_t *x, const void *tau, int64_t ncols, bc_t *q, err_t *err)
{
    int64_t k = x->m < x->n ? x->m : x->n;
    int rc = agree(j, la_bc_new(j->rt, &j->g, x->m, ncols, j->dt, j->nb, q, err), err);
    if (rc || k == 0) return rc;
    /* the reflectors are x's first columns: same rows, and the leading columns are dealt
     * the same way in both, so they sit at the same local places */
    size_t es = dt_size(j->dt);
    int lc = x->lc < q->lc ? x->lc : q->lc;
    memcpy(q->p, x->p, (size_t)x->lld * (size_t)lc * es);
    int im = (int)x->m, in = (int)ncols, ik = (int)k, lwork = -1, info = 0;
    double w[2] = {0, 0};
    orgqr_fn *f = j->cplx ? pzungqr_ : pdorgqr_;
    f(&im, &in, &ik, q->p, &ONE, &ONE, q->desc, tau, w, &lwork, &info);
    lwork = (int)w[0] + 1;
    void *work = work_alloc(j, lwork, es, &rc, err);
    if (!rc) f(&im, &in, &ik, q->p, &ONE, &ONE, q->desc, tau, work, &lwork, &info);
    mem_free(work);
    return rc;
}

/* The k scalars of x's reflectors (tau, kept by ScaLAPACK beside each local column) on
 * every rank, as a new array of k elements of the input's dtype: each comes from the rank
 * that holds its diagonal element (where p?larfg made it), the others adding zeros. */
static int tau_result(job_t *j, const bc_t *x, const void *tau, int64_t k, arr_t **out, err_t *err)
{
    int nb = x->nb;
    size_t es = dt_size(j->dt);
    double *v = mem_calloc((size_t)(k > 0 ? k : 1) * 2, sizeof *v);
    int rc = agree(j, v ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory"), err);
    if (rc) {
        mem_free(v);
        return rc;
    }
    for (int64_t lj = 0; lj < x->lc; lj++) {
        int64_t g = ((lj / nb) * j->g.Q + j->g.mycol) * nb + lj % nb;
        if (g < k && (g / nb) % j->g.P == j->g.myrow)
            memcpy((char *)v + (size_t)g * es, (const char *)tau + (size_t)lj * es, es);
    }
    if (!j->g.local) rc = coll_reduce_f64(j->rt, v, 2 * k, COLL_SUM, err);
    arr_t *t = NULL, *c = NULL;
    if (!rc) rc = agree(j, arri_new(j->rt, 1, &k, j->dt, 0, NULL, &t, err), err);
    if (!rc) memcpy(arri_base(t), v, (size_t)k * es);
    mem_free(v);
    if (!rc && j->in_dt != j->dt) {
        rc = arr_astype(j->rt, t, j->in_dt, &c, err);
        arr_unref(&t);
        t = c;
    }
    if (!rc && !j->g.local) {
        rc = la_scatter(j->rt, t, &c, err);
        arr_unref(&t);
        t = c;
    }
    if (rc) {
        arr_unref(&t);
        return rc;
    }
    *out = t;
    return 0;
}

/* mode='raw': (h, tau) as NumPy's, h the factored matrix transposed (n x m: the reflectors
 * in its rows, R in its upper part). */
static int qr_raw(job_t *j, int64_t k, const void *tau, val_t *out, err_t *err)
{
    arr_t *items[2] = {NULL, NULL}, *f = NULL;
    int rc = result(j, 0, 0, &f, err);
    if (!rc) rc = arr_transpose(j->rt, f, NULL, &items[0], err);
    arr_unref(&f);
    if (!rc) rc = tau_result(j, &j->m[0], tau, k, &items[1], err);
    if (rc) {
        arr_unref(&items[0]);
        arr_unref(&items[1]);
        return rc;
    }
    *out = tuple_of(items, 2, err);
    return out->kind == V_TUPLE ? 0 : err->code;
}

int la_qr(rt_t *rt, const arr_t *a, int mode, val_t *out, err_t *err)
{
    int rc = check_matrix(a, 0, err);
    if (rc) return rc;
    int64_t m = arr_shape(a)[0], n = arr_shape(a)[1], k = m < n ? m : n;
    int64_t kq = mode == LA_QR_COMPLETE ? m : k; /* Q's columns, R's rows */
    job_t j;
    arr_t *f = NULL, *items[2] = {NULL, NULL};
    void *tau = NULL;
    if ((rc = job_begin(rt, &j, a, m, n, k, err))) return rc;
    rc = la_to_bc(rt, &j.g, a, j.dt, j.nb, &j.m[0], err);
    if (!rc) rc = qr_factor(&j, &j.m[0], &tau, err);
    if (mode == LA_QR_RAW) {
        if (!rc) rc = qr_raw(&j, k, tau, out, err);
        mem_free(tau);
        job_end(&j);
        return rc;
    }
    /* R: the upper triangle of the factored matrix, its first kq rows */
    if (!rc) rc = agree(&j, la_bc_new(rt, &j.g, m, n, j.dt, j.nb, &j.m[1], err), err);
    if (!rc) {
        memcpy(j.m[1].p, j.m[0].p,
               (size_t)j.m[0].lld * (size_t)(j.m[0].lc > 0 ? j.m[0].lc : 1) * dt_size(j.dt));
        zero_triangle(&j, &j.m[1], 0);
        rc = result(&j, 1, 0, &f, err);
    }
    if (!rc) rc = sub(rt, f, kq, n, &items[1], err);
    arr_unref(&f);
    if (!rc && mode != LA_QR_R) rc = qr_q(&j, &j.m[0], tau, kq, &j.m[2], err);
    if (!rc && mode != LA_QR_R) rc = result(&j, 2, 0, &items[0], err);
    mem_free(tau);
    job_end(&j);
    if (rc) {
        arr_unref(&items[0]);
        arr_unref(&items[1]);
        return rc;
    }
    if (mode == LA_QR_R) {
        *out = val_array(&items[1]);
        return 0;
    }
    *out = tuple_of(items, 2, err);
    return out->kind == V_TUPLE ? 0 : err->code;
}

/* *out (c x r) = the conjugate transpose of x (r x c): p?tran / p?tranc. */
static int tranc(job_t *j, const bc_t *x, bc_t *out, err_t *err)
{
    int rc = agree(j, la_bc_new(j->rt, &j->g, x->n, x->m, j->dt, j->nb, out, err), err);
    if (rc || x->m == 0 || x->n == 0) return rc;
    int im = (int)x->n, in = (int)x->m;
    double one[2] = {1, 0}, zero[2] = {0, 0};
    (j->cplx ? pztranc_ : pdtran_)(&im, &in, one, x->p, &ONE, &ONE, x->desc, zero, out->p, &ONE,
                                   &ONE, out->desc);
    return 0;
}

/* *out (p x p) = u (p x q, p > q, orthonormal columns) completed to a unitary matrix: u's
 * columns first, then an orthonormal basis of the rest (from the QR factors of u). */
static int complete_cols(job_t *j, const bc_t *u, bc_t *out, err_t *err)
{
    bc_t w = {0};
    void *tau = NULL;
    size_t es = dt_size(j->dt);
    int rc = agree(j, la_bc_new(j->rt, &j->g, u->m, u->n, j->dt, j->nb, &w, err), err);
    if (!rc) memcpy(w.p, u->p, (size_t)u->lld * (size_t)(u->lc > 0 ? u->lc : 1) * es);
    if (!rc) rc = qr_factor(j, &w, &tau, err);
    if (!rc) rc = qr_q(j, &w, tau, u->m, out, err);
    if (!rc) memcpy(out->p, u->p, (size_t)u->lld * (size_t)u->lc * es);
    mem_free(tau);
    la_bc_free(&w);
    return rc;
}

/* full_matrices=True of a non-square matrix: U (tall) or Vh (wide) completed. */
static int svd_complete(job_t *j, err_t *err)
{
    bc_t *u = &j->m[1], *vt = &j->m[2], v = {0}, c = {0};
    int rc;
    if (u->m > u->n) {
        rc = complete_cols(j, u, &c, err);
        if (!rc) {
            la_bc_free(u);
            *u = c;
        }
        return rc;
    }
    rc = tranc(j, vt, &v, err);
    if (!rc) rc = complete_cols(j, &v, &c, err);
    if (!rc) {
        la_bc_free(vt);
        rc = tranc(j, &c, vt, err);
    }
    la_bc_free(&v);
    la_bc_free(&c);
    return rc;
}

int la_svd(rt_t *rt, const arr_t *a, int full, int uv, val_t *out, err_t *err)
{
    int rc = check_matrix(a, 0, err);
    if (rc) return rc;
    int64_t m = arr_shape(a)[0], n = arr_shape(a)[1], k = m < n ? m : n;
    job_t j;
    arr_t *items[3] = {NULL, NULL, NULL};
    if ((rc = job_begin(rt, &j, a, m, n, k, err))) return rc;
    rc = la_to_bc(rt, &j.g, a, j.dt, j.nb, &j.m[0], err);
    if (!rc && uv) rc = agree(&j, la_bc_new(rt, &j.g, m, k, j.dt, j.nb, &j.m[1], err), err);
    if (!rc && uv) rc = agree(&j, la_bc_new(rt, &j.g, k, n, j.dt, j.nb, &j.m[2], err), err);
    double *s = work_alloc(&j, (double)k, sizeof(double), &rc, err);
    if (!rc && k > 0) {
        int im = (int)m, in = (int)n, lwork = -1, info = 0;
        const char *job = uv ? "V" : "N";
        double q[4] = {0, 0, 0, 0};
        double *rq = q + 2;
        bc_t *u = &j.m[uv ? 1 : 0], *vt = &j.m[uv ? 2 : 0];
        if (j.cplx)
            pzgesvd_(job, job, &im, &in, j.m[0].p, &ONE, &ONE, j.m[0].desc, s, u->p, &ONE, &ONE,
                     u->desc, vt->p, &ONE, &ONE, vt->desc, q, &lwork, rq, &info, 1, 1);
        else
            pdgesvd_(job, job, &im, &in, j.m[0].p, &ONE, &ONE, j.m[0].desc, s, u->p, &ONE, &ONE,
                     u->desc, vt->p, &ONE, &ONE, vt->desc, q, &lwork, &info, 1, 1);
        lwork = (int)q[0] + 1;
        double nr = rq[0] > 1 + 4.0 * (double)(m > n ? m : n) ? rq[0] : 1 + 4.0 * (m > n ? m : n);
        void *work = work_alloc(&j, lwork, dt_size(j.dt), &rc, err);
        double *rwork = j.cplx ? work_alloc(&j, nr, sizeof(double), &rc, err) : NULL;
        if (!rc) {
            int old = rt_wait_begin(rt, RT_COLLECTIVE);
            if (j.cplx)
                pzgesvd_(job, job, &im, &in, j.m[0].p, &ONE, &ONE, j.m[0].desc, s, u->p, &ONE, &ONE,
                         u->desc, vt->p, &ONE, &ONE, vt->desc, work, &lwork, rwork, &info, 1, 1);
            else
                pdgesvd_(job, job, &im, &in, j.m[0].p, &ONE, &ONE, j.m[0].desc, s, u->p, &ONE, &ONE,
                         u->desc, vt->p, &ONE, &ONE, vt->desc, work, &lwork, &info, 1, 1);
            rt_wait_end(rt, old);
            info = agree_info(&j, info);
            if (info > 0) rc = linalg_error(err, "SVD did not converge");
            if (info < 0) rc = err_set(err, PARC_ERUNTIME, (span_t){0}, "p?gesvd: INFO %d", info);
        }
        mem_free(work);
        mem_free(rwork);
    }
    if (!rc && uv && full && m != n) rc = svd_complete(&j, err);
    int sdt = j.in_dt == DT_FLOAT32 ? DT_FLOAT32 : DT_FLOAT64;
    if (!rc) rc = vector_result(rt, s, k, sdt, &items[1], err);
    mem_free(s);
    if (!rc && uv) rc = result(&j, 1, 0, &items[0], err);
    if (!rc && uv) rc = result(&j, 2, 0, &items[2], err);
    job_end(&j);
    if (rc) {
        for (int i = 0; i < 3; i++)
            arr_unref(&items[i]);
        return rc;
    }
    if (!uv) {
        *out = val_array(&items[1]);
        return 0;
    }
    *out = tuple_of(items, 3, err);
    return out->kind == V_TUPLE ? 0 : err->code;
}

int la_eigh(rt_t *rt, const arr_t *a, int upper, val_t *out, err_t *err)
{
    int rc = check_matrix(a, 1, err);
    if (rc) return rc;
    int64_t n = arr_shape(a)[0];
    job_t j;
    arr_t *items[2] = {NULL, NULL};
    if ((rc = job_begin(rt, &j, a, n, n, n, err))) return rc;
    rc = la_to_bc(rt, &j.g, a, j.dt, j.nb, &j.m[0], err);
    if (!rc) rc = agree(&j, la_bc_new(rt, &j.g, n, n, j.dt, j.nb, &j.m[1], err), err);
    double *w = work_alloc(&j, (double)n, sizeof(double), &rc, err);
    if (!rc && n > 0) {
        int in = (int)n, lwork = -1, lrwork = -1, liwork = -1, iq = 0, info = 0;
        double q[2] = {0, 0}, rq = 0;
        const char *uplo = upper ? "U" : "L";
        bc_t *A = &j.m[0], *Z = &j.m[1];
        if (j.cplx)
            pzheevd_("V", uplo, &in, A->p, &ONE, &ONE, A->desc, w, Z->p, &ONE, &ONE, Z->desc, q,
                     &lwork, &rq, &lrwork, &iq, &liwork, &info, 1, 1);
        else
            pdsyevd_("V", uplo, &in, A->p, &ONE, &ONE, A->desc, w, Z->p, &ONE, &ONE, Z->desc, q,
                     &lwork, &iq, &liwork, &info, 1, 1);
        lwork = (int)q[0] + 1;
        lrwork = (int)rq + 1;
        liwork = iq + 1;
        void *work = work_alloc(&j, lwork, dt_size(j.dt), &rc, err);
        double *rwork = j.cplx ? work_alloc(&j, lrwork, sizeof(double), &rc, err) : NULL;
        int *iwork = work_alloc(&j, liwork, sizeof(int), &rc, err);
        if (!rc) {
            int old = rt_wait_begin(rt, RT_COLLECTIVE);
            if (j.cplx)
                pzheevd_("V", uplo, &in, A->p, &ONE, &ONE, A->desc, w, Z->p, &ONE, &ONE, Z->desc,
                         work, &lwork, rwork, &lrwork, iwork, &liwork, &info, 1, 1);
            else
                pdsyevd_("V", uplo, &in, A->p, &ONE, &ONE, A->desc, w, Z->p, &ONE, &ONE, Z->desc,
                         work, &lwork, iwork, &liwork, &info, 1, 1);
            rt_wait_end(rt, old);
            info = agree_info(&j, info);
            if (info > 0) rc = linalg_error(err, "Eigenvalues did not converge");
            if (info < 0) rc = err_set(err, PARC_ERUNTIME, (span_t){0}, "p?syevd: INFO %d", info);
        }
        mem_free(work);
        mem_free(rwork);
        mem_free(iwork);
    }
    int wdt = j.in_dt == DT_FLOAT32 ? DT_FLOAT32 : DT_FLOAT64;
    if (!rc) rc = vector_result(rt, w, n, wdt, &items[0], err);
    mem_free(w);
    if (!rc) rc = result(&j, 1, 0, &items[1], err);
    job_end(&j);
    if (rc) {
        arr_unref(&items[0]);
        arr_unref(&items[1]);
        return rc;
    }
    *out = tuple_of(items, 2, err);
    return out->kind == V_TUPLE ? 0 : err->code;
}

/* ---- lstsq ---- */

/* The k singular values of a on every rank (caller frees). */
static int singular_values(rt_t *rt, const arr_t *a, double **s, int64_t *k, err_t *err)
{
    val_t v = val_none();
    arr_t *all = NULL;
    int rc = la_svd(rt, a, 0, 0, &v, err);
    if (!rc)
        rc = v.u.a->isdist && !rt->local ? coll_allgather(rt, v.u.a, &all, err)
                                         : la_contig(rt, v.u.a, &all, err);
    val_drop(&v);
    if (rc) return rc;
    *k = arr_size(all);
    *s = mem_calloc((size_t)(*k ? *k : 1), sizeof **s);
    rc = *s ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (!rt->local) rc = arri_agree(rt, rc, err);
    for (int64_t i = 0; !rc && i < *k; i++) {
        double t[2];
        arri_load(arr_dtype(all),
                  (const char *)arri_base(all) + (size_t)i * dt_size(arr_dtype(all)), t);
        (*s)[i] = t[0];
    }
    arr_unref(&all);
    return rc;
}

/* Copies matrix src into the first rows of dst (more rows, same columns, grid and block). */
static void copy_rows(const bc_t *src, bc_t *dst)
{
    size_t es = dt_size(src->dtype);
    for (int lj = 0; lj < src->lc; lj++)
        memcpy((char *)dst->p + (size_t)lj * (size_t)dst->lld * es,
               (const char *)src->p + (size_t)lj * (size_t)src->lld * es, (size_t)src->lr * es);
}

/* x of full-rank a by p?gels, and the squared residuals (rows n.. of what p?gels leaves in
 * b, when m > n; else an empty array). */
static int gels_solve(rt_t *rt, ops_t *ops, const arr_t *a, const arr_t *b, arr_t **x,
                      arr_t **resid, err_t *err)
{
    int64_t m = arr_shape(a)[0], n = arr_shape(a)[1], mn = m < n ? m : n, mx = m > n ? m : n;
    int vec = arr_ndim(b) == 1;
    int64_t nrhs = vec ? 1 : arr_shape(b)[1];
    job_t j;
    arr_t *b2 = NULL, *full = NULL;
    int rc = job_begin(rt, &j, a, m, n, nrhs, err);
    if (rc) return rc;
    if (arr_dtype(b) == DT_COMPLEX128 && !j.cplx) j.dt = DT_COMPLEX128, j.cplx = 1;
    if (arr_dtype(b) == DT_COMPLEX128) j.in_dt = DT_COMPLEX128;
    rc = as_column(rt, b, &b2, err);
    if (!rc) rc = la_to_bc(rt, &j.g, a, j.dt, j.nb, &j.m[0], err);
    if (!rc) rc = la_to_bc(rt, &j.g, b2, j.dt, j.nb, &j.m[2], err);
    if (!rc) rc = agree(&j, la_bc_new(rt, &j.g, mx, nrhs, j.dt, j.nb, &j.m[1], err), err);
    if (!rc) copy_rows(&j.m[2], &j.m[1]);
    if (!rc && mn > 0 && nrhs > 0) {
        int im = (int)m, in = (int)n, ik = (int)nrhs, lwork = -1, info = 0;
        double q[2] = {0, 0};
        gels_fn *gels = j.cplx ? pzgels_ : pdgels_;
        gels("N", &im, &in, &ik, j.m[0].p, &ONE, &ONE, j.m[0].desc, j.m[1].p, &ONE, &ONE,
             j.m[1].desc, q, &lwork, &info, 1);
        lwork = (int)q[0] + 1;
        void *work = work_alloc(&j, lwork, dt_size(j.dt), &rc, err);
        if (!rc) {
            gels("N", &im, &in, &ik, j.m[0].p, &ONE, &ONE, j.m[0].desc, j.m[1].p, &ONE, &ONE,
                 j.m[1].desc, work, &lwork, &info, 1);
            info = agree_info(&j, info);
            if (info > 0) rc = linalg_error(err, "SVD did not converge in Linear Least Squares");
            if (info < 0) rc = err_set(err, PARC_ERUNTIME, (span_t){0}, "p?gels: INFO %d", info);
        }
        mem_free(work);
    }
    if (!rc) rc = result(&j, 1, 0, &full, err);
    int rdt = j.in_dt == DT_FLOAT32 ? DT_FLOAT32 : DT_FLOAT64;
    job_end(&j);
    arr_unref(&b2);
    /* x: the first n rows; the residuals: the squares of the rows below, when m > n */
    if (!rc) rc = sub(rt, full, n, nrhs, x, err);
    if (!rc && vec) {
        arr_t *x1 = NULL;
        rc = arr_reshape(rt, *x, 1, &n, &x1, err);
        arr_unref(x);
        *x = x1;
    }
    if (!rc && m > n) {
        idx_t idx[1];
        memset(idx, 0, sizeof idx);
        idx[0].kind = IDX_SLICE;
        idx[0].has_start = 1;
        idx[0].start = n;
        idx[0].step = 1;
        val_t tail = val_none(), sq = val_none(), r = val_none();
        rc = arr_getitem(rt, full, idx, 1, &tail, err);
        if (!rc) rc = ops_formula(ops, "multiply(conjugate($0), $0)", &tail, 1, -1, &sq, err);
        if (!rc && arr_dtype(sq.u.a) != rdt) {
            arr_t *c = NULL;
            rc = arr_astype(rt, sq.u.a, rdt, &c, err);
            val_drop(&sq);
            if (!rc) sq = val_array(&c);
        }
        if (!rc) rc = arr_reduce(rt, BI_SUM, NULL, &sq, 1, 0, &r, err);
        if (!rc) *resid = arr_ref(r.u.a);
        val_drop(&tail);
        val_drop(&sq);
        val_drop(&r);
    } else if (!rc) {
        int64_t zero = 0;
        rc = arr_full(rt, 1, &zero, rdt, NULL, NULL, resid, err);
    }
    arr_unref(&full);
    return rc;
}

/* x of least norm from the SVD, as LAPACK's gelsd finds it for a rank-deficient a:
 * x = vh^H (where(s > thr, 1 / s, 0) * (u^H b)). */
static int min_norm(rt_t *rt, ops_t *ops, const arr_t *a, const arr_t *b, double thr, arr_t **x,
                    err_t *err)
{
    val_t usv = val_none(), cu = val_none(), cv = val_none(), y = val_none(), w = val_none();
    val_t sinv = val_none(), xv = val_none();
    arr_t *uh = NULL, *v = NULL, *sc = NULL;
    int rc = la_svd(rt, a, 0, 1, &usv, err);
    const seq_t *t = rc ? NULL : (const seq_t *)usv.u.o;
    if (!rc) rc = ops_ufunc(ops, BI_CONJUGATE, &t->v[0], 1, &cu, err);
    if (!rc) rc = ops_ufunc(ops, BI_CONJUGATE, &t->v[2], 1, &cv, err);
    if (!rc) rc = arr_transpose(rt, cu.u.a, NULL, &uh, err);
    if (!rc) rc = arr_transpose(rt, cv.u.a, NULL, &v, err);
    if (!rc) {
        val_t vu = {.kind = V_ARRAY, .u.a = uh}, vb = {.kind = V_ARRAY, .u.a = (arr_t *)b};
        rc = la_product(rt, ops, LA_MATMUL, &vu, &vb, &y, err);
    }
    if (!rc) {
        /* 1/s of the singular values above the threshold, 0 for the others; the zeros never
         * reach reciprocal (NumPy's gelsd divides by none, so it warns of nothing) */
        val_t args[4] = {t->v[1], val_float(thr), val_float(0), val_float(1)};
        rc = ops_formula(ops,
                         "where(greater($0, $1), reciprocal(where(greater($0, $1), $0, $3)), $2)",
                         args, 4, -1, &sinv, err);
    }
    if (!rc && arr_ndim(b) == 2) {
        int64_t sh[2] = {arr_size(sinv.u.a), 1};
        rc = arr_reshape(rt, sinv.u.a, 2, sh, &sc, err);
        if (!rc) {
            val_drop(&sinv);
            sinv = val_array(&sc);
        }
    }
    if (!rc) rc = ops_binop(ops, IR_MUL, &y, &sinv, &w, err);
    if (!rc) {
        val_t vv = {.kind = V_ARRAY, .u.a = v};
        rc = la_product(rt, ops, LA_MATMUL, &vv, &w, &xv, err);
    }
    if (!rc) *x = arr_ref(xv.u.a);
    val_drop(&usv);
    val_drop(&cu);
    val_drop(&cv);
    val_drop(&y);
    val_drop(&w);
    val_drop(&sinv);
    val_drop(&xv);
    arr_unref(&uh);
    arr_unref(&v);
    return rc;
}

int la_lstsq(rt_t *rt, ops_t *ops, const arr_t *a, const arr_t *b, double rcond, val_t *out,
             err_t *err)
{
    int rc = check_matrix(a, 0, err);
    if (rc) return rc;
    int64_t m = arr_shape(a)[0], n = arr_shape(a)[1], mn = m < n ? m : n;
    if (arr_ndim(b) < 1 || arr_ndim(b) > 2 || arr_shape(b)[0] != m)
        return linalg_error(err, "Incompatible dimensions");
    double *s = NULL;
    int64_t k = 0;
    if ((rc = singular_values(rt, a, &s, &k, err))) return rc;
    double thr = (rcond < 0 ? 2.220446049250313e-16 : rcond) * (k ? s[0] : 0);
    int64_t rank = 0;
    for (int64_t i = 0; i < k; i++)
        rank += s[i] > thr;
    int dt = dt_promote(arr_dtype(a), arr_dtype(b));
    int rdt = dt == DT_FLOAT32 ? DT_FLOAT32 : DT_FLOAT64;
    arr_t *items[4] = {NULL, NULL, NULL, NULL};
    if (rank == mn) {
        rc = gels_solve(rt, ops, a, b, &items[0], &items[1], err);
    } else {
        int64_t zero = 0;
        rc = min_norm(rt, ops, a, b, thr, &items[0], err);
        if (!rc) rc = arr_full(rt, 1, &zero, rdt, NULL, NULL, &items[1], err);
    }
    if (!rc) rc = vector_result(rt, s, k, rdt, &items[3], err);
    mem_free(s);
    val_t t = rc ? val_none() : val_seq(V_TUPLE, 4, err);
    if (rc || t.kind != V_TUPLE) {
        for (int i = 0; i < 4; i++)
            arr_unref(&items[i]);
        return rc ? rc : err->code;
    }
    seq_t *sq = (seq_t *)t.u.o;
    sq->v[0] = val_array(&items[0]);
    sq->v[1] = val_array(&items[1]);
    sq->v[2] = val_int(rank);
    sq->v[2].weak = 0;
    sq->v[3] = val_array(&items[3]);
    *out = t;
    return 0;
}
