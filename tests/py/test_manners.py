"""Front-end manners through the kernel as a front end drives it: interrupts (message and signal
mode) stop a long cell on every engine and keep the variables; input() over stdin; a
killed engine is reported with its rank and signal and the pool comes back; the ipc
transport; %engines, %who, %time; shutdown in the middle of a cell leaves nothing running."""
import os
import signal
import subprocess
import time

import parcenv

c = parcenv.Checker("manners")
LONG = "while True:\n    spin = spin + 1"


def interrupted(km, kc, how, tag):
    parcenv.run(kc, "keep = arange(5)\nspin = 0")
    msg_id = kc.execute(LONG)
    r, dt = parcenv.interrupt_after(km, kc, msg_id, 1.5, how)
    c.check(dt < 2.0, tag + "interrupt took %.2f s" % dt)
    c.check("KeyboardInterrupt" in r.traceback(), tag + "KeyboardInterrupt: " + r.traceback())
    r = parcenv.run(kc, "sum(keep)")
    c.eq(r.text, "10", tag + "variables intact after the interrupt")
    r = parcenv.run(kc, "%px rank")
    c.eq(len(r.displays), 2, tag + "every engine answers after the interrupt")


def dead_engine(kc):
    pids, text = parcenv.engine_pids(kc)
    c.check(set(pids) == {0, 1}, "%engines lists rank and pid: " + text)
    if 1 not in pids:
        return
    msg_id = kc.execute(LONG)
    time.sleep(1.0)
    os.kill(pids[1], signal.SIGKILL)
    r = parcenv.collect(kc, msg_id, timeout=60)
    tb = r.traceback()
    c.check("engine 1" in tb and ("signal 9" in tb or "Killed" in tb),
            "dead engine named with rank and signal: " + tb)
    r = parcenv.run(kc, "%who")
    c.check("big" not in r.stdout and "empty" in r.stdout,
            "%who forgets the dead engines' variables: " + r.stdout)
    m = kc.complete("bi", 2)
    r = kc.get_shell_msg(timeout=10)
    c.check("big" not in r["content"]["matches"], "completion forgets them too: %r"
            % r["content"]["matches"])
    r = parcenv.run(kc, "%engines restart")
    r = parcenv.run(kc, "1 + 1")
    c.eq(r.text, "2", "the pool works again after a restart")
    newpids, _ = parcenv.engine_pids(kc)
    c.check(len(newpids) == 2 and newpids.get(1) != pids[1], "new engines: %r" % newpids)
    parcenv.run(kc, "fresh = 1")
    parcenv.run(kc, "%engines restart")
    r = parcenv.run(kc, "%whos")
    c.check("fresh" not in r.stdout, "%whos forgets the variables after a restart: " + r.stdout)


def stdin(kc):
    r = parcenv.run(kc, "name = input('who? ')\nname + '!'", allow_stdin=True,
                    stdin_answer="parc")
    c.eq(r.text, "'parc!'", "input() answered over stdin")
    r = parcenv.run(kc, "input('x')", allow_stdin=False)
    c.check("stdin" in r.traceback(), "input() without stdin is a clear error: " + r.traceback())


def magics(kc):
    parcenv.run(kc, "big = zeros((100, 4))\nsmall = 3")
    r = parcenv.run(kc, "%who")
    c.check("big" in r.stdout and "small" in r.stdout, "%who: " + r.stdout)
    r = parcenv.run(kc, "%whos")
    c.check("(100, 4)" in r.stdout and "float64" in r.stdout, "%whos: " + r.stdout)
    r = parcenv.run(kc, "%time s = sum(random.rand(10**6))")
    c.check("Wall time" in r.stdout, "%time: " + r.stdout)
    r = parcenv.run(kc, "%lsmagic")
    c.check("%px" in (r.stdout + "".join(r.results)), "%lsmagic")
    r = parcenv.run(kc, "%nosuchmagic")
    c.check("UsageError" in r.traceback(), "unknown magic: " + r.traceback())
    r = parcenv.run(kc, "%px --targets 1 print(rank)")
    c.eq(r.stdout, "[stdout:1] 1\n", "%px --targets")


def leftovers(marker):
    out = subprocess.run(["ps", "-eo", "pid,stat,args"], capture_output=True, text=True).stdout
    return [l for l in out.splitlines() if marker in l and " Z" not in l and "ps -eo" not in l]


# message-mode interrupt, stdin, magics, a dead engine
km, kc = parcenv.start(engines=2)
try:
    interrupted(km, kc, "message", "[message] ")
    stdin(kc)
    magics(kc)
    dead_engine(kc)
finally:
    parcenv.stop(km, kc)

# signal mode: jupyter_client's SIGINT goes to the kernel's whole process group
km, kc = parcenv.start(engines=2, interrupt_mode="signal")
try:
    interrupted(km, kc, "signal", "[signal] ")
finally:
    parcenv.stop(km, kc)

# ipc transport
from jupyter_client.manager import KernelManager  # noqa: E402
parcenv.install_kernelspec()
km = KernelManager(kernel_name="parc", transport="ipc")
km.start_kernel(env=dict(os.environ, PARC_ENGINES="2"))
kc = km.client()
kc.start_channels()
try:
    kc.wait_for_ready(timeout=60)
    r = parcenv.run(kc, "sum(ones(10))")
    c.eq(r.text, "10.0", "ipc transport")
finally:
    parcenv.stop(km, kc)

# shutdown while a cell runs: obeyed, and nothing is left behind
ATTACH = "/tmp/parc-manners-attach-%d.txt" % os.getpid()  # unique: suites may run side by side
km, kc = parcenv.start(engines=2, env={"PARC_ATTACH_FILE": ATTACH})
kc.execute(LONG)
time.sleep(1.0)
t0 = time.time()
km.shutdown_kernel(now=False)
dt = time.time() - t0
kc.stop_channels()
time.sleep(0.5)
c.check(dt < 10, "shutdown mid-cell took %.1f s" % dt)
left = leftovers(os.path.basename(ATTACH))
c.check(not left, "no engine left after shutdown: %r" % left)
c.done()
