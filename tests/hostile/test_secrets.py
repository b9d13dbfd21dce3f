"""Secrets (issue 15): every credential-bearing header and config field, found by its name,
is shortened everywhere a key can surface: journal, inspector, snapshot, registry, logs."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_gateway import PortkeyMock, Registry, create_app
from tests.hostile import STABILITY, send

MARK = "MARK0123456789abcdefXYZ"  # the middle of every secret here; redaction cuts it
SECRET = f"sk-{MARK}-end"
GOOD = b'{"prompt":"a cat","model":"core"}'


def everything_shown(app: Any, tmp_path: Path) -> str:
    """Every place a key could surface, as one text."""
    texts = [
        send(app, "GET", path).text
        for path in ("/_mock/requests", "/_mock/", "/_mock/inspector/rows", "/_mock/registry")
    ]
    if hasattr(app.state.mock, "blobs"):
        texts.append(PortkeyMock(app).write_snapshot(tmp_path / "s.html").read_text("utf-8"))
    return "\n".join(texts)


CREDENTIAL_HEADERS = [
    "authorization", "proxy-authorization", "x-portkey-api-key", "x-api-key", "api-key",
    "x-goog-api-key", "x-portkey-aws-session-token", "x-portkey-aws-secret-access-key",
    "X-Auth-Token", "x-custom-secret", "cookie", "x-portkey-virtual-key", "x-my-password",
]  # fmt: skip


@pytest.mark.parametrize("name", CREDENTIAL_HEADERS)
def test_a_credential_header_is_never_shown_in_full(
    name: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app = create_app(profile="oss")
    headers = {**STABILITY, "content-type": "application/json", name: SECRET}
    send(app, "POST", "/v1/images/generations", content=GOOD, headers=headers)
    shown = everything_shown(app, tmp_path)
    assert MARK not in shown and MARK not in caplog.text
    assert "sk-M...-end" in shown  # shortened, still recognisable


CONFIGS = [
    '{"provider":"stability-ai","api_key":"' + SECRET + '"}',
    '{"provider":"stability-ai","apiKey":"' + SECRET + '"}',
    '{"strategy":{"mode":"fallback"},"targets":[{"provider":"openai","api_key":"'
    + SECRET
    + '"},{"provider":"stability-ai","api_key":"'
    + SECRET
    + '"}]}',
    '{"provider":"bedrock","aws_secret_access_key":"' + SECRET + '","aws_session_token":"x"}',
    '{"provider":"vertex-ai","vertex_service_account_json":{"private_key":"' + SECRET + '"}}',
    '{"provider":"azure-openai","azure_ad_token":"' + SECRET + '"}',
    '{"api_key":"' + SECRET + '"',  # cut off: not JSON, shorter than 64 characters
    "{api_key: " + SECRET + "}",
    "api_key=" + SECRET,
]


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("path", ["/v1/images/generations", "/v1/proxy/v1/engines/list"])
def test_a_key_in_a_config_is_never_shown_in_full(config: str, path: str, tmp_path: Path) -> None:
    app = create_app()
    headers = {"content-type": "application/json", "x-portkey-config": config}
    answer = send(app, "POST", path, content=GOOD, headers=headers)
    assert MARK not in answer.text  # nor in an error that quotes the config
    assert MARK not in everything_shown(app, tmp_path)


def test_the_registry_never_shows_a_key_in_full(tmp_path: Path) -> None:
    records = {
        "api_keys": [f"pk-{MARK}-1", f"pk-{MARK}-2"],
        "virtual_keys": {"vk-1": {"provider": "openai", "api_key": SECRET}},
        "providers": {"@p": {"provider": "stability-ai", "api_key": SECRET}},
        "configs": {"pc-1": {"provider": "openai", "api_key": SECRET}},
    }
    app = create_app(registry=Registry.from_json(records))
    more = {"virtual_keys": {"vk-2": {"provider": "openai", "api_key": SECRET}}}
    json_type = {"content-type": "application/json"}
    posted = send(app, "POST", "/_mock/registry", content=json.dumps(more), headers=json_type)
    assert posted.status_code == 200 and MARK not in posted.text
    shown = send(app, "GET", "/_mock/registry").json()
    assert MARK not in json.dumps(shown)
    assert [key[:7] for key in shown["api_keys"]] == ["pk-M...", "pk-M..."]
    # and a request that uses the records shows none of them
    headers = {"x-portkey-api-key": f"pk-{MARK}-1", "x-portkey-virtual-key": "vk-1"}
    send(app, "POST", "/v1/images/generations", content=b'{"prompt":"a"}', headers=headers)
    assert MARK not in everything_shown(app, tmp_path)


def test_the_upstream_role_never_shows_a_key_in_full(tmp_path: Path) -> None:
    app = create_app(role="upstream")
    headers = {"authorization": f"Bearer {SECRET}", "proxy-authorization": f"Basic {SECRET}"}
    send(
        app, "POST", "/v1/generation/stable-diffusion-v1-6/text-to-image", json={}, headers=headers
    )
    assert MARK not in send(app, "GET", "/_mock/requests").text


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(
    prefix=st.sampled_from(["", "x-", "x-portkey-", "X-Custom-", "my_", "aws_", "azure_ad_"]),
    word=st.sampled_from(
        ["api-key", "apiKey", "api_keys", "token", "Secret", "password", "auth", "Key", "keys"]
    ),
    suffix=st.sampled_from(["", "-id", "_value", "Header", "-json"]),
)
def test_any_name_with_a_credential_word_is_secret(prefix: str, word: str, suffix: str) -> None:
    from mock_gateway.redact import is_secret_name

    assert is_secret_name(prefix + word + suffix)


@pytest.mark.parametrize(
    "name",
    ["content-type", "x-portkey-provider", "x-portkey-trace-id", "x-portkey-metadata",
     "x-portkey-config", "user-agent", "accept", "keep-alive", "x-portkey-custom-host", "monkey",
     "max_tokens", "prompt_tokens"],
)  # fmt: skip
def test_ordinary_headers_stay_readable(name: str) -> None:
    from mock_gateway.redact import is_secret_name

    assert not is_secret_name(name)


@pytest.mark.parametrize("text", ["x" * 16_000, "a-" * 8_000, "a: " * 5_000, "k=" * 8_000])
def test_redacting_any_config_text_takes_linear_time(text: str) -> None:
    app = create_app()
    started = time.perf_counter()
    headers = {**STABILITY, "x-portkey-config": text, "content-type": "application/json"}
    send(app, "POST", "/v1/images/generations", content=GOOD, headers=headers)
    assert time.perf_counter() - started < 2.0
