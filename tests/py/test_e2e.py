"""End to end through jupyter_client with 1, 2 and 3 engines: the README's first cells, Monte Carlo
pi, reproducible random sums, %%px output routing, syntax errors, and a burst of 100
execute requests answered in order."""
import ast
import os
import re
import sys
import time

import numpy as np

import parcenv

c = parcenv.Checker("e2e")


def local_rows(n, nranks):
    """Block split: the first engines take the extra rows."""
    return [n // nranks + (1 if r < n % nranks else 0) for r in range(nranks)]


def spec_cells(kc, nranks):
    tag = "[%d engines] " % nranks
    # In [1]: Monte Carlo pi
    r = parcenv.run(kc, "x = random.rand(10**7)\ny = random.rand(10**7)\n"
                        "4 * count_nonzero(hypot(x, y) <= 1) / 10**7")
    c.check(not r.errors, tag + "pi cell ran: " + r.traceback())
    if r.text:
        c.check(abs(float(r.text) - np.pi) < 0.01, tag + "pi estimate %s" % r.text)
    # In [2]: a distributed array, its header and NumPy's summary
    r = parcenv.run(kc, "a = ones((300, 10))\na")
    want_head = "DistArray(shape=(300, 10), dtype=float64, dist=('b', 'n'), engines=%d)" % nranks
    text = r.text or ""
    c.eq(text.split("\n")[0], want_head, tag + "DistArray header")
    c.eq("\n".join(text.split("\n")[1:]), repr(np.ones((300, 10))), tag + "array summary")
    # In [3]: localshapes
    r = parcenv.run(kc, "a.localshapes")
    c.eq(r.text, str([(k, 10) for k in local_rows(300, nranks)]), tag + "localshapes")
    r = parcenv.run(kc, "ones(10).localshapes")
    c.eq(r.text, str([(k,) for k in local_rows(10, nranks)]), tag + "uneven localshapes")
    # In [4]: %px print, one line per engine with its prefix
    r = parcenv.run(kc, "%px print(rank, a.shape)")
    rows = local_rows(300, nranks)
    want = "".join("[stdout:%d] %d (%d, 10)\n" % (k, k, rows[k]) for k in range(nranks))
    c.eq(r.stdout, want, tag + "%px print")
    # In [5]: %%px with a per-engine last expression
    r = parcenv.run(kc, "%%px\nrandom.seed(rank)\nc = random.random(3)\nc")
    count = r.reply["content"].get("execution_count")
    outs = sorted(r.displays)
    c.eq(len(outs), nranks, tag + "one Out per engine")
    for k, o in enumerate(outs):
        c.check(o.startswith("Out[%d:%s]: array([" % (k, count)), tag + "Out prefix: " + o)
    # In [6]: back in global view, the per-engine values as a list
    r = parcenv.run(kc, "c")
    text = r.text or ""
    c.check(text.startswith("[array([") and text.count("array(") == nranks,
            tag + "per-engine list: " + text)
    for k, o in enumerate(outs):
        c.check(o.split(": ", 1)[1] in text, tag + "engine %d value in the list" % k)


def seeded_sum(kc):
    r = parcenv.run(kc, "random.seed(7)\nz = random.rand(100001)\nsum(z)")
    return r.text


def syntax_error(kc, nranks):
    r = parcenv.run(kc, "y = (x +* 2)")
    tb = r.traceback()
    c.check(r.reply["content"]["status"] == "error", "syntax error reply status")
    c.check("line 1, column 9" in tb, "syntax error position: " + tb)
    c.check("    y = (x +* 2)\n            ^" in tb, "syntax error caret: " + tb)
    c.check("SyntaxError" in tb, "syntax error kind")
    r = parcenv.run(kc, "1 + 1")
    c.eq(r.text, "2", "kernel answers after a syntax error")


def burst(kc):
    ids = [kc.execute("%d * 2" % i) for i in range(100)]
    got = []
    deadline = time.time() + 120
    while len(got) < 100 and time.time() < deadline:
        m = kc.get_shell_msg(timeout=60)
        if m["msg_type"] == "execute_reply":
            got.append(m["parent_header"]["msg_id"])
    c.eq(got, ids, "100 execute requests answered in order")
    # drain iopub so later tests see only their own messages
    try:
        while True:
            kc.get_iopub_msg(timeout=0.5)
    except Exception:
        pass


def live_output(kc):
    """A line printed by an engine reaches iopub while the cell still runs."""
    code = ("%%px\nprint('started')\nt = 0.0\nfor i in range(40):\n"
            "    t = t + sum(random.rand(10**6))\nprint('finished')")
    msg_id = kc.execute(code)
    t_start = t_idle = None
    deadline = time.time() + 120
    while t_idle is None and time.time() < deadline:
        m = kc.get_iopub_msg(timeout=60)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        if m["msg_type"] == "stream" and "started" in m["content"]["text"] and t_start is None:
            t_start = time.time()
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            t_idle = time.time()
    kc.get_shell_msg(timeout=10)
    c.check(t_start is not None and t_idle is not None and t_idle - t_start > 0.05,
            "first line streamed before the cell finished (%s, %s)" % (t_start, t_idle))


def big_messages(kc, label):
    """Messages of megabytes between the engines (Open MPI's single-copy path) arrive whole."""
    r = parcenv.run(kc, "x = arange(2 * 10**6)\ny = redistribute(x, dist='c')\n"
                    "int(y.sum()), y.dist, int(x.sum())")
    c.check(not r.errors and r.text == "(1999999000000, ('c',), 1999999000000)",
            "%s: 16 MB redistributed to 'c' keeps every element: %r %r"
            % (label, r.text, r.errors))


def engine_env(kc, name):
    """The value of one environment variable in each engine's process, by rank."""
    parcenv.run(kc, "1")
    pids, _ = parcenv.engine_pids(kc)
    out = {}
    for rank, pid in pids.items():
        with open("/proc/%d/environ" % pid, "rb") as f:
            env = dict(e.split(b"=", 1) for e in f.read().split(b"\0") if b"=" in e)
        out[rank] = env.get(name.encode(), b"").decode()
    return out


sums = {}
for n in (1, 2, 3):
    km, kc = parcenv.start(engines=n)
    try:
        spec_cells(kc, n)
        sums[n] = seeded_sum(kc)
        if n == 2:
            syntax_error(kc, n)
            burst(kc)
            live_output(kc)
            big_messages(kc, "default single-copy setting")
            # a local job: shared memory only, no PCI scan (docs/engines.md, "Starting")
            for var, want in (("OMPI_MCA_btl", "self,vader"), ("OMPI_MCA_pml", "ob1"),
                              ("HWLOC_COMPONENTS", "-pci,-linuxio")):
                got = engine_env(kc, var)
                c.check(sorted(got) == [0, 1] and set(got.values()) == {want},
                        "local job's engines run with %s=%s: %r" % (var, want, got))
    finally:
        parcenv.stop(km, kc)
# A user's own single-copy and transport settings win over the kernel's choice; mpirun refuses
# a parameter given twice, so the kernel must not pass one of its own as well. A parameter
# whose name only starts with btl leaves the local btl default alone.
for extra, btl in ((" --mca btl_vader_single_copy_mechanism none", "self,vader"),
                   (" --mca btl_vader_single_copy_mechanism none --mca btl self,vader,tcp",
                    "self,vader,tcp")):
    user = os.environ.get("PARC_MPI_ARGS", "") + extra
    km, kc = parcenv.start(engines=2, env={"PARC_MPI_ARGS": user.strip()})
    try:
        big_messages(kc, "PARC_MPI_ARGS %r" % extra)
        got = engine_env(kc, "OMPI_MCA_btl")
        c.check(set(got.values()) == {btl}, "PARC_MPI_ARGS %r: btl %r" % (extra, got))
    finally:
        parcenv.stop(km, kc)
# A host list makes the job one that may span hosts: Open MPI's own transports then, no
# local settings of the kernel's.
km, kc = parcenv.start(engines=2, env={"PARC_MPI_ARGS": (os.environ.get("PARC_MPI_ARGS", "") +
                                                        " --host localhost:2").strip()})
try:
    big_messages(kc, "a job with a host list")
    for var in ("OMPI_MCA_btl", "OMPI_MCA_pml", "HWLOC_COMPONENTS"):
        got = engine_env(kc, var)
        c.check(sorted(got) == [0, 1] and set(got.values()) == {os.environ.get(var, "")},
                "a job with a host list keeps the environment's %s: %r" % (var, got))
finally:
    parcenv.stop(km, kc)
c.check(sums[1] is not None and sums[1] == sums[2] == sums[3],
        "random.seed(7) sum identical on 1, 2, 3 engines: %r" % sums)
c.done()
