"""``POST /v1/images/edits``: the unified image-edit route (docs/facts/gateway-image-edits.md).

What the gateway 1.15.2 does (``src/handlers/imageEditsHandler.ts``): the body is read with
``formData()`` (so a JSON body, or a form it cannot parse, is its 500 "Something went wrong",
nothing sent upstream), the config is routed as on every route (retries re-send the whole
form; conditional routing sees ``params = {}``; ``override_params`` are not applied), and
the form goes upstream **whole**: every part, in order, re-encoded by undici with a new
boundary. The answer comes back **unchanged**, status, headers and bytes, success or error
(no ``openai error:`` wrapping), plus the ``x-portkey-*`` headers; server-sent events
(``stream=true``) too. Never cached (``CacheService.isEndpointCacheable``).

A provider maps edits through an optional adapter member ``edit_upstream`` (``adapters.base``
``EditUpstream``): ``openai`` has one; the gateway also maps ``azure-openai`` and ``azure-ai``.
A provider without one gets what the gateway gives it (its ``getEndpoint('imageEdit')`` is
``''``): the form posted to its base URL with its provider-config headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request
from starlette.responses import Response

from mock_gateway.adapters import ADAPTERS
from mock_gateway.adapters.base import UNDICI_HEADERS, Adapter, EditUpstream
from mock_gateway.faults import FaultError, fault_from_headers
from mock_gateway.gateway.config_runner import Builder, run_config
from mock_gateway.gateway.config_strategies import GatewayCrash, Outcome, RouterError
from mock_gateway.gateway.errors import gateway_exception, gateway_failure, mock_control_error
from mock_gateway.gateway.headers import apply_forward_headers
from mock_gateway.gateway.jsregex import RegexTimeout
from mock_gateway.gateway.render import IMMUTABLE_HEADERS_HINT
from mock_gateway.gateway.request import GatewayRequest, gateway_request
from mock_gateway.gateway.request_context import answer_headers, early_answer, raw, reply
from mock_gateway.gateway.target import Target
from mock_gateway.gateway.validator import validate_request
from mock_gateway.hints import hint
from mock_gateway.upstream import UpstreamRequest
from mock_gateway.wire.multipart import FormField, MultipartError, decode_form, encode_parts

__all__ = ["images_edits"]

_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _form(body: bytes, content_type: str) -> list[FormField] | None:
    """``c.req.raw.formData()``: the parts, or ``None`` where it throws."""
    media = content_type.split(";")[0].strip().lower()
    if media not in _FORM_TYPES:
        hint(
            "the gateway reads /v1/images/edits with formData(): send multipart/form-data "
            f"(OpenAI's JSON edit form is not supported by the gateway), not {media or 'no type'}"
        )
        return None
    if media == "application/x-www-form-urlencoded":
        text = body.decode("utf-8", "replace")
        return [FormField(k, v.encode()) for k, v in parse_qsl(text, keep_blank_values=True)]
    try:
        return decode_form(body, content_type)
    except MultipartError as error:
        hint(f"the gateway cannot read this form ({error}): 500 Something went wrong")
        return None


def _fallback(
    adapter: Adapter,
    form: list[FormField],
    *,
    api_key: str | None,
    base_url: str,
    boundary: str,
    options: Mapping[str, Any],
) -> UpstreamRequest:
    """A provider without edits: the form posted to its base URL (``getEndpoint`` gives ``''``)
    with its provider-config headers (MEASURED for stability-ai)."""
    body = encode_parts(form, boundary)
    # The provider config's headers, its credentials first; the form's own type replaces any.
    config = adapter.proxy_headers(None, api_key=api_key, options=options)
    own = [(n, v) for n, v in config if n != "content-type"]
    headers = [
        *own[:1],
        ("content-type", f"multipart/form-data; boundary={boundary}"),
        *own[1:],
        *[(n, v) for n, v in UNDICI_HEADERS if n not in {name for name, _ in own}],
        ("content-length", str(len(body))),
    ]
    # fetch writes a bare origin's path as "/" (conformance: edits-stability-form-to-base-url).
    url = base_url if urlsplit(base_url).path else base_url + "/"
    return UpstreamRequest.build("POST", url, headers, body)


def _builder(request: GatewayRequest, form: list[FormField]) -> Builder:
    state, headers = request.state, request.headers

    def build(leaf: Target) -> tuple[UpstreamRequest, Mapping[str, Any]]:
        adapter = ADAPTERS[str(leaf.provider)]
        base_url = leaf.custom_host or adapter.base_url(leaf.options)
        mapper: EditUpstream | None = getattr(adapter, "edit_upstream", None)
        if mapper is None:
            hint(f"the gateway maps no image edits for {adapter.PROVIDER}: it posts the form "
                 f"to the provider's base URL ({base_url})")  # fmt: skip
            mapper = _fallback_for(adapter)
        upstream = mapper(form, api_key=leaf.api_key, base_url=base_url,
                          boundary=state.boundary(), options=leaf.options)  # fmt: skip
        if leaf.forward_headers:
            sent = apply_forward_headers(list(upstream.headers), leaf.forward_headers, headers)
            upstream = UpstreamRequest(upstream.method, upstream.url, tuple(sent), upstream.body)
        return adapter.sign(upstream, leaf.options), {}

    return build


def _fallback_for(adapter: Adapter) -> EditUpstream:
    def mapper(
        form: list[FormField],
        *,
        api_key: str | None,
        base_url: str,
        boundary: str,
        options: Mapping[str, Any],
    ) -> UpstreamRequest:
        return _fallback(adapter, form, api_key=api_key, base_url=base_url, boundary=boundary,
                         options=options)  # fmt: skip

    return mapper


def _render(request: GatewayRequest, outcome: Outcome) -> Response:
    """The answer passed back as it came (``render(transform=False)`` but for the 500 of a
    2xx under oss-npm and the content type of a fetch failure)."""
    if outcome.reply is not None:
        return reply(outcome.reply)
    answer = outcome.response
    assert answer is not None
    out = answer_headers(
        request,
        outcome.provider,
        answer,
        index=outcome.path,
        retries=outcome.retries,
        cache_status=outcome.cache_status,
    )
    early = early_answer(answer, out)
    if early is not None:
        return early
    if 200 <= answer.status < 300 and request.state.profile.proxy_immutable_headers_bug:
        # `new Response(response.body, response)` keeps the upstream's immutable headers (§4).
        hint(IMMUTABLE_HEADERS_HINT)
        return reply(gateway_exception("Something went wrong"))
    if answer.meta.get("network"):  # a fetch failure: the gateway's own text, as generations
        out["content-type"] = answer.header("content-type") or "text/plain;charset=UTF-8"
    return raw(answer.body, answer.status, out)


async def images_edits(starlette_request: Request) -> Response:
    """Validate, read the form, route it through the config, pass the answer back as it is."""
    request = await gateway_request(starlette_request)
    headers = request.headers
    rejected = validate_request(headers)
    if rejected is not None:
        return reply(rejected)
    form = _form(request.body, headers.get("content-type", ""))
    if form is None:
        # The handler computes a 400 for RouterError, then returns this 500 anyway (§1).
        return reply(gateway_failure("Something went wrong", status=500))
    try:
        request.fault = fault_from_headers(headers)
    except FaultError as error:
        return reply(mock_control_error(str(error)))
    # Conditional routing sees no params for a FormData body: request.params stays {}.
    try:
        outcome = await run_config(
            request,
            images=False,  # any provider: the form goes to its base URL (facts §2)
            build=_builder(request, form),
            cache_endpoint="imageEdit",  # never cached
        )
    except RouterError:
        return reply(gateway_failure("Something went wrong", status=500))
    except RegexTimeout as error:
        return reply(mock_control_error(str(error)))
    except GatewayCrash as crash:
        return reply(gateway_failure(str(crash), status=500))
    return _render(request, outcome)
