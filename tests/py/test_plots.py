"""Pictures as a person meets them: plot, scatter, hist, imshow, figure and savefig in global
view and in %px, on 1, 2 and 3 engines. The engines reduce, the kernel draws: hist's bars are
numpy.histogram's counts and edges exactly (read from the figure's metadata), the bytes of a
picture do not grow with the data, each figure carries alt text that jupyter console prints, and bad
input gives a clear error while the kernel goes on."""
import base64
import os
import subprocess
import tempfile

import numpy as np

import parcenv

c = parcenv.Checker("plots")
N = 100003


def figures(r):
    """(data, metadata) of the cell's figures, in order."""
    return [(m["content"]["data"], m["content"]["metadata"]) for m in r.msgs
            if m["msg_type"] == "display_data" and not m["content"].get("transient")]


def one(r, tag):
    f = figures(r)
    c.check(len(f) == 1, tag + ": one figure, got %d (%s)" % (len(f), r.traceback()))
    return f[0] if f else ({}, {})


def series(meta):
    return meta.get("parc", {}).get("series", [{}])


def plots(kc, n):
    tag = "[%d engines] " % n
    xs = ((np.arange(N) * 7919) % 1000) / 10.0
    parcenv.run(kc, "x = ((arange(%d) * 7919) %% 1000) / 10.0" % N)
    for code, want in (("hist(x, bins=37)", np.histogram(xs, bins=37)),
                       ("hist(x, 50, range=(10, 80))", np.histogram(xs, 50, range=(10, 80))),
                       ("hist((arange(%d) * 31) %% 97)" % N,
                        np.histogram((np.arange(N) * 31) % 97))):
        data, meta = one(parcenv.run(kc, code), tag + code)
        s = series(meta)[0]
        c.eq(s.get("counts"), [int(k) for k in want[0]], tag + code + " counts as NumPy's")
        c.eq(s.get("edges"), [float(e) for e in want[1]], tag + code + " edges to the bit")
        c.check("image/svg+xml" in data and data["image/svg+xml"].startswith("<svg"),
                tag + code + " is an SVG element (no XML declaration, as nbconvert wants)")
    # non-finite values are left out and counted, the range is the finite values'
    parcenv.run(kc, "y = where(arange(%d) %% 97 == 0, nan, x)\ny[5] = inf" % N)
    keep = (np.arange(N) % 97 != 0) & (np.arange(N) != 5)
    want = np.histogram(xs[keep], bins=20, range=(xs[keep].min(), xs[keep].max()))
    data, meta = one(parcenv.run(kc, "hist(y, bins=20)"), tag + "hist with nan")
    s = series(meta)[0]
    c.eq(s.get("counts"), [int(k) for k in want[0]], tag + "nan left out of the counts")
    c.eq(s.get("skipped"), int((~keep).sum()), tag + "and counted")
    c.eq(data.get("text/plain"), "<Figure: hist of %d values, 20 bins (%d not finite, left "
         "out)>" % (keep.sum(), (~keep).sum()), tag + "alt text")

    # a line of 10**6 points: an envelope whose size is the picture's, not the data's
    sizes = []
    for m in (10**5, 10**6):
        data, meta = one(parcenv.run(kc, "plot(sin(linspace(0, 6.283, %d)), title='sine')" % m),
                         tag + "plot")
        c.eq(data.get("text/plain"), "<Figure 'sine': line of %d points>" % m, tag + "line alt")
        c.eq(series(meta)[0].get("kind"), "envelope", tag + "many points: an envelope")
        sizes.append(len(data.get("image/svg+xml", "")))
    c.check(0 < sizes[1] < 1.5 * sizes[0] and sizes[1] < 300000,
            tag + "the picture's bytes do not grow with the data: %s" % sizes)
    data, meta = one(parcenv.run(kc, "plot(arange(5), arange(5) ** 2)"), tag + "plot(x, y)")
    c.eq((series(meta)[0].get("kind"), series(meta)[0].get("nx")), ("line", 5), tag + "few points")

    # scatter: markers when few, a density image (PNG) when many
    data, meta = one(parcenv.run(kc, "scatter(random.rand(50), random.rand(50))"), tag + "scatter")
    c.eq(series(meta)[0].get("kind"), "points", tag + "few points are markers")
    data, meta = one(parcenv.run(kc, "scatter(random.rand(10**5), random.randn(10**5))"),
                     tag + "scatter many")
    c.eq(series(meta)[0].get("kind"), "density", tag + "many points: a density")
    c.check(base64.b64decode(data.get("image/png", ""))[:8] == b"\x89PNG\r\n\x1a\n",
            tag + "density as PNG")
    c.eq(data.get("text/plain"), "<Figure: scatter of 100000 points (density)>", tag + "alt")

    # imshow: block-averaged to the display on the engines
    data, meta = one(parcenv.run(kc, "imshow(random.rand(3000, 2000), width=400, height=300)"),
                     tag + "imshow")
    s = series(meta)[0]
    c.check(s.get("kind") == "image" and s.get("ny") <= 300 and s.get("nx") <= 400,
            tag + "imshow reduced to the display: %s" % s)
    c.eq(data.get("text/plain"), "<Figure: imshow of a 3000x2000 array>", tag + "imshow alt")
    c.check("image/png" in data and meta.get("image/png") == {"width": 400, "height": 300},
            tag + "imshow as PNG of the asked size")

    # several calls, one figure; figure() starts another; legend labels in the alt text
    r = parcenv.run(kc, "plot(arange(10), label='a')\nplot(arange(10) * 2, label='b')\n"
                        "figure()\nhist(arange(10))")
    f = figures(r)
    c.eq([d.get("text/plain") for d, m in f],
         ["<Figure: line of a, 10 points; line of b, 10 points>",
          "<Figure: hist of 10 values, 10 bins>"], tag + "two figures")

    # savefig: written by the kernel, SVG or PNG by the name, through a temporary name
    d = tempfile.mkdtemp()
    r = parcenv.run(kc, "hist(x)\nsavefig('%s/h.svg')\nsavefig('%s/h.png')" % (d, d))
    with open(os.path.join(d, "h.svg"), "rb") as fp:
        c.check(fp.read(5) == b"<?xml", tag + "h.svg is SVG")
    with open(os.path.join(d, "h.png"), "rb") as fp:
        c.check(fp.read(8) == b"\x89PNG\r\n\x1a\n", tag + "h.png is PNG")
    c.eq(sorted(os.listdir(d)), ["h.png", "h.svg"], tag + "no temporary left behind")
    r = parcenv.run(kc, "hist(x)\nsavefig('%s/no/such/dir/h.svg')" % d)
    c.check("savefig: cannot write" in r.stderr and "No such file or directory" in r.stderr,
            tag + "an unwritable path is said: " + r.stderr)
    r = parcenv.run(kc, "savefig('%s/none.svg')" % d)
    c.check("there is no figure to save" in r.stderr, tag + "nothing to save: " + r.stderr)

    # bad input: clear errors, nothing drawn, the kernel goes on
    for code, kind in (("plot(arange(3), arange(4))", "ValueError: x and y must be the same size"),
                       ("plot(x, width=10**6)", "ValueError: plot(): width= must be 64 to 4096"),
                       ("imshow(arange(5))", "TypeError: Invalid shape for image data"),
                       ("imshow(zeros((0, 3)))", "ValueError: imshow() of an empty array"),
                       ("hist(x, bins=0)", "ValueError: hist() takes 1 to"),
                       ("hist(x, range=(5, 1))", "ValueError: max must be larger than min"),
                       ("plot(x, title=3)", "TypeError: plot(): title= must be a str"),
                       ("scatter(x)", "TypeError: scatter() missing 1 required"),
                       ("savefig('a.jpg')", "ValueError: savefig(): the file name must end in"),
                       ("plot(zeros(3) + 1j)", "TypeError: plot() of a complex array")):
        r = parcenv.run(kc, code)
        c.check(kind in r.traceback(), tag + "%s: %s" % (code, r.traceback()))
        c.eq(len(figures(r)), 0, tag + code + " draws nothing")
    data, meta = one(parcenv.run(kc, "plot(zeros(4) * nan)"), tag + "all nan")
    c.eq(data.get("text/plain"), "<Figure: line of 0 points (4 not finite, left out)>",
         tag + "an all-nan line is an empty picture")
    one(parcenv.run(kc, "plot(zeros(0))"), tag + "empty array")

    # %px: each engine draws its own chunk; the alt text names the engine
    r = parcenv.run(kc, "%px plot(arange(5) * rank)")
    c.eq([d.get("text/plain") for d, m in figures(r)],
         ["[engine %d] <Figure: line of 5 points>" % k for k in range(n)], tag + "%px figures")
    r = parcenv.run(kc, "%%px\nhist(x, bins=5)")
    got = [sum(series(m)[0].get("counts", [])) for d, m in figures(r)]
    parts = [len(p) for p in np.array_split(np.arange(N), n)]
    c.eq(got, parts, tag + "%px hist counts each engine's chunk")
    r = parcenv.run(kc, "1 + 1")
    c.eq(r.text, "2", tag + "the kernel goes on")


def console():
    """jupyter console shows each figure as its alt text (it draws no pictures)."""
    parcenv.install_kernelspec()
    cells = "hist(random.randn(10**6), bins=100)\nplot(sin(linspace(0, 2*pi, 10**6)))\n" \
            "%px hist(arange(7) + rank)\nprint('after')\n"
    p = subprocess.run(["/usr/bin/jupyter", "console", "--kernel", "parc", "--simple-prompt"],
                       input=cells, capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, PARC_ENGINES="2"))
    for want in ("<Figure: hist of 1000000 values, 100 bins>",
                 "<Figure: line of 1000000 points>",
                 "[engine 0] <Figure: hist of 7 values, 10 bins>",
                 "[engine 1] <Figure: hist of 7 values, 10 bins>", "after"):
        c.check(want in p.stdout, "console shows %r: %s" % (want, p.stdout[-2000:]))


for n in (1, 2, 3):
    km, kc = parcenv.start(engines=n)
    try:
        plots(kc, n)
    finally:
        parcenv.stop(km, kc)
console()
c.done()
