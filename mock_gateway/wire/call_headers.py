"""``call.headers``: a request's headers as a case-insensitive multi-dict, duplicates kept."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

__all__ = ["CallHeaders", "joined_pairs", "joined_values"]


def joined_values(raw: Sequence[tuple[bytes, bytes]]) -> dict[str, str]:
    """ASGI headers as the gateway reads them: names lower case, a repeated name's values
    joined with ", " in order, as the Fetch API's ``Headers.get`` joins them (Hono reads
    headers that way). The one rule for every layer that reads a request's headers as a dict.

    Measured against the open-source gateway 1.15.2 (conformance/gateway, 2026-12-02): two
    ``x-portkey-provider`` headers (``openai``, ``stability-ai``) answer 400 ``Invalid provider
    passed``, the provider being read as ``openai, stability-ai``.
    """
    headers: dict[str, str] = {}
    for key, value in raw:
        name, text = key.decode("latin-1").lower(), value.decode("latin-1")
        headers[name] = f"{headers[name]}, {text}" if name in headers else text
    return headers


def joined_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``joined_values`` for headers already decoded: the same rule, names lower case and a
    repeated name's values joined with ", " in order."""
    headers: dict[str, str] = {}
    for key, text in pairs:
        name = key.lower()
        headers[name] = f"{headers[name]}, {text}" if name in headers else text
    return headers


class CallHeaders(Mapping[str, str]):
    """Headers as the client sent them (secrets redacted), in order, repeated names kept.

    Read like Starlette's and httpx's headers: ``headers["Authorization"]`` (any case; the
    first value, as Starlette gives it), ``headers.get(name)``, ``name in headers``,
    ``headers.get_list(name)`` (every value; ``getlist`` too) and ``headers.multi_items()``
    (every pair, in order). Iterating gives each name once, as a mapping does.
    """

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items = [(str(name), str(value)) for name, value in items]

    def __getitem__(self, name: str) -> str:
        wanted = name.lower()
        for key, value in self._items:
            if key.lower() == wanted:
                return value
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(key.lower() for key, _ in self._items))

    def __len__(self) -> int:
        return len({key.lower() for key, _ in self._items})

    def get_list(self, name: str) -> list[str]:
        """Every value of ``name``, in the order sent (``[]`` if none)."""
        wanted = name.lower()
        return [value for key, value in self._items if key.lower() == wanted]

    getlist = get_list  # Starlette's spelling

    def multi_items(self) -> list[tuple[str, str]]:
        """Every (name, value) pair, in the order sent, repeated names included."""
        return list(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CallHeaders):
            return self._items == other._items
        if isinstance(other, list):  # the journal's earlier form: a list of pairs
            return self._items == [tuple(pair) for pair in other]
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable-looking, like dict

    def __repr__(self) -> str:
        return f"CallHeaders({self._items!r})"
