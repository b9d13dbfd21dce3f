"""An OpenAPI 3.1 document of every route, built from the contracts.

Every contract is embedded under ``components/schemas`` with its ``$id``, so the contracts'
relative ``$ref``s resolve inside the one document (OpenAPI 3.1 schemas are JSON Schema
2020-12), with nothing fetched from the network.
"""

from __future__ import annotations

import posixpath
from functools import cache
from typing import Any

from mock_gateway._version import __version__
from mock_gateway.contract_tools.contracts import contract, contract_names

__all__ = ["component_name", "openapi_document"]


def component_name(contract_name: str) -> str:
    """``stability/v1-error.json`` -> ``stability_v1-error``."""
    return contract_name.removesuffix(".json").replace("/", "_")


def _embedded(name: str, node: Any) -> Any:
    """A contract with every ``$ref`` pointing inside the OpenAPI document, and no ``$id``.

    Tools do not agree on embedded ``$id`` bases, so refs are rewritten instead: ``#/$defs/x``
    becomes ``#/components/schemas/<this>/$defs/x`` and ``other.json#/...`` the other's.
    """
    if isinstance(node, list):
        return [_embedded(name, item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        key: _embedded(name, value) for key, value in node.items() if key not in ("$id", "$schema")
    }
    if isinstance(node.get("$ref"), str):
        target, _, fragment = node["$ref"].partition("#")
        other = (
            posixpath.normpath(posixpath.join(posixpath.dirname(name), target)) if target else name
        )
        out["$ref"] = f"#/components/schemas/{component_name(other)}{fragment}"
    return out


def _ref(contract_name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{component_name(contract_name)}"}


def _json(*names: str, description: str) -> dict[str, Any]:
    schema = _ref(names[0]) if len(names) == 1 else {"anyOf": [_ref(name) for name in names]}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _image(description: str, media: str = "image/png") -> dict[str, Any]:
    return {
        "description": description,
        "content": {media: {"schema": {"type": "string", "contentMediaType": media}}},
    }


_GATEWAY_ERRORS = {
    "400": _json(
        "portkey/gateway-failure.json",
        "portkey/provider-error.json",
        description="The gateway's validator, or a provider error (wrapped on the unified route)",
    ),
    "404": _json(
        "portkey/not-found.json",
        "portkey/provider-error.json",
        description="No such route, or the provider's 404",
    ),
    "408": _json(
        "portkey/timeout-error.json",
        "portkey/gateway-failure.json",
        description="request_timeout exceeded, or (the mock's own) a body that never finished",
    ),
    "413": _json(
        "portkey/gateway-failure.json", description="The mock's own limit on the request body"
    ),
    "500": _json(
        "portkey/gateway-failure.json",
        "portkey/provider-error.json",
        "portkey/html-message.json",
        description="A gateway exception, or an upstream failure",
    ),
}
_HEADERS = [
    {"name": name, "in": "header", "required": False, "schema": {"type": "string"}}
    for name in (
        "x-portkey-provider",
        "x-portkey-config",
        "x-portkey-custom-host",
        "x-portkey-trace-id",
        "x-portkey-request-timeout",
        "x-portkey-forward-headers",
        "authorization",
    )
]


# What the OpenAI-compatible providers' successes look like through the unified route.
_OPENAI_LIKE_UNIFIED = (
    "recraft-ai/images-response.json",
    "deepbricks/images-response.json",
    "lemonfox-ai/images-response.json",
    "nscale/unified-response.json",
    "hyperbolic/images-response.json",
    "siliconflow/images-response.json",
)
_OPENAI_LIKE = ("recraft-ai", "deepbricks", "lemonfox-ai", "nscale", "siliconflow")


def _openai_like_proxy() -> dict[str, Any]:
    return {
        "post": {
            "summary": "The OpenAI-compatible providers' own images endpoint (proxy route)",
            "description": "Forwarded to the provider's base URL + /images/generations "
            "(recraft-ai, deepbricks, lemonfox-ai, nscale, siliconflow), answered raw.",
            "parameters": _HEADERS,
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "anyOf": [_ref(f"{name}/images-request.json") for name in _OPENAI_LIKE]
                        }
                    }
                },
            },
            "responses": {
                "200": _json(
                    *(f"{name}/images-response.json" for name in _OPENAI_LIKE),
                    description="The provider's own answer",
                ),
                "400": _json(
                    *(f"{name}/error.json" for name in _OPENAI_LIKE),
                    description="The provider's own error",
                ),
            },
        }
    }


def _hyperbolic_proxy() -> dict[str, Any]:
    return {
        "post": {
            "summary": "Hyperbolic's own image endpoint (proxy route; its base has no /v1)",
            "parameters": _HEADERS,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("hyperbolic/images-request.json")}},
            },
            "responses": {
                "200": _json("hyperbolic/images-response.json", description="Images, base64"),
                "422": _json("hyperbolic/error.json", description="Validation error"),
            },
        }
    }


def _unified() -> dict[str, Any]:
    return {
        "post": {
            "summary": "Generate images (unified, OpenAI-shaped)",
            "description": "Stability always answers b64_json, whatever response_format says.",
            "parameters": _HEADERS,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("portkey/images-request.json")}},
            },
            "responses": {
                "200": _json(
                    "portkey/images-response-stability.json",
                    "openai/images-response.json",
                    "azure-openai/images-response.json",
                    *_OPENAI_LIKE_UNIFIED,
                    "vertex/unified-response.json",
                    "segmind/unified-response.json",
                    "fireworks/unified-response.json",
                    "workers-ai/unified-response.json",
                    description="Images, in the shape of the provider that answered",
                ),
                **_GATEWAY_ERRORS,
            },
        }
    }


def _edits() -> dict[str, Any]:
    binary = {"type": "string", "contentMediaType": "application/octet-stream"}
    text = {"type": "string"}
    fields = ("prompt", "model", "n", "size", "quality", "background", "output_format",
              "output_compression", "input_fidelity", "response_format", "user", "stream",
              "partial_images")  # fmt: skip
    form = {
        "type": "object",
        "required": ["prompt"],
        "properties": {
            "image": binary,
            "image[]": {"type": "array", "items": binary},
            "mask": binary,
            **{name: text for name in fields},
        },
    }
    stream = {
        "type": "string",
        "description": "Events; each data line: openai/images-stream-event.json",
    }
    return {
        "post": {
            "summary": "Edit images (unified; the form is passed to the provider whole)",
            "description": (
                "multipart/form-data as the OpenAI SDK sends it; the per-model rules, over the "
                "form read as an object, are the contract openai/images-edit-request.json. "
                "A JSON body is the gateway's 500. The provider's answer comes back unchanged."
            ),
            "parameters": _HEADERS,
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": form}}},
            "responses": {
                "200": {
                    "description": "OpenAI's images, or (stream=true) its server-sent events",
                    "content": {
                        "application/json": {"schema": _ref("openai/images-response.json")},
                        "text/event-stream": {"schema": stream},
                    },
                },
                "4XX": _json(
                    "openai/error.json",
                    "portkey/gateway-failure.json",
                    "portkey/timeout-error.json",
                    description="OpenAI's error (unwrapped), or the gateway's validator",
                ),
                "5XX": _json(
                    "openai/error.json",
                    "portkey/gateway-failure.json",
                    description="OpenAI's, or the gateway's (a JSON body, oss-npm's 2xx)",
                ),
            },
        }
    }


def _stability_v1() -> dict[str, Any]:
    ok = _json(
        "stability/v1-text-to-image-response.json",
        description="Stability's own JSON (Accept: application/json)",
    )
    ok["content"] |= _image("Raw PNG (Accept: image/png)")["content"]
    return {
        "post": {
            "summary": "Stability v1 text-to-image through the proxy route",
            "parameters": [
                {"name": "engine_id", "in": "path", "required": True, "schema": {"type": "string"}},
                *_HEADERS,
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": _ref("stability/v1-text-to-image-request.json")}
                },
            },
            "responses": {
                "200": ok,
                "4XX": _json(
                    "stability/v1-error.json",
                    "portkey/gateway-failure.json",
                    "portkey/timeout-error.json",
                    "portkey/not-found.json",
                    description="Stability's error, passed through, or the gateway's own",
                ),
                "5XX": _json(
                    "stability/v1-error.json",
                    "portkey/gateway-failure.json",
                    description="Stability's or the gateway's",
                ),
            },
        }
    }


def _stability_v2() -> dict[str, Any]:
    ok = _json(
        "stability/v2beta-generate-response.json", description="JSON (Accept: application/json)"
    )
    for media in ("image/png", "image/jpeg", "image/webp"):
        ok["content"] |= _image("Raw image (Accept: image/*)", media)["content"]
    return {
        "post": {
            "summary": "Stability v2beta stable-image generate through the proxy route",
            "parameters": [
                {
                    "name": "endpoint",
                    "in": "path",
                    "required": True,
                    "schema": {"enum": ["core", "ultra", "sd3"]},
                },
                *_HEADERS,
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": _ref("stability/v2beta-generate-request.json")
                    }
                },
            },
            "responses": {
                "200": ok,
                "4XX": _json(
                    "stability/v2beta-error.json",
                    "portkey/gateway-failure.json",
                    "portkey/timeout-error.json",
                    "portkey/not-found.json",
                    description="Stability's error, passed through, or the gateway's own",
                ),
                "5XX": _json(
                    "stability/v2beta-error.json",
                    "portkey/gateway-failure.json",
                    description="Stability's or the gateway's",
                ),
            },
        }
    }


def _mock_route(summary: str, method: str = "get") -> dict[str, Any]:
    # Ours, not Portkey's: tagged so, and described in full in /_mock/openapi.json.
    failure = {"application/json": {"schema": {"type": "object"}}}
    guarded = {"403": {"description": "A Host that is not ours", "content": failure}}
    if method != "get":
        guarded["415"] = {"description": "A write that is not JSON", "content": failure}
    return {
        method: {
            "summary": summary,
            "tags": ["mock controls"],
            "description": "The mock's own control (see /_mock/openapi.json), not Portkey's.",
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                **guarded,
            },
        }
    }


@cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document (built once)."""
    from mock_gateway.contract_tools.openapi_edits import stability_edit_paths

    engines = {
        "get": {
            "summary": "Stability engines list through the proxy route",
            "parameters": _HEADERS,
            "responses": {
                "200": _json("stability/engines-list-response.json", description="Engines"),
                "401": _json("stability/v1-error.json", description="No key"),
                "4XX": _json(
                    "stability/v1-error.json",
                    "portkey/gateway-failure.json",
                    "portkey/timeout-error.json",
                    "portkey/not-found.json",
                    description="Stability's error, or the gateway's validator",
                ),
                "5XX": _json(
                    "stability/v1-error.json",
                    "portkey/gateway-failure.json",
                    description="Stability's or the gateway's",
                ),
            },
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mock-portkey-gateway",
            "version": __version__,
            "description": "A mock of the Portkey AI gateway's image routes (Stability, OpenAI).",
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": {
            "/": {
                "get": {
                    "summary": "The gateway's greeting",
                    "responses": {
                        "200": {
                            "description": "AI Gateway says hey!",
                            "content": {"text/plain": {"schema": {"type": "string"}}},
                        }
                    },
                }
            },
            "/v1/images/generations": _unified(),
            "/v1/images/edits": _edits(),
            "/v1/generation/{engine_id}/text-to-image": _stability_v1(),
            "/v1/v2beta/stable-image/generate/{endpoint}": _stability_v2(),
            "/v1/engines/list": engines,
            "/v1/proxy/images/generations": _openai_like_proxy(),
            "/v1/v1/image/generation": _hyperbolic_proxy(),
            **stability_edit_paths(),
            "/_mock/health": _mock_route("Liveness, version and profile"),
            "/_mock/requests": _mock_route("The journal"),
            "/_mock/reset": _mock_route("Clear journal and faults", "post"),
            "/_mock/faults": _mock_route("Queued upstream faults"),
        },
        "components": {
            "schemas": {
                component_name(name): _embedded(name, contract(name)) for name in contract_names()
            }
        },
    }
