"""Which provider slugs the gateway knows, and which of them can generate images."""

from __future__ import annotations

__all__ = ["IMAGE_PROVIDERS", "MODELLED_PROVIDERS", "VALID_PROVIDERS"]

# `VALID_PROVIDERS` of the open-source gateway, in its order (src/globals.ts, tag v1.15.2).
# The order matters: it is printed in the config validator's error message.
VALID_PROVIDERS: tuple[str, ...] = (
    "anthropic", "anyscale", "azure-openai", "cohere", "google", "vertex-ai", "mistral-ai",
    "openai", "palm", "perplexity-ai", "reka-ai", "together-ai", "deepinfra", "ncompass",
    "stability-ai", "nomic", "ollama", "ai21", "bedrock", "groq", "segmind", "jina",
    "fireworks-ai", "workers-ai", "moonshot", "openrouter", "lingyi", "zhipu", "novita-ai",
    "monsterapi", "deepseek", "predibase", "triton", "voyage", "azure-ai", "github",
    "deepbricks", "siliconflow", "huggingface", "cerebras", "inference-net", "sambanova",
    "lemonfox-ai", "upstage", "lambda", "dashscope", "x-ai", "cortex", "sagemaker", "nebius",
    "recraft-ai", "milvus", "replicate", "portkey", "lepton", "kluster-ai", "nscale",
    "hyperbolic", "bytez", "featherless-ai", "krutrim", "qdrant", "302ai", "cometapi",
    "matterai", "meshy", "tripo3d", "nextbit", "modal", "z-ai", "oracle", "iointelligence",
    "aibadgr", "ovhcloud",
)  # fmt: skip

# Providers whose gateway config defines `imageGenerate` (src/providers/*/index.ts, v1.15.2).
# Any other valid provider answers "imageGenerate is not supported by <slug>".
IMAGE_PROVIDERS: frozenset[str] = frozenset(
    {
        "azure-ai", "azure-openai", "bedrock", "deepbricks", "fireworks-ai", "vertex-ai",
        "hyperbolic", "lemonfox-ai", "nscale", "openai", "recraft-ai", "segmind",
        "siliconflow", "stability-ai", "workers-ai",
    }
)  # fmt: skip

# Providers this mock has a fake for. Requests routed to any other image provider get a
# clear `x-mock-unsupported` answer rather than a made-up imitation.
MODELLED_PROVIDERS: frozenset[str] = frozenset({"openai", "stability-ai"})
