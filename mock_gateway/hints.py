"""Mock-only hints: why the mock answered as it did, where the faithful answer does not say.

The status and body stay faithful; the ``x-mock-hint`` response header (ASCII, one short
line) and one ``mock_gateway`` log line say what is missing and why: a missing
``x-portkey-api-key`` under a hosted profile, an unknown virtual key, a retired model, a
profile quirk. Code anywhere under a request calls ``hint(...)``; the journal middleware
adds the header when the answer starts.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

__all__ = ["HINT_HEADER", "MAX_HINT", "collecting", "header_value", "hint"]

HINT_HEADER = "x-mock-hint"
MAX_HINT = 300  # characters: a header a person reads, not a report

logger = logging.getLogger("mock_gateway")

# The hints of the request being handled (a list per request; None outside one).
_current: ContextVar[list[str] | None] = ContextVar("mock_hints", default=None)


def collecting() -> list[str]:
    """Start collecting hints for a new request; the list they will be added to."""
    hints: list[str] = []
    _current.set(hints)
    return hints


def hint(text: str) -> None:
    """Say why this request got its answer: logged once, and sent as ``x-mock-hint``."""
    hints = _current.get()
    if hints is None or text in hints:  # outside a gateway request (the upstream role)
        return
    hints.append(text)
    logger.warning("mock-portkey-gateway hint: %s", text)  # seen without logging set up


def header_value(hints: list[str]) -> bytes:
    """The header's value: the hints joined, printable ASCII only, at most ``MAX_HINT`` long."""
    text = "; ".join(hints)
    ascii_text = "".join(c if " " <= c <= "~" else "?" for c in text)
    if len(ascii_text) > MAX_HINT:
        ascii_text = ascii_text[: MAX_HINT - 3] + "..."
    return ascii_text.encode("ascii")
