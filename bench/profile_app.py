"""The mock's own cost per request, in process, per benchmarked route; optionally profiled.

Run:  python bench/profile_app.py [--count N] [--repeat N] [--profile ROUTE_INDEX]

It drives the ASGI app directly (no socket, no HTTP parsing) with the requests bench/run.py
sends, plus a unified Stability v2beta request (multipart upstream): a distinct prompt and
seed for every request. Each route prints the best and the median of ``--repeat`` runs of
``--count`` requests (the median is the figure to compare on a shared machine), beside the
same loop against the ceiling app. ``--profile N`` runs route N under cProfile instead and
prints the top functions by own and cumulative time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # bench/run.py: the routes and the in-process loop

# In process only (bench/run.py's ceiling answers its own routes): the v2beta path, where
# the adapter writes a multipart body for Stability.
ROUTES = (
    *run.ROUTES,
    run.Route(
        "unified stability v2 core (multipart)",
        "/v1/images/generations",
        run.STABILITY,
        '{"model":"core","prompt":"bench %d","seed":%d,"size":"1024x1024"}',
    ),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", type=int, help=f"profile route N (0-{len(ROUTES) - 1})")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()

    from mock_gateway import create_app

    mock = create_app(profile=run.PROFILE)
    if args.profile is not None:
        route = ROUTES[args.profile]
        asyncio.run(run._asgi_cost(mock, route, 200, 90_000_000))
        profiler = cProfile.Profile()
        profiler.enable()
        asyncio.run(run._asgi_cost(mock, route, args.count, 91_000_000))
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)
        return
    ceiling = run._ceiling_app()
    print(f"load average {os.getloadavg()[0]:.2f}; {args.repeat} x {args.count} requests")
    for i, route in enumerate(ROUTES):
        base = 60_000_000 + i * 1_000_000
        mine = [
            asyncio.run(run._asgi_cost(mock, route, args.count, base + r * 100_000))
            for r in range(args.repeat)
        ]
        median, best = statistics.median(mine), min(mine)
        line = f"  {route.name:40s} mock median {median:6.1f} best {best:6.1f} us"
        if route in run.ROUTES:
            theirs = [
                asyncio.run(run._asgi_cost(ceiling, route, args.count, 0))
                for _ in range(args.repeat)
            ]
            line += f"   ceiling median {statistics.median(theirs):5.1f} us"
        print(line)


if __name__ == "__main__":
    main()
