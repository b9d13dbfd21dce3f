"""The differences a user keeps on purpose, with their reasons (``mock-portkey drift --allow``).

A JSON (or YAML) file of the conformance corpus's ``intended_differences`` shape::

    {"allowed_differences": {
        "random-seeds": {
            "reason": "Stability picks a random seed when none is asked for",
            "ignore": ["body/artifacts/*/seed", "headers.seed"],
            "profiles": ["hosted"],
            "entries": ["test_sdxl*", "POST /v1/generation/*"]}}}

``ignore`` lists difference keys, each a prefix (``body`` covers the whole body) or a glob;
``profiles`` (optional: all) the mock profiles it applies to; ``entries`` (optional: all)
globs over an exchange's label (HAR comment), ``METHOD /path`` or ``#index``. The key
``intended_differences`` is read too, so tests/conformance/cases.json's list works as it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from mock_gateway.har import Exchange

__all__ = ["Allowed", "load_allow_list"]


@dataclass(frozen=True)
class Allowed:
    """One kept difference: its name, why, which keys, and where it applies."""

    name: str
    reason: str
    ignore: tuple[str, ...]
    profiles: tuple[str, ...] | None = None
    entries: tuple[str, ...] | None = None

    def applies(self, profile: str, exchange: Exchange) -> bool:
        """Whether this entry covers ``exchange`` replayed under ``profile``."""
        if self.profiles is not None and profile not in self.profiles:
            return False
        if self.entries is None:
            return True
        names = (exchange.comment, f"{exchange.method} {exchange.path}", f"#{exchange.index}")
        return any(fnmatchcase(name, glob) for glob in self.entries for name in names if name)

    def covers(self, key: str) -> bool:
        """Whether the difference ``key`` is one this entry names."""
        return any(key.startswith(item) or fnmatchcase(key, item) for item in self.ignore)


def _strings(raw: Any, what: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ValueError(f"{what} must be a list of strings")
    return tuple(raw)


def _entry(name: str, raw: Any) -> Allowed:
    where = f"allowed difference {name!r}"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: must be an object with reason and ignore")
    reason = raw.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError(f"{where}: give a reason (why the mock differs here on purpose)")
    ignore = _strings(raw.get("ignore"), f"{where}: ignore")
    if not ignore:
        raise ValueError(f"{where}: ignore names no difference key")
    unknown = set(raw) - {"reason", "ignore", "profiles", "entries"}
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {sorted(unknown)}")
    profiles = raw.get("profiles")
    entries = raw.get("entries")
    return Allowed(
        name,
        reason,
        ignore,
        None if profiles is None else _strings(profiles, f"{where}: profiles"),
        None if entries is None else _strings(entries, f"{where}: entries"),
    )


def load_allow_list(paths: Iterable[str | Path]) -> list[Allowed]:
    """The entries of every allow-list file; ``ValueError`` names the file and what is wrong."""
    allowed: list[Allowed] = []
    for path in map(Path, paths):
        try:
            text = path.read_text(encoding="utf-8")
            if path.suffix in (".yaml", ".yml"):
                import yaml

                data = yaml.safe_load(text)
            else:
                data = json.loads(text)
        except (OSError, ValueError) as error:
            raise ValueError(f"{path}: cannot read the allow-list: {error}") from error
        table = None
        if isinstance(data, dict):
            table = data.get("allowed_differences", data.get("intended_differences"))
        if not isinstance(table, dict):
            raise ValueError(f"{path}: expected an object with an 'allowed_differences' object")
        try:
            allowed.extend(_entry(name, raw) for name, raw in table.items())
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from error
    return allowed
