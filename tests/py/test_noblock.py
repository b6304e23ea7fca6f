"""%px --noblock, %pxresult and -o/--out, as a person uses them: the cell returns at once
with a handle, the kernel's own magics answer meanwhile, later cells wait behind it in
order, %pxresult shows its output (waiting if needed, as often as asked, --targets for a
subset), errors and time limits are kept for %pxresult, and -o NAME stores each engine's
result as a per-engine value. Also: a %px --targets cell sent before the engines have
started waits for them, and a name bound by %px on only some engines reads in global view
without leaving an engine waiting. Run on 2 and 4 engines."""
import re
import time

import parcenv

c = parcenv.Checker("noblock")


def noblock(kc, n):
    everyone = "0-%d" % (n - 1)
    r = parcenv.run(kc, "%pxresult")
    c.check("no %px --noblock cell" in r.stdout, "%%pxresult before any: %r" % r.stdout)

    t0 = time.time()
    r = parcenv.run(kc, "%%px --noblock\nprint('start', rank)\nsleep(2)\nprint('end', rank)\n"
                        "rank * 10")
    took = time.time() - t0
    cell = r.reply["content"]["execution_count"]
    c.check(took < 1.5, "--noblock returns at once (%.2f s)" % took)
    c.eq(r.reply["content"]["status"], "ok", "--noblock cell's reply")
    c.check(r.text and "AsyncResult" in r.text and "cell %d" % cell in r.text and
            "engines " + everyone in r.text, "the handle names cell and engines: %r" % r.text)
    c.eq(r.stdout, "", "nothing of the background cell is shown by its own cell")

    # the kernel's own magics answer while it runs; engine work waits behind it
    r = parcenv.run(kc, "%pwd")
    c.check(time.time() - t0 < 1.8, "%%pwd answers while it runs (%.2f s)" % (time.time() - t0))
    info = kc.kernel_info(reply=True, timeout=10)
    c.eq(info["content"]["status"], "ok", "kernel_info answered while it runs")

    # three cells sent together queue behind it and run in order
    ids = [kc.execute(code) for code in ("g = 7", "%px print(rank + g)", "g * 2")]
    rs = [parcenv.collect(kc, i) for i in ids]
    c.check(time.time() - t0 >= 1.9, "later engine cells wait for the background cell")
    c.eq([x.reply["content"]["status"] for x in rs], ["ok"] * 3, "queued cells succeed")
    c.eq(rs[1].stdout, "".join("[stdout:%d] %d\n" % (k, k + 7) for k in range(n)),
         "queued %px cell in order")
    c.eq(rs[2].text, "14", "queued global cell")

    want = "".join("[stdout:%d] start %d\n[stdout:%d] end %d\n" % (k, k, k, k) for k in range(n))
    for rep in range(2):
        r = parcenv.run(kc, "%pxresult")
        c.eq(r.stdout, want, "%%pxresult shows the output in rank order (%d)" % rep)
        c.eq(r.displays, ["Out[%d:%d]: %d" % (k, cell, 10 * k) for k in range(n)],
             "%pxresult shows each engine's result")
        c.eq(r.live, [], "%pxresult has no live area")
    r = parcenv.run(kc, "%pxresult --targets 1")
    c.eq(r.stdout, "[stdout:1] start 1\n[stdout:1] end 1\n", "%pxresult --targets 1")
    c.eq(r.displays, ["Out[1:%d]: 10" % cell], "%pxresult --targets 1 result")
    r = parcenv.run(kc, "%%pxresult --targets %d" % n)
    c.check("UsageError" in r.traceback(), "--targets out of range: " + r.traceback())

    # %pxresult waits for a cell still running
    parcenv.run(kc, "%px --noblock sleep(1.5); print('second', rank)")
    t1 = time.time()
    r = parcenv.run(kc, "%pxresult")
    c.check(time.time() - t1 >= 1.0, "%%pxresult waits (%.2f s)" % (time.time() - t1))
    c.eq(r.stdout, "".join("[stdout:%d] second %d\n" % (k, k) for k in range(n)),
         "%pxresult shows the last --noblock cell")


def errors_and_limits(kc, n):
    r = parcenv.run(kc, "%px --noblock x = [1, 2][rank]")
    c.eq(r.reply["content"]["status"], "ok", "the failure comes later")
    r = parcenv.run(kc, "%pxresult")
    c.eq(r.reply["content"]["status"], "error", "%pxresult of a failed cell fails")
    want = "[2-%d:execute]" % (n - 1)
    c.check(want + " IndexError" in r.traceback() and "^" in r.traceback(),
            "the error names the engines and points at the code: " + r.traceback())
    r = parcenv.run(kc, "%pxresult --targets 0,1")
    c.eq(r.reply["content"]["status"], "ok", "engines that succeeded show no error")

    parcenv.run(kc, "keep = 5")
    t0 = time.time()
    parcenv.run(kc, "%px --noblock --timeout 1 keep = sleep(30)")
    r = parcenv.run(kc, "keep")
    took = time.time() - t0
    c.check(took < 4, "the time limit stops the background cell (%.2f s)" % took)
    c.eq(r.text, "5", "the interrupted statement changed nothing")
    r = parcenv.run(kc, "%pxresult")
    c.check("TimeoutError" in r.traceback() and "1 s" in r.traceback(),
            "%pxresult reports the TimeoutError: " + r.traceback())


def outputs(kc, n):
    r = parcenv.run(kc, "%%px -o res\nrank + 1")
    c.eq(r.displays[-n:], ["Out[%d:%d]: %d" % (k, r.reply["content"]["execution_count"], k + 1)
                           for k in range(n)], "-o still shows each engine's result")
    r = parcenv.run(kc, "res")
    c.eq(r.text, "[%s]" % ", ".join(str(k + 1) for k in range(n)),
         "-o NAME is a per-engine value in global view")
    r = parcenv.run(kc, "%whos")
    c.check(re.search(r"^res .*per-engine", r.stdout, re.M), "%whos: res per-engine " + r.stdout)
    r = parcenv.run(kc, "%px --noblock --out=sq rank * rank")
    r = parcenv.run(kc, "sq")
    c.eq(r.text, "[%s]" % ", ".join(str(k * k) for k in range(n)),
         "--out=NAME with --noblock, read after it ended")
    r = parcenv.run(kc, "%%px --out none_here\ny = rank")
    r = parcenv.run(kc, "none_here")
    c.eq(r.text, "[%s]" % ", ".join(["None"] * n), "a cell without a result stores None")
    r = parcenv.run(kc, "%px -o 9bad rank")
    c.check("UsageError" in r.traceback() and "variable name" in r.traceback(),
            "-o needs a name: " + r.traceback())
    r = parcenv.run(kc, "%px -o")
    c.check("UsageError" in r.traceback(), "-o without a name: " + r.traceback())
    r = parcenv.run(kc, "%px -rank")
    c.eq(r.displays, ["Out[%d:%d]: %d" % (k, r.reply["content"]["execution_count"], -k)
                      for k in range(n)], "a statement starting with '-' is not an option")


def partial(kc, n):
    # a name that %px bound on some engines only: global view says so, nobody hangs
    r = parcenv.run(kc, "%px --noblock -o part 1/0 if rank == 1 else rank", timeout=30)
    r = parcenv.run(kc, "part", timeout=30)
    c.check("[1:execute] NameError: name 'part' is not defined" in r.traceback(),
            "a per-engine name missing on engine 1: " + r.traceback())
    r = parcenv.run(kc, "if part:\n    print(1)\n", timeout=30)
    c.check("[1:execute] NameError" in r.traceback(), "... also in a condition")
    parcenv.run(kc, "mixed = 5")
    parcenv.run(kc, "%px --targets 0 mixed = -1", timeout=30)
    r = parcenv.run(kc, "mixed", timeout=30)
    c.eq(r.text, "[%s]" % ", ".join(["-1"] + ["5"] * (n - 1)),
         "a name per-engine on engine 0 only reads per engine")
    r = parcenv.run(kc, "7")
    c.eq(r.text, "7", "the engines are still in step")


def interrupt(km, kc):
    parcenv.run(kc, "%px --noblock sleep(30)")
    mid = kc.execute("2 + 3")
    r, secs = parcenv.interrupt_after(km, kc, mid, 0.5)
    c.check(secs < 5, "an interrupt frees the waiting cell (%.2f s)" % secs)
    c.eq(r.text, "5", "the waiting cell then runs")
    r = parcenv.run(kc, "%pxresult")
    c.check("KeyboardInterrupt" in r.traceback(), "the background cell was interrupted: " +
            r.traceback())


def first_cell(kc, n):
    # the kernel is ready before its engines: a --targets cell waits for them to start
    r = parcenv.run(kc, "%px --targets 1 rank")
    c.eq(r.reply["content"]["status"], "ok", "%px --targets as the first cell: " + r.traceback())
    c.eq(r.displays, ["Out[1:1]: 1"], "%px --targets as the first cell waits for the engines")


for n in (2, 4):
    km, kc = parcenv.start(engines=n)
    try:
        first_cell(kc, n)
        noblock(kc, n)
        if n == 4:
            errors_and_limits(kc, n)
        outputs(kc, n)
        partial(kc, n)
        interrupt(km, kc)
    finally:
        parcenv.stop(km, kc)
c.done()
