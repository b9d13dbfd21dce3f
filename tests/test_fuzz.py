"""Schemathesis against the app's own /openapi.json, in process: valid and invalid requests
generated from the document, every answer checked against the status codes and schemas it
declares, and no 500 of our own (the gateway's modelled 500s are faithful, so the check is
the mock's bug markers, not the status).
"""

from __future__ import annotations

from typing import Any

import pytest
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
# Requests per operation and generation mode (simple operations stop sooner). Generation, not
# the app, is the cost (cProfile: ~90% in schemathesis's strategies), and the multipart
# Stability operations draw ~5x slower than the JSON ones, so they get fewer examples: the
# run stays at >= 1,000 requests for /openapi.json (issue 8) in about a minute of CPU, split
# into shards that xdist spreads over the workers.
EXAMPLES = 70
SLOW_EXAMPLES = 20
SLOW = ("/text-to-image", "/image-to-image", "/edit/", "/upscale/", "/control/")
SHARDS = 2
MINIMUM = 1_000  # over the shards of /openapi.json
CONTROL_EXAMPLES = 25
CONTROL_MINIMUM = 500


def _examples(label: str) -> int:
    return SLOW_EXAMPLES if any(part in label for part in SLOW) else EXAMPLES


def _run(operation: Any, mode: GenerationMode, counter: list[int], examples: int) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
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


def _fuzz(document: str, shard: int, shards: int, examples: int | None) -> tuple[int, int]:
    """Fuzz one shard of ``document``'s operations, both generation modes: (requests, operations).

    The operations are dealt in a snake order (0, 1, 1, 0, ...), the costliest first, so the
    shards get like shares of requests and of drawing time.
    """
    app = create_app(strict_responses=True)
    schema = schemathesis.openapi.from_asgi(document, app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    ordered = sorted(operations, key=lambda op: (-_examples(op.label), op.label))
    snake = [
        i % shards if i // shards % 2 == 0 else shards - 1 - i % shards for i in range(len(ordered))
    ]
    counter = [0]
    for operation, dealt in zip(ordered, snake, strict=True):
        if dealt == shard:
            for mode in GenerationMode:
                _run(operation, mode, counter, examples or _examples(operation.label))
    assert not app.state.mock.errors
    return counter[0], len(operations)


@pytest.mark.parametrize("shard", range(SHARDS))
def test_schemathesis_finds_nothing_across_a_thousand_requests(shard: int) -> None:
    requests, operations = _fuzz("/openapi.json", shard, SHARDS, None)
    assert operations >= 9
    # Each shard carries its share of the 1,000: the total is checked shard by shard.
    assert requests >= MINIMUM // SHARDS, f"only {requests} requests were generated"
    print(f"schemathesis shard {shard}: {requests} requests of {operations} operations")


def test_schemathesis_finds_nothing_in_the_control_api() -> None:
    # The mock's own routes, from their own document (/_mock/openapi.json): every answer as
    # declared, no 500 of ours, whatever is sent.
    requests, operations = _fuzz("/_mock/openapi.json", 0, 1, CONTROL_EXAMPLES)
    assert operations >= 12
    assert requests >= CONTROL_MINIMUM, f"only {requests} requests"
    print(f"schemathesis (controls): {requests} requests of {operations} operations")
