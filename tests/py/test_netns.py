"""A second "host": the cluster path across a network, not only over loopback. The test makes
a network namespace and a veth pair with private addresses of its own (10.213.X.1 for the
kernel's side, 10.213.X.2 inside), starts the kernel in attach mode listening only on the
veth address (PARC_LAUNCH=0, PARC_BIND_HOST), and starts 2 and then 4 engines inside the
namespace (ip netns exec NS mpirun ... parc-engine --attach FILE), where the kernel's
address is reachable only through the veth pair. Cells run, global and %px; then every
process of the namespace is killed with SIGKILL in the middle of a cell and the death is
reported as an EngineError within 2 s. The namespace and the veth pair are removed whatever
happens. Without the rights to make a namespace the test says why and is skipped (exit 77).
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import parcenv

c = parcenv.Checker("netns")
ENGINE = os.environ.get("PARC_ENGINE") or os.path.join(parcenv.BUILD, "parc-engine")
PID = os.getpid()
NS = "parc-test-%d" % PID
VETH_K, VETH_E = "pk%d" % (PID % 10**8), "pe%d" % (PID % 10**8)  # under 16 bytes
NET = "10.213.%d" % (PID % 250)
KADDR, EADDR = NET + ".1", NET + ".2"


def ip(*args, ns=None, check=True):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + ["ip"] + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    if check and p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd), p.stderr.strip()))
    return p


def skip(why):
    print("SKIP: " + why)
    sys.exit(77)


def make_net():
    if os.geteuid() != 0:
        skip("making a network namespace needs root")
    if not shutil.which("ip"):
        skip("no ip command (Debian: apt-get install iproute2)")
    p = ip("netns", "add", NS, check=False)
    if p.returncode != 0:
        skip("this machine cannot make a network namespace: " + p.stderr.strip())
    ip("link", "add", VETH_K, "type", "veth", "peer", "name", VETH_E)
    ip("link", "set", VETH_E, "netns", NS)
    ip("addr", "add", KADDR + "/30", "dev", VETH_K)
    ip("link", "set", VETH_K, "up")
    ip("addr", "add", EADDR + "/30", "dev", VETH_E, ns=NS)
    ip("link", "set", VETH_E, "up", ns=NS)
    ip("link", "set", "lo", "up", ns=NS)


def ns_pids():
    p = subprocess.run(["ip", "netns", "pids", NS], capture_output=True, text=True, timeout=30)
    return [int(x) for x in p.stdout.split()]


def kill_ns():
    for pid in ns_pids():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def cleanup():
    kill_ns()
    deadline = time.time() + 10
    while ns_pids() and time.time() < deadline:
        time.sleep(0.1)
    ip("link", "del", VETH_K, check=False)  # deletes its peer too
    ip("netns", "del", NS, check=False)


def launch(attach, n):
    """mpirun -n n parc-engine --attach FILE inside the namespace."""
    return subprocess.Popen(
        ["ip", "netns", "exec", NS, "mpirun", "-n", str(n), "--oversubscribe", "--mca",
         "btl_vader_single_copy_mechanism", "none", ENGINE, "--attach", attach],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def across(kc, attach, n):
    job = launch(attach, n)
    try:
        c.check(parcenv.attached(kc, n),
                "%d engines in the namespace attach across the veth pair" % n)
        r = parcenv.run(kc, "%engines")
        pids = [int(p) for p in re.findall(r"^\d+ +\S+ +(\d+) ", r.stdout, re.M)]
        inside = set(ns_pids())
        c.check(len(pids) == n and all(p in inside for p in pids),
                "%d engines: %%engines lists the namespace's processes: %s" % (n, r.stdout))
        r = parcenv.run(kc, "x = arange(1000)\nx.sum()")
        c.eq(r.text, "499500", "%d engines: a global-view cell" % n)
        r = parcenv.run(kc, "x.localshapes")
        c.eq(r.text, str([(1000 // n,)] * n), "%d engines: the array is split over them" % n)
        r = parcenv.run(kc, "%px print(rank, allreduce(rank))")
        c.eq(r.stdout, "".join("[stdout:%d] %d %d\n" % (k, k, n * (n - 1) // 2)
                               for k in range(n)), "%d engines: %%px with an allreduce" % n)
        mid = kc.execute("sleep(30)")
        time.sleep(1.0)
        t0 = time.time()
        kill_ns()
        r = parcenv.collect(kc, mid, timeout=30)
        took = time.time() - t0
        c.check(took < 2.5, "%d engines: the namespace's death is noticed within 2 s (%.2f s)"
                % (n, took))
        c.check("EngineError" in r.traceback() and "attached engine died" in r.traceback(),
                "%d engines: reported as an EngineError: %s" % (n, r.traceback()))
        c.check("--attach " + attach in r.traceback(),
                "%d engines: the error says how to attach again: %s" % (n, r.traceback()))
        r = parcenv.run(kc, "%who")
        c.eq(r.stdout, "Interactive namespace is empty.\n", "%d engines: %%who forgets" % n)
    finally:
        try:
            os.killpg(job.pid, signal.SIGKILL)
        except OSError:
            pass
        job.wait(timeout=30)


try:
    make_net()
    d = tempfile.mkdtemp(prefix="parc-netns-")
    ATTACH = os.path.join(d, "attach")
    km, kc = parcenv.start(engines=2, env={"PARC_LAUNCH": "0", "PARC_ATTACH_FILE": ATTACH,
                                           "PARC_BIND_HOST": KADDR})
    try:
        addr = open(ATTACH).read()
        c.check("tcp://%s:" % KADDR in addr,
                "the kernel listens on the veth address only: %s" % addr.splitlines()[:2])
        for n in (2, 4):
            across(kc, ATTACH, n)
    finally:
        parcenv.stop(km, kc)
        shutil.rmtree(d, ignore_errors=True)
finally:
    cleanup()
c.check(subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.find(NS)
        < 0, "the namespace is gone")
c.check(ip("link", "show", VETH_K, check=False).returncode != 0, "the veth pair is gone")
c.done()
