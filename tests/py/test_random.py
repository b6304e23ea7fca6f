"""random.* values are a pure function of (seed, call number, global index): the same cell
gives the same text on 1, 2 and 3 engines (uneven splits), for every generator, size form,
dtype and distribution. Values are not NumPy's (tests/diff/random.txt checks properties
against NumPy), so the engine counts are compared with each other.

    /usr/bin/python3 tests/py/test_random.py
"""
import numpydiff
import parcenv

CELLS = [
    "random.seed(11); random.uniform(-2, 3, size=17)",
    "random.seed(11); random.uniform(-2, 3, size=(5, 3), dtype=float32)",
    "random.seed(11); random.uniform(size=4); random.uniform(1, 2, 7)",
    "random.seed(11); random.uniform(), random.uniform(5, 6)",
    "random.seed(12); random.normal(1.5, 0.25, size=(7, 2))",
    "random.seed(12); random.normal(size=11, dtype=float32)",
    "random.seed(12); random.normal(), random.normal(3, 2)",
    "random.seed(13); random.randint(-4, 9, size=(3, 7))",
    "random.seed(13); random.randint(10, size=13, dtype=int32)",
    "random.seed(13); random.randint(0, 2, size=9, dtype=bool)",
    "random.seed(13); random.randint(0, 2**52, size=5), random.randint(100)",
    "random.seed(14); random.rand(3, 2), random.randn(5), random.random(4)",
    "random.seed(15); x = random.uniform(0, 1, 1000) + random.normal(0, 1, 1000); x.sum()",
]


def main():
    c = parcenv.Checker("random")
    numpydiff.same_everywhere(c.check, CELLS, (1, 2, 3), 60, "same values on 1, 2, 3 engines")
    c.done()


if __name__ == "__main__":
    main()
