"""siliconflow through the mock gateway (docs/facts/providers/siliconflow.md): the outdated
/{model}/text-to-image path, size as image_size, native bodies passed through raw."""

from __future__ import annotations

from mock_gateway.adapters.siliconflow import ADAPTER
from mock_gateway.faults import Fault
from tests.openai_like_support import client, fetch, gateway

BASE = "https://api.siliconflow.cn/v1"


def test_the_measured_mapping_byte_for_byte() -> None:
    params = {
        "model": "black-forest-labs/FLUX.1-schnell",
        "prompt": "a cat",
        "n": 20,
        "size": "1024x1792",
        "num_inference_steps": 4,
        "batch_size": 2,
        "guidance_scale": 3,
        "image_size": "512x512",
        "seed": 5,
    }
    request = ADAPTER.to_upstream(
        params, api_key="k", base_url=BASE, boundary="", has_body=True, options={}
    )
    assert request.url == f"{BASE}/black-forest-labs/FLUX.1-schnell/text-to-image"
    assert request.body == (
        b'{"prompt":"a cat","image_size":"1024x1792","num_inference_steps":4,"batch_size":2,'
        b'"guidance_scale":3}'
    )
    bare = ADAPTER.to_upstream(
        {"prompt": "a"}, api_key="k", base_url=BASE, boundary="", has_body=True, options={}
    )
    assert bare.url == f"{BASE}/ByteDance/SDXL-Lightning/text-to-image"


def test_the_outdated_path_meets_siliconflows_404_raw() -> None:
    mock = gateway()
    with client(mock, "siliconflow") as http:
        answer = http.post("/v1/images/generations", json={"prompt": "a cat"})
    assert answer.status_code == 404
    assert answer.json()["code"] == 20404 and answer.json()["data"] is None  # not wrapped


def test_native_success_passes_through_and_openai_errors_are_wrapped() -> None:
    mock = gateway()
    native = '{"images":[{"url":"https://sc.example/x.png"}],"seed":1}'
    mock.queue(Fault.respond(200, native, "application/json"))
    wrapped = '{"error":{"message":"bad","type":"t"}}'
    mock.queue(Fault.respond(400, wrapped, "application/json"))
    mock.fail_next(429)
    with client(mock, "siliconflow") as http:
        ok, bad, limited = (
            http.post("/v1/images/generations", json={"prompt": "a"}) for _ in range(3)
        )
    assert ok.json() == {"images": [{"url": "https://sc.example/x.png"}], "seed": 1}
    assert bad.json()["error"]["message"] == "siliconflow error: bad"
    assert limited.status_code == 429 and "provider" not in limited.json()


def test_the_proxy_route_reaches_the_documented_endpoint() -> None:
    mock = gateway()
    body = {"model": "Kwai-Kolors/Kolors", "prompt": "a", "image_size": "512x768", "batch_size": 2}
    with client(mock, "siliconflow") as http:
        answer = http.post("/v1/proxy/images/generations", json=body)
    assert answer.status_code == 200, answer.text
    images = answer.json()["images"]
    assert len(images) == 2 and fetch(mock, images[0]["url"]) == (512, 768)
    assert mock.calls[-1].attempts[0].url == f"{BASE}/images/generations"
