"""Hosted-only features: API keys, saved configs, virtual keys, @slug providers (§1.5, §7)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mock_gateway import Registry
from tests.conftest import ClientFactory, MockClient
from tests.constants import SDXL_BODY

SDXL = SDXL_BODY
REGISTRY = {
    "api_keys": ["pk-team-1"],
    "virtual_keys": {"vk-stab": {"provider": "stability-ai", "api_key": "sk-from-vk"}},
    "providers": {"@stability-prod": {"provider": "stability-ai", "api_key": "sk-from-slug"}},
    "configs": {"pc-fallback-1": {"strategy": {"mode": "fallback"},
                                  "targets": [{"provider": "stability-ai", "api_key": "sk-c"}]}},
}  # fmt: skip


@pytest.fixture
def hosted(make_client: ClientFactory) -> MockClient:
    return make_client(registry=Registry.from_json(REGISTRY))


def generate(client: MockClient, **headers: Any) -> Any:
    return client.post(
        "/v1/images/generations", headers={"x-portkey-api-key": "pk-team-1", **headers}, json=SDXL
    )


def upstream_key(client: MockClient) -> str:
    return str(dict(client.calls()[-1]["upstream"][0]["request"]["headers"])["authorization"])


@pytest.mark.parametrize("key", [None, "", "pk-someone-else"])
def test_hosted_requires_a_known_portkey_key(hosted: MockClient, key: str | None) -> None:
    response = generate(hosted, **{"x-portkey-api-key": key, "x-portkey-provider": "stability-ai"})
    assert (response.status_code, response.content) == (401, b"")
    assert not [name for name in response.headers if name.startswith("x-portkey-")]


def test_without_a_key_list_any_key_is_accepted(make_client: ClientFactory) -> None:
    response = make_client().post(
        "/v1/images/generations",
        headers={
            "x-portkey-api-key": "pk-anything",
            "x-portkey-provider": "stability-ai",
            "authorization": "sk",
        },
        json=SDXL,
    )
    assert response.status_code == 200


def test_a_saved_config_id(hosted: MockClient) -> None:
    response = generate(hosted, **{"x-portkey-config": "pc-fallback-1"})
    assert response.status_code == 200
    assert response.headers["x-portkey-last-used-option-index"] == "config.targets[0]"
    assert upstream_key(hosted) == "Bearer ****"  # the config's key, redacted in the journal
    # The journal keeps what the client sent, the id, not the config it stands for.
    assert dict(hosted.calls()[-1]["request"]["headers"])["x-portkey-config"] == "pc-fallback-1"


def test_a_virtual_key(hosted: MockClient) -> None:
    response = generate(hosted, **{"x-portkey-virtual-key": "vk-stab"})
    assert response.status_code == 200
    assert upstream_key(hosted) == "Bearer sk-f...m-vk"


def test_a_provider_slug(hosted: MockClient) -> None:
    response = generate(hosted, **{"x-portkey-provider": "@stability-prod"})
    assert response.status_code == 200
    assert response.headers["x-portkey-provider"] == "stability-ai"
    assert upstream_key(hosted) == "Bearer sk-f...slug"


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        ("x-portkey-config", "pc-nope", "Invalid config id passed: pc-nope"),
        ("x-portkey-virtual-key", "vk-nope", "Invalid virtual key passed: vk-nope"),
        ("x-portkey-provider", "@nope", "Invalid provider passed: @nope"),
    ],
)
def test_unknown_records(hosted: MockClient, header: str, value: str, message: str) -> None:
    response = generate(hosted, **{header: value})
    assert (response.status_code, response.json()) == (
        400,
        {"status": "failure", "message": message},
    )


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (
            {"x-portkey-config": "pc-fallback-1"},
            "Invalid config passed. You need to pass a valid json",
        ),
        (
            {"x-portkey-virtual-key": "vk-stab"},
            "Either x-portkey-config or x-portkey-provider header is required",
        ),
        ({"x-portkey-provider": "@stability-prod"}, "Invalid provider passed"),
    ],
)
def test_oss_rejects_them_as_the_open_source_gateway_does(
    make_client: ClientFactory, headers: dict[str, str], message: str
) -> None:
    client = make_client(profile="oss", registry=Registry.from_json(REGISTRY))
    response = client.post(
        "/v1/images/generations", headers={"x-portkey-api-key": None, **headers}, json=SDXL
    )
    assert (response.status_code, response.json()) == (
        400,
        {"status": "failure", "message": message},
    )


def test_oss_needs_no_portkey_key(make_client: ClientFactory) -> None:
    client = make_client(profile="oss")
    response = client.post(
        "/v1/images/generations",
        headers={
            "x-portkey-api-key": None,
            "x-portkey-provider": "stability-ai",
            "authorization": "sk",
        },
        json=SDXL,
    )
    assert response.status_code == 200


def test_the_registry_over_http(make_client: ClientFactory) -> None:
    client = make_client()
    assert (
        client.post(
            "/_mock/registry",
            content=json.dumps(
                {"virtual_keys": {"vk-1": {"provider": "openai", "api_key": "sk-o"}}}
            ),
            headers={"content-type": "application/json"},
        ).status_code
        == 200
    )
    assert client.get("/_mock/registry").json()["virtual_keys"] == {
        "vk-1": {"provider": "openai", "api_key": "****"}  # shortened, as keys are everywhere
    }
    bad = client.post(
        "/_mock/registry",
        content=json.dumps({"virtual_keys": {"vk-2": {"api_key": "x"}}}),
        headers={"content-type": "application/json"},
    )
    assert bad.status_code == 400 and "provider" in bad.json()["message"]
    response = client.post(
        "/v1/images/generations",
        headers={"x-portkey-virtual-key": "vk-1"},
        json={"prompt": "x", "model": "gpt-image-1"},
    )
    assert response.status_code == 200 and response.headers["x-portkey-provider"] == "openai"


def test_registry_file(tmp_path: Any) -> None:
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(REGISTRY))
    assert Registry.from_file(path).to_json()["api_keys"] == ["pk-team-1"]
    path.write_text("[]")
    with pytest.raises(ValueError, match="JSON object"):
        Registry.from_file(path)


def test_config_targets_name_virtual_keys_and_slugs(hosted: MockClient) -> None:
    config = {
        "strategy": {"mode": "fallback"},
        "targets": [{"virtual_key": "vk-stab"}, {"provider": "@stability-prod"}],
    }
    hosted.mock.fail_next(503, target="config.targets[0]")
    response = generate(hosted, **{"x-portkey-config": json.dumps(config)})
    assert response.status_code == 200
    assert response.headers["x-portkey-last-used-option-index"] == "config.targets[1]"
    attempts = hosted.calls()[-1]["upstream"]
    keys = [dict(a["request"]["headers"])["authorization"] for a in attempts]
    assert keys == ["Bearer sk-f...m-vk", "Bearer sk-f...slug"]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ({"virtual_key": "vk-nope"}, "Invalid virtual key passed: vk-nope"),
        ({"provider": "@nope"}, "Invalid provider passed: @nope"),
    ],
)
def test_unknown_names_in_config_targets(
    hosted: MockClient, target: dict[str, str], message: str
) -> None:
    config = json.dumps({"strategy": {"mode": "fallback"}, "targets": [target]})
    response = generate(hosted, **{"x-portkey-config": config})
    assert (response.status_code, response.json()["message"]) == (400, message)


def test_the_registry_answer_shortens_keys(hosted: MockClient) -> None:
    records = hosted.get("/_mock/registry").json()
    assert records["virtual_keys"]["vk-stab"] == {
        "provider": "stability-ai",
        "api_key": "sk-f...m-vk",
    }
    assert "sk-from-slug" not in json.dumps(records)


def test_a_simple_config_names_a_virtual_key(hosted: MockClient) -> None:
    # Portkey's docs write the simplest config as {"virtual_key": ..., "override_params": ...}.
    config = {"virtual_key": "vk-stab", "override_params": {"model": "stable-diffusion-v1-6"}}
    response = hosted.post(
        "/v1/images/generations",
        headers={"x-portkey-api-key": "pk-team-1", "x-portkey-config": json.dumps(config)},
        json={"prompt": "a cat"},
    )
    assert response.status_code == 200
    assert response.headers["x-portkey-provider"] == "stability-ai"
    assert upstream_key(hosted) == "Bearer sk-f...m-vk"


# -- the Model Catalog: "@provider-slug/model-name" in the body -----------------------------

CATALOG = {"providers": {"@openai-prod": {"provider": "openai", "api_key": "sk-openai-prod-1"}}}
CATALOG_BODY = {"model": "@openai-prod/gpt-image-1", "prompt": "a cat"}


def catalog(make_client: ClientFactory, profile: str = "hosted") -> MockClient:
    return make_client(profile=profile, registry=Registry.from_json(CATALOG))


def test_a_catalog_model_in_the_body_names_the_provider(make_client: ClientFactory) -> None:
    client = catalog(make_client)
    response = client.post("/v1/images/generations", json=CATALOG_BODY)
    assert response.status_code == 200, response.text
    assert response.headers["x-portkey-provider"] == "openai"
    call = client.calls()[-1]
    assert call["request"]["body"]["json"]["model"] == "@openai-prod/gpt-image-1"  # as sent
    upstream = call["upstream"][0]["request"]
    assert upstream["body"]["json"]["model"] == "gpt-image-1"
    assert dict(upstream["headers"])["authorization"] == "Bearer sk-o...od-1"


def test_a_catalog_model_in_a_config_target(make_client: ClientFactory) -> None:
    client = catalog(make_client)
    config = {
        "strategy": {"mode": "fallback"},
        "targets": [{"override_params": {"model": "@openai-prod/gpt-image-1-mini"}}],
    }
    response = client.post(
        "/v1/images/generations",
        headers={"x-portkey-config": json.dumps(config)},
        json={"prompt": "a cat"},
    )
    assert response.status_code == 200, response.text
    upstream = client.calls()[-1]["upstream"][0]["request"]
    assert upstream["body"]["json"]["model"] == "gpt-image-1-mini"
    assert dict(upstream["headers"])["authorization"] == "Bearer sk-o...od-1"


def test_a_catalog_model_with_a_config_that_names_no_provider(make_client: ClientFactory) -> None:
    client = catalog(make_client)
    headers = {"x-portkey-config": json.dumps({"cache": {"mode": "simple"}})}
    statuses = [
        client.post("/v1/images/generations", headers=headers, json=CATALOG_BODY).headers[
            "x-portkey-cache-status"
        ]
        for _ in range(2)
    ]
    assert statuses == ["MISS", "HIT"]


@pytest.mark.parametrize(
    "body",
    [
        {"model": "@openai-staging/gpt-image-1", "prompt": "a cat"},
        {"prompt": "a cat"},  # and in a target, below
    ],
)
def test_an_unknown_catalog_slug_is_refused(make_client: ClientFactory, body: Any) -> None:
    # ASSUMED: hosted Portkey's text for an unknown slug is unpublished (registry.HOSTED_ERRORS).
    client = catalog(make_client)
    target = {"override_params": {"model": "@openai-staging/gpt-image-1"}}
    config = {"strategy": {"mode": "single"}, "targets": [target]}
    headers = {} if "model" in body else {"x-portkey-config": json.dumps(config)}
    response = client.post("/v1/images/generations", headers=headers, json=body)
    assert response.status_code == 400
    assert response.json() == {
        "status": "failure",
        "message": "Invalid provider passed: @openai-staging",
    }
    assert client.calls()[-1]["upstream"] == []


def test_the_open_source_gateway_has_no_catalog(make_client: ClientFactory) -> None:
    client = catalog(make_client, profile="oss")
    response = client.post(
        "/v1/images/generations",
        headers={"x-portkey-provider": "openai", "authorization": "Bearer sk-openai-0123456789"},
        json=CATALOG_BODY,
    )
    # The model goes to OpenAI as written, and OpenAI does not know it.
    assert response.status_code == 404
    assert "@openai-prod/gpt-image-1" in response.json()["error"]["message"]
