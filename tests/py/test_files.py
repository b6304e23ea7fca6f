"""Files through the kernel (issue 10) on 1, 2, 3 and 4 engines: save and load of NumPy's
.npy format for every dtype and layout, with NumPy on the other side.

- NumPy -> parc -> NumPy: NumPy writes an array, parc loads it under each layout (x.dist
  says so), checks it equals the same array made in parc, and saves it again: the file parc
  writes is byte for byte the one np.save writes. Fortran-order and big-endian files, 0-d,
  empty, 3-d arrays and non-contiguous views too.
- Errors, the same on every engine, and the kernel and its variables survive them: missing
  file or folder, truncated data, truncated header, bad magic, bad header dict, dtypes parc
  has not, a directory, a file larger than the engines' memory (a sparse file).
- An interrupted save leaves the old file (or a complete new one) under the name, and no
  temporary file; relative paths are the kernel's working directory; in local view (%px)
  each engine saves and loads its own chunk."""
import glob
import io
import os
import shutil
import tempfile
import time

import numpy as np

import numpydiff
import parcenv

c = parcenv.Checker("files")
TMP = tempfile.mkdtemp(prefix="parc-files-")

DTYPES = ["float64", "float32", "int64", "int32", "bool", "complex128"]
# (keywords, x.dist)
LAYOUTS1 = [("", "('b',)"), ("dist='c'", "('c',)"), ("dist='c', block_size=2", "('c',)"),
            ("dist='c', block_size=5", "('c',)")]
LAYOUTS2 = [("", "('b', 'n')"), ("dist=('c', 'n')", "('c', 'n')"),
            ("dist=('b', 'c'), block_size=2", "('b', 'c')"), ("dist=('b', 'b')", "('b', 'b')"),
            ("dist=('n', 'b')", "('n', 'b')"), ("dist=('c', 'c')", "('c', 'c')"),
            ("dist=('c', 'b'), block_size=3", "('c', 'b')"),
            ("dist=('b', 'b'), grid_shape=(1, {n})", "('b', 'b')")]


def kw(k, n):
    return (", " + k.replace("{n}", str(n))) if k else ""


def npdata(dt, shape):
    """The same values NumPy and parc both make (parc: pexpr)."""
    k = np.arange(int(np.prod(shape)))
    if dt == "bool":
        a = k % 3 == 0
    elif dt == "complex128":
        a = (k * 7 % 11 - 3) / 4.0 + 1j * (k % 5)
    elif dt.startswith("int"):
        a = k * 7 % 11 - 3
    else:
        a = (k * 7 % 11 - 3) / 4.0
    return a.astype(dt).reshape(shape)


def pexpr(dt, shape, layout=""):
    n = int(np.prod(shape))
    k = "arange(%d%s)" % (n, "")
    if dt == "bool":
        e = "(%s %% 3 == 0)" % k
    elif dt == "complex128":
        e = "((%s * 7 %% 11 - 3) / 4.0 + 1j * (%s %% 5))" % (k, k)
    elif dt.startswith("int"):
        e = "(%s * 7 %% 11 - 3)" % k
    else:
        e = "((%s * 7 %% 11 - 3) / 4.0)" % k
    e = "%s.astype(%s).reshape(%r)" % (e, dt, tuple(shape))
    return "redistribute(%s%s)" % (e, layout) if layout else e


def npbytes(a):
    b = io.BytesIO()
    np.save(b, a)
    return b.getvalue()


def path(name):
    return os.path.join(TMP, name)


def ok(kc, src, tag):
    r = parcenv.run(kc, src)
    c.check(not r.errors, "%s%s: %s" % (tag, src, r.traceback()))
    return r


def roundtrips(kc, n, tag):
    cases = [((23,), l) for l in LAYOUTS1] + [((9, 7), l) for l in LAYOUTS2]
    for dt in DTYPES:
        for shape, (layout, want_dist) in cases:
            a = npdata(dt, shape)
            src, dst = path("np-%s.npy" % dt), path("parc-%d-%s.npy" % (n, dt))
            np.save(src, a)
            k = kw(layout, n)
            r = ok(kc, "x = load(%r%s)\nref = %s\nsave(%r, x)\n(array_equal(x, ref), x.dtype, "
                   "x.dist)" % (src, k, pexpr(dt, shape), dst), tag)
            what = "%sload %s %s %s" % (tag, dt, shape, layout)
            if r.errors:
                continue
            c.eq(r.text, "(True, dtype('%s'), %s)" % (dt, want_dist), what)
            c.check(open(dst, "rb").read() == npbytes(a), what + ": parc's file is np.save's")
            # parc makes the array in the layout and saves it: NumPy reads the same values
            r = ok(kc, "save(%r, %s)" % (dst, pexpr(dt, shape, k)), tag)
            if not r.errors:
                b = np.load(dst)
                c.check(b.dtype == a.dtype and np.array_equal(b, a),
                        what + ": np.load of parc's save")


def other_files(kc, n, tag):
    """Fortran order, big-endian, 0-d, empty, 3-d, views, lists, names without .npy."""
    for dt in ("float64", "int32", "complex128", "bool"):
        for shape in ((9, 7), (4, 3, 5)):
            a = npdata(dt, shape)
            for name, stored in (("fortran", np.asfortranarray(a)),
                                 ("bigendian", a.astype(a.dtype.newbyteorder(">"))),
                                 ("both", np.asfortranarray(a.astype(a.dtype.newbyteorder(">"))))):
                f = path("%s-%s.npy" % (name, dt))
                np.save(f, stored)
                layouts = [l for l, _ in LAYOUTS2] if len(shape) == 2 else [
                    "", "dist=('b', 'b', 'n')", "dist=('n', 'c', 'b')"]
                for layout in layouts:
                    r = ok(kc, "x = load(%r%s); (array_equal(x, %s), x.dtype, x.shape)" % (
                        f, kw(layout, n), pexpr(dt, shape)), tag)
                    c.eq(r.text, "(True, dtype('%s'), %s)" % (dt, shape),
                         "%s%s %s %s %s" % (tag, name, dt, shape, layout))
    # a transposed view and a strided slice: not contiguous chunks
    f = path("view-%d.npy" % n)
    for expr, want in (("x.T", npdata("float64", (9, 7)).T),
                       ("x[1:8:2, ::3]", npdata("float64", (9, 7))[1:8:2, ::3]),
                       ("y[3:20:4]", npdata("int64", (23,))[3:20:4])):
        ok(kc, "x = %s; y = %s; save(%r, %s)" % (pexpr("float64", (9, 7)), pexpr("int64", (23,)),
                                                 f, expr), tag)
        b = np.load(f)
        c.check(np.array_equal(b, want) and b.shape == want.shape, tag + "save of " + expr)
    # 0-d: a scalar each way; empty arrays
    np.save(path("zero-d.npy"), np.float32(2.5))
    r = ok(kc, "s = load(%r); (s, type(s))" % path("zero-d.npy"), tag)
    c.eq(r.text, "(2.5, 'float32')", tag + "0-d file gives a scalar")
    ok(kc, "save(%r, 7)" % path("seven.npy"), tag)
    b = np.load(path("seven.npy"))
    c.check(b.shape == () and b.dtype == np.int64 and b == 7, tag + "save of a number: %r" % b)
    for shape in ((0,), (3, 0)):
        np.save(path("empty.npy"), np.zeros(shape))
        r = ok(kc, "e = load(%r); save(%r, e); e.shape" % (path("empty.npy"), path("empty2.npy")),
               tag)
        c.eq(r.text, str(shape), tag + "empty shape")
        c.check(open(path("empty2.npy"), "rb").read() == npbytes(np.zeros(shape)),
                tag + "empty file bytes")
    # a list, and a name without .npy (np.save adds it)
    for f in glob.glob(path("noext*")):
        os.unlink(f)
    ok(kc, "save(%r, [1, 2, 3])" % path("noext"), tag)
    c.check(os.path.exists(path("noext.npy")) and not os.path.exists(path("noext")),
            tag + "'.npy' added to the name")
    c.check(np.array_equal(np.load(path("noext.npy")), [1, 2, 3]), tag + "save of a list")


def errors(kc, n, tag):
    ok(kc, "keep = arange(5) * 2", tag)
    a = np.arange(40.0)
    good = npbytes(a)
    bad = {
        "truncated": (good[:-9], "ValueError", "truncated"),
        "short-header": (good[:40], "ValueError", "truncated"),
        "magic": (b"\x93NUMPZ" + good[6:], "ValueError", "magic"),
        "dict": (good.replace(b"'descr'", b"'dtype'"), "ValueError", "keys"),
        "notdict": (good.replace(b"{", b"[", 1), "ValueError", "dictionary"),
        "int16": (npbytes(np.arange(4, dtype=np.int16)), "ValueError", "'<i2'"),
        "uint8": (npbytes(np.arange(4, dtype=np.uint8)), "ValueError", "'|u1'"),
        "str": (npbytes(np.array(["ab", "c"])), "ValueError", "'<U2'"),
        "struct": (npbytes(np.zeros(3, dtype=[("a", "<f8"), ("b", "<i4")])), "ValueError",
                   "structured"),
        "version": (good[:6] + b"\x07\x00" + good[8:], "ValueError", "version"),
    }
    for name, (data, kind, text) in bad.items():
        f = path("bad-%s.npy" % name)
        with open(f, "wb") as fh:
            fh.write(data)
        r = parcenv.run(kc, "z = load(%r)" % f)
        e = r.errors[0] if r.errors else {}
        c.check(e.get("ename") == kind and text in e.get("evalue", ""),
                "%sbad file %s: want %s with %r, got %s" % (tag, name, kind, text, e))
        # one message for every engine: nobody says "failed on another engine"
        c.check("another engine" not in r.traceback(), tag + name + " agreed: " + r.traceback())
    cases = [
        ("z = load(%r)" % path("missing.npy"), "FileNotFoundError", "No such file"),
        ("save(%r, keep)" % path("nodir/a.npy"), "FileNotFoundError", "No such file"),
        ("z = load(%r)" % TMP, "OSError", "Is a directory"),
        ("z = load(3)", "TypeError", "expected str"),
        ("z = load(%r, dist=('b', 'b', 'b'))" % path("np-float64.npy"), "ValueError", "dist has"),
        ("save(%r, keep)" % path("x\0y"), "ValueError", "null"),
    ]
    if n > 1:
        cases.append(("%%px c = rank\nsave(%r, c)" % path("pe.npy"),
                      "TypeError", "per-engine"))
    for src, kind, text in cases:
        r = parcenv.run(kc, src)
        e = r.errors[0] if r.errors else {}
        c.check(e.get("ename") == kind and text in e.get("evalue", ""),
                "%s%s: want %s with %r, got %s" % (tag, src, kind, text, e))
    # larger than the engines' memory: a sparse file of 2**40 bytes of float64
    f = path("huge.npy")
    hdr = io.BytesIO()
    np.lib.format.write_array_header_1_0(hdr, {"descr": "<f8", "fortran_order": False,
                                               "shape": (2 ** 37,)})
    with open(f, "wb") as fh:
        fh.write(hdr.getvalue())
        fh.truncate(len(hdr.getvalue()) + 2 ** 40)
    r = parcenv.run(kc, "z = load(%r)" % f)
    e = r.errors[0] if r.errors else {}
    c.check(e.get("ename") == "MemoryError", tag + "a file larger than memory: %s" % e)
    os.unlink(f)
    r = ok(kc, "keep.sum()", tag)
    c.eq(r.text, "20", tag + "variables survive the errors")


def interrupted(km, kc, n, tag):
    """An interrupt during a loop of saves: the name holds the old file or a complete new one,
    never a part, and no temporary file stays."""
    f = path("intr.npy")
    np.save(f, np.arange(5))
    ok(kc, "big = arange(%d) * 0.5" % (4 * 10 ** 6), tag)
    t0 = time.time()
    ok(kc, "save(%r, big)" % path("timing.npy"), tag)
    one = time.time() - t0
    np.save(f, np.arange(5))
    for delay in (0.05, 0.3, one * 2.5):
        msg = kc.execute("for i in range(1000): save(%r, big)" % f)
        r, _ = parcenv.interrupt_after(km, kc, msg, delay)
        e = r.errors[0] if r.errors else {}
        c.check(e.get("ename") == "KeyboardInterrupt", tag + "interrupted save: %s" % e)
        b = np.load(f)
        c.check(b.shape in ((5,), (4 * 10 ** 6,)), tag + "old or complete file: %s" % (b.shape,))
        if b.shape != (5,):
            c.check(b[-1] == (4 * 10 ** 6 - 1) * 0.5, tag + "complete new file")
        left = [p for p in os.listdir(TMP) if p.startswith(".intr.npy.parc-")]
        c.eq(left, [], tag + "no temporary file left")
    ok(kc, "del big", tag)


def relative_and_local(n, tag):
    """Relative names are the kernel's directory; %px saves and loads each engine's chunk."""
    here = os.getcwd()
    wd = path("wd-%d" % n)
    os.makedirs(wd, exist_ok=True)
    os.chdir(wd)
    try:
        km, kc = parcenv.start(engines=n)
    finally:
        os.chdir(here)
    try:
        ok(kc, "x = arange(10.0); save('rel.npy', x); y = load('rel.npy')", tag)
        c.check(np.array_equal(np.load(os.path.join(wd, "rel.npy")), np.arange(10.0)),
                tag + "relative path is the kernel's directory")
        r = ok(kc, "array_equal(x, y)", tag)
        c.eq(r.text, "True", tag + "relative load")
        ok(kc, "%px save('part' + str(rank) + '.npy', x)", tag)
        bnd = np.array_split(np.arange(10.0), n)
        for rank in range(n):
            b = np.load(os.path.join(wd, "part%d.npy" % rank))
            c.check(np.array_equal(b, bnd[rank]), tag + "%%px save of rank %d's chunk" % rank)
        np.save(os.path.join(wd, "mine.npy"), np.arange(6).reshape(2, 3))
        r = ok(kc, "%px m = load('mine.npy'); print(rank, m.shape, m.sum())", tag)
        for rank in range(n):
            c.check("%d (2, 3) 15" % rank in r.stdout, tag + "%%px load: %r" % r.stdout)
    finally:
        parcenv.stop(km, kc)


try:
    for n in (1, 2, 3, 4):
        tag = "[%d engine%s] " % (n, "s" if n > 1 else "")
        km, kc = parcenv.start(engines=n)
        try:
            roundtrips(kc, n, tag)
            other_files(kc, n, tag)
            errors(kc, n, tag)
            if n in (1, 2):
                interrupted(km, kc, n, tag)
        finally:
            parcenv.stop(km, kc)
        relative_and_local(n, tag)
finally:
    shutil.rmtree(TMP, ignore_errors=True)
c.done()
