"""Tools outside Python that parts of the suite need, checked once when the suite is collected.

The pinned real gateway is installed here if it is missing (``npm ci``, once, under a file
lock). A tool that is still missing makes exactly one test fail, saying what to install: the
first test that needs it; the others that need it are deselected, so one missing step is one
failure, not hundreds of errors. ``./run-tests`` installs the system packages before pytest.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = [
    "CHROMIUM",
    "NEEDS",
    "Need",
    "chromium_problem",
    "collapse",
    "fail_if_missing",
    "gateway_problem",
]

CHROMIUM = Path(os.environ.get("MOCK_PORTKEY_CHROMIUM", "/usr/bin/chromium"))
_PROBLEMS = pytest.StashKey[dict[str, str]]()


def _say(line: str) -> None:
    # Collection output is not captured; under xdist each worker's stderr still reaches the
    # terminal, and the file lock lets only one of them print and install.
    print(f"mock-portkey tests: {line}", file=sys.stderr, flush=True)


def gateway_problem(say: Callable[[str], None] = _say) -> str | None:
    """Install the pinned gateways if needed; what is still missing, or None."""
    from tests.conformance.gateway import FLAVOURS, GatewayMissing, provision_gateway

    said: list[str] = []

    def once(line: str) -> None:  # one line for both installs
        if not said:
            said.append(line)
            say(
                "installing the pinned real gateways for the conformance suite: "
                "npm ci --ignore-scripts in conformance/gateway*/ (once)"
            )

    try:
        for flavour in FLAVOURS.values():
            provision_gateway(flavour.directory, flavour.pinned, say=once)
    except GatewayMissing as error:
        return str(error)
    return None


def chromium_problem(say: Callable[[str], None] = _say) -> str | None:
    """What is missing for the browser tests, or None."""
    if not CHROMIUM.exists():
        return (
            f"Chromium is not installed at {CHROMIUM}: run ./run-tests as root (it installs "
            "it), or `apt-get install -y chromium`, or set MOCK_PORTKEY_CHROMIUM to a Chromium"
        )
    return None


@dataclass(frozen=True)
class Need:
    """The tests that request ``fixture`` need what ``problem`` checks (and may install)."""

    fixture: str
    problem: Callable[[Callable[[str], None]], str | None]


NEEDS = (Need("servers", gateway_problem), Need("browser", chromium_problem))


def collapse(config: pytest.Config, items: list[pytest.Item]) -> None:
    """For each unmet need, keep the first test that needs it (to fail) and deselect the rest."""
    problems: dict[str, str] = {}
    for need in NEEDS:
        needing = [item for item in items if need.fixture in getattr(item, "fixturenames", ())]
        if not needing:
            continue
        problem = need.problem(_say)
        if problem is None:
            continue
        rest = needing[1:]
        if rest:
            problem += f"\n({len(rest)} more test(s) that need it were deselected)"
            config.hook.pytest_deselected(items=rest)
            dropped = {id(item) for item in rest}
            items[:] = [item for item in items if id(item) not in dropped]
        problems[need.fixture] = problem
    config.stash[_PROBLEMS] = problems


def fail_if_missing(request: pytest.FixtureRequest, fixture: str) -> None:
    """In the fixture ``fixture``: fail with the collection-time problem, if there was one."""
    problem = request.config.stash.get(_PROBLEMS, {}).get(fixture)
    if problem is not None:
        pytest.fail(problem, pytrace=False)
