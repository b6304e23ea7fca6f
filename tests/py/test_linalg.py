"""Linear algebra beyond the differential tables (tests/diff/linalg.txt compares with NumPy):

- the vector dot, vdot, the 2-norm and trace give the same bits on 1, 2, 3 and 4 engines
  and under every distribution (sum()'s fixed order), for operands whose products and sums
  round (parc's random values, lengths that split unevenly);
- the PBLAS and rows ways agree with NumPy on a matrix large enough to need several
  blocks per engine (PBLAS forced with PARC_GATHER_MAX=0, where the rows way would move
  fewer bytes), and the solve of a larger system has a small residual;
- in local view (%px) each engine's products and solvers work on its own matrices;
- the Artima seed's example runs as written.

    /usr/bin/python3 tests/py/test_linalg.py
"""
import re

import numpy

import numpydiff
import parcenv

SAME_BITS = [
    "random.seed(21); x = random.rand(100003); y = random.rand(100003); dot(x, y)",
    "random.seed(21); x = random.rand(100003); y = random.rand(100003, dist='c'); x @ y",
    "random.seed(22); x = random.rand(5001, dtype=float32); float(dot(x, x + 1))",
    "random.seed(23); x = random.rand(777) + 1j * random.rand(777); vdot(x, x * 2 - 1j)",
    "random.seed(24); x = random.randn(10007, dist='c', block_size=3); linalg.norm(x)",
    "random.seed(25); z = random.rand(301, 203, dist=('b', 'b')); linalg.norm(z)",
    "random.seed(25); z = random.rand(301, 203, dist=('c', 'c')); linalg.norm(z, 'fro')",
    "random.seed(26); z = random.rand(211, 211, dist=('b', 'c')); trace(z)",
]


def same_bits(c):
    numpydiff.same_everywhere(c.check, SAME_BITS, (1, 2, 3, 4), 120, "same bits on 1-4 engines")


def value(r):
    kind, v = numpydiff.parse_parc(r.text)
    return v


def larger(c, kc, way="rows"):
    """Products and a solve on 3 engines with several blocks of 64 per engine (way: which
    way the products of the non-row layouts take, for the messages)."""
    n, m, k = 300, 257, 190
    i, j = numpy.indices((n, k))
    a = 1 / (i + 2 * j + 1.0)
    i, j = numpy.indices((k, m))
    b = (i - j) / 7.0
    want = a @ b
    src = ("a = fromfunction(lambda i, j: 1 / (i + 2 * j + 1.0), (%d, %d), dist=%s)\n"
           "b = fromfunction(lambda i, j: (i - j) / 7.0, (%d, %d), dist=%s)\n")
    for da, db in (("('b', 'n')", "('b', 'n')"), ("('b', 'b')", "('c', 'c')"),
                   ("('c', 'n')", "('b', 'b')"), ("('c', 'c')", "('b', 'n')")):
        path = "%s x %s (%s)" % (da, db, way)
        r = parcenv.run(kc, src % (n, k, da, k, m, db) + "a @ b", timeout=120)
        c.check(not r.errors, "%s product: %s" % (path, r.traceback()))
        if not r.errors:
            got = value(r)
            err = numpy.max(numpy.abs(got - want)) / numpy.max(numpy.abs(want))
            c.check(got.shape == want.shape and err < 1e-14,
                    "%s product of (%d, %d) and (%d, %d): relative error %g" % (path, n, k, k, m,
                                                                               err))
    r = parcenv.run(kc, "a = fromfunction(lambda i, j: 1 / (i + 2 * j + 1) + 4 * (i == j), "
                        "(400, 400), dist=('b', 'b'))\n"
                        "b = fromfunction(lambda i: 1 / (i + 1), (400,))\n"
                        "linalg.norm(a @ linalg.solve(a, b) - b) / linalg.norm(b)", timeout=120)
    c.check(not r.errors and value(r) < 1e-14, "residual of a 400 x 400 solve: %s %s" % (
        r.text, r.traceback()))


def local_view(c, kc):
    r = parcenv.run(kc, "%%px\n"
                        "m = fromfunction(lambda i, j: 1 / (i + j + 1) + (rank + 2) * (i == j), (4, 4))\n"
                        "v = arange(4.0) + rank\n"
                        "print(rank, m @ v, linalg.solve(m, v), linalg.det(m), trace(m), "
                        "linalg.norm(v), allclose(linalg.inv(m) @ m, eye(4)))", timeout=60)
    c.check(not r.errors, "%%px linalg: %s" % r.traceback())
    for rank in (0, 1):
        i, j = numpy.indices((4, 4))
        m = 1 / (i + j + 1) + (rank + 2) * (i == j)
        v = numpy.arange(4.0) + rank
        tag = "[stdout:%d] " % rank
        line = [" ".join(l[len(tag):] for l in r.stdout.splitlines() if l.startswith(tag))]
        c.check(line[0].startswith("%d " % rank), "%%px: engine %d prints in %r" % (rank,
                                                                                 r.stdout))
        nums = [float(x) for x in re.findall(r"-?\d+\.\d*(?:e[-+]\d+)?", line[0])]
        want = list(m @ v) + list(numpy.linalg.solve(m, v)) + [numpy.linalg.det(m),
                                                                numpy.trace(m),
                                                                numpy.linalg.norm(v)]
        c.check(len(nums) == len(want) and numpy.allclose(nums, want, rtol=1e-7) and
                line[0].endswith("True"), "%%px engine %d: %r, want %r" % (rank, line[0], want))


def artima(c, kc):
    r = parcenv.run(kc, "A = array([[1,2,4],[2,5,3],[7,8,9]])\nlinalg.inv(A)")
    A = numpy.array([[1, 2, 4], [2, 5, 3], [7, 8, 9]])
    c.check(not r.errors and numpy.allclose(value(r), numpy.linalg.inv(A), rtol=1e-13),
            "Artima: linalg.inv(A): %s %s" % (r.text, r.traceback()))
    r = parcenv.run(kc, "A @ linalg.inv(A)")
    c.check(not r.errors and numpy.allclose(value(r), numpy.eye(3), atol=1e-13),
            "Artima: A @ linalg.inv(A) close to eye(3): %s %s" % (r.text, r.traceback()))


def main():
    c = parcenv.Checker("linalg")
    same_bits(c)
    # PARC_GATHER_MAX=0: no right operand is gathered, every float product takes PBLAS
    for n, env, tests in ((3, None, (larger, artima)),
                          (3, {"PARC_GATHER_MAX": "0"}, (lambda c, kc: larger(c, kc, "PBLAS"),)),
                          (2, None, (local_view,))):
        km, kc = parcenv.start(engines=n, env=env)
        try:
            parcenv.run(kc, numpydiff.PRINTOPTIONS)
            for t in tests:
                t(c, kc)
        finally:
            parcenv.stop(km, kc)
    c.done()


if __name__ == "__main__":
    main()
