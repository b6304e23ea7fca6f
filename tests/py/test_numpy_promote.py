"""The type promotion table of test_numpy_diff.py (promote_cases) against NumPy 1.24 on 1 and
3 engines: a test of its own so that each differential run stays within ctest's timeout.

    /usr/bin/python3 tests/py/test_numpy_promote.py
"""
import sys

import test_numpy_diff

if __name__ == "__main__":
    test_numpy_diff.main(["-n", "1,3", "promote"] + sys.argv[1:])
