"""Benchmark: image generation cost, and the unified route's throughput beside a ceiling.

Run:  python bench/bench.py [--seconds 5] [--connections 1]

Each server runs under uvicorn in its own process pinned to core 0; the load generator is a
separate process pinned to core 1 that keeps connections alive and sends a distinct prompt
and seed every time (so no answer comes from a cache). The ceiling is a minimal Starlette
app under the same uvicorn settings answering precomputed bytes of the same size.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import socket
import statistics
import time
from typing import Any


def _pin(core: int) -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {core})


def _image_timings() -> dict[str, float]:
    from mock_gateway.images import render_png, render_png_b64

    start = time.perf_counter()
    render_png_b64(1024, 1024, prompt="first", seed=1)
    first = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(1000):
        render_png_b64(1024, 1024, prompt="first", seed=1)
    repeat = (time.perf_counter() - start) / 1000
    for i in range(50):  # build every stripe geometry once, as a running server has
        render_png(1024, 1024, prompt=f"warm-up {i}", seed=i + 1000)
    start = time.perf_counter()
    for i in range(200):
        render_png(1024, 1024, prompt=f"new prompt {i}", seed=i + 2)
    fresh = (time.perf_counter() - start) / 200
    return {"first_ms": first * 1e3, "repeat_us": repeat * 1e6, "new_prompt_us": fresh * 1e6}


def _ceiling_app() -> Any:
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    from mock_gateway.images import render_png_b64

    body = json.dumps(
        {
            "created": 1,
            "data": [{"b64_json": render_png_b64(1024, 1024)}],
            "provider": "stability-ai",
        }
    ).encode()

    async def endpoint(request: Any) -> Response:
        await request.body()
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/v1/images/generations", endpoint, methods=["POST"])])


def _serve(kind: str, sock: socket.socket) -> None:
    _pin(0)
    import uvicorn

    from mock_gateway import create_app

    app = create_app(journal_cap=1000) if kind == "mock" else _ceiling_app()
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")).run(
        sockets=[sock]
    )


def _load(port: int, seconds: float, connections: int, queue: Any) -> None:
    _pin(1)
    import threading

    headers = {
        "content-type": "application/json",
        "x-portkey-api-key": "pk-test",
        "x-portkey-provider": "stability-ai",
        "authorization": "sk-bench",
    }
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        mine, i = [], 0
        while time.perf_counter() < deadline:
            i += 1
            body = json.dumps(
                {
                    "model": "stable-diffusion-xl-1024-v1-0",
                    "prompt": f"bench {n} {i}",
                    "seed": n * 1_000_000 + i,
                    "size": "1024x1024",
                }
            )
            start = time.perf_counter()
            conn.request("POST", "/v1/images/generations", body, headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    queue.put(
        {
            "rps": len(latencies) / seconds,
            "p50_ms": statistics.median(latencies) * 1e3,
            "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1e3,
        }
    )


def _measure(kind: str, seconds: float, connections: int) -> dict[str, float]:
    from mock_gateway.server import bind_socket

    sock = bind_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = mp.Process(target=_serve, args=(kind, sock), daemon=True)
    server.start()
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.01)
    queue: Any = mp.Queue()
    _load(port, 1.0, connections, mp.Queue())  # warm-up
    loader = mp.Process(target=_load, args=(port, seconds, connections, queue))
    loader.start()
    result: dict[str, float] = queue.get(timeout=seconds + 60)
    loader.join()
    server.terminate()
    server.join()
    sock.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=1)
    args = parser.parse_args()
    print("1024x1024 image:", json.dumps({k: round(v, 2) for k, v in _image_timings().items()}))
    ceiling = _measure("ceiling", args.seconds, args.connections)
    mock = _measure("mock", args.seconds, args.connections)
    for name, result in (
        ("ceiling (minimal Starlette, precomputed bytes)", ceiling),
        ("unified stability route", mock),
    ):
        print(
            f"{name}: {result['rps']:.0f} req/s, "
            f"p50 {result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms"
        )
    print(f"unified route / ceiling: {mock['rps'] / ceiling['rps']:.2f}")


if __name__ == "__main__":
    mp.set_start_method("spawn")
    main()
