"""Runs the notebooks (notebooks/*.ipynb: first steps, task farming, pictures, and the seeds'
programs: the DistArray talk, the IPython.parallel tutorial's habits, per-engine statistics) with
nbclient (4 engines, as they were saved) and checks that every cell's text output is the one
saved in the notebook, and the seeds' answers against NumPy; then runs each the way a person
would, with a plain `jupyter nbconvert --execute` (no --allow-errors): a deliberate error cell
is tagged raises-exception, so that must succeed too. The executed pictures notebook is then
converted to HTML and shown in a real browser (headless Chromium): its screenshot must hold the
figures' colours, where the same page with the figures taken out holds none."""
import ast
import copy
import math
import os
import re
import shutil
import subprocess
import tempfile

import numpy as np
from PIL import Image

import nbformat
from nbclient import NotebookClient

import parcenv

c = parcenv.Checker("notebook")
parcenv.install_kernelspec()
os.environ["PARC_ENGINES"] = "4"
# each notebook with the errors its tagged cells raise on purpose
NOTEBOOKS = (("first-steps.ipynb", ["SyntaxError"]), ("task-farming.ipynb", []),
             ("distarray-talk.ipynb", []), ("parallel-tutorial.ipynb", []),
             ("per-engine-statistics.ipynb", []), ("pictures.ipynb", []))


def texts(cell):
    """The cell's outputs as text; consecutive streams of one name are merged, as notebook
    front ends merge them when they show and save a cell (message boundaries vary)."""
    out = []
    for o in cell.get("outputs", []):
        if o.output_type == "display_data" and o.data == {"text/html": ""}:
            continue  # a live area, saved empty; a global cell has one only past 2 s
        if o.output_type == "display_data" and re.match(r"pmap: \d+/\d+ done; ",
                                                        o.data.get("text/plain", "")):
            continue  # a farm's progress line, shown only past 2 s (slower under load)
        if o.output_type == "stream" and out and out[-1][0] == o.name:
            out[-1] = (o.name, out[-1][1] + o.text)
        elif o.output_type == "stream":
            out.append((o.name, o.text))
        elif o.output_type in ("execute_result", "display_data"):
            out.append((o.output_type, o.data.get("text/plain", o.data.get("text/html", ""))))
        elif o.output_type == "error":
            out.append(("error", o.ename, o.evalue))
    return out


def output(cell):
    """All of a cell's text output, streams and results, in order."""
    return "".join(t[1] if t[0] != "error" else "%s: %s" % t[1:] for t in texts(cell)
                   if len(t) == 2 or t[0] == "error")


def by_source(nb, start, exact=False):
    """The output of the first code cell whose source starts with start (or is start)."""
    for cell in nb.cells:
        if cell.cell_type == "code" and (cell.source == start if exact else
                                         cell.source.startswith(start)):
            return output(cell)
    c.check(False, "no cell starts with %r" % start)
    return ""


def printed(text):
    """{name: value} from the lines '<built-in function NAME> VALUE'."""
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r"<built-in function (\w+)> (\S+)", text)}


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-13, abs_tol=1e-13)


def seeds_distarray(nb):
    pi4 = float(by_source(nb, "estimate_pi(10**7)", exact=True))
    c.check(abs(pi4 - math.pi) < 0.005, "talk: Monte Carlo pi with 10**7 darts: %r" % pi4)
    c.eq(by_source(nb, "a.localshapes"), "[(75, 10), (75, 10), (75, 10), (75, 10)]",
         "talk: ones((300, 10)) in four chunks of (75, 10)")
    c.eq(by_source(nb, "%px print(rank, a.shape"),
         "".join("[stdout:%d] %d (75, 10) 750.0\n" % (k, k) for k in range(4)),
         "talk: each engine's chunk")
    c.eq(by_source(nb, "ones((301, 10)).localshapes"),
         "[(76, 10), (75, 10), (75, 10), (75, 10)]", "talk: an uneven split")
    x, y, i = np.linspace(0.1, 0.9, 9), np.linspace(1.0, 2.0, 9), np.arange(1, 10)
    want = {}
    for f in ("absolute arccos arcsin arcsinh arctan arctanh conjugate cos cosh exp expm1 log "
              "log10 log1p negative reciprocal rint sign sin sinh sqrt square tan tanh").split():
        want[f] = getattr(np, f)(x).sum()
    want["arccosh"] = np.arccosh(x + 1).sum()
    for f in ("add arctan2 divide floor_divide fmod hypot multiply power remainder subtract "
              "true_divide").split():
        want[f] = getattr(np, f)(x, y).sum()
    for f in "bitwise_and bitwise_or bitwise_xor left_shift right_shift".split():
        want[f] = getattr(np, f)(i, 2).sum()
    want["invert"] = np.invert(i).sum()
    got = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            got.update(printed(output(cell)))
    c.eq(sorted(got), sorted(want), "talk: every ufunc of the list shown")
    for f in sorted(want):
        c.check(f in got and close(got[f], float(want[f])),
                "talk: %s: parc %r, NumPy %r" % (f, got.get(f), want[f]))


def seeds_tutorial(nb):
    cells = [output(cell) for cell in nb.cells if cell.cell_type == "code"]
    c.check("[9, 9, 9, 9]" in cells and "[20, 20, 9, 9]" in cells,
            "tutorial: per-engine values after %px and %px --targets 0-1")
    c.eq(by_source(nb, "%px print(rank, s)"),
         "".join("[stdout:%d] %d %s\n" % (k, k, np.arange(6 * k, 6 * k + 6)) for k in range(4)),
         "tutorial: arange(24) scattered in four chunks")
    c.check("array([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16,\n"
            "       17, 18, 19, 20, 21, 22, 23])" in by_source(nb, "g", exact=True),
            "tutorial: showing from_local's array gathers 0..23")
    c.eq(by_source(nb, "allclose(from_local(y)"), "True", "tutorial: scatter, sqrt, gather")
    c.eq(float(by_source(nb, "u = arange(1000000.0)")), float(np.arange(1e6) @ np.ones(10**6)),
         "tutorial: the dot product of two distributed vectors")
    C = np.arange(30.0).reshape(10, 3) @ np.arange(15.0).reshape(3, 5)
    got = by_source(nb, "C = A @ B")  # DistArray(shape=...) then the array's repr
    try:
        val = eval(got.split("\n", 1)[1], {"array": np.array})
    except Exception:
        val = None
    c.check(val is not None and np.array_equal(val, C),
            "tutorial: A @ B as NumPy's: parc %s, NumPy %s" % (got, C))
    c.eq(by_source(nb, "array_equal(C[:, 2]"), "True", "tutorial: a column of A B by sums")
    c.eq(by_source(nb, "def square"), str([k * k for k in range(10)]), "tutorial: pmap")


def seeds_statistics(nb):
    z = np.linspace(0, 1, 11)
    got = ast.literal_eval(by_source(nb, "z = linspace"))
    c.check(close(got[0], np.std(z)) and close(got[1], np.var(z)),
            "statistics: std and var of linspace(0, 1, 11): parc %s, NumPy %s"
            % (got[:2], (np.std(z), np.var(z))))
    glob = [ast.literal_eval(ln) for ln in by_source(nb, "for N in range").splitlines()]
    farm = [ast.literal_eval(ln) for ln in by_source(nb, "stats = pmap").splitlines()]
    for what, rows in (("global view", glob), ("pmap", farm)):
        c.eq([r[0] for r in rows], list(range(100000, 100010)), "statistics: %s: N" % what)
        c.check(all(abs(r[1] - 1) < 0.01 and abs(r[2] - r[1] ** 2) < 1e-12 for r in rows),
                "statistics: %s: std near 1 and var = std**2: %s" % (what, rows))
    c.eq(by_source(nb, "ok = True"), "True", "statistics: var = std**2 in parc")
    per = re.findall(r"Out\[(\d+):\d+\]: (\([^)]*\))", by_source(nb, "%%px\nmine"))
    c.eq([(int(k), ast.literal_eval(t)) for k, t in per], list(enumerate(farm[:4])),
         "statistics: %%px gives each engine's N the statistics pmap gave")
    c.eq(by_source(nb, "%px print(rank, mine == stats[rank])"),
         "".join("[stdout:%d] %d True\n" % (k, k) for k in range(4)),
         "statistics: the same N, the same statistics")


SEEDS = {"distarray-talk.ipynb": seeds_distarray, "parallel-tutorial.ipynb": seeds_tutorial,
         "per-engine-statistics.ipynb": seeds_statistics}


def check(name, raised):
    path = os.path.join(parcenv.SOURCE, "notebooks", name)
    saved = nbformat.read(path, as_version=4)
    nb = copy.deepcopy(saved)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(nb, kernel_name="parc", timeout=300, allow_errors=True).execute()
    code_cells = [(a, b) for a, b in zip(saved.cells, nb.cells) if a.cell_type == "code"]
    c.check(len(code_cells) > 5, name + ": notebook has code cells")
    for i, (want, got) in enumerate(code_cells):
        c.check(len(want.get("outputs", [])) > 0, "%s: cell %d has saved outputs" % (name, i))
        c.eq(texts(got), texts(want), "%s: cell %d: %s" % (name, i, want.source.splitlines()[0]))
    if name in SEEDS:
        SEEDS[name](nb)

    # A plain nbconvert stops at the first error unless the cell says it raises on purpose.
    with tempfile.TemporaryDirectory(prefix="parc-nbconvert-") as out:
        p = subprocess.run(["/usr/bin/jupyter", "nbconvert", "--to", "notebook", "--execute",
                            "--ExecutePreprocessor.kernel_name=parc", "--output-dir", out, path],
                           capture_output=True, text=True, timeout=300)
        c.check(p.returncode == 0,
                name + ": plain jupyter nbconvert --execute: " + p.stderr[-2000:])
        done = os.path.join(out, os.path.basename(path))
        if c.check(os.path.exists(done), name + ": nbconvert wrote the executed notebook"):
            ran = nbformat.read(done, as_version=4)
            errs = [o for cell in ran.cells for o in cell.get("outputs", [])
                    if o.output_type == "error"]
            c.eq([e.ename for e in errs], raised, name + ": only the tagged cells raised")
            if name == "pictures.ipynb":
                in_browser(done, out)


def figure_pixels(png):
    """Pixels of the figures' colours: the first series colour (matplotlib's C0 blue) and
    viridis's greens and blues, which page text and chrome never use."""
    img = Image.open(png).convert("RGB")
    n = 0
    for r, g, b in img.getdata():
        c0 = abs(r - 31) < 40 and abs(g - 119) < 40 and abs(b - 180) < 40
        vir = g > r + 30 and b > r and r < 120
        n += c0 or vir
    return n


def screenshot(html, png):
    p = subprocess.run([shutil.which("chromium") or "chromium", "--headless", "--no-sandbox",
                        "--disable-gpu", "--hide-scrollbars", "--window-size=1100,9000",
                        "--screenshot=" + png, "file://" + html],
                       capture_output=True, text=True, timeout=120)
    return p.returncode == 0 and os.path.exists(png)


def in_browser(executed, out):
    p = subprocess.run(["/usr/bin/jupyter", "nbconvert", "--to", "html", "--output-dir", out,
                        executed], capture_output=True, text=True, timeout=120)
    html = os.path.join(out, "pictures.html")
    if not c.check(p.returncode == 0 and os.path.exists(html), "nbconvert --to html: " +
                   p.stderr[-1000:]):
        return
    page = open(html, encoding="utf-8").read()
    c.check(page.count("data:image/png;base64,") >= 2 and
            page.count("data:image/svg+xml;base64,") >= 3, "the HTML keeps the figures (PNG and SVG)")
    bare = os.path.join(out, "bare.html")
    with open(bare, "w", encoding="utf-8") as fp:
        fp.write(re.sub(r"<svg.*?</svg>", "", re.sub(r'<img src="data:image/[^"]*"', "<img", page),
                        flags=re.S))
    shot, bare_shot = os.path.join(out, "shot.png"), os.path.join(out, "bare.png")
    if not c.check(screenshot(html, shot) and screenshot(bare, bare_shot),
                   "headless Chromium takes screenshots"):
        return
    n, n0 = figure_pixels(shot), figure_pixels(bare_shot)
    c.check(n > 50000 and n0 < 2000, "the browser shows the figures: %d figure-coloured pixels, "
            "%d without the figures" % (n, n0))


for name, raised in NOTEBOOKS:
    check(name, raised)
c.done()
