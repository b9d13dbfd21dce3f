"""``mock-portkey check`` knows the answers of Stability's asynchronous images-in endpoints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mock_gateway.contract_tools.check import check_paths, detect_contract
from mock_gateway.contract_tools.route_map import check_body, response_contracts

JOB = "a6dc6c6e20acda010fe14d71f180658f2896ed9b4ec25aa99a6ff06c796987c4"  # the spec's example


@pytest.mark.parametrize(
    ("payload", "name"),
    [
        ({"id": JOB}, "stability/v2beta-async-started.json"),
        ({"id": JOB, "status": "in-progress"}, "stability/v2beta-async-in-progress.json"),
    ],
)
def test_lone_payloads_are_recognised_and_pass(
    tmp_path: Path, payload: dict[str, str], name: str
) -> None:
    assert detect_contract(payload) == name
    file = tmp_path / "answer.json"
    file.write_text(json.dumps(payload))
    assert check_paths([str(file)]) == []


def test_a_wrong_status_or_a_short_id_is_reported(tmp_path: Path) -> None:
    file = tmp_path / "answer.json"
    file.write_text(json.dumps({"id": JOB, "status": "done"}))
    (finding,) = check_paths([str(file)])
    assert (finding.contract, finding.pointer) == (
        "stability/v2beta-async-in-progress.json",
        "/status",
    )
    file.write_text(json.dumps({"id": "abc"}))
    (finding,) = check_paths([str(file)])
    assert finding.contract == "stability/v2beta-async-started.json"


def test_the_proxy_route_takes_them() -> None:
    contracts = response_contracts(f"/v1/v2beta/results/{JOB}", 202, "stability-ai", "GET")
    assert check_body({"id": JOB, "status": "in-progress"}, contracts) is None
    assert check_body({"id": JOB, "status": "running"}, contracts) is not None
