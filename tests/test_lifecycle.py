"""Starting and stopping the live server many times leaks no threads, sockets or ports; keys
never appear in full in logs, the journal, error messages or the inspector output; binding
beyond loopback needs an explicit flag."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import threading

import httpx
import pytest

from mock_gateway import LiveServer, PortkeyMock, ServerStartError, create_app
from mock_gateway.cli import parse_args, run
from mock_gateway.serving.server import is_loopback
from tests.conftest import MockClient

pytestmark = pytest.mark.socket


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_start_stop_restart_leaks_nothing() -> None:
    app = create_app()
    warm = LiveServer(app)
    warm.start()  # the first start imports and builds what later ones reuse
    warm.stop()
    threads, fds = threading.active_count(), _fds()
    ports = set()
    for _ in range(25):
        server = LiveServer(app)
        server.start()
        with httpx.Client() as client:
            assert client.get(server.url + "/_mock/health").status_code == 200
        ports.add(server.port)
        server.stop()
        with socket.socket() as again:  # the port is free at once after stop
            again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            again.bind(("127.0.0.1", server.port))
    restarted = LiveServer(app, port=server.port)  # the same port, restarted
    restarted.start()
    restarted.stop()
    assert threading.active_count() == threads
    assert _fds() == fds
    assert len(ports) > 1


def test_loopback_only_unless_allowed() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.com")
    with pytest.raises(ServerStartError, match="allow_remote=True"):
        LiveServer(create_app(), host="0.0.0.0")
    out, err = io.StringIO(), io.StringIO()
    assert (
        run(parse_args(["serve", "--host", "0.0.0.0", "--port", "0"]), stdout=out, stderr=err) == 2
    )
    assert "pass --allow-remote" in err.getvalue() and out.getvalue() == ""


SECRETS = ("sk-stability-SECRET-0123456789", "sk-openai-SECRET-0123456789", "pk-SECRET-987654")


def test_keys_never_appear_in_full(caplog: pytest.LogCaptureFixture) -> None:
    client = MockClient(PortkeyMock(create_app()))
    stability, openai, portkey = SECRETS
    config = json.dumps({"provider": "openai", "api_key": openai, "retry": {"attempts": 1}})
    requests = [
        ({"x-portkey-provider": "stability-ai", "authorization": stability}, {"prompt": "a"}),
        ({"x-portkey-provider": "openai", "authorization": f"Bearer {openai}"}, {"prompt": "a"}),
        ({"x-portkey-provider": "openai", "authorization": f"Bearer {openai}invalid"}, {}),
        ({"x-portkey-config": config}, {"model": "dall-e-2", "prompt": "a"}),
        ({"x-portkey-config": config, "x-mock-status": "500"}, {"prompt": "a"}),
        ({"x-portkey-provider": "stability-ai", "authorization": stability}, "not json"),
        ({"x-portkey-provider": "openai", "x-api-key": openai, "cookie": stability}, {}),
    ]
    seen = []
    with caplog.at_level(logging.DEBUG):
        for headers, body in requests:
            for path in ("/v1/images/generations", "/v1/generation/sd/text-to-image"):
                sent = {**headers, "x-portkey-api-key": portkey}
                content = body if isinstance(body, str) else json.dumps(body)
                answer = client.post(path, headers=sent, content=content)
                seen.append(answer.text + json.dumps(dict(answer.headers)))
    seen.append(client.get("/_mock/requests").text)
    seen.append(json.dumps([call.to_json() for call in client.mock.state.journal.calls()]))
    seen.append(caplog.text)
    for text in seen:
        for secret in SECRETS:
            assert secret not in text, text[:500]
