"""One rule for a repeated header, whatever the profile: its values joined with ", ", as
the gateway reads them (measured against the open-source gateway 1.15.2)."""

from __future__ import annotations

import httpx
import pytest

from mock_gateway import PROFILES, PortkeyMock, create_app


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_two_provider_headers_are_one_invalid_provider_under_every_profile(profile: str) -> None:
    # The real gateway 1.15.2 answered this exact request 400 {"status":"failure","message":
    # "Invalid provider passed"}: Hono's Headers.get gives "stability-ai, openai".
    mock = PortkeyMock(create_app(profile=profile))
    headers = [
        ("x-portkey-api-key", "pk-test-0123456789"),
        ("x-portkey-provider", "stability-ai"),
        ("x-portkey-provider", "openai"),
        ("authorization", "Bearer sk-test-0123456789"),
    ]
    body = {"model": "stable-diffusion-xl-1024-v1-0", "prompt": "a lighthouse", "size": "1024x1024"}
    with httpx.Client(transport=mock.transport(), base_url=mock.url) as client:
        answer = client.post("/v1/images/generations", headers=headers, json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json() == {"status": "failure", "message": "Invalid provider passed"}
    (call,) = mock.calls
    assert call.attempts == []  # refused by the validator: nothing went upstream
    assert call.headers.get_list("x-portkey-provider") == ["stability-ai", "openai"]


def test_a_single_provider_header_still_routes() -> None:
    mock = PortkeyMock(create_app())
    headers = {"x-portkey-api-key": "pk-test", "x-portkey-provider": "stability-ai",
               "authorization": "sk-test-0123456789"}  # fmt: skip
    body = {"model": "stable-diffusion-xl-1024-v1-0", "prompt": "a lighthouse", "size": "1024x1024"}
    with httpx.Client(transport=mock.transport(), base_url=mock.url) as client:
        answer = client.post("/v1/images/generations", headers=headers, json=body)
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-portkey-provider"] == "stability-ai"
