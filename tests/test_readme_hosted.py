"""Every example of the README's "Hosted Portkey features" section runs exactly as written.

A block that defines ``test_*`` functions runs under pytest (the installed ``portkey_mock``
plugin provides the fixture); any other Python block runs as a script. The JSON block is the
registry file format, and must load as a registry.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mock_gateway import Registry

README = Path(__file__).parent.parent / "README.md"
_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.S | re.M)


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Hosted Portkey features")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def _blocks(language: str) -> list[str]:
    return [code for lang, code in _BLOCK.findall(_section()) if lang == language]


PYTHON = _blocks("python")


def test_the_section_has_an_example_for_each_feature() -> None:
    text = "\n".join(PYTHON)
    for feature in (
        "x-portkey-api-key",  # the key, and the bare 401
        "--registry",  # the standalone server's registry file
        "/_mock/registry",
        "portkey_mock.register(",
        "x-portkey-virtual-key",
        '"x-portkey-config": "pc-images"',  # a saved config id
        '"strategy": {"mode": "fallback"}',  # ... with a fallback across two virtual keys
        '"x-portkey-provider": "@openai-prod"',  # a Model Catalog provider
        '"@openai-prod/gpt-image-1"',  # ... and model
        '"cache": {"mode": "simple"',
        "advance_clock",
    ):
        assert feature in text, feature
    assert len(PYTHON) == 5


def test_the_registry_file_format_loads() -> None:
    (document,) = _blocks("json")
    registry = Registry.from_json(json.loads(document))
    assert registry.accepts("pk-team-1") and "@openai-prod" in registry.providers


@pytest.mark.parametrize(
    "code", [c for c in PYTHON if "def test_" not in c], ids=lambda c: c.split("\n")[-2][:40]
)
def test_the_script_examples_run(code: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("code", [c for c in PYTHON if "def test_" in c])
def test_the_fixture_examples_pass(code: str, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_readme=code)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=code.count("\ndef test_"))
