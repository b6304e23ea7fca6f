"""Kernel start until every engine is ready: time from KernelManager.start_kernel to the
first answered cell that needs all engines (`%px rank`), median of N starts.
Usage: /usr/bin/python3 bench/startup.py [N] [ENGINES]"""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "py"))
import parcenv  # noqa: E402

parcenv.bench_deps()

N = int(sys.argv[1]) if len(sys.argv) > 1 else 5
E = int(sys.argv[2]) if len(sys.argv) > 2 else 2
times = []
for _ in range(N):
    t0 = time.perf_counter()
    km, kc = parcenv.start(engines=E)
    r = parcenv.run(kc, "%px rank")
    t = time.perf_counter() - t0
    ok = len(r.displays) == E
    parcenv.stop(km, kc)
    if not ok:
        sys.exit("engines did not all answer: %r" % r.displays)
    times.append(t)
print("kernel start to %d engines ready (median of %d): %.0f ms  (runs: %s)"
      % (E, N, statistics.median(times) * 1e3, ", ".join("%.0f" % (t * 1e3) for t in times)))
