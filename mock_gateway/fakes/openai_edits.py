"""The fake OpenAI's ``POST /v1/images/edits``: images in, an edited image out.

The request arrives as the OpenAI SDK sends it (multipart: ``image`` or ``image[]``, ``mask``,
text fields) or in the JSON form of the current reference (``images`` of data URLs). It is
checked as OpenAI checks it (the per-model rules of contracts/openai/images-edit-request.json,
the files by hand) and answered in OpenAI's shapes, with an image drawn from the inputs
(``fakes/edit_images.py``). Facts: docs/facts/openai-image-edits.md.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jsonschema.exceptions import ValidationError

from mock_gateway.contract_tools.contracts import validator_for
from mock_gateway.fakes.edit_images import Upload, encode, open_upload, render_edit
from mock_gateway.fakes.images import derive_seed
from mock_gateway.fakes.openai import (
    _check_custom_size,
    _choices,
    _invalid,
    _precedence,
    _Reject,
    _to_openai,
)
from mock_gateway.fakes.openai_data import AUTO_QUALITY, MESSAGES, RETIRED, ModelRules
from mock_gateway.fakes.openai_edits_data import (
    DALL_E_DEFAULT_SIZE,
    EDIT_CONTRACT,
    EDIT_MESSAGES,
    EDIT_MODELS,
    FAMILIES,
    FILE_FIELDS,
    IMAGE_TOKENS_PER_INPUT,
    INTEGER_FIELDS,
    LIMITS,
    MIMETYPES,
    NO_TRANSPARENCY,
    NOT_EDIT_MODELS,
    OLD_DEFAULT_MODEL,
    PRESENT_DEFAULT_MODEL,
    UNMODELLED_JSON,
)
from mock_gateway.hints import hint
from mock_gateway.upstream import (
    UpstreamRequest,
    UpstreamResponse,
    json_response,
    unsupported_response,
)
from mock_gateway.wire import safejson
from mock_gateway.wire.multipart import MultipartError, decode_form

if TYPE_CHECKING:
    from mock_gateway.fakes.openai import FakeOpenAI

__all__ = ["EditRequest", "answer_edit", "read_edit", "read_edit_form"]

_INTEGER = re.compile(r"-?[0-9]+")
_DATA_URL = re.compile(r"data:(image/[\w.+-]+);base64,(.*)", re.DOTALL)
_GPT_ONLY = ("background", "output_format", "output_compression", "input_fidelity", "stream",
             "partial_images", "moderation")  # fmt: skip


@dataclass(frozen=True)
class _File:
    name: str  # the part's name: image, image[] or mask
    filename: str | None
    content_type: str | None
    data: bytes

    def describe(self) -> dict[str, Any]:
        size = len(self.data)
        return {"filename": self.filename, "content_type": self.content_type, "size": size}


@dataclass(frozen=True)
class EditRequest:
    """An edit request read from the wire: its fields typed as the contract states them
    (files as ``{filename, content_type, size}``), and the files themselves."""

    fields: dict[str, Any]
    images: tuple[_File, ...]
    mask: _File | None
    json_form: bool = False


def _typed(name: str, text: str) -> Any:
    if name in INTEGER_FIELDS and _INTEGER.fullmatch(text.strip()):
        return int(text)
    if name == "stream" and text in ("true", "false"):
        return text == "true"
    return text  # anything else stays a string: the contract then names the expected type


def read_edit_form(body: bytes, content_type: str) -> EditRequest:
    """A multipart edit request, its fields typed as the contract reads them;
    ``MultipartError`` if the form is malformed (``mock-portkey check`` uses it too)."""
    parts = decode_form(body, content_type)
    fields: dict[str, Any] = {}
    images: list[_File] = []
    mask = None
    for part in parts:
        if part.name in FILE_FIELDS:
            file = _File(part.name, part.filename, part.content_type, part.value)
            if part.name == "mask":
                mask = file
            else:
                images.append(file)
            if part.name == "image[]":
                fields.setdefault("image[]", []).append(file.describe())
            else:
                fields[part.name] = file.describe()
        else:
            fields[part.name] = _typed(part.name, part.text)  # a repeated field: the last
    return EditRequest(fields, tuple(images), mask)


def _reference(name: str, value: Any) -> _File:
    """One ``ImageRefParam`` of the JSON form, as a file (data URLs only)."""
    if not isinstance(value, dict) or len(value) != 1 or not {"image_url", "file_id"} & set(value):
        raise _invalid(EDIT_MESSAGES["json_refs"].format(name=name), name, "invalid_value")
    url = value.get("image_url")
    if not isinstance(url, str) or not url.startswith("data:"):
        raise _Unmodelled
    match = _DATA_URL.fullmatch(url)
    try:
        data = base64.b64decode(match.group(2), validate=True) if match else b""
    except (binascii.Error, ValueError):
        data = b""
    if match is None or not data:
        raise _invalid(EDIT_MESSAGES["data_url"].format(name=name), name, "invalid_value")
    return _File("image[]" if name.startswith("images") else "mask", None, match.group(1), data)


class _Unmodelled(Exception):
    """A reference the mock cannot resolve offline."""


def _from_json(body: bytes) -> EditRequest:
    try:
        parsed = safejson.loads(body)
    except ValueError:
        raise _invalid(MESSAGES["bad_json"], None, None) from None
    if not isinstance(parsed, dict):
        raise _invalid(MESSAGES["bad_json"], None, None)
    fields = {key: value for key, value in parsed.items() if key not in ("images", "mask")}
    refs = parsed.get("images")
    if not isinstance(refs, list) or not refs:
        raise _invalid(EDIT_MESSAGES["missing_image"].replace("image", "images"), "images",
                       "missing_required_parameter")  # fmt: skip
    images = tuple(_reference(f"images[{i}]", ref) for i, ref in enumerate(refs))
    mask = _reference("mask", parsed["mask"]) if "mask" in parsed else None
    fields["image[]"] = [image.describe() for image in images]
    if mask is not None:
        fields["mask"] = mask.describe()
    return EditRequest(fields, images, mask, json_form=True)


def read_edit(request: UpstreamRequest) -> EditRequest:
    """The edit request in ``request`` (multipart or JSON); raises ``_Reject`` as OpenAI would."""
    content_type = request.header("content-type") or ""
    if not content_type.lower().startswith("multipart/form-data"):
        return _from_json(request.body)
    try:
        return read_edit_form(request.body, content_type)
    except MultipartError as error:
        raise _invalid(EDIT_MESSAGES["bad_form"].format(problem=error), None, None) from None


# -- validation -----------------------------------------------------------------------------


def _model(fields: dict[str, Any], *, retired: bool, json_form: bool) -> str:
    model = fields.get("model")
    if model is None:
        if retired or json_form:
            return PRESENT_DEFAULT_MODEL
        dall_e, gpt = OLD_DEFAULT_MODEL
        return gpt if any(key in fields for key in _GPT_ONLY) else dall_e
    if not isinstance(model, str):
        raise _invalid(
            MESSAGES["invalid_type"].format(name="model", expected="a string", got="an object"),
            "model",
            "invalid_type",
        )
    allowed = [name for name in EDIT_MODELS if not (json_form and FAMILIES[name] == "dall-e")]
    if model in NOT_EDIT_MODELS or (json_form and model in EDIT_MODELS and model not in allowed):
        message = EDIT_MESSAGES["not_edit_model"].format(
            model=model, supported=_choices(sorted(allowed))
        )
        raise _invalid(message, "model")
    if model not in EDIT_MODELS or (retired and model in RETIRED):
        if model in RETIRED:
            hint(f"model {model} is retired under this profile (OpenAI shut it down on 2026-05-12)")
        raise _Reject(404, MESSAGES["model_not_found"].format(model=model),
                      "invalid_request_error", None, "model_not_found")  # fmt: skip
    return model


def _to_edit_error(error: ValidationError, model: str) -> _Reject:
    schema = error.schema if isinstance(error.schema, dict) else {}
    field = str(error.absolute_path[0]) if error.absolute_path else None
    if "x-message" in schema:
        return _Reject(
            400,
            schema["x-message"].replace("{model}", model),
            schema.get("x-type", "invalid_request_error"),
            schema.get("x-param", field),
            schema.get("x-code", "invalid_value"),
        )
    if field == "image[]" and error.validator == "maxItems":
        count = len(error.instance)
        message = EDIT_MESSAGES["too_many_images"].format(limit=error.validator_value, count=count)
        return _invalid(message, "image", "array_above_max_length")
    return _to_openai(error)


def _check_fields(edit: EditRequest, model: str) -> None:
    fields = edit.fields
    family = FAMILIES[model]
    if family == "dall-e" and "image[]" in fields:  # observed: DALL·E 2 takes one file, `image`
        raise _invalid(EDIT_MESSAGES["array_for_dall_e"], "image", "invalid_type")
    errors = list(validator_for(EDIT_CONTRACT, model).iter_errors(fields))
    if errors:
        raise _to_edit_error(min(errors, key=_precedence), model)
    size = fields.get("size")
    if (
        size is not None
        and size != "auto"
        and FAMILIES[model] == "gpt-image"
        and (size not in ("1024x1024", "1024x1536", "1536x1024"))
    ):
        _check_custom_size(size)
    if fields.get("background") == "transparent" and model in NO_TRANSPARENCY:
        raise _Reject(400, EDIT_MESSAGES["transparent_unsupported"],
                      "image_generation_user_error", "background", "invalid_value")  # fmt: skip
    if not edit.images:
        raise _invalid(EDIT_MESSAGES["missing_image"], "image", "missing_required_parameter")
    if "image" in fields and "image[]" in fields:
        raise _invalid(EDIT_MESSAGES["both_image_fields"], "image", "invalid_value")


def _mimetype(file: _File, supported: tuple[str, ...]) -> None:
    declared = (file.content_type or "application/octet-stream").split(";")[0].strip().lower()
    if declared not in supported:
        name = "mask" if file.name == "mask" else "image"
        message = EDIT_MESSAGES["mimetype"].format(
            name=name, mimetype=declared, supported=_choices(supported)
        )
        raise _invalid(message, name, "invalid_value")


def _request_id(fake: FakeOpenAI) -> str:
    return f"req_{uuid.UUID(int=fake._rng.getrandbits(128)).hex}"


def _check_images(fake: FakeOpenAI, edit: EditRequest, model: str) -> list[Upload]:
    family = FAMILIES[model]
    limits = LIMITS[family]
    uploads = []
    for number, file in enumerate(edit.images, start=1):
        _mimetype(file, MIMETYPES[family])
        if len(file.data) >= limits["image_bytes"]:
            limit = limits["image_bytes"] // 1024**2
            raise _invalid(EDIT_MESSAGES["too_large"].format(name="image", limit=limit), "image")
        upload = open_upload(file.data)
        if upload is None or upload.fmt not in ("png", "jpeg", "webp"):
            message = EDIT_MESSAGES["invalid_image"].format(
                index=number, request_id=_request_id(fake)
            )
            raise _Reject(400, message, "image_generation_user_error", None, "invalid_image_file")
        uploads.append(upload)
    if family == "dall-e":
        _check_dall_e(uploads[0], has_mask=edit.mask is not None)
    return uploads


def _check_dall_e(upload: Upload, *, has_mask: bool) -> None:
    if upload.fmt != "png":
        raise _invalid(EDIT_MESSAGES["dall_e_png"], "image", None)
    if upload.width != upload.height:
        raise _invalid(EDIT_MESSAGES["dall_e_square"], "image", None)
    # The old spec: "If mask is not provided, image must have transparency" (observed text).
    if not has_mask and upload.mode not in ("RGBA", "LA", "L"):
        raise _invalid(EDIT_MESSAGES["dall_e_mode"].format(mode=upload.mode), None, None)


def _check_mask(edit: EditRequest, first: Upload, model: str) -> Upload | None:
    if edit.mask is None:
        return None
    _mimetype(edit.mask, ("image/png",))
    limit = LIMITS[FAMILIES[model]]["mask_bytes"]
    if len(edit.mask.data) >= limit:
        message = EDIT_MESSAGES["too_large"].format(name="mask", limit=limit // 1024**2)
        raise _invalid(message, "mask")
    mask = open_upload(edit.mask.data)
    code, kind = "invalid_mask_image_format", "image_generation_user_error"
    if mask is None or mask.fmt != "png" or not mask.has_alpha:
        raise _Reject(400, EDIT_MESSAGES["mask_alpha"], kind, "mask", code)
    if (mask.width, mask.height) != (first.width, first.height):
        raise _Reject(400, EDIT_MESSAGES["mask_size"], kind, "mask", code)
    return mask


# -- the answer -----------------------------------------------------------------------------


def _size(fields: dict[str, Any], model: str, first: Upload) -> str:
    size = fields.get("size")
    if FAMILIES[model] == "dall-e":
        return str(size or DALL_E_DEFAULT_SIZE)
    if size in (None, "auto"):
        # ASSUMED: "auto" follows the first image's shape.
        ratio = first.width / first.height
        return "1536x1024" if ratio > 1.25 else "1024x1536" if ratio < 0.8 else "1024x1024"
    return str(size)


def answer_edit(fake: FakeOpenAI, request: UpstreamRequest, *, filtered: bool) -> UpstreamResponse:
    """Answer one ``POST /v1/images/edits`` as OpenAI would."""
    try:
        fake._authorize(request)
        try:
            edit = read_edit(request)
        except _Unmodelled:
            return unsupported_response(UNMODELLED_JSON)
        model = _model(edit.fields, retired=fake._retired, json_form=edit.json_form)
        _check_fields(edit, model)
        uploads = _check_images(fake, edit, model)
        mask = _check_mask(edit, uploads[0], model)
        prompt: str = edit.fields["prompt"]
        if filtered or any(word in prompt.lower() for word in fake._blocked):
            raise fake._policy(model, ModelRules(FAMILIES[model], DALL_E_DEFAULT_SIZE))
        return _edited(fake, edit, model, uploads, mask)
    except _Reject as reject:
        return json_response(reject.status, {"error": reject.error})


def _edited(
    fake: FakeOpenAI, edit: EditRequest, model: str, uploads: list[Upload], mask: Upload | None
) -> UpstreamResponse:
    fields = edit.fields
    prompt: str = fields["prompt"]
    size = _size(fields, model, uploads[0])
    width, height = (int(side) for side in size.split("x"))
    dall_e = FAMILIES[model] == "dall-e"
    fmt = "png" if dall_e else fields.get("output_format", "png")
    transparent = fields.get("background") == "transparent"
    inputs = hashlib.sha256(b"".join(upload.data for upload in uploads)).hexdigest()
    seed = derive_seed(fake._seed, model, prompt, size, inputs)
    images = []
    for index in range(fields.get("n", 1)):
        picture = render_edit(uploads, mask, (width, height), prompt=prompt, seed=seed,
                              index=index, alpha_mask=dall_e)  # fmt: skip
        compression = fields.get("output_compression", 100)
        images.append(encode(picture, fmt, compression=compression, transparent=transparent))
    created = int(fake._clock())
    if dall_e:
        data = [fake._dall_e_item(fields, model, image, created) for image in images]
        return json_response(200, {"created": created, "data": data}, keep=True)
    quality = fields.get("quality", "auto")
    quality = AUTO_QUALITY if quality == "auto" else quality
    if fields.get("stream") is True:
        from mock_gateway.fakes.openai_stream import stream_response

        each = [_usage(fake, prompt, size, quality, 1, len(uploads)) for _ in images]
        return stream_response("image_edit", fields, images, each, created, fmt=fmt, size=size)
    return json_response(
        200,
        {
            "created": created,
            "data": [{"b64_json": base64.b64encode(image).decode()} for image in images],
            "usage": _usage(fake, prompt, size, quality, len(images), len(uploads)),
            "background": "transparent" if transparent else "opaque",
            "output_format": fmt,
            "quality": quality,
            "size": size,
        },
    )


def _usage(
    fake: FakeOpenAI, prompt: str, size: str, quality: str, count: int, inputs: int
) -> dict[str, Any]:
    usage: dict[str, Any] = fake._usage(prompt, size, quality, count)
    image_tokens = IMAGE_TOKENS_PER_INPUT * inputs
    usage["input_tokens"] += image_tokens
    usage["input_tokens_details"]["image_tokens"] = image_tokens
    usage["total_tokens"] += image_tokens
    return usage
