"""Per-test overhead of the portkey_mock fixture against pytest-httpserver and respx.

Run:  python -m pip install '.[test,bench]' && python bench/fixture_overhead.py [--tests 200]

Each tool gets the same file of N tests; every test makes one image-generation request and
checks the status. The mock's tests send a new prompt each time (no cache helps them); the
others answer a canned 64x64 image body. Each file runs in a fresh pytest, best of three, all
in this one run; the per-test overhead is (file time - empty-file time) / N.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The generated test files share these names (defined in each file's header).
HEADER = """\
import base64, httpx, requests
from mock_gateway import render_png

SESSION = requests.Session()
CLIENT = httpx.Client()
H = {"x-portkey-api-key": "pk-bench", "x-portkey-provider": "stability-ai", "authorization": "sk"}
URL = "https://api.portkey.ai/v1/images/generations"
PNG = base64.b64encode(render_png(64, 64)).decode()
CANNED = {"created": 1, "data": [{"b64_json": PNG}], "provider": "stability-ai"}


def body(i):
    return {"model": "stable-diffusion-v1-6", "prompt": f"p{i}", "size": "320x320"}
"""
FILES = {
    "baseline (no HTTP)": "def test_{i}():\n    assert True\n",
    "portkey_mock, requests over loopback": """
def test_{i}(portkey_mock):
    r = SESSION.post(portkey_mock.base_url + "/images/generations", headers=H, json=body({i}))
    assert r.status_code == 200
""",
    "portkey_mock, httpx in-process": """
def test_{i}(portkey_mock):
    with httpx.Client(transport=portkey_mock.transport(), base_url=portkey_mock.base_url) as c:
        r = c.post("/images/generations", headers=H, json=body({i}))
    assert r.status_code == 200
""",
    "pytest-httpserver, requests over loopback": """
def test_{i}(httpserver):
    httpserver.expect_request("/v1/images/generations", method="POST").respond_with_json(CANNED)
    r = SESSION.post(httpserver.url_for("/v1/images/generations"), json=body({i}))
    assert r.status_code == 200
""",
    "respx, httpx mocked in-process": """
def test_{i}(respx_mock):
    respx_mock.post(URL).mock(return_value=httpx.Response(200, json=CANNED))
    r = CLIENT.post(URL, json=body({i}))
    assert r.status_code == 200
""",
}


def _write(folder: Path, name: str, template: str, count: int) -> Path:
    # One client per file, as a real suite keeps one: per-call clients would measure SSL setup.
    path = folder / f"test_{abs(hash(name)) % 10**8}_{count}.py"
    path.write_text(HEADER + "\n".join(template.format(i=i) for i in range(count)))
    return path


TIMER = """
import json, os, time
import pytest

TIMES = []

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = time.perf_counter()
    yield
    TIMES.append(time.perf_counter() - start)

def pytest_sessionfinish(session):
    with open(os.environ["BENCH_TIMES"], "w") as out:
        json.dump(TIMES, out)
"""


def _time(path: Path) -> tuple[float, float]:
    """(per-test seconds, first-test extra seconds), timed inside pytest, best of 5 runs."""
    (path.parent / "conftest.py").write_text(TIMER)
    times_file = path.parent / "times.json"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)]
    best: tuple[float, float] = (float("inf"), 0.0)
    for _ in range(5):
        env = {**os.environ, "BENCH_TIMES": str(times_file)}
        result = subprocess.run(command, capture_output=True, text=True, cwd=path.parent, env=env)
        if result.returncode != 0:
            raise SystemExit(f"{path.name} failed:\n{result.stdout[-2000:]}")
        times = json.loads(times_file.read_text())
        # The first test carries session set-up, the last session teardown.
        per_test = statistics.fmean(times[1:-1])
        best = min(best, (per_test, times[0] - per_test))
    return best


def _session_start() -> float:
    from mock_gateway import LiveServer, create_app

    start = time.perf_counter()
    server = LiveServer(create_app())
    server.start()
    elapsed = time.perf_counter() - start
    server.stop()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=200)
    count = parser.parse_args().tests
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, template in FILES.items():
            folder = Path(tmp) / str(len(rows))
            folder.mkdir()
            rows[name] = _time(_write(folder, name, template, count))
    empty, _ = rows.pop("baseline (no HTTP)")
    print(
        f"{count} tests per file, timed inside pytest, best of 5; empty test {empty * 1e3:.2f} ms"
    )
    respx = rows["respx, httpx mocked in-process"][0] - empty
    for name, (per_test, first) in rows.items():
        cost = per_test - empty
        ratio = f"({cost / respx:4.2f}x respx)"
        print(
            f"  {name:43s} per test {cost * 1e3:5.2f} ms {ratio}  first test +{first * 1e3:4.0f} ms"
        )
    start = _session_start() * 1e3
    print(f"portkey_mock session start (uvicorn on a free port, ready): {start:.0f} ms")


if __name__ == "__main__":
    main()
