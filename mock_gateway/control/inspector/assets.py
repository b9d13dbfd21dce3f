"""The inspector's stylesheet and script (``static/inspector.css``, ``static/inspector.js``):
plain files, no build step, nothing from the internet; read once, as package data.

The script filters rows (the same rules as ``Filters.matches``), and on the live page polls
``/_mock/inspector/rows`` once a second; the server answers 204 while nothing changed.
It never builds HTML from data itself: rows arrive rendered and escaped by the server, and
filter choices are set with ``new Option`` (text, not markup).
"""

from __future__ import annotations

from importlib.resources import files

__all__ = ["SCRIPT", "STYLE"]

_STATIC = files(__package__ or "mock_gateway.control.inspector").joinpath("static")
STYLE = _STATIC.joinpath("inspector.css").read_text(encoding="utf-8")
SCRIPT = _STATIC.joinpath("inspector.js").read_text(encoding="utf-8")
