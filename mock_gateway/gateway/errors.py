"""The gateway's own error bodies, byte for byte (portkey-gateway-behavior.md §1.1, §6)."""

from __future__ import annotations

from typing import Any

from mock_gateway.wire import safejson

__all__ = [
    "GatewayReply",
    "gateway_exception",
    "gateway_failure",
    "invalid_provider_response",
    "mock_control_error",
    "mock_unsupported",
    "not_found",
    "provider_error",
]


class GatewayReply:
    """A finished answer from the gateway layer itself: status, headers and JSON bytes."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.body = dumps(body)
        self.headers = {"content-type": "application/json", **(headers or {})}


def dumps(value: Any) -> bytes:
    """Compact JSON like ``JSON.stringify``: no spaces, key order kept, non-ASCII as is."""
    return safejson.dumps(value)


def gateway_failure(
    message: str, *, status: int = 400, errors: list[str] | None = None
) -> GatewayReply:
    """The validator's ``{"status":"failure","message":...}`` (plus ``errors`` for configs)."""
    body: dict[str, Any] = {"status": "failure", "message": message}
    if errors is not None:
        body["errors"] = errors
    return GatewayReply(status, body)


def gateway_exception(message: str, *, status: int = 500) -> GatewayReply:
    """A ``GatewayError`` caught in ``tryTargetsRecursively``: it stops fallback chains."""
    return GatewayReply(
        status, {"status": "failure", "message": message}, {"x-portkey-gateway-exception": "true"}
    )


def not_found() -> GatewayReply:
    """Hono's ``app.notFound`` answer for a route no handler owns."""
    return GatewayReply(404, {"message": "Not Found", "ok": False})


def mock_unsupported(what: str) -> GatewayReply:
    """Something the real gateway does that this mock does not model: say so, loudly."""
    return GatewayReply(
        501,
        {"status": "failure", "message": f"mock-portkey-gateway does not model {what}"},
        {"x-mock-unsupported": "true"},
    )


def mock_control_error(message: str) -> GatewayReply:
    """An ``x-mock-*`` control header this mock cannot carry out (not a gateway answer)."""
    return GatewayReply(400, {"status": "failure", "message": message}, {"x-mock-error": "true"})


def provider_error(
    provider: str, message: str, type_: Any = None, param: Any = None, code: Any = None
) -> dict[str, Any]:
    """``generateErrorResponse`` (src/providers/utils.ts): the wrapped provider error."""
    return {
        "error": {
            "message": f"{provider} error: {message}",
            "type": type_,
            "param": param,
            "code": code,
        },
        "provider": provider,
    }


def invalid_provider_response(provider: str, body: Any) -> dict[str, Any]:
    """``generateInvalidProviderResponseError``: an upstream body the transform did not expect."""
    text = dumps(body).decode()
    return {
        "error": {
            "message": f"Invalid response received from {provider}: {text}",
            "type": None,
            "param": None,
            "code": None,
        },
        "provider": provider,
    }
