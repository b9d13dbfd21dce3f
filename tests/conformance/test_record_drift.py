"""Record a session through the real open-source gateway, then drift it against the mock.

The session is sent through ``mock-portkey record``'s proxy in front of each pinned gateway
flavour. Replayed against the matching profile, the drift report must show exactly the
differences the corpus's intended-differences list names.

The session is a sample of the conformance corpus, not all of it: test_real_gateway.py already
compares every case with both real gateways; this module proves that the record -> cassette ->
drift pipeline agrees with the intended-differences list. So it sends, from the cases a
recording can replay (no fault queued on the upstream: a recording cannot carry the upstream's
state; no refused key: keys are redacted), every case with an intended difference, the cases
the tests below name, and the first case of each request shape: corpus file, providers named
(header or config), method, path, body kind and ``accept`` header. That covers every corpus
file, every provider and every intended difference that can show in a recording
(``test_the_session_covers_every_file_provider_and_intended_difference``); a case left out is
still compared with the real gateways, case by case, by test_real_gateway.py.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from mock_gateway import LiveServer
from mock_gateway.cli import parse_args, run
from mock_gateway.contract_tools.check import check_paths
from mock_gateway.recording.allowlist import Allowed
from mock_gateway.recording.drift import drift, format_table
from mock_gateway.recording.har import CassetteWriter, read_cassette
from mock_gateway.recording.record import Recorder, create_recorder
from tests.conformance.conftest import Servers
from tests.conformance.gateway import FLAVOURS
from tests.conformance.harness import Case, load_corpus

pytestmark = pytest.mark.conformance

CASES, INTENDED = load_corpus()
# A refused key cannot be replayed: the recording redacts keys, and with them what made the
# key a refused one (e.g. "invalid"), so the mock would see a good key.
_KEY_REFUSALS = ("invalid-key", "invalid-token")
REPLAYABLE = [
    case for case in CASES if not case.faults and not any(part in case.id for part in _KEY_REFUSALS)
]
NAMED = ("unified-stability-core", "unified-openai-bad-size")  # the tests below edit or find them


def _providers(case: Case) -> frozenset[str]:
    """The providers a case names: its x-portkey-provider header and any in its config."""
    named = {case.headers.get("x-portkey-provider") or ""}
    pending = [case.config]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            named.add(value["provider"] if isinstance(value.get("provider"), str) else "")
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return frozenset(named - {""})


def _shape(case: Case) -> tuple[object, ...]:
    """What a case's request is like, as far as recording and replaying it go."""
    if case.json_body is not None:
        body = "json"
    else:
        body = "raw" if case.body is not None else "form" if case.form is not None else "none"
    path = urlsplit(case.path).path
    return (case.source, _providers(case), case.method, path, body, case.headers.get("accept"))


def _session() -> list[Case]:
    """The sample the module docstring describes, in corpus order."""
    shapes: set[tuple[object, ...]] = set()
    chosen = []
    for case in REPLAYABLE:
        new_shape = _shape(case) not in shapes
        shapes.add(_shape(case))
        if new_shape or case.intended or case.id in NAMED:
            chosen.append(case)
    return chosen


SESSION = _session()

# Hosted Portkey wants its own key; the open-source gateway ignores it. Sent on every request
# so that the hosted profile's drift is about behaviour, and so that its redaction is tested.
PORTKEY_KEY = "pk-live-9f8e7d6c5b4a39281706"
KEYS = ("sk-stab-0123456789abcdef", "sk-oai-0123456789abcdef", PORTKEY_KEY)


def _record(servers: Servers, flavour: str, path: Path) -> Path:
    gateway = servers.gateways[flavour]
    writer = CassetteWriter(path, gateway.url)
    recorder = Recorder(gateway.url, writer)
    with LiveServer(create_recorder(recorder)) as proxy:
        for case in SESSION:
            servers.upstream_state.reset()  # as the conformance suite does before each case
            recorder.label = case.id
            request = case.request(servers.upstream.url)
            request["headers"]["x-portkey-api-key"] = PORTKEY_KEY
            servers.client.request(**{**request, "url": proxy.url + request["url"]})
    writer.close()
    assert not recorder.errors
    return path


@pytest.fixture(scope="module")
def recordings(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    where = tmp_path_factory.mktemp("recordings")
    return {flavour: _record(servers, flavour, where / f"{flavour}.har") for flavour in FLAVOURS}


def _listed(case: Case, profile: str) -> Allowed | None:
    if case.intended is None or profile not in INTENDED[case.intended].profiles:
        return None
    entry = INTENDED[case.intended]
    if all(key.startswith("upstream") for key in entry.ignore):
        return None  # a recording holds the answers only: an upstream difference cannot show
    return Allowed(entry.name, entry.reason, entry.ignore, entry.profiles, (case.id,))


def _allow_list(profile: str) -> list[Allowed]:
    return [a for case in SESSION if (a := _listed(case, profile)) is not None]


def test_the_session_covers_every_file_provider_and_intended_difference() -> None:
    def providers(cases: list[Case]) -> set[str]:
        return set().union(*map(_providers, cases))

    def showable(cases: list[Case]) -> set[str]:  # the intended differences a recording shows
        return {a.name for c in cases for f in FLAVOURS if (a := _listed(c, f)) is not None}

    assert {case.source for case in SESSION} == {case.source for case in REPLAYABLE}
    assert providers(SESSION) == providers(REPLAYABLE)
    assert {_shape(case) for case in SESSION} == {_shape(case) for case in REPLAYABLE}
    assert showable(REPLAYABLE) and showable(SESSION) == showable(REPLAYABLE)
    # Every intended case is sent, those that cannot show too: they must show nothing.
    assert [c for c in REPLAYABLE if c.intended] == [c for c in SESSION if c.intended]
    assert {case.id for case in SESSION} >= set(NAMED)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_drift_shows_exactly_the_intended_differences(
    recordings: dict[str, Path], flavour: str
) -> None:
    exchanges = read_cassette(recordings[flavour])
    assert [ex.comment for ex in exchanges] == [case.id for case in SESSION]
    report = drift(exchanges, [flavour], _allow_list(flavour))
    print(format_table(report))
    by_id = {result.exchange.comment: result for result in report.results}
    listed = set()
    for case in SESSION:
        keys = [d.key for d in by_id[case.id].differences]
        allowed = _listed(case, flavour)
        if allowed is None:
            assert not keys, f"{case.id}: unlisted drift {keys}"
            continue
        listed.add(allowed.name)
        # Still a real difference, and only in what the list names.
        assert keys, f"{case.id}: no difference any more; drop it from the list"
        assert {d.allowed for d in by_id[case.id].differences} == {allowed.name}
    assert listed >= {"mock-controls", "no-sockets"}
    assert not report.failed and not report.unused


def test_drift_against_hosted_reports_and_fails(recordings: dict[str, Path]) -> None:
    report = drift(read_cassette(recordings["oss"]), ["hosted"])
    print(format_table(report))
    assert report.failed
    # Hosted Portkey makes up a trace id where the open-source gateway answers an empty one.
    keys = {d.key for r in report.results for d in r.differences}
    assert "headers.x-portkey-trace-id" in keys


def test_one_changed_fact_is_named(recordings: dict[str, Path], tmp_path: Path) -> None:
    # The command line, over the exchanges its allow list names and the one changed: the
    # whole session's drift under the same list is test_drift_shows_exactly_the_intended_...'s.
    allowed = _allow_list("oss")
    wanted = {"unified-stability-core"} | {label for a in allowed for label in a.entries or ()}
    data = json.loads(recordings["oss"].read_text())
    data["log"]["entries"] = [e for e in data["log"]["entries"] if e.get("comment") in wanted]
    assert len(data["log"]["entries"]) == len(wanted) > 1
    original = tmp_path / "original.har"
    original.write_text(json.dumps(data))
    changed = copy.deepcopy(data)
    entry = next(e for e in changed["log"]["entries"] if e["comment"] == "unified-stability-core")
    body = json.loads(entry["response"]["content"]["text"])
    body["data"][0]["finish_reason"] = "CONTENT_FILTERED"  # reality moved on
    entry["response"]["content"]["text"] = json.dumps(body)
    copy_path = tmp_path / "changed.har"
    copy_path.write_text(json.dumps(changed))
    allow = tmp_path / "allow.json"
    table: dict[str, dict[str, Any]] = {}
    for a in allowed:
        kept = table.setdefault(a.name, {"reason": a.reason, "ignore": list(a.ignore)})
        kept["entries"] = kept.get("entries", []) + list(a.entries or ())
    allow.write_text(json.dumps({"allowed_differences": table}))
    out, err = _cli(["drift", str(copy_path), "--profile", "oss", "--allow", str(allow)])
    assert out[0] == 1, err
    assert "unified-stability-core" in out[1]
    assert "body/data/0/finish_reason" in out[1]
    out, _ = _cli(["drift", str(copy_path), "--profile", "oss", "--allow", str(allow),
                   "--format", "json"])  # fmt: skip
    report = json.loads(out[1])
    unlisted = [
        (ex["label"], d["key"])
        for ex in report["exchanges"]
        for d in ex["differences"]
        if d["allowed"] is None
    ]
    assert unlisted == [("unified-stability-core", "body/data/0/finish_reason")]
    assert {ex["label"] for ex in report["exchanges"]} == wanted  # the listed ones still differ
    # The original, with the same list, passes.
    out, _ = _cli(["drift", str(original), "--profile", "oss", "--allow", str(allow)])
    assert out[0] == 0, out[1]


def _cli(argv: list[str]) -> tuple[tuple[int, str], str]:
    import io

    stdout, stderr = io.StringIO(), io.StringIO()
    code = run(parse_args(argv), stdout=stdout, stderr=stderr)
    return (code, stdout.getvalue()), stderr.getvalue()


def test_no_key_is_written_anywhere(recordings: dict[str, Path]) -> None:
    for path in recordings.values():
        for written in path.parent.rglob("*"):
            data = written.read_bytes()
            for key in KEYS:
                assert key.encode() not in data, f"{key} in {written}"
                assert key[4:-4].encode() not in data, f"the middle of {key} in {written}"
        text = path.read_text()
        assert "Bearer sk-s...cdef" in text  # redacted, recognisably


def test_the_recorded_answers_satisfy_the_contracts(recordings: dict[str, Path]) -> None:
    findings = check_paths([str(path) for path in recordings.values()])
    answers = [f for f in findings if " response " in f.where]
    assert not answers, "\n".join(map(str, answers))
    # The corpus sends bad requests on purpose; check names them, with the entry and pointer.
    index = next(i for i, case in enumerate(SESSION) if case.id == "unified-openai-bad-size")
    assert any(
        f.where == f"entry {index} POST /v1/images/generations request" and f.pointer == "/size"
        for f in findings
    ), findings
