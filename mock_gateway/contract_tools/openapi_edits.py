"""The OpenAPI paths of Stability's images-in endpoints through the proxy route (issue 18):
v1 image-to-image, masking and upscale, v2beta edit, upscale and control, and the results
of the asynchronous ones. Part of ``openapi.openapi_document``."""

from __future__ import annotations

from typing import Any

from mock_gateway.contract_tools.contracts import contract

# openapi.py imports this module inside openapi_document(), so this import is not a cycle.
from mock_gateway.contract_tools.openapi import _HEADERS, _image, _json, _ref, component_name

__all__ = ["stability_edit_paths"]

_FAILURES = (
    "portkey/gateway-failure.json",
    "portkey/timeout-error.json",
    "portkey/not-found.json",
)


def _names(contract_name: str) -> list[str]:
    return sorted(contract(contract_name)["$defs"])


def _def(contract_name: str, definition: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{component_name(contract_name)}/$defs/{definition}"}


def _post(
    summary: str, body: dict[str, Any], ok: dict[str, Any], error: str, params: list[Any]
) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "parameters": [*params, *_HEADERS],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": body}}},
            "responses": {
                "200": ok,
                "4XX": _json(error, *_FAILURES, description="Stability's error, or the gateway's"),
                "5XX": _json(
                    error,
                    "portkey/gateway-failure.json",
                    description="Stability's or the gateway's",
                ),
            },
        }
    }


def _images(json_contract: str, description: str) -> dict[str, Any]:

    ok = _json(json_contract, description=description)
    for media in ("image/png", "image/jpeg", "image/webp"):
        ok["content"] |= _image("Raw image (Accept: image/*)", media)["content"]
    return ok


def _path_param(name: str, values: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"} if values is None else {"enum": values}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _v1() -> dict[str, Any]:
    name = "stability/v1-image-to-image-request.json"
    ok = _images("stability/v1-text-to-image-response.json", "artifacts (Accept: application/json)")
    paths = {}
    for suffix, definition in (
        ("", "image-to-image"),
        ("/masking", "masking"),
        ("/upscale", "upscale"),
    ):
        paths[f"/v1/generation/{{engine_id}}/image-to-image{suffix}"] = _post(
            f"Stability v1 {definition} through the proxy route (OSS drops /v1: call /v1/v1/...)",
            _def(name, definition),
            ok,
            "stability/v1-error.json",
            [_path_param("engine_id")],
        )
    return paths


def _v2() -> dict[str, Any]:
    paths = {}
    for family in ("edit", "upscale", "control"):
        name = f"stability/v2beta-{family}-request.json"
        ok = _images("stability/v2beta-generate-response.json", "JSON (Accept: application/json)")
        ok["content"]["application/json"]["schema"] = {
            "anyOf": [ok["content"]["application/json"]["schema"], _def_started()]
        }
        body = {"oneOf": [_def(name, definition) for definition in _names(name)]}
        paths[f"/v1/v2beta/stable-image/{family}/{{endpoint}}"] = _post(
            f"Stability v2beta {family} through the proxy route",
            body,
            ok,
            "stability/v2beta-error.json",
            [_path_param("endpoint", _names(name))],
        )
    return paths


def _def_started() -> dict[str, str]:
    return _ref("stability/v2beta-async-started.json")


def _results() -> dict[str, Any]:

    ok = _images("stability/v2beta-generate-response.json", "The result, once ready")
    return {
        "get": {
            "summary": "Stability's asynchronous result (creative upscale, relight)",
            "parameters": [_path_param("id"), *_HEADERS],
            "responses": {
                "200": ok,
                "202": _json(
                    "stability/v2beta-async-in-progress.json", description="Still running"
                ),
                "4XX": _json(
                    "stability/v2beta-error.json",
                    *_FAILURES,
                    description="404 generation_not_found, or the gateway's",
                ),
            },
        }
    }


def stability_edit_paths() -> dict[str, Any]:
    """The OpenAPI ``paths`` entries for Stability's images-in endpoints."""
    return {**_v1(), **_v2(), "/v1/v2beta/results/{id}": _results()}
