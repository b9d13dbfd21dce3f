"""Benchmark: how many examples per second the public strategies generate.

Run:  python bench/strategies_speed.py [--examples 500]

Each strategy runs under a ``@given`` test that does nothing but touch the example, with
generation only (no shrinking, no database), so the figure is the strategy's own cost:
drawing, rendering the images and encoding them. All rows are measured in one run, side by
side; ``image_requests`` (no images) is the baseline.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from mock_gateway import strategies as pst


def _rate(strategy: st.SearchStrategy[Any], examples: int) -> float:
    seen = 0

    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(strategy)
    def run(value: Any) -> None:
        nonlocal seen
        seen += 1

    start = time.perf_counter()
    run()
    return seen / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500)
    args = parser.parse_args()
    rows = [
        ("image_requests()  [baseline, no images]", pst.image_requests()),
        ("gateway_responses(kind='success')  [max_side=64]",
         pst.gateway_responses(kind="success")),
        ("gateway_responses(kind='success', route='proxy')",
         pst.gateway_responses(kind="success", route="proxy")),
        ("gateway_responses()  [successes and errors]", pst.gateway_responses()),
        ("gateway_responses(kind='success', max_side=512)",
         pst.gateway_responses(kind="success", max_side=512)),
        ("scenarios()", pst.scenarios()),
    ]  # fmt: skip
    print(f"{args.examples} examples each, generation phase only")
    for name, strategy in rows:
        print(f"  {name:<52} {_rate(strategy, args.examples):8.0f} examples/s")


if __name__ == "__main__":
    main()
