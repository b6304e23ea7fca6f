"""How parc's latency grows with the pool: for each engine count, in the same run,
  start     KernelManager.start_kernel until every engine has answered `%px rank` (s)
  global    trivial global cell `1`, execute_request sent -> idle, lean pyzmq client (ms)
  px        the same for `%px 1` (ms)
  cpu       the kernel process's CPU time per cell in those runs (/proc/PID/stat: what the
            kernel itself pays for each engine)
  live      a %%px cell whose engines each print a line and then sleep 1 s: the time from the
            execute_request to each engine's line on iopub (a stream or the live area), the
            slowest engine (ms); this includes dispatching the cell, so it bounds the time
            from print to iopub from above
and ipyparallel (DirectView.execute, blocking, on as many engines; live: AsyncResult.stdout
polled while the cell runs) where it starts. Engines beyond the cores are oversubscribed.
Prints a markdown table: median (min) over N cells.
Usage: /usr/bin/python3 bench/scale.py [N] [ENGINES,...]   (default 200 1,2,4,8,16,32;
PARC_BUILD selects the build; SCALE_IPP=0 skips ipyparallel, which Debian packages as
python3-ipyparallel)
"""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "py"))
import parcenv  # noqa: E402

parcenv.bench_deps()
from roundtrip import ipp_times, lean_times  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200
COUNTS = [int(x) for x in sys.argv[2].split(",")] if len(sys.argv) > 2 else [1, 2, 4, 8, 16, 32]
LIVE = "%%px\nprint('go', rank)\nsleep(1.0)\nprint('end', rank)"


def med_min(times):
    return statistics.median(times) * 1e3, min(times) * 1e3


def first_seen(r, text):
    for m in r.msgs:
        t, ct = m["msg_type"], m["content"]
        if t == "stream" and text in ct["text"]:
            return m["_t"]
        if t in ("display_data", "update_display_data") and \
                text in ct["data"].get("text/plain", ""):
            return m["_t"]
    return None


def kernel_cpu(pid):
    """CPU seconds (user + system) the kernel process has used so far (Linux /proc)."""
    with open("/proc/%d/stat" % pid) as f:
        st = f.read().rsplit(")", 1)[1].split()
    return (int(st[11]) + int(st[12])) / os.sysconf("SC_CLK_TCK")


def parc_row(e):
    t0 = time.perf_counter()
    km, kc = parcenv.start(engines=e, timeout=120)
    try:
        r = parcenv.run(kc, "%px rank")
        start = time.perf_counter() - t0
        if len(r.displays) != e:
            raise RuntimeError("engines did not all answer: %r" % r.displays)
        parcenv.timed(kc)
        live = []
        for _ in range(3):
            sent = time.time()
            r = parcenv.run(kc, LIVE)
            seen = [first_seen(r, "[stdout:%d] go %d" % (k, k)) for k in range(e)]
            if None in seen:
                raise RuntimeError("an engine's line never showed: %r" % r.msgs)
            live.append(max(seen) - sent)
        kc.stop_channels()
        info = km.get_connection_info()
        row = {"start": start, "live": min(live) * 1e3}
        pid = km.provisioner.process.pid
        for name, code in (("global", "1"), ("px", "%px 1")):
            lean_times(info, code, 20)  # warm up
            c0 = kernel_cpu(pid)
            row[name] = med_min(lean_times(info, code, N))
            row[name + "_cpu"] = (kernel_cpu(pid) - c0) / N * 1e3
        return row
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def ipp_row(e):
    import ipyparallel as ipp
    t0 = time.perf_counter()
    cluster = ipp.Cluster(n=e, log_level=40)
    rc = cluster.start_and_connect_sync()
    try:
        rc.wait_for_engines(e, timeout=120)
        dv = rc[:]
        dv.execute("1", block=True)
        start = time.perf_counter() - t0
        times = ipp_times(dv, "1", N)
        live = []
        for _ in range(3):
            t1 = time.perf_counter()
            ar = dv.execute("import time\nprint('go')\ntime.sleep(1.0)", block=False)
            seen = [None] * e
            while None in seen and not ar.ready():
                for k, out in enumerate(ar.stdout):
                    if seen[k] is None and out:
                        seen[k] = time.perf_counter() - t1
                time.sleep(0.001)
            ar.get()
            if None in seen:
                raise RuntimeError("ipyparallel: an engine's line was not seen live")
            live.append(max(seen))
        return {"start": start, "px": med_min(times), "live": min(live) * 1e3}
    finally:
        rc.close()
        cluster.stop_cluster_sync()


def cell(v):
    if v is None:
        return "-"
    if isinstance(v, tuple):
        return "%.2f (%.2f)" % v
    return "%.2f" % v if v < 100 else "%.0f" % v


def main():
    rows = {}
    for e in COUNTS:
        rows[("parc", e)] = parc_row(e)
        print("parc %d engines: %r" % (e, rows[("parc", e)]), file=sys.stderr)
    if os.environ.get("SCALE_IPP", "1") != "0":
        for e in COUNTS:
            try:
                rows[("ipp", e)] = ipp_row(e)
                print("ipyparallel %d engines: %r" % (e, rows[("ipp", e)]), file=sys.stderr)
            except Exception as ex:  # a missing baseline is reported, not fatal
                print("ipyparallel on %d engines failed: %s" % (e, ex), file=sys.stderr)
                break
    print("median (min) over %d cells; load %s" % (N, os.getloadavg()[0]))
    print("| engines | " + " | ".join(str(e) for e in COUNTS) + " |")
    print("| --- |" + " --- |" * len(COUNTS))
    for label, who, key in (("parc global `1` (ms)", "parc", "global"),
                            ("parc `%px 1` (ms)", "parc", "px"),
                            ("ipyparallel `DirectView.execute('1')` (ms)", "ipp", "px"),
                            ("parc kernel CPU per global cell (ms)", "parc", "global_cpu"),
                            ("parc kernel CPU per `%px` cell (ms)", "parc", "px_cpu"),
                            ("parc start (s)", "parc", "start"),
                            ("ipyparallel start (s)", "ipp", "start"),
                            ("parc live: every engine's first line (ms)", "parc", "live"),
                            ("ipyparallel live: every engine's first line (ms)", "ipp", "live")):
        vals = [rows.get((who, e), {}).get(key) for e in COUNTS]
        if any(v is not None for v in vals):
            print("| %s | %s |" % (label, " | ".join(cell(v) for v in vals)))


if __name__ == "__main__":
    main()
