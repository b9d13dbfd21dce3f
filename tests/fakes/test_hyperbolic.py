"""The fake Hyperbolic API (``/hyperbolic/v1/image/generation`` on the upstream role)."""

from __future__ import annotations

import pytest

from tests.openai_like_support import client, decode, upstream

PATH = "/hyperbolic/v1/image/generation"


def test_default_size_is_1024_square() -> None:
    with client(upstream()) as http:
        answer = http.post(PATH, json={"model_name": "SDXL1.0-base", "prompt": "a"})
    assert answer.status_code == 200, answer.text
    assert decode(answer.json()["images"][0]["image"]) == (1024, 1024)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"prompt": "a"}, "model_name"),
        ({"model_name": "SDXL1.0-base"}, "prompt"),
        ({"model_name": "nope", "prompt": "a"}, "model_name"),
        ({"model_name": "SDXL1.0-base", "prompt": "a", "width": 9999}, "width"),
    ],
)
def test_validation_is_422_with_the_field(body: dict[str, object], field: str) -> None:
    with client(upstream()) as http:
        answer = http.post(PATH, json=body)
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", field]


def test_no_key_is_401() -> None:
    with client(upstream(), key="") as http:
        answer = http.post(PATH, json={"model_name": "SDXL1.0-base", "prompt": "a"})
    assert answer.status_code == 401 and isinstance(answer.json()["detail"], str)
