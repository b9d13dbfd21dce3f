"""A fresh pytest in a subprocess, as a downstream project runs it, and its outcomes per file.

The plugin is loaded by its ``pytest11`` entry point, as installed. Start-up is most of such a
run's wall time (interpreter, pytest, entry-point plugins, the app): several case files that
need the same command line share one run, and each checks its own file's outcomes.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

__all__ = ["OUTCOMES", "REPORT_ALL", "outcomes_by_file", "report_of", "runpytest"]

# Entry-point plugins that only our own dev environment has (the test extra's schemathesis, for
# tests/test_fuzz.py; the bench extra's pytest_httpserver and respx): no downstream project
# gets them from us and no case needs them, and schemathesis alone (it imports all of
# Hypothesis) is ~2 s of every run's start-up. `-p no:X` is fine where X is not installed.
_DEV_ONLY = ("-p", "no:schemathesis", "-p", "no:pytest_httpserver", "-p", "no:respx")
# Hypothesis's plugin: a project with our `hypothesis` extra has it, so the shared run keeps
# it (the plugin must live beside it). The runs of one option each leave it out: no case uses
# Hypothesis, and its end-of-session summary imports all of it (~2 s of CPU a run).
_NO_HYPOTHESIS = ("-p", "no:hypothesispytest")

REPORT_ALL = "-rfEsxXp"
"""One short-summary line per outcome, passes included, each naming its test's file."""

OUTCOMES = ("passed", "failed", "errors", "skipped", "xfailed", "xpassed")
"""The outcomes ``RunResult.assert_outcomes`` compares, with the same names."""

_KINDS = {"PASSED": "passed", "FAILED": "failed", "ERROR": "errors", "SKIPPED": "skipped",
          "XFAIL": "xfailed", "XPASS": "xpassed"}  # fmt: skip
# "PASSED test_seed.py::test_x", "ERROR test_x.py - ImportError", "SKIPPED [2] test_x.py:7: why"
_LINE = re.compile(rf"({'|'.join(_KINDS)})(?:\(\w+\))? (?:\[(\d+)\] )?([^:\s]+)")


def runpytest(pytester: pytest.Pytester, *args: str, hypothesis: bool = False) -> pytest.RunResult:
    """Run pytest on ``pytester.path`` in a subprocess, without our dev-only plugins."""
    blocked = _DEV_ONLY if hypothesis else _DEV_ONLY + _NO_HYPOTHESIS
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *blocked, *args)


def outcomes_by_file(result: pytest.RunResult) -> dict[str, dict[str, int]]:
    """Each test file's outcomes, from a run with ``REPORT_ALL``; they must add up to the
    run's own totals (so no summary line went unread)."""
    counts: dict[str, Counter[str]] = {}
    heads = [i for i, line in enumerate(result.outlines) if "short test summary info" in line]
    assert heads, result.outlines
    for line in result.outlines[heads[-1] + 1 :]:
        match = _LINE.match(line)
        if match:
            kind, repeat, path = match.groups()
            counts.setdefault(path, Counter())[_KINDS[kind]] += int(repeat or 1)
    totals = result.parseoutcomes()
    summed = {key: sum(count[key] for count in counts.values()) for key in OUTCOMES}
    assert summed == {key: totals.get(key, 0) for key in OUTCOMES}, (summed, result.outlines)
    return {path: {key: count[key] for key in OUTCOMES} for path, count in counts.items()}


_HEADER = re.compile(r"_{3,} (.+?) _{3,}")  # not "_ _ _", which splits a traceback's entries


def report_of(result: pytest.RunResult, title: str) -> pytest.LineMatcher:
    """One entry of the run's FAILURES or ERRORS section, so that a pattern is looked for in
    one case's report only. ``title`` is the test's name, or ``ERROR at setup of <name>``
    (``teardown``); it must head one entry only."""
    lines = result.outlines
    starts = [i for i, line in enumerate(lines) if (m := _HEADER.fullmatch(line)) and m[1] == title]
    assert len(starts) == 1, (title, lines)
    after = range(starts[0] + 1, len(lines))
    end = next((i for i in after if _HEADER.fullmatch(lines[i]) or lines[i].startswith("=")), None)
    return pytest.LineMatcher(lines[starts[0] + 1 : end])
