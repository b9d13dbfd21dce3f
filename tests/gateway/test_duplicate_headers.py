"""One rule for a repeated header, whatever the profile: the first value wins."""

from __future__ import annotations

import httpx
import pytest

from mock_gateway import PROFILES, PortkeyMock, create_app


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_two_provider_headers_go_to_the_first_under_every_profile(profile: str) -> None:
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
    (call,) = mock.calls
    assert [attempt.url.split("/")[2] for attempt in call.attempts] == ["api.stability.ai"]
    assert answer.headers["x-portkey-provider"] == "stability-ai"
    assert answer.status_code == 200, answer.text
