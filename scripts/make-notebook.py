"""Writes the notebooks in notebooks/ that are made from cells (first-steps, distarray-talk,
parallel-tutorial, per-engine-statistics, pictures), then runs each with 4 engines through
nbclient so the saved outputs are real. Rerun after changing the cells (all, or the ones named):
    PARC_BUILD=build /usr/bin/python3 scripts/make-notebook.py [NAME ...]"""
import os
import sys

import nbformat
from nbclient import NotebookClient

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "py"))
import parcenv  # noqa: E402

md = nbformat.v4.new_markdown_cell
code = nbformat.v4.new_code_cell
RUN_WITH = "This notebook was run with 4 engines (`PARC_ENGINES=4`)."

FIRST_STEPS = [
    md("# First steps with parc\n\nArrays here live in chunks across an MPI job of engines. "
       + RUN_WITH),
    md("## Global view\n\nA plain cell runs on all engines together. Seed the random stream "
       "so the answers below are the same on any number of engines."),
    code("random.seed(2026)\nx = random.rand(10**7)\ny = random.rand(10**7)\n"
         "4 * count_nonzero(hypot(x, y) <= 1) / 10**7"),
    md("A distributed array shows where it lives, then NumPy's summary of its values."),
    code("a = ones((300, 10))\na"),
    code("a.localshapes"),
    md("Block splits differ by at most one element; the first engines take the extras."),
    code("ones(10).localshapes"),
    md("## Local view\n\n`%px` runs a statement on every engine on its own: `a` is now each "
       "engine's chunk, and `rank` and `nranks` are defined."),
    code("%px print(rank, a.shape)"),
    code("%%px\nrandom.seed(rank)\nc = random.random(3)\nc"),
    md("Back in the global view, a per-engine value reads as a list, one entry per engine."),
    code("c"),
    md("## Errors point at the mistake"),
    # nbconvert --execute stops at an error unless the cell is tagged as raising on purpose
    code("y = (x +* 2)", metadata={"tags": ["raises-exception"]}),
]

UNARY = ("absolute arccos arcsin arcsinh arctan arctanh conjugate cos cosh exp expm1 log "
         "log10 log1p negative reciprocal rint sign sin sinh sqrt square tan tanh").split()
BINARY = ("add arctan2 divide floor_divide fmod hypot multiply power remainder subtract "
          "true_divide").split()
BITWISE = "bitwise_and bitwise_or bitwise_xor left_shift right_shift".split()


def names(fs, per_line=6):
    """A parc list of the functions fs, wrapped."""
    rows = [", ".join(fs[k:k + per_line]) for k in range(0, len(fs), per_line)]
    return "[" + ",\n          ".join(rows) + "]"


DISTARRAY_TALK = [
    md("# From NumPy to parallel, seamlessly: the DistArray talk in parc\n\n"
       "The DistArray talk (Enthought, with Sandia's PyTrilinos and the IPython team) showed "
       "NumPy code that runs on arrays spread over a cluster's engines: a Monte Carlo "
       "estimate of π, a distributed `ones((300, 10))` and its local shapes, and the list "
       "of distributed ufuncs. Here are the same programs in parc, where every array is "
       "distributed and a plain cell runs on all engines together. " + RUN_WITH),
    md("## Monte Carlo estimate for π\n\n"
       "Throw darts at the unit square: the fraction that lands inside the quarter circle "
       "of radius 1 is π/4. The talk's `estimate_pi` is NumPy code; in parc it is the same "
       "function, and `x`, `y` and `inside` are distributed arrays, each engine holding and "
       "working on its own chunk. `hypot(x, y) <= 1` and the sum run fused, in one pass over "
       "each chunk, then one reduction across the engines."),
    code('def estimate_pi(N):\n'
         '    """Estimates pi by the Monte Carlo method: N darts in the unit square."""\n'
         '    x = random.random(N)\n    y = random.random(N)\n'
         '    inside = hypot(x, y) <= 1\n    num_inside = inside.sum()\n'
         '    return 4. * num_inside / N\n\n'
         'random.seed(2026)\nestimate_pi(10**4)'),
    md("Seeded, the answers are the same on any number of engines: a random value depends on "
       "the seed, the call and its global index, not on which engine draws it, and the sum "
       "adds in a fixed order."),
    code("estimate_pi(10**7)"),
    md("## A distributed array and its local shapes\n\n"
       "The talk's `distributed_numpy.ones((300, 10))` printed `<DistArray(shape=(300, 10), "
       "targets=[0, 1, 2, 3])>` and `._get_localshapes()` gave four chunks of `(75, 10)`. "
       "In parc:"),
    code("a = ones((300, 10))\na"),
    code("a.localshapes"),
    md("Axis 0 is split in blocks (`'b'`), axis 1 is not distributed (`'n'`):"),
    code("a.dist"),
    md("Each engine sees its own chunk in the local view (`%px`); `rank` is the engine's "
       "number, the talk's `targets`:"),
    code("%px print(rank, a.shape, a.sum())"),
    md("A split that does not come out even gives the first engines one more row:"),
    code("ones((301, 10)).localshapes"),
    md("## The distributed ufuncs\n\n"
       "The talk listed what `dist_numpy` offered: `absolute, add, arccos, ..., tanh, "
       "true_divide`, plus `empty, ones, zeros, fromfunction, fromarray, fromndarray`, "
       "`targets` and `target_to_rank`. Every ufunc of that list is a parc builtin that "
       "works on distributed arrays chunk by chunk; here each one's sum over a distributed "
       "`x`:"),
    code("x = linspace(0.1, 0.9, 9)\nfor f in " + names(UNARY) + ":\n    print(f, f(x).sum())"),
    md("`arccosh` needs values of at least 1:"),
    code("print(arccosh, arccosh(x + 1).sum())"),
    md("The ufuncs of two operands:"),
    code("y = linspace(1.0, 2.0, 9)\nfor f in " + names(BINARY)
         + ":\n    print(f, f(x, y).sum())"),
    md("And the bitwise ones, on integers:"),
    code("i = arange(1, 10)\nfor f in " + names(BITWISE)
         + ":\n    print(f, f(i, 2).sum())\nprint(invert, invert(i).sum())"),
    md("The constructors: `zeros`, `ones` and `empty` as above, `fromfunction` as NumPy's, and "
       "the talk's `fromarray`/`fromndarray` are `array(...)` (from values the kernel "
       "sends) and `from_local(c)` (from each engine's own local array `c`, stacked in rank "
       "order). `targets` and `target_to_rank` are `rank` and `nranks` in `%px` and an "
       "array's `localshapes`; the talk's `view` has no counterpart yet."),
    code("def f(i, j):\n    return i * 10 + j\n\nfromfunction(f, (4, 3))"),
    code("array([[1, 2], [3, 4]]).localshapes"),
]

PARALLEL_TUTORIAL = [
    md("# IPython.parallel habits in parc\n\n"
       "The IPython.parallel tutorial starts a cluster, makes a `Client` and a direct view "
       "`dview = rc[:]`, then pushes values, runs code on the engines with `execute` and "
       "`%px`, scatters and gathers arrays, and multiplies matrices in parallel. In parc the "
       "engines belong to the kernel: there is no client object, a plain cell runs on all "
       "engines together (global view) and `%px` runs on each engine on its own (local "
       "view). " + RUN_WITH),
    md("## Pushing values: `dview['a'] = 5`\n\nA plain assignment; every engine has it "
       "(a cell may mix global lines and `%px` lines):"),
    code("a = 5\nb = 4\n%px print(rank, a, b)"),
    md("## `dview.execute('c = a + b')` and `dview['c']`\n\n"
       "`%px` runs a statement on every engine. What it assigns is a per-engine value, which "
       "the global view reads as a list, one entry per engine (as `dview['c']` does):"),
    code("%px c = a + b"),
    code("c"),
    md("## A subset of the engines: `rc[:2].execute('c = a * b')`"),
    code("%px --targets 0-1 c = a * b"),
    code("c"),
    code("%px print(rank, c)"),
    md("## `%px` and `%%px`, with random numbers\n\n"
       "In the local view each engine has its own random stream; seeding it with the "
       "engine's `rank` makes each engine's numbers repeatable and different from the "
       "others'."),
    code("%%px\nrandom.seed(rank)\nc = random.random(3)\nprint(c)"),
    code("%%px\nc = random.random(5)\nc *= a\nprint(c)"),
    code("c"),
    md("## Scatter: `dview.scatter('a', np.arange(24))`\n\n"
       "A parc array is scattered from the start: `arange(24)` lives in chunks, one per "
       "engine, and the local view sees each engine's chunk."),
    code("s = arange(24)\ns.localshapes"),
    code("%px print(rank, s)"),
    md("Pieces that the engines made themselves become one distributed array with "
       "`from_local`, stacked in rank order:"),
    code("%px t = arange(rank * 6, rank * 6 + 6)"),
    code("g = from_local(t)\ng.localshapes"),
    md("## Gather: `dview.gather('a')`\n\nIn the global view an array is the whole array: "
       "showing it gathers it."),
    code("g"),
    md("The tutorial's round trip: scatter `x`, take `sqrt` on each engine, gather `y` and "
       "compare."),
    code("random.seed(1)\nx = random.random(400)\nx.localshapes"),
    code("%px y = sqrt(x)"),
    code("allclose(from_local(y), sqrt(x))"),
    md("## A parallel dot product\n\n"
       "The dot product of two distributed vectors is one fused pass of products over each "
       "engine's chunks, then one reduction across the engines, in `sum()`'s fixed order (the "
       "same bits on any number of engines). The sum of 0, 1, ..., 999999 is 499999500000:"),
    code("u = arange(1000000.0)\nv = ones(1000000)\ndot(u, v)"),
    md("The tutorial's `parallel_dot` scatters the rows of `A`, sends `B` to every engine and "
       "multiplies block by block. In parc `A @ B` (or `dot(A, B)`) does that itself: each "
       "engine multiplies its own rows of `A` by `B` with OpenBLAS. Here with "
       "`A = arange(30.).reshape(10, 3)` and `B = arange(15.).reshape(3, 5)` made by "
       "`fromfunction`:"),
    code("def fa(i, j):\n    return i * 3 + j\n\ndef fb(i, j):\n    return i * 5 + j\n\n"
         "A = fromfunction(fa, (10, 3))\nB = fromfunction(fb, (3, 5))\nA.localshapes"),
    code("C = A @ B\nC"),
    md("Column `j` of the product is also `(A * B[:, j]).sum(axis=1)`; both ways agree:"),
    code("array_equal(C[:, 2], (A * B[:, 2]).sum(axis=1))"),
    md("## The load-balanced view: `lview.map`\n\n`pmap` hands each call to whichever engine "
       "is free; `notebooks/task-farming.ipynb` has the tutorial's load-balanced examples."),
    code("def square(x):\n    return x * x\n\npmap(square, range(10))"),
]

PER_ENGINE_STATISTICS = [
    md("# Per-engine statistics\n\n"
       "The multiprocessing example: a function that draws `N` normal samples and returns "
       "`N`, their standard deviation and their variance, called for ten values of `N` in a "
       "loop, then with `Pool.map`. The example takes `N` around a million; a tenth of that "
       "keeps this notebook quick. " + RUN_WITH),
    md("`std` and `var` are NumPy's (`ddof=0`): for 0, 0.1, ..., 1 the variance is 1.1 / 11 "
       "= 0.1 and the standard deviation its square root."),
    code("z = linspace(0, 1, 11)\n(std(z), var(z), sqrt(0.1))"),
    md("Seeding the stream with `N` makes each call's samples depend on `N` alone, so the "
       "results below are the same on every run."),
    code("def my_statistics(N):\n    random.seed(N)\n    samples = random.randn(N)\n"
         "    return (N, std(samples), var(samples))\n\nmy_statistics(10)"),
    md("## In the global view: each call uses every engine\n\n"
       "The samples of one call are one distributed array; `std` and `var` are reductions "
       "across the engines, and their results have the same bits on any number of engines."),
    code("for N in range(100000, 100010):\n    print(my_statistics(N))"),
    md("## `Pool.map` is `pmap`: each call on one engine\n\n"
       "Each call runs on one engine alone (local view), the next `N` going to whichever "
       "engine is free. The local view draws from an engine's own stream, so the numbers "
       "differ from the global view's, but seeded with `N` they do not depend on which "
       "engine ran the call."),
    code("stats = pmap(my_statistics, range(100000, 100010))\nfor s in stats:\n    print(s)"),
    md("The variance is the square of the standard deviation, to rounding:"),
    code("ok = True\nfor s in stats:\n    ok = ok and abs(s[1] ** 2 - s[2]) < 1e-12\nok"),
    md("## Every engine its own N, with `%%px`"),
    code("%%px\nmine = my_statistics(100000 + rank)\nmine"),
    md("In the global view, `mine` reads as the list of the engines' results:"),
    code("mine"),
    md("The same `N` gives the same statistics whether `pmap` or `%%px` ran it (`stats`, a "
       "global value, is on every engine):"),
    code("%px print(rank, mine == stats[rank])"),
]

PICTURES = [
    md("# Pictures of arrays of any size\n\nEach engine reduces its chunk to what the picture "
       "needs (bin counts, the min and max of a line in every pixel column, a grid of cell "
       "means); the kernel draws. " + RUN_WITH),
    md("## The darts of Monte Carlo π\n\nDarts inside the quarter circle in one colour, "
       "outside in another: `nan` marks the points a series leaves out."),
    code("random.seed(2026)\nx = random.rand(3000)\ny = random.rand(3000)\n"
         "inside = hypot(x, y) <= 1\n"
         "scatter(where(inside, x, nan), where(inside, y, nan), label='inside', "
         "width=400, height=400)\n"
         "scatter(where(inside, nan, x), where(inside, nan, y), label='outside', "
         "width=400, height=400, title='darts')"),
    code("4 * count_nonzero(inside) / 3000"),
    md("With 10**7 darts the scatter becomes a density picture of counts."),
    code("x = random.rand(10**7)\ny = random.rand(10**7)\nscatter(x, y, title='10**7 darts')\n"
         "4 * count_nonzero(hypot(x, y) <= 1) / 10**7"),
    md("## A histogram of 10**8 normal samples\n\nThe counts are `numpy.histogram`'s; only the "
       "100 counts and edges travel."),
    code("hist(random.randn(10**8), bins=100, title='randn(10**8)')"),
    md("## A line of 10**7 points\n\nMore points than pixels: every pixel column gets the min "
       "and max of its points, so the envelope is exact."),
    code("plot(sin(linspace(0, 2 * pi, 10**7)), title='sin', xlabel='index', ylabel='sin')"),
    md("## A heat-equation state\n\nA hot square spreads by the 5-point stencil; `imshow` "
       "averages the engines' rows down to the picture."),
    code("z = zeros((200, 200))\nz[90:110, 90:110] = 1.0\nfor step in range(300):\n"
         "    z[1:-1, 1:-1] = z[1:-1, 1:-1] + 0.2 * (z[2:, 1:-1] + z[:-2, 1:-1] + "
         "z[1:-1, 2:] + z[1:-1, :-2] - 4 * z[1:-1, 1:-1])\n"
         "imshow(z, title='after 300 steps', width=480, height=480)"),
    code("z.sum()"),
]

NOTEBOOKS = {
    "first-steps": FIRST_STEPS,
    "distarray-talk": DISTARRAY_TALK,
    "parallel-tutorial": PARALLEL_TUTORIAL,
    "per-engine-statistics": PER_ENGINE_STATISTICS,
    "pictures": PICTURES,
}

parcenv.install_kernelspec()
os.environ["PARC_ENGINES"] = "4"
for name in sys.argv[1:] or NOTEBOOKS:
    nb = nbformat.v4.new_notebook(cells=NOTEBOOKS[name])
    nb.metadata["kernelspec"] = {"name": "parc", "display_name": "parc", "language": "parc"}
    nb.metadata["language_info"] = {"name": "parc", "file_extension": ".parc"}
    NotebookClient(nb, kernel_name="parc", timeout=300, allow_errors=True).execute()
    out = os.path.join(HERE, "..", "notebooks", name + ".ipynb")
    nbformat.write(nb, out)
    print("wrote", os.path.normpath(out))
