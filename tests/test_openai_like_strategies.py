"""``image_requests(provider=...)`` for the OpenAI-compatible providers: what each drawn
request claims (valid or not, status, image size and count) is what the mock answers."""

from __future__ import annotations

import base64

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mock_gateway import strategies as pst
from mock_gateway.contract_tools.contracts import validator_for
from mock_gateway.fakes.images import image_dimensions
from tests.openai_like_support import fetch, gateway

FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MOCK = gateway()  # one app for every example: building one per example costs ~50 ms


def _sizes(body: dict[str, object]) -> list[tuple[int, int]]:
    items = body["data"]
    assert isinstance(items, list)
    out = []
    for item in items:
        if "b64_json" in item:
            out.append(image_dimensions(base64.b64decode(item["b64_json"])))
        else:
            out.append(fetch(MOCK, item["url"]))
    return out


@pytest.mark.parametrize("provider", ["recraft-ai", "deepbricks", "lemonfox-ai", "nscale"])
@FAST
@given(data=st.data())
def test_valid_requests_get_the_images_they_claim(provider: str, data: st.DataObject) -> None:
    request = data.draw(pst.image_requests(provider=provider))
    assert request.valid and request.provider == provider
    assert list(validator_for(request.contract).iter_errors(request.body)) == []
    with httpx.Client(transport=MOCK.transport(), base_url=MOCK.url) as http:
        answer = request.send(http)
    assert answer.status_code == 200, answer.text
    sizes = _sizes(answer.json())
    assert sizes == [request.image_size] * request.image_count


@pytest.mark.parametrize(
    "provider",
    ["recraft-ai", "deepbricks", "lemonfox-ai", "nscale", "hyperbolic", "siliconflow"],
)
@FAST
@given(data=st.data())
def test_invalid_requests_get_the_status_they_claim(provider: str, data: st.DataObject) -> None:
    request = data.draw(pst.image_requests(provider=provider, valid=False))
    assert not request.valid and request.reason
    with httpx.Client(transport=MOCK.transport(), base_url=MOCK.url) as http:
        answer = request.send(http)
    assert answer.status_code == request.status, (request.reason, answer.text)


@pytest.mark.parametrize("provider", ["hyperbolic", "siliconflow"])
def test_no_valid_request_exists_for_the_trap_providers(provider: str) -> None:
    with pytest.raises(InvalidArgument, match="valid=False"):
        pst.image_requests(provider=provider)


def test_an_unknown_model_for_a_provider_is_refused_at_once() -> None:
    with pytest.raises(InvalidArgument, match="recraftv3"):
        pst.image_requests(provider="recraft-ai", model="dall-e-3")
