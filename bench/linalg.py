"""Linear algebra speed (issue 10): parc on 2 engines against NumPy's OpenBLAS/LAPACK with 2
threads in one process (OPENBLAS_NUM_THREADS=2), in one run. Rows (n = 4096 unless given):
  dgemm_rows   c = a @ b, a and b in the default rows: b gathered on each engine, one local
               DGEMM per engine on its own rows
  dgemm_pblas  the same with a and b on a 2-d grid (dist=('b', 'b')): ScaLAPACK's pdgemm on
               the block-cyclic copies, the product moved back to the rows
  solve        x = linalg.solve(a, v), a n x n, v of n (ScaLAPACK's pdgesv; NumPy's LAPACK
               dgesv)
Times are the best of R runs, seconds, from the client (execute_request to idle, parc's
~1 ms round trip included) for parc, perf_counter around the statement for NumPy. Both
sides see the same OPENBLAS_CORETYPE, as it is set here (printed); parc's engines run
OpenBLAS on one thread each. "ratio" is NumPy's time over parc's (above 1: parc faster).
  OPENBLAS_CORETYPE=Haswell /usr/bin/python3 bench/linalg.py [n] [R]
(PARC_BUILD selects the build.)
"""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "py"))
import parcenv  # noqa: E402

parcenv.bench_deps()

n = int(sys.argv[1]) if len(sys.argv) > 1 else 4096
R = int(sys.argv[2]) if len(sys.argv) > 2 else 3

# (name, parc setup, parc timed cell, flops)
ROWS = [
    ("dgemm_rows", "a = random.rand(n, n)\nb = random.rand(n, n)", "c = a @ b", 2.0 * n**3),
    ("dgemm_pblas", "del c\na = random.rand(n, n, dist=('b', 'b'))\n"
     "b = random.rand(n, n, dist=('b', 'b'))", "c = a @ b", 2.0 * n**3),
    ("solve", "del c, b\na = random.rand(n, n)\nv = random.rand(n)", "x = linalg.solve(a, v)",
     2.0 / 3 * n**3),
]

NUMPY_SRC = r"""
import sys, time
import numpy as np
n, R = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(1)
a = rng.random((n, n)); b = rng.random((n, n)); v = rng.random(n)
def best(f):
    t = 1e30
    for _ in range(R):
        s = time.perf_counter(); f(); t = min(t, time.perf_counter() - s)
    return t
out = {"dgemm_rows": best(lambda: a @ b)}
out["dgemm_pblas"] = out["dgemm_rows"]
out["solve"] = best(lambda: np.linalg.solve(a, v))
print(repr(out))
"""


def numpy_times():
    env = dict(os.environ, OPENBLAS_NUM_THREADS="2")
    out = subprocess.run(["/usr/bin/python3", "-c", NUMPY_SRC, str(n), str(R)], env=env,
                         capture_output=True, text=True, timeout=3600)
    if out.returncode:
        raise RuntimeError(out.stderr)
    return eval(out.stdout.strip().splitlines()[-1])


def cell_time(kc, stmt):
    """Seconds from execute_request to idle of one cell that must not fail."""
    t = time.perf_counter()
    r = parcenv.run(kc, stmt, timeout=3600)
    assert not r.errors, r.traceback()
    return time.perf_counter() - t


def parc_times():
    km, kc = parcenv.start(engines=2)
    out = {}
    try:
        parcenv.run(kc, "n = %d\nrandom.seed(1)" % n)
        for name, setup, stmt, _ in ROWS:
            r = parcenv.run(kc, setup, timeout=3600)
            assert not r.errors, r.traceback()
            out[name] = min(cell_time(kc, stmt) for _ in range(R))
        # the answers are checked, not only timed
        r = parcenv.run(kc, "linalg.norm(a @ x - v) / linalg.norm(v)", timeout=3600)
        assert not r.errors and float(r.text) < 1e-8, (r.text, r.traceback())
    finally:
        parcenv.stop(km, kc)
    return out


def main():
    core = os.environ.get("OPENBLAS_CORETYPE", "(unset)")
    load = open("/proc/loadavg").read().split()[:3]
    parc = parc_times()
    npy = numpy_times()
    print("n=%d, best of %d, OPENBLAS_CORETYPE=%s, load average before: %s, after: %s"
          % (n, R, core, " ".join(load), " ".join(open("/proc/loadavg").read().split()[:3])))
    print("| row | parc, 2 engines (s) | GFLOP/s | NumPy, 2 threads (s) | GFLOP/s | ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, _, _, flops in ROWS:
        print("| %s | %.3f | %.1f | %.3f | %.1f | %.2f |" % (
            name, parc[name], flops / parc[name] / 1e9, npy[name], flops / npy[name] / 1e9,
            npy[name] / parc[name]))


if __name__ == "__main__":
    main()
