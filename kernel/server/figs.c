/* figs.c - the running cell's figures (figs.h). */
#include "figs.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "figure.h"
#include "mem.h"
#include "render.h"

typedef struct {
    int rank;
    int open; /* plot calls of this rank still draw into it */
    render_fig_t fig;
} entry_t;

struct figs {
    entry_t *e;
    size_t n, cap;
};

figs_t *figs_new(void)
{
    return mem_calloc(1, sizeof(figs_t));
}

static void forget(figs_t *f)
{
    for (size_t i = 0; i < f->n; i++)
        render_free(&f->e[i].fig);
    f->n = 0;
}

void figs_destroy(figs_t **fp)
{
    if (!fp || !*fp) return;
    forget(*fp);
    mem_free((*fp)->e);
    mem_free(*fp);
    *fp = NULL;
}

/* rank's open figure, or (make) a new one; NULL when out of memory. */
static entry_t *current(figs_t *f, int rank, int make)
{
    for (size_t i = f->n; i-- > 0;)
        if (f->e[i].rank == rank && f->e[i].open) return &f->e[i];
    if (!make) return NULL;
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 4;
        entry_t *e = mem_realloc(f->e, cap * sizeof *e);
        if (!e) return NULL;
        f->e = e;
        f->cap = cap;
    }
    entry_t *e = &f->e[f->n++];
    memset(e, 0, sizeof *e);
    e->rank = rank;
    e->open = 1;
    return e;
}

/* The figure savefig saves: the open one, else rank's last. */
static entry_t *latest(figs_t *f, int rank)
{
    entry_t *e = current(f, rank, 0);
    for (size_t i = f->n; !e && i-- > 0;)
        if (f->e[i].rank == rank) e = &f->e[i];
    return e;
}

/* Writes the bytes to path through a temporary name in the same folder, renamed at the end,
 * so an interrupted save never leaves half a file under the real name. */
static int write_file(const char *path, const wbuf_t *b, char *why, size_t n)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.parc-%d.tmp", path, (int)getpid()) >= (int)sizeof tmp) {
        snprintf(why, n, "the path is too long");
        return -1;
    }
    FILE *fp = fopen(tmp, "wb");
    int ok = fp && fwrite(b->p, 1, b->len, fp) == b->len;
    int err = errno;
    if (fp && fclose(fp) != 0 && ok) ok = 0, err = errno;
    if (ok && rename(tmp, path) != 0) ok = 0, err = errno;
    if (!ok) {
        if (fp) unlink(tmp);
        snprintf(why, n, "%s", strerror(err));
        return -1;
    }
    return 0;
}

static void save(figs_t *f, int rank, const char *path, size_t pn, wbuf_t *note)
{
    char *p = mem_strndup(path, pn);
    entry_t *e = latest(f, rank);
    if (!p) {
        wbuf_printf(note, "savefig: out of memory\n");
        return;
    }
    if (!e || !e->fig.n) {
        wbuf_printf(note, "savefig: there is no figure to save in this cell: plot first\n");
        mem_free(p);
        return;
    }
    int png = pn > 4 && strcmp(p + pn - 4, ".png") == 0;
    wbuf_t b;
    wbuf_init(&b);
    char why[256];
    if (render_draw(&e->fig, png, &b) != 0)
        wbuf_printf(note, "savefig: cannot draw the figure\n");
    else if (write_file(p, &b, why, sizeof why) != 0)
        wbuf_printf(note, "savefig: cannot write '%s': %s\n", p, why);
    wbuf_free(&b);
    mem_free(p);
}

void figs_record(figs_t *f, int rank, const void *body, size_t n, wbuf_t *note)
{
    rbuf_t r;
    rbuf_init(&r, body, n);
    int op;
    fig_series_t s;
    const char *path = NULL;
    size_t pn = 0;
    if (fig_get(&r, &op, &s, &path, &pn) != 0) {
        wbuf_printf(note, "parc: engine %d sent a malformed figure; it is not shown\n", rank);
        return;
    }
    if (op == FIG_OP_NEW) {
        entry_t *e = current(f, rank, 0);
        if (e) e->open = 0;
    } else if (op == FIG_OP_SAVE) {
        save(f, rank, path, pn, note);
    } else {
        entry_t *e = current(f, rank, 1);
        if (!e || render_add(&e->fig, &s) != 0) {
            fig_series_free(&s);
            wbuf_printf(note, "parc: out of memory keeping a figure\n");
        }
    }
}

/* What the figure shows, for programs reading the notebook (and the tests): per series its
 * kind and sizes, and a histogram's counts and edges (up to 1000 bins) exactly. */
static json_t *summary(const render_fig_t *fig)
{
    static const char *const kind[FIG_NKINDS] = {"",        "line", "envelope", "points",
                                                 "density", "hist", "image"};
    json_t *a = json_array();
    for (size_t i = 0; a && i < fig->n; i++) {
        const fig_series_t *s = &fig->s[i];
        json_t *o =
            json_pack("{s:s, s:I, s:I, s:i, s:i}", "kind", kind[s->kind], "n", (json_int_t)s->n,
                      "skipped", (json_int_t)s->skipped, "nx", (int)s->nx, "ny", (int)s->ny);
        if (o && s->kind == FIG_BARS && s->nx <= 1000) {
            json_t *c = json_array(), *e = json_array();
            for (uint32_t k = 0; k < s->nx; k++)
                json_array_append_new(c, json_integer((json_int_t)s->a[k]));
            for (uint32_t k = 0; k <= s->nx; k++)
                json_array_append_new(e, json_real(s->b[k]));
            json_object_set_new(o, "counts", c);
            json_object_set_new(o, "edges", e);
        }
        if (o) json_array_append_new(a, o);
    }
    return a;
}

/* b's bytes in base64, NUL-terminated (mem_alloc'ed), or NULL. */
static char *base64(const wbuf_t *b)
{
    char *out = mem_alloc(4 * ((b->len + 2) / 3) + 1);
    if (out) EVP_EncodeBlock((unsigned char *)out, b->p, (int)b->len);
    return out;
}

static json_t *bundle(const render_fig_t *fig, int rank, int local)
{
    wbuf_t pic, alt;
    wbuf_init(&pic);
    wbuf_init(&alt);
    if (local) wbuf_printf(&alt, "[engine %d] ", rank);
    render_alt(fig, &alt);
    json_t *data = json_object();
    if (data) json_object_set_new(data, "text/plain", json_string(wbuf_cstring(&alt)));
    int png = render_is_png(fig);
    if (data && render_draw(fig, png, &pic) == 0) {
        char *b64 = base64(&pic);
        if (png) {
            if (b64) json_object_set_new(data, "image/png", json_string(b64));
        } else {
            /* Also as an <img> of the SVG, first in every front end's order: Debian's
             * nbconvert 6.5 empties inline SVG when it exports HTML (its HTML cleaner drops
             * the SVG elements), an image it keeps; the alt text goes with it. */
            wbuf_t h;
            wbuf_init(&h);
            wbuf_printf(&h,
                        "<img src=\"data:image/svg+xml;base64,%s\" width=\"%u\" height=\"%u\" "
                        "alt=\"",
                        b64 ? b64 : "", fig->s[0].width, fig->s[0].height);
            for (size_t k = 0; k < alt.len; k++) /* the attribute's quotes too */
                if (alt.p[k] == '"')
                    wbuf_printf(&h, "&quot;");
                else
                    wbuf_html(&h, (const char *)alt.p + k, 1);
            wbuf_printf(&h, "\">");
            if (b64) json_object_set_new(data, "text/html", json_string(wbuf_cstring(&h)));
            wbuf_free(&h);
            /* the <svg> element without the XML declaration: nbconvert's HTML export (and
             * IPython's SVG display) take an element, not a document */
            wbuf_u8(&pic, 0);
            const char *svg = pic.oom ? NULL : strstr((const char *)pic.p, "<svg");
            if (svg) json_object_set_new(data, "image/svg+xml", json_string(svg));
        }
        mem_free(b64);
    }
    wbuf_free(&pic);
    wbuf_free(&alt);
    return data;
}

void figs_publish(figs_t *f, chan_t *chan, const msg_t *req, int local)
{
    /* rank order, then the order each rank drew them in */
    size_t done = 0;
    int rank = -1;
    while (done < f->n) {
        int next = -1;
        for (size_t i = 0; i < f->n; i++)
            if (f->e[i].rank > rank && (next < 0 || f->e[i].rank < next)) next = f->e[i].rank;
        if (next < 0) break;
        rank = next;
        for (size_t i = 0; i < f->n; i++) {
            if (f->e[i].rank != rank) continue;
            done++;
            if (!f->e[i].fig.n) continue;
            json_t *data = bundle(&f->e[i].fig, rank, local);
            if (!data) continue;
            json_t *meta = json_pack("{s:{s:i, s:o}}", "parc", "engine", rank, "series",
                                     summary(&f->e[i].fig));
            if (meta && json_object_get(data, "image/png"))
                json_object_set_new(meta, "image/png",
                                    json_pack("{s:i, s:i}", "width", (int)f->e[i].fig.s[0].width,
                                              "height", (int)f->e[i].fig.s[0].height));
            chan_publish(chan, req, "display_data",
                         json_pack("{s:o, s:o, s:{}}", "data", data, "metadata",
                                   meta ? meta : json_object(), "transient"));
        }
    }
    forget(f);
}
