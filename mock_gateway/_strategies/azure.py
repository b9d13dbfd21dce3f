"""``image_requests(provider="azure-openai" | "azure-ai")``: unified requests to Azure deployments.

The "model" drawn is the deployment's model: ``dall-e-3`` (Azure's limits, from
contracts/azure-openai/images-request.json) or a GPT image model (OpenAI's, from
contracts/openai/images-request.json). The deployment is named after its model, as the
Azure fake reads it (fakes/azure_openai_data.py). azure-openai gets the resource, deployment
and api-version headers; azure-ai a foundry URL that names the deployment.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from hypothesis import strategies as st

from mock_gateway._strategies.common import (
    PORTKEY_KEY,
    Break,
    ImageRequest,
    ordered,
    prompts,
    provider_keys,
    setting,
)
from mock_gateway.contract_tools.contracts import contract
from mock_gateway.fakes.azure_openai_data import REQUEST_CONTRACT

__all__ = ["AZURE_MODELS", "azure_breaks", "azure_requests"]

AZURE_MODELS = ("dall-e-3", "gpt-image-1")
_PATH = "/v1/images/generations"
_UNIFIED = "portkey/images-request.json"
_API_VERSION = "2024-10-21"


def _headers(provider: str, model: str, key: str) -> dict[str, str]:
    headers = {
        "content-type": "application/json",
        "x-portkey-api-key": PORTKEY_KEY,
        "x-portkey-provider": provider,
        "authorization": f"Bearer {key}",
        "x-portkey-azure-api-version": _API_VERSION,
    }
    if provider == "azure-ai":
        foundry = f"https://res1.services.ai.azure.com/openai/deployments/{model}"
        return {**headers, "x-portkey-azure-foundry-url": foundry}
    return {**headers, "x-portkey-azure-resource-name": "res1",
            "x-portkey-azure-deployment-id": model}  # fmt: skip


def _facts(model: str) -> dict[str, Any]:
    if model == "dall-e-3":
        azure: dict[str, Any] = contract(REQUEST_CONTRACT)["properties"]
        return azure
    definition: dict[str, Any] = contract("openai/images-request.json")["$defs"][model]
    properties: dict[str, Any] = definition["properties"]
    return properties


def _request(provider: str, model: str, body: dict[str, Any], key: str) -> ImageRequest:
    facts = _facts(model)
    size = body.get("size", facts["size"]["default"])
    width, height = (1024, 1024) if size == "auto" else map(int, size.split("x"))
    return ImageRequest(_PATH, _headers(provider, model, key), body, provider, model, _UNIFIED,
                        provider, image_size=(width, height),
                        image_count=body.get("n", 1))  # fmt: skip


@cache
def azure_requests(provider: str, model: str) -> st.SearchStrategy[ImageRequest]:
    """Valid unified requests to an Azure deployment serving ``model``."""
    facts = _facts(model)
    optional: dict[str, st.SearchStrategy[Any]] = {
        "size": st.sampled_from(facts["size"]["enum"]),
        "quality": st.sampled_from([q for q in facts["quality"]["enum"] if q is not None]),
        "user": st.text("abcdefghij-0123", min_size=1, max_size=12),
    }
    if model == "dall-e-3":  # n is 1 only; GPT image models refuse response_format and style
        optional["response_format"] = st.sampled_from(facts["response_format"]["enum"])
        optional["style"] = st.sampled_from(facts["style"]["enum"])
        optional["n"] = st.just(1)
    else:
        optional["n"] = st.integers(1, facts.get("n", {}).get("maximum", 10))
    bodies = st.fixed_dictionaries({"prompt": prompts()}, optional=optional).map(ordered)
    return st.tuples(bodies, provider_keys()).map(lambda drawn: _request(provider, model, *drawn))


def azure_breaks(provider: str, model: str) -> list[Break]:
    """How Azure refuses an otherwise valid request to a ``model`` deployment."""
    missing = "https://res1.services.ai.azure.com/openai/deployments/missing-deployment"
    deployment = (
        {"x-portkey-azure-foundry-url": missing}
        if provider == "azure-ai"
        else {"x-portkey-azure-deployment-id": "missing-deployment"}
    )
    # The 404 last: a shrunk invalid example stays the first break of the first provider.
    not_found = Break("a deployment the resource does not have", 404, "DeploymentNotFound",
                      headers=deployment)  # fmt: skip
    breaks = []
    if provider == "azure-openai":  # azure-ai sends the key as Bearer: an Entra token to Azure
        breaks.append(Break("an api-key Azure refuses", 401, "401",
                            headers={"authorization": "Bearer sk-invalid-0123456789"}))  # fmt: skip
    if model != "dall-e-3":
        refuse = setting("response_format", st.just("url"))
        breaks.append(Break("response_format, which GPT image models refuse", 400,
                            "unknown_parameter", refuse))  # fmt: skip
        return [*breaks, not_found]
    return [
        Break("no prompt", 400, "invalidPayload", drop=("prompt",)),
        Break("prompt longer than DALL·E 3's 4000 characters", 400, "invalidPayload",
              setting("prompt", st.integers(4001, 4050).map(lambda n: "a" * n))),
        Break("n above DALL·E 3's 1 (the gateway clamps to 10 only)", 400, "invalidPayload",
              setting("n", st.integers(2, 10))),
        Break("size DALL·E 3 does not offer", 400, "invalidPayload",
              setting("size", st.sampled_from(["256x256", "512x512", "1536x1024"]))),
        Break("quality DALL·E 3 does not offer", 400, "invalidPayload",
              setting("quality", st.sampled_from(["low", "high", "auto"]))),
        *breaks,
        not_found,
    ]  # fmt: skip
