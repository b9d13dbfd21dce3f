"""Session servers for the conformance suite: the real gateways, the fake upstream, the mocks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import httpx
import pytest

from mock_gateway import LiveServer, create_app
from mock_gateway.state import MockState
from tests.conformance.gateway import FLAVOURS, GatewayMissing, RealGateway
from tests.tools import fail_if_missing


@dataclass
class Servers:
    """Each real gateway flavour in front of the one fake upstream, and a mock per profile."""

    gateways: dict[str, RealGateway]
    upstream: LiveServer
    mocks: dict[str, LiveServer]
    client: httpx.Client

    @property
    def upstream_state(self) -> MockState:
        state: MockState = self.upstream.app.state.mock
        return state

    def mock_state(self, profile: str) -> MockState:
        state: MockState = self.mocks[profile].app.state.mock
        return state


@pytest.fixture(scope="session")
def servers(request: pytest.FixtureRequest) -> Iterator[Servers]:
    fail_if_missing(request, "servers")  # installed at collection (tests/tools.py) if it can be
    with ExitStack() as stack:
        gateways: dict[str, RealGateway] = {}
        try:
            for name, flavour in FLAVOURS.items():
                gateway = RealGateway(flavour)
                stack.callback(gateway.stop)
                gateway.start()
                gateways[name] = gateway
        except GatewayMissing as error:
            pytest.fail(str(error), pytrace=False)
        # The providers as the oss profiles answer (DALL·E served), which the mocks compared
        # here use; the default profile retires DALL·E.
        upstream = stack.enter_context(LiveServer(create_app(role="upstream", profile="oss")))
        # The mocks' retry waits are scaled away; the real gateway's are not (1 s, 2 s, ...).
        mocks = {
            name: stack.enter_context(LiveServer(create_app(profile=name, time_scale=0.001)))
            for name in FLAVOURS
        }
        client = stack.enter_context(httpx.Client(timeout=30))
        yield Servers(gateways, upstream, mocks, client)
