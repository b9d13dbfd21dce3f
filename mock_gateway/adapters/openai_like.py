"""The gateway's mapping for the OpenAI-compatible image providers, as one parameterised adapter.

recraft-ai, deepbricks, lemonfox-ai, nscale, hyperbolic and siliconflow share the gateway's
generic machinery (src/providers/<name>/{api,imageGenerate}.ts at v1.15.2): an allow-list of
body keys with clamps and defaults (``transformUsingProviderConfig``), a JSON POST with a
Bearer key, and a small response transform. What differs is data (``OpenAILikeAdapter``'s
arguments, one module per provider: ``adapters/recraft.py``, ...) and the response transform,
one function each below. Facts: docs/facts/providers/<name>.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mock_gateway.adapters.base import UNDICI_HEADERS, AdapterCrash, bearer, client_json
from mock_gateway.gateway.errors import provider_error
from mock_gateway.gateway.profiles import Profile
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse, parsed_json
from mock_gateway.wire import safejson
from mock_gateway.wire.js import clamp, js_string

__all__ = [
    "OpenAILikeAdapter",
    "Param",
    "Transform",
    "fixed",
    "lemonfox_transform",
    "map_body",
    "nscale_transform",
    "openai_error_transform",
    "recraft_transform",
    "transform_input",
]

_ABSENT: Any = object()


@dataclass(frozen=True)
class Param:
    """One entry of a provider's ``imageGenerate`` config: the client's key, the upstream key,
    the clamp, and the default sent when the key is absent (only ``required`` ones have it)."""

    name: str
    to: str = ""
    low: float | None = None
    high: float | None = None
    default: Any = _ABSENT


def map_body(params: Mapping[str, Any], table: tuple[Param, ...]) -> dict[str, Any]:
    """``transformUsingProviderConfig``: the table's keys in its order, clamped, renamed."""
    body: dict[str, Any] = {}
    for param in table:
        if param.name in params:
            value = params[param.name]
            if param.low is not None or param.high is not None:
                value = clamp(value, param.low, param.high)
        elif param.default is not _ABSENT:
            value = param.default
        else:
            continue
        body[param.to or param.name] = value
    return body


def transform_input(response: UpstreamResponse) -> Any:
    """What the gateway hands a response transform: the JSON, or ``{"html-message": text}``."""
    try:
        return parsed_json(response)
    except ValueError:
        return {"html-message": response.body.decode("utf-8", "replace")}


def _has(value: Any, key: str) -> bool:
    """JS ``key in value``: a TypeError on a primitive (a JSON string, number, null)."""
    if isinstance(value, dict):
        return key in value
    if isinstance(value, list):
        return key.isdigit() and int(key) < len(value)
    raise AdapterCrash(f"Cannot use 'in' operator to search for '{key}' in {js_string(value)}")


def _spread(value: Any) -> dict[str, Any]:
    """``{...value}``: an object's keys, a string's or an array's indices, else nothing."""
    if isinstance(value, dict):
        return value
    if isinstance(value, list | str):
        return {str(index): item for index, item in enumerate(value)}
    return {}


def _template(value: Any) -> str:
    """A value inside a JS template literal (``undefined`` for a missing one)."""
    return "undefined" if value is _ABSENT else js_string(value)


Transform = Callable[[str, Any, int, int | str], Any]


def openai_error_transform(provider: str, data: Any, status: int, created: int | str) -> Any:
    """``200 !== status && "error" in body ? generateErrorResponse({...body.error}) : body``
    (deepbricks, hyperbolic, siliconflow; openai/utils.ts and their own copies)."""
    del created
    if status != 200 and _has(data, "error"):
        error = _spread(data["error"])
        return provider_error(
            provider,
            _template(error.get("message", _ABSENT)),
            error.get("type"),
            error.get("param"),
            error.get("code"),
        )
    return data


def _falsy(value: Any) -> bool:
    return value in (None, False, 0, "") and not (isinstance(value, float) and value != value)


def recraft_transform(provider: str, data: Any, status: int, created: int | str) -> Any:
    """recraft-ai/imageGenerate.ts: ``200 !== status || "error" in body`` is an error, each
    field ``|| null`` and the message ``|| "Unknown error occurred"`` (so a native body
    without an OpenAI ``error`` object loses its message)."""
    del created
    if status != 200 or _has(data, "error"):
        raw = data.get("error") if isinstance(data, dict) else None
        error = raw if isinstance(raw, dict) else {}
        fields = [error.get(name) for name in ("message", "type", "param", "code")]
        message, type_, param, code = (None if _falsy(value) else value for value in fields)
        text = "Unknown error occurred" if message is None else js_string(message)
        return provider_error(provider, text, type_, param, code)
    return data


def lemonfox_transform(provider: str, data: Any, status: int, created: int | str) -> Any:
    """lemonfox-ai/imageGenerate.ts: the message and type kept, ``param`` and ``code`` null;
    ``body.error.message`` on a null ``error`` is a TypeError."""
    del created
    if status != 200 and _has(data, "error"):
        error = data["error"]
        if error is None:
            raise AdapterCrash("Cannot read properties of null (reading 'message')")
        spread = _spread(error) if not isinstance(error, int | float | bool) else {}
        message, type_ = spread.get("message", _ABSENT), spread.get("type")
        return provider_error(provider, _template(message), type_, None, None)
    return data


def nscale_transform(provider: str, data: Any, status: int, created: int | str) -> Any:
    """nscale/imageGenerate.ts ignores the status: ``{created: Date.now(), data:
    body.data.map(item => ({url, b64_json}))}``. Any body without a ``data`` array (every
    error, an HTML page) throws, and the client gets the 500 gateway exception."""
    del provider, status
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise AdapterCrash("Cannot read properties of undefined (reading 'map')")
    out = []
    for item in items:
        if item is None:
            raise AdapterCrash("Cannot read properties of null (reading 'url')")
        spread = item if isinstance(item, dict) else {}
        # JSON.stringify drops the undefined one of the two.
        out.append({key: spread[key] for key in ("url", "b64_json") if key in spread})
    # Date.now(): the gateway's clock in milliseconds (a 13-digit number, measured).
    millis = int(created) if isinstance(created, str) else created * 1000
    return {"created": millis, "data": out}


class OpenAILikeAdapter:
    """One provider's adapter (``adapters.base.Adapter``), from its data."""

    PROXY_OBJECT_HINT = ""  # JSON providers: the proxy never sends [object Object]
    OPTION_HEADERS: Mapping[str, str] = {}

    def __init__(
        self,
        *,
        provider: str,
        base_url: str,
        table: tuple[Param, ...],
        endpoint: Callable[[Mapping[str, Any]], str],
        transform: Transform,
        headers: Callable[[Mapping[str, Any]], list[tuple[str, str]]] = lambda options: [],
    ) -> None:
        self.PROVIDER = provider
        self.BASE_URL = base_url
        self.table, self.endpoint, self.transform, self.headers = (
            table,
            endpoint,
            transform,
            headers,
        )

    def base_url(self, options: Mapping[str, Any]) -> str:
        """One base URL (``getBaseURL``); a custom host replaces it."""
        del options
        return self.BASE_URL

    def map_params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The body the gateway sends: the allow-list in order, clamped, renamed."""
        return map_body(params, self.table)

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
        """The JSON POST the gateway sends for a unified images call."""
        del boundary
        body = safejson.dumps(self.map_params(params)) if has_body else b""
        headers = [
            ("content-type", "application/json"),
            bearer(api_key),
            *self.headers(options),
            *UNDICI_HEADERS,
            ("content-length", str(len(body))),
        ]
        url = f"{base_url}{self.endpoint(params)}"
        return UpstreamRequest.build("POST", url, headers, body)

    def client_body(
        self, response: UpstreamResponse, params: Mapping[str, Any], created: int | str
    ) -> Any:
        """The provider's transform over the parsed answer; may raise ``AdapterCrash``."""
        del params
        return self.transform(self.PROVIDER, transform_input(response), response.status, created)

    def client_json(self, body: Any) -> bytes:
        """The client body's bytes (``JSON.stringify``)."""
        return client_json(body)

    def proxy_headers(
        self, parsed: Any, *, api_key: str | None, options: Mapping[str, Any]
    ) -> list[tuple[str, str]]:
        """The provider config's headers on the proxy route: the key, plus its own."""
        del parsed
        return [bearer(api_key), *self.headers(options)]

    def proxy_path(self, path: str, profile: Profile) -> str:
        """The path after /v1 (or /v1/proxy) is appended to the base URL as it is."""
        del profile
        return path

    def sign(self, request: UpstreamRequest, options: Mapping[str, Any]) -> UpstreamRequest:
        """Nothing is signed."""
        del options
        return request


def fixed(path: str) -> Callable[[Mapping[str, Any]], str]:
    """``getEndpoint`` for a provider with one images path."""
    return lambda params: path
