"""%verify --engines 1,2,3 STMT as a person uses it: the statement runs on fresh pools of
those sizes (the user's engines, pids and variables untouched), each result is shown, and
the report says whether the bits agree; results that depend on the engine count are said
to differ, errors are shown per pool, bad arguments are UsageErrors, a syntax error points
at the statement. Run with 2 and 4 engines in the user's pool."""
import re

import parcenv

c = parcenv.Checker("verify")


def pids(kc):
    """rank, host and pid of each engine from %engines (not the memory column)."""
    out = parcenv.run(kc, "%engines").stdout
    return re.findall(r"^(\d+) +(\S+) +(\d+) ", out, re.M)


def verify(kc, n):
    parcenv.run(kc, "mine = arange(10) * 3")
    before = pids(kc)
    r = parcenv.run(kc, "%verify --engines 1,2,3 random.rand(10**5).sum()", timeout=180)
    lines = r.stdout.splitlines()
    c.eq(len(lines), 4, "three results and a verdict: %r" % r.stdout)
    if len(lines) == 4:
        vals = [l.split(": ", 1)[1] for l in lines[:3]]
        c.eq([l.split(":")[0] for l in lines[:3]], ["1 engine", "2 engines", "3 engines"],
             "each pool named")
        c.check(len(set(vals)) == 1 and float(vals[0]) > 4.9e4, "same sum: %r" % vals)
        c.eq(lines[3], "The bits agree on 1, 2, 3 engines.", "the verdict")
    r = parcenv.run(kc, "%verify --engines=1,3 ones((6, 2)).localshapes", timeout=180)
    c.eq(r.stdout, "1 engine: [(6, 2)]\n3 engines: [(2, 2), (2, 2), (2, 2)]\n"
         "The bits differ (engine counts that agree: 1 | 3).\n", "results that differ")
    r = parcenv.run(kc, "%verify --engines 2 mine.sum()", timeout=180)
    c.check("2 engines: NameError: name 'mine' is not defined" in r.stdout and
            "cannot be compared" in r.stdout, "fresh pools do not see the user's names: " +
            r.stdout)
    r = parcenv.run(kc, "%verify --engines 1,2 var(arange(7.0)[1:])", timeout=180)
    c.check(r.stdout.endswith("The bits agree on 1, 2 engines.\n"), "var on a slice: " + r.stdout)
    r = parcenv.run(kc, "%verify --engines 0,2 1")
    c.check("UsageError" in r.traceback(), "engine counts start at 1: " + r.traceback())
    r = parcenv.run(kc, "%verify --engines 1,2")
    c.check("UsageError" in r.traceback(), "a statement is needed: " + r.traceback())
    r = parcenv.run(kc, "%verify 1 +* 2")
    c.check("SyntaxError" in r.traceback() and "\n    %verify 1 +* 2\n               ^" in
            r.traceback(), "a syntax error points into the cell: " + r.traceback())
    # the user's pool is untouched
    c.check(len(before) == n, "%%engines lists %d engines" % n)
    c.eq(pids(kc), before, "same engines (ranks, hosts, pids)")
    c.eq(parcenv.run(kc, "mine.sum()").text, "135", "the user's variables are intact")
    r = parcenv.run(kc, "%px rank")
    c.eq(len(r.displays), n, "the user's %d engines answer" % n)


for n in (2, 4):
    km, kc = parcenv.start(engines=n)
    try:
        verify(kc, n)
    finally:
        parcenv.stop(km, kc)
c.done()
