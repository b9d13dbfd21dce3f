"""``config_errors``: the gateway's zod v3 config schema, issue for issue (§1.1 check 7, §1.3;
gateway v1.15.2 ``src/middlewares/requestValidator/schema/config.ts``).

zod semantics reproduced here:

* every key of the shape is checked, in the *schema's* key order, and every issue is kept;
* a wrong type (or a missing required key, "Required") *aborts* its object and every object
  above it, so their ``.refine`` checks do not run;
* a failed ``.refine`` (the provider and strategy-mode enums, the object-level checks) only
  makes the result dirty: the refinements after it still run;
* paths are printed with ``String(path)``: the parts joined by commas, empty at the root.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from mock_gateway.gateway.config_schema import CONFIG_REFINE_MESSAGE, config_errors
from mock_gateway.gateway.providers import VALID_PROVIDERS
from mock_gateway.gateway.validator import parse_config_json

REFINE = (
    "Invalid configuration. It must have either 'provider' and 'api_key', or 'strategy' and "
    "'targets', or 'cache', or 'retry', or 'request_timeout'"
)
BAD_PROVIDER = f"Invalid 'provider' value. Must be one of: {', '.join(VALID_PROVIDERS)}"
BAD_MODE = "Invalid 'mode' value. Must be one of: single, loadbalance, fallback, conditional"
BAD_CACHE_MODE = "Invalid 'cache.mode' value. Must be one of: simple, semantic"
VERTEX = (
    "Invalid configuration. ('vertex_project_id' and 'vertex_region') or "
    "('vertex_service_account_json' and 'vertex_region') are required for 'vertex-ai' provider. "
    "Example: { 'provider': 'vertex-ai', 'vertex_project_id': 'my-project-id', "
    "'vertex_region': 'us-central1', api_key: 'ya29...' }"
)
GOOD = {"provider": "stability-ai", "api_key": "k"}
FALLBACK = {"mode": "fallback"}


def issue(path: str, message: str) -> str:
    return f"path: {path}, message: {message}"


def test_refine_message_constant() -> None:
    assert CONFIG_REFINE_MESSAGE == REFINE


VALID: list[dict[str, Any]] = [
    GOOD,
    {"provider": "stability-ai", "retry": {"attempts": 1}},
    {"provider": "stability-ai", "api_key": ""},  # `api_key !== undefined`
    {"provider": "stability-ai", "api_key": "k", "custom_host": ""},  # empty host: not checked
    {"provider": "stability-ai", "api_key": "k", "custom_host": "http://127.0.0.1:9921/v1"},
    {"provider": "stability-ai", "api_key": "k", "virtual_key": "vk", "foo": [1]},  # stripped
    {"provider": "stability-ai", "apiKey": "k", "request_timeout": 1000},
    {"provider": "ollama"},
    {"provider": "triton"},
    {"cache": {"mode": "simple", "max_age": 60}},
    {"retry": {"attempts": 0, "on_status_codes": [429], "use_retry_after_header": True}},
    {"request_timeout": 1.5},
    {"strategy": FALLBACK, "targets": []},
    {"strategy": FALLBACK, "targets": [GOOD, {"provider": "openai", "api_key": "k"}]},
    {
        "strategy": {"mode": "conditional", "conditions": [{"query": {}, "then": "a"}]},
        "targets": [],
    },
    {**GOOD, "on_status_codes": [], "forward_headers": ["x-a"], "weight": 0.5},
    {**GOOD, "input_guardrails": ["g1"], "output_guardrails": [{"id": "g2"}]},
    {**GOOD, "after_request_hooks": [{}], "before_request_hooks": [{"a": 1}]},
    {"aws_access_key_id": "a", "aws_secret_access_key": "b"},
    {"provider": "vertex-ai", "vertex_region": "r", "vertex_project_id": "p"},
    {"provider": "vertex-ai", "vertex_region": "r", "vertex_service_account_json": {"a": "b"}},
    {"provider": "azure-openai", "azure_auth_mode": "entra"},
    {**GOOD, "strict_open_ai_compliance": False, "override_params": {"n": 2}},
]


@pytest.mark.parametrize("config", VALID)
def test_valid_configs(config: dict[str, Any]) -> None:
    assert config_errors(config) == []


ERRORS: list[tuple[str, Any, list[str]]] = [
    # -- the object-level refine -----------------------------------------------------------
    ("no api_key", {"provider": "stability-ai"}, [issue("", REFINE)]),
    ("camelCase apiKey alone", {"provider": "stability-ai", "apiKey": "sk-c"}, [issue("", REFINE)]),
    ("virtual_key only", {"virtual_key": "vk-1"}, [issue("", REFINE)]),
    ("empty object", {}, [issue("", REFINE)]),
    ("strategy without targets", {"strategy": FALLBACK}, [issue("", REFINE)]),
    ("targets without strategy", {"targets": [GOOD]}, [issue("", REFINE)]),
    (
        "request_timeout 0 is falsy",
        {"provider": "stability-ai", "request_timeout": 0},
        [issue("", REFINE)],
    ),
    ("one aws key", {"aws_access_key_id": "a"}, [issue("", REFINE)]),
    # -- several issues, reported in the schema's key order --------------------------------
    (
        "schema order, not input order",
        {"request_timeout": "x", "api_key": 2, "provider": 1},
        [
            issue("provider", "Expected string, received number"),
            issue("api_key", "Expected string, received number"),
            issue("request_timeout", "Expected number, received string"),
        ],
    ),
    (
        "enum refines and custom host refine all reported",
        {"custom_host": "http://10.0.0.1", "provider": "nope"},
        [issue("provider", BAD_PROVIDER), issue("", REFINE), issue("", "Invalid custom host")],
    ),
    (
        "dirty strategy, aborted strategy, then provider: no root refine",
        {"provider": "nope", "strategy": {"on_status_codes": ["a"], "mode": "x"}},
        [
            issue("strategy,mode", BAD_MODE),
            issue("strategy,on_status_codes,0", "Expected number, received string"),
            issue("provider", BAD_PROVIDER),
        ],
    ),
    # -- a wrong type aborts: the object refines do not run --------------------------------
    (
        "weight string aborts",
        {"provider": "stability-ai", "weight": "heavy"},
        [issue("weight", "Expected number, received string")],
    ),
    (
        "type error hides the custom host refine",
        {"provider": "stability-ai", "api_key": 1, "custom_host": "http://10.0.0.1"},
        [issue("api_key", "Expected string, received number")],
    ),
    # -- a failed enum refine does not abort -----------------------------------------------
    (
        "bad provider also gets the refine",
        {"provider": "nope"},
        [issue("provider", BAD_PROVIDER), issue("", REFINE)],
    ),
    (
        "bad provider with api_key",
        {"provider": "nope", "api_key": "k"},
        [issue("provider", BAD_PROVIDER)],
    ),
    (
        "bad strategy mode, no targets",
        {"strategy": {"mode": "roundrobin"}},
        [issue("strategy,mode", BAD_MODE), issue("", REFINE)],
    ),
    (
        "bad strategy mode with targets",
        {"strategy": {"mode": "roundrobin"}, "targets": [GOOD]},
        [issue("strategy,mode", BAD_MODE)],
    ),
    ("bad cache mode", {"cache": {"mode": "x"}}, [issue("cache,mode", BAD_CACHE_MODE)]),
    (
        "bad strategy mode then custom host",
        {"strategy": {"mode": "rr"}, "targets": [], "custom_host": "http://169.254.169.254"},
        [issue("strategy,mode", BAD_MODE), issue("", "Invalid custom host")],
    ),
    # -- Required ---------------------------------------------------------------------------
    ("cache without mode", {"cache": {}}, [issue("cache,mode", "Required")]),
    (
        "cache without mode, provider",
        {"provider": "stability-ai", "cache": {}},
        [issue("cache,mode", "Required")],
    ),
    ("retry without attempts", {"retry": {}}, [issue("retry,attempts", "Required")]),
    (
        "measured retry example",
        {**GOOD, "retry": {"on_status_codes": [500]}},
        [issue("retry,attempts", "Required")],
    ),
    (
        "strategy without mode",
        {"strategy": {}, "targets": []},
        [issue("strategy,mode", "Required")],
    ),
    (
        "condition without query",
        {"strategy": {"mode": "conditional", "conditions": [{"then": "a"}]}, "targets": []},
        [issue("strategy,conditions,0,query", "Required")],
    ),
    # -- null is not undefined ---------------------------------------------------------------
    (
        "null api_key",
        {"provider": "stability-ai", "api_key": None},
        [issue("api_key", "Expected string, received null")],
    ),
    (
        "null provider",
        {"provider": None, "api_key": "k"},
        [issue("provider", "Expected string, received null")],
    ),
    (
        "null custom_host",
        {**GOOD, "custom_host": None},
        [issue("custom_host", "Expected string, received null")],
    ),
    ("null retry", {**GOOD, "retry": None}, [issue("retry", "Expected object, received null")]),
    (
        "null targets",
        {"strategy": FALLBACK, "targets": None},
        [issue("targets", "Expected array, received null")],
    ),
    # -- booleans are not numbers, numbers are not booleans ----------------------------------
    (
        "boolean timeout",
        {**GOOD, "request_timeout": True},
        [issue("request_timeout", "Expected number, received boolean")],
    ),
    (
        "boolean weight",
        {**GOOD, "weight": False},
        [issue("weight", "Expected number, received boolean")],
    ),
    (
        "boolean attempts",
        {**GOOD, "retry": {"attempts": True}},
        [issue("retry,attempts", "Expected number, received boolean")],
    ),
    (
        "boolean status code",
        {**GOOD, "on_status_codes": [True]},
        [issue("on_status_codes,0", "Expected number, received boolean")],
    ),
    (
        "numeric compliance flag",
        {**GOOD, "strict_open_ai_compliance": 1},
        [issue("strict_open_ai_compliance", "Expected boolean, received number")],
    ),
    (
        "string retry-after flag",
        {**GOOD, "retry": {"attempts": 1, "use_retry_after_header": "true"}},
        [issue("retry,use_retry_after_header", "Expected boolean, received string")],
    ),
    # -- arrays ----------------------------------------------------------------------------------
    (
        "forward_headers string",
        {**GOOD, "forward_headers": "x-a"},
        [issue("forward_headers", "Expected array, received string")],
    ),
    (
        "every bad element reported",
        {**GOOD, "on_status_codes": [500, "502", None]},
        [
            issue("on_status_codes,1", "Expected number, received string"),
            issue("on_status_codes,2", "Expected number, received null"),
        ],
    ),
    (
        "hooks must be objects",
        {**GOOD, "after_request_hooks": ["h"]},
        [issue("after_request_hooks,0", "Expected object, received string")],
    ),
    (
        "guardrails union",
        {**GOOD, "input_guardrails": [1]},
        [issue("input_guardrails", "Invalid input")],
    ),
    (
        "guardrails mixed",
        {**GOOD, "output_guardrails": ["a", {}]},
        [issue("output_guardrails", "Invalid input")],
    ),
    (
        "service account values are strings",
        {"provider": "vertex-ai", "vertex_region": "r", "vertex_service_account_json": {"a": 1}},
        [issue("vertex_service_account_json,a", "Expected string, received number")],
    ),
    # -- nested targets ----------------------------------------------------------------------
    (
        "bad provider in a target",
        {"strategy": FALLBACK, "targets": [GOOD, {"provider": "nope", "api_key": "k"}]},
        [issue("targets,1,provider", BAD_PROVIDER)],
    ),
    (
        "target without api_key",
        {"strategy": FALLBACK, "targets": [{"provider": "stability-ai"}]},
        [issue("targets,0", REFINE)],
    ),
    (
        "target custom host",
        {"strategy": FALLBACK, "targets": [{**GOOD, "custom_host": "http://10.0.0.1"}]},
        [issue("targets,0", "Invalid custom host")],
    ),
    (
        "target retry",
        {"strategy": FALLBACK, "targets": [{**GOOD, "retry": {}}]},
        [issue("targets,0,retry,attempts", "Required")],
    ),
    (
        "target not an object",
        {"strategy": FALLBACK, "targets": ["stability-ai"]},
        [issue("targets,0", "Expected object, received string")],
    ),
    (
        "nested targets",
        {"strategy": FALLBACK, "targets": [{"strategy": FALLBACK, "targets": [{"provider": "x"}]}]},
        [issue("targets,0,targets,0,provider", BAD_PROVIDER), issue("targets,0,targets,0", REFINE)],
    ),
    (
        "a type error in a target aborts the root",
        {"targets": [{"provider": 1}], "custom_host": "http://10.0.0.1"},
        [issue("targets,0,provider", "Expected string, received number")],
    ),
    (
        "a dirty target does not abort the root",
        {"targets": [{"provider": "nope", "api_key": "k"}], "custom_host": "http://10.0.0.1"},
        [
            issue("targets,0,provider", BAD_PROVIDER),
            issue("", REFINE),
            issue("", "Invalid custom host"),
        ],
    ),
    # -- vertex ------------------------------------------------------------------------------
    ("vertex without region", {"provider": "vertex-ai", "api_key": "k"}, [issue("", VERTEX)]),
    (
        "vertex without anything",
        {"provider": "vertex-ai"},
        [issue("", REFINE), issue("", VERTEX)],
    ),
    # -- the root is not an object ------------------------------------------------------------
    ("array root", [], [issue("", "Expected object, received array")]),
    ("null root", None, [issue("", "Expected object, received null")]),
    ("string root", "stability-ai", [issue("", "Expected object, received string")]),
    ("number root", 1, [issue("", "Expected object, received number")]),
    ("boolean root", True, [issue("", "Expected object, received boolean")]),
]


@pytest.mark.parametrize(("case", "config", "errors"), ERRORS, ids=[case for case, _, _ in ERRORS])
def test_config_errors(case: str, config: Any, errors: list[str]) -> None:
    assert config_errors(config) == errors


def test_provider_message_lists_every_provider_in_order() -> None:
    (error,) = config_errors({"provider": "nope", "api_key": "k"})
    listed = error.removeprefix(
        "path: provider, message: Invalid 'provider' value. Must be one of: "
    )
    assert listed.split(", ") == list(VALID_PROVIDERS)
    assert listed.startswith("anthropic, anyscale, azure-openai")
    assert listed.endswith("ovhcloud")


# --- parse_config_json: JSON.parse ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "NaN",
        "Infinity",
        "-Infinity",
        '{"request_timeout":NaN}',
        '{"request_timeout":Infinity}',
        '{"retry":{"attempts":-Infinity}}',
        "[NaN]",
        "pc-abc123",
        "",
        "{'a':1}",
        '{"a":1,}',
    ],
)
def test_parse_config_json_rejects_what_json_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_config_json(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"provider":"stability-ai"}', {"provider": "stability-ai"}),
        (' {"a": [1, 2.5, null, true]} ', {"a": [1, 2.5, None, True]}),
        ('{"a":1,"a":2}', {"a": 2}),  # the last duplicate wins, as in JS
        ("null", None),
        ('"x"', "x"),
    ],
)
def test_parse_config_json_accepts_json(text: str, value: Any) -> None:
    assert parse_config_json(text) == value


def test_parse_config_json_nested_overflow_is_infinity() -> None:
    assert parse_config_json('{"a":1e400}') == {"a": math.inf}


def test_parse_config_json_top_level_overflow_is_infinity() -> None:
    # JSON.parse('1e400') === Infinity: an overflowing literal is not a syntax error.
    assert parse_config_json("1e400") == math.inf
