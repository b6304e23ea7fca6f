"""A subscriber that stops reading iopub (a stalled browser tab) loses messages, not the
kernel's memory (issue 11): iopub has a send high-water mark and stream text is coalesced
into few, bounded messages. A second SUB connects and never reads while a cell prints
32 MiB; the kernel's resident memory must stay far below that, and a reader that keeps up
still gets every byte and the final idle."""
import json
import threading
import time

import zmq

import parcenv

c = parcenv.Checker("iopub_hwm")
LINE = 16383          # bytes per print (plus the newline)
COUNT = 2000          # prints: 32 MiB in all
# messages queued per subscriber (the default is ZeroMQ's 1000); with 50, a reader that
# keeps up but whose I/O thread waited for the CPU under a parallel ctest once lost one
# message. 100 leaves it twice that slack; the stalled subscriber's queue costs the kernel
# about 8 MiB then (7 with 50, 14 with 200), under the check's 16.
HWM = 100


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


km, kc = parcenv.start(engines=1, env={"PARC_IOPUB_HWM": str(HWM)})
try:
    pid = km.provisioner.process.pid
    info = km.get_connection_info()
    addr = "tcp://%s:%d" % (info["ip"], info["iopub_port"])
    ctx = zmq.Context.instance()
    stalled = ctx.socket(zmq.SUB)
    stalled.setsockopt(zmq.SUBSCRIBE, b"")
    stalled.setsockopt(zmq.RCVBUF, 4096)  # it never reads: keep its share of buffers small
    stalled.setsockopt(zmq.RCVHWM, 1)
    stalled.connect(addr)
    reader = ctx.socket(zmq.SUB)
    reader.setsockopt(zmq.SUBSCRIBE, b"")
    # keeping up is the socket's job: its I/O thread drains the kernel's queue into this
    # process even while this thread waits for the CPU on a loaded machine (with ZeroMQ's
    # default of 1000 queued here a parallel ctest once made it drop one message)
    reader.setsockopt(zmq.RCVHWM, 0)
    reader.connect(addr)
    r = parcenv.run(kc, "s = 'x' * %d" % LINE)
    c.check(not r.errors, "set up: " + r.traceback())
    time.sleep(0.5)  # both subscriptions have reached the kernel
    base = rss_mib(pid)

    got = {"x": 0, "idle": False, "peak": base}
    want_id = []

    def read():
        """A reader that keeps up: counts the x's of the cell's streams until its idle."""
        deadline = time.time() + 120
        while time.time() < deadline and not got["idle"]:
            got["peak"] = max(got["peak"], rss_mib(pid))
            if not reader.poll(100):
                continue
            frames = reader.recv_multipart()
            header, parent, body = frames[-4], frames[-3], frames[-1]
            if not want_id or want_id[0].encode() not in parent:
                continue
            kind = json.loads(header)["msg_type"]
            if kind == "stream":
                got["x"] += json.loads(body)["text"].count("x")
            elif kind == "status" and json.loads(body)["execution_state"] == "idle":
                got["idle"] = True

    t = threading.Thread(target=read)
    t.start()
    want_id.append(kc.execute("for i in range(%d):\n    print(s)\nprint('done')" % COUNT))
    reply = kc.get_shell_msg(timeout=120)
    t.join(130)
    c.eq(reply["content"]["status"], "ok", "the cell ran")
    c.check(got["idle"], "the reader saw the cell go idle")
    c.eq(got["x"], LINE * COUNT, "the reader that keeps up got every byte")
    grew = got["peak"] - base
    print("kernel RSS %.1f MiB before, peak %.1f MiB (+%.1f) while printing %d MiB"
          % (base, got["peak"], grew, LINE * COUNT >> 20))
    c.check(grew < 16, "the stalled subscriber costs the kernel %.1f MiB (< 16)" % grew)
    r = parcenv.run(kc, "print('still here')")
    c.eq(r.stdout, "still here\n", "the kernel carries on")
    stalled.close(0)
    reader.close(0)
finally:
    parcenv.stop(km, kc)
c.done()
