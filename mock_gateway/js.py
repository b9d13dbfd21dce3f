"""JavaScript value semantics the gateway's TypeScript relies on, where Python differs."""

from __future__ import annotations

import json
import math
import re
from typing import Any

__all__ = [
    "NAN",
    "clamp",
    "is_number",
    "js_number",
    "js_string",
    "json_safe",
    "parse_int",
    "truthy",
]

NAN = math.nan
_INT_PREFIX = re.compile(r"[+-]?\d+")


def is_number(value: Any) -> bool:
    """``typeof value === 'number'`` for a JSON value (booleans are not numbers in JS)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_int(text: str | None) -> float:
    """``parseInt(text)`` without a radix: a leading integer, hex after ``0x``, else NaN."""
    if text is None:
        return NAN
    stripped = text.lstrip()
    sign = -1 if stripped.startswith("-") else 1
    body = stripped[1:] if stripped[:1] in "+-" else stripped
    if body[:2].lower() == "0x":
        digits = re.match(r"[0-9a-fA-F]+", body[2:])
        if not digits:
            return NAN
        return sign * (int(digits.group(0), 16) if len(digits.group(0)) < 250 else math.inf)
    match = _INT_PREFIX.match(stripped)
    if not match:
        return NAN
    # A double: 300 digits and more may be past 1.8e308 (Infinity); float() has no digit limit.
    return int(match.group(0)) if len(match.group(0)) < 300 else float(match.group(0))


def clamp(value: Any, low: float | None = None, high: float | None = None) -> Any:
    """The gateway's min/max rule: applied only to numbers, and NaN compares false."""
    if not is_number(value) or math.isnan(value):
        return value
    if low is not None and value < low:
        return low
    if high is not None and value > high:
        return high
    return value


def js_string(value: Any) -> str:
    """``String(value)`` for a JSON value, as FormData.append stringifies it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    if isinstance(value, list):
        return ",".join("" if item is None else js_string(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def json_safe(value: Any) -> Any:
    """What ``JSON.stringify`` writes for a value: NaN and infinities become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def truthy(value: Any) -> bool:
    """JavaScript truthiness: every object and array is true, even an empty one."""
    if isinstance(value, dict | list):
        return True
    if isinstance(value, float) and math.isnan(value):
        return False
    return bool(value)


_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_RADIX = {"0x": 16, "0o": 8, "0b": 2}


def js_number(text: str) -> float:
    """``Number(text)`` for a string: trimmed, ``""`` is 0, ``0x``/``0o``/``0b``, else NaN."""
    stripped = text.strip()
    if not stripped:
        return 0.0
    radix = _RADIX.get(stripped[:2].lower())
    if radix is not None:
        try:
            return float(int(stripped[2:], radix)) if "_" not in stripped else NAN
        except ValueError:
            return NAN
    if stripped in ("Infinity", "+Infinity", "-Infinity"):
        return -math.inf if stripped.startswith("-") else math.inf
    return float(stripped) if _DECIMAL.fullmatch(stripped) else NAN


def json_parse_error(text: str) -> str:
    """Node 20's ``JSON.parse`` message, for the common cases (empty, truncated, bad token)."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return _unexpected(text, error.pos)
    except RecursionError:  # JSON.parse takes any depth; the mock refuses (safejson)
        return "mock-portkey-gateway: JSON nested too deeply to parse"
    # Python took a NaN or Infinity token, which JSON.parse refuses: point at the first one.
    inside, escaped = False, False
    for pos, char in enumerate(text):
        if inside:
            inside, escaped = (escaped or char != '"'), (not escaped and char == "\\")
        elif char == '"':
            inside = True
        elif char in "NI":
            return _unexpected(text, pos)
    return "Unexpected end of JSON input"


def _unexpected(text: str, pos: int) -> str:
    if pos >= len(text.rstrip()):
        return "Unexpected end of JSON input"
    snippet = text if len(text) <= 10 else f'{text[:10]}"...'
    quoted = f'"{snippet}"' if len(text) <= 10 else f'"{snippet}'
    return f"Unexpected token '{text[pos]}', {quoted} is not valid JSON"


def property_write_error(value: Any, name: str) -> str:
    """The TypeError strict-mode JS throws for ``value.name = ...`` on a non-object."""
    if value is None:
        return f"Cannot set properties of null (setting '{name}')"
    kind = "boolean" if isinstance(value, bool) else "number" if is_number(value) else "string"
    shown = js_string(value)
    return f"Cannot create property '{name}' on {kind} '{shown}'"
