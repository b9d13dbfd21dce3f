"""The facts the OpenAI-compatible fakes answer from: one ``Spec`` per provider.

Sources: docs/facts/providers/<provider>.md (§2 of each: the provider's own API). Most of
these upstream contracts are not published where the facts were gathered, so every value a
source does not establish is ASSUMED; each entry lists its assumed fields in ``assumed``
(the unverified part of this table), and a test keeps those names true. Change an assumed
fact here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from math import gcd
from types import MappingProxyType
from typing import Literal

__all__ = ["HYPERBOLIC", "SILICONFLOW", "SPECS", "ErrorShape", "Spec", "aspect_sizes"]

# How a provider words an error (all ASSUMED but OpenAI's own shape, which deepbricks,
# lemonfox and nscale are assumed to copy):
# - "openai": {"error": {"message", "type", "param", "code"}}
# - "code-message": {"code": "<slug>", "message": "..."} (the facts' Recraft example)
# - "fastapi": {"detail": [{"type", "loc", "msg"}]} for validation, {"detail": "..."} else
# - "siliconflow": {"code": <int>, "message": "...", "data": null} (SiliconFlow's common form)
ErrorShape = Literal["openai", "code-message", "fastapi", "siliconflow"]


def _frozen(mapping: Mapping[str, tuple[str, ...]]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Spec:
    """One provider's image API, as its fake serves it."""

    provider: str
    base_url: str
    path: str  # the images endpoint, after the host
    error_shape: ErrorShape
    # Models by name -> the sizes each takes ("WxH"); the one key "": `model` is ignored.
    models: Mapping[str, tuple[str, ...]]
    default_model: str | None  # used when `model` is absent; None: `model` is required
    default_size: str
    n_range: tuple[int, int]
    prompt_limit: int
    formats: tuple[str, ...] = ("url", "b64_json")
    default_format: str = "url"
    styles: tuple[str, ...] = ()  # accepted `style` values (empty: not checked)
    model_field: str = "model"
    # Longer prompt limits of some models (Recraft V4).
    prompt_limits: Mapping[str, int] = field(default_factory=dict)
    # Recraft's own traits: `w:h` sizes, styles it answers in SVG (not drawn: a 501), an
    # `image_id` per URL item and the `credits` spent (per image, value ASSUMED).
    aspect_sizes: bool = False
    vector_styles: tuple[str, ...] = ()
    image_ids: bool = False
    credits_per_image: int | None = None
    assumed: tuple[str, ...] = ()  # the fields above no source establishes


_RECRAFT_V3 = ("1024x1024", "1152x896", "896x1152", "1216x832", "832x1216", "1344x768",
               "768x1344", "1536x640", "640x1536")  # fmt: skip
_RECRAFT_V4 = ("1024x1024", "1536x768", "768x1536", "1280x832", "832x1280", "1216x896",
               "896x1216", "1152x896", "896x1152", "832x1344", "1280x896", "896x1280",
               "1344x768", "768x1344")  # fmt: skip
_DALL_E_2 = ("256x256", "512x512", "1024x1024")
_DALL_E_3 = ("1024x1024", "1792x1024", "1024x1792")
_SQUARES = ("512x512", "768x768", "1024x1024")

SPECS: Mapping[str, Spec] = MappingProxyType(
    {
        # recraft-ai.md §2: models, sizes (V3 list third-party), prompt limits, formats FROM DOCS.
        "recraft-ai": Spec(
            provider="recraft-ai",
            base_url="https://external.api.recraft.ai/v1",
            path="/v1/images/generations",
            error_shape="code-message",
            models=_frozen(
                {"recraftv2": _RECRAFT_V3, "recraftv3": _RECRAFT_V3, "recraftv4": _RECRAFT_V4}
            ),
            default_model="recraftv3",
            default_size="1024x1024",
            n_range=(1, 6),
            prompt_limit=1000,
            prompt_limits=MappingProxyType({"recraftv4": 10000}),
            # Raster styles only: vector ones answer SVG, which the mock does not draw.
            styles=("any", "realistic_image", "digital_illustration"),
            aspect_sizes=True,
            vector_styles=("vector_illustration", "icon"),
            image_ids=True,
            credits_per_image=40,
            assumed=(
                "error_shape",
                "default_model",
                "n_range",
                "styles",
                "models",
                "credits_per_image",
            ),
        ),
        # deepbricks.md §2: no Deepbricks reference found; OpenAI's DALL·E contract assumed.
        "deepbricks": Spec(
            provider="deepbricks",
            base_url="https://api.deepbricks.ai/v1",
            path="/v1/images/generations",
            error_shape="openai",
            models=_frozen({"dall-e-2": _DALL_E_2, "dall-e-3": _DALL_E_3}),
            default_model="dall-e-2",
            default_size="1024x1024",
            n_range=(1, 10),
            prompt_limit=4000,
            prompt_limits=MappingProxyType({"dall-e-2": 1000}),
            styles=("vivid", "natural"),
            assumed=(
                "error_shape",
                "models",
                "default_model",
                "default_size",
                "n_range",
                "prompt_limit",
                "styles",
            ),
        ),
        # lemonfox-ai.md §2: Portkey's page names the parameters; limits and shapes unknown.
        "lemonfox-ai": Spec(
            provider="lemonfox-ai",
            base_url="https://api.lemonfox.ai/v1",
            path="/v1/images/generations",
            error_shape="openai",
            models=_frozen({"": ("256x256", "512x512", "768x768", "1024x1024")}),
            default_model=None,
            default_size="1024x1024",
            n_range=(1, 8),
            prompt_limit=4000,
            assumed=("error_shape", "default_size", "n_range", "prompt_limit", "models"),
        ),
        # nscale.md §2: the path and the b64_json answer from Hugging Face's client code.
        "nscale": Spec(
            provider="nscale",
            base_url="https://inference.api.nscale.com/v1",
            path="/v1/images/generations",
            error_shape="openai",
            models=_frozen(
                {
                    "stabilityai/stable-diffusion-xl-base-1.0": _SQUARES,
                    "black-forest-labs/FLUX.1-schnell": (
                        "512x512",
                        "1024x1024",
                        "1024x1792",
                        "1792x1024",
                    ),
                }
            ),
            default_model=None,
            default_size="1024x1024",
            n_range=(1, 4),
            prompt_limit=4000,
            default_format="b64_json",
            assumed=(
                "error_shape",
                "models",
                "default_size",
                "n_range",
                "prompt_limit",
                "default_format",
            ),
        ),
    }
)


def aspect_sizes(sizes: tuple[str, ...]) -> dict[str, str]:
    """Recraft's ``w:h`` spelling of each ``WxH`` size (1024x1024 -> 1:1)."""
    out: dict[str, str] = {}
    for size in sizes:
        width, height = (int(side) for side in size.split("x"))
        common = gcd(width, height)
        out.setdefault(f"{width // common}:{height // common}", size)
    return out


# hyperbolic.md §2 (FROM DOCS: the path, `model_name` and `prompt` required, height/width
# default 1024, the `images[].image` answer). ASSUMED: the model list beyond the two the docs
# name, the side range, one image per call, FastAPI-style errors with 422 for validation.
HYPERBOLIC = Spec(
    provider="hyperbolic",
    base_url="https://api.hyperbolic.xyz",
    path="/v1/image/generation",
    error_shape="fastapi",
    models=_frozen(
        {name: () for name in ("FLUX.1-dev", "SDXL1.0-base", "SD1.5", "SD2", "SSD", "SDXL-turbo")}
    ),
    default_model=None,
    default_size="1024x1024",
    n_range=(1, 1),
    prompt_limit=4000,
    model_field="model_name",
    assumed=("error_shape", "models", "n_range", "prompt_limit"),
)

# siliconflow.md §2 (FROM DOCS: POST /v1/images/generations, `model` in the body, the
# models, batch_size 1..4 for Kolors only, num_inference_steps 1..100, the `images[].url`
# answer with `timings` and `seed`, URLs valid an hour). ASSUMED: the error body
# {code, message, data} and its codes, the 404 for the gateway's outdated
# /{model}/text-to-image path, the side range 64..2048, the default size.
SILICONFLOW = Spec(
    provider="siliconflow",
    base_url="https://api.siliconflow.cn/v1",
    path="/v1/images/generations",
    error_shape="siliconflow",
    models=_frozen(
        {
            name: ()
            for name in (
                "Kwai-Kolors/Kolors",
                "Qwen/Qwen-Image",
                "black-forest-labs/FLUX.1-schnell",
                "stabilityai/stable-diffusion-3-5-large",
            )
        }
    ),
    default_model=None,
    default_size="1024x1024",
    n_range=(1, 4),
    prompt_limit=4000,
    assumed=("error_shape", "default_size", "prompt_limit"),
)
