"""examples/ runs as the downstream project it is: copied into a fresh directory, its own
pytest with the ``portkey_mock`` plugin loaded, under its CI Hypothesis profile."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.socket

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_examples(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    for entry in EXAMPLES.iterdir():
        if entry.name in ("__pycache__", ".hypothesis", ".pytest_cache"):
            continue
        target = pytester.path / entry.name
        if entry.is_dir():
            shutil.copytree(entry, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(entry, target)
    # Schemathesis (in our test extra, for tests/test_fuzz.py) installs a pytest plugin that
    # blanks the values in Hypothesis's "Falsifying example" lines; the user's project has
    # no reason to load it, and these tests read those lines.
    return pytester.runpytest_subprocess(
        "--hypothesis-profile=ci", "-rx", "-p", "no:schemathesis", *args
    )


def test_the_example_suite_passes_and_its_buggy_clients_fail_the_properties(
    pytester: pytest.Pytester,
) -> None:
    result = run_examples(pytester)
    # 12 example tests (4 x 3 clients, buggy ones included) and the real client's 2
    # properties pass; each buggy client fails its property (strict xfail: a pass would fail).
    result.assert_outcomes(passed=14, xfailed=2)
    result.stdout.fnmatch_lines(
        [
            "*XFAIL*test_every_valid_request_gives_a_png_of_its_size[[]UrlTrustingClient[]]*",
            "*XFAIL*test_every_scenario_ends_in_a_png_or_a_typed_error[[]ImpatientClient[]]*",
        ],
        consecutive=False,
    )


def test_the_properties_find_each_bug_and_shrink_it_to_a_readable_example(
    pytester: pytest.Pytester,
) -> None:
    result = run_examples(pytester, "--runxfail", "-k", "UrlTrusting or Impatient")
    result.assert_outcomes(passed=8, failed=2)  # the example tests still pass for them
    # Stability asked for a url, shrunk to a one-line request that says so.
    result.stdout.fnmatch_lines(
        [
            "*KeyError: 'url'*",
            "*Failing test case: test_every_valid_request_gives_a_png_of_its_size(*",
            "*request=ImageRequest(POST /v1/images/generations provider='stability-ai'*"
            "'response_format': 'url'*",
        ],
        consecutive=False,
    )
    # The ignored retry-after, shrunk to a scenario that says so.
    result.stdout.fnmatch_lines(["*scenario=Scenario(429 retry-after=* -> fine),*"])
