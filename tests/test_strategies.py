"""``mock_gateway.strategies``: every strategy's output follows its contract, bad arguments
fail at once with a suggestion, and examples shrink to something a person can read."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, NoSuchExample

from mock_gateway import Fault, PortkeyMock, create_app
from mock_gateway import strategies as pst
from mock_gateway.adapters.stability import map_v1
from mock_gateway.contract_tools.contracts import validate
from mock_gateway.contract_tools.route_map import check_body, response_contracts
from mock_gateway.fakes.images import image_dimensions
from mock_gateway.gateway.config_schema import config_errors
from mock_gateway.wire.multipart import decode_form
from tests.conftest import FIXED_NOW
from tests.constants import SDXL_BODY


def test_the_public_names_are_exactly_all_sorted() -> None:
    public = {name for name in vars(pst) if name[0] not in "_@" and name != "annotations"}
    assert public == set(pst.__all__) and pst.__all__ == sorted(pst.__all__)
    for name in pst.__all__:  # each is documented
        assert getattr(pst, name).__doc__, name


# -- requests -----------------------------------------------------------------------------------


@given(pst.image_requests())
def test_image_requests_follow_the_unified_contract_and_the_providers(
    request: pst.ImageRequest,
) -> None:
    validate(request.contract, request.body, request.definition)
    if request.provider == "openai":  # and OpenAI's own rules for that model
        validate("openai/images-request.json", request.body, request.model)
    elif request.model in ("stable-diffusion-xl-1024-v1-0", "stable-diffusion-v1-6"):
        validate("stability/v1-text-to-image-request.json", map_v1(request.body))
    assert json.loads(request.content) == request.body
    assert request.image_size is not None and request.image_count >= 1


@given(pst.image_requests(valid=False))
def test_invalid_image_requests_carry_their_reason(request: pst.ImageRequest) -> None:
    assert not request.valid and request.reason
    assert 400 <= request.status < 500 and request.image_size is None
    assert request.reason in repr(request)


@given(pst.stability_v1_requests())
def test_stability_v1_requests_follow_the_v1_contract(request: pst.ImageRequest) -> None:
    validate("stability/v1-text-to-image-request.json", request.body)
    assert request.path == f"/v1/generation/{request.model}/text-to-image"
    if request.headers["accept"] == "image/png":
        assert request.body.get("samples", 1) == 1


@given(pst.stability_v2beta_requests())
def test_stability_v2beta_requests_follow_the_v2beta_contract(request: pst.ImageRequest) -> None:
    validate("stability/v2beta-generate-request.json", request.body, request.model)
    fields = decode_form(request.content, request.headers["content-type"])
    assert [(f.name, f.text) for f in fields] == [(k, str(v)) for k, v in request.body.items()]


@given(
    st.one_of(pst.stability_v1_requests(valid=False), pst.stability_v2beta_requests(valid=False))
)
def test_invalid_proxy_requests_carry_their_reason(request: pst.ImageRequest) -> None:
    assert request.reason and request.status in (400, 401, 404) and request.error_name


# -- configs ------------------------------------------------------------------------------------


@given(pst.portkey_configs())
def test_configs_follow_the_config_contract_and_the_gateway_schema(
    config: pst.PortkeyConfig,
) -> None:
    validate("portkey/config.json", config)
    assert config_errors(config) == []
    assert config.reason is None and json.loads(config.header()) == config


@given(pst.portkey_configs(valid=False))
def test_invalid_configs_break_the_gateway_schema(config: pst.PortkeyConfig) -> None:
    assert config.reason and config_errors(config)


def _depth(node: Any) -> int:
    return 1 + max((_depth(t) for t in node.get("targets", [])), default=0)


@given(pst.portkey_configs(mode="fallback", max_depth=3))
def test_config_modes_and_depth_narrow_the_configs(config: pst.PortkeyConfig) -> None:
    assert config["strategy"]["mode"] == "fallback"
    assert _depth(config) <= 3


# -- responses ----------------------------------------------------------------------------------


def _images(response: pst.GatewayResponse) -> list[bytes]:
    if response.contract is None:
        return [response.body]
    body = response.json()
    if "artifacts" in body:
        return [base64.b64decode(a["base64"]) for a in body["artifacts"]]
    if "image" in body:
        return [base64.b64decode(body["image"])]
    return [base64.b64decode(item["b64_json"]) for item in body["data"] if "b64_json" in item]


@given(pst.gateway_responses(route="unified") | pst.gateway_responses(route="proxy"))
def test_responses_follow_their_contract_and_route(response: pst.GatewayResponse) -> None:
    provider = response.headers.get("x-portkey-provider")
    if response.contract is not None:
        validate(response.contract, response.json())
        # ... and the route may answer it: it is one of the contracts the route's answers meet.
        assert response.contract in response_contracts(response.path, response.status, provider)
    if response.kind == "success":
        images = _images(response)
        has_urls = response.contract is not None and "url" in json.dumps(response.json())
        assert len(images) == response.image_count or has_urls
        for image in images:  # real, decodable, of the stated size
            assert image_dimensions(image) == response.image_size
    else:
        # An unreadable upstream body keeps the upstream's status, 200 included.
        assert response.status >= 400 or {"error", "html-message"} & set(response.json())
    assert response.to_httpx().status_code == response.status


@given(pst.gateway_responses(kind="success", max_side=8))
def test_max_side_bounds_the_images(response: pst.GatewayResponse) -> None:
    assert response.image_size is not None and max(response.image_size) <= 8


# -- scenarios ----------------------------------------------------------------------------------

MOCK = PortkeyMock(create_app(clock=lambda: FIXED_NOW))
CLIENT = httpx.Client(transport=MOCK.transport(), base_url=MOCK.url)
SDXL = SDXL_BODY
HEADERS = {"x-portkey-api-key": "pk", "x-portkey-provider": "stability-ai",
           "authorization": "sk-test", "x-portkey-request-timeout": "20"}  # fmt: skip


@given(pst.scenarios())
def test_scenarios_replay_as_answers_that_follow_the_contracts(scenario: pst.Scenario) -> None:
    MOCK.reset()
    scenario.apply(MOCK, timeout_hold=0.03)
    for _ in range(len(scenario.steps) + 1):
        answer = CLIENT.post("/v1/images/generations", json=SDXL, headers=HEADERS)
        provider = answer.headers.get("x-portkey-provider")
        contracts = response_contracts("/v1/images/generations", answer.status_code, provider)
        assert check_body(answer.json(), contracts) is None, answer.text[:300]
    assert answer.status_code == 200  # fine again after the last step
    faults = [call.upstream[0].fault for call in MOCK.calls]
    assert faults[:-1] == scenario.faults(timeout_hold=0.03) and faults[-1] is None


@given(pst.scenarios(behaviours=["fail"], statuses=[429], min_steps=1, max_steps=2))
def test_behaviours_and_statuses_narrow_the_scenarios(scenario: pst.Scenario) -> None:
    assert {step.status for step in scenario.steps} == {429}
    assert {step.kind for step in scenario.steps} == {"fail"}


@given(pst.scenarios(behaviours=["fail", "filter"], min_steps=1, max_steps=3))
def test_scenario_steps_are_faults_named_as_the_fault_kinds(scenario: pst.Scenario) -> None:
    # One vocabulary: a step's name is its Fault's kind (and constructor).
    assert {step.kind for step in scenario.steps} <= {"fail", "filter"}
    assert all(isinstance(step, Fault) for step in scenario.steps)


@pytest.mark.parametrize(
    ("old", "kind", "statuses"),
    [
        ("rate-limit", "fail", {429}),
        ("server-error", "fail", {500, 502, 503, 504}),
        ("content-filter", "filter", {None}),
        ("malformed", "respond", {200}),
    ],
)
def test_the_old_behaviour_names_still_work_with_a_deprecation_warning(
    old: str, kind: str, statuses: set[int | None]
) -> None:
    with pytest.deprecated_call(match=f"'{old}'.*use '{kind}'"):
        strategy = pst.scenarios(behaviours=[old], min_steps=1, max_steps=1)
    found = find(strategy, lambda s: True, settings=FIND)
    assert found.steps[0].kind == kind and found.steps[0].status in statuses


def test_behaviour_is_deprecated_and_still_replays_its_fault() -> None:
    with pytest.deprecated_call(match="Behaviour is deprecated"):
        behaviour = pst.Behaviour("rate-limit", 429, 2)
    assert behaviour.fault() == Fault.fail(429, retry_after=2)


# -- bad arguments fail at once, suggesting the right call -----------------------------------

BAD_CALLS: list[tuple[Callable[..., Any], dict[str, Any], str]] = [
    (pst.image_requests, {"provider": "stability"}, "provider='stability-ai'"),
    (pst.image_requests, {"model": "dall-e-9"}, "model='dall-e-2'"),
    (pst.image_requests, {"provider": "openai", "model": "core"}, "provider='openai', model="),
    (pst.image_requests, {"valid": "no"}, "valid=False"),
    (pst.stability_v1_requests, {"engine": "sdxl"}, "engine='stable-diffusion-v1-6'"),
    (pst.stability_v1_requests, {"accept": "image/jpeg"}, "accept='image/png'"),
    (pst.stability_v2beta_requests, {"endpoint": "sd4"}, "endpoint='sd3'"),
    (pst.portkey_configs, {"mode": "roundrobin"}, "mode='loadbalance'"),
    (pst.portkey_configs, {"max_depth": 0}, "max_depth=3"),
    (pst.portkey_configs, {"mode": "fallback", "max_depth": 1}, "from 2 to 4 with mode='fall"),
    (pst.gateway_responses, {"route": "images"}, "route='unified'"),
    (pst.gateway_responses, {"kind": "failure"}, "kind='error'"),
    (pst.gateway_responses, {"max_side": 0}, "max_side=64"),
    (pst.scenarios, {"behaviours": ["429"]}, "behaviours=['success', 'fail']"),
    (pst.scenarios, {"behaviours": "timeout"}, "behaviours=['success', 'fail']"),
    (pst.scenarios, {"statuses": [418]}, "statuses=[418]; pass some of [429, 500"),
    (pst.scenarios, {"min_steps": 3, "max_steps": 1}, "max_steps=4"),
]


@pytest.mark.parametrize(("strategy", "kwargs", "suggestion"), BAD_CALLS)
def test_bad_arguments_fail_at_once_with_a_suggestion(
    strategy: Callable[..., Any], kwargs: dict[str, Any], suggestion: str
) -> None:
    with pytest.raises(InvalidArgument) as raised:
        strategy(**kwargs)  # at the call, not when the first example is drawn
    assert suggestion in str(raised.value)


def test_options_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        pst.image_requests("openai")  # type: ignore[call-arg]


# -- shrinking ----------------------------------------------------------------------------------

FIND = settings(database=None, max_examples=300, derandomize=True)


def test_requests_shrink_to_the_first_model_and_a_one_character_prompt() -> None:
    found = find(pst.image_requests(provider="openai"), lambda r: True, settings=FIND)
    # The first model OpenAI serves today (DALL·E 2 and 3 were shut down on 2026-05-12).
    assert list(found.body) == ["model", "prompt"] and found.model == "gpt-image-1", found
    assert len(found.body["prompt"]) == 1
    assert len(repr(found)) < 150, repr(found)


def test_retired_models_are_drawn_only_when_named() -> None:
    with pytest.raises(NoSuchExample):  # not by default: the default profile retires them
        # (OpenAI's only: Azure deployments still serve DALL·E 3.)
        openai_dall_e = lambda r: r.provider == "openai" and r.model.startswith("dall-e")  # noqa: E731
        find(pst.image_requests(), openai_dall_e, settings=FIND)
    named = find(pst.image_requests(model="dall-e-3"), lambda r: True, settings=FIND)
    assert named.model == "dall-e-3" and named.provider == "openai"


def test_an_invalid_request_shrinks_with_its_reason_in_view() -> None:
    found = find(pst.image_requests(valid=False), lambda r: r.status == 404, settings=FIND)
    # Which provider's 404 it shrinks to depends on the providers drawn (Stability's missing
    # model, an Azure deployment the resource lacks); its reason is in view either way.
    assert "[invalid: a " in repr(found) and len(repr(found)) < 200, repr(found)


def test_scenarios_shrink_to_the_one_step_that_matters() -> None:
    found = find(pst.scenarios(), lambda s: any(step.kind == "timeout" for step in s.steps),
                 settings=FIND)  # fmt: skip
    assert repr(found) == "Scenario(timeout -> fine)"
    rate_limited = find(pst.scenarios(), lambda s: any(s.retry_afters), settings=FIND)
    assert repr(rate_limited) == "Scenario(429 retry-after=1 -> fine)"


def test_responses_shrink_to_one_tiny_image() -> None:
    found = find(pst.gateway_responses(), lambda r: r.kind == "success", settings=FIND)
    assert found.image_size == (1, 1) and found.image_count == 1, repr(found)
    assert repr(found).startswith("GatewayResponse(200 stability-ai unified"), repr(found)


def test_configs_shrink_to_the_simplest_targets() -> None:
    configs = pst.portkey_configs(mode="fallback")
    found = find(configs, lambda c: len(c["targets"]) > 1, settings=FIND)
    assert found == {
        "strategy": {"mode": "fallback"},
        "targets": [found["targets"][0]] * 2,  # two of the simplest target
    }, found
    assert set(found["targets"][0]) == {"provider", "api_key", "override_params"}
