"""Config routing, case by case as measured in portkey-gateway-behavior.md §5."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from mock_gateway import Fault, PortkeyMock, create_app
from tests.conftest import FIXED_NOW, PORTKEY_KEY
from tests.constants import SDXL_BODY

SDXL = SDXL_BODY
STAB = {"provider": "stability-ai", "api_key": "sk-stab"}
OAI = {"provider": "openai", "api_key": "sk-oai"}

MockFactory = Callable[..., PortkeyMock]


@pytest.fixture
def make_mock() -> MockFactory:
    """A ``PortkeyMock`` for ``create_app(**options)``, with a fixed clock by default."""

    def make(**options: Any) -> PortkeyMock:
        options.setdefault("clock", lambda: FIXED_NOW)
        return PortkeyMock(create_app(**options))

    return make


@pytest.fixture
def mock(make_mock: MockFactory) -> PortkeyMock:
    return make_mock()


@pytest.fixture
def fast(make_mock: MockFactory) -> PortkeyMock:
    return make_mock(time_scale=0.001)


def send(mock: PortkeyMock, path: str, **kwargs: Any) -> httpx.Response:
    """POST ``path`` to the mock in-process, with a Portkey API key (hosted needs one)."""
    headers = {"x-portkey-api-key": PORTKEY_KEY, **kwargs.pop("headers", {})}
    with httpx.Client(transport=mock.transport(), base_url=mock.url) as http:
        return http.post(path, headers=headers, **kwargs)


def post(
    mock: PortkeyMock,
    config: dict[str, Any],
    body: dict[str, Any] | None = None,
    **headers: str,
) -> httpx.Response:
    """The unified route with this config."""
    return send(
        mock,
        "/v1/images/generations",
        headers={"x-portkey-config": json.dumps(config), **headers},
        json=body or SDXL,
    )


def attempts(mock: PortkeyMock) -> list[dict[str, Any]]:
    """The last call's upstream attempts, as ``GET /_mock/requests`` shows them."""
    return [attempt.to_json() for attempt in mock.calls.last.upstream]


def portkey(response: Any) -> tuple[str, str, str]:
    h = response.headers
    return (
        h["x-portkey-provider"],
        h["x-portkey-last-used-option-index"],
        h["x-portkey-retry-attempt-count"],
    )


# -- retry ---------------------------------------------------------------------------------


def test_retry_succeeds_on_the_third_call_with_1s_and_2s_backoff(fast: PortkeyMock) -> None:
    fast.queue(Fault.fail(503), times=2)
    response = post(fast, {**STAB, "retry": {"attempts": 3}})
    assert response.status_code == 200
    assert portkey(response) == ("stability-ai", "config", "2")
    times = [round(a["at_ms"], -2) for a in attempts(fast)]
    assert (
        len(times) == 3 and times[1] == 1000 and times[2] == 3000
    )  # MEASURED: t=0, +1.01 s, +3.01 s


def test_retries_exhausted_give_the_last_error_and_minus_one(fast: PortkeyMock) -> None:
    fast.queue(Fault.fail(503), times=10)
    response = post(fast, {**STAB, "retry": {"attempts": 2}})
    assert response.status_code == 503
    assert response.json()["error"]["message"].startswith("stability-ai error: ")
    assert portkey(response)[2] == "-1"
    assert len(attempts(fast)) == 3


def test_no_retry_config_means_one_call(fast: PortkeyMock) -> None:
    fast.queue(Fault.fail(500))
    response = post(fast, STAB)
    assert (response.status_code, portkey(response)[2], len(attempts(fast))) == (500, "0", 1)


def test_a_status_not_listed_is_not_retried(fast: PortkeyMock) -> None:
    fast.queue(Fault.fail(500))
    response = post(fast, {**STAB, "retry": {"attempts": 3, "on_status_codes": [400]}})
    assert (response.status_code, portkey(response)[2], len(attempts(fast))) == (500, "0", 1)


def test_a_listed_status_is_retried_and_exhausts(fast: PortkeyMock) -> None:
    response = post(
        fast,
        {**STAB, "retry": {"attempts": 1, "on_status_codes": [400]}},
        {**SDXL, "size": "512x512"},
    )
    assert (response.status_code, portkey(response)[2], len(attempts(fast))) == (400, "-1", 2)


def test_network_failures_are_retried_whatever_the_codes(fast: PortkeyMock) -> None:
    fast.queue(Fault.drop())
    response = post(fast, {**STAB, "retry": {"attempts": 1, "on_status_codes": [418]}})
    assert (response.status_code, len(attempts(fast))) == (200, 2)


@pytest.mark.parametrize(("profile", "calls"), [("hosted", 6), ("oss", 8)])
def test_hosted_caps_attempts_at_five(make_mock: MockFactory, profile: str, calls: int) -> None:
    mock = make_mock(profile=profile, time_scale=0.0001)
    mock.queue(Fault.fail(503), times=20)
    post(mock, {**STAB, "retry": {"attempts": 7}})
    assert len(attempts(mock)) == calls


@pytest.mark.parametrize(("profile", "calls"), [("hosted", 2), ("oss", 1)])
def test_529_is_a_default_retry_code_only_on_hosted(
    make_mock: MockFactory, profile: str, calls: int
) -> None:
    mock = make_mock(profile=profile, time_scale=0.001)
    mock.queue(Fault.fail(529))
    post(mock, {**STAB, "retry": {"attempts": 1}})
    assert len(attempts(mock)) == calls


def test_hosted_honours_retry_after_headers(fast: PortkeyMock) -> None:
    fast.queue(Fault.fail(429, retry_after=2))
    response = post(fast, {**STAB, "retry": {"attempts": 2, "use_retry_after_headers": True}})
    assert response.status_code == 200
    assert round(attempts(fast)[1]["at_ms"], -2) == 2000  # waited retry-after, not the 1 s backoff


def test_retry_after_longer_than_a_minute_skips_the_retries(fast: PortkeyMock) -> None:
    fast.queue(Fault.fail(429, retry_after=61), times=3)
    response = post(fast, {**STAB, "retry": {"attempts": 2, "use_retry_after_headers": True}})
    assert (response.status_code, portkey(response)[2], len(attempts(fast))) == (429, "-1", 1)


def test_the_npm_build_breaks_on_retry_after(make_mock: MockFactory) -> None:
    # The last attempt's 429 with retry-after throws (conformance suite, real 1.15.2).
    mock = make_mock(profile="oss-npm", time_scale=0.001)
    mock.queue(Fault.fail(429, retry_after=1), times=2)
    response = post(mock, {**STAB, "retry": {"attempts": 1, "use_retry_after_header": True}})
    assert response.status_code == 500
    assert response.json()["error"]["message"] == (
        'Invalid response received from stability-ai: {"html-message":"Message: Cannot set properties of '
        "undefined (setting '_timeouts') Cause: NA Name: TypeError\"}"
    )
    assert portkey(response)[2] == "-1"


def test_the_npm_build_retries_a_429_on_plain_backoff_while_attempts_remain(
    make_mock: MockFactory,
) -> None:
    # The TypeError counts as an ordinary failure: the 1 s backoff, not retry-after's 3 s.
    mock = make_mock(profile="oss-npm", time_scale=0.001)
    mock.queue(Fault.fail(429, retry_after=3))
    response = post(mock, {**STAB, "retry": {"attempts": 1, "use_retry_after_header": True}})
    assert (response.status_code, portkey(response)[2]) == (200, "1")
    assert round(attempts(mock)[1]["at_ms"], -2) == 1000


def test_retries_work_on_the_proxy_route_too(fast: PortkeyMock) -> None:
    response = send(
        fast,
        "/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image",
        headers={
            "x-portkey-config": json.dumps(
                {**STAB, "retry": {"attempts": 1, "on_status_codes": [400]}}
            )
        },
        json={"text_prompts": []},
    )
    assert (response.status_code, portkey(response)[2], len(attempts(fast))) == (400, "-1", 2)
    assert set(response.json()) == {"id", "name", "message"}  # untouched


# -- fallback ------------------------------------------------------------------------------


def fallback(*targets: dict[str, Any], **strategy: Any) -> dict[str, Any]:
    return {"strategy": {"mode": "fallback", **strategy}, "targets": list(targets)}


def test_f1_a_failing_first_target_falls_back(fast: PortkeyMock) -> None:
    fast.queue(Fault.fail(500), target="config.targets[0]")
    response = post(fast, fallback(STAB, STAB))
    assert response.status_code == 200
    assert portkey(response) == ("stability-ai", "config.targets[1]", "0")
    assert [a["target"] for a in attempts(fast)] == ["config.targets[0]", "config.targets[1]"]


def test_f2_stability_400_falls_back_to_openai_with_its_own_overrides(
    make_mock: MockFactory,
) -> None:
    # Measured with dall-e-3, which OpenAI served until 2026-05-12: the dated profile.
    fast = make_mock(time_scale=0.001, profile="hosted-2025")
    config = fallback(STAB, {**OAI, "override_params": {"model": "dall-e-3"}})
    response = post(
        fast,
        config,
        {
            "model": "stable-diffusion-xl-1024-v1-0",
            "prompt": "a cat",
        },  # SDXL's default 512x512 is a 400
    )
    assert response.status_code == 200
    assert portkey(response)[:2] == ("openai", "config.targets[1]")
    assert "url" in response.json()["data"][0]
    forwarded = attempts(fast)[1]["request"]["body"]["json"]
    assert forwarded == {"prompt": "a cat", "model": "dall-e-3"}  # MEASURED F2


def test_f3_on_status_codes_limits_the_fallback(fast: PortkeyMock) -> None:
    response = post(fast, fallback(STAB, OAI, on_status_codes=[429]), {**SDXL, "size": "512x512"})
    assert (response.status_code, portkey(response)[1], len(attempts(fast))) == (
        400,
        "config.targets[0]",
        1,
    )


def test_f4_when_every_target_fails_the_last_error_comes_back(fast: PortkeyMock) -> None:
    bad_key = {"provider": "openai", "api_key": "sk-invalid-key"}
    response = post(fast, fallback(STAB, bad_key), {**SDXL, "size": "512x512"})
    assert (response.status_code, portkey(response)[:2]) == (401, ("openai", "config.targets[1]"))


def test_parent_retry_is_inherited_per_target(fast: PortkeyMock) -> None:
    fast.queue(Fault.fail(503), target="config.targets[0]", times=5)
    response = post(fast, {**fallback(STAB, STAB), "retry": {"attempts": 1}})
    assert response.status_code == 200
    assert portkey(response)[1:] == ("config.targets[1]", "0")
    assert [a["target"] for a in attempts(fast)] == [
        "config.targets[0]",
        "config.targets[0]",
        "config.targets[1]",
    ]


def test_a_top_level_timeout_is_inherited_and_falls_back(fast: PortkeyMock) -> None:
    fast.queue(Fault.latency(0.3), target="config.targets[0]")
    response = post(fast, {**fallback(STAB, STAB), "request_timeout": 50})
    assert response.status_code == 200
    assert portkey(response)[1] == "config.targets[1]"


def test_a_gateway_exception_stops_the_chain(fast: PortkeyMock) -> None:
    response = post(fast, fallback({"provider": "anthropic", "api_key": "k"}, STAB))
    assert response.status_code == 500
    assert response.json() == {
        "status": "failure",
        "message": "imageGenerate is not supported by anthropic",
    }
    assert attempts(fast) == []


# -- loadbalance, single, nested, conditional ----------------------------------------------


def test_loadbalance_follows_the_weights_and_never_picks_zero(make_mock: MockFactory) -> None:
    def picks(seed: int) -> list[str]:
        mock = make_mock(seed=seed)
        config = {"strategy": {"mode": "loadbalance"},
                  "targets": [{**STAB, "weight": 0.75}, {**STAB, "weight": 0.25}, {**STAB, "weight": 0}]}  # fmt: skip
        return [portkey(post(mock, config))[1] for _ in range(40)]

    first = picks(1)
    assert "config.targets[2]" not in first
    assert 22 <= first.count("config.targets[0]") <= 38  # MEASURED: 35 of 40
    assert picks(1) == first  # the same seed, the same picks
    assert picks(2) != first


def test_loadbalance_default_weight_is_one(fast: PortkeyMock) -> None:
    config = {"strategy": {"mode": "loadbalance"}, "targets": [STAB, {**STAB, "weight": 0}]}
    assert {portkey(post(fast, config))[1] for _ in range(10)} == {"config.targets[0]"}


def test_all_weights_zero_crash_the_gateway(fast: PortkeyMock) -> None:
    config = {"strategy": {"mode": "loadbalance"}, "targets": [{**STAB, "weight": 0}]}
    response = post(fast, config)
    assert response.status_code == 500
    assert (
        response.content
        == b'{"status":"failure","message":"Cannot read properties of undefined (reading \'entries\')"}'
    )


def test_single_uses_the_first_target(fast: PortkeyMock) -> None:
    response = post(fast, {"strategy": {"mode": "single"}, "targets": [STAB, OAI]})
    assert portkey(response)[:2] == ("stability-ai", "config.targets[0]")


def test_nested_targets_report_their_full_path(fast: PortkeyMock) -> None:
    fast.queue(Fault.fail(503), target="config.targets[0].targets[0]")
    inner = fallback(STAB, {**OAI, "override_params": {"model": "gpt-image-1"}})
    response = post(
        fast, {"strategy": {"mode": "single"}, "targets": [inner], "override_params": {"n": 1}}
    )
    assert response.status_code == 200
    assert portkey(response)[:2] == ("openai", "config.targets[0].targets[1]")
    assert attempts(fast)[1]["request"]["body"]["json"]["model"] == "gpt-image-1"


CONDITIONAL: dict[str, Any] = {
    "strategy": {
        "mode": "conditional",
        "conditions": [
            {"query": {"metadata.tier": {"$eq": "pro"}}, "then": "openai-target"},
            {
                "query": {"$or": [{"params.model": "core"}, {"params.n": {"$gt": 3}}]},
                "then": "stability-target",
            },
        ],
        "default": "stability-target",
    },
    "targets": [{**OAI, "name": "openai-target"}, {**STAB, "name": "stability-target"}],
}


@pytest.mark.parametrize(
    ("metadata", "body", "index"),
    [
        ({"tier": "pro"}, SDXL, "config.targets[0]"),
        ({"tier": "free"}, {**SDXL, "n": 4}, "config.targets[1]"),
        ({}, SDXL, "config.targets[1]"),
    ],
)
def test_conditional_routing(
    fast: PortkeyMock, metadata: dict[str, str], body: dict[str, Any], index: str
) -> None:
    response = post(fast, CONDITIONAL, body, **{"x-portkey-metadata": json.dumps(metadata)})
    assert portkey(response)[1] == index


def test_conditional_without_a_match_or_default(fast: PortkeyMock) -> None:
    strategy = {key: value for key, value in CONDITIONAL["strategy"].items() if key != "default"}
    config = {**CONDITIONAL, "strategy": strategy}
    unified = post(fast, config)
    assert (unified.status_code, unified.json()["message"]) == (500, "Something went wrong")
    proxy = send(fast, "/v1/generation/stable-diffusion-v1-6/text-to-image",
                      headers={"x-portkey-config": json.dumps(config)}, json={"text_prompts": [{"text": "x"}]})  # fmt: skip
    assert (proxy.status_code, proxy.json()["message"]) == (
        400,
        "Query router did not resolve to any valid target",
    )


# -- timeouts ------------------------------------------------------------------------------


def test_request_timeout_header_gives_the_gateways_408(fast: PortkeyMock) -> None:
    fast.queue(Fault.latency(0.3))
    response = post(fast, STAB, None, **{"x-portkey-request-timeout": "50"})
    assert response.status_code == 408
    assert (
        response.json()["error"]["message"]
        == "Request exceeded the timeout sent in the request: 50ms"
    )
    assert portkey(response) == ("stability-ai", "config", "0")


def test_408_is_retried_only_when_listed(fast: PortkeyMock) -> None:
    fast.queue(Fault.latency(0.3))
    config = {**STAB, "request_timeout": 50, "retry": {"attempts": 1, "on_status_codes": [408]}}
    response = post(fast, config)
    assert (response.status_code, len(attempts(fast))) == (200, 2)
