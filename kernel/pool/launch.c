/* launch.c - starting and ending the engines' mpirun (see launch.h), for pool_.
 *
 * mpirun runs in a session of its own (setsid): jupyter_client's SIGINT to the kernel's
 * process group must not reach it. Its stdout/stderr (and the engines' forwarded output)
 * come back on one non-blocking pipe: logged to the kernel's stderr line by line, the last
 * lines kept for messages. A dead engine is named from mpirun's own report ("process rank 1
 * with PID ... exited on signal 9 (Killed)") when there is one, or from the same words of
 * the engine's guard (runtime/main.c): mpirun runs with --enable-recovery, so an engine's
 * death does not end the job and mpirun does not report it. Only launch_wait and
 * launch_kill block, and only for the bounded waits pool_stop asks for. */
#define _GNU_SOURCE /* process_vm_readv */
#include "launch.h"
#include "log.h"
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

long long launch_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int launch_cores(void)
{
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c > 0 ? (int)c : 1;
}

/* --- mpirun's output ---------------------------------------------------------------- */

static void tail_add(launch_t *l, const char *s, size_t n)
{
    if (n >= LAUNCH_TAIL_MAX) {
        s += n - (LAUNCH_TAIL_MAX - 1);
        n = LAUNCH_TAIL_MAX - 1;
    }
    if (l->taillen + n > LAUNCH_TAIL_MAX - 1) {
        size_t drop = l->taillen + n - (LAUNCH_TAIL_MAX - 1);
        memmove(l->tail, l->tail + drop, l->taillen - drop);
        l->taillen -= drop;
    }
    memcpy(l->tail + l->taillen, s, n);
    l->taillen += n;
    l->tail[l->taillen] = 0;
}

static void log_line(launch_t *l)
{
    if (!l->linelen) return;
    log_info("parc engines: %.*s", (int)l->linelen, l->line);
    l->line[l->linelen] = '\n';
    tail_add(l, l->line, l->linelen + 1);
    l->linelen = 0;
}

void launch_drain(launch_t *l)
{
    char buf[4096];
    while (l->outfd >= 0) {
        ssize_t r = read(l->outfd, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (r <= 0) {
            log_line(l);
            close(l->outfd);
            l->outfd = -1;
            return;
        }
        for (ssize_t i = 0; i < r; i++) {
            if (buf[i] == '\n' || l->linelen == LAUNCH_LINE_MAX - 1) log_line(l);
            if (buf[i] != '\n') l->line[l->linelen++] = buf[i];
        }
    }
}

void launch_summary(const launch_t *l, char *out, size_t max)
{
    size_t o = 0;
    out[0] = 0;
    const char *s = l->tail;
    while (*s && o + 4 < max) {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        size_t k = strspn(s, "- \t");
        if (k < n) {
            if (o) o += (size_t)snprintf(out + o, max - o, " | ");
            if (o < max) o += (size_t)snprintf(out + o, max - o, "%.*s", (int)(n - k), s + k);
        }
        if (o >= max) {
            out[max - 1] = 0;
            break;
        }
        s = e ? e + 1 : s + n;
    }
}

int launch_rank_death(const launch_t *l, int rank, char *out, size_t max)
{
    for (const char *s = strstr(l->tail, "process rank "); s; s = strstr(s + 1, "process rank ")) {
        int r, sig;
        long pid;
        char name[64] = "";
        if (sscanf(s, "process rank %d with PID %ld on node %*s exited on signal %d (%63[^)])", &r,
                   &pid, &sig, name) >= 3 &&
            r == rank) {
            snprintf(out, max, "engine %d died (signal %d%s%s)", rank, sig, name[0] ? ": " : "",
                     name);
            return 1;
        }
    }
    return 0;
}

void launch_death(const launch_t *l, char *out, size_t max)
{
    const char *s = strstr(l->tail, "process rank ");
    int rank, sig;
    long pid;
    char name[64] = "";
    if (s && sscanf(s, "process rank %d with PID %ld on node %*s exited on signal %d (%63[^)])",
                    &rank, &pid, &sig, name) >= 3) {
        snprintf(out, max, "engine %d died (signal %d%s%s)", rank, sig, name[0] ? ": " : "", name);
        return;
    }
    s = strstr(l->tail, "Process name: [[");
    const char *c = s ? strstr(s, "Exit code:") : NULL;
    int code;
    if (s && c && sscanf(s, "Process name: [[%*d,%*d],%d]", &rank) == 1 &&
        sscanf(c, "Exit code: %d", &code) == 1) {
        snprintf(out, max, "engine %d exited with status %d", rank, code);
        return;
    }
    if (!l->child_reaped)
        snprintf(out, max, "the engines' output closed");
    else if (WIFSIGNALED(l->child_status))
        snprintf(out, max, "the engines' mpirun died (signal %d: %s)", WTERMSIG(l->child_status),
                 strsignal(WTERMSIG(l->child_status)));
    else
        snprintf(out, max, "the engines exited (mpirun status %d)",
                 WIFEXITED(l->child_status) ? WEXITSTATUS(l->child_status) : -1);
}

/* --- starting and stopping ---------------------------------------------------------- */

/* Whether one process may read another's memory with process_vm_readv (Linux CMA), which
 * Open MPI's shared-memory transport uses by default to move a large message in one copy.
 * Where ptrace rules (yama's ptrace_scope, a container's seccomp profile) forbid it between
 * the sibling ranks, Open MPI 4.1 aborts the job on the first large message ("Read -1,
 * expected ..., errno = 1"). The probe: a child reads one word of its parent, which the
 * same rules allow exactly when they allow it between siblings. Asked once. */
static int cma_works(void)
{
    static int known = -1;
    static volatile long word = 42;
    if (known >= 0) return known;
    pid_t pid = fork();
    if (pid == 0) { /* only system calls until _exit */
        long got = 0;
        struct iovec to = {&got, sizeof got}, from = {(void *)&word, sizeof word};
        ssize_t r = process_vm_readv(getppid(), &to, 1, &from, 1, 0);
        _exit(r == (ssize_t)sizeof got && got == 42 ? 0 : 1);
    }
    int st = 0;
    known = pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    return known;
}

/* Open MPI's single-copy mechanism: its default (CMA) where the probe says it works - here
 * redistribute(x, dist='c') of 10^8 float64 on 2 engines took 0.14-0.17 s with it and
 * 0.22-0.26 s with none, and an 80 MB message between two ranks 0.019 s against 0.028 s -
 * else none (copies through the shared-memory segment). A setting of the user's, in the
 * environment or in PARC_MPI_ARGS, wins either way; an environment variable rather than a
 * --mca argument, since mpirun refuses a parameter given twice on its command line. */
static void pick_single_copy(const char *mpi_args)
{
    static const char var[] = "OMPI_MCA_btl_vader_single_copy_mechanism";
    if (getenv(var) || (mpi_args && strstr(mpi_args, "single_copy_mechanism"))) return;
    if (!cma_works()) setenv(var, "none", 1);
}

/* Whether mpirun will place every rank on this host: no host list of the user's and no
 * batch allocation (under one, mpirun spreads the ranks over the allocation's nodes). */
static int job_is_local(const char *mpi_args)
{
    static const char *const hosts[] = {"-host", "-H", "hostfile", "machinefile", "--rankfile"};
    static const char *const batch[] = {"SLURM_JOB_ID",
                                        "PBS_JOBID",
                                        "LSB_JOBID",
                                        "PE_HOSTFILE",
                                        "FLUX_JOB_ID",
                                        "COBALT_JOBID",
                                        "OMPI_MCA_orte_default_hostfile"};
    for (size_t i = 0; mpi_args && i < sizeof hosts / sizeof *hosts; i++)
        if (strstr(mpi_args, hosts[i])) return 0;
    for (size_t i = 0; i < sizeof batch / sizeof *batch; i++)
        if (getenv(batch[i])) return 0;
    return 1;
}

/* Whether args (space separated) set the MCA parameter name itself: `--mca name value`. A
 * parameter that merely starts with it (btl_vader_single_copy_mechanism for btl) does not. */
static int mca_named(const char *args, const char *name)
{
    size_t nl = strlen(name);
    int after_mca = 0;
    for (const char *t = args; t && *t;) {
        t += strspn(t, " \t");
        size_t tl = strcspn(t, " \t");
        if (after_mca && tl == nl && strncmp(t, name, nl) == 0) return 1;
        after_mca =
            (tl == 5 && strncmp(t, "--mca", 5) == 0) || (tl == 4 && strncmp(t, "-mca", 4) == 0);
        t += tl;
    }
    return 0;
}

/* A local job's MPI_Init, measured (32 oversubscribed ranks on 2 cores, docs/engines.md): with
 * Open MPI's defaults every rank reads the PCI devices' config space for hwloc's I/O topology
 * (a quarter of all the start's samples) and opens the TCP transport and the network PMLs
 * next to the shared-memory one that carries every message between ranks of one host anyway.
 * Only shared memory (vader) and self then, and no I/O devices in the topology; a setting of
 * the user's, in the environment or in PARC_MPI_ARGS, wins, and a job on several hosts (a
 * host list or a batch allocation) keeps every default. Fills env with mpirun's environment:
 * the kernel's own plus these (not set in the kernel, so a later job on several hosts does
 * not take them for the user's); the caller frees it. NULL when out of memory: then the
 * kernel's own environment as it is. */
static char **local_environment(const char *mpi_args)
{
    static const struct {
        const char *var, *arg, *entry;
    } local[] = {
        {"OMPI_MCA_pml", "pml", "OMPI_MCA_pml=ob1"},
        {"OMPI_MCA_btl", "btl", "OMPI_MCA_btl=self,vader"},
        {"HWLOC_COMPONENTS", NULL, "HWLOC_COMPONENTS=-pci,-linuxio"},
    };
    enum { NLOCAL = sizeof local / sizeof *local };
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = mem_alloc((n + NLOCAL + 1) * sizeof *env);
    if (!env) return NULL;
    memcpy(env, environ, n * sizeof *env);
    int local_job = job_is_local(mpi_args);
    for (size_t i = 0; i < NLOCAL && local_job; i++) {
        if (getenv(local[i].var)) continue;
        if (local[i].arg && mca_named(mpi_args, local[i].arg)) continue;
        env[n++] = (char *)local[i].entry;
    }
    env[n] = NULL;
    return env;
}

int launch_spawn(launch_t *l, const char *mpirun, const char *mpi_args, const char *engine_path,
                 const char *attach, int n, char *msg, size_t max)
{
    char nbuf[16];
    snprintf(nbuf, sizeof nbuf, "%d", n);
    char *args = mem_strdup(mpi_args ? mpi_args : "");
    const char *argv[64];
    int a = 0;
    argv[a++] = mpirun;
    argv[a++] = "-n";
    argv[a++] = nbuf;
    if (n > launch_cores()) argv[a++] = "--oversubscribe";
    if (geteuid() == 0) argv[a++] = "--allow-run-as-root";
    /* An engine's death does not end the job: a pmap farm finishes on the others (pool.c). */
    argv[a++] = "--enable-recovery";
    char *save = NULL;
    for (char *t = args ? strtok_r(args, " \t", &save) : NULL; t && a < 56;
         t = strtok_r(NULL, " \t", &save))
        argv[a++] = t;
    argv[a++] = engine_path;
    argv[a++] = "--guard"; /* says how an engine died, which mpirun no longer does */
    argv[a++] = "--attach";
    argv[a++] = attach;
    argv[a] = NULL;

    char emsg[600];
    int elen =
        snprintf(emsg, sizeof emsg, "parc: cannot run %s (is Open MPI installed?)\n", mpirun);
    if (elen < 0 || elen >= (int)sizeof emsg) elen = (int)sizeof emsg - 1;
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(msg, max, "cannot start engines: pipe: %s", strerror(errno));
        mem_free(args);
        return -1;
    }
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    /* the launch time (CLOCK_REALTIME, ms), inherited by mpirun and the engines, which log
     * their start phases from it under PARC_DEBUG (runtime/engine/engine.c) */
    struct timespec t0;
    clock_gettime(CLOCK_REALTIME, &t0);
    char t0s[32];
    snprintf(t0s, sizeof t0s, "%.3f", (double)t0.tv_sec * 1e3 + (double)t0.tv_nsec * 1e-6);
    setenv("PARC_LAUNCH_T0", t0s, 1);
    pick_single_copy(mpi_args);
    char **env = local_environment(mpi_args);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(msg, max, "cannot start engines: fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        mem_free(args);
        mem_free(env);
        return -1;
    }
    if (pid == 0) {
        /* Child: only async-signal-safe calls until exec. */
        setsid();
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        for (int fd = 3; fd < 4096; fd++)
            close(fd);
        execvpe(argv[0], (char *const *)argv, env ? env : environ);
        ssize_t w = write(2, emsg, (size_t)elen);
        (void)w;
        _exit(127);
    }
    close(fds[1]);
    int fl = fcntl(fds[0], F_GETFL);
    if (fl >= 0) fcntl(fds[0], F_SETFL, fl | O_NONBLOCK);
    l->child = pid;
    l->outfd = fds[0];
    l->child_reaped = 0;
    l->child_status = 0;
    l->taillen = 0;
    l->tail[0] = 0;
    l->linelen = 0;
    mem_free(args);
    mem_free(env);
    return 0;
}

int launch_reap(launch_t *l)
{
    if (l->child <= 0 || l->child_reaped) return l->child_reaped;
    int st;
    pid_t r = waitpid(l->child, &st, WNOHANG);
    if (r == l->child) {
        l->child_reaped = 1;
        l->child_status = st;
    } else if (r < 0 && errno == ECHILD) {
        l->child_reaped = 1;
        l->child_status = 0;
    }
    return l->child_reaped;
}

void launch_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int launch_wait(launch_t *l, int ms)
{
    long long end = launch_now_ms() + ms;
    while (!launch_reap(l)) {
        launch_drain(l);
        if (launch_now_ms() >= end) return 0;
        launch_sleep_ms(10);
    }
    return 1;
}

int launch_alive(long pid)
{
    char path[64], buf[512];
    if (pid <= 0 || kill((pid_t)pid, 0) != 0) return 0;
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    /* No /proc entry: gone since the kill above (reaped), or a system without /proc. */
    if (!f) return kill((pid_t)pid, 0) == 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *s = strrchr(buf, ')');
    return !(s && s[1] == ' ' && (s[2] == 'Z' || s[2] == 'X'));
}

void launch_kill(launch_t *l)
{
    if (l->child > 0 && !launch_reap(l)) {
        kill(-l->child, SIGTERM);
        kill(l->child, SIGTERM);
        if (!launch_wait(l, 1000)) {
            kill(-l->child, SIGKILL);
            kill(l->child, SIGKILL);
            int st;
            while (waitpid(l->child, &st, 0) < 0 && errno == EINTR) {
            }
            l->child_reaped = 1;
            l->child_status = st;
        }
    }
}

void launch_close(launch_t *l)
{
    launch_drain(l);
    if (l->outfd >= 0) {
        close(l->outfd);
        l->outfd = -1;
    }
    l->child = 0;
}

/* --- the attach file and /proc ------------------------------------------------------- */

int launch_write_attach(char *attach, size_t cap, const char *path, const attach_t *a, err_t *err)
{
    wbuf_t text;
    wbuf_init(&text);
    int rc = attach_format(a, &text, err);
    if (rc) {
        wbuf_free(&text);
        return rc;
    }
    int fd;
    if (path) {
        snprintf(attach, cap, "%s", path);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd >= 0) fchmod(fd, 0600);
    } else {
        const char *dir = getenv("XDG_RUNTIME_DIR");
        if (!dir || access(dir, W_OK) != 0) dir = "/tmp";
        snprintf(attach, cap, "%s/parc-engines-XXXXXX", dir);
        fd = mkstemp(attach);
    }
    if (fd < 0) {
        wbuf_free(&text);
        return err_set(err, PARC_EIO, (span_t){0}, "cannot write the attach file %s: %s", attach,
                       strerror(errno));
    }
    int ok = write(fd, text.p, text.len) == (ssize_t)text.len;
    memset(text.p, 0, text.len);
    wbuf_free(&text);
    if (close(fd) != 0) ok = 0;
    if (!ok) return err_set(err, PARC_EIO, (span_t){0}, "cannot write the attach file %s", attach);
    return 0;
}

long launch_rss_kb(long pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
    fclose(f);
    return kb;
}

void launch_init(launch_t *l)
{
    memset(l, 0, sizeof *l);
    l->outfd = -1;
}
