"""The provider seam: what the gateway layer may ask of a provider, and nothing else.

Every difference between providers lives behind ``Adapter``: where the provider is
(``base_url``, from the target's provider options such as Azure's resource name), the
unified route's mapping (``to_upstream``, ``client_body``, ``client_json``), the proxy
route's provider config (``proxy_headers``, ``proxy_path``), and a last word on every
upstream request (``sign``: AWS SigV4 for Bedrock, the identity elsewhere). The gateway
layer (``mock_gateway.gateway``) never names a provider; adding one touches ``adapters/``
and ``fakes/`` only (CONTRIBUTING.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from mock_gateway.fakes.images import Base64Text
from mock_gateway.gateway.errors import dumps
from mock_gateway.gateway.profiles import Profile
from mock_gateway.hints import hint
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse
from mock_gateway.wire.js import js_string
from mock_gateway.wire.multipart import FormField

__all__ = [
    "UNDICI_HEADERS",
    "Adapter",
    "AdapterCrash",
    "AdapterGatewayError",
    "EditUpstream",
    "GatewayRefusal",
    "fixed_base_url",
    "path_model",
    "bearer",
    "client_json",
    "images_json",
    "unsigned",
]

# What undici adds to every fetch the gateway makes (measured upstream headers, §3.2).
UNDICI_HEADERS = (
    ("accept", "*/*"),
    ("accept-language", "*"),
    ("sec-fetch-mode", "cors"),
    ("user-agent", "node"),
    ("accept-encoding", "gzip, deflate"),
)


class AdapterCrash(TypeError):
    """A TypeError inside the gateway's provider transform: the route answers 500
    "Something went wrong", as the gateway's catch-all does."""

    status = 500
    reply = "Something went wrong"


class AdapterGatewayError(AdapterCrash):
    """A ``GatewayError(message, status)`` the provider's config throws (e.g. Vertex's
    getEndpoint: "Model is required", 400): answered as ``{"status":"failure","message"}``
    with ``x-portkey-gateway-exception: true``, which stops a fallback chain."""

    def __init__(self, message: str, status: int = 500) -> None:
        super().__init__(message)
        self.reply, self.status = message, status


# The earlier name of the same thing (kept one release for code that imports it).
GatewayRefusal = AdapterGatewayError


def path_model(params: Mapping[str, Any], missing: str | None = None) -> str:
    """The request's ``model`` as a URL path segment: JS's `${params.model}`, so a missing
    one is ``undefined`` (and the mock says ``missing``, the fix, when given)."""
    model = js_string(params["model"]) if "model" in params else "undefined"
    if model == "undefined" and missing is not None:
        hint(missing)
    return model


def fixed_base_url(url: str) -> Callable[[Mapping[str, Any]], str]:
    """An adapter's ``base_url`` for a provider with one base URL, whatever the options."""

    def base_url(options: Mapping[str, Any]) -> str:
        del options
        return url

    base_url.__doc__ = f"The one base URL, {url}."
    return base_url


class Adapter(Protocol):
    """One provider, as the gateway maps to and from it (a module or an object)."""

    PROVIDER: str
    """The provider slug (``x-portkey-provider``), one of the gateway's VALID_PROVIDERS."""
    BASE_URL: str
    """The provider's usual base URL (its host names the provider in the inspector)."""
    PROXY_OBJECT_HINT: str
    """The mock's hint when the OSS gateway sends this provider ``[object Object]``."""
    OPTION_HEADERS: Mapping[str, str]
    """Provider option (camelCase, as in a config target) -> the ``x-portkey-*`` header it is
    read from when the provider comes from headers (``constructConfigFromRequestHeaders``)."""

    def base_url(self, options: Mapping[str, Any]) -> str:
        """Where the gateway sends the provider's calls when no custom host is set
        (``getBaseURL``), from the target's provider options."""
        ...

    def to_upstream(
        self,
        params: Mapping[str, Any],
        *,
        api_key: str | None,
        base_url: str,
        boundary: str,
        has_body: bool,
        options: Mapping[str, Any],
    ) -> UpstreamRequest:
        """The upstream request for a unified images call; may raise ``AdapterCrash``."""
        ...

    def client_body(
        self, response: UpstreamResponse, params: Mapping[str, Any], created: int | str
    ) -> Any:
        """The provider's answer as the unified route's client gets it (a JSON value)."""
        ...

    def client_json(self, body: Any) -> bytes:
        """``body`` (from ``client_body``) as the bytes the client gets."""
        ...

    def proxy_headers(
        self, parsed: Any, *, api_key: str | None, options: Mapping[str, Any]
    ) -> list[tuple[str, str]]:
        """The provider config's own headers on the proxy route, its credentials first, for
        the parsed client body (``None`` when none was read); the client's headers win."""
        ...

    def proxy_path(self, path: str, profile: Profile) -> str:
        """The path after the base URL on the proxy route, from the client's path."""
        ...

    def sign(self, request: UpstreamRequest, options: Mapping[str, Any]) -> UpstreamRequest:
        """The request as it leaves the gateway, on both routes (e.g. SigV4-signed)."""
        ...


def bearer(api_key: str | None) -> tuple[str, str]:
    """``Authorization: Bearer <key>``; a missing key is JS ``undefined``."""
    return ("authorization", f"Bearer {'undefined' if api_key is None else api_key}")


def unsigned(request: UpstreamRequest, options: Mapping[str, Any]) -> UpstreamRequest:
    """``Adapter.sign`` for a provider that signs nothing."""
    del options
    return request


class EditUpstream(Protocol):
    """An adapter's optional ``edit_upstream`` member: the upstream request for the unified
    ``POST /v1/images/edits`` (the client's form parts, passed whole as the gateway does).
    The gateway maps edits for ``openai``, ``azure-openai`` and ``azure-ai``; a provider
    without the member gets the form posted to its base URL (gateway/edits.py)."""

    def __call__(
        self,
        form: list[FormField],
        *,
        api_key: str | None,
        base_url: str,
        boundary: str,
        options: Mapping[str, Any],
    ) -> UpstreamRequest: ...


def client_json(body: Any) -> bytes:
    """``dumps(body)``, by the fast path when it applies: the usual ``client_json``."""
    return images_json(body) or dumps(body)


def images_json(body: Any) -> bytes | None:
    """``dumps(body)`` for a client body of images whose base64 is ``Base64Text`` (the fakes'
    own), written without scanning the base64 for escapes; ``None`` for any other body."""
    if type(body) is not dict or tuple(body) != ("created", "data", "provider"):
        return None
    created, items, provider = body["created"], body["data"], body["provider"]
    if type(created) not in (int, str) or type(provider) is not str or type(items) is not list:
        return None
    images = []
    for item in items:
        if type(item) is not dict or len(item) != 1 or type(item.get("b64_json")) is not Base64Text:
            return None
        images.append('{"b64_json":"' + item["b64_json"] + '"}')
    return (
        '{"created":' + (repr(created) if type(created) is int else dumps(created).decode())
        + ',"data":[' + ",".join(images)
        + '],"provider":' + dumps(provider).decode() + "}"
    ).encode()  # fmt: skip
