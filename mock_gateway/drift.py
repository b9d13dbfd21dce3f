"""``mock-portkey drift``: replay recorded requests against the mock and say where they part.

Each exchange of a cassette is sent to a fresh mock of each profile (in-process, reset with
the same seed before every exchange, as the conformance suite does) and both answers are
compared after the normalisation the conformance suite uses (``mock_gateway.normalise``) plus
what a recording from a real service needs: ``id`` values and generated trace ids count only
as present, and an image the recorder shrank counts as the original it recorded.

Difference keys: ``status``, ``headers.<name>`` (``x-portkey-*``, ``content-type``,
``retry-after``), and ``body`` followed by a JSON pointer into the decoded body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from mock_gateway.allowlist import Allowed
from mock_gateway.har import Exchange, Headers
from mock_gateway.normalise import normal, normal_body
from mock_gateway.registry import Registry

__all__ = ["Difference", "DriftReport", "ExchangeDrift", "compare", "drift", "observe"]

ABSENT = "<absent>"
_ORIGIN = "http://127.0.0.1:8787"  # what the in-process mock is told it is reached at
_KEPT_HEADERS = frozenset({"content-type", "retry-after"})
_NOT_REPLAYED = frozenset({"host", "content-length", "connection", "transfer-encoding"})


@dataclass(frozen=True)
class Difference:
    """One key whose recorded and mock values differ, and the allow-list entry keeping it."""

    key: str
    kind: str  # status, header, content-type, body, error text
    recorded: Any
    mock: Any
    allowed: str | None = None


@dataclass
class ExchangeDrift:
    """What differed for one exchange under one profile."""

    profile: str
    exchange: Exchange
    differences: list[Difference] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The exchange's drift as JSON (``--format json``)."""
        ex = self.exchange
        return {
            "profile": self.profile,
            "entry": ex.index,
            "label": ex.comment,
            "method": ex.method,
            "path": ex.path,
            "differences": [asdict(d) for d in self.differences],
        }


@dataclass
class DriftReport:
    """Every exchange under every profile, and the allow-list entries that covered nothing."""

    results: list[ExchangeDrift]
    unused: list[Allowed]
    reasons: dict[str, str] = field(default_factory=dict)  # allow-list entry: its reason

    @property
    def failed(self) -> bool:
        """Whether any difference is not on the allow-list."""
        return any(d.allowed is None for r in self.results for d in r.differences)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON (``--format json``)."""
        return {
            "ok": not self.failed,
            "exchanges": [r.to_json() for r in self.results if r.differences],
            "checked": len(self.results),
            "unused_allowances": [a.name for a in self.unused],
            "allowances": self.reasons,
        }


def _merged(headers: Headers) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers:
        name = name.lower()
        if name.startswith("x-portkey-") or name in _KEPT_HEADERS:
            out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def _pointer_set(value: Any, parts: list[str], summary: str) -> None:
    for part in parts[:-1]:
        value = value[int(part)] if isinstance(value, list) else value.get(part)
    last = parts[-1]
    if isinstance(value, list):
        value[int(last)] = summary
    elif isinstance(value, dict) and last in value:
        value[last] = summary


def _summary(original: Mapping[str, Any]) -> str:
    return f"<{original.get('format')} {original.get('width')}x{original.get('height')}>"


def _ids(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _ids(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_ids(item, key) for item in value]
    return "<id>" if key == "id" and isinstance(value, str) and value else value


def _body(
    data: bytes,
    content_type: str,
    image: Mapping[str, Any] | None,
    thumbnails: Mapping[str, Mapping[str, Any]],
) -> Any:
    if image is not None:
        return _summary(image)
    if thumbnails and "json" in content_type:
        try:
            decoded = json.loads(data)
            for pointer, original in thumbnails.items():
                _pointer_set(decoded, pointer.split("/")[1:], _summary(original))
            return _ids(normal(decoded))
        except (ValueError, LookupError, TypeError):
            pass
    return _ids(normal_body(data, content_type))


def _flatten(value: Any, key: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for name, item in value.items():
            _flatten(item, f"{key}/{str(name).replace('~', '~0').replace('/', '~1')}", out)
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            _flatten(item, f"{key}/{index}", out)
    else:
        out[key] = value


def observe(
    status: int,
    headers: Headers,
    body: bytes,
    *,
    trace_sent: bool,
    image: Mapping[str, Any] | None = None,
    thumbnails: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """One answer, normalised and flattened into difference keys."""
    kept = _merged(headers)
    if not trace_sent and kept.get("x-portkey-trace-id"):
        kept["x-portkey-trace-id"] = "<generated>"  # made up by the gateway: any value will do
    out: dict[str, Any] = {"status": status}
    out.update({f"headers.{name}": value for name, value in sorted(kept.items())})
    _flatten(_body(body, kept.get("content-type", ""), image, thumbnails or {}), "body", out)
    return out


def _kind(key: str, recorded: Mapping[str, Any], mock: Mapping[str, Any]) -> str:
    if key == "status":
        return "status"
    if key == "headers.content-type":
        return "content-type"
    if key.startswith("headers."):
        return "header"
    failed = max(int(recorded.get("status", 0)), int(mock.get("status", 0))) >= 400
    return "error text" if failed and re.search("error|message", key) else "body"


def _subtree(flat: Mapping[str, Any], prefix: str) -> Any:
    if prefix in flat:
        return flat[prefix]
    under = {k[len(prefix) + 1 :]: v for k, v in flat.items() if k.startswith(prefix + "/")}
    return under or ABSENT


def _shallowest_absent(key: str, other: Mapping[str, Any]) -> str:
    """The shallowest ancestor of ``key`` of which ``other`` has nothing (a whole subtree that
    only one side has is one difference, not one per leaf)."""
    parts = key.split("/")
    for depth in range(1, len(parts) + 1):
        prefix = "/".join(parts[:depth])
        # A leaf there on the other side (a text where this side has an object) is the place.
        if prefix in other or not any(k.startswith(prefix + "/") for k in other):
            return prefix
    return key


def compare(recorded: Mapping[str, Any], mock: Mapping[str, Any]) -> list[Difference]:
    """Every key where the two observations differ (in key order)."""
    keys: dict[str, None] = {}
    for key in sorted(set(recorded) | set(mock)):
        if recorded.get(key, ABSENT) == mock.get(key, ABSENT):
            continue
        if key not in mock:
            key = _shallowest_absent(key, mock)
        elif key not in recorded:
            key = _shallowest_absent(key, recorded)
        keys[key] = None
    return [
        Difference(key, _kind(key, recorded, mock), _subtree(recorded, key), _subtree(mock, key))
        for key in keys
    ]


def _replay(client: httpx.Client, exchange: Exchange) -> httpx.Response:
    headers = [(k, v) for k, v in exchange.request_headers if k.lower() not in _NOT_REPLAYED]
    query = f"?{exchange.query}" if exchange.query else ""
    url = _ORIGIN + exchange.path + query
    request = httpx.Request(exchange.method, url, headers=headers, content=exchange.request_body)
    return client.send(request)


def _allowed(diff: Difference, profile: str, ex: Exchange, allow: Sequence[Allowed]) -> str | None:
    return next((a.name for a in allow if a.applies(profile, ex) and a.covers(diff.key)), None)


def drift(
    exchanges: Iterable[Exchange],
    profiles: Sequence[str],
    allow: Sequence[Allowed] = (),
    *,
    seed: int = 0,
    registry: Registry | None = None,
) -> DriftReport:
    """Replay ``exchanges`` against a mock of each profile and compare the answers."""
    from mock_gateway.app import create_app
    from mock_gateway.state import MockState
    from mock_gateway.transport import InProcessTransport

    recorded = list(exchanges)
    results: list[ExchangeDrift] = []
    used: set[str] = set()
    for profile in profiles:
        app = create_app(profile=profile, seed=seed, time_scale=0.001)
        state: MockState = app.state.mock
        with httpx.Client(transport=InProcessTransport(app), timeout=60) as client:
            for ex in recorded:
                state.reset(seed=seed)
                if registry is not None:
                    state.registry.update(registry)
                answer = _replay(client, ex)
                trace_sent = bool(ex.header("x-portkey-trace-id", response=False))
                was = observe(
                    ex.status,
                    ex.response_headers,
                    ex.response_body,
                    trace_sent=trace_sent,
                    image=ex.image,
                    thumbnails=ex.thumbnails,
                )
                now = observe(
                    answer.status_code,
                    list(answer.headers.multi_items()),
                    answer.content,
                    trace_sent=trace_sent,
                )
                found = []
                for diff in compare(was, now):
                    name = _allowed(diff, profile, ex, allow)
                    used.update([name] if name else [])
                    found.append(Difference(diff.key, diff.kind, diff.recorded, diff.mock, name))
                results.append(ExchangeDrift(profile, ex, found))
    unused = [a for a in allow if a.name not in used]
    return DriftReport(results, unused, {a.name: a.reason for a in allow})


def _cell(value: Any, width: int) -> str:
    text = value if isinstance(value, str) and value == ABSENT else json.dumps(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def format_table(report: DriftReport, *, width: int = 50) -> str:
    """The report as a readable table: each exchange that differs, its differences under it,
    and a summary line per profile.
    """
    lines = []
    for result in report.results:
        if result.differences:
            lines.append(f"{result.profile}  {result.exchange.describe()}")
        for diff in result.differences:
            mark = f"  [allowed: {diff.allowed}]" if diff.allowed else ""
            values = f"{_cell(diff.recorded, width)} | {_cell(diff.mock, width)}"
            lines.append(f"    {diff.kind:12} {diff.key:32} {values}{mark}")
    for profile in dict.fromkeys(r.profile for r in report.results):
        mine = [r for r in report.results if r.profile == profile]
        differ = [r for r in mine if r.differences]
        kept = [r for r in differ if all(d.allowed for d in r.differences)]
        lines.append(
            f"{profile}: {len(mine)} exchange(s) replayed, {len(differ) - len(kept)} differ, "
            f"{len(kept)} differ only as allowed"
        )
    lines.extend(f"allow-list entry {a.name!r} covered no difference" for a in report.unused)
    return "\n".join(lines)
