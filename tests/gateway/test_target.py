"""``resolve_target``: provider, key and options from the request headers and the config
(§1.2, §1.3; gateway v1.15.2 ``handlerUtils.ts constructConfigFromRequestHeaders`` and
``services/requestContext.ts`` ``customHost`` / ``forwardHeaders`` / ``requestTimeout``).

The headers are a plain dict with lower-case names, as ``Object.fromEntries(headers)`` gives.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from mock_gateway.gateway.config_strategies import resolve_target
from mock_gateway.gateway.target import Target, root_config
from tests.conftest import config

STABILITY = {"x-portkey-provider": "stability-ai"}
GOOD = {"provider": "stability-ai", "api_key": "k"}


def test_provider_and_key_from_headers_without_config() -> None:
    target = resolve_target({**STABILITY, "authorization": "Bearer sk-x"})
    options = {"provider": "stability-ai", "apiKey": "sk-x"}  # the node, as providerOptions
    assert target == Target(provider="stability-ai", api_key="sk-x", retry={}, options=options)
    assert target.override_params == {}
    assert target.custom_host is None
    assert target.forward_headers == ()
    assert target.request_timeout is None
    assert (target.retry, target.strategy, target.targets) == ({}, None, ())


@pytest.mark.parametrize(
    ("authorization", "api_key"),
    [
        ("sk-x", "sk-x"),
        ("Bearer sk-x", "sk-x"),
        ("Bearer ", ""),
        # `authorization.replace('Bearer ', '')`: case-sensitive, first occurrence, anywhere.
        ("bearer sk-x", "bearer sk-x"),
        ("Bearer Bearer sk-x", "Bearer sk-x"),
        ("sk-Bearer x", "sk-x"),
    ],
)
def test_authorization_becomes_the_api_key(authorization: str, api_key: str) -> None:
    assert resolve_target({**STABILITY, "authorization": authorization}).api_key == api_key


def test_no_authorization_gives_no_api_key() -> None:
    # JS `undefined`: the upstream then gets `Bearer undefined` (§1.2, MEASURED C2).
    assert resolve_target(STABILITY).api_key is None


def test_config_provider_wins_over_header() -> None:
    headers = {
        "x-portkey-provider": "openai",
        "authorization": "Bearer sk-header",
        "x-portkey-config": config(**GOOD),
    }
    target = resolve_target(headers)
    assert (target.provider, target.api_key) == ("stability-ai", "k")


def test_config_provider_without_api_key_ignores_authorization() -> None:
    # MEASURED C1: the Authorization header is not merged; the upstream gets `Bearer undefined`.
    headers = {
        **STABILITY,
        "authorization": "Bearer sk-header",
        "x-portkey-config": config(provider="stability-ai", retry={"attempts": 1}),
    }
    target = resolve_target(headers)
    assert (target.provider, target.api_key) == ("stability-ai", None)
    assert target.retry == {"attempts": 1}


def test_config_with_targets_takes_nothing_from_headers() -> None:
    headers = {
        **STABILITY,
        "authorization": "Bearer sk-header",
        "x-portkey-config": config(strategy={"mode": "fallback"}, targets=[GOOD]),
    }
    root = root_config(headers)  # a config with targets is routed; its root has no provider
    assert (root.get("provider"), root.get("apiKey")) == (None, None)
    assert root["strategy"] == {"mode": "fallback"}
    assert root["targets"] == [{"provider": "stability-ai", "apiKey": "k"}]


def test_config_without_provider_takes_provider_and_key_from_headers() -> None:
    # MEASURED C3: provider and Authorization from the headers, override_params applied.
    override = {"model": "stable-diffusion-v1-6", "n": 3, "style_preset": "anime"}
    headers = {
        **STABILITY,
        "authorization": "Bearer sk-header",
        "x-portkey-config": config(override_params=override, retry={"attempts": 2}),
    }
    target = resolve_target(headers)
    assert (target.provider, target.api_key) == ("stability-ai", "sk-header")
    assert target.override_params == override  # its keys are not camel-cased
    assert target.retry == {"attempts": 2}


@pytest.mark.parametrize("fields", [{}, {"provider": ""}, {"provider": None}, {"targets": None}])
def test_falsy_provider_or_targets_take_the_headers(fields: dict[str, Any]) -> None:
    headers = {**STABILITY, "authorization": "sk-h", "x-portkey-config": config(**fields)}
    target = resolve_target(headers)
    assert (target.provider, target.api_key) == ("stability-ai", "sk-h")


def test_config_without_provider_and_no_authorization() -> None:
    target = resolve_target({**STABILITY, "x-portkey-config": config(request_timeout=1000)})
    assert (target.provider, target.api_key) == ("stability-ai", None)
    assert target.request_timeout == 1000


def test_snake_case_config_keys() -> None:
    headers = {
        "x-portkey-config": config(
            **GOOD,
            custom_host="http://127.0.0.1:9921/v1",
            override_params={"n": 2},
            forward_headers=["X-Custom-A"],
            request_timeout=5000,
            retry={"attempts": 3, "on_status_codes": [503]},
        )
    }
    target = resolve_target(headers)
    assert target.custom_host == "http://127.0.0.1:9921/v1"
    assert target.override_params == {"n": 2}
    assert target.forward_headers == ("x-custom-a",)
    assert target.request_timeout == 5000
    assert target.retry == {"attempts": 3, "onStatusCodes": [503]}


def test_camel_case_config_keys_work() -> None:
    # MEASURED C4: keys the validator does not know still work after convertKeysToCamelCase.
    headers = {
        "x-portkey-config": config(
            **GOOD,
            customHost="http://127.0.0.1:9921/v1",
            overrideParams={"n": 4},
            forwardHeaders=["X-Y"],
            requestTimeout=500,
        )
    }
    target = resolve_target(headers)
    assert target.custom_host == "http://127.0.0.1:9921/v1"
    assert target.override_params == {"n": 4}
    assert target.forward_headers == ("x-y",)
    assert target.request_timeout == 500


def test_camel_case_override_params_contents_are_camel_cased() -> None:
    # Only the key `override_params` is preserved; under `overrideParams` the nested keys are
    # converted like any others (utils.ts convertKeysToCamelCase).
    headers = {"x-portkey-config": config(**GOOD, overrideParams={"style_preset": "anime"})}
    assert resolve_target(headers).override_params == {"stylePreset": "anime"}


def test_strategy_keys_are_camel_cased() -> None:
    headers = {
        "x-portkey-config": config(
            strategy={"mode": "fallback", "on_status_codes": [429]}, targets=[GOOD]
        )
    }
    assert root_config(headers)["strategy"] == {"mode": "fallback", "onStatusCodes": [429]}


# --- custom host ---------------------------------------------------------------------------


def test_custom_host_header_wins_over_config() -> None:
    headers = {
        "x-portkey-custom-host": "http://127.0.0.1:9921/header",
        "x-portkey-config": config(**GOOD, custom_host="http://127.0.0.1:9921/config"),
    }
    assert resolve_target(headers).custom_host == "http://127.0.0.1:9921/header"


def test_custom_host_header_wins_over_camel_case_config() -> None:
    headers = {
        "x-portkey-custom-host": "http://localhost:1/h",
        "x-portkey-config": config(**GOOD, customHost="http://localhost:1/c"),
    }
    assert resolve_target(headers).custom_host == "http://localhost:1/h"


def test_empty_custom_host_header_falls_back_to_config() -> None:
    headers = {
        "x-portkey-custom-host": "",
        "x-portkey-config": config(**GOOD, custom_host="http://127.0.0.1:9921/config"),
    }
    assert resolve_target(headers).custom_host == "http://127.0.0.1:9921/config"


def test_custom_host_header_without_config() -> None:
    headers = {**STABILITY, "x-portkey-custom-host": "http://127.0.0.1:9921/v1"}
    assert resolve_target(headers).custom_host == "http://127.0.0.1:9921/v1"


# --- forward headers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("X-A, x-b", ("x-a", "x-b")),
        ("x-a", ("x-a",)),
        (" Stability-Client-ID ,X-Custom-A", ("stability-client-id", "x-custom-a")),
    ],
)
def test_forward_headers_header(value: str, names: tuple[str, ...]) -> None:
    assert resolve_target({**STABILITY, "x-portkey-forward-headers": value}).forward_headers == (
        names
    )


def test_forward_headers_header_wins_over_config() -> None:
    headers = {
        "x-portkey-forward-headers": "X-A, x-b",
        "x-portkey-config": config(**GOOD, forward_headers=["x-c"]),
    }
    assert resolve_target(headers).forward_headers == ("x-a", "x-b")


def test_forward_headers_from_config_without_header() -> None:
    headers = {"x-portkey-config": config(**GOOD, forward_headers=["X-C", "x-d"])}
    assert resolve_target(headers).forward_headers == ("x-c", "x-d")


# --- request timeout: `Number(header) || config.request_timeout || null` --------------------


@pytest.mark.parametrize(
    ("value", "timeout"),
    [
        ("1000", 1000.0),
        ("1e3", 1000.0),
        ("+1e3", 1000.0),
        (" 250 ", 250.0),
        ("-5", -5.0),
        ("0x10", 16.0),  # Number() reads hex, binary and octal literals
        ("0b11", 3.0),
        ("0o17", 15.0),
        ("Infinity", math.inf),
    ],
)
def test_request_timeout_header(value: str, timeout: float) -> None:
    headers = {
        "x-portkey-request-timeout": value,
        "x-portkey-config": config(**GOOD, request_timeout=5000),
    }
    assert resolve_target(headers).request_timeout == timeout


@pytest.mark.parametrize("value", ["0", "abc", "", "1_000", "nan", "inf", "12px"])
def test_request_timeout_header_falls_back_to_config(value: str) -> None:
    headers = {
        "x-portkey-request-timeout": value,
        "x-portkey-config": config(**GOOD, request_timeout=5000),
    }
    assert resolve_target(headers).request_timeout == 5000


@pytest.mark.parametrize("value", ["0", "abc", "nan"])
def test_request_timeout_falls_back_to_none(value: str) -> None:
    headers = {**STABILITY, "x-portkey-request-timeout": value}
    assert resolve_target(headers).request_timeout is None


def test_request_timeout_header_without_config() -> None:
    headers = {**STABILITY, "x-portkey-request-timeout": "1000"}
    assert resolve_target(headers).request_timeout == 1000.0


def test_request_timeout_from_config_without_header() -> None:
    headers = {"x-portkey-config": config(**GOOD, requestTimeout=750)}
    assert resolve_target(headers).request_timeout == 750
