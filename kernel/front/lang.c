/* lang.c - the door from the protocol server to the language (see lang.h).
 * lang_compile runs lex -> parse -> comp and encodes the IR; lang_is_complete answers the
 * console's "another line?" with IPython's rules; lang_complete and lang_inspect read the
 * builtin table (builtins.h) and the engines' names; lang_format_error draws the
 * "File / source line / caret / Kind: message" blocks of docs/language.md, "Errors".
 *
 * Jupyter counts cursor positions in Unicode code points, the front end counts bytes:
 * cp_to_byte and byte_to_cp convert at this door and nowhere else. */
#include "lang.h"
#include "builtins.h"
#include "comp.h"
#include "ir.h"
#include "parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* %px -o NAME: the cell's last expression statement E becomes `NAME = E` followed by the
 * expression NAME (still shown); a cell ending otherwise gets `NAME = None` appended. */
static void store_result(arena_t *a, ast_t *tree, const char *name, err_t *e)
{
    ast_t *last = tree->n ? tree->kid[tree->n - 1] : NULL;
    span_t at = last ? last->at : tree->at;
    ast_t *target = ast_new(a, AST_NAME, at), *as = ast_new(a, AST_ASSIGN, at);
    if (!target || !as) {
        err_set(e, PARC_ENOMEM, at, "out of memory compiling the cell");
        return;
    }
    target->s = name;
    target->slen = (uint32_t)strlen(name);
    if (ast_add(a, as, target, e)) return;
    if (last && last->kind == AST_EXPR && last->n == 1) {
        ast_t *show = ast_new(a, AST_EXPR, at), *again = ast_new(a, AST_NAME, at);
        if (!show || !again) {
            err_set(e, PARC_ENOMEM, at, "out of memory compiling the cell");
            return;
        }
        again->s = target->s;
        again->slen = target->slen;
        if (ast_add(a, as, last->kid[0], e) || ast_add(a, show, again, e)) return;
        tree->kid[tree->n - 1] = as;
        ast_add(a, tree, show, e);
        return;
    }
    ast_t *none = ast_new(a, AST_NONE, at);
    if (!none) {
        err_set(e, PARC_ENOMEM, at, "out of memory compiling the cell");
        return;
    }
    if (!ast_add(a, as, none, e)) ast_add(a, tree, as, e);
}

static int compile(arena_t *a, const char *src, size_t len, uint32_t cell, const vartab_t *names,
                   int local, const char *store, wbuf_t *out, err_t *err)
{
    err_t e;
    err_clear(&e);
    ast_t *tree = parse_cell(a, src, len, cell, &e, NULL);
    ir_node_t *ir = NULL;
    if (tree && store) store_result(a, tree, store, &e);
    if (tree && !e.code) comp_cell(a, tree, names, local, &ir, &e);
    if (!e.code) {
        size_t before = out->len;
        ir_encode(ir, out);
        if (out->oom) {
            out->len = before;
            err_set(&e, PARC_ENOMEM, (span_t){cell, 0, 0, 0}, "out of memory encoding the IR");
        }
    }
    if (!e.code) return 0;
    e.rank = -1;
    return err_set(err, e.code, e.at, "%s", e.msg);
}

int lang_compile(arena_t *a, const char *src, size_t len, uint32_t cell, const vartab_t *names,
                 int local, wbuf_t *out, err_t *err)
{
    return compile(a, src, len, cell, names, local, NULL, out, err);
}

int lang_compile_store(arena_t *a, const char *src, size_t len, uint32_t cell,
                       const vartab_t *names, const char *name, wbuf_t *out, err_t *err)
{
    return compile(a, src, len, cell, names, 1, name, out, err);
}

/* ---- is_complete ---- */

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f') return 0;
    return 1;
}

/* The last line that is not blank: [*b, *b + *n). Returns 0 when there is none. */
static int last_line(const char *src, size_t len, const char **b, size_t *n)
{
    size_t end = len;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && src[start - 1] != '\n')
            start--;
        if (!blank(src + start, end - start)) {
            *b = src + start;
            *n = end - start;
            return 1;
        }
        if (start == 0) break;
        end = start - 1;
    }
    return 0;
}

static const char *indent_of(arena_t *a, const char *line, size_t n, int extra)
{
    size_t k = 0;
    while (k < n && (line[k] == ' ' || line[k] == '\t'))
        k++;
    char *s = arena_alloc(a, k + (size_t)extra + 1);
    if (!s) return "";
    memcpy(s, line, k);
    memset(s + k, ' ', (size_t)extra);
    s[k + (size_t)extra] = 0;
    return s;
}

/* The cell ends with an empty line: the text after its last newline is blank, and a newline
 * follows some text (IPython's "a block stays open until an empty line"). */
static int ends_blank(const char *src, size_t len)
{
    size_t i = len;
    while (i > 0 && src[i - 1] != '\n')
        i--;
    if (i == 0 || !blank(src + i, len - i)) return 0;
    return 1;
}

lang_status_t lang_is_complete(arena_t *a, const char *src, size_t len, const char **indent)
{
    *indent = "";
    const char *line;
    size_t n;
    if (!last_line(src, len, &line, &n)) return LANG_COMPLETE;
    size_t i = 0;
    while (i < len && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r'))
        i++;
    if (i < len && src[i] == '%') {
        if (i + 1 < len && src[i + 1] == '%')
            return ends_blank(src, len) ? LANG_COMPLETE : LANG_INCOMPLETE;
        return LANG_COMPLETE;
    }
    err_t e;
    err_clear(&e);
    int incomplete = 0;
    ast_t *tree = parse_cell(a, src, len, 0, &e, &incomplete);
    if (!tree) {
        if (e.code == PARC_ENOMEM) return LANG_INVALID;
        if (!incomplete) return LANG_INVALID;
        size_t k = n;
        while (k > 0 && (line[k - 1] == ' ' || line[k - 1] == '\t' || line[k - 1] == '\r'))
            k--;
        int opener = k > 0 && line[k - 1] == ':';
        *indent = indent_of(a, line, n, opener ? 4 : 0);
        return LANG_INCOMPLETE;
    }
    if (ends_blank(src, len)) return LANG_COMPLETE;
    /* Parsed, but a block may still grow (IPython): the last top-level statement is a
     * compound one. */
    int compound = 0;
    if (tree->n) {
        int k = tree->kid[tree->n - 1]->kind;
        compound = k == AST_IF || k == AST_WHILE || k == AST_FOR || k == AST_DEF;
    }
    if (compound) {
        *indent = indent_of(a, line, n, 0);
        return LANG_INCOMPLETE;
    }
    return LANG_COMPLETE;
}

/* ---- complete / inspect ---- */

/* Byte offset of code point cp in s (clamped to len). */
static size_t cp_to_byte(const char *s, size_t len, size_t cp)
{
    size_t i = 0;
    while (i < len && cp > 0) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        cp--;
    }
    return i;
}

static size_t byte_to_cp(const char *s, size_t b)
{
    size_t cp = 0;
    for (size_t i = 0; i < b; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) cp++;
    return cp;
}

static int word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

typedef struct {
    arena_t *a;
    const char **v;
    size_t n, cap;
    int oom;
} list_t;

static void push(list_t *l, const char *s, size_t n, const char *prefix, size_t plen)
{
    if (l->oom || n < plen || memcmp(s, prefix, plen) != 0) return;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        const char **v = arena_array(l->a, cap, sizeof *v);
        if (!v) {
            l->oom = 1;
            return;
        }
        if (l->n) memcpy(v, l->v, l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    const char *d = arena_strndup(l->a, s, n);
    if (!d) {
        l->oom = 1;
        return;
    }
    l->v[l->n++] = d;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static void sort_unique(list_t *l)
{
    if (!l->n) return;
    qsort(l->v, l->n, sizeof *l->v, cmp_str);
    size_t k = 1;
    for (size_t i = 1; i < l->n; i++)
        if (strcmp(l->v[i], l->v[k - 1]) != 0) l->v[k++] = l->v[i];
    l->n = k;
}

static const char *const keywords[] = {
    "False",  "None", "True", "and", "break",  "continue", "def", "del",  "elif",   "else",  "for",
    "global", "if",   "in",   "is",  "lambda", "not",      "or",  "pass", "return", "while",
};

static const char *const magics[] = {
    "%px",     "%%px",     "%autopx", "%engines", "%time",  "%%time",    "%timeit",
    "%who",    "%whos",    "%seed",   "%lsmagic", "%magic", "%pxresult", "%pxconfig",
    "%verify", "%history", "%pwd",    "%cd",      "%env",   "%timeout",
};

static const struct {
    const char *name, *sig, *doc;
} members[] = {
#define AM_ROW(n, sig, doc) {#n, sig, doc},
    PARC_ARRAY_METHODS(AM_ROW) PARC_ARRAY_ATTRS(AM_ROW)
#undef AM_ROW
};

int lang_complete(arena_t *a, const char *src, size_t len, size_t cursor, const vartab_t *names,
                  const char ***matches, size_t *nmatches, size_t *start, size_t *end)
{
    list_t l = {.a = a};
    size_t cur = cp_to_byte(src, len, cursor);
    size_t w = cur;
    while (w > 0 && word_char(src[w - 1]))
        w--;
    size_t wend = cur;
    *start = *end = byte_to_cp(src, cur);
    const char *pre = src + w;
    size_t plen = cur - w;
    size_t ls = w; /* is the word the first thing on its line, after % signs? */
    while (ls > 0 && src[ls - 1] == '%')
        ls--;
    size_t bol = ls;
    while (bol > 0 && (src[bol - 1] == ' ' || src[bol - 1] == '\t'))
        bol--;
    if (ls < w && (bol == 0 || src[bol - 1] == '\n')) {
        /* a magic: %p<TAB> */
        pre = src + ls;
        plen = cur - ls;
        for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
            push(&l, magics[i], strlen(magics[i]), pre, plen);
        w = ls;
    } else if (w > 0 && src[w - 1] == '.') {
        /* x.<TAB>: the object before the dot */
        size_t o = w - 1;
        while (o > 0 && word_char(src[o - 1]))
            o--;
        const char *obj = src + o;
        size_t olen = w - 1 - o;
        char name[128];
        if (olen == 0 || olen >= sizeof name) goto done;
        memcpy(name, obj, olen);
        name[olen] = 0;
        const vartab_rec_t *ni = names ? vartab_get(names, name) : NULL;
        if (!ni && (strcmp(name, "random") == 0 || strcmp(name, "linalg") == 0)) {
            for (int i = 0; i < BI_COUNT; i++) {
                const char *bn = bi_info(i)->name;
                if (strncmp(bn, name, olen) == 0 && bn[olen] == '.')
                    push(&l, bn + olen + 1, strlen(bn + olen + 1), pre, plen);
            }
        } else if (!ni || strcmp(ni->kind, "ndarray") == 0) {
            for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
                push(&l, members[i].name, strlen(members[i].name), pre, plen);
        }
    } else {
        for (size_t i = 0; names && i < vartab_count(names); i++) {
            const char *nm = vartab_at(names, i)->name;
            push(&l, nm, strlen(nm), pre, plen);
        }
        for (int i = 0; i < BI_COUNT; i++) {
            const char *bn = bi_info(i)->name;
            const char *dot = strchr(bn, '.');
            push(&l, bn, dot ? (size_t)(dot - bn) : strlen(bn), pre, plen);
        }
        for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
            push(&l, keywords[i], strlen(keywords[i]), pre, plen);
    }
    while (wend < len && word_char(src[wend]))
        wend++;
    *start = byte_to_cp(src, w);
    *end = byte_to_cp(src, wend);
done:
    if (l.oom) return PARC_ENOMEM;
    sort_unique(&l);
    *matches = l.v;
    *nmatches = l.n;
    return 0;
}

/* The dotted name [*s, *e) under the cursor, or just before it when the cursor follows
 * `?`, `(` or spaces (`x?`, `zeros(`). Returns 0 when there is none. */
static int name_at(const char *src, size_t len, size_t cur, size_t *s, size_t *e)
{
    size_t b = cur;
    while (b > 0 && (src[b - 1] == '?' || src[b - 1] == '(' || src[b - 1] == ' ') &&
           !(b < len && (word_char(src[b]) || src[b] == '.')))
        b--;
    size_t i = b;
    while (i > 0 && (word_char(src[i - 1]) || src[i - 1] == '.'))
        i--;
    size_t j = b;
    while (j < len && word_char(src[j]))
        j++;
    while (i < j && src[i] == '.')
        i++;
    *s = i;
    *e = j;
    return i < j;
}

int lang_inspect(arena_t *a, const char *src, size_t len, size_t cursor, const vartab_t *names,
                 wbuf_t *out)
{
    (void)a;
    size_t s, e;
    if (!name_at(src, len, cp_to_byte(src, len, cursor), &s, &e)) return 0;
    char name[128];
    size_t n = e - s;
    if (n >= sizeof name) return 0;
    memcpy(name, src + s, n);
    name[n] = 0;
    const vartab_rec_t *ni = names ? vartab_get(names, name) : NULL;
    if (ni) {
        wbuf_printf(out, "%s: %s\n", ni->name, ni->kind);
        if (ni->dtype && *ni->dtype) wbuf_printf(out, "dtype: %s\n", ni->dtype);
        if (ni->shape && *ni->shape) wbuf_printf(out, "shape: %s\n", ni->shape);
        if (ni->dist && *ni->dist) wbuf_printf(out, "dist: %s\n", ni->dist);
        if (ni->bytes) wbuf_printf(out, "bytes per engine: %llu\n", (unsigned long long)ni->bytes);
        if (ni->per_engine) wbuf_printf(out, "per engine: yes (defined in local view)\n");
        if (ni->summary && *ni->summary) wbuf_printf(out, "value: %s\n", ni->summary);
        return 1;
    }
    int id = bi_lookup(name, n);
    if (id >= 0) {
        const bi_info_t *bi = bi_info(id);
        wbuf_printf(out, "%s\n\n%s\n", bi->sig, bi->doc);
        return 1;
    }
    const char *dot = strrchr(name, '.');
    if (dot) {
        for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
            if (strcmp(members[i].name, dot + 1) == 0) {
                wbuf_printf(out, "%s\n\n%s\n", members[i].sig, members[i].doc);
                return 1;
            }
    }
    return 0;
}

/* ---- errors ---- */

/* One "File" block: header, the source line stripped of its indentation, carets. */
static void frame(span_t at, const char *fn, lang_source_fn src, void *ud, wbuf_t *out)
{
    if (at.line <= 0) return;
    size_t len = 0;
    const char *text = src ? src(ud, at.cell, &len) : NULL;
    size_t i = 0;
    for (int l = 1; text && l < at.line && i < len; i++)
        if (text[i] == '\n') l++;
    if (text && i >= len && at.line > 1) text = NULL;
    /* the column as the user counts it: code points, not bytes */
    size_t col = at.col > 0 ? (size_t)(at.col - 1) : 0;
    size_t ucol = col;
    if (text) {
        size_t e = i;
        while (e < len && text[e] != '\n' && e < i + col)
            e++;
        ucol = byte_to_cp(text + i, e - i) + (i + col > e ? i + col - e : 0);
    }
    if (at.cell)
        wbuf_printf(out, "  File \"<cell %u>\", line %d, column %zu", (unsigned)at.cell,
                    (int)at.line, ucol + 1);
    else
        wbuf_printf(out, "  File \"<cell>\", line %d, column %zu", (int)at.line, ucol + 1);
    if (fn && *fn) wbuf_printf(out, ", in %s", fn);
    wbuf_u8(out, '\n');
    if (!text) return;
    size_t e = i;
    while (e < len && text[e] != '\n')
        e++;
    while (e > i && (text[e - 1] == '\r' || text[e - 1] == ' ' || text[e - 1] == '\t'))
        e--;
    size_t s = i;
    while (s < e && (text[s] == ' ' || text[s] == '\t'))
        s++;
    wbuf_printf(out, "    %.*s\n", (int)(e - s), text + s);
    /* caret columns count code points of the shown text */
    size_t from = i + col < s ? s : i + col > e ? e : i + col;
    size_t to = from + (at.len > 0 ? (size_t)at.len : 0);
    if (to > e) to = e;
    size_t pad = byte_to_cp(text + s, from - s);
    size_t width = to > from ? byte_to_cp(text + from, to - from) : 0;
    if (width == 0) width = 1;
    wbuf_printf(out, "    %*s", (int)pad, "");
    for (size_t k = 0; k < width; k++)
        wbuf_u8(out, '^');
    wbuf_u8(out, '\n');
}

void lang_format_error(const err_t *e, const lang_frame_t *frames, size_t nframes, const char *who,
                       lang_source_fn src, void *ud, wbuf_t *out)
{
    if (nframes == 0) frame(e->at, "", src, ud, out);
    for (size_t i = 0; i < nframes; i++)
        frame(frames[i].at, frames[i].fn, src, ud, out);
    wbuf_printf(out, "%s%s: %s", who ? who : "", err_kind(e->code), e->msg);
}
