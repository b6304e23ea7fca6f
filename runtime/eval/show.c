/* show.c - the displayed value of a cell (see show.h).
 *
 * Decisions a reader could not guess:
 * - Scalars are shown by the rank that sends (rank 0, or every rank in local view) with no
 *   communication; arrays and tuples/lists are formatted on every rank, since their repr
 *   may be Collective, and only the sending rank sends.
 * - A per-engine value in global view is shown as a list of every rank's repr (as
 *   ipyparallel's dview['c'] shows it), gathered by coll_gather_bytes. */
#include "show.h"

#include "arr.h"
#include "coll.h"
#include "mem.h"
#include "obj.h"
#include "out.h"
#include "repr.h"

/* Collective: every rank's repr of its own value, shown on rank 0 as a list (as
 * ipyparallel's dview['c'] shows it). A rank whose repr fails still takes part with no text. */
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
    char *buf = NULL;
    int64_t *offs = NULL;
    int grc = coll_gather_bytes(rt, b.p, rc ? 0 : b.len, &buf, &offs, err);
    if (!rc) rc = grc;
    if (!rc && rt->rank == 0 && !silent) {
        wbuf_u8(&all, '[');
        for (int r = 0; r < rt->nranks; r++) {
            if (r) wbuf_printf(&all, ", ");
            wbuf_bytes(&all, buf + offs[r], (size_t)(offs[r + 1] - offs[r]));
        }
        wbuf_u8(&all, ']');
        if (all.oom)
            rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        else
            out_result(rt, (const char *)all.p, all.len, NULL, 0);
    }
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
