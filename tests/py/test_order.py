"""The fixed order of float sums (docs/architecture.md, "Reproducible reductions") against
a model of it written here from that description in NumPy, one IEEE operation at a time:
parc's x.sum() and z.sum(axis=0) must equal the model's bits on 1, 2 and 3 engines. The
engine tests compare the distributed sums with parc's own one-rank code; this one checks
that code against the documented order itself.

Cases: whole arrays of 1, 16, 4097 and 10^5 values (16 lanes in blocks of 4096, a tree over
the blocks); axis 0 of rows of 3000 (one-row blocks: a tree over the rows, 1 to 37 of
them: trees of one, two, four and eight leaves and ragged right halves), of 3 (blocks of
1024 rows halved pairwise down to 3 lanes) and of 8 (16 lanes, two rows at a time).

    /usr/bin/python3 tests/py/test_order.py
"""
import os
import tempfile

import numpy as np

import parcenv

BLK = 4096
NL = 16


def tree(leaves, k, i0=0):
    """Node (i0, k) of the binary tree over the leaf vectors: left half + right half, the
    left alone when the right half starts past the end."""
    if k == 0:
        return leaves[i0]
    h = 1 << (k - 1)
    left = tree(leaves, k - 1, i0)
    if i0 + h >= len(leaves):
        return left
    return left + tree(leaves, k - 1, i0 + h)


def levels(n):
    k = 0
    while (1 << k) < n:
        k += 1
    return k


def fold(block, w, B):
    """kern_fold of a sum: block is c rows of w lanes (flat, c <= B)."""
    v = block.reshape(-1)
    c = len(v)
    if NL % w == 0:
        s = np.zeros(NL)
        m = min(c, NL)
        s[:m] = v[:m]
        i = m
        while i + NL <= c:
            s = s + v[i:i + NL]
            i += NL
        s[:c - i] = s[:c - i] + v[i:c]
        h = NL // 2
        while h >= w:
            s = s[:h] + s[h:2 * h]
            h //= 2
        return s[:w]
    t = np.concatenate([v, np.zeros(w * B - c)])
    while len(t) > w:
        h = len(t) // 2
        t = t[:h] + t[h:]
    return t


def block_rows(w):
    B = 1
    while B * 2 * w <= BLK:
        B *= 2
    return B


def model_axis0(z):
    L, w = z.shape
    B = block_rows(w)
    leaves = [fold(z[a:a + B], w, B) for a in range(0, L, B)]
    return tree(leaves, levels(len(leaves)))


def model_sum(x):
    return model_axis0(x.reshape(-1, 1))[0]


CASES = [("x", (n,)) for n in (1, 16, 4097, 10**5)]
CASES += [("z", (L, 3000)) for L in (1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 37)]
CASES += [("z", (L, 3)) for L in (1, 1024, 1025, 5000)]
CASES += [("z", (L, 8)) for L in (3, 513, 2000)]


def main():
    chk = parcenv.Checker("order")
    d = tempfile.mkdtemp(prefix="parc-order-")
    for engines in (1, 2, 3):
        km, kc = parcenv.start(engines=engines)
        try:
            for i, (kind, shape) in enumerate(CASES):
                src, res = os.path.join(d, "a%d.npy" % i), os.path.join(d, "s%d.npy" % i)
                op = "a.sum()" if kind == "x" else "a.sum(axis=0)"
                r = parcenv.run(kc, "random.seed(%d)\na = random.rand%r - 0.25\n"
                                "save(%r, a)\ns = %s\nb = zeros(%d)\nb[...] = s\nsave(%r, b)"
                                % (i, shape, src, op, 1 if kind == "x" else shape[1], res))
                where = "%d engines, %s of %r" % (engines, op, shape)
                if not chk.check(not r.errors, where + ": " + str(r.errors)):
                    continue
                a, got = np.load(src), np.load(res).reshape(-1)
                want = np.asarray([model_sum(a)] if kind == "x" else model_axis0(a))
                chk.check(np.array_equal(got.view(np.uint64), want.view(np.uint64)),
                       "%s: bits differ from the documented order (max diff %g)"
                       % (where, np.max(np.abs(got - want))))
        finally:
            parcenv.stop(km, kc)
    chk.done()


if __name__ == "__main__":
    main()
