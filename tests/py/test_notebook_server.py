"""The notebook server with the parc kernel, as a browser uses it: start `jupyter notebook`
headless on loopback, create a session with the parc kernelspec over the REST API, execute
a cell over the kernel's websocket (JSON messages, as the notebook page sends them), open
an unknown comm the way the widgets extension does, and shut the kernel down."""
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid

from tornado.ioloop import IOLoop
from tornado.websocket import websocket_connect

import parcenv

c = parcenv.Checker("notebook-server")
parcenv.install_kernelspec()
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
token = uuid.uuid4().hex
root = tempfile.mkdtemp(prefix="parc-nb-")
env = dict(os.environ, PARC_ENGINES="2", HOME=root)
server = subprocess.Popen(
    ["/usr/bin/jupyter", "notebook", "--no-browser", "--ip=127.0.0.1", "--port=%d" % port,
     "--NotebookApp.token=" + token, "--notebook-dir=" + root, "--allow-root"],
    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
base = "http://127.0.0.1:%d" % port


def api(method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": "token " + token,
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        data = r.read()
        return json.loads(data) if data else None


def message(msg_type, content, channel="shell"):
    return {"header": {"msg_id": uuid.uuid4().hex, "username": "test", "session": "s",
                       "msg_type": msg_type, "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "content": content, "channel": channel,
            "buffers": []}


async def talk(kernel_id):
    ws = await websocket_connect(base.replace("http", "ws") + "/api/kernels/%s/channels?token=%s"
                                 % (kernel_id, token))
    got = {"result": None, "comm_close": False, "stdout": ""}
    ex = message("execute_request", {"code": "x = arange(10)\nprint(x.sum())\nx * 2",
                                     "silent": False, "store_history": True,
                                     "user_expressions": {}, "allow_stdin": False,
                                     "stop_on_error": True})
    ws.write_message(json.dumps(ex))
    comm = message("comm_open", {"comm_id": uuid.uuid4().hex,
                                 "target_name": "jupyter.widget.control", "data": {}})
    ws.write_message(json.dumps(comm))
    deadline = time.time() + 60
    while time.time() < deadline and (got["result"] is None or not got["comm_close"]):
        raw = await ws.read_message()
        if raw is None:
            break
        m = json.loads(raw)
        t = m["msg_type"]
        if t == "execute_result":
            got["result"] = m["content"]["data"]["text/plain"]
        elif t == "stream":
            got["stdout"] += m["content"]["text"]
        elif t == "comm_close":
            got["comm_close"] = True
    ws.close()
    return got


try:
    for _ in range(100):
        try:
            api("GET", "/api/status")
            break
        except Exception:
            time.sleep(0.2)
    specs = api("GET", "/api/kernelspecs")
    c.check("parc" in specs["kernelspecs"], "the server lists the parc kernelspec")
    sess = api("POST", "/api/sessions", {"path": "t.ipynb", "type": "notebook",
                                         "kernel": {"name": "parc"}})
    kid = sess["kernel"]["id"]
    got = IOLoop.current().run_sync(lambda: talk(kid), timeout=90)
    c.eq(got["stdout"], "45\n", "print over the websocket")
    c.check(got["result"] is not None and got["result"].endswith("array([ 0,  2,  4,  6,  8, 10, 12, 14, 16, 18])"),
            "result over the websocket: %r" % got["result"])
    c.check(got["comm_close"], "an unknown comm is closed politely")
    api("DELETE", "/api/sessions/" + sess["id"])
    time.sleep(1)
    c.eq(api("GET", "/api/kernels"), [], "kernel gone after the session is deleted")
finally:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
c.done()
