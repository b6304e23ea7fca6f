"""Writes notebooks/first-steps.ipynb: the two views walked through, then runs it with 4 engines
through nbclient so the saved outputs are real. Rerun after changing the cells:
    PARC_BUILD=build /usr/bin/python3 scripts/make-notebook.py"""
import os
import sys

import nbformat
from nbclient import NotebookClient

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "py"))
import parcenv  # noqa: E402

md = nbformat.v4.new_markdown_cell
code = nbformat.v4.new_code_cell
cells = [
    md("# First steps with parc\n\nArrays here live in chunks across an MPI job of engines. "
       "This notebook was run with 4 engines (`PARC_ENGINES=4`)."),
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
nb = nbformat.v4.new_notebook(cells=cells)
nb.metadata["kernelspec"] = {"name": "parc", "display_name": "parc", "language": "parc"}
nb.metadata["language_info"] = {"name": "parc", "file_extension": ".parc"}
parcenv.install_kernelspec()
os.environ["PARC_ENGINES"] = "4"
NotebookClient(nb, kernel_name="parc", timeout=300, allow_errors=True).execute()
out = os.path.join(HERE, "..", "notebooks", "first-steps.ipynb")
nbformat.write(nb, out)
print("wrote", os.path.normpath(out))
