"""Runs the notebooks (notebooks/first-steps.ipynb, notebooks/task-farming.ipynb) with nbclient
(4 engines, as they were saved) and checks that every cell's text output is the one saved in
the notebook; then runs each the way a person would, with a plain `jupyter nbconvert
--execute` (no --allow-errors): a deliberate error cell is tagged raises-exception, so that
must succeed too."""
import copy
import os
import subprocess
import tempfile

import nbformat
from nbclient import NotebookClient

import parcenv

c = parcenv.Checker("notebook")
parcenv.install_kernelspec()
os.environ["PARC_ENGINES"] = "4"
# each notebook with the errors its tagged cells raise on purpose
NOTEBOOKS = (("first-steps.ipynb", ["SyntaxError"]), ("task-farming.ipynb", []))


def texts(cell):
    """The cell's outputs as text; consecutive streams of one name are merged, as notebook
    front ends merge them when they show and save a cell (message boundaries vary)."""
    out = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream" and out and out[-1][0] == o.name:
            out[-1] = (o.name, out[-1][1] + o.text)
        elif o.output_type == "stream":
            out.append((o.name, o.text))
        elif o.output_type in ("execute_result", "display_data"):
            out.append((o.output_type, o.data.get("text/plain", o.data.get("text/html", ""))))
        elif o.output_type == "error":
            out.append(("error", o.ename, o.evalue))
    return out


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


for name, raised in NOTEBOOKS:
    check(name, raised)
c.done()
