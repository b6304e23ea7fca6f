"""The language as a person uses it (issue: "the parc language, whole"): the seeds'
examples written as parc programs, run through jupyter_client on 1, 2 and 3 engines —
functions with loops over batches, a while loop to a tolerance, a branch on a reduced
value — plus the errors a person makes on the way, and the console's helpers
(is_complete, complete, inspect)."""
import parcenv

c = parcenv.Checker("language")

ESTIMATE_PI = '''
def estimate_pi(n, batch=10**6):
    """Monte Carlo estimate of pi, in batches so memory stays small."""
    inside = 0
    done = 0
    while done < n:
        m = min(batch, n - done)
        x = random.rand(m)
        y = random.rand(m)
        inside += count_nonzero(hypot(x, y) <= 1)
        done += m
    return 4 * inside / n
'''

FIXED_POINT = '''
x = ones(1000) * 5
previous = 0.0
steps = 0
while abs(x.max() - previous) > 1e-12:
    previous = x.max()
    x = sqrt(x + 2)
    steps += 1
print(steps, x.max())
'''

BRANCH = '''
total = sum(x)
if total > 1000:
    kind = "big"
elif total > 0:
    kind = "small"
else:
    kind = "empty"
kind
'''


def programs(kc, n):
    tag = "[%d engines] " % n
    r = parcenv.run(kc, ESTIMATE_PI)
    c.check(not r.errors, tag + "def estimate_pi: " + r.traceback())
    r = parcenv.run(kc, "random.seed(1)\nestimate_pi(3 * 10**6 + 17, batch=10**6)")
    c.check(not r.errors, tag + "estimate_pi runs: " + r.traceback())
    pi = r.text
    c.check(pi is not None and abs(float(pi) - 3.14159) < 0.01, tag + "pi %r" % pi)
    r = parcenv.run(kc, FIXED_POINT)
    c.check(not r.errors, tag + "fixed point: " + r.traceback())
    steps, value = (r.stdout.split() + ["", ""])[:2]
    c.check(steps.isdigit() and int(steps) > 5 and abs(float(value or 0) - 2) < 1e-9,
            tag + "while loop to a tolerance: %r" % r.stdout)
    r = parcenv.run(kc, BRANCH)
    c.eq(r.text, "'big'", tag + "branch on a reduced value")
    r = parcenv.run(kc, "a, b = 1, 2\na, b = b, a\n(a, b, -2**2, 2**3**2, 0 < a < 3)")
    c.eq(r.text, "(2, 1, -4, 512, True)", tag + "unpacking, power, chained comparison")
    r = parcenv.run(kc, "s = (3, 4)\ns + (1,), s[0], len(s), x.shape[0]")
    c.eq(r.text, "((3, 4, 1), 3, 2, 1000)", tag + "tuples")
    r = parcenv.run(kc, "f = lambda i, j: i * 10 + j\nf(2, j=3)")
    c.eq(r.text, "23", tag + "lambda with keyword")
    return pi


def mistakes(kc):
    def err(code, kind, where, why):
        r = parcenv.run(kc, code)
        tb = r.traceback()
        c.check(kind in tb and where in tb, "%s: want %s at %r, got:\n%s" % (why, kind, where, tb))
        return tb

    err("for i in range(3)\n    print(i)", "SyntaxError", "line 1, column 18", "missing colon")
    err("def f(n):\n    return n * undefined_thing\nf(2)", "NameError", "line 2", "name in a function")
    tb = err("def g(n):\n    return n // 0\ndef h(n):\n    return g(n) + 1\nh(3)",
             "ZeroDivisionError", "line 4", "call chain")
    c.check(tb.count("File \"<cell") >= 2, "the chain shows each call: " + tb)
    err("zeros(10) + ones(12)", "ValueError", "column 1", "broadcast error")
    err("estimate_pi()", "TypeError", "column 1", "missing argument")
    err("def r(n):\n    return r(n + 1)\nr(0)", "RecursionError", "line 2", "recursion limit")
    err("while True:\nprint(1)", "IndentationError", "line 2", "missing indent")
    err("x = [1, 2, 3]\nx[5]", "IndexError", "line 2", "index out of range")
    err("1 + 'a'", "TypeError", "column 1", "mixed types")
    # a failed statement changes nothing
    parcenv.run(kc, "keep = 5")
    parcenv.run(kc, "keep = 1 / 0")
    r = parcenv.run(kc, "keep")
    c.eq(r.text, "5", "a failed assignment leaves the variable")


def helpers(kc):
    def is_complete(code):
        kc.is_complete(code)
        m = kc.get_shell_msg(timeout=10)
        return m["content"]["status"], m["content"].get("indent", "")

    c.eq(is_complete("for i in range(3):"), ("incomplete", "    "), "block opener")
    c.eq(is_complete("for i in range(3):\n    print(i)"), ("incomplete", "    "),
         "block stays open until an empty line")
    c.eq(is_complete("for i in range(3):\n    print(i)\n\n")[0], "complete", "empty line ends it")
    c.eq(is_complete("x = (1 +")[0], "incomplete", "open bracket")
    c.eq(is_complete("x = 1")[0], "complete", "simple statement")
    c.eq(is_complete("x = )")[0], "invalid", "invalid")
    parcenv.run(kc, "my_array = zeros((4, 5))")
    kc.complete("my_ar", 5)
    m = kc.get_shell_msg(timeout=10)["content"]
    c.check("my_array" in m["matches"], "complete a variable: %r" % m["matches"])
    kc.complete("my_array.su", 11)
    m = kc.get_shell_msg(timeout=10)["content"]
    c.check("sum" in [x.split(".")[-1] for x in m["matches"]], "complete a method: %r" % m["matches"])
    kc.complete("random.ra", 9)
    m = kc.get_shell_msg(timeout=10)["content"]
    c.check(any("rand" in x for x in m["matches"]), "complete random.: %r" % m["matches"])
    kc.inspect("my_array", 8)
    m = kc.get_shell_msg(timeout=10)["content"]
    text = m.get("data", {}).get("text/plain", "")
    c.check(m["found"] and "(4, 5)" in text and "float64" in text, "inspect a variable: " + text)
    kc.inspect("hypot(", 6)
    m = kc.get_shell_msg(timeout=10)["content"]
    text = m.get("data", {}).get("text/plain", "")
    c.check(m["found"] and "hypot(x, y)" in text, "inspect a builtin: " + text)


pis = {}
for n in (1, 2, 3):
    km, kc = parcenv.start(engines=n)
    try:
        pis[n] = programs(kc, n)
        if n == 2:
            mistakes(kc)
            helpers(kc)
    finally:
        parcenv.stop(km, kc)
c.check(pis[1] == pis[2] == pis[3], "estimate_pi identical on 1, 2, 3 engines: %r" % pis)
c.done()
