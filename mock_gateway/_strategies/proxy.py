"""Stability's own API through the gateway's proxy route: v1 text-to-image and v2beta generate.

The client speaks Stability's API (``/v1/generation/{engine}/text-to-image``, JSON, and
``/v1/v2beta/stable-image/generate/{core|ultra|sd3}``, multipart); the gateway passes the
answer back untouched. Facts: ``fakes/stability_data.py`` and the Stability contracts.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import strategies as st

from mock_gateway._strategies.common import (
    BOUNDARY,
    PORTKEY_KEY,
    ImageRequest,
    check_bool,
    check_choice,
    enum_of,
    ordered,
    prompts,
    provider_keys,
)
from mock_gateway._strategies.unified import Breaker, sd16_sizes
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


@st.composite
def _v1(draw: st.DrawFn, engine: str, accept: str) -> ImageRequest:
    sdxl = engine in SDXL_ENGINES
    width, height = draw(st.sampled_from(list(SDXL_DIMENSIONS) if sdxl else sd16_sizes()))
    samples = st.just(1) if accept == "image/png" else st.integers(1, 10)
    dimensions = {"width": st.just(width), "height": st.just(height)}
    optional: dict[str, st.SearchStrategy[Any]] = {
        "samples": samples,
        "cfg_scale": st.integers(0, 35) | st.floats(0, 35),
        "seed": st.integers(0, 4294967295),
        "steps": st.integers(10, 50),
        "sampler": st.sampled_from(enum_of(V1_REQUEST, "properties", "sampler")),
        "clip_guidance_preset": st.sampled_from(
            enum_of(V1_REQUEST, "properties", "clip_guidance_preset")
        ),
        "style_preset": st.sampled_from(enum_of("stability/style-preset.json")),
    }
    required: dict[str, st.SearchStrategy[Any]] = {"text_prompts": _text_prompts()}
    # SDXL takes only its nine sizes, and the default 512x512 is not one of them.
    (required if sdxl else optional).update(dimensions)
    body = ordered(draw(st.fixed_dictionaries(required, optional=optional)))
    size = (body.get("width", 512), body.get("height", 512))
    headers = _headers(draw(provider_keys()), accept, "application/json")
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


def _v1_breakers(engine: str, accept: str) -> list[Breaker]:
    breakers: list[Breaker] = [
        (
            "text_prompts is empty",
            400,
            "invalid_prompts",
            lambda b: st.just({**b, "text_prompts": []}),
        ),
        (
            "a height that is not a multiple of 64",
            400,
            "invalid_height_or_width",
            lambda b: (
                st.integers(321, 1535)
                .filter(lambda h: h % 64 != 0)
                .map(lambda h: {**b, "height": h})
            ),
        ),
        (
            "steps outside 10..50",
            400,
            "bad_request",
            lambda b: st.integers(51, 150).map(lambda s: {**b, "steps": s}),
        ),
        ("an engine Stability does not have", 404, "not_found", lambda b: st.just(b)),
    ]
    if engine in SDXL_ENGINES:
        others = [size for size in sd16_sizes() if size not in SDXL_DIMENSIONS]
        breakers.append(
            (
                "dimensions that are not one of SDXL's nine",
                400,
                "invalid_sdxl_v1_dimensions",
                lambda b: st.sampled_from(others).map(
                    lambda s: {**b, "width": s[0], "height": s[1]}
                ),
            )
        )
    if accept == "image/png":
        breakers.append(
            (
                "samples above 1 with Accept: image/png",
                400,
                "invalid_samples",
                lambda b: st.integers(2, 10).map(lambda n: {**b, "samples": n}),
            )
        )
    return breakers


@st.composite
def _v2(draw: st.DrawFn, endpoint: str, accept: str) -> ImageRequest:
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
    body = ordered(draw(st.fixed_dictionaries({"prompt": prompts()}, optional=optional)))
    table = CORE_SIZES if endpoint == "core" else ONE_MP_SIZES
    headers = _headers(draw(provider_keys()), accept, f"multipart/form-data; boundary={BOUNDARY}")
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


def _v2_breakers(endpoint: str) -> list[Breaker]:
    breakers: list[Breaker] = [
        (
            "no prompt",
            400,
            "bad_request",
            lambda b: st.just({k: v for k, v in b.items() if k != "prompt"}),
        ),
        (
            "aspect_ratio Stability does not offer",
            400,
            "bad_request",
            lambda b: st.sampled_from(["4:3", "1:2"]).map(lambda r: {**b, "aspect_ratio": r}),
        ),
        (
            "output_format Stability does not offer",
            400,
            "bad_request",
            lambda b: st.sampled_from(["gif", "tiff"]).map(lambda f: {**b, "output_format": f}),
        ),
    ]
    if endpoint == "sd3":
        breakers.append(
            (
                "image-to-image without an image",
                400,
                "bad_request",
                lambda b: st.just({**b, "mode": "image-to-image"}),
            )
        )
    return breakers


@st.composite
def _broken(draw: st.DrawFn, valid: ImageRequest, breakers: list[Breaker]) -> ImageRequest:
    choice = draw(st.integers(0, len(breakers)))
    if choice == len(breakers):
        headers = {**valid.headers, "authorization": "sk-invalid-0123456789"}
        return replace(
            valid,
            headers=headers,
            reason="a key Stability refuses",
            status=401,
            error_name="unauthorized",
            image_size=None,
        )
    reason, status, name, breaker = breakers[choice]
    body = draw(breaker(dict(valid.body)))
    path = valid.path
    if name == "not_found":
        path = "/v1/generation/stable-diffusion-v9/text-to-image"
    return replace(
        valid, path=path, body=body, reason=reason, status=status, error_name=name, image_size=None
    )


@st.composite
def _invalid(draw: st.DrawFn, version: str, name: str, accept: str) -> ImageRequest:
    if version == "v1":
        return draw(_broken(draw(_v1(name, accept)), _v1_breakers(name, accept)))
    return draw(_broken(draw(_v2(name, accept)), _v2_breakers(name)))


def stability_v1_requests(
    *, engine: str | None = None, accept: str | None = None, valid: bool = True
) -> st.SearchStrategy[ImageRequest]:
    """Stability v1 text-to-image calls through the proxy route, as ``ImageRequest`` values.

    ``engine``: one of Stability's v1 engines (default: any). ``accept``: ``"image/png"``
    (raw bytes, one sample) or ``"application/json"`` (``artifacts``). ``valid=False``: calls
    Stability refuses, with ``reason``, ``status`` and ``error_name``. Examples shrink to
    the first engine, one text prompt of one word, and no optional field.
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
