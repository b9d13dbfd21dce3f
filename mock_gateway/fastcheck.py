"""A fast "certainly valid" check for the simple contracts, so a valid request skips jsonschema.

jsonschema walks a schema for every request (~100 us for a Stability v1 body). Most requests
are valid, and the simple contracts use a handful of keywords, so each is compiled once into
a plain Python predicate. It answers True only when the instance is certainly valid; any
doubt (a float where an integer is wanted, a float multiple) answers False, and a keyword it
does not know means no predicate at all: the caller then runs jsonschema, which alone words
the error. A property test holds it to jsonschema: whatever it accepts, jsonschema accepts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

__all__ = ["Predicate", "Resolver", "Unsupported", "compile_schema"]

Predicate = Callable[[Any], bool]
# Maps a $ref, as written, to its target and the resolver for refs inside that target.
Resolver = Callable[[str], "tuple[Any, Resolver]"]
# Keywords that say nothing about validity.
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "title", "description", "default", "examples", "$defs"}
)


class Unsupported(Exception):
    """The schema uses a keyword this compiler does not know: no fast path for it."""


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPES: dict[str, Predicate] = {
    "string": lambda v: isinstance(v, str),
    # jsonschema counts 1.0 as an integer; that doubt is left to it.
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: _number(v) and (not isinstance(v, float) or math.isfinite(v)),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _same(choice: Any, value: Any) -> bool:
    # Scalars of the very same type only: True == 1 in Python, not in JSON Schema.
    return (
        type(choice) is type(value)
        and isinstance(value, str | int | bool | None)
        and (choice == value)
    )


def _type(arg: Any) -> Predicate:
    kinds = [_TYPES[kind] for kind in ([arg] if isinstance(arg, str) else arg)]
    return lambda v: any(kind(v) for kind in kinds)


def _bound(keyword: str, arg: Any) -> Predicate:
    if keyword == "minimum":
        return lambda v: not _number(v) or v >= arg
    if keyword == "maximum":
        return lambda v: not _number(v) or v <= arg
    if keyword == "minLength":
        return lambda v: not isinstance(v, str) or len(v) >= arg
    if keyword == "maxLength":
        return lambda v: not isinstance(v, str) or len(v) <= arg
    if keyword == "minItems":
        return lambda v: not isinstance(v, list) or len(v) >= arg
    if keyword == "maxItems":
        return lambda v: not isinstance(v, list) or len(v) <= arg
    if keyword == "multipleOf" and isinstance(arg, int):
        # A float multiple is left to jsonschema (its float arithmetic is its own).
        return lambda v: not _number(v) or (isinstance(v, int) and v % arg == 0)
    raise Unsupported(keyword)


def _keyword(keyword: str, arg: Any, schema: dict[str, Any], resolve: Resolver) -> Predicate:
    if keyword == "type":
        return _type(arg)
    if keyword == "required":
        return lambda v: not isinstance(v, dict) or all(name in v for name in arg)
    if keyword == "enum":
        return lambda v: any(_same(choice, v) for choice in arg)
    if keyword == "const":
        return lambda v: _same(arg, v)
    if keyword == "items" and isinstance(arg, dict):
        item = compile_schema(arg, resolve)
        return lambda v: not isinstance(v, list) or all(map(item, v))
    if keyword == "additionalProperties" and arg is False:
        known = frozenset(schema.get("properties", {}))
        return lambda v: not isinstance(v, dict) or known.issuperset(v)
    if keyword == "properties":
        checks = {name: compile_schema(sub, resolve) for name, sub in arg.items()}
        return lambda v: (
            not isinstance(v, dict)
            or all(check(v[name]) for name, check in checks.items() if name in v)
        )
    if keyword == "propertyNames":
        names = compile_schema(arg, resolve)
        return lambda v: not isinstance(v, dict) or all(map(names, v))
    if keyword == "allOf":
        parts = [compile_schema(sub, resolve) for sub in arg]
        return lambda v: all(part(v) for part in parts)
    if keyword == "dependentRequired":
        return lambda v: (
            not isinstance(v, dict)
            or all(name in v for key, names in arg.items() if key in v for name in names)
        )
    if keyword == "$ref":
        target, inner = resolve(arg)
        return compile_schema(target, inner)
    return _bound(keyword, arg)


def compile_schema(schema: Any, resolve: Resolver) -> Predicate:
    """A predicate True only for instances ``schema`` certainly accepts; ``Unsupported`` if
    it uses a keyword (or a recursive ``$ref``) this compiler does not take."""
    if schema is True:
        return lambda v: True
    if not isinstance(schema, dict):
        raise Unsupported(repr(schema))
    try:
        checks = [
            _keyword(keyword, arg, schema, resolve)
            for keyword, arg in schema.items()
            if keyword not in _ANNOTATIONS and not keyword.startswith("x-")
        ]
    except RecursionError:
        raise Unsupported("a recursive $ref") from None
    return lambda v: all(check(v) for check in checks)
