"""Kernel start until every engine is ready: time from KernelManager.start_kernel to the
first answered cell that needs all engines (`%px rank`), median of N starts.
With "phases" as third argument the kernel runs with PARC_DEBUG=1 and the table of
docs/engines.md ("Starting") is printed from its stderr: the pool's ready time and, as medians
over the engines, when each engine's main began, its MPI_Init's wall and CPU time, and the rest
of its start.
Usage: /usr/bin/python3 bench/startup.py [N] [ENGINES] [phases]"""
import os
import re
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "py"))
import parcenv  # noqa: E402

parcenv.bench_deps()

N = int(sys.argv[1]) if len(sys.argv) > 1 else 5
E = int(sys.argv[2]) if len(sys.argv) > 2 else 2
PHASES = len(sys.argv) > 3 and sys.argv[3] == "phases"
PHASE = re.compile(r"start at ([\d.]+) ms \(cpu [\d.]+\); MPI_Init \+([\d.]+) \(cpu ([\d.]+)\), "
                   r"MPI set-up \+([\d.]+).*interpreter \+([\d.]+).*HELLO \+([\d.]+)")


times, rows = [], []
for _ in range(N):
    t0 = time.perf_counter()
    if PHASES:  # the kernel's stderr, with PARC_DEBUG's start phases, into a file
        log = tempfile.TemporaryFile(mode="w+")
        km, kc = parcenv.start(engines=E, env={"PARC_DEBUG": "1"}, stderr=log)
    else:
        km, kc = parcenv.start(engines=E)
    r = parcenv.run(kc, "%px rank")
    t = time.perf_counter() - t0
    ok = len(r.displays) == E
    parcenv.stop(km, kc)
    if not ok:
        sys.exit("engines did not all answer: %r" % r.displays)
    times.append(t)
    if PHASES:
        log.seek(0)
        text = log.read()
        ready = re.search(r"(\d+) engines ready in (\d+) ms", text)
        ph = [[float(g) for g in m.groups()] for m in PHASE.finditer(text)]
        if not ready or len(ph) != E:
            sys.exit("no start phases in the kernel's log (%d of %d engines)" % (len(ph), E))
        med = [statistics.median(col) for col in zip(*ph)]
        rows.append((float(ready.group(2)), med[0], med[1], med[2], med[3] + med[4] + med[5]))
print("kernel start to %d engines ready (median of %d): %.0f ms  (runs: %s)"
      % (E, N, statistics.median(times) * 1e3, ", ".join("%.0f" % (t * 1e3) for t in times)))
if PHASES:
    def span(i):
        v = [r[i] for r in rows]
        return "%.0f-%.0f" % (min(v), max(v))
    print("| engines | pool ready (ms) | start at (ms) | MPI_Init wall (ms) | "
          "MPI_Init CPU per engine (ms) | the rest (ms) |")
    print("| --- | --- | --- | --- | --- | --- |")
    print("| %d | %s |" % (E, " | ".join(span(i) for i in range(5))))
