"""Issue 15's mixed load, short: good and hostile clients at once against
``mock-portkey serve --strict-responses``; the full run is ``python bench/hostile_load.py``."""

from __future__ import annotations

import pytest

from bench import hostile_load

pytestmark = pytest.mark.socket


def test_good_clients_are_served_beside_hostile_ones() -> None:
    report, baseline, bound, log = hostile_load.measure(
        clients=8, seconds=3.0, kinds=hostile_load.HOSTILE, share=0.3
    )
    summary = "\n".join(report.lines(baseline, bound))
    assert report.internal_errors == [], summary
    assert report.good_resets == 0 and not report.good_not_ok, summary
    assert report.good >= 8 and sum(report.hostile.values()) >= 8, summary
    assert max(report.rss) <= bound, summary
    assert log.count("\n") < 200, log[-2000:]  # a flood's repeated lines are limited
