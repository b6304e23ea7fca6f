/* launch.h - the engines' mpirun, for pool_: forks `mpirun -n N parc-engine --attach FILE`
 * in a session of its own, reads its output pipe without blocking (logged, the tail kept
 * for error messages), reaps and kills it; writes the attach file engines connect with;
 * and reads /proc for the local processes it started. One launch_t per pool, embedded. */
#ifndef PARC_LAUNCH_H
#define PARC_LAUNCH_H

#include <stddef.h>
#include <sys/types.h>

#include "attach.h"
#include "err.h"

#define LAUNCH_TAIL_MAX 4096 /* bytes of mpirun output kept for error messages */
#define LAUNCH_LINE_MAX 1024 /* a longer output line is logged in pieces */

typedef struct {
    pid_t child; /* mpirun (and its process group), 0 when none */
    int outfd;   /* mpirun's stdout+stderr, -1 when closed */
    int child_status, child_reaped;
    char tail[LAUNCH_TAIL_MAX]; /* the last lines of output, NUL-terminated */
    size_t taillen;
    char line[LAUNCH_LINE_MAX]; /* the line being read */
    size_t linelen;
} launch_t;

void launch_init(launch_t *l); /* no child, pipe closed */
long long launch_now_ms(void); /* CLOCK_MONOTONIC in milliseconds */
int launch_cores(void);        /* online cores, at least 1 */

/* Forks mpirun (argv from mpirun, the space-separated mpi_args, engine_path --attach attach)
 * with n ranks, in its own session, output on a pipe. 0, or -1 with msg set. */
int launch_spawn(launch_t *l, const char *mpirun, const char *mpi_args, const char *engine_path,
                 const char *attach, int n, char *msg, size_t max);
void launch_drain(launch_t *l);       /* reads what mpirun wrote; closes the pipe at EOF */
int launch_reap(launch_t *l);         /* 1 once mpirun was reaped (waitpid WNOHANG) */
int launch_wait(launch_t *l, int ms); /* waits up to ms for mpirun, reading its output; 1: gone */
void launch_kill(launch_t *l);        /* SIGTERM to mpirun's group, then SIGKILL; reaps it */
void launch_close(launch_t *l);       /* reads what is left, closes the pipe, forgets the child */

/* The most telling lines of the output (skipping Open MPI's dashed banners), at most
 * max-1 bytes, joined with " | ". */
void launch_summary(const launch_t *l, char *out, size_t max);
/* "engine 1 died (signal 9: Killed)" from mpirun's report, else from its wait status. */
void launch_death(const launch_t *l, char *out, size_t max);

/* Writes the attach file for a (attach.h) at path, mode 0600, or at a new temporary file
 * when path is NULL; its name goes to attach (cap bytes). 0 or PARC_E* with err set. */
int launch_write_attach(char *attach, size_t cap, const char *path, const attach_t *a, err_t *err);

void launch_sleep_ms(int ms);
/* When mpirun's output (or the engine's guard, runtime/main.c) said how engine rank died:
 * writes "engine 1 died (signal 9: Killed)" to out and returns 1; else 0. */
int launch_rank_death(const launch_t *l, int rank, char *out, size_t max);
int launch_alive(long pid);   /* 1 when a local process exists and is not a zombie */
long launch_rss_kb(long pid); /* VmRSS of a local process in kB; -1 when unknown */

#endif
