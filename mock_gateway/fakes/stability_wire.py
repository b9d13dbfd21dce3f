"""What every fake Stability endpoint shares: its error, its key check, Accept, image headers
and the multipart form read back as typed fields."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from jsonschema.exceptions import ValidationError

from mock_gateway.fakes.stability_data import MESSAGES
from mock_gateway.upstream import UpstreamRequest, UpstreamResponse
from mock_gateway.wire.multipart import MultipartError, decode_form

__all__ = [
    "StabilityReject",
    "accepts",
    "api_key",
    "authorize",
    "form_fields",
    "image_headers",
    "missing_field",
    "v2_image_answer",
]

_NOT_KEYS = frozenset({"undefined", "OPENAI_API_KEY"})
# Form fields Stability reads as numbers (v1 and v2beta specs); the rest stay text.
_NUMBERS = frozenset({
    "cfg_scale", "strength", "image_strength", "step_schedule_start", "step_schedule_end",
    "samples", "steps", "grow_mask", "left", "right", "up", "down", "creativity",
    "control_strength", "fidelity", "style_strength", "composition_fidelity",
    "change_strength", "preserve_original_subject", "original_background_depth",
    "light_source_strength", "width", "height",
})  # fmt: skip


class StabilityReject(Exception):
    """A native Stability error answer, raised from deep in a handler."""

    def __init__(self, status: int, name: str, message: str) -> None:
        super().__init__(message)
        self.status, self.name, self.message = status, name, message


def api_key(request: UpstreamRequest) -> str:
    """The key a request carries (``Bearer`` removed), or '' without one."""
    return (request.header("authorization") or "").removeprefix("Bearer ").strip()


def authorize(request: UpstreamRequest) -> None:
    """Stability's 401 for a missing or refused key."""
    if request.header("authorization") is None:
        raise StabilityReject(401, "unauthorized", MESSAGES["missing_key"])
    # Raw keys are accepted as well as `Bearer <key>`: the forum's proxy call sends the
    # raw key and Portkey staff recommended it as working. `undefined` is what the OSS
    # gateway sends when it had no key (§1.2); `OPENAI_API_KEY` is the placeholder the
    # portkey-ai SDK sends when the user gave no Authorization (§1.4). Neither is a key.
    key = api_key(request)
    # A mock convention, documented: a key containing "invalid" is refused (a 401).
    if not key or key in _NOT_KEYS or " " in key or "invalid" in key:
        raise StabilityReject(401, "unauthorized", MESSAGES["invalid_key"])


def accepts(request: UpstreamRequest, media: str) -> bool:
    """Whether the first media type of the request's Accept is ``media``."""
    accept = (request.header("accept") or "").split(",")[0].split(";")[0].strip().lower()
    return accept == media


def image_headers(fmt: str, finish: str, seed: int, length: int) -> tuple[tuple[str, str], ...]:
    """The headers of a raw image answer."""
    return (
        ("content-type", f"image/{fmt}"),
        ("content-length", str(length)),
        ("finish-reason", finish),
        ("seed", str(seed)),
    )


def form_fields(request: UpstreamRequest) -> dict[str, Any]:
    """The multipart body as fields: file parts as bytes, numeric fields as numbers."""
    content_type = request.header("content-type") or ""
    if not content_type.lower().startswith("multipart/form-data"):
        raise StabilityReject(400, "bad_request", MESSAGES["v2_bad_form"])
    try:
        parts = decode_form(request.body, content_type)
    except MultipartError:
        raise StabilityReject(400, "bad_request", MESSAGES["v2_bad_form"]) from None
    return {
        part.name: part.value if part.filename else _typed(part.name, part.text) for part in parts
    }


def missing_field(error: ValidationError) -> str | None:
    """The field a ``required`` (or ``dependentRequired``) error found missing, else ``None``."""
    instance, rule = error.instance, error.validator_value
    if error.validator == "required":
        return str(next(key for key in rule if key not in instance))
    if error.validator == "dependentRequired":  # ultra: `image` needs `strength`
        return str(next(need for key in rule if key in instance for need in rule[key]
                        if need not in instance))  # fmt: skip
    return None


def _typed(name: str, text: str) -> Any:
    """Form values arrive as text; read numeric fields as numbers, as Stability does."""
    try:
        if name == "seed":
            return int(text)
        if name in _NUMBERS:
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
    except ValueError:
        return text  # left as text so the contract names the field as the wrong type
    return text


def v2_image_answer(
    request: UpstreamRequest,
    image: bytes,
    fmt: str,
    finish: str,
    seed: int,
    request_id: Callable[[], str],
) -> UpstreamResponse:
    """A v2beta image answer: JSON ``{image, finish_reason, seed}`` for ``Accept:
    application/json``, else the raw bytes with ``finish-reason``, ``seed`` and an
    ``x-request-id`` (drawn only then, so a seeded id sequence is kept)."""
    if accepts(request, "application/json"):
        body = {"image": base64.b64encode(image).decode(), "finish_reason": finish, "seed": seed}
        data = json.dumps(body, separators=(",", ":")).encode()
        return UpstreamResponse(
            200, (("content-type", f"application/json; type=image/{fmt}"),), data
        )
    headers = (*image_headers(fmt, finish, seed, len(image)), ("x-request-id", request_id()))
    return UpstreamResponse(200, headers, image)
