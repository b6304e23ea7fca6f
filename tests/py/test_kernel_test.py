"""jupyter_kernel_test's protocol conformance suite against the parc kernelspec of the build
under test (installed by parcenv.install_kernelspec()). Runs unittest programmatically and
prints "N passed, N failed" for ctest."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import parcenv  # noqa: E402

parcenv.install_kernelspec()
# One engine: a %px segment on several engines opens a live area first, a display_data whose
# only type is text/html (so that jupyter console prints no blank line for it; test_live.py),
# and this suite wants text/plain in every display_data of its sample.
os.environ.setdefault("PARC_ENGINES", "1")

import jupyter_kernel_test  # noqa: E402

# Engines take a moment to start under mpirun on a busy machine.
jupyter_kernel_test.TIMEOUT = 120


class ParcKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "parc"
    language_name = "parc"
    file_extension = ".parc"

    code_hello_world = 'print("hello, world")'

    completion_samples = [
        {"text": "zero", "matches": {"zeros", "zeros_like"}},
        {"text": "%engi", "matches": {"%engines"}},
    ]

    complete_code_samples = ["1", 'print("hello, world")', "x = 1 + 2", "%who"]
    incomplete_code_samples = ["for i in range(3):", "def f(a):", "x = (1,"]
    invalid_code_samples = ["x = (1 +* 2)"]

    code_generate_error = "1 / undefined_name_xyz"

    code_execute_result = [
        {"code": "1+2", "result": "3"},
        {"code": "6*7", "result": "42"},
    ]

    code_display_data = [
        {"code": "%px rank", "mime": "text/plain"},
    ]

    code_history_pattern = "1?2"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "zeros"

    code_page_something = "zeros?"


def main():
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(ParcKernelTests)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stderr).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
