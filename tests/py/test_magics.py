"""The magics and IPython habits a person types, through the kernel as a front end sees
them: exit/quit, ?x and x??, %history, %pwd, %cd, %env. Run with 2 engines."""
import os
import tempfile

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


km, kc = parcenv.start(engines=2)
try:
    habits(kc)
finally:
    parcenv.stop(km, kc)
c.done()
