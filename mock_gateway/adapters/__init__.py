"""Provider adapters: client request -> upstream request, upstream answer -> client answer.

Each provider is one ``Adapter`` (``mock_gateway.adapters.base``): a module here, or any
object with the same members. ``ADAPTERS`` maps a provider slug to its adapter; the gateway
layer looks providers up there and nowhere else, so a provider plugs in by ``register``
(plus its fake, ``mock_gateway.fakes.registry.register_fake``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mock_gateway.adapters import (
    azure_ai,
    azure_openai,
    bedrock,
    deepbricks,
    fireworks,
    hyperbolic,
    lemonfox,
    nscale,
    openai,
    recraft,
    segmind,
    siliconflow,
    stability,
    vertex,
    workers_ai,
)
from mock_gateway.adapters.base import Adapter

__all__ = ["ADAPTERS", "Adapter", "register", "registered", "unregister"]

ADAPTERS: dict[str, Adapter] = {
    module.PROVIDER: module
    for module in (
        stability,
        openai,
        azure_openai,
        azure_ai,
        bedrock,
        vertex,
        segmind,
        fireworks,
        workers_ai,
    )
}
# The OpenAI-compatible providers: one parameterised adapter each (adapters/openai_like.py).
ADAPTERS.update(
    (module.ADAPTER.PROVIDER, module.ADAPTER)
    for module in (recraft, deepbricks, lemonfox, nscale, hyperbolic, siliconflow)
)


def register(adapter: Adapter) -> None:
    """Map ``adapter.PROVIDER`` to ``adapter`` (replacing any adapter of that slug)."""
    ADAPTERS[adapter.PROVIDER] = adapter


def unregister(provider: str) -> None:
    """Forget the adapter of ``provider``."""
    ADAPTERS.pop(provider, None)


@contextmanager
def registered(adapter: Adapter) -> Iterator[Adapter]:
    """``adapter`` registered for the ``with`` block; whatever was there before, after it."""
    before = ADAPTERS.get(adapter.PROVIDER)
    register(adapter)
    try:
        yield adapter
    finally:
        if before is None:
            unregister(adapter.PROVIDER)
        else:
            register(before)
