/* kmagic.c - the magics that run in the kernel itself (see kmagic.h): %lsmagic, %magic,
 * %engines, %who, %whos, %pxresult, %autopx, %time and %timeit, and IPython's shell habits
 * (%history, %pwd, %cd, %env, exit/quit); one table from name to handler. magic_ recognised them;
 * exec_ calls kmagic_run for each such segment, and the handlers answer through exec_ (text on
 * stdout, UsageErrors) or run code with %time. */
#include "kmagic.h"
#include "magic.h"
#include "mem.h"
#include "vartab.h"
#include "pool.h"
#include "wire.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static void m_lsmagic(kmagic_t *k, exec_t *p, const magic_seg_t *g)
{
    (void)k;
    (void)g;
    wbuf_t t;
    wbuf_init(&t);
    wbuf_printf(&t, "Available line magics:\n");
    for (int i = 0; magic_line_names[i]; i++)
        wbuf_printf(&t, "%s%%%s", i ? "  " : "", magic_line_names[i]);
    wbuf_printf(&t, "\n\nAvailable cell magics:\n%%%%px  %%%%time\n");
    exec_out_text(p, &t);
}

static void m_magic(kmagic_t *k, exec_t *p, const magic_seg_t *g)
{
    (void)k;
    (void)g;
    wbuf_t t;
    wbuf_init(&t);
    wbuf_printf(&t, "parc magics (a magic starts at column 0 of a line):\n\n");
    for (int i = 0; magic_line_names[i]; i++) {
        wbuf_printf(&t, "%s\n", magic_help(magic_line_names[i]));
        if (strcmp(magic_line_names[i], "px") == 0) wbuf_printf(&t, "%s\n", magic_help("%px"));
    }
    wbuf_printf(&t, "\n--targets accepts 0,2  1-3  0:3  ::2  -1  all.\n"
                    "x? or x?? alone on a line shows what parc knows about x.\n");
    exec_out_text(p, &t);
}

static void m_engines(kmagic_t *k, exec_t *p, const magic_seg_t *g)
{
    pool_t *pool = exec_pool(p);
    err_t err;
    err_clear(&err);
    if (!pool) {
        exec_usage_error(p, "no engine pool (it could not be created; see the kernel's log)");
        return;
    }
    char verb[32] = "";
    int n = 0;
    const char *a = g->args;
    sscanf(a, "%31s", verb);
    const char *dn = strstr(a, "-n");
    if (dn && sscanf(dn + 2, "%d", &n) != 1) n = -1;
    wbuf_t t;
    wbuf_init(&t);
    if (!*verb) {
        if (pool_describe(pool, &t)) {
            wbuf_free(&t);
            exec_usage_error(p, "out of memory");
            return;
        }
        if (t.len == 0) wbuf_printf(&t, "no engines are running (%%engines start -n N)\n");
    } else if ((strcmp(verb, "start") == 0 || strcmp(verb, "restart") == 0) &&
               !pool_launches(pool)) {
        /* attach mode: the site's launcher starts engines, the kernel cannot */
        if (strcmp(verb, "restart") == 0) pool_stop(pool);
        wbuf_printf(&t,
                    "attach mode (PARC_LAUNCH=0): the kernel does not start engines.%s\n"
                    "Start them with your launcher, e.g.\n"
                    "  mpirun --hostfile H -n N parc-engine --attach %s\n"
                    "  srun -n N parc-engine --attach %s\n",
                    strcmp(verb, "restart") == 0 ? " The attached engines were asked to leave."
                                                 : "",
                    pool_attach_file(pool), pool_attach_file(pool));
    } else if (strcmp(verb, "start") == 0 || strcmp(verb, "restart") == 0) {
        if (n < 0 || n > 4096) {
            wbuf_free(&t);
            exec_usage_error(p, "%engines start -n N: N must be a number of engines (1-4096)");
            return;
        }
        if (n == 0) n = k->nengines_last;
        if (strcmp(verb, "restart") == 0 || n != pool_size(pool)) pool_stop(pool);
        if (pool_start(pool, n, &err)) {
            wbuf_free(&t);
            exec_show_err(p, err);
            return;
        }
        k->nengines_last = n;
        if (n)
            wbuf_printf(&t, "starting %d engines\n", n);
        else
            wbuf_printf(&t, "starting the engines\n");
    } else if (strcmp(verb, "stop") == 0) {
        pool_stop(pool);
        wbuf_printf(&t, "engines stopped\n");
    } else {
        wbuf_free(&t);
        exec_usage_error(p, "%engines takes no argument, or start [-n N], restart, stop");
        return;
    }
    exec_out_text(p, &t);
}

static void m_who(kmagic_t *k, exec_t *p, const magic_seg_t *g)
{
    (void)k;
    const vartab_t *nm = exec_pool(p) ? pool_names(exec_pool(p)) : NULL;
    size_t n = nm ? vartab_count(nm) : 0;
    int full = strcmp(g->name, "whos") == 0;
    wbuf_t t;
    wbuf_init(&t);
    if (n == 0) {
        wbuf_printf(&t, "Interactive namespace is empty.\n");
    } else if (!full) {
        for (size_t i = 0; i < n; i++)
            wbuf_printf(&t, "%s%s", i ? "\t" : "", vartab_at(nm, i)->name);
        wbuf_printf(&t, "\n");
    } else {
        wbuf_printf(&t, "%-16s %-9s %-14s %-10s %-12s %14s %s\n", "Variable", "Kind", "Shape",
                    "Dtype", "Dist", "Bytes/engine", "Info");
        wbuf_printf(&t, "%.*s\n", 96,
                    "--------------------------------------------------------------------------"
                    "----------------------------------------");
        for (size_t i = 0; i < n; i++) {
            const vartab_rec_t *v = vartab_at(nm, i);
            wbuf_printf(&t, "%-16s %-9s %-14s %-10s %-12s %14llu %s%s\n", v->name, v->kind,
                        v->shape, v->dtype, v->dist, (unsigned long long)v->bytes,
                        v->per_engine ? "per-engine " : "", v->summary);
        }
    }
    exec_out_text(p, &t);
}

/* %pxresult [--targets T]: the last --noblock cell's output (exec_ made this segment wait
 * for it to end). */
static void m_pxresult(kmagic_t *k, exec_t *p, const magic_seg_t *g)
{
    (void)k;
    char buf[256], *spec = NULL;
    snprintf(buf, sizeof buf, "%s", g->args);
    char *save, *w = strtok_r(buf, " \t", &save);
    if (w && (strncmp(w, "--targets=", 10) == 0 || strncmp(w, "-t=", 3) == 0)) {
        spec = strchr(w, '=') + 1;
        w = strtok_r(NULL, " \t", &save);
    } else if (w && (strcmp(w, "--targets") == 0 || strcmp(w, "-t") == 0)) {
        spec = strtok_r(NULL, " \t", &save);
        w = spec ? strtok_r(NULL, " \t", &save) : NULL;
        if (!spec) w = "--targets";
    }
    if (w || (spec && !*spec)) {
        exec_usage_error(p, "%pxresult takes no argument, or --targets T (0,2  1-3  ::2)");
        return;
    }
    exec_pxresult(p, spec);
}

static void m_verify(kmagic_t *k, exec_t *p, const magic_seg_t *g)
{
    (void)k;
    exec_verify(p, g);
}

static void m_autopx(kmagic_t *k, exec_t *p, const magic_seg_t *g)
{
    (void)g;
    k->autopx = !k->autopx;
    const char *msg = k->autopx ? "%autopx enabled\n" : "%autopx disabled\n";
    exec_stdout(p, msg, strlen(msg));
}

static void m_time(kmagic_t *k, exec_t *p, const magic_seg_t *g)
{
    (void)k;
    exec_run_code(p, g, 0, strcmp(g->name, "timeit") == 0 ? 2 : 1);
}

/* --- IPython's shell habits: %history, %pwd, %cd, %env, exit ---------------------------- */

/* One %history range word: "4", "2-5" (inclusive) or "2:6" (end excluded). 0 or -1. */
static int hist_range(const char *w, long *lo, long *hi)
{
    char *e;
    *lo = strtol(w, &e, 10);
    if (e == w || *lo < 0) return -1;
    if (!*e) {
        *hi = *lo;
        return 0;
    }
    char sep = *e;
    const char *b = e + 1;
    *hi = strtol(b, &e, 10);
    if (e == b || *e || (sep != '-' && sep != ':')) return -1;
    if (sep == ':') (*hi)--;
    return *hi < *lo ? -1 : 0;
}

static void m_history(kmagic_t *k, exec_t *p, const magic_seg_t *g)
{
    (void)k;
    const hist_t *h = exec_hist(p);
    int numbered = 0;
    long last = -1, lo = -1, hi = -1;
    char pat[256] = "";
    char buf[512];
    snprintf(buf, sizeof buf, "%s", g->args);
    for (char *save, *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        if (strcmp(w, "-n") == 0) {
            numbered = 1;
        } else if (strcmp(w, "-l") == 0 || strcmp(w, "-g") == 0) {
            char *v = strtok_r(NULL, " \t", &save);
            if (!v) {
                exec_usage_error(p, "%history: -l needs a number, -g a pattern");
                return;
            }
            if (w[1] == 'l' && (last = strtol(v, NULL, 10)) <= 0) {
                exec_usage_error(p, "%history -l N: N must be a positive number");
                return;
            }
            if (w[1] == 'g') snprintf(pat, sizeof pat, "*%s*", v);
        } else if (hist_range(w, &lo, &hi) != 0) {
            exec_usage_error(p,
                             "%history [-n] [-l N] [-g PATTERN] [RANGE]: RANGE is 4, 2-5 or 2:6");
            return;
        }
    }
    size_t n = hist_count(h), from = 0;
    if (last > 0) {
        /* the last N stored cells */
        long seen = 0;
        for (from = n; from > 0 && seen < last; from--)
            seen += hist_at(h, from - 1)->stored;
    }
    wbuf_t t;
    wbuf_init(&t);
    for (size_t i = from; i < n; i++) {
        const hist_entry_t *e = hist_at(h, i);
        if (!e->stored || (lo >= 0 && ((long)e->cell < lo || (long)e->cell > hi))) continue;
        if (*pat && fnmatch(pat, e->src, 0) != 0) continue;
        if (!numbered) {
            wbuf_printf(&t, "%s\n", e->src);
            continue;
        }
        wbuf_printf(&t, "%4u: ", e->cell);
        for (const char *s = e->src; *s; s++) {
            wbuf_printf(&t, "%c", *s);
            if (*s == '\n' && s[1]) wbuf_printf(&t, "      ");
        }
        wbuf_printf(&t, "\n");
    }
    exec_out_text(p, &t);
}

/* Python's repr of a str, for Out[N]: 'text'. */
static void py_repr(wbuf_t *t, const char *s)
{
    wbuf_printf(t, "'");
    for (; *s; s++) {
        if (*s == '\'' || *s == '\\')
            wbuf_printf(t, "\\%c", *s);
        else
            wbuf_printf(t, "%c", *s);
    }
    wbuf_printf(t, "'");
}

static void m_pwd(kmagic_t *k, exec_t *p, const magic_seg_t *g)
{
    (void)k;
    (void)g;
    char dir[4096];
    if (!getcwd(dir, sizeof dir)) {
        exec_usage_error(p, "the kernel's working directory is gone");
        return;
    }
    wbuf_t t;
    wbuf_init(&t);
    py_repr(&t, dir);
    if (t.oom)
        exec_usage_error(p, "out of memory");
    else
        exec_result(p, (const char *)t.p, t.len);
    wbuf_free(&t);
}

static void m_cd(kmagic_t *k, exec_t *p, const magic_seg_t *g)
{
    char want[4096], here[4096];
    const char *a = g->args, *home = getenv("HOME");
    if (!*a) {
        snprintf(want, sizeof want, "%s", home ? home : "/");
    } else if (strcmp(a, "-") == 0) {
        if (!k->oldpwd[0]) {
            exec_usage_error(p, "%cd -: there is no previous directory");
            return;
        }
        snprintf(want, sizeof want, "%s", k->oldpwd);
    } else if (a[0] == '~' && (a[1] == '/' || !a[1])) {
        snprintf(want, sizeof want, "%s%s", home ? home : "", a + 1);
    } else {
        /* IPython accepts the directory quoted */
        size_t n = strlen(a);
        if (n >= 2 && (a[0] == '\'' || a[0] == '"') && a[n - 1] == a[0])
            snprintf(want, sizeof want, "%.*s", (int)(n - 2), a + 1);
        else
            snprintf(want, sizeof want, "%s", a);
    }
    if (!getcwd(here, sizeof here)) here[0] = 0;
    if (chdir(want) != 0) {
        err_t e;
        err_clear(&e);
        err_set(&e, PARC_EIO, (span_t){0}, "[Errno %d] %s: '%s'", errno, strerror(errno), want);
        exec_show_err(p, e);
        return;
    }
    snprintf(k->oldpwd, sizeof k->oldpwd, "%s", here);
    if (!getcwd(here, sizeof here)) snprintf(here, sizeof here, "%s", want);
    wbuf_t t;
    wbuf_init(&t);
    wbuf_printf(&t, "%s\n", here);
    exec_out_text(p, &t);
}

/* Values of variables whose names suggest a secret are not shown (IPython's manner). */
static int secret(const char *name, size_t n)
{
    static const char *const words[] = {"KEY", "TOKEN", "SECRET", "PASS"};
    char up[256];
    if (n >= sizeof up) n = sizeof up - 1;
    for (size_t i = 0; i < n; i++)
        up[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
    up[n] = 0;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strstr(up, words[i])) return 1;
    return 0;
}

static int cmp_env(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static void m_env(kmagic_t *k, exec_t *p, const magic_seg_t *g)
{
    (void)k;
    const char *a = g->args;
    wbuf_t t;
    wbuf_init(&t);
    size_t nl = strcspn(a, "= \t");
    if (!*a) {
        size_t n = 0;
        while (environ[n])
            n++;
        const char **v = n ? mem_alloc(n * sizeof *v) : NULL;
        if (n && !v) {
            exec_usage_error(p, "out of memory");
            return;
        }
        for (size_t i = 0; i < n; i++)
            v[i] = environ[i];
        if (n) qsort(v, n, sizeof *v, cmp_env);
        for (size_t i = 0; i < n; i++) {
            size_t kl = strcspn(v[i], "=");
            if (secret(v[i], kl))
                wbuf_printf(&t, "%.*s=<hidden>\n", (int)kl, v[i]);
            else
                wbuf_printf(&t, "%s\n", v[i]);
        }
        mem_free(v);
    } else if (!a[nl]) {
        const char *v = getenv(a);
        if (!v) {
            wbuf_free(&t);
            char msg[300];
            snprintf(msg, sizeof msg, "Environment does not have key: %s", a);
            exec_usage_error(p, msg);
            return;
        }
        wbuf_printf(&t, "%s\n", v);
    } else {
        char name[256];
        if (nl == 0 || nl >= sizeof name) {
            exec_usage_error(p, "%env NAME=VALUE: NAME is missing or too long");
            return;
        }
        memcpy(name, a, nl);
        name[nl] = 0;
        const char *v = a + nl + 1;
        while (*v == ' ' || *v == '\t' || (*v == '=' && v == a + nl + 1))
            v++;
        if (setenv(name, v, 1) != 0) {
            exec_usage_error(p, "%env: cannot set that variable");
            return;
        }
        wbuf_printf(&t, "env: %s=%s\n", name, v);
    }
    exec_out_text(p, &t);
}

static void m_exit(kmagic_t *k, exec_t *p, const magic_seg_t *g)
{
    (void)k;
    (void)g;
    /* IPython's answer: the front end (jupyter console) leaves and shuts the kernel down */
    exec_payload(p, json_pack("{s:s, s:b}", "source", "ask_exit", "keepkernel", 0));
}

/* --- defaults for later cells: %pxconfig, %timeout ---------------------------------------- */

static void show_limit(wbuf_t *t, double s)
{
    if (s > 0)
        wbuf_printf(t, "%g s", s);
    else
        wbuf_printf(t, "none");
}

static void m_pxconfig(kmagic_t *k, exec_t *p, const magic_seg_t *g)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", g->args);
    /* parse everything first: a bad option changes nothing */
    kmagic_t nk = *k;
    int changed = 0;
    for (char *save, *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        char *val = strchr(w, '=');
        if (val) *val++ = 0;
        int needs =
            strcmp(w, "--targets") == 0 || strcmp(w, "-t") == 0 || strcmp(w, "--timeout") == 0;
        if (needs && !val) val = strtok_r(NULL, " \t", &save);
        if (needs && (!val || !*val)) {
            exec_usage_error(p, "%pxconfig: --targets and --timeout need a value");
            return;
        }
        changed = 1;
        if (strcmp(w, "--collapse") == 0) {
            nk.px_collapse = 1;
        } else if (strcmp(w, "--no-collapse") == 0) {
            nk.px_collapse = 0;
        } else if (strcmp(w, "--timeout") == 0) {
            if (magic_seconds(val, &nk.px_timeout) != 0) {
                exec_usage_error(p, "%pxconfig --timeout S: S is a number of seconds (0: none)");
                return;
            }
        } else if (needs) {
            if (strlen(val) >= sizeof nk.px_targets) {
                exec_usage_error(p, "%pxconfig --targets: the spec is too long");
                return;
            }
            snprintf(nk.px_targets, sizeof nk.px_targets, "%s", strcmp(val, "all") ? val : "");
        } else {
            char msg[200];
            snprintf(msg, sizeof msg,
                     "%%pxconfig: unrecognized option %.60s (--targets T, --collapse, "
                     "--no-collapse, --timeout S)",
                     w);
            exec_usage_error(p, msg);
            return;
        }
    }
    *k = nk;
    wbuf_t t;
    wbuf_init(&t);
    wbuf_printf(
        &t, "%s: --targets %s, %s, --timeout ", changed ? "%px defaults now" : "%px defaults",
        k->px_targets[0] ? k->px_targets : "all", k->px_collapse ? "--collapse" : "--no-collapse");
    show_limit(&t, k->px_timeout);
    wbuf_printf(&t, "\nglobal view (%%timeout): ");
    show_limit(&t, k->timeout);
    wbuf_printf(&t, "\n");
    exec_out_text(p, &t);
}

static void m_timeout(kmagic_t *k, exec_t *p, const magic_seg_t *g)
{
    if (*g->args && magic_seconds(g->args, &k->timeout) != 0) {
        exec_usage_error(p, "%timeout S: S is a number of seconds (0: no limit)");
        return;
    }
    wbuf_t t;
    wbuf_init(&t);
    wbuf_printf(&t, "global-view time limit: ");
    show_limit(&t, k->timeout);
    wbuf_printf(&t, "\n");
    exec_out_text(p, &t);
}

static const struct {
    const char *name;
    void (*fn)(kmagic_t *k, exec_t *p, const magic_seg_t *g);
} line_magics[] = {
    {"lsmagic", m_lsmagic}, {"magic", m_magic},
    {"engines", m_engines}, {"who", m_who},
    {"whos", m_who},        {"pxresult", m_pxresult},
    {"verify", m_verify},   {"autopx", m_autopx},
    {"time", m_time},       {"timeit", m_time},
    {"history", m_history}, {"pwd", m_pwd},
    {"cd", m_cd},           {"env", m_env},
    {"exit", m_exit},       {"pxconfig", m_pxconfig},
    {"timeout", m_timeout},
};

int kmagic_run(kmagic_t *k, exec_t *p, const magic_seg_t *g)
{
    for (size_t i = 0; i < sizeof line_magics / sizeof line_magics[0]; i++) {
        if (strcmp(line_magics[i].name, g->name) == 0) {
            line_magics[i].fn(k, p, g);
            return 0;
        }
    }
    return -1;
}
