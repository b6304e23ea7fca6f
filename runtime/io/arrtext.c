/* arrtext.c - savetxt and loadtxt (arrfile.h): small text files, written and read by engine 0.
 *
 * Text has no fixed record size, so the parallel I/O of .npy does not apply: savetxt gathers
 * the array in C order on engine 0 (the rows layout, then one gather), which formats each
 * row as NumPy's savetxt does (fmt % tuple(row), Python's printf-style conversions, with
 * NumPy's ' (re+imj)' for complex numbers) and writes through a temporary name as save does;
 * loadtxt has engine 0 parse the file and broadcast the values, and each engine keeps its
 * rows. Both are meant for files that fit in one engine's memory. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arrfilei.h"
#include "coll.h"
#include "mem.h"

/* ---- savetxt ---- */

/* One piece of a row's template: literal text, or a conversion of the next value. */
typedef struct {
    const char *lit; /* literal (not NUL-terminated), or NULL for a conversion */
    size_t len;
    char cfmt[40]; /* the conversion as C's printf spells it ("%.18e", "%5lld") */
    char bare[40]; /* o x X: the digits' conversion alone (precision, no flags or width) */
    int width;     /* its width (0: none) */
    char pad;      /* ' ', '0' (after the sign and prefix) or '-' (on the right) */
    char sign;     /* 0, '+' or ' ': what a non-negative number starts with */
    char alt;      /* '#': the 0x / 0X prefix */
    char conv;     /* its letter: d o x X e E f F g G (Python's i and u are d) */
} piece_t;

typedef struct {
    piece_t *p;
    size_t n, cap;
} tmpl_t;

static piece_t text_piece(const char *s, size_t n)
{
    piece_t c;
    memset(&c, 0, sizeof c);
    c.lit = s;
    c.len = n;
    return c;
}

static int add(tmpl_t *t, piece_t x)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        piece_t *np = mem_realloc(t->p, cap * sizeof *np);
        if (!np) return -1;
        t->p = np;
        t->cap = cap;
    }
    t->p[t->n++] = x;
    return 0;
}

/* The pieces of a Python %-format (fmt, n bytes) appended to t; *nconv counts conversions.
 * 0, or PARC_EVALUE with err set. */
static int parse_fmt(const char *fmt, size_t n, tmpl_t *t, int *nconv, err_t *err)
{
    size_t i = 0, lit = 0;
    while (i < n) {
        if (fmt[i] != '%') {
            i++;
            continue;
        }
        if (i + 1 < n && fmt[i + 1] == '%') { /* "%%": a literal % */
            if (add(t, text_piece(fmt + lit, i + 1 - lit)))
                return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
            i += 2;
            lit = i;
            continue;
        }
        if (i > lit && add(t, text_piece(fmt + lit, i - lit)))
            return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        size_t j = i + 1;
        while (j < n && strchr("#0- +", fmt[j]))
            j++;
        while (j < n && ((fmt[j] >= '0' && fmt[j] <= '9') || fmt[j] == '.'))
            j++;
        if (j < n && (fmt[j] == 'l' || fmt[j] == 'h' || fmt[j] == 'L')) j++; /* Python ignores */
        if (j >= n || !strchr("diouxXeEfFgG", fmt[j]) || j - i > 24)
            return err_set(err, PARC_EVALUE, (span_t){0},
                           "savetxt(): unsupported format '%.*s' (use %%d, %%e, %%f, %%g, %%x ...)",
                           (int)n, fmt);
        char cv = fmt[j] == 'i' || fmt[j] == 'u' ? 'd' : fmt[j];
        piece_t c = text_piece(NULL, 0);
        c.conv = cv;
        c.pad = ' ';
        size_t k = 0, b = 0, q = i + 1;
        c.cfmt[k++] = c.bare[b++] = '%';
        for (; q < j && strchr("#0- +", fmt[q]); q++) {
            c.cfmt[k++] = fmt[q];
            if (fmt[q] == '-') c.pad = '-';
            if (fmt[q] == '0' && c.pad != '-') c.pad = '0';
            if (fmt[q] == '+' || (fmt[q] == ' ' && c.sign != '+')) c.sign = fmt[q];
            if (fmt[q] == '#') c.alt = 1;
        }
        for (; q < j && fmt[q] >= '0' && fmt[q] <= '9'; q++) {
            c.cfmt[k++] = fmt[q];
            c.width = c.width * 10 + (fmt[q] - '0');
        }
        for (; q < j && (fmt[q] == '.' || (fmt[q] >= '0' && fmt[q] <= '9')); q++)
            c.cfmt[k++] = c.bare[b++] = fmt[q];
        if (c.alt && cv == 'o')
            return err_set(err, PARC_EVALUE, (span_t){0},
                           "savetxt(): the format '%%#o' is not supported");
        if (strchr("doxX", cv)) {
            c.cfmt[k++] = c.bare[b++] = 'l';
            c.cfmt[k++] = c.bare[b++] = 'l';
        }
        c.cfmt[k++] = c.bare[b++] = cv;
        c.cfmt[k] = c.bare[b] = 0;
        if (add(t, c)) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        ++*nconv;
        i = j + 1;
        lit = i;
    }
    if (n > lit && add(t, text_piece(fmt + lit, n - lit)))
        return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    return 0;
}

/* The template of one row of ncol values, as NumPy builds it: one format joined with the
 * delimiter per column, a format with ncol conversions as it is, or a list of formats
 * joined with the delimiter. Complex values take ' (fmt+fmtj)' per column. */
static int row_template(const arr_txtfmt_t *f, int64_t ncol, int cplx, tmpl_t *t, err_t *err)
{
    int nconv = 0, rc = 0;
    size_t dl = strlen(f->delimiter);
    if (f->nfmt > 1 || (f->nfmt == 1 && f->fmt_list)) {
        if ((int64_t)f->nfmt != ncol)
            return err_set(err, PARC_EVALUE, (span_t){0},
                           "fmt has wrong shape.  %d formats for %lld columns", f->nfmt,
                           (long long)ncol);
        for (int j = 0; j < f->nfmt && !rc; j++) {
            if (j && add(t, text_piece(f->delimiter, dl))) rc = PARC_ENOMEM;
            if (!rc) rc = parse_fmt(f->fmts[j], strlen(f->fmts[j]), t, &nconv, err);
        }
    } else {
        tmpl_t one = {0};
        int n1 = 0;
        rc = parse_fmt(f->fmts[0], strlen(f->fmts[0]), &one, &n1, err);
        if (!rc && n1 == 1) {
            for (int64_t j = 0; j < ncol && !rc; j++) {
                if (j && add(t, text_piece(f->delimiter, dl))) rc = PARC_ENOMEM;
                if (cplx && !rc) rc = add(t, text_piece(" (", 2));
                for (size_t q = 0; q < one.n && !rc; q++)
                    rc = add(t, one.p[q]);
                if (cplx && !rc) rc = add(t, text_piece("+", 1));
                for (size_t q = 0; cplx && q < one.n && !rc; q++)
                    rc = add(t, one.p[q]);
                if (cplx && !rc) rc = add(t, text_piece("j)", 2));
                nconv++;
            }
        } else if (!rc && n1 == ncol && !cplx) {
            for (size_t q = 0; q < one.n && !rc; q++)
                rc = add(t, one.p[q]);
            nconv = n1;
        } else if (!rc) {
            rc = err_set(err, PARC_EVALUE, (span_t){0}, "fmt has wrong number of %% formats:  %s",
                         f->fmts[0]);
        }
        mem_free(one.p);
    }
    if (rc == PARC_ENOMEM || rc == -1)
        return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    return rc;
}

/* One value through conversion c, as Python's % does it, into buf (CONVCAP bytes): its
 * length, or -1 with err set. */
#define CONVCAP 1200
static int conv(char *buf, const piece_t *c, int dt, const unsigned char *p, int imag, err_t *err)
{
    double v[2];
    arri_load(dt, p, v);
    double x = v[imag];
    int n;
/* cfmt is the user's conversion, checked by parse_fmt to be one of d o u x X (with ll) or
 * e E f F g G with flags, width and precision only: it takes exactly the argument given. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    if (strchr("diouxX", c->conv)) {
        long long i;
        if (dt == DT_INT64 || dt == DT_INT32 || dt == DT_BOOL) {
            i = (long long)arri_loadi(dt, p);
        } else if (!isfinite(x)) {
            err_set(err, PARC_EVALUE, (span_t){0}, "cannot convert float %s to integer",
                    isnan(x) ? "NaN" : "infinity");
            return -1;
        } else if (fabs(x) >= 9.2e18) {
            err_set(err, PARC_EOVERFLOW, (span_t){0}, "savetxt(): %g does not fit %%d", x);
            return -1;
        } else {
            i = (long long)x; /* int(): toward zero */
        }
        if (c->conv != 'd') { /* Python: sign, prefix, digits of the magnitude ('-ff') */
            char mag[CONVCAP], head[4] = "";
            unsigned long long u = i < 0 ? 0ull - (unsigned long long)i : (unsigned long long)i;
            int m = snprintf(mag, sizeof mag, c->bare, u), h = 0;
            if (i < 0 || c->sign) head[h++] = i < 0 ? '-' : c->sign;
            if (c->alt) {
                head[h++] = '0';
                head[h++] = c->conv;
            }
            head[h] = 0;
            int fill = c->width > m + h ? c->width - m - h : 0;
            n = snprintf(buf, CONVCAP, "%*s%s%.*d%s%*s", c->pad == ' ' ? fill : 0, "", head,
                         c->pad == '0' ? fill : 0, 0, mag, c->pad == '-' ? fill : 0, "");
        } else {
            n = snprintf(buf, CONVCAP, c->cfmt, i);
        }
    } else {
        if (isnan(x)) x = NAN; /* Python writes nan, never -nan */
        n = snprintf(buf, CONVCAP, c->cfmt, x);
    }
#pragma GCC diagnostic pop
    return n < 0 ? 0 : n >= CONVCAP ? CONVCAP - 1 : n;
}

/* NumPy's header or footer: every line after the comment string. */
static void comment_block(FILE *out, const char *text, const arr_txtfmt_t *f)
{
    if (!*text) return;
    fputs(f->comments, out);
    for (const char *s = text; *s; s++) {
        fputc(*s, out);
        if (*s == '\n') fputs(f->comments, out);
    }
    fputs(f->newline, out);
}

static int write_text(FILE *out, const tmpl_t *t, int dt, const unsigned char *data, int64_t nrow,
                      int64_t ncol, const arr_txtfmt_t *f, err_t *err)
{
    size_t es = dt_size(dt), cap = 4096, len;
    int cplx = dt == DT_COMPLEX128;
    char *row = mem_alloc(cap), one[CONVCAP];
    if (!row) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    comment_block(out, f->header, f);
    for (int64_t r = 0; r < nrow; r++) {
        int64_t col = 0;
        int half = 0;
        len = 0;
        for (size_t q = 0; q < t->n; q++) {
            const piece_t *c = &t->p[q];
            const char *text = c->lit;
            int n = (int)c->len;
            if (!text) {
                n = conv(one, c, dt, data + (size_t)(r * ncol + col) * es, half, err);
                if (n < 0) {
                    mem_free(row);
                    return err->code;
                }
                text = one;
                half = cplx && !half;
                col += !half;
            }
            if (len + (size_t)n + 1 > cap) {
                char *nr = mem_realloc(row, 2 * (len + (size_t)n + 1));
                if (!nr) {
                    mem_free(row);
                    return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
                }
                row = nr;
                cap = 2 * (len + (size_t)n + 1);
            }
            memcpy(row + len, text, (size_t)n);
            len += (size_t)n;
        }
        if (cplx) { /* NumPy: s.replace('+-', '-') */
            size_t w = 0;
            for (size_t k = 0; k < len; k++)
                if (!(row[k] == '+' && k + 1 < len && row[k + 1] == '-')) row[w++] = row[k];
            len = w;
        }
        fwrite(row, 1, len, out);
        fputs(f->newline, out);
    }
    comment_block(out, f->footer, f);
    mem_free(row);
    return 0;
}

int arr_savetxt(rt_t *rt0, const arr_t *a, const char *path, const arr_txtfmt_t *f, err_t *err)
{
    rt_t self;
    const rt_t *rt = arrf_alone(rt0, &self);
    int nd = arr_ndim(a), dt = arr_dtype(a);
    if (nd < 1 || nd > 2)
        return err_set(err, PARC_EVALUE, (span_t){0},
                       "Expected 1D or 2D array, got %dD array instead", nd);
    int64_t nrow = arr_shape(a)[0], ncol = nd == 2 ? arr_shape(a)[1] : 1;
    tmpl_t t = {0};
    int rc = row_template(f, ncol, dt == DT_COMPLEX128, &t, err);
    if (arr_is_dist(a) && !rt0->local) rc = arri_agree(rt, rc, err); /* out of memory */
    arr_t *rows = NULL, *tmp = NULL;
    if (!rc) rc = arri_rowwise(rt0, (arr_t *)a, &rows, err);
    const arr_t *src = rows;
    if (!rc && !arri_contig(rows)) {
        rc = arri_new(rt0, rows->ndim, rows->lshape, rows->dtype, 0, NULL, &tmp, err);
        if (!rc) arri_copy_chunk(tmp, rows);
        src = tmp;
    }
    if (arr_is_dist(a) && !rt0->local) rc = arri_agree(rt, rc, err);
    char *all = NULL;
    int64_t *offs = NULL;
    const unsigned char *data = NULL;
    if (!rc && arr_is_dist(a) && !rt0->local) {
        rc = coll_gather_bytes(rt, arri_base(src), (size_t)arri_lsize(src) * dt_size(dt), &all,
                               &offs, err);
        data = (const unsigned char *)all;
    } else if (!rc) {
        data = arri_base(src);
    }
    arrf_plan_t p;
    memset(&p, 0, sizeof p);
    if (!rc && rt->rank == 0) {
        int fd = -1;
        if (!arrf_tmpfile(&p, path, &fd)) {
            FILE *out = fdopen(fd, "w");
            err_t er;
            err_clear(&er);
            if (!out) {
                arrf_oserr(&p, errno, path);
                close(fd);
            } else if (write_text(out, &t, dt, data, nrow, ncol, f, &er)) {
                arrf_planerr(&p, er.code, "%s", er.msg);
                fclose(out);
            } else if (ferror(out) | fclose(out)) {
                arrf_oserr(&p, errno ? errno : EIO, path);
            }
            if (p.rc) unlink(p.tmp);
        }
    }
    mem_free(all);
    mem_free(offs);
    mem_free(t.p);
    arr_unref(&tmp);
    arr_unref(&rows);
    if (rc) return rc;
    if ((rc = arrf_share(rt, &p, err))) return rc;
    return arrf_finish(rt, &p, 0, err);
}

/* ---- loadtxt ---- */

typedef struct {
    unsigned char *data; /* values so far, dtype's bytes each */
    size_t n, cap;       /* bytes */
    int64_t rows, cols;  /* cols -1: no row yet */
} parsed_t;

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* A real number as Python's float() reads it (no hex), all of [s, e). */
static int real(const char *s, const char *e, double *v)
{
    char buf[128];
    if (e - s <= 0 || e - s >= (long)sizeof buf) return -1;
    memcpy(buf, s, (size_t)(e - s));
    buf[e - s] = 0;
    for (char *q = buf; *q; q++)
        if (*q == 'x' || *q == 'X' || *q == '(' || *q == ')' || *q == ' ') return -1;
    char *end;
    errno = 0;
    *v = strtod(buf, &end);
    return *end ? -1 : 0;
}

/* One field into v (double[2]) for dtype dt; -1 when it does not read. */
static int field(const char *s, const char *e, int dt, double *v, int64_t *iv)
{
    while (s < e && is_space(*s))
        s++;
    while (e > s && is_space(e[-1]))
        e--;
    v[0] = v[1] = 0;
    if (dt == DT_COMPLEX128) {
        if (e - s >= 2 && *s == '(' && e[-1] == ')') {
            s++;
            e--;
        }
        if (e > s && (e[-1] == 'j' || e[-1] == 'J')) {
            /* a+bj, or bj: the split is the last sign not after an exponent's e */
            const char *split = NULL;
            for (const char *q = e - 2; q > s; q--)
                if ((*q == '+' || *q == '-') && q[-1] != 'e' && q[-1] != 'E') {
                    split = q;
                    break;
                }
            if (!split) return real(s, e - 1, &v[1]);
            return real(s, split, &v[0]) || real(split, e - 1, &v[1]) ? -1 : 0;
        }
        return real(s, e, &v[0]);
    }
    if (dt == DT_FLOAT64 || dt == DT_FLOAT32) return real(s, e, &v[0]);
    char buf[64], *end;
    if (e - s <= 0 || e - s >= (long)sizeof buf) return -1;
    memcpy(buf, s, (size_t)(e - s));
    buf[e - s] = 0;
    errno = 0;
    long long x = strtoll(buf, &end, 10);
    if (*end || errno) return -1;
    if (dt == DT_INT32 && (x < INT32_MIN || x > INT32_MAX)) return -1;
    *iv = x;
    v[0] = (double)x;
    return 0;
}

static int push(parsed_t *pr, int dt, const double *v, int64_t iv)
{
    size_t es = dt_size(dt);
    if (pr->n + es > pr->cap) {
        size_t cap = pr->cap ? 2 * pr->cap : 4096;
        unsigned char *nd = mem_realloc(pr->data, cap);
        if (!nd) return -1;
        pr->data = nd;
        pr->cap = cap;
    }
    unsigned char *p = pr->data + pr->n;
    if (dt == DT_INT64)
        memcpy(p, &iv, 8);
    else if (dt == DT_INT32) {
        int32_t x = (int32_t)iv;
        memcpy(p, &x, 4);
    } else if (dt == DT_BOOL)
        *p = iv != 0;
    else
        arri_store(dt, p, v);
    pr->n += es;
    return 0;
}

/* Engine 0: the values of text (n bytes) as NumPy's loadtxt reads them. */
static int parse_text(arrf_plan_t *p, const char *text, size_t n, const arr_txtread_t *o,
                      parsed_t *pr)
{
    const char *s = text, *end = text + n, *name = p->shown;
    int64_t line = 0;
    size_t cl = o->comments ? strlen(o->comments) : 0, dl = o->delimiter ? strlen(o->delimiter) : 0;
    pr->cols = -1;
    while (s < end && (o->max_rows < 0 || pr->rows < o->max_rows)) {
        const char *nl = memchr(s, '\n', (size_t)(end - s)), *e = nl ? nl : end;
        line++;
        const char *next = nl ? nl + 1 : end;
        if (line <= o->skiprows) {
            s = next;
            continue;
        }
        if (cl)
            for (const char *q = s; q + cl <= e; q++)
                if (memcmp(q, o->comments, cl) == 0) {
                    e = q;
                    break;
                }
        const char *q = s;
        while (q < e && is_space(*q))
            q++;
        if (q == e) {
            s = next;
            continue;
        }
        /* the fields of this line */
        const char *fs[1024], *fe[1024];
        int64_t nf = 0;
        const char *f = dl ? s : q;
        for (;;) {
            const char *stop = e;
            if (dl) {
                for (const char *r = f; r + dl <= e; r++)
                    if (memcmp(r, o->delimiter, dl) == 0) {
                        stop = r;
                        break;
                    }
            } else {
                stop = f;
                while (stop < e && !is_space(*stop))
                    stop++;
            }
            if (nf == 1024)
                return arrf_planerr(p, PARC_ENOTIMPL, "%s: more than 1024 columns", name);
            fs[nf] = f;
            fe[nf++] = stop;
            if (stop == e) break;
            f = stop + (dl ? dl : 0);
            if (!dl) {
                while (f < e && is_space(*f))
                    f++;
                if (f == e) break;
            }
        }
        int64_t want = o->nusecols ? o->nusecols : nf;
        if (pr->cols >= 0 && want != pr->cols)
            return arrf_planerr(p, PARC_EVALUE,
                                "the number of columns changed from %lld to %lld at row %lld; use "
                                "`usecols` to select a subset and avoid this error",
                                (long long)pr->cols, (long long)want, (long long)line);
        pr->cols = want;
        for (int64_t k = 0; k < want; k++) {
            int64_t c = o->nusecols ? o->usecols[k] : k;
            if (c < 0) c += nf;
            if (c < 0 || c >= nf)
                return arrf_planerr(
                    p, PARC_EVALUE, "invalid column index %lld at row %lld with %lld columns",
                    (long long)(o->nusecols ? o->usecols[k] : k), (long long)line, (long long)nf);
            double v[2];
            int64_t iv = 0;
            if (field(fs[c], fe[c], o->dtype, v, &iv)) {
                const char *a = fs[c], *b = fe[c];
                while (a < b && is_space(*a))
                    a++;
                while (b > a && is_space(b[-1]))
                    b--;
                return arrf_planerr(p, PARC_EVALUE,
                                    "could not convert string '%.*s' to %s at row %lld, column "
                                    "%lld.",
                                    (int)(b - a > 60 ? 60 : b - a), a, dt_name(o->dtype),
                                    (long long)pr->rows, (long long)(c + 1));
            }
            if (push(pr, o->dtype, v, iv))
                return arrf_planerr(p, PARC_ENOMEM, "%s: out of memory", name);
        }
        pr->rows++;
        s = next;
    }
    if (pr->cols < 0) pr->cols = 0;
    return 0;
}

/* Engine 0: the file read and parsed; m gets the result's dtype and shape (NumPy's squeeze
 * to ndmin dimensions). */
static int begin_loadtxt(arrf_plan_t *p, const char *path, const arr_txtread_t *o, parsed_t *pr,
                         arrf_member_t *m)
{
    int fd;
    int64_t size = 0;
    if (arrf_open(p, path, &fd, &size)) return p->rc;
    char *text = NULL;
    size_t got = 0;
    int rc = 0;
    if (!(text = mem_alloc((size_t)size + 1)))
        rc =
            arrf_planerr(p, PARC_ENOMEM, "%s: out of memory for %lld bytes", path, (long long)size);
    else if (arrf_pread(fd, text, (size_t)size, 0, &got))
        rc = arrf_oserr(p, errno, path);
    close(fd);
    if (!rc) rc = parse_text(p, text, got, o, pr);
    mem_free(text);
    if (rc) return rc;
    int64_t sh[2] = {pr->rows, pr->cols};
    int nd = 0;
    m->h.dtype = o->dtype;
    if (pr->rows == 0) { /* no data: NumPy's empty array */
        m->h.ndim = 1;
        m->h.shape[0] = 0;
        return 0;
    }
    for (int k = 0; k < 2; k++) /* np.squeeze unless 2-d is wanted */
        if (sh[k] != 1 || o->ndmin == 2) m->h.shape[nd++] = sh[k];
    if (o->ndmin == 2) nd = 2;
    if (nd == 0 && o->ndmin == 1) m->h.shape[nd++] = 1;
    m->h.ndim = nd;
    return 0;
}

int arr_loadtxt(rt_t *rt0, const char *path, const arr_txtread_t *o, val_t *out, err_t *err)
{
    rt_t self;
    const rt_t *rt = arrf_alone(rt0, &self);
    arrf_plan_t p;
    arrf_member_t m;
    parsed_t pr = {0};
    memset(&p, 0, sizeof p);
    memset(&m, 0, sizeof m);
    if (rt->rank == 0) begin_loadtxt(&p, path, o, &pr, &m);
    int rc = arrf_share(rt, &p, err);
    if (!rc) rc = coll_bcast_bytes(rt, &m, sizeof m, 0, err);
    int64_t bytes = rc ? 0 : npy_data_bytes(&m.h);
    size_t es = dt_size(o->dtype);
    if (!rc && m.h.ndim == 0) {
        if (rt->rank == 0) memcpy(m.elem, pr.data, es);
        rc = coll_bcast_bytes(rt, m.elem, sizeof m.elem, 0, err);
        if (!rc) *out = arri_elem_val(o->dtype, m.elem);
        mem_free(pr.data);
        return rc;
    }
    if (!rc && rt->rank && bytes) {
        pr.data = mem_alloc((size_t)bytes);
        if (!pr.data) rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    }
    rc = arri_agree(rt, rc, err);
    if (!rc && bytes) rc = coll_bcast_bytes(rt, pr.data, (size_t)bytes, 0, err);
    arr_t *a = NULL;
    if (!rc)
        rc = rt0->local ? arri_new(rt0, m.h.ndim, m.h.shape, o->dtype, 0, NULL, &a, err)
                        : arri_new(rt0, m.h.ndim, m.h.shape, o->dtype, 1, NULL, &a, err);
    if (!rt0->local) rc = arri_agree(rt, rc, err);
    if (!rc) {
        /* this engine's rows: one run of the C-order values */
        int64_t row = (int64_t)es, r0 = rt0->local ? 0 : arri_row(a, rt->rank);
        for (int k = 1; k < m.h.ndim; k++)
            row *= m.h.shape[k];
        memcpy(arri_base(a), pr.data + r0 * row, (size_t)(arri_lsize(a) * (int64_t)es));
    }
    mem_free(pr.data);
    if (!rc && o->unpack && m.h.ndim == 2) {
        arr_t *t = NULL;
        rc = arr_transpose(rt0, a, NULL, &t, err);
        arr_unref(&a);
        a = t;
    }
    if (rc) {
        arr_unref(&a);
        return rc;
    }
    *out = val_array(&a);
    return 0;
}
