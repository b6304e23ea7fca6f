/* test_magic.c - magic_split (segments in order, line numbers kept, options, errors) and
 * magic_targets (--targets specs against a number of engines). */
#include "arena.h"
#include "check.h"
#include "magic.h"
#include "mem.h"

#include <string.h>

static magic_cell_t split(arena_t *a, const char *src, int autopx, int *rc, err_t *err)
{
    magic_cell_t c;
    err_clear(err);
    *rc = magic_split(a, src, strlen(src), autopx, &c, err);
    return c;
}

static void test_plain(arena_t *a)
{
    int rc;
    err_t e;
    magic_cell_t c = split(a, "x = 1\ny = 2\nx + y", 0, &rc, &e);
    CHECK(rc == 0 && c.n == 1);
    CHECK(c.segs[0].kind == MAGIC_CODE && c.segs[0].line == 1);
    CHECK_STR(c.segs[0].src, "x = 1\ny = 2\nx + y");
    c = split(a, "", 0, &rc, &e);
    CHECK(rc == 0 && c.n == 0);
    c = split(a, "\n  \n", 0, &rc, &e);
    CHECK(rc == 0 && c.n == 0);
}

static void test_mixed(arena_t *a)
{
    int rc;
    err_t e;
    const char *src = "a = ones(8)\n%px print(rank, a.shape)\nb = a.sum()\n%who\n%px  --targets "
                      "0,2 c = 3\nb";
    magic_cell_t c = split(a, src, 0, &rc, &e);
    CHECK(rc == 0 && c.n == 6);
    if (c.n != 6) return;
    CHECK(c.segs[0].kind == MAGIC_CODE);
    CHECK_STR(c.segs[0].src, "a = ones(8)");
    CHECK(c.segs[1].kind == MAGIC_PX && c.segs[1].line == 2 && c.segs[1].col == 4);
    CHECK_STR(c.segs[1].src, "\nprint(rank, a.shape)");
    CHECK(c.segs[1].targets == NULL);
    CHECK(c.segs[2].kind == MAGIC_CODE && c.segs[2].line == 3);
    CHECK_STR(c.segs[2].src, "\n\nb = a.sum()");
    CHECK(c.segs[3].kind == MAGIC_LINE);
    CHECK_STR(c.segs[3].name, "who");
    CHECK(c.segs[4].kind == MAGIC_PX && c.segs[4].line == 5);
    CHECK_STR(c.segs[4].targets, "0,2");
    CHECK_STR(c.segs[4].src, "\n\n\n\nc = 3");
    CHECK(c.segs[4].col == (int)strlen("%px  --targets 0,2 "));
    CHECK(c.segs[5].kind == MAGIC_CODE && c.segs[5].line == 6);
}

static void test_cell_magics(arena_t *a)
{
    int rc;
    err_t e;
    magic_cell_t c =
        split(a, "%%px --targets ::2\nrandom.seed(rank)\nc = random.random(3)\nc", 0, &rc, &e);
    CHECK(rc == 0 && c.n == 1);
    if (c.n == 1) {
        CHECK(c.segs[0].kind == MAGIC_PX && c.segs[0].line == 2);
        CHECK_STR(c.segs[0].targets, "::2");
        CHECK_STR(c.segs[0].src, "\nrandom.seed(rank)\nc = random.random(3)\nc");
    }
    c = split(a, "%%px --targets=1-3 --noblock\nx", 0, &rc, &e);
    CHECK(rc == 0 && c.n == 1 && c.segs[0].noblock && strcmp(c.segs[0].targets, "1-3") == 0);
    c = split(a, "%%px -o r --noblock\nx", 0, &rc, &e);
    CHECK(rc == 0 && c.n == 1 && c.segs[0].noblock && strcmp(c.segs[0].out_name, "r") == 0);
    c = split(a, "%px --out=q2 -t 0 x\n%px -x", 0, &rc, &e);
    CHECK(rc == 0 && c.n == 2 && strcmp(c.segs[0].out_name, "q2") == 0);
    CHECK(c.n == 2 && strcmp(c.segs[0].targets, "0") == 0 && !c.segs[1].out_name);
    CHECK(c.n == 2 && strcmp(c.segs[1].src, "\n-x") == 0);
    c = split(a, "%verify --engines 1,2 x.sum()\n%verify y", 0, &rc, &e);
    CHECK(rc == 0 && c.n == 2 && c.segs[0].kind == MAGIC_LINE);
    CHECK(c.n == 2 && strcmp(c.segs[0].args, "1,2") == 0 && strcmp(c.segs[0].src, "x.sum()") == 0);
    CHECK(c.n == 2 && c.segs[0].col == 22 && strcmp(c.segs[1].args, "1,2,3") == 0);
    c = split(a, "%verify --engines=3", 0, &rc, &e);
    CHECK(rc == PARC_EVALUE && strstr(e.msg, "needs a statement"));
    c = split(a, "%px -o 2x y", 0, &rc, &e);
    CHECK(rc == PARC_EVALUE && strstr(e.msg, "variable name"));
    c = split(a, "%%px --collapse --timeout 2.5\nx", 0, &rc, &e);
    CHECK(rc == 0 && c.n == 1 && c.segs[0].collapse == 1 && c.segs[0].timeout == 2.5);
    c = split(a, "%px --timeout=0 --no-collapse x\n%px y", 0, &rc, &e);
    CHECK(rc == 0 && c.n == 2 && c.segs[0].collapse == 0 && c.segs[0].timeout == 0);
    CHECK(c.n == 2 && c.segs[1].collapse == -1 && c.segs[1].timeout == -1);
    c = split(a, "%%px --timeout soon\nx", 0, &rc, &e);
    CHECK(rc == PARC_EVALUE && strstr(e.msg, "seconds"));
    c = split(a, "%%time\nx = 1\n%px y = 2", 0, &rc, &e);
    CHECK(rc == 0 && c.cell_time == 1 && c.n == 2);
    c = split(a, "%autopx", 0, &rc, &e);
    CHECK(rc == 0 && c.toggle_autopx == 1 && c.n == 0);
    c = split(a, "%autopx\n", 1, &rc, &e);
    CHECK(rc == 0 && c.toggle_autopx == 1);
    c = split(a, "x = rank\nx", 1, &rc, &e);
    CHECK(rc == 0 && c.n == 1 && c.segs[0].kind == MAGIC_PX && c.segs[0].line == 1);
    c = split(a, "%%foo\nx", 0, &rc, &e);
    CHECK(rc == PARC_EVALUE && strstr(e.msg, "Cell magic `%%foo` not found.") != NULL);
    c = split(a, "%%px --bogus\nx", 0, &rc, &e);
    CHECK(rc == PARC_EVALUE && strstr(e.msg, "--bogus") != NULL);
}

static void test_line_magics(arena_t *a)
{
    int rc;
    err_t e;
    magic_cell_t c = split(a, "%foo 1", 0, &rc, &e);
    CHECK(rc == PARC_EVALUE);
    CHECK_STR(e.msg, "Line magic function `%foo` not found.");
    CHECK(e.at.line == 1);
    c = split(a, "x = 1\n%time x.sum()", 0, &rc, &e);
    CHECK(rc == 0 && c.n == 2 && c.segs[1].kind == MAGIC_LINE);
    if (c.n == 2) {
        CHECK_STR(c.segs[1].name, "time");
        CHECK_STR(c.segs[1].src, "\nx.sum()");
        CHECK(c.segs[1].col == 6 && c.segs[1].line == 2);
    }
    c = split(a, "%time", 0, &rc, &e);
    CHECK(rc == PARC_EVALUE);
    c = split(a, "%seed 42", 0, &rc, &e);
    CHECK(rc == 0 && c.n == 1 && c.segs[0].kind == MAGIC_CODE);
    if (c.n == 1) CHECK_STR(c.segs[0].src, "random.seed(42)");
    c = split(a, "%engines start -n 4", 0, &rc, &e);
    CHECK(rc == 0 && c.n == 1);
    if (c.n == 1) {
        CHECK_STR(c.segs[0].name, "engines");
        CHECK_STR(c.segs[0].args, "start -n 4");
    }
    c = split(a, "%px", 0, &rc, &e);
    CHECK(rc == PARC_EVALUE);
    c = split(a, "x = 5 % 3\n  %px y", 0, &rc, &e); /* indented %: code, not a magic */
    CHECK(rc == 0 && c.n == 1 && c.segs[0].kind == MAGIC_CODE);
    c = split(a, "x = 1\nx?", 0, &rc, &e);
    CHECK(rc == 0 && c.n == 2);
    if (c.n == 2) {
        CHECK(c.segs[1].kind == MAGIC_INSPECT && c.segs[1].detail == 0);
        CHECK_STR(c.segs[1].src, "x");
    }
    c = split(a, "a.sum??", 0, &rc, &e);
    CHECK(rc == 0 && c.n == 1 && c.segs[0].kind == MAGIC_INSPECT && c.segs[0].detail == 1);
    if (c.n == 1) CHECK_STR(c.segs[0].src, "a.sum");
    c = split(a, "??a.sum\n?x", 0, &rc, &e); /* IPython's prefix forms */
    CHECK(rc == 0 && c.n == 2);
    if (c.n == 2) {
        CHECK(c.segs[0].kind == MAGIC_INSPECT && c.segs[0].detail == 1);
        CHECK_STR(c.segs[0].src, "a.sum");
        CHECK(c.segs[1].kind == MAGIC_INSPECT && c.segs[1].detail == 0);
        CHECK_STR(c.segs[1].src, "x");
    }
    c = split(a, "x = 1\nexit\nquit()  ", 0, &rc, &e);
    CHECK(rc == 0 && c.n == 3);
    if (c.n == 3) {
        CHECK(c.segs[0].kind == MAGIC_CODE);
        CHECK(c.segs[1].kind == MAGIC_LINE && c.segs[2].kind == MAGIC_LINE);
        CHECK_STR(c.segs[1].name, "exit");
        CHECK_STR(c.segs[2].name, "exit");
    }
    c = split(a, "exit_code = 1\nif x:\n    exit", 0, &rc, &e); /* only exit alone at col 0 */
    CHECK(rc == 0 && c.n == 1 && c.segs[0].kind == MAGIC_CODE);
    c = split(a, "%history -n 1-3\n%cd /tmp\n%env A=b", 0, &rc, &e);
    CHECK(rc == 0 && c.n == 3);
    if (c.n == 3) {
        CHECK_STR(c.segs[0].name, "history");
        CHECK_STR(c.segs[0].args, "-n 1-3");
        CHECK_STR(c.segs[1].name, "cd");
        CHECK_STR(c.segs[2].args, "A=b");
    }
    CHECK(magic_help("px") != NULL && magic_help("nope") == NULL);
}

static int targets(arena_t *a, const char *spec, int n, const char *want)
{
    int *t;
    size_t k;
    err_t e;
    err_clear(&e);
    int rc = magic_targets(a, spec, n, &t, &k, &e);
    if (!want) return rc != 0;
    if (rc) {
        fprintf(stderr, "targets %s: %s\n", spec, e.msg);
        return 0;
    }
    char buf[256] = "";
    for (size_t i = 0; i < k; i++)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%d", i ? "," : "", t[i]);
    if (strcmp(buf, want) != 0) fprintf(stderr, "targets %s: got %s want %s\n", spec, buf, want);
    return strcmp(buf, want) == 0;
}

static void test_targets(arena_t *a)
{
    CHECK(targets(a, "0,2", 4, "0,2"));
    CHECK(targets(a, "2,0,2", 4, "0,2"));
    CHECK(targets(a, "::2", 5, "0,2,4"));
    CHECK(targets(a, "1-3", 4, "1,2,3"));
    CHECK(targets(a, "0:3", 4, "0,1,2"));
    CHECK(targets(a, "1:", 4, "1,2,3"));
    CHECK(targets(a, ":2", 4, "0,1"));
    CHECK(targets(a, "-1", 4, "3"));
    CHECK(targets(a, "::-1", 3, "0,1,2"));
    CHECK(targets(a, "all", 3, "0,1,2"));
    CHECK(targets(a, "0,2-3", 4, "0,2,3"));
    CHECK(targets(a, "4", 4, NULL));
    CHECK(targets(a, "1-9", 4, NULL));
    CHECK(targets(a, "3-1", 4, NULL));
    CHECK(targets(a, "x", 4, NULL));
    CHECK(targets(a, "", 4, NULL));
    CHECK(targets(a, "0,", 4, NULL));
    CHECK(targets(a, "::0", 4, NULL));
    CHECK(targets(a, "5:", 4, NULL));
    CHECK(targets(a, "0", 0, NULL));
}

static void test_fail_walk(void)
{
    const char *src = "a = 1\n%px print(rank)\n%who\n%time a\nb?\n%seed 3\nc";
    int done = 0;
    for (long k = 0; k < 500 && !done; k++) {
        mem_fail_after(k);
        arena_t *a = arena_new();
        if (a) {
            magic_cell_t c;
            err_t e;
            err_clear(&e);
            int rc = magic_split(a, src, strlen(src), 0, &c, &e);
            CHECK(rc == 0 || rc == PARC_ENOMEM);
            if (rc == 0) {
                CHECK(c.n == 7);
                done = 1;
            }
        }
        mem_fail_after(-1);
        arena_destroy(&a);
    }
    CHECK(done);
}

int main(void)
{
    arena_t *a = arena_new();
    test_plain(a);
    test_mixed(a);
    test_cell_magics(a);
    test_line_magics(a);
    test_targets(a);
    arena_destroy(&a);
    test_fail_walk();
    return check_done();
}
