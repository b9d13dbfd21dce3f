"""The JSON-Schema contracts, loaded once from the package (or the checkout) into a registry.

For users who check payloads in their own tests::

    from mock_gateway.contract_tools import contracts
    contracts.validate("portkey/images-response-stability.json", response.json())
    for problem in contracts.iter_errors("openai/images-request.json", body, "gpt-image-1"): ...
"""

from __future__ import annotations

import json
import posixpath
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from mock_gateway.contract_tools.fastcheck import Predicate, Resolver, Unsupported, compile_schema

__all__ = [
    "CONTRACT_BASE",
    "ContractError",
    "Problem",
    "contract",
    "certainly_valid",
    "contract_names",
    "describe",
    "field_path",
    "first_error",
    "iter_errors",
    "load",
    "validate",
    "validator_for",
]

CONTRACT_BASE = "https://mock-portkey-gateway.dev/contracts/"


def _root() -> Traversable:
    # Installed wheels carry the contracts inside the package; a checkout has them at the top.
    packaged = files("mock_gateway").joinpath("contracts")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "contracts"


def _walk(folder: Traversable, prefix: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {}
    for entry in folder.iterdir():
        if entry.is_dir():
            found |= _walk(entry, f"{prefix}{entry.name}/")
        elif entry.name.endswith(".json"):
            found[prefix + entry.name] = json.loads(entry.read_text(encoding="utf-8"))
    return found


@cache
def _schemas() -> dict[str, Any]:
    return _walk(_root())


@cache
def _registry() -> Registry[Any]:
    resources = [Resource.from_contents(schema) for schema in _schemas().values()]
    return resources @ Registry()


def contract(name: str) -> dict[str, Any]:
    """The contract document called ``name`` (``KeyError`` naming the known ones otherwise)."""
    schemas = _schemas()
    if name not in schemas:
        raise KeyError(f"no contract {name!r}; known: {', '.join(sorted(schemas))}")
    document: dict[str, Any] = schemas[name]
    return document


def contract_names() -> list[str]:
    """Every contract's name: its path under ``contracts/`` (``stability/style-preset.json``)."""
    return sorted(_schemas())


@cache
def validator_for(name: str, definition: str | None = None) -> Draft202012Validator:
    """A cached validator for contract ``name`` (or one of its ``$defs``)."""
    if definition is None:  # the document itself: one `$ref` hop fewer on every validation
        return Draft202012Validator(_schemas()[name], registry=_registry())
    schema = {"$ref": f"{CONTRACT_BASE}{name}#/$defs/{definition}"}
    return Draft202012Validator(schema, registry=_registry())


def _resolver(name: str) -> Resolver:
    def resolve(ref: str) -> tuple[Any, Resolver]:
        target, _, fragment = ref.partition("#")
        other = (
            posixpath.normpath(posixpath.join(posixpath.dirname(name), target)) if target else name
        )
        node: Any = contract(other)
        for part in filter(None, fragment.split("/")):
            node = node[part]
        return node, _resolver(other)

    return resolve


@cache
def certainly_valid(name: str, definition: str | None = None) -> Predicate | None:
    """A fast predicate True only for instances certainly valid against contract ``name`` (or
    its ``$defs`` entry), or ``None`` if the contract is beyond
    ``mock_gateway.contract_tools.fastcheck``."""
    schema = contract(name) if definition is None else contract(name)["$defs"][definition]
    try:
        return compile_schema(schema, _resolver(name))
    except Unsupported:
        return None  # jsonschema alone, every time


def first_error(name: str, instance: Any, definition: str | None = None) -> ValidationError | None:
    """The first error in document order (``None`` if ``instance`` is valid)."""
    fast = certainly_valid(name, definition)
    if fast is not None and fast(instance):
        return None  # the common case, without walking the schema in jsonschema
    errors = validator_for(name, definition).iter_errors(instance)
    return min(errors, key=lambda error: [str(part) for part in error.absolute_path], default=None)


def field_path(parts: Any) -> str:
    """A JSON path as providers print it: ``text_prompts[0].text``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _problem(error: ValidationError) -> tuple[str, str]:
    """(field, problem) in the '<field>: <problem>' style Stability and OpenAI use."""
    where = field_path(error.absolute_path)
    value = error.validator_value
    if error.validator == "required":
        missing = next(key for key in value if key not in error.instance)
        return (f"{where}.{missing}" if where else missing), "is required"
    problems = {
        "type": f"must be of type {value}",
        "minimum": f"must be greater than or equal to {value}",
        "maximum": f"must be less than or equal to {value}",
        "multipleOf": f"must be a multiple of {value}",
        "enum": "must be one of: " + ", ".join(map(str, value)) if isinstance(value, list) else "",
        "minItems": f"must contain at least {value} item(s)",
        "maxLength": f"must be at most {value} characters long",
        "minLength": f"must be at least {value} characters long",
    }
    return where or "body", problems.get(str(error.validator), error.message)


def describe(error: ValidationError) -> str:
    """``'<field>: <problem>'`` for a validation error, naming the offending field."""
    where, problem = _problem(error)
    return f"{where}: {problem}"


class ContractError(AssertionError):
    """A payload that breaks a contract; ``errors`` lists every problem found."""

    def __init__(self, name: str, errors: list[Problem]) -> None:
        self.name, self.errors = name, errors
        lines = "\n".join(f"  {problem}" for problem in errors)
        super().__init__(f"payload breaks contract {name}:\n{lines}")


class Problem:
    """One contract violation: where (a JSON pointer), what was expected, and by which rule."""

    __slots__ = ("message", "pointer", "rule")

    def __init__(self, pointer: str, message: str, rule: str) -> None:
        self.pointer, self.message, self.rule = pointer, message, rule

    def __repr__(self) -> str:
        return f"Problem(pointer={self.pointer!r}, message={self.message!r})"

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


def load(name: str) -> dict[str, Any]:
    """The contract document called ``name`` (as ``contract``)."""
    return contract(name)


def iter_errors(name: str, payload: Any, definition: str | None = None) -> list[Problem]:
    """Every way ``payload`` breaks contract ``name`` (empty when it satisfies it)."""
    errors = sorted(
        validator_for(name, definition).iter_errors(payload),
        key=lambda error: [str(part) for part in error.absolute_path],
    )
    return [
        Problem(
            "".join(f"/{part}" for part in error.absolute_path),
            error.message,
            "/".join(map(str, error.absolute_schema_path)),
        )
        for error in errors
    ]


def validate(name: str, payload: Any, definition: str | None = None) -> None:
    """Raise ``ContractError`` listing every problem if ``payload`` breaks contract ``name``."""
    problems = iter_errors(name, payload, definition)
    if problems:
        raise ContractError(name, problems)
