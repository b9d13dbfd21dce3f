"""An ASGI ``receive`` that gives back a body already read, then the client's own messages.

Middleware that must read a request's body before the app does (hosted lookups, replay) hands
the app this instead, so the app reads the same bytes and still hears a disconnect.
"""

from __future__ import annotations

from starlette.types import Message, Receive

__all__ = ["body_then"]


def body_then(body: bytes, receive: Receive) -> Receive:
    """``receive`` that answers ``body`` once, whole, then whatever ``receive`` answers."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
