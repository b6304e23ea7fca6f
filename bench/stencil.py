"""Stencils (issue 13): parc (2 engines) against NumPy (this process, one core) and a plain
C/MPI program (build/stencil_mpi, 2 ranks: row blocks with halo rows, one fused pass), in one
run. Rows (z and b are N x N, u has M elements):
  star5   s = (z[2:, 1:-1] + z[:-2, 1:-1] + z[1:-1, 2:] + z[1:-1, :-2] - 4*z[1:-1, 1:-1]).sum()
  star2   the Parallel Research Kernels' star stencil of radius 2 written with slices, added
          into b[2:-2, 2:-2] (b[...] = b[...] + 0.25 * (z[2:-2, 3:-1] - z[2:-2, 1:-3]) + ...)
  jacobi  for i in range(100): u[1:-1] = 0.5 * (u[2:] + u[:-2])
Times are the best of R runs, seconds: parc from the client (execute_request to idle, its
~1 ms round trip included) after one untimed run and half a second of rest, so that the
engines' background compiles of the loops are done (PARC_JIT=0: the interpreter alone), perf_counter for NumPy, the slowest rank between barriers for C.
"peak/held" is the largest engine's VmHWM during the row over its RSS before the row (what
it held: the arrays' chunks): 1.00 means the row made no temporary. Usage:
  /usr/bin/python3 bench/stencil.py [N] [M] [R]      (PARC_BUILD selects the build)
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "py"))
import parcenv  # noqa: E402

parcenv.bench_deps()

N = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
M = int(sys.argv[2]) if len(sys.argv) > 2 else 10**7
R = int(sys.argv[3]) if len(sys.argv) > 3 else 3

STAR2 = ("b[2:-2, 2:-2] = b[2:-2, 2:-2] + 0.25 * (z[2:-2, 3:-1] - z[2:-2, 1:-3]) + "
         "0.125 * (z[2:-2, 4:] - z[2:-2, :-4]) + 0.25 * (z[3:-1, 2:-2] - z[1:-3, 2:-2]) + "
         "0.125 * (z[4:, 2:-2] - z[:-4, 2:-2])")
JACOBI = "for i in range(100):\n    u[1:-1] = 0.5 * (u[2:] + u[:-2])\n"

# (name, setup, timed statement): the same text for parc and NumPy
ROWS = [
    ("star5", "z = random.rand(N, N)",
     "s = (z[2:, 1:-1] + z[:-2, 1:-1] + z[1:-1, 2:] + z[1:-1, :-2] - 4*z[1:-1, 1:-1]).sum()"),
    ("star2", "b = zeros((N, N))", STAR2),
    ("jacobi", "del z\ndel b\nu = random.rand(M)", JACOBI),
]


def c_times():
    exe = os.path.join(parcenv.BUILD, "stencil_mpi")
    out = subprocess.run(["mpiexec", "--oversubscribe", "-n", "2", exe, str(N), str(M), str(R)],
                         env=dict(os.environ), capture_output=True, text=True, timeout=3600).stdout
    t = {}
    for line in out.splitlines():
        k, rest = line.split(" ", 1)
        t[k] = float(rest.split("time=")[1].split()[0])
    return t


def numpy_times():
    ns = {"N": N, "M": M}
    exec("from numpy import *\nimport numpy.random as random", ns)
    out = {}
    for name, setup, stmt in ROWS:
        exec(setup, ns)
        out[name] = parcenv.best_of(lambda: exec(stmt, ns), R)
    return out


def main():
    load = open("/proc/loadavg").read().split()[:3]
    parc, ratio = parcenv.time_rows(ROWS, R, prologue="N = %d\nM = %d" % (N, M), warm=True)
    c = c_times()
    npy = numpy_times()
    print("N=%d, M=%d, best of %d, load average before: %s, after: %s" % (
        N, M, R, " ".join(load), " ".join(open("/proc/loadavg").read().split()[:3])))
    print("| row | parc, 2 engines (s) | NumPy, 1 core (s) | C/MPI, 2 ranks (s) | parc vs NumPy "
          "| parc vs C/MPI | engine peak/held |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, *_ in ROWS:
        print("| %s | %.3f | %.3f | %.3f | %.1fx faster | %.1fx slower | %.2f |" % (
            name, parc[name], npy[name], c[name], npy[name] / parc[name], parc[name] / c[name],
            ratio[name]))


if __name__ == "__main__":
    main()
