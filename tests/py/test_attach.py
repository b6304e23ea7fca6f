"""Attach (cluster) mode as a person meets it: the kernel only listens (PARC_LAUNCH=0), a
launcher started by this test (mpirun ... parc-engine --attach FILE) attaches 2 and then 4
engines, cells run; an engine killed with SIGKILL in the middle of a cell, and another one
while the engines are idle, is reported within 2 s as an EngineError that says what to do,
%who forgets the dead job's names, %engines restart says how to start engines in attach
mode, and a new job attaches and runs."""
import os
import re
import signal
import subprocess
import tempfile
import time

import parcenv

c = parcenv.Checker("attach")
ENGINE = os.environ.get("PARC_ENGINE") or os.path.join(parcenv.BUILD, "parc-engine")


def launcher(attach, n):
    """Starts mpirun -n n parc-engine --attach FILE in a session of its own."""
    return subprocess.Popen(
        ["mpirun", "-n", str(n), "--oversubscribe", "--mca", "btl_vader_single_copy_mechanism",
         "none", ENGINE, "--attach", attach],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def stop_launcher(job):
    try:
        os.killpg(job.pid, signal.SIGKILL)
    except OSError:
        pass
    job.wait(timeout=30)


def engine_pids(kc):
    return [int(p) for p in re.findall(r"^\d+ +\S+ +(\d+) ", parcenv.run(kc, "%engines").stdout,
                                       re.M)]


def attach_mode(kc, attach):
    r = parcenv.run(kc, "1 + 1")
    c.check("EngineError" in r.traceback() and "--attach " + attach in r.traceback(),
            "a cell before any engine attached says how to attach: " + r.traceback())
    for n in (2, 4):
        job = launcher(attach, n)
        try:
            c.check(parcenv.attached(kc, n), "%d engines attach and answer" % n)
            parcenv.run(kc, "x = arange(10)")
            pids = engine_pids(kc)
            c.eq(len(pids), n, "%%engines lists the %d attached engines" % n)
            if len(pids) != n:
                continue
            # a death in the middle of a cell
            mid = kc.execute("sleep(30)")
            time.sleep(1.0)
            t0 = time.time()
            os.kill(pids[n - 1], signal.SIGKILL)
            r = parcenv.collect(kc, mid, timeout=30)
            took = time.time() - t0
            c.check(took < 2.5, "the death is noticed within 2 s (%.2f s)" % took)
            c.check("EngineError" in r.traceback() and "attached engine died" in r.traceback(),
                    "reported as an EngineError: " + r.traceback())
            c.check("parc-engine --attach " + attach in r.traceback(),
                    "the error says what to do: " + r.traceback())
            r = parcenv.run(kc, "%who")
            c.eq(r.stdout, "Interactive namespace is empty.\n", "%who forgets the dead job")
            r = parcenv.run(kc, "%engines restart")
            c.check("attach mode" in r.stdout and "--attach " + attach in r.stdout,
                    "%engines restart says how to start engines: " + r.stdout)
        finally:
            stop_launcher(job)
    # a death while idle, then a new job
    job = launcher(attach, 2)
    try:
        c.check(parcenv.attached(kc, 2), "a new job attaches after the deaths")
        pids = engine_pids(kc)
        if pids:
            os.kill(pids[0], signal.SIGKILL)
            time.sleep(2.0)
            t0 = time.time()
            r = parcenv.run(kc, "1 + 1")
            c.check(time.time() - t0 < 1.0 and "EngineError" in r.traceback(),
                    "a death while idle was noticed: the next cell fails at once: " +
                    r.traceback())
    finally:
        stop_launcher(job)


d = tempfile.mkdtemp(prefix="parc-attach-")
ATTACH = os.path.join(d, "attach")
km, kc = parcenv.start(engines=2, env={"PARC_LAUNCH": "0", "PARC_ATTACH_FILE": ATTACH})
try:
    attach_mode(kc, ATTACH)
finally:
    parcenv.stop(km, kc)
c.done()
