"""Load and soak: the kernel under many cells, as a long notebook session puts it.

- 100 execute requests sent without waiting are answered in order, each with its result;
- 2,000 mixed cells (global arithmetic, arrays made and dropped, %px output, errors, magics,
  inspections): the kernel's and every engine's resident memory may grow by less than
  2 MiB from cell 200 to cell 2,000 (the figures are printed);
- a %%px cell printing 200,000 lines per engine arrives complete and in order, with the
  kernel's memory bounded while it streams;
- a 50 MB cell is refused with a clear error, and the kernel carries on.
Run with 2 engines."""
import os
import re
import threading
import time

import parcenv

c = parcenv.Checker("soak")
MIB = 1024 * 1024


def rss(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def engine_pids(kc):
    r = parcenv.run(kc, "%engines")
    pids = []
    for line in r.stdout.splitlines():
        m = re.match(r"\s*(\d+)\s+\S+\s+(\d+)\b", line)
        if m:
            pids.append(int(m.group(2)))
    return pids


def pipelined(kc, cells, timeout=300):
    """Sends every cell without waiting, then collects the replies; returns them in order."""
    ids = [kc.execute(code, stop_on_error=False) for code in cells]
    want = set(ids)
    replies = {}
    deadline = time.time() + timeout
    while len(replies) < len(ids) and time.time() < deadline:
        m = kc.get_shell_msg(timeout=max(1, deadline - time.time()))
        mid = m["parent_header"].get("msg_id")
        if mid in want:
            replies[mid] = m
    # drain iopub so the client does not hoard it
    order = []
    results = {}
    while True:
        try:
            m = kc.get_iopub_msg(timeout=0.2)
        except Exception:
            break
        mid = m["parent_header"].get("msg_id")
        if m["msg_type"] == "execute_result" and mid in want:
            results[mid] = m["content"]["data"]["text/plain"]
    return ids, replies, results


def queued(kc):
    cells = ["%d * 3" % i for i in range(100)]
    ids = [kc.execute(code) for code in cells]
    got = []
    deadline = time.time() + 120
    while len(got) < 100 and time.time() < deadline:
        m = kc.get_shell_msg(timeout=max(1, deadline - time.time()))
        if m["msg_type"] == "execute_reply":
            got.append(m["parent_header"]["msg_id"])
    c.check(got == ids, "100 queued executes answered in order")
    results = {}
    while len(results) < 100:
        try:
            m = kc.get_iopub_msg(timeout=2)
        except Exception:
            break
        if m["msg_type"] == "execute_result":
            results[m["parent_header"]["msg_id"]] = m["content"]["data"]["text/plain"]
    c.eq([results.get(i) for i in ids], [str(3 * i) for i in range(100)],
         "each queued cell has its own result")


MIXED = [
    "a = arange(1000) * {i}\nint(a.sum())",
    "b = random.rand(5000)\nb.mean() < 1",
    "%px print(rank, {i})",
    "del a\ndel b",
    "x = [1, 2, 3][{i} % 5]",          # i % 10 == 4 here, so index 4: an IndexError
    "%who",
    "c = ones((50, 20))\nc.localshapes",
    "%%px\nq = zeros(100) + rank\nq.sum()",
    "s = 'cell {i}'\ns",
    "c?",
]


def mixed_cell(i):
    return MIXED[i % len(MIXED)].replace("{i}", str(i))


def soak(km, kc):
    kpid = km.provisioner.process.pid
    epids = engine_pids(kc)
    c.check(len(epids) == 2, "two engine pids: %r" % epids)
    n, batch = int(os.environ.get("SOAK_CELLS", "2000")), 100
    marks = {}
    t0 = time.time()
    errors = 0
    for start in range(0, n, batch):
        ids, replies, _ = pipelined(kc, [mixed_cell(i) for i in range(start, start + batch)])
        errors += sum(1 for m in replies.values() if m["content"]["status"] == "error")
        c.check(len(replies) == batch, "batch at %d: every cell answered" % start)
        done = start + batch
        if done in (200, n):
            time.sleep(0.2)
            marks[done] = [rss(kpid)] + [rss(p) for p in epids]
    dt = time.time() - t0
    # the IndexError cell (every tenth, i % 10 == 4) is the only one that fails
    want_err = sum(1 for i in range(n) if i % 10 == 4 and i % 5 >= 3)
    c.eq(errors, want_err, "errors only where the cells raise")
    names = ["kernel"] + ["engine %d" % r for r in range(len(epids))]
    print("soak: %d mixed cells in %.1f s (%.2f ms per cell)" % (n, dt, dt * 1000 / n))
    for k, name in enumerate(names):
        a, b = marks[200][k], marks[n][k]
        if a is None or b is None:
            c.check(False, "%s RSS readable" % name)
            continue
        grow = b - a
        print("soak: %s RSS at cell 200: %.2f MiB, at cell %d: %.2f MiB, growth %+.3f MiB"
              % (name, a / MIB, n, b / MIB, grow / MIB))
        c.check(grow < 2 * MIB, "%s RSS grew %.3f MiB from cell 200 to %d" % (name, grow / MIB, n))
    r = parcenv.run(kc, "1 + 1")
    c.eq(r.text, "2", "the kernel answers after the soak")


def flood(km, kc):
    kpid = km.provisioner.process.pid
    base = rss(kpid)
    peak = [base]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            v = rss(kpid)
            if v and v > peak[0]:
                peak[0] = v
            time.sleep(0.02)

    th = threading.Thread(target=sample)
    th.start()
    lines = 200000
    t0 = time.time()
    r = parcenv.run(kc, "%%%%px\nfor i in range(%d):\n    print(i)" % lines, timeout=300)
    dt = time.time() - t0
    stop.set()
    th.join()
    got = {0: [], 1: []}
    bad = 0
    for line in r.stdout.splitlines():
        m = re.match(r"\[stdout:(\d)\] (\d+)$", line)
        if not m:
            bad += 1
            continue
        got[int(m.group(1))].append(int(m.group(2)))
    c.eq(bad, 0, "every streamed line is prefixed")
    for rank in (0, 1):
        c.check(got[rank] == list(range(lines)),
                "engine %d: all %d lines, in order (got %d)" % (rank, lines, len(got[rank])))
    text = len(r.stdout)
    growth = peak[0] - base
    print("flood: %d lines per engine (%.1f MB of text) in %.1f s; kernel RSS %.1f MiB -> "
          "peak %.1f MiB (+%.1f MiB)" % (lines, text / 1e6, dt, base / MIB, peak[0] / MIB,
                                       growth / MIB))
    # Bounded: the kernel holds at most the not-yet-live engine's text, never all of it
    # several times over.
    c.check(growth < 3 * text + 32 * MIB, "kernel RSS grew %.1f MiB for %.1f MB of output"
            % (growth / MIB, text / 1e6))


def huge(kc):
    code = "1 " * (25 * MIB)
    r = parcenv.run(kc, code, timeout=120)
    tb = r.traceback()
    c.eq(r.reply["content"]["status"], "error", "a 50 MB cell is refused")
    c.check("limit" in tb and "bytes" in tb, "the refusal says why: " + tb[:300])
    r = parcenv.run(kc, "2 + 2")
    c.eq(r.text, "4", "the kernel answers after a 50 MB cell")


km, kc = parcenv.start(engines=2)
try:
    queued(kc)
    soak(km, kc)
    flood(km, kc)
    huge(kc)
finally:
    parcenv.stop(km, kc)
c.done()
