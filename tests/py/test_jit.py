"""Compiled fused programs (runtime/array/jit.h) against NumPy: with PARC_JIT=sync every
fused program of the compilable operations (+ - * /, comparisons, maximum, minimum,
negative, absolute, sqrt, square, powers 2, 0.5 and -1, where) over more than one group is
compiled before it runs, so these cases run compiled loops; their values and
RuntimeWarnings must be NumPy's on 1, 2 and 3 engines. The arrays hold signed zeros, nan,
infinities and huge values at random places (a block that raises a flag is run again by the
interpreter, which names the warning). test_numpy_diff's long cases run here too. A
compiler wrapper counts the compiles, so the test fails if nothing was compiled; then the
same cases with a compiler that always fails (everything interpreted) give the same
answers.

    /usr/bin/python3 tests/py/test_jit.py
"""
import os
import random
import shutil
import tempfile

import numpydiff
import parcenv
import test_numpy_diff

N = 2001
SPECIAL = ["nan", "inf", "-inf", "-0.0", "0.0", "1e308", "-1e308", "1e-320"]


def expr(rng, kind, depth):
    if depth <= 0 or rng.random() < 0.2:
        if kind == "b":
            return "(%s %s %s)" % (rng.choice("fg"), rng.choice(["<", "<=", ">", ">=", "==", "!="]),
                                   rng.choice(["f", "g", "0.0", "-0.0", "1.5"]))
        return rng.choice(["f", "g", "f", "g", "0.5", "-2.0", "3.0"])
    d = depth - 1
    if kind == "b":
        return "(%s %s %s)" % (expr(rng, "f", d), rng.choice(["<", "<=", ">", ">=", "==", "!="]),
                               expr(rng, "f", d))
    r = rng.random()
    if r < 0.45:
        return "(%s %s %s)" % (expr(rng, "f", d), rng.choice(["+", "-", "*", "/"]),
                               expr(rng, "f", d))
    if r < 0.6:
        return "%s(%s, %s)" % (rng.choice(["maximum", "minimum"]), expr(rng, "f", d),
                               expr(rng, "f", d))
    if r < 0.7:
        return "where(%s, %s, %s)" % (expr(rng, "b", d), expr(rng, "f", d), expr(rng, "f", d))
    if r < 0.8:
        return "(%s ** %s)" % (expr(rng, "f", d), rng.choice(["2", "0.5", "-1"]))
    return "%s(%s)" % (rng.choice(["negative", "absolute", "sqrt", "square"]), expr(rng, "f", d))


def cases(seed=11, count=150):
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        lines = ["set_printoptions(threshold=100000)",
                 "f = ((arange(%d) %% 9) - 4) * 0.5" % N,
                 "g = ((arange(%d) %% 5) - 2) * 0.25" % N,
                 "f[%d::%d] = -0.0" % (rng.randrange(7), rng.randrange(5, 13)),
                 "g[%d::%d] = -0.0" % (rng.randrange(7), rng.randrange(5, 13))]
        for _ in range(rng.randint(0, 3)):
            lines.append("%s[%d] = %s" % (rng.choice("fg"), rng.randrange(N), rng.choice(SPECIAL)))
        e = expr(rng, rng.choice(["f", "f", "f", "b"]), rng.randint(2, 4))
        if rng.random() < 0.25:  # exact reductions only (a float sum's order is parc's own)
            e = "count_nonzero(%s)" % e if rng.random() < 0.5 else "(%s > 0).sum()" % e
        lines.append(e)
        out.append(numpydiff.Case("\n".join(lines), "jit", warnings=True))
    return out


def main():
    chk = parcenv.Checker("jit")
    d = tempfile.mkdtemp(prefix="parc-jit-test-")
    log = os.path.join(d, "compiles")
    wrapper = os.path.join(d, "cc")
    with open(wrapper, "w") as w:
        w.write("#!/bin/sh\necho x >> '%s'\nexec cc \"$@\"\n" % log)
    os.chmod(wrapper, 0o755)
    all_cases = cases() + test_numpy_diff.long_cases()
    os.environ["PARC_JIT"] = "sync"
    os.environ["PARC_CC"] = wrapper
    failures = numpydiff.run(all_cases, engines=(1, 2, 3))
    chk.check(not failures, "compiled programs: %d failures" % len(failures))
    compiles = len(open(log).read().split()) if os.path.exists(log) else 0
    chk.check(compiles >= 100, "only %d compiles: the cases did not run compiled loops" % compiles)
    # a compiler that fails: every program interpreted, the same answers
    os.environ["PARC_CC"] = "/bin/false"
    failures = numpydiff.run(all_cases[:60], engines=(2,))
    chk.check(not failures, "with a failing compiler: %d failures" % len(failures))
    shutil.rmtree(d, ignore_errors=True)
    chk.done()


if __name__ == "__main__":
    main()
