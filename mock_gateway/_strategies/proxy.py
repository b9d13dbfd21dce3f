"""Stability's own API through the gateway's proxy route: v1 text-to-image and v2beta generate.

The client speaks Stability's API (``/v1/generation/{engine}/text-to-image``, JSON, and
``/v1/v2beta/stable-image/generate/{core|ultra|sd3}``, multipart); the gateway passes the
answer back untouched. Facts: ``fakes/stability_data.py`` and the Stability contracts.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from hypothesis import strategies as st

from mock_gateway._strategies.common import (
    BOUNDARY,
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
from mock_gateway._strategies.unified import sd16_sizes
from mock_gateway.fakes.stability_data import (
    CORE_SIZES,
    ENGINES,
    ONE_MP_SIZES,
    SDXL_DIMENSIONS,
    SDXL_ENGINES,
    V2_ENDPOINTS,
)

__all__ = ["stability_v1_requests", "stability_v2beta_requests"]

V1_REQUEST = "stability/v1-text-to-image-request.json"
V2_REQUEST = "stability/v2beta-generate-request.json"
ENGINE_IDS = tuple(engine["id"] for engine in ENGINES)
V1_ACCEPTS = ("image/png", "application/json")
V2_ACCEPTS = ("image/*", "application/json")
ENDPOINTS = tuple(sorted(V2_ENDPOINTS))


def _headers(key: str, accept: str, content_type: str) -> dict[str, str]:
    # The forum thread's call: the raw key in Authorization, the provider in a header.
    return {
        "content-type": content_type,
        "accept": accept,
        "x-portkey-api-key": PORTKEY_KEY,
        "x-portkey-provider": "stability-ai",
        "authorization": key,
    }


def _text_prompts() -> st.SearchStrategy[list[dict[str, Any]]]:
    item = st.fixed_dictionaries(
        {"text": prompts()}, optional={"weight": st.sampled_from([1, 0.5, -1])}
    )
    return st.lists(item, min_size=1, max_size=3)


def _v1_request(engine: str, accept: str, body: dict[str, Any], key: str) -> ImageRequest:
    size = (body.get("width", 512), body.get("height", 512))
    headers = _headers(key, accept, "application/json")
    return ImageRequest(
        f"/v1/generation/{engine}/text-to-image",
        headers,
        body,
        "stability-ai",
        engine,
        V1_REQUEST,
        image_size=size,
        image_count=body.get("samples", 1),
    )


@cache
def _v1(engine: str, accept: str) -> st.SearchStrategy[ImageRequest]:
    sdxl = engine in SDXL_ENGINES
    optional: dict[str, st.SearchStrategy[Any]] = {
        "samples": st.just(1) if accept == "image/png" else st.integers(1, 10),
        "cfg_scale": st.integers(0, 35) | st.floats(0, 35),
        "seed": st.integers(0, 4294967295),
        "steps": st.integers(10, 50),
        "sampler": st.sampled_from(enum_of(V1_REQUEST, "properties", "sampler")),
        "clip_guidance_preset": st.sampled_from(
            enum_of(V1_REQUEST, "properties", "clip_guidance_preset")
        ),
        "style_preset": st.sampled_from(enum_of("stability/style-preset.json")),
    }
    sizes = st.sampled_from(list(SDXL_DIMENSIONS) if sdxl else sd16_sizes())
    dimensions = sizes.map(lambda size: {"width": size[0], "height": size[1]})
    # SDXL takes only its nine sizes, and the default 512x512 is not one of them.
    dimensions = dimensions if sdxl else st.just({}) | dimensions
    bodies = st.tuples(
        st.fixed_dictionaries({"text_prompts": _text_prompts()}, optional=optional), dimensions
    ).map(lambda parts: ordered(parts[0] | parts[1]))
    return st.tuples(bodies, provider_keys()).map(lambda drawn: _v1_request(engine, accept, *drawn))


def _v1_breaks(engine: str, accept: str) -> list[Break]:
    unknown = "/v1/generation/stable-diffusion-v9/text-to-image"
    breaks = [
        Break("text_prompts is empty", 400, "invalid_prompts", st.just({"text_prompts": []})),
        Break(
            "a height that is not a multiple of 64",
            400,
            "invalid_height_or_width",
            setting("height", st.integers(321, 1535).filter(lambda h: h % 64 != 0)),
        ),
        Break("steps outside 10..50", 400, "bad_request", setting("steps", st.integers(51, 150))),
        Break("an engine Stability does not have", 404, "not_found", path=unknown),
    ]
    if engine in SDXL_ENGINES:
        others = [size for size in sd16_sizes() if size not in SDXL_DIMENSIONS]
        breaks.append(
            Break(
                "dimensions that are not one of SDXL's nine",
                400,
                "invalid_sdxl_v1_dimensions",
                st.sampled_from(others).map(lambda s: {"width": s[0], "height": s[1]}),
            )
        )
    if accept == "image/png":
        breaks.append(
            Break(
                "samples above 1 with Accept: image/png",
                400,
                "invalid_samples",
                setting("samples", st.integers(2, 10)),
            )
        )
    return breaks


def _v2_request(endpoint: str, accept: str, body: dict[str, Any], key: str) -> ImageRequest:
    table = CORE_SIZES if endpoint == "core" else ONE_MP_SIZES
    headers = _headers(key, accept, f"multipart/form-data; boundary={BOUNDARY}")
    return ImageRequest(
        f"/v1/v2beta/stable-image/generate/{endpoint}",
        headers,
        body,
        "stability-ai",
        endpoint,
        V2_REQUEST,
        endpoint,
        "multipart",
        image_size=table[body.get("aspect_ratio", "1:1")],
        image_format=body.get("output_format", "png"),
    )


@cache
def _v2(endpoint: str, accept: str) -> st.SearchStrategy[ImageRequest]:
    optional: dict[str, st.SearchStrategy[Any]] = {
        "negative_prompt": prompts(),
        "aspect_ratio": st.sampled_from(enum_of(V2_REQUEST, "properties", "aspect_ratio")),
        "seed": st.integers(0, 4294967294),
        "output_format": st.sampled_from(enum_of(V2_REQUEST, "properties", "output_format")),
        "style_preset": st.sampled_from(enum_of("stability/style-preset.json")),
    }
    if endpoint == "sd3":
        optional["model"] = st.sampled_from(
            enum_of(V2_REQUEST, "$defs", "sd3", "properties", "model")
        )
        optional["cfg_scale"] = st.integers(1, 10)
        optional["mode"] = st.just("text-to-image")
    bodies = st.fixed_dictionaries({"prompt": prompts()}, optional=optional).map(ordered)
    return st.tuples(bodies, provider_keys()).map(
        lambda drawn: _v2_request(endpoint, accept, *drawn)
    )


def _v2_breaks(endpoint: str) -> list[Break]:
    breaks = [
        Break("no prompt", 400, "bad_request", drop=("prompt",)),
        Break(
            "aspect_ratio Stability does not offer",
            400,
            "bad_request",
            setting("aspect_ratio", st.sampled_from(["4:3", "1:2"])),
        ),
        Break(
            "output_format Stability does not offer",
            400,
            "bad_request",
            setting("output_format", st.sampled_from(["gif", "tiff"])),
        ),
    ]
    if endpoint == "sd3":
        breaks.append(
            Break(
                "image-to-image without an image",
                400,
                "bad_request",
                st.just({"mode": "image-to-image"}),
            )
        )
    return breaks


_WRONG_KEY = Break(
    "a key Stability refuses",
    401,
    "unauthorized",
    headers={"authorization": "sk-invalid-0123456789"},
)


@cache
def _invalid(version: str, name: str, accept: str) -> st.SearchStrategy[ImageRequest]:
    if version == "v1":
        return broken(_v1(name, accept), [*_v1_breaks(name, accept), _WRONG_KEY])
    return broken(_v2(name, accept), [*_v2_breaks(name), _WRONG_KEY])


def stability_v1_requests(
    *, engine: str | None = None, accept: str | None = None, valid: bool = True
) -> st.SearchStrategy[ImageRequest]:
    """Stability v1 text-to-image calls through the proxy route, as ``ImageRequest`` values.

    ``engine``: one of Stability's v1 engines (default: any). ``accept``: ``"image/png"``
    (raw bytes, one sample) or ``"application/json"`` (``artifacts``). ``valid=False``: calls
    Stability refuses, with ``reason``, ``status`` and ``error_name``. Examples shrink to
    the first engine, one one-character text prompt, and no optional field.
    """
    check_choice("stability_v1_requests", "engine", engine, ENGINE_IDS)
    check_choice("stability_v1_requests", "accept", accept, V1_ACCEPTS)
    check_bool("stability_v1_requests", "valid", valid)
    options = [
        (e, a)
        for e in ENGINE_IDS
        for a in V1_ACCEPTS
        if engine in (None, e) and accept in (None, a)
    ]
    if valid:
        return st.one_of([_v1(e, a) for e, a in options])
    return st.one_of([_invalid("v1", e, a) for e, a in options])


def stability_v2beta_requests(
    *, endpoint: str | None = None, accept: str | None = None, valid: bool = True
) -> st.SearchStrategy[ImageRequest]:
    """Stability v2beta ``stable-image/generate`` calls (multipart) through the proxy route.

    ``endpoint``: ``"core"``, ``"sd3"`` or ``"ultra"`` (default: any). ``accept``:
    ``"image/*"`` (raw bytes) or ``"application/json"``. ``valid=False``: calls Stability
    refuses, with ``reason``, ``status`` and ``error_name``.
    """
    check_choice("stability_v2beta_requests", "endpoint", endpoint, ENDPOINTS)
    check_choice("stability_v2beta_requests", "accept", accept, V2_ACCEPTS)
    check_bool("stability_v2beta_requests", "valid", valid)
    options = [
        (e, a)
        for e in ENDPOINTS
        for a in V2_ACCEPTS
        if endpoint in (None, e) and accept in (None, a)
    ]
    if valid:
        return st.one_of([_v2(e, a) for e, a in options])
    return st.one_of([_invalid("v2", e, a) for e, a in options])
