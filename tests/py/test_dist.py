"""Distributions through the kernel (issue 7) on 1, 2, 3 and 4 engines: random arrays and
float reductions print the same text under every distribution and engine count (the
reproducibility docs/architecture.md describes under "Random numbers" and "Reproducible
reductions"); x.dist, x.localshapes and x.grid_shape report the layout and the text/html repr
shows who owns what; x.global_index in local view gives each engine's global indices; bad
layouts are refused with the same error on every engine. Values against NumPy are in
tests/diff/dist.txt."""
import re

import numpydiff
import parcenv

c = parcenv.Checker("dist")

# (1-d keywords, 2-d keywords) of every layout the values must not depend on
LAYOUTS = [(k1, k2) for _, k1, k2 in numpydiff.DISTS] + [
    ("dist='c', block_size=5", "dist=('c', 'b'), block_size=3"),
]


def kw(k):
    return (", " + k) if k else ""


PROGRAMS = [
    "random.seed(11); x = random.rand(9, 7{2}); x",
    "random.seed(11); random.rand(3); x = random.randn(9, 7{2}); x",
    "random.seed(5); x = random.rand(23{1}); x",
    "random.seed(5); x = random.uniform(-1.0, 2.0, (9, 7){2}); x",
    "random.seed(5); x = random.randint(0, 100, (9, 7){2}); x",
    "random.seed(5); x = random.normal(1.0, 2.0, 23{1}); x",
    "random.seed(5); x = random.randn(23{1}); (x.sum(), x.mean(), x.std(), (x * x).sum())",
    "random.seed(5); x = random.rand(9, 7{2}); (x.sum(), x.var(), x.min())",
    "random.seed(5); x = random.rand(9, 7{2}); x.sum(axis=0)",
    "random.seed(5); x = random.rand(9, 7{2}); x.sum(axis=1)",
    "random.seed(5); x = random.rand(9, 7{2}); y = random.rand(9, 7); x * y + 1",
]


def body(text):
    """The repr without the DistArray header line (which names the layout)."""
    return re.sub(r"^DistArray\(.*\)\n", "", text or "")


def reproducible(kc, n, tag, seen):
    r = parcenv.run(kc, numpydiff.PRINTOPTIONS)
    c.check(not r.errors, tag + "printoptions")
    for p in PROGRAMS:
        for k1, k2 in LAYOUTS:
            src = p.replace("{1}", kw(k1)).replace("{2}", kw(k2))
            r = parcenv.run(kc, src)
            if not c.check(not r.errors, tag + src + ": " + r.traceback()):
                continue
            got = body(r.text)
            want = seen.setdefault(p, (got, src, n))
            c.check(got == want[0], "%s%s gives\n%s\nbut %s on %d engines gave\n%s" % (
                tag, src, got, want[1], want[2], want[0]))


def layout(kc, n, tag):
    def ev(src):
        r = parcenv.run(kc, src)
        c.check(not r.errors, tag + src + ": " + r.traceback())
        return r.text

    c.eq(ev("arange(10, dist='c').dist"), "('c',)", tag + "x.dist of 'c'")
    c.eq(ev("zeros((4, 6), dist=('b', 'b')).dist"), "('b', 'b')", tag + "x.dist of ('b', 'b')")
    c.eq(ev("zeros((4, 6)).dist"), "('b', 'n')", tag + "default x.dist")
    ext = [len(range(r, 10, n)) for r in range(n)]
    c.eq(ev("arange(10, dist='c').localshapes"), str([(e,) for e in ext]),
         tag + "localshapes of 'c'")
    grid = {1: (1, 1), 2: (2, 1), 3: (3, 1), 4: (2, 2)}[n]
    c.eq(ev("zeros((4, 6), dist=('b', 'b')).grid_shape"), str(grid), tag + "grid_shape chosen")
    c.eq(ev("zeros((4, 6), dist=('b', 'b'), grid_shape=(1, %d)).grid_shape" % n),
         "(1, %d)" % n, tag + "grid_shape given")
    c.eq(ev("zeros((4, 6), dist=('n', 'c')).grid_shape"), "(1, %d)" % n, tag + "('n', 'c')")
    c.eq(ev("eye(4, dist=('b', 'b'), grid_shape=(1, %d)).grid_shape" % n), "(1, %d)" % n,
         tag + "eye with grid_shape")
    c.eq(ev("random.uniform(0, 1, (4, 6), dist=('b', 'b'), grid_shape=(%d, 1)).grid_shape" % n),
         "(%d, 1)" % n, tag + "random.uniform with grid_shape")
    # 6 columns over n engines in blocks of 2
    r = parcenv.run(kc, "w = zeros((5, 6), dist=('n', 'c'), block_size=2)\n"
                        "%px print(rank, w.global_index)")
    c.check(not r.errors, tag + "global_index: " + r.traceback())
    for rank in range(n):
        cols = [g for g in range(6) if (g // 2) % n == rank]
        if not cols:
            want = "(range(0, 5), range(0, 0))"
        elif cols == list(range(cols[0], cols[-1] + 1)):
            want = "(range(0, 5), range(%d, %d))" % (cols[0], cols[-1] + 1)
        else:
            want = "(range(0, 5), array([%s]))" % ", ".join(map(str, cols))
        c.check("%d %s" % (rank, want) in r.stdout,
                "%sglobal_index of rank %d: want %s in %r" % (tag, rank, want, r.stdout))
    r = parcenv.run(kc, "x = arange(10, dist='c')\n%px print(rank, x.global_index)")
    for rank in range(n):
        want = "%d (range(%d, 10%s),)" % (rank, rank, ", %d" % n if n > 1 else "")
        c.check(want in r.stdout, "%sglobal_index of 'c': want %s in %r" % (tag, want, r.stdout))
    r = parcenv.run(kc, "arange(10).global_index")
    c.check(r.errors and r.errors[0]["ename"] == "AttributeError",
            tag + "global_index in global view is an AttributeError")
    if n > 1:
        r = parcenv.run(kc, "zeros((4, 6), dist=('b', 'b'), grid_shape=(%d, %d))" % (n, n))
        c.check(r.errors and "grid_shape does not fit" in r.errors[0]["evalue"],
                tag + "a grid that does not fit: " + str(r.errors))
        r = parcenv.run(kc, "zeros((4, 6), dist=('n', 'n'))")
        c.check(r.errors and r.errors[0]["ename"] == "ValueError",
                tag + "no distributed dimension: " + str(r.errors))
    r = parcenv.run(kc, "zeros((4, 6), dist=('n', 'b'), grid_shape=(2, 1))")
    c.check(r.errors and r.errors[0]["ename"] == "ValueError", tag + "engines on an 'n' axis")
    # the text/html repr: the text in <pre>, then who owns what
    r = parcenv.run(kc, "zeros((4, 6), dist=('b', 'c'))")
    html = [m["content"]["data"].get("text/html", "") for m in r.msgs
            if m["msg_type"] == "execute_result"]
    c.check(html and "<table>" in html[0], tag + "ownership table in text/html: %r" % html)
    g0 = {1: 1, 2: 2, 3: 3, 4: 2}[n]
    g1 = n // g0
    if html:
        h = html[0]
        c.check("on a %dx%d grid of %d engine" % (g0, g1, n) in h, tag + "grid caption: " + h)
        rows = h.count("<tr><td>")
        c.eq(rows, n, tag + "one row per engine")
        # engine 0 owns rows 0:(4 split over g0) and columns 0::g1
        r0 = len(range(0, 4, 1)) // g0 + (1 if 4 % g0 else 0)
        want = "<tr><td>0</td><td>(0, 0)</td><td>0:%d</td><td>%s</td>" % (
            r0, "0::%d" % g1 if g1 > 1 else "0:6")
        c.check(want in h, tag + "engine 0's row: want %s in %s" % (want, h))
        c.check(("<td>%d</td></tr>" % (r0 * len(range(0, 6, g1)) * 8)) in h,
                tag + "engine 0's bytes")
    r = parcenv.run(kc, "zeros(5, dist='x')")
    c.check(r.errors and r.errors[0]["ename"] == "ValueError", tag + "unknown kind")


def from_local_layouts(kc, n, tag):
    """from_local(c, dist=...) of every layout's chunks gives the array back, and chunks that
    a cyclic split cannot have are refused (ValueError on every engine)."""
    for _, k2 in LAYOUTS:
        src = ("x = array(arange(63).reshape(9, 7)%s)\n%%px lx = x * 1\n"
               "y = from_local(lx%s, grid_shape=x.grid_shape)\n"
               "(y == x).all(), y.dist == x.dist, y.localshapes == x.localshapes") % (
                   kw(k2) if k2 else "", kw(k2) if k2 else "")
        r = parcenv.run(kc, src)
        if c.check(not r.errors, tag + src + ": " + r.traceback()):
            c.eq(r.text, "(True, True, True)", tag + "from_local round trip of " + (k2 or "default"))
    r = parcenv.run(kc, "%px lc = arange(rank + 1)\nz = from_local(lc, dist='c')\nz")
    if n > 1:
        c.check(r.errors and r.errors[0]["ename"] == "ValueError"
                and "cyclic" in r.errors[0]["evalue"], tag + "a chunk no cyclic split has: "
                + str(r.errors))
    else:
        c.eq(r.text and r.text.splitlines()[-1], "array([0])", tag + "from_local 'c' on 1 engine")


seen = {}
for n in (1, 2, 3, 4):
    tag = "[%d engine%s] " % (n, "s" if n > 1 else "")
    km, kc = parcenv.start(engines=n)
    try:
        reproducible(kc, n, tag, seen)
        layout(kc, n, tag)
        from_local_layouts(kc, n, tag)
    finally:
        parcenv.stop(km, kc)
c.done()
