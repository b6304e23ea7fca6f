"""Trivial-cell round trip: execute_request sent -> status idle received, median of N.

Measures, in the same run on the same machine:
  parc      the parc kernel with 2 engines (a global cell `1`, and `%px 1`)
  ipykernel Debian's python3 kernel (the same cell through the same client code)
  ipyparallel  a DirectView execute on 2 engines (what %px does), blocking
Each kernel is measured with two clients: jupyter_client (what front ends use; its Python
costs ~0.7 ms per request here) and a lean client (pyzmq, prebuilt signed frames) that shows
the kernel's own latency.
Usage: /usr/bin/python3 bench/roundtrip.py [N]   (PARC_BUILD selects the build; default build/)
"""
import hashlib
import hmac
import json
import os
import statistics
import sys
import time
import uuid

import zmq

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "py"))
import parcenv  # noqa: E402

parcenv.bench_deps()

N = int(sys.argv[1]) if __name__ == "__main__" and len(sys.argv) > 1 else 200


def roundtrips(kc, code, n):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        msg_id = kc.execute(code)
        while True:
            m = kc.get_iopub_msg(timeout=30)
            if (m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status"
                    and m["content"]["execution_state"] == "idle"):
                break
        times.append(time.perf_counter() - t0)
        kc.get_shell_msg(timeout=30)
    return statistics.median(times) * 1e3


def lean_roundtrips(info, code, n):
    """Raw pyzmq: one DEALER on shell, one SUB on iopub, frames signed with hmac; the median
    round trip in ms."""
    return statistics.median(lean_times(info, code, n)) * 1e3


def lean_times(info, code, n):
    """The n round trips (execute_request sent -> its idle received) in seconds, lean client."""
    ctx = zmq.Context.instance()
    addr = "%s://%s:" % (info["transport"], info["ip"])
    shell = ctx.socket(zmq.DEALER)
    shell.connect(addr + str(info["shell_port"]))
    iopub = ctx.socket(zmq.SUB)
    iopub.setsockopt(zmq.SUBSCRIBE, b"")
    iopub.connect(addr + str(info["iopub_port"]))
    time.sleep(0.3)
    key = info["key"]
    content = json.dumps({"code": code, "silent": False, "store_history": True,
                          "user_expressions": {}, "allow_stdin": False,
                          "stop_on_error": True}).encode()
    times = []
    for _ in range(n):
        mid = uuid.uuid4().hex
        head = json.dumps({"msg_id": mid, "session": "lean", "username": "bench",
                           "date": "2026-01-01T00:00:00.000000Z",
                           "msg_type": "execute_request", "version": "5.3"}).encode()
        parts = [head, b"{}", b"{}", content]
        sig = hmac.new(key, b"".join(parts), hashlib.sha256).hexdigest().encode()
        want = mid.encode()
        t0 = time.perf_counter()
        shell.send_multipart([b"<IDS|MSG>", sig] + parts)
        while True:
            f = iopub.recv_multipart()
            i = f.index(b"<IDS|MSG>")
            if want in f[i + 3] and b'"execution_state": "idle"' in f[i + 5].replace(b'":"', b'": "'):
                break
        times.append(time.perf_counter() - t0)
        shell.recv_multipart()
    shell.close(0)
    iopub.close(0)
    return times


def kernel_case(name, code, start):
    km, kc = start()
    try:
        roundtrips(kc, code, 20)  # warm up
        via_client = roundtrips(kc, code, N)
        kc.stop_channels()
        info = km.get_connection_info()
        lean_roundtrips(info, code, 20)
        return via_client, lean_roundtrips(info, code, N)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def ipykernel_start():
    from jupyter_client.manager import start_new_kernel
    return start_new_kernel(kernel_name="python3")


def ipp_times(dv, code, n):
    """n blocking DirectView.execute(code) round trips in seconds, after 20 to warm up."""
    for _ in range(20):
        dv.execute(code, block=True)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        dv.execute(code, block=True)
        times.append(time.perf_counter() - t0)
    return times


def ipyparallel_case():
    import ipyparallel as ipp
    cluster = ipp.Cluster(n=2, log_level=40)
    rc = cluster.start_and_connect_sync()
    try:
        rc.wait_for_engines(2, timeout=60)
        return statistics.median(ipp_times(rc[:], "1", N)) * 1e3, None
    finally:
        rc.close()
        cluster.stop_cluster_sync()


def main():
    rows = []
    parc = kernel_case("parc", "1", lambda: parcenv.start(engines=2))
    rows.append(("parc global cell `1` (2 engines)", parc))
    rows.append(("parc `%px 1` (2 engines)",
                 kernel_case("parc", "%px 1", lambda: parcenv.start(engines=2))))
    try:
        rows.append(("ipykernel `1`", kernel_case("ipykernel", "1", ipykernel_start)))
    except Exception as e:  # a missing baseline is reported, not fatal
        print("ipykernel baseline failed: %s" % e, file=sys.stderr)
    try:
        rows.append(("ipyparallel DirectView.execute (2 engines)", ipyparallel_case()))
    except Exception as e:
        print("ipyparallel baseline failed: %s" % e, file=sys.stderr)

    print("median round trip (execute_request -> idle) over %d requests, ms:" % N)
    print("  %-45s %16s %16s" % ("", "jupyter_client", "lean client"))
    for name, (jc, lean) in rows:
        col2 = "%8.3f (%4.1fx)" % (lean, lean / parc[1]) if lean is not None else "%16s" % "-"
        print("  %-45s %8.3f (%4.1fx) %s" % (name, jc, jc / parc[0], col2))


if __name__ == "__main__":
    main()
