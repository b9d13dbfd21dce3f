"""Schemathesis against the app's own /openapi.json, in process: valid and invalid requests
generated from the document, every answer checked against the status codes and schemas it
declares, and no 500 of our own (the gateway's modelled 500s are faithful, so the check is
the mock's bug markers, not the status).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from mock_gateway import create_app
from tests.conftest import PORTKEY_KEY

try:
    import schemathesis
    from schemathesis import GenerationMode, checks
except ImportError as missing:  # fail loudly, saying what to install
    raise ImportError("install the test extra: python -m pip install -e '.[test]'") from missing

# Checked per answer. Left out: unsupported_method (Hono answers 404, not 405, for a method no
# route takes: faithful) and the data acceptance checks (the gateway forwards what it is sent
# and the provider decides, so invalid data may well get a 200 or a 500 from the gateway).
CHECKS = [
    checks.response_schema_conformance,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
]
EXAMPLES = 200  # per operation and generation mode; simple operations stop sooner
MINIMUM = 1_000


def _run(operation: Any, mode: GenerationMode, counter: list[int]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same requests every run: CI is reproducible
        suppress_health_check=list(HealthCheck),
    )
    def test(case: Any) -> None:
        counter[0] += 1
        response = case.call(headers={"x-portkey-api-key": PORTKEY_KEY})
        assert "x-mock-internal-error" not in response.headers, response.text
        assert "x-mock-contract-violation" not in response.headers, response.text
        case.validate_response(response, checks=CHECKS)

    try:
        test()
    except Unsatisfiable:
        # An operation with no inputs (GET /, GET /_mock/health) has no invalid request.
        assert mode is GenerationMode.NEGATIVE, operation.label


def test_schemathesis_finds_nothing_across_a_thousand_requests() -> None:
    app = create_app(strict_responses=True)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    counter = [0]
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 9
    for operation in operations:
        for mode in GenerationMode:
            _run(operation, mode, counter)
    assert not app.state.mock.errors
    assert counter[0] >= MINIMUM, f"only {counter[0]} requests were generated"
    print(f"schemathesis: {counter[0]} requests, {len(operations)} operations")


def test_schemathesis_finds_nothing_in_the_control_api() -> None:
    # The mock's own routes, from their own document (/_mock/openapi.json): every answer as
    # declared, no 500 of ours, whatever is sent.
    app = create_app(strict_responses=True)
    schema = schemathesis.openapi.from_asgi("/_mock/openapi.json", app)
    counter = [0]
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 12
    for operation in operations:
        for mode in GenerationMode:
            _run(operation, mode, counter)
    assert not app.state.mock.errors
    assert counter[0] >= 500, f"only {counter[0]} requests were generated"
    print(f"schemathesis (controls): {counter[0]} requests, {len(operations)} operations")
