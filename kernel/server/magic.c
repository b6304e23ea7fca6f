/* magic.c - cuts a cell into code and %magic segments (see magic.h); between proto_ (which
 * runs the segments) and lang_ (which compiles the code ones).
 * Decisions: a magic is recognised only at column 0 of a line (an indented `%` belongs to
 * the code and is the language's syntax error); consecutive code lines form one segment; a
 * %px line is one statement; `%%px` and `%%time` must be the first line. Segment code is the
 * cell with the other lines emptied, so the front end's line numbers are the cell's. */
#include "magic.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const magic_line_names[] = {
    "autopx",  "cd",     "engines",  "env",      "history", "lsmagic", "magic",
    "pwd",     "px",     "pxconfig", "pxresult", "seed",    "time",    "timeit",
    "timeout", "verify", "who",      "whos",     NULL,
};

static const struct {
    const char *name, *help;
} helps[] = {
    {"px", "%px [--targets T] [--collapse] [--timeout S] [--noblock] [-o NAME] STMT: run STMT "
           "on the engines in local view (each engine sees its own chunk; rank and nranks are "
           "defined)."},
    {"%px", "%%px [--targets T] [--collapse] [--timeout S] [--noblock] [-o NAME]: run the whole "
            "cell on the engines in local view. --collapse prints lines that several engines "
            "print alike once ([stdout:0-63] done); --timeout S interrupts the cell after S "
            "seconds; --noblock returns at once (later cells wait for it, %pxresult shows its "
            "output); -o NAME stores each engine's result as the per-engine value NAME."},
    {"pxconfig", "%pxconfig [--targets T] [--collapse|--no-collapse] [--timeout S]: defaults "
                 "for later %px cells; without arguments, shows them."},
    {"timeout", "%timeout S: interrupts global-view statements that run longer than S seconds "
                "(0: no limit); without an argument, shows the limit."},
    {"autopx", "%autopx: every following cell runs as %%px until %autopx again."},
    {"engines", "%engines: table of engines (rank, host, pid, memory); %engines start -n N, "
                "%engines restart, %engines stop."},
    {"time", "%time STMT / %%time: wall time of a statement or cell, and the slowest engine's "
             "time."},
    {"timeit", "%timeit STMT: runs STMT several times and reports the best and mean time."},
    {"who", "%who: names of the variables on the engines."},
    {"whos", "%whos: variables with kind, shape, dtype, distribution and bytes per engine."},
    {"seed", "%seed N: same as random.seed(N) in global view."},
    {"verify", "%verify [--engines 1,2,3] STMT: runs STMT on fresh pools of those sizes (your "
               "engines and variables untouched), shows each result and whether the bits "
               "agree."},
    {"lsmagic", "%lsmagic: lists the magics."},
    {"magic", "%magic: explains each magic."},
    {"pxresult", "%pxresult [--targets T]: the output and results of the last %px --noblock "
                 "cell (waits for it if it is still running)."},
    {"history", "%history [-n] [-l N] [-g PATTERN] [RANGE]: the cells run so far (RANGE: 4, "
                "2-5 or 2:6); -n numbers them, -l N shows the last N, -g keeps those matching."},
    {"pwd", "%pwd: the kernel's working directory (where relative paths start)."},
    {"cd", "%cd [DIR]: changes the kernel's working directory (no DIR: $HOME; - : the previous "
           "one); engines started later start there."},
    {"env", "%env: the kernel's environment; %env NAME shows one variable, %env NAME=VALUE sets "
            "it (engines started later inherit it)."},
    {"exit", "exit / quit: ends the session (jupyter console closes and stops the kernel)."},
};

const char *magic_help(const char *name)
{
    for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++)
        if (strcmp(helps[i].name, name) == 0) return helps[i].help;
    return NULL;
}

static int known_line(const char *name)
{
    for (int i = 0; magic_line_names[i]; i++)
        if (strcmp(magic_line_names[i], name) == 0) return 1;
    return 0;
}

typedef struct {
    arena_t *a;
    const char *src;
    size_t len;
    size_t nlines;
    size_t *start, *end; /* byte range of each line (without '\n') */
    magic_seg_t *segs;
    size_t n, cap;
    err_t *err;
} split_t;

static int index_lines(split_t *s)
{
    size_t n = 1;
    for (size_t i = 0; i < s->len; i++)
        if (s->src[i] == '\n') n++;
    s->start = arena_array(s->a, n, sizeof *s->start);
    s->end = arena_array(s->a, n, sizeof *s->end);
    if (!s->start || !s->end) return PARC_ENOMEM;
    size_t k = 0, b = 0;
    for (size_t i = 0; i <= s->len; i++) {
        if (i == s->len || s->src[i] == '\n') {
            s->start[k] = b;
            s->end[k] = i;
            k++;
            b = i + 1;
        }
    }
    s->nlines = k;
    return 0;
}

static magic_seg_t *push(split_t *s, magic_kind_t kind, int line)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        magic_seg_t *ns = arena_array(s->a, cap, sizeof *ns);
        if (!ns) return NULL;
        if (s->n) memcpy(ns, s->segs, s->n * sizeof *ns);
        s->segs = ns;
        s->cap = cap;
    }
    magic_seg_t *g = &s->segs[s->n++];
    memset(g, 0, sizeof *g);
    g->kind = kind;
    g->line = line;
    g->args = "";
    g->collapse = -1;
    g->timeout = -1;
    return g;
}

/* Code of lines [l0, l1) (0-based) placed at their own line numbers: l0 empty lines, then
 * the lines; `skip` bytes of line l0 are replaced by nothing (the %px prefix). */
static const char *code_text(split_t *s, size_t l0, size_t l1, size_t skip, size_t *len)
{
    size_t from = s->start[l0] + skip, to = s->end[l1 - 1];
    size_t n = l0 + (to - from);
    char *p = arena_alloc(s->a, n + 1);
    if (!p) return NULL;
    memset(p, '\n', l0);
    memcpy(p + l0, s->src + from, to - from);
    p[n] = 0;
    *len = n;
    return p;
}

static int blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isspace((unsigned char)p[i])) return 0;
    return 1;
}

static int add_code(split_t *s, magic_kind_t kind, size_t l0, size_t l1, size_t skip)
{
    if (l0 >= l1) return 0;
    if (blank(s->src + s->start[l0] + skip, s->end[l1 - 1] - (s->start[l0] + skip))) return 0;
    magic_seg_t *g = push(s, kind, (int)l0 + 1);
    if (!g) return PARC_ENOMEM;
    g->col = (int)skip;
    g->src = code_text(s, l0, l1, skip, &g->len);
    return g->src ? 0 : PARC_ENOMEM;
}

/* Skips spaces from *i within [.., end). */
static void skip_ws(const char *p, size_t *i, size_t end)
{
    while (*i < end && (p[*i] == ' ' || p[*i] == '\t'))
        (*i)++;
}

/* Reads a word (up to a space) at *i. */
static const char *word(split_t *s, size_t *i, size_t end)
{
    size_t b = *i;
    while (*i < end && s->src[*i] != ' ' && s->src[*i] != '\t')
        (*i)++;
    return arena_strndup(s->a, s->src + b, *i - b);
}

/* An option word at i: --name..., or the short -o / -t followed by a space or '='. */
static int is_option(const char *p, size_t i, size_t end)
{
    if (i + 1 >= end || p[i] != '-') return 0;
    if (p[i + 1] == '-') return 1;
    return (p[i + 1] == 'o' || p[i + 1] == 't') &&
           (i + 2 == end || p[i + 2] == ' ' || p[i + 2] == '\t' || p[i + 2] == '=');
}

static int is_name(const char *v)
{
    if (!(isalpha((unsigned char)*v) || *v == '_')) return 0;
    for (; *v; v++)
        if (!(isalnum((unsigned char)*v) || *v == '_')) return 0;
    return 1;
}

/* Parses %px / %%px options starting at *i; leaves *i at the statement. */
static int px_options(split_t *s, size_t line, size_t *i, magic_seg_t *g)
{
    size_t end = s->end[line];
    for (;;) {
        skip_ws(s->src, i, end);
        if (!is_option(s->src, *i, end)) return 0;
        const char *opt = word(s, i, end);
        if (!opt) return PARC_ENOMEM;
        const char *val = NULL;
        const char *eq = strchr(opt, '=');
        if (eq) {
            val = eq + 1;
            opt = arena_strndup(s->a, opt, (size_t)(eq - opt));
            if (!opt) return PARC_ENOMEM;
        }
        if (strcmp(opt, "--targets") == 0 || strcmp(opt, "-t") == 0) {
            if (!val) {
                skip_ws(s->src, i, end);
                val = word(s, i, end);
                if (!val) return PARC_ENOMEM;
            }
            if (!*val)
                return err_set(s->err, PARC_EVALUE, (span_t){0, (int)line + 1, 0, 0},
                               "--targets needs a value (0,2 or ::2 or 1-3)");
            g->targets = val;
        } else if (strcmp(opt, "--out") == 0 || strcmp(opt, "-o") == 0) {
            if (!val) {
                skip_ws(s->src, i, end);
                val = word(s, i, end);
                if (!val) return PARC_ENOMEM;
            }
            if (!is_name(val))
                return err_set(s->err, PARC_EVALUE, (span_t){0, (int)line + 1, 0, 0},
                               "%s needs a variable name to store the results in, not '%s'", opt,
                               val);
            g->out_name = val;
        } else if (strcmp(opt, "--noblock") == 0) {
            g->noblock = 1;
        } else if (strcmp(opt, "--block") == 0) {
            g->noblock = 0;
        } else if (strcmp(opt, "--collapse") == 0) {
            g->collapse = 1;
        } else if (strcmp(opt, "--no-collapse") == 0) {
            g->collapse = 0;
        } else if (strcmp(opt, "--timeout") == 0) {
            if (!val) {
                skip_ws(s->src, i, end);
                val = word(s, i, end);
                if (!val) return PARC_ENOMEM;
            }
            if (magic_seconds(val, &g->timeout) != 0)
                return err_set(s->err, PARC_EVALUE, (span_t){0, (int)line + 1, 0, 0},
                               "--timeout needs a number of seconds (0: no limit), not '%s'", val);
        } else {
            return err_set(s->err, PARC_EVALUE, (span_t){0, (int)line + 1, 0, 0},
                           "unrecognized %%px option %s", opt);
        }
    }
}

/* `name?` or `name??` alone on a line: the inspected expression. */
static int inspect_line(split_t *s, size_t line)
{
    size_t b = s->start[line], e = s->end[line];
    while (b < e && isspace((unsigned char)s->src[b]))
        b++;
    while (e > b && isspace((unsigned char)s->src[e - 1]))
        e--;
    if (e - b < 2) return 0;
    int detail = 0;
    size_t q = e;
    if (s->src[b] == '?') {
        /* IPython's prefix form: ?x and ??x */
        b++;
        if (b < e && s->src[b] == '?') {
            detail = 1;
            b++;
        }
    } else if (s->src[e - 1] == '?') {
        q = e - 1;
        if (q > b && s->src[q - 1] == '?') {
            detail = 1;
            q--;
        }
    } else {
        return 0;
    }
    if (q == b || !(isalpha((unsigned char)s->src[b]) || s->src[b] == '_')) return 0;
    for (size_t i = b; i < q; i++)
        if (!(isalnum((unsigned char)s->src[i]) || s->src[i] == '_' || s->src[i] == '.')) return 0;
    magic_seg_t *g = push(s, MAGIC_INSPECT, (int)line + 1);
    if (!g) return PARC_ENOMEM;
    g->src = arena_strndup(s->a, s->src + b, q - b);
    g->len = q - b;
    g->detail = detail;
    return g->src ? 1 : PARC_ENOMEM;
}

int magic_seconds(const char *text, double *out)
{
    char *e;
    double v = strtod(text, &e);
    if (e == text || *e || !(v >= 0) || v > 1e9) return -1;
    *out = v;
    return 0;
}

/* The options given on a %px line or %%px first line, copied to the code segment. */
static void copy_options(magic_seg_t *to, const magic_seg_t *from)
{
    to->targets = from->targets;
    to->noblock = from->noblock;
    to->out_name = from->out_name;
    to->collapse = from->collapse;
    to->timeout = from->timeout;
}

static int line_magic(split_t *s, size_t line)
{
    size_t i = s->start[line] + 1, end = s->end[line];
    size_t nb = i;
    while (i < end && (isalnum((unsigned char)s->src[i]) || s->src[i] == '_'))
        i++;
    const char *name = arena_strndup(s->a, s->src + nb, i - nb);
    if (!name) return PARC_ENOMEM;
    if (!known_line(name))
        return err_set(s->err, PARC_EVALUE, (span_t){0, (int)line + 1, 1, (int)(i - nb + 1)},
                       "Line magic function `%%%s` not found.", name);
    if (strcmp(name, "px") == 0) {
        magic_seg_t tmp = {.collapse = -1, .timeout = -1};
        int rc = px_options(s, line, &i, &tmp);
        if (rc) return rc;
        size_t skip = i - s->start[line];
        size_t before = s->n;
        rc = add_code(s, MAGIC_PX, line, line + 1, skip);
        if (rc) return rc;
        if (s->n == before)
            return err_set(s->err, PARC_EVALUE, (span_t){0, (int)line + 1, 1, 3},
                           "%%px needs a statement: %%px print(rank)");
        copy_options(&s->segs[s->n - 1], &tmp);
        return 0;
    }
    skip_ws(s->src, &i, end);
    size_t ae = end;
    while (ae > i && isspace((unsigned char)s->src[ae - 1]))
        ae--;
    if (strcmp(name, "seed") == 0) {
        /* %seed N is random.seed(N) in global view, compiled like any other code so its
         * errors read like the language's. */
        const char *arg = arena_strndup(s->a, s->src + i, ae - i);
        if (!arg) return PARC_ENOMEM;
        if (!*arg)
            return err_set(s->err, PARC_EVALUE, (span_t){0, (int)line + 1, 1, 5},
                           "%%seed needs a number: %%seed 42");
        size_t n = line + strlen(arg) + 14;
        char *p = arena_alloc(s->a, n + 1);
        if (!p) return PARC_ENOMEM;
        memset(p, '\n', line);
        snprintf(p + line, n + 1 - line, "random.seed(%s)", arg);
        magic_seg_t *g = push(s, MAGIC_CODE, (int)line + 1);
        if (!g) return PARC_ENOMEM;
        g->src = p;
        g->len = strlen(p);
        return 0;
    }
    magic_seg_t *g = push(s, MAGIC_LINE, (int)line + 1);
    if (!g) return PARC_ENOMEM;
    g->name = name;
    g->args = arena_strndup(s->a, s->src + i, ae - i);
    if (!g->args) return PARC_ENOMEM;
    if (strcmp(name, "verify") == 0) {
        /* %verify [--engines 1,2,3] STMT: args is the list, src the statement */
        g->args = "1,2,3";
        if (i + 9 <= end && strncmp(s->src + i, "--engines", 9) == 0) {
            i += 9;
            if (i < end && s->src[i] == '=') i++;
            skip_ws(s->src, &i, end);
            g->args = word(s, &i, end);
            if (!g->args) return PARC_ENOMEM;
            skip_ws(s->src, &i, end);
        }
    }
    if (strcmp(name, "time") == 0 || strcmp(name, "timeit") == 0 || strcmp(name, "verify") == 0) {
        size_t skip = i - s->start[line];
        g->col = (int)skip;
        g->src = code_text(s, line, line + 1, skip, &g->len);
        if (!g->src) return PARC_ENOMEM;
        if (blank(g->src, g->len))
            return err_set(s->err, PARC_EVALUE, (span_t){0, (int)line + 1, 1, 0},
                           "%%%s needs a statement: %%%s x.sum()", name, name);
    }
    return 0;
}

/* `exit`, `quit`, `exit()` or `quit()` alone on a line (IPython's habit): the "exit" magic. */
static int exit_line(split_t *s, size_t line)
{
    static const char *const forms[] = {"exit", "quit", "exit()", "quit()"};
    size_t b = s->start[line], e = s->end[line];
    while (e > b && isspace((unsigned char)s->src[e - 1]))
        e--;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        if (e - b != strlen(forms[i]) || memcmp(s->src + b, forms[i], e - b) != 0) continue;
        magic_seg_t *g = push(s, MAGIC_LINE, (int)line + 1);
        if (!g) return PARC_ENOMEM;
        g->name = "exit";
        return 1;
    }
    return 0;
}

/* Splits lines [from, nlines) into code runs and line magics. */
static int split_lines(split_t *s, size_t from)
{
    size_t run = from;
    for (size_t l = from; l < s->nlines; l++) {
        const char *p = s->src + s->start[l];
        size_t n = s->end[l] - s->start[l];
        int is_magic = n >= 2 && p[0] == '%' && p[1] != '%' && p[1] != '=';
        int rc = 0;
        if (!is_magic) {
            rc = exit_line(s, l);
            if (rc == 0) rc = inspect_line(s, l);
            if (rc < 0) return rc;
            if (rc == 0) continue;
            /* the exit or inspect segment was pushed after the code before it: reorder */
            magic_seg_t g = s->segs[--s->n];
            if ((rc = add_code(s, MAGIC_CODE, run, l, 0))) return rc;
            magic_seg_t *q = push(s, g.kind, g.line);
            if (!q) return PARC_ENOMEM;
            *q = g;
            run = l + 1;
            continue;
        }
        if ((rc = add_code(s, MAGIC_CODE, run, l, 0))) return rc;
        if ((rc = line_magic(s, l))) return rc;
        run = l + 1;
    }
    return add_code(s, MAGIC_CODE, run, s->nlines, 0);
}

int magic_split(arena_t *a, const char *src, size_t len, int autopx, magic_cell_t *out, err_t *err)
{
    split_t s = {.a = a, .src = src, .len = len, .err = err};
    memset(out, 0, sizeof *out);
    if (index_lines(&s)) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    size_t first = 0;
    while (first < s.nlines && blank(src + s.start[first], s.end[first] - s.start[first]))
        first++;
    int rc = 0;
    const char *p = first < s.nlines ? src + s.start[first] : "";
    size_t n = first < s.nlines ? s.end[first] - s.start[first] : 0;
    size_t an = 7;
    if (n >= an && memcmp(p, "%autopx", an) == 0 && blank(p + an, n - an)) {
        out->toggle_autopx = 1;
        return 0;
    }
    if (autopx) {
        rc = add_code(&s, MAGIC_PX, 0, s.nlines, 0);
    } else if (n >= 4 && memcmp(p, "%%px", 4) == 0 && (n == 4 || p[4] == ' ' || p[4] == '\t')) {
        magic_seg_t tmp = {.collapse = -1, .timeout = -1};
        size_t i = s.start[first] + 4;
        rc = px_options(&s, first, &i, &tmp);
        if (!rc && !blank(src + i, s.end[first] - i))
            rc = err_set(err, PARC_EVALUE, (span_t){0, (int)first + 1, 1, 0},
                         "unexpected text after %%%%px options");
        size_t before = s.n;
        if (!rc) rc = add_code(&s, MAGIC_PX, first + 1, s.nlines, 0);
        if (!rc && s.n > before) copy_options(&s.segs[before], &tmp);
    } else if (n >= 6 && memcmp(p, "%%time", 6) == 0 && blank(p + 6, n - 6)) {
        out->cell_time = 1;
        rc = split_lines(&s, first + 1);
    } else if (n >= 2 && p[0] == '%' && p[1] == '%') {
        size_t e = 2;
        while (e < n && (isalnum((unsigned char)p[e]) || p[e] == '_'))
            e++;
        rc = err_set(err, PARC_EVALUE, (span_t){0, (int)first + 1, 1, (int)e},
                     "Cell magic `%.*s` not found.", (int)e, p);
    } else {
        rc = split_lines(&s, 0);
    }
    if (rc == PARC_ENOMEM) err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (rc) return rc;
    out->segs = s.segs;
    out->n = s.n;
    return 0;
}

/* Parses an integer (with sign) at *p; 0 or -1. */
static int parse_int(const char **p, long *v)
{
    char *e;
    if (!**p || (!isdigit((unsigned char)**p) && **p != '-' && **p != '+')) return -1;
    *v = strtol(*p, &e, 10);
    if (e == *p) return -1;
    *p = e;
    return 0;
}

static int targets_bad(err_t *err, const char *spec, const char *why)
{
    return err_set(err, PARC_EVALUE, (span_t){0}, "bad --targets '%s': %s", spec, why);
}

int magic_targets(arena_t *a, const char *spec, int nranks, int **out, size_t *n, err_t *err)
{
    *out = NULL;
    *n = 0;
    if (nranks <= 0) return err_set(err, PARC_EVALUE, (span_t){0}, "no engines are running");
    char *mark = arena_alloc(a, (size_t)nranks);
    if (!mark) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    if (strcmp(spec, "all") == 0) {
        memset(mark, 1, (size_t)nranks);
    } else {
        const char *p = spec;
        if (!*p) return targets_bad(err, spec, "empty");
        while (*p) {
            long v[3] = {0, 0, 0};
            int have[3] = {0, 0, 0}, parts = 1;
            int dash = 0;
            if (*p != ':' && *p != ',') {
                if (parse_int(&p, &v[0])) return targets_bad(err, spec, "expected a rank");
                have[0] = 1;
            }
            if (*p == '-' && have[0]) {
                p++;
                dash = 1;
                if (parse_int(&p, &v[1])) return targets_bad(err, spec, "expected a rank after -");
                have[1] = 1;
                parts = 2;
            } else {
                while (*p == ':' && parts < 3) {
                    p++;
                    if (*p && *p != ':' && *p != ',') {
                        if (parse_int(&p, &v[parts])) return targets_bad(err, spec, "bad slice");
                        have[parts] = 1;
                    }
                    parts++;
                }
            }
            if (*p && *p != ',') return targets_bad(err, spec, "unexpected character");
            if (*p == ',') {
                p++;
                if (!*p) return targets_bad(err, spec, "trailing comma");
            }
            if (parts == 1) {
                long r = v[0] < 0 ? v[0] + nranks : v[0];
                if (r < 0 || r >= nranks)
                    return err_set(err, PARC_EVALUE, (span_t){0},
                                   "--targets: engine %ld out of range (0-%d)", v[0], nranks - 1);
                mark[r] = 1;
            } else if (dash) {
                if (v[0] < 0 || v[1] >= nranks || v[0] > v[1])
                    return err_set(err, PARC_EVALUE, (span_t){0},
                                   "--targets: range %ld-%ld out of range (0-%d)", v[0], v[1],
                                   nranks - 1);
                for (long r = v[0]; r <= v[1]; r++)
                    mark[r] = 1;
            } else {
                /* Python slice semantics over range(nranks). */
                long step = have[2] ? v[2] : 1;
                if (step == 0) return targets_bad(err, spec, "slice step cannot be zero");
                long lo, hi;
                if (step > 0) {
                    lo = have[0] ? v[0] : 0;
                    hi = have[1] ? v[1] : nranks;
                    if (lo < 0) lo += nranks;
                    if (hi < 0) hi += nranks;
                    if (lo < 0) lo = 0;
                    if (hi > nranks) hi = nranks;
                    for (long r = lo; r < hi; r += step)
                        mark[r] = 1;
                } else {
                    lo = have[0] ? v[0] : nranks - 1;
                    hi = have[1] ? v[1] : -1 - nranks;
                    if (lo < 0) lo += nranks;
                    if (hi < 0) hi += nranks;
                    if (lo >= nranks) lo = nranks - 1;
                    for (long r = lo; r > hi && r >= 0; r += step)
                        mark[r] = 1;
                }
            }
        }
    }
    size_t k = 0;
    for (int r = 0; r < nranks; r++)
        k += mark[r] != 0;
    if (k == 0) return targets_bad(err, spec, "selects no engine");
    int *t = arena_array(a, k, sizeof *t);
    if (!t) return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    k = 0;
    for (int r = 0; r < nranks; r++)
        if (mark[r]) t[k++] = r;
    *out = t;
    *n = k;
    return 0;
}
