"""save/load of N float64 (default 10**8, 800 MB) on 2 engines against NumPy's np.save and
np.load in this process and against dd moving the same bytes, all on the same disk (the
folder given, default a temporary folder in /tmp), in one run.

Rows, each the best of R runs (default 3), seconds:
  save      parc save(f, x) (execute_request to idle, from the client) | np.save(f, a) |
            dd if=/dev/zero of=f bs=1M (the file's size)
  save, new name  the same, each run to a name that does not exist yet: parc's save
            then renames its temporary file without replacing one (on ext4, replacing a
            file by rename starts the write-back of the new one, auto_da_alloc)
  load      parc x = load(f) | a = np.load(f) | dd if=f of=/dev/null bs=1M
  save+sync the same saves followed by sync(1) of the file (parc and NumPy: os.fsync of the
            file after the call; dd: conv=fdatasync), so the data reached the disk
Every timed run starts after a sync(2) (not timed), with nothing left to write back.
Plain save and load run through the page cache (the file was just written, so load reads
memory, and a save returns once the data is in the cache), which is what a notebook sees;
save+sync adds the time to put it on the disk. MB/s is 8 * N / 1e6 per second (of the
uncompressed bytes for the two .npz rows).
Two more rows on N // 10 elements (zlib at its default level, which np.savez_compressed
uses, runs at about 10 MB/s on these values here, so 10^8 would take minutes a run):
  savez_compressed  parc savez_compressed(f, a=x) (each engine deflates its own part) |
                    np.savez_compressed(f, a=a)
  load .npz         parc y = load(f)['a'] (the last engine inflates the whole member) |
                    np.load(f)['a']
Usage: /usr/bin/python3 bench/files.py [N] [R] [DIR]   (PARC_BUILD selects the build)
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "py"))
import parcenv  # noqa: E402

parcenv.bench_deps()

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
    """The best of R runs of f(), each after sync(2) outside the timing, so that no run
    waits for the write-back of what the one before it wrote."""
    t = float("inf")
    for _ in range(R):
        os.sync()
        s = time.perf_counter()
        f()
        t = min(t, time.perf_counter() - s)
    return t


def fresh(f, base):
    """The best of R runs of f(name), each run to a name that does not exist (removed after
    all the runs, outside the timing)."""
    names = iter(["%s.new%d.npy" % (base, k) for k in range(R)])
    t = best(lambda: f(next(names)))
    for k in range(R):
        if os.path.exists("%s.new%d.npy" % (base, k)):
            os.unlink("%s.new%d.npy" % (base, k))
    return t


def parc_times(kc, f):
    def cell(src):
        r = parcenv.run(kc, src, timeout=600)
        if r.errors:
            raise RuntimeError(r.traceback())

    cell("x = arange(%d) * 0.5" % N)
    save = best(lambda: cell("save(%r, x)" % f))
    new = fresh(lambda g: cell("save(%r, x)" % g), f)
    load = best(lambda: cell("y = load(%r)" % f))
    r = parcenv.run(kc, "array_equal(x, y)")
    if r.text != "True":
        raise RuntimeError("parc's load differs from what it saved: %r" % r.text)
    sync = best(lambda: (cell("save(%r, x)" % f), fsync(f)))
    cell("del x, y")
    z = f[:-4] + ".npz"
    cell("x = arange(%d) * 0.5" % (N // 10))
    zsave = best(lambda: cell("savez_compressed(%r, a=x)" % z))
    zload = best(lambda: cell("y = load(%r)['a']" % z))
    r = parcenv.run(kc, "array_equal(x, y)")
    if r.text != "True":
        raise RuntimeError("parc's load of its .npz differs from what it saved: %r" % r.text)
    cell("del x, y")
    os.unlink(z)
    return save, new, load, sync, zsave, zload


def numpy_times(f):
    a = np.arange(N) * 0.5
    save = best(lambda: np.save(f, a))
    new = fresh(lambda g: np.save(g, a), f)
    load = best(lambda: np.load(f))
    sync = best(lambda: (np.save(f, a), fsync(f)))
    z = f[:-4] + ".npz"
    a = a[:N // 10].copy()
    zsave = best(lambda: np.savez_compressed(z, a=a))
    zload = best(lambda: np.load(z)["a"])
    os.unlink(z)
    return save, new, load, sync, zsave, zload


def dd_times(f, nbytes):
    mb = (nbytes + 2**20 - 1) // 2**20

    def dd(*args):
        subprocess.run(["dd", "bs=1M", "status=none"] + list(args), check=True)

    save = best(lambda: dd("if=/dev/zero", "of=" + f, "count=%d" % mb))
    new = fresh(lambda g: dd("if=/dev/zero", "of=" + g, "count=%d" % mb), f)
    load = best(lambda: dd("if=" + f, "of=/dev/null"))
    sync = best(lambda: dd("if=/dev/zero", "of=" + f, "count=%d" % mb, "conv=fdatasync"))
    return save, new, load, sync


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
    for i, row in enumerate(("save", "save, new name", "load", "save+sync")):
        print("| %s | %.3f | %.3f | %.3f | %.0f | %.2fx | %.2fx |" % (
            row, p[i], n[i], d[i], 8 * N / 1e6 / p[i], n[i] / p[i], d[i] / p[i]))
    for i, row in enumerate(("savez_compressed", "load .npz"), 4):
        print("| %s, N/10 | %.3f | %.3f | - | %.0f | %.2fx | - |" % (
            row, p[i], n[i], 8 * (N // 10) / 1e6 / p[i], n[i] / p[i]))


try:
    main()
finally:
    shutil.rmtree(DIR, ignore_errors=True)
