"""No 500 from a client's input, ever (issue 15): each case the issue lists gets the answer the
real system gives, or a clear 4xx; a sweep puts such values in every field of every route."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_gateway import create_app
from tests.hostile import OPENAI, STABILITY, assert_no_bug, send

UNIFIED = "/v1/images/generations"
V1 = "/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image"
V2 = "/v1/v2beta/stable-image/generate/core"
PROXY_V1 = "/v1/proxy/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image"
SURROGATE = '"a \\ud800 b"'  # a JSON string holding a lone surrogate, as a client may send


def _post(app: Any, path: str, raw: str | bytes, headers: dict[str, Any]) -> Any:
    body = raw.encode() if isinstance(raw, str) else raw
    headers = {"content-type": "application/json", **headers}
    response = send(app, "POST", path, content=body, headers=headers)
    assert_no_bug(app, response)
    return response


def _unified(model: str, extra: str = "") -> str:
    return '{"prompt":"a cat","model":"' + model + '"' + extra + "}"


def test_a_huge_number_in_a_stability_size_is_javascripts_infinity() -> None:
    # parseInt("999...9") is Infinity, which JSON.stringify writes as null: Stability refuses.
    app = create_app()
    size = "9" * 5000 + "x512"
    answer = _post(app, UNIFIED, _unified(V1.split("/")[3], f',"size":"{size}"'), STABILITY)
    assert answer.status_code == 400
    assert answer.json()["provider"] == "stability-ai"
    (attempt,) = app.state.mock.journal.calls()[-1].attempts
    assert attempt.json["width"] is None and attempt.json["height"] == 512


def test_a_huge_custom_size_is_openais_invalid_size() -> None:
    app = create_app()
    answer = _post(app, UNIFIED, _unified("gpt-image-2", ',"size":"16x' + "1" * 5000 + '"'), OPENAI)
    assert answer.status_code == 400
    assert "size" in answer.json()["error"]["message"]


@pytest.mark.parametrize("value", ["4" * 5000, "²".encode(), "0429", "-1", "42.5", ""])
def test_x_mock_status_of_any_shape_is_a_clear_400(value: str | bytes) -> None:
    app = create_app()
    answer = _post(app, UNIFIED, _unified("core"), {**STABILITY, "x-mock-status": value})
    assert answer.status_code == 400
    message = answer.json()["message"]
    assert "x-mock-status" in message and len(message) < 200


@pytest.mark.parametrize("attempts", ["1e400", "9" * 400, "-1e400"])
def test_retry_attempts_past_a_double_are_infinity_and_capped_by_hosted(attempts: str) -> None:
    app = create_app(time_scale=0.0)
    config = '{"provider":"stability-ai","api_key":"sk-0123456789","retry":{"attempts":%s}}'
    headers = {"x-portkey-config": config % attempts, "x-mock-status": "503"}
    answer = _post(app, UNIFIED, _unified("core"), headers)
    assert answer.status_code == 503
    calls = len(app.state.mock.journal.calls()[-1].attempts)
    assert calls == (1 if attempts.startswith("-") else 6)  # hosted: at most 5 retries


@pytest.mark.parametrize(
    ("metadata", "chosen"),
    [("9" * 400, "openai"), ("-" + "9" * 400, "stability-ai"), ("1e400", "openai")],
)
def test_metadata_numbers_past_a_double_compare_as_infinity(metadata: str, chosen: str) -> None:
    app = create_app()
    config = {
        "strategy": {
            "mode": "conditional",
            "conditions": [{"query": {"metadata.n": {"$gt": 5}}, "then": "big"}],
            "default": "small",
        },
        "targets": [
            {"name": "big", "provider": "openai", "api_key": "sk-openai-0123456789"},
            {"name": "small", "provider": "stability-ai", "api_key": "sk-stab-0123456789"},
        ],
    }
    headers = {
        "x-portkey-config": json.dumps(config),
        "x-portkey-metadata": '{"n":' + metadata + "}",
    }
    answer = _post(app, UNIFIED, _unified("gpt-image-1" if chosen == "openai" else "core"), headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-portkey-provider"] == chosen


@pytest.mark.parametrize("sig", ["%C3%A9", "%ED%A0%80", "%FF", "\u00e9"])
def test_a_blob_signature_of_any_bytes_is_azures_403(sig: str) -> None:
    app = create_app()
    answer = send(app, "GET", f"/_mock/openai-blobs/x?sig={sig}&st=a&se=b")
    assert_no_bug(app, answer)
    assert answer.status_code == 403 and "AuthenticationFailed" in answer.text


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ([1], "Cannot convert undefined or null to object"),
        ("abc", "Cannot convert undefined or null to object"),
        ({}, "this.config.strategy.conditions is not iterable"),
        (5, "this.config.strategy.conditions is not iterable"),
        ([None], "Cannot read properties of null (reading 'query')"),
        ([{"then": "a"}], "Cannot convert undefined or null to object"),
        ("", "No conditions passed in the query router"),
        (0, "No conditions passed in the query router"),
    ],
)
def test_unvalidated_conditions_fail_as_the_javascript_router_does(
    conditions: Any, message: str
) -> None:
    # /v1/proxy/* skips the config validator; the router's throw becomes a RouterError (400).
    app = create_app()
    config = {
        "strategy": {"mode": "conditional", "conditions": conditions, "default": "a"},
        "targets": [{"name": "a", "provider": "stability-ai", "api_key": "sk-0123456789"}],
    }
    body = '{"text_prompts":[{"text":"a cat"}]}'
    answer = _post(app, PROXY_V1, body, {"x-portkey-config": json.dumps(config)})
    assert answer.status_code == 400
    assert answer.json() == {"status": "failure", "message": message}


def test_a_string_or_number_query_is_walked_as_object_entries() -> None:
    # Object.entries(5) is empty, so the condition matches; "ab" has entries "0" and "1".
    app = create_app()
    config = {
        "strategy": {
            "mode": "conditional",
            "conditions": [{"query": "ab", "then": "x"}, {"query": 5, "then": "a"}],
        },
        "targets": [{"name": "a", "provider": "stability-ai", "api_key": "sk-0123456789"}],
    }
    body = '{"text_prompts":[{"text":"a cat"}],"height":1024,"width":1024}'
    answer = _post(app, PROXY_V1, body, {"x-portkey-config": json.dumps(config)})
    assert answer.status_code == 200, answer.text


# Every provider route, with a lone surrogate in its prompt: (path, headers, body, how the
# upstream request carries it). JSON.stringify writes the escape back; FormData makes U+FFFD.
SURROGATE_ROUTES = [
    (UNIFIED, STABILITY, _unified("core").replace('"a cat"', SURROGATE), "form"),
    (UNIFIED, STABILITY, _unified("stable-diffusion-v1-6").replace('"a cat"', SURROGATE), "json"),
    (UNIFIED, OPENAI, _unified("dall-e-2").replace('"a cat"', SURROGATE), "json"),
    (UNIFIED, OPENAI, _unified("dall-e-3").replace('"a cat"', SURROGATE), "json"),
    (UNIFIED, OPENAI, _unified("gpt-image-1").replace('"a cat"', SURROGATE), "json"),
    (
        V1,
        STABILITY,
        '{"text_prompts":[{"text":' + SURROGATE + '}],"height":1024,"width":1024}',
        "json",
    ),
    (PROXY_V1, STABILITY, '{"text_prompts":[{"text":' + SURROGATE + "}]}", "json"),
]


@pytest.mark.parametrize(("path", "headers", "body", "carried"), SURROGATE_ROUTES)
def test_a_lone_surrogate_in_a_prompt_reaches_the_provider(
    path: str, headers: dict[str, str], body: str, carried: str
) -> None:
    app = create_app()
    answer = _post(app, path, body, headers)
    assert answer.status_code < 500, answer.text
    sent = app.state.mock.journal.calls()[-1].attempts[-1].request.body
    if carried == "json":
        assert b"\\ud800" in sent  # the JSON escape, lower-case, as JSON.stringify writes it
    else:
        assert "a \ufffd b".encode() in sent


@pytest.mark.parametrize(
    ("path", "headers", "body"),
    [
        ("/v1/images/generations", {}, _unified("dall-e-3").replace('"a cat"', SURROGATE)),
        (V1.removeprefix("/v1"), {}, '{"text_prompts":[{"text":' + SURROGATE + "}]}"),
        ("/v2beta/stable-image/generate/core", {}, '{"prompt":' + SURROGATE + "}"),
    ],
)
def test_a_lone_surrogate_on_the_upstream_role(
    path: str, headers: dict[str, str], body: str
) -> None:
    app = create_app(role="upstream")
    auth = {"authorization": "Bearer sk-0123456789", "content-type": "application/json"}
    answer = _post(app, path, body, {**auth, **headers})
    assert answer.status_code < 500, answer.text
    assert send(app, "GET", "/_mock/requests").status_code == 200


# The sweep: values JSON and JavaScript read differently from Python, in every field.
HOSTILE = [
    "1e400", "-1e400", "9" * 400, "9" * 5000, "-" + "9" * 5000, "1e-400", "0.1e999999",
    SURROGATE, '"\\udfff"', '"\\ud800\\ud800"', '"' + "9" * 5000 + 'x512"',
    '"16x' + "1" * 5000 + '"', '"0x' + "f" * 400 + 'x512"', "[" * 500 + "]" * 500,
    "[1]", '"abc"', "{}", "null", "true", "-1", "0.5", '""', '{"$gt":1e400}',
    '{"query":null}', '[{"query":"x","then":1e400}]',
]  # fmt: skip
UNIFIED_FIELDS = ["prompt", "model", "size", "n", "quality", "response_format", "style",
                  "seed", "steps", "cfg_scale", "user", "background", "output_format"]  # fmt: skip
V1_FIELDS = ["text_prompts", "height", "width", "samples", "seed", "steps", "cfg_scale"]
CONFIG_FIELDS = ["retry", "request_timeout", "strategy", "targets", "weight", "override_params",
                 "provider", "api_key", "cache"]  # fmt: skip
HEADERS = ["x-mock-status", "x-mock-delay", "x-mock-retry-after", "x-mock-fault",
           "x-portkey-metadata", "x-portkey-provider", "x-portkey-retry-count",
           "x-portkey-request-timeout"]  # fmt: skip
HEADER_VALUES = [
    "4" * 5000,
    "1e400",
    "nan",
    "-1",
    "inf",
    "9" * 400,
    "\u00e9".encode(),
    '{"n":1e400}',
]


def _body(template: str, field: str, atom: str) -> str:
    data = json.loads(template)
    data[field] = "@@ATOM@@"
    return json.dumps(data).replace('"@@ATOM@@"', atom)


_GATEWAY = create_app(time_scale=0.0)
_HOSTED = create_app(time_scale=0.0, profile="oss")
_UPSTREAM = create_app(role="upstream")

# (app, path, headers, body template, fields)
TARGETS: list[tuple[Any, str, dict[str, str], str, list[str]]] = [
    (_GATEWAY, UNIFIED, STABILITY, _unified("core"), UNIFIED_FIELDS),
    (_GATEWAY, UNIFIED, STABILITY, _unified("stable-diffusion-v1-6"), UNIFIED_FIELDS),
    (_GATEWAY, UNIFIED, OPENAI, _unified("dall-e-3"), UNIFIED_FIELDS),
    (_GATEWAY, UNIFIED, OPENAI, _unified("gpt-image-2"), UNIFIED_FIELDS),
    (_HOSTED, UNIFIED, OPENAI, _unified("dall-e-2"), UNIFIED_FIELDS),
    (_GATEWAY, V1, STABILITY, '{"text_prompts":[{"text":"a"}]}', V1_FIELDS),
    (_GATEWAY, PROXY_V1, STABILITY, '{"text_prompts":[{"text":"a"}]}', V1_FIELDS),
    (_UPSTREAM, V1.removeprefix("/v1"), {}, '{"text_prompts":[{"text":"a"}]}', V1_FIELDS),
    (_UPSTREAM, UNIFIED, {}, _unified("dall-e-3"), UNIFIED_FIELDS),
]


@settings(
    max_examples=300, deadline=None, database=None, derandomize=True,
    suppress_health_check=list(HealthCheck),
)  # fmt: skip
@given(
    target=st.sampled_from(TARGETS),
    where=st.sampled_from(["body", "config", "header"]),
    field_index=st.integers(0, 100),
    atom=st.sampled_from(HOSTILE),
    header_value=st.sampled_from(HEADER_VALUES),
)
def test_hostile_values_in_any_field_of_any_route_get_no_500_of_ours(
    target: Any, where: str, field_index: int, atom: str, header_value: str
) -> None:
    app, path, headers, template, fields = target
    headers = {**headers, "content-type": "application/json"}
    body = template
    if where == "body":
        body = _body(template, fields[field_index % len(fields)], atom)
    elif where == "config":
        field = CONFIG_FIELDS[field_index % len(CONFIG_FIELDS)]
        config = _body('{"provider":"stability-ai","api_key":"sk-0123456789"}', field, atom)
        headers["x-portkey-config"] = config
    else:
        headers[HEADERS[field_index % len(HEADERS)]] = header_value
    answer = send(app, "POST", path, content=body.encode(), headers=headers)
    assert_no_bug(app, answer)
    assert not (answer.status_code == 500 and answer.text == "Internal Server Error"), path
    assert send(app, "GET", "/_mock/requests").status_code == 200
