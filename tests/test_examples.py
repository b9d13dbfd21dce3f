"""examples/ runs as the downstream project it is: copied into a fresh directory, its own
pytest with the ``portkey_mock`` plugin loaded, under its CI Hypothesis profile."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.socket

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_the_suite_passes_its_buggy_clients_fail_and_each_bug_shrinks_to_a_readable_example(
    pytester: pytest.Pytester,
) -> None:
    # One run, one test: finding and shrinking each bug is most of the run's time, so the
    # outcomes and the shrunk examples are read from the same run (not a second one with
    # --runxfail). The xfail_report plugin prints each xfailed test's failure, as --runxfail
    # would show it, after pytest's own summary.
    for entry in EXAMPLES.iterdir():
        if entry.name in ("__pycache__", ".hypothesis", ".pytest_cache"):
            continue
        target = pytester.path / entry.name
        if entry.is_dir():
            shutil.copytree(entry, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(entry, target)
    shutil.copy(Path(__file__).with_name("xfail_report.py"), pytester.path / "xfail_report.py")
    # Schemathesis (in our test extra, for tests/test_fuzz.py) installs a pytest plugin that
    # blanks the values in Hypothesis's "Falsifying example" lines (and costs 2 s of start-up);
    # the user's project has no reason to load it, and this test reads those lines.
    result = pytester.runpytest_subprocess(
        "--hypothesis-profile=ci", "-rx", "-p", "no:schemathesis", "-p", "xfail_report"
    )
    # 12 example tests (4 x 3 clients: the buggy ones pass them too) and the real client's 2
    # properties pass; each buggy client fails its property (strict xfail with raises=: a
    # pass, or another exception, would fail the run).
    result.assert_outcomes(passed=14, xfailed=2)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(
        [
            "XFAIL *test_every_valid_request_gives_a_png_of_its_size[[]UrlTrustingClient[]] - *",
            "XFAIL *test_every_scenario_ends_in_a_png_or_a_typed_error[[]ImpatientClient[]] - *",
        ],
        consecutive=False,
    )
    # What each property found, shrunk: xfail_report's sections, in the order the tests ran.
    result.stdout.fnmatch_lines(
        [
            # Stability asked for a url, shrunk to a one-line request that says so.
            "*_ XFAIL *test_every_valid_request_gives_a_png_of_its_size[[]UrlTrustingClient[]] _*",
            "*KeyError: 'url'*",
            "*Failing test case: test_every_valid_request_gives_a_png_of_its_size(*",
            "*request=ImageRequest(POST /v1/images/generations provider='stability-ai'*"
            "'response_format': 'url'*",
            # The ignored retry-after, shrunk to a scenario that says so.
            "*_ XFAIL *test_every_scenario_ends_in_a_png_or_a_typed_error[[]ImpatientClient[]] _*",
            "*AssertionError*",
            "*Failing test case: test_every_scenario_ends_in_a_png_or_a_typed_error(*",
            "*scenario=Scenario(429 retry-after=* -> fine),*",
        ],
        consecutive=False,
    )
