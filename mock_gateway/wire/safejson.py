"""JSON in and out as the gateway's JavaScript does it, safe on any input.

``JSON.parse`` refuses the ``NaN`` and ``Infinity`` tokens (Python accepts them), turns a
number too big for a double into ``Infinity`` (Python raises on more than 4,300 digits) and
nests as deep as memory allows (Python's parser stops at its recursion limit, and so would the
mock's own code further on). ``JSON.stringify`` writes a non-finite number as ``null`` (Python
writes ``Infinity``, which is not JSON). A body nested deeper than ``MAX_DEPTH`` is refused as
if it were not JSON: a deviation, kept here so that no deep input reaches recursive code.
"""

from __future__ import annotations

import contextvars
import json
import json.scanner
import math
import re
from typing import Any

__all__ = [
    "MAX_DEPTH",
    "YIELDING",
    "YIELDING_SIZE",
    "dumps",
    "encode_text",
    "loads",
    "usv",
    "visible",
]

MAX_DEPTH = 64
# What json.dumps builds on every call with these options, built once.
_STRICT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
# Set while a request runs in a worker thread (mock_gateway.serving.offload): JSON bigger than
# YIELDING_SIZE is then parsed, and all JSON written, by json's pure-Python code (2-4x
# slower), which gives the event loop's thread the GIL every few ms; json's C code keeps it
# from start to end (0.5 s for a 16 MB object of a million keys).
YIELDING: contextvars.ContextVar[bool] = contextvars.ContextVar("yielding_json", default=False)
YIELDING_SIZE = 256 * 1024


_SURROGATE = re.compile("[\ud800-\udfff]")


def usv(text: str) -> str:
    """``text`` as a USVString (what FormData and TextEncoder make): lone surrogates -> U+FFFD.

    JSON's ``\\ud800`` escape gives Python a string UTF-8 cannot encode; JS replaces them.
    """
    return _SURROGATE.sub("\ufffd", text)


def encode_text(text: str) -> bytes:
    """UTF-8, with any lone surrogate replaced by U+FFFD (as TextEncoder does)."""
    try:
        return text.encode()
    except UnicodeEncodeError:
        return usv(text).encode()


def _escape_surrogate(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"


def visible(text: str) -> str:
    """``text`` with each lone surrogate written as its JSON escape (``\\ud800``): shown, and
    encodable. Such a string comes only from parsing JSON that escaped one."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(_escape_surrogate, text)


def _constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _integer(text: str) -> int | float:
    # A JS number is a double: past ~1e308 it is Infinity; shorter integers stay exact here.
    return int(text) if len(text) < 300 else float(text)


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


class _Memo(dict[str, str]):
    """The decoder's key memo, emptied in Python steps rather than in one C call."""

    def clear(self) -> None:
        while self:
            self.popitem()


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    built: dict[str, Any] = {}
    for key, value in pairs:  # a loop in Python, not dict(pairs) in one C call
        built[key] = value
    return built


def _yielding_loads(data: str | bytes) -> Any:
    """``json.loads`` in json's pure-Python scanner: it lets other threads in as it goes."""
    text = data if isinstance(data, str) else data.decode(json.detect_encoding(data))
    decoder = json.JSONDecoder(
        parse_constant=_constant, parse_int=_integer, object_pairs_hook=_object
    )
    decoder.memo = _Memo()  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    try:
        return _shallow(data, decoder.decode(text))
    except RecursionError:
        raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels") from None


def loads(data: str | bytes) -> Any:
    """``JSON.parse``; ``ValueError`` for what it refuses, and for nesting past ``MAX_DEPTH``."""
    if len(data) > YIELDING_SIZE and YIELDING.get():
        return _yielding_loads(data)
    try:
        value = json.loads(data, parse_constant=_constant)
    except RecursionError:
        raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:
        if "digits" not in str(error):  # an integer past Python's 4,300-digit limit
            raise
        # Rare, so only then is every integer parsed in Python.
        value = json.loads(data, parse_constant=_constant, parse_int=_integer)
    return _shallow(data, value)


def _shallow(data: str | bytes, value: Any) -> Any:
    brackets = (
        data.count("[") + data.count("{")
        if isinstance(data, str)
        else (data.count(b"[") + data.count(b"{"))
    )
    if brackets > MAX_DEPTH and _depth(value) > MAX_DEPTH:
        raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")
    return value


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def dumps(value: Any) -> bytes:
    """Compact ``JSON.stringify``: no spaces, key order kept, non-ASCII as is, ``NaN`` as null."""
    try:
        # Off the loop (YIELDING), json's pure-Python encoder, which lets other threads in.
        text = "".join(_STRICT.iterencode(value)) if YIELDING.get() else _STRICT.encode(value)
    except ValueError:  # a non-finite number somewhere: the rare path pays for the walk
        text = json.dumps(_finite(value), separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode()
    except UnicodeEncodeError:
        # A lone surrogate (from a "\\ud800" escape) can sit only inside a string here:
        # well-formed JSON.stringify (ES2019) writes it as that escape, lower-case hex.
        return _SURROGATE.sub(_escape_surrogate, text).encode()
