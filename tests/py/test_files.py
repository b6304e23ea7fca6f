"""Files through the kernel (issue 10) on 1, 2, 3 and 4 engines: save and load of NumPy's
.npy format for every dtype and layout, .npz archives and text files, with NumPy on the
other side.

- NumPy -> parc -> NumPy: NumPy writes an array, parc loads it under each layout (x.dist
  says so), checks it equals the same array made in parc, and saves it again: the file parc
  writes is byte for byte the one np.save writes. Fortran-order and big-endian files, 0-d,
  empty, 3-d arrays and non-contiguous views too.
- Errors, the same on every engine, and the kernel and its variables survive them: missing
  file or folder, truncated data, truncated header, bad magic, bad header dict, dtypes parc
  has not, a directory, a file larger than the engines' memory (a sparse file).
- .npz: np.savez and np.savez_compressed archives (0-d, Fortran-order, big-endian members)
  load in parc as an NpzFile (d['x'], d.files, len, in, for); parc's savez and
  savez_compressed (also with PARC_ZIP64=1: Zip64 records everywhere) open in NumPy
  with the same names and values and a valid CRC for every member; NumPy's Zip64 archives
  load in parc; damaged archives, wrong CRC-32s, missing members and name clashes are
  errors.
- Text: parc's savetxt writes the same text as NumPy's for each fmt, delimiter, header,
  footer and comments tried (complex and int too); loadtxt reads NumPy's savetxt output
  and simple CSV as np.loadtxt does (dtype, delimiter, comments, skiprows, usecols,
  max_rows, unpack, ndmin), and refuses bad files with NumPy's messages.
- An interrupted save leaves the old file (or a complete new one) under the name, and no
  temporary file; so do engines killed in the middle of saves (a temporary file may stay); relative paths are the kernel's working directory; in local view (%px)
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


def parc_savez(kc, n, tag, how, f=None):
    """parc's savez or savez_compressed of arrays in several layouts, a number, a list and
    views, read back by zipfile (CRCs, names, compression) and np.load."""
    f = f or path("parc-%s-%d.npz" % (how, n))
    # views (a strided slice, a transpose) have chunks that are not contiguous
    ok(kc, "w = %s\n%s(%r, %s, %s, grid=%s, n=7, lst=[1, 2], view=w[1:8:2, ::3], "
           "tview=w.T)" % (pexpr("int64", (9, 7)), how, f,
                           pexpr("float64", (9, 7), kw("dist=('b', 'b')", n)),
                           pexpr("complex128", (23,), kw("dist='c', block_size=2", n)),
                           pexpr("int32", (4, 3, 5), kw("dist=('n', 'c', 'b')", n))), tag)
    import zipfile
    with zipfile.ZipFile(f) as z:
        c.eq(z.testzip(), None, tag + how + ": every member's CRC-32 is right")
        c.eq(z.namelist(), ["arr_0.npy", "arr_1.npy", "grid.npy", "n.npy", "lst.npy",
                            "view.npy", "tview.npy"], tag + how + ": member names")
        want = zipfile.ZIP_DEFLATED if how == "savez_compressed" else zipfile.ZIP_STORED
        c.check(all(i.compress_type == want for i in z.infolist()),
                tag + how + ": members compressed as NumPy's")
    d = np.load(f)
    c.check(np.array_equal(d["arr_0"], npdata("float64", (9, 7))) and
            np.array_equal(d["arr_1"], npdata("complex128", (23,))) and
            np.array_equal(d["grid"], npdata("int32", (4, 3, 5))) and
            d["grid"].dtype == np.int32 and d["n"] == 7 and d["n"].shape == () and
            np.array_equal(d["lst"], [1, 2]) and
            np.array_equal(d["view"], npdata("int64", (9, 7))[1:8:2, ::3]) and
            np.array_equal(d["tview"], npdata("int64", (9, 7)).T),
            tag + "np.load of parc's " + how)
    r = ok(kc, "d = load(%r)\n(d.files, array_equal(d['arr_0'], %s), array_equal(d['view'], "
               "w[1:8:2, ::3]), d['n'])" % (f, pexpr("float64", (9, 7))), tag)
    c.eq(r.text, "(['arr_0', 'arr_1', 'grid', 'n', 'lst', 'view', 'tview'], True, True, 7)",
         tag + "parc's load of its own " + how)
    return f


def zip64(n, tag):
    """PARC_ZIP64=1: every record of parc's archives has its Zip64 fields (as zipfile's
    force_zip64), which zipfile, np.load and parc read; the path big archives take."""
    import zipfile
    km, kc = parcenv.start(engines=n, env={"PARC_ZIP64": "1"})
    try:
        for how in ("savez", "savez_compressed"):
            f = parc_savez(kc, n, tag + "Zip64 ", how, path("zip64-%s-%d.npz" % (how, n)))
            raw = open(f, "rb").read()
            c.check(b"PK\x06\x06" in raw and b"PK\x06\x07" in raw,
                    tag + how + ": the Zip64 end record and locator are written")
            with zipfile.ZipFile(f) as z:
                c.check(all(i.extra[:2] == b"\x01\x00" for i in z.infolist()),
                        tag + how + ": every entry has a Zip64 field")
    finally:
        parcenv.stop(km, kc)


def np_zip64(kc, n, tag, arrays, exprs):
    """NumPy's Zip64 archives: zipfile's limits lowered (as CPython's own test_zipfile64
    does) so that np.savez and np.savez_compressed write Zip64 fields for every size and
    offset and the Zip64 end record; the end record's fields then saturated, as zipfile
    leaves them in an archive of more than 65535 members. parc reads the values."""
    import struct
    import zipfile
    limits = zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT
    for how, save in (("savez", np.savez), ("savez_compressed", np.savez_compressed)):
        f = path("np-zip64-%s.npz" % how)
        zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = 16, 2
        try:
            save(f, **arrays)
        finally:
            zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = limits
        raw = bytearray(open(f, "rb").read())
        c.check(raw[-22:-18] == b"PK\x05\x06" and raw[-42:-38] == b"PK\x06\x07",
                tag + "np.%s with low limits writes the Zip64 locator" % how)
        raw[-14:-6] = struct.pack("<HHI", 0xffff, 0xffff, 0xffffffff)
        raw[-6:-2] = struct.pack("<I", 0xffffffff)
        with open(f, "wb") as fh:
            fh.write(raw)
        c.eq(np.load(f).files, list(arrays), tag + "np.load of its Zip64 %s" % how)
        r = ok(kc, "d = load(%r%s)\n(d.files, d['zero'], %s)" % (
            f, kw("dist='c'", n), ", ".join(
                "array_equal(d[%r], %s)" % (k, e) for k, e in exprs.items())), tag)
        c.eq(r.text, "(%r, 1.5, %s)" % (list(arrays), ", ".join(["True"] * len(exprs))),
             tag + "load of np.%s's Zip64 archive" % how)


def npz(kc, n, tag):
    arrays = {"f": npdata("float64", (9, 7)), "i": npdata("int32", (23,)),
              "c": npdata("complex128", (4, 3, 5)), "b": npdata("bool", (6,)),
              "zero": np.float32(1.5), "F": np.asfortranarray(npdata("int64", (9, 7))),
              "big": npdata("float64", (11,)).astype(">f8"), "empty": np.zeros((0, 3))}
    exprs = {"f": pexpr("float64", (9, 7)), "i": pexpr("int32", (23,)),
             "c": pexpr("complex128", (4, 3, 5)), "b": pexpr("bool", (6,)),
             "F": pexpr("int64", (9, 7)), "big": pexpr("float64", (11,))}
    for how, save in (("savez", np.savez), ("savez_compressed", np.savez_compressed)):
        f = path("np-%s.npz" % how)
        save(f, **arrays)
        for layout in ("", "dist='c'", "dist='c', block_size=3"):
            r = ok(kc, "d = load(%r%s)\n(d.files, len(d), 'f' in d, 'q' in d, d['zero'], "
                   "d['empty'].shape, %s)" % (f, kw(layout, n), ", ".join(
                       "array_equal(d[%r], %s)" % (k, e) for k, e in exprs.items())), tag)
            c.eq(r.text, "(%r, %d, True, False, 1.5, (0, 3), %s)" % (
                list(arrays), len(arrays), ", ".join(["True"] * len(exprs))),
                "%sload of np.%s %s" % (tag, how, layout))
        r = ok(kc, "names = []\nfor k in d: names.append(k)\n(names, d)", tag)
        c.eq(r.text, "(%r, NpzFile(%r, files=%r))" % (list(arrays), f, list(arrays)),
             tag + "for over an NpzFile, its repr")
    np_zip64(kc, n, tag, arrays, exprs)
    # parc writes: positional arr_0, arr_1, keywords by name; layouts; a number
    for how in ("savez", "savez_compressed"):
        parc_savez(kc, n, tag, how)
    ok(kc, "savez(%r)" % path("none.npz"), tag)
    c.eq(np.load(path("none.npz")).files, [], tag + "an empty archive")
    ok(kc, "savez(%r, a=arange(3))" % path("noext"), tag)
    c.check(os.path.exists(path("noext.npz")), tag + "'.npz' added to the name")
    # errors
    good = open(path("np-savez.npz"), "rb").read()
    comp = open(path("np-savez_compressed.npz"), "rb").read()
    bad = {"cut": good[:len(good) // 2], "nodir": good[:-22],
           "deflate": comp[:200] + bytes(b ^ 0x5a for b in comp[200:400]) + comp[400:],
           "zcut": comp[:len(comp) - 100]}
    # parc's own deflated archive, a stretch of its members' data damaged
    mine = open(path("parc-savez_compressed-%d.npz" % n), "rb").read()
    bad["parc-deflate"] = mine[:100] + bytes(b ^ 0x5a for b in mine[100:300]) + mine[300:]
    for name, data in bad.items():
        with open(path("bad-%s.npz" % name), "wb") as fh:
            fh.write(data)
        r = parcenv.run(kc, "d = load(%r); d['c'].sum()" % path("bad-%s.npz" % name))
        e = r.errors[0] if r.errors else {}
        c.check(e.get("ename") == "ValueError", tag + "damaged archive %s: %s" % (name, e))
    # a wrong CRC-32 in the directory: a small member (read whole by engine 0), a stored one,
    # a large deflated one (checked by the last engine, which inflates to the end)
    for name, save, member in (("small", np.savez_compressed, "s"), ("stored", np.savez, "s"),
                               ("large", np.savez_compressed, "big")):
        f = path("crc-%s.npz" % name)
        save(f, s=np.arange(3.0), big=np.arange(30000.0) % 7)
        raw = bytearray(open(f, "rb").read())
        at = raw.index(b"PK\x01\x02")
        while raw[at + 46:at + 46 + len(member) + 4] != (member + ".npy").encode():
            at = raw.index(b"PK\x01\x02", at + 4)
        raw[at + 16] ^= 1
        with open(f, "wb") as fh:
            fh.write(raw)
        r = parcenv.run(kc, "d = load(%r%s)" % (f, kw("dist='c'", n)))
        e = r.errors[0] if r.errors else {}
        # the last engine finds it; the others report that it failed there
        said = e.get("evalue", "") + "\n".join(e.get("traceback", []))
        c.check(e.get("ename") == "ValueError" and "CRC-32" in said and
                "'%s.npy'" % member in said,
                tag + "a wrong CRC-32 (%s member): %s" % (name, e))
    np.savez(path("i16.npz"), a=np.arange(3), b=np.arange(3, dtype=np.int16))
    for src, kind, text in [
            ("d = load(%r)" % path("i16.npz"), "ValueError", "'<i2'"),
            ("d = load(%r); d['nope']" % path("np-savez.npz"), "KeyError", "nope"),
            ("d = load(%r); d[0]" % path("np-savez.npz"), "KeyError", "names"),
            ("d = load(%r, dist=('b', 'b'))" % path("np-savez.npz"), "ValueError", "'i' has 1"),
            ("savez(%r, arange(3), arr_0=arange(2))" % path("clash.npz"), "ValueError", "arr_0"),
            ("savez(%r, a=arange(3))" % path("nodir/x.npz"), "FileNotFoundError", "No such"),
            ("savez(%r, a='text')" % path("str.npz"), "TypeError", "'str'")]:
        r = parcenv.run(kc, src)
        e = r.errors[0] if r.errors else {}
        c.check(e.get("ename") == kind and text in e.get("evalue", ""),
                "%s%s: want %s with %r, got %s" % (tag, src, kind, text, e))
    c.check(not os.path.exists(path("clash.npz")) and not os.path.exists(path("str.npz")),
            tag + "a failed savez leaves no file")
    c.check(not [p for p in os.listdir(TMP) if p.startswith(".") and ".parc-" in p],
            tag + "no temporary file left: %s" % os.listdir(TMP))


def text(kc, n, tag):
    arrays = [("float64", (9, 7), "dist=('b', 'b')"), ("int64", (23,), "dist='c'"),
              ("complex128", (5, 3), "dist=('c', 'n')"), ("bool", (4, 2), ""),
              ("float32", (6, 4), "dist=('n', 'b')")]
    fmts = [("", None), (", fmt='%d'", "%d"), (", fmt='%.3f', delimiter=','", None),
            (", fmt='%10.4g', delimiter='\\t', header='x y\\nz', footer='end', comments='% '",
             None), (", fmt='%+.2e', newline='\\r\\n'", None)]
    for dt, shape, layout in arrays:
        a = npdata(dt, shape)
        for extra, _ in fmts:
            if dt == "complex128" and "%d" in extra:
                continue
            f = path("t-%d.txt" % n)
            ok(kc, "savetxt(%r, %s%s)" % (f, pexpr(dt, shape, kw(layout, n)), extra), tag)
            b = io.StringIO()
            kws = eval("dict(%s)" % extra.lstrip(", ")) if extra else {}
            np.savetxt(b, a, **kws)
            got = open(f, newline="").read()
            c.eq(got, b.getvalue(), "%ssavetxt %s %s%s" % (tag, dt, shape, extra))
    for extra in (", fmt=['%d', '%.1f']", ", fmt='%d:%x'", ", fmt='%5x|%-5X'", ", fmt='%05x %i'",
                  ", fmt='%#x,%u'"):
        f = path("t2.txt")
        a = npdata("int64", (5, 2))
        ok(kc, "savetxt(%r, %s%s)" % (f, pexpr("int64", (5, 2)), extra), tag)
        b = io.StringIO()
        np.savetxt(b, a, **eval("dict(%s)" % extra.lstrip(", ")))
        c.eq(open(f).read(), b.getvalue(), tag + "savetxt" + extra)
    # loadtxt of NumPy's files: parc's result saved as .npy and compared with np.loadtxt's
    x = npdata("float64", (9, 7))
    x[2, 3] = np.nan
    x[4, 1] = -np.inf
    np.savetxt(path("lt.txt"), x)
    np.savetxt(path("lt.csv"), npdata("int64", (6, 4)), fmt="%d", delimiter=",",
               header="a,b,c,d")
    np.savetxt(path("lt-c.txt"), npdata("complex128", (4, 3)))
    with open(path("lt-hand.csv"), "w") as fh:
        fh.write("# made by hand\n1, 2.5 ,3\n\n4,5e3,-6 # a comment\r\n7,8,9\n")
    cases = [("lt.txt", ""), ("lt.txt", ", usecols=(0, -1)"), ("lt.txt", ", usecols=2"),
             ("lt.txt", ", skiprows=3, max_rows=4"), ("lt.txt", ", unpack=True"),
             ("lt.txt", ", max_rows=1"), ("lt.txt", ", max_rows=1, ndmin=2"),
             ("lt.txt", ", usecols=1, ndmin=2"), ("lt.txt", ", usecols=1, max_rows=1"),
             ("lt.csv", ", delimiter=','"), ("lt.csv", ", delimiter=',', dtype=int64"),
             ("lt.csv", ", delimiter=',', dtype=int32, usecols=[3, 1]"),
             ("lt.csv", ", delimiter=',', dtype=bool"),
             ("lt-c.txt", ", dtype=complex128"), ("lt-hand.csv", ", delimiter=','"),
             ("lt-hand.csv", ", delimiter=',', dtype=float32, comments=None, skiprows=1, "
                             "max_rows=1")]
    for name, extra in cases:
        want = eval("np.loadtxt(%r%s)" % (path(name), extra.replace("int64", "np.int64")
                                            .replace("int32", "np.int32")
                                            .replace("complex128", "np.complex128")
                                            .replace("float32", "np.float32")
                                            .replace("bool", "np.bool_")))
        r = ok(kc, "y = loadtxt(%r%s); save(%r, y)" % (path(name), extra, path("lt.npy")), tag)
        if r.errors:
            continue
        got = np.load(path("lt.npy"))
        c.check(got.dtype == want.dtype and got.shape == want.shape and
                np.array_equal(got, want, equal_nan=True),
                "%sloadtxt(%s%s): got %r, want %r" % (tag, name, extra, got, want))
    # loadtxt(dist=...): the values in the layout asked for
    for layout, want in (("dist='c'", "('c', 'n')"), ("dist=('b', 'b')", "('b', 'b')"),
                         ("dist=('c', 'c'), block_size=2", "('c', 'c')"),
                         ("dist=('b', 'b'), grid_shape=(1, %d)" % n, "('b', 'b')")):
        r = ok(kc, "y = loadtxt(%r, %s)\n(y.dist, y.shape, array_equal(y, loadtxt(%r), "
                   "equal_nan=True))" % (path("lt.txt"), layout, path("lt.txt")), tag)
        c.eq(r.text, "(%s, (9, 7), True)" % want, tag + "loadtxt(%s)" % layout)
    r = ok(kc, "y = loadtxt(%r, usecols=1, dist='c')\n(y.dist, y.shape)" % path("lt.txt"), tag)
    c.eq(r.text, "(('c',), (9,))", tag + "loadtxt(usecols=1, dist='c')")
    r = parcenv.run(kc, "loadtxt(%r, dist=('b', 'b', 'b'))" % path("lt.txt"))
    e = r.errors[0] if r.errors else {}
    c.check(e.get("ename") == "ValueError", tag + "loadtxt with a dist of 3 entries: %s" % e)
    r = ok(kc, "loadtxt(%r, usecols=0, max_rows=1)" % path("lt.txt"), tag)
    c.eq(r.text, repr(float(x[0, 0])), tag + "one value: a scalar")
    with open(path("bad-cols.txt"), "w") as fh:
        fh.write("1 2\n3\n")
    with open(path("bad-val.txt"), "w") as fh:
        fh.write("1 2\n3 x\n")
    for src, kind, text in [
            ("loadtxt(%r)" % path("bad-cols.txt"), "ValueError", "number of columns changed"),
            ("loadtxt(%r)" % path("bad-val.txt"), "ValueError", "could not convert string 'x'"),
            ("loadtxt(%r)" % path("missing.txt"), "FileNotFoundError", "No such"),
            ("loadtxt(%r, dtype=int64)" % path("lt.txt"), "ValueError", "to int64"),
            ("savetxt(%r, zeros((2, 2, 2)))" % path("t3.txt"), "ValueError", "3D"),
            ("savetxt(%r, ones(3), fmt='%%s')" % path("t3.txt"), "ValueError", "format"),
            ("savetxt(%r, ones((3, 2)), fmt=['%%d'])" % path("t3.txt"), "ValueError", "fmt"),
            ("savetxt(%r, array([nan]), fmt='%%d')" % path("t3.txt"), "ValueError", "NaN")]:
        r = parcenv.run(kc, src)
        e = r.errors[0] if r.errors else {}
        c.check(e.get("ename") == kind and text in e.get("evalue", ""),
                "%s%s: want %s with %r, got %s" % (tag, src, kind, text, e))
        c.check("another engine" not in r.traceback(), tag + src + " agreed: " + r.traceback())
    c.check(not os.path.exists(path("t3.txt")), tag + "a failed savetxt leaves no file")


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


def killed(n, tag):
    """Engines killed in the middle of saves: the name holds the old file or a complete new
    one (a temporary file may stay: nobody was left to remove it)."""
    km, kc = parcenv.start(engines=n)
    try:
        f = path("killed.npy")
        np.save(f, np.arange(5))
        ok(kc, "big = arange(%d) * 0.5" % (4 * 10 ** 6), tag)
        pids, _ = parcenv.engine_pids(kc)
        msg = kc.execute("for i in range(1000): save(%r, big)" % f)
        time.sleep(0.5)
        for pid in pids.values():
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        r = parcenv.collect(kc, msg, timeout=60)
        e = r.errors[0] if r.errors else {}
        c.check(e.get("ename") == "EngineError", tag + "killed engines: %s" % e)
        b = np.load(f)
        c.check(b.shape in ((5,), (4 * 10 ** 6,)), tag + "old or complete file after a kill")
        if b.shape != (5,):
            c.check(b[-1] == (4 * 10 ** 6 - 1) * 0.5, tag + "complete new file after a kill")
        for p in os.listdir(TMP):
            if p.startswith(".killed.npy.parc-"):
                os.unlink(path(p))
    finally:
        parcenv.stop(km, kc)


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
        ok(kc, "%px savez_compressed('z' + str(rank), c=x, r=rank)", tag)
        for rank in range(n):
            d = np.load(os.path.join(wd, "z%d.npz" % rank))
            c.check(np.array_equal(d["c"], bnd[rank]) and d["r"] == rank,
                    tag + "%%px savez_compressed of rank %d's chunk" % rank)
        r = ok(kc, "%px d = load('z' + str(rank) + '.npz'); print(rank, array_equal(d['c'], x))",
               tag)
        c.check(all("%d True" % rank in r.stdout for rank in range(n)),
                tag + "%%px load of each engine's archive: %r" % r.stdout)
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
            npz(kc, n, tag)
            text(kc, n, tag)
            if n in (1, 2):
                interrupted(km, kc, n, tag)
        finally:
            parcenv.stop(km, kc)
        if n == 2:
            killed(n, tag)
        if n in (1, 3):
            zip64(n, tag)
        relative_and_local(n, tag)
finally:
    shutil.rmtree(TMP, ignore_errors=True)
c.done()
