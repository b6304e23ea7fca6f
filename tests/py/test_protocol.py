"""Raw-ZeroMQ protocol tests for parc-kernel (no jupyter_client in the loop).

Starts the kernel from a connection file written here and talks to it with pyzmq:
messages with a bad signature, missing frames, invalid JSON or an unknown msg_type are
dropped or answered, and the kernel still answers a good kernel_info_request afterwards;
the heartbeat echoes while a cell runs; comm_open is answered with comm_close; shutdown
leaves no parc-kernel, mpirun or parc-engine process behind. Prints "N passed, N failed".
"""
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import parcenv  # noqa: E402

KEY = uuid.uuid4().hex.encode()
SESSION = uuid.uuid4().hex
C = parcenv.Checker("test_protocol")


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def sign(parts):
    h = hmac.new(KEY, digestmod=hashlib.sha256)
    for p in parts:
        h.update(p)
    return h.hexdigest().encode()


def frames(msg_type, content=None, parent=None, msg_id=None):
    hdr = {"msg_id": msg_id or uuid.uuid4().hex, "msg_type": msg_type, "session": SESSION,
           "username": "test", "date": "2024-01-01T00:00:00.000000Z", "version": "5.3"}
    parts = [json.dumps(x).encode() for x in (hdr, parent or {}, {}, content or {})]
    return [b"<IDS|MSG>", sign(parts)] + parts, hdr["msg_id"]


def parse(fr):
    i = fr.index(b"<IDS|MSG>")
    sig, parts = fr[i + 1], fr[i + 2:i + 6]
    ok = hmac.compare_digest(sig, sign(parts))
    h, p, _, c = (json.loads(x) for x in parts)
    return {"header": h, "parent": p, "content": c, "msg_type": h["msg_type"], "sig_ok": ok}


class Kernel:
    def __init__(self, tmp, engines=2):
        self.ports = free_ports(5)
        names = ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"]
        info = dict(zip(names, self.ports), ip="127.0.0.1", transport="tcp",
                    signature_scheme="hmac-sha256", key=KEY.decode(), kernel_name="parc")
        self.cf = os.path.join(tmp, "kernel-test.json")
        with open(self.cf, "w") as f:
            json.dump(info, f)
        self.attach = os.path.join(tmp, "attach-%s.json" % uuid.uuid4().hex[:8])
        env = dict(os.environ, PARC_ENGINES=str(engines), PARC_ATTACH_FILE=self.attach)
        self.log = open(os.path.join(tmp, "kernel.log"), "w+")
        self.proc = subprocess.Popen([parcenv.KERNEL, "-f", self.cf], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.ctx = zmq.Context()
        ep = lambda port: "tcp://127.0.0.1:%d" % port
        self.shell = self.ctx.socket(zmq.DEALER)
        self.shell.setsockopt(zmq.IDENTITY, b"client-" + uuid.uuid4().hex[:6].encode())
        self.shell.connect(ep(info["shell_port"]))
        self.control = self.ctx.socket(zmq.DEALER)
        self.control.connect(ep(info["control_port"]))
        self.iopub = self.ctx.socket(zmq.SUB)
        self.iopub.setsockopt(zmq.SUBSCRIBE, b"")
        self.iopub.connect(ep(info["iopub_port"]))
        self.hb = self.ctx.socket(zmq.REQ)
        self.hb.connect(ep(info["hb_port"]))
        for s in (self.shell, self.control, self.iopub, self.hb):
            s.setsockopt(zmq.LINGER, 0)

    def send(self, sock, fr):
        sock.send_multipart(fr)

    def recv(self, sock, timeout=10):
        if sock.poll(int(timeout * 1000)):
            return parse(sock.recv_multipart())
        return None

    def request(self, sock, msg_type, content=None, timeout=10):
        fr, mid = frames(msg_type, content)
        self.send(sock, fr)
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self.recv(sock, deadline - time.time())
            if m and m["parent"].get("msg_id") == mid:
                return m
        return None

    def iopub_until_idle(self, mid, timeout=60):
        out, deadline = [], time.time() + timeout
        while time.time() < deadline:
            m = self.recv(self.iopub, deadline - time.time())
            if not m:
                break
            if m["parent"].get("msg_id") != mid:
                continue
            out.append(m)
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                break
        return out

    def close(self):
        for s in (self.shell, self.control, self.iopub, self.hb):
            s.close()
        self.ctx.term()


def processes_with(text):
    """pids whose command line mentions text (not this test)."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open("/proc/%s/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmd and state != "Z":
            out.append((int(pid), cmd))
    return out


def good_kernel_info(k, what):
    m = k.request(k.shell, "kernel_info_request")
    C.check(m is not None and m["msg_type"] == "kernel_info_reply",
            "kernel_info answered after %s" % what)
    return m


def parent_death(tmp):
    """A kernel whose parent process dies shuts itself down (and its engines)."""
    k = Kernel(tmp)  # writes the connection file; this kernel is shut down at once
    k.request(k.control, "shutdown_request", {"restart": False})
    k.proc.wait(30)
    k.close()
    env = dict(os.environ, PARC_ENGINES="1", PARC_ATTACH_FILE=k.attach)
    sh = subprocess.Popen(["/bin/sh", "-c", '"$0" -f "$1" >/dev/null 2>&1 & echo $!; sleep 3',
                           parcenv.KERNEL, k.cf], env=env, stdout=subprocess.PIPE)
    pid = int(sh.stdout.readline())
    sh.wait()
    deadline = time.time() + 20
    while time.time() < deadline and os.path.exists("/proc/%d" % pid):
        try:
            with open("/proc/%d/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    break
        except OSError:
            break
        time.sleep(0.2)
    gone = not processes_with(k.cf)
    C.check(gone, "kernel exits when its parent dies")
    if not gone:
        os.kill(pid, 9)
    time.sleep(1)
    C.check(not processes_with(k.attach), "no engines left after the parent died")


def main():
    tmp = tempfile.mkdtemp(prefix="parc-proto-")
    k = Kernel(tmp)
    try:
        m = good_kernel_info(k, "start")
        if m:
            c = m["content"]
            C.check(m["sig_ok"], "reply signature verifies")
            C.eq(c.get("protocol_version"), "5.3", "protocol_version")
            C.eq(c.get("implementation"), "parc", "implementation")
            C.eq(c.get("language_info", {}).get("name"), "parc", "language name")
            C.eq(c.get("language_info", {}).get("file_extension"), ".parc", "file_extension")
            C.eq(m["header"].get("version"), "5.3", "header version")
        m = k.request(k.control, "kernel_info_request")
        C.check(m is not None and m["msg_type"] == "kernel_info_reply", "kernel_info on control")

        # bad signature: dropped silently
        fr, mid = frames("kernel_info_request")
        fr[1] = b"0" * 64
        k.send(k.shell, fr)
        C.check(k.recv(k.shell, 1.0) is None, "bad signature gets no reply")
        good_kernel_info(k, "bad signature")
        # missing frames / no delimiter / garbage
        fr, _ = frames("kernel_info_request")
        k.send(k.shell, fr[:3])
        k.send(k.shell, [b"garbage"])
        k.send(k.shell, [b"<IDS|MSG>"])
        C.check(k.recv(k.shell, 1.0) is None, "truncated messages get no reply")
        good_kernel_info(k, "missing frames")
        # invalid JSON in content, with a usable header: an error reply
        hdr = {"msg_id": "bad-json", "msg_type": "execute_request", "session": SESSION,
               "username": "t", "version": "5.3"}
        parts = [json.dumps(hdr).encode(), b"{}", b"{}", b"{\"code\": "]
        k.send(k.shell, [b"<IDS|MSG>", sign(parts)] + parts)
        m = k.recv(k.shell, 5)
        C.check(m is not None and m["msg_type"] == "execute_reply"
                and m["content"].get("status") == "error", "invalid JSON content: error reply")
        # invalid JSON header: dropped
        parts = [b"{nope", b"{}", b"{}", b"{}"]
        k.send(k.shell, [b"<IDS|MSG>", sign(parts)] + parts)
        C.check(k.recv(k.shell, 1.0) is None, "invalid JSON header: dropped")
        good_kernel_info(k, "invalid JSON")
        # unknown msg_type
        m = k.request(k.shell, "frobnicate_request")
        C.check(m is not None and m["msg_type"] == "frobnicate_reply"
                and m["content"].get("status") == "error", "unknown *_request: error reply")
        k.send(k.shell, frames("frobnicate")[0])
        good_kernel_info(k, "unknown msg_type")

        # comm_open gets comm_close on iopub
        fr, mid = frames("comm_open", {"comm_id": "c-1", "target_name": "jupyter.widget",
                                       "data": {}})
        k.send(k.shell, fr)
        msgs = k.iopub_until_idle(mid, 10)
        closes = [x for x in msgs if x["msg_type"] == "comm_close"]
        C.check(len(closes) == 1 and closes[0]["content"].get("comm_id") == "c-1",
                "comm_open answered with comm_close")
        m = k.request(k.shell, "comm_info_request")
        C.check(m is not None and m["content"].get("comms") == {}, "comm_info: no comms")

        # iopub's order for a cell: busy, execute_input, what it shows, idle; for a cell that
        # runs on the engines, one the kernel refuses (a syntax error) and a kernel magic
        for code, shown in (("print(7)\n8", ["stream", "execute_result"]),
                            ("1 +* 2", ["error"]), ("%lsmagic", ["stream"])):
            fr, mid = frames("execute_request", {"code": code, "silent": False})
            k.send(k.shell, fr)
            msgs = k.iopub_until_idle(mid, 60)
            seq = [x["msg_type"] if x["msg_type"] != "status" else
                   x["content"]["execution_state"] for x in msgs]
            C.eq(seq, ["busy", "execute_input"] + shown + ["idle"], "iopub order for %r" % code)
            C.check(k.recv(k.shell, 10) is not None, "execute_reply for %r" % code)

        # heartbeat while a cell runs
        code = os.environ.get("PARC_SLOW_CELL",
                              "x = random.rand(4000000)\nfor i in range(40):\n    x = sqrt(x * x + 1)\n")
        fr, mid = frames("execute_request", {"code": code, "silent": False,
                                             "store_history": True, "user_expressions": {},
                                             "allow_stdin": False, "stop_on_error": True})
        k.send(k.shell, fr)
        echoes, t0 = 0, time.time()
        for i in range(5):
            k.hb.send(b"ping-%d" % i)
            if k.hb.poll(3000) and k.hb.recv() == b"ping-%d" % i:
                echoes += 1
        C.eq(echoes, 5, "heartbeat echoes while a cell runs")
        # Shell requests are answered in arrival order per client: this socket's
        # kernel_info waits for its execute_reply; another client's is answered at once.
        kfr, kmid = frames("kernel_info_request")
        k.send(k.shell, kfr)
        other = k.ctx.socket(zmq.DEALER)
        other.setsockopt(zmq.LINGER, 0)
        other.setsockopt(zmq.IDENTITY, b"other-" + uuid.uuid4().hex[:6].encode())
        other.connect("tcp://127.0.0.1:%d" % k.ports[0])
        m = k.request(other, "kernel_info_request", timeout=5)
        C.check(m is not None, "another client's kernel_info answered while a cell runs")
        other.close()
        msgs = k.iopub_until_idle(mid, 300)
        states = [x["content"]["execution_state"] for x in msgs if x["msg_type"] == "status"]
        C.check(states[:1] == ["busy"] and states[-1:] == ["idle"], "busy ... idle around execute")
        order = []
        deadline = time.time() + 60
        while time.time() < deadline and len(order) < 2:
            x = k.recv(k.shell, 5)
            if x and x["parent"].get("msg_id") in (mid, kmid):
                order.append(x["msg_type"])
        C.eq(order, ["execute_reply", "kernel_info_reply"],
             "shell replies in arrival order on one socket")

        # a cell over 16 MB is refused with a clear error
        m = k.request(k.shell, "execute_request", {"code": "1 " * (9 << 20), "silent": False},
                      timeout=60)
        C.check(m is not None and m["content"].get("status") == "error"
                and "limit" in m["content"].get("evalue", ""), "huge cell: error reply")

        # 100 execute requests sent without waiting are answered in order
        mids = []
        for i in range(100):
            fr, mid = frames("execute_request", {"code": "%d" % i, "silent": False,
                                                 "store_history": True, "user_expressions": {},
                                                 "allow_stdin": False, "stop_on_error": True})
            k.send(k.shell, fr)
            mids.append(mid)
        got = []
        deadline = time.time() + 300
        while len(got) < 100 and time.time() < deadline:
            x = k.recv(k.shell, 10)
            if x and x["msg_type"] == "execute_reply":
                got.append(x["parent"].get("msg_id"))
        C.check(got == mids, "100 queued execute requests answered in order")

        # shutdown: the kernel exits and leaves nothing behind
        m = k.request(k.control, "shutdown_request", {"restart": False})
        C.check(m is not None and m["content"].get("status") == "ok", "shutdown_reply ok")
        try:
            rc = k.proc.wait(30)
        except subprocess.TimeoutExpired:
            rc = None
        C.eq(rc, 0, "kernel exits 0 after shutdown")
        time.sleep(1)
        left = processes_with(k.attach) + processes_with(k.cf)
        C.check(not left, "no engine or mpirun left behind: %r" % left)
        parent_death(tmp)
    finally:
        if k.proc.poll() is None:
            k.proc.kill()
            k.proc.wait()
        k.close()
        k.log.seek(0)
        log = k.log.read()
        if C.failed:
            sys.stderr.write("---- kernel log ----\n" + log[-4000:])
    C.done()


if __name__ == "__main__":
    main()
