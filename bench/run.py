"""The benchmark: every route beside its ceiling, image cost, memory and fixture overhead.

Run:  apt-get install -y wrk && python -m pip install -e '.[test,bench]' && python bench/run.py

Load comes from wrk (a C load generator) on loopback, pinned with taskset to core 1; each
server runs under uvicorn pinned to core 0. wrk's Lua script gives every request a distinct
prompt and seed, so no answer comes from a cache. The ceiling is a minimal Starlette app under
the same uvicorn settings that reads the body and answers the bytes the mock gave for the
same route, precomputed. Each route is printed as a ratio to its ceiling from the same run.

Options: --seconds N (per run, default 3), --repeat N (runs per figure, best kept; default 3),
--quick (one 2 s run per figure, no memory or fixture runs),
--skip-memory, --skip-fixture, --memory-requests N (default 100000).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# The routes include DALL·E with URLs, which OpenAI served until 2026-05-12: the dated profile.
PROFILE = "hosted-2025"
STABILITY = {
    "content-type": "application/json",
    "x-portkey-api-key": "pk-bench-0123456789",
    "x-portkey-provider": "stability-ai",
    "authorization": "sk-bench-0123456789",
}
OPENAI = {**STABILITY, "x-portkey-provider": "openai", "authorization": "Bearer sk-bench-0123"}
SDXL = "stable-diffusion-xl-1024-v1-0"


@dataclass(frozen=True)
class Route:
    """One benchmarked request: ``%d`` in the body takes the request number (prompt and seed)."""

    name: str
    path: str
    headers: dict[str, str]
    body: str


# Stability's smallest image is 320x320 (stable-diffusion-v1-6; SDXL takes 1024x1024 and
# eight other sizes): a 64x64 request gets Stability's 400, so 320x320 is the small size here.
ROUTES = (
    Route(
        "unified stability 320x320 (b64 json)",
        "/v1/images/generations",
        STABILITY,
        '{"model":"stable-diffusion-v1-6","prompt":"bench %d","seed":%d,"size":"320x320"}',
    ),
    Route(
        "unified stability 1024x1024 (b64 json)",
        "/v1/images/generations",
        STABILITY,
        '{"model":"' + SDXL + '","prompt":"bench %d","seed":%d,"size":"1024x1024"}',
    ),
    Route(
        "proxy stability 1024x1024 (raw png)",
        f"/v1/generation/{SDXL}/text-to-image",
        {**STABILITY, "accept": "image/png"},
        '{"text_prompts":[{"text":"bench %d"}],"seed":%d,"height":1024,"width":1024}',
    ),
    Route(
        "unified openai dall-e-2 (url)",
        "/v1/images/generations",
        OPENAI,
        '{"model":"dall-e-2","prompt":"bench %d %d","size":"1024x1024","response_format":"url"}',
    ),
)

LUA = """
local counter = 0
local offset = 0
wrk.method = "POST"
wrk.headers = {HEADERS}
local template = [==[{BODY}]==]
function init(args) offset = tonumber(args[1]) or 0 end
function request()
  counter = counter + 1
  local n = offset + counter
  return wrk.format(nil, "{PATH}", nil, string.format(template, n, n))
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "status_errors": %d, "socket_errors": %d, '
    .. '"p50_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _lua(route: Route) -> str:
    headers = ", ".join(f'["{k}"] = "{v}"' for k, v in route.headers.items())
    return (
        LUA.replace("{HEADERS}", "{" + headers + "}")
        .replace("{BODY}", route.body)
        .replace("{PATH}", route.path)
    )


def _uvicorn_config(app: Any) -> Any:
    import uvicorn

    # The same settings for the mock and the ceiling.
    return uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")


def _sample_answers() -> list[tuple[str, bytes, int, str, bytes]]:
    """(path, body prefix, status, content type, body) the mock answers each route's request
    number 0 with: the ceiling serves these."""
    import httpx

    from mock_gateway import create_app

    app = create_app(profile=PROFILE)
    answers = []

    async def fetch() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            for route in ROUTES:
                body = route.body % (0, 0)
                got = await client.post(route.path, headers=route.headers, content=body)
                assert got.status_code == 200, (route.name, got.status_code, got.text[:300])
                prefix = route.body.split("%d", 1)[0].encode()
                answers.append(
                    (route.path, prefix, got.status_code, got.headers["content-type"], got.content)
                )

    asyncio.run(fetch())
    return answers


def _ceiling_app() -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route as StarletteRoute

    answers = _sample_answers()

    async def endpoint(request: Request) -> Response:
        body = await request.body()
        # Which route: the path and the body up to its first number.
        for path, prefix, status, media_type, content in answers:
            if request.url.path == path and body.startswith(prefix):
                return Response(content, status, media_type=media_type)
        return Response(b"no such route", 404)

    paths = sorted({route.path for route in ROUTES})
    return Starlette(routes=[StarletteRoute(p, endpoint, methods=["POST"]) for p in paths])


def serve(kind: str, port: int, journal_cap: int | None) -> None:
    """The server process: the mock or the ceiling on 127.0.0.1:port until killed."""
    import uvicorn

    from mock_gateway import create_app
    from mock_gateway.serving.server import bind_socket

    app = (
        _ceiling_app()
        if kind == "ceiling"
        else create_app(
            profile=PROFILE, **({} if journal_cap is None else {"journal_cap": journal_cap})
        )
    )
    sock = bind_socket("127.0.0.1", port)
    uvicorn.Server(_uvicorn_config(app)).run(sockets=[sock])


def _taskset(core: int) -> list[str]:
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        return ["taskset", "-c", str(core)]
    return []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A server subprocess pinned to core 0."""

    def __init__(self, kind: str, journal_cap: int | None = None) -> None:
        self.port = _free_port()
        command = [*_taskset(0), sys.executable, __file__, "--serve", kind]
        command += ["--port", str(self.port)]
        if journal_cap is not None:
            command += ["--journal-cap", str(journal_cap)]
        self.process = subprocess.Popen(command)
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the {kind} server did not start") from None
                time.sleep(0.05)

    def rss_mb(self) -> float:
        """The server's resident set size, from /proc."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


_OFFSET = [1]


def wrk(port: int, route: Route, connections: int, seconds: float) -> dict[str, float]:
    """Run wrk (pinned to core 1) against one route; requests/s and p50/p99 in ms."""
    if shutil.which("wrk") is None:
        raise SystemExit("the benchmark needs wrk: apt-get install -y wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_lua(route))
    # A fresh range of prompt numbers for every run, so no run repeats another's prompts.
    offset = _OFFSET[0]
    _OFFSET[0] += 10_000_000
    command = [
        *_taskset(1),
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        script.name,
        f"http://127.0.0.1:{port}",
        "--",
        str(offset),
    ]
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    finally:
        os.unlink(script.name)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk failed:\n{out.stdout}\n{out.stderr}")
    data = json.loads(line[6:])
    if data["status_errors"] or data["socket_errors"]:
        raise SystemExit(f"{route.name}: errors under load: {data}")
    return {
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50_ms": data["p50_us"] / 1e3,
        "p99_ms": data["p99_us"] / 1e3,
        "requests": data["requests"],
    }


def _best(runs: list[dict[str, float]]) -> dict[str, float]:
    return max(runs, key=lambda run: run["rps"])


def throughput(
    seconds: float, repeat: int
) -> list[tuple[str, int, dict[str, float], dict[str, float]]]:
    """(route, connections, mock figures, ceiling figures) for every route, both servers up;
    each side's best of ``repeat`` interleaved runs, so that a neighbour's burst on a shared
    machine does not decide a ratio."""
    mock, ceiling = Server("mock"), Server("ceiling")
    rows = []
    try:
        for route in ROUTES:  # warm both: import paths, caches of per-size pieces
            wrk(mock.port, route, 4, 1)
            wrk(ceiling.port, route, 4, 1)
        for connections in (1, 16):
            for route in ROUTES:
                mine: list[dict[str, float]] = []
                theirs: list[dict[str, float]] = []
                for _ in range(repeat):  # interleaved: drift hits both sides alike
                    mine.append(wrk(mock.port, route, connections, seconds))
                    theirs.append(wrk(ceiling.port, route, connections, seconds))
                rows.append((route.name, connections, _best(mine), _best(theirs)))
    finally:
        mock.stop()
        ceiling.stop()
    return rows


async def _asgi_cost(app: Any, route: Route, count: int, offset: int) -> float:
    """Microseconds per request for ``app`` alone: no socket, no HTTP parsing."""
    base = [(k.encode(), v.encode()) for k, v in route.headers.items()]
    base.append((b"host", b"127.0.0.1:8787"))

    async def one(n: int) -> None:
        body = (route.body % (n, n)).encode()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": route.path,
            "raw_path": route.path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [*base, (b"content-length", str(len(body)).encode())],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 8787),
        }
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        status: list[int] = []

        async def receive() -> Any:
            return messages.pop() if messages else {"type": "http.disconnect"}

        async def send(message: Any) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        await app(scope, receive, send)
        assert status == [200], (route.name, status)

    for n in range(50):  # warm-up
        await one(offset + n)
    started = time.perf_counter()
    for n in range(count):
        await one(offset + 100 + n)
    return (time.perf_counter() - started) / count * 1e6


def app_costs(count: int = 1000) -> list[tuple[str, float, float]]:
    """(route, mock app us, ceiling app us) per request, in process: where the time goes."""
    from mock_gateway import create_app

    mock, ceiling = create_app(profile=PROFILE), _ceiling_app()
    return [
        (
            route.name,
            asyncio.run(_asgi_cost(mock, route, count, 50_000_000 + i * 100_000)),
            asyncio.run(_asgi_cost(ceiling, route, count, 0)),
        )
        for i, route in enumerate(ROUTES)
    ]


def image_timings() -> dict[str, float]:
    """First 1024x1024 PNG in a fresh process, the same one repeated, and new prompts."""
    code = (
        "import time, json\n"
        "t = time.perf_counter()\n"
        "from mock_gateway.fakes.images import render_png_b64, render_png\n"
        "i = time.perf_counter()\n"
        "render_png_b64(1024, 1024, prompt='first', seed=1)\n"
        "first = time.perf_counter() - i\n"
        "i = time.perf_counter()\n"
        "for _ in range(1000): render_png_b64(1024, 1024, prompt='first', seed=1)\n"
        "repeat = (time.perf_counter() - i) / 1000\n"
        "i = time.perf_counter()\n"
        "for n in range(200): render_png(1024, 1024, prompt=f'new {n}', seed=n + 2)\n"
        "fresh = (time.perf_counter() - i) / 200\n"
        "print(json.dumps({'first_ms': first * 1e3, 'repeat_us': repeat * 1e6,"
        " 'new_prompt_us': fresh * 1e6}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(out.stdout)
    return result


def memory(requests: int) -> dict[str, float]:
    """RSS of the mock (default journal cap) before and after ``requests`` 1024x1024 requests."""
    server = Server("mock")
    route = ROUTES[1]
    try:
        # Warm-up: 20 requests for imports and caches. The journal filling up is growth.
        for n in range(20):
            _post(server.port, route, n)
        before = server.rss_mb()
        done, half = 0, 0.0
        started = time.monotonic()
        while done < requests:
            done += int(wrk(server.port, route, 16, 10)["requests"])
            if not half and done >= requests // 2:
                half = server.rss_mb()  # halfway: growth has stopped, not merely slowed
        after = server.rss_mb()
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    return {
        "requests": done,
        "before_mb": before,
        "half_mb": half,
        "after_mb": after,
        "seconds": elapsed,
    }


def _post(port: int, route: Route, n: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", route.path, route.body % (n, n), route.headers)
    assert connection.getresponse().status == 200
    connection.close()


def _ok(good: bool) -> str:
    return "ok  " if good else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-fixture", action="store_true")
    parser.add_argument("--memory-requests", type=int, default=100_000)
    parser.add_argument("--serve", choices=("mock", "ceiling"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--journal-cap", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.journal_cap)
        return
    seconds = 2.0 if args.quick else args.seconds
    repeat = 1 if args.quick else args.repeat
    print(
        f"mock-portkey-gateway benchmark: wrk -t1 on loopback, best of {repeat} interleaved "
        f"runs of {seconds:g} s per figure"
    )
    print(f"pinning: {'server core 0, wrk core 1' if _taskset(0) else 'none (one core)'}")

    images = image_timings()
    print(
        f"{_ok(images['first_ms'] < 50)} first 1024x1024 image {images['first_ms']:.1f} ms "
        f"(target < 50 ms); repeat {images['repeat_us']:.2f} us (target < 1000 us); "
        f"new prompt {images['new_prompt_us']:.0f} us"
    )

    print(
        f"\n{'route':40s} {'conns':>5s} {'req/s':>8s} {'p50 ms':>7s} {'p99 ms':>7s}"
        f" {'ceiling':>8s} {'c p50':>6s} {'c p99':>6s} {'ratio':>6s}"
    )
    for name, connections, got, top in throughput(seconds, repeat):
        ratio = got["rps"] / top["rps"]
        print(
            f"{name:40s} {connections:5d} {got['rps']:8.0f} {got['p50_ms']:7.2f} "
            f"{got['p99_ms']:7.2f} {top['rps']:8.0f} {top['p50_ms']:6.2f} {top['p99_ms']:6.2f} "
            f"{ratio:6.2f} {_ok(ratio >= 0.8)}"
        )

    print("\nin process, the app alone (no socket, no HTTP parsing), us per request:")
    for name, mine, theirs in app_costs():
        print(f"  {name:40s} mock {mine:6.0f}   ceiling {theirs:5.0f}   extra {mine - theirs:6.0f}")

    if not (args.quick or args.skip_memory):
        mem = memory(args.memory_requests)
        growth = mem["after_mb"] - mem["before_mb"]
        print(
            f"\n{_ok(growth < 50)} memory: {mem['requests']} requests (1024x1024, distinct) in "
            f"{mem['seconds']:.0f} s: RSS {mem['before_mb']:.1f} -> {mem['half_mb']:.1f} "
            f"(halfway) -> {mem['after_mb']:.1f} MB, "
            f"growth {growth:.1f} MB (target < 50 MB)"
        )

    if not (args.quick or args.skip_fixture):
        print()
        sys.path.insert(0, str(HERE))
        import fixture_overhead

        sys.argv = [sys.argv[0], "--tests", "200"]
        fixture_overhead.main()


if __name__ == "__main__":
    main()
