"""Task farming: the seed's 16 uneven tasks on 2 engines, and dispatch overhead per item.

Measures, in the same run on the same machine:
  uneven   wait(t) for t in [5,1,1,1,1,1,1,1,1,1,1,1,1,5,5,5] * SCALE seconds (the
           intervals of the seed's load-balanced view example), on 2 workers:
             parc pmap (balanced), parc pmap(balanced=False) (round robin),
             parc pmap_async(...).get(), ipyparallel LoadBalancedView.map (block),
             multiprocessing Pool(2).map (its default chunksize)
           each as wall time / ideal, ideal = sum(intervals) / 2 (no schedule beats it;
           here a balanced one reaches it exactly)
  tiny     10^4 (TINY) calls of lambda x: x, wall time per item: parc pmap, ipyparallel
           LoadBalancedView.map, multiprocessing Pool(2).map (chunksize=1 and its default)
Usage: /usr/bin/python3 bench/farm.py [SCALE [TINY]]   (defaults 0.25 and 10000;
PARC_BUILD selects the build; default build/)
"""
import multiprocessing
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "py"))
import parcenv  # noqa: E402

parcenv.bench_deps()

SCALE = float(sys.argv[1]) if len(sys.argv) > 1 else 0.25
TINY = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
INTERVALS = [t * SCALE for t in [5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 5, 5, 5]]
IDEAL = sum(INTERVALS) / 2


def wait(t):
    import time  # imported here: ipyparallel runs this on engines without this module's globals

    time.sleep(t)
    return t


def ident(x):
    return x


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def parc_rows():
    km, kc = parcenv.start(engines=2)
    rows = []
    try:
        parcenv.run(kc, "def wait(t):\n    sleep(t)\n    return t")
        lst = "[" + ", ".join(repr(t) for t in INTERVALS) + "]"
        want = repr(INTERVALS)
        for name, code in (("parc pmap", "pmap(wait, %s)" % lst),
                           ("parc pmap(balanced=False)", "pmap(wait, %s, balanced=False)" % lst),
                           ("parc pmap_async(...).get()",
                            "r = pmap_async(wait, %s)\nr.get()" % lst)):
            dt, r = timed(lambda: parcenv.run(kc, code))
            assert r.text == want, (name, r.text, r.traceback())
            rows.append(("uneven", name, dt))
        code = "t = pmap(lambda x: x, range(%d))\nt[-1]" % TINY
        dt, r = timed(lambda: parcenv.run(kc, code))
        assert r.text == str(TINY - 1), r.text
        rows.append(("tiny", "parc pmap", dt))
    finally:
        parcenv.stop(km, kc)
    return rows


def ipp_rows():
    import ipyparallel as ipp
    cluster = ipp.Cluster(n=2, log_level=40)
    rc = cluster.start_and_connect_sync()
    rows = []
    try:
        rc.wait_for_engines(2, timeout=60)
        lv = rc.load_balanced_view()
        lv.block = True
        lv.map(ident, range(4))  # warm up
        dt, out = timed(lambda: lv.map(wait, INTERVALS))
        assert list(out) == INTERVALS
        rows.append(("uneven", "ipyparallel LoadBalancedView.map", dt))
        dt, out = timed(lambda: lv.map(ident, range(TINY)))
        assert list(out) == list(range(TINY))
        rows.append(("tiny", "ipyparallel LoadBalancedView.map", dt))
    finally:
        rc.close()
        cluster.stop_cluster_sync()
    return rows


def pool_rows():
    rows = []
    with multiprocessing.Pool(2) as pool:
        pool.map(ident, range(4))  # warm up
        dt, out = timed(lambda: pool.map(wait, INTERVALS))
        assert out == INTERVALS
        rows.append(("uneven", "multiprocessing Pool(2).map", dt))
        dt, out = timed(lambda: pool.map(ident, range(TINY), chunksize=1))
        assert out == list(range(TINY))
        rows.append(("tiny", "multiprocessing Pool(2).map(chunksize=1)", dt))
        dt, out = timed(lambda: pool.map(ident, range(TINY)))
        rows.append(("tiny", "multiprocessing Pool(2).map (default chunksize)", dt))
    return rows


rows = parc_rows()
try:
    rows += ipp_rows()
except Exception as e:  # noqa: BLE001 - the baseline is optional, parc's figures are not
    print("ipyparallel baseline failed: %s" % e, file=sys.stderr)
rows += pool_rows()
print("16 uneven tasks (sum %.2f s) on 2 workers, ideal %.2f s:" % (sum(INTERVALS), IDEAL))
for kind, name, dt in rows:
    if kind == "uneven":
        print("  %-48s %6.2f s  %.2fx ideal" % (name, dt, dt / IDEAL))
print("%d tiny items (lambda x: x), 2 workers:" % TINY)
for kind, name, dt in rows:
    if kind == "tiny":
        print("  %-48s %6.2f s  %7.1f us/item" % (name, dt, dt / TINY * 1e6))
