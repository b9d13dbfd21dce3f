from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from mock_gateway.cli import parse_args, run


def test_defaults_bind_loopback_on_8787() -> None:
    args = parse_args(["serve"])
    assert (args.host, args.port, args.profile, args.seed) == ("127.0.0.1", 8787, "hosted", 0)


def test_unknown_profile_is_refused() -> None:
    with pytest.raises(SystemExit):
        parse_args(["serve", "--profile", "nope"])


@pytest.mark.parametrize("name", ["hosted-2025", "hosted-dalle-retired"])
def test_the_dated_profile_and_the_deprecated_name_are_accepted(name: str) -> None:
    assert parse_args(["serve", "--profile", name]).profile == name


def test_a_busy_port_is_a_clear_error() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        stderr = io.StringIO()
        code = run(parse_args(["serve", "--port", str(port)]), stdout=io.StringIO(), stderr=stderr)
    assert code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in stderr.getvalue()


@pytest.mark.socket
@pytest.mark.parametrize(
    "command", [["mock-portkey"], [sys.executable, "-m", "mock_gateway"]], ids=["script", "module"]
)
def test_serve_prints_the_base_url_answers_and_stops_on_ctrl_c(command: list[str]) -> None:
    script = os.path.join(os.path.dirname(sys.executable), "mock-portkey")
    argv = [script, *command[1:]] if command == ["mock-portkey"] else command
    process = subprocess.Popen(
        [*argv, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        base = process.stdout.readline().strip()
        assert "listening on http://127.0.0.1:" in first
        assert base.startswith("base URL: http://127.0.0.1:") and base.endswith("/v1")
        origin = base.removeprefix("base URL: ").removesuffix("/v1")
        deadline = time.monotonic() + 5
        while True:
            try:
                response = httpx.get(origin + "/_mock/health")
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "server did not answer"
                time.sleep(0.02)
        assert response.json()["status"] == "ok"
        assert httpx.get(origin + "/").text == "AI Gateway says hey!"
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "stopped" in out
    assert "Traceback" not in err


def test_content_filter_words_and_url_lifetime_options() -> None:
    args = parse_args(
        [
            "serve",
            "--blocked-word",
            "nope",
            "--blocked-word",
            "never",
            "--filtered-word",
            "blur",
            "--url-ttl",
            "60",
        ]
    )
    assert (args.blocked_words, args.filtered_words, args.url_ttl) == (
        ["nope", "never"],
        ["blur"],
        60.0,
    )
    defaults = parse_args(["serve"])
    assert (defaults.blocked_words, defaults.filtered_words, defaults.url_ttl) == (
        None,
        None,
        3600.0,
    )


def test_a_bad_registry_file_is_a_clear_error(tmp_path: Any) -> None:
    path = tmp_path / "registry.json"
    path.write_text('{"virtual_keys": {"vk": {}}}')
    stderr = io.StringIO()
    code = run(
        parse_args(["serve", "--port", "0", "--registry", str(path)]),
        stdout=io.StringIO(),
        stderr=stderr,
    )
    assert code == 1
    assert "virtual_keys.vk must be an object with a string 'provider'" in stderr.getvalue()
