"""A cell running longer than about 2 s says where its engines are (issue 12, item 3): the
segment's live area (display_data with a display_id, empty text/html) gets a status line by
update_display_data every 0.5 s -- how long it has run, the statement (line and source) and,
per group of engines, what they do: computing (with the fraction of the running array
operation done), waiting in a reduction or another collective, sending output, waiting for
input() -- and is emptied when the segment ends. The opening message carries no text/plain,
so jupyter console (which ignores display updates) prints nothing of it. Run on 2 and 4
engines."""

import re
import sys
import time

import parcenv

c = parcenv.Checker("status")


def statuses(r):
    """The status texts shown in the live area, in order."""
    out = []
    for m in r.live:
        t = m["content"]["data"].get("text/plain", "")
        if t.startswith("running for"):
            out.append(t)
    return out


def check_area(r, what):
    ids = {m["content"]["transient"]["display_id"] for m in r.live}
    c.eq(len(ids), 1, what + ": one live area")
    c.check(r.live and r.live[0]["msg_type"] == "display_data"
            and r.live[0]["content"]["data"] == {"text/html": ""},
            what + ": opened empty (nothing for jupyter console to print)")
    c.check(r.live and r.live[-1]["content"]["data"] == {"text/html": ""},
            what + ": emptied when the cell ends")


def run_on(n):
    km, kc = parcenv.start(engines=n)
    try:
        parcenv.timed(kc)
        parcenv.run(kc, "1")

        # global view: every engine computes; the line names the statement and the fraction
        # (the sleep makes the cell long enough on a fast machine; the loop is sampled after)
        code = ("x = ones(8000000)\ns = 0.0\nsleep(1.5)\nfor i in range(40):\n"
                "    s = s + ((x * 2.5 + 1.0) ** 0.7).sum()\ns > 0")
        r = parcenv.run(kc, code)
        c.check(not r.errors, "%d engines, global: ran %s" % (n, r.traceback()))
        st = statuses(r)
        c.check(len(st) >= 2, "%d engines, global: status shown and updated (%d)" % (n, len(st)))
        check_area(r, "%d engines, global" % n)
        c.check(all(re.match(r"running for \d+\.\d s", t) for t in st),
                "%d engines, global: says how long it ran" % n)
        secs = [float(t.split()[2]) for t in st]
        c.check(secs and secs[0] >= 1.9, "%d engines, global: not before 2 s (%s)" % (n, secs[:1]))
        c.check(secs == sorted(secs), "%d engines, global: the time grows" % n)
        c.check(any("line 5: s = s + ((x * 2.5 + 1.0) ** 0.7).sum()" in t for t in st),
                "%d engines, global: names the line and its source: %r" % (n, st[:2]))
        # all engines, or under load some computing while the others wait in the reduction
        c.check(any(re.search(r"engines? [\d,-]+ computing \d+(-\d+)?%", t) for t in st),
                "%d engines, global: a fraction of the array operation: %r" % (n, st))
        c.check(all("engine" in t for t in st), "%d engines, global: names engines" % n)
        c.eq(r.stdout, "", "%d engines, global: the status is not a stream" % n)
        c.eq(r.text, "True", "%d engines, global: the result" % n)

        # local view: engine 0 computes, the others wait for it in allreduce
        code = ("%%px\nif rank == 0:\n    y = ones(4000000)\n    k = 0\n"
                "    for i in range(80):\n        z = (y * 3.0 + y) ** 0.7\n"
                "b = allreduce(rank)\nb")
        r = parcenv.run(kc, code)
        c.check(not r.errors, "%d engines, %%px: ran %s" % (n, r.traceback()))
        st = statuses(r)
        check_area(r, "%d engines, %%px" % n)
        others = "engine 1" if n == 2 else "engines 1-%d" % (n - 1)
        want = "%s waiting in a reduction at line 7: b = allreduce(rank)" % others
        c.check(any(want in t for t in st), "%d engines, %%px: %r in %r" % (n, want, st))
        c.check(any(re.search(r"engine 0 computing( \d+%)? at line 6: z = \(y \* 3\.0 \+ y\)", t)
                    for t in st), "%d engines, %%px: engine 0 computing at line 6: %r" % (n, st))
        c.eq(r.stdout, "", "%d engines, %%px: no streams" % n)

        # waiting for input(): the engine says so
        code = "v = input('name? ')\nv"
        msg_id = kc.execute(code, allow_stdin=True)
        kc.get_stdin_msg(timeout=60)
        time.sleep(3)
        kc.input("parc")
        r = parcenv.collect(kc, msg_id)
        st = statuses(r)
        c.check(any("waiting for input() at line 1" in t or
                    ("line 1: v = input" in t and "waiting for input()" in t) for t in st),
                "%d engines, input(): %r" % (n, st))
        c.eq(r.text, "'parc'", "%d engines, input(): the answer" % n)

        # a short cell shows none, and neither does a global cell after the long one
        r = parcenv.run(kc, "y = ones(1000).sum()\ny")
        c.eq(statuses(r), [], "%d engines: a short cell has no status line" % n)
        c.eq(r.live, [], "%d engines: a short global cell has no live area" % n)

        # an interrupted long cell: the area is emptied too (a sleep: every engine is in it when
        # the interrupt comes, so they all stop at the same statement)
        msg_id = kc.execute("sleep(60)")
        r, _ = parcenv.interrupt_after(km, kc, msg_id, 3.0)
        c.check(r.errors, "%d engines: interrupted" % n)
        c.check(statuses(r), "%d engines: the interrupted cell showed its status" % n)
        check_area(r, "%d engines, interrupted" % n)
    finally:
        parcenv.stop(km, kc)


for n in [int(a) for a in sys.argv[1:]] or [2, 4]:
    run_on(n)
c.done()
