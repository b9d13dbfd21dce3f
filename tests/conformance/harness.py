"""One corpus case, sent to the real gateway and to the mock; what each did, normalised; the diff.

Normalised away (it must differ): what mock_gateway.recording.normalise says (`created` timestamps,
image
bytes compared as their decoded format and size, the host:port of URLs, signed-URL query
strings), multipart boundaries and the transport headers `host` and `connection` of upstream
requests. Everything else counts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from mock_gateway.faults import Fault
from mock_gateway.journal import Call
from mock_gateway.recording.normalise import normal_body as _body
from mock_gateway.state import MockState
from mock_gateway.wire.multipart import MultipartError, decode_form

__all__ = [
    "CASES_FILE",
    "Case",
    "Intended",
    "Observation",
    "diff",
    "load_corpus",
    "observe",
    "observe_mock",
]

CASES_FILE = Path(__file__).with_name("cases.json")
_BOUNDARY = re.compile(r"boundary=[-\w]+")
# SigV4 (Bedrock): the signing time, and the signature made with it, differ run to run; the
# signer itself is checked against measured signatures (tests/adapters/test_bedrock.py).
_AMZ_TIME = re.compile(r"\b\d{8}T\d{6}Z\b|(?<=Credential=)([^/]*/)\d{8}(?=/)")
_SIGNATURE = re.compile(r"Sign(?:ature=|\.\.\.)\S+")  # whole, or as the journal shortens it
_TRANSPORT = frozenset({"host", "connection"})


@dataclass(frozen=True)
class Intended:
    """A known, deliberate difference: why, and which diff keys (prefixes) it covers."""

    name: str
    reason: str
    ignore: tuple[str, ...]
    # The gateway flavours (mock profiles) it applies to; elsewhere the case must match.
    profiles: tuple[str, ...] = ("oss", "oss-npm")


@dataclass(frozen=True)
class Case:
    """One request of the corpus (see cases.json for the fields)."""

    id: str
    path: str
    method: str = "POST"
    headers: Mapping[str, str | None] = field(default_factory=dict)
    config: Any = None
    json_body: Any = None
    body: str | None = None
    # Form parts: [name, text], or [name, {file spec}] for a file part (``_file``).
    form: tuple[tuple[str, Any], ...] | None = None
    faults: tuple[Mapping[str, Any], ...] = ()
    intended: str | None = None
    source: str = ""  # the corpus file it is written in: cases.json, or cases/<name>.json's name

    def request(self, upstream: str) -> dict[str, Any]:
        """httpx.request keyword arguments, with ``{up}`` replaced by the fake upstream."""
        headers = {k: _fill(v, upstream) for k, v in self.headers.items() if v is not None}
        untyped = "content-type" in self.headers and self.headers["content-type"] is None
        if self.config is not None:
            headers["x-portkey-config"] = json.dumps(_fill(self.config, upstream))
        kwargs: dict[str, Any] = {"method": self.method, "url": self.path, "headers": headers}
        if self.json_body is not None:
            kwargs["content"] = json.dumps(self.json_body).encode()
            if not untyped:
                headers.setdefault("content-type", "application/json")
        elif self.body is not None:
            kwargs["content"] = self.body.encode()
        elif self.form is not None:  # text and file parts, sent as multipart/form-data
            kwargs["files"] = [(name, _part(value)) for name, value in self.form]
        return kwargs


def _part(value: str | Mapping[str, Any]) -> tuple[str | None, Any, str | None]:
    """A text part, or a file part from its spec: ``filename``, ``type`` (the part's own
    Content-Type) and its bytes: ``text``, or an ``image`` drawn by Pillow
    (``width``, ``height``, ``format``, ``mode``, ``colour``), or a ``mask`` (``[w, h]``:
    an opaque PNG whose left half is transparent)."""
    if isinstance(value, str):
        return (None, value, None)
    if isinstance(value.get("image"), str):
        return _stability_part(value)
    from tests.edit_inputs import holed_mask, image_bytes

    if "text" in value:
        data = str(value["text"]).encode()
    elif "mask" in value:
        data = holed_mask(*value["mask"])
    else:
        spec = dict(value["image"])
        if "colour" in spec:
            spec["colour"] = tuple(spec["colour"])
        data = image_bytes(**{("fmt" if k == "format" else k): v for k, v in spec.items()})
    return (value.get("filename"), data, value.get("type"))


def _form_summary(data: bytes, content_type: str) -> Any:
    """A multipart body as its parts: name, then filename, type and size for a file."""
    try:
        fields = decode_form(data, content_type)
    except MultipartError:
        return {"unreadable-form": len(data)}
    return [
        [f.name, f.filename, f.content_type, f"<file {len(f.value)}>"]
        if f.filename is not None
        else [f.name, f.text]
        for f in fields
    ]


def _stability_part(value: Mapping[str, Any]) -> tuple[str | None, Any, str | None]:
    """The Stability cases' file spec: ``{"image": "png", "size": [w, h]}`` is a real image
    made with Pillow (png, jpeg, webp, gif; ``"mode": "RGBA"`` for alpha, ``"L"`` a white
    mask); ``filename`` and ``type`` optional."""
    import io

    from PIL import Image

    out = io.BytesIO()
    mode = value.get("mode", "RGB")
    colours: dict[str, Any] = {"RGBA": (200, 30, 30, 255), "L": 255}  # L: a white mask
    colour = colours.get(mode, (200, 30, 30))
    Image.new(mode, tuple(value["size"]), colour).save(out, value["image"].upper())
    filename = value.get("filename", f"image.{value['image']}")
    return (filename, out.getvalue(), value.get("type", "application/octet-stream"))


def _fill(value: Any, upstream: str) -> Any:
    if isinstance(value, str):
        return value.replace("{up}", upstream)
    if isinstance(value, list):
        return [_fill(item, upstream) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, upstream) for key, item in value.items()}
    return value


_WITH: dict[str, dict[str, str | None]] = {
    # A provider, its key and the fake upstream as custom host, as the reference ran them.
    "stability": {
        "x-portkey-provider": "stability-ai",
        "authorization": "Bearer sk-stab-0123456789abcdef",
        "x-portkey-custom-host": "{up}",
    },
    "openai": {
        "x-portkey-provider": "openai",
        "authorization": "Bearer sk-oai-0123456789abcdef",
        "x-portkey-custom-host": "{up}/v1",
    },
}


def load_corpus(path: Path = CASES_FILE) -> tuple[list[Case], dict[str, Intended]]:
    """The cases and the intended differences from cases.json, then from each file of the
    ``cases/`` folder beside it (one per provider or feature, same fields; a file may add
    ``"with"`` presets of its own)."""
    files = [path, *sorted(path.with_name("cases").glob("*.json"))]
    presets: dict[str, dict[str, str | None]] = {k: dict(v) for k, v in _WITH.items()}
    intended: dict[str, Intended] = {}
    cases: list[Case] = []
    for file in files:
        data = json.loads(file.read_text())
        presets.update(data.get("with", {}))
        for name, entry in data.get("intended_differences", {}).items():
            if name in intended:
                raise ValueError(f"{file.name}: intended difference {name!r} defined twice")
            intended[name] = Intended(
                name,
                entry["reason"],
                tuple(entry["ignore"]),
                tuple(entry.get("profiles", ("oss", "oss-npm"))),
            )
        cases.extend(_case(raw, presets, file.name) for raw in data.get("cases", ()))
    ids = [case.id for case in cases]
    if len(ids) != len(set(ids)):
        raise ValueError(f"case ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}")
    return cases, intended


def _case(
    raw: Mapping[str, Any], presets: Mapping[str, Mapping[str, str | None]], source: str
) -> Case:
    headers: dict[str, str | None] = dict(presets.get(raw.get("with", ""), {}))
    headers.update(raw.get("headers", {}))
    form = raw.get("form")
    return Case(
        id=raw["id"],
        path=raw["path"],
        method=raw.get("method", "POST"),
        headers=headers,
        config=raw.get("config"),
        json_body=raw.get("json"),
        body=raw.get("body"),
        form=None if form is None else tuple((k, v) for k, v in form),
        faults=tuple(raw.get("faults", ())),
        intended=raw.get("intended"),
        source=source,
    )


@dataclass
class Observation:
    """What one gateway answered, and the upstream requests it sent, normalised."""

    status: int
    headers: dict[str, str]
    body: Any
    upstream: list[dict[str, Any]]

    def flat(self) -> dict[str, Any]:
        """Dotted keys for diffing."""
        out: dict[str, Any] = {"status": self.status, "body": self.body}
        out.update({f"headers.{k}": v for k, v in self.headers.items()})
        out["upstream.count"] = len(self.upstream)
        for index, request in enumerate(self.upstream):
            for key, value in request.items():
                if key == "headers":
                    out.update({f"upstream[{index}].headers.{k}": v for k, v in value.items()})
                else:
                    out[f"upstream[{index}].{key}"] = value
        return out


def _target(url: str) -> str:
    """The request target (path and query) of an absolute URL, its path decoded as the fake
    upstream's journal records it (ASGI's decoded path: Bedrock's %3A arrives as ':')."""
    parts = urlsplit(url)
    return unquote(parts.path) + (f"?{parts.query}" if parts.query else "")


def _upstream(
    method: str, target: str, headers: list[tuple[str, str]], body: bytes
) -> dict[str, Any]:
    merged: dict[str, str] = {}
    for name, value in headers:
        if name in _TRANSPORT:
            continue
        value = _BOUNDARY.sub("boundary=<boundary>", value)
        if name in ("x-amz-date", "authorization"):
            value = _AMZ_TIME.sub(lambda m: (m.group(1) or "") + "<time>", value)
            value = _SIGNATURE.sub("Signature=<signature>", value)
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    content_type = dict(headers).get("content-type", "")
    return {
        "method": method,
        "path": target,
        "headers": dict(sorted(merged.items())),
        "body": _upstream_body(body, content_type) if body else "",
    }


def _upstream_body(body: bytes, content_type: str) -> Any:
    if content_type.startswith("multipart/form-data"):
        return _form_summary(body, content_type)
    return _body(body, content_type)


def _response(response: httpx.Response, upstream: list[dict[str, Any]]) -> Observation:
    wanted = {
        name: value
        for name, value in response.headers.items()
        if name.startswith("x-portkey-") or name in ("content-type", "retry-after")
    }
    content_type = response.headers.get("content-type", "")
    body = _body(response.content, content_type)
    return Observation(response.status_code, dict(sorted(wanted.items())), body, upstream)


def _queue(state: MockState, faults: tuple[Mapping[str, Any], ...]) -> None:
    for fault in faults:
        state.faults.add(
            Fault.from_json(fault), times=fault.get("times", 1), provider=fault.get("provider")
        )


def observe(
    case: Case, client: httpx.Client, gateway_url: str, upstream: MockState, upstream_url: str
) -> Observation:
    """Send ``case`` to the real gateway; its upstream requests are the fake upstream's journal."""
    upstream.reset()
    _queue(upstream, case.faults)
    response = client.request(**_with_base(case.request(upstream_url), gateway_url))
    calls: list[Call] = upstream.journal.calls()
    sent = [
        _upstream(
            c.method, c.path + (f"?{c.query}" if c.query else ""), c.headers.multi_items(), c.body
        )
        for c in calls
    ]
    return _response(response, sent)


def observe_mock(
    case: Case, client: httpx.Client, mock_url: str, mock: MockState, upstream_url: str
) -> Observation:
    """Send ``case`` to the mock gateway; its upstream requests are its own journal's."""
    mock.reset()
    _queue(mock, case.faults)
    response = client.request(**_with_base(case.request(upstream_url), mock_url))
    calls = mock.journal.calls()
    attempts = calls[-1].attempts if calls else []
    sent = [
        _upstream(a.request.method, _target(a.request.url), list(a.request.headers), a.request.body)
        for a in attempts
    ]
    return _response(response, sent)


def _with_base(kwargs: dict[str, Any], base: str) -> dict[str, Any]:
    return {**kwargs, "url": base + kwargs["url"]}


def diff(real: Observation, mock: Observation, ignore: tuple[str, ...] = ()) -> list[str]:
    """Every key where the two differ (real first), except those under an ``ignore`` prefix."""
    a, b = real.flat(), mock.flat()
    lines = []
    for key in sorted(set(a) | set(b)):
        if any(key.startswith(prefix) for prefix in ignore):
            continue
        real, mock = a.get(key, "<absent>"), b.get(key, "<absent>")
        if real != mock:
            lines.append(f"{key}:\n    real: {real!r}\n    mock: {mock!r}")
    return lines
