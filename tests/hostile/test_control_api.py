"""The control API answers only its user (issue 15): a ``Host`` that is not loopback, the bound
address or an allowed name is refused on every ``/_mock/`` route (DNS rebinding); a control
write needs ``application/json`` (a cross-site page must preflight); DALL·E URLs are signed
with a secret of this server alone."""

from __future__ import annotations

import http.client
import json
from typing import Any

import pytest

from mock_gateway import PortkeyMock, create_app
from mock_gateway.serving.server import LiveServer
from tests.hostile import OPENAI, STABILITY, send

JSON = {"content-type": "application/json"}
DALL_E = "hosted-2025"  # before OpenAI retired DALL·E (today's hosted profile answers 404)
READS = ["/_mock/health", "/_mock/requests", "/_mock/calls", "/_mock/faults", "/_mock/registry",
         "/_mock/", "/_mock/inspector/rows", "/_mock/inspector/inspector.js"]  # fmt: skip
WRITES = [("POST", "/_mock/reset", b""), ("POST", "/_mock/faults", b'{"fault":"drop"}'),
          ("DELETE", "/_mock/faults", b""), ("POST", "/_mock/registry", b'{"api_keys":["pk-x"]}'),
          ("POST", "/_mock/inspector/clear", b"")]  # fmt: skip
FOREIGN = ["evil.example", "evil.example:8787", "127.0.0.1.evil.example", "localhost.evil.example",
           "10.0.0.1", "[::2]:80", "0.0.0.0", ""]  # fmt: skip
LOCAL = ["127.0.0.1", "127.0.0.1:8787", "localhost:1", "LOCALHOST", "app.localhost", "[::1]:8787",
         "127.9.9.9"]  # fmt: skip


@pytest.mark.parametrize("host", FOREIGN)
@pytest.mark.parametrize("path", READS)
def test_a_foreign_host_reads_nothing(host: str, path: str) -> None:
    app = create_app()
    answer = send(app, "GET", path, headers={"host": host})
    assert answer.status_code == 403, answer.text[:200]
    assert "allowed-host" in answer.json()["message"]


@pytest.mark.parametrize("host", FOREIGN[:3])
@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_a_foreign_host_changes_nothing(host: str, method: str, path: str, body: bytes) -> None:
    app = create_app()
    send(app, "POST", "/v1/images/generations", content=b'{"prompt":"a"}', headers=STABILITY)
    answer = send(app, method, path, content=body, headers={**JSON, "host": host})
    assert answer.status_code == 403
    assert len(app.state.mock.journal.calls()) == 1 and app.state.mock.registry.api_keys is None


@pytest.mark.parametrize("host", LOCAL)
def test_loopback_names_are_served(host: str) -> None:
    app = create_app()
    assert send(app, "GET", "/_mock/requests", headers={"host": host}).status_code == 200


def test_allowed_hosts_and_the_bound_address_are_served() -> None:
    app = create_app(allowed_hosts=("mock.internal", "Gateway.Test:9"))
    for host in ("mock.internal", "mock.internal:8787", "gateway.test"):
        assert send(app, "GET", "/_mock/health", headers={"host": host}).status_code == 200
    assert send(app, "GET", "/_mock/health", headers={"host": "other.test"}).status_code == 403

    async def bound_at(scope: Any, receive: Any, send_: Any) -> None:
        scope["server"] = ("192.168.7.7", 8787)  # what uvicorn reports for the socket
        await app(scope, receive, send_)

    for host, status in (("192.168.7.7:8787", 200), ("192.168.7.8:8787", 403)):
        answer = send(bound_at, "GET", "/_mock/health", headers={"host": host})  # type: ignore[arg-type]
        assert answer.status_code == status


def test_the_gateway_and_the_image_urls_answer_any_host() -> None:
    # The controls are guarded; the gateway's routes and the signed URLs are not.
    app = create_app(profile=DALL_E)
    headers = {**OPENAI, **JSON, "host": "host.docker.internal:8787"}
    body = b'{"prompt":"a","model":"dall-e-2","response_format":"url","size":"256x256"}'
    answer = send(app, "POST", "/v1/images/generations", content=body, headers=headers)
    assert answer.status_code == 200
    url = answer.json()["data"][0]["url"]
    assert url.startswith("http://host.docker.internal:8787/_mock/openai-blobs/")
    path = url.split("8787", 1)[1]
    image = send(app, "GET", path, headers={"host": "host.docker.internal:8787"})
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")


NOT_JSON = [None, "text/plain", "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x", "text/json"]  # fmt: skip


@pytest.mark.parametrize("content_type", NOT_JSON)
@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_a_write_without_json_is_refused_and_changes_nothing(
    content_type: str | None, method: str, path: str, body: bytes
) -> None:
    app = create_app()
    send(app, "POST", "/v1/images/generations", content=b'{"prompt":"a"}', headers=STABILITY)
    mock = PortkeyMock(app)
    mock.drop_next()
    headers = {"content-type": content_type, "origin": "http://evil.example"}
    answer = send(app, method, path, content=body, headers=headers)
    assert answer.status_code == 415, answer.text
    assert "application/json" in answer.json()["message"]
    state = app.state.mock
    assert len(mock.calls) == 1 and len(mock.faults) == 1
    assert state.registry.api_keys is None


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_a_write_with_json_is_taken(method: str, path: str, body: bytes) -> None:
    app = create_app()
    answer = send(app, method, path, content=body, headers=JSON)
    assert answer.status_code == 200, answer.text


def test_the_inspectors_own_form_clears_but_another_sites_does_not() -> None:
    app = create_app()
    send(app, "POST", "/v1/images/generations", content=b'{"prompt":"a"}', headers=STABILITY)
    form = {"content-type": "application/x-www-form-urlencoded", "accept": "text/html"}
    other = send(app, "POST", "/_mock/inspector/clear", headers={**form, "origin": "http://a.test"})
    assert other.status_code == 415 and len(app.state.mock.journal.calls()) == 1
    null = send(app, "POST", "/_mock/inspector/clear", headers={**form, "origin": "null"})
    assert null.status_code == 415
    own = send(
        app, "POST", "/_mock/inspector/clear", headers={**form, "origin": "http://127.0.0.1"}
    )
    assert own.status_code == 303 and app.state.mock.journal.calls() == []


def test_over_a_real_socket_a_rebound_host_is_refused() -> None:
    with LiveServer(create_app()) as server:
        for host, status in (("attacker.example:%d", 403), ("127.0.0.1:%d", 200)):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            connection.putrequest("GET", "/_mock/requests", skip_host=True)
            connection.putheader("Host", host % server.port)
            connection.endheaders()
            assert connection.getresponse().status == status
            connection.close()
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        connection.request("POST", "/_mock/reset", body=b"", headers={"content-type": "text/plain"})
        assert connection.getresponse().status == 415
        connection.close()


def _dalle_url(app: Any) -> tuple[str, bytes]:
    body = b'{"prompt":"a","model":"dall-e-2","response_format":"url","size":"256x256"}'
    answer = send(app, "POST", "/v1/images/generations", content=body, headers={**OPENAI, **JSON})
    url = answer.json()["data"][0]["url"]
    path = url.split("127.0.0.1", 1)[1]
    return path, send(app, "GET", path).content


def test_image_urls_are_signed_by_a_secret_of_this_server_alone() -> None:
    first, second = create_app(seed=7, profile=DALL_E), create_app(seed=7, profile=DALL_E)
    path_one, image_one = _dalle_url(first)
    path_two, image_two = _dalle_url(second)
    assert image_one == image_two and image_one.startswith(b"\x89PNG")  # images: seeded
    assert path_one != path_two  # signatures: not derived from the seed
    # A server with the same seed does not honour another's URL, so none can be forged.
    assert send(second, "GET", path_one).status_code == 403
    assert send(first, "GET", path_one).status_code == 200
    assert json.loads(send(first, "GET", "/_mock/health").text)["status"] == "ok"
