"""``Settings``: every option of the app and its default, written once, and used by
``create_app``, the upstream app, ``mock-portkey serve``, the pytest fixture and ``reset``."""

from __future__ import annotations

import dataclasses
import inspect
import typing

import pytest

from mock_gateway import Fault, PortkeyMock, Registry, Settings, create_app
from mock_gateway.cli import parse_args, settings_from_args
from mock_gateway.fakes.provider_app import create_upstream_app
from mock_gateway.pytest_plugin import _options, default_options
from mock_gateway.serving.server import LiveServer
from mock_gateway.settings import FIXTURE_SETTINGS, SettingsOptions
from mock_gateway.state import MockState


def test_the_keyword_options_are_the_settings_fields() -> None:
    # create_app(**options) is typed by SettingsOptions: the same names and types.
    assert set(SettingsOptions.__annotations__) == set(Settings.names())
    # Both are written in mock_gateway/settings.py: their annotations are the same text.
    typed = {name: hint.__forward_arg__ for name, hint in SettingsOptions.__annotations__.items()}
    assert typed == {name: Settings.__annotations__[name] for name in Settings.names()}


@pytest.mark.parametrize("factory", [create_app, create_upstream_app, PortkeyMock.serve])
def test_no_factory_retypes_a_default(factory: typing.Any) -> None:
    parameters = inspect.signature(factory).parameters
    assert list(parameters) == ["settings", "options"]
    assert parameters["settings"].default is None


def test_the_command_line_defaults_are_the_settings_defaults() -> None:
    args = parse_args(["serve"])
    assert settings_from_args(args) == Settings()
    changed = settings_from_args(parse_args(["serve", "--seed", "4", "--blocked-word", "no"]))
    assert changed == Settings(seed=4, blocked_words=("no",))


def test_the_fixture_defaults_are_the_settings_and_server_defaults() -> None:
    options = default_options()
    assert {name: options[name] for name in Settings.names()} == dataclasses.asdict(
        FIXTURE_SETTINGS
    )
    # The one difference from Settings(), visible rather than hidden in the fixture.
    assert options["time_scale"] == 0.001 and Settings().time_scale == 1.0
    server = inspect.signature(LiveServer).parameters
    for name in ("host", "port", "allow_remote", "max_connections", "header_timeout"):
        assert options[name] == server[name].default
    assert options["env"] is False and options["assert_faults_used"] is True


def test_a_partial_options_override_keeps_the_other_defaults() -> None:
    options = _options({"strict_responses": True})
    assert options["strict_responses"] is True
    assert options["profile"] == "hosted" and options["seed"] == 0
    assert options["time_scale"] == 0.001 and options["host"] == "127.0.0.1"


def test_an_unknown_options_key_is_named() -> None:
    with pytest.raises(pytest.UsageError, match=r"unknown key\(s\) \['profil'\]"):
        _options({"profil": "oss"})


def test_create_app_takes_settings_keywords_or_both() -> None:
    assert create_app(Settings(profile="oss")).state.mock.profile.name == "oss"
    assert create_app(settings=Settings(seed=3)).state.mock.seed == 3
    assert create_app(profile="oss", seed=2).state.mock.settings == Settings(profile="oss", seed=2)
    both = create_app(Settings(profile="oss", seed=3), seed=7).state.mock
    assert (both.profile.name, both.seed) == ("oss", 7)  # keywords replace the settings'
    upstream = create_app(Settings(role="upstream", seed=5))
    assert upstream.state.role == "upstream" and upstream.state.mock.seed == 5


def test_an_unknown_option_is_a_type_error_naming_it() -> None:
    with pytest.raises(TypeError, match="'profil'"):
        create_app(profil="oss")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="unknown role 'proxy'"):
        create_app(role="proxy")


def test_settings_are_frozen_and_hold_tuples() -> None:
    settings = Settings(blocked_words=["a", "b"], replay=["x.har"])  # type: ignore[arg-type]
    assert settings.blocked_words == ("a", "b") and settings.replay == ("x.har",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.seed = 1  # type: ignore[misc]
    assert settings.replace(seed=2).seed == 2 and settings.seed == 0


def test_reset_rebuilds_from_the_settings() -> None:
    registry = Registry.from_json({"api_keys": ["pk-configured-0123456789"]})
    state = MockState.from_settings(Settings(registry=registry, seed=4, url_ttl=60.0))
    state.registry.update(Registry.from_json({"api_keys": ["pk-added-0123456789"]}))
    first = state.trace_id(None)
    state.faults.add(Fault.drop())
    state.reset()
    assert state.registry.api_keys == {"pk-configured-0123456789"}
    assert state.faults.pending() == [] and state.trace_id(None) == first
    assert state.seed == 4 and state.url_ttl == 60.0 and state.settings.registry is registry
