"""Run with --portkey-record DIR --portkey-record-target URL: the target answers, not the mock."""

from __future__ import annotations

from typing import Any

import httpx
import pytest


def test_generates_through_the_recorder(portkey_mock: Any) -> None:
    answer = httpx.post(
        portkey_mock.base_url + "/images/generations",
        headers={"x-portkey-provider": "openai", "authorization": "Bearer sk-plugin-0123456789ab"},
        json={"model": "dall-e-2", "prompt": "a cat"},
    )
    assert answer.status_code == 200
    assert "/_mock/openai-blobs/" in answer.json()["data"][0]["url"]


def test_the_mock_only_parts_say_they_are_not_there(portkey_mock: Any) -> None:
    with pytest.raises(AttributeError, match="does not exist while recording against"):
        portkey_mock.fail_next(500)
