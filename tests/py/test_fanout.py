"""The scalable path (docs/architecture.md, "Scaling"): with PARC_BCAST_MIN=1 every cell goes
to rank 0 alone, reaches the other ranks by MPI broadcast and comes back as one combined
DONE. On 1, 2, 3 and 8 engines (8 oversubscribed): global and %px cells, every line of every
engine in the final output (streams that arrive after the combined DONE), %px --targets on
subsets, local-view variable tables that agree and that differ, errors on some engines only,
a cell larger than the broadcast's header, interrupts within 2 s (global and a subset), and a
killed engine named while the kernel goes on."""
import os
import signal
import sys
import time

import parcenv

c = parcenv.Checker("fanout")
LONG = "while True:\n    spin = spin + 1"


def lines_of(stdout, k):
    return [ln.split("] ", 1)[1] for ln in stdout.splitlines()
            if ln.startswith("[stdout:%d]" % k)]


def cells(kc, n, tag):
    r = parcenv.run(kc, "1 + 1")
    c.eq(r.text, "2", tag + "global cell")
    r = parcenv.run(kc, "x = arange(10 * %d + 3)\nx.sum()" % n)
    m = 10 * n + 3
    c.eq(r.text, str(m * (m - 1) // 2), tag + "a distributed sum")
    r = parcenv.run(kc, "print('once')")
    c.eq(r.stdout, "once\n", tag + "global print shown once")
    r = parcenv.run(kc, "%px rank")
    c.eq(r.displays, ["Out[%d:%d]: %d" % (k, r.reply["content"]["execution_count"], k)
                      for k in range(n)], tag + "%px rank on every engine, in order")
    # Every engine prints 300 lines: all of them are in the final output, in rank order,
    # although the other ranks' streams may reach the kernel after the combined DONE.
    r = parcenv.run(kc, "%%px\nfor i in range(300):\n    print(rank, i)")
    for k in range(n):
        c.eq(lines_of(r.stdout, k), ["%d %d" % (k, i) for i in range(300)],
             tag + "every line of engine %d" % k)
    firsts = [r.stdout.find("[stdout:%d]" % k) for k in range(n)]
    c.check(firsts == sorted(firsts), tag + "engines in rank order: %r" % firsts)
    # Shown values ride in the DONEs; an engine that finishes first and waits for the others
    # sends its value ahead of its FINISHED: every engine's line, then its value, in rank order.
    for slow in (0, n - 1):
        r = parcenv.run(kc, "%%%%px\nif rank == %d:\n    sleep(0.3)\nprint('p', rank)\nrank * 10"
                        % slow)
        count = r.reply["content"]["execution_count"]
        c.eq(r.displays, ["Out[%d:%d]: %d" % (k, count, 10 * k) for k in range(n)],
             tag + "every engine's value, engine %d slow" % slow)
        c.eq([lines_of(r.stdout, k) for k in range(n)], [["p %d" % k] for k in range(n)],
             tag + "every engine's line, engine %d slow" % slow)
    big = "a" * 5000
    r = parcenv.run(kc, "s = '%s'\nlen(s)" % big)
    c.eq(r.text, "5000", tag + "a cell larger than the broadcast header")


def targets(kc, n, tag):
    subsets = {1: ["0"], 2: ["1", "0"], 3: ["0,2", "1-2", "2"], 8: ["1,3,6", "::2", "7", "0-3"]}
    for spec in subsets[n]:
        r = parcenv.run(kc, "%%%%px --targets %s\nprint('t', rank)\nrank * 2" % spec)
        if "-" in spec:
            a, b = spec.split("-")
            want = list(range(int(a), int(b) + 1))
        elif spec.startswith("::"):
            want = list(range(0, n, int(spec[2:])))
        else:
            want = [int(t) for t in spec.split(",")]
        got = sorted(int(ln[len("[stdout:"):].split("]")[0]) for ln in r.stdout.splitlines())
        c.eq(got, want, tag + "--targets %s: the targets print" % spec)
        c.eq(len(r.displays), len(want), tag + "--targets %s: one result each" % spec)
        c.check(not r.errors, tag + "--targets %s: " % spec + r.traceback())
    # an error on one engine of a subset, the others fine
    if n >= 3:
        r = parcenv.run(kc, "%%px --targets 0,2\nif rank == 2:\n    1/0\nrank")
        tb = r.traceback()
        c.check("[2:execute] ZeroDivisionError" in tb, tag + "error of engine 2 alone: " + tb)
        c.eq(len(r.displays), 1, tag + "engine 0's result still shown")


def names(kc, n, tag):
    parcenv.run(kc, "%px same = 7")
    parcenv.run(kc, "%px mine = rank")  # the engines' tables differ: gathered, not digested
    parcenv.run(kc, "%%%%px --targets %d\nonly_last = 'x'" % (n - 1))
    r = parcenv.run(kc, "%whos")
    rows = {ln.split()[0]: ln for ln in r.stdout.splitlines()[2:] if ln.strip()}
    for v in ("same", "mine", "only_last"):
        c.check(v in rows and "per-engine" in rows[v], tag + "%%whos lists %s: %s" % (v, r.stdout))
    r = parcenv.run(kc, "%px mine + same")
    c.eq([d.split(": ")[1] for d in r.displays], [str(k + 7) for k in range(n)],
         tag + "each engine's own value")
    # an error on every engine, and on one only
    r = parcenv.run(kc, "%px 1/0")
    want = "[0:execute]" if n == 1 else "[0-%d:execute]" % (n - 1)
    c.check(want + " ZeroDivisionError" in r.traceback(), tag + "merged error: " + r.traceback())
    if n > 1:
        r = parcenv.run(kc, "%%%%px\nif rank == %d:\n    1/0" % (n - 1))
        c.check("[%d:execute] ZeroDivisionError" % (n - 1) in r.traceback(),
                tag + "error of the last engine alone: " + r.traceback())
    r = parcenv.run(kc, "del same\n1")
    r = parcenv.run(kc, "g = 5\n%who")
    c.check("g" in r.stdout.split(), tag + "global names: " + r.stdout)


def interrupts(km, kc, n, tag):
    parcenv.run(kc, "keep = arange(5)\nspin = 0")
    msg_id = kc.execute(LONG)
    r, dt = parcenv.interrupt_after(km, kc, msg_id, 1.0)
    c.check(dt < 2.0, tag + "global interrupt took %.2f s" % dt)
    c.check("KeyboardInterrupt" in r.traceback(), tag + "KeyboardInterrupt: " + r.traceback())
    r = parcenv.run(kc, "sum(keep)")
    c.eq(r.text, "10", tag + "variables kept after the interrupt")
    t = "%d" % (n - 1) if n < 3 else "1,%d" % (n - 1)
    parcenv.run(kc, "%px spin = 0")
    msg_id = kc.execute("%%%%px --targets %s\n" % t + LONG)
    r, dt = parcenv.interrupt_after(km, kc, msg_id, 1.0)
    c.check(dt < 2.0, tag + "subset interrupt took %.2f s" % dt)
    c.check("KeyboardInterrupt" in r.traceback(), tag + "subset KeyboardInterrupt: "
            + r.traceback())
    r = parcenv.run(kc, "%px rank")
    c.eq(len(r.displays), n, tag + "every engine answers after the interrupts")


def death(km, kc, n, tag):
    pids, text = parcenv.engine_pids(kc)
    c.eq(sorted(pids), list(range(n)), tag + "%engines: " + text)
    victim = n - 1
    if victim not in pids:
        return
    parcenv.run(kc, "spin = 0")
    msg_id = kc.execute(LONG)
    time.sleep(1.0)
    t0 = time.time()
    os.kill(pids[victim], signal.SIGKILL)
    r = parcenv.collect(kc, msg_id, timeout=60)
    dt = time.time() - t0
    tb = r.traceback()
    c.check("engine %d" % victim in tb and ("signal 9" in tb or "Killed" in tb),
            tag + "the dead engine is named: " + tb)
    c.check(dt < 5, tag + "death reported in %.1f s" % dt)
    r = parcenv.run(kc, "1 + 2")
    c.eq(r.text, "3", tag + "the next cell starts new engines")
    r = parcenv.run(kc, "%px rank")
    c.eq(len(r.displays), n, tag + "all %d new engines answer" % n)


def main():
    counts = [int(a) for a in sys.argv[1:]] or [1, 2, 3, 8]
    for n in counts:
        tag = "%d engine%s: " % (n, "" if n == 1 else "s")
        km, kc = parcenv.start(engines=n, env={"PARC_BCAST_MIN": "1"}, timeout=120)
        try:
            cells(kc, n, tag)
            targets(kc, n, tag)
            names(kc, n, tag)
            interrupts(km, kc, n, tag)
            if n > 1:
                death(km, kc, n, tag)
        finally:
            parcenv.stop(km, kc)
    c.done()


main()
