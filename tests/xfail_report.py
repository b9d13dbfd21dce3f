"""A pytest plugin (``-p xfail_report``) for tests/test_examples.py's run of examples/.

An xfailed test's report keeps its failure (the exception, and Hypothesis's shrunk failing
case in its notes), but pytest prints only the xfail reason. This plugin prints each xfailed
test's failure after the run, as ``--runxfail`` would show it, so one run of the example suite
proves both that its buggy clients fail (strict xfail, each with its exception type) and what
Hypothesis shrank each bug to: no second run with ``--runxfail``.
"""

from __future__ import annotations

import pytest

_xfailed: list[pytest.TestReport] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and hasattr(report, "wasxfail"):
        _xfailed.append(report)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for report in _xfailed:
        terminalreporter.write_sep("_", f"XFAIL {report.nodeid}")
        terminalreporter.write_line(report.longreprtext)
        for title, content in report.sections:
            terminalreporter.write_sep("-", title)
            terminalreporter.write_line(content)
