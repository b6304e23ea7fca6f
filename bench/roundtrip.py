"""Trivial-cell round trip: execute_request sent -> status idle received, median of N.

Measures, in the same run on the same machine:
  parc      the parc kernel with 2 engines (a global cell `1`, and `%px 1`)
  ipykernel Debian's python3 kernel (the same cell through the same client code)
  ipyparallel  a DirectView execute on 2 engines (what %px does), blocking
Usage: /usr/bin/python3 bench/roundtrip.py [N]   (PARC_BUILD selects the build; default build/)
"""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "py"))
import parcenv  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200


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


def kernel_case(name, code, start):
    km, kc = start()
    try:
        roundtrips(kc, code, 20)  # warm up
        return roundtrips(kc, code, N)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def ipykernel_start():
    from jupyter_client.manager import start_new_kernel
    return start_new_kernel(kernel_name="python3")


def ipyparallel_case():
    import ipyparallel as ipp
    cluster = ipp.Cluster(n=2, log_level=40)
    rc = cluster.start_and_connect_sync()
    try:
        rc.wait_for_engines(2, timeout=60)
        dv = rc[:]
        for _ in range(20):
            dv.execute("1", block=True)
        times = []
        for _ in range(N):
            t0 = time.perf_counter()
            dv.execute("1", block=True)
            times.append(time.perf_counter() - t0)
        return statistics.median(times) * 1e3
    finally:
        rc.close()
        cluster.stop_cluster_sync()


rows = []
parc = kernel_case("parc", "1", lambda: parcenv.start(engines=2))
rows.append(("parc global cell `1` (2 engines)", parc))
rows.append(("parc `%px 1` (2 engines)", kernel_case("parc", "%px 1", lambda: parcenv.start(engines=2))))
try:
    rows.append(("ipykernel `1`", kernel_case("ipykernel", "1", ipykernel_start)))
except Exception as e:  # a missing baseline is reported, not fatal
    print("ipykernel baseline failed: %s" % e, file=sys.stderr)
try:
    rows.append(("ipyparallel DirectView.execute (2 engines)", ipyparallel_case()))
except Exception as e:
    print("ipyparallel baseline failed: %s" % e, file=sys.stderr)

print("median round trip over %d requests:" % N)
for name, ms in rows:
    print("  %-45s %8.3f ms   (%.1fx parc)" % (name, ms, ms / parc))
