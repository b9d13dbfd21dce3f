"""The request validator (portkey-gateway-behavior.md §1.1, §6; gateway v1.15.2
``src/middlewares/requestValidator/index.ts``).

Every check answers 400 with a byte-exact ``{"status":"failure",...}`` body, the content type
``application/json`` and no ``x-portkey-*`` header. The checks run in the order 1..8 and the
first failing one answers. A header set "gets past" a check when the *next* failing check
answers instead, so no test here needs an upstream.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from mock_gateway.gateway.providers import VALID_PROVIDERS
from mock_gateway.gateway.validator import parse_config_json, validate_request
from tests.conftest import ClientFactory, MockClient, config


@pytest.fixture
def client(make_client: ClientFactory) -> MockClient:
    """The open-source gateway's validator (§1.1 was measured on it); hosted adds its own
    lookups in front (config ids, virtual keys, @slug providers), tested in test_hosted.py."""
    return make_client(profile="oss")


IMAGES = "/v1/images/generations"
PROXY_CATCH_ALL = "/v1/generation/x/text-to-image"
VALIDATED_ROUTES = (IMAGES, PROXY_CATCH_ALL)

# The byte-exact bodies of §1.1 (checks 1-6 and 8) and §6.
CHECK_1 = b'{"status":"failure","message":"Invalid content type passed"}'
CHECK_2 = (
    b'{"status":"failure","message":"Either x-portkey-config or x-portkey-provider header is '
    b'required"}'
)
CHECK_3 = b'{"status":"failure","message":"Invalid provider passed"}'
CHECK_4 = b'{"status":"failure","message":"Invalid custom host"}'
CHECK_5 = b'{"status":"failure","message":"Invalid config passed. You need to pass a valid json"}'
CHECK_6 = (
    b'{"status":"failure","message":"Either x-portkey-provider needs to be passed. Or the '
    b'x-portkey-config header should have a valid config with provider details in it."}'
)
CHECK_8 = (
    b'{"status":"failure","message":"This version of config is not supported in this route. '
    b'Please migrate to the latest version"}'
)

REFINE = (
    "Invalid configuration. It must have either 'provider' and 'api_key', or 'strategy' and "
    "'targets', or 'cache', or 'retry', or 'request_timeout'"
)
MODE = "Invalid 'mode' value. Must be one of: single, loadbalance, fallback, conditional"
PROVIDER_LIST = ", ".join(VALID_PROVIDERS)
BAD_PROVIDER = f"Invalid 'provider' value. Must be one of: {PROVIDER_LIST}"

STABILITY = {"x-portkey-provider": "stability-ai"}
GOOD_TARGET = {"provider": "stability-ai", "api_key": "k"}


def check_7(*errors: str) -> bytes:
    """The zod failure body, serialised the way ``JSON.stringify`` does (compact, UTF-8)."""
    body = {"status": "failure", "message": "Invalid config passed", "errors": list(errors)}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def post(client: MockClient, headers: dict[str, str], url: str = IMAGES) -> httpx.Response:
    """A POST with a JSON body but no content type unless ``headers`` sets one."""
    return client.post(url, headers=headers, content=b"{}")


def assert_rejected(response: httpx.Response, body: bytes) -> None:
    """A validator answer: 400, exactly ``body``, JSON, and no x-portkey-* header."""
    assert response.status_code == 400
    assert response.content == body
    assert response.headers["content-type"] == "application/json"
    leaked = [name for name in response.headers if name.lower().startswith("x-portkey-")]
    assert leaked == []


# --- check 1: content type -------------------------------------------------------------------

REJECTED_CONTENT_TYPES = [
    "application/x-www-form-urlencoded",  # curl -d's default
    "text/plain",
    "text/plain; charset=utf-8",
    "image/png",
    "application/octet-stream",
    "application/jsonx",
    # Compared case-sensitively and untrimmed: `split(';')[0]` then `includes` (source).
    "Application/JSON",
    "application/json ;charset=utf-8",
]


@pytest.mark.parametrize("url", VALIDATED_ROUTES)
@pytest.mark.parametrize("content_type", REJECTED_CONTENT_TYPES)
def test_check_1_rejects_content_type(client: MockClient, url: str, content_type: str) -> None:
    headers = {"content-type": content_type, **STABILITY, "authorization": "Bearer sk-x"}
    assert_rejected(post(client, headers, url), CHECK_1)


ACCEPTED_CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "multipart/form-data",
    "multipart/form-data; boundary=x",
    "audio/wav",
    "audio/mpeg",
    "audio",  # `startsWith('audio')`
    "",  # an empty header is falsy: the check is skipped
]


@pytest.mark.parametrize("url", VALIDATED_ROUTES)
@pytest.mark.parametrize("content_type", ACCEPTED_CONTENT_TYPES)
def test_check_1_accepts_content_type(client: MockClient, url: str, content_type: str) -> None:
    # No provider and no config: getting past check 1 means check 2 answers.
    assert_rejected(post(client, {"content-type": content_type}, url), CHECK_2)


def test_check_1_skipped_without_content_type(client: MockClient) -> None:
    response = post(client, {})
    assert "content-type" not in response.request.headers
    assert_rejected(response, CHECK_2)


# --- check 2: a provider or a config is required ---------------------------------------------

MISSING_PROVIDER = [
    {},
    {"x-portkey-api-key": "pk-123"},
    {"x-portkey-virtual-key": "vk-123"},
    {"x-portkey-api-key": "pk-123", "x-portkey-virtual-key": "vk-123"},
    {"authorization": "Bearer sk-x"},
    {"x-portkey-custom-host": "http://127.0.0.1:9921"},
    {"x-portkey-provider": ""},
    {"x-portkey-config": ""},
]


@pytest.mark.parametrize("url", VALIDATED_ROUTES)
@pytest.mark.parametrize("headers", MISSING_PROVIDER)
def test_check_2_provider_or_config_required(
    client: MockClient, url: str, headers: dict[str, str]
) -> None:
    assert_rejected(post(client, {"content-type": "application/json", **headers}, url), CHECK_2)


# --- check 3: the provider header must be a known slug ---------------------------------------


@pytest.mark.parametrize("url", VALIDATED_ROUTES)
@pytest.mark.parametrize(
    "provider", ["stabilityai", "@stability-ai", "Stability-AI", "stability", "undefined"]
)
def test_check_3_invalid_provider(client: MockClient, url: str, provider: str) -> None:
    assert_rejected(post(client, {"x-portkey-provider": provider}, url), CHECK_3)


def test_check_3_header_is_checked_even_with_a_valid_config(client: MockClient) -> None:
    headers = {"x-portkey-provider": "stabilityai", "x-portkey-config": config(**GOOD_TARGET)}
    assert_rejected(post(client, headers), CHECK_3)


@pytest.mark.parametrize("provider", ["stability-ai", "openai", "anthropic", "ovhcloud"])
def test_check_3_accepts_known_providers(client: MockClient, provider: str) -> None:
    # Past check 3, a config id fails check 5.
    headers = {"x-portkey-provider": provider, "x-portkey-config": "pc-abc123"}
    assert_rejected(post(client, headers), CHECK_5)


# --- check 4: the custom-host header ----------------------------------------------------------


@pytest.mark.parametrize("url", VALIDATED_ROUTES)
@pytest.mark.parametrize(
    "host",
    [
        "http://10.0.0.1",
        "http://169.254.169.254",
        "169.254.169.254",
        "http://192.168.1.1:8080",
        "http://metadata.google.internal",
        "file:///etc/passwd",
        "http://[::1]:80",
        "https://api.portkey.ai",
    ],
)
def test_check_4_invalid_custom_host(client: MockClient, url: str, host: str) -> None:
    headers = {**STABILITY, "x-portkey-custom-host": host}
    assert_rejected(post(client, headers, url), CHECK_4)


@pytest.mark.parametrize(
    "host", ["http://127.0.0.1:9921", "http://localhost:1234", "https://api.stability.ai"]
)
def test_check_4_valid_custom_host(client: MockClient, host: str) -> None:
    headers = {**STABILITY, "x-portkey-custom-host": host, "x-portkey-config": "pc-abc123"}
    assert_rejected(post(client, headers), CHECK_5)


# --- check 5: the config must be JSON ---------------------------------------------------------

NOT_JSON = [
    "pc-abc123",  # a saved-config id (hosted only)
    "{",
    "{'provider':'stability-ai','api_key':'k'}",
    '{"provider":"stability-ai","api_key":"k",}',
    "undefined",
    "NaN",
    '{"provider":"stability-ai","api_key":"k","request_timeout":NaN}',
    '{"provider":"stability-ai","api_key":"k","request_timeout":Infinity}',
]


@pytest.mark.parametrize("url", VALIDATED_ROUTES)
@pytest.mark.parametrize("raw", NOT_JSON)
@pytest.mark.parametrize("with_provider", [False, True])
def test_check_5_config_not_json(
    client: MockClient, url: str, raw: str, with_provider: bool
) -> None:
    headers = {"x-portkey-config": raw, **(STABILITY if with_provider else {})}
    assert_rejected(post(client, headers, url), CHECK_5)


def test_check_5_null_config_without_provider(client: MockClient) -> None:
    # `JSON.parse('null').provider` throws a TypeError inside the try: the same 400.
    assert_rejected(post(client, {"x-portkey-config": "null"}), CHECK_5)


def test_null_config_with_provider_header_reaches_zod(client: MockClient) -> None:
    # With the provider header, `!requestHeaders[provider] && ...` short-circuits before
    # `parsedConfig.provider` is read, so zod sees `null` (source: requestValidator/index.ts).
    headers = {**STABILITY, "x-portkey-config": "null"}
    assert_rejected(
        post(client, headers), check_7("path: , message: Expected object, received null")
    )


# --- check 6: the config must name a provider or targets, unless the header does -------------

NO_ROUTE_CONFIGS = [
    "{}",
    '{"api_key":"k"}',
    '{"virtual_key":"vk-1"}',
    '{"provider":""}',
    '{"provider":null,"api_key":"k"}',
    '{"targets":null}',
    '{"retry":{"attempts":3}}',
    "[]",
    '"stability-ai"',
    "1",
    "true",
]


@pytest.mark.parametrize("url", VALIDATED_ROUTES)
@pytest.mark.parametrize("raw", NO_ROUTE_CONFIGS)
def test_check_6_config_without_provider(client: MockClient, url: str, raw: str) -> None:
    assert_rejected(post(client, {"x-portkey-config": raw}, url), CHECK_6)


def test_check_6_overflowing_number_config_parses_as_infinity(client: MockClient) -> None:
    # JSON.parse('1e400') is Infinity, not an error; Infinity.provider is undefined: check 6.
    assert_rejected(post(client, {"x-portkey-config": "1e400"}), CHECK_6)


# --- check 7: the zod schema --------------------------------------------------------------------

MEASURED_CHECK_7: list[tuple[dict[str, str], bytes]] = [
    ({"x-portkey-config": config(provider="stability-ai")}, check_7(f"path: , message: {REFINE}")),
    (
        {"x-portkey-config": config(provider="stability-ai", apiKey="sk-c")},
        check_7(f"path: , message: {REFINE}"),
    ),
    (
        {"x-portkey-config": config(strategy={"mode": "roundrobin"}, targets=[GOOD_TARGET])},
        check_7(f"path: strategy,mode, message: {MODE}"),
    ),
    (
        {
            "x-portkey-config": config(
                provider="stability-ai", api_key="k", retry={"on_status_codes": [500]}
            )
        },
        check_7("path: retry,attempts, message: Required"),
    ),
    (
        {"x-portkey-config": config(provider="nope", api_key="k")},
        check_7(f"path: provider, message: {BAD_PROVIDER}"),
    ),
    (
        {
            "x-portkey-config": config(
                provider="stability-ai", api_key="k", custom_host="http://169.254.169.254"
            )
        },
        check_7("path: , message: Invalid custom host"),
    ),
    (
        {"x-portkey-config": config(virtual_key="vk-1"), **STABILITY},
        check_7(f"path: , message: {REFINE}"),
    ),
]


@pytest.mark.parametrize("url", VALIDATED_ROUTES)
@pytest.mark.parametrize(("headers", "body"), MEASURED_CHECK_7)
def test_check_7_measured_examples(
    client: MockClient, url: str, headers: dict[str, str], body: bytes
) -> None:
    assert_rejected(post(client, headers, url), body)


def test_check_7_literal_body(client: MockClient) -> None:
    """One body spelled out by hand, independent of ``json.dumps``."""
    headers = {"x-portkey-config": '{"provider":"stability-ai"}'}
    expected = (
        b'{"status":"failure","message":"Invalid config passed","errors":["path: , message: '
        b"Invalid configuration. It must have either 'provider' and 'api_key', or 'strategy' "
        b"and 'targets', or 'cache', or 'retry', or 'request_timeout'\"]}"
    )
    assert_rejected(post(client, headers), expected)


def test_check_7_provider_list_is_the_gateways(client: MockClient) -> None:
    response = post(client, {"x-portkey-config": config(provider="nope", api_key="k")})
    assert_rejected(response, check_7(f"path: provider, message: {BAD_PROVIDER}"))
    (error,) = response.json()["errors"]
    listed = error.removeprefix("path: provider, message: Invalid 'provider' value. ")
    listed = listed.removeprefix("Must be one of: ")
    assert listed == PROVIDER_LIST
    assert listed.startswith("anthropic, anyscale, azure-openai, cohere, google, vertex-ai")
    assert listed.endswith("iointelligence, aibadgr, ovhcloud")
    names = listed.split(", ")
    assert len(names) == 74  # src/globals.ts VALID_PROVIDERS at v1.15.2
    assert names.index("stability-ai") == 14
    assert names.index("portkey") == 53


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        ('{"targets":[]}', [f"path: , message: {REFINE}"]),
        ("[]", ["path: , message: Expected object, received array"]),
        ('"x"', ["path: , message: Expected object, received string"]),
        (
            config(provider="stability-ai", api_key=None),
            ["path: api_key, message: Expected string, received null"],
        ),
        (
            config(strategy={"mode": "fallback"}, targets=[GOOD_TARGET, {"provider": "nope"}]),
            [
                f"path: targets,1,provider, message: {BAD_PROVIDER}",
                f"path: targets,1, message: {REFINE}",
            ],
        ),
    ],
)
def test_check_7_other_schema_failures(client: MockClient, raw: str, errors: list[str]) -> None:
    assert_rejected(post(client, {**STABILITY, "x-portkey-config": raw}), check_7(*errors))


# --- check 8: the old config format ----------------------------------------------------------


@pytest.mark.parametrize("url", VALIDATED_ROUTES)
@pytest.mark.parametrize(
    "fields",
    [
        {"options": [GOOD_TARGET], **GOOD_TARGET},
        {"options": [], **GOOD_TARGET},
        {"options": {}, "strategy": {"mode": "fallback"}, "targets": [GOOD_TARGET]},
        {"options": "x", "provider": "stability-ai", "retry": {"attempts": 1}},
    ],
)
def test_check_8_options_key(client: MockClient, url: str, fields: dict[str, Any]) -> None:
    assert_rejected(post(client, {"x-portkey-config": config(**fields)}, url), CHECK_8)


# --- order of the checks -----------------------------------------------------------------------

ORDER: list[tuple[str, dict[str, str], bytes]] = [
    ("1 before 2", {"content-type": "application/x-www-form-urlencoded"}, CHECK_1),
    (
        "1 before 3, 4, 5",
        {
            "content-type": "text/plain",
            "x-portkey-provider": "stabilityai",
            "x-portkey-custom-host": "http://10.0.0.1",
            "x-portkey-config": "pc-abc123",
        },
        CHECK_1,
    ),
    ("2 before 4", {"x-portkey-custom-host": "http://10.0.0.1"}, CHECK_2),
    (
        "3 before 4, 5",
        {
            "x-portkey-provider": "stabilityai",
            "x-portkey-custom-host": "http://10.0.0.1",
            "x-portkey-config": "pc-abc123",
        },
        CHECK_3,
    ),
    (
        "4 before 5",
        {**STABILITY, "x-portkey-custom-host": "http://10.0.0.1", "x-portkey-config": "{"},
        CHECK_4,
    ),
    ("6 before 7", {"x-portkey-config": config(retry={}, weight="heavy")}, CHECK_6),
    (
        "7 before 8",
        {"x-portkey-config": config(options=[GOOD_TARGET], provider="nope", api_key="k")},
        check_7(f"path: provider, message: {BAD_PROVIDER}"),
    ),
]


@pytest.mark.parametrize("url", VALIDATED_ROUTES)
@pytest.mark.parametrize(("case", "headers", "body"), ORDER, ids=[case for case, _, _ in ORDER])
def test_check_order(
    client: MockClient, url: str, case: str, headers: dict[str, str], body: bytes
) -> None:
    assert_rejected(post(client, headers, url), body)


# --- validate_request directly: what passes --------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {**STABILITY},
        {**STABILITY, "content-type": "multipart/form-data; boundary=x"},
        {**STABILITY, "x-portkey-custom-host": "http://127.0.0.1:9921/v1"},
        {"x-portkey-config": config(**GOOD_TARGET)},
        {"x-portkey-config": config(provider="stability-ai", retry={"attempts": 1})},
        {"x-portkey-config": config(options=None, **GOOD_TARGET)},
        {"x-portkey-config": config(strategy={"mode": "fallback"}, targets=[GOOD_TARGET])},
        {"x-portkey-config": config(request_timeout=1000), **STABILITY},
    ],
)
def test_validate_request_passes(headers: dict[str, str]) -> None:
    assert validate_request(headers) is None


def test_validate_request_reply_shape() -> None:
    answer = validate_request({"content-type": "text/plain"})
    assert answer is not None
    assert (answer.status, answer.body) == (400, CHECK_1)
    assert answer.headers == {"content-type": "application/json"}


def test_parse_config_json_is_json_parse() -> None:
    assert parse_config_json('{"provider":"stability-ai"}') == {"provider": "stability-ai"}
    with pytest.raises(ValueError):
        parse_config_json("pc-abc123")


# --- the routes the validator guards, and the one it does not --------------------------------

NO_PROVIDER_EXCEPTION = b'{"status":"failure","message":"Provider  not found"}'


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"content-type": "application/json"},
        {"content-type": "text/plain"},  # check 1 would refuse this
        {"x-portkey-api-key": "pk-123", "x-portkey-virtual-key": "vk-123"},
    ],
)
def test_proxy_prefix_route_has_no_validator(client: MockClient, headers: dict[str, str]) -> None:
    response = post(client, headers, "/v1/proxy/generation/x/text-to-image")
    assert response.status_code == 500
    assert response.content == NO_PROVIDER_EXCEPTION
    assert response.headers["x-portkey-gateway-exception"] == "true"
    assert response.headers["content-type"] == "application/json"


def test_proxy_prefix_route_names_an_unknown_provider(client: MockClient) -> None:
    # ProviderContext: `Provider ${provider} not found` (src/handlers/services/providerContext.ts).
    response = post(client, {"x-portkey-provider": "stabilityai"}, "/v1/proxy/generation/x")
    assert response.status_code == 500
    assert response.content == b'{"status":"failure","message":"Provider stabilityai not found"}'
    assert response.headers["x-portkey-gateway-exception"] == "true"
