"""Which contract each answer of each route must satisfy, and the check itself.

Used by ``--strict-responses`` (the server refuses to send an answer that breaks its
contract), by our own tests on every route and error path, and by ``mock-portkey check``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mock_gateway.contract_tools.contracts import validator_for
from mock_gateway.wire import safejson

__all__ = ["Violation", "check_body", "check_json_bytes", "response_contracts"]

_GATEWAY = (
    "portkey/provider-error.json",
    "portkey/gateway-failure.json",
    "portkey/timeout-error.json",
    "portkey/html-message.json",
)
_PROXY = (
    "stability/v1-text-to-image-response.json",
    "stability/v1-error.json",
    "stability/v2beta-generate-response.json",
    "stability/v2beta-error.json",
    "stability/engines-list-response.json",
    "openai/images-response.json",
    "openai/error.json",
    "vertex/predict-response.json",
    "vertex/error.json",
    "segmind/txt2img-response.json",
    "segmind/error.json",
    "fireworks/image-generation-response.json",
    "fireworks/error.json",
    "workers-ai/run-response.json",
    "workers-ai/error.json",
    "portkey/gateway-failure.json",
    "portkey/timeout-error.json",
)
# The unified route's success shape depends on the provider that answered, which the answer
# names in x-portkey-provider.
_UNIFIED_SUCCESS: dict[str, tuple[str, ...]] = {
    "stability-ai": ("portkey/images-response-stability.json",),
    "openai": ("openai/images-response.json",),
    "vertex-ai": ("vertex/unified-response.json",),
    "segmind": ("segmind/unified-response.json",),
    "fireworks-ai": ("fireworks/unified-response.json",),
    "workers-ai": ("workers-ai/unified-response.json",),
}
_UNIFIED = re.compile(r"^/v1/images/generations$")
# The catch-all takes /v1/ itself too (Hono's /v1/* matches an empty rest).
_PROXY_ROUTE = re.compile(r"^/v1/.*")


@dataclass(frozen=True)
class Violation:
    """An answer that matches none of its route's contracts: the closest one and why."""

    contract: str
    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.contract} at {self.pointer or '/'}: {self.message}"


def response_contracts(
    path: str, status: int, provider: str | None = None, method: str = "POST"
) -> tuple[str, ...]:
    """The contracts a JSON answer on ``path`` may satisfy (empty: not checked, e.g. /_mock/).

    ``provider`` is the answer's ``x-portkey-provider``; without it, any provider's shape.
    ``method``: only a POST to /v1/images/generations is the unified route; any other method
    there is proxied to the provider (conformance case proxy-openai-get-images-path).
    """
    if path.startswith("/_mock/") or path == "/":
        return ()
    # Hono answers a method no route takes with its notFound body, on any path.
    unrouted = ("portkey/not-found.json",) if status == 404 else ()
    if _UNIFIED.match(path) and method.upper() == "POST":
        success: tuple[str, ...] = _UNIFIED_SUCCESS.get(provider or "", ())
        if provider is None:
            success = tuple(name for names in _UNIFIED_SUCCESS.values() for name in names)
        return success + _GATEWAY + unrouted
    if _PROXY_ROUTE.match(path):
        return _PROXY + unrouted
    return ("portkey/not-found.json",) if status == 404 else ()


def _pointer(parts: Any) -> str:
    return "".join(f"/{part}" for part in parts)


def check_body(body: Any, contracts: tuple[str, ...]) -> Violation | None:
    """``None`` if ``body`` satisfies one of ``contracts``; else the closest miss."""
    best: tuple[int, Violation] | None = None
    for name in contracts:
        errors = list(validator_for(name).iter_errors(body))
        if not errors:
            return None
        # The contract with the fewest, deepest errors is the one the answer meant to follow.
        error = max(errors, key=lambda e: len(e.absolute_path))
        score = len(errors) * 100 - len(error.absolute_path)
        if best is None or score < best[0]:
            best = (score, Violation(name, _pointer(error.absolute_path), error.message))
    return None if best is None else best[1]


def check_json_bytes(data: bytes, contracts: tuple[str, ...]) -> Violation | None:
    """``check_body`` for raw bytes; bytes that are not JSON are a violation of every contract."""
    try:
        body = safejson.loads(data)
    except ValueError as error:
        return Violation(contracts[0] if contracts else "-", "", f"not JSON: {error}")
    return check_body(body, contracts)
