"""Every fact document the code cites is in the repository, so a citation can be followed."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "docs" / "facts"
# A citation names a Markdown file by its base name, e.g. ``portkey-gateway-behavior.md §3.4``;
# every lower-case hyphenated name counts (README.md and other upper-case names are not facts).
CITATION = re.compile(r"\b([a-z][a-z0-9]*(?:-[a-z0-9]+)+)\.md\b")


def _cited_names() -> dict[str, list[str]]:
    cited: dict[str, list[str]] = {}
    for folder in ("mock_gateway", "tests", "contracts"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in {".py", ".json"} or "__pycache__" in path.parts:
                continue
            for name in CITATION.findall(path.read_text(encoding="utf-8")):
                cited.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return cited


def test_the_code_cites_fact_documents() -> None:
    assert {"portkey-gateway-behavior", "upstream-apis"} <= set(_cited_names())


def test_every_cited_fact_document_is_in_docs_facts() -> None:
    present = {path.stem for path in FACTS.rglob("*.md")}
    missing = {name: where[:3] for name, where in _cited_names().items() if name not in present}
    assert not missing, f"cited but not in docs/facts/: {missing}"
