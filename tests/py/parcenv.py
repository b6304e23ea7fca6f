"""Shared helpers for parc's end-to-end tests.

Installs a throw-away kernelspec named "parc" that points at the build under test
(PARC_BUILD, default ../../build), so tests never depend on what the user installed, and
offers start()/run() to drive the kernel through jupyter_client the way a front end does.
"""
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("PARC_SOURCE") or os.path.abspath(os.path.join(HERE, "..", ".."))
BUILD = os.path.abspath(os.environ.get("PARC_BUILD") or os.path.join(SOURCE, "build"))
KERNEL = os.path.join(BUILD, "parc-kernel")

for k, v in (("OMPI_ALLOW_RUN_AS_ROOT", "1"), ("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")):
    os.environ.setdefault(k, v)

_ksdir = None

# estimate_pi as the DistArray seed writes it (bench/speed.py times it, test_lazy.py checks
# that it makes none of its arrays)
SEED_PI = """def estimate_pi(n):
    x = random.rand(n)
    y = random.rand(n)
    inside = hypot(x, y) <= 1.
    return 4. * inside.sum() / n
"""


def bench_deps():
    """The Debian packages the benchmarks measure against (mpi4py, ipyparallel, matplotlib)
    besides the test suite's: scripts/deps.sh installs what is missing when run as root, else
    prints the apt-get line, and the benchmark stops."""
    r = subprocess.run(["bash", os.path.join(SOURCE, "scripts", "deps.sh"), "bench"])
    if r.returncode:
        sys.exit(r.returncode)


def install_kernelspec(interrupt_mode="message"):
    """Writes kernels/parc/kernel.json under a temp dir and puts it first on JUPYTER_PATH."""
    global _ksdir
    if _ksdir is None:
        _ksdir = tempfile.mkdtemp(prefix="parc-ks-")
    ks = os.path.join(_ksdir, "kernels", "parc")
    os.makedirs(ks, exist_ok=True)
    spec = {
        "argv": [KERNEL, "-f", "{connection_file}"],
        "display_name": "parc (test build)",
        "language": "parc",
        "interrupt_mode": interrupt_mode,
    }
    # Written whole and renamed into place: kernels started from several threads read it
    # while another thread installs it again.
    tmp = os.path.join(ks, "kernel.json.%d.%d" % (os.getpid(), threading.get_ident()))
    with open(tmp, "w") as f:
        json.dump(spec, f)
    os.replace(tmp, os.path.join(ks, "kernel.json"))
    os.environ["JUPYTER_PATH"] = _ksdir + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    return _ksdir


def start(engines=2, interrupt_mode="message", env=None, timeout=60, stderr=None):
    """Starts a parc kernel with `engines` engines; returns (km, kc), kc ready. stderr: a file
    for the kernel's stderr (default: this process's)."""
    from jupyter_client.manager import KernelManager
    install_kernelspec(interrupt_mode)
    km = KernelManager(kernel_name="parc")
    e = dict(os.environ)
    e["PARC_ENGINES"] = str(engines)
    if env:
        e.update(env)
    km.start_kernel(env=e, stderr=stderr)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=timeout)
    return km, kc


def stop(km, kc):
    try:
        kc.stop_channels()
    finally:
        km.shutdown_kernel(now=False)


def best_of(f, runs):
    """The shortest of `runs` timings of f(), in seconds (the benchmarks' figure)."""
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


# What warm=True does before the timed runs: one untimed run of the cell, then this many
# seconds of rest, in which the engines compile its fused loops in the background (their
# compilers run only on idle cores: docs/engines.md, "Compiled loops").
WARM_REST = 0.5


def warm_up(kc, code, timeout=3600):
    r = run(kc, code, timeout=timeout)
    assert not r.errors, r.traceback()
    time.sleep(WARM_REST)


def best_cell(kc, code, runs, timeout=3600, warm=False):
    """The shortest of `runs` round trips of code (execute_request to idle), in seconds;
    an error in the cell fails the caller. warm: after warm_up (steady state)."""
    if warm:
        warm_up(kc, code, timeout)
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        r = run(kc, code, timeout=timeout)
        best = min(best, time.perf_counter() - t)
        assert not r.errors, r.traceback()
    return best


def best_cell_peak(kc, pids, code, runs, timeout=3600, warm=False):
    """best_cell of code, and the largest ratio over the processes pids (the engines) of
    peak RSS during those runs to the RSS each held before them."""
    held = {p: proc_bytes(p, "VmRSS") for p in pids}
    reset_peaks(pids)
    t = best_cell(kc, code, runs, timeout, warm)
    return t, max(proc_bytes(p, "VmHWM") / held[p] for p in pids)


def time_rows(rows, runs, engines=2, prologue="", warm=False):
    """Starts `engines` engines, runs prologue, then for each row (name, setup, statement[,
    cleanup]) its setup, best_cell_peak of its statement (warm: best_cell's) and its cleanup;
    stops the engines.
    Returns ({name: seconds}, {name: engine peak/held})."""
    km, kc = start(engines=engines)
    out, ratio = {}, {}
    try:
        attached(kc, engines)
        if prologue:
            run(kc, prologue)
        pids, _ = engine_pids(kc)
        for name, setup, stmt, *cleanup in rows:
            if setup:
                r = run(kc, setup, timeout=3600)
                assert not r.errors, r.traceback()
            out[name], ratio[name] = best_cell_peak(kc, pids.values(), stmt, runs, warm=warm)
            if cleanup and cleanup[0]:
                run(kc, cleanup[0])
    finally:
        stop(km, kc)
    return out, ratio


def reset_peaks(pids):
    """Starts each process's peak RSS (VmHWM) again from its current RSS."""
    for p in pids:
        with open("/proc/%d/clear_refs" % p, "w") as f:
            f.write("5")


def proc_bytes(pid, key):
    """A size field of /proc/PID/status (VmRSS, VmHWM, ...) in bytes; 0 when absent."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    return 0


def timed(kc):
    """Stamps each iopub message kc receives with its arrival time (m["_t"])."""
    get = kc.get_iopub_msg

    def get_timed(*a, **kw):
        m = get(*a, **kw)
        m["_t"] = time.time()
        return m
    kc.get_iopub_msg = get_timed


class Result:
    """Everything iopub said about one execute request, plus the reply."""

    def __init__(self):
        self.reply = None
        self.stdout = ""
        self.stderr = ""
        self.streams = []   # (name, text) in arrival order
        self.results = []   # text/plain of execute_result
        self.displays = []  # text/plain of display_data (not the live area)
        self.live = []      # the live area's messages: display_data, update_display_data
        self.errors = []    # error contents (ename, evalue, traceback)
        self.msgs = []

    @property
    def text(self):
        return self.results[-1] if self.results else None

    def traceback(self):
        return "\n".join("\n".join(e["traceback"]) for e in self.errors)

    def add(self, m):
        """Takes one iopub message of this request; True when it is the closing idle."""
        self.msgs.append(m)
        t, c = m["msg_type"], m["content"]
        if t == "stream":
            self.streams.append((c["name"], c["text"]))
            if c["name"] == "stdout":
                self.stdout += c["text"]
            else:
                self.stderr += c["text"]
        elif t == "execute_result":
            self.results.append(c["data"].get("text/plain", ""))
        elif t in ("display_data", "update_display_data") and \
                c.get("transient", {}).get("display_id", "").startswith("parc-live-"):
            self.live.append(m)
        elif t == "display_data":
            self.displays.append(c["data"].get("text/plain", ""))
        elif t == "error":
            self.errors.append(c)
        elif t == "status" and c["execution_state"] == "idle":
            return True
        return False


def run(kc, code, timeout=120, allow_stdin=False, stdin_answer=None, **kw):
    """Executes code and collects iopub output until the kernel goes idle."""
    msg_id = kc.execute(code, allow_stdin=allow_stdin, **kw)
    return collect(kc, msg_id, timeout, stdin_answer)


def attached(kc, n, timeout=60):
    """Waits until n engines answer a %px cell (attach mode: a launcher started them)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = run(kc, "%px rank")
        if r.reply["content"]["status"] == "ok" and len(r.displays) == n:
            return True
        time.sleep(0.5)
    return False


def engine_pids(kc):
    """{rank: pid} from %engines, and its text."""
    r = run(kc, "%engines")
    text = r.stdout + "".join(r.results)
    pids = {}
    for line in text.splitlines():
        m = re.match(r"\s*(\d+)\s+\S+\s+(\d+)\b", line)
        if m:
            pids[int(m.group(1))] = int(m.group(2))
    return pids, text


def interrupt_after(km, kc, msg_id, delay, how="message", timeout=30):
    """Waits delay seconds into the running request msg_id, interrupts the kernel (an
    interrupt_request, or SIGINT to its process group as jupyter_client's signal mode does)
    and collects the request; returns (result, seconds from the interrupt to idle)."""
    time.sleep(delay)
    t0 = time.time()
    if how == "message":
        km.interrupt_kernel()
    else:
        os.killpg(os.getpgid(km.provisioner.process.pid), signal.SIGINT)
    r = collect(kc, msg_id, timeout=timeout)
    return r, time.time() - t0


def collect(kc, msg_id, timeout=120, stdin_answer=None):
    r = Result()
    deadline = time.time() + timeout
    idle = False
    while not idle:
        left = deadline - time.time()
        if left <= 0:
            raise TimeoutError("no idle from the kernel within %ss" % timeout)
        if stdin_answer is not None:
            try:
                m = kc.get_stdin_msg(timeout=0.01)
                if m["msg_type"] == "input_request":
                    kc.input(stdin_answer)
            except queue.Empty:
                pass
        try:
            m = kc.get_iopub_msg(timeout=min(left, 0.1))
        except queue.Empty:
            continue
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        idle = r.add(m)
    r.reply = kc.get_shell_msg(timeout=max(1, deadline - time.time()))
    while r.reply["parent_header"].get("msg_id") != msg_id:
        r.reply = kc.get_shell_msg(timeout=max(1, deadline - time.time()))
    return r


class Checker:
    """Counts checks and prints the closing line ctest and CI read."""

    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: %s" % what, file=sys.stderr)
        return cond

    def eq(self, got, want, what):
        return self.check(got == want, "%s: got %r, want %r" % (what, got, want))

    def done(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)
