"""The real open-source gateway and the mock (profile oss), side by side over the corpus.

The corpus is tests/conformance/cases.json; the real gateway is the pinned npm install in
conformance/gateway/ (`npm ci --ignore-scripts` there; .ci/run does it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance.conftest import Pair
from tests.conformance.gateway import GatewayMissing, locate_gateway
from tests.conformance.harness import Case, Observation, diff, load_corpus, observe, observe_mock

pytestmark = pytest.mark.conformance

CASES, INTENDED = load_corpus()
LISTED = [case for case in CASES if case.intended]


def _both(pair: Pair, case: Case, profile: str = "oss") -> tuple[Observation, Observation]:
    up = pair.upstream.url
    real = observe(case, pair.client, pair.gateway.url, pair.upstream_state, up)
    mock_server = pair.mocks[profile]
    mock = observe_mock(case, pair.client, mock_server.url, pair.mock_state(profile), up)
    return real, mock


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_real_gateway_and_mock_agree(pair: Pair, case: Case) -> None:
    ignore = INTENDED[case.intended].ignore if case.intended else ()
    differences = diff(*_both(pair, case), ignore)
    assert not differences, f"case {case.id}: real gateway vs mock (oss)\n" + "\n".join(differences)


@pytest.mark.parametrize("case", LISTED, ids=[case.id for case in LISTED])
def test_listed_differences_are_still_real(pair: Pair, case: Case) -> None:
    # An entry on the intended list that no longer differs must come off the list.
    assert case.intended is not None
    intended = INTENDED[case.intended]
    real, mock = _both(pair, case)
    assert diff(real, mock), f"{case.id}: no difference any more; drop '{intended.name}'"
    if intended.matches_profile is not None:
        differences = diff(*_both(pair, case, intended.matches_profile))
        assert not differences, f"{case.id} under {intended.matches_profile}:\n" + "\n".join(
            differences
        )


def test_the_corpus_covers_both_routes_providers_errors_and_routing() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)) >= 60
    paths = {case.path for case in CASES}
    assert "/v1/images/generations" in paths
    assert any(path.startswith("/v1/generation/") for path in paths)  # the proxy route
    assert any(path.startswith("/v1/v2beta/") for path in paths)
    for prefix in ("unified-stability-", "unified-openai-", "proxy-", "validation-", "routing-",
                   "fault-"):  # fmt: skip
        assert sum(i.startswith(prefix) for i in ids) >= 3, prefix
    assert set(INTENDED) == {case.intended for case in LISTED}  # no unused entry
    assert all(entry.reason for entry in INTENDED.values())


def test_the_pinned_gateway_is_installed() -> None:
    # Fails (never skips) with what to install when node or the npm install is missing.
    try:
        locate_gateway()
    except GatewayMissing as error:
        pytest.fail(str(error), pytrace=False)


def test_a_missing_install_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(GatewayMissing, match=r"@portkey-ai/gateway is not installed.*npm ci"):
        locate_gateway(tmp_path, node="/usr/bin/node")


def test_missing_node_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no node on it
    with pytest.raises(GatewayMissing, match=r"Node.js is not installed.*apt-get install"):
        locate_gateway(tmp_path)


def test_a_wrong_pinned_version_is_refused(tmp_path: Path) -> None:
    for package, version in (("@portkey-ai/gateway", "1.15.2"), ("@hono/node-server", "1.19.19")):
        manifest = tmp_path / "node_modules" / package / "package.json"
        manifest.parent.mkdir(parents=True)
        manifest.write_text(f'{{"version": "{version}"}}')
    with pytest.raises(GatewayMissing, match=r"@hono/node-server is 1.19.19, not 1.13.5"):
        locate_gateway(tmp_path, node="/usr/bin/node")
