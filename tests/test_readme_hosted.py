"""Every example of the README's "Hosted Portkey features" section runs exactly as written.

tests/test_readme.py runs every Python block of the README: a block that defines ``test_*``
functions under pytest (the installed ``portkey_mock`` plugin provides the fixture), any
other as a script. Here each of this section's blocks is shown to be, byte for byte, one that
it runs as that kind (running them again here would only repeat it). The JSON block is the
registry file format, and must load as a registry.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from mock_gateway import Registry
from tests.test_readme import SCRIPTS, TEST_FILES

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


def test_each_example_is_a_block_test_readme_runs_as_its_kind() -> None:
    test_files = [block.body for block in TEST_FILES]  # test_python_test_files_pass
    scripts = [block.body for block in SCRIPTS]  # test_python_scripts_run
    fixture_examples = [code for code in PYTHON if "\ndef test_" in code]
    assert len(fixture_examples) == 2
    for code in PYTHON:
        assert code in (test_files if code in fixture_examples else scripts), code
