"""NumPy-differential testing of parc: the same small program run by parc and by NumPy
(in this Python process), the values compared exactly.

Case files (tests/diff/*.txt): cases are separated by blank lines; each case is one or more
lines valid both in parc and in NumPy (the NumPy side runs after `from numpy import *`,
`import numpy.random as random`, `import numpy.linalg as linalg`); the LAST line is an
expression whose value is compared. Lines starting with `#` are comments; `# ulp N` inside
a case allows N units in the last place for floats, and 0.0 == -0.0 (default: the same
bits); `# tol X` compares floats within X relative to the largest magnitude of NumPy's
answer (|parc - NumPy| <= X * max(1, max|NumPy|)), for results a library computes in its
own order (the solvers of linalg). A case that writes `@dist1` (1-d) or `@dist2` (2-d) as the last argument of array
creators runs once per distribution in DISTS (`@block2`: the 2-d ones without a cyclic axis,
the default in their place): parc gets the keywords (`dist='c'`,
`dist=('b', 'b')`, `block_size=2` ...), NumPy the call without them; `redistribute(x, ...)`
is a copy on the NumPy side. Compared:
kind (NumPy scalar, Python value or array), dtype, shape and every element's bits (any NaN
equals any NaN; -0.0 differs from 0.0). When NumPy raises, parc must raise the same
exception kind (the parc error's name is one of the NumPy exception's classes).

parc's values travel as text: the runner first calls
`set_printoptions(floatmode='unique', threshold=10**18)` in parc, so an array's repr holds
every element with the shortest digits that read back to it (as NumPy's does), and Python
numbers print with repr's round-trip digits.

Other tests can reuse this: `cases = numpydiff.parse_file(path)` or
`numpydiff.Case(source, origin)`, then `numpydiff.run(cases, engines=(1, 2, 3, 4))`, which
returns the failures and prints each with both answers. `skip` maps a case's source (or
its first line) to a reason: those are expected to fail, run anyway, and reported.
"""
import ast
import concurrent.futures
import math
import os
import queue
import re
import struct
import sys
import time
import warnings

import numpy

import parcenv

PRINTOPTIONS = "set_printoptions(floatmode='unique', threshold=10**18)"


# The distributions a case with @dist1/@dist2 runs under: (name, 1-d keywords, 2-d keywords).
DISTS = [
    ("b", "", ""),
    ("c", "dist='c'", "dist=('c', 'n')"),
    ("bc", "dist='c', block_size=2", "dist=('b', 'c'), block_size=2"),
    ("bb", "dist='b'", "dist=('b', 'b')"),
    ("nb", "dist='c', block_size=3", "dist=('n', 'b')"),
    ("cc", "dist='c', block_size=4", "dist=('c', 'c')"),
]


def _dist_sub(src, kw1, kw2):
    for tag, kw in (("@dist1", kw1), ("@dist2", kw2), ("@block2", "" if "'c'" in kw2 else kw2)):
        src = re.sub(r",\s*" + tag, (", " + kw) if kw else "", src)
    return src


class Case:
    def __init__(self, source, origin="", ulp=0, npsource=None, warnings=False, tol=0.0):
        self.source = source.strip("\n")
        self.origin = origin
        self.ulp = ulp
        self.tol = tol
        self.npsource = self.source if npsource is None else npsource.strip("\n")
        self.warnings = warnings  # parc must give every RuntimeWarning NumPy gives
        self.np_warnings = []     # NumPy's RuntimeWarning messages (numpy_eval fills it)


def expand(case):
    """The case once per distribution when it names @dist1/@dist2, else itself."""
    if "@dist" not in case.source and "@block" not in case.source:
        return [case]
    np_src = _dist_sub(case.source, "", "")
    return [Case(_dist_sub(case.source, k1, k2), "%s[%s]" % (case.origin, name), case.ulp,
                 np_src, case.warnings, case.tol) for name, k1, k2 in DISTS]

    def __repr__(self):
        return "Case(%r, %r)" % (self.source, self.origin)


def parse_text(text, name="<text>"):
    """Cases of one file's text; origin is name:line of the case's first line."""
    cases, cur, first, ulp, warn, tol = [], [], 0, 0, False, 0.0

    def flush():
        if any(not l.lstrip().startswith("#") for l in cur):
            body = "\n".join(l for l in cur if not l.lstrip().startswith("#"))
            cases.extend(expand(Case(body, "%s:%d" % (name, first), ulp, warnings=warn,
                                     tol=tol)))

    for no, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            flush()
            cur, ulp, warn, tol = [], 0, False, 0.0
            continue
        if not cur:
            first = no
        m = re.match(r"\s*#\s*ulp\s+(\d+)\s*$", line)
        if m:
            ulp = int(m.group(1))
        warn = warn or re.match(r"\s*#\s*warnings\s*$", line) is not None
        m = re.match(r"\s*#\s*tol\s+(\S+)\s*$", line)
        if m:
            tol = float(m.group(1))
        cur.append(line)
    flush()
    return cases


def parse_file(path):
    with open(path) as f:
        return parse_text(f.read(), os.path.relpath(path))


# ---- the NumPy side ----

def _namespace():
    ns = {}
    exec("from numpy import *\nimport numpy.random as random\nimport numpy.linalg as linalg", ns)
    # parc's layout-only builtins: in NumPy a copy
    exec("def redistribute(x, dist=None, block_size=None, grid_shape=None):\n"
         "    return array(x, copy=True)", ns)
    # convolve2d is scipy.signal's (python3-scipy, scripts/deps.sh's test list)
    exec("from scipy.signal import convolve2d", ns)
    return ns


_NS = _namespace()


def numpy_eval(case):
    """('value', v) or ('error', exception)."""
    ns = dict(_NS)
    tree = ast.parse(case.npsource)  # a case that is not Python is the case's bug: raise
    last = None  # a case ending in a statement only checks that both raise, or neither
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    # NumPy's default error handling (divide, overflow and invalid warn), warnings recorded
    with warnings.catch_warnings(record=True) as seen, numpy.errstate(all="warn", under="ignore"):
        warnings.simplefilter("always")
        try:
            exec(compile(tree, "<case>", "exec"), ns)
            res = ("value", eval(compile(last, "<case>", "eval"), ns) if last else None)
        except Exception as e:  # the case's own error is the expected answer
            res = ("error", e)
    case.np_warnings = []
    for w in seen:
        m = str(w.message)
        if issubclass(w.category, RuntimeWarning) and m not in case.np_warnings:
            case.np_warnings.append(m)
    return res


def parc_warnings(stderr):
    """The messages of the RuntimeWarning lines parc printed, each once."""
    out = []
    for m in re.findall(r"RuntimeWarning: (.*)", stderr):
        if m not in out:
            out.append(m)
    return out


def compare_warnings(case, got):
    """None when parc printed no RuntimeWarning NumPy did not (and, for a case marked
    `# warnings`, every one NumPy printed), else why not."""
    mine = parc_warnings(got.stderr)
    extra = [m for m in mine if m not in case.np_warnings]
    if extra:
        return "parc warns %r, NumPy does not" % extra
    missing = [m for m in case.np_warnings if m not in mine]
    if case.warnings and missing:
        return "NumPy warns %r, parc does not" % missing
    return None


# ---- parc's text back to values ----

_UNUM = r"(?:nan|inf|(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)"
_NUM = r"[-+]?" + _UNUM


def _float(s):
    return float(s)


def _complex(tok):
    t = tok.strip()
    if t.startswith("(") and t.endswith(")"):
        t = t[1:-1]
    if not t.endswith("j"):
        raise ValueError("not a complex: %r" % tok)
    t = t[:-1]
    m = re.fullmatch("(%s)([-+]%s)" % (_NUM, _UNUM), t)  # the imaginary part has a sign
    if m:
        return complex(_float(m.group(1)), _float(m.group(2)))
    if re.fullmatch(_NUM, t):
        return complex(0.0, _float(t))
    raise ValueError("not a complex: %r" % tok)


def _element(tok, dtype):
    if dtype == "bool":
        return {"True": True, "False": False}[tok]
    if dtype.startswith("int"):
        return int(tok)
    if dtype.startswith("complex"):
        return _complex(tok)
    return _float(tok)


def parse_array(text):
    """NumPy's repr of an array (parc's, after its DistArray header line) -> ndarray."""
    t = text.strip()
    if not (t.startswith("array(") and t.endswith(")")):
        raise ValueError("not an array repr: %r" % text)
    body = t[6:-1]
    dtype, shape = None, None
    m = re.search(r",\s*dtype=(\w+)\s*$", body)
    if m:
        dtype, body = m.group(1), body[: m.start()]
    m = re.search(r",\s*shape=\(([\d, ]*)\)\s*$", body)
    if m:
        shape = tuple(int(x) for x in m.group(1).replace(" ", "").split(",") if x)
        body = body[: m.start()]
    # Elements are split at commas and brackets only: NumPy pads inside a complex
    # element ("1. +2.j").
    toks = [x.replace(" ", "").replace("\n", "") for x in re.findall(r"\[|\]|[^\[\],]+", body)]
    toks = [x for x in toks if x]
    if dtype is None:
        flat = [x for x in toks if x not in "[]"]
        if any(x in ("True", "False") for x in flat):
            dtype = "bool"
        elif any(x.endswith("j") for x in flat):
            dtype = "complex128"
        elif any(re.search(r"[.en]", x) for x in flat):
            dtype = "float64"
        else:
            dtype = "int64" if flat else "float64"
    pos = 0

    def value():
        nonlocal pos
        tok = toks[pos]
        pos += 1
        if tok != "[":
            return _element(tok, dtype)
        items = []
        while toks[pos] != "]":
            items.append(value())
        pos += 1
        return items

    v = value()
    if pos != len(toks):
        raise ValueError("trailing text in array repr: %r" % text)
    a = numpy.array(v, dtype=dtype)
    if shape is not None:
        a = a.reshape(shape)
    return a


def parse_parc(text):
    """parc's text/plain of a value -> ('array', ndarray) or ('scalar', Python value) or
    ('other', text)."""
    t = text
    if t.startswith("DistArray("):
        t = t.split("\n", 1)[1]
    t = t.strip()
    if t.startswith("array("):
        return ("array", parse_array(t))
    if t in ("True", "False"):
        return ("scalar", t == "True")
    if re.fullmatch(r"-?\d+", t):
        return ("scalar", int(t))
    if re.fullmatch(_NUM, t):
        return ("scalar", _float(t))
    try:
        return ("scalar", _complex(t))
    except ValueError:
        return ("other", t)


# ---- comparing ----

def _bits(x, single=False):
    if single:
        return struct.unpack("<i", struct.pack("<f", x))[0]
    return struct.unpack("<q", struct.pack("<d", x))[0]


# The largest ulp distance met in each case that allows ulps (case source -> ulps), filled
# by compare: how close the allowance is to what is needed.
ULP_SEEN = {}
_comparing = [None]


def float_eq(a, b, ulp, single=False):
    """single: a and b are float32 values, ulps counted in float32's."""
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if _bits(a) == _bits(b) or (ulp > 0 and a == b):
        return True
    if ulp == 0 or math.isinf(a) or math.isinf(b) or (a < 0) != (b < 0):
        return ulp > 0 and a == b  # with ulp, 0.0 and -0.0 are equal
    d = abs(_bits(a, single) - _bits(b, single))
    src = _comparing[0]
    if src is not None:
        ULP_SEEN[src] = max(ULP_SEEN.get(src, 0), d)
    return d <= ulp


def _kind(v):
    if isinstance(v, (bool, numpy.bool_)):
        return "bool"
    if isinstance(v, (int, numpy.integer)):
        return "int"
    if isinstance(v, (float, numpy.floating)):
        return "float"
    if isinstance(v, (complex, numpy.complexfloating)):
        return "complex"
    return type(v).__name__


def scalar_eq(want, got, ulp):
    kw, kg = _kind(want), _kind(got)
    if kw != kg:
        return False
    if isinstance(want, numpy.float32):
        # parc prints a float32 with the shortest digits that read back as that float32
        return float_eq(want, numpy.float32(got), ulp, True)
    if kw == "float":
        return float_eq(want, got, ulp)
    if kw == "complex":
        return float_eq(want.real, got.real, ulp) and float_eq(want.imag, got.imag, ulp)
    return want == got


# parc has no int8/int16/uint8/uint16: where NumPy answers with one of them (True // True
# is int8), parc answers int64 with the same values (docs/language.md).
SMALL_INTS = ("int8", "int16", "uint8", "uint16")


def as_parc(v):
    """NumPy's answer as parc, knowingly, gives it."""
    if isinstance(v, numpy.ndarray) and v.dtype.name in SMALL_INTS:
        return v.astype(numpy.int64)
    if isinstance(v, numpy.generic) and v.dtype.name in SMALL_INTS:
        return numpy.int64(v)
    return v


def array_eq(want, got, ulp):
    if want.dtype != got.dtype or want.shape != got.shape:
        return False
    for w, g in zip(want.reshape(-1).tolist(), got.reshape(-1).tolist()):
        if want.dtype.kind == "c":
            if not (float_eq(w.real, g.real, ulp) and float_eq(w.imag, g.imag, ulp)):
                return False
        elif want.dtype.kind == "f":
            if not float_eq(w, g, ulp, want.dtype == numpy.float32):
                return False
        elif w != g:
            return False
    return True


def close_eq(want, got, tol):
    """Same kind, dtype and shape, and every float within tol of the largest magnitude."""
    if isinstance(want, numpy.ndarray):
        if not isinstance(got, numpy.ndarray) or want.dtype != got.dtype or want.shape != got.shape:
            return False
        if want.dtype.kind not in "fc":
            return numpy.array_equal(want, got)
        w, g = want.astype(complex).ravel(), got.astype(complex).ravel()
    else:
        if _kind(want) != _kind(got) or _kind(want) not in ("float", "complex"):
            return scalar_eq(want, got, 0)
        w, g = numpy.array([complex(want)]), numpy.array([complex(got)])
    if numpy.any(numpy.isnan(w) != numpy.isnan(g)):
        return False
    ok = ~numpy.isnan(w)
    scale = max(1.0, float(numpy.max(numpy.abs(w[ok]), initial=0.0)))
    return bool(numpy.all(numpy.abs(w[ok] - g[ok]) <= tol * scale))


def describe_numpy(res):
    kind, v = res
    if kind == "error":
        return "raises %s: %s" % (type(v).__name__, v)
    if isinstance(v, numpy.ndarray):
        with numpy.printoptions(floatmode="unique", threshold=sys.maxsize):
            return repr(v)
    return "%r (%s)" % (v, type(v).__name__)


def compare(case, want, got):
    """None when parc's answer got (a parcenv.Result) matches NumPy's want, else why not."""
    _comparing[0] = case.source
    kind, v = want
    if got.errors:
        ename = got.errors[0]["ename"]
        if kind == "error":
            names = [c.__name__ for c in type(v).__mro__]
            return None if ename in names else "parc raises %s, NumPy %s" % (ename, names[0])
        return "parc raises %s: %s" % (ename, got.errors[0]["evalue"])
    if kind == "error":
        return "parc gives a value where NumPy raises %s" % type(v).__name__
    bad = compare_warnings(case, got)
    if bad:
        return bad
    v = as_parc(v)
    if v is None:
        return None if got.text is None else "parc shows a value, NumPy none"
    if got.text is None:
        return "parc shows no value"
    try:
        pk, pv = parse_parc(got.text)
    except (ValueError, IndexError, KeyError) as e:
        return "parc's output does not parse (%s)" % e
    if isinstance(v, numpy.ndarray):
        if pk != "array":
            return "parc gives a %s, NumPy an array" % pk
        if case.tol:
            return None if close_eq(v, pv, case.tol) else "values differ (tol %g)" % case.tol
        return None if array_eq(v, pv, case.ulp) else "values differ"
    if isinstance(v, (numpy.generic, bool, int, float, complex)):
        if pk != "scalar":
            return "parc gives %s, NumPy a scalar" % ("an array" if pk == "array" else pk)
        if case.tol:
            return None if close_eq(v, pv, case.tol) else "values differ (tol %g)" % case.tol
        return None if scalar_eq(v, pv, case.ulp) else "values differ"
    return None if repr(v) == got.text.strip() else "values differ"


# ---- running ----

def _collect_many(kc, msg_ids, timeout):
    """parcenv.collect for several requests in flight: {msg_id: Result}."""
    res = {m: parcenv.Result() for m in msg_ids}
    idle = set()
    deadline = time.time() + timeout
    while len(idle) < len(msg_ids):
        if time.time() > deadline:
            raise TimeoutError("no idle from the kernel within %ss" % timeout)
        try:
            m = kc.get_iopub_msg(timeout=0.2)
        except queue.Empty:
            continue
        mid = m["parent_header"].get("msg_id")
        if mid not in res:
            continue
        deadline = time.time() + timeout  # each case gets the timeout, not the batch
        if res[mid].add(m):
            idle.add(mid)
    left = set(msg_ids)
    while left:
        m = kc.get_shell_msg(timeout=max(1, deadline - time.time()))
        mid = m["parent_header"].get("msg_id")
        if mid in left:
            res[mid].reply = m
            left.discard(mid)
    return res


class Kernel:
    """One parc kernel with n engines, restarted if a case leaves it unusable."""

    def __init__(self, n):
        self.n = n
        self.km = self.kc = None

    def ensure(self):
        if self.kc is None:
            self.km, self.kc = parcenv.start(engines=self.n)
            r = parcenv.run(self.kc, PRINTOPTIONS, timeout=60)
            if r.errors:
                raise RuntimeError("set_printoptions failed: %s" % r.traceback())
        return self.kc

    def run_many(self, sources, timeout, window=24):
        """Results of the sources in order, up to `window` requests in flight (the kernel
        runs them one after another; stop_on_error is off so a failing case does not abort
        the next). A source that gets no answer within timeout gets the exception instead
        and the kernel is restarted for the rest."""
        out = [None] * len(sources)
        pos = 0
        while pos < len(sources):
            kc = self.ensure()
            batch = list(range(pos, min(pos + window, len(sources))))
            ids = {kc.execute(sources[i], stop_on_error=False): i for i in batch}
            try:
                for mid, r in _collect_many(kc, list(ids), timeout).items():
                    out[ids[mid]] = r
            except Exception as e:  # noqa: BLE001 - a hang or a dead kernel fails its case
                for i in batch:
                    if out[i] is None:
                        out[i] = e
                        break
                self.stop()
                pos = next((i for i in batch if out[i] is None), batch[-1] + 1)
                continue
            pos = batch[-1] + 1
        return out

    def stop(self):
        if self.kc is not None:
            try:
                parcenv.stop(self.km, self.kc)
            except Exception:
                try:
                    self.km.shutdown_kernel(now=True)
                except Exception:
                    pass
        self.km = self.kc = None


def _shown(r):
    """A result as text without the DistArray header line (it names the engine count)."""
    if isinstance(r, Exception) or r.errors or r.text is None:
        return "no value: %s" % (r if isinstance(r, Exception) else r.traceback())
    return re.sub(r"DistArray\([^\n]*?engines=\d+\)\n", "", r.text)


def same_everywhere(check, cells, counts, timeout, what):
    """Runs every cell on kernels of each engine count in counts and records with
    check(ok, message) whether each gives a value with the same text on all of them."""
    texts = {}
    for n in counts:
        k = Kernel(n)
        try:
            texts[n] = [_shown(r) for r in k.run_many(cells, timeout)]
        finally:
            k.stop()
    for i, cell in enumerate(cells):
        got = [texts[n][i] for n in counts]
        ok = not any(g.startswith("no value") for g in got) and len(set(got)) == 1
        check(ok, "%s: %s\n  %s" % (what, cell, "\n  ".join(
            "%d: %r" % (n, g) for n, g in zip(counts, got))))


class Failure:
    def __init__(self, case, engines, want, got, why):
        self.case, self.engines, self.want, self.got, self.why = case, engines, want, got, why

    def text(self):
        g = self.got
        if isinstance(g, str):
            parc = g
        elif g.errors:
            parc = "raises %s: %s" % (g.errors[0]["ename"], g.errors[0]["evalue"])
        else:
            parc = g.text if g.text is not None else "(no value)"
        src = "\n".join("    " + l for l in self.case.source.split("\n"))
        return "%s, %d engine%s: %s\n%s\n  NumPy: %s\n  parc:  %s" % (
            self.case.origin, self.engines, "" if self.engines == 1 else "s", self.why, src,
            describe_numpy(self.want).replace("\n", "\n         "),
            parc.replace("\n", "\n         "))


def _skip_reason(case, skip):
    if not skip:
        return None
    return skip.get(case.source) or skip.get(case.source.split("\n")[0])


def run(cases, engines=(1, 2, 3, 4), skip=None, timeout=30, out=sys.stdout):
    """Runs every case on every engine count; prints failures (the smallest case first, each
    with both answers) and expected failures; returns the list of unexpected Failures."""
    wants = [numpy_eval(c) for c in cases]
    failures, expected, fixed = [], [], []
    t0 = time.time()

    def one(n):
        k = Kernel(n)
        try:
            return k.run_many([c.source for c in cases], timeout)
        finally:
            k.stop()

    # One kernel per engine count, all at once: each runs its cases one after another, so
    # the kernels mostly wait for each other's round trips, not for the CPU.
    with concurrent.futures.ThreadPoolExecutor(len(engines)) as pool:
        results = list(pool.map(one, engines))
    passes = {}
    for n, gots in zip(engines, results):
        for case, want, got in zip(cases, wants, gots):
            why = _skip_reason(case, skip)
            if isinstance(got, Exception):
                got, bad = "no answer (%s: %s)" % (type(got).__name__, got), "no answer"
            else:
                bad = compare(case, want, got)
            if bad and why:
                expected.append((case, n, why))
            elif bad:
                failures.append(Failure(case, n, want, got, bad))
            elif why:
                passes[case.source] = passes.get(case.source, 0) + 1
                if passes[case.source] == len(engines):
                    fixed.append((case, why))
    dt = time.time() - t0
    seen = set()
    if failures:
        order = sorted(failures, key=lambda f: (len(f.case.source), f.engines))
        print("minimal failing case:\n" + order[0].text(), file=out)
        print("\nall failures (first engine count per case):", file=out)
        for f in failures:
            if f.case.source in seen:
                continue
            seen.add(f.case.source)
            counts = sorted(x.engines for x in failures if x.case.source == f.case.source)
            print("\n" + f.text() + "\n  fails on engines: %s" % counts, file=out)
    shown = set()
    for case, n, why in expected:
        if case.source not in shown:
            shown.add(case.source)
            print("expected failure (%s): %s: %s" % (why, case.origin,
                                                     case.source.replace("\n", "; ")), file=out)
    for case, why in fixed:
        print("skip-listed but passes now, take it off the list (%s): %s" % (why, case.origin),
              file=out)
    print("%d cases x engines %s in %.1fs: %d failures in %d cases, %d expected failures" % (
        len(cases), ",".join(map(str, engines)), dt, len(failures), len(seen), len(shown)),
        file=out)
    return failures
