"""Turning gateway decisions into Starlette responses, and checks shared by both routes."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from mock_gateway.gateway.errors import GatewayReply, gateway_exception, mock_unsupported
from mock_gateway.gateway.providers import IMAGE_PROVIDERS, MODELLED_PROVIDERS, VALID_PROVIDERS
from mock_gateway.journal import Attempt
from mock_gateway.state import MockState

__all__ = ["attempts_of", "provider_problem", "raw", "reply", "state_of"]


def reply(answer: GatewayReply) -> Response:
    """A gateway-made answer as a response."""
    return Response(answer.body, answer.status, headers=answer.headers)


def raw(body: bytes, status: int, headers: Mapping[str, str]) -> Response:
    """Bytes with exactly these headers (the content type among them)."""
    return Response(body, status, headers=dict(headers))


def state_of(request: Request) -> MockState:
    """The app's mock state."""
    state: MockState = request.app.state.mock
    return state


def attempts_of(request: Request) -> list[Attempt]:
    """The upstream attempts of this request, which the journal middleware collects."""
    attempts: list[Attempt] = request.scope.setdefault("mock.attempts", [])
    return attempts


def provider_problem(provider: str | None, *, images: bool) -> GatewayReply | None:
    """What the gateway (or this mock) says before any upstream call for ``provider``."""
    if provider not in VALID_PROVIDERS or provider == "portkey":
        # ProviderContext: no provider config -> GatewayError (JS prints undefined as '').
        return gateway_exception(f"Provider {provider or ''} not found")
    if images and provider not in IMAGE_PROVIDERS:
        return gateway_exception(f"imageGenerate is not supported by {provider}")
    if provider not in MODELLED_PROVIDERS:
        return mock_unsupported(
            f"provider {provider!r} (only {', '.join(sorted(MODELLED_PROVIDERS))})"
        )
    return None
