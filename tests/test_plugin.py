"""The pytest plugin, run as a downstream project runs it: a test file in a fresh pytest."""

from __future__ import annotations

import re
import socket
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
    result.assert_outcomes(passed=9)


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


def test_a_three_retries_then_fallback_config_runs_fast(pytester: pytest.Pytester) -> None:
    result = run_case(pytester, "routing", "--durations=1", "--durations-min=0")
    result.assert_outcomes(passed=1)


def _snapshot_path(result: pytest.RunResult) -> Path:
    lines = [line for line in result.outlines if line.startswith("journal snapshot (")]
    assert len(lines) == 1, result.outlines
    return Path(lines[0].split("): ", 1)[1])


def test_a_failing_test_prints_the_inspector_url_and_writes_a_snapshot(
    pytester: pytest.Pytester,
) -> None:
    result = run_case(pytester, "inspector", f"--junitxml={pytester.path / 'out' / 'junit.xml'}")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        ["*- portkey_mock inspector -*",
         "inspector: http://127.0.0.1:*/_mock/ (live until the next test resets the journal)",
         "journal snapshot (2 request(s)): *test_fails_after_two_requests-*.html"]
    )  # fmt: skip
    path = _snapshot_path(result)  # only the failing test that used the fixture has one
    assert path.parent == pytester.path / "out" / "portkey-mock"  # next to the test report
    page = path.read_text()
    assert page.count("<article") == 2 and "data:image/png;base64,iVBORw0KGgo" in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; a lighthouse" in page
    assert "<script>alert" not in page and "0123456789" not in page
    # Self-contained: nothing to fetch from a server, every image inlined.
    links = re.findall(r'(?:src|href)="([^";]*)', page)
    assert links == ["data:,", "data:image/png"]  # the favicon, and the one image returned
    junit = (pytester.path / "out" / "junit.xml").read_text()
    assert f'name="portkey_mock_snapshot" value="{path}"' in junit


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
