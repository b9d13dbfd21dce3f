"""Hosted Portkey's cache (config ``cache``): key, expiry, refresh, namespace, precedence.

Facts: docs-core ``product/ai-gateway/cache-simple-and-semantic.mdx`` and the open-source
gateway's cache code, as cited in ``mock_gateway/gateway/cache.py``; what is assumed is in its
``ASSUMED`` table, and the tests that rest on an assumption say so.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings

from mock_gateway import PortkeyMock, create_app
from mock_gateway import strategies as pst
from mock_gateway.gateway.cache import ASSUMED, MAX_AGE_DEFAULT, MAX_AGE_MAX, plan_cache
from tests.conftest import FIXED_NOW, ClientFactory, MockClient
from tests.edit_inputs import image_bytes

OPENAI = {"provider": "openai", "api_key": "sk-openai-0123456789"}
STABILITY = {"provider": "stability-ai", "api_key": "sk-stability-0123456789"}
BODY = {"model": "gpt-image-1", "prompt": "a lighthouse"}


def cached_config(**cache: Any) -> dict[str, Any]:
    return {**OPENAI, "cache": {"mode": "simple", **cache}}


def generate(
    client: MockClient,
    config: dict[str, Any],
    body: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = {"x-portkey-config": json.dumps(config), **(headers or {})}
    return client.post("/v1/images/generations", headers=sent, json=body or BODY)


def status(response: httpx.Response) -> str:
    return response.headers["x-portkey-cache-status"]


def upstream_calls(client: MockClient) -> int:
    return sum(len(call["upstream"]) for call in client.calls())


def advance(client: MockClient, seconds: float) -> None:
    answer = client.post("/_mock/clock", json={"advance": seconds})
    assert answer.status_code == 200, answer.text


# -- the key: the whole body, x-portkey-metadata, and the headers (or a namespace) ------------


def test_the_same_request_again_is_a_hit_with_the_same_bytes_and_no_upstream_call(
    client: MockClient,
) -> None:
    first = generate(client, cached_config())
    second = generate(client, cached_config())
    assert (first.status_code, status(first)) == (200, "MISS")
    assert (second.status_code, status(second)) == (200, "HIT")
    assert second.content == first.content
    assert second.headers["content-type"] == "application/json"
    assert second.headers["x-portkey-provider"] == "openai"
    assert second.headers["x-portkey-retry-attempt-count"] == "0"
    calls = client.calls()
    assert [len(call["upstream"]) for call in calls] == [1, 0]
    assert [call["cache"] for call in calls] == ["MISS", "HIT"]


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ({**BODY, "prompt": "a lighthouse!"}, {}),  # one character of the prompt
        ({**BODY, "size": "1024x1024"}, {}),  # one more parameter
        ({"prompt": "a lighthouse", "model": "gpt-image-1"}, {}),  # JSON.stringify's key order
        (BODY, {"x-portkey-metadata": '{"user": "u-2"}'}),
        (BODY, {"x-team": "blue"}),  # any other header partitions the cache
    ],
)
def test_anything_else_in_the_key_makes_a_miss(
    client: MockClient, body: dict[str, Any], headers: dict[str, str]
) -> None:
    assert status(generate(client, cached_config())) == "MISS"
    assert status(generate(client, cached_config(), body, headers=headers)) == "MISS"
    assert upstream_calls(client) == 2


def test_the_trace_id_does_not_partition_the_cache(client: MockClient) -> None:
    # ASSUMED (cache.ASSUMED.unpartitioned): a header that changes on every request.
    assert "x-portkey-trace-id" in ASSUMED.unpartitioned
    generate(client, cached_config(), headers={"x-portkey-trace-id": "trace-1"})
    hit = generate(client, cached_config(), headers={"x-portkey-trace-id": "trace-2"})
    assert status(hit) == "HIT" and hit.headers["x-portkey-trace-id"] == "trace-2"


# -- the namespace: it alone partitions the cache ----------------------------------------------


def test_a_namespace_partitions_the_cache_instead_of_the_headers(client: MockClient) -> None:
    ns = "x-portkey-cache-namespace"
    assert (
        status(generate(client, cached_config(), headers={ns: "user-1", "x-team": "a"})) == "MISS"
    )
    # Other headers, same namespace: a hit. Another namespace: a miss.
    assert status(generate(client, cached_config(), headers={ns: "user-1", "x-team": "b"})) == "HIT"
    assert (
        status(generate(client, cached_config(), headers={ns: "user-2", "x-team": "a"})) == "MISS"
    )
    # Without a namespace the headers partition: x-team a and b are two entries.
    assert status(generate(client, cached_config(), headers={"x-team": "a"})) == "MISS"
    assert status(generate(client, cached_config(), headers={"x-team": "b"})) == "MISS"
    assert status(generate(client, cached_config(), headers={"x-team": "a"})) == "HIT"
    assert upstream_calls(client) == 4


# -- expiry: max_age in seconds, on the mock's clock --------------------------------------------


def test_max_age_expires_an_entry_on_the_mocks_clock(client: MockClient) -> None:
    assert status(generate(client, cached_config(max_age=60))) == "MISS"
    advance(client, 59)
    assert status(generate(client, cached_config(max_age=60))) == "HIT"
    advance(client, 1)
    assert status(generate(client, cached_config(max_age=60))) == "MISS"
    assert upstream_calls(client) == 2


def test_the_default_max_age_is_seven_days(client: MockClient) -> None:
    assert MAX_AGE_DEFAULT == 7 * 24 * 3600  # docs: "Default 7 days (604,800 seconds)"
    generate(client, cached_config())
    advance(client, MAX_AGE_DEFAULT - 1)
    assert status(generate(client, cached_config())) == "HIT"
    advance(client, 1)
    assert status(generate(client, cached_config())) == "MISS"


@pytest.mark.parametrize(("max_age", "lives"), [(10, 60), (0.5, 60), (10**9, None)])
def test_max_age_is_bounded(client: MockClient, max_age: float, lives: int | None) -> None:
    # ASSUMED (cache.ASSUMED.clamp_max_age): below the documented minimum (60 s) or above the
    # maximum (90 days) max_age is clamped, not refused. 0.5 is parseInt'ed to 0, then clamped.
    lives = MAX_AGE_MAX if lives is None else lives
    generate(client, cached_config(max_age=max_age))
    advance(client, lives - 1)
    assert status(generate(client, cached_config(max_age=max_age))) == "HIT"
    advance(client, 1)
    assert status(generate(client, cached_config(max_age=max_age))) == "MISS"


def test_reset_empties_the_cache_and_puts_the_clock_back(client: MockClient) -> None:
    generate(client, cached_config())
    advance(client, 30)
    assert client.get("/_mock/cache").json()["entries"][0]["provider"] == "openai"
    client.post("/_mock/reset", headers={"content-type": "application/json"})
    assert client.get("/_mock/clock").json()["offset"] == 0
    assert client.get("/_mock/cache").json() == {"entries": []}
    assert status(generate(client, cached_config())) == "MISS"


def test_the_clock_only_moves_forward(client: MockClient) -> None:
    for bad in (b'{"advance": -1}', b'{"advance": "60"}', b"[60]", b'{"advance": 1e400}',
                b'{"advance": ' + b"9" * 400 + b"}", b'{"advance": 1e300}'):  # fmt: skip
        answer = client.post(
            "/_mock/clock", content=bad, headers={"content-type": "application/json"}
        )
        assert answer.status_code == 400, bad
        assert "advance" in answer.json()["message"] or "forward" in answer.json()["message"]


# -- force refresh ------------------------------------------------------------------------------


def test_force_refresh_calls_the_provider_and_stores_the_fresh_answer(
    client: MockClient,
) -> None:
    first = generate(client, cached_config())
    advance(client, 5)  # the fresh answer differs: `created` is the mock's time
    refreshed = generate(client, cached_config(), headers={"x-portkey-cache-force-refresh": "true"})
    assert status(refreshed) == "REFRESH" and upstream_calls(client) == 2
    assert refreshed.json()["created"] == first.json()["created"] + 5
    hit = generate(client, cached_config())
    assert status(hit) == "HIT" and hit.content == refreshed.content
    assert upstream_calls(client) == 2


def test_force_refresh_without_a_cache_config_is_disabled(client: MockClient) -> None:
    response = generate(client, OPENAI, headers={"x-portkey-cache-force-refresh": "true"})
    assert status(response) == "DISABLED"


# -- per-target cache: the target's own object wins over the top level ---------------------------


def precedence_config() -> dict[str, Any]:
    return {
        "cache": {"mode": "simple"},  # 7 days
        "strategy": {"mode": "fallback"},
        "targets": [
            {**OPENAI, "cache": {"mode": "simple", "max_age": 60}},
            {**OPENAI, "override_params": {"model": "gpt-image-1-mini"}},
        ],
    }


def test_a_targets_own_cache_takes_precedence_over_the_top_level(
    client: MockClient,
) -> None:
    assert status(generate(client, precedence_config())) == "MISS"
    advance(client, 120)  # past the target's 60 s, well within the top level's 7 days
    answer = generate(client, precedence_config())
    assert status(answer) == "MISS" and answer.headers["x-portkey-last-used-option-index"] == (
        "config.targets[0]"
    )


def fail_target_0(client: MockClient) -> None:
    fault = {"fault": "fail", "status": 500, "target": "config.targets[0]"}
    assert client.post("/_mock/faults", json=fault).status_code == 200


def test_a_target_without_its_own_cache_inherits_the_top_level(client: MockClient) -> None:
    fail_target_0(client)
    first = generate(client, precedence_config())
    assert first.headers["x-portkey-last-used-option-index"] == "config.targets[1]"
    assert status(first) == "MISS"
    advance(client, 120)
    fail_target_0(client)
    second = generate(client, precedence_config())
    # Target 0 failed again (an error is never stored); target 1 answered from the cache.
    assert status(second) == "HIT"
    assert second.headers["x-portkey-last-used-option-index"] == "config.targets[1]"
    assert second.content == first.content
    assert [len(call["upstream"]) for call in client.calls()] == [2, 1]


def test_only_a_target_with_a_cache_caches(client: MockClient) -> None:
    config = {"strategy": {"mode": "single"}, "targets": [{**OPENAI, "cache": {"mode": "simple"}}]}
    assert [status(generate(client, config)) for _ in range(2)] == ["MISS", "HIT"]
    assert status(generate(client, {"strategy": {"mode": "single"}, "targets": [OPENAI]})) == (
        "DISABLED"
    )


# -- when the cache stays out ------------------------------------------------------------------


def test_errors_are_not_stored(client: MockClient) -> None:
    # ASSUMED (cache.ASSUMED.stored_statuses): only a 2xx answer is stored.
    refused = generate(client, cached_config(), {**BODY, "response_format": "url"})
    assert (refused.status_code, status(refused)) == (400, "MISS")
    again = generate(client, cached_config(), {**BODY, "response_format": "url"})
    assert (again.status_code, status(again)) == (400, "MISS") and upstream_calls(client) == 2


def test_debug_false_turns_the_cache_off(client: MockClient) -> None:
    # Docs: "Caching won't work if `x-portkey-debug: "false"` header is included."
    for _ in range(2):
        assert status(generate(client, cached_config(), headers={"x-portkey-debug": "false"})) == (
            "DISABLED"
        )
    assert upstream_calls(client) == 2


@pytest.mark.parametrize("profile", ["oss", "oss-npm"])
def test_the_open_source_gateway_has_no_cache(make_client: ClientFactory, profile: str) -> None:
    client = make_client(profile=profile)
    assert [status(generate(client, cached_config())) for _ in range(2)] == ["DISABLED"] * 2
    assert upstream_calls(client) == 2


def test_image_edits_are_never_cached(client: MockClient) -> None:
    # Source: CacheService.isEndpointCacheable leaves out imageEdit: the same edit twice, with
    # a cache config, reaches OpenAI twice and is never a HIT (nor a MISS that stores).
    plan = plan_cache(
        enabled=True,
        endpoint="imageEdit",
        config={"mode": "simple"},
        headers={},
        provider="openai",
        body={"prompt": "a lighthouse"},
    )
    assert plan.status == "DISABLED"
    answers = [
        client.post(
            "/v1/images/edits",
            headers={"x-portkey-config": json.dumps(cached_config())},
            files={"image": ("a.png", image_bytes(), "image/png")},
            data={"prompt": "a lighthouse", "model": "gpt-image-1"},
        )
        for _ in range(2)
    ]
    assert [answer.status_code for answer in answers] == [200, 200]
    assert [status(answer) for answer in answers] == ["DISABLED", "DISABLED"]
    assert upstream_calls(client) == 2
    assert client.get("/_mock/cache").json()["entries"] == []


def test_semantic_mode_on_an_image_route_is_an_exact_match(client: MockClient) -> None:
    # ASSUMED (cache.ASSUMED.semantic_mode): semantic is documented for chat and completions
    # only, as a superset of the simple cache; an image request is matched exactly.
    config = {**OPENAI, "cache": {"mode": "semantic"}}
    assert [status(generate(client, config)) for _ in range(2)] == ["MISS", "HIT"]
    assert status(generate(client, config, {**BODY, "prompt": "a light house"})) == "MISS"


def test_the_inspector_shows_a_hit(client: MockClient) -> None:
    generate(client, cached_config())
    generate(client, cached_config())
    page = client.get("/_mock/").text
    assert "cache HIT" in page and "answered from the cache" in page


def test_the_cache_can_be_emptied_over_http(client: MockClient) -> None:
    generate(client, cached_config())
    (entry,) = client.get("/_mock/cache").json()["entries"]
    assert entry["expires_at"] - entry["stored_at"] == MAX_AGE_DEFAULT
    deleted = client.request("DELETE", "/_mock/cache", headers={"content-type": "application/json"})
    assert deleted.json() == {"entries": []}
    assert status(generate(client, cached_config())) == "MISS"


def test_a_fault_header_is_never_answered_from_the_cache(client: MockClient) -> None:
    assert status(generate(client, cached_config())) == "MISS"
    faulted = generate(client, cached_config(), headers={"x-mock-status": "503"})
    assert (faulted.status_code, status(faulted)) == (503, "MISS")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=pst.image_requests())
def test_any_valid_request_sent_twice_is_answered_once(request: pst.ImageRequest) -> None:
    client = MockClient(PortkeyMock(create_app(clock=lambda: FIXED_NOW)))
    headers = {**request.headers, "x-portkey-config": json.dumps({"cache": {"mode": "simple"}})}
    answers = [
        client.post(request.path, headers=headers, content=request.content) for _ in range(2)
    ]
    assert [(a.status_code, status(a)) for a in answers] == [(200, "MISS"), (200, "HIT")]
    assert answers[1].content == answers[0].content
    # The journal itself: a page of /_mock/calls holds at most 4 MiB (four Imagen JPEGs fill it).
    journal = client.mock.state.journal.calls()
    assert [len(call.attempts) for call in journal] == [1, 0]
