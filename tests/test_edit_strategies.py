"""``image_edit_requests``: every valid edit is answered as promised, every invalid one gets
the 400 it names, through the mock gateway (the real bytes are sent, decoded and checked)."""

from __future__ import annotations

import base64

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import InvalidArgument

from mock_gateway import create_app
from mock_gateway import strategies as pst
from mock_gateway.fakes.images import image_dimensions
from mock_gateway.transport import InProcessTransport

FAST = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))


def _client() -> httpx.Client:
    app = create_app(profile="oss")
    return httpx.Client(transport=InProcessTransport(app), base_url="http://m")


@FAST
@given(pst.image_edit_requests())
def test_valid_edits_are_answered_as_promised(request: pst.ImageEditRequest) -> None:
    with _client() as client:
        answer = request.send(client)
    assert answer.status_code == 200, answer.text
    items = answer.json()["data"]
    assert len(items) == request.image_count
    assert image_dimensions(base64.b64decode(items[0]["b64_json"])) == request.image_size


@FAST
@given(pst.image_edit_requests(valid=False))
def test_invalid_edits_get_the_error_they_name(request: pst.ImageEditRequest) -> None:
    assert not request.valid and request.reason
    with _client() as client:
        answer = request.send(client)
    assert answer.status_code == request.status == 400, request.reason
    assert answer.json()["error"]["code"] == request.error_code, request.reason


def test_a_wrong_model_is_refused_at_once() -> None:
    with pytest.raises(InvalidArgument, match="image_edit_requests"):
        pst.image_edit_requests(model="dall-e-3")
