"""The pytest plugin, run as a downstream project runs it: test files in a fresh pytest.

The cases that need the same command line share one run (tests/downstream_runs.py says why),
each checked on its own file's outcomes and report, as a subtest named after the case.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.downstream_runs import OUTCOMES, REPORT_ALL, outcomes_by_file, report_of, runpytest

pytestmark = pytest.mark.socket

DOWNSTREAM = Path(__file__).parent / "downstream"


def copy_case(pytester: pytest.Pytester, name: str) -> None:
    """Copy ``downstream/case_<name>.py`` into the project as ``test_<name>.py``."""
    pytester.makepyfile(**{f"test_{name}": (DOWNSTREAM / f"case_{name}.py").read_text()})


def run_case(pytester: pytest.Pytester, name: str, *args: str) -> pytest.RunResult:
    """Copy ``downstream/case_<name>.py`` into a fresh project and run pytest there."""
    copy_case(pytester, name)
    return runpytest(pytester, *args)


class SharedRun:
    """The one run of the cases that need the same command line and no conftest.py."""

    def __init__(self, result: pytest.RunResult, path: Path) -> None:
        self.result = result
        self.path = path  # the downstream project
        self.by_file = outcomes_by_file(result)

    def assert_outcomes(self, name: str, **expected: int) -> None:
        """As ``RunResult.assert_outcomes``, for ``case_<name>.py``'s tests alone."""
        want = {key: expected.get(key, 0) for key in OUTCOMES}
        got = self.by_file.get(f"test_{name}.py", dict.fromkeys(OUTCOMES, 0))
        assert got == want, f"expected {want}, got {got}"


Check = Callable[[SharedRun], None]
SHARED: dict[str, Check] = {}
"""Case name -> the check of its outcomes in the shared run."""


def shared(name: str) -> Callable[[Check], Check]:
    """Run ``case_<name>.py`` in the shared run, and check it with the decorated function."""

    def register(check: Check) -> Check:
        SHARED[name] = check
        return check

    return register


def test_the_cases_that_share_one_run(pytester: pytest.Pytester, subtests: pytest.Subtests) -> None:
    # --strict-markers: what sdks and markers need, and what the others pass with anyway.
    # --junitxml: where the inspector case's snapshot goes when nothing else says.
    for name in SHARED:  # every case a @shared check below registers
        copy_case(pytester, name)
    junit = pytester.path / "out" / "junit.xml"
    args = ("--strict-markers", f"--junitxml={junit}", REPORT_ALL)
    result = runpytest(pytester, *args, hypothesis=True)
    run = SharedRun(result, pytester.path)
    for name, check in SHARED.items():
        with subtests.test(msg=check.__name__, case=name):
            try:
                check(run)
            except (AssertionError, pytest.fail.Exception) as error:
                # The message names the case: the subtest's own label is not always shown
                # (schemathesis's plugin, in our dev environment, reports subtests its way).
                raise AssertionError(f"case_{name}.py ({check.__name__}): {error}") from error


@shared("seed")
def seed_code_and_journal_through_the_fixture(run: SharedRun) -> None:
    run.assert_outcomes("seed", passed=2)


@shared("sdks")
def sdks_and_env_wiring(run: SharedRun) -> None:
    run.assert_outcomes("sdks", passed=3)


@shared("in_process")
def in_process_transport_behaves_like_the_server(run: SharedRun) -> None:
    run.assert_outcomes("in_process", passed=3)


@shared("markers")
def marker_profiles_and_strict_markers(run: SharedRun) -> None:
    run.assert_outcomes("markers", passed=2, errors=1)
    report = report_of(run.result, "ERROR at setup of test_typo")
    report.fnmatch_lines(["*portkey_mock takes keyword options*profil*"])


@shared("faults")
def faults_from_python(run: SharedRun) -> None:
    run.assert_outcomes("faults", passed=9)


@shared("http_controls")
def faults_and_journal_over_http(run: SharedRun) -> None:
    run.assert_outcomes("http_controls", passed=1)


@shared("failure_message")
def failure_messages_list_what_arrived(run: SharedRun) -> None:
    run.assert_outcomes("failure_message", failed=1)
    report_of(run.result, "test_wrong_path").fnmatch_lines(
        ["*expected at least one any method /v1/images/edits request(s), got 0*",
         '*POST /v1/images/generations -> 404 {"prompt": "hello"}*']
    )  # fmt: skip


@shared("server_crash")
def a_crash_in_the_server_fails_the_test_that_caused_it(run: SharedRun) -> None:
    run.assert_outcomes("server_crash", passed=2, errors=1)
    report_of(run.result, "ERROR at teardown of test_boom").fnmatch_lines(["*ServerError*kaboom*"])


@shared("routing")
def a_three_retries_then_fallback_config_runs_fast(run: SharedRun) -> None:
    run.assert_outcomes("routing", passed=1)
    # The gateway's own backoff would wait 7 s (1 + 2 + 4): the fixture's time_scale does not.
    report = ElementTree.parse(run.path / "out" / "junit.xml")
    (case,) = report.iterfind(".//testcase[@name='test_three_retries_then_fallback']")
    assert float(case.get("time", "inf")) < 3.5, case.attrib


def _snapshot_path(result: pytest.RunResult) -> Path:
    """The one snapshot the inspector case's tests wrote (other cases' failures write theirs)."""
    ours = "/test_inspector.py_"  # the file's name starts with the test's node id
    lines = [
        line for line in result.outlines if line.startswith("journal snapshot (") and ours in line
    ]
    assert len(lines) == 1, result.outlines
    return Path(lines[0].split("): ", 1)[1])


@shared("inspector")
def a_failing_test_prints_the_inspector_url_and_writes_a_snapshot(run: SharedRun) -> None:
    run.assert_outcomes("inspector", passed=1, failed=2)
    report_of(run.result, "test_fails_after_two_requests").fnmatch_lines(
        ["*- portkey_mock inspector -*",
         "inspector: http://127.0.0.1:*/_mock/ (live until the next test resets the journal)",
         "journal snapshot (2 request(s)): *test_fails_after_two_requests-*.html"]
    )  # fmt: skip
    path = _snapshot_path(run.result)  # only the failing test that used the fixture has one
    assert path.parent == run.path / "out" / "portkey-mock"  # next to the test report
    page = path.read_text()
    assert page.count("<article") == 2 and "data:image/png;base64,iVBORw0KGgo" in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; a lighthouse" in page
    assert "<script>alert" not in page and "0123456789" not in page
    # Self-contained: nothing to fetch from a server, every image inlined.
    links = re.findall(r'(?:src|href)="([^";]*)', page)
    assert links == ["data:,", "data:image/png"]  # the favicon, and the one image returned
    junit = (run.path / "out" / "junit.xml").read_text()
    assert f'name="portkey_mock_snapshot" value="{path}"' in junit


# The runs below are one case each: a conftest.py or a module of its own that overrides
# portkey_mock_options (the session's one server is built from the options it first meets, so
# another case in the run would get, or give, the wrong ones), or an option that changes the
# whole session (-n, --portkey-mock-snapshots, --portkey-record).


def test_unused_faults_fail_the_teardown_of_a_passing_test(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        "import pytest\n\n\n@pytest.fixture(scope='session')\n"
        "def portkey_mock_options():\n    return {'strict_responses': True}\n"
    )
    result = run_case(pytester, "unused_faults")
    result.assert_outcomes(passed=6, failed=1, errors=1, xfailed=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_unused_faults_fail_the_teardown*",
            "*1 queued fault(s) never used:",
            "*fail status=503 times=1 path='/v1/nowhere'",
            "*assert_faults_used=False*",
        ]
    )
    assert "test_a_failing_test_is_not_told" not in "".join(
        line for line in result.stdout.lines if "ERROR at teardown" in line
    )


def _free_ports(count: int) -> int:
    """A port with the ``count - 1`` ports after it free too (best effort)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = int(probe.getsockname()[1])
        try:
            for offset in range(count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", first + offset))
        except OSError:
            continue
        return first
    raise AssertionError("no run of free ports")


@pytest.mark.parametrize("workers", [None, "2"])
def test_the_port_option(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, workers: str | None
) -> None:
    monkeypatch.setenv("CASE_PORT", str(_free_ports(2)))
    result = run_case(pytester, "port", *(["-n", workers] if workers else []))
    result.assert_outcomes(passed=2)


def test_under_xdist_each_worker_has_its_own_server(pytester: pytest.Pytester) -> None:
    result = run_case(pytester, "xdist", "-n", "2")
    result.assert_outcomes(passed=8)
    ports = {path.read_text() for path in pytester.path.rglob("port-*")}  # this run's
    assert len(ports) == 2, ports


def test_snapshot_directory_option(pytester: pytest.Pytester) -> None:
    target = pytester.path / "snaps"
    result = run_case(pytester, "inspector", f"--portkey-mock-snapshots={target}")
    result.assert_outcomes(passed=1, failed=2)
    assert _snapshot_path(result).parent == target
    (written,) = target.iterdir()
    assert written.name.startswith("test_inspector.py_test_fails_after_two_requests-")


def test_record_mode_runs_against_the_target_and_writes_a_cassette(
    pytester: pytest.Pytester,
) -> None:
    from mock_gateway import LiveServer, create_app
    from mock_gateway.recording.har import read_cassette

    out = pytester.path / "cassettes"
    with LiveServer(create_app(profile="oss")) as target:
        result = run_case(
            pytester, "record", "--portkey-record", str(out), "--portkey-record-target", target.url
        )
        arrived = target.app.state.mock.journal.calls()
    result.assert_outcomes(passed=2)
    assert len(arrived) == 1  # the real target answered, not the mock
    cassette = out / "portkey.har"
    (exchange,) = read_cassette(cassette)
    assert exchange.comment == "test_record.py::test_generates_through_the_recorder"
    assert exchange.status == 200
    assert b"sk-plugin-0123456789ab" not in cassette.read_bytes()


def test_record_mode_never_runs_without_an_explicit_target(pytester: pytest.Pytester) -> None:
    out = pytester.path / "cassettes"
    result = run_case(pytester, "record", "--portkey-record", str(out))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--portkey-record needs the real gateway*--portkey-record-target*"]
    )
    assert not out.exists()
