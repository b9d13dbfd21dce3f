"""A fast "certainly valid" check for the simple contracts, so a valid request skips jsonschema.

jsonschema walks a schema for every request (~100 us for a Stability v1 body). Most requests
are valid, and the simple contracts use a handful of keywords, so each is compiled once into
a plain Python predicate. It answers True only when the instance is certainly valid; any
doubt (a float where an integer is wanted, a float multiple) answers False, and a keyword it
does not know means no predicate at all: the caller then runs jsonschema, which alone words
the error. A property test holds it to jsonschema: whatever it accepts, jsonschema accepts.

The predicate is generated as the source of one Python function, every check inline (no call
per keyword or per property): a few microseconds for a Stability v1 body.
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


# Scalars an enum or const can match: the very same type only (True == 1 in Python, not in
# JSON Schema), and no floats (a float enum is left to jsonschema).
_SCALARS = (str, int, bool, type(None))


def _number(v: str) -> str:
    return f"(isinstance({v}, (int, float)) and not isinstance({v}, bool))"


_TYPES: dict[str, str] = {
    "string": "isinstance({v}, str)",
    # jsonschema counts 1.0 as an integer; that doubt is left to it.
    "integer": "(isinstance({v}, int) and not isinstance({v}, bool))",
    "number": "({n} and (not isinstance({v}, float) or _isfinite({v})))",
    "object": "isinstance({v}, dict)",
    "array": "isinstance({v}, list)",
    "boolean": "isinstance({v}, bool)",
    "null": "{v} is None",
}
# (keyword, the type it applies to, the comparison that must hold)
_BOUNDS = {
    "minimum": (None, "{v} >= {a}"),
    "maximum": (None, "{v} <= {a}"),
    "minLength": ("str", "len({v}) >= {a}"),
    "maxLength": ("str", "len({v}) <= {a}"),
    "minItems": ("list", "len({v}) >= {a}"),
    "maxItems": ("list", "len({v}) <= {a}"),
}


class _Source:
    """The generated function: its lines, and the constants they name."""

    def __init__(self) -> None:
        self.constants: dict[str, Any] = {"_isfinite": math.isfinite, "_SCALARS": _SCALARS}
        self.names = 0

    def constant(self, value: Any) -> str:
        name = f"_c{len(self.constants)}"
        self.constants[name] = value
        return name

    def variable(self) -> str:
        self.names += 1
        return f"v{self.names}"


def _block(header: str, body: list[str]) -> list[str]:
    return [header, *("    " + line for line in body)] if body else []


def _fail(condition: str) -> str:
    return f"if {condition}: return False"


def _scalar_pairs(choices: Any, src: _Source) -> str:
    pairs = frozenset((type(c), c) for c in choices if isinstance(c, _SCALARS))
    return src.constant(pairs)


def _keyword(
    keyword: str, arg: Any, schema: dict[str, Any], v: str, resolve: Resolver, src: _Source
) -> list[str]:
    if keyword == "type":
        kinds = [_TYPES[kind] for kind in ([arg] if isinstance(arg, str) else arg)]
        test = " or ".join(kind.format(v=v, n=_number(v)) for kind in kinds) or "False"
        return [_fail(f"not ({test})")]
    if keyword == "required":
        names = src.constant(tuple(arg))
        return [_fail(f"isinstance({v}, dict) and not all(n in {v} for n in {names})")]
    if keyword in ("enum", "const"):
        pairs = _scalar_pairs(arg if keyword == "enum" else [arg], src)
        return [_fail(f"not (isinstance({v}, _SCALARS) and (type({v}), {v}) in {pairs})")]
    if keyword == "items" and isinstance(arg, dict):
        item = src.variable()
        loop = _block(f"for {item} in {v}:", _emit(arg, item, resolve, src))
        return _block(f"if isinstance({v}, list):", loop)
    if keyword == "additionalProperties" and arg is False:
        known = src.constant(frozenset(schema.get("properties", {})))
        return [_fail(f"isinstance({v}, dict) and not {known}.issuperset({v})")]
    if keyword == "properties":
        lines: list[str] = []
        for name, sub in arg.items():
            value = src.variable()
            key = src.constant(name)
            inner = _emit(sub, value, resolve, src)
            lines += _block(f"if {key} in {v}:", [f"{value} = {v}[{key}]", *inner] if inner else [])
        return _block(f"if isinstance({v}, dict):", lines)
    if keyword == "propertyNames":
        name = src.variable()
        loop = _block(f"for {name} in {v}:", _emit(arg, name, resolve, src))
        return _block(f"if isinstance({v}, dict):", loop)
    if keyword == "allOf":
        return [line for sub in arg for line in _emit(sub, v, resolve, src)]
    if keyword == "dependentRequired":
        lines = []
        for key, names in arg.items():
            wanted, listed = src.constant(key), src.constant(tuple(names))
            lines.append(_fail(f"{wanted} in {v} and not all(n in {v} for n in {listed})"))
        return _block(f"if isinstance({v}, dict):", lines)
    if keyword == "$ref":
        target, inner_resolve = resolve(arg)
        return _emit(target, v, inner_resolve, src)
    return _bound(keyword, arg, v, src)


def _bound(keyword: str, arg: Any, v: str, src: _Source) -> list[str]:
    if keyword in _BOUNDS:
        kind, test = _BOUNDS[keyword]
        applies = _number(v) if kind is None else f"isinstance({v}, {kind})"
        return [_fail(f"{applies} and not ({test.format(v=v, a=src.constant(arg))})")]
    if keyword == "multipleOf" and isinstance(arg, int):
        # A float multiple is left to jsonschema (its float arithmetic is its own).
        step = src.constant(arg)
        return [_fail(f"{_number(v)} and not (isinstance({v}, int) and {v} % {step} == 0)")]
    raise Unsupported(keyword)


def _emit(schema: Any, v: str, resolve: Resolver, src: _Source) -> list[str]:
    """The lines that return False from the function when ``v`` may break ``schema``."""
    if schema is True:
        return []
    if not isinstance(schema, dict):
        raise Unsupported(repr(schema))
    return [
        line
        for keyword, arg in schema.items()
        if keyword not in _ANNOTATIONS and not keyword.startswith("x-")
        for line in _keyword(keyword, arg, schema, v, resolve, src)
    ]


def compile_schema(schema: Any, resolve: Resolver) -> Predicate:
    """A predicate True only for instances ``schema`` certainly accepts; ``Unsupported`` if
    it uses a keyword (or a recursive ``$ref``) this compiler does not take."""
    src = _Source()
    try:
        lines = _emit(schema, "v0", resolve, src)
    except RecursionError:
        raise Unsupported("a recursive $ref") from None
    code = "\n".join(["def check(v0):", *("    " + line for line in lines), "    return True"])
    namespace = dict(src.constants)
    exec(
        compile(code, "<mock_gateway.contract_tools.fastcheck>", "exec"), namespace
    )  # our own source only
    check: Predicate = namespace["check"]
    return check
