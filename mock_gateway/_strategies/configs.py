"""``portkey_configs()``: inline ``x-portkey-config`` objects, leaves and strategies.

Each leaf names a provider, a key and, in ``override_params``, a model that answers a body of
just ``{"prompt": ...}``, so any generated config routes such a body to a 200.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from mock_gateway._strategies.common import check_bool, check_choice, ordered, provider_keys
from mock_gateway.adapters.stability import V1_MODELS
from mock_gateway.fakes.openai_data import MODELS, RETIRED
from mock_gateway.fakes.stability_data import SDXL_ENGINES, V2_ENDPOINTS

__all__ = ["MODES", "PortkeyConfig", "portkey_configs"]

MODES = ("single", "retry", "fallback", "loadbalance")
PROVIDERS = ("stability-ai", "openai")
_RETRY_STATUSES = [429, 500, 502, 503, 504]


class PortkeyConfig(dict[str, Any]):
    """A config object (a ``dict``); ``reason`` says why the gateway refuses it, if it does."""

    reason: str | None = None

    def header(self) -> str:
        """The ``x-portkey-config`` header value."""
        return json.dumps(self)


def _overrides(provider: str) -> st.SearchStrategy[dict[str, Any]]:
    if provider == "openai":  # the models OpenAI serves today (DALL·E retired 2026-05-12)
        served = sorted(set(MODELS) - RETIRED)
        return st.sampled_from(served).map(lambda model: {"model": model})
    models = st.sampled_from([*V1_MODELS, *sorted(V2_ENDPOINTS)])
    # SDXL needs one of its sizes: Stability's default 512x512 is not one.
    return models.map(
        lambda model: (
            {"model": model, "size": "1024x1024"} if model in SDXL_ENGINES else {"model": model}
        )
    )


def _leaves(providers: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        [
            st.fixed_dictionaries(
                {
                    "provider": st.just(p),
                    "api_key": provider_keys(),
                    "override_params": _overrides(p),
                }
            )
            for p in providers
        ]
    )


def _retry() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"attempts": st.integers(1, 5)},
        optional={
            "on_status_codes": st.lists(st.sampled_from(_RETRY_STATUSES), min_size=1, unique=True),
            "use_retry_after_header": st.booleans(),
        },
    )


def _node(
    providers: tuple[str, ...], modes: tuple[str, ...], depth: int
) -> st.SearchStrategy[dict[str, Any]]:
    leaf = _leaves(providers)
    choices: list[st.SearchStrategy[dict[str, Any]]] = []
    if "single" in modes:
        choices.append(leaf)
    if "retry" in modes:
        choices.append(st.builds(lambda node, retry: {**node, "retry": retry}, leaf, _retry()))
    if depth >= 2:  # a strategy node and its targets are two levels
        inner = _node(providers, MODES, depth - 1)
        choices += [_strategy(mode, inner) for mode in ("fallback", "loadbalance") if mode in modes]
    return st.one_of(choices)


def _strategy(mode: str, inner: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[Any]:
    if mode == "loadbalance":
        weighted = st.builds(
            lambda node, w: {**node, "weight": w},
            inner,
            st.integers(1, 5) | st.sampled_from([0.25, 0.5, 0.75]),
        )
        targets = st.lists(weighted, min_size=1, max_size=3)
    else:
        targets = st.lists(inner, min_size=1, max_size=3)
    strategy = st.fixed_dictionaries(
        {"mode": st.just(mode)},
        optional={
            "on_status_codes": st.lists(st.sampled_from(_RETRY_STATUSES), min_size=1, unique=True)
        }
        if mode == "fallback"
        else {},
    )
    return st.fixed_dictionaries({"strategy": strategy, "targets": targets})


_BREAKERS: list[tuple[str, Any]] = [
    ("provider is not one the gateway knows", lambda c: {**c, "provider": "stability"}),
    ("retry without attempts", lambda c: {**c, "retry": {"on_status_codes": [429]}}),
    (
        "a strategy mode the gateway does not have",
        lambda c: {"strategy": {"mode": "roundrobin"}, "targets": [c]},
    ),
    ("request_timeout is not a number", lambda c: {**c, "request_timeout": "10s"}),
]


def _wrap(config: dict[str, Any], reason: str | None = None) -> PortkeyConfig:
    wrapped = PortkeyConfig(ordered(config))
    wrapped.reason = reason
    return wrapped


def portkey_configs(
    *,
    provider: str | None = None,
    mode: str | None = None,
    max_depth: int = 3,
    valid: bool = True,
) -> st.SearchStrategy[PortkeyConfig]:
    """``x-portkey-config`` objects: a single target, one with ``retry``, or ``fallback`` and
    ``loadbalance`` strategies whose targets may nest: ``max_depth`` counts the levels (a
    single target is 1, a fallback over single targets 2).

    ``provider`` restricts every leaf to one provider; ``mode`` fixes the root's kind (one of
    ``single``, ``retry``, ``fallback``, ``loadbalance``). Every leaf overrides ``model`` so
    that ``{"prompt": "..."}`` is a valid body for it. ``valid=False``: configs the gateway
    refuses with 400 ``Invalid config passed``, each with its ``reason``. Examples shrink
    to a single target with the first model.
    """
    check_choice("portkey_configs", "provider", provider, PROVIDERS)
    check_choice("portkey_configs", "mode", mode, MODES)
    check_bool("portkey_configs", "valid", valid)
    strategic = mode in ("fallback", "loadbalance")
    if not isinstance(max_depth, int) or not (1 + strategic) <= max_depth <= 4:
        from hypothesis.errors import InvalidArgument

        raise InvalidArgument(
            f"portkey_configs() takes max_depth from {1 + strategic} to 4"
            f"{f' with mode={mode!r}' if strategic else ''}, got {max_depth!r}; "
            "try portkey_configs(max_depth=3)"
        )
    providers = (provider,) if provider else PROVIDERS
    root_modes = (mode,) if mode else MODES
    root: st.SearchStrategy[dict[str, Any]]
    if strategic:
        root = _strategy(root_modes[0], _node(providers, MODES, max_depth - 1))
    else:
        root = _node(providers, root_modes, max_depth)
    if valid:
        return root.map(_wrap)
    leaf = _leaves(providers)
    return st.sampled_from(_BREAKERS).flatmap(
        lambda broken: leaf.map(lambda config: _wrap(broken[1](config), broken[0]))
    )
