"""Pictures of big arrays: parc draws where the data lives, the others gather and draw.
Rows (N = 10**8 unless given):
  hist   hist(x, bins=100) of x = random.randn(N)
  plot   plot(y) of y = sin(linspace(0, 2*pi, N))
parc (2 engines) is timed from the client, execute_request to idle, figure included. The
baselines run in this one process on the whole array, as a Heat, Arkouda or ipyparallel user
would after gathering it: numpy.histogram alone (counts only, no picture), and matplotlib's
hist / plot saved as SVG (Agg backend, Debian's python3-matplotlib). "gather" is what bringing
the N float64 to one process costs first: mpi4py Gatherv from 2 ranks to rank 0.
"bytes to kernel" is the figure record the engines send (logged by the kernel under
PARC_DEBUG), "bytes to front end" the display_data bundle as JSON. Best of R runs. Usage:
  /usr/bin/python3 bench/plots.py [N] [R]
(PARC_BUILD selects the build; OPENBLAS_CORETYPE is passed to every side as it is set here.)
"""
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "py"))
import parcenv  # noqa: E402

parcenv.bench_deps()

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10**8
R = int(sys.argv[2]) if len(sys.argv) > 2 else 3

ROWS = [("hist", "x = random.randn(N)", "hist(x, bins=100)"),
        ("plot", "y = sin(linspace(0, 2*pi, N))", "plot(y)")]

GATHER_SRC = r"""
import sys, time, numpy as np
from mpi4py import MPI
c = MPI.COMM_WORLD; r, p = c.Get_rank(), c.Get_size()
N, R = int(sys.argv[1]), int(sys.argv[2])
counts = [N * (k + 1) // p - N * k // p for k in range(p)]
x = np.random.randn(counts[r])
out = np.empty(N) if r == 0 else None
best = 1e30
for _ in range(R):
    c.Barrier(); t = time.perf_counter()
    c.Gatherv(x, [out, counts] if r == 0 else None, root=0)
    best = min(best, c.allreduce(time.perf_counter() - t, MPI.MAX))
if r == 0: print(best)
"""


def parc_times():
    from jupyter_client.manager import KernelManager
    parcenv.install_kernelspec()
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    env = dict(os.environ, PARC_ENGINES="2", PARC_DEBUG="1")
    km = KernelManager(kernel_name="parc")
    km.start_kernel(env=env, stderr=log)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    out = {}
    try:
        parcenv.run(kc, "N = %d" % N)
        for name, setup, stmt in ROWS:
            r = parcenv.run(kc, setup, timeout=3600)
            assert not r.errors, r.traceback()
            best, front = 1e30, 0
            for _ in range(R):
                log.flush()
                mark = os.path.getsize(log.name)
                t = time.perf_counter()
                r = parcenv.run(kc, stmt, timeout=3600)
                best = min(best, time.perf_counter() - t)
                assert not r.errors, r.traceback()
                figs = [m["content"]["data"] for m in r.msgs if m["msg_type"] == "display_data"
                        and m["content"]["data"].get("text/plain", "").startswith("<Figure")]
                assert len(figs) == 1, r.msgs
                front = len(json.dumps(figs[0]))
            time.sleep(0.2)
            with open(log.name) as f:
                f.seek(mark)
                recs = [int(b) for b in re.findall(r"figure record of (\d+) bytes", f.read())]
            out[name] = (best, sum(recs), len(recs), front)
            parcenv.run(kc, "del " + setup.split()[0])
    finally:
        parcenv.stop(km, kc)
        os.unlink(log.name)
    return out


def gather_time():
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(GATHER_SRC)
    try:
        p = subprocess.run(["mpiexec", "--oversubscribe", "-n", "2", "/usr/bin/python3", f.name,
                            str(N), str(R)], capture_output=True, text=True, timeout=3600)
        return float(p.stdout.split()[-1]) if p.returncode == 0 else None
    finally:
        os.unlink(f.name)


def baseline_times():
    import numpy as np
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def draw(how, data):
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        if how == "hist":
            ax.hist(data, bins=100)
        else:
            ax.plot(data)
        buf = io.BytesIO()
        fig.savefig(buf, format="svg")
        plt.close(fig)
        return buf.tell()

    out = {}
    x = np.random.randn(N)
    out["hist"] = (parcenv.best_of(lambda: np.histogram(x, bins=100), R),
                  parcenv.best_of(lambda: draw("hist", x), R))
    del x
    y = np.sin(np.linspace(0, 2 * np.pi, N))
    out["plot"] = (None, parcenv.best_of(lambda: draw("plot", y), R))
    return out, matplotlib.__version__, np.__version__


def main():
    core = os.environ.get("OPENBLAS_CORETYPE", "(unset)")
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    parc = parc_times()
    gather = gather_time()
    base, mplv, npv = baseline_times()
    print("N=%d, best of %d, OPENBLAS_CORETYPE=%s, NumPy %s, matplotlib %s, load average "
          "before: %s, after: %s" % (N, R, core, npv, mplv, load,
                                     " ".join(open("/proc/loadavg").read().split()[:3])))
    print("| row | parc, 2 engines (s) | numpy.histogram (s) | matplotlib (s) | gather to one "
          "process, mpi4py (s) | parc vs gather + matplotlib | bytes to kernel | bytes to front end |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    f = lambda v: "%.3f" % v if v is not None else "-"  # noqa: E731
    for name, _, _ in ROWS:
        t, sent, nrec, front = parc[name]
        hist_t, mpl_t = base[name]
        ratio = (mpl_t + (gather or 0)) / t
        print("| %s | %s | %s | %s | %s | %.1fx | %d (%d record%s) | %d |" % (
            name, f(t), f(hist_t), f(mpl_t), f(gather), ratio, sent, nrec,
            "" if nrec == 1 else "s", front))


if __name__ == "__main__":
    main()
