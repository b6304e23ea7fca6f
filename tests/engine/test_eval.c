/* test_eval.c - the interpreter end to end: source text -> lang_compile -> ir_decode ->
 * eval_cell, checking what the cell printed and displayed (captured from this process's
 * stdout, where out_ writes without an engine), its error kind, message and place, and
 * the variables it left. Runs under mpiexec with 1, 2 and 3 ranks: global-view results are
 * checked on rank 0 and must not depend on the rank count; local-view ones on every rank. */
#include <mpi.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "mpicheck.h"
#include "err.h"
#include "eval.h"
#include "ir.h"
#include "lang.h"
#include "mem.h"
#include "rt.h"
#include "wire.h"

static rt_t rt;
static atomic_int intr;
static eval_t *ev;
static uint32_t cellno = 1;
static char got[1 << 16];
static err_t lasterr;
static eval_frame_t frames[8];
static size_t nframes;

/* Runs src in the given view; the captured output lands in got. Returns eval's code. */
static int run(const char *src, int local)
{
    arena_t *a = arena_new();
    wbuf_t ir;
    wbuf_init(&ir);
    err_clear(&lasterr);
    got[0] = 0;
    nframes = 0;
    int rc = lang_compile(a, src, strlen(src), cellno++, NULL, local, &ir, &lasterr);
    ir_node_t *root = NULL;
    if (!rc) rc = ir_decode(a, ir.p, ir.len, &root, &lasterr);
    wbuf_free(&ir);
    if (rc) {
        fprintf(stderr, "compile failed: %s: %s (%s)\n", err_kind(rc), lasterr.msg, src);
        arena_destroy(&a);
        return rc;
    }
    FILE *tmp = tmpfile();
    fflush(stdout);
    int saved = dup(1);
    dup2(fileno(tmp), 1);
    rt.local = local;
    nframes = sizeof frames / sizeof frames[0];
    rc = eval_cell(ev, &a, root, 0, &lasterr, frames, &nframes);
    rt.local = 0;
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    rewind(tmp);
    size_t n = fread(got, 1, sizeof got - 1, tmp);
    got[n] = 0;
    fclose(tmp);
    return rc;
}

static int rank0(void)
{
    return rt.rank == 0;
}

/* Global view: rank 0 shows want; the other ranks show nothing. */
#define OUT(src, want)                                                                             \
    do {                                                                                           \
        int rc_ = run(src, 0);                                                                     \
        CHECK(rc_ == 0);                                                                           \
        if (rc_) fprintf(stderr, "  %s: %s\n", err_kind(rc_), lasterr.msg);                        \
        CHECK_STR(got, rank0() ? (want) : "");                                                     \
    } while (0)

/* Global view: the cell fails with kind and message (every rank). */
#define ERR(src, kind, message)                                                                    \
    do {                                                                                           \
        int rc_ = run(src, 0);                                                                     \
        CHECK_STR(err_kind(rc_), kind);                                                            \
        CHECK_STR(lasterr.msg, message);                                                           \
    } while (0)

/* Local view: every rank shows want (a printf format that may use the rank twice). */
static void lout(const char *src, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lout(const char *src, const char *fmt, ...)
{
    char want[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(want, sizeof want, fmt, ap);
    va_end(ap);
    int rc = run(src, 1);
    CHECK(rc == 0);
    if (rc) fprintf(stderr, "  %s: %s\n", err_kind(rc), lasterr.msg);
    CHECK_STR(got, want);
}

static void test_basics(void)
{
    OUT("1 + 2", "Out[0]: 3\n");
    OUT("x = 6\nx", "Out[0]: 6\n");
    OUT("x * 7", "Out[0]: 42\n");
    OUT("0.1 + 0.2", "Out[0]: 0.30000000000000004\n");
    OUT("7 / 2", "Out[0]: 3.5\n");
    OUT("7 // 2, -7 // 2, -7 % 3, 2 ** 10", "Out[0]: (3, -4, 2, 1024)\n");
    OUT("2**62, -2**62 - 2**62, 9223372036854775807", /* the int64 edges still work */
        "Out[0]: (4611686018427387904, -9223372036854775808, 9223372036854775807)\n");
    /* Python's bools are ints in arithmetic; NumPy's bool arrays are not */
    OUT("True + True, -True, ~True, True * 3, True & False, True ^ True, True / True",
        "Out[0]: (2, -1, -2, 3, False, False, 1.0)\n");
    OUT("(ones(2, dtype=bool) + True).dtype", "Out[0]: dtype('bool')\n");
    OUT("1e16", "Out[0]: 1e+16\n");
    OUT("(1+2j) * 1j", "Out[0]: (-2+1j)\n");
    OUT("2j", "Out[0]: 2j\n");
    OUT("None", "");
    OUT("True and 3", "Out[0]: 3\n");
    OUT("0 or 'a'", "Out[0]: 'a'\n");
    OUT("not 0", "Out[0]: True\n");
    OUT("'it''s'", "Out[0]: 'its'\n");
    OUT("\"it's\"", "Out[0]: \"it's\"\n");
    OUT("'a\\nb'", "Out[0]: 'a\\nb'\n");
    OUT("'ab' + 'cd', 'ab' * 3", "Out[0]: ('abcd', 'ababab')\n");
    OUT("(1,)", "Out[0]: (1,)\n");
    OUT("[1, 2.5, 'x', None, True]", "Out[0]: [1, 2.5, 'x', None, True]\n");
    OUT("s = (2, 3)\ns + (1,)", "Out[0]: (2, 3, 1)\n");
    OUT("s[0], s[-1], s[1:], s[::-1]", "Out[0]: (2, 3, (3,), (3, 2))\n");
    OUT("'hello'[1:4], 'hello'[-1]", "Out[0]: ('ell', 'o')\n");
    OUT("range(3)", "Out[0]: range(0, 3)\n");
    OUT("1 < 2 < 3, 1 < 3 < 2, 3 > 2 == 2", "Out[0]: (True, False, True)\n");
    OUT("2 in (1, 2), 'b' in 'abc', 5 not in range(5), None is None",
        "Out[0]: (True, True, True, True)\n");
    OUT("3 if 1 > 2 else 4", "Out[0]: 4\n");
    OUT("pi", "Out[0]: 3.141592653589793\n");
    OUT("float64", "Out[0]: dtype('float64')\n");
}

static void test_builtins(void)
{
    OUT("print(1, 'a', 2.5)", "1 a 2.5\n");
    OUT("print(1, 2, sep='-', end='!\\n')", "1-2!\n");
    OUT("print()", "\n");
    OUT("len('abc'), len((1, 2)), len([]), len(range(10))", "Out[0]: (3, 2, 0, 10)\n");
    OUT("abs(-3), abs(-2.5)", "Out[0]: (3, 2.5)\n");
    OUT("round(2.5), round(3.5), round(2.675, 2), round(1234, -2)", "Out[0]: (2, 4, 2.67, 1200)\n");
    OUT("int('42'), int(' -7 '), int(3.9), int(True)", "Out[0]: (42, -7, 3, 1)\n");
    OUT("float('1.5'), float(3), bool(0), bool('x')", "Out[0]: (1.5, 3.0, False, True)\n");
    OUT("str(1.0) + str(2)", "Out[0]: '1.02'\n");
    OUT("complex(1, 2)", "Out[0]: (1+2j)\n");
    OUT("min(3, 1, 2), max([4, 9, 2]), min('b', 'a')", "Out[0]: (1, 9, 'a')\n");
    OUT("type(1), type('a'), type(None)", "Out[0]: ('int', 'str', 'NoneType')\n");
    ERR("int('x')", "ValueError", "invalid literal for int() with base 10: 'x'");
    ERR("float('abc')", "ValueError", "could not convert string to float: 'abc'");
    ERR("len(5)", "TypeError", "object of type 'int' has no len()");
    ERR("max([])", "ValueError", "max() arg is an empty sequence");
    ERR("print(1, foo=2)", "TypeError", "print() got an unexpected keyword argument 'foo'");
}

static void test_errors(void)
{
    ERR("undefined_name + 1", "NameError", "name 'undefined_name' is not defined");
    CHECK(lasterr.at.line == 1 && lasterr.at.col == 1);
    ERR("1 / 0", "ZeroDivisionError", "division by zero");
    /* Python ints are 64-bit here: overflow is an error, not a wrapped number */
    ERR("10**100", "OverflowError",
        "integer result too large: parc integers are 64-bit (use a float, as in 10.0**100)");
    ERR("2**62 * 4", "OverflowError",
        "integer result too large: parc integers are 64-bit (use a float, as in 10.0**100)");
    ERR("1 << 63", "OverflowError",
        "integer result too large: parc integers are 64-bit (use a float, as in 10.0**100)");
    ERR("'a' * 'b'", "TypeError", "can't multiply sequence by non-int of type 'str'");
    ERR("1 + 'a'", "TypeError", "unsupported operand type(s) for +: 'int' and 'str'");
    ERR("(1, 2)[5]", "IndexError", "tuple index out of range");
    ERR("[1][3]", "IndexError", "list index out of range");
    ERR("x = 5\nx()", "TypeError", "'int' object is not callable");
    ERR("a, b, c = 1, 2", "ValueError", "not enough values to unpack (expected 3, got 2)");
    ERR("a, b = 1, 2, 3", "ValueError", "too many values to unpack (expected 2)");
    ERR("1 < 'a'", "TypeError", "'<' not supported between instances of 'int' and 'str'");
    ERR("-'a'", "TypeError", "bad operand type for unary -: 'str'");
    ERR("(1, 2)[0] = 3", "TypeError", "'tuple' object does not support item assignment");
    /* A failed statement binds nothing. */
    OUT("keep = 1", "");
    ERR("keep = 1 / 0", "ZeroDivisionError", "division by zero");
    OUT("keep", "Out[0]: 1\n");
    ERR("keep, other = 5, 1 / 0", "ZeroDivisionError", "division by zero");
    ERR("keep, other = 5, 6, 7", "ValueError", "too many values to unpack (expected 2)");
    OUT("keep", "Out[0]: 1\n");
    /* Statements before the failing one keep their effect. */
    ERR("before = 2\nboom = nothing\nafter = 3", "NameError", "name 'nothing' is not defined");
    CHECK(lasterr.at.line == 2 && lasterr.at.col == 8);
    OUT("before", "Out[0]: 2\n");
    ERR("after", "NameError", "name 'after' is not defined");
}

static void test_control(void)
{
    OUT("t = 0\nfor i in range(5):\n    t += i\nt", "Out[0]: 10\n");
    OUT("for c in 'ab':\n    print(c)", "a\nb\n");
    OUT("for a, b in [(1, 2), (3, 4)]:\n    print(a + b)", "3\n7\n");
    OUT("i = 0\nwhile i < 10:\n    i += 3\nelse:\n    print('done', i)", "done 12\n");
    OUT("for i in range(10):\n    if i == 3:\n        break\nelse:\n    print('no')\ni",
        "Out[0]: 3\n");
    OUT("n = 0\nfor i in range(6):\n    if i % 2:\n        continue\n    n += 1\nn", "Out[0]: 3\n");
    OUT("x = 5\nif x < 3:\n    y = 'a'\nelif x < 6:\n    y = 'b'\nelse:\n    y = 'c'\ny",
        "Out[0]: 'b'\n");
    OUT("l = [1, 2, 3]\nl[1] = 20\nl[-1] += 5\nl", "Out[0]: [1, 20, 8]\n");
    OUT("del l[0]\nl", "Out[0]: [20, 8]\n");
    OUT("del l\n'l' in 'x'", "Out[0]: False\n");
    ERR("l", "NameError", "name 'l' is not defined");
    OUT("a, (b, c) = 1, (2, 3)\na + b + c", "Out[0]: 6\n");
    OUT("p = q = 4\np + q", "Out[0]: 8\n");
}

static void test_functions(void)
{
    OUT("def f(a, b=2):\n    return a * b\nf(3), f(3, 4), f(b=5, a=1)", "Out[0]: (6, 12, 5)\n");
    OUT("def fact(n):\n    if n <= 1:\n        return 1\n    return n * fact(n - 1)\nfact(20)",
        "Out[0]: 2432902008176640000\n");
    OUT("g = lambda x, y=1: x + y\ng(1), g(1, 2)", "Out[0]: (2, 3)\n");
    OUT("def noret():\n    pass\nnoret()", "");
    OUT("counter = 0\ndef bump():\n    global counter\n    counter += 1\nbump()\nbump()\ncounter",
        "Out[0]: 2\n");
    OUT("def loc():\n    counter = 100\n    return counter\nloc(), counter", "Out[0]: (100, 2)\n");
    OUT("def outer(k):\n    return lambda v: v * k\nouter(3)(5)", "Out[0]: 15\n");
    OUT("f", "Out[0]: <function f>\n");
    ERR("f()", "TypeError", "f() missing 1 required positional argument: 'a'");
    ERR("f(1, 2, 3)", "TypeError", "f() takes from 1 to 2 positional arguments but 3 were given");
    ERR("f(1, c=3)", "TypeError", "f() got an unexpected keyword argument 'c'");
    ERR("f(1, a=3)", "TypeError", "f() got multiple values for argument 'a'");
    ERR("def two(a, b):\n    return a\ntwo()", "TypeError",
        "two() missing 2 required positional arguments: 'a' and 'b'");
    ERR("def r(n):\n    return r(n + 1)\nr(0)", "RecursionError",
        "maximum recursion depth exceeded");
    /* The call chain: the cell's call site, then the place inside the function. */
    ERR("def inner(x):\n    return x / 0\ndef outer2(x):\n    return inner(x)\nouter2(1)",
        "ZeroDivisionError", "division by zero");
    CHECK(nframes == 3);
    if (nframes == 3) {
        CHECK_STR(frames[0].fn, "");
        CHECK(frames[0].at.line == 5);
        CHECK_STR(frames[1].fn, "outer2");
        CHECK(frames[1].at.line == 4);
        CHECK_STR(frames[2].fn, "inner");
        CHECK(frames[2].at.line == 2 && frames[2].at.col == 12);
    }
    ERR("def unb():\n    print(zz)\n    zz = 1\nunb()", "NameError",
        "cannot access local variable 'zz' where it is not associated with a value");
}

static void test_arrays(void)
{
    OUT("x = arange(10)\nx.shape, x.ndim, x.size, x.dtype",
        "Out[0]: ((10,), 1, 10, dtype('int64'))\n");
    OUT("x.sum()", "Out[0]: 45\n");
    OUT("sum(x * 2 + 1)", "Out[0]: 100\n");
    OUT("a = ones((6, 4))\na.sum(), a.shape[0]", "Out[0]: (24.0, 6)\n");
    OUT("mean(arange(5))", "Out[0]: 2.0\n");
    OUT("count_nonzero(arange(10) > 4)", "Out[0]: 5\n");
    OUT("min(arange(5) - 3), max(arange(5))", "Out[0]: (-3, 4)\n");
    OUT("z = zeros(4, dtype=int32)\nz.dtype", "Out[0]: dtype('int32')\n");
    OUT("y = linspace(0, 1, 5)\ny.sum()", "Out[0]: 2.5\n");
    OUT("random.seed(1)\nr = random.rand(1000)\n0 <= r.min() and r.max() < 1", "Out[0]: True\n");
    OUT("random.seed(5)\nr1 = random.rand(100).sum()\nrandom.seed(5)\nr1 == random.rand(100).sum()",
        "Out[0]: True\n");
    OUT("w = arange(6)\nw += 1\nw.sum()", "Out[0]: 21\n");
    OUT("w[0], w[-1]", "Out[0]: (1, 6)\n");
    OUT("sqrt(16.0) + exp(0) + log(1) + sin(0) + cos(0)", "Out[0]: 6.0\n");
    OUT("hypot(arange(3), 0).sum()", "Out[0]: 3.0\n");
    OUT("abs(arange(5) - 2).sum()", "Out[0]: 6\n");
    ERR("ones(3).foo", "AttributeError", "'ndarray' object has no attribute 'foo'");
    ERR("zeros(3, colour=1)", "TypeError", "zeros() got an unexpected keyword argument 'colour'");
}

/* A length-1 operand next to a distributed one: every engine reads its only element
 * (issue 16, cause 1). In debug builds new chunks are poisoned, so reading past that
 * element gives nan here instead of passing by luck. */
static void test_broadcast_one(void)
{
    OUT("b = ones(3)\n(b + ones(1)).sum()", "Out[0]: 6.0\n");
    OUT("b = ones(2)\n(b * arange(1, 2)).sum()", "Out[0]: 2.0\n");
    OUT("b = linspace(1.0, 0, 2)\na = b[::2]\nb += a\nb.sum()", "Out[0]: 3.0\n");
    OUT("b = ones((5, 2))\n(b - ones((1, 2))).sum() + (b < ones(1)).sum()", "Out[0]: 0.0\n");
    OUT("(ones(7, dtype=complex128) * array([2j])).sum()", "Out[0]: 14j\n");
    OUT("(arange(5) ^ array([True])).sum(), (arange(5) ** ones(1, dtype=int32)).sum()",
        "Out[0]: (11, 10)\n");
}

/* Shifted views (issue 13): halos from the neighbours, and in-place updates that read the
 * old values through a ring of pending blocks (several blocks per engine here). */
static void test_stencil(void)
{
    OUT("u = arange(10000.0) ** 2\nfor i in range(3):\n    u[1:-1] = 0.5 * (u[2:] + u[:-2])\n"
        "u.sum(), u[4095], u[4098]",
        "Out[0]: (333283364991.5, 16769028.0, 16793607.0)\n");
    OUT("u = arange(10000.0)\nu[3000:] = u[:7000] + 1\nu.sum()", "Out[0]: 29002000.0\n");
    OUT("z = ones((30, 40), dist=('b', 'b')) * arange(40.0) ** 2 + arange(30.0)[:, newaxis] * 3\n"
        "(z[2:, 1:-1] + z[:-2, 1:-1] + z[1:-1, 2:] + z[1:-1, :-2] - 4 * z[1:-1, 1:-1]).sum()",
        "Out[0]: 2128.0\n");
    OUT("z[1:-1, 1:-1] = 0.25 * (z[2:, 1:-1] + z[:-2, 1:-1] + z[1:-1, 2:] + z[1:-1, :-2])\n"
        "z.sum(), z[5, 7]",
        "Out[0]: (668932.0, 64.5)\n");
    OUT("diff(arange(10.0) ** 2, 2).sum(), cumsum(arange(1000.0) * 0.1)[-1], "
        "convolve2d(ones((6, 7)), ones((3, 3)), 'same').sum()",
        "Out[0]: (16.0, 49950.0, 304.0)\n");
    OUT("gradient(arange(10.0) ** 2).sum(), roll(arange(10), 3)[0], cumsum(arange(1000))[-1], "
        "cumprod(arange(1, 15))[-1]",
        "Out[0]: (90.0, 7, 499500, 87178291200)\n");
    OUT("convolve(arange(100.0), array([1.0, -2.0, 1.0]), 'valid').sum(), "
        "gradient(ones((5, 6), dist=('b', 'b')) * arange(6.0) ** 2)[1].sum()",
        "Out[0]: (0.0, 150.0)\n");
}

static void test_local_view(void)
{
    char want[256];
    lout("rank, nranks", "Out[%d]: (%d, %d)\n", rt.rank, rt.rank, rt.nranks);
    lout("print(rank)", "%d\n", rt.rank);
    lout("mine = rank * 10\nmine", "Out[%d]: %d\n", rt.rank, rt.rank * 10);
    lout("allreduce(rank + 1)", "Out[%d]: %d\n", rt.rank, rt.nranks * (rt.nranks + 1) / 2);
    lout("allreduce(rank, op='max')", "Out[%d]: %d\n", rt.rank, rt.nranks - 1);
    lout("bcast(rank + 7, root=0)", "Out[%d]: 7\n", rt.rank);
    lout("bcast(('t', [rank, 2.5]), root=nranks - 1)", "Out[%d]: ('t', [%d, 2.5])\n", rt.rank,
         rt.nranks - 1);
    int tri = rt.nranks * (rt.nranks + 1) / 2;
    lout("allreduce(ones(3) * (rank + 1))", "Out[%d]: array([%d., %d., %d.])\n", rt.rank, tri, tri,
         tri);
    if (rt.rank == 0)
        lout("if rank == 0:\n    for r in range(1, nranks):\n        send(r * 3, r)\nelse:\n"
             "    print(recv(0))",
             "%s", "");
    else
        lout("if rank == 0:\n    for r in range(1, nranks):\n        send(r * 3, r)\nelse:\n"
             "    print(recv(0))",
             "%d\n", rt.rank * 3);
    OUT("g = 4", "");
    lout("g + rank", "Out[%d]: %d\n", rt.rank, 4 + rt.rank);
    /* Back in global view, a per-engine value shows every engine's value. */
    size_t n = 0;
    n += (size_t)snprintf(want + n, sizeof want - n, "Out[0]: [");
    for (int r = 0; r < rt.nranks; r++)
        n += (size_t)snprintf(want + n, sizeof want - n, "%s%d", r ? ", " : "", r * 10);
    snprintf(want + n, sizeof want - n, "]\n");
    OUT("mine", want);
    ERR("mine + 1", "TypeError",
        "a per-engine value (defined in local view) can only be used in %px, or gathered with "
        "from_local()");
    ERR("allreduce(1)", "RuntimeError", "allreduce is for local view (%px)");
    OUT("big = arange(9)", "");
    lout("big.shape == (9,)", "Out[%d]: %s\n", rt.rank, rt.nranks == 1 ? "True" : "False");
}

/* Reads eval_names' records and returns the summary and kind of one name ("" if absent). */
static int name_info(const char *name, char *kind, char *summary, char *shape, int *per)
{
    wbuf_t b;
    wbuf_init(&b);
    uint32_t n = eval_names(ev, &b);
    rbuf_t r;
    rbuf_init(&r, b.p, b.len);
    int found = 0;
    for (uint32_t i = 0; i < n && !r.bad; i++) {
        size_t ln[8];
        const char *f[8];
        for (int k = 0; k < 5; k++)
            f[k] = rbuf_str(&r, &ln[k]);
        rbuf_u64(&r);
        int pe = rbuf_u8(&r);
        f[5] = rbuf_str(&r, &ln[5]);
        if (ln[0] == strlen(name) && memcmp(f[0], name, ln[0]) == 0) {
            snprintf(kind, 32, "%.*s", (int)ln[1], f[1]);
            snprintf(shape, 64, "%.*s", (int)ln[3], f[3]);
            snprintf(summary, 128, "%.*s", (int)ln[5], f[5]);
            *per = pe;
            found = 1;
        }
    }
    CHECK(!r.bad && rbuf_left(&r) == 0);
    wbuf_free(&b);
    return found;
}

static void test_names(void)
{
    char kind[32], sum[128], shape[64];
    int per = -1;
    OUT("nm_i = 3\nnm_s = 'text'\ndef nm_f(a, b=2):\n    return a\nnm_a = zeros((5, 2))", "");
    CHECK(name_info("nm_i", kind, sum, shape, &per));
    CHECK_STR(kind, "int");
    CHECK_STR(sum, "3");
    CHECK(per == 0);
    CHECK(name_info("nm_s", kind, sum, shape, &per));
    CHECK_STR(sum, "'text'");
    CHECK(name_info("nm_f", kind, sum, shape, &per));
    CHECK_STR(kind, "function");
    CHECK_STR(sum, "nm_f(a, b=2)");
    CHECK(name_info("nm_a", kind, sum, shape, &per));
    CHECK_STR(kind, "ndarray");
    CHECK_STR(shape, "(5, 2)");
    lout("nm_p = rank", "%s", "");
    CHECK(name_info("nm_p", kind, sum, shape, &per));
    CHECK(per == 1);
    OUT("del nm_i, nm_s, nm_f, nm_a, nm_p", "");
    CHECK(!name_info("nm_i", kind, sum, shape, &per));
}

static void test_attrs(void)
{
    char want[512];
    size_t n = (size_t)snprintf(want, sizeof want, "Out[0]: [");
    for (int r = 0; r < rt.nranks; r++) {
        int64_t rows = 10 / rt.nranks + (r < 10 % rt.nranks);
        n += (size_t)snprintf(want + n, sizeof want - n, "%s(%lld, 3)", r ? ", " : "",
                              (long long)rows);
    }
    snprintf(want + n, sizeof want - n, "]\n");
    OUT("m = ones((10, 3))\nm.localshapes", want);
    OUT("m.dist, zeros((2, 3), dist=('b', 'n')).dist, arange(3).dist",
        "Out[0]: (('b', 'n'), ('b', 'n'), ('b',))\n");
    OUT("ones(4, dtype=float32).dtype, full(3, 7).dtype", "Out[0]: (dtype('float32'), "
                                                          "dtype('int64'))\n");
    /* The *_like creators keep the input's layout, uneven slice bounds included. */
    OUT("s = arange(10)[3:]\nzeros_like(s).localshapes == s.localshapes, "
        "full_like(s, 2.5, dtype=float32).localshapes == s.localshapes",
        "Out[0]: (True, True)\n");
    lout("zl = ones_like(arange(4) + rank)\nzl.shape, zl.sum()", "Out[%d]: ((4,), 4)\n", rt.rank);
    OUT("float32(0.1)", "Out[0]: 0.1\n");
    OUT("random.seed(3)\nv = random.random()\n0 <= v < 1", "Out[0]: True\n");
    lout("loc = arange(3) + rank\nloc.shape", "Out[%d]: (3,)\n", rt.rank);
    snprintf(want, sizeof want, "Out[0]: ((%d,), %d)\n", 3 * rt.nranks,
             3 * rt.nranks * (rt.nranks - 1) / 2 + 3 * rt.nranks);
    OUT("glob = from_local(loc)\nglob.shape, glob.sum()", want);
}

static void test_interrupt(void)
{
    atomic_store(&intr, 1);
    ERR("while True:\n    pass", "KeyboardInterrupt", "interrupted");
    CHECK(lasterr.at.line == 1);
    ERR("def spin(n):\n    return spin(n)\nspin(1)", "KeyboardInterrupt", "interrupted");
    atomic_store(&intr, 0);
    OUT("'alive'", "Out[0]: 'alive'\n");
}

static void test_display(void)
{
    char want[1024];
    snprintf(want, sizeof want,
             "Out[0]: DistArray(shape=(4,), dtype=int64, dist=('b',), engines=%d)\narray([0, 1, 2, "
             "3])\n",
             rt.nranks);
    OUT("arange(4)", want);
    OUT("print(arange(3) * 2)", "[0 2 4]\n");
    OUT("print('x', ones(2))", "x [1. 1.]\n");
    OUT("ds = arange(10)\nview = ds[2:5]\nview[:] = 0\nds.sum(), view.shape",
        "Out[0]: (36, (3,))\n");
    OUT("ds[1] = 100\nds[1], ds[-1]", "Out[0]: (100, 9)\n");
    OUT("t2 = ones((3, 4))\nt2[1, 2] = 5\nt2.sum(), t2[1].sum(), t2[:, 2].sum()",
        "Out[0]: (16.0, 8.0, 7.0)\n");
    OUT("tot = 0\nfor v in arange(4):\n    tot += v\ntot", "Out[0]: 6\n");
    OUT("fa, fb = arange(2)\nfa + fb", "Out[0]: 1\n");
    lout("pe = arange(2) + rank\npe", "Out[%d]: array([%d, %d])\n", rt.rank, rt.rank, rt.rank + 1);
    size_t n = (size_t)snprintf(want, sizeof want, "Out[0]: [");
    for (int r = 0; r < rt.nranks; r++)
        n += (size_t)snprintf(want + n, sizeof want - n, "%sarray([%d, %d])", r ? ", " : "", r,
                              r + 1);
    snprintf(want + n, sizeof want - n, "]\n");
    OUT("pe", want);
    ERR("arange(3) + arange(4)", "ValueError",
        "operands could not be broadcast together with shapes (3,) (4,)");
}

/* Linear algebra through the interpreter, so the sanitized build runs it: the rows and
 * PBLAS products, the vector dot, and every solver on a grid of the ranks, checked by
 * their defining identities (tests/diff/linalg.txt compares the values with NumPy). */
static void test_linalg(void)
{
    const char *dists[][2] = {{"", ""},
                              {", dist=('b', 'b')", ", dist=('c', 'c'), block_size=2"},
                              {", dtype=int64, dist=('c', 'n')", ", dtype=int64"}};
    for (size_t i = 0; i < sizeof dists / sizeof dists[0]; i++) {
        char src[512];
        snprintf(src, sizeof src,
                 "a = fromfunction(lambda i, j: i - 2 * j, (7, 5)%s)\n"
                 "b = fromfunction(lambda i, j: i + j + 1, (5, 6)%s)\n"
                 "c = a @ b\nc.sum(), c[3, 4], c.shape\n",
                 dists[i][0], dists[i][1]);
        OUT(src, i == 2 ? "Out[0]: (-1995, -55, (7, 6))\n" : "Out[0]: (-1995.0, -55.0, (7, 6))\n");
    }
    OUT("x = arange(10.0, dist='c')\ndot(x, x), vdot(x, x), inner(x, x), x @ x",
        "Out[0]: (285.0, 285.0, 285.0, 285.0)\n");
    OUT("trace(ones((4, 3))), linalg.norm(array([3.0, 4.0])), linalg.norm(ones((2, 2)), 1)",
        "Out[0]: (3.0, 5.0, 2.0)\n");
    OUT("m = fromfunction(lambda i, j: 1 / (i + j + 1) + 3 * (i == j), (6, 6), "
        "dist=('b', 'b'))\n"
        "v = ones(6)\n"
        "L = linalg.cholesky(m)\nq, r = linalg.qr(m)\nu, s, vh = linalg.svd(m)\n"
        "w, z = linalg.eigh(m)\nx, res, rk, sv = linalg.lstsq(m, v)\n"
        "(allclose(m @ linalg.inv(m), eye(6)), allclose(m @ linalg.solve(m, v), v),\n"
        " allclose(L @ L.T, m), allclose(q @ r, m), allclose((u * s) @ vh, m),\n"
        " allclose((z * w) @ z.T, m), allclose(x, linalg.solve(m, v)), rk,\n"
        " allclose(sv, s), allclose(linalg.det(m), 1219.9225469269354))",
        "Out[0]: (True, True, True, True, True, True, True, 6, True, True)\n");
    ERR("linalg.inv(ones((3, 3), dist=('b', 'b')))", "LinAlgError", "Singular matrix");
    ERR("linalg.cholesky(-eye(3))", "LinAlgError", "Matrix is not positive definite");
    ERR("ones(3) @ ones(4)", "ValueError",
        "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
        "signature (n?,k),(k,m?)->(n?,m?) (size 4 is different from 3)");
    const char *det[] = {"7.999999999999998", "27.0", "63.99999999999998"};
    lout("m = eye(3) * (rank + 2)\nprint(linalg.det(m), (m @ ones(3)).sum())", "%s %d.0\n",
         det[rt.rank % 3], 3 * (rt.rank + 2));
}

int main(int argc, char **argv)
{
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) return 1;
    if (rt_init(&rt, 0, &intr) != 0) MPI_Abort(MPI_COMM_WORLD, 1);
    rt.mem_avail = (size_t)1 << 32;
    ev = eval_new(&rt);
    CHECK(ev != NULL);
    if (ev) {
        test_basics();
        test_builtins();
        test_errors();
        test_control();
        test_functions();
        test_arrays();
        test_broadcast_one();
        test_stencil();
        test_local_view();
        test_names();
        test_attrs();
        test_interrupt();
        test_display();
        test_linalg();
    }
    eval_destroy(&ev);
    rt_fini(&rt);
    int rc = check_mpi_done();
    MPI_Finalize();
    return rc;
}
