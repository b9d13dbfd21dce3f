"""The mock's own cost per request, in process, per benchmarked route; optionally profiled.

Run:  python bench/profile_app.py [--count N] [--repeat N] [--profile ROUTE_INDEX]

It drives the ASGI app directly (no socket, no HTTP parsing) with the requests bench/run.py
sends: a distinct prompt and seed for every request. Each figure is the best of ``--repeat``
runs of ``--count`` requests, beside the same loop against the ceiling app. ``--profile N``
runs route N under cProfile instead and prints the top functions by own and cumulative time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # bench/run.py: the routes and the in-process loop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", type=int, help="profile route N (0-3) instead")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()

    from mock_gateway import create_app

    mock, ceiling = create_app(profile=run.PROFILE), run._ceiling_app()
    if args.profile is not None:
        route = run.ROUTES[args.profile]
        asyncio.run(run._asgi_cost(mock, route, 200, 90_000_000))
        profiler = cProfile.Profile()
        profiler.enable()
        asyncio.run(run._asgi_cost(mock, route, args.count, 91_000_000))
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)
        return
    print(f"load average {os.getloadavg()[0]:.2f}; best of {args.repeat} x {args.count}")
    for i, route in enumerate(run.ROUTES):
        base = 60_000_000 + i * 1_000_000
        mine = min(
            asyncio.run(run._asgi_cost(mock, route, args.count, base + r * 100_000))
            for r in range(args.repeat)
        )
        theirs = min(
            asyncio.run(run._asgi_cost(ceiling, route, args.count, 0)) for _ in range(args.repeat)
        )
        print(f"  {route.name:40s} mock {mine:6.1f} us   ceiling {theirs:5.1f} us")


if __name__ == "__main__":
    main()
