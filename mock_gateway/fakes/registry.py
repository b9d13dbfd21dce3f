"""Which fake answers each provider's upstream calls: ``FAKES`` maps a slug to a factory.

``MockState`` builds one fake per entry, with its seed, clock and word lists, on start and on
every reset. A provider plugs in with ``register_fake`` (and its adapter,
``mock_gateway.adapters.register``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

from mock_gateway.upstream import UpstreamRequest, UpstreamResponse

if TYPE_CHECKING:
    from mock_gateway.state import MockState

__all__ = ["FAKES", "FakeFactory", "FakeProvider", "register_fake", "registered_fake"]


class FakeProvider(Protocol):
    """What the gateway needs of a fake provider."""

    def handle(self, request: UpstreamRequest, *, filtered: bool = False) -> UpstreamResponse: ...

    def error_response(
        self, request: UpstreamRequest, status: int, *, retry_after: float | None = None
    ) -> UpstreamResponse: ...


FakeFactory = Callable[["MockState"], FakeProvider]


def _stability(state: MockState) -> FakeProvider:
    from mock_gateway.fakes.stability import FakeStability

    return FakeStability(
        seed=state.seed,
        blocked_words=state.blocked_words,
        filtered_words=state.filtered_words,
        clock=state.now,  # creative upscale's results follow the mock's clock
    )


def _openai(state: MockState) -> FakeProvider:
    from mock_gateway.fakes.openai import FakeOpenAI

    return FakeOpenAI(
        blobs=state.blobs,
        clock=state.now,
        seed=state.seed,
        retired=state.profile.openai_dall_e_retired,
        blocked_words=state.blocked_words + state.filtered_words,
    )


def _vertex(state: MockState) -> FakeProvider:
    from mock_gateway.fakes.vertex import FakeVertex

    return FakeVertex(
        seed=state.seed, blocked_words=state.blocked_words, filtered_words=state.filtered_words
    )


def _segmind(state: MockState) -> FakeProvider:
    from mock_gateway.fakes.segmind import FakeSegmind

    return FakeSegmind(
        seed=state.seed, blocked_words=state.blocked_words, filtered_words=state.filtered_words
    )


def _fireworks(state: MockState) -> FakeProvider:
    from mock_gateway.fakes.fireworks import FakeFireworks

    return FakeFireworks(
        seed=state.seed, blocked_words=state.blocked_words, filtered_words=state.filtered_words
    )


def _workers_ai(state: MockState) -> FakeProvider:
    from mock_gateway.fakes.workers_ai import FakeWorkersAI

    return FakeWorkersAI(
        seed=state.seed, blocked_words=state.blocked_words, filtered_words=state.filtered_words
    )


def _azure_openai(state: MockState) -> FakeProvider:
    from mock_gateway.fakes.azure_openai import FakeAzureOpenAI

    return FakeAzureOpenAI(
        blobs=state.blobs,
        clock=state.now,
        seed=state.seed,
        blocked_words=state.blocked_words + state.filtered_words,
    )


def _azure_ai(state: MockState) -> FakeProvider:
    from mock_gateway.fakes.azure_openai import FakeAzureAI, FakeAzureOpenAI

    deployments = FakeAzureOpenAI(
        blobs=state.blobs,
        clock=state.now,
        seed=state.seed,
        blocked_words=state.blocked_words + state.filtered_words,
    )
    return FakeAzureAI(deployments)


def _openai_like(provider: str) -> FakeFactory:
    """The OpenAI-compatible providers' fakes (fakes/openai_like.py, hyperbolic.py,
    siliconflow.py), each from its spec in fakes/openai_like_data.py."""

    def build(state: MockState) -> FakeProvider:
        from mock_gateway.fakes.hyperbolic import FakeHyperbolic
        from mock_gateway.fakes.openai_like import FakeOpenAILike
        from mock_gateway.fakes.openai_like_data import HYPERBOLIC, SILICONFLOW, SPECS
        from mock_gateway.fakes.siliconflow import FakeSiliconFlow

        specs = {**SPECS, "hyperbolic": HYPERBOLIC, "siliconflow": SILICONFLOW}
        kinds = {"hyperbolic": FakeHyperbolic, "siliconflow": FakeSiliconFlow}
        kind = kinds.get(provider, FakeOpenAILike)
        words = state.blocked_words + state.filtered_words
        return kind(specs[provider], blobs=state.blobs, clock=state.now, seed=state.seed,
                    blocked_words=words)  # fmt: skip

    return build


def _bedrock(state: MockState) -> FakeProvider:
    from mock_gateway.fakes.bedrock import FakeBedrock

    return FakeBedrock(
        seed=state.seed, blocked_words=state.blocked_words, filtered_words=state.filtered_words
    )


FAKES: dict[str, FakeFactory] = {
    "stability-ai": _stability,
    "openai": _openai,
    "vertex-ai": _vertex,
    "segmind": _segmind,
    "fireworks-ai": _fireworks,
    "workers-ai": _workers_ai,
    "azure-openai": _azure_openai,
    "azure-ai": _azure_ai,
    "bedrock": _bedrock,
}
FAKES.update(
    (provider, _openai_like(provider))
    for provider in ("recraft-ai", "deepbricks", "lemonfox-ai", "nscale", "hyperbolic",
                     "siliconflow")
)  # fmt: skip


def register_fake(provider: str, factory: FakeFactory) -> None:
    """Answer ``provider``'s upstream calls with ``factory(state)`` in apps built (or reset)
    from now on."""
    FAKES[provider] = factory


@contextmanager
def registered_fake(provider: str, factory: FakeFactory) -> Iterator[None]:
    """``factory`` registered for ``provider`` for the ``with`` block only."""
    before = FAKES.get(provider)
    register_fake(provider, factory)
    try:
        yield
    finally:
        if before is None:
            del FAKES[provider]
        else:
            FAKES[provider] = before
