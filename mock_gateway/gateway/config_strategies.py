"""Config routing: ``tryTargetsRecursively`` (src/handlers/handlerUtils.ts, v1.15.2).

A config is a tree. Each node inherits ``override_params`` (merged, child wins), ``retry``,
``custom_host``, ``forward_headers`` and ``request_timeout`` from its parent; ``provider`` and
``api_key`` are never inherited. ``strategy.mode`` picks how a node's targets are tried:
``fallback`` (in order, moving on after a non-2xx or a listed status, stopping at a gateway
exception), ``loadbalance`` (by weight, default 1), ``conditional`` (the query router) and
``single``; a node without a strategy is a leaf, one provider call (with its retries).
Facts: portkey-gateway-behavior.md §5.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import regex

from mock_gateway.gateway import jsregex
from mock_gateway.gateway.errors import GatewayReply
from mock_gateway.gateway.target import Target
from mock_gateway.upstream import UpstreamResponse
from mock_gateway.wire.js import is_number, js_string, truthy

__all__ = [
    "GatewayCrash", "Outcome", "RouteContext", "RouterError", "Shaped", "resolve_target", "route",
]  # fmt: skip


class RouterError(Exception):
    """The conditional router could not pick a target (a RouterError in the gateway)."""


class GatewayCrash(Exception):
    """A JS TypeError the gateway's global error handler turns into a 500 ``{status, message}``."""


@dataclass(frozen=True)
class Shaped:
    """The client body an adapter's response transform made of an answer (``client_body``),
    computed once, where the unified route settles a target, and carried to the renderer."""

    body: Any


@dataclass
class Outcome:
    """What a (sub)tree answered: the provider's response, or a gateway exception."""

    path: str
    provider: str
    response: UpstreamResponse | None = None
    reply: GatewayReply | None = None
    retries: int = 0
    params: Mapping[str, Any] = field(default_factory=dict)
    # The cache's part: the x-portkey-cache-status to answer with, the key to store a fresh
    # answer under (MISS, REFRESH) and for how long, or the stored bytes of a HIT.
    cache_status: str = "DISABLED"
    cache_key: str | None = None
    cache_max_age: int = 0
    cached: bytes | None = None
    shaped: Shaped | None = None  # the unified route's client body, when settle made it

    @property
    def status(self) -> int:
        """The HTTP status this outcome answers with."""
        if self.cached is not None:
            return 200  # a hit answers 200 (SOURCE: CacheService.getCachedResponse)
        return (
            self.reply.status
            if self.reply is not None
            else (self.response.status if self.response else 500)
        )

    @property
    def gateway_exception(self) -> bool:
        """Whether it carries ``x-portkey-gateway-exception`` (which stops a fallback chain)."""
        return (
            self.reply is not None
            and self.reply.headers.get("x-portkey-gateway-exception") == "true"
        )


Leaf = Callable[[Target], Awaitable[Outcome]]


@dataclass(frozen=True)
class RouteContext:
    """What routing needs besides the config: the leaf call, randomness, conditions' inputs."""

    call: Leaf
    rng: random.Random
    metadata: Mapping[str, Any]
    params: Mapping[str, Any]
    pathname: str


def _inherit(node: Mapping[str, Any], inherited: Mapping[str, Any]) -> dict[str, Any]:
    """The config a node passes on to its targets (the first block of tryTargetsRecursively)."""
    overrides = {**(inherited.get("overrideParams") or {}), **_mapping(node.get("overrideParams"))}
    merged: dict[str, Any] = {"overrideParams": overrides}
    own_retry = node.get("retry")
    # A retry object of its own replaces the parent's (any object is truthy in JS).
    merged["retry"] = (
        dict(own_retry)
        if isinstance(own_retry, Mapping)
        else dict(_mapping(inherited.get("retry")))
    )
    # `cache: c.cache ? {...c.cache} : {...i.cache}`: a target's own cache object wins whole
    # (hosted docs: "Target-level cache takes precedence over top-level").
    own_cache = node.get("cache")
    merged["cache"] = _mapping(own_cache if truthy(own_cache) else inherited.get("cache"))
    for key in ("forwardHeaders", "customHost", "requestTimeout"):
        merged[key] = node.get(key) if truthy(node.get(key)) else inherited.get(key)
    return merged


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _leaf(
    node: Mapping[str, Any], inherited: Mapping[str, Any], path: str, headers: Target
) -> Target:
    """A provider call: the node's own provider and key, the rest inherited, headers on top."""
    provider, api_key = node.get("provider"), node.get("apiKey")
    names = inherited.get("forwardHeaders")
    listed = (
        tuple(str(n).lower() for n in names if isinstance(n, str))
        if isinstance(names, list)
        else ()
    )
    host = inherited.get("customHost")
    timeout = inherited.get("requestTimeout")
    # Built whole rather than with dataclasses.replace (the same Target, a fraction of the cost).
    return Target(
        provider=None if provider is None else js_string(provider),
        api_key=None if api_key is None else js_string(api_key),
        override_params=inherited.get("overrideParams") or {},
        # The x-portkey-* headers win over every level of the config (RequestContext).
        custom_host=headers.custom_host or (host if isinstance(host, str) else None),
        forward_headers=headers.forward_headers or listed,
        request_timeout=headers.request_timeout or (timeout if is_number(timeout) else None),
        retry=inherited.get("retry") or {},
        cache=inherited.get("cache") or None,
        strategy=headers.strategy,
        targets=headers.targets,
        path=path,
        options=node,
    )


async def route(
    node: Mapping[str, Any],
    context: RouteContext,
    headers: Target,
    *,
    path: str = "config",
    inherited: Mapping[str, Any] | None = None,
) -> Outcome:
    """Try ``node`` as the gateway does; ``headers`` carries the header-level settings."""
    passed = _inherit(node, inherited or {})
    strategy = _mapping(node.get("strategy"))
    mode = strategy.get("mode")
    listed = node.get("targets")  # unvalidated on /v1/proxy/*: anything may arrive
    targets = [t for t in listed if isinstance(t, Mapping)] if isinstance(listed, list) else []
    if mode == "fallback":
        return await _fallback(targets, strategy, context, headers, path, passed)
    if mode == "loadbalance":
        return await _loadbalance(targets, context, headers, path, passed)
    if mode == "conditional":
        index, target = await _choose(node, strategy, targets, context)
        return await route(
            target, context, headers, path=f"{path}.targets[{index}]", inherited=passed
        )
    if mode == "single":
        if not targets:
            raise GatewayCrash("Cannot read properties of undefined (reading 'originalIndex')")
        return await route(
            targets[0], context, headers, path=f"{path}.targets[0]", inherited=passed
        )
    return await context.call(_leaf(node, passed, path, headers))


async def _fallback(
    targets: list[Mapping[str, Any]],
    strategy: Mapping[str, Any],
    context: RouteContext,
    headers: Target,
    path: str,
    passed: Mapping[str, Any],
) -> Outcome:
    codes = strategy.get("onStatusCodes")
    listed: list[Any] | None = codes if isinstance(codes, list) else None
    outcome: Outcome | None = None
    for index, target in enumerate(targets):
        outcome = await route(
            target, context, headers, path=f"{path}.targets[{index}]", inherited=passed
        )
        # Move on only after a listed status (or, with no list, any non-2xx answer).
        if listed is not None and outcome.status not in listed:
            break
        if listed is None and 200 <= outcome.status < 300:
            break
        if outcome.gateway_exception:  # an exception stops the chain
            break
    if outcome is None:  # no target at all (conformance suite: validation-config-empty-targets)
        raise GatewayCrash("Cannot read properties of undefined (reading 'entries')")
    return outcome


async def _loadbalance(
    targets: list[Mapping[str, Any]],
    context: RouteContext,
    headers: Target,
    path: str,
    passed: Mapping[str, Any],
) -> Outcome:
    weights = [
        target.get("weight", 1) if is_number(target.get("weight", 1)) else 0 for target in targets
    ]
    remaining = context.rng.random() * sum(weights)  # Math.random() * totalWeight, seeded here
    for index, (target, weight) in enumerate(zip(targets, weights, strict=True)):
        if remaining < weight:
            return await route(
                target, context, headers, path=f"{path}.targets[{index}]", inherited=passed
            )
        remaining -= weight
    # Every weight 0: no target is tried and the gateway crashes reading the missing response
    # (MEASURED §5.3).
    raise GatewayCrash("Cannot read properties of undefined (reading 'entries')")


_OPERATORS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$regex")


async def _choose(
    node: Mapping[str, Any],
    strategy: Mapping[str, Any],
    targets: list[Mapping[str, Any]],
    context: RouteContext,
) -> tuple[int, Mapping[str, Any]]:
    """The conditional router's pick; a slow ``$regex`` gets a worker thread, not the loop."""
    try:
        return _conditional(node, strategy, targets, context, jsregex.INLINE_BUDGET)
    except jsregex.RegexTimeout:
        return await asyncio.to_thread(
            _conditional, node, strategy, targets, context, jsregex.REGEX_BUDGET
        )


def _conditional(
    node: Mapping[str, Any],
    strategy: Mapping[str, Any],
    targets: list[Mapping[str, Any]],
    context: RouteContext,
    budget: float,
) -> tuple[int, Mapping[str, Any]]:
    """src/services/conditionalRouter.ts: the first condition whose query matches, else default."""
    conditions = strategy.get("conditions")
    if not truthy(conditions):
        raise RouterError("No conditions passed in the query router")
    # Unvalidated on /v1/proxy/*: `for (const condition of conditions)` walks a string's
    # characters and throws for anything else not iterable; the gateway's catch makes every
    # throw a RouterError (400) with the TypeError's message.
    if isinstance(conditions, str):
        conditions = list(conditions)
    elif not isinstance(conditions, list):
        raise RouterError("this.config.strategy.conditions is not iterable")
    scope = {
        "metadata": context.metadata,
        "params": context.params,
        "url": {"pathname": context.pathname},
    }
    for condition in conditions:
        if condition is None:
            raise RouterError("Cannot read properties of null (reading 'query')")
        found = condition if isinstance(condition, Mapping) else {}  # `1 .query`: undefined
        if _matches(found.get("query"), scope, budget):
            return _find(targets, found.get("then"))
    if strategy.get("default"):
        return _find(targets, strategy["default"])
    raise RouterError("Query router did not resolve to any valid target")


def _find(targets: list[Mapping[str, Any]], name: Any) -> tuple[int, Mapping[str, Any]]:
    for index, target in enumerate(targets):
        if target.get("name") == name:
            return index, target
    raise RouterError(f"Invalid target name found in the query router: {js_string(name)}")


def _lookup(key: str, scope: Mapping[str, Any]) -> Any:
    # getContextValue reads exactly two levels: "metadata.user", "params.model".
    parts = key.split(".")
    first = scope.get(parts[0])
    return first.get(parts[1]) if isinstance(first, Mapping) and len(parts) > 1 else None


def _entries(query: Any) -> list[tuple[str, Any]]:
    """``Object.entries(query)``: a string's characters by index, nothing for a number."""
    if query is None:
        raise RouterError("Cannot convert undefined or null to object")
    if isinstance(query, Mapping):
        return list(query.items())
    if isinstance(query, str | list):
        return [(str(index), item) for index, item in enumerate(query)]
    return []


def _matches(query: Any, scope: Mapping[str, Any], budget: float) -> bool:
    for key, value in _entries(query):
        if key == "$or" and isinstance(value, list):
            return any(_matches(sub, scope, budget) for sub in value)
        if key == "$and" and isinstance(value, list):
            return all(_matches(sub, scope, budget) for sub in value)
        actual = _lookup(key, scope)
        if isinstance(value, Mapping | list):  # typeof value === 'object': arrays too
            if not _operators(
                value if isinstance(value, Mapping) else dict(_entries(value)), actual, budget
            ):
                return False
        elif actual != value:
            return False
    return True


def _number(value: Any) -> float:
    try:
        return float(value)
    except OverflowError:  # an integer past a double's range: parseFloat gives +-Infinity
        return math.inf if value > 0 else -math.inf
    except (TypeError, ValueError):
        return float("nan")


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if op == "$eq":
        return bool(actual == expected)
    if op == "$ne":
        return bool(actual != expected)
    if op in ("$in", "$nin"):
        return isinstance(expected, list) and (actual in expected) == (op == "$in")
    left, right = _number(actual), _number(expected)  # parseFloat on both sides
    return {"$gt": left > right, "$gte": left >= right, "$lt": left < right, "$lte": left <= right}[
        op
    ]


def _operators(operators: Mapping[str, Any], actual: Any, budget: float) -> bool:
    for op, expected in operators.items():
        if op not in _OPERATORS:
            raise RouterError(f"Unsupported operator used in the query router: {op}")
        if op == "$regex":  # returns at once, as the source does
            try:
                return jsregex.search(js_string(expected), js_string(actual), budget)
            except regex.error:
                return False
        if not _compare(op, actual, expected):
            return False
    return True


def resolve_target(headers: Mapping[str, str]) -> Target:
    """The provider call a request without a strategy makes: the root config as a leaf."""
    from mock_gateway.gateway.target import header_settings, root_config

    root = root_config(headers)
    return _leaf(root, _inherit(root, {}), "config", header_settings(headers))
