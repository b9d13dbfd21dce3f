"""Stability v1 image-to-image, masking and upscale through Portkey's proxy route
(docs/facts/stability-edits.md §1), every answer checked against its contract."""

from __future__ import annotations

import base64

import pytest

from tests.conftest import ClientFactory, MockClient
from tests.fakes.stability_edit_helpers import RED, blank_png, half_mask, opened, picture, send

ENGINE = "/v1/generation/stable-diffusion-xl-1024-v1-0"
I2I = f"{ENGINE}/image-to-image"
MASKING = f"{ENGINE}/image-to-image/masking"
UPSCALE = "/v1/generation/esrgan-v1-x2plus/image-to-image/upscale"
PROMPT = {"text_prompts[0][text]": "a red cat"}


@pytest.fixture
def client(make_client: ClientFactory) -> MockClient:
    return make_client(strict_responses=True)


def v1_error(response: object) -> tuple[int, str, str]:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"id", "name", "message"}, body
    return response.status_code, body["name"], body["message"]  # type: ignore[attr-defined]


def test_image_to_image_png_keeps_the_init_image_size(client: MockClient) -> None:
    response = send(client, I2I, {"init_image": picture(96, 64)}, PROMPT, accept="image/png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["finish-reason"] == "SUCCESS"
    assert int(response.headers["seed"]) > 0
    assert opened(response.content).size == (96, 64)


def test_step_schedule_start_zero_returns_the_init_image(client: MockClient) -> None:
    # "a value of 0 would simply return you the init_image" (spec, step_schedule_start)
    form = {**PROMPT, "init_image_mode": "STEP_SCHEDULE", "step_schedule_start": "0"}
    response = send(client, I2I, {"init_image": picture(96, 64)}, form, accept="image/png")
    assert opened(response.content).convert("RGB").getpixel((10, 10)) == RED


def test_a_high_image_strength_keeps_more_of_the_init_image(client: MockClient) -> None:
    def redness(strength: str) -> int:
        form = {**PROMPT, "image_strength": strength, "seed": "7"}
        response = send(client, I2I, {"init_image": picture(96, 64)}, form, accept="image/png")
        image = opened(response.content).convert("RGB")
        pixels = [image.getpixel((x, y)) for x in range(0, 96, 4) for y in range(0, 64, 4)]
        return sum(abs(p[0] - RED[0]) + abs(p[1] - RED[1]) + abs(p[2] - RED[2]) for p in pixels)  # type: ignore[index]

    assert redness("0.9") < redness("0.2")


def test_json_answers_one_artifact_per_sample_with_consecutive_seeds(
    client: MockClient,
) -> None:
    form = {**PROMPT, "samples": "2", "seed": "41"}
    response = send(client, I2I, {"init_image": picture(96, 64, "JPEG")}, form)
    assert response.status_code == 200
    artifacts = response.json()["artifacts"]
    assert [a["seed"] for a in artifacts] == [41, 42]
    images = [base64.b64decode(a["base64"]) for a in artifacts]
    assert images[0] != images[1]
    assert all(opened(image).size == (96, 64) for image in images)


def test_same_request_same_bytes(client: MockClient) -> None:
    first = send(client, I2I, {"init_image": picture(96, 64)}, PROMPT, accept="image/png")
    again = send(client, I2I, {"init_image": picture(96, 64)}, PROMPT, accept="image/png")
    other = send(client, I2I, {"init_image": picture(96, 64)}, {**PROMPT, "seed": "3"},
                 accept="image/png")  # fmt: skip
    assert first.content == again.content != other.content


def test_a_missing_init_image_is_the_spec_example(client: MockClient) -> None:
    assert v1_error(send(client, I2I, None, PROMPT)) == (
        400,
        "bad_request",
        "init_image: is required",
    )


@pytest.mark.parametrize(
    "init_image", [picture(96, 64, "GIF"), b"abc", picture(96, 64)[:40]], ids=["gif", "text", "cut"]
)
def test_an_init_image_that_is_no_jpeg_png_or_webp_is_refused(
    client: MockClient, init_image: bytes
) -> None:
    status, name, message = v1_error(send(client, I2I, {"init_image": init_image}, PROMPT))
    assert (status, name) == (400, "invalid_mime_type")
    assert message.startswith("init_image: ")


def test_image_strength_above_one_names_the_field(client: MockClient) -> None:
    form = {**PROMPT, "image_strength": "1.5"}
    assert v1_error(send(client, I2I, {"init_image": picture(64, 64)}, form)) == (
        400,
        "bad_request",
        "image_strength: must be less than or equal to 1",
    )


def test_png_with_two_samples_is_invalid_samples(client: MockClient) -> None:
    form = {**PROMPT, "samples": "2"}
    response = send(client, I2I, {"init_image": picture(64, 64)}, form, accept="image/png")
    assert v1_error(response)[:2] == (400, "invalid_samples")


def test_masking_white_replaces_white_and_keeps_black(client: MockClient) -> None:
    files = {"init_image": picture(96, 64), "mask_image": half_mask(96, 64)}
    form = {**PROMPT, "mask_source": "MASK_IMAGE_WHITE"}
    response = send(client, MASKING, files, form, accept="image/png")
    assert response.status_code == 200
    image = opened(response.content).convert("RGB")
    assert image.size == (96, 64)
    assert image.getpixel((90, 30)) == RED  # black: unchanged
    assert image.getpixel((5, 30)) != RED  # white: replaced


def test_masking_black_is_the_reverse(client: MockClient) -> None:
    files = {"init_image": picture(96, 64), "mask_image": half_mask(96, 64)}
    form = {**PROMPT, "mask_source": "MASK_IMAGE_BLACK"}
    image = opened(send(client, MASKING, files, form, accept="image/png").content).convert("RGB")
    assert image.getpixel((5, 30)) == RED
    assert image.getpixel((90, 30)) != RED


def test_masking_from_the_init_image_alpha(client: MockClient) -> None:
    init = picture(64, 64, colour=(200, 30, 30, 255), mode="RGBA")
    form = {**PROMPT, "mask_source": "INIT_IMAGE_ALPHA"}
    response = send(client, MASKING, {"init_image": init}, form, accept="image/png")
    assert opened(response.content).convert("RGB").getpixel((30, 30)) == RED  # opaque: kept


def test_masking_errors_are_the_spec_names(client: MockClient) -> None:
    form = {**PROMPT, "mask_source": "MASK_IMAGE_WHITE"}
    missing = send(client, MASKING, {"init_image": picture(96, 64)}, form)
    assert v1_error(missing)[:2] == (400, "invalid_mask_image")
    files = {"init_image": picture(96, 64), "mask_image": half_mask(64, 64)}
    assert v1_error(send(client, MASKING, files, form)) == (
        400,
        "invalid_image_dimensions",
        "The dimensions of the provided `init_image` and `mask_image` do not match",
    )
    assert v1_error(send(client, MASKING, {"init_image": picture(96, 64)}, PROMPT)) == (
        400,
        "bad_request",
        "mask_source: is required",
    )


def test_upscale_doubles_by_default(client: MockClient) -> None:
    response = send(client, UPSCALE, {"image": picture(96, 64)}, None, accept="image/png")
    assert response.status_code == 200
    image = opened(response.content).convert("RGB")
    assert image.size == (192, 128)
    assert image.getpixel((100, 60)) == RED  # the input, scaled up


def test_upscale_to_a_width_keeps_the_aspect_ratio(client: MockClient) -> None:
    response = send(client, UPSCALE, {"image": picture(96, 64)}, {"width": "1024"})
    (artifact,) = response.json()["artifacts"]
    assert opened(base64.b64decode(artifact["base64"])).size == (1024, 683)


@pytest.mark.parametrize(
    ("form", "name"),
    [
        ({"width": "1024", "height": "1024"}, "bad_request"),
        ({"width": "256"}, "bad_request"),
        ({"width": "4096"}, "invalid_pixel_count"),
    ],
)
def test_upscale_refusals(client: MockClient, form: dict[str, str], name: str) -> None:
    assert v1_error(send(client, UPSCALE, {"image": picture(96, 64)}, form))[:2] == (400, name)


def test_upscale_with_a_generation_engine_is_not_found(client: MockClient) -> None:
    response = send(client, f"{ENGINE}/image-to-image/upscale", {"image": picture(96, 64)})
    assert v1_error(response) == (
        404,
        "not_found",
        "The specified engine (ID stable-diffusion-xl-1024-v1-0) was not found.",
    )


def test_a_blocked_prompt_is_filtered_per_artifact(client: MockClient) -> None:
    form = {"text_prompts[0][text]": "mock-blocked cat"}
    response = send(client, I2I, {"init_image": picture(64, 64)}, form)
    assert response.json()["artifacts"][0]["finishReason"] == "CONTENT_FILTERED"


def test_the_fake_serves_its_own_path_as_upstream(make_client: ClientFactory) -> None:
    upstream = make_client(role="upstream")
    response = send(upstream, I2I, {"init_image": picture(64, 96)}, PROMPT, proxy=False,
                    accept="image/png")  # fmt: skip
    assert response.status_code == 200
    assert opened(response.content).size == (64, 96)


def test_an_init_image_over_four_megapixels_is_invalid_pixel_count(
    client: MockClient,
) -> None:
    init = blank_png(2049, 2048)
    assert v1_error(send(client, I2I, {"init_image": init}, PROMPT))[:2] == (
        400,
        "invalid_pixel_count",
    )
