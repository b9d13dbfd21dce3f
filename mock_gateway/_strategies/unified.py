"""``image_requests()``: unified ``POST /v1/images/generations`` requests, per provider and model.

Every fact comes from the catalogues the fakes answer from: Stability's engines and sizes
(``fakes/stability_data.py``, ``adapters/stability.py``) and OpenAI's models, sizes, qualities
and prompt limits (the request contract's ``$defs``, via ``fakes/openai_data.py``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mock_gateway._strategies.azure import AZURE_MODELS, azure_breaks, azure_requests
from mock_gateway._strategies.bedrock import (
    BEDROCK_MODELS,
    bedrock_breaks,
    bedrock_requests,
)
from mock_gateway._strategies.common import (
    PORTKEY_KEY,
    Break,
    ImageRequest,
    broken,
    check_bool,
    check_choice,
    enum_of,
    ordered,
    prompts,
    provider_keys,
    setting,
)
from mock_gateway._strategies.fireworks import (
    FIREWORKS_MODELS,
    fireworks_breaks,
    fireworks_requests,
)
from mock_gateway._strategies.openai_like import OPENAI_LIKE, openai_like_requests
from mock_gateway._strategies.segmind import SEGMIND_MODELS, segmind_breaks, segmind_requests
from mock_gateway._strategies.vertex import VERTEX_MODELS, vertex_breaks, vertex_requests
from mock_gateway._strategies.workers_ai import (
    WORKERS_AI_MODELS,
    workers_ai_breaks,
    workers_ai_requests,
)
from mock_gateway.adapters.stability import V1_MODELS
from mock_gateway.contract_tools.contracts import contract
from mock_gateway.fakes.openai_data import MODELS, REQUEST_CONTRACT, RETIRED
from mock_gateway.fakes.stability_data import (
    CORE_SIZES,
    ONE_MP_SIZES,
    SD16_RANGE,
    SDXL_DIMENSIONS,
    SDXL_ENGINES,
    V2_ENDPOINTS,
)

__all__ = ["STABILITY_MODELS", "image_requests", "sd16_sizes"]

PATH = "/v1/images/generations"
UNIFIED = "portkey/images-request.json"
V1_REQUEST = "stability/v1-text-to-image-request.json"
V2_REQUEST = "stability/v2beta-generate-request.json"
STABILITY_MODELS: tuple[str, ...] = (*V1_MODELS, *sorted(V2_ENDPOINTS))
_MODELS = {"stability-ai": STABILITY_MODELS, "openai": tuple(MODELS), "vertex-ai": VERTEX_MODELS,
           "segmind": SEGMIND_MODELS, "fireworks-ai": FIREWORKS_MODELS,
           "workers-ai": WORKERS_AI_MODELS}  # fmt: skip
_AZURE = ("azure-openai", "azure-ai")  # the deployment's model (_strategies/azure.py)
_MODELS |= {provider: AZURE_MODELS for provider in _AZURE}
_MODELS["bedrock"] = BEDROCK_MODELS
# Providers drawn only when named (or one of their models is), so that a property written
# before they were modelled keeps its space. Workers AI's models also start with "@", which
# hosted Portkey (the default profile) reads as a Model Catalog slug: they need profile oss.
_NAMED_ONLY = frozenset({"vertex-ai", "segmind", "fireworks-ai", "workers-ai", *_AZURE, "bedrock"})
# What is drawn when no model is named: the models the providers serve today (the default
# profile's). A retired model (DALL·E 2 and 3, shut down 2026-05-12) is drawn only when named,
# for a dated profile such as ``hosted-2025``.
_SERVED = {
    name: tuple(m for m in models if name in _AZURE or m not in RETIRED)  # Azure serves DALL·E 3
    for name, models in _MODELS.items()
}


def sd16_sizes() -> list[tuple[int, int]]:
    """Every (width, height) stable-diffusion-v1-6 takes: multiples of 64 in its range."""
    low, high = SD16_RANGE
    sides = range(low + (-low) % 64, high + 1, 64)
    return [(width, height) for width in sides for height in sides]


def _size_text(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def _headers(provider: str, key: str) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "x-portkey-api-key": PORTKEY_KEY,
        "x-portkey-provider": provider,
        "authorization": f"Bearer {key}",
    }


# -- Stability v1 engines ----------------------------------------------------------------------


def _v1_request(model: str, body: dict[str, Any], key: str) -> ImageRequest:
    size = tuple(map(int, body["size"].split("x"))) if "size" in body else (512, 512)
    return ImageRequest(
        PATH,
        _headers("stability-ai", key),
        body,
        "stability-ai",
        model,
        UNIFIED,
        "stability-ai",
        image_size=(size[0], size[1]),
        image_count=body.get("n", 1),
    )


@cache
def _stability_v1(model: str) -> st.SearchStrategy[ImageRequest]:
    sizes = list(SDXL_DIMENSIONS) if model in SDXL_ENGINES else sd16_sizes()
    optional = {
        "n": st.integers(1, 10),
        "style": st.sampled_from(enum_of("stability/style-preset.json")),
        "cfg_scale": st.integers(0, 35) | st.floats(0, 35),
        "seed": st.integers(0, 4294967295),
        "steps": st.integers(10, 50),
        "sampler": st.sampled_from(enum_of(V1_REQUEST, "properties", "sampler")),
        "response_format": st.sampled_from(["url", "b64_json"]),  # ignored: always b64_json
    }
    required: dict[str, Any] = {"model": st.just(model), "prompt": prompts()}
    # Without a size Stability's 512x512 default applies, and it is not an SDXL size.
    (required if model in SDXL_ENGINES else optional)["size"] = st.sampled_from(
        [_size_text(size) for size in sizes]
    )
    bodies = st.fixed_dictionaries(required, optional=optional).map(ordered)
    return st.tuples(bodies, provider_keys()).map(lambda drawn: _v1_request(model, *drawn))


def _v1_breaks(model: str) -> list[Break]:
    low, high = SD16_RANGE
    breaks = [
        Break("no prompt", 400, "invalid_prompts", drop=("prompt",)),
        Break(
            "prompt longer than Stability's 2000 characters",
            400,
            "invalid_prompts",
            setting("prompt", st.integers(2001, 2100).map(lambda n: "a" * n)),
        ),
        Break(
            "steps outside 10..50",
            400,
            "bad_request",
            setting("steps", st.integers(0, 9) | st.integers(51, 200)),
        ),
        Break("cfg_scale above 35", 400, "bad_request", setting("cfg_scale", st.integers(36, 99))),
        Break(
            "style is not a Stability style preset",
            400,
            "bad_request",
            setting("style", st.sampled_from(["watercolour", "vivid"])),
        ),
    ]
    if model in SDXL_ENGINES:
        others = [_size_text(s) for s in sd16_sizes() if s not in SDXL_DIMENSIONS]
        breaks.append(
            Break(
                "size is not one of SDXL's nine",
                400,
                "invalid_sdxl_v1_dimensions",
                setting("size", st.sampled_from(others)),
            )
        )
    else:
        odd = st.integers(low, high).filter(lambda side: side % 64 != 0)
        big = st.integers(high // 64 + 1, 40).map(lambda k: k * 64)
        breaks += [
            Break(
                "a side that is not a multiple of 64",
                400,
                "invalid_height_or_width",
                setting("size", odd.map(lambda side: f"{side}x{side}")),
            ),
            Break(
                f"a side above {high}",
                400,
                "invalid_height_or_width",
                setting("size", big.map(lambda side: f"{side}x{side}")),
            ),
        ]
    return breaks


# -- Stability v2beta (core, ultra, sd3) -------------------------------------------------------


def _v2_request(model: str, body: dict[str, Any], key: str) -> ImageRequest:
    table = CORE_SIZES if model == "core" else ONE_MP_SIZES
    return ImageRequest(
        PATH,
        _headers("stability-ai", key),
        body,
        "stability-ai",
        model,
        UNIFIED,
        "stability-ai",
        image_size=table[body.get("aspect_ratio", "1:1")],
        image_format=body.get("output_format", "png"),
    )


@cache
def _stability_v2(model: str) -> st.SearchStrategy[ImageRequest]:
    optional: dict[str, st.SearchStrategy[Any]] = {
        "negative_prompt": prompts(),
        "aspect_ratio": st.sampled_from(enum_of(V2_REQUEST, "properties", "aspect_ratio")),
        "seed": st.integers(0, 4294967294),
        "style_preset": st.sampled_from(enum_of("stability/style-preset.json")),
        "output_format": st.sampled_from(enum_of(V2_REQUEST, "properties", "output_format")),
        # Dropped by the gateway's v2 mapping, which sends one image and no size:
        "n": st.integers(1, 10),
        "response_format": st.sampled_from(["url", "b64_json"]),
    }
    if model == "sd3":
        optional["mode"] = st.just("text-to-image")
    required = {"model": st.just(model), "prompt": prompts()}
    bodies = st.fixed_dictionaries(required, optional=optional).map(ordered)
    return st.tuples(bodies, provider_keys()).map(lambda drawn: _v2_request(model, *drawn))


def _v2_breaks(model: str) -> list[Break]:
    del model
    return [
        Break("no prompt", 400, "bad_request", drop=("prompt",)),
        Break(
            "aspect_ratio Stability does not offer",
            400,
            "bad_request",
            setting("aspect_ratio", st.sampled_from(["4:3", "1:2", "square"])),
        ),
        Break(
            "output_format Stability does not offer",
            400,
            "bad_request",
            setting("output_format", st.sampled_from(["gif", "bmp", "PNG"])),
        ),
        Break("seed above v2beta's 4294967294", 400, "bad_request", st.just({"seed": 4294967295})),
        Break(
            "a model Stability has no endpoint for",
            404,
            "not_found",
            setting("model", st.sampled_from(["sd4", "stable-image-xl", "turbo"])),
        ),
    ]


# -- OpenAI -----------------------------------------------------------------------------------


def _openai_facts(model: str) -> tuple[list[str], list[str], int, int]:
    """Sizes, qualities, the prompt limit and the n limit of ``model``, from the contract."""
    properties = contract(REQUEST_CONTRACT)["$defs"][model]["properties"]
    size = properties["size"]
    sizes = size["enum"] if "enum" in size else size["anyOf"][0]["enum"]
    n_max = properties.get("n", {}).get("maximum", 10)
    return sizes, properties["quality"]["enum"], properties["prompt"]["maxLength"], n_max


def _custom_sizes() -> st.SearchStrategy[str]:
    """gpt-image-2's WxH: multiples of 16, ratio at most 3:1 (kept at most 1536 a side)."""
    return st.integers(16, 96).flatmap(
        lambda w: st.integers(max(16, -(-w // 3)), min(96, 3 * w)).map(
            lambda h: f"{16 * w}x{16 * h}"
        )
    )


def _openai_request(model: str, body: dict[str, Any], key: str) -> ImageRequest:
    size = body.get("size", MODELS[model].default_size)
    width, height = (1024, 1024) if size == "auto" else map(int, size.split("x"))
    return ImageRequest(
        PATH,
        _headers("openai", key),
        body,
        "openai",
        model,
        UNIFIED,
        "openai",
        image_size=(width, height),
        image_count=body.get("n", 1),
    )


@cache
def _openai(model: str) -> st.SearchStrategy[ImageRequest]:
    rules = MODELS[model]
    sizes, qualities, _, n_max = _openai_facts(model)
    size_strategy = st.sampled_from(sizes)
    if rules.custom_sizes:
        size_strategy |= _custom_sizes()
    optional: dict[str, st.SearchStrategy[Any]] = {
        "n": st.integers(1, n_max),
        "size": size_strategy,
        "quality": st.sampled_from(qualities),
        "user": st.text("abcdefghij-0123", min_size=1, max_size=12),
    }
    if rules.family == "dall-e":
        optional["response_format"] = st.sampled_from(["url", "b64_json"])
        optional["style"] = st.sampled_from(["vivid", "natural"])
    required = {"model": st.just(model), "prompt": prompts()}
    bodies = st.fixed_dictionaries(required, optional=optional).map(ordered)
    return st.tuples(bodies, provider_keys()).map(lambda drawn: _openai_request(model, *drawn))


def _openai_breaks(model: str) -> list[Break]:
    rules = MODELS[model]
    sizes, qualities, max_prompt, n_max = _openai_facts(model)
    other_sizes = sorted({s for m in MODELS for s in _openai_facts(m)[0]} - set(sizes))
    if rules.custom_sizes:
        other_sizes = ["1000x1000", "4096x1024", "100x100"]
    other_qualities = sorted({"standard", "hd", "low", "high", "ultra"} - set(qualities))
    breaks = [
        Break("no prompt", 400, "missing_required_parameter", drop=("prompt",)),
        Break(
            f"prompt longer than {model}'s {max_prompt} characters",
            400,
            "string_above_max_length",
            setting("prompt", st.integers(max_prompt + 1, max_prompt + 50).map(lambda n: "a" * n)),
        ),
        Break(
            f"size {model} does not offer",
            400,
            "invalid_value",
            setting("size", st.sampled_from(other_sizes)),
        ),
        Break(
            f"quality {model} does not offer",
            400,
            "invalid_value",
            setting("quality", st.sampled_from(other_qualities)),
        ),
        Break(
            "a model OpenAI does not have",
            404,
            "model_not_found",
            setting("model", st.sampled_from(["dall-e-4", "gpt-image-0", "sdxl"])),
        ),
    ]
    if n_max < 10:  # the gateway clamps n to 1..10, so only a lower model limit can be broken
        breaks.append(
            Break("n above the model's limit", 400, None, setting("n", st.integers(n_max + 1, 10)))
        )
    if rules.family == "gpt-image":
        breaks.append(
            Break(
                "response_format, which GPT image models refuse",
                400,
                "unknown_parameter",
                setting("response_format", st.sampled_from(["url", "b64_json"])),
            )
        )
    return breaks


# -- the public strategy ----------------------------------------------------------------------

_BUILDERS = {"v1": _stability_v1, "v2": _stability_v2, "openai": _openai,
             "bedrock": bedrock_requests, "vertex": vertex_requests, "segmind": segmind_requests,
             "fireworks": fireworks_requests, "workers": workers_ai_requests}  # fmt: skip
_BREAKS = {"v1": _v1_breaks, "v2": _v2_breaks, "openai": _openai_breaks, "vertex": vertex_breaks,
           "segmind": segmind_breaks, "fireworks": fireworks_breaks,
           "workers": workers_ai_breaks, "bedrock": bedrock_breaks}  # fmt: skip
# The 401 error name each family's refused key gets (Stability's `name`, OpenAI's and
# Vertex's `code`, Fireworks' `type`; Segmind's error has none).
_REFUSED: dict[str, str | None] = {
    "openai": "invalid_api_key",
    "vertex": "UNAUTHENTICATED",
    "segmind": None,
    "fireworks": "invalid_request_error",
    "workers": None,
}


def _family(provider: str, model: str) -> str:
    if provider in (*_AZURE, "bedrock"):
        return provider
    if provider in ("openai", "vertex-ai", "segmind", "fireworks-ai", "workers-ai"):
        return provider.removesuffix("-ai")
    return "v1" if model in V1_MODELS else "v2"


def _valid(provider: str, model: str) -> st.SearchStrategy[ImageRequest]:
    if provider in _AZURE:
        return azure_requests(provider, model)
    return _BUILDERS[_family(provider, model)](model)


@cache
def _invalid(provider: str, model: str) -> st.SearchStrategy[ImageRequest]:
    family = _family(provider, model)
    if provider in _AZURE:
        return broken(azure_requests(provider, model), azure_breaks(provider, model))
    if family == "bedrock":  # its wrong-key break is its own (an AWS access key)
        return broken(bedrock_requests(model), bedrock_breaks(model))
    refused = _REFUSED.get(family, "unauthorized")
    wrong_key = Break(
        "a provider key the provider refuses",
        401,
        refused,
        headers={"authorization": "Bearer sk-invalid-0123456789"},
    )
    return broken(_BUILDERS[family](model), [*_BREAKS[family](model), wrong_key])


def _resolve(provider: str | None, model: str | None) -> list[tuple[str, str]]:
    check_choice("image_requests", "provider", provider, [*_MODELS, *OPENAI_LIKE])
    if model is not None:
        owners = [name for name, models in _MODELS.items() if model in models]
        if not owners or (provider is not None and provider not in owners):
            known = ", ".join(
                f"image_requests(provider={p!r}, model={m!r})"
                for p in ([provider] if provider else _MODELS)
                for m in _MODELS[p][:3]
            )
            _unknown_model(model, provider, known)
        provider = provider or owners[0]
    providers = [provider] if provider else [p for p in _MODELS if p not in _NAMED_ONLY]
    if model is None:
        return [(p, m) for p in providers for m in _SERVED[p]]
    return [(p, m) for p in providers for m in _MODELS[p] if m == model]


def _unknown_model(model: str, provider: str | None, known: str) -> None:
    """Fail at once for a model the catalogues do not list, suggesting listed ones."""
    where = f" for provider {provider!r}" if provider else ""
    raise InvalidArgument(
        f"image_requests() got model={model!r}, which the mock's catalogue does not list"
        f"{where}. Try one of: {known}, ... or image_requests(valid=False) for requests "
        "the real API rejects."
    )


def image_requests(
    *, provider: str | None = None, model: str | None = None, valid: bool = True
) -> st.SearchStrategy[ImageRequest]:
    """Unified images requests (``POST /v1/images/generations``) as ``ImageRequest`` values.

    ``provider``: ``"stability-ai"``, ``"openai"`` (the default: these two), or, when named,
    ``"azure-openai"``, ``"azure-ai"``, ``"bedrock"``, ``"vertex-ai"``, ``"segmind"``,
    ``"fireworks-ai"``, ``"workers-ai"``, or one of the OpenAI-compatible providers
    (``recraft-ai``, ``deepbricks``, ``lemonfox-ai``, ``nscale``; ``hyperbolic`` and
    ``siliconflow`` with ``valid=False`` only: no unified request reaches them successfully
    through the gateway 1.15.2).
    ``model``: one model of the catalogue (Stability v1 engines, ``core``, ``ultra``, ``sd3``;
    OpenAI's models; an Azure deployment's ``dall-e-3`` or ``gpt-image-1``; Bedrock's
    ``stability.*`` ids; Vertex's Imagen models; Segmind's slugs; Fireworks'
    ``accounts/fireworks/models/...``; Workers AI's JSON-answering ``@cf/...`` models, which
    the hosted profile reads as Model Catalog slugs: send them to profile oss);
    by default every model the providers serve today (a retired one only when named).
    ``valid=False`` gives requests the real API refuses, each with its ``reason``, ``status``
    and ``error_name``. Examples shrink to the first model with a one-character prompt.
    """
    check_bool("image_requests", "valid", valid)
    if provider in OPENAI_LIKE:
        return openai_like_requests(provider, model, valid=valid)
    pairs = _resolve(provider, model)
    if valid:
        return st.one_of([_valid(p, m) for p, m in pairs])
    return st.one_of([_invalid(p, m) for p, m in pairs])
