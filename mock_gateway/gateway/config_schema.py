"""The gateway's zod config schema (src/middlewares/requestValidator/schema/config.ts, v1.15.2).

It is reproduced as zod runs it, because the error list is part of the 400 body:
- keys are checked in the schema's order and every problem is reported, as
  ``path: <dotted,path>, message: <msg>``;
- a wrong type *aborts* the object (its refinements do not run); a failed refinement only
  makes it *dirty*, so the object-level refinements after it still run;
- unknown keys are allowed (zod strips them); every target is checked with the full schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mock_gateway.gateway.custom_host import is_valid_custom_host
from mock_gateway.gateway.providers import VALID_PROVIDERS
from mock_gateway.wire.js import truthy

__all__ = ["CONFIG_REFINE_MESSAGE", "config_errors"]

Issue = tuple[list[str | int], str]
Result = tuple[list[Issue], bool]  # (issues, aborted)
Rule = Callable[[Any, list[str | int]], Result]

CONFIG_REFINE_MESSAGE = (
    "Invalid configuration. It must have either 'provider' and 'api_key', or 'strategy' and "
    "'targets', or 'cache', or 'retry', or 'request_timeout'"
)
_VERTEX_MESSAGE = (
    "Invalid configuration. ('vertex_project_id' and 'vertex_region') or "
    "('vertex_service_account_json' and 'vertex_region') are required for 'vertex-ai' provider. "
    "Example: { 'provider': 'vertex-ai', 'vertex_project_id': 'my-project-id', "
    "'vertex_region': 'us-central1', api_key: 'ya29...' }"
)


def _kind(value: Any) -> str:
    """zod's ``getParsedType`` names for JSON values."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _typed(expected: str) -> Rule:
    def rule(value: Any, path: list[str | int]) -> Result:
        if _kind(value) == expected:
            return [], False
        return [(path, f"Expected {expected}, received {_kind(value)}")], True

    return rule


def _one_of(choices: tuple[str, ...], message: str) -> Rule:
    def rule(value: Any, path: list[str | int]) -> Result:
        issues, aborted = _typed("string")(value, path)
        if aborted or value in choices:
            return issues, aborted
        return [(path, message)], False

    return rule


def _array(item: Rule) -> Rule:
    def rule(value: Any, path: list[str | int]) -> Result:
        issues, aborted = _typed("array")(value, path)
        if aborted:
            return issues, True
        for index, element in enumerate(value):
            found, bad = item(element, [*path, index])
            issues += found
            aborted |= bad
        return issues, aborted

    return rule


def _object(
    shape: dict[str, tuple[Rule, bool]], *refines: tuple[Callable[[Any], bool], str]
) -> Rule:
    """A zod object: ``shape`` maps key -> (rule, required); refines run unless aborted."""

    def rule(value: Any, path: list[str | int]) -> Result:
        issues, aborted = _typed("object")(value, path)
        if aborted:
            return issues, True
        for key, (check, required) in shape.items():
            if key not in value:
                if required:
                    issues.append(([*path, key], "Required"))
                    aborted = True
                continue
            found, bad = check(value[key], [*path, key])
            issues += found
            aborted |= bad
        if not aborted:
            issues += [(path, message) for test, message in refines if not test(value)]
        return issues, aborted

    return rule


def _any_object(value: Any, path: list[str | int]) -> Result:
    return _typed("object")(value, path)


def _guardrails(value: Any, path: list[str | int]) -> Result:
    # z.union of two array types: a failure of both is one "Invalid input" at the union's path.
    for option in (_array(_typed("string")), _array(_any_object)):
        if not option(value, path)[0]:
            return [], False
    return [(path, "Invalid input")], True


def _string_map(value: Any, path: list[str | int]) -> Result:
    issues, aborted = _typed("object")(value, path)
    if aborted:
        return issues, True
    for key, item in value.items():
        found, bad = _typed("string")(item, [*path, key])
        issues += found
        aborted |= bad
    return issues, aborted


def _has_auth(config: dict[str, Any]) -> bool:
    provider = config.get("provider")
    vertex = (
        provider == "vertex-ai"
        and config.get("vertex_region")
        and (config.get("vertex_service_account_json") or config.get("vertex_project_id"))
    )
    return bool(
        ("provider" in config and "api_key" in config)
        or ("strategy" in config and "targets" in config)
        or provider in ("ollama", "triton")
        or (truthy(config.get("aws_access_key_id")) and truthy(config.get("aws_secret_access_key")))
        or vertex
        or (provider == "azure-openai" and config.get("azure_auth_mode"))
        or any(
            truthy(config.get(key))
            for key in (
                "cache", "retry", "request_timeout", "after_request_hooks",
                "before_request_hooks", "input_guardrails", "output_guardrails",
            )
        )
    )  # fmt: skip


def _custom_host_ok(config: dict[str, Any]) -> bool:
    host = config.get("custom_host")
    return not host or is_valid_custom_host(host)


def _vertex_ok(config: dict[str, Any]) -> bool:
    if config.get("provider") != "vertex-ai":
        return True
    region = config.get("vertex_region")
    return bool(
        region and (config.get("vertex_project_id") or config.get("vertex_service_account_json"))
    )


_STRING, _NUMBER, _BOOLEAN = _typed("string"), _typed("number"), _typed("boolean")
_NUMBERS = _array(_NUMBER)

_STRATEGY = _object(
    {
        "mode": (
            _one_of(
                ("single", "loadbalance", "fallback", "conditional"),
                "Invalid 'mode' value. Must be one of: single, loadbalance, fallback, conditional",
            ),
            True,
        ),
        "on_status_codes": (_NUMBERS, False),
        "conditions": (
            _array(_object({"query": (_any_object, True), "then": (_STRING, True)})),
            False,
        ),
        "default": (_STRING, False),
    }
)
_CACHE = _object(
    {
        "mode": (
            _one_of(
                ("simple", "semantic"),
                "Invalid 'cache.mode' value. Must be one of: simple, semantic",
            ),
            True,
        ),
        "max_age": (_NUMBER, False),
    }
)
_RETRY = _object(
    {
        "attempts": (_NUMBER, True),
        "on_status_codes": (_NUMBERS, False),
        "use_retry_after_header": (_BOOLEAN, False),
    }
)


def _config(value: Any, path: list[str | int]) -> Result:
    return _CONFIG(value, path)


_CONFIG: Rule = _object(
    {
        "strategy": (_STRATEGY, False),
        "provider": (
            _one_of(
                VALID_PROVIDERS,
                f"Invalid 'provider' value. Must be one of: {', '.join(VALID_PROVIDERS)}",
            ),
            False,
        ),
        "api_key": (_STRING, False),
        "aws_secret_access_key": (_STRING, False),
        "aws_access_key_id": (_STRING, False),
        "aws_session_token": (_STRING, False),
        "aws_region": (_STRING, False),
        "cache": (_CACHE, False),
        "retry": (_RETRY, False),
        "weight": (_NUMBER, False),
        "on_status_codes": (_NUMBERS, False),
        "targets": (_array(_config), False),
        "request_timeout": (_NUMBER, False),
        "custom_host": (_STRING, False),
        "forward_headers": (_array(_STRING), False),
        "vertex_project_id": (_STRING, False),
        "vertex_region": (_STRING, False),
        "after_request_hooks": (_array(_any_object), False),
        "before_request_hooks": (_array(_any_object), False),
        "input_guardrails": (_guardrails, False),
        "output_guardrails": (_guardrails, False),
        "vertex_service_account_json": (_string_map, False),
        "openai_project": (_STRING, False),
        "openai_organization": (_STRING, False),
        "azure_model_name": (_STRING, False),
        "azure_auth_mode": (_STRING, False),
        "strict_open_ai_compliance": (_BOOLEAN, False),
    },
    (_has_auth, CONFIG_REFINE_MESSAGE),
    (_custom_host_ok, "Invalid custom host"),
    (_vertex_ok, _VERTEX_MESSAGE),
)


def config_errors(config: Any) -> list[str]:
    """The validator's ``errors`` list for a parsed config; empty when zod would accept it."""
    issues, _ = _CONFIG(config, [])
    # JS prints an array path with String(path): the parts joined by commas.
    return [f"path: {','.join(map(str, path))}, message: {message}" for path, message in issues]
