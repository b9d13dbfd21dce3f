"""Stability v2beta edit, upscale, control and generate image-to-image through Portkey's proxy
route (docs/facts/stability-edits.md §2-4), every answer checked against its contract."""

from __future__ import annotations

import base64
import math
from typing import Any

import pytest

from mock_gateway import PortkeyMock, create_app
from mock_gateway.fakes.stability_data import ONE_MP_SIZES
from tests.conftest import ClientFactory, MockClient
from tests.fakes.stability_edit_helpers import blank_png, half_mask, near, opened, picture, send

V2 = "/v1/v2beta/stable-image"


@pytest.fixture
def client(make_client: ClientFactory) -> MockClient:
    return make_client(strict_responses=True)


def v2_error(response: Any) -> tuple[int, str, list[str]]:
    body = response.json()
    assert set(body) == {"id", "name", "errors"}, body
    return response.status_code, body["name"], body["errors"]


def image_of(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return opened(response.content)


def test_erase_answers_about_four_megapixels_in_the_input_aspect(client: MockClient) -> None:
    image = image_of(send(client, f"{V2}/edit/erase", {"image": picture(96, 64)}))
    width, height = image.size
    assert 4_000_000 < width * height <= 4_194_304
    assert math.isclose(width / height, 1.5, rel_tol=0.01)


def test_inpaint_keeps_what_the_mask_keeps_and_resizes_the_mask(client: MockClient) -> None:
    files = {"image": picture(128, 128), "mask": half_mask(64, 64)}  # resized (§3)
    response = send(client, f"{V2}/edit/inpaint", files, {"prompt": "a dog"}, accept="image/*")
    assert response.headers["content-type"] == "image/png"
    assert response.headers["finish-reason"] == "SUCCESS"
    assert response.headers["x-request-id"]
    image = image_of(response).convert("RGB")
    assert near(image.getpixel((image.width - 10, 10)))
    assert not near(image.getpixel((10, 10)))


def test_inpaint_without_a_prompt(client: MockClient) -> None:
    response = send(client, f"{V2}/edit/inpaint", {"image": picture(64, 64)})
    assert v2_error(response) == (400, "bad_request", ["prompt: required"])


def test_outpaint_grows_by_the_margins_with_the_input_in_place(client: MockClient) -> None:
    form = {"left": "32", "down": "16", "output_format": "webp"}
    response = send(client, f"{V2}/edit/outpaint", {"image": picture(96, 64)}, form)
    assert response.headers["content-type"] == "image/webp"
    image = image_of(response).convert("RGB")
    assert image.size == (128, 80)
    assert near(image.getpixel((80, 30)), tolerance=16)  # webp is lossy


def test_outpaint_needs_a_margin(client: MockClient) -> None:
    status, name, errors = v2_error(send(client, f"{V2}/edit/outpaint", {"image": picture(64, 64)}))
    assert (status, name) == (400, "bad_request")
    assert "left" in errors[0]


def test_search_and_replace_needs_its_search_prompt(client: MockClient) -> None:
    response = send(client, f"{V2}/edit/search-and-replace", {"image": picture(64, 64)},
                    {"prompt": "a dog"})  # fmt: skip
    assert v2_error(response) == (400, "bad_request", ["search_prompt: required"])


def test_search_and_recolor_matches_the_input_size(client: MockClient) -> None:
    form = {"prompt": "blue", "select_prompt": "cat", "output_format": "jpeg"}
    response = send(client, f"{V2}/edit/search-and-recolor", {"image": picture(96, 64)}, form)
    assert response.headers["content-type"] == "image/jpeg"
    assert image_of(response).size == (96, 64)


def test_remove_background_has_alpha(client: MockClient) -> None:
    response = send(client, f"{V2}/edit/remove-background", {"image": picture(96, 64, "WEBP")})
    image = image_of(response)
    assert image.mode == "RGBA" and image.size == (96, 64)
    assert image.getpixel((0, 0))[3] == 0  # the background is gone
    subject = image.getpixel((48, 32))
    assert subject[3] == 255 and near(subject)  # the subject stays, as it was (webp in)


def test_remove_background_refuses_jpeg_output(client: MockClient) -> None:
    response = send(client, f"{V2}/edit/remove-background", {"image": picture(64, 64)},
                    {"output_format": "jpeg"})  # fmt: skip
    assert v2_error(response) == (400, "bad_request", ["output_format: must be one of: png, webp"])


def test_upscale_fast_is_four_times_each_side(client: MockClient) -> None:
    image = image_of(send(client, f"{V2}/upscale/fast", {"image": picture(96, 64)}))
    assert image.size == (384, 256)
    assert near(image.convert("RGB").getpixel((200, 100)))


@pytest.mark.parametrize(
    ("size", "problem"),
    [((1537, 64), "at most 1536"), ((31, 40), "at least 32"), ((1025, 1024), "at most 1048576")],
)
def test_upscale_fast_limits(client: MockClient, size: tuple[int, int], problem: str) -> None:
    status, name, (error,) = v2_error(send(client, f"{V2}/upscale/fast", {"image": picture(*size)}))
    assert (status, name) == (400, "bad_request")
    assert error.startswith("image: ") and problem in error


def test_upscale_conservative_needs_a_prompt_and_answers_json(client: MockClient) -> None:
    assert v2_error(send(client, f"{V2}/upscale/conservative", {"image": picture(64, 64)}))[2] == [
        "prompt: required"
    ]
    response = send(client, f"{V2}/upscale/conservative", {"image": picture(64, 64)},
                    {"prompt": "sharp", "seed": "5"}, accept="application/json")  # fmt: skip
    assert response.headers["content-type"] == "application/json; type=image/png"
    body = response.json()
    assert body["seed"] == 5 and body["finish_reason"] == "SUCCESS"
    assert opened(base64.b64decode(body["image"])).size == (2048, 2048)


def test_creative_upscale_polls_until_ready(client: MockClient) -> None:
    started = send(client, f"{V2}/upscale/creative", {"image": picture(64, 64)},
                   {"prompt": "sharp"}, headers={"x-mock-async-polls": "2"})  # fmt: skip
    assert started.status_code == 200
    job = started.json()["id"]
    assert len(job) == 64
    for _ in range(2):
        poll = send(client, f"/v1/v2beta/results/{job}", method="GET", accept="image/*")
        assert poll.status_code == 202
        assert poll.json() == {"id": job, "status": "in-progress"}
    done = send(client, f"/v1/v2beta/results/{job}", method="GET", accept="image/*")
    assert image_of(done).size == (2048, 2048)
    # Kept for 24 h: fetched again, the same bytes.
    assert send(client, f"/v1/v2beta/results/{job}", method="GET").content == done.content


def test_creative_result_is_ready_once_the_clock_moves_on() -> None:
    mock = PortkeyMock(create_app())
    client = MockClient(mock)
    started = send(client, f"{V2}/upscale/creative", {"image": picture(64, 64)},
                   {"prompt": "sharp"}, headers={"x-mock-async-polls": "100"})  # fmt: skip
    job = started.json()["id"]
    path = f"/v1/v2beta/stable-image/upscale/creative/result/{job}"  # the spec's own path
    assert send(client, path, method="GET").status_code == 202
    mock.advance_clock(30)
    response = send(client, path, method="GET", accept="application/json")
    assert response.status_code == 200
    assert response.json()["finish_reason"] == "SUCCESS"
    mock.advance_clock(24 * 3600)  # "stored for 24 hours"
    assert v2_error(send(client, path, method="GET"))[:2] == (404, "generation_not_found")


def test_results_need_the_same_key_and_a_known_id(client: MockClient) -> None:
    started = send(client, f"{V2}/upscale/creative", {"image": picture(64, 64)}, {"prompt": "x"})
    job = started.json()["id"]
    other = send(client, f"/v1/v2beta/results/{job}", method="GET", key="Bearer sk-other-key")
    assert v2_error(other) == (
        404,
        "generation_not_found",
        ["id: the generation either does not exist or has expired."],
    )
    assert v2_error(send(client, "/v1/v2beta/results/" + "0" * 64, method="GET"))[0] == 404


def test_the_wait_is_seeded(make_client: ClientFactory) -> None:
    def polls(seed: int) -> int:
        client = make_client(seed=seed)
        job = send(client, f"{V2}/upscale/creative", {"image": picture(64, 64)},
                   {"prompt": "x"}).json()["id"]  # fmt: skip
        count = 0
        while send(client, f"/v1/v2beta/results/{job}", method="GET").status_code == 202:
            count += 1
        return count

    assert polls(1) == polls(1)
    assert {polls(seed) for seed in range(8)} <= {1, 2, 3}


def test_replace_background_and_relight_is_asynchronous(client: MockClient) -> None:
    path = f"{V2}/edit/replace-background-and-relight"
    refused = send(client, path, {"subject_image": picture(96, 64)})
    assert v2_error(refused)[:2] == (400, "bad_request")
    unlit = send(client, path, {"subject_image": picture(96, 64)},
                 {"background_prompt": "a beach", "light_source_strength": "0.5"})  # fmt: skip
    assert v2_error(unlit)[2][0].startswith("light_source_strength: ")
    lit = send(client, path, {"subject_image": picture(96, 64)},
               {"background_prompt": "a beach", "light_source_strength": "0.5",
                "light_source_direction": "left"})  # fmt: skip
    assert len(lit.json()["id"]) == 64
    now = {"x-mock-async-polls": "0"}
    started = send(client, path, {"subject_image": picture(96, 64)},
                   {"background_prompt": "a beach"}, headers=now)  # fmt: skip
    job = started.json()["id"]
    image = image_of(send(client, f"/v1/v2beta/results/{job}", method="GET")).convert("RGB")
    assert image.size == (96, 64)
    assert near(image.getpixel((48, 32)))  # the subject kept, the background replaced
    assert not near(image.getpixel((1, 1)))


@pytest.mark.parametrize(
    ("endpoint", "form", "size"),
    [
        ("control/sketch", {"prompt": "x"}, (96, 64)),
        ("control/structure", {"prompt": "x", "control_strength": "1"}, (96, 64)),
        ("control/style", {"prompt": "x", "aspect_ratio": "16:9"}, ONE_MP_SIZES["16:9"]),
    ],
)
def test_control_sizes(
    client: MockClient, endpoint: str, form: dict[str, str], size: tuple[int, int]
) -> None:
    assert image_of(send(client, f"{V2}/{endpoint}", {"image": picture(96, 64)}, form)).size == size


def test_control_strength_one_keeps_the_structure(client: MockClient) -> None:
    form = {"prompt": "x", "control_strength": "1"}
    image = image_of(send(client, f"{V2}/control/structure", {"image": picture(96, 64)}, form))
    assert near(image.convert("RGB").getpixel((50, 30)))


def test_style_transfer_is_one_megapixel_in_the_init_aspect(client: MockClient) -> None:
    files = {"init_image": picture(128, 64), "style_image": picture(64, 64, "JPEG")}
    width, height = image_of(send(client, f"{V2}/control/style-transfer", files)).size
    assert width * height <= 1_048_576 and math.isclose(width / height, 2, rel_tol=0.01)
    missing = send(client, f"{V2}/control/style-transfer", {"init_image": picture(64, 64)})
    assert v2_error(missing)[2] == ["style_image: required"]


SD3_I2I = {"prompt": "a cat", "mode": "image-to-image", "strength": "0.4"}


@pytest.mark.parametrize(
    ("image", "problem"),
    [
        (picture(32, 32), "image: each side must be at least 64 pixels, but the image is 32x32"),
        (picture(96, 96, "GIF"), "image: unsupported image format"),
        (b"abc", "image: unsupported image format"),
    ],
    ids=["32x32", "gif", "abc"],
)
@pytest.mark.parametrize("endpoint", ["sd3", "ultra"])
def test_generate_image_to_image_refuses_what_stability_refuses(
    client: MockClient, endpoint: str, image: bytes, problem: str
) -> None:
    response = send(client, f"{V2}/generate/{endpoint}", {"image": image}, SD3_I2I)
    status, name, (error,) = v2_error(response)
    assert (status, name) == (400, "bad_request")
    assert error.startswith(problem)


def test_abc_as_a_text_field_is_refused_too(client: MockClient) -> None:
    response = send(client, f"{V2}/generate/ultra", None, {**SD3_I2I, "image": "abc"})
    assert v2_error(response)[2][0].startswith("image: unsupported image format")


@pytest.mark.parametrize("endpoint", ["sd3", "ultra"])
def test_generate_image_to_image_is_one_megapixel_in_the_input_aspect(
    client: MockClient, endpoint: str
) -> None:
    form = {**SD3_I2I, "strength": "0"}  # 0: the input itself (spec)
    image = image_of(send(client, f"{V2}/generate/{endpoint}", {"image": picture(128, 64)}, form))
    width, height = image.size
    assert width * height <= 1_048_576 and math.isclose(width / height, 2, rel_tol=0.01)
    assert near(image.convert("RGB").getpixel((width // 2, height // 2)))


def test_ultra_image_without_strength(client: MockClient) -> None:
    response = send(client, f"{V2}/generate/ultra", {"image": picture(64, 64)}, {"prompt": "x"})
    assert v2_error(response) == (400, "bad_request", ["strength: required"])


def test_a_body_over_ten_mebibytes_is_413(client: MockClient) -> None:
    response = send(client, f"{V2}/edit/erase", {"image": b"\x89PNG" + bytes(10 * 1024 * 1024)})
    assert v2_error(response) == (
        413,
        "payload_too_large",
        ["body: payloads cannot be larger than 10MiB in size"],
    )


def test_a_blocked_prompt_is_content_moderation(client: MockClient) -> None:
    response = send(client, f"{V2}/edit/inpaint", {"image": picture(64, 64)},
                    {"prompt": "mock-blocked"})  # fmt: skip
    assert v2_error(response)[:2] == (403, "content_moderation")


def test_an_aspect_ratio_beyond_two_and_a_half_is_refused(client: MockClient) -> None:
    response = send(client, f"{V2}/edit/search-and-recolor", {"image": picture(200, 64)},
                    {"prompt": "x", "select_prompt": "y"})  # fmt: skip
    assert "aspect ratio" in v2_error(response)[2][0]


def test_the_fake_serves_its_own_paths_as_upstream(make_client: ClientFactory) -> None:
    upstream = make_client(role="upstream")
    fast = send(upstream, "/v2beta/stable-image/upscale/fast", {"image": picture(64, 64)},
                proxy=False)  # fmt: skip
    assert image_of(fast).size == (256, 256)
    polls = {"x-mock-async-polls": "1"}
    started = send(upstream, "/v2beta/stable-image/upscale/creative", {"image": picture(64, 64)},
                   {"prompt": "x"}, proxy=False, headers=polls)  # fmt: skip
    job = started.json()["id"]
    assert send(upstream, f"/v2beta/results/{job}", method="GET", proxy=False).status_code == 202
    done = send(upstream, f"/v2beta/results/{job}", method="GET", proxy=False)
    assert image_of(done).size == (2048, 2048)


def test_a_big_image_is_measured_not_decoded(client: MockClient) -> None:
    # 5000x5000 (25 MP: more than the mock decodes whole) is within ultra's 64..16384 sides.
    files = {"image": blank_png(5000, 5000)}
    image = image_of(send(client, f"{V2}/generate/ultra", files, {**SD3_I2I, "strength": "0"}))
    assert image.size == (1024, 1024)
    # Over Pillow's own bomb limit, a PNG's size is still read from its header.
    files = {"image": blank_png(20_000, 10_000)}
    image = image_of(send(client, f"{V2}/generate/sd3", files, SD3_I2I))
    assert image.size == (1448, 724)


def test_an_injected_fault_on_an_edit_path_is_a_v2beta_error() -> None:
    mock = PortkeyMock(create_app())
    mock.fail_next(429)
    client = MockClient(mock)
    response = send(client, f"{V2}/edit/erase", {"image": picture(64, 64)})
    assert v2_error(response)[:2] == (429, "rate_limit_exceeded")


def test_only_the_newest_results_are_kept() -> None:
    from mock_gateway.fakes.stability import FakeStability
    from mock_gateway.upstream import UpstreamRequest
    from mock_gateway.wire.multipart import encode_form

    fake = FakeStability()
    body = encode_form([("prompt", "x"), ("background_prompt", "y")], "b")
    body = body.replace(
        b"--b--",
        b'--b\r\nContent-Disposition: form-data; name="subject_image"; filename="a"\r\n\r\n'
        + picture(64, 64)
        + b"\r\n--b--",
    )
    headers = {"authorization": "Bearer sk-1", "content-type": "multipart/form-data; boundary=b"}
    url = "https://api.stability.ai/v2beta/stable-image/edit/replace-background-and-relight"
    ids = [
        fake.handle(UpstreamRequest.build("POST", url, headers, body)).json()["id"]
        for _ in range(257)
    ]

    def poll(job: str) -> int:
        get = UpstreamRequest.build("GET", f"https://api.stability.ai/v2beta/results/{job}",
                                    {"authorization": "Bearer sk-1"}, b"")  # fmt: skip
        return fake.handle(get).status

    assert poll(ids[0]) == 404
    assert poll(ids[-1]) in (200, 202)
