"""The fake OpenAI's own ``POST /v1/images/edits`` (docs/facts/openai-image-edits.md), driven
by the real OpenAI SDK against the fakes served alone (role upstream), as a custom host is."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from mock_gateway import create_app
from mock_gateway.fakes.images import image_dimensions
from mock_gateway.fakes.openai_stream import sse_events
from mock_gateway.transport import InProcessTransport
from tests.edit_inputs import holed_mask, image_bytes, pixel

RED = (200, 30, 30)
KEY = "sk-test-0123456789abcdef"
REQ_ID = r"req_[0-9a-f]{32}"


@pytest.fixture
def sdk() -> Iterator[openai.OpenAI]:
    app = create_app(role="upstream", clock=lambda: 1_795_000_000.0)
    http = httpx.Client(transport=InProcessTransport(app), base_url="http://fake")
    with openai.OpenAI(
        base_url="http://fake/v1",
        api_key=KEY,
        http_client=http,  # type: ignore[arg-type]
        max_retries=0,
    ) as client:
        yield client


@pytest.fixture
def raw() -> Iterator[httpx.Client]:
    app = create_app(role="upstream", clock=lambda: 1_795_000_000.0)
    with httpx.Client(transport=InProcessTransport(app), base_url="http://fake") as client:
        client.headers["authorization"] = f"Bearer {KEY}"
        yield client


def png_file(name: str = "a.png", **options: Any) -> tuple[str, bytes, str]:
    return (name, image_bytes(**options), "image/png")


def decoded(b64: str | None) -> bytes:
    assert b64 is not None
    return base64.b64decode(b64)


def test_one_image_carries_the_input_at_the_asked_size(sdk: openai.OpenAI) -> None:
    result = sdk.images.edit(
        image=png_file(), prompt="a hat", model="gpt-image-1", size="1536x1024", quality="low"
    )
    data = decoded((result.data or [])[0].b64_json)
    assert image_dimensions(data) == (1536, 1024)
    # No mask: the whole image is lightly tinted, so the input's red still dominates.
    r, g, b = pixel(data, 0.5, 0.3)
    assert r > g + 60 and r > b + 60
    assert (result.size, result.quality, result.output_format) == ("1536x1024", "low", "png")
    usage = result.usage
    assert usage is not None and usage.input_tokens_details.image_tokens > 0
    assert usage.output_tokens == 400  # 1536x1024 at low (TOKENS)
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens


def test_a_mask_edits_only_its_transparent_region(sdk: openai.OpenAI) -> None:
    result = sdk.images.edit(
        image=png_file(),
        mask=("mask.png", holed_mask(), "image/png"),
        prompt="a window",
        model="gpt-image-1.5",
        size="1024x1024",
    )
    data = decoded((result.data or [])[0].b64_json)
    assert pixel(data, 0.75, 0.3) == RED  # outside the hole: the input, untouched
    assert pixel(data, 0.25, 0.3) != RED  # inside: redrawn


def test_several_images_are_sent_as_image_brackets_and_all_show(sdk: openai.OpenAI) -> None:
    blue = ("b.png", image_bytes(colour=(20, 20, 220, 255)), "image/png")
    jpeg = ("c.jpg", image_bytes(fmt="JPEG", mode="RGB", colour=(20, 200, 20)), "image/jpeg")
    result = sdk.images.edit(
        image=[png_file(), blue, jpeg], prompt="a collage", model="gpt-image-1", n=2
    )
    items = result.data or []
    assert len(items) == 2 and items[0].b64_json != items[1].b64_json
    data = decoded(items[0].b64_json)
    r, _, b = pixel(data, 1 / 16, 1 - 1 / 32)  # the second image's thumbnail, bottom left
    assert b > r + 60
    assert result.usage is not None and result.usage.input_tokens_details.image_tokens == 3 * 323


def test_the_same_request_gives_the_same_bytes(sdk: openai.OpenAI) -> None:
    first, second = (
        sdk.images.edit(image=png_file(), prompt="a hat", model="gpt-image-1", size="1024x1024")
        for _ in range(2)
    )
    assert (first.data or [])[0].b64_json == (second.data or [])[0].b64_json


def test_output_compression_shrinks_jpeg_and_webp(sdk: openai.OpenAI) -> None:
    for fmt in ("jpeg", "webp"):
        sizes = [
            len(decoded((sdk.images.edit(image=png_file(), prompt="a hat", model="gpt-image-1",
                                         output_format=fmt,
                                         output_compression=level).data or [])[0].b64_json))
            for level in (100, 10)
        ]  # fmt: skip
        assert sizes[1] < sizes[0] * 0.7, (fmt, sizes)


def test_dall_e_2_edits_a_square_png_with_alpha_and_answers_a_url(raw: httpx.Client) -> None:
    # The upstream role's default profile retires DALL·E (2026-05-12); hosted-2025 serves it.
    app = create_app(role="upstream", profile="hosted-2025")
    with httpx.Client(transport=InProcessTransport(app), base_url="http://fake") as old:
        answer = old.post(
            "/v1/images/edits",
            headers={"authorization": f"Bearer {KEY}"},
            files={"image": png_file(colour=(200, 30, 30, 0))},
            data={"prompt": "a cat", "model": "dall-e-2", "size": "256x256"},
        )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"created", "data"} and "/_mock/openai-blobs/" in body["data"][0]["url"]
    retired = raw.post(
        "/v1/images/edits",
        files={"image": png_file()},
        data={"prompt": "a cat", "model": "dall-e-2"},
    )
    assert retired.status_code == 404 and retired.json()["error"]["code"] == "model_not_found"


def _error(status: int, message: str, type_: str, param: str | None, code: str | None) -> Any:
    return status, {"message": message, "type": type_, "param": param, "code": code}


GPT_MIMES = "'image/jpeg', 'image/png', and 'image/webp'"
BAD_INPUTS = [
    pytest.param(
        {"image": ("a.png", image_bytes(), "application/octet-stream")},
        {"model": "gpt-image-1"},
        _error(400, "Invalid file 'image': unsupported mimetype ('application/octet-stream'). "
               f"Supported file formats are {GPT_MIMES}.", "invalid_request_error", "image",
               "invalid_value"),
        id="octet-stream",
    ),
    pytest.param(
        {"image": ("a.gif", image_bytes(fmt="GIF", mode="RGB"), "image/png")},
        {"model": "gpt-image-1"},
        _error(400, "Invalid image file or mode for image 1, please check your image file. If you "
               "believe this is an error, contact us at help.openai.com and include the request "
               "ID <req>.", "image_generation_user_error", None, "invalid_image_file"),
        id="gif-bytes",
    ),
    pytest.param(
        {"image": ("a.png", b"abc", "image/png")},
        {"model": "gpt-image-1.5"},
        _error(400, "Invalid image file or mode for image 1, please check your image file. If you "
               "believe this is an error, contact us at help.openai.com and include the request "
               "ID <req>.", "image_generation_user_error", None, "invalid_image_file"),
        id="not-an-image",
    ),
    pytest.param(
        {"image": png_file(), "mask": ("m.png", image_bytes(mode="RGB"), "image/png")},
        {"model": "gpt-image-1"},
        _error(400, "Invalid mask image format - mask image missing alpha channel",
               "image_generation_user_error", "mask", "invalid_mask_image_format"),
        id="mask-without-alpha",
    ),
    pytest.param(
        {"image": png_file(), "mask": ("m.png", holed_mask(32, 32), "image/png")},
        {"model": "gpt-image-1"},
        _error(400, "Invalid mask image format - mask size does not match image size",
               "image_generation_user_error", "mask", "invalid_mask_image_format"),
        id="mask-size",
    ),
    pytest.param(
        {"image": png_file()},
        {"model": "gpt-image-2", "input_fidelity": "high"},
        _error(400, "The model 'gpt-image-2' does not support the 'input_fidelity' parameter.",
               "image_generation_user_error", "input_fidelity", "invalid_input_fidelity_model"),
        id="input-fidelity-gpt-image-2",
    ),
    pytest.param(
        {"image": png_file()},
        {"model": "gpt-image-1-mini", "input_fidelity": "high"},
        _error(400, "input_fidelity 'high' is only supported for model gpt-model-1",
               "invalid_request_error", "input_fidelity", "invalid_value"),
        id="input-fidelity-mini",
    ),
    pytest.param(
        {"image": png_file()},
        {"model": "gpt-image-1", "response_format": "b64_json"},
        _error(400, "Unknown parameter: 'response_format'.", "invalid_request_error",
               "response_format", "unknown_parameter"),
        id="response-format-gpt",
    ),
    pytest.param(
        {"image": png_file()},
        {"model": "gpt-image-2", "background": "transparent"},
        _error(400, "Transparent background is not supported for this model.",
               "image_generation_user_error", "background", "invalid_value"),
        id="transparent-gpt-image-2",
    ),
    pytest.param(
        {"image": png_file()},
        {"model": "gpt-image-1", "size": "256x256"},
        _error(400, "Invalid value: '256x256'. Supported values are: '1024x1024', '1024x1536', "
               "'1536x1024', and 'auto'.", "invalid_request_error", "size", "invalid_value"),
        id="size",
    ),
    pytest.param(
        {"prompt": (None, "a cat")},
        {"model": "gpt-image-1"},
        _error(400, "Missing required parameter: 'image'.", "invalid_request_error", "image",
               "missing_required_parameter"),
        id="no-image",
    ),
    pytest.param(
        {"image": png_file()},
        {"model": "gpt-image-1", "prompt": None},
        _error(400, "Missing required parameter: 'prompt'.", "invalid_request_error", "prompt",
               "missing_required_parameter"),
        id="no-prompt",
    ),
    pytest.param(
        {"image[]": png_file()},
        {"model": "gpt-image-1", "n": "11"},
        _error(400, "Invalid 'n': integer above maximum value. Expected a value <= 10, but got 11 "
               "instead.", "invalid_request_error", "n", "integer_above_max_value"),
        id="n-above-10",
    ),
    pytest.param(
        [("image[]", png_file())] * 17,
        {"model": "gpt-image-1"},
        _error(400, "Invalid 'image': array too long. Expected an array with maximum length 16, "
               "but got an array with length 17 instead.", "invalid_request_error", "image",
               "array_above_max_length"),
        id="17-images",
    ),
    pytest.param(
        {"image": png_file()},
        {"model": "dall-e-3"},
        _error(400, "Invalid value: 'dall-e-3'. Supported values are: 'chatgpt-image-latest', "
               "'dall-e-2', 'gpt-image-1', 'gpt-image-1-mini', 'gpt-image-1.5', 'gpt-image-2', and "
               "'gpt-image-2-2026-04-21'.", "invalid_request_error", "model", "invalid_value"),
        id="dall-e-3",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("files", "fields", "expected"), BAD_INPUTS)
def test_bad_inputs_get_openais_errors(
    raw: httpx.Client, files: Any, fields: dict[str, Any], expected: Any
) -> None:
    data = {"prompt": "a cat", **fields}
    answer = raw.post(
        "/v1/images/edits", files=files, data={k: v for k, v in data.items() if v is not None}
    )
    status, error = expected
    assert answer.status_code == status
    got = answer.json()["error"]
    if "<req>" in error["message"]:
        prefix = error["message"].split("<req>")[0]
        assert got["message"].startswith(prefix) and got["message"].endswith(".")
        got = {**got, "message": error["message"]}
    assert got == error


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"image[]": png_file()}, "Invalid type for 'image': expected a file, but got an array instead."),
        ({"image": png_file(mode="RGB", colour=(1, 2, 3))}, "Invalid input image - format must be in ['RGBA', 'LA', 'L'], got RGB."),
        ({"image": png_file(width=64, height=32)}, "Uploaded image must be square."),
        ({"image": ("a.jpg", image_bytes(fmt="JPEG", mode="RGB"), "image/jpeg")}, "Invalid file 'image': unsupported mimetype ('image/jpeg'). Supported file formats are 'image/png'."),
    ],
)  # fmt: skip
def test_dall_e_2_rules(files: Any, message: str) -> None:
    app = create_app(role="upstream", profile="hosted-2025")
    with httpx.Client(transport=InProcessTransport(app), base_url="http://fake") as old:
        answer = old.post(
            "/v1/images/edits",
            headers={"authorization": f"Bearer {KEY}"},
            files=files,
            data={"prompt": "a cat", "model": "dall-e-2"},
        )
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == message


def test_the_sdk_raises_openais_error(sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        sdk.images.edit(image=b"not an image", prompt="a hat", model="gpt-image-1")
    # Raw bytes: the SDK names the part "upload", typed application/octet-stream (measured).
    assert "unsupported mimetype ('application/octet-stream')" in str(raised.value)


def test_the_json_form_takes_data_urls(raw: httpx.Client) -> None:
    url = "data:image/png;base64," + base64.b64encode(image_bytes()).decode()
    body = {"images": [{"image_url": url}], "prompt": "a hat", "model": "gpt-image-1"}
    answer = raw.post("/v1/images/edits", json=body)
    assert answer.status_code == 200, answer.text
    assert image_dimensions(decoded(answer.json()["data"][0]["b64_json"])) == (1024, 1024)
    by_id = raw.post("/v1/images/edits", json={**body, "images": [{"file_id": "file-1"}]})
    assert by_id.status_code == 501 and by_id.headers["x-mock-unsupported"] == "true"


def test_streaming_edits_send_partial_and_completed_events(sdk: openai.OpenAI) -> None:
    stream = sdk.images.edit(
        image=png_file(), prompt="a hat", model="gpt-image-1", stream=True, partial_images=2
    )
    events = list(stream)
    assert [event.type for event in events] == [
        "image_edit.partial_image",
        "image_edit.partial_image",
        "image_edit.completed",
    ]
    partial, completed = events[0], events[-1]
    assert partial.partial_image_index == 0  # type: ignore[union-attr]
    assert completed.usage.output_tokens == 1056  # type: ignore[union-attr]
    assert image_dimensions(decoded(completed.b64_json)) == (1024, 1024)


def test_streaming_generations_too(raw: httpx.Client) -> None:
    body = {"model": "gpt-image-1", "prompt": "a cat", "stream": True, "size": "1024x1024"}
    answer = raw.post("/v1/images/generations", json=body)
    assert answer.headers["content-type"].startswith("text/event-stream")
    events = sse_events(answer.content)
    assert [name for name, _ in events] == ["image_generation.completed"]
    assert events[0][1]["type"] == "image_generation.completed"
    assert json.loads(json.dumps(events[0][1]))["usage"]["output_tokens"] == 1056


def test_the_journal_keeps_the_multipart_body(raw: httpx.Client) -> None:
    raw.post("/v1/images/edits", files={"image": png_file()}, data={"prompt": "a cat"})
    call = raw.get("/_mock/calls").json()["calls"][-1]
    body = call["request"]["body"]
    assert {"name": "image", "filename": "a.png", "size": len(image_bytes())} in body["form"]
    assert {"name": "prompt", "value": "a cat"} in body["form"]
    assert image_bytes() in base64.b64decode(body["base64"])  # the image's bytes are kept
