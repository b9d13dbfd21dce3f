"""``stability_input_images``: what it calls valid the fake Stability accepts, what it calls
invalid the fake refuses with a 400, on every images-in endpoint."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mock_gateway import strategies as pst
from mock_gateway.fakes.stability import FakeStability
from mock_gateway.fakes.stability_edits_data import V2_EDITS
from mock_gateway.upstream import UpstreamRequest
from mock_gateway.wire.multipart import encode_form

BOUNDARY = "----input-images"
# What each endpoint needs besides its first image (fields a valid call sends).
_EXTRA: dict[str, list[tuple[str, str]]] = {
    "edit/inpaint": [("prompt", "x")],
    "edit/outpaint": [("left", "8")],
    "edit/search-and-replace": [("prompt", "x"), ("search_prompt", "y")],
    "edit/search-and-recolor": [("prompt", "x"), ("select_prompt", "y")],
    "edit/replace-background-and-relight": [("background_prompt", "x")],
    "upscale/conservative": [("prompt", "x")],
    "upscale/creative": [("prompt", "x")],
    "control/sketch": [("prompt", "x")],
    "control/structure": [("prompt", "x")],
    "control/style": [("prompt", "x")],
    "generate/ultra": [("prompt", "x"), ("strength", "0.5")],
    "generate/sd3": [("prompt", "x"), ("mode", "image-to-image"), ("strength", "0.5")],
}
_FAST = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _send(endpoint: str, image: pst.InputImage) -> int:
    first = next(iter(V2_EDITS[endpoint].images))
    text = encode_form(_EXTRA.get(endpoint, []), BOUNDARY)[: -len(f"--{BOUNDARY}--\r\n")]
    files = [(first, image.data)]
    if endpoint == "control/style-transfer":
        files.append(("style_image", image.data))
    head = '--{b}\r\nContent-Disposition: form-data; name="{name}"; filename="f"\r\n\r\n'
    parts = b"".join(
        head.format(b=BOUNDARY, name=name).encode() + data + b"\r\n" for name, data in files
    )
    body = text + parts + f"--{BOUNDARY}--\r\n".encode()
    headers = {
        "authorization": "Bearer sk-1",
        "content-type": f"multipart/form-data; boundary={BOUNDARY}",
        "x-mock-async-polls": "0",
    }
    url = f"https://api.stability.ai/v2beta/stable-image/{endpoint}"
    return FakeStability().handle(UpstreamRequest.build("POST", url, headers, body)).status


ENDPOINTS = sorted(V2_EDITS)
# The 4 MP and 16 MP answers cost most: a few endpoints per run, every one over the suite.
_ENDPOINT = st.sampled_from(ENDPOINTS)


@_FAST
@given(st.data())
def test_valid_images_are_accepted(data: st.DataObject) -> None:
    endpoint = data.draw(_ENDPOINT)
    image = data.draw(pst.stability_input_images(endpoint=endpoint))
    assert image.valid and image.format in ("jpeg", "png", "webp")
    assert _send(endpoint, image) == 200, (endpoint, image)


@_FAST
@given(st.data())
def test_invalid_images_are_refused_with_a_400(data: st.DataObject) -> None:
    endpoint = data.draw(_ENDPOINT)
    image = data.draw(pst.stability_input_images(endpoint=endpoint, valid=False))
    assert image.reason
    assert _send(endpoint, image) == 400, (endpoint, image)


@_FAST
@given(pst.stability_input_images(), st.sampled_from(ENDPOINTS))
def test_without_an_endpoint_every_endpoint_takes_it(image: pst.InputImage, endpoint: str) -> None:
    assert _send(endpoint, image) == 200, (endpoint, image)


@_FAST
@given(pst.stability_input_images(valid=False), st.sampled_from(ENDPOINTS))
def test_without_an_endpoint_every_endpoint_refuses_it(
    image: pst.InputImage, endpoint: str
) -> None:
    assert _send(endpoint, image) == 400, (endpoint, image)


def test_a_wrong_endpoint_names_the_right_calls() -> None:
    with pytest.raises(InvalidArgument, match="edit/erase"):
        pst.stability_input_images(endpoint="edit/nothing")
