/* main.c - parc-engine's entry point: `parc-engine [--guard] --attach FILE`, started by
 * mpirun (from the kernel, or from a cluster launcher). Everything else happens in eng_main.
 * Engines run one per core, so each engine's OpenBLAS runs on one thread, unless
 * OPENBLAS_NUM_THREADS asks for more.
 *
 * --guard (the kernel's own mpirun passes it): the process mpirun started forks at once; the
 * child is the engine, the parent only waits for it, passes on the signals mpirun sends, and
 * when the engine is killed says so on stderr in mpirun's own words ("process rank 1 with
 * PID 123 on node n exited on signal 9 (Killed)"). The kernel runs mpirun with
 * --enable-recovery, which keeps the job going when an engine dies and no longer reports how
 * it died; this line is where the kernel reads it (launch_rank_death). */
#define _DEFAULT_SOURCE
#include <cblas.h>
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "engine.h"
#include "log.h"

static volatile pid_t engine_pid;

static void pass_on(int sig)
{
    if (engine_pid > 0) kill(engine_pid, sig);
}

/* Returns in the engine (the child); the guard exits here with the engine's status. */
static void guard(void)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) return; /* no guard: the engine runs as it is */
    if (pid == 0) {
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* the guard killed: the engine goes too */
#endif
        if (getppid() != parent) _exit(1);
        return;
    }
    engine_pid = pid;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = pass_on;
    sigemptyset(&sa.sa_mask);
    const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCONT};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) _exit(1);
    if (WIFSIGNALED(st)) {
        const char *rank = getenv("OMPI_COMM_WORLD_RANK");
        char host[256] = "?";
        gethostname(host, sizeof host - 1);
        fprintf(stderr,
                "parc-engine: process rank %s with PID %ld on node %s exited on signal %d (%s)\n",
                rank ? rank : "?", (long)pid, host, WTERMSIG(st), strsignal(WTERMSIG(st)));
        fflush(stderr);
        _exit(128 + WTERMSIG(st));
    }
    _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
}

int main(int argc, char **argv)
{
    const char *attach = NULL;
    int guarded = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--attach") == 0 && i + 1 < argc)
            attach = argv[++i];
        else if (strncmp(argv[i], "--attach=", 9) == 0)
            attach = argv[i] + 9;
        else if (strcmp(argv[i], "--guard") == 0)
            guarded = 1;
        else {
            log_warn("usage: parc-engine [--guard] --attach FILE");
            return 2;
        }
    }
    if (!attach) {
        log_warn("usage: parc-engine [--guard] --attach FILE");
        return 2;
    }
    if (guarded) guard();
    /* A cell's transient buffers (a reduction's tree vectors and messages: z.sum(axis=0)
     * of 10^4 x 10^4 makes about 5 MB of them) come from the heap and stay mapped when
     * freed, instead of glibc's default mmap above 128 KB and trim above 128 KB, which
     * made every cell fault in and zero fresh pages again (10% of that sum's time).
     * 32 MB is where glibc's own sliding threshold stops; above it allocations are
     * mmapped (arrays of 1 MB and more are pooled by chunk.c either way). The heap keeps
     * at most 64 MB of free top. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    if (!getenv("OPENBLAS_NUM_THREADS")) openblas_set_num_threads(1);
    return eng_main(attach);
}
