/* show.c - the displayed value of a cell (see show.h).
 *
 * Decisions a reader could not guess:
 * - Scalars are shown by the rank that sends (rank 0, or every rank in local view) with no
 *   communication; arrays and tuples/lists are formatted on every rank, since their repr
 *   may be Collective, and only the sending rank sends.
 * - A per-engine value in global view is shown as a list of every rank's repr (as
 *   ipyparallel's dview['c'] shows it); the gather is agreed in steps so that a rank that
 *   cannot make room never leaves the others waiting. */
#include "show.h"

#include "arr.h"
#include "mem.h"
#include "obj.h"
#include "out.h"
#include "repr.h"

static int mpi_err(int mrc, err_t *err)
{
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(mrc, msg, &len);
    return err_set(err, PARC_EMPI, (span_t){0}, "%.*s", len, msg);
}

/* Collective: every rank's repr of its own value, shown on rank 0 as a list (as
 * ipyparallel's dview['c'] shows it). Rank 0 first gathers the lengths, then tells every
 * rank whether it could make room, so that no rank waits in a gather that never comes. */
static int display_pereng(rt_t *rt, int silent, const val_t *v, err_t *err)
{
    wbuf_t b, all;
    wbuf_init(&b);
    wbuf_init(&all);
    int saved = rt->local;
    rt->local = 1;
    int rc = repr_val(rt, &((const obj_pereng_t *)v->u.o)->v, 0, &b, err);
    rt->local = saved;
    if (b.oom && !rc) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    int len = rc ? 0 : (int)b.len, mrc, ok = 1;
    int *lens = NULL, *offs = NULL;
    char *buf = NULL;
    if (rt->rank == 0) {
        lens = mem_calloc((size_t)rt->nranks, sizeof *lens);
        offs = mem_calloc((size_t)rt->nranks, sizeof *offs);
        ok = lens && offs;
    }
    if ((mrc = MPI_Bcast(&ok, 1, MPI_INT, 0, rt->comm)) != MPI_SUCCESS) ok = 0;
    if (ok && (mrc = MPI_Gather(&len, 1, MPI_INT, lens, 1, MPI_INT, 0, rt->comm)) != MPI_SUCCESS)
        ok = 0;
    if (ok && rt->rank == 0) {
        size_t total = 0;
        for (int r = 0; r < rt->nranks; r++) {
            offs[r] = (int)total;
            total += (size_t)lens[r];
        }
        buf = mem_alloc(total + 1);
        ok = buf != NULL;
    }
    if ((mrc = MPI_Bcast(&ok, 1, MPI_INT, 0, rt->comm)) != MPI_SUCCESS) ok = 0;
    if (ok && (mrc = MPI_Gatherv(b.p ? (void *)b.p : (void *)"", len, MPI_CHAR, buf, lens, offs,
                                 MPI_CHAR, 0, rt->comm)) != MPI_SUCCESS)
        ok = 0;
    if (!ok && !rc)
        rc = mrc != MPI_SUCCESS ? mpi_err(mrc, err)
                                : err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (!rc && rt->rank == 0 && !silent) {
        wbuf_u8(&all, '[');
        for (int r = 0; r < rt->nranks; r++) {
            if (r) wbuf_printf(&all, ", ");
            wbuf_bytes(&all, buf + offs[r], (size_t)lens[r]);
        }
        wbuf_u8(&all, ']');
        if (all.oom)
            rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        else
            out_result(rt, (const char *)all.p, all.len, NULL, 0);
    }
    mem_free(lens);
    mem_free(offs);
    mem_free(buf);
    wbuf_free(&b);
    wbuf_free(&all);
    return rc;
}

/* Gives an error raised below n (by arr_, repr_ ... with no place) the place of n. */
static int at(const ir_node_t *n, int rc, err_t *err)
{
    if (rc < 0 && err->at.line == 0 && err->at.col == 0) err->at = n->at;
    return rc;
}

int show_value(rt_t *rt, int silent, const ir_node_t *n, const val_t *v, err_t *err)
{
    if (v->kind == V_NONE) return 0;
    if (v->kind == V_PERENG && !rt->local) return at(n, display_pereng(rt, silent, v, err), err);
    if (silent) return 0;
    /* Scalars need no collective; arrays (and containers holding them) do. */
    int sends = rt->local || rt->rank == 0;
    if (v->kind != V_ARRAY && v->kind != V_TUPLE && v->kind != V_LIST && !sends) return 0;
    wbuf_t plain, html;
    wbuf_init(&plain);
    wbuf_init(&html);
    int rc;
    if (v->kind == V_ARRAY)
        rc = arr_repr(rt, v->u.a, &plain, &html, err);
    else
        rc = repr_val(rt, v, 0, &plain, err);
    if (!rc && (plain.oom || html.oom)) rc = err_set(err, PARC_ENOMEM, n->at, "out of memory");
    if (!rc && sends)
        out_result(rt, (const char *)plain.p, plain.len, html.len ? (const char *)html.p : NULL,
                   html.len);
    wbuf_free(&plain);
    wbuf_free(&html);
    return at(n, rc, err);
}
