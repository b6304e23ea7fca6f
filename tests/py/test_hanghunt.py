"""Hang hunt (issue 7): seeded random mixes of statements on distributed arrays of every
layout (creators, elementwise operations across layouts, whole and axis reductions, indexing
with slices, negative steps, masks and index arrays, assignment, transposes, reshapes,
redistribute), failing statements (bad indices, shapes, layouts, names), %px cells and
interrupts in the middle of long cells, on 2, 3 and 4 engines under a watchdog: every cell
must answer within WATCHDOG seconds, no engine may die, and after each failure or interrupt
the engines must still answer together (`apply(lambda: rank)`) and the arrays must be as
they were (a failing statement changes nothing).

    /usr/bin/python3 tests/py/test_hanghunt.py                  # the suite's short run
    PARC_HANGHUNT_CELLS=3000 PARC_HANGHUNT_SEED=7 /usr/bin/python3 tests/py/test_hanghunt.py

A hang prints the seed, the engine count and the last cells, so the mix can be replayed."""
import os
import random
import time

import parcenv

c = parcenv.Checker("hanghunt")
CELLS = int(os.environ.get("PARC_HANGHUNT_CELLS", "60"))
SEED = int(os.environ.get("PARC_HANGHUNT_SEED", "1"))
WATCHDOG = 60

LAYOUTS1 = ["", ", dist='c'", ", dist='c', block_size=3"]
LAYOUTS2 = ["", ", dist=('b', 'b')", ", dist=('c', 'n')", ", dist=('n', 'b')",
            ", dist=('b', 'c'), block_size=2", ", dist=('c', 'c')"]


def statement(rng):
    """One cell: (source, 'ok' | 'error' | 'interrupt')."""
    n = rng.choice([1, 2, 5, 7, 12, 30, 257])
    m = rng.choice([1, 3, 4, 9])
    d1, d2 = rng.choice(LAYOUTS1), rng.choice(LAYOUTS2)
    pick = rng.random()
    if pick < 0.15:
        return rng.choice([
            "x = arange(%d.0%s)" % (n, d1),
            "z = random.rand(%d, %d%s)" % (n, m, d2),
            "w = ones((%d, %d)%s) * arange(%d.0)" % (n, m, d2, m),
            "z = redistribute(z%s)" % d2,
            "x = redistribute(x%s)" % d1,
        ]), "ok"
    if pick < 0.55:
        return rng.choice([
            "x.sum()", "z.sum()", "z.sum(axis=0)", "z.sum(axis=1)", "z.max(axis=0)",
            "z.mean()", "(z * z).sum()", "z.T", "z.T.sum(axis=0)", "z + z.T.T",
            "z[::-1]", "z[1:3]", "z[:, 0]", "z[z > 0.5]", "x[::-2]", "x[[0, 0]]",
            "x + x[::-1]", "z.reshape(-1)", "ravel(z)", "concatenate((z, z))",
            "concatenate((x, x))", "expand_dims(x, 1) * x", "x[:, None] + x[None, :]",
            "z.copy()", "z.astype(float32).sum()", "redistribute(z, dist=('c', 'c')) + z",
            "histogram(z, bins=3)[0]", "x.std()", "z.var(axis=0)", "z[0] * 2",
        ]), "ok"
    if pick < 0.7:
        return rng.choice([
            "x[0] = 5", "z[0] = 1", "z[:, 0] = 2", "x[::-1] = x", "z[z > 0.9] = 0",
            "x += 1", "z *= 0.5", "x[1:3] = 7",
        ]), "ok"
    if pick < 0.85:
        # failing statements whatever the shapes: nothing may change, no engine may wait
        return rng.choice([
            "z[10**6]", "x[10**6] = 1", "z = ones((2, 3)) * ones((4, 5))",
            "zeros((4, 6), dist=('b', 'b'), grid_shape=(5, 5))", "zeros(3, dist='q')",
            "nosuchname + 1", "x = x.reshape(-1, 1000003)", "concatenate((z, x))",
            "z.sum(axis=3)", "x = undefined_thing", "z = z.reshape(10**6 + 7)",
            "transpose(z, (0, 0))", "redistribute(3)", "z[:, :, 0]",
        ]), "error"
    if pick < 0.93:
        return rng.choice([
            "%px print(rank, x.sum(), z.shape)", "%px y = z * rank",
            "%px print(x.global_index)", "apply(lambda: rank)",
        ]), "ok"
    return ("for i in range(10**7):\n    q = z.sum(axis=0)", "interrupt")


def check_alive(kc, n, tag, history):
    r = parcenv.run(kc, "apply(lambda: rank)", timeout=WATCHDOG)
    return c.check(r.text == str(list(range(n))),
                   "%sengines answer together after %r: %r %s" % (
                       tag, history[-1], r.text, r.traceback()))


def hunt(km, kc, n, seed):
    tag = "[%d engines, seed %d] " % (n, seed)
    rng = random.Random(seed * 100 + n)
    history = []
    setup = "x = arange(12.0)\nz = random.rand(12, 4)\nw = ones((12, 4))"
    r = parcenv.run(kc, setup, timeout=WATCHDOG)
    if not c.check(not r.errors, tag + "setup: " + r.traceback()):
        return
    t0 = time.time()
    for i in range(CELLS):
        src, kind = statement(rng)
        history.append(src)
        before = None
        if kind == "error":
            before = parcenv.run(kc, "(x.shape, z.shape, x.sum(), z.sum())", timeout=WATCHDOG)
        try:
            if kind == "interrupt":
                msg_id = kc.execute(src)
                r, _ = parcenv.interrupt_after(km, kc, msg_id, rng.uniform(0.05, 0.5),
                                               timeout=WATCHDOG)
            else:
                r = parcenv.run(kc, src, timeout=WATCHDOG)
        except TimeoutError:
            c.check(False, "%scell %d did not answer within %ds (a hang); last cells:\n%s" % (
                tag, i, WATCHDOG, "\n---\n".join(history[-8:])))
            return
        died = [e for e in r.errors if e["ename"] == "EngineError"]
        if not c.check(not died, "%scell %d %r: %s" % (tag, i, src, died)):
            return
        if kind == "error":
            c.check(r.errors, "%scell %d %r should fail" % (tag, i, src))
            after = parcenv.run(kc, "(x.shape, z.shape, x.sum(), z.sum())", timeout=WATCHDOG)
            c.eq(after.text, before.text, "%sa failing %r changes nothing" % (tag, src))
        elif kind == "ok":
            # shape errors from the mix itself (x and z change shape) are fine; hangs are not
            pass
        if kind != "ok" and not check_alive(kc, n, tag, history):
            return
    check_alive(kc, n, tag, history)
    print("%s%d cells in %.1fs" % (tag, CELLS, time.time() - t0))


for n in (2, 3, 4):
    km, kc = parcenv.start(engines=n)
    try:
        hunt(km, kc, n, SEED)
    finally:
        parcenv.stop(km, kc)
c.done()
