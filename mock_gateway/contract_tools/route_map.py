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

__all__ = [
    "STREAM_EVENT_CONTRACT",
    "Violation",
    "check_body",
    "check_json_bytes",
    "check_sse_bytes",
    "response_contracts",
]

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
    # Creative upscale and relight: 200 {id} to the POST, 202 in-progress to the poll.
    "stability/v2beta-async-started.json",
    "stability/v2beta-async-in-progress.json",
    "openai/images-response.json",
    "openai/error.json",
    "azure-openai/images-response.json",
    "azure-openai/error.json",
    "bedrock/v1-invoke-response.json",
    "bedrock/v2-invoke-response.json",
    "bedrock/error.json",
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
    # The OpenAI-compatible providers' own answers (fakes/openai_like.py, hyperbolic.py,
    # siliconflow.py).
    "recraft-ai/images-response.json",
    "recraft-ai/error.json",
    "deepbricks/images-response.json",
    "deepbricks/error.json",
    "lemonfox-ai/images-response.json",
    "lemonfox-ai/error.json",
    "nscale/images-response.json",
    "nscale/error.json",
    "hyperbolic/images-response.json",
    "hyperbolic/error.json",
    "siliconflow/images-response.json",
    "siliconflow/error.json",
)
# The unified route's success shape depends on the provider that answered, which the answer
# names in x-portkey-provider.
_UNIFIED_SUCCESS: dict[str, tuple[str, ...]] = {
    "stability-ai": ("portkey/images-response-stability.json",),
    "openai": ("openai/images-response.json",),
    "azure-openai": ("azure-openai/images-response.json",),
    "azure-ai": ("azure-openai/images-response.json",),  # with "provider": "azure-ai"
    "recraft-ai": ("recraft-ai/images-response.json",),
    "deepbricks": ("deepbricks/images-response.json",),
    "lemonfox-ai": ("lemonfox-ai/images-response.json",),
    "nscale": ("nscale/unified-response.json",),
    # Passed through raw, errors included, when they carry no OpenAI `error` object.
    "hyperbolic": ("hyperbolic/images-response.json", "hyperbolic/error.json"),
    "siliconflow": ("siliconflow/images-response.json", "siliconflow/error.json"),
    "bedrock": ("portkey/images-response-bedrock.json",),
    "vertex-ai": ("vertex/unified-response.json",),
    "segmind": ("segmind/unified-response.json",),
    "fireworks-ai": ("fireworks/unified-response.json",),
    "workers-ai": ("workers-ai/unified-response.json",),
}
_UNIFIED = re.compile(r"^/v1/images/generations$")
# POST /v1/images/edits passes the provider's answer back unchanged (gateway-image-edits.md
# §4): OpenAI's own shapes, else the gateway's failures. A stream's events are checked one by
# one against openai/images-stream-event.json (``check_sse_bytes``).
_EDITS = re.compile(r"^/v1/images/edits$")
_EDITS_CONTRACTS = (
    "openai/images-response.json",
    "openai/error.json",
    # A provider without edits gets the form at its base URL and answers there, passed back
    # as it is: Stability's 404 (conformance: edits-stability-form-to-base-url).
    "stability/v1-error.json",
    "portkey/gateway-failure.json",
    "portkey/timeout-error.json",
)
STREAM_EVENT_CONTRACT = "openai/images-stream-event.json"
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
    if _EDITS.match(path) and method.upper() == "POST":
        return _EDITS_CONTRACTS + unrouted
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


def check_sse_bytes(data: bytes) -> Violation | None:
    """The first event of an image stream (``text/event-stream``) that breaks its contract."""
    from mock_gateway.fakes.openai_stream import sse_events

    try:
        events = sse_events(data)
    except ValueError as error:
        return Violation(STREAM_EVENT_CONTRACT, "", f"an event is not JSON: {error}")
    for index, (name, payload) in enumerate(events):
        violation = check_body(payload, (STREAM_EVENT_CONTRACT,))
        if violation is None and isinstance(payload, dict) and payload.get("type") != name:
            violation = Violation(
                STREAM_EVENT_CONTRACT, "/type", f"event {name!r} carries another type"
            )
        if violation is not None:
            return Violation(
                violation.contract, f"/events/{index}{violation.pointer}", violation.message
            )
    return None
