/* comm.c - barrier, allreduce, bcast, send and recv in local view (see comm.h).
 *
 * Decisions a reader could not guess:
 * - Values travel in parc's wire encoding (kind, dtype, weak flag, payload), so a value
 *   received is the value sent, dtype included; nesting is limited to 50 levels.
 * - Every rank reaches each collective even after a local failure (allreduce of an
 *   array agrees on success before the data moves, bcast sends the root's status with the
 *   length), so no rank waits forever.
 * - allreduce of an array goes element by element through arr_getitem (arr.h exposes no
 *   chunk pointer) and rebuilds the result with arr_from_value. */
#include "comm.h"

#include <string.h>

#include "args.h"
#include "arr.h"
#include "builtins.h"
#include "mem.h"

static int mpi_fail(call_t *c, int mrc, err_t *err)
{
    char msg[MPI_MAX_ERROR_STRING];
    int n = 0;
    MPI_Error_string(mrc, msg, &n);
    return err_set(err, PARC_EMPI, c->at, "%.*s", n, msg);
}

/* Values that travel between engines: scalars, strings, tuples and lists of those. */
static int enc_val(call_t *c, const val_t *v, wbuf_t *b, err_t *err)
{
    wbuf_u8(b, v->kind);
    wbuf_u8(b, v->dtype);
    wbuf_u8(b, v->weak);
    switch (v->kind) {
    case V_NONE:
        return 0;
    case V_BOOL:
    case V_INT:
        wbuf_i64(b, v->u.i);
        return 0;
    case V_FLOAT:
        wbuf_f64(b, v->u.f);
        return 0;
    case V_COMPLEX:
        wbuf_f64(b, v->u.c[0]);
        wbuf_f64(b, v->u.c[1]);
        return 0;
    case V_STR:
        wbuf_str(b, ((const str_t *)v->u.o)->s, ((const str_t *)v->u.o)->n);
        return 0;
    case V_TUPLE:
    case V_LIST: {
        const seq_t *s = (const seq_t *)v->u.o;
        wbuf_u32(b, (uint32_t)s->n);
        for (size_t i = 0; i < s->n; i++) {
            int rc = enc_val(c, &s->v[i], b, err);
            if (rc) return rc;
        }
        return 0;
    }
    default:
        return err_set(err, PARC_ENOTIMPL, c->at,
                       "only numbers, strings, tuples and lists can be sent, not '%s'",
                       val_kind_name(v));
    }
}

static int dec_val(call_t *c, rbuf_t *r, int depth, val_t *out, err_t *err)
{
    val_t v = val_none();
    v.kind = rbuf_u8(r);
    v.dtype = rbuf_u8(r);
    v.weak = rbuf_u8(r);
    if (depth > 50) r->bad = 1;
    switch (r->bad ? V_NKINDS : v.kind) {
    case V_NONE:
        break;
    case V_BOOL:
    case V_INT:
        v.u.i = rbuf_i64(r);
        break;
    case V_FLOAT:
        v.u.f = rbuf_f64(r);
        break;
    case V_COMPLEX:
        v.u.c[0] = rbuf_f64(r);
        v.u.c[1] = rbuf_f64(r);
        break;
    case V_STR: {
        size_t n;
        const char *s = rbuf_str(r, &n);
        v = val_str(s, n, err);
        if (v.kind != V_STR) return err->code;
        break;
    }
    case V_TUPLE:
    case V_LIST: {
        uint32_t n = rbuf_u32(r);
        if (n > rbuf_left(r)) return err_set(err, PARC_EMPI, c->at, "bad message");
        int kind = v.kind;
        v = val_seq(kind, n, err);
        if (v.kind == V_NONE) return err->code;
        seq_t *s = (seq_t *)v.u.o;
        for (uint32_t i = 0; i < n; i++) {
            int rc = dec_val(c, r, depth + 1, &s->v[i], err);
            if (rc) {
                val_drop(&v);
                return rc;
            }
        }
        break;
    }
    default:
        return err_set(err, PARC_EMPI, c->at, "bad message");
    }
    *out = v;
    return 0;
}

int comm_encode(const val_t *v, span_t at, wbuf_t *b, err_t *err)
{
    call_t c = {.at = at};
    return enc_val(&c, v, b, err);
}

int comm_decode(rbuf_t *r, span_t at, val_t *out, err_t *err)
{
    call_t c = {.at = at};
    return dec_val(&c, r, 0, out, err);
}

/* Elementwise allreduce of a local array, through its elements: arr.h exposes no chunk
 * pointer, so values are read with arr_getitem (local: no communication), combined with
 * one MPI_Allreduce, and rebuilt with arr_from_value. Every rank must pass the same shape. */
static int build_nested(const double *dv, const int64_t *iv, int isint, const int64_t *shape,
                        int nd, size_t *k, val_t *out, err_t *err)
{
    if (nd == 0) {
        *out = isint ? val_int(iv[*k]) : val_float(dv[*k]);
        (*k)++;
        return 0;
    }
    val_t l = val_seq(V_LIST, (size_t)shape[0], err);
    if (l.kind == V_NONE) return err->code;
    for (int64_t i = 0; i < shape[0]; i++) {
        int rc = build_nested(dv, iv, isint, shape + 1, nd - 1, k, &((seq_t *)l.u.o)->v[i], err);
        if (rc) {
            val_drop(&l);
            return rc;
        }
    }
    *out = l;
    return 0;
}

static int allreduce_array(call_t *c, const arr_t *a, MPI_Op op, val_t *out, err_t *err)
{
    int nd = arr_ndim(a), dt = arr_dtype(a), rc = 0;
    int isint = dt == DT_INT32 || dt == DT_INT64 || dt == DT_BOOL;
    if (dt == DT_COMPLEX128)
        return err_set(err, PARC_ENOTIMPL, c->at, "allreduce of complex arrays");
    const int64_t *shape = arr_shape(a);
    int64_t n = arr_size(a), mine[ARR_MAXDIM + 1], lo[ARR_MAXDIM + 1], hi[ARR_MAXDIM + 1];
    mine[0] = nd;
    for (int i = 0; i < nd; i++)
        mine[i + 1] = shape[i];
    int mrc = MPI_Allreduce(mine, lo, nd + 1, MPI_INT64_T, MPI_MIN, c->rt->comm);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Allreduce(mine, hi, nd + 1, MPI_INT64_T, MPI_MAX, c->rt->comm);
    if (mrc != MPI_SUCCESS) return mpi_fail(c, mrc, err);
    if (memcmp(lo, hi, (size_t)(nd + 1) * sizeof *lo) != 0)
        return err_set(err, PARC_EVALUE, c->at, "allreduce needs the same shape on every engine");
    size_t cnt = n ? (size_t)n : 1;
    double *dv = isint ? NULL : mem_calloc(cnt, sizeof *dv);
    int64_t *iv = isint ? mem_calloc(cnt, sizeof *iv) : NULL;
    void *in = mem_calloc(cnt, 8);
    if ((!dv && !iv) || !in) rc = err_set(err, PARC_ENOMEM, c->at, "out of memory");
    idx_t idx[ARR_MAXDIM];
    memset(idx, 0, sizeof idx);
    for (int64_t k = 0; !rc && k < n; k++) {
        int64_t rem = k;
        for (int d = nd - 1; d >= 0; d--) {
            idx[d].i = rem % shape[d];
            rem /= shape[d];
        }
        val_t e = val_none();
        rc = arr_getitem(c->rt, (arr_t *)a, idx, nd, &e, err);
        if (rc) break;
        if (isint)
            ((int64_t *)in)[k] = e.u.i;
        else
            ((double *)in)[k] = e.kind == V_FLOAT ? e.u.f : (double)e.u.i;
        val_drop(&e);
    }
    /* Every rank reaches the collective, failed or not, so that none waits forever. */
    int bad = rc != 0, anybad = 0;
    mrc = MPI_Allreduce(&bad, &anybad, 1, MPI_INT, MPI_MAX, c->rt->comm);
    if (!rc && mrc != MPI_SUCCESS) rc = mpi_fail(c, mrc, err);
    if (!rc && anybad) rc = err_set(err, PARC_EVALUE, c->at, "allreduce failed on another engine");
    if (!rc && n) {
        mrc = MPI_Allreduce(in, isint ? (void *)iv : (void *)dv, (int)n,
                            isint ? MPI_INT64_T : MPI_DOUBLE, op, c->rt->comm);
        if (mrc != MPI_SUCCESS) rc = mpi_fail(c, mrc, err);
    }
    val_t nested = val_none();
    size_t k = 0;
    if (!rc) rc = build_nested(dv, iv, isint, shape, nd, &k, &nested, err);
    arr_t *r = NULL;
    if (!rc) {
        int odt = dt == DT_BOOL && op == MPI_SUM ? DT_INT64 : dt;
        rc = arr_from_value(c->rt, &nested, odt, NULL, &r, err);
    }
    if (!rc) *out = val_array(&r);
    val_drop(&nested);
    mem_free(dv);
    mem_free(iv);
    mem_free(in);
    return args_at(c, rc, err);
}

static int comm_op(call_t *c, const val_t *opv, MPI_Op *op, err_t *err)
{
    const char *s = opv && opv->kind == V_STR ? ((const str_t *)opv->u.o)->s : opv ? "?" : "sum";
    if (!strcmp(s, "sum"))
        *op = MPI_SUM;
    else if (!strcmp(s, "prod"))
        *op = MPI_PROD;
    else if (!strcmp(s, "min"))
        *op = MPI_MIN;
    else if (!strcmp(s, "max"))
        *op = MPI_MAX;
    else
        return err_set(err, PARC_EVALUE, c->at, "op must be 'sum', 'prod', 'min' or 'max'");
    return 0;
}

static int comm_run(call_t *c, int bi, val_t *out, err_t *err)
{
    const char *fn = args_fname(bi);
    if (!c->rt->local) return err_set(err, PARC_ERUNTIME, c->at, "%s is for local view (%%px)", fn);
    static const char *const names[] = {"op", "root", "dest", "source", "tag"};
    const val_t *kw[5] = {0};
    int rc = args_kw(c, fn, names, 5, kw, err), mrc;
    if (rc) return rc;
    MPI_Comm comm = c->rt->comm;
    *out = val_none();
    switch (bi) {
    case BI_BARRIER:
        if ((rc = args_count(c, fn, 0, 0, err))) return rc;
        mrc = MPI_Barrier(comm);
        return mrc == MPI_SUCCESS ? 0 : mpi_fail(c, mrc, err);
    case BI_ALLREDUCE: {
        const val_t *opv = NULL;
        MPI_Op op = MPI_SUM;
        if ((rc = args_count(c, fn, 1, 2, err))) return rc;
        if ((rc = args_either(c, fn, 1, kw[0], "op", &opv, err))) return rc;
        if ((rc = comm_op(c, opv, &op, err))) return rc;
        const val_t *v = &c->args[0];
        val_t r = *v;
        if (v->kind == V_INT || v->kind == V_BOOL) {
            int64_t x = v->u.i;
            mrc = MPI_Allreduce(&x, &r.u.i, 1, MPI_INT64_T, op, comm);
            if (v->kind == V_BOOL && op == MPI_SUM) r = val_int(r.u.i);
        } else if (v->kind == V_FLOAT) {
            double x = v->u.f;
            mrc = MPI_Allreduce(&x, &r.u.f, 1, MPI_DOUBLE, op, comm);
        } else if (v->kind == V_COMPLEX && (op == MPI_SUM || op == MPI_PROD)) {
            double x[2] = {v->u.c[0], v->u.c[1]};
            mrc = MPI_Allreduce(x, r.u.c, 1, MPI_C_DOUBLE_COMPLEX, op, comm);
        } else if (v->kind == V_ARRAY) {
            return allreduce_array(c, v->u.a, op, out, err);
        } else {
            return err_set(err, PARC_ENOTIMPL, c->at, "allreduce of '%s' values", val_kind_name(v));
        }
        if (mrc != MPI_SUCCESS) return mpi_fail(c, mrc, err);
        *out = r;
        return 0;
    }
    case BI_BCAST:
    case BI_SEND: {
        const val_t *peer = NULL;
        int64_t p = 0, tag = 0;
        if ((rc = args_count(c, fn, 1, bi == BI_BCAST ? 2 : 3, err))) return rc;
        if ((rc = args_either(c, fn, 1, bi == BI_BCAST ? kw[1] : kw[2],
                              bi == BI_BCAST ? "root" : "dest", &peer, err)))
            return rc;
        if (peer && (rc = args_int(c, peer, &p, err))) return rc;
        if (!peer && bi == BI_SEND)
            return err_set(err, PARC_ETYPE, c->at, "send() missing required argument 'dest'");
        if (bi == BI_SEND) {
            const val_t *tv = NULL;
            if ((rc = args_either(c, fn, 2, kw[4], "tag", &tv, err))) return rc;
            if (tv && (rc = args_int(c, tv, &tag, err))) return rc;
        }
        if (p < 0 || p >= c->rt->nranks)
            return err_set(err, PARC_EVALUE, c->at, "%s %lld is not an engine (0..%d)",
                           bi == BI_BCAST ? "root" : "dest", (long long)p, c->rt->nranks - 1);
        wbuf_t b;
        wbuf_init(&b);
        if (bi == BI_SEND || c->rt->rank == p) rc = enc_val(c, &c->args[0], &b, err);
        if (!rc && b.oom) rc = err_set(err, PARC_ENOMEM, c->at, "out of memory");
        if (bi == BI_SEND) {
            if (!rc) {
                mrc = MPI_Send(b.p, (int)b.len, MPI_BYTE, (int)p, (int)tag, comm);
                if (mrc != MPI_SUCCESS) rc = mpi_fail(c, mrc, err);
            }
            wbuf_free(&b);
            return rc;
        }
        /* bcast: the root's status travels with the length so no rank waits forever. */
        int64_t len = rc ? -1 : (int64_t)b.len;
        mrc = MPI_Bcast(&len, 1, MPI_INT64_T, (int)p, comm);
        if (mrc != MPI_SUCCESS) {
            wbuf_free(&b);
            return mpi_fail(c, mrc, err);
        }
        if (len < 0) {
            wbuf_free(&b);
            return rc ? rc : err_set(err, PARC_EVALUE, c->at, "bcast: the root could not send");
        }
        uint8_t *buf = c->rt->rank == p ? b.p : mem_alloc(len ? (size_t)len : 1);
        if (!buf) {
            wbuf_free(&b);
            return err_set(err, PARC_ENOMEM, c->at, "out of memory");
        }
        mrc = MPI_Bcast(buf, (int)len, MPI_BYTE, (int)p, comm);
        if (mrc == MPI_SUCCESS) {
            rbuf_t r;
            rbuf_init(&r, buf, (size_t)len);
            rc = dec_val(c, &r, 0, out, err);
        } else {
            rc = mpi_fail(c, mrc, err);
        }
        if (buf != b.p) mem_free(buf);
        wbuf_free(&b);
        return rc;
    }
    case BI_RECV: {
        const val_t *src = NULL, *tv = NULL;
        int64_t s = 0, tag = 0;
        if ((rc = args_count(c, fn, 1, 2, err))) return rc;
        if ((rc = args_either(c, fn, 0, kw[3], "source", &src, err))) return rc;
        if ((rc = args_either(c, fn, 1, kw[4], "tag", &tv, err))) return rc;
        if ((rc = args_int(c, src, &s, err))) return rc;
        if (tv && (rc = args_int(c, tv, &tag, err))) return rc;
        if (s < 0 || s >= c->rt->nranks)
            return err_set(err, PARC_EVALUE, c->at, "source %lld is not an engine", (long long)s);
        MPI_Status st;
        int n = 0;
        mrc = MPI_Probe((int)s, (int)tag, comm, &st);
        if (mrc == MPI_SUCCESS) mrc = MPI_Get_count(&st, MPI_BYTE, &n);
        if (mrc != MPI_SUCCESS) return mpi_fail(c, mrc, err);
        uint8_t *buf = mem_alloc(n ? (size_t)n : 1);
        if (!buf) return err_set(err, PARC_ENOMEM, c->at, "out of memory");
        mrc = MPI_Recv(buf, n, MPI_BYTE, (int)s, (int)tag, comm, MPI_STATUS_IGNORE);
        if (mrc == MPI_SUCCESS) {
            rbuf_t r;
            rbuf_init(&r, buf, (size_t)n);
            rc = dec_val(c, &r, 0, out, err);
        } else {
            rc = mpi_fail(c, mrc, err);
        }
        mem_free(buf);
        return rc;
    }
    default:
        return err_set(err, PARC_ENOTIMPL, c->at, "%s() is not available", fn);
    }
}

/* The rank reports itself waiting in a reduction (allreduce) or a collective (the others)
 * while the call runs (rt.h). */
int comm_call(call_t *c, int bi, val_t *out, err_t *err)
{
    int was = rt_wait_begin(c->rt, bi == BI_ALLREDUCE ? RT_REDUCTION : RT_COLLECTIVE);
    int rc = comm_run(c, bi, out, err);
    rt_wait_end(c->rt, was);
    return rc;
}
