/* test_lang.c - the language front end, driven by the data files in tests/lang (NAME.t).
 *
 * A .t file is free text up to its first case; each case is
 *     === title [mode] [local] [names=a,b] [cell=N]
 *     source lines (verbatim; "<|>" marks the cursor for complete/inspect)
 *     ---
 *     expected output lines
 * Modes: compile (default: the ir_print dump of the decoded IR, or the error as
 * lang_format_error draws it), is_complete ("complete", "invalid" or "incomplete '    '"),
 * complete ("start-end" then one match per line), inspect (the text, or "(not found)").
 * Every case also runs with names: x, y (ndarrays), n (int), s (str), c (per-engine) and the
 * extra int names listed in names=.
 *
 * `test_lang --regen lang/file.t` rewrites a file's expected outputs from the current
 * front end, for review with git diff. Plain `test_lang` also walks mem_fail_after over a
 * medium cell: every allocation failure must give PARC_ENOMEM, never a crash or a leak. */
#include "check.h"

#include "arena.h"
#include "ir.h"
#include "lang.h"
#include "mem.h"
#include "vartab.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *src;
    size_t len;
} cellsrc_t;

static const char *get_src(void *ud, uint32_t cell, size_t *len)
{
    (void)cell;
    const cellsrc_t *c = ud;
    *len = c->len;
    return c->src;
}

static void put(vartab_t *t, const char *name, const char *kind, const char *dtype,
                const char *shape, const char *dist, const char *summary, uint64_t bytes, int pe)
{
    vartab_rec_t i = {(char *)name, (char *)kind,    (char *)dtype, (char *)shape,
                      (char *)dist, (char *)summary, bytes,         pe};
    CHECK(vartab_put(t, &i) == 0);
}

static vartab_t *base_names(const char *extra)
{
    vartab_t *t = vartab_new();
    put(t, "x", "ndarray", "float64", "(1000,)", "('b',)", "", 2000, 0);
    put(t, "y", "ndarray", "int64", "(300, 10)", "('b', 'n')", "", 6000, 0);
    put(t, "n", "int", "", "", "", "5", 0, 0);
    put(t, "s", "str", "", "", "", "'hello'", 0, 0);
    put(t, "c", "ndarray", "float64", "(3,)", "", "", 24, 1);
    while (extra && *extra) {
        const char *comma = strchr(extra, ',');
        size_t n = comma ? (size_t)(comma - extra) : strlen(extra);
        char buf[64];
        if (n >= sizeof buf) n = sizeof buf - 1;
        memcpy(buf, extra, n);
        buf[n] = 0;
        put(t, buf, "int", "", "", "", "1", 0, 0);
        extra = comma ? comma + 1 : NULL;
    }
    return t;
}

/* Runs one case; returns the actual output (malloc'ed by wbuf) in out. */
static void run_case(const char *opts, const char *src, size_t len, wbuf_t *out)
{
    char mode[32] = "compile";
    int local = 0;
    unsigned cell = 1;
    char extra[256] = "";
    const char *o = opts;
    while (o && *o) {
        while (*o == ' ')
            o++;
        size_t n = strcspn(o, " ");
        if (n == 0) break;
        if (strncmp(o, "local", n) == 0 && n == 5)
            local = 1;
        else if (strncmp(o, "names=", 6) == 0)
            snprintf(extra, sizeof extra, "%.*s", (int)(n - 6), o + 6);
        else if (strncmp(o, "cell=", 5) == 0)
            cell = (unsigned)atoi(o + 5);
        else
            snprintf(mode, sizeof mode, "%.*s", (int)n, o);
        o += n;
    }
    vartab_t *names = base_names(extra);
    arena_t *a = arena_new();
    /* the cursor marker */
    char *text = malloc(len + 1);
    size_t cursor = 0, tl = 0;
    for (size_t i = 0; i < len; i++) {
        if (i + 3 <= len && memcmp(src + i, "<|>", 3) == 0) {
            cursor = 0;
            for (size_t k = 0; k < tl; k++)
                if (((unsigned char)text[k] & 0xC0) != 0x80) cursor++;
            i += 2;
            continue;
        }
        text[tl++] = src[i];
    }
    text[tl] = 0;
    if (strcmp(mode, "compile") == 0) {
        wbuf_t ir;
        wbuf_init(&ir);
        err_t e;
        err_clear(&e);
        int rc = lang_compile(a, text, tl, cell, names, local, &ir, &e);
        if (rc == 0) {
            ir_node_t *root = NULL;
            arena_t *b = arena_new();
            CHECK(ir_decode(b, ir.p, ir.len, &root, &e) == 0);
            if (root) ir_print(root, out);
            arena_destroy(&b);
        } else {
            CHECK(rc == e.code);
            cellsrc_t cs = {text, tl};
            lang_format_error(&e, NULL, 0, "", get_src, &cs, out);
        }
        wbuf_free(&ir);
    } else if (strcmp(mode, "is_complete") == 0) {
        const char *indent = NULL;
        lang_status_t st = lang_is_complete(a, text, tl, &indent);
        if (st == LANG_COMPLETE) wbuf_printf(out, "complete");
        if (st == LANG_INVALID) wbuf_printf(out, "invalid");
        if (st == LANG_INCOMPLETE) wbuf_printf(out, "incomplete '%s'", indent);
    } else if (strcmp(mode, "complete") == 0) {
        const char **m = NULL;
        size_t nm = 0, s = 0, e = 0;
        CHECK(lang_complete(a, text, tl, cursor, names, &m, &nm, &s, &e) == 0);
        wbuf_printf(out, "%zu-%zu", s, e);
        for (size_t i = 0; i < nm; i++)
            wbuf_printf(out, "\n%s", m[i]);
    } else if (strcmp(mode, "inspect") == 0) {
        if (!lang_inspect(a, text, tl, cursor, names, out)) wbuf_printf(out, "(not found)");
    } else {
        wbuf_printf(out, "unknown mode %s", mode);
    }
    free(text);
    arena_destroy(&a);
    vartab_destroy(&names);
}

static size_t trim(const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r'))
        n--;
    return n;
}

/* Runs (or, with regen, rewrites) every case of one file. Returns the case count. */
static int run_file(const char *path, int regen)
{
    size_t len;
    char *s = check_slurp(path, &len);
    if (!s) {
        fprintf(stderr, "%s: cannot read\n", path);
        check_fail++;
        return 0;
    }
    wbuf_t re;
    wbuf_init(&re);
    int cases = 0;
    char *p = strstr(s, "=== ");
    if (p && p != s && p[-1] != '\n') p = NULL;
    if (regen) wbuf_bytes(&re, s, p ? (size_t)(p - s) : len);
    while (p) {
        char *hdr_end = strchr(p, '\n');
        if (!hdr_end) break;
        char *sep = strstr(hdr_end, "\n---\n");
        if (!sep) break;
        char *nextc = strstr(sep + 5, "\n=== ");
        char *exp = sep + 5;
        size_t elen = nextc ? (size_t)(nextc - exp) : (size_t)(s + len - exp);
        char hdr[512];
        snprintf(hdr, sizeof hdr, "%.*s", (int)(hdr_end - p), p);
        char *br = strrchr(hdr, '[');
        char opts[256] = "";
        if (br && strchr(br, ']')) {
            snprintf(opts, sizeof opts, "%.*s", (int)(strchr(br, ']') - br - 1), br + 1);
        }
        const char *src = hdr_end + 1;
        size_t slen = sep >= src ? (size_t)(sep - src) : 0;
        wbuf_t out;
        wbuf_init(&out);
        run_case(opts, src, slen, &out);
        const char *got = wbuf_cstring(&out);
        size_t glen = trim(got, out.len);
        size_t wl = trim(exp, elen);
        if (regen) {
            wbuf_bytes(&re, p, (size_t)(exp - p));
            wbuf_bytes(&re, got, glen);
            wbuf_bytes(&re, "\n\n", 2);
        } else if (glen == wl && memcmp(got, exp, glen) == 0) {
            check_pass++;
        } else {
            int line = 1;
            for (const char *q = s; q < p; q++)
                line += *q == '\n';
            check_fail++;
            fprintf(stderr, "%s:%d: %s\n--- got:\n%.*s\n--- want:\n%.*s\n", path, line, hdr,
                    (int)glen, got, (int)wl, exp);
        }
        wbuf_free(&out);
        cases++;
        p = nextc ? nextc + 1 : NULL;
    }
    if (regen) {
        FILE *f = fopen(path, "wb");
        if (f) {
            size_t n = trim((const char *)re.p, re.len);
            fwrite(re.p, 1, n, f);
            fputc('\n', f);
            fclose(f);
        }
    }
    wbuf_free(&re);
    free(s);
    return cases;
}

static const char medium[] = "import_ok = 1\n"
                             "x = random.rand(10**6)\n"
                             "y = random.rand(10**6, dist='c')\n"
                             "def f(a, b=2):\n"
                             "    if a > b and not a is None:\n"
                             "        return a * b + 1\n"
                             "    for i in range(10):\n"
                             "        b += i ** 2 // 3\n"
                             "    return [a, b, (1, 'two\\n')]\n"
                             "z = x[1:10:2] + sqrt(hypot(x, y)) * 2\n"
                             "while z.sum() < 0 < 1:\n"
                             "    break\n"
                             "w = lambda i, j: i + j\n"
                             "4 * count_nonzero(hypot(x, y) <= 1) / 10**6\n";

/* Every allocation failure during lang_compile gives PARC_ENOMEM (or success when the
 * failure falls after the last allocation); the sanitizer build checks for leaks. */
static void test_alloc_failures(void)
{
    vartab_t *names = base_names("");
    int ok = 0;
    for (long n = 0; n < 2000 && !ok; n++) {
        mem_fail_after(n);
        arena_t *a = arena_new();
        if (!a) {
            mem_fail_after(-1);
            continue;
        }
        wbuf_t out;
        wbuf_init(&out);
        err_t e;
        err_clear(&e);
        int rc = lang_compile(a, medium, sizeof medium - 1, 3, names, 0, &out, &e);
        mem_fail_after(-1);
        if (rc == 0) {
            ok = 1;
            CHECK(out.len > 0);
        } else if (rc != PARC_ENOMEM) {
            fprintf(stderr, "fail_after(%ld): rc %d %s\n", n, rc, e.msg);
            CHECK(rc == PARC_ENOMEM);
        }
        wbuf_free(&out);
        arena_destroy(&a);
    }
    CHECK(ok);
    vartab_destroy(&names);
}

/* The err_t contract: codes, spans and stickiness as lang.h promises. */
static void test_errors(void)
{
    arena_t *a = arena_new();
    wbuf_t out;
    wbuf_init(&out);
    err_t e;
    err_clear(&e);
    CHECK(lang_compile(a, "y = (x +* 2)", 12, 7, NULL, 0, &out, &e) == PARC_ESYNTAX);
    CHECK(e.at.cell == 7 && e.at.line == 1 && e.at.col == 9 && e.at.len == 1);
    CHECK(out.len == 0);
    /* sticky: a second failure does not overwrite the first */
    CHECK(lang_compile(a, "if x:\nfoo", 9, 8, NULL, 0, &out, &e) == PARC_ESYNTAX);
    CHECK(e.at.cell == 7);
    err_clear(&e);
    CHECK(lang_compile(a, "if x:\nfoo", 9, 8, NULL, 0, &out, &e) == PARC_EINDENT);
    err_clear(&e);
    CHECK(lang_compile(a, "", 0, 1, NULL, 0, &out, &e) == 0);
    CHECK(out.len > 0);
    /* frames and the engine prefix */
    wbuf_t f;
    wbuf_init(&f);
    const char *src = "def f(a):\n    return a[10]\nf(x)";
    cellsrc_t cs = {src, strlen(src)};
    err_clear(&e);
    err_set(&e, PARC_EINDEX, (span_t){4, 2, 12, 5}, "index 10 is out of bounds");
    lang_frame_t fr[2] = {{{4, 3, 1, 4}, ""}, {{4, 2, 12, 5}, "f"}};
    lang_format_error(&e, fr, 2, "[2:execute] ", get_src, &cs, &f);
    CHECK_STR(wbuf_cstring(&f), "  File \"<cell 4>\", line 3, column 1\n"
                                "    f(x)\n"
                                "    ^^^^\n"
                                "  File \"<cell 4>\", line 2, column 12, in f\n"
                                "    return a[10]\n"
                                "           ^^^^^\n"
                                "[2:execute] IndexError: index 10 is out of bounds");
    wbuf_free(&f);
    /* no source, no span: just the last line */
    err_clear(&e);
    err_set(&e, PARC_EVALUE, (span_t){0}, "bad");
    lang_format_error(&e, NULL, 0, "", NULL, NULL, &f);
    CHECK_STR(wbuf_cstring(&f), "ValueError: bad");
    wbuf_free(&f);
    wbuf_free(&out);
    arena_destroy(&a);
}

static int compile_text(const char *src, size_t len, err_t *e)
{
    arena_t *a = arena_new();
    wbuf_t out;
    wbuf_init(&out);
    err_clear(e);
    int rc = lang_compile(a, src, len, 1, NULL, 0, &out, e);
    if (rc == 0) { /* whatever compiles must decode: the IR's own depth limit included */
        arena_t *b = arena_new();
        ir_node_t *root;
        err_t d;
        err_clear(&d);
        CHECK(ir_decode(b, out.p, out.len, &root, &d) == 0);
        arena_destroy(&b);
    }
    wbuf_free(&out);
    arena_destroy(&a);
    return rc;
}

/* src = pre * n + mid + post * n */
static int repeat(const char *pre, const char *mid, const char *post, size_t n, err_t *e)
{
    size_t lp = strlen(pre), lm = strlen(mid), lq = strlen(post);
    size_t len = lp * n + lm + lq * n;
    char *s = malloc(len + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++, k += lp)
        memcpy(s + k, pre, lp);
    memcpy(s + k, mid, lm);
    k += lm;
    for (size_t i = 0; i < n; i++, k += lq)
        memcpy(s + k, post, lq);
    s[k] = 0;
    int rc = compile_text(s, len, e);
    free(s);
    return rc;
}

/* Hostile nesting and size: an error or success, never a crash, and quickly. */
static void test_limits(void)
{
    err_t e;
    CHECK(repeat("(", "1", ")", 20000, &e) == PARC_ESYNTAX);
    CHECK_STR(e.msg, "expression nested too deeply");
    CHECK(repeat("[", "1", "]", 300, &e) == PARC_ESYNTAX);
    CHECK(repeat("-", "1", "", 20000, &e) == PARC_ESYNTAX);
    CHECK_STR(e.msg, "expression nested too deeply");
    CHECK(repeat("not ", "x", "", 20000, &e) == PARC_ESYNTAX);
    CHECK(repeat("", "2", "**2", 20000, &e) == PARC_ESYNTAX);
    CHECK(repeat("", "1", "+1", 20000, &e) == PARC_ESYNTAX);
    CHECK_STR(e.msg, "expression nested too deeply");
    CHECK(repeat("", "x", ".a", 20000, &e) == PARC_ESYNTAX);
    CHECK(repeat("", "f", "()", 20000, &e) == PARC_ESYNTAX);
    CHECK(repeat("", "x", "[0]", 20000, &e) == PARC_ESYNTAX);
    CHECK(repeat("f(", "1", ")", 20000, &e) == PARC_ESYNTAX);
    CHECK(repeat("sqrt(f(", "1", "))", 1000, &e) == PARC_ESYNTAX);
    CHECK(repeat("lambda: ", "1", "", 20000, &e) == PARC_ESYNTAX);
    CHECK(repeat("1 if 1 else ", "1", "", 20000, &e) == PARC_ESYNTAX);
    CHECK(repeat("", "0", " < 1", 20000, &e) == PARC_ESYNTAX);
    CHECK_STR(e.msg, "too many chained comparisons");
    CHECK(repeat("if x:\n", "", "", 1, &e) == PARC_EINDENT);
    /* just inside the limits compiles, and the IR decodes */
    CHECK(repeat("(", "1", ")", 100, &e) == 0);
    CHECK(repeat("", "1", "+1", 150, &e) == 0);
    CHECK(repeat("-(", "x", ")", 70, &e) == 0);
    CHECK(repeat("sqrt(f(", "x", "))", 45, &e) == 0);
    /* deep blocks: refused cleanly */
    char *deep = malloc(200000);
    size_t k = check_staircase(deep, 200000, 120, "if x:\n");
    memset(deep + k, ' ', 120);
    k += 120;
    memcpy(deep + k, "pass\n", 5);
    k += 5;
    CHECK(compile_text(deep, k, &e) != 0);
    /* many statements: fine */
    k = 0;
    for (int i = 0; i < 5000; i++)
        k += (size_t)snprintf(deep + k, 40, "v%d = sum(x) + %d\n", i, i);
    CHECK(compile_text(deep, k, &e) == 0);
    /* an elif chain a user might write */
    k = 0;
    k += (size_t)snprintf(deep + k, 40, "if n == 0:\n    pass\n");
    for (int i = 1; i < 60; i++)
        k += (size_t)snprintf(deep + k, 60, "elif n == %d:\n    pass\n", i);
    CHECK(compile_text(deep, k, &e) == 0);
    free(deep);
    /* NUL bytes and invalid UTF-8 are errors, not crashes */
    CHECK(compile_text("x = 1\0", 6, &e) == PARC_ESYNTAX);
    CHECK(compile_text("'\xff\xfe'", 4, &e) == 0);
    CHECK(compile_text("\xff", 1, &e) == PARC_ESYNTAX);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--regen") == 0) {
        printf("%d cases\n", run_file(argv[2], 1));
        return 0;
    }
    DIR *d = opendir("lang");
    int files = 0, cases = 0;
    struct dirent *de;
    char *list[256];
    while (d && (de = readdir(d)) && files < 256) {
        size_t n = strlen(de->d_name);
        if (n > 2 && strcmp(de->d_name + n - 2, ".t") == 0) list[files++] = strdup(de->d_name);
    }
    if (d) closedir(d);
    for (int i = 0; i < files; i++) {
        char path[512];
        snprintf(path, sizeof path, "lang/%s", list[i]);
        cases += run_file(path, 0);
        free(list[i]);
    }
    printf("%d files, %d cases\n", files, cases);
    CHECK(cases > 0);
    test_errors();
    test_limits();
    test_alloc_failures();
    return check_done();
}
