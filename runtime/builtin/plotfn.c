/* plotfn.c - the picture builtins' calls (see plotfn.h): arguments checked here as NumPy
 * checks them (same exception kinds and, where it matters, the same words), the reduction
 * itself in runtime/array. */
#include "plotfn.h"

#include <string.h>

#include "args.h"
#include "arr.h"
#include "arrhist.h"
#include "arrplot.h"
#include "builtins.h"
#include "figure.h"
#include "obj.h"
#include "out.h"

/* x as an array: an array as it is, a number or a (nested) list made into one. *owned is
 * set when the caller must drop it. */
static int as_array(call_t *c, const val_t *v, arr_t **a, int *owned, err_t *err)
{
    *owned = 0;
    if (v->kind == V_ARRAY) {
        *a = v->u.a;
        return 0;
    }
    if (v->kind == V_PERENG)
        return err_set(err, PARC_ETYPE, c->at,
                       "%s of a per-engine value: use %%px, or from_local() first", "histogram()");
    int rc = arr_from_value(c->rt, v, -1, NULL, a, err);
    if (rc) return args_at(c, rc, err);
    *owned = 1;
    return 0;
}

/* One end of range=: a Python or NumPy number, not complex. */
static int range_end(call_t *c, const val_t *v, arr_edge_t *e, err_t *err)
{
    if (v->kind == V_INT || v->kind == V_BOOL) {
        *e = (arr_edge_t){1, v->u.i, (double)v->u.i};
        return 0;
    }
    if (v->kind == V_FLOAT) {
        *e = (arr_edge_t){0, 0, v->u.f};
        return 0;
    }
    return err_set(err, PARC_ETYPE, c->at, "range= must hold two numbers, not '%s'",
                   val_kind_name(v));
}

static int parse_range(call_t *c, const val_t *v, arr_edge_t e[2], int *given, err_t *err)
{
    *given = 0;
    if (!v || v->kind == V_NONE) return 0;
    if (v->kind != V_TUPLE && v->kind != V_LIST)
        return err_set(err, PARC_ETYPE, c->at, "cannot unpack non-iterable %s object",
                       val_kind_name(v));
    const seq_t *s = (const seq_t *)v->u.o;
    if (s->n < 2)
        return err_set(err, PARC_EVALUE, c->at, "not enough values to unpack (expected 2, got %zu)",
                       s->n);
    if (s->n > 2) return err_set(err, PARC_EVALUE, c->at, "too many values to unpack (expected 2)");
    int rc = range_end(c, &s->v[0], &e[0], err);
    if (!rc) rc = range_end(c, &s->v[1], &e[1], err);
    *given = !rc;
    return rc;
}

int plotfn_histogram(call_t *c, val_t *out, err_t *err)
{
    static const char *const names[] = {"a", "bins", "range"};
    const char *fn = "histogram";
    const val_t *v[3] = {0};
    int rc = args_bind(c, fn, names, 3, 3, v, err);
    if (rc) return rc;
    if (!v[0])
        return err_set(err, PARC_ETYPE, c->at,
                       "histogram() missing 1 required positional argument: 'a'");
    int64_t nbins = 10;
    if (v[1]) {
        if (v[1]->kind == V_INT || v[1]->kind == V_BOOL)
            nbins = v[1]->u.i;
        else if (v[1]->kind == V_ARRAY || v[1]->kind == V_LIST || v[1]->kind == V_TUPLE ||
                 v[1]->kind == V_STR)
            return err_set(err, PARC_ENOTIMPL, c->at,
                           "histogram() takes an integer bins in parc (no edge arrays or "
                           "estimator names yet)");
        else
            return err_set(err, PARC_ETYPE, c->at,
                           "`bins` must be an integer, a string, or an array");
    }
    arr_edge_t e[2];
    int given = 0;
    if ((rc = parse_range(c, v[2], e, &given, err))) return rc;
    arr_t *a = NULL, *cnt = NULL, *edges = NULL;
    int owned = 0;
    if ((rc = as_array(c, v[0], &a, &owned, err))) return rc;
    rc = arr_histogram(c->rt, a, nbins, given ? &e[0] : NULL, given ? &e[1] : NULL, &cnt, &edges,
                       err);
    if (owned) arr_unref(&a);
    if (rc) return args_at(c, rc, err);
    val_t t = val_seq(V_TUPLE, 2, err);
    if (t.kind == V_NONE) {
        arr_unref(&cnt);
        arr_unref(&edges);
        return args_at(c, err->code, err);
    }
    seq_t *s = (seq_t *)t.u.o;
    s->v[0] = val_array(&cnt);
    s->v[1] = val_array(&edges);
    *out = t;
    return 0;
}

/* ---------------------------------------------------------------- pictures */

/* The options every picture takes, after the data arguments. */
enum { OPT_TITLE, OPT_XLABEL, OPT_YLABEL, OPT_LABEL, OPT_WIDTH, OPT_HEIGHT, NOPT };
static const char *const opt_names[NOPT] = {"title", "xlabel", "ylabel",
                                            "label", "width",  "height"};

static int opt_text(call_t *c, const char *fn, const char *what, const val_t *v, char *dst,
                    err_t *err)
{
    if (!v || v->kind == V_NONE) return 0;
    if (v->kind != V_STR)
        return err_set(err, PARC_ETYPE, c->at, "%s(): %s= must be a str, not '%s'", fn, what,
                       val_kind_name(v));
    const str_t *s = (const str_t *)v->u.o;
    size_t n = s->n < FIG_TEXT_MAX ? s->n : FIG_TEXT_MAX;
    memcpy(dst, s->s, n);
    dst[n] = 0;
    return 0;
}

static int opt_side(call_t *c, const char *fn, const char *what, const val_t *v, uint32_t def,
                    uint32_t *out, err_t *err)
{
    *out = def;
    if (!v || v->kind == V_NONE) return 0;
    int64_t k;
    int rc = args_int(c, v, &k, err);
    if (rc) return rc;
    if (k < FIG_SIDE_MIN || k > FIG_SIDE_MAX)
        return err_set(err, PARC_EVALUE, c->at, "%s(): %s= must be %d to %d pixels, not %lld", fn,
                       what, FIG_SIDE_MIN, FIG_SIDE_MAX, (long long)k);
    *out = (uint32_t)k;
    return 0;
}

/* Binds data parameters names[0..nd) and the options; fills s's texts and sides. */
static int bind_picture(call_t *c, const char *fn, const char *const *data, size_t nd,
                        size_t maxpos, const val_t **dv, fig_series_t *s, err_t *err)
{
    const char *names[ARGS_MAXBIND];
    const val_t *v[ARGS_MAXBIND] = {0};
    for (size_t i = 0; i < nd; i++)
        names[i] = data[i];
    for (size_t i = 0; i < NOPT; i++)
        names[nd + i] = opt_names[i];
    int rc = args_bind(c, fn, names, nd + NOPT, maxpos, v, err);
    for (size_t i = 0; i < nd; i++)
        dv[i] = v[i];
    const val_t *const *o = v + nd;
    memset(s, 0, sizeof *s);
    if (!rc) rc = opt_text(c, fn, "title", o[OPT_TITLE], s->title, err);
    if (!rc) rc = opt_text(c, fn, "xlabel", o[OPT_XLABEL], s->xlabel, err);
    if (!rc) rc = opt_text(c, fn, "ylabel", o[OPT_YLABEL], s->ylabel, err);
    if (!rc) rc = opt_text(c, fn, "label", o[OPT_LABEL], s->label, err);
    if (!rc) rc = opt_side(c, fn, "width", o[OPT_WIDTH], 640, &s->width, err);
    if (!rc) rc = opt_side(c, fn, "height", o[OPT_HEIGHT], 400, &s->height, err);
    return rc;
}

/* Sends the series to the kernel (rank 0 in global view) and frees its arrays. */
static int send_series(call_t *c, fig_series_t *s, val_t *out, err_t *err)
{
    wbuf_t b;
    wbuf_init(&b);
    fig_put_series(&b, s);
    fig_series_free(s);
    int rc = b.oom ? err_set(err, PARC_ENOMEM, c->at, "out of memory sending a figure") : 0;
    if (!rc) out_figure(c->rt, b.p, b.len);
    wbuf_free(&b);
    if (!rc) *out = val_none();
    return rc;
}

static int picture_array(call_t *c, const char *fn, const val_t *v, arr_t **a, int *owned,
                         err_t *err)
{
    *owned = 0;
    if (v->kind == V_PERENG)
        return err_set(err, PARC_ETYPE, c->at,
                       "%s() of a per-engine value: use %%px, or from_local() first", fn);
    return as_array(c, v, a, owned, err);
}

static int plot_xy(call_t *c, int bi, val_t *out, err_t *err)
{
    static const char *const data[] = {"x", "y"};
    const char *fn = bi == BI_PLOT ? "plot" : "scatter";
    const val_t *dv[2];
    fig_series_t s;
    int rc = bind_picture(c, fn, data, 2, 2, dv, &s, err);
    if (rc) return rc;
    if (!dv[0] || (bi == BI_SCATTER && !dv[1]))
        return err_set(err, PARC_ETYPE, c->at, "%s() missing %s required positional argument%s", fn,
                       bi == BI_SCATTER && !dv[0] ? "2" : "1",
                       bi == BI_SCATTER && !dv[0] ? "s: 'x' and 'y'" : ": 'y'");
    /* plot(y): the one argument is y */
    const val_t *xv = dv[1] ? dv[0] : NULL, *yv = dv[1] ? dv[1] : dv[0];
    arr_t *x = NULL, *y = NULL;
    int ox = 0, oy = 0;
    if (xv) rc = picture_array(c, fn, xv, &x, &ox, err);
    if (!rc) rc = picture_array(c, fn, yv, &y, &oy, err);
    if (!rc)
        rc = args_at(c,
                     bi == BI_PLOT ? arr_plot_line(c->rt, x, y, &s, err)
                                   : arr_plot_scatter(c->rt, x, y, &s, err),
                     err);
    if (ox) arr_unref(&x);
    if (oy) arr_unref(&y);
    return rc ? rc : send_series(c, &s, out, err);
}

static int plot_hist(call_t *c, val_t *out, err_t *err)
{
    static const char *const data[] = {"x", "bins", "range"};
    const val_t *dv[3];
    fig_series_t s;
    int rc = bind_picture(c, "hist", data, 3, 3, dv, &s, err);
    if (rc) return rc;
    if (!dv[0])
        return err_set(err, PARC_ETYPE, c->at,
                       "hist() missing 1 required positional argument: 'x'");
    int64_t bins = 10;
    if (dv[1] && (rc = args_int(c, dv[1], &bins, err))) return rc;
    arr_edge_t e[2];
    int given = 0;
    if ((rc = parse_range(c, dv[2], e, &given, err))) return rc;
    double lo = given ? (e[0].isint ? (double)e[0].i : e[0].f) : 0;
    double hi = given ? (e[1].isint ? (double)e[1].i : e[1].f) : 0;
    if (given && !(lo <= hi))
        return err_set(err, PARC_EVALUE, c->at, "max must be larger than min in range parameter.");
    arr_t *x = NULL;
    int ox = 0;
    rc = picture_array(c, "hist", dv[0], &x, &ox, err);
    if (!rc)
        rc = args_at(
            c, arr_plot_hist(c->rt, x, bins, given ? &lo : NULL, given ? &hi : NULL, &s, err), err);
    if (ox) arr_unref(&x);
    return rc ? rc : send_series(c, &s, out, err);
}

static int plot_image(call_t *c, val_t *out, err_t *err)
{
    static const char *const data[] = {"z"};
    const val_t *dv[1];
    fig_series_t s;
    int rc = bind_picture(c, "imshow", data, 1, 1, dv, &s, err);
    if (rc) return rc;
    if (!dv[0])
        return err_set(err, PARC_ETYPE, c->at,
                       "imshow() missing 1 required positional argument: 'z'");
    arr_t *z = NULL;
    int oz = 0;
    rc = picture_array(c, "imshow", dv[0], &z, &oz, err);
    if (!rc) rc = args_at(c, arr_plot_image(c->rt, z, &s, err), err);
    if (oz) arr_unref(&z);
    return rc ? rc : send_series(c, &s, out, err);
}

static int plot_figure(call_t *c, int bi, val_t *out, err_t *err)
{
    wbuf_t b;
    wbuf_init(&b);
    int rc;
    if (bi == BI_FIGURE) {
        if ((rc = args_count(c, "figure", 0, 0, err))) return rc;
        fig_put_new(&b);
    } else {
        static const char *const names[] = {"fname"};
        const val_t *v[1] = {0};
        if ((rc = args_bind(c, "savefig", names, 1, 1, v, err))) return rc;
        if (!v[0])
            return err_set(err, PARC_ETYPE, c->at,
                           "savefig() missing 1 required positional argument: 'fname'");
        if (v[0]->kind != V_STR)
            return err_set(err, PARC_ETYPE, c->at, "savefig(): fname must be a str, not '%s'",
                           val_kind_name(v[0]));
        const str_t *s = (const str_t *)v[0]->u.o;
        int svg = s->n > 4 && strcmp(s->s + s->n - 4, ".svg") == 0;
        int png = s->n > 4 && strcmp(s->s + s->n - 4, ".png") == 0;
        if (!svg && !png)
            return err_set(err, PARC_EVALUE, c->at,
                           "savefig(): the file name must end in .svg or .png, not '%s'", s->s);
        if (memchr(s->s, 0, s->n))
            return err_set(err, PARC_EVALUE, c->at, "savefig(): embedded null character in path");
        fig_put_save(&b, s->s, s->n);
    }
    rc = b.oom ? err_set(err, PARC_ENOMEM, c->at, "out of memory") : 0;
    if (!rc) out_figure(c->rt, b.p, b.len);
    wbuf_free(&b);
    if (!rc) *out = val_none();
    return rc;
}

int plotfn_picture(call_t *c, int bi, val_t *out, err_t *err)
{
    switch (bi) {
    case BI_PLOT:
    case BI_SCATTER:
        return plot_xy(c, bi, out, err);
    case BI_HIST:
        return plot_hist(c, out, err);
    case BI_IMSHOW:
        return plot_image(c, out, err);
    default:
        return plot_figure(c, bi, out, err);
    }
}
