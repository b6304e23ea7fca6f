"""The magics and IPython habits a person types, through the kernel as a front end sees
them: exit/quit, ?x and x??, %history, %pwd, %cd, %env; --collapse, --timeout, %pxconfig
and %timeout. Run with 2 engines (and --collapse on 3)."""
import os
import re
import tempfile
import time

import parcenv

c = parcenv.Checker("magics")


def payloads(r):
    return r.reply["content"].get("payload", [])


def habits(kc):
    r = parcenv.run(kc, "exit")
    c.eq([p.get("source") for p in payloads(r)], ["ask_exit"], "exit asks the front end to leave")
    c.eq(r.reply["content"]["status"], "ok", "exit is not an error")
    r = parcenv.run(kc, "quit()")
    c.check(payloads(r) and payloads(r)[0].get("keepkernel") is False, "quit(): ask_exit")

    parcenv.run(kc, "v = arange(6)")
    for form in ("v?", "?v", "v??", "??v"):
        r = parcenv.run(kc, form)
        pages = [p for p in payloads(r) if p.get("source") == "page"]
        c.check(pages and "int64" in pages[0]["data"]["text/plain"],
                "%s shows the variable: %r" % (form, payloads(r)))
    r = parcenv.run(kc, "?nosuchname")
    c.check("not found" in r.stdout, "?unknown says not found: " + r.stdout)

    r = parcenv.run(kc, "%history -n")
    c.check("v = arange(6)" in r.stdout and "%history -n" in r.stdout,
            "%history -n lists the cells: " + r.stdout)
    c.check(any(l.strip().endswith(": v = arange(6)") for l in r.stdout.splitlines()),
            "%history -n numbers them: " + r.stdout)
    r = parcenv.run(kc, "%history -l 1")
    c.eq(r.stdout, "%history -l 1\n", "%history -l 1 shows the last cell")
    r = parcenv.run(kc, "%history -g arange")
    c.check("v = arange(6)" in r.stdout and "exit" not in r.stdout, "%history -g: " + r.stdout)
    r = parcenv.run(kc, "%history x-y")
    c.check("UsageError" in r.traceback(), "bad %history range: " + r.traceback())

    here = os.getcwd()
    r = parcenv.run(kc, "%pwd")
    c.check(r.text and r.text.startswith("'/"), "%%pwd shows a path as Out: %r" % r.text)
    d = os.path.realpath(tempfile.mkdtemp(prefix="parc-cd-"))
    r = parcenv.run(kc, "%cd " + d)
    c.eq(r.stdout, d + "\n", "%cd prints the new directory")
    r = parcenv.run(kc, "%pwd")
    c.eq(r.text, "'%s'" % d, "%pwd after %cd")
    r = parcenv.run(kc, "%cd -")
    r = parcenv.run(kc, "%pwd")
    c.check(r.text != "'%s'" % d, "%%cd - goes back: %r" % r.text)
    r = parcenv.run(kc, "%cd /no/such/dir")
    c.check("OSError" in r.traceback() and "No such file" in r.traceback(),
            "%cd to a missing directory: " + r.traceback())
    os.rmdir(d)
    del here

    r = parcenv.run(kc, "%env PARC_TEST_VAR=hello world")
    c.eq(r.stdout, "env: PARC_TEST_VAR=hello world\n", "%env NAME=VALUE sets")
    r = parcenv.run(kc, "%env PARC_TEST_VAR")
    c.eq(r.stdout, "hello world\n", "%env NAME shows")
    r = parcenv.run(kc, "%env")
    c.check("PARC_TEST_VAR=hello world" in r.stdout, "%env lists the environment")
    r = parcenv.run(kc, "%env PARC_NO_SUCH_VAR")
    c.check("UsageError" in r.traceback(), "%env of a missing name: " + r.traceback())


SPIN = "while True:\n    spin = spin + 1"


def limits(kc):
    parcenv.run(kc, "spin = 0\nkeep = arange(4)")
    t0 = time.time()
    r = parcenv.run(kc, "%%px --timeout 1\n" + SPIN, timeout=60)
    dt = time.time() - t0
    tb = r.traceback()
    c.check("TimeoutError" in tb and "1 s" in tb, "%%px --timeout 1 stops the cell: " + tb)
    c.check(dt < 5, "--timeout 1 took %.1f s" % dt)
    r = parcenv.run(kc, "%px spin > 0")
    c.eq(len(r.displays), 2, "every engine answers after the time limit")
    r = parcenv.run(kc, "sum(keep)")
    c.eq(r.text, "6", "global variables intact after the time limit")

    r = parcenv.run(kc, "%timeout 1")
    c.eq(r.stdout, "global-view time limit: 1 s\n", "%timeout S")
    r = parcenv.run(kc, "s = 0\n" + SPIN.replace("spin", "s"), timeout=60)
    c.check("TimeoutError" in r.traceback(), "%timeout stops a global cell: " + r.traceback())
    r = parcenv.run(kc, "%timeout 0")
    c.eq(r.stdout, "global-view time limit: none\n", "%timeout 0 removes the limit")
    r = parcenv.run(kc, "%timeout soon")
    c.check("UsageError" in r.traceback(), "%timeout with a bad value: " + r.traceback())

    r = parcenv.run(kc, "%pxconfig")
    c.eq(r.stdout, "%px defaults: --targets all, --no-collapse, --timeout none\n"
         "global view (%timeout): none\n", "%pxconfig shows the defaults")
    r = parcenv.run(kc, "%pxconfig --timeout 1 --collapse")
    c.check("--collapse" in r.stdout and "1 s" in r.stdout, "%pxconfig sets: " + r.stdout)
    r = parcenv.run(kc, SPIN.replace("while", "%%px\nwhile", 1), timeout=60)
    c.check("TimeoutError" in r.traceback(), "%pxconfig --timeout applies: " + r.traceback())
    r = parcenv.run(kc, "%px print('done')")
    c.eq(r.stdout, "[stdout:0-1] done\n", "%pxconfig --collapse applies")
    r = parcenv.run(kc, "%px --no-collapse print('done')")
    c.eq(r.stdout, "[stdout:0] done\n[stdout:1] done\n", "--no-collapse overrides it")
    r = parcenv.run(kc, "%pxconfig --no-collapse --timeout 0 --targets 1")
    r = parcenv.run(kc, "%px print(rank)")
    c.eq(r.stdout, "[stdout:1] 1\n", "%pxconfig --targets applies")
    r = parcenv.run(kc, "%pxconfig --targets all --bogus")
    c.check("UsageError" in r.traceback(), "%pxconfig bad option: " + r.traceback())
    r = parcenv.run(kc, "%px print(rank)")
    c.eq(r.stdout, "[stdout:1] 1\n", "a refused %pxconfig changes nothing")
    parcenv.run(kc, "%pxconfig --targets all")


def collapse(kc):
    r = parcenv.run(kc, "%%px --collapse\nprint('same')\nprint(rank % 2)\nprint('end')\nrank * 0")
    c.eq(r.stdout, "[stdout:0-2] same\n[stdout:0,2] 0\n[stdout:1] 1\n[stdout:0-2] end\n",
         "--collapse groups identical lines")
    outs = [re.sub(r"\[(.*?):\d+\]", r"[\1]", d) for d in r.displays]
    c.eq(outs, ["Out[0-2]: 0"], "--collapse groups identical results")
    r = parcenv.run(kc, "%%px --collapse\nrank")
    c.eq([re.sub(r":\d+\]", "]", d) for d in r.displays], ["Out[0]: 0", "Out[1]: 1", "Out[2]: 2"],
         "different results stay apart, in rank order")
    r = parcenv.run(kc, "%%px --collapse\nx = [1, 2][rank]")
    c.check("[2:execute] IndexError" in r.traceback(),
            "errors stay grouped under --collapse: " + r.traceback())


km, kc = parcenv.start(engines=2)
try:
    habits(kc)
    limits(kc)
finally:
    parcenv.stop(km, kc)
km, kc = parcenv.start(engines=3)
try:
    collapse(kc)
finally:
    parcenv.stop(km, kc)
c.done()
