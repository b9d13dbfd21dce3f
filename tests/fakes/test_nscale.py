"""The fake Nscale API (OpenAI-compatible; b64_json by default, per HF's client) upstream."""

from __future__ import annotations

from tests.openai_like_support import client, decode, fetch, upstream

PATH = "/nscale/v1/images/generations"
FLUX = "black-forest-labs/FLUX.1-schnell"


def test_b64_json_is_the_default_and_url_on_request() -> None:
    mock = upstream()
    with client(mock) as http:
        b64 = http.post(PATH, json={"model": FLUX, "prompt": "a", "size": "1792x1024"})
        url = http.post(PATH, json={"model": FLUX, "prompt": "a", "response_format": "url"})
    assert decode(b64.json()["data"][0]["b64_json"]) == (1792, 1024)
    assert fetch(mock, url.json()["data"][0]["url"]) == (1024, 1024)


def test_model_is_required_and_n_bounded() -> None:
    with client(upstream()) as http:
        no_model = http.post(PATH, json={"prompt": "a"})
        many = http.post(PATH, json={"model": FLUX, "prompt": "a", "n": 5})
    assert no_model.status_code == 400 and no_model.json()["error"]["param"] == "model"
    assert many.status_code == 400 and many.json()["error"]["param"] == "n"
