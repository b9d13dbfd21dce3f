"""Azure OpenAI image facts the fake answers from: DALL·E 3's limits, the filter results, errors.

Sources (docs/facts/providers/azure-openai.md §2): the REST spec
``Azure/azure-rest-api-specs`` ``.../AzureOpenAI/inference/stable/2024-10-21/inference.json``
(``imageGenerationsRequest``, ``imageResult``, ``dalleErrorResponse``) and its example
``image_generation.json``; Azure's ``invalidPayload`` body as quoted in
songquanpeng/one-api#763. Everything in ``ASSUMED`` below is not established by any source;
it is kept there, and only there.
"""

from __future__ import annotations

from typing import Any

from mock_gateway.contract_tools.contracts import contract

__all__ = [
    "ASSUMED",
    "DEFAULT_SIZE",
    "REQUEST_CONTRACT",
    "FILTER_CATEGORIES",
    "GPT_IMAGE_MARK",
    "MISSING_MARK",
    "POLICY_MESSAGE",
    "content_filter_results",
    "prompt_filter_results",
]

# DALL·E 3 as the spec 2024-10-21 states it (FROM DOCS: n is 1 only, prompt up to 4000, the
# sizes, qualities and styles) lives in the request contract; the fake validates against it.
REQUEST_CONTRACT = "azure-openai/images-request.json"
DEFAULT_SIZE: str = contract(REQUEST_CONTRACT)["properties"]["size"]["default"]
# The four categories of content_filter_results, in the example's order (FROM DOCS).
FILTER_CATEGORIES = ("sexual", "violence", "hate", "self_harm")
# The content filter's 400 (the measured gateway transcript az-content-filter; message FROM
# DOCS via Portkey's error library, the rest of the body per dalleErrorResponse).
POLICY_MESSAGE = "Your request was rejected as a result of our safety system."

# The mock's own conventions for deployment names (Azure lets you name a deployment anything,
# so the fake reads the model from the name): documented in README.
GPT_IMAGE_MARK = "gpt-image"  # a deployment named ...gpt-image... serves a GPT image model
MISSING_MARK = "missing"  # a deployment named ...missing... does not exist (404)

# ASSUMED, each of these: widely quoted Azure answers, not found in the spec.
ASSUMED: dict[str, Any] = {
    # 404 for an unknown path or a missing api-version (Azure's API Management front door).
    "resource_not_found": {"code": "404", "message": "Resource not found"},
    "deployment_not_found": {
        "code": "DeploymentNotFound",
        "message": (
            "The API deployment for this resource does not exist. If you created the deployment "
            "within the last 5 minutes, please wait a moment and try again."
        ),
    },
    "missing_key": {
        "code": "401",
        "message": (
            "Access denied due to missing subscription key. Make sure to include subscription "
            "key when making requests to an API."
        ),
    },
    "invalid_key": {
        "code": "401",
        "message": (
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
            "provide a valid key for an active subscription and use a correct regional API "
            "endpoint for your resource."
        ),
    },
    "invalid_token": {
        "code": "InvalidAuthenticationToken",
        "message": "The access token is invalid.",
    },
    # One observed text (invalid quality, one-api#763); the same wording for every property
    # and for a missing prompt is assumed.
    "invalid_payload": "Invalid payload: Value for property {name} is invalid.",
    "missing_prompt": "Invalid payload: Property prompt is required.",
    "rate_limit": (
        "Requests to the ImageGenerations_Create Operation under Azure OpenAI API version "
        "{version} have exceeded call rate limit of your current OpenAI S0 pricing tier. "
        "Please retry after {seconds} seconds."
    ),
    "server_error": "The server had an error while processing your request. Sorry about that!",
    # The category a blocked prompt is filtered for, and its severity.
    "blocked_category": ("sexual", "high"),
}


def content_filter_results(blocked: bool = False) -> dict[str, Any]:
    """``content_filter_results``: every category safe, or the blocked one filtered."""
    category, severity = ASSUMED["blocked_category"]
    return {
        name: {"severity": severity, "filtered": True}
        if blocked and name == category
        else {"severity": "safe", "filtered": False}
        for name in FILTER_CATEGORIES
    }


def prompt_filter_results() -> dict[str, Any]:
    """``prompt_filter_results`` of an accepted prompt (the spec example's keys)."""
    return {**content_filter_results(), "profanity": {"detected": False, "filtered": False}}
