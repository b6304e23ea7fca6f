"""Every engine's output is live (issue 11): while a %%px cell runs, the output of engines
that are not streaming yet shows in a live area (display_data with a display_id, then
update_display_data with each engine's latest lines), emptied when the segment ends, when
the streams come out in rank order. The area is opened for every multi-engine %px segment
whatever the timing, so a saved notebook is the same on every run. When an engine finishes,
the next one streams (hand-over). All of it on the direct path (an EXEC to each engine) and
on the broadcast path (one CELL to rank 0, FINISHED from the engines that finish early)."""

import parcenv

c = parcenv.Checker("live")
NRANKS = 3
SLOW = 30000000  # loop iterations: about 1 s on one engine



def first_seen(r, text):
    """When text first reached iopub: in a stream or in the live area."""
    for m in r.msgs:
        t, ct = m["msg_type"], m["content"]
        if t == "stream" and text in ct["text"]:
            return m["_t"]
        if t in ("display_data", "update_display_data") and text in ct["data"].get("text/plain", ""):
            return m["_t"]
    return None


def idle_at(r):
    return [m["_t"] for m in r.msgs if m["msg_type"] == "status"][-1]


def check_area(r, what):
    """One live area, opened first, emptied last; ids all the same."""
    ids = {m["content"]["transient"]["display_id"] for m in r.live}
    c.eq(len(ids), 1, what + ": one live area")
    c.check(r.live and r.live[0]["msg_type"] == "display_data", what + ": opened by display_data")
    c.check(r.live and r.live[-1]["content"]["data"] == {"text/html": ""},
            what + ": emptied at the end")
    out = [m for m in r.msgs if m["msg_type"] in ("stream", "display_data")]
    c.check(out and out[0] is r.live[0], what + ": the area comes before any output")


def live(env, tag):
    """The whole check on one path: env selects it (PARC_BCAST_MIN)."""
    km, kc = parcenv.start(engines=NRANKS, env=env)
    try:
        parcenv.timed(kc)
        parcenv.run(kc, "%px print(rank)")

        # every engine prints, works about 1 s (engine 0 longest), prints again
        code = ("%%%%px\nprint('before', rank)\nn = %d - rank * %d\nfor i in range(n):\n    pass\n"
                "print('after', rank)" % (SLOW, SLOW // 4))
        r = parcenv.run(kc, code)
        c.check(not r.errors, tag + "ran: " + r.traceback())
        c.eq(r.stdout, "".join("[stdout:%d] before %d\n[stdout:%d] after %d\n" % (k, k, k, k)
                               for k in range(NRANKS)), tag + "final streams in rank order")
        check_area(r, tag + "3 engines")
        end = idle_at(r)
        for k in range(NRANKS):
            t = first_seen(r, "[stdout:%d] before %d" % (k, k))
            c.check(t is not None and end - t > 0.3,
                    tag + "engine %d's first line seen while the cell ran (%s s before idle)"
                    % (k, None if t is None else round(end - t, 3)))
        # the area shows the latest lines: engine 2 finishes first, its 'after' shows live
        t2 = first_seen(r, "[stdout:2] after 2")
        c.check(t2 is not None and end - t2 > 0.1,
                tag + "engine 2's last line seen before the end")
        # hand-over: engine 0 finishes at once, so engine 1 streams its later lines live (a
        # stream message, not only the area) while engine 2 is still held
        code = ("%%px\nif rank > 0:\n    sleep(0.4)\n    print('mid', rank)\n    sleep(1.0)\n"
                "print('end', rank)")
        r = parcenv.run(kc, code)
        c.check(not r.errors, tag + "hand-over ran: " + r.traceback())
        c.eq(r.stdout, "[stdout:0] end 0\n" + "".join("[stdout:%d] mid %d\n[stdout:%d] end %d\n"
                                                % (k, k, k, k) for k in range(1, NRANKS)),
             tag + "hand-over: final streams in rank order")
        end = idle_at(r)
        t1 = [m["_t"] for m in r.msgs if m["msg_type"] == "stream"
              and "[stdout:1] mid 1" in m["content"]["text"]]
        c.check(t1 and end - t1[0] > 0.5, tag + "engine 1 streams once engine 0 finished "
                "(%s s before idle)" % (round(end - t1[0], 3) if t1 else None))

        # html is escaped
        r = parcenv.run(kc, "%px print('<b>', rank)")
        htmls = [m["content"]["data"].get("text/html", "") for m in r.live]
        c.check(all("<b>" not in h for h in htmls), tag + "the live area escapes html")
        c.eq(r.stdout, "".join("[stdout:%d] <b> %d\n" % (k, k) for k in range(NRANKS)),
             tag + "escaped: streams")
        check_area(r, tag + "quick cell")

        # a cell that prints nothing still opens (and empties) the area: same outputs every run
        r = parcenv.run(kc, "%px x = rank")
        check_area(r, tag + "silent cell")
        c.eq(r.stdout, "", tag + "silent cell: no streams")

        # one target, and the global view, have nothing to hold: no area
        r = parcenv.run(kc, "%px --targets 1 print('one', rank)")
        c.eq(r.live, [], tag + "one target: no live area")
        c.eq(r.stdout, "[stdout:1] one 1\n", tag + "one target: its stream")
        r = parcenv.run(kc, "print('global')")
        c.eq(r.live, [], tag + "global view: no live area")
        c.eq(r.stdout, "global\n", tag + "global view: once")

        # results still come after the streams, in rank order, outside the area
        r = parcenv.run(kc, "%px rank * 10")
        count = r.reply["content"].get("execution_count")
        c.eq(r.displays, ["Out[%d:%s]: %d" % (k, count, 10 * k) for k in range(NRANKS)],
             tag + "per-engine results")
    finally:
        parcenv.stop(km, kc)


# on the direct path (an EXEC to each engine) and on the broadcast path (one CELL to rank 0)
live({"PARC_BCAST_MIN": "0"}, "direct: ")
live({"PARC_BCAST_MIN": "1"}, "broadcast: ")
c.done()
