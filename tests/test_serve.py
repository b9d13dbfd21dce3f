"""``PortkeyMock.serve``: the mock as a context manager, outside pytest's fixture."""

from __future__ import annotations

import httpx

import mock_gateway
from mock_gateway import PortkeyMock


def test_serve_runs_a_live_mock_for_the_block_and_stops_it() -> None:
    with PortkeyMock.serve(profile="oss", seed=3) as mock:
        assert mock.server is not None and mock.server.running
        health = httpx.get(mock.url_for("/_mock/health")).json()
        answer = httpx.post(
            mock.base_url + "/images/generations",
            headers={"x-portkey-provider": "stability-ai", "authorization": "Bearer sk-serve-0001"},
            json={"model": "stable-diffusion-xl-1024-v1-0", "prompt": "x", "size": "1024x1024"},
        )
        calls = mock.calls
    assert health["profile"] == "oss"
    assert answer.status_code == 200
    assert isinstance(calls, mock_gateway.CallList)
    assert isinstance(calls[0], mock_gateway.Call)
    assert isinstance(calls[0].attempts[0], mock_gateway.Attempt)
    assert not mock.server.running


def test_fault_error_is_public() -> None:
    assert issubclass(mock_gateway.FaultError, ValueError)
