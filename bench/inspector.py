"""Benchmark: what the inspector page costs, and whether an open page slows the gateway.

Run:  python bench/inspector.py [--entries 500] [--seconds 4]

1. Render times, in-process: the page with the default 200 rows and with every one of
   ``--entries`` journaled calls (a mix of the seed's two requests, DALL·E URLs and errors),
   rows from the app's row cache and rendered afresh (``_uncached``), the live page's poll
   when nothing changed (204), and a self-contained snapshot.
2. The unified route's throughput over a real socket, side by side in one run: with no
   page open, and with a page polling once a second while the journal changes (so every
   poll renders rows), as a browser left open during a test run would.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mock_gateway import LiveServer, create_app
from mock_gateway.inspector import snapshot_html
from tests.seed import SEED_CURL_DATA

KEY = {"x-portkey-api-key": "pk-bench", "Authorization": "sk-bench-0123456789"}
STABILITY = {**KEY, "x-portkey-provider": "stability-ai"}
OPENAI = {**KEY, "x-portkey-provider": "openai"}
PROXY = "/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image"


def _mixed(client: httpx.Client, n: int) -> None:
    kind = n % 4
    if kind == 0:
        body = {"prompt": f"prompt {n}", "model": "stable-diffusion-v1-6"}
        client.post("/v1/images/generations", headers=STABILITY, json=body)
    elif kind == 1:
        headers = {**STABILITY, "Accept": "image/png", "Content-Type": "application/json"}
        client.post(PROXY, headers=headers, content=SEED_CURL_DATA)
    elif kind == 2:
        body = {"prompt": f"dog {n}", "model": "dall-e-2", "size": "256x256"}
        client.post("/v1/images/generations", headers=OPENAI, json=body)
    else:
        bad = {**OPENAI, "Authorization": "sk-invalid-0123456789"}
        client.post("/v1/images/generations", headers=bad, json={"prompt": "x"})


def _median_ms(action: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def throughput(seconds: float, poll: bool) -> tuple[float, float, float, float]:
    """Unified-route requests/s, median, p99 and max latency (ms), with or without a page."""
    app = create_app(profile="hosted-2025")  # DALL·E URLs, as OpenAI served them until 2026-05
    with LiveServer(app) as server:
        stop = threading.Event()

        def page() -> None:
            with httpx.Client(base_url=server.url) as viewer:
                token = ""
                while not stop.wait(1.0):
                    answer = viewer.get("/_mock/inspector/rows", params={"since": token})
                    if answer.status_code == 200:
                        token = answer.json()["token"]

        viewer = threading.Thread(target=page, daemon=True)
        if poll:
            viewer.start()
        count = 0
        with httpx.Client(base_url=server.url) as client:
            for n in range(50):  # warm-up: a journal with something to render from the start
                _mixed(client, n)
            deadline = time.perf_counter() + seconds
            start = time.perf_counter()
            latencies = []
            while time.perf_counter() < deadline:
                body = {"prompt": f"p {count}", "model": "stable-diffusion-v1-6"}
                sent = time.perf_counter()
                client.post("/v1/images/generations", headers=STABILITY, json=body)
                latencies.append(time.perf_counter() - sent)
                count += 1
            elapsed = time.perf_counter() - start
        stop.set()
        if poll:
            viewer.join(timeout=5)
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)]
    return count / elapsed, statistics.median(latencies) * 1e3, p99 * 1e3, latencies[-1] * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    results = render_times(args.entries)
    for label, poll in (("no_page", False), ("page_polling_1hz", True)):
        rps, median, p99, worst = throughput(args.seconds, poll=poll)
        results[f"unified_rps_{label}"] = round(rps, 1)
        results[f"unified_median_ms_{label}"] = round(median, 2)
        results[f"unified_p99_ms_{label}"] = round(p99, 2)
        results[f"unified_max_ms_{label}"] = round(worst, 2)
    results["rps_ratio_with_page"] = round(
        results["unified_rps_page_polling_1hz"] / results["unified_rps_no_page"], 3
    )
    print(json.dumps(results, indent=2))


def render_times(entries: int) -> dict[str, Any]:
    """Fill a journal through the in-process transport, then time the inspector's answers."""
    from mock_gateway.transport import InProcessTransport

    app = create_app(profile="hosted-2025")  # DALL·E URLs, as OpenAI served them until 2026-05
    with httpx.Client(transport=InProcessTransport(app), base_url="http://mock") as client:
        for n in range(entries):
            _mixed(client, n)
        token = client.get("/_mock/inspector/rows").json()["token"]
        results: dict[str, Any] = {"entries": len(app.state.mock.journal.calls())}
        for label, path in (
            ("page_default_200_rows", "/_mock/"),
            (f"page_all_{entries}_rows", f"/_mock/?limit={entries}"),
            ("poll_unchanged_204", f"/_mock/inspector/rows?since={token}"),
            ("poll_changed_200_rows", "/_mock/inspector/rows"),
        ):
            size = len(client.get(path).content)
            results[f"{label}_ms"] = round(_median_ms(lambda p=path: client.get(p), 7), 2)
            results[f"{label}_kB"] = round(size / 1000, 1)
            if "_rows" in label:  # every row rendered afresh: the first view of a journal

                def cold(p: str = path) -> None:
                    app.state.inspector_rows.clear()
                    client.get(p)

                results[f"{label}_uncached_ms"] = round(_median_ms(cold, 7), 2)
    state = app.state.mock
    calls = state.journal.calls()
    results[f"snapshot_{entries}_ms"] = round(
        _median_ms(lambda: snapshot_html(calls, blobs=state.blobs), 3), 1
    )
    results[f"snapshot_{entries}_kB"] = round(len(snapshot_html(calls, blobs=state.blobs)) / 1e3)
    return results


if __name__ == "__main__":
    main()
