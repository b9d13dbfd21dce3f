"""The fake Deepbricks API (OpenAI's DALL·E contract, ASSUMED) on the upstream role."""

from __future__ import annotations

import pytest

from tests.openai_like_support import client, fetch, upstream

PATH = "/deepbricks/v1/images/generations"


def test_dall_e_3_sizes_and_urls() -> None:
    mock = upstream()
    with client(mock) as http:
        answer = http.post(PATH, json={"model": "dall-e-3", "prompt": "a cat", "size": "1792x1024"})
    assert answer.status_code == 200, answer.text
    assert fetch(mock, answer.json()["data"][0]["url"]) == (1792, 1024)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"prompt": "a cat", "model": "dall-e-2", "size": "1792x1024"}, 400, "invalid_size"),
        ({"prompt": "a" * 1001, "model": "dall-e-2"}, 400, "string_above_max_length"),
        ({"prompt": "a cat", "style": "anime"}, 400, "invalid_style"),
        ({"prompt": 5}, 400, "invalid_type"),
    ],
)
def test_openai_shaped_errors(body: dict[str, object], status: int, code: str) -> None:
    with client(upstream()) as http:
        answer = http.post(PATH, json=body)
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code
    assert answer.json()["error"]["type"] == "invalid_request_error"


def test_wrong_path_and_missing_key() -> None:
    with client(upstream()) as http:
        assert http.post("/deepbricks/images/generations", json={"prompt": "a"}).status_code == 404
    with client(upstream(), key="undefined") as http:
        assert http.post(PATH, json={"prompt": "a"}).status_code == 401
