"""save/load of N float64 (default 10**8, 800 MB) on 2 engines against NumPy's np.save and
np.load in this process and against dd moving the same bytes, all on the same disk (the
folder given, default a temporary folder in /tmp), in one run.

Rows, each the best of R runs (default 3), seconds:
  save      parc save(f, x) (execute_request to idle, from the client) | np.save(f, a) |
            dd if=/dev/zero of=f bs=1M (the file's size)
  load      parc x = load(f) | a = np.load(f) | dd if=f of=/dev/null bs=1M
  save+sync the same saves followed by sync(1) of the file (parc and NumPy: os.fsync of the
            file after the call; dd: conv=fdatasync), so the data reached the disk
Plain save and load run through the page cache (the file was just written, so load reads
memory, and a save returns once the data is in the cache), which is what a notebook sees;
save+sync adds the time to put it on the disk. MB/s is 8 * N / 1e6 per second.
Usage: /usr/bin/python3 bench/files.py [N] [R] [DIR]   (PARC_BUILD selects the build)
"""
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "py"))
import parcenv  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10**8
R = int(sys.argv[2]) if len(sys.argv) > 2 else 3
DIR = tempfile.mkdtemp(prefix="parc-bench-files-", dir=sys.argv[3] if len(sys.argv) > 3 else None)


def fsync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def best(f):
    return parcenv.best_of(f, R)


def parc_times(kc, f):
    def cell(src):
        r = parcenv.run(kc, src, timeout=600)
        if r.errors:
            raise RuntimeError(r.traceback())

    cell("x = arange(%d) * 0.5" % N)
    save = best(lambda: cell("save(%r, x)" % f))
    load = best(lambda: cell("y = load(%r)" % f))
    r = parcenv.run(kc, "array_equal(x, y)")
    if r.text != "True":
        raise RuntimeError("parc's load differs from what it saved: %r" % r.text)
    sync = best(lambda: (cell("save(%r, x)" % f), fsync(f)))
    cell("del x, y")
    return save, load, sync


def numpy_times(f):
    a = np.arange(N) * 0.5
    save = best(lambda: np.save(f, a))
    load = best(lambda: np.load(f))
    sync = best(lambda: (np.save(f, a), fsync(f)))
    return save, load, sync


def dd_times(f, nbytes):
    mb = (nbytes + 2**20 - 1) // 2**20

    def dd(*args):
        subprocess.run(["dd", "bs=1M", "status=none"] + list(args), check=True)

    save = best(lambda: dd("if=/dev/zero", "of=" + f, "count=%d" % mb))
    load = best(lambda: dd("if=" + f, "of=/dev/null"))
    sync = best(lambda: dd("if=/dev/zero", "of=" + f, "count=%d" % mb, "conv=fdatasync"))
    return save, load, sync


def main():
    km, kc = parcenv.start(engines=2)
    try:
        p = parc_times(kc, os.path.join(DIR, "parc.npy"))
    finally:
        parcenv.stop(km, kc)
    nbytes = os.path.getsize(os.path.join(DIR, "parc.npy"))
    os.unlink(os.path.join(DIR, "parc.npy"))
    n = numpy_times(os.path.join(DIR, "numpy.npy"))
    os.unlink(os.path.join(DIR, "numpy.npy"))
    d = dd_times(os.path.join(DIR, "dd.bin"), nbytes)
    os.unlink(os.path.join(DIR, "dd.bin"))
    print("N = %d float64 (%d bytes), best of %d, folder %s, load average %.1f" % (
        N, nbytes, R, DIR, os.getloadavg()[0]))
    print("| row | parc, 2 engines (s) | NumPy (s) | dd (s) | parc MB/s | parc vs NumPy | "
          "parc vs dd |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for i, row in enumerate(("save", "load", "save+sync")):
        print("| %s | %.3f | %.3f | %.3f | %.0f | %.2fx | %.2fx |" % (
            row, p[i], n[i], d[i], 8 * N / 1e6 / p[i], n[i] / p[i], d[i] / p[i]))


try:
    main()
finally:
    shutil.rmtree(DIR, ignore_errors=True)
