"""``image_edit_requests()``: ``POST /v1/images/edits`` calls (multipart, real small images).

The facts are the fake's own (contracts/openai/images-edit-request.json and
``fakes/openai_edits_data.py``): GPT image models, 1-16 PNG/JPEG/WebP images, an optional PNG
mask with a transparent hole at the first image's size. ``valid=False`` gives calls OpenAI
refuses, each with the ``code`` of its 400.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx
from hypothesis import strategies as st

from mock_gateway._strategies.common import check_bool, check_choice
from mock_gateway.fakes.openai_edits_data import FAMILIES, NO_TRANSPARENCY
from mock_gateway.wire.multipart import FormField, encode_parts

__all__ = ["ImageEditRequest", "image_edit_requests"]

_GPT_MODELS = tuple(sorted(name for name, family in FAMILIES.items() if family == "gpt-image"))
_FORMATS = {"png": ("PNG", "image/png"), "jpeg": ("JPEG", "image/jpeg"),
            "webp": ("WEBP", "image/webp")}  # fmt: skip
_SIZES = ("1024x1024", "1024x1536", "1536x1024")
_BOUNDARY = "----mock-portkey-edit-boundary"
_KEY = "sk-test-0123456789abcdef"


@dataclass(frozen=True)
class ImageEditRequest:
    """One image-edit call through the gateway, and what OpenAI answers it.

    ``fields`` are the text parts, ``files`` the file parts (name, filename, content type,
    bytes) in order. ``reason`` says why OpenAI refuses it (``None``: valid), ``status`` and
    ``error_code`` are that refusal; for a valid call ``image_size`` and ``image_count`` are
    what the answer holds.
    """

    model: str
    fields: Mapping[str, str]
    files: tuple[tuple[str, str, str, bytes], ...]
    headers: Mapping[str, str] = field(
        default_factory=lambda: {"x-portkey-provider": "openai", "authorization": f"Bearer {_KEY}"}
    )
    path: str = "/v1/images/edits"
    reason: str | None = None
    status: int = 200
    error_code: str | None = None
    image_size: tuple[int, int] | None = None
    image_count: int = 1

    @property
    def valid(self) -> bool:
        """Whether OpenAI accepts it."""
        return self.reason is None

    @property
    def content(self) -> bytes:
        """The multipart body (boundary ``content_type`` names): text parts, then files."""
        parts = [FormField(name, value.encode()) for name, value in self.fields.items()]
        parts += [FormField(n, data, filename, kind) for n, filename, kind, data in self.files]
        return encode_parts(parts, _BOUNDARY)

    @property
    def content_type(self) -> str:
        """The body's ``Content-Type``."""
        return f"multipart/form-data; boundary={_BOUNDARY}"

    def send(self, client: httpx.Client, **headers: str) -> httpx.Response:
        """Send it with an httpx client whose ``base_url`` is the mock's origin."""
        sent = {**self.headers, "content-type": self.content_type, **headers}
        return client.post(self.path, headers=sent, content=self.content)


def _picture(width: int, height: int, fmt: str, colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    mode = "RGB" if fmt == "JPEG" else "RGBA"
    Image.new(mode, (width, height), (*colour, 255)[: len(mode)]).save(out, fmt)
    return out.getvalue()


def _mask(width: int, height: int, alpha: bool = True) -> bytes:
    from PIL import Image

    picture = Image.new("RGBA" if alpha else "RGB", (width, height), 0)
    if alpha:
        picture.paste((0, 0, 0, 255), (0, 0, width, height // 2))  # bottom half: the hole
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


@st.composite
def _images(draw: st.DrawFn, count: int) -> list[tuple[str, str, str, bytes]]:
    side = draw(st.sampled_from((8, 16, 32)))
    files = []
    for index in range(count):
        fmt, kind = _FORMATS[draw(st.sampled_from(tuple(_FORMATS)))]
        colour = draw(st.tuples(*[st.integers(0, 255)] * 3))
        name = "image" if count == 1 and draw(st.booleans()) else "image[]"
        filename = f"in{index}.{fmt.lower()}"
        files.append((name, filename, kind, _picture(side, side, fmt, colour)))
    if count > 1:  # several are always image[] (the SDK's array form)
        files = [("image[]", *rest) for _, *rest in files]  # type: ignore[misc]
    return files


@st.composite
def _valid(draw: st.DrawFn, model: str) -> ImageEditRequest:
    files = draw(_images(draw(st.integers(1, 4))))
    size = draw(st.sampled_from(_SIZES))
    fields = {"prompt": draw(st.text("abcdefgh ", min_size=1, max_size=40)), "model": model,
              "size": size}  # fmt: skip
    if draw(st.booleans()):
        fields["output_format"] = draw(st.sampled_from(tuple(_FORMATS)))
    if draw(st.booleans()) and model not in NO_TRANSPARENCY:
        fields["background"] = "opaque"
    if draw(st.booleans()):
        side = _side(files[0][3])
        files.append(("mask", "mask.png", "image/png", _mask(side, side)))
    count = draw(st.integers(1, 2))
    fields["n"] = str(count)
    width, height = (int(part) for part in size.split("x"))
    return ImageEditRequest(model, fields, tuple(files), image_size=(width, height),
                            image_count=count)  # fmt: skip


def _side(data: bytes) -> int:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as picture:
        return int(picture.width)


# Each way OpenAI refuses an edit: (reason, code, how to break a valid request).
def _break(request: ImageEditRequest, how: str) -> ImageEditRequest:
    files, fields = list(request.files), dict(request.fields)
    first = files[0]
    if how == "mimetype":
        files[0] = (first[0], first[1], "application/octet-stream", first[3])
    elif how == "not-an-image":
        files[0] = (first[0], first[1], first[2], b"not an image")
    elif how == "mask-without-alpha":
        files = [f for f in files if f[0] != "mask"]
        files.append(("mask", "mask.png", "image/png", _mask(_side(first[3]), _side(first[3]),
                                                             alpha=False)))  # fmt: skip
    elif how == "mask-size":
        files = [f for f in files if f[0] != "mask"]
        side = _side(first[3]) + 1
        files.append(("mask", "mask.png", "image/png", _mask(side, side)))
    elif how == "response-format":
        fields["response_format"] = "b64_json"
    elif how == "no-image":
        files = []
    elif how == "too-many":
        files = [("image[]", *first[1:]) for _ in range(17)]
    reason, code = _BREAKS[how]
    return ImageEditRequest(request.model, fields, tuple(files), request.headers, reason=reason,
                            status=400, error_code=code)  # fmt: skip


_BREAKS = {
    "mimetype": ("an image part typed application/octet-stream", "invalid_value"),
    "not-an-image": ("an image part whose bytes are no image", "invalid_image_file"),
    "mask-without-alpha": ("a mask without an alpha channel", "invalid_mask_image_format"),
    "mask-size": ("a mask not of the first image's size", "invalid_mask_image_format"),
    "response-format": ("response_format sent to a GPT image model", "unknown_parameter"),
    "no-image": ("no image at all", "missing_required_parameter"),
    "too-many": ("17 images (at most 16)", "array_above_max_length"),
}


def image_edit_requests(
    *, model: str | None = None, valid: bool = True
) -> st.SearchStrategy[ImageEditRequest]:
    """``POST /v1/images/edits`` calls with OpenAI's GPT image models, as the OpenAI SDK sends
    them: 1-4 small real PNG/JPEG/WebP images (``image`` or ``image[]``), sometimes a mask.
    ``valid=False``: calls OpenAI refuses (a wrong file type, bytes that are no image, a bad
    mask, ``response_format``, no image, 17 images), with ``reason``, ``status`` and
    ``error_code``."""
    check_choice("image_edit_requests", "model", model, _GPT_MODELS)
    check_bool("image_edit_requests", "valid", valid)
    models = st.sampled_from(_GPT_MODELS) if model is None else st.just(model)
    requests = models.flatmap(_valid)
    if valid:
        return requests
    return st.tuples(requests, st.sampled_from(tuple(_BREAKS))).map(lambda pair: _break(*pair))
