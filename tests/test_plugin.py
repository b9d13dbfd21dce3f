"""The pytest plugin, run as a downstream project runs it: a test file in a fresh pytest."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.socket

DOWNSTREAM = Path(__file__).parent / "downstream"


def run_case(pytester: pytest.Pytester, name: str, *args: str) -> pytest.RunResult:
    """Copy ``downstream/case_<name>.py`` into a fresh project and run pytest there."""
    pytester.makepyfile(**{f"test_{name}": (DOWNSTREAM / f"case_{name}.py").read_text()})
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


def test_seed_code_and_journal_through_the_fixture(pytester: pytest.Pytester) -> None:
    result = run_case(pytester, "seed")
    result.assert_outcomes(passed=2)


def test_sdks_and_env_wiring(pytester: pytest.Pytester) -> None:
    result = run_case(pytester, "sdks", "--strict-markers")
    result.assert_outcomes(passed=3)


def test_in_process_transport_behaves_like_the_server(pytester: pytest.Pytester) -> None:
    result = run_case(pytester, "in_process")
    result.assert_outcomes(passed=3)


def test_marker_profiles_and_strict_markers(pytester: pytest.Pytester) -> None:
    result = run_case(pytester, "markers", "--strict-markers")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*portkey_mock takes keyword options*profil*"])


def test_faults_from_python(pytester: pytest.Pytester) -> None:
    result = run_case(pytester, "faults")
    result.assert_outcomes(passed=8)


def test_faults_and_journal_over_http(pytester: pytest.Pytester) -> None:
    result = run_case(pytester, "http_controls")
    result.assert_outcomes(passed=1)


def test_failure_messages_list_what_arrived(pytester: pytest.Pytester) -> None:
    result = run_case(pytester, "failure_message")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*expected at least one any method /v1/images/edits request(s), got 0*",
         '*POST /v1/images/generations -> 404 {"prompt": "hello"}*']
    )  # fmt: skip


def test_a_crash_in_the_server_fails_the_test_that_caused_it(pytester: pytest.Pytester) -> None:
    result = run_case(pytester, "server_crash")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*ServerError*kaboom*"])


def test_under_xdist_each_worker_has_its_own_server(pytester: pytest.Pytester) -> None:
    result = run_case(pytester, "xdist", "-n", "2")
    result.assert_outcomes(passed=8)
    ports = {path.read_text() for path in pytester.path.parent.rglob("port-*")}
    assert len(ports) == 2, ports


def test_the_readme_fixture_example_passes(pytester: pytest.Pytester) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme[readme.index("## In your tests") :]
    example = section[
        section.index("```python\n") + 10 : section.index("```\n", section.index("```python"))
    ]
    pytester.makepyfile(test_readme=example)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_a_three_retries_then_fallback_config_runs_fast(pytester: pytest.Pytester) -> None:
    result = run_case(pytester, "routing", "--durations=1", "--durations-min=0")
    result.assert_outcomes(passed=1)
