"""Hosted Portkey in front of the gateway: API keys, saved configs, virtual keys, ``@slug``.

Under a profile with ``hosted_features`` this middleware checks ``x-portkey-api-key`` and
rewrites the request's headers from the registry before the gateway sees them: a config id
becomes its JSON, a virtual key or ``@provider-slug`` becomes a provider and its key. The
journal (outside this middleware) keeps the headers the client really sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from mock_gateway.gateway.registry import HOSTED_ERRORS, Registry
from mock_gateway.gateway.request import REQUEST_KEY, GatewayRequest
from mock_gateway.hints import hint
from mock_gateway.state import MockState
from mock_gateway.wire import safejson
from mock_gateway.wire.call_headers import joined_values
from mock_gateway.wire.receive import body_then
from mock_gateway.wire.redact import redact_key

__all__ = ["HostedFeatures", "catalog_model", "resolve_body_model", "resolve_hosted"]


# Mock-only hints (x-mock-hint): hosted Portkey's answers here say little or nothing.
_HINTS = {
    "missing_api_key": "missing header x-portkey-api-key: profile {profile} (hosted Portkey) "
    "requires it on every /v1 request; any value will do, or use profile oss",
    "unknown_api_key": "x-portkey-api-key {name} is not among the registry's api_keys "
    "(profile {profile})",
    "unknown_config": "config id {name} is not in the registry",
    "unknown_virtual_key": "virtual key {name} is not in the registry",
    "unknown_provider": "provider {name} is not in the registry",
}
_REGISTER = " (add it: create_app(registry=...), POST /_mock/registry or serve --registry FILE)"


class _Refusal(Exception):
    def __init__(self, kind: str, name: str = "") -> None:
        status, message = HOSTED_ERRORS[kind]
        super().__init__(message)
        self.kind, self.name = kind, name
        self.status = status
        self.body = (
            b""
            if message is None
            else json.dumps(
                {"status": "failure", "message": message.format(name=name)}, separators=(",", ":")
            ).encode()
        )


def _is_json(text: str) -> bool:
    try:
        safejson.loads(text)
    except ValueError:
        return False
    return True


def _credentials(headers: dict[str, str], record: Mapping[str, str]) -> None:
    headers["x-portkey-provider"] = record["provider"]
    headers["authorization"] = f"Bearer {record['api_key']}"


def _record(records: Mapping[str, Mapping[str, str]], name: str, kind: str) -> Mapping[str, str]:
    if name not in records:
        raise _Refusal(kind, name)
    return records[name]


def catalog_model(model: Any) -> tuple[str, str] | None:
    """``"@openai-prod/gpt-image-1"`` -> ``("@openai-prod", "gpt-image-1")``; else ``None``.

    Portkey's Model Catalog names a model ``@provider-slug/model-name`` (docs: model-catalog,
    quickstart: ``model="@openai-prod/gpt-4o"``). ASSUMED: a model that starts with ``@`` but
    has no ``/`` is not a catalog name and goes on unchanged.
    """
    if not isinstance(model, str) or not model.startswith("@") or "/" not in model:
        return None
    slug, name = model.split("/", 1)
    return slug, name


def _resolve_override_model(out: dict[str, Any], registry: Registry) -> None:
    """A target whose ``override_params.model`` is a catalog name gets that provider's
    credentials (unless it names its own) and the bare model name (the docs' cache and
    fallback configs write targets this way)."""
    overrides = out.get("override_params")
    named = catalog_model(overrides.get("model")) if isinstance(overrides, dict) else None
    if named is None:
        return
    slug, model = named
    record = _record(registry.providers, slug, "unknown_provider")
    out["override_params"] = {**overrides, "model": model}  # type: ignore[dict-item]
    if "provider" not in out:
        out["provider"] = record["provider"]
        out.setdefault("api_key", record["api_key"])


def _resolve_targets(node: Any, registry: Registry) -> Any:
    """A config with each target's ``virtual_key`` and ``@slug`` provider made concrete.

    Hosted configs name credentials this way (Portkey docs: the config object, and the
    configs migration page's `"targets": [{"virtual_key": ...}]`; Model Catalog slugs); the
    gateway behind only understands ``provider`` and ``api_key``.
    """
    if isinstance(node, list):
        return [_resolve_targets(item, registry) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _resolve_targets(v, registry) if key == "targets" else v for key, v in node.items()}
    virtual = out.get("virtual_key", out.get("virtualKey"))
    if isinstance(virtual, str):
        out.pop("virtual_key", None)
        out.pop("virtualKey", None)
        record = _record(registry.virtual_keys, virtual, "unknown_virtual_key")
        out.setdefault("provider", record["provider"])
        out.setdefault("api_key", record["api_key"])
    _resolve_override_model(out, registry)
    provider = out.get("provider")
    if isinstance(provider, str) and provider.startswith("@"):
        record = _record(registry.providers, provider, "unknown_provider")
        out["provider"] = record["provider"]
        out.setdefault("api_key", record["api_key"])
    return out


def resolve_hosted(headers: Mapping[str, str], registry: Registry) -> dict[str, str]:
    """The headers the gateway sees after hosted Portkey's own lookups (raises _Refusal)."""
    resolved = dict(headers)
    key = headers.get("x-portkey-api-key")
    if not key:
        raise _Refusal("missing_api_key")
    if not registry.accepts(key):
        raise _Refusal("unknown_api_key", redact_key(key))
    config = headers.get("x-portkey-config")
    if config and not _is_json(config):
        if config.strip() in registry.configs:
            config = resolved["x-portkey-config"] = json.dumps(registry.configs[config.strip()])
        elif config.strip().startswith("pc-"):
            raise _Refusal("unknown_config", config.strip())
    if config and _is_json(config):
        parsed = safejson.loads(config)
        targets = _resolve_targets(parsed, registry)
        if targets != parsed:
            resolved["x-portkey-config"] = json.dumps(targets)
    virtual = headers.get("x-portkey-virtual-key")
    if virtual:
        record = _record(registry.virtual_keys, virtual, "unknown_virtual_key")
        if not headers.get("x-portkey-provider"):
            _credentials(resolved, record)
    provider = headers.get("x-portkey-provider", "")
    if provider.startswith("@"):
        _credentials(resolved, _record(registry.providers, provider, "unknown_provider"))
    return resolved


def _names_a_provider(headers: Mapping[str, str]) -> bool:
    """Whether the request already says where to go: a provider header (a virtual key has
    become one by now), or a config with a provider or targets."""
    if headers.get("x-portkey-provider"):
        return True
    config = headers.get("x-portkey-config")
    if not config:
        return False
    try:
        parsed = safejson.loads(config)
    except ValueError:
        return True  # the gateway's validator answers that
    return not isinstance(parsed, dict) or bool(parsed.get("provider") or parsed.get("targets"))


def resolve_body_model(body: bytes, headers: dict[str, str], registry: Registry) -> bytes | None:
    """A unified request whose body names a catalog model (``"@openai-prod/gpt-image-1"``):
    the body with the bare model name, and ``headers`` given that provider when the request
    names none otherwise (no provider, virtual key or config). ``None`` if nothing changes.

    ASSUMED (unpublished): a provider the request names explicitly wins over the body's
    slug; an unknown slug is refused as the ``@slug`` header is (registry.HOSTED_ERRORS).
    """
    if b'"@' not in body:  # cheap: no catalog name can be in this body
        return None
    try:
        parsed = safejson.loads(body)
    except ValueError:
        return None  # the gateway answers a body that is not JSON its own way
    named = catalog_model(parsed.get("model")) if isinstance(parsed, dict) else None
    if named is None:
        return None
    slug, model = named
    record = _record(registry.providers, slug, "unknown_provider")
    if not _names_a_provider(headers):
        _credentials(headers, record)
    new_body = json.dumps({**parsed, "model": model}, ensure_ascii=False).encode("utf-8")
    headers["content-length"] = str(len(new_body))
    return new_body


async def _read_all(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


class HostedFeatures:
    """ASGI middleware: hosted Portkey's lookups on ``/v1/`` requests, when the profile has them."""

    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or not scope["path"].startswith("/v1/")
            or not self.state.profile.hosted_features
        ):
            await self.app(scope, receive, send)
            return
        request: GatewayRequest | None = scope.get(REQUEST_KEY)  # the journal middleware's
        # The one rule: repeated names joined (built once, by the journal middleware).
        headers = joined_values(scope["headers"]) if request is None else request.headers
        body: bytes | None = None  # the body the gateway gets, when this middleware read it
        try:
            resolved = resolve_hosted(headers, self.state.registry)
            if scope["path"] == "/v1/images/generations":
                # Read here only without the journal middleware, which has read it already.
                sent = await _read_all(receive) if request is None else request.body
                new_body = resolve_body_model(sent, resolved, self.state.registry)
                if new_body is not None or request is None:
                    body = sent if new_body is None else new_body
        except _Refusal as refusal:
            text = _HINTS[refusal.kind].format(name=refusal.name, profile=self.state.profile.name)
            hint(text + ("" if refusal.kind.endswith("api_key") else _REGISTER))
            content = [(b"content-type", b"application/json")] if refusal.body else []
            await send(
                {
                    "type": "http.response.start",
                    "status": refusal.status,
                    "headers": [*content, (b"content-length", str(len(refusal.body)).encode())],
                }
            )
            await send({"type": "http.response.body", "body": refusal.body})
            return
        raw = scope["headers"]
        # Nothing resolved, and the names already lower case and unique: the rebuilt list would
        # be the very same, so the request goes on as it came.
        unchanged = resolved == headers and len(headers) == len(raw)
        if not (unchanged and all(k == k.lower() for k, _ in raw)):
            scope = dict(scope)
            scope["headers"] = [
                (k.encode("latin-1"), v.encode("latin-1")) for k, v in resolved.items()
            ]
            if request is not None:
                request.replace_headers(resolved)
        if body is not None:
            receive = body_then(body, receive)
            if request is not None:
                request.body = body
        await self.app(scope, receive, send)
