"""One name per fault across ``Fault``, ``PortkeyMock``, ``POST /_mock/faults``, the
``x-mock-*`` headers and the scenarios; the earlier names work for one release, deprecated."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from mock_gateway import Fault, PortkeyMock, create_app
from mock_gateway.faults import DEPRECATED_KINDS, FAULT_KINDS
from tests.constants import SDXL_BODY, SDXL_V1_PATH

STABILITY = {"x-portkey-api-key": "pk", "x-portkey-provider": "stability-ai", "authorization": "sk"}
V1_BODY = {"text_prompts": [{"text": "a cat"}]}


def _mock() -> tuple[PortkeyMock, httpx.Client]:
    mock = PortkeyMock(create_app())
    return mock, httpx.Client(transport=mock.transport(), base_url=mock.url)


def test_each_kind_is_a_constructor_and_a_handle_method_of_the_same_name() -> None:
    made = {
        "fail": Fault.fail(429),
        "latency": Fault.latency(0.1),
        "timeout": Fault.timeout(),
        "drop": Fault.drop(),
        "respond": Fault.respond(200, "x"),
        "filter": Fault.filter(),
    }
    assert tuple(made) == FAULT_KINDS
    for kind, fault in made.items():
        assert fault.kind == kind and fault.to_json()["fault"] == kind
        assert callable(getattr(PortkeyMock, f"{kind}_next"))
        assert Fault.from_json(fault.to_json()) == fault  # the JSON form round-trips


@pytest.mark.parametrize("method", [f"{kind}_next" for kind in FAULT_KINDS])
def test_handle_methods_take_explicit_placement_keywords(method: str) -> None:
    parameters = inspect.signature(getattr(PortkeyMock, method)).parameters
    assert {"times", "path", "provider", "target"} <= set(parameters)
    assert all(p.kind is not inspect.Parameter.VAR_KEYWORD for p in parameters.values())


def test_a_misspelt_placement_is_a_type_error() -> None:
    mock, _ = _mock()
    with pytest.raises(TypeError, match="pth"):
        mock.fail_next(503, pth="/v1/images/generations")  # type: ignore[call-arg]
    assert mock.faults == []


def test_respond_answers_this_body() -> None:
    mock, client = _mock()
    mock.respond_next(200, {"hello": "world"}, path=SDXL_V1_PATH)  # a dict: sent as JSON
    mock.respond_next(418, "teapot", "text/plain")
    json_answer = client.post(SDXL_V1_PATH, json=V1_BODY, headers=STABILITY)
    assert json_answer.json() == {"hello": "world"}
    assert json_answer.headers["content-type"] == "application/json"
    text = client.post(SDXL_V1_PATH, json=V1_BODY, headers=STABILITY)
    assert (text.status_code, text.text, text.headers["content-type"]) == (
        418,
        "teapot",
        "text/plain",
    )
    fault = mock.calls[0].upstream[0].fault
    assert fault == Fault.respond(200, '{"hello": "world"}', "application/json")
    mock.assert_faults_used()


def test_respond_over_http_takes_a_json_body() -> None:
    _, client = _mock()
    posted = client.post(
        "/_mock/faults", json={"fault": "respond", "status": 201, "body": {"artifacts": []}}
    )
    (queued,) = posted.json()["faults"]
    assert queued["body"] == '{"artifacts": []}' and queued["content_type"] == "application/json"
    answer = client.post(SDXL_V1_PATH, json=V1_BODY, headers=STABILITY)
    assert answer.status_code == 201 and answer.json() == {"artifacts": []}


# -- the earlier names, for one release ---------------------------------------------------------

OLD_CONSTRUCTORS: list[tuple[Callable[[], Fault], str, Fault]] = [
    (lambda: Fault.error(429, retry_after=2), "Fault.error", Fault.fail(429, retry_after=2)),
    (lambda: Fault.dropped(), "Fault.dropped", Fault.drop()),
    (lambda: Fault.content_filtered(), "Fault.content_filtered", Fault.filter()),
    (lambda: Fault.malformed("x", status=502), "Fault.malformed", Fault.respond(502, "x")),
    (lambda: Fault.malformed(), "Fault.malformed", Fault.respond(200, Fault.body)),
    (lambda: Fault("status", status=503), "Fault\\('status'\\)", Fault.fail(503)),  # type: ignore[arg-type]
    (lambda: Fault("delay", delay=1), "Fault\\('delay'\\)", Fault.latency(1)),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("make", "old", "new"), OLD_CONSTRUCTORS)
def test_old_constructors_warn_and_make_the_new_fault(
    make: Callable[[], Fault], old: str, new: Fault
) -> None:
    with pytest.deprecated_call(match=f"{old}.* is deprecated"):
        made = make()
    assert made == new


def test_old_handle_methods_warn_and_queue_the_new_fault() -> None:
    mock, _ = _mock()
    with pytest.deprecated_call(match="delay_next.*latency_next"):
        mock.delay_next(0.5, provider="openai")
    with pytest.deprecated_call(match="malformed_next.*respond_next"):
        mock.malformed_next("<p>", status=502, times=2)
    assert [(f["fault"], f["times"], f["provider"]) for f in mock.faults] == [
        ("latency", 1, "openai"),
        ("respond", 2, None),
    ]
    assert mock.faults[1]["body"] == "<p>" and mock.faults[1]["status"] == 502


@pytest.mark.parametrize(("old", "new"), sorted(DEPRECATED_KINDS.items()))
def test_old_kinds_in_json_are_taken_and_the_answer_says_they_are_deprecated(
    old: str, new: str
) -> None:
    # No warning inside the server (this suite turns warnings into errors): the answer says it.
    _, client = _mock()
    fields: dict[str, Any] = {"status": 503} if old == "status" else {}
    posted = client.post("/_mock/faults", json={"fault": old, **fields})
    assert posted.status_code == 200, posted.text
    assert posted.json()["faults"][0]["fault"] == new
    assert posted.json()["deprecated"] == [
        f"fault {old!r} is deprecated (goes in the next release): use {new!r}"
    ]
    assert "deprecated" not in client.post("/_mock/faults", json={"fault": new, **fields}).json()


@pytest.mark.parametrize(("old", "new"), [("malformed", "respond"), ("content-filter", "filter")])
def test_old_kinds_in_headers_are_taken_with_a_hint(old: str, new: str) -> None:
    mock, client = _mock()
    answer = client.post(
        "/v1/images/generations", json=SDXL_BODY, headers={**STABILITY, "x-mock-fault": old}
    )
    assert mock.calls.last.upstream[0].fault == Fault(new)  # type: ignore[arg-type]
    assert f"fault {old!r} is deprecated" in answer.headers["x-mock-hint"]


# -- faults left unused ------------------------------------------------------------------------


def test_assert_faults_used_lists_what_was_never_used() -> None:
    mock, client = _mock()
    mock.fail_next(503, path="/v1/images/generations")
    mock.drop_next(provider="openai", times=2)
    mock.queue(Fault.timeout(), required=False)  # e.g. a scenario's later steps
    client.post("/v1/images/generations", json=SDXL_BODY, headers=STABILITY)
    with pytest.raises(AssertionError) as raised:
        mock.assert_faults_used()
    message = str(raised.value)
    assert message.startswith("1 queued fault(s) never used:\n  drop times=2 provider='openai'")
    assert "timeout" not in message and "assert_faults_used=False" in message
    mock.clear_faults()
    mock.assert_faults_used()


def test_deprecation_warnings_point_at_the_callers_line() -> None:
    with pytest.warns(DeprecationWarning) as caught:
        Fault("status", status=503)  # type: ignore[arg-type]
        Fault.error(503)
        PortkeyMock(create_app()).delay_next(0.1)
    assert [warning.filename for warning in caught] == [__file__] * 3
