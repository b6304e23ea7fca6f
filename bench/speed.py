"""The speed table of issue 9: parc (2 engines) against NumPy (this process, one core),
mpi4py (2 ranks, NumPy on each half), ipyparallel (2 engines, NumPy on each half through
DirectView.execute, the client adding the halves' results; rows pi_seed, rand, sum, count)
and plain C (bench_ceiling, 2 ranks), in one run.
Rows (N = 10**8 unless given, z is 10**4 x 10**4):
  pi_seed    estimate_pi(N) written as the DistArray seed writes it (a function with
             x = random.rand(N), y = random.rand(N), inside = hypot(x, y) <= 1.,
             return 4. * inside.sum() / N)
  pi_cell    x = random.rand(N); y = random.rand(N); 4*count_nonzero(hypot(x, y) <= 1)/N
  pi_px      the seed's estimate_pi(N // 2) in a %%px cell: each engine its own half of the
             points, in local view (deferred there too); NumPy, mpi4py and C as pi_seed
  rand       x = random.rand(N) (the second and later times: memory reused)
  sum mean std   x.sum(), x.mean(), x.std()
  max argmax x.max(), x.argmax()
  sum0 sum1  z.sum(axis=0), z.sum(axis=1)
  count      count_nonzero(hypot(x, y) <= 1)
Times are the best of R runs, seconds, from the client: execute_request to idle for parc
(its ~1 ms round trip included; after one untimed run and half a second of rest, so that
the engines' background compiles of the loops are done), perf_counter for NumPy, the
slowest rank between barriers for mpi4py and C. "peak" is the largest engine's VmHWM during the row (clear_refs reset
before it), with the idle engine's RSS beside it. For the rows whose floor is read passes
(READ_PASSES), "parc vs C" is the median over PAIRS rounds of the parc row between two C read
passes, one just before and one just after it, against their mean, so that the ratio is not
of two different states of the machine's memory: a round whose two C passes differ by more
than STABLE (the memory changed state during it) is left out of the median unless every round
is; the rounds are printed under the table, the unsteady ones marked. OPENBLAS_CORETYPE is passed to every side
as it is set here (printed). Usage:
  OPENBLAS_CORETYPE=Haswell /usr/bin/python3 bench/speed.py [N] [R] [Z]
(PARC_BUILD selects the build; Debian's python3-mpi4py for the mpi4py column and
python3-ipyparallel for the ipyparallel one; SPEED_IPP=0 skips it.)
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "py"))
import parcenv  # noqa: E402

parcenv.bench_deps()

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10**8
R = int(sys.argv[2]) if len(sys.argv) > 2 else 3
Z = int(sys.argv[3]) if len(sys.argv) > 3 else 10**4

PI_DEF = parcenv.SEED_PI

# (name, parc setup, parc timed cell, numpy setup, numpy timed statement)
ROWS = [
    ("pi_seed", PI_DEF, "p = estimate_pi(N)", PI_DEF, "p = estimate_pi(N)"),
    ("pi_cell", "", "x = random.rand(N); y = random.rand(N); p = 4*count_nonzero(hypot(x, y) <= 1)/N",
     "", "x = random.rand(N); y = random.rand(N); p = 4*count_nonzero(hypot(x, y) <= 1)/N"),
    ("pi_px", "%%px\n" + PI_DEF + "n_half = N // 2", "%%px\np = estimate_pi(n_half)", PI_DEF,
     "p = estimate_pi(N)"),
    ("rand", "x = random.rand(N)", "x = random.rand(N)",
     "x = random.rand(N); g = random.default_rng()", "g.random(out=x)"),
    ("sum", "x = random.rand(N)", "s = x.sum()", "x = random.rand(N)", "s = x.sum()"),
    ("mean", "", "s = x.mean()", "", "s = x.mean()"),
    ("std", "", "s = x.std()", "", "s = x.std()"),
    ("max", "", "s = x.max()", "", "s = x.max()"),
    ("argmax", "", "i = x.argmax()", "", "i = x.argmax()"),
    ("sum0", "del x\nz = random.rand(Z, Z)", "s = z.sum(axis=0)", "del x; z = random.rand(Z, Z)",
     "s = z.sum(axis=0)"),
    ("sum1", "", "s = z.sum(axis=1)", "", "s = z.sum(axis=1)"),
    ("count", "del z\nx = random.rand(N)\ny = random.rand(N)", "c = count_nonzero(hypot(x, y) <= 1)",
     "del z; x = random.rand(N); y = random.rand(N)", "c = count_nonzero(hypot(x, y) <= 1)"),
]

MPI_SRC = r"""
import sys, time, numpy as np
from mpi4py import MPI
c = MPI.COMM_WORLD; r, p = c.Get_rank(), c.Get_size()
N, Z, R = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
n = N * (r + 1) // p - N * r // p
zr = Z * (r + 1) // p - Z * r // p
def best(f):
    b = 1e30
    for _ in range(R):
        c.Barrier(); t = time.perf_counter(); f(); t = c.allreduce(time.perf_counter() - t, MPI.MAX)
        b = min(b, t)
    return b
def pi():
    x = np.random.rand(n); y = np.random.rand(n)
    return 4. * c.allreduce(int(np.count_nonzero(np.hypot(x, y) <= 1.))) / N
x = np.random.rand(n); g = np.random.default_rng(r)
out = {"pi_seed": best(pi), "pi_cell": best(pi), "rand": best(lambda: g.random(out=x)),
       "sum": best(lambda: c.allreduce(x.sum())),
       "mean": best(lambda: c.allreduce(x.sum()) / N)}
def std():
    m = c.allreduce(x.sum()) / N
    return (c.allreduce(((x - m) ** 2).sum()) / N) ** 0.5
out["std"] = best(std)
out["max"] = best(lambda: c.allreduce(x.max(), MPI.MAX))
lo = N * r // p
def amax():
    k = int(x.argmax())
    return -c.allreduce((float(x[k]), -(lo + k)), op=MPI.MAX)[1]
out["argmax"] = best(amax)
y = np.random.rand(n)
out["count"] = best(lambda: c.allreduce(int(np.count_nonzero(np.hypot(x, y) <= 1))))
del x, y
z = np.random.rand(zr, Z)
def s0():
    v = z.sum(axis=0); t = np.empty_like(v); c.Allreduce(v, t); return t
out["sum0"] = best(s0)
out["sum1"] = best(lambda: z.sum(axis=1))
if r == 0: print(repr(out))
"""


def mpi4py_times():
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return {}
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(MPI_SRC)
    try:
        out = subprocess.run(["mpiexec", "--oversubscribe", "-n", "2", "/usr/bin/python3", f.name,
                              str(N), str(Z), str(R)], env=dict(os.environ), capture_output=True,
                             text=True, timeout=3600)
        t = eval(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else {}
        if "pi_seed" in t:
            t["pi_px"] = t["pi_seed"]  # the same program: each rank its half
        return t
    finally:
        os.unlink(f.name)


# Rows whose floor is read passes of the array: their C time is that many read passes. The
# machine's memory bandwidth swings by up to 1.8x, for seconds to minutes at a time (the C
# read pass here: 0.0093 s and 0.017 s within a minute), so these rows are also timed in
# PAIRS rounds, each the parc row between two C read passes (bench_ceiling read), and "parc
# vs C" is the median of the steady rounds' ratios to the two passes' mean.
READ_PASSES = {"sum": 1, "mean": 1, "std": 2, "max": 1, "argmax": 1, "sum0": 1, "sum1": 1}
PAIRS = 3
STABLE = 1.15  # a round's two C passes within this factor of each other


def ceiling(*args):
    """bench_ceiling's output on 2 ranks with these arguments."""
    exe = os.path.join(parcenv.BUILD, "bench_ceiling")
    return subprocess.run(["mpiexec", "--oversubscribe", "-n", "2", exe] + [str(a) for a in args],
                          env=dict(os.environ), capture_output=True, text=True,
                          timeout=3600).stdout


def ceiling_times():
    out = ceiling(N)
    t = {}
    for line in out.splitlines():
        k, rest = line.split(" ", 1)
        t[k] = float(rest.split("time=")[1].split()[0])
    out = {"pi_seed": t.get("pi"), "pi_cell": t.get("pi"), "pi_px": t.get("pi"), "rand": t.get("rand")}
    out.update({k: t.get("read") and n * t["read"] for k, n in READ_PASSES.items()})
    return out


IPP_ROWS = {
    # row: (setup on each engine, timed statement on each engine, what the client gathers)
    "pi_seed": ("", "x = np.random.rand(n); y = np.random.rand(n)\n"
                "c = int(np.count_nonzero(np.hypot(x, y) <= 1.)); del x, y", "c"),
    "rand": ("x = np.empty(n); g = np.random.default_rng()", "g.random(out=x)", None),
    "sum": ("", "s = x.sum()", "s"),
    "count": ("y = np.random.rand(n)", "c = int(np.count_nonzero(np.hypot(x, y) <= 1))", "c"),
}


def ipp_times():
    """The rows of IPP_ROWS on a 2-engine ipyparallel cluster as a user of it writes them:
    a DirectView.execute of NumPy code on each engine's half, then the client gathers and
    adds the engines' partial results. Best of R, from the client."""
    if os.environ.get("SPEED_IPP") == "0":
        return {}
    try:
        import ipyparallel as ipp
    except ImportError:
        return {}
    cluster = ipp.Cluster(n=2, log_level=40)
    rc = cluster.start_and_connect_sync()
    out = {}
    try:
        rc.wait_for_engines(2, timeout=120)
        dv = rc[:]
        dv.scatter("part", [N // 2, N - N // 2], block=True)
        dv.execute("import numpy as np\nn = part[0]", block=True)
        for name, (setup, stmt, var) in IPP_ROWS.items():
            if setup:
                dv.execute(setup, block=True)

            def once():
                dv.execute(stmt, block=True)
                if var:
                    sum(dv[var])
            out[name] = parcenv.best_of(once, R)
    finally:
        rc.close()
        cluster.stop_cluster_sync()
    return out


def numpy_times():
    import numpy
    ns = {"N": N, "Z": Z}
    exec("from numpy import *\nimport numpy.random as random", ns)
    out = {}
    seen = {}
    for name, _, _, setup, stmt in ROWS:
        if (setup, stmt) in seen:  # pi_px: NumPy runs pi_seed's program again
            out[name] = out[seen[setup, stmt]]
            continue
        seen[setup, stmt] = name
        exec(setup, ns)
        out[name] = parcenv.best_of(lambda: exec(stmt, ns), R)
    del numpy
    return out


def steady(a, b):
    """Whether two C passes around a parc row found the memory in one state."""
    return a > 0 and b > 0 and max(a, b) / min(a, b) <= STABLE


def paired_ratios(rounds):
    """The sorted ratios parc / mean(C before, C after) of the steady rounds (all rounds when
    none is steady)."""
    good = [r for r in rounds if steady(r[1], r[2])] or [r for r in rounds if r[1] + r[2] > 0]
    return sorted(2 * p / (a + b) for p, a, b in good)


def ceiling_read(n):
    """bench_ceiling's read pass alone over n elements (2 ranks), seconds."""
    return float(ceiling(n, "read").split("time=")[1].split()[0])


def parc_times():
    km, kc = parcenv.start(engines=2)
    out, peak, pairs = {}, {}, {}
    try:
        parcenv.run(kc, "N = %d\nZ = %d" % (N, Z))
        pids, _ = parcenv.engine_pids(kc)
        idle = max(parcenv.proc_bytes(p, "VmRSS") for p in pids.values())
        for name, setup, stmt, _, _ in ROWS:
            if setup:
                r = parcenv.run(kc, setup, timeout=3600)
                assert not r.errors, r.traceback()
            parcenv.reset_peaks(pids.values())
            out[name] = parcenv.best_cell(kc, stmt, R, warm=True)
            peak[name] = max(parcenv.proc_bytes(p, "VmHWM") for p in pids.values())
            if name in READ_PASSES:
                n = Z * Z if name in ("sum0", "sum1") else N
                for _ in range(PAIRS):
                    before = ceiling_read(n) * READ_PASSES[name]
                    t = parcenv.best_cell(kc, stmt, R)
                    after = ceiling_read(n) * READ_PASSES[name]
                    pairs.setdefault(name, []).append((t, before, after))
    finally:
        parcenv.stop(km, kc)
    return out, peak, idle, pairs


def main():
    core = os.environ.get("OPENBLAS_CORETYPE", "(unset)")
    load = open("/proc/loadavg").read().split()[:3]
    parc, peak, idle, pairs = parc_times()
    c = ceiling_times()
    mp = mpi4py_times()
    ip = ipp_times()
    npy = numpy_times()
    print("N=%d, z %dx%d, best of %d, OPENBLAS_CORETYPE=%s, load average before: %s, after: %s"
          % (N, Z, Z, R, core, " ".join(load), " ".join(open("/proc/loadavg").read().split()[:3])))
    print("idle engine RSS %.0f MB" % (idle / 1e6))
    print("| row | parc, 2 engines (s) | NumPy, 1 core (s) | mpi4py, 2 ranks (s) "
          "| ipyparallel, 2 engines (s) | C, 2 ranks (s) | parc vs NumPy | parc vs C "
          "| engine peak RSS (MB) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    f = lambda v: "%.3f" % v if v else "-"  # noqa: E731
    for name, *_ in ROWS:
        cr = "%.2f" % (parc[name] / c[name]) if c.get(name) else "-"
        ratios = paired_ratios(pairs.get(name, []))
        if ratios:
            cr = "%.2f" % ratios[len(ratios) // 2]
        print("| %s | %s | %s | %s | %s | %s | %.1fx | %s | %.0f |" % (
            name, f(parc[name]), f(npy.get(name)), f(mp.get(name)), f(ip.get(name)),
            f(c.get(name)), npy[name] / parc[name], cr, peak[name] / 1e6))
    print("paired rounds (parc s / mean of the C read passes before and after = ratio; *: the "
          "two passes differ by more than %.2fx), \"parc vs C\" above is the median of the "
          "others:" % STABLE)
    for name, pl in pairs.items():
        print("  %-7s %s" % (name, "  ".join(
            "%.4f/(%.6f,%.6f)=%s%s" % (p, a, b, "%.2f" % (2 * p / (a + b)) if a + b > 0 else "-",
                                       "" if steady(a, b) else "*") for p, a, b in pl)))


if __name__ == "__main__":
    main()
