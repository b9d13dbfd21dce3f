"""Downstream case: tests/test_plugin.py runs it in a fresh pytest, with a conftest.py that
overrides portkey_mock_options with only {"strict_responses": True}."""

from __future__ import annotations

import pytest
import requests

from mock_gateway import Fault, PortkeyMock

H = {"x-portkey-api-key": "pk-test", "x-portkey-provider": "stability-ai", "authorization": "sk"}
B = {"model": "stable-diffusion-xl-1024-v1-0", "prompt": "x", "size": "1024x1024"}


def post(portkey_mock: PortkeyMock) -> requests.Response:
    return requests.post(portkey_mock.base_url + "/images/generations", headers=H, json=B)


def test_a_partial_override_keeps_the_other_defaults(portkey_mock: PortkeyMock) -> None:
    settings = portkey_mock.state.settings
    assert settings.strict_responses is True  # the override
    assert settings.time_scale == 0.001 and settings.profile == "hosted"  # the defaults


def test_used_faults_pass(portkey_mock: PortkeyMock) -> None:
    portkey_mock.fail_next(503)
    assert post(portkey_mock).status_code == 503


def test_unused_faults_fail_the_teardown(portkey_mock: PortkeyMock) -> None:
    portkey_mock.fail_next(503, path="/v1/nowhere")
    assert post(portkey_mock).status_code == 200


def test_a_failing_test_is_not_told_about_its_faults_too(portkey_mock: PortkeyMock) -> None:
    portkey_mock.drop_next(path="/v1/nowhere")
    raise AssertionError("the test's own failure")


@pytest.mark.xfail(reason="an expected failure says enough too", strict=True)
def test_an_expected_failure_stays_quiet(portkey_mock: PortkeyMock) -> None:
    portkey_mock.drop_next(path="/v1/nowhere")
    raise AssertionError("expected")


@pytest.mark.portkey_mock(assert_faults_used=False)
def test_the_marker_turns_the_check_off(portkey_mock: PortkeyMock) -> None:
    portkey_mock.filter_next(path="/v1/nowhere")


def test_optional_faults_may_go_unused(portkey_mock: PortkeyMock) -> None:
    portkey_mock.queue(Fault.timeout(), path="/v1/nowhere", required=False)


def test_cleared_faults_are_not_reported(portkey_mock: PortkeyMock) -> None:
    portkey_mock.latency_next(1.0, path="/v1/nowhere")
    portkey_mock.clear_faults()
