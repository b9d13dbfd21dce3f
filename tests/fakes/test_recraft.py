"""The fake Recraft API, on the upstream role (``/recraft-ai/v1/images/generations``)."""

from __future__ import annotations

import pytest

from mock_gateway.fakes.openai_like_data import SPECS
from tests.openai_like_support import client, decode, fetch, upstream

PATH = "/recraft-ai/v1/images/generations"


def test_url_and_b64_answers_decode_to_the_asked_size() -> None:
    mock = upstream()
    with client(mock) as http:
        by_url = http.post(PATH, json={"model": "recraftv3", "prompt": "a cat", "size": "832x1216"})
        by_b64 = http.post(
            PATH,
            json={
                "model": "recraftv3",
                "prompt": "a cat",
                "size": "832x1216",
                "response_format": "b64_json",
                "n": 2,
            },
        )
    assert fetch(mock, by_url.json()["data"][0]["url"]) == (832, 1216)
    assert by_url.json()["credits"] > 0
    assert [decode(item["b64_json"]) for item in by_b64.json()["data"]] == [(832, 1216)] * 2


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"prompt": ""}, "missing_required_parameter"),
        ({"prompt": "a" * 1001}, "string_above_max_length"),
        ({"prompt": "a cat", "model": "recraftv9"}, "model_not_found"),
        ({"prompt": "a cat", "n": 7}, "invalid_value"),
        ({"prompt": "a cat", "size": "1792x1024"}, "invalid_size"),
        ({"prompt": "a cat", "style": "vivid"}, "invalid_style"),
        ({"prompt": "a cat", "response_format": "png"}, "invalid_value"),
        ({"prompt": "mock-blocked cat"}, "content_policy_violation"),
    ],
)
def test_recraft_refuses_with_its_code_and_message(body: dict[str, object], code: str) -> None:
    with client(upstream()) as http:
        answer = http.post(PATH, json=body)
    assert answer.status_code == 400
    assert set(answer.json()) == {"code", "message"} and answer.json()["code"] == code


def test_v4_takes_longer_prompts_and_its_own_sizes() -> None:
    mock = upstream()
    with client(mock) as http:
        answer = http.post(
            PATH, json={"model": "recraftv4", "prompt": "a" * 5000, "size": "1280x832"}
        )
    assert answer.status_code == 200, answer.text
    assert fetch(mock, answer.json()["data"][0]["url"]) == (1280, 832)


def test_without_a_key_recraft_answers_401() -> None:
    with client(upstream(), key="") as http:
        answer = http.post(PATH, json={"prompt": "a cat"})
    assert answer.status_code == 401 and answer.json()["code"] == "invalid_api_key"


def test_vector_styles_are_not_drawn_and_say_so() -> None:
    with client(upstream()) as http:
        answer = http.post(PATH, json={"prompt": "a cat", "style": "vector_illustration"})
    assert answer.status_code == 501 and answer.headers["x-mock-unsupported"] == "true"


def test_same_request_same_seed_same_bytes() -> None:
    body = {"prompt": "a cat", "response_format": "b64_json"}
    with client(upstream()) as one, client(upstream()) as two:
        assert one.post(PATH, json=body).json()["data"] == two.post(PATH, json=body).json()["data"]


def test_the_unverified_facts_are_named() -> None:
    spec = SPECS["recraft-ai"]
    assert spec.assumed and all(hasattr(spec, name) for name in spec.assumed)
