"""``mock-portkey check``: recorded payloads against the contracts.

Reads plain JSON payloads, HAR files (browser and proxy recordings) and VCR.py /
pytest-recording cassettes (YAML or JSON), finds the contract each request and response
answers to (by route, provider and status; for a lone payload by its shape or ``--contract``),
and reports every violation with the file, the entry, a JSON pointer and what was expected.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mock_gateway.contract_tools.contracts import contract, contract_names, iter_errors
from mock_gateway.contract_tools.route_map import response_contracts

__all__ = ["Finding", "check_paths", "detect_contract"]


@dataclass(frozen=True)
class Finding:
    """One violation: where it is, which contract, the JSON pointer and what was expected."""

    file: str
    where: str
    contract: str
    pointer: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.where}: {self.contract} at {self.pointer or '/'}: {self.message}"
        )

    def to_json(self) -> dict[str, str]:
        """The finding as a JSON object (``--format json``)."""
        return asdict(self)


@dataclass(frozen=True)
class _Exchange:
    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes | None
    status: int | None
    response_headers: Mapping[str, str]
    response_body: bytes | None


# Shape hints for a lone payload: the keys that identify a contract, most specific first.
_SHAPES: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"created", "data", "provider"}), "portkey/images-response-stability.json"),
    (frozenset({"error", "provider"}), "portkey/provider-error.json"),
    (frozenset({"status", "message"}), "portkey/gateway-failure.json"),
    (frozenset({"message", "ok"}), "portkey/not-found.json"),
    (frozenset({"html-message"}), "portkey/html-message.json"),
    (frozenset({"artifacts"}), "stability/v1-text-to-image-response.json"),
    # The OpenAI-compatible providers' native shapes (contracts/<provider>/).
    (frozenset({"images", "inference_time"}), "hyperbolic/images-response.json"),
    (frozenset({"images", "timings"}), "siliconflow/images-response.json"),
    (frozenset({"model_name"}), "hyperbolic/images-request.json"),
    (frozenset({"detail"}), "hyperbolic/error.json"),
    (frozenset({"code", "message", "data"}), "siliconflow/error.json"),
    (frozenset({"created", "data", "credits"}), "recraft-ai/images-response.json"),
    (frozenset({"predictions"}), "vertex/predict-response.json"),
    (frozenset({"instances"}), "vertex/predict-request.json"),
    (frozenset({"text_prompts"}), "stability/v1-text-to-image-request.json"),
    (frozenset({"image", "finish_reason"}), "stability/v2beta-generate-response.json"),
    (frozenset({"id", "name", "errors"}), "stability/v2beta-error.json"),
    (frozenset({"id", "name", "message"}), "stability/v1-error.json"),
    (frozenset({"id", "status"}), "stability/v2beta-async-in-progress.json"),
    (frozenset({"created"}), "openai/images-response.json"),
    (frozenset({"error"}), "openai/error.json"),
    (frozenset({"prompt"}), "openai/images-request.json"),
    (frozenset({"id"}), "stability/v2beta-async-started.json"),
)


_OPENAI_LIKE = frozenset(
    {"recraft-ai", "deepbricks", "lemonfox-ai", "nscale", "hyperbolic", "siliconflow"}
)


def detect_contract(payload: Any) -> str | None:
    """The contract a lone payload looks like it answers to (``None`` if no shape fits)."""
    if isinstance(payload, list):
        return "stability/engines-list-response.json"
    if not isinstance(payload, dict):
        return None
    keys = set(payload)
    if (
        "error" in keys
        and isinstance(payload["error"], dict)
        and payload["error"].get("type") == "timeout_error"
    ):
        return "portkey/timeout-error.json"
    if _is_azure(payload):
        return "azure-openai/error.json" if "error" in keys else "azure-openai/images-response.json"
    return next((name for shape, name in _SHAPES if shape <= keys), None)


def _is_azure(payload: dict[str, Any]) -> bool:
    """Azure OpenAI's shapes: an error without OpenAI's ``type`` (or with ``inner_error``), or
    images carrying content filter results."""
    error = payload.get("error")
    if isinstance(error, dict) and "provider" not in payload:
        return "type" not in error or "inner_error" in error
    items = payload.get("data")
    return isinstance(items, list) and any(
        isinstance(item, dict) and "content_filter_results" in item for item in items
    )


def _request_contract(exchange: _Exchange, body: Any) -> tuple[str, str | None] | None:
    """The request contract (and $defs entry) for a recorded request, by route and model."""
    path, provider = exchange.path, exchange.headers.get("x-portkey-provider")
    if path.endswith("/images/generations"):
        if provider in (
            "stability-ai",
            "azure-openai",
            "azure-ai",
            "vertex-ai",
            "segmind",
            "fireworks-ai",
            "workers-ai",
        ):
            return "portkey/images-request.json", provider
        if provider in _OPENAI_LIKE:  # the unified body; the gateway drops unknown keys
            return "portkey/images-request.json", None
        model = body.get("model", "dall-e-2") if isinstance(body, dict) else None
        models = contract("openai/images-request.json")["$defs"]
        return "openai/images-request.json", model if model in models else None
    if path.endswith("/images/edits") and isinstance(body, dict):
        from mock_gateway.fakes.openai_edits_data import EDIT_CONTRACT, EDIT_MODELS

        model = body.get("model", "gpt-image-1.5")
        return EDIT_CONTRACT, model if model in EDIT_MODELS else None
    if re.search(r"/publishers/google/models/[^/]+:predict$", path):
        return "vertex/predict-request.json", None
    if re.search(r"/generation/[^/]+/text-to-image$", path):
        return "stability/v1-text-to-image-request.json", None
    return None


def _edit_form(exchange: _Exchange) -> dict[str, Any] | None:
    """A multipart edit request as its contract reads it (text parts typed, files described)."""
    from mock_gateway.fakes.openai_edits import read_edit_form

    content_type = exchange.headers.get("content-type", "")
    if not exchange.body or not content_type.lower().startswith("multipart/form-data"):
        return None
    try:
        return read_edit_form(exchange.body, content_type).fields
    except ValueError:  # MultipartError: not a form the contract can read
        return None


def _json_or_none(data: bytes | None) -> Any:
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def _check_exchange(file: str, where: str, exchange: _Exchange) -> Iterator[Finding]:
    if exchange.path.startswith("/v1/") and not exchange.path.startswith("/v1/proxy/"):
        # The headers the gateway's validator reads (recorded names are lower-cased).
        for problem in iter_errors("portkey/request-headers.json", dict(exchange.headers)):
            yield Finding(
                file,
                f"{where} request headers",
                "portkey/request-headers.json",
                problem.pointer,
                problem.message,
            )
    body = _json_or_none(exchange.body)
    if body is None and exchange.path.endswith("/images/edits"):
        body = _edit_form(exchange)
    request = _request_contract(exchange, body)
    if request is not None and body is not None:
        name, definition = request
        for problem in iter_errors(name, body, definition):
            yield Finding(file, f"{where} request", name, problem.pointer, problem.message)
    media = exchange.response_headers.get("content-type", "")
    answer = _json_or_none(exchange.response_body) if "json" in media else None
    if answer is None or exchange.status is None:
        return
    provider = exchange.response_headers.get("x-portkey-provider")
    candidates = response_contracts(exchange.path, exchange.status, provider, exchange.method)
    if not candidates:
        return
    results = {name: iter_errors(name, answer) for name in candidates}
    if any(not problems for problems in results.values()):
        return
    detected = detect_contract(answer)
    name = detected if detected in results else min(results, key=lambda n: len(results[n]))
    for problem in results[name]:
        yield Finding(
            file, f"{where} response {exchange.status}", name, problem.pointer, problem.message
        )


def _headers(pairs: Any) -> dict[str, str]:
    if isinstance(pairs, Mapping):  # VCR: {name: [values]}
        return {
            str(k).lower(): str(v[0] if isinstance(v, list) and v else v) for k, v in pairs.items()
        }
    return {str(item["name"]).lower(): str(item["value"]) for item in pairs or []}


def _har(data: Mapping[str, Any]) -> Iterator[tuple[str, _Exchange]]:
    for index, entry in enumerate(data["log"]["entries"]):
        request, response = entry["request"], entry["response"]
        content = response.get("content", {})
        text = content.get("text")
        raw = (
            base64.b64decode(text)
            if text and content.get("encoding") == "base64"
            else (text or "").encode()
        )
        post_data = request.get("postData", {})
        post = post_data.get("text")
        if post is not None and post_data.get("encoding") == "base64":  # a binary body recorded
            post = base64.b64decode(post).decode("utf-8", "replace")
        yield (
            f"entry {index} {request['method']} {urlsplit(request['url']).path}",
            _Exchange(
                request["method"],
                urlsplit(request["url"]).path,
                _headers(request.get("headers")),
                None if post is None else post.encode(),
                int(response["status"]),
                _headers(response.get("headers")) | {"content-type": content.get("mimeType", "")},
                raw,
            ),
        )


def _vcr_body(body: Any) -> bytes | None:
    if isinstance(body, Mapping):
        body = body.get("string")
    if body is None:
        return None
    return body if isinstance(body, bytes) else str(body).encode()


def _cassette(data: Mapping[str, Any]) -> Iterator[tuple[str, _Exchange]]:
    for index, interaction in enumerate(data["interactions"]):
        request, response = interaction["request"], interaction["response"]
        path = urlsplit(request["uri"]).path
        yield (
            f"interaction {index} {request['method']} {path}",
            _Exchange(
                request["method"],
                path,
                _headers(request.get("headers")),
                _vcr_body(request.get("body")),
                int(response["status"]["code"]),
                _headers(response.get("headers")),
                _vcr_body(response.get("body")),
            ),
        )


def _load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        import yaml  # only cassettes need it

        return yaml.safe_load(text)
    return json.loads(text)


def _check_file(path: Path, contract: str | None) -> Iterator[Finding]:
    name = str(path)
    try:
        data = _load(path)
    except (OSError, ValueError) as error:
        yield Finding(name, "file", "-", "", f"cannot read it: {error}")
        return
    if (
        isinstance(data, Mapping)
        and isinstance(data.get("log"), Mapping)
        and "entries" in data["log"]
    ):
        exchanges = _har(data)
    elif isinstance(data, Mapping) and "interactions" in data:
        exchanges = _cassette(data)
    else:
        chosen = contract or detect_contract(data)
        if chosen is None:
            yield Finding(
                name, "payload", "-", "", "no contract fits its shape; name one with --contract"
            )
            return
        for problem in iter_errors(chosen, data):
            yield Finding(name, "payload", chosen, problem.pointer, problem.message)
        return
    for where, exchange in exchanges:
        yield from _check_exchange(name, where, exchange)


def check_paths(paths: list[str], *, contract: str | None = None) -> list[Finding]:
    """Every violation in the given files (an empty list when they all satisfy their contracts)."""
    if contract is not None and contract not in contract_names():
        raise ValueError(f"no contract {contract!r}; `mock-portkey contracts` lists them")
    return [finding for path in paths for finding in _check_file(Path(path), contract)]
