"""``image_requests(provider=...)`` for the OpenAI-compatible providers: recraft-ai, deepbricks,
lemonfox-ai, nscale, hyperbolic and siliconflow.

Facts come from the specs the fakes answer from (``fakes/openai_like_data.py``) and the
gateway's mapping (``adapters/<provider>.py``): what a client sends to the unified route and
what it finally gets. Through the gateway 1.15.2 no request to hyperbolic or siliconflow
succeeds (the gateway sends ``model`` where Hyperbolic wants ``model_name``, and calls
SiliconFlow's outdated path), so for them only ``valid=False`` draws anything.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mock_gateway._strategies.common import (
    PORTKEY_KEY,
    Break,
    ImageRequest,
    broken,
    ordered,
    prompts,
    provider_keys,
    setting,
)
from mock_gateway.adapters import ADAPTERS
from mock_gateway.adapters.openai_like import OpenAILikeAdapter
from mock_gateway.fakes.openai_like_data import SPECS

__all__ = ["OPENAI_LIKE", "TRAPS", "openai_like_requests"]

PATH = "/v1/images/generations"
UNIFIED = "portkey/images-request.json"
OPENAI_LIKE = (*SPECS, "hyperbolic", "siliconflow")
# The providers no unified request reaches successfully: the status the client gets, the
# provider's error name, and why.
TRAPS: dict[str, tuple[int, str, str]] = {
    "hyperbolic": (
        422,
        "missing",
        "the gateway sends `model`, Hyperbolic requires `model_name` (a 422, passed on raw)",
    ),
    "siliconflow": (
        404,
        "not_found",
        "the gateway calls SiliconFlow's outdated /{model}/text-to-image path (a 404, raw)",
    ),
}


def _clamps() -> dict[str, tuple[float, float]]:
    """n as the gateway clamps it before the provider sees it (the adapters' tables)."""
    out = {}
    for provider in SPECS:
        adapter = ADAPTERS[provider]
        assert isinstance(adapter, OpenAILikeAdapter)
        for param in adapter.table:
            if param.name == "n" and param.low is not None and param.high is not None:
                out[provider] = (param.low, param.high)
    return out


_CLAMP = _clamps()  # recraft-ai 1..2, deepbricks 1..10, lemonfox-ai 1..8; nscale unclamped


def _headers(provider: str, key: str) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "x-portkey-api-key": PORTKEY_KEY,
        "x-portkey-provider": provider,
        "authorization": f"Bearer {key}",
    }


def _request(provider: str, body: dict[str, Any], key: str) -> ImageRequest:
    spec = SPECS[provider]
    model = body.get("model", spec.default_model)
    sizes = spec.models[model or ""]
    size = body.get("size", spec.default_size if spec.default_size in sizes else sizes[0])
    width, height = (int(side) for side in size.split("x"))
    count = body.get("n", 1)
    if provider in _CLAMP:
        low, high = _CLAMP[provider]
        count = int(min(max(count, low), high))
    return ImageRequest(
        PATH,
        _headers(provider, key),
        body,
        provider,
        model if "" not in spec.models else None,
        UNIFIED,
        image_size=(width, height),
        image_count=count,
    )


def _bodies(provider: str, model: str | None) -> st.SearchStrategy[dict[str, Any]]:
    spec = SPECS[provider]
    chosen = [model] if model is not None else [name for name in spec.models if name]
    low, high = spec.n_range
    if provider in _CLAMP:  # the gateway clamps first: any n the clamp brings into range
        low, high = (-5, 20) if provider == "lemonfox-ai" else (low, high)
    optional: dict[str, st.SearchStrategy[Any]] = {
        "n": st.integers(low, high),
        "response_format": st.sampled_from(spec.formats),
    }
    if spec.styles:
        optional["style"] = st.sampled_from(spec.styles)
    if provider == "lemonfox-ai":
        optional["negative_prompt"] = prompts(20)
    if not chosen:  # the provider ignores `model`: sizes from its one table
        optional["size"] = st.sampled_from(spec.models[""])
        return st.fixed_dictionaries({"prompt": prompts()}, optional=optional).map(ordered)

    def for_model(name: str) -> st.SearchStrategy[dict[str, Any]]:
        required = {"model": st.just(name), "prompt": prompts()}
        extra = {**optional, "size": st.sampled_from(spec.models[name])}
        return st.fixed_dictionaries(required, optional=extra).map(ordered)

    return st.one_of([for_model(name) for name in chosen])


@cache
def _valid(provider: str, model: str | None) -> st.SearchStrategy[ImageRequest]:
    bodies = _bodies(provider, model)
    return st.tuples(bodies, provider_keys()).map(lambda drawn: _request(provider, *drawn))


def _breaks(provider: str) -> list[Break]:
    spec = SPECS[provider]
    status = 500 if provider == "nscale" else None  # every nscale error: the gateway exception
    breaks = [
        Break("no prompt", status or 400, "missing_required_parameter", drop=("prompt",)),
        Break(
            f"a size {provider} does not offer",
            status or 400,
            "invalid_size",
            setting("size", st.sampled_from(["100x100", "4096x4096", "big"])),
        ),
        Break(
            "a provider key the provider refuses",
            status or 401,
            "invalid_api_key",
            headers={"authorization": "Bearer sk-invalid-0123456789"},
        ),
    ]
    if "" not in spec.models:
        breaks.append(
            Break(
                f"a model {provider} does not have",
                status or 400,
                "model_not_found",
                setting("model", st.sampled_from(["no-such-model", "gpt-image-1"])),
            )
        )
    if provider == "nscale":
        breaks = [Break(b.reason, b.status, None, b.updates, b.drop, b.headers) for b in breaks]
    return breaks


def _trap(provider: str) -> st.SearchStrategy[ImageRequest]:
    status, name, reason = TRAPS[provider]
    body = st.fixed_dictionaries(
        {"prompt": prompts()},
        optional={"model": st.text("abcdefghij-.0123456789", min_size=1, max_size=20)},
    )
    return st.tuples(body.map(ordered), provider_keys()).map(
        lambda drawn: ImageRequest(
            PATH,
            _headers(provider, drawn[1]),
            drawn[0],
            provider,
            drawn[0].get("model"),
            UNIFIED,
            reason=reason,
            status=status,
            error_name=name,
        )
    )


def openai_like_requests(
    provider: str, model: str | None, *, valid: bool
) -> st.SearchStrategy[ImageRequest]:
    """Unified requests for one of ``OPENAI_LIKE`` or ``TRAPS``' providers."""
    if provider in TRAPS:
        if valid:
            raise InvalidArgument(
                f"image_requests(provider={provider!r}) has no valid requests: "
                f"{TRAPS[provider][2]}. Use image_requests(provider={provider!r}, valid=False)."
            )
        return _trap(provider)
    models = [name for name in SPECS[provider].models if name]
    if model is not None and model not in models:
        raise InvalidArgument(
            f"image_requests() got model={model!r}, which the mock's catalogue does not list "
            f"for provider {provider!r}. Try one of: {', '.join(models) or '(no model: '}"
            f"{'' if models else provider + ' ignores it)'}"
        )
    if valid:
        return _valid(provider, model)
    return broken(_valid(provider, model), _breaks(provider))
