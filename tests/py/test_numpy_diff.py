"""parc against NumPy 1.24, case by case, on 1, 2, 3 and 4 engines (see numpydiff.py for
the case format and how values are compared exactly).

Cases: every tests/diff/*.txt, plus generated families: every binary operator, in-place
operator and two-operand ufunc with a length-1 (or 0-d, or Python scalar) operand next to
a distributed one, in both orders, for each dtype; every one-operand ufunc on each dtype;
the type promotion table (promote_cases); random expressions (random_cases), and the same
over long arrays with special values here and there (long_cases); every name
of the operation set's lists (spec_cases).

    /usr/bin/python3 tests/py/test_numpy_diff.py              # everything, engines 1-4
    /usr/bin/python3 tests/py/test_numpy_diff.py -n 3 ops.txt # one file, 3 engines
    /usr/bin/python3 tests/py/test_numpy_diff.py -k 'var('    # cases containing text
    /usr/bin/python3 tests/py/test_numpy_diff.py --ulp        # and the ulps each case needed
    /usr/bin/python3 tests/py/test_numpy_diff.py spec         # every listed name
    /usr/bin/python3 tests/py/test_numpy_diff.py long         # random expressions, long arrays
    /usr/bin/python3 tests/py/test_numpy_diff.py promote      # the type promotion table
                                                   (test_numpy_promote.py under ctest)
"""
import glob
import os
import random
import sys

import numpydiff

HERE = os.path.dirname(os.path.abspath(__file__))
DIFF = os.path.join(HERE, "..", "diff")

# Cases expected to fail because the work belongs to another open issue: the case's source
# (or its first line) -> why. They run anyway and are reported; never hide a wrong answer
# of this runner's own issue here.
SKIP = {}

BINOPS = ["+", "-", "*", "/", "//", "%", "**", "<", "<=", ">", ">=", "==", "!=", "&", "|",
          "^", "<<", ">>"]
UFUNC2 = ["hypot", "arctan2", "maximum", "minimum", "fmod", "logical_and", "logical_or",
          "logical_xor"]
# The operators spelled as functions: the same loops as the operators, so they are tried
# with a partner of the same dtype and a Python scalar only.
FORMS = ["add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "power", "mod",
         "remainder", "greater", "greater_equal", "less", "less_equal", "equal", "not_equal",
         "bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift"]
UFUNC1 = ["sqrt", "exp", "log", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh",
          "cosh", "tanh", "log10", "log1p", "expm1", "floor", "ceil", "square", "negative",
          "absolute", "isnan", "isfinite", "sign", "rint", "reciprocal", "arcsinh", "arccosh",
          "arctanh", "conjugate", "positive", "logical_not", "isinf", "invert"]

BOOL_UFUNC1 = {"isnan", "isfinite", "sign", "absolute", "negative", "conjugate", "positive",
               "logical_not", "isinf", "invert"}

# A distributed operand of length 5 per dtype, and its length-1 partner.
LONG = {
    "float64": "array([-2.5, -1.0, 0.0, 0.5, 3.0])",
    "int64": "array([-3, -1, 0, 2, 7])",
    "bool": "array([True, False, True, True, False])",
    "complex128": "array([1+2j, -1j, 0j, 2.5+0j, -1-1j])",
}
SHORT = {
    "float64": "array([1.5])",
    "int64": "array([2])",
    "bool": "array([True])",
    "complex128": "array([0.5-1j])",
}
ZERO_D = {"float64": "array(-0.75)", "int64": "array(3)"}
PY = {"float64": "2.5", "int64": "3", "bool": "True", "complex128": "1j"}


# Functions where NumPy 1.24's own SIMD loops and glibc's libm (which parc calls) may round
# differently: allowed this many ulps.
TRANSCENDENTAL_ULP = 4
TRANSCENDENTAL = {"exp", "log", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh",
                  "tanh", "log10", "log1p", "expm1", "arctan2", "hypot", "**", "arcsinh",
                  "arccosh", "arctanh", "power"}


def generated():
    cases = []

    def add(src, origin):
        ulp = TRANSCENDENTAL_ULP if any(
            (f + "(" in src) or (f == "**" and f in src) for f in TRANSCENDENTAL) else 0
        cases.append(numpydiff.Case(src, origin, ulp))

    for dl, long_ in LONG.items():
        # Length-1 arrays (distributed: one engine holds the element) in both orders and
        # in place; 0-d arrays and Python scalars on the right only.
        partners = [(k, v, 1) for k, v in SHORT.items()] + \
            [(k + " 0-d", v, 0) for k, v in ZERO_D.items() if k == dl or dl == "bool"] + \
            [(k + " python", v, 0) for k, v in PY.items() if k == dl or dl == "bool"]
        for ds, short, both in partners:
            for op in BINOPS:
                if op in ("<<", ">>", "&", "|", "^") and ("float" in dl + ds or "complex" in dl + ds):
                    continue
                add("a = %s\nb = %s\na %s b" % (long_, short, op), "gen:binop")
                if both:
                    add("a = %s\nb = %s\nb %s a" % (long_, short, op), "gen:binop")
                if both and op not in ("<", "<=", ">", ">=", "==", "!="):
                    add("a = %s\nb = %s\na %s= b\na" % (long_, short, op), "gen:inplace")
            for fn in UFUNC2:
                if fn in ("hypot", "arctan2") and dl == "bool" and ds.startswith("bool"):
                    continue  # NumPy answers float16, which parc does not have
                add("a = %s\nb = %s\n%s(a, b)" % (long_, short, fn), "gen:ufunc2")
                if both:
                    add("a = %s\nb = %s\n%s(b, a)" % (long_, short, fn), "gen:ufunc2")
            add("a = %s\nb = %s\nwhere(a != 0, a, b)" % (long_, short), "gen:where")
            add("a = %s\nb = %s\nwhere(a != 0, b, a)" % (long_, short), "gen:where")
            add("a = %s\nb = %s\nclip(a, b, 2)" % (long_, short), "gen:clip")
            add("a = %s\nb = %s\nclip(a, -1, b)" % (long_, short), "gen:clip")
            if ds == dl or ds.endswith(" python"):
                for fn in FORMS:
                    add("a = %s\nb = %s\n%s(a, b)" % (long_, short, fn), "gen:forms")
                    if both:
                        add("a = %s\nb = %s\n%s(b, a)" % (long_, short, fn), "gen:forms")
        # A length-1 operand broadcast into a 2-d distributed array (5 rows, 3 columns).
        rows = long_[len("array(["):-2].split(", ")
        a2 = "array([%s])" % ", ".join("[%s, %s, %s]" % (x, x, x) for x in rows)
        one = SHORT[dl][len("array(["):-2]
        for op in ("+", "*", "-", "/"):
            if dl == "bool" and op == "-":
                continue
            if op != "/":  # a sum of inexact quotients depends on the order (docs/language.md)
                add("a = %s\nb = %s\n(a %s b).sum(axis=0)" % (a2, SHORT[dl], op), "gen:2d")
            add("a = %s\nb = array([[%s]])\na %s b" % (a2, one, op), "gen:2d")
            add("a = %s\nb = array([[%s], [%s], [%s], [%s], [%s]])\nb %s a" % (
                a2, one, one, one, one, one, op), "gen:2d")
            add("a = %s\nb = array([[%s, %s, %s]])\na %s= b\na" % (a2, one, one, one, op),
                "gen:2d")
        for fn in UFUNC1:
            if dl == "bool" and fn not in BOOL_UFUNC1:
                continue  # NumPy answers float16 (or int8), which parc does not have
            add("%s(%s)" % (fn, long_), "gen:ufunc1")
            add("%s(%s)" % (fn, SHORT[dl]), "gen:ufunc1")
        # Reductions of a result that needed the length-1 operand on every engine.
        for red in ("sum", "prod", "min", "max", "mean", "any", "all"):
            # parc adds and multiplies floats in a fixed tree (the same on any number of
            # engines), NumPy in its own order: the last bits and the sign of a zero may
            # differ (docs/language.md).
            ulp = 2 if red in ("sum", "prod", "mean") and dl in ("float64", "complex128") else 0
            cases.append(numpydiff.Case("a = %s\nb = %s\n(a * b).%s()" % (long_, SHORT[dl], red),
                                        "gen:reduce", ulp))
        # setitem from a length-1 array.
        add("a = %s\na[:] = %s\na" % (long_, SHORT[dl]), "gen:setitem")
        add("a = %s\na[1:4] = %s\na" % (long_, SHORT[dl]), "gen:setitem")
    return cases


# ---- every name of the operation set's lists, against NumPy ----
#
# The names of the creation, elementwise, reduction and comparison lists of the language
# (README's "The language in brief" and docs/language.md cover them), each with cases that
# must give NumPy's answer (random functions: properties both answer alike, as
# tests/diff/random.txt). spec_cases() fails outright when a listed name has no case.
SPEC_NAMES = {
    "creation": "zeros ones empty full arange linspace eye array fromfunction random.rand "
                "random.random random.randn random.uniform random.normal random.randint "
                "random.seed",
    "elementwise": "absolute add arccos arccosh arcsin arcsinh arctan arctan2 arctanh "
                   "bitwise_and bitwise_or bitwise_xor ceil clip conjugate cos cosh divide exp "
                   "expm1 floor floor_divide fmod hypot invert isfinite isnan left_shift log "
                   "log10 log1p maximum minimum multiply negative power reciprocal remainder "
                   "right_shift rint sign sin sinh sqrt square subtract tan tanh true_divide "
                   "where",
    "operators": "+ - * / // % ** @ ~ & | ^ << >> < <= > >= == !=",
    "reduction": "sum prod mean std var min max argmin argmax any all count_nonzero histogram",
    "comparison": "allclose isclose array_equal",
}
_F = "array([-2.5, -1.0, 0.0, 0.5, 3.0])"
_U = "array([-0.9, -0.5, 0.0, 0.25, 0.75])"  # inside (-1, 1)
_P = "array([1.0, 1.5, 2.0, 7.25, 10.0])"    # >= 1
_I = "array([-3, -1, 0, 2, 7])"
_J = "array([1, 2, 3, 1, 2])"
_M = "array([[3.0, -1.0, 2.5], [0.5, 7.0, -4.0], [1.0, 1.0, 9.5], [-2.0, 0.0, 6.0]])"
SPEC_CASES = {
    "zeros": ["zeros((3, 4))", "zeros(5, dtype=int32)"],
    "ones": ["ones((2, 3), dtype=complex128)", "ones(7, dtype=bool)"],
    "empty": ["empty((4, 3)).shape", "empty(5, dtype=int64).dtype"],
    "full": ["full((3, 2), 7)", "full(5, 2.5, dtype=float32)"],
    "arange": ["arange(7)", "arange(1, 10, 2.5)", "arange(5, dtype=float64)"],
    "linspace": ["linspace(0, 1, 7)", "linspace(-1, 2, 5, dtype=float32)"],
    "eye": ["eye(4, 5, k=1)"],
    "array": ["array([[1, 2], [3, 4]], dtype=float32)", "array(%s)" % _F],
    "fromfunction": ["fromfunction(lambda i, j: i * 10 + j, (4, 3))"],
    "random.rand": ["random.seed(5); x = random.rand(30, 4); (x.shape, x.dtype, x.min() >= 0, "
                    "x.max() < 1)"],
    "random.random": ["random.seed(5); x = random.random((3, 7)); (x.shape, x.min() >= 0, "
                      "x.max() < 1)"],
    "random.randn": ["random.seed(5); x = random.randn(100000); (x.shape, abs(x.mean()) < "
                     "7 / sqrt(100000))"],
    "random.uniform": ["random.seed(5); x = random.uniform(-2, 3, size=(5, 7)); (x.shape, "
                       "x.min() >= -2, x.max() < 3)"],
    "random.normal": ["random.seed(5); x = random.normal(3, 0.5, size=100000); (x.dtype, "
                      "abs(x.mean() - 3) < 7 * 0.5 / sqrt(100000))"],
    "random.randint": ["random.seed(5); x = random.randint(2, 9, size=(4, 5)); (x.dtype, "
                       "x.shape, x.min() >= 2, x.max() < 9)"],
    "random.seed": ["random.seed(7); a = random.rand(5); random.seed(7); b = random.rand(5); "
                    "array_equal(a, b)"],
    "where": ["x = %s\nwhere(x > 0, x, -10 * x)" % _F, "where(%s > 0, 1, 0.5)" % _I],
    "clip": ["clip(%s, -1, 2)" % _F, "clip(%s, None, 1)" % _I],
    "+": ["%s + %s" % (_F, _I)], "-": ["%s - %s" % (_I, _F)], "*": ["%s * %s" % (_I, _J)],
    "/": ["%s / %s" % (_I, _J)], "//": ["%s // %s" % (_F, _J)], "%": ["%s %% %s" % (_I, _J)],
    "**": ["%s ** %s" % (_J, _J), "%s ** 2" % _F], "@": ["%s @ %s" % (_M, "array([1.0, -2.0, 0.5])")],
    "~": ["~%s" % _I], "&": ["%s & %s" % (_I, _J)], "|": ["%s | %s" % (_I, _J)],
    "^": ["%s ^ %s" % (_I, _J)], "<<": ["%s << %s" % (_J, _J)], ">>": ["%s >> 1" % _I],
    "<": ["%s < %s" % (_F, _I)], "<=": ["%s <= 0" % _F], ">": ["%s > %s" % (_I, _J)],
    ">=": ["%s >= 0.5" % _F], "==": ["%s == %s" % (_I, _J)], "!=": ["%s != 0" % _F],
    # (a tuple of arrays is compared element by element)
    "histogram": ["histogram(%s, bins=3)[0]" % _F, "histogram(%s, bins=3)[1]" % _F,
                  "histogram(%s, bins=4, range=(-1, 8))[0]" % _I,
                  "histogram(%s, bins=4, range=(-1, 8))[1]" % _I],
    "allclose": ["allclose(%s, %s + 1e-9)" % (_F, _F), "allclose(%s, %s)" % (_F, _I)],
    "isclose": ["isclose(%s, %s + 1e-9)" % (_F, _F)],
    "array_equal": ["array_equal(%s, %s)" % (_I, _I), "array_equal(%s, %s)" % (_I, _J)],
}
_UN = {"arccos": _U, "arcsin": _U, "arctanh": _U, "arccosh": _P, "log": _P, "log10": _P,
       "log1p": _P, "sqrt": _P, "invert": _I}
_BIN = {"bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift", "power"}
for _n in SPEC_NAMES["elementwise"].split():
    if _n in SPEC_CASES:
        continue
    if _n in ("add", "arctan2", "divide", "floor_divide", "fmod", "hypot", "maximum", "minimum",
              "multiply", "remainder", "subtract", "true_divide") or _n in _BIN:
        _a, _b = (_J, _J) if _n in _BIN else (_F, _J)
        SPEC_CASES[_n] = ["%s(%s, %s)" % (_n, _a, _b), "%s(%s, 2)" % (_n, _I)]
    else:
        SPEC_CASES[_n] = ["%s(%s)" % (_n, _UN.get(_n, _F))]
        if _n not in ("invert",):
            SPEC_CASES[_n].append("%s(%s)" % (_n, _I if _n not in _UN else _J))
for _n in SPEC_NAMES["reduction"].split():
    if _n not in SPEC_CASES:
        SPEC_CASES[_n] = ["%s(%s)" % (_n, _M), "%s(%s, axis=0)" % (_n, _M),
                          "x = %s\nx.%s(axis=1)" % (_M, _n), "%s(%s)" % (_n, _I)]
        if _n == "count_nonzero":  # NumPy's has no method
            SPEC_CASES[_n][2] = "count_nonzero(%s, axis=1)" % _M
        if _n in ("min", "max"):  # Python's min and max in NumPy's namespace: methods there
            SPEC_CASES[_n][:2] = ["%s.%s()" % (_M, _n), "%s.%s(axis=0)" % (_M, _n)]


def spec_cases():
    missing = [n for g in SPEC_NAMES.values() for n in g.split() if n not in SPEC_CASES]
    if missing:
        raise SystemExit("test_numpy_diff.py: no case for the listed names %s" % missing)
    cases = []
    for name, srcs in sorted(SPEC_CASES.items()):
        for src in srcs:
            ulp = TRANSCENDENTAL_ULP if name in TRANSCENDENTAL or name in ("std", "@") else 0
            if name in ("sum", "prod", "mean", "var"):
                ulp = 2  # the fixed tree's order (docs/language.md)
            cases.append(numpydiff.Case(src, "gen:spec:" + name, ulp))
    return cases


# ---- random well-typed expressions (a seeded grammar over the exact ufuncs) ----
#
# Operands: f (float64), i (int64), b (bool), of one random length 1-7 (split unevenly over
# the engines), holding edge values, and small Python scalars. Only operations that IEEE
# and NumPy define exactly are drawn (no transcendental functions, no reductions of
# floats), so parc must match NumPy bit for bit; a mismatch is printed smallest first.
RAND_SEED = 8
RAND_COUNT = 300
LONG_COUNT = 200
LONG_N = 3001
F_VALUES = ["0.0", "-0.0", "1.5", "-2.5", "3.0", "inf", "-inf", "nan", "0.1", "7.0", "-1.0"]
I_VALUES = ["0", "1", "-1", "2", "-3", "7", "9223372036854775807", "-9223372036854775807"]


def rand_expr(rng, kind, depth):
    """A random expression of kind 'f' (float), 'i' (int) or 'b' (bool)."""
    if depth <= 0 or rng.random() < 0.25:
        if rng.random() < 0.2:
            return {"f": rng.choice(["0.5", "-2.0", "3.25"]), "i": rng.choice(["2", "-3", "5"]),
                    "b": rng.choice(["True", "False"])}[kind] if kind != "b" else kind
        return kind
    d = depth - 1
    if kind == "b":
        k = rng.choice(["f", "i"])
        r = rng.random()
        if r < 0.5:
            op = rng.choice(["<", "<=", ">", ">=", "==", "!="])
            return "(%s %s %s)" % (rand_expr(rng, k, d), op, rand_expr(rng, k, d))
        if r < 0.7:
            return "%s(%s, %s)" % (rng.choice(["logical_and", "logical_or", "logical_xor"]),
                                   rand_expr(rng, "b", d), rand_expr(rng, k, d))
        if r < 0.8:
            return "isnan(%s)" % rand_expr(rng, "f", d)
        if r < 0.9:
            return "(%s %s %s)" % (rand_expr(rng, "b", d), rng.choice(["&", "|", "^"]),
                                   rand_expr(rng, "b", d))
        return "logical_not(%s)" % rand_expr(rng, k, d)
    r = rng.random()
    if r < 0.45:
        ops = ["+", "-", "*"] + (["/"] if kind == "f" else ["//", "%", "&", "|", "^"])
        return "(%s %s %s)" % (rand_expr(rng, kind, d), rng.choice(ops), rand_expr(rng, kind, d))
    if r < 0.6:
        return "where(%s, %s, %s)" % (rand_expr(rng, "b", d), rand_expr(rng, kind, d),
                                      rand_expr(rng, kind, d))
    if r < 0.7:
        return "clip(%s, %s, %s)" % (rand_expr(rng, kind, d), rng.choice(["-2", "0", "None"]),
                                     rng.choice(["1", "3", "None"] if kind == "i" else ["1.5", "4"]))
    if r < 0.8:
        return "%s(%s, %s)" % (rng.choice(["maximum", "minimum"] + (
            ["fmod", "floor_divide", "remainder"] if kind == "i" else ["fmod", "true_divide"])),
            rand_expr(rng, kind, d), rand_expr(rng, kind, d))
    fns = ["negative", "absolute", "positive"] + (
        ["floor", "ceil", "rint", "sqrt", "square"] if kind == "f" else ["invert", "square"])
    return "%s(%s)" % (rng.choice(fns), rand_expr(rng, kind, d))


def random_cases(seed=RAND_SEED, count=RAND_COUNT):
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        n = rng.randint(1, 7)
        f = "array([%s])" % ", ".join(rng.choice(F_VALUES) for _ in range(n))
        i = "array([%s])" % ", ".join(rng.choice(I_VALUES) for _ in range(n))
        b = "array([%s])" % ", ".join(rng.choice(["True", "False"]) for _ in range(n))
        kind = rng.choice(["f", "f", "i", "b"])
        e = rand_expr(rng, kind, rng.randint(1, 4))
        red = rng.random()
        if kind != "f" and red < 0.3:
            e = "%s.%s()" % (e, rng.choice(["sum", "min", "max", "any", "all"])) \
                if e.startswith("(") else "count_nonzero(%s)" % e
        cases.append(numpydiff.Case("f = %s; i = %s; b = %s\n%s" % (f, i, b, e), "gen:random"))
    return cases


def long_cases(seed=RAND_SEED + 1, count=LONG_COUNT):
    """random_cases' expressions over arrays of LONG_N elements (blocks of more than one
    group on every engine count: fused programs then run group by group, their IEEE flags
    tested once per block), with a few special values (nan, inf, 0, extreme integers) at
    random places, so that some blocks raise flags and are run again operation by operation
    and others do not. Printed in full."""
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        lines = ["set_printoptions(threshold=100000)",
                 "f = (arange(%d) %% 11) * 0.5 - 2.5" % LONG_N,
                 "i = (arange(%d) %% 13) - 6" % LONG_N,
                 "b = (arange(%d) %% 3) == 0" % LONG_N]
        for _ in range(rng.randint(0, 3)):
            lines.append("f[%d] = %s" % (rng.randrange(LONG_N), rng.choice(F_VALUES)))
        for _ in range(rng.randint(0, 2)):
            lines.append("i[%d] = %s" % (rng.randrange(LONG_N), rng.choice(I_VALUES)))
        kind = rng.choice(["f", "f", "i", "b"])
        e = rand_expr(rng, kind, rng.randint(2, 4))
        if kind != "b" and rng.random() < 0.3:
            e = "%s.%s()" % (e, rng.choice(["sum", "min", "max"])) if e.startswith("(") \
                else "count_nonzero(%s)" % e
        lines.append(e)
        cases.append(numpydiff.Case("\n".join(lines), "gen:long", warnings=True))
    return cases


# ---- type promotion: every type rule, every dtype pair ----
#
# For each type rule (PROMOTE_OPS), an array of each of the six dtypes (length 5, split
# unevenly over 2 and 3 engines) with an array of each dtype, with Python numbers of each
# kind on either side (small, too big for int16, int32 or float32, complex), and with NumPy
# scalars (x[0]) and 0-d arrays of each dtype on either side: NumPy 1.24's result dtype and
# values. Left out: where NumPy answers float16 or complex64, which parc does not have
# (docs/language.md, "Where parc differs from NumPy").
PROMOTE_DT = ["bool", "int32", "int64", "float32", "float64", "complex128"]
PROMOTE_VALUES = {"bool": "[True, False, True, True, False]", "int": "[-3, 0, 2, 7, 1]",
                  "float": "[-2.5, 0.0, 0.5, 3.0, 1.0]",
                  "complex": "[1+2j, -1j, 0j, 2.5+0j, 1+0j]"}
PROMOTE_PY = ["True", "3", "70000", "2**40", "2.5", "1e300", "1j"]
PROMOTE_NP = {"bool": "True", "int32": "3", "int64": "-7", "float32": "2.5", "float64": "-1.5",
              "complex128": "1j"}
PROMOTE_NP_OPS = ["+", "/", "//", "<", "&", "hypot"]
# One operation per type rule of fuse_types (the others share its rule and loop setup:
# <= > >= != as <, | ^ as &, >> as <<, minimum as maximum, logical_or/xor as logical_and).
PROMOTE_OPS = ["+", "-", "*", "/", "//", "%", "**", "<", "==", "&", "<<", "fmod", "maximum",
               "hypot", "arctan2", "logical_and"]


def _promote_array(dt):
    kind = ("bool" if dt == "bool" else "int" if "int" in dt else
            "float" if "float" in dt else "complex")
    return "array(%s, dtype=%s)" % (PROMOTE_VALUES[kind], dt)


def promote_cases():
    cases = []

    def add(src, op):
        case = numpydiff.Case(src, "gen:promote", TRANSCENDENTAL_ULP if op in TRANSCENDENTAL else 0)
        kind, v = numpydiff.numpy_eval(case)
        if not (kind == "value" and str(getattr(v, "dtype", "")) in ("float16", "complex64")):
            cases.append(case)

    def expr(op, x, y):
        return "%s %s %s" % (x, op, y) if op in BINOPS else "%s(%s, %s)" % (op, x, y)

    for op in PROMOTE_OPS:
        for a in PROMOTE_DT:
            for b in PROMOTE_DT:
                add("a = %s\nb = %s\n%s" % (_promote_array(a), _promote_array(b),
                                             expr(op, "a", "b")), op)
            for p in PROMOTE_PY:
                add("a = %s\n%s" % (_promote_array(a), expr(op, "a", p)), op)
                add("a = %s\n%s" % (_promote_array(a), expr(op, p, "a")), op)
            if op not in PROMOTE_NP_OPS:
                continue
            for b, v in PROMOTE_NP.items():
                for form in ("array([%s], dtype=%s)[0]", "array(%s, dtype=%s)"):
                    s = form % (v, b)
                    add("a = %s\ns = %s\n%s" % (_promote_array(a), s, expr(op, "a", "s")), op)
                    add("a = %s\ns = %s\n%s" % (_promote_array(a), s, expr(op, "s", "a")), op)
    # NumPy scalars with Python numbers and with each other: no array, so 1.24 promotes the
    # full dtypes (int32(3) + 2**40 is int64).
    for op in PROMOTE_NP_OPS[:4]:
        for a, v in PROMOTE_NP.items():
            s = "array([%s], dtype=%s)[0]" % (v, a)
            for p in PROMOTE_PY:
                add("s = %s\n%s" % (s, expr(op, "s", p)), op)
                add("s = %s\n%s" % (s, expr(op, p, "s")), op)
            for b, w in PROMOTE_NP.items():
                add("s = %s\nt = array([%s], dtype=%s)[0]\n%s" % (s, w, b, expr(op, "s", "t")), op)
    return cases


def main(argv):
    engines, files, grep, ulps = (1, 2, 3, 4), [], None, False
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "-n":
            engines = tuple(int(x) for x in args.pop(0).split(","))
        elif a == "-k":
            grep = args.pop(0)
        elif a == "--ulp":
            ulps = True
        else:
            files.append(a)
    paths = sorted(glob.glob(os.path.join(DIFF, "*.txt")))
    if files:
        paths = [p for p in paths if os.path.basename(p) in files]
    cases = []
    for p in paths:
        cases += numpydiff.parse_file(p)
    if not files or "gen" in files:
        cases += generated()
    if not files or "random" in files:
        cases += random_cases()
    if not files or "long" in files:
        cases += long_cases()
    if not files or "spec" in files:
        cases += spec_cases()
    # The promotion table is large (3,200 cases): it runs on 1 and 3 engines of those asked
    # for (3 splits its length-5 arrays unevenly, 2, 2 and 1), and under ctest in its own
    # test (test_numpy_promote.py), so that each stays inside its time limit on a loaded
    # machine.
    promote = promote_cases() if "promote" in files else []
    if grep:
        cases = [c for c in cases if grep in c.source]
        promote = [c for c in promote if grep in c.source]
    failures = numpydiff.run(cases, engines=engines, skip=SKIP) if cases else []
    if promote:
        counts = tuple(n for n in engines if n in (1, 3)) or engines
        failures += numpydiff.run(promote, engines=counts, skip=SKIP)
    if ulps:
        allowed = sum(1 for c in cases if c.ulp)
        print("cases allowing ulps: %d; those that needed any (largest first):" % allowed)
        for src, d in sorted(numpydiff.ULP_SEEN.items(), key=lambda kv: -kv[1]):
            print("  %d ulp: %s" % (d, src.replace("\n", "; ")))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
