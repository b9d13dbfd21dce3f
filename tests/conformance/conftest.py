"""Session servers for the conformance suite: the real gateway, the fake upstream, the mock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from mock_gateway import LiveServer, create_app
from mock_gateway.state import MockState
from tests.conformance.gateway import GatewayMissing, RealGateway


@dataclass
class Pair:
    """The real gateway in front of the fake upstream, and the mock gateway (profile oss)."""

    gateway: RealGateway
    upstream: LiveServer
    mocks: dict[str, LiveServer]
    client: httpx.Client

    @property
    def upstream_state(self) -> MockState:
        state: MockState = self.upstream.app.state.mock
        return state

    def mock_state(self, profile: str = "oss") -> MockState:
        state: MockState = self.mocks[profile].app.state.mock
        return state


@pytest.fixture(scope="session")
def pair() -> Iterator[Pair]:
    try:
        gateway = RealGateway()
        gateway.start()
    except GatewayMissing as error:
        pytest.fail(str(error), pytrace=False)
    # The mock's retry waits are scaled away; the real gateway's are not (1 s, 2 s, ...).
    with (
        LiveServer(create_app(role="upstream")) as upstream,
        LiveServer(create_app(profile="oss", time_scale=0.001)) as oss,
        # Only for the intended differences that say the npm build's profile matches.
        LiveServer(create_app(profile="oss-npm", time_scale=0.001)) as oss_npm,
        httpx.Client(timeout=30) as client,
    ):
        try:
            yield Pair(gateway, upstream, {"oss": oss, "oss-npm": oss_npm}, client)
        finally:
            gateway.stop()
