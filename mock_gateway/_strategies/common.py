"""What every strategy shares: the request value, argument checks, prompts and keys."""

from __future__ import annotations

import json
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mock_gateway.contract_tools.contracts import contract
from mock_gateway.wire.js import js_string
from mock_gateway.wire.multipart import encode_form

if TYPE_CHECKING:
    import httpx

__all__ = [
    "BOUNDARY",
    "PORTKEY_KEY",
    "Break",
    "ImageRequest",
    "broken",
    "check_bool",
    "check_choice",
    "enum_of",
    "ordered",
    "prompts",
    "provider_keys",
    "setting",
]

PORTKEY_KEY = "pk-strategies-0000"
BOUNDARY = "----mock-portkey-strategies"
_WORDS = (
    "a",
    "cat",
    "painting",
    "of",
    "dog",
    "in",
    "the",
    "rain",
    "castle",
    "robot",
    "blue",
    "sunset",
    "portrait",
    "forest",
    "tiny",
    "over",
    "city",
    "at",
    "night",
)
# A prompt with "mock-" could hold the mock's blocked or filtered words (create_app's
# blocked_words / filtered_words); generated prompts never do, so valid means valid.
_FLAG = "mock-"


@dataclass(frozen=True, repr=False)
class ImageRequest:
    """One request a client could send the gateway, and what the real gateway answers.

    ``body`` is the payload as data (what its ``contract`` describes); ``content`` is its
    wire encoding (JSON or multipart). ``reason`` says why the real API refuses it (``None``
    for a valid request), and ``status`` / ``error_name`` are the answer that refusal gets:
    the provider's error ``name`` (Stability) or ``code`` (OpenAI). For a valid request,
    ``image_size``, ``image_count`` and ``image_format`` are what the answer holds.
    """

    path: str
    headers: Mapping[str, str]
    body: Mapping[str, Any]
    provider: str
    model: str | None
    contract: str
    definition: str | None = None
    encoding: Literal["json", "multipart"] = "json"
    reason: str | None = None
    status: int = 200
    error_name: str | None = None
    image_size: tuple[int, int] | None = None
    image_count: int = 1
    image_format: str = "png"
    method: str = field(default="POST")

    @property
    def valid(self) -> bool:
        """Whether the real API accepts it."""
        return self.reason is None

    @property
    def content(self) -> bytes:
        """The body as it goes on the wire."""
        if self.encoding == "multipart":
            fields = [(name, js_string(value)) for name, value in self.body.items()]
            return encode_form(fields, BOUNDARY)
        return json.dumps(self.body, ensure_ascii=False).encode()

    def send(self, client: httpx.Client) -> httpx.Response:
        """Send it with an httpx client whose ``base_url`` is the mock's origin (``.url``)."""
        return client.request(
            self.method, self.path, headers=dict(self.headers), content=self.content
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # how Hypothesis prints a falsifying example

    def __repr__(self) -> str:
        verdict = "valid" if self.reason is None else f"invalid: {self.reason}"
        return (
            f"ImageRequest({self.method} {self.path} provider={self.provider!r} "
            f"model={self.model!r} body={_short(self.body)!r} [{verdict}])"
        )


def _short(body: Mapping[str, Any]) -> dict[str, Any]:
    """The body with long strings cut, so a shrunk example stays one readable line."""
    return {
        key: f"{value[:20]}...({len(value)} characters)"
        if isinstance(value, str) and len(value) > 60
        else value
        for key, value in body.items()
    }


def check_choice(function: str, name: str, value: Any, choices: Sequence[Any]) -> None:
    """Reject ``value`` at once unless it is one of ``choices``, naming the right calls."""
    if value is not None and value not in choices:
        options = ", ".join(f"{function}({name}={choice!r})" for choice in choices)
        raise InvalidArgument(f"{function}() got {name}={value!r}; try one of: {options}")


def check_bool(function: str, name: str, value: Any) -> None:
    """Reject a non-boolean flag (``valid="no"`` is a mistake, not a falsy value)."""
    if not isinstance(value, bool):
        raise InvalidArgument(
            f"{function}() takes {name}=True or {name}=False, got {name}={value!r}"
        )


def enum_of(name: str, *pointer: str) -> list[Any]:
    """The ``enum`` at ``pointer`` inside contract ``name``: facts stay in the contracts."""
    node: Any = contract(name)
    for part in pointer:
        node = node[part]
    values: list[Any] = [value for value in node["enum"] if value is not None]
    return values


_ORDER = (
    "strategy",
    "provider",
    "api_key",
    "model",
    "prompt",
    "text_prompts",
    "size",
    "width",
    "height",
    "n",
    "samples",
)


def ordered(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """The same keys in a stable, readable order (Hypothesis draws optional keys shuffled)."""
    rank = {key: index for index, key in enumerate(_ORDER)}
    keys = sorted(mapping, key=lambda key: (rank.get(key, len(_ORDER)), key))
    return {
        key: ordered(mapping[key]) if isinstance(mapping[key], dict) else mapping[key]
        for key in keys
    }


def prompts(max_size: int = 60) -> st.SearchStrategy[str]:
    """Prompts: a few plain words, or any printable Unicode text (shrinking to one character)."""
    words = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8).map(" ".join)
    printable = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Co", "Cn"))
    text = st.text(printable, min_size=1, max_size=24)
    return (words | text).filter(
        lambda prompt: bool(prompt.strip()) and len(prompt) <= max_size and _FLAG not in prompt
    )


def provider_keys() -> st.SearchStrategy[str]:
    """Provider API keys the mock accepts (never one containing ``invalid``)."""
    tail = st.text(string.ascii_lowercase + string.digits, min_size=8, max_size=24)
    return tail.filter(lambda text: "invalid" not in text).map(lambda text: f"sk-{text}")


_NO_UPDATES: st.SearchStrategy[dict[str, Any]] = st.just({})


@dataclass(frozen=True)
class Break:
    """One way the real API refuses an otherwise valid request, and what it answers.

    The broken request is the valid one with ``drop`` removed from the body, a draw of
    ``updates`` merged into it, ``headers`` over its headers and, if set, ``path``.
    """

    reason: str
    status: int
    error_name: str | None
    updates: st.SearchStrategy[dict[str, Any]] = _NO_UPDATES
    drop: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    path: str | None = None


def setting(name: str, values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """``{name: value}`` for each value drawn: a ``Break``'s ``updates``."""
    return values.map(lambda value: {name: value})


@st.composite
def broken(
    draw: st.DrawFn, valid: st.SearchStrategy[ImageRequest], breaks: Sequence[Break]
) -> ImageRequest:
    """A valid request, broken one of the ways in ``breaks`` (shrinking to the first)."""
    request = draw(valid)
    chosen = draw(st.sampled_from(list(breaks)))
    kept = {key: value for key, value in request.body.items() if key not in chosen.drop}
    body = ordered(kept | draw(chosen.updates))
    return replace(
        request,
        path=chosen.path or request.path,
        headers={**request.headers, **chosen.headers},
        body=body,
        model=body.get("model", request.model) if request.encoding == "json" else request.model,
        reason=chosen.reason,
        status=chosen.status,
        error_name=chosen.error_name,
        image_size=None,
    )
