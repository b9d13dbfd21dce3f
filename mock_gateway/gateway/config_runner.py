"""Running a request's config tree: each leaf builds its upstream request, retries, answers.

Both routes use this: the unified route builds leaves with a provider adapter, the proxy
route with its passthrough. Faults, timeouts and the journal's attempts all happen here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request

from mock_gateway.adapters import ADAPTERS
from mock_gateway.adapters.base import AdapterCrash
from mock_gateway.faults import Fault
from mock_gateway.gateway.cache import HIT, MISS, plan_cache
from mock_gateway.gateway.config_strategies import Outcome, RouteContext, route
from mock_gateway.gateway.errors import GatewayReply, gateway_exception
from mock_gateway.gateway.request_context import (
    attempts_of,
    client_headers,
    provider_problem,
    state_of,
)
from mock_gateway.gateway.retry import with_retries
from mock_gateway.gateway.target import Target, header_settings, root_config
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse
from mock_gateway.wire import safejson

__all__ = ["Builder", "run_config"]

# Builds a leaf's upstream request (and the params the answer is shaped with), or refuses.
Builder = Callable[[Target], "tuple[UpstreamRequest, Mapping[str, Any]] | GatewayReply"]


def _metadata(request: Request) -> Mapping[str, Any]:
    text = client_headers(request).get("x-portkey-metadata")
    if text is None:
        return {}  # what parsing "" gives, without the exception
    try:  # invalid JSON is silently {} (§1.2)
        value = safejson.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _transform_crash(
    provider: str, response: UpstreamResponse, params: Mapping[str, Any]
) -> GatewayReply | None:
    """The gateway's answer when the provider's error transform throws (Fireworks' on an
    error body it cannot read): a GatewayError-like 500 that stops a fallback chain
    (docs/facts/providers/fireworks-ai.md §1.4). Only error answers are tried: no success
    transform the mock models throws."""
    if response.status == 200 or response.meta:
        return None
    try:
        ADAPTERS[provider].client_body(response, params, 0)
    except AdapterCrash as crash:
        return gateway_exception(crash.reply, status=crash.status)
    return None


async def run_config(
    request: Request,
    *,
    images: bool,
    params: Mapping[str, Any],
    build: Builder,
    fault: Fault | None,
    cache_endpoint: str | None = None,
) -> Outcome:
    """Route the request through its config; raises RouterError or GatewayCrash as JS throws.

    ``cache_endpoint`` names the gateway endpoint (``imageGenerate``) for hosted Portkey's
    cache; ``None`` leaves the cache out (``DISABLED``).
    """
    state = state_of(request)
    timeline = state.timeline()
    sent_headers = client_headers(request)

    async def call(leaf: Target) -> Outcome:
        provider = leaf.provider or ""
        problem = provider_problem(leaf.provider, images=images)
        if problem is not None:
            return Outcome(leaf.path, provider, reply=problem)
        built = build(leaf)
        if isinstance(built, GatewayReply):
            return Outcome(leaf.path, provider, reply=built)
        upstream, leaf_params = built
        plan = plan_cache(
            enabled=state.profile.cache,
            endpoint=cache_endpoint,
            config=leaf.cache,
            headers=sent_headers,
            provider=provider,
            body=leaf_params,
        )
        if plan.status == MISS and plan.key is not None:
            entry = state.cache.get(plan.key, state.now())
            if entry is not None:  # answered from the cache: no upstream call at all
                return Outcome(leaf.path, provider, cache_status=HIT, cached=entry.body)

        async def send() -> UpstreamResponse:
            return await state.send(
                attempts_of(request),
                leaf.path,
                upstream,
                provider=provider,
                client_path=request.url.path,
                fault=fault,
                timeout_ms=leaf.request_timeout,
                timeline=timeline,
            )

        response, retries = await with_retries(send, leaf.retry or {}, state.profile, timeline.wait)
        crash = _transform_crash(provider, response, leaf_params) if images else None
        if crash is not None:
            return Outcome(leaf.path, provider, reply=crash)
        return Outcome(
            leaf.path,
            provider,
            response=response,
            retries=retries,
            params=leaf_params,
            cache_status=plan.status,
            cache_key=plan.key,
            cache_max_age=plan.max_age,
        )

    context = RouteContext(call, state.route_rng, _metadata(request), params, request.url.path)
    return await route(root_config(sent_headers), context, header_settings(sent_headers))
