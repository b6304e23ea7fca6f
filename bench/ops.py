"""Elementwise speed: STREAM-like kernels and issue 8's rows, parc (2 engines) against NumPy
(this process, one core) on the same data sizes, in one run, with the memory-bandwidth bound.

Rows (N float64 elements; x, y uniform in [0, 1); b, c the same as x, y):
  copy    a = b.copy()                      16 N bytes moved (read b, write a)
  scale   a = 3.0 * b                       16 N
  add     a = b + c                         24 N
  triad   a = b + 3.0 * c                   24 N
  hypot   a = sqrt(x*x + y*y)               24 N
  where   s = where(x > 0.5, x, -x).sum()    8 N
  exp     s = exp(x).sum()                   8 N
  sincos  a = sin(x) ** 2 + cos(x) ** 2     16 N
Both sides run the statement as written (NumPy makes its temporaries, parc fuses the
expression into one pass). Times are the best of R runs in seconds: parc from the client,
execute_request to idle (its ~1 ms round trip included), after one untimed run and half
a second of rest (the engines' background compiles of the loops done), NumPy by perf_counter.
"bw" is the memory-bandwidth time of the row: its bytes / the machine's STREAM figure,
measured here as STREAM's add with NumPy's out= loop (no temporaries) in 2 processes at
once, each on half the data (the best of R); "parc/bw" near 1 means parc runs at memory
speed. Usage:
  /usr/bin/python3 bench/ops.py [N] [R]      (defaults 5*10**7 and 5; PARC_BUILD selects
                                              the build)
"""
import multiprocessing
import os
import sys
import time

import numpy

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "py"))
import parcenv  # noqa: E402

parcenv.bench_deps()

N = int(float(sys.argv[1])) if len(sys.argv) > 1 else 5 * 10**7
R = int(sys.argv[2]) if len(sys.argv) > 2 else 5

# (name, statement, bytes per element)
ROWS = [
    ("copy", "a = b.copy()", 16),
    ("scale", "a = 3.0 * b", 16),
    ("add", "a = b + c", 24),
    ("triad", "a = b + 3.0 * c", 24),
    ("hypot", "a = sqrt(x*x + y*y)", 24),
    ("where", "s = where(x > 0.5, x, -x).sum()", 8),
    ("exp", "s = exp(x).sum()", 8),
    ("sincos", "a = sin(x) ** 2 + cos(x) ** 2", 16),
]


def stream_worker(n, r, start, done, out):
    b = numpy.random.rand(n)
    c = numpy.random.rand(n)
    a = numpy.empty(n)
    numpy.add(b, c, out=a)  # touch a's pages first
    best = float("inf")
    for _ in range(r):
        start.wait()
        t = time.perf_counter()
        numpy.add(b, c, out=a)
        best = min(best, time.perf_counter() - t)
        done.wait()
    out.put(best)


def stream_gbs():
    """STREAM add over N elements on 2 processes at once: bytes/s."""
    start, done = multiprocessing.Barrier(2), multiprocessing.Barrier(2)
    out = multiprocessing.Queue()
    ps = [multiprocessing.Process(target=stream_worker, args=(N // 2, R, start, done, out))
          for _ in range(2)]
    for p in ps:
        p.start()
    t = max(out.get() for _ in ps)
    for p in ps:
        p.join()
    return 24 * (N // 2) * 2 / t


def numpy_times():
    ns = {}
    exec("from numpy import *", ns)
    ns["x"] = ns["b"] = numpy.random.rand(N)
    ns["y"] = ns["c"] = numpy.random.rand(N)
    times = {}
    for name, stmt, _ in ROWS:
        best = float("inf")
        for _ in range(R):
            t = time.perf_counter()
            exec(stmt, ns)
            best = min(best, time.perf_counter() - t)
        times[name] = best
        ns.pop("a", None)
    return times


def parc_times():
    km, kc = parcenv.start(engines=2)
    times = {}
    try:
        r = parcenv.run(kc, "x = random.rand(%d)\ny = random.rand(%d)\nb = x\nc = y" % (N, N),
                        timeout=600)
        assert not r.errors, r.traceback()
        for name, stmt, _ in ROWS:
            times[name] = parcenv.best_cell(kc, stmt, R, timeout=600, warm=True)
            parcenv.run(kc, "a = 0")
    finally:
        parcenv.stop(km, kc)
    return times


def main():
    load0 = os.getloadavg()
    gbs = stream_gbs()
    np_t = numpy_times()
    pc_t = parc_times()
    load1 = os.getloadavg()
    print("N=%d, best of %d, STREAM add on 2 processes: %.1f GB/s; load average before %.1f, "
          "after %.1f" % (N, R, gbs / 1e9, load0[0], load1[0]))
    print("| row | statement | parc, 2 engines (s) | NumPy, 1 core (s) | parc vs NumPy | "
          "bw (s) | parc/bw |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, stmt, nbytes in ROWS:
        bw = nbytes * N / gbs
        print("| %s | `%s` | %.3f | %.3f | %.1fx | %.3f | %.2f |" % (
            name, stmt, pc_t[name], np_t[name], np_t[name] / pc_t[name], bw, pc_t[name] / bw))


if __name__ == "__main__":
    main()
