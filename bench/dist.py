"""Distributions (issue 7): data moved between layouts, and reductions along an axis, in one
run. Rows:
  b_to_c     y = redistribute(x, dist='c'); del y, x = random.rand(N1) (default 'b')
  transpose  t = redistribute(z.T); del t, z = random.rand(N2, N2): z.T is a ('n', 'b') view,
             the copy in the default rows ('b', 'n') is the transpose moved between the engines
             (the del makes peak/held count one copy, not the last run's and this one's)
  sum0/sum1  s = z.sum(axis=0) / z.sum(axis=1), z = random.rand(N3, N3)
  max0/std0  s = z.max(axis=0) / z.std(axis=0) (an order-free reduction and a two-pass one
             along the distributed axis)
Baselines: for b_to_c and transpose an mpi4py program on the same number of ranks doing one
MPI Alltoallv of the same bytes (each rank sends every other rank, and itself, the share the
layout change gives it: N1/P^2 and (N2/P)^2 elements), contiguous NumPy buffers allocated
beforehand, so no packing: what parc's one all-to-all costs at best; for the reductions NumPy
in this process (one core). Times are the best of R runs, seconds: parc from the client
(execute_request to idle, its ~1 ms round trip included), the slowest rank between barriers
for mpi4py, perf_counter for NumPy. "peak/held" is the largest engine's VmHWM during the row
over its RSS before the row (the arrays it held): 1.5 means a temporary of half the held
memory. Usage:
  /usr/bin/python3 bench/dist.py [P] [N1] [N2] [N3] [R]   (defaults 2 10**8 8192 10**4 3)
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "py"))
import parcenv  # noqa: E402

parcenv.bench_deps()

P = int(sys.argv[1]) if len(sys.argv) > 1 else 2
N1 = int(eval(sys.argv[2])) if len(sys.argv) > 2 else 10**8
N2 = int(eval(sys.argv[3])) if len(sys.argv) > 3 else 8192
N3 = int(eval(sys.argv[4])) if len(sys.argv) > 4 else 10**4
R = int(sys.argv[5]) if len(sys.argv) > 5 else 3

# (name, setup, timed statement, cleanup) in parc; the sums also run in NumPy
ROWS = [
    ("b_to_c", "x = random.rand(%d)" % N1, "y = redistribute(x, dist='c')\ndel y", "del x"),
    ("transpose", "z = random.rand(%d, %d)" % (N2, N2), "t = redistribute(z.T)\ndel t", "del z"),
    ("sum0", "z = random.rand(%d, %d)" % (N3, N3), "s = z.sum(axis=0)", ""),
    ("max0", "", "s = z.max(axis=0)", ""),
    ("std0", "", "s = z.std(axis=0)", ""),
    ("sum1", "", "s = z.sum(axis=1)", "del z\ndel s"),
]

# One Alltoallv of `count` float64 to every rank (itself included), best of R, slowest rank.
MPI_PROG = r"""
import sys, time
import numpy
from mpi4py import MPI
c = MPI.COMM_WORLD
p, count, runs = c.Get_size(), int(sys.argv[1]), int(sys.argv[2])
send = numpy.random.rand(count * p)
recv = numpy.empty_like(send)
counts = [count] * p
displs = [count * r for r in range(p)]
best = float("inf")
for _ in range(runs):
    c.Barrier()
    t = time.perf_counter()
    c.Alltoallv([send, counts, displs, MPI.DOUBLE], [recv, counts, displs, MPI.DOUBLE])
    best = min(best, c.allreduce(time.perf_counter() - t, op=MPI.MAX))
if c.Get_rank() == 0:
    print(best)
"""


def mpi_time(count):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    out = subprocess.run(["mpiexec", "--oversubscribe", "-n", str(P), "/usr/bin/python3", "-c",
                          MPI_PROG, str(count), str(R)],
                         env=env, capture_output=True, text=True, timeout=3600)
    assert out.returncode == 0, out.stderr
    return float(out.stdout.split()[-1])


def numpy_times():
    ns = {}
    exec("from numpy import *\nimport numpy.random as random", ns)
    out = {}
    for name, setup, stmt, _ in ROWS[2:]:
        exec(setup, ns)
        out[name] = parcenv.best_of(lambda: exec(stmt, ns), R)
    return out


def main():
    load = open("/proc/loadavg").read().split()[:3]
    parc, ratio = parcenv.time_rows(ROWS, R, engines=P)
    base = {"b_to_c": mpi_time(N1 // (P * P)), "transpose": mpi_time((N2 // P) ** 2)}
    base.update(numpy_times())
    print("P=%d, N1=%d, N2=%d, N3=%d, best of %d, load average before: %s, after: %s" % (
        P, N1, N2, N3, R, " ".join(load), " ".join(open("/proc/loadavg").read().split()[:3])))
    print("| row | parc, %d engines (s) | baseline (s) | baseline / parc | engine peak/held |" % P)
    print("| --- | --- | --- | --- | --- |")
    for name, *_ in ROWS:
        what = "mpi4py Alltoallv" if name in ("b_to_c", "transpose") else "NumPy, 1 core"
        print("| %s | %.3f | %.3f (%s) | %.2f | %.2f |" % (
            name, parc[name], base[name], what, base[name] / parc[name], ratio[name]))


if __name__ == "__main__":
    main()
