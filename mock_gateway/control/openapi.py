"""An OpenAPI 3.1 document of the mock's own controls (``/_mock/*``), served at
``/_mock/openapi.json``.

Kept apart from ``/openapi.json`` (the gateway's routes, built from the contracts): nothing
here is Portkey's, and the shapes are the mock's own, stated once, here. Schemathesis fuzzes
the controls from this document (tests/test_fuzz.py).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from mock_gateway._version import __version__
from mock_gateway.faults import DEPRECATED_KINDS, FAULT_KINDS, MAX_RETRY_AFTER, MAX_WAIT

__all__ = ["control_openapi_document"]

_FAILURE = {
    "type": "object",
    "required": ["status", "message"],
    "properties": {
        "status": {"const": "failure"},
        "message": {"type": "string"},
        "fields": {"type": "array", "items": {"type": "string"}},
    },
}
# Hono's notFound body, for a path no route matches.
_HONO_NOT_FOUND = {"type": "object", "required": ["message", "ok"]}
_OK = {
    "type": "object",
    "required": ["status"],
    "properties": {"status": {"const": "ok"}},
    "additionalProperties": False,
}
_SECONDS = {"type": "number", "minimum": 0, "maximum": MAX_WAIT}
_NAME = {"type": ["string", "null"]}
_FAULT_FIELDS: dict[str, Any] = {
    "fault": {
        "enum": [*FAULT_KINDS, *DEPRECATED_KINDS],
        "description": "fail, latency, timeout, drop, respond or filter (Fault's constructors); "
        "the earlier names status, delay, malformed, content-filter are deprecated",
    },
    "status": {"type": ["integer", "null"], "minimum": 200, "maximum": 599},
    "retry_after": {"type": ["number", "null"], "minimum": 0, "maximum": MAX_RETRY_AFTER},
    "delay": _SECONDS,
    "hold": _SECONDS,
    # respond: a JSON object or array is sent as JSON.
    "body": {"type": ["string", "object", "array"]},
    "content_type": {"type": "string", "pattern": "^[ -~]*$"},
}
_FAULT_POST = {
    "type": "object",
    "required": ["fault"],
    "properties": {
        **_FAULT_FIELDS,
        "times": {"type": "integer", "minimum": 1},
        "path": _NAME,
        "provider": _NAME,
        "target": _NAME,
    },
    "additionalProperties": False,
}
_FAULTS = {
    "type": "object",
    "required": ["faults"],
    "properties": {
        "faults": {"type": "array", "items": {"type": "object"}},
        "deprecated": {"type": "array", "items": {"type": "string"}},
    },
}
_CREDENTIALS = {
    "type": "object",
    "required": ["provider"],
    "properties": {"provider": {"type": "string"}, "api_key": {"type": "string"}},
}
_REGISTRY = {
    "type": "object",
    "properties": {
        "api_keys": {"type": ["array", "null"], "items": {"type": "string"}},
        "virtual_keys": {"type": ["object", "null"], "additionalProperties": _CREDENTIALS},
        "providers": {"type": ["object", "null"], "additionalProperties": _CREDENTIALS},
        "configs": {"type": ["object", "null"], "additionalProperties": {"type": "object"}},
    },
    "additionalProperties": False,
}
_JOURNAL = {
    "type": "object",
    "required": ["calls", "dropped"],
    "properties": {
        "calls": {"type": "array", "items": {"type": "object"}},
        "dropped": {"type": "integer", "minimum": 0},
    },
}
_HEALTH = {
    "type": "object",
    "required": ["status", "version", "profile"],
    "properties": {
        "status": {"const": "ok"},
        "version": {"type": "string"},
        "profile": {"type": "string"},
    },
}
_ROWS = {
    "type": "object",
    "required": ["token", "rows", "options", "total", "dropped"],
    "properties": {
        "token": {"type": "string"},
        "rows": {"type": "string"},
        "options": {"type": "object"},
        "total": {"type": "integer"},
        "dropped": {"type": "integer"},
    },
}
_CLOCK = {
    "type": "object",
    "required": ["now", "offset"],
    "properties": {"now": {"type": "number"}, "offset": {"type": "number", "minimum": 0}},
}
_ADVANCE = {
    "type": "object",
    "required": ["advance"],
    "properties": {"advance": {"type": "number", "minimum": 0, "maximum": 100 * 365.25 * 86400}},
}
_CACHE = {
    "type": "object",
    "required": ["entries"],
    "properties": {"entries": {"type": "array", "items": {"type": "object"}}},
}
_FILTERS = [
    {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
    for name in ("route", "provider", "status", "limit")
]


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _text(media: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": {"type": "string"}}}}


# Every control answers these when its caller is not its user (mock_gateway.control.guard).
_GUARDED = {"403": _json(_FAILURE, "A Host that is not loopback, the bound address or allowed")}
_WRITE = {**_GUARDED, "415": _json(_FAILURE, "A write whose content type is not JSON")}


def _operation(
    summary: str,
    responses: dict[str, Any],
    *,
    body: dict[str, Any] | None = None,
    write: bool = False,
    parameters: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "tags": ["mock controls"],
        "responses": {**responses, **(_WRITE if write else _GUARDED)},
    }
    if body is not None or write:
        # A write must say application/json even with no body (control_guard): declared, so
        # that a client (and Schemathesis) sends the header.
        operation["requestBody"] = {
            "required": body is not None,
            "content": {"application/json": {"schema": body or {"type": "object"}}},
        }
    if parameters:
        operation["parameters"] = parameters
    return operation


def _paths() -> dict[str, Any]:
    journal = _operation("The journal", {"200": _json(_JOURNAL, "Every call, oldest first")})
    bad_json = {"400": _json(_FAILURE, "Not JSON, or a field named as wrong")}
    return {
        "/_mock/health": {
            "get": _operation("Liveness", {"200": _json(_HEALTH, "Version and profile")})
        },
        "/_mock/requests": {"get": journal},
        "/_mock/calls": {"get": {**journal, "summary": "The journal (another name)"}},
        "/_mock/reset": {
            "post": _operation(
                "Back to the state the server started in",
                {"200": _json(_OK, "Reset")},
                write=True,
            )
        },
        "/_mock/faults": {
            "get": _operation("Queued faults", {"200": _json(_FAULTS, "Queued")}),
            "post": _operation(
                "Queue a fault",
                {"200": _json(_FAULTS, "Queued"), **bad_json},
                body=_FAULT_POST,
                write=True,
            ),
            "delete": _operation("Forget every fault", {"200": _json(_FAULTS, "None")}, write=True),
        },
        "/_mock/registry": {
            "get": _operation("Hosted records (keys shortened)", {"200": _json(_REGISTRY, "")}),
            "post": _operation(
                "Merge hosted records",
                {"200": _json(_REGISTRY, "Merged (keys shortened)"), **bad_json},
                body=_REGISTRY,
                write=True,
            ),
        },
        "/_mock/clock": {
            "get": _operation("The mock's time", {"200": _json(_CLOCK, "Now, and the offset")}),
            "post": _operation(
                "Move the mock's time forward",
                {"200": _json(_CLOCK, "Moved"), **bad_json},
                body=_ADVANCE,
                write=True,
            ),
        },
        "/_mock/cache": {
            "get": _operation("Hosted Portkey's cache", {"200": _json(_CACHE, "Entries")}),
            "delete": _operation("Empty the cache", {"200": _json(_CACHE, "None")}, write=True),
        },
        "/_mock/": {
            "get": _operation(
                "The inspector page",
                {
                    "200": _text("text/html", "The journal as a page"),
                    "400": _json(_FAILURE, "A bad limit"),
                },
                parameters=_FILTERS,
            )
        },
        "/_mock/inspector/rows": {
            "get": _operation(
                "The inspector's rows",
                {
                    "200": _json(_ROWS, "Rows"),
                    "204": {"description": "Nothing changed since the token"},
                    "400": _json(_FAILURE, "A bad limit"),
                },
                parameters=[
                    *_FILTERS,
                    {
                        "name": "since",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string"},
                    },
                ],
            )
        },
        "/_mock/inspector/clear": {
            "post": _operation(
                "Clear the journal",
                {"200": _json(_OK, "Cleared"), "303": {"description": "Back to the page"}},
                write=True,
            )
        },
        "/_mock/inspector/calls/{index}/images/{number}": {
            "get": _operation(
                "An image of a journaled answer",
                {
                    "200": _text("image/png", "The image, as the client got it"),
                    "404": _json(
                        {"anyOf": [_FAILURE, _HONO_NOT_FOUND]},
                        "No such call or image (or, for an index that is no integer, no route)",
                    ),
                },
                parameters=[
                    {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}
                    for name in ("index", "number")
                ]
                + [{"name": "t", "in": "query", "required": False, "schema": {"type": "string"}}],
            )
        },
        "/_mock/openai-blobs/{blob}": {
            # Not guarded: the signature is the authorisation (mock_gateway.control.guard).
            "get": {
                "summary": "A signed DALL·E image URL, answered as Azure Blob Storage does",
                "tags": ["mock controls"],
                "parameters": [
                    {"name": "blob", "in": "path", "required": True, "schema": {"type": "string"}},
                    *(
                        {
                            "name": name,
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string"},
                        }
                        for name in ("st", "se", "sig")
                    ),
                ],
                "responses": {
                    "200": _text("image/png", "The image"),
                    "403": _text("application/xml", "AuthenticationFailed"),
                    "404": {
                        "description": "BlobNotFound (or, for a path no route takes, Hono's)",
                        "content": {
                            "application/xml": {"schema": {"type": "string"}},
                            "application/json": {"schema": _HONO_NOT_FOUND},
                        },
                    },
                },
            }
        },
        "/_mock/openapi.json": {
            "get": _operation("This document", {"200": _json({"type": "object"}, "OpenAPI 3.1")})
        },
    }


@cache
def control_openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``/_mock/*`` (built once)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mock-portkey-gateway controls",
            "version": __version__,
            "description": "The mock's own routes (journal, faults, registry, inspector); "
            "not Portkey's. The gateway's routes are in /openapi.json.",
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": _paths(),
    }
