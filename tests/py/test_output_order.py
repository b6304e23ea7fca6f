"""%%px output on 3 engines comes out in rank order whichever engine finishes first (so
saved notebooks diff cleanly), yet stays live: the lowest unfinished engine streams as it
prints, and when it finishes the next one takes over, showing at once what it held."""

import parcenv

c = parcenv.Checker("output_order")
NRANKS = 3
SLOW = 30000000  # loop iterations: about 1 s on one engine



def cell(loops, last=""):
    """A %%px cell where engine k loops loops[k] times between two prints."""
    pick = "".join("if rank == %d:\n    n = %d\n" % (k, v) for k, v in enumerate(loops))
    return ("%%px\nprint('before', rank)\nn = 1\n" + pick +
            "for i in range(n):\n    pass\nprint('after', rank)\n" + last)


def want(ranks):
    return "".join("[stdout:%d] before %d\n[stdout:%d] after %d\n" % (k, k, k, k) for k in ranks)


def arrival(r, text):
    """When the first stream holding text arrived."""
    for m in r.msgs:
        if m["msg_type"] == "stream" and text in m["content"]["text"]:
            return m["_t"]
    return None


def idle_at(r):
    return [m["_t"] for m in r.msgs if m["msg_type"] == "status"][-1]


def run_cell(kc, loops, what, last=""):
    r = parcenv.run(kc, cell(loops, last))
    c.check(not r.errors, what + ": ran: " + r.traceback())
    c.eq(r.stdout, want(range(NRANKS)), what + ": stdout in rank order")
    c.eq(r.stderr, "", what + ": no stderr")
    return r


def early(r, text, what):
    """text arrived well before the cell ended (the slow engine loops about 1 s)."""
    t, end = arrival(r, text), idle_at(r)
    c.check(t is not None and end - t > 0.3,
            "%s: %r arrived before the cell ended (%s s before idle)"
            % (what, text, None if t is None else round(end - t, 3)))


km, kc = parcenv.start(engines=NRANKS)
try:
    parcenv.timed(kc)
    parcenv.run(kc, "%px print(rank)")  # warm up: every engine has run once

    # engine 0 slowest: it streams live, the others wait for it, then come out whole
    r = run_cell(kc, [SLOW, 1, 1], "engine 0 slow")
    early(r, "[stdout:0] before 0", "engine 0 slow")

    # engine 2 finishes first, engine 0 last: still in rank order, results at the end
    r = run_cell(kc, [SLOW, SLOW // 2, 1], "engine 2 first, 0 last", last="rank * 10")
    count = r.reply["content"].get("execution_count")
    c.eq(r.displays, ["Out[%d:%s]: %d" % (k, count, 10 * k) for k in range(NRANKS)],
         "per-engine results in rank order")
    kinds = [m["msg_type"] for m in r.msgs if m["msg_type"] in ("stream", "display_data")]
    c.eq(kinds[-NRANKS:], ["display_data"] * NRANKS, "per-engine results after every stream")

    # engine 1 slowest: once engine 0 is done, engine 1 shows what it held and goes live
    r = run_cell(kc, [1, SLOW, 1], "engine 1 slow")
    early(r, "[stdout:1] before 1", "engine 1 slow")
    a1, a2 = arrival(r, "[stdout:1] after 1"), arrival(r, "[stdout:2] before 2")
    c.check(a1 is not None and a2 is not None and a1 <= a2, "engine 2 waits for engine 1")

    # --targets: the next live engine is the next target
    r = parcenv.run(kc, "%%%%px --targets 0,2\nprint('before', rank)\n"
                        "n = %d if rank == 2 else 1\nfor i in range(n):\n    pass\n"
                        "print('after', rank)" % SLOW)
    c.eq(r.stdout, want([0, 2]), "--targets 0,2: stdout in rank order")
    early(r, "[stdout:2] before 2", "--targets 0,2, engine 2 slow")

    # a line without its newline is kept whole, and shown when its engine finishes
    r = parcenv.run(kc, "%%%%px\nprint('part', rank, end='')\nn = %d if rank == 0 else 1\n"
                        "for i in range(n):\n    pass\nprint('', rank)" % SLOW)
    c.eq(r.stdout, "".join("[stdout:%d] part %d %d\n" % (k, k, k) for k in range(NRANKS)),
         "partial lines kept whole")

    # global view: rank 0 speaks for all, live
    r = parcenv.run(kc, "print('global')\nn = %d\nfor i in range(n):\n    pass\n"
                        "print('done')" % (SLOW // 3))
    c.eq(r.stdout, "global\ndone\n", "global view output once")
finally:
    parcenv.stop(km, kc)
c.done()
