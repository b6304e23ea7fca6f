/* kmagic.c - the magics that run in the kernel itself (see kmagic.h): %lsmagic, %magic,
 * %engines, %who, %whos, %pxresult, %autopx, %time and %timeit; one table from name to
 * handler. magic_ recognised them; exec_ calls kmagic_run for each such segment, and the
 * handlers answer through exec_ (text on stdout, UsageErrors) or run code with %time. */
#include "kmagic.h"
#include "magic.h"
#include "names.h"
#include "pool.h"
#include "wire.h"

#include <stdio.h>
#include <string.h>

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
    const names_t *nm = exec_pool(p) ? pool_names(exec_pool(p)) : NULL;
    size_t n = nm ? names_count(nm) : 0;
    int full = strcmp(g->name, "whos") == 0;
    wbuf_t t;
    wbuf_init(&t);
    if (n == 0) {
        wbuf_printf(&t, "Interactive namespace is empty.\n");
    } else if (!full) {
        for (size_t i = 0; i < n; i++)
            wbuf_printf(&t, "%s%s", i ? "\t" : "", names_at(nm, i)->name);
        wbuf_printf(&t, "\n");
    } else {
        wbuf_printf(&t, "%-16s %-9s %-14s %-10s %-12s %14s %s\n", "Variable", "Kind", "Shape",
                    "Dtype", "Dist", "Bytes/engine", "Info");
        wbuf_printf(&t, "%.*s\n", 96,
                    "--------------------------------------------------------------------------"
                    "----------------------------------------");
        for (size_t i = 0; i < n; i++) {
            const name_info_t *v = names_at(nm, i);
            wbuf_printf(&t, "%-16s %-9s %-14s %-10s %-12s %14llu %s%s\n", v->name, v->kind,
                        v->shape, v->dtype, v->dist, (unsigned long long)v->bytes,
                        v->per_engine ? "per-engine " : "", v->summary);
        }
    }
    exec_out_text(p, &t);
}

static void m_pxresult(kmagic_t *k, exec_t *p, const magic_seg_t *g)
{
    (void)k;
    (void)g;
    static const char msg[] = "no pending result (%px --noblock is not supported yet)\n";
    exec_stdout(p, msg, sizeof msg - 1);
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

static const struct {
    const char *name;
    void (*fn)(kmagic_t *k, exec_t *p, const magic_seg_t *g);
} line_magics[] = {
    {"lsmagic", m_lsmagic}, {"magic", m_magic}, {"engines", m_engines},
    {"who", m_who},         {"whos", m_who},    {"pxresult", m_pxresult},
    {"autopx", m_autopx},   {"time", m_time},   {"timeit", m_time},
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
