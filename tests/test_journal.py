from __future__ import annotations

import json

from mock_gateway.journal import Journal
from mock_gateway.wire.redact import redact_headers, redact_key
from tests.conftest import ClientFactory, MockClient, config


def test_every_request_is_journaled_even_rejected_and_unrouted(client: MockClient) -> None:
    client.post("/v1/images/generations", content=b"{}")  # validator 400
    client.post("/v2/images", content=b"x")  # 404
    calls = client.calls()
    assert [(c["request"]["path"], c["response"]["status"]) for c in calls] == [
        ("/v1/images/generations", 400),
        ("/v2/images", 404),
    ]
    assert calls[1]["request"]["body"] == {"text": "x"}


def test_keys_are_never_stored_in_full(client: MockClient) -> None:
    secret = "sk-stability-0123456789abcdef"
    headers = {
        "x-portkey-provider": "stability-ai",
        "authorization": f"Bearer {secret}",
        "x-portkey-api-key": "pk-portkey-0123456789",
    }
    client.post(
        "/v1/images/generations",
        headers=headers,
        json={"model": "stable-diffusion-v1-6", "prompt": "a"},
    )
    client.post(
        "/v1/images/generations",
        headers={"x-portkey-config": config(provider="stability-ai", api_key=secret)},
        json={},
    )
    dump = json.dumps(client.calls())
    assert secret not in dump and "pk-portkey-0123456789" not in dump
    assert "Bearer sk-s...cdef" in dump


def test_reset_clears_the_journal_and_restarts_sequences(make_client: ClientFactory) -> None:
    client = make_client()
    headers = {"x-portkey-provider": "stability-ai", "authorization": "k"}
    first = client.post("/v1/images/generations", headers=headers, json={"prompt": "a"}).json()
    assert client.post("/_mock/reset", headers={"content-type": "application/json"}).json() == {
        "status": "ok"
    }
    assert client.calls() == []
    assert (
        client.post("/v1/images/generations", headers=headers, json={"prompt": "a"}).json() == first
    )


def test_the_cap_drops_the_oldest_and_counts_them() -> None:
    journal = Journal(cap=2)
    for i in range(3):
        journal.open(time=0.0, method="GET", path=f"/{i}", query="", headers=[], body=b"")
    assert [call.path for call in journal.calls()] == ["/1", "/2"]
    assert journal.dropped == 1


def test_redaction() -> None:
    assert redact_key("Bearer sk-abcdefghijklmnop") == "Bearer sk-a...mnop"
    assert redact_key("short") == "*****"
    assert redact_key("Bearer undefined") == "Bearer undefined"  # a placeholder, not a key
    assert redact_headers(
        [("X-Portkey-Config", '{"provider":"stability-ai","api_key":"sk-abcdefghijkl"}')]
    ) == [("x-portkey-config", '{"provider":"stability-ai","api_key":"sk-a...ijkl"}')]


def test_multipart_fields_are_listed_for_client_and_upstream(client: MockClient) -> None:
    boundary = "b0undary"
    form = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\na cat\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="x.png"\r\n'
        f"Content-Type: image/png\r\n\r\nPNGDATA\r\n--{boundary}--\r\n"
    )
    headers = {
        "x-portkey-provider": "stability-ai",
        "authorization": "sk-k",
        "content-type": f"multipart/form-data; boundary={boundary}",
    }
    client.post("/v1/v2beta/stable-image/generate/ultra", headers=headers, content=form)
    (call,) = client.calls()
    assert call["request"]["body"]["form"] == [
        {"name": "prompt", "value": "a cat"},
        {"name": "image", "filename": "x.png", "size": 7},
    ]
    # The unified route's v2 upstream request is a form too, listed the same way.
    client.post(
        "/v1/images/generations",
        headers={"x-portkey-provider": "stability-ai", "authorization": "sk-k"},
        json={"model": "core", "prompt": "a dog", "seed": 3},
    )
    upstream = client.calls()[-1]["upstream"][0]["request"]["body"]["form"]
    assert upstream == [{"name": "prompt", "value": "a dog"}, {"name": "seed", "value": "3"}]


def test_malformed_bodies_are_kept_verbatim(client: MockClient) -> None:
    raw = b'{"prompt": "unterminated'
    client.post(
        "/v1/images/generations", content=raw, headers={"x-portkey-provider": "stability-ai"}
    )
    (call,) = client.calls()
    assert call["request"]["body"] == {"text": raw.decode()}
    assert call["response"]["status"] == 500


def test_call_headers_are_a_case_insensitive_multi_dict(client: MockClient) -> None:
    client.post(
        "/v1/images/generations",
        headers=[
            ("x-portkey-provider", "stability-ai"),
            ("Authorization", "Bearer sk-stability-0123456789abcdef"),
            ("x-trace", "one"),
            ("X-Trace", "two"),
        ],
        json={"model": "stable-diffusion-v1-6", "prompt": "a"},
    )
    state = client.mock.state
    call = state.journal.calls().last
    headers = call.headers
    # As httpx.Headers and Starlette's Headers read: any case, first value, every value.
    assert headers["authorization"] == headers["AUTHORIZATION"] == "Bearer sk-s...cdef"
    assert call.header("Authorization") == "Bearer sk-s...cdef"
    assert headers["x-trace"] == "one" and headers.get_list("X-TRACE") == ["one", "two"]
    assert headers.getlist("x-trace") == ["one", "two"] and headers.get_list("nope") == []
    assert "X-Portkey-Provider" in headers and headers.get("nope") is None
    assert call.header("nope") is None
    assert list(headers).count("x-trace") == 1 and len(headers) == len(set(headers))
    pairs = headers.multi_items()
    assert [v for k, v in pairs if k == "x-trace"] == ["one", "two"]  # duplicates kept, in order
    assert dict(headers)["x-portkey-provider"] == "stability-ai"
    assert headers == pairs and headers == type(headers)(pairs)  # the earlier list form compares
    # GET /_mock/requests keeps showing the pairs.
    shown = client.calls()[-1]["request"]["headers"]
    assert [list(pair) for pair in pairs] == shown
