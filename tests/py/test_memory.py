"""MemoryError as a person meets it: a statement that cannot fit is refused on the engines
before they allocate, naming the engines and the bytes in both views, also when what does
not fit is a temporary the statement needs (a + a[::-1] reverses a in a copy; a stencil's
shifted views need none: a[1:] + a[:-1] reads its one-element halo beside the chunk);
the failing statement changes nothing and the bytes it would have used are given back.
PARC_ENGINE_MEM=64M caps what each engine may hold, so the test does not depend on the
machine. Run on 2 and 4 engines."""
import re

import parcenv

c = parcenv.Checker("memory")
MiB = 1 << 20


def memory(kc, n):
    every = "0-%d" % (n - 1)
    r = parcenv.run(kc, "x = zeros(10**13)")
    c.check(re.search(r"\[%s:execute\] MemoryError: Unable to allocate [\d.]+ TiB \(this "
                      r"engine's part of 72.8 TiB\) for an array with shape \(10000000000000,\) "
                      r"and data type float64; the engine has 64 MiB left of the 64 MiB it may "
                      r"hold" % every, r.traceback()),
            "global view names the engines and bytes: " + r.traceback())
    r = parcenv.run(kc, "%px y = zeros(10**13)")
    c.check("[%s:execute] MemoryError: Unable to allocate 72.8 TiB for an array with shape "
            "(10000000000000,) and data type float64" % every in r.traceback(),
            "local view too: " + r.traceback())
    r = parcenv.run(kc, "%who")
    c.check("x" not in r.stdout.split() and "y" not in r.stdout.split(), "nothing was bound")

    # one engine short: only it is named with the sizes
    parcenv.run(kc, "%px w = ones(6 * 10**6) if rank == 0 else 0")
    r = parcenv.run(kc, "a = ones(%d)" % (3 * 10**6 * n))
    c.check(re.search(r"\[0:execute\] MemoryError: Unable to allocate 22.9 MiB \(this engine's "
                      r"part of [\d.]+ MiB\) .*; the engine has 18.2 MiB left", r.traceback()),
            "the engine that is short is named: " + r.traceback())
    c.check("[1-%d:execute]" % (n - 1) in r.traceback() or n == 2 and "[1:execute]" in
            r.traceback(), "the others say they stopped with it: " + r.traceback())
    parcenv.run(kc, "del w")

    # a shifted operand is read in place with a halo: only the result is new
    parcenv.run(kc, "a = ones(%d)" % (3 * 10**6 * n))
    r = parcenv.run(kc, "e = a[1:] + a[:-1]\ne.sum()")
    c.eq(r.text, "%d.0" % (2 * (3 * 10**6 * n - 1)), "a stencil needs no buffer: " + r.traceback())
    parcenv.run(kc, "del e")
    # a temporary: the reversed operand is a copy the size of a's part
    r = parcenv.run(kc, "e = a + a[::-1]")
    c.check(re.search(r"\[%s:execute\] MemoryError: Unable to allocate 22.9 MiB .*the engine has "
                      r"[\d.]+ MiB left of the 64 MiB" % every, r.traceback()),
            "a temporary that does not fit: " + r.traceback())
    c.check("^^^^" in r.traceback(), "the error points at the expression")
    r = parcenv.run(kc, "b = ones(%d)" % (3 * 10**6 * n))
    c.eq(r.reply["content"]["status"], "ok", "the failed statement gave its bytes back")
    parcenv.run(kc, "del a\ndel b")
    r = parcenv.run(kc, "h = ones(%d)\nh.sum()" % (7 * 10**6 * n))
    c.eq(r.text, "%d.0" % (7 * 10**6 * n), "del gives the bytes back: 56 MB per engine fits")
    r = parcenv.run(kc, "%%%%px\nz = zeros(10**7 if rank == %d else 10)" % (n - 1))
    c.check("[%d:execute] MemoryError: Unable to allocate 76.3 MiB for an array with shape "
            "(10000000,)" % (n - 1) in r.traceback(), "local view, one engine: " + r.traceback())
    r = parcenv.run(kc, "%px z.shape")
    c.eq(len(r.displays), n - 1, "the other engines went on")


for n in (2, 4):
    km, kc = parcenv.start(engines=n, env={"PARC_ENGINE_MEM": "64M"})
    try:
        memory(kc, n)
    finally:
        parcenv.stop(km, kc)
c.done()
