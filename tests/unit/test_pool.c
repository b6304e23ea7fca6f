/* test_pool.c - drives a real pool of parc-engine ranks through pool.h, as the kernel does:
 * start (1, 2 and 3 engines, start-up time printed), cells in global and local view
 * (streams per rank, results, names, an engine's error), input(), an interrupt of an
 * endless loop, kill -9 of one engine (reported with its rank, the pool restartable),
 * attach mode (engines started by "a launcher", here this test), and shutdown leaving no
 * process behind.
 *
 * The cells are hand-built IR (ir_new), so the test needs no front end. The engine is
 * argv[1], else $PARC_ENGINE, else parc-engine next to this test's build directory. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "arena.h"
#include "builtins.h"
#include "check.h"
#include "ir.h"
#include "launch.h"
#include "link.h"
#include "mem.h"
#include "pool.h"

#define MAXR 4

typedef struct {
    wbuf_t out[MAXR]; /* stdout per rank */
    wbuf_t err[MAXR];
    wbuf_t res[MAXR]; /* results per rank, "|"-separated */
    int done, code, nranks;
    int rcode[MAXR];
    char kind[MAXR][32], msg[MAXR][256], pool_msg[256];
    double seconds;
    int asked; /* input requests seen */
    pool_t *p;
    const char *answer; /* reply to input(); NULL: no stdin */
} rec_t;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void rec_reset(rec_t *r)
{
    for (int i = 0; i < MAXR; i++) {
        wbuf_free(&r->out[i]);
        wbuf_free(&r->err[i]);
        wbuf_free(&r->res[i]);
    }
    pool_t *p = r->p;
    const char *a = r->answer;
    memset(r, 0, sizeof *r);
    r->p = p;
    r->answer = a;
}

static void cb_stream(void *ud, int rank, int stream, const char *t, size_t n)
{
    rec_t *r = ud;
    if (rank >= 0 && rank < MAXR) wbuf_bytes(stream == 2 ? &r->err[rank] : &r->out[rank], t, n);
}

static void cb_result(void *ud, int rank, const char *pl, size_t np, const char *html, size_t nh)
{
    rec_t *r = ud;
    (void)html;
    (void)nh;
    if (rank >= 0 && rank < MAXR) {
        wbuf_bytes(&r->res[rank], pl, np);
        wbuf_bytes(&r->res[rank], "|", 1);
    }
}

static void cb_input(void *ud, int rank, const char *prompt, int pw)
{
    rec_t *r = ud;
    (void)rank;
    (void)prompt;
    (void)pw;
    r->asked++;
    pool_input_reply(r->p, r->answer, r->answer ? strlen(r->answer) : 0);
}

static void cb_done(void *ud, const pool_done_t *d)
{
    rec_t *r = ud;
    r->done++;
    r->code = d->code;
    r->nranks = (int)d->nranks;
    r->seconds = d->seconds;
    snprintf(r->pool_msg, sizeof r->pool_msg, "%s", d->pool_err.msg);
    for (size_t i = 0; i < d->nranks && i < MAXR; i++) {
        r->rcode[i] = d->ranks[i].err.code;
        snprintf(r->kind[i], sizeof r->kind[i], "%s", d->ranks[i].kind);
        snprintf(r->msg[i], sizeof r->msg[i], "%s", d->ranks[i].err.msg);
    }
}

/* One turn of the kernel's loop. */
static void turn(pool_t *p, long cap)
{
    zmq_pollitem_t it[8];
    int n = pool_pollitems(p, it, 8);
    long t = pool_timeout_ms(p);
    if (t < 0 || t > cap) t = cap;
    zmq_poll(it, n, t);
    pool_handle(p);
}

/* Runs until on_done or the deadline; returns the ms it took (-1 on timeout). */
static long wait_done(rec_t *r, long ms)
{
    long long t0 = now_ms();
    while (!r->done && now_ms() - t0 < ms)
        turn(r->p, 50);
    return r->done ? (long)(now_ms() - t0) : -1;
}

static int exec_ir(rec_t *r, int mode, const int *tg, size_t nt, ir_node_t *root)
{
    static const pool_cb_t cb0 = {0};
    pool_cb_t cb = cb0;
    cb.ud = r;
    cb.on_stream = cb_stream;
    cb.on_result = cb_result;
    cb.on_input = cb_input;
    cb.on_done = cb_done;
    wbuf_t b;
    wbuf_init(&b);
    ir_encode(root, &b);
    err_t e;
    err_clear(&e);
    int rc = pool_exec(r->p, mode, tg, nt, 1, 0, b.p, b.len, &cb, &e);
    wbuf_free(&b);
    return rc;
}

/* --- IR builders ---------------------------------------------------------------------- */

static arena_t *A;

static ir_node_t *node(int op, uint32_t nkid)
{
    span_t at = {1, 1, 1, 1};
    return ir_new(A, op, at, nkid);
}

static ir_node_t *str_node(int op, const char *s)
{
    ir_node_t *n = node(op, 0);
    n->s = arena_strndup(A, s, strlen(s));
    n->slen = (uint32_t)strlen(s);
    return n;
}

static ir_node_t *int_node(long v)
{
    ir_node_t *n = node(IR_INT, 0);
    n->imm.i = v;
    return n;
}

static ir_node_t *block1(ir_node_t *s)
{
    ir_node_t *b = node(IR_BLOCK, 1);
    b->kid[0] = s;
    return b;
}

static ir_node_t *call1(int bi, ir_node_t *arg)
{
    ir_node_t *c = node(IR_CALL, 2), *f = node(IR_BUILTIN, 0);
    f->imm.i = bi;
    c->kid[0] = f;
    c->kid[1] = arg;
    return c;
}

static ir_node_t *expr(ir_node_t *e)
{
    ir_node_t *s = node(IR_EXPR, 1);
    s->kid[0] = e;
    return s;
}

static ir_node_t *print_cell(ir_node_t *arg)
{
    return block1(expr(call1(BI_PRINT, arg)));
}

static ir_node_t *assign_cell(const char *name, ir_node_t *v)
{
    ir_node_t *a = node(IR_ASSIGN, 2);
    a->kid[0] = str_node(IR_NAME, name);
    a->kid[1] = v;
    return block1(a);
}

static ir_node_t *display_cell(ir_node_t *v)
{
    ir_node_t *d = node(IR_DISPLAY, 1);
    d->kid[0] = v;
    return block1(d);
}

static ir_node_t *loop_cell(void)
{
    ir_node_t *w = node(IR_WHILE, 3), *t = node(IR_BOOL, 0);
    t->imm.i = 1;
    w->kid[0] = t;
    w->kid[1] = block1(node(IR_PASS, 0));
    w->kid[2] = node(IR_NONE, 0);
    return block1(w);
}

/* --- helpers ---------------------------------------------------------------------------- */

/* pids of the ranks from the %engines table. */
static int engine_pids(pool_t *p, long *pids, int max)
{
    wbuf_t b;
    wbuf_init(&b);
    pool_describe(p, &b);
    const char *s = wbuf_cstring(&b);
    int n = 0;
    for (const char *l = s; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        int rank;
        char host[128];
        long pid;
        if (sscanf(l, "%d %127s %ld", &rank, host, &pid) == 3 && rank >= 0 && rank < max) {
            pids[rank] = pid;
            n++;
        }
    }
    wbuf_free(&b);
    return n;
}

static long start_pool(pool_t *p, int n)
{
    err_t e;
    err_clear(&e);
    long long t0 = now_ms();
    CHECK(pool_start(p, n, &e) == 0);
    while (!pool_ready(p) && now_ms() - t0 < 30000)
        turn(p, 50);
    CHECK(pool_ready(p));
    CHECK(pool_size(p) == n);
    return (long)(now_ms() - t0);
}

static void test_engines(const char *engine, int n, void *ctx)
{
    pool_cfg_t cfg = {0};
    cfg.key = "test-key-0123";
    cfg.engine_path = engine;
    cfg.launch = 1;
    cfg.nengines = n;
    err_t e;
    err_clear(&e);
    pool_t *p = pool_new(ctx, &cfg, &e);
    CHECK(p != NULL);
    if (!p) {
        fprintf(stderr, "pool_new: %s\n", e.msg);
        return;
    }
    long ms = start_pool(p, n);
    printf("%d engine%s: kernel start until all engines ready: %ld ms\n", n, n == 1 ? "" : "s", ms);
    rec_t r = {0};
    r.p = p;

    /* Global view: rank 0 speaks for all. */
    CHECK(exec_ir(&r, LINK_GLOBAL, NULL, 0, print_cell(str_node(IR_STR, "hello"))) == 0);
    CHECK(wait_done(&r, 10000) >= 0);
    CHECK(r.done == 1 && r.code == 0 && r.nranks == n);
    CHECK_STR(wbuf_cstring(&r.out[0]), "hello\n");
    if (n > 1) CHECK(r.out[1].len == 0);

    rec_reset(&r);
    CHECK(exec_ir(&r, LINK_GLOBAL, NULL, 0, assign_cell("x", int_node(42))) == 0);
    CHECK(wait_done(&r, 10000) >= 0 && r.code == 0);
    const vartab_rec_t *ni = vartab_get(pool_names(p), "x");
    CHECK(ni && !ni->per_engine);

    rec_reset(&r);
    CHECK(exec_ir(&r, LINK_GLOBAL, NULL, 0, display_cell(int_node(7))) == 0);
    CHECK(wait_done(&r, 10000) >= 0 && r.code == 0);
    CHECK_STR(wbuf_cstring(&r.res[0]), "7|");

    /* An engine's error, with kind, message and place. */
    rec_reset(&r);
    CHECK(exec_ir(&r, LINK_GLOBAL, NULL, 0, block1(expr(str_node(IR_NAME, "nope")))) == 0);
    CHECK(wait_done(&r, 10000) >= 0);
    CHECK(r.code == PARC_ENAME);
    CHECK_STR(r.kind[0], "NameError");
    CHECK(strstr(r.msg[0], "nope") != NULL);

    /* Local view: each rank prints its own rank. */
    rec_reset(&r);
    CHECK(exec_ir(&r, LINK_LOCAL, NULL, 0, print_cell(str_node(IR_NAME, "rank"))) == 0);
    CHECK(wait_done(&r, 10000) >= 0 && r.code == 0 && r.nranks == n);
    for (int i = 0; i < n && i < MAXR; i++) {
        char want[16];
        snprintf(want, sizeof want, "%d\n", i);
        CHECK_STR(wbuf_cstring(&r.out[i]), want);
    }
    /* Local view on a subset, and a per-engine name. */
    int tg[1] = {n - 1};
    rec_reset(&r);
    CHECK(exec_ir(&r, LINK_LOCAL, tg, 1, assign_cell("c", str_node(IR_NAME, "rank"))) == 0);
    CHECK(wait_done(&r, 10000) >= 0 && r.code == 0 && r.nranks == 1);
    ni = vartab_get(pool_names(p), "c");
    CHECK(ni && ni->per_engine);
    CHECK(vartab_get(pool_names(p), "x") != NULL);
    int bad[1] = {n};
    rec_reset(&r);
    CHECK(exec_ir(&r, LINK_LOCAL, bad, 1, print_cell(int_node(1))) == 0);
    CHECK(wait_done(&r, 10000) >= 0 && r.code == PARC_EVALUE);

    /* input(): answered, then refused for lack of stdin. */
    rec_reset(&r);
    r.answer = "typed";
    CHECK(exec_ir(&r, LINK_GLOBAL, NULL, 0, print_cell(call1(BI_INPUT, str_node(IR_STR, "? ")))) ==
          0);
    CHECK(wait_done(&r, 10000) >= 0 && r.code == 0 && r.asked == 1);
    CHECK_STR(wbuf_cstring(&r.out[0]), "typed\n");
    rec_reset(&r);
    r.answer = NULL;
    CHECK(exec_ir(&r, LINK_LOCAL, NULL, 0, print_cell(call1(BI_INPUT, str_node(IR_STR, "? ")))) ==
          0);
    CHECK(wait_done(&r, 10000) >= 0 && r.code == PARC_EIO && r.asked == n);
    CHECK(strstr(r.msg[0], "stdin") != NULL);

    /* Interrupt an endless loop: stops within a second, the pool still works. */
    rec_reset(&r);
    CHECK(exec_ir(&r, LINK_GLOBAL, NULL, 0, loop_cell()) == 0);
    CHECK(wait_done(&r, 300) < 0);
    long long t0 = now_ms();
    pool_interrupt(p);
    long took = wait_done(&r, 5000);
    CHECK(took >= 0 && now_ms() - t0 < 1000);
    CHECK(r.code == PARC_EINTR);
    printf("%d engine%s: interrupt took %lld ms\n", n, n == 1 ? "" : "s", now_ms() - t0);
    rec_reset(&r);
    CHECK(exec_ir(&r, LINK_GLOBAL, NULL, 0, print_cell(str_node(IR_STR, "after"))) == 0);
    CHECK(wait_done(&r, 10000) >= 0 && r.code == 0);
    CHECK_STR(wbuf_cstring(&r.out[0]), "after\n");

    /* kill -9 one engine in the middle of a cell. */
    long pids[MAXR] = {0};
    CHECK(engine_pids(p, pids, MAXR) == n);
    int victim = n - 1;
    rec_reset(&r);
    CHECK(exec_ir(&r, LINK_GLOBAL, NULL, 0, loop_cell()) == 0);
    CHECK(wait_done(&r, 200) < 0);
    CHECK(kill((pid_t)pids[victim], SIGKILL) == 0);
    CHECK(wait_done(&r, 10000) >= 0);
    CHECK(r.code == PARC_EENGINE);
    char want[64];
    snprintf(want, sizeof want, "engine %d died (signal 9", victim);
    CHECK(strstr(r.pool_msg, want) != NULL);
    printf("%d engine%s: death reported as \"%s\"\n", n, n == 1 ? "" : "s", r.pool_msg);
    CHECK(!pool_ready(p) && !pool_busy(p));
    for (int i = 0; i < n; i++)
        CHECK(!launch_alive(pids[i]));

    /* The next request starts the engines again. */
    rec_reset(&r);
    CHECK(exec_ir(&r, LINK_GLOBAL, NULL, 0, print_cell(str_node(IR_STR, "again"))) == 0);
    CHECK(wait_done(&r, 30000) >= 0 && r.code == 0);
    CHECK_STR(wbuf_cstring(&r.out[0]), "again\n");

    /* Shutdown, even in the middle of a cell, leaves nothing behind. */
    CHECK(engine_pids(p, pids, MAXR) == n);
    rec_reset(&r);
    CHECK(exec_ir(&r, LINK_GLOBAL, NULL, 0, loop_cell()) == 0);
    CHECK(wait_done(&r, 200) < 0);
    t0 = now_ms();
    pool_destroy(&p);
    CHECK(r.done == 1 && r.code == PARC_EENGINE);
    printf("%d engine%s: shutdown during a cell took %lld ms\n", n, n == 1 ? "" : "s",
           now_ms() - t0);
    for (int i = 0; i < n; i++)
        CHECK(!launch_alive(pids[i]));
    CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);
    rec_reset(&r);
}

/* Engines that cannot start: the request fails with the reason, the pool stays usable. */
static void test_no_mpirun(const char *engine, void *ctx)
{
    pool_cfg_t cfg = {0};
    cfg.key = "k";
    cfg.engine_path = engine;
    cfg.mpirun = "/nonexistent/mpirun";
    cfg.launch = 1;
    cfg.nengines = 1;
    err_t e;
    err_clear(&e);
    pool_t *p = pool_new(ctx, &cfg, &e);
    CHECK(p != NULL);
    if (!p) return;
    rec_t r = {0};
    r.p = p;
    CHECK(exec_ir(&r, LINK_GLOBAL, NULL, 0, print_cell(int_node(1))) == 0);
    CHECK(wait_done(&r, 10000) >= 0);
    CHECK(r.code == PARC_EENGINE);
    CHECK(strstr(r.pool_msg, "cannot start") != NULL);
    printf("no mpirun: \"%s\"\n", r.pool_msg);
    pool_destroy(&p);
    rec_reset(&r);
}

/* Attach mode: the kernel only listens; a launcher starts the engines. */
static void test_attach(const char *engine, void *ctx)
{
    pool_cfg_t cfg = {0};
    cfg.key = "attach-key";
    cfg.engine_path = engine;
    cfg.launch = 0;
    err_t e;
    err_clear(&e);
    pool_t *p = pool_new(ctx, &cfg, &e);
    CHECK(p != NULL);
    if (!p) return;
    err_clear(&e);
    CHECK(pool_start(p, 0, &e) == 0);
    rec_t r = {0};
    r.p = p;
    CHECK(exec_ir(&r, LINK_GLOBAL, NULL, 0, print_cell(int_node(1))) == 0);
    CHECK(wait_done(&r, 5000) >= 0 && r.code == PARC_EENGINE);
    CHECK(strstr(r.pool_msg, "--attach") != NULL);

    const char *file = pool_attach_file(p);
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        /* The ASAN_OPTIONS only matter in sanitizer builds: MPI's own leaks at exit. */
        execlp("mpirun", "mpirun", "-n", "2", "--oversubscribe", "--mca",
               "btl_vader_single_copy_mechanism", "none", "-x",
               "ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1", engine, "--attach", file,
               (char *)NULL);
        _exit(127);
    }
    CHECK(pid > 0);
    long long t0 = now_ms();
    while (!pool_ready(p) && now_ms() - t0 < 30000)
        turn(p, 50);
    CHECK(pool_ready(p) && pool_size(p) == 2);
    rec_reset(&r);
    CHECK(exec_ir(&r, LINK_LOCAL, NULL, 0, print_cell(str_node(IR_NAME, "rank"))) == 0);
    CHECK(wait_done(&r, 10000) >= 0 && r.code == 0);
    CHECK_STR(wbuf_cstring(&r.out[1]), "1\n");
    wbuf_t d;
    wbuf_init(&d);
    CHECK(pool_describe(p, &d) == 0);
    CHECK(strstr(wbuf_cstring(&d), "mpirun --hostfile H -n N parc-engine --attach") != NULL);
    wbuf_free(&d);
    pool_destroy(&p); /* SHUTDOWN: the launcher's job ends by itself */
    int st = 0;
    long long t1 = now_ms();
    pid_t w = 0;
    while ((w = waitpid(pid, &st, WNOHANG)) == 0 && now_ms() - t1 < 10000)
        usleep(20000);
    CHECK(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    if (w != pid) {
        kill(-pid, SIGKILL);
        waitpid(pid, &st, 0);
    }
    rec_reset(&r);
}

int main(int argc, char **argv)
{
    char path[4096];
    const char *engine = argc > 1 ? argv[1] : getenv("PARC_ENGINE");
    if (!engine) {
        ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
        if (n > 0) {
            path[n] = 0;
            char *s = strrchr(path, '/');
            if (s) *s = 0;
            s = strrchr(path, '/');
            if (s) *s = 0;
            strcat(path, "/parc-engine");
            engine = path;
        }
    }
    if (!engine || access(engine, X_OK) != 0) {
        printf("no parc-engine (%s): skipped\n", engine ? engine : "?");
        return 77;
    }
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    signal(SIGPIPE, SIG_IGN);
    A = arena_new();
    void *ctx = zmq_ctx_new();
    const char *only = getenv("PARC_TEST_ENGINES");
    for (int n = 1; n <= 3; n++)
        if (!only || atoi(only) == n) test_engines(engine, n, ctx);
    test_no_mpirun(engine, ctx);
    test_attach(engine, ctx);
    zmq_ctx_term(ctx);
    arena_destroy(&A);
    return check_done();
}
