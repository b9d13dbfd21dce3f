"""The fast validity check never accepts what jsonschema refuses, and accepts common bodies."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_gateway.contract_tools.contracts import (
    certainly_valid,
    contract,
    contract_names,
    validator_for,
)
from mock_gateway.contract_tools.fastcheck import Unsupported, compile_schema

scalars = (
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats() | st.text(max_size=8)
    | st.sampled_from([0, 1, 64, 128, 320, 1024, 1.0, 64.0, 2.5, -1, 4294967296, "NONE", "anime",
                       "photographic", "png", "1:1", "core", "text", "SIMPLE", ""])
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = ["response_format", "size", "quality", "n", "style", "user", "text_prompts",
          "text", "weight", "height", "width", "cfg_scale", "sampler", "samples",
          "seed", "steps", "style_preset", "extras", "clip_guidance_preset", "prompt", "model",
          "aspect_ratio", "output_format", "negative_prompt", "image", "strength", "mode",
          "status", "message", "name", "errors", "id", "error", "type", "param",
          "code"]  # fmt: skip
VALID_V1 = {"text_prompts": [{"text": "a cat", "weight": 1}], "height": 1024, "width": 1024,
            "seed": 7, "samples": 1, "steps": 30, "cfg_scale": 7,
            "style_preset": "anime"}  # fmt: skip
bodies = st.dictionaries(st.sampled_from(FIELDS), values, max_size=6) | values
mutated = st.builds(
    lambda extra: {**VALID_V1, **extra},
    st.dictionaries(st.sampled_from(FIELDS), values, max_size=3),
)
COMPILED = [name for name in contract_names() if certainly_valid(name, None) is not None]
V2 = "stability/v2beta-generate-request.json"
OPENAI = "openai/images-request.json"
# sd3 and the GPT image models have if/then: jsonschema alone.
DEFINITIONS = [(V2, "core"), (V2, "ultra"), (OPENAI, "dall-e-2"), (OPENAI, "dall-e-3")]


def test_the_hot_contracts_compile() -> None:
    assert "stability/v1-text-to-image-request.json" in COMPILED
    assert all(certainly_valid(name, d) is not None for name, d in DEFINITIONS)
    assert certainly_valid(V2, "sd3") is None
    check = certainly_valid("stability/v1-text-to-image-request.json", None)
    assert check is not None and check(VALID_V1)


@settings(max_examples=1500, deadline=None)
@given(instance=bodies | mutated, which=st.integers(0, 100))
def test_whatever_it_accepts_jsonschema_accepts(instance: Any, which: int) -> None:
    targets = [(name, None) for name in COMPILED] + DEFINITIONS
    name, definition = targets[which % len(targets)]
    check = certainly_valid(name, definition)
    assert check is not None
    if check(instance):
        assert validator_for(name, definition).is_valid(instance), (name, definition, instance)


def test_unknown_keywords_give_no_predicate() -> None:
    with pytest.raises(Unsupported):
        compile_schema({"anyOf": [{"type": "string"}]}, lambda ref: (True, None))  # type: ignore[arg-type, return-value]
    assert "portkey/config.json" not in COMPILED  # anyOf, pattern...: jsonschema alone
    assert contract("portkey/config.json")
