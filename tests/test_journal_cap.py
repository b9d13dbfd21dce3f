"""The journal's cap, in calls and in bytes of bodies: oldest dropped, counted, and said."""

from __future__ import annotations

import logging

import pytest

from mock_gateway.cli import parse_args
from mock_gateway.journal import Journal
from tests.conftest import ClientFactory, MockClient
from tests.downstream_runs import runpytest

HEADERS = {"x-portkey-provider": "stability-ai", "authorization": "sk-cap-0123456789"}


def _generate(client: MockClient, i: int) -> None:
    body = {"model": "stable-diffusion-v1-6", "prompt": f"p{i}", "size": "320x320"}
    response = client.post("/v1/images/generations", headers=HEADERS, json=body)
    assert response.status_code == 200


def test_the_call_cap_keeps_the_newest_and_says_it_dropped(
    make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(journal_cap=5)
    with caplog.at_level(logging.WARNING, logger="mock_gateway"):
        for i in range(8):
            _generate(client, i)
    answer = client.get("/_mock/requests")
    assert answer.headers["x-mock-journal-dropped"] == "3"
    assert answer.json()["dropped"] == 3
    prompts = [call["request"]["body"]["json"]["prompt"] for call in answer.json()["calls"]]
    assert prompts == ["p3", "p4", "p5", "p6", "p7"]
    assert caplog.text.count("journal is full") == 1  # said once, not per dropped call
    client.post("/_mock/reset", headers={"content-type": "application/json"})
    assert client.get("/_mock/requests").headers["x-mock-journal-dropped"] == "0"


def test_the_byte_cap_bounds_what_the_bodies_hold(make_client: ClientFactory) -> None:
    # A 320x320 answer is ~1.3 kB of base64, journaled twice (the client's and upstream's),
    # plus the heads and the records themselves: ~8.6 kB a call.
    client = make_client(journal_bytes=40_000)
    for i in range(40):
        _generate(client, i)
    journal = client.mock.state.journal
    calls = journal.calls()
    assert 3 <= len(calls) < 40 and journal.dropped == 40 - len(calls)
    assert sum(call.size for call in calls) <= 40_000
    assert calls[-1].json["prompt"] == "p39"


def test_a_call_still_being_answered_survives_a_reset() -> None:
    journal = Journal(cap=2, max_bytes=10)
    call = journal.open(time=0.0, method="POST", path="/", query="", headers=[], body=b"x" * 50)
    journal.reset()
    journal.settle(call)  # answered after the reset: counted nowhere, dropped nothing
    assert journal.calls() == [] and journal.dropped == 0
    with pytest.raises(ValueError, match="at least 1"):
        Journal(cap=0)


def test_cli_flags_reach_the_app() -> None:
    args = parse_args(["serve", "--journal-cap", "7", "--journal-bytes", "1000"])
    assert (args.journal_cap, args.journal_bytes) == (7, 1000)
    assert parse_args(["serve", "--max-body-bytes", "99"]).max_body_bytes == 99


@pytest.mark.socket
def test_fixture_options_set_the_cap(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
import pytest

@pytest.fixture(scope="session")
def portkey_mock_options():
    return {"profile": "hosted", "seed": 0, "journal_cap": 2, "max_body_bytes": 100}
"""
    )
    pytester.makepyfile(
        """
import httpx

H = {"x-portkey-api-key": "pk-0123456789", "x-portkey-provider": "stability-ai",
     "authorization": "sk-0123456789"}

def test_cap(portkey_mock):
    with httpx.Client(base_url=portkey_mock.base_url) as client:
        for i in range(3):
            client.post("/images/generations", headers=H, json={"prompt": f"p{i}"})
        big = client.post("/images/generations", headers=H, content=b"x" * 101)
    assert big.status_code == 413
    assert len(portkey_mock.calls) == 2 and portkey_mock.state.journal.dropped == 2
"""
    )
    runpytest(pytester).assert_outcomes(passed=1)
