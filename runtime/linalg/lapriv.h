/* lapriv.h - what the linear-algebra files share: rank-local kernels over row-major blocks
 * (lablas.c: OpenBLAS for the float dtypes, exact loops for the integer ones), and
 * matrices moved to ScaLAPACK's 2-d block-cyclic layout on a BLACS grid (lagrid.c).
 *
 * A bc_t is one matrix as ScaLAPACK sees it: this rank's part of an m x n matrix in blocks
 * of nb x nb dealt round-robin over a P x Q grid (BLACS "Row" order: rank p * Q + q sits
 * at (p, q), the order dist_t numbers its grid in), stored column-major with leading
 * dimension lld (ScaLAPACK is Fortran). It is reached from any user layout by one
 * coll_redist to dist ('c', 'c') with block size nb on that grid, which places every
 * element exactly where ScaLAPACK's descriptor says, then a local transpose. */
#ifndef PARC_LAPRIV_H
#define PARC_LAPRIV_H

#include <stdint.h>

#include "arrint.h"

/* C = A B for row-major blocks: A m x k (leading dimension lda), B k x n (ldb), C m x n
 * (ldc), all of dtype dt (bool: or of ands; ints: exact, wrapping as NumPy's). Sizes
 * must fit a BLAS int (la_blas_fits). Not collective. */
void la_gemm(int dt, int64_t m, int64_t n, int64_t k, const void *a, int64_t lda, const void *b,
             int64_t ldb, void *c, int64_t ldc);
/* 1 when every value fits OpenBLAS's 32-bit int. */
int la_blas_fits(int64_t a, int64_t b, int64_t c);
/* dst (cols x rows, leading dimension ldd) = transpose of src (rows x cols, lds), elements
 * of es bytes. */
void la_transpose(size_t es, int64_t rows, int64_t cols, const void *src, int64_t lds, void *dst,
                  int64_t ldd);

typedef struct {
    int ctx;          /* BLACS context of the grid (-1: none) */
    int handle;       /* the BLACS system handle of rt->comm it came from */
    int P, Q;         /* grid rows, columns (P * Q == rt->nranks) */
    int myrow, mycol; /* this rank's place */
    int local;        /* local view: a 1 x 1 grid of this rank alone (MPI_COMM_SELF) */
} la_grid_t;

typedef struct {
    int64_t m, n; /* global rows, columns */
    int nb;       /* block size (rows and columns) */
    int lr, lc;   /* this rank's local rows, columns */
    int lld;      /* leading dimension: max(1, lr) */
    int desc[9];  /* ScaLAPACK array descriptor */
    int dtype;    /* DT_FLOAT32, DT_FLOAT64 or DT_COMPLEX128 */
    arr_t *store; /* a local array holding them (counted as the rank's chunk memory) */
    void *p;      /* lld * lc elements, column-major, in store */
} bc_t;

/* Collective. The BLACS grid P x Q over rt->comm (P * Q == nranks; P = 0: as square as
 * MPI_Dims_create makes it, P >= Q); in local view a 1 x 1 grid of this rank alone, and
 * then nothing below is collective. Release with la_grid_free (Collective). */
int la_grid_new(const rt_t *rt, int P, la_grid_t *g, err_t *err);
void la_grid_free(la_grid_t *g);
/* A block size for matrices of these dimensions on g: 64, or smaller so that every grid
 * row and column holds some blocks of the smallest. */
int la_block(const la_grid_t *g, int64_t m, int64_t n, int64_t k);

/* Collective. *out = the 2-d array a (distributed, or local: in local view this rank's, in
 * global view the same on every rank), converted to dtype dt, as a block-cyclic matrix with
 * block size nb on g. */
int la_to_bc(const rt_t *rt, const la_grid_t *g, const arr_t *a, int dt, int nb, bc_t *out,
             err_t *err);
/* A zeroed m x n block-cyclic matrix of dtype dt (not collective: callers agree). */
int la_bc_new(const rt_t *rt, const la_grid_t *g, int64_t m, int64_t n, int dt, int nb, bc_t *out,
              err_t *err);
/* Collective. A new distributed array in the default layout (rows) holding x; in local
 * view a local array. */
int la_from_bc(const rt_t *rt, const la_grid_t *g, const bc_t *x, arr_t **out, err_t *err);
void la_bc_free(bc_t *x); /* NULL-safe on a zeroed bc_t */

/* Collective. A fresh C-contiguous copy of a (or a new reference when it already is). */
int la_contig(const rt_t *rt, const arr_t *a, arr_t **out, err_t *err);
/* Collective. Local c, the same on every rank, as a distributed array in the default
 * layout (each rank keeps its rows). */
int la_scatter(const rt_t *rt, const arr_t *c, arr_t **out, err_t *err);

/* Collective. The diagonal of 2-d a on every rank, in index order: min(m, n) elements as
 * (re, im) pairs of doubles. Caller frees *out (mem_free). */
int la_diag(rt_t *rt, const arr_t *a, double **out, err_t *err);

/* ScaLAPACK's and BLACS's C entry points (Debian's libscalapack-openmpi has no header). */
void Cblacs_pinfo(int *me, int *np);
int Csys2blacs_handle(MPI_Comm comm);
void Cfree_blacs_system_handle(int handle);
void Cblacs_gridinit(int *ctx, const char *order, int nprow, int npcol);
void Cblacs_gridinfo(int ctx, int *nprow, int *npcol, int *myrow, int *mycol);
void Cblacs_gridexit(int ctx);
int numroc_(const int *n, const int *nb, const int *iproc, const int *isrc, const int *nprocs);
void descinit_(int *desc, const int *m, const int *n, const int *mb, const int *nb,
               const int *irsrc, const int *icsrc, const int *ctx, const int *lld, int *info);

#endif
