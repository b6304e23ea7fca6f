"""The README's install step: scripts/install-kernelspec.sh puts a "parc" kernelspec into
the user's Jupyter data dir (here a temporary HOME), `jupyter kernelspec list` shows it,
and the installed spec starts a working kernel."""
import json
import os
import subprocess
import tempfile

import parcenv

c = parcenv.Checker("install")
home = tempfile.mkdtemp(prefix="parc-home-")
env = dict(os.environ, HOME=home, JUPYTER_DATA_DIR=os.path.join(home, ".local/share/jupyter"))
env.pop("JUPYTER_PATH", None)
script = os.path.join(parcenv.SOURCE, "scripts", "install-kernelspec.sh")
p = subprocess.run([script, parcenv.BUILD], env=env, capture_output=True, text=True)
c.eq(p.returncode, 0, "install script exit status (stderr: %s)" % p.stderr)
p = subprocess.run(["/usr/bin/jupyter", "kernelspec", "list", "--json"], env=env,
                   capture_output=True, text=True)
specs = json.loads(p.stdout or "{}").get("kernelspecs", {}) if p.returncode == 0 else {}
c.check("parc" in specs, "jupyter kernelspec list shows parc: %s %s" % (p.stdout, p.stderr))
if "parc" in specs:
    spec = specs["parc"]["spec"]
    c.eq(spec["language"], "parc", "kernelspec language")
    c.eq(spec["argv"][0], os.path.join(parcenv.BUILD, "parc-kernel"), "kernelspec argv")
    c.check(spec.get("interrupt_mode") in ("message", "signal"), "interrupt mode")
    # the installed spec, not the tests' temporary one, starts a kernel that computes
    os.environ.update(HOME=home, JUPYTER_DATA_DIR=env["JUPYTER_DATA_DIR"])
    os.environ.pop("JUPYTER_PATH", None)
    from jupyter_client.manager import KernelManager
    km = KernelManager(kernel_name="parc")
    km.start_kernel(env=dict(os.environ, PARC_ENGINES="2"))
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    r = parcenv.run(kc, "sum(arange(10))")
    c.eq(r.text, "45", "installed kernel computes")
    parcenv.stop(km, kc)
c.done()
