"""Running a request's config tree: each leaf builds its upstream request, retries, answers.

Both routes use this: the unified route builds leaves with a provider adapter, the proxy
route with its passthrough. Faults, timeouts and the journal's attempts all happen here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request

from mock_gateway.faults import Fault
from mock_gateway.gateway.cache import HIT, MISS, plan_cache
from mock_gateway.gateway.config_strategies import Outcome, RouteContext, Shaped, route
from mock_gateway.gateway.errors import GatewayReply
from mock_gateway.gateway.request import GatewayRequest, gateway_request
from mock_gateway.gateway.request_context import provider_problem
from mock_gateway.gateway.retry import with_retries
from mock_gateway.gateway.target import Target, header_settings, root_config
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse
from mock_gateway.wire import safejson

__all__ = ["Builder", "Settle", "run_config"]

# Builds a leaf's upstream request (and the params the answer is shaped with), or refuses.
Builder = Callable[[Target], "tuple[UpstreamRequest, Mapping[str, Any]] | GatewayReply"]
# After the retries: the gateway's exception when the provider's response transform throws
# (it stops a fallback chain, reference §5.2), else the body it made (None: no transform).
Settle = Callable[[str, UpstreamResponse, Mapping[str, Any]], "GatewayReply | Shaped | None"]


_FROM_REQUEST: Any = object()  # run_config's params and fault: the request's own


def _metadata(headers: Mapping[str, str]) -> Mapping[str, Any]:
    text = headers.get("x-portkey-metadata")
    if text is None:
        return {}  # what parsing "" gives, without the exception
    try:  # invalid JSON is silently {} (§1.2)
        value = safejson.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


async def run_config(
    request: GatewayRequest | Request,
    *,
    images: bool,
    build: Builder,
    params: Mapping[str, Any] = _FROM_REQUEST,
    fault: Fault | None = _FROM_REQUEST,
    cache_endpoint: str | None = None,
    settle: Settle | None = None,
) -> Outcome:
    """Route the request through its config; raises RouterError or GatewayCrash as JS throws.

    ``params`` (what a conditional router's ``params.*`` reads) and ``fault`` default to the
    request's own (``GatewayRequest.params``, ``.fault``). ``cache_endpoint`` names the
    gateway endpoint (``imageGenerate``) for hosted Portkey's cache; ``None`` leaves the cache
    out (``DISABLED``). A Starlette ``Request`` is still taken, for one release.
    """
    if not isinstance(request, GatewayRequest):
        request = await gateway_request(request)
    if params is _FROM_REQUEST:
        params = request.params
    if fault is _FROM_REQUEST:
        fault = request.fault
    state = request.state
    timeline = request.timeline
    sent_headers = request.headers

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
                attempts,
                leaf.path,
                upstream,
                provider=provider,
                client_path=path,
                fault=fault,
                timeout_ms=leaf.request_timeout,
                timeline=timeline,
            )

        response, retries = await with_retries(send, leaf.retry or {}, state.profile, timeline.wait)
        settled = settle(provider, response, leaf_params) if settle is not None else None
        if isinstance(settled, GatewayReply):
            return Outcome(leaf.path, provider, reply=settled, retries=retries)
        return Outcome(
            leaf.path,
            provider,
            response=response,
            retries=retries,
            params=leaf_params,
            cache_status=plan.status,
            cache_key=plan.key,
            cache_max_age=plan.max_age,
            shaped=settled,
        )

    attempts, path = request.attempts, request.path
    metadata = _metadata(sent_headers)
    context = RouteContext(call, state.route_rng, metadata, params, path)
    return await route(root_config(sent_headers), context, header_settings(sent_headers))
