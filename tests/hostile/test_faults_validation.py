"""Faults are checked when they are posted (issue 15): ``POST /_mock/faults`` and ``Fault(...)``
name every wrong field at once; what they accept is carried out without a 500 of ours."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_gateway import Fault, create_app
from mock_gateway.faults import FaultError
from tests.hostile import STABILITY, assert_no_bug, send

UNIFIED = "/v1/images/generations"
GOOD = b'{"prompt":"a cat","model":"core"}'


def _post_fault(app: Any, raw: str) -> Any:
    headers = {"content-type": "application/json"}
    return send(app, "POST", "/_mock/faults", content=raw.encode(), headers=headers)


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ('"fault":"fail","status":429,"retry_after":"abc"', "retry_after"),
        ('"fault":"respond","body":123', "body"),
        ('"fault":"respond","content_type":5', "content_type"),
        ('"fault":"respond","content_type":"text/html\\r\\nx-evil: 1"', "content_type"),
        ('"fault":"fail","status":99', "status"),
        ('"fault":"fail","status":1000', "status"),
        ('"fault":"fail","status":-1', "status"),
        ('"fault":"fail","status":429.5', "status"),
        ('"fault":"fail","status":true', "status"),
        ('"fault":"fail"', "status"),
        ('"fault":"respond","status":99', "status"),
        ('"fault":"timeout","hold":1e400', "hold"),
        ('"fault":"timeout","hold":-1', "hold"),
        ('"fault":"timeout","hold":1e300', "hold"),
        ('"fault":"latency","delay":1e400', "delay"),
        ('"fault":"latency","delay":"1"', "delay"),
        ('"fault":"fail","status":429,"retry_after":1e400', "retry_after"),
        ('"fault":"fail","status":429,"retry_after":-2', "retry_after"),
        ('"fault":"nope"', "fault"),
        ('"fault":5', "fault"),
        ('"fault":"drop","times":0', "times"),
        ('"fault":"drop","times":1.5', "times"),
        ('"fault":"drop","times":"2"', "times"),
        ('"fault":"drop","path":5', "path"),
        ('"fault":"drop","provider":["openai"]', "provider"),
        ('"fault":"drop","target":{}', "target"),
        ('"fault":"drop","colour":"red"', "colour"),
    ],
)
def test_a_wrong_field_is_a_400_naming_it_and_nothing_is_queued(fields: str, named: str) -> None:
    app = create_app()
    answer = _post_fault(app, "{" + fields + "}")
    assert_no_bug(app, answer)
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["status"] == "failure" and named in body["message"] and named in body["fields"]
    assert send(app, "GET", "/_mock/faults").json() == {"faults": []}
    good = send(
        app,
        "POST",
        UNIFIED,
        content=GOOD,
        headers={**STABILITY, "content-type": "application/json"},
    )
    assert good.status_code == 200


def test_every_wrong_field_is_named_at_once() -> None:
    app = create_app()
    raw = '{"fault":"fail","status":429.5,"retry_after":"abc","hold":1e400,"times":0,"path":1}'
    answer = _post_fault(app, raw)
    assert answer.status_code == 400
    assert sorted(answer.json()["fields"]) == ["hold", "path", "retry_after", "status", "times"]


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (lambda: Fault("fail", status=429.5), "status"),  # type: ignore[arg-type]
        (lambda: Fault.fail(1000), "status"),
        (lambda: Fault.timeout(hold=float("inf")), "hold"),
        (lambda: Fault.latency(float("nan")), "delay"),
        (lambda: Fault.fail(429, retry_after=float("inf")), "retry_after"),
        (lambda: Fault.respond(200, 123), "body"),  # type: ignore[arg-type]
        (lambda: Fault("respond", content_type=5), "content_type"),  # type: ignore[arg-type]
        (lambda: Fault("bogus"), "fault"),  # type: ignore[arg-type]
    ],
)
def test_fault_in_python_names_the_field(make: Any, named: str) -> None:
    with pytest.raises(FaultError, match=named) as raised:
        make()
    assert named in raised.value.fields


def test_python_names_every_field_at_once() -> None:
    with pytest.raises(FaultError) as raised:
        Fault("fail", status=1000, hold=-1, delay=float("inf"), body=b"x")  # type: ignore[arg-type]
    assert sorted(raised.value.fields) == ["body", "delay", "hold", "status"]


def test_well_formed_faults_are_still_taken() -> None:
    app = create_app()
    for raw in (
        '{"fault":"fail","status":503,"retry_after":2,"times":2,"path":"/v1/"}',
        '{"fault":"respond","status":502,"body":"<h1>no</h1>","content_type":"text/html"}',
        '{"fault":"timeout","hold":0.01}',
        '{"fault":"latency","delay":0,"provider":"openai","target":"config"}',
        '{"fault":"filter"}',
        '{"fault":"drop"}',
    ):
        answer = _post_fault(app, raw)
        assert answer.status_code == 200, (raw, answer.text)
    assert len(send(app, "GET", "/_mock/faults").json()["faults"]) == 6


# The general rule: any value in any field is either refused naming that field, or queued and
# then carried out with no 500 of ours.
VALUES = [
    '"abc"', "123", "5", "99", "200", "429", "503", "1000", "-1", "429.5", "0", "0.01", "1e400",
    "true", "null", "[]", "{}", '"\\ud800"', '""', '"text/plain\\r\\nx: y"', '"' + "x" * 5000 + '"',
    '"image/png"', "9" * 400,
]  # fmt: skip
# The kinds, and their deprecated names (still taken in JSON).
KINDS = ["fail", "latency", "timeout", "drop", "respond", "filter", "status", "malformed"]
FIELDS = ["status", "retry_after", "delay", "body", "content_type", "hold", "times", "path"]


@settings(
    max_examples=250, deadline=None, database=None, derandomize=True,
    suppress_health_check=list(HealthCheck),
)  # fmt: skip
@given(kind=st.sampled_from(KINDS), field=st.sampled_from(FIELDS), value=st.sampled_from(VALUES))
def test_any_value_in_any_field_is_refused_by_name_or_carried_out(
    kind: str, field: str, value: str
) -> None:
    app = create_app()
    with_status = ("fail", "respond", "status", "malformed")
    base = {"fault": kind, "status": 503} if kind in with_status else {"fault": kind}
    base.setdefault("hold", 0.01)  # type: ignore[arg-type]
    raw = json.dumps({**base, field: "@@"}).replace('"@@"', value)
    answer = _post_fault(app, raw)
    assert_no_bug(app, answer)
    if answer.status_code == 400:
        assert field in answer.json()["fields"], (raw, answer.text)
        return
    assert answer.status_code == 200, answer.text
    (queued,) = answer.json()["faults"]
    if max(queued["delay"], queued["hold"]) > 0.05:
        return  # a long wait, as asked: carried out, but not here
    good = send(
        app,
        "POST",
        UNIFIED,
        content=GOOD,
        headers={**STABILITY, "content-type": "application/json"},
    )
    assert_no_bug(app, good)
    assert send(app, "GET", "/_mock/requests").status_code == 200
