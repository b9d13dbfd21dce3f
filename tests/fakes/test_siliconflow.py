"""The fake SiliconFlow API (``/siliconflow/v1/images/generations`` on the upstream role)."""

from __future__ import annotations

import pytest

from tests.openai_like_support import client, fetch, upstream

PATH = "/siliconflow/v1/images/generations"


def test_batch_size_applies_to_kolors_only_and_seed_is_echoed() -> None:
    mock = upstream()
    with client(mock) as http:
        kolors = http.post(
            PATH, json={"model": "Kwai-Kolors/Kolors", "prompt": "a", "batch_size": 3, "seed": 7}
        )
        flux = http.post(
            PATH, json={"model": "black-forest-labs/FLUX.1-schnell", "prompt": "a", "batch_size": 3}
        )
    assert len(kolors.json()["images"]) == 3 and kolors.json()["seed"] == 7
    assert len(flux.json()["images"]) == 1
    assert fetch(mock, flux.json()["images"][0]["url"]) == (1024, 1024)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"model": "x/y", "prompt": "a"}, 400, 20012),
        ({"model": "Qwen/Qwen-Image", "prompt": "a", "image_size": "big"}, 400, 20015),
        ({"model": "Qwen/Qwen-Image", "prompt": "a", "num_inference_steps": 0}, 400, 20015),
    ],
)
def test_native_errors(body: dict[str, object], status: int, code: int) -> None:
    with client(upstream()) as http:
        answer = http.post(PATH, json=body)
    assert answer.status_code == status
    assert answer.json()["code"] == code and answer.json()["data"] is None


def test_the_gateways_outdated_path_is_404_and_no_key_401() -> None:
    with client(upstream()) as http:
        old = http.post("/siliconflow/v1/Kwai-Kolors/Kolors/text-to-image", json={"prompt": "a"})
    with client(upstream(), key="") as http:
        anonymous = http.post(PATH, json={"model": "Kwai-Kolors/Kolors", "prompt": "a"})
    assert old.status_code == 404 and anonymous.status_code == 401
