"""The example client, tested with the ``portkey_mock`` fixture and ``mock_gateway.strategies``.

The example tests are the ones anybody writes first; they pass for the two buggy variants
too. The property tests run the client through the whole space of requests and of upstream
behaviours, and catch both bugs (the variants are expected to fail them: strict xfail).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from imagegen import ImageClient, ImageError, ProviderError
from imagegen.buggy import ImpatientClient, UrlTrustingClient
from mock_gateway import PortkeyMock
from mock_gateway import strategies as pst

KEY = "sk-live-secret-0123456789"
ALL_CLIENTS = [ImageClient, UrlTrustingClient, ImpatientClient]


MakeClient = Callable[..., ImageClient]


@pytest.fixture
def make_client(portkey_mock: PortkeyMock) -> Iterator[MakeClient]:
    """``make_client(ImageClient, sleeps, **options)``: a client of the mock, sleeping nowhere
    (each wait is appended to ``sleeps``), on one HTTP connection pool closed afterwards."""
    with httpx.Client(timeout=5.0) as http:

        def make(
            client_class: type[ImageClient], sleeps: list[float], **options: Any
        ) -> ImageClient:
            options = {"provider_key": KEY, "request_timeout_ms": 20, **options}
            return client_class(
                portkey_mock.base_url, "pk-example", sleep=sleeps.append, http=http, **options
            )

        yield make


def decoded_size(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as image:
        image.load()  # every byte decoded: a truncated or corrupted PNG fails here
        assert image.format == "PNG"
        return image.size


# -- the example tests one writes first: every client passes them ------------------------------


@pytest.mark.parametrize("client_class", ALL_CLIENTS)
def test_a_stability_image(
    portkey_mock: PortkeyMock, make_client: MakeClient, client_class: type[ImageClient]
) -> None:
    client = make_client(client_class, [], model="stable-diffusion-xl-1024-v1-0")
    assert decoded_size(client.generate("a lighthouse", size="1024x1024")) == (1024, 1024)


@pytest.mark.portkey_mock(profile="hosted-2025")  # OpenAI served DALL·E until 2026-05-12
@pytest.mark.parametrize("client_class", ALL_CLIENTS)
def test_a_dall_e_url(
    portkey_mock: PortkeyMock, make_client: MakeClient, client_class: type[ImageClient]
) -> None:
    client = make_client(
        client_class, [], provider="openai", model="dall-e-2", response_format="url"
    )
    assert decoded_size(client.generate("a lighthouse", size="256x256")) == (256, 256)


@pytest.mark.parametrize("client_class", ALL_CLIENTS)
def test_a_rate_limit_is_retried(
    portkey_mock: PortkeyMock, make_client: MakeClient, client_class: type[ImageClient]
) -> None:
    portkey_mock.fail_next(429)
    sleeps: list[float] = []
    client = make_client(client_class, sleeps, model="stable-diffusion-v1-6")
    assert decoded_size(client.generate("a lighthouse")) == (512, 512)
    assert len(sleeps) == 1 and portkey_mock.calls.call_count == 2


@pytest.mark.parametrize("client_class", ALL_CLIENTS)
def test_a_refused_key_is_a_typed_error_without_the_key(
    make_client: MakeClient, client_class: type[ImageClient]
) -> None:
    key = "sk-invalid-secret-0123456789"
    client = make_client(client_class, [], provider_key=key, provider="openai")
    with pytest.raises(ProviderError) as raised:
        client.generate("a lighthouse")
    assert raised.value.status == 401 and key not in str(raised.value)


# -- the properties: the whole space, through the fixture and the strategies -----------------

URL_BUG = pytest.mark.xfail(
    raises=KeyError, strict=True, reason="Stability answers b64_json even when url was asked"
)
RETRY_AFTER_BUG = pytest.mark.xfail(
    raises=AssertionError, strict=True, reason="retry-after ignored"
)


@pytest.mark.parametrize(
    "client_class", [ImageClient, pytest.param(UrlTrustingClient, marks=URL_BUG)]
)
@given(request=pst.image_requests())
def test_every_valid_request_gives_a_png_of_its_size(
    portkey_mock: PortkeyMock,
    make_client: MakeClient,
    client_class: type[ImageClient],
    request: pst.ImageRequest,
) -> None:
    portkey_mock.reset()  # one fixture for all of Hypothesis's examples: start each afresh
    body = request.body
    client = make_client(
        client_class,
        [],
        provider=request.provider,
        model=request.model,
        response_format=body.get("response_format"),
    )
    size = decoded_size(client.generate(body["prompt"], size=body.get("size")))
    if "aspect_ratio" not in body:  # the client asks no aspect ratio of Stability v2beta
        assert size == request.image_size


@pytest.mark.parametrize(
    "client_class", [ImageClient, pytest.param(ImpatientClient, marks=RETRY_AFTER_BUG)]
)
@given(
    scenario=pst.scenarios(max_steps=5),
    route=st.sampled_from(["unified", "proxy"]),
    model=st.sampled_from(["stable-diffusion-xl-1024-v1-0", "stable-diffusion-v1-6", "core"]),
    key=st.sampled_from([KEY, "sk-invalid-secret-0123456789"]),
)
def test_every_scenario_ends_in_a_png_or_a_typed_error(
    portkey_mock: PortkeyMock,
    make_client: MakeClient,
    client_class: type[ImageClient],
    scenario: pst.Scenario,
    route: str,
    model: str,
    key: str,
) -> None:
    portkey_mock.reset()
    scenario.apply(portkey_mock)
    sleeps: list[float] = []
    client = make_client(client_class, sleeps, provider_key=key, route=route, model=model)
    started = time.monotonic()
    try:
        png = client.generate("a lighthouse", size="1024x1024")
    except ImageError as error:  # its own typed error, and the key is not in it
        assert key not in str(error) and key not in repr(error)
    else:
        decoded_size(png)  # never a corrupted image
    calls = portkey_mock.calls
    assert len(calls) <= client.max_attempts and time.monotonic() - started < 5  # no loop
    for call, slept in zip(calls, sleeps, strict=False):  # each wait honoured retry-after
        retry_after = dict(call.response_headers).get("retry-after")
        assert retry_after is None or slept >= float(retry_after), (call.describe(), sleeps)
