"""The fake Lemonfox API (contract mostly ASSUMED) on the upstream role."""

from __future__ import annotations

from tests.openai_like_support import client, decode, upstream

PATH = "/lemonfox-ai/v1/images/generations"


def test_any_model_is_ignored_and_sizes_are_checked() -> None:
    with client(upstream()) as http:
        ok = http.post(
            PATH, json={"prompt": "a", "model": 5, "size": "512x512", "response_format": "b64_json"}
        )
        bad = http.post(PATH, json={"prompt": "a", "size": "1024x1792"})
    assert decode(ok.json()["data"][0]["b64_json"]) == (512, 512)
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "size"


def test_n_over_eight_is_refused() -> None:
    with client(upstream()) as http:
        answer = http.post(PATH, json={"prompt": "a", "n": 9})
    assert answer.status_code == 400 and answer.json()["error"]["param"] == "n"
