"""``--strict-responses``: the server refuses to send an answer that breaks its contract.

A debug switch. An answer that matches none of its route's contracts is replaced by a loud
500 naming the violation (and recorded, so the pytest fixture fails the test), so a bug in
the mock can never teach a client a wrong shape.
"""

from __future__ import annotations

import json
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_gateway.contract_tools.route_map import (
    check_json_bytes,
    check_sse_bytes,
    response_contracts,
)
from mock_gateway.state import MockState

__all__ = ["ContractViolation", "StrictResponses"]

logger = logging.getLogger("mock_gateway")


class ContractViolation(AssertionError):
    """The mock was about to send an answer its own contracts forbid."""


def _contracts(scope: Scope, start: Message) -> tuple[str, ...]:
    """The contracts a JSON answer with this start must meet (none for other answers)."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start["headers"]}
    # HEAD: the headers of a GET, and no body to check.
    if not headers.get("content-type", "").startswith("application/json"):
        return ()
    if scope["method"] == "HEAD":
        return ()
    provider = headers.get("x-portkey-provider")
    return response_contracts(scope["path"], start["status"], provider, scope["method"])


def _is_stream(scope: Scope, start: Message) -> bool:
    """An image stream (OpenAI's server-sent events), checked event by event."""
    types = [v for k, v in start["headers"] if k.lower() == b"content-type"]
    is_sse = bool(types) and types[0].decode("latin-1").startswith("text/event-stream")
    return is_sse and scope["path"].startswith("/v1/images/")


class StrictResponses:
    """ASGI middleware: check each JSON answer against its route's contracts before sending."""

    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: list[Message] = []
        checked = True  # whether the answer has a contract to be held and checked against

        async def hold(message: Message) -> None:
            nonlocal checked
            if message["type"] == "http.response.start":
                checked = bool(_contracts(scope, message)) or _is_stream(scope, message)
            if checked:
                held.append(message)
            else:  # nothing to check (the journal's pages, images): streamed as it comes
                await send(message)

        await self.app(scope, receive, hold)
        if not checked:
            return
        start, body = held[0], b"".join(m.get("body", b"") for m in held[1:])
        contracts = _contracts(scope, start)
        # An empty 200 is what the gateway streams back for `stream: true` (Bedrock, measured
        # br-stream-true: docs/facts/providers/bedrock.md §1.2): a real answer, not JSON.
        empty = not body and start["status"] == 200 and scope["path"] == "/v1/images/generations"
        if _is_stream(scope, start):
            violation = check_sse_bytes(body)
        else:
            violation = check_json_bytes(body, contracts) if contracts and not empty else None
        if violation is None:
            for message in held:
                await send(message)
            return
        problem = f"{scope['method']} {scope['path']} -> {start['status']}: {violation}"
        logger.error("mock-portkey-gateway broke its own contract: %s", problem)
        self.state.errors.append(ContractViolation(problem))
        data = json.dumps(
            {"status": "failure", "message": f"mock-portkey-gateway broke its contract: {problem}"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 500,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(data)).encode()),
                    (b"x-mock-contract-violation", b"true"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": data})
