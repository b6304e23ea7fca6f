/* lagrid.c - ScaLAPACK's side of the arrays (see lapriv.h): a BLACS grid over the engines'
 * communicator, and matrices moved between parc's layouts and ScaLAPACK's 2-d
 * block-cyclic one.
 *
 * The move is parc's own redistribution (coll_redist, one all-to-all between any two
 * layouts) to dist ('c', 'c') with block size nb on the P x Q grid: dist_ deals blocks
 * exactly as ScaLAPACK's descriptor with RSRC = CSRC = 0 does, and numbers grid places
 * row-major as BLACS's "Row" order, so every element lands on the rank and at the local
 * index ScaLAPACK expects; only the order inside the chunk differs (C order against
 * Fortran's), which one local transpose fixes. p?gemr2d would do the same move between two
 * block-cyclic layouts only, and parc's layouts are not all block-cyclic (uneven 'b'
 * blocks, slices, more than 2 dimensions). A grid is made per operation and freed after:
 * Cblacs_gridinit costs a few communicator splits, small against any matrix worth
 * distributing. */
#include "lapriv.h"

#include <assert.h>
#include <string.h>

#include "coll.h"

int la_grid_new(const rt_t *rt, int P, la_grid_t *g, err_t *err)
{
    memset(g, 0, sizeof *g);
    g->ctx = -1;
    g->local = rt->local;
    int dims[2] = {P, P ? rt->nranks / P : 0};
    if (g->local) {
        dims[0] = dims[1] = 1;
    } else if (!P && MPI_Dims_create(rt->nranks, 2, dims) != MPI_SUCCESS) {
        return err_set(err, PARC_EMPI, (span_t){0}, "MPI_Dims_create failed");
    }
    int me, np;
    Cblacs_pinfo(&me, &np);
    g->P = dims[0];
    g->Q = dims[1];
    g->handle = Csys2blacs_handle(g->local ? MPI_COMM_SELF : rt->comm);
    g->ctx = g->handle;
    Cblacs_gridinit(&g->ctx, "Row", g->P, g->Q);
    int pr = 0, pc = 0;
    Cblacs_gridinfo(g->ctx, &pr, &pc, &g->myrow, &g->mycol);
    /* BLACS places rank p * Q + q at (p, q); dist_ must agree or the data lands wrong */
    int ok = pr == g->P && pc == g->Q &&
             (g->local ? g->myrow == 0 && g->mycol == 0 : g->myrow * g->Q + g->mycol == rt->rank);
    int rc = g->local ? (ok ? 0 : PARC_ERUNTIME) : coll_agree(rt, ok ? 0 : PARC_ERUNTIME);
    if (rc) {
        la_grid_free(g);
        return err_set(err, PARC_ERUNTIME, (span_t){0},
                       "the BLACS grid does not place the engines as parc's grid does");
    }
    return 0;
}

void la_grid_free(la_grid_t *g)
{
    if (g->ctx >= 0) {
        Cblacs_gridexit(g->ctx);
        Cfree_blacs_system_handle(g->handle);
    }
    g->ctx = -1;
}

/* The largest block size <= cap that still gives every one of p places along a dimension
 * of n elements two blocks or more, when n can give that many. */
static int64_t cap_for(int64_t cap, int64_t n, int p)
{
    int64_t want = (n + 2 * (int64_t)p - 1) / (2 * (int64_t)p);
    return n >= 2 * (int64_t)p && want < cap ? want : cap;
}

int la_block(const la_grid_t *g, int64_t m, int64_t n, int64_t k)
{
    int64_t nb = 64;
    nb = cap_for(nb, m, g->P);
    nb = cap_for(nb, n, g->Q);
    nb = cap_for(nb, k, g->P > g->Q ? g->P : g->Q);
    return nb < 1 ? 1 : (int)nb;
}

static int cc_dist(const rt_t *rt, const la_grid_t *g, int64_t m, int64_t n, int nb, dist_t *d,
                   err_t *err)
{
    dist_spec_t s;
    memset(&s, 0, sizeof s);
    s.kind[0] = s.kind[1] = 'c';
    s.block_size = nb;
    s.grid[0] = g->P;
    s.grid[1] = g->Q;
    int64_t shape[2] = {m, n};
    memset(d, 0, sizeof *d);
    return dist_init(d, 2, shape, &s, rt->nranks, err);
}

int la_bc_new(const rt_t *rt, const la_grid_t *g, int64_t m, int64_t n, int dt, int nb, bc_t *out,
              err_t *err)
{
    memset(out, 0, sizeof *out);
    int im = (int)m, in = (int)n, zero = 0, info = 0;
    out->m = m;
    out->n = n;
    out->nb = nb;
    out->dtype = dt;
    out->lr = numroc_(&im, &nb, &g->myrow, &zero, &g->P);
    out->lc = numroc_(&in, &nb, &g->mycol, &zero, &g->Q);
    out->lld = out->lr > 1 ? out->lr : 1;
    descinit_(out->desc, &im, &in, &nb, &nb, &zero, &zero, &g->ctx, &out->lld, &info);
    if (info) return err_set(err, PARC_ERUNTIME, (span_t){0}, "descinit failed (%d)", info);
    /* kept as a local array: counted against the rank's memory like any chunk */
    int64_t shape[2] = {out->lc > 0 ? out->lc : 1, out->lld};
    arr_t *s = NULL;
    int rc = arri_new(rt, 2, shape, dt, 0, NULL, &s, err);
    if (rc) return rc;
    memset(arri_base(s), 0, (size_t)(shape[0] * shape[1]) * dt_size(dt));
    out->store = s;
    out->p = arri_base(s);
    return 0;
}

void la_bc_free(bc_t *x)
{
    arr_unref(&x->store);
    x->p = NULL;
}

int la_scatter(const rt_t *rt, const arr_t *c, arr_t **out, err_t *err)
{
    arr_t *r = NULL;
    int rc = c->ndim == 0 ? arri_new(rt, 0, c->shape, c->dtype, 0, NULL, &r, err)
                          : arri_new(rt, c->ndim, c->shape, c->dtype, 1, NULL, &r, err);
    rc = arri_agree(rt, rc, err);
    if (rc) return rc;
    size_t es = dt_size(c->dtype), row = es;
    for (int i = 1; i < c->ndim; i++)
        row *= (size_t)c->shape[i];
    int64_t r0 = c->ndim ? arri_row(r, rt->rank) : 0;
    memcpy(arri_base(r), (const char *)arri_base(c) + (size_t)r0 * row, (size_t)arri_lsize(r) * es);
    *out = r;
    return 0;
}

/* Local view: the whole matrix on this rank's 1 x 1 grid. */
static int local_to_bc(const rt_t *rt, const la_grid_t *g, const arr_t *a, int dt, int nb,
                       bc_t *out, err_t *err)
{
    arr_t *l = a->isdist ? arr_local(a) : arr_ref((arr_t *)a), *c = NULL;
    int rc = l ? 0 : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (!rc)
        rc = l->dtype == dt ? la_contig(rt, l, &c, err) : arr_astype((rt_t *)rt, l, dt, &c, err);
    if (!rc) rc = la_bc_new(rt, g, l->shape[0], l->shape[1], dt, nb, out, err);
    if (!rc) la_transpose(dt_size(dt), out->lr, out->lc, arri_base(c), out->lc, out->p, out->lld);
    arr_unref(&l);
    arr_unref(&c);
    return rc;
}

int la_to_bc(const rt_t *rt, const la_grid_t *g, const arr_t *a, int dt, int nb, bc_t *out,
             err_t *err)
{
    if (g->local) return local_to_bc(rt, g, a, dt, nb, out, err);
    if (!a->isdist) {
        /* a local array in global view is the same on every rank: spread it first */
        arr_t *s = NULL;
        int rc = la_scatter(rt, a, &s, err);
        if (!rc) rc = la_to_bc(rt, g, s, dt, nb, out, err);
        arr_unref(&s);
        return rc;
    }
    dist_t d;
    arr_t *y = NULL, *c = NULL;
    int rc = cc_dist(rt, g, a->shape[0], a->shape[1], nb, &d, err);
    rc = arri_agree(rt, rc, err);
    if (rc) return rc;
    if (a->dtype != dt) {
        rc = arr_astype((rt_t *)rt, a, dt, &c, err);
        if (!rc) a = c;
    }
    if (!rc) rc = coll_redist(rt, a, &d, &y, err);
    dist_clear(&d);
    if (!rc) rc = arri_agree(rt, la_bc_new(rt, g, a->shape[0], a->shape[1], dt, nb, out, err), err);
    arr_unref(&c); /* a may be c: read its shape first */
    if (!rc) {
        assert(y->lshape[0] == out->lr && y->lshape[1] == out->lc && arri_contig(y));
        la_transpose(dt_size(dt), out->lr, out->lc, arri_base(y), out->lc, out->p, out->lld);
    }
    arr_unref(&y);
    if (rc) la_bc_free(out);
    return rc;
}

int la_from_bc(const rt_t *rt, const la_grid_t *g, const bc_t *x, arr_t **out, err_t *err)
{
    dist_t d, rows;
    arr_t *y = NULL;
    int64_t shape[2] = {x->m, x->n};
    if (g->local) {
        int rc = arri_new(rt, 2, shape, x->dtype, 0, NULL, &y, err);
        if (rc) return rc;
        la_transpose(dt_size(x->dtype), x->lc, x->lr, x->p, x->lld, arri_base(y), x->lc);
        *out = y;
        return 0;
    }
    memset(&rows, 0, sizeof rows);
    int rc = cc_dist(rt, g, x->m, x->n, x->nb, &d, err);
    if (!rc) rc = arri_new_dist(rt, x->dtype, &d, &y, err);
    if (!rc) rc = arri_rows_dist(rt, 2, shape, NULL, &rows, err);
    dist_clear(&d);
    rc = arri_agree(rt, rc, err);
    if (!rc) {
        la_transpose(dt_size(x->dtype), x->lc, x->lr, x->p, x->lld, arri_base(y), x->lc);
        rc = coll_redist(rt, y, &rows, out, err);
    }
    dist_clear(&rows);
    arr_unref(&y);
    return rc;
}
