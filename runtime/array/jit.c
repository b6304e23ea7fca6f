/* jit.c - compiling fused programs with the system's C compiler (jit.h).
 *
 * One table of sources per engine process, each compiled once: the compiler runs as a
 * child (posix_spawnp, its output thrown away) into a directory made for this process
 * (mkdtemp, mode 0700); a finished child's object is loaded with dlopen and both files are
 * removed at once (the mapping stays). The flags are the interpreter's kernels' own, so
 * the compiled loops round every operation as they do. */
#include "jit.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define JIT_MAX 256 /* sources per process; later ones are interpreted */

enum { J_BUILDING, J_READY, J_FAILED };

typedef struct {
    char *src;
    int state;
    pid_t pid;
    char path[64]; /* the object, without ".so"; the source is path.c */
    jit_fn fn;
} entry_t;

static entry_t table[JIT_MAX];
static int nentry;
static char dir[PATH_MAX];

int jit_mode(void)
{
    static int mode = -1;
    if (mode < 0) {
        const char *e = getenv("PARC_JIT");
        mode = !e || !*e                ? JIT_ASYNC
               : strcmp(e, "0") == 0    ? JIT_OFF
               : strcmp(e, "sync") == 0 ? JIT_SYNC
                                        : JIT_ASYNC;
    }
    return mode;
}

static void unlink_files(const entry_t *e);

/* At exit: compiles still running are stopped, and every file and the directory go. */
static void remove_dir(void)
{
    for (int i = 0; i < nentry; i++) {
        entry_t *e = &table[i];
        if (e->state != J_BUILDING) continue;
        kill(e->pid, SIGKILL);
        while (waitpid(e->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        unlink_files(e);
    }
    if (dir[0]) rmdir(dir);
}

static int make_dir(void)
{
    if (dir[0]) return 0;
    const char *t = getenv("TMPDIR");
    char tmpl[PATH_MAX];
    if (snprintf(tmpl, sizeof tmpl, "%s/parc-jit-XXXXXX", t && *t ? t : "/tmp") >= (int)sizeof tmpl)
        return -1;
    if (!mkdtemp(tmpl)) return -1;
    strcpy(dir, tmpl);
    atexit(remove_dir);
    return 0;
}

static void unlink_files(const entry_t *e)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s.c", e->path);
    unlink(p);
    snprintf(p, sizeof p, "%s.so", e->path);
    unlink(p);
}

/* Writes the source and starts the compiler; J_FAILED when either cannot be done. */
static void start(entry_t *e, int k)
{
    e->state = J_FAILED;
    if (make_dir() || snprintf(e->path, sizeof e->path, "%s/k%d", dir, k) >= (int)sizeof e->path)
        return;
    char c[PATH_MAX], so[PATH_MAX];
    snprintf(c, sizeof c, "%s.c", e->path);
    snprintf(so, sizeof so, "%s.so", e->path);
    FILE *f = fopen(c, "w");
    if (!f) return;
    int bad = fputs(e->src, f) < 0;
    bad |= fclose(f) != 0;
    if (bad) {
        unlink(c);
        return;
    }
    const char *cc = getenv("PARC_CC");
    /* chrt -i 0: the compiler (and its own children) run only on a core nothing else
     * wants (SCHED_IDLE, which posix_spawnattr_setschedpolicy refuses); started beside
     * busy engines at normal priority it slowed them (sqrt(b*b + c*c) of 2*10^7 on 2
     * engines: 0.011 s interpreted, 0.023-0.037 s while their two compilers ran) */
    char *argv[] = {"chrt",
                    "-i",
                    "0",
                    (char *)(cc && *cc ? cc : "cc"),
                    "-O3",
                    "-fno-math-errno",
                    "-fno-trapping-math",
                    "-ffp-contract=off",
#ifdef PARC_JIT_NATIVE
                    "-march=native",
#endif
                    "-fPIC",
                    "-shared",
                    "-w",
                    "-o",
                    so,
                    c,
                    NULL};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    if (posix_spawn_file_actions_init(&fa)) return;
    if (posix_spawnattr_init(&at)) {
        posix_spawn_file_actions_destroy(&fa);
        return;
    }
    /* the compiler's output goes nowhere, and it does not take the engine's signals */
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
    pid_t pid;
    /* PARC_JIT=sync waits for the compiler: normal priority; without chrt, plain cc */
    int skip = jit_mode() == JIT_SYNC ? 3 : 0;
    int rc = posix_spawnp(&pid, argv[skip], &fa, &at, argv + skip, environ);
    if (rc == ENOENT && !skip) rc = posix_spawnp(&pid, argv[3], &fa, &at, argv + 3, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc) {
        unlink(c);
        return;
    }
    e->pid = pid;
    e->state = J_BUILDING;
}

/* A finished build: loaded, or J_FAILED. wait: block until the compiler ends. */
static void finish(entry_t *e, int wait)
{
    int st;
    pid_t r;
    do
        r = waitpid(e->pid, &st, wait ? 0 : WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == 0) return; /* still compiling */
    e->state = J_FAILED;
    if (r == e->pid && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        char so[PATH_MAX];
        snprintf(so, sizeof so, "%s.so", e->path);
        void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
        void *fn = h ? dlsym(h, "parc_jit_kernel") : NULL;
        if (fn) {
            memcpy(&e->fn, &fn, sizeof e->fn);
            e->state = J_READY;
        } else if (h) {
            dlclose(h);
        }
    }
    unlink_files(e);
}

jit_fn jit_get(const char *src)
{
    int mode = jit_mode();
    if (mode == JIT_OFF) return NULL;
    entry_t *e = NULL;
    for (int i = 0; i < nentry && !e; i++)
        if (strcmp(table[i].src, src) == 0) e = &table[i];
    if (!e) {
        if (nentry == JIT_MAX) return NULL;
        e = &table[nentry];
        e->src = strdup(src);
        if (!e->src) return NULL;
        start(e, nentry++);
    }
    if (e->state == J_BUILDING) finish(e, mode == JIT_SYNC);
    return e->state == J_READY ? e->fn : NULL;
}
