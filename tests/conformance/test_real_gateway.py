"""The real open-source gateway and the mock, side by side over the corpus.

Two pinned installs of the gateway (conformance/gateway*/; `npm ci --ignore-scripts` in each,
.ci/run does it): with its own lockfile's @hono/node-server, against profile ``oss``, and as
npm ships it, against profile ``oss-npm``. The corpus is tests/conformance/cases.json.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance.conftest import Servers
from tests.conformance.gateway import FLAVOURS, GatewayMissing, locate_gateway
from tests.conformance.harness import Case, Observation, diff, load_corpus, observe, observe_mock

pytestmark = pytest.mark.conformance

CASES, INTENDED = load_corpus()
RUNS = [(profile, case) for profile in FLAVOURS for case in CASES]
LISTED = [
    (profile, case)
    for profile, case in RUNS
    if case.intended and profile in INTENDED[case.intended].profiles
]


def _id(run: tuple[str, Case]) -> str:
    return f"{run[0]}:{run[1].id}"


def _both(servers: Servers, profile: str, case: Case) -> tuple[Observation, Observation]:
    up = servers.upstream.url
    gateway = servers.gateways[profile]
    real = observe(case, servers.client, gateway.url, servers.upstream_state, up)
    mock_url = servers.mocks[profile].url
    mock = observe_mock(case, servers.client, mock_url, servers.mock_state(profile), up)
    return real, mock


def _ignored(profile: str, case: Case) -> tuple[str, ...]:
    if case.intended is None or profile not in INTENDED[case.intended].profiles:
        return ()
    return INTENDED[case.intended].ignore


@pytest.mark.parametrize("run", RUNS, ids=[_id(run) for run in RUNS])
def test_real_gateway_and_mock_agree(servers: Servers, run: tuple[str, Case]) -> None:
    profile, case = run
    differences = diff(*_both(servers, profile, case), _ignored(profile, case))
    assert not differences, f"{case.id}: real gateway vs mock ({profile})\n" + "\n".join(
        differences
    )


@pytest.mark.parametrize("run", LISTED, ids=[_id(run) for run in LISTED])
def test_listed_differences_are_still_real(servers: Servers, run: tuple[str, Case]) -> None:
    # An entry on the intended list that no longer differs must come off the list.
    profile, case = run
    assert case.intended is not None
    assert diff(*_both(servers, profile, case)), (
        f"{case.id} ({profile}): no difference any more; drop '{case.intended}' from the list"
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
    assert set(INTENDED) == {case.intended for case in CASES if case.intended}  # none unused
    for entry in INTENDED.values():
        assert entry.reason and entry.ignore and set(entry.profiles) <= set(FLAVOURS)


@pytest.mark.parametrize("profile", FLAVOURS)
def test_the_pinned_gateway_is_installed(servers: Servers, profile: str) -> None:
    # The suite installs it (tests/tools.py); without Node it fails, once, saying what to do.
    flavour = FLAVOURS[profile]
    gateway = servers.gateways[profile]
    assert gateway.directory == flavour.directory
    assert locate_gateway(flavour.directory, pinned=flavour.pinned)[1] == gateway.script


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
