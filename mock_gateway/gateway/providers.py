"""Which provider slugs the gateway knows, and which of them can generate images."""

from __future__ import annotations

from mock_gateway.contract_tools.contracts import contract

__all__ = ["IMAGE_PROVIDERS", "VALID_PROVIDERS"]

# `VALID_PROVIDERS` of the open-source gateway, in its order (src/globals.ts, v1.15.2), from
# the contract that states it. The order matters: the config validator's message lists them.
VALID_PROVIDERS: tuple[str, ...] = tuple(contract("portkey/providers.json")["enum"])

# Providers whose gateway config defines `imageGenerate` (src/providers/*/index.ts, v1.15.2).
# Any other valid provider answers "imageGenerate is not supported by <slug>".
IMAGE_PROVIDERS: frozenset[str] = frozenset(
    {
        "azure-ai", "azure-openai", "bedrock", "deepbricks", "fireworks-ai", "vertex-ai",
        "hyperbolic", "lemonfox-ai", "nscale", "openai", "recraft-ai", "segmind",
        "siliconflow", "stability-ai", "workers-ai",
    }
)  # fmt: skip

# The providers this mock models are the keys of mock_gateway.adapters.ADAPTERS (each with a
# fake in mock_gateway.fakes.FAKES). Any other gets a clear `x-mock-unsupported` answer.
