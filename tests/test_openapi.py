from __future__ import annotations

import io
import json

import pytest
from openapi_spec_validator import validate

from mock_gateway.cli import parse_args, run
from mock_gateway.contract_tools import contracts
from mock_gateway.contract_tools.openapi import component_name, openapi_document
from tests.conftest import MockClient


def test_the_document_is_valid_openapi_3_1_and_embeds_every_contract() -> None:
    document = openapi_document()
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema
    assert document["openapi"] == "3.1.0"
    assert set(document["components"]["schemas"]) == {
        component_name(n) for n in contracts.contract_names()
    }
    routes = {
        "/v1/images/generations",
        "/v1/generation/{engine_id}/text-to-image",
        "/v1/v2beta/stable-image/generate/{endpoint}",
        "/v1/engines/list",
    }
    assert routes <= set(document["paths"])
    assert "$id" not in json.dumps(document["components"])


def test_served_at_openapi_json(client: MockClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(openapi_document()))


def test_cli_prints_it_and_lists_contracts() -> None:
    out = io.StringIO()
    assert run(parse_args(["openapi"]), stdout=out) == 0
    assert json.loads(out.getvalue())["openapi"] == "3.1.0"
    listing = io.StringIO()
    assert run(parse_args(["contracts"]), stdout=listing) == 0
    names = [line.split()[0] for line in listing.getvalue().splitlines()]
    assert names == contracts.contract_names()


def test_python_api() -> None:
    assert contracts.load("portkey/not-found.json")["title"]
    contracts.validate("portkey/not-found.json", {"message": "Not Found", "ok": False})
    with pytest.raises(contracts.ContractError) as caught:
        contracts.validate("stability/v1-error.json", {"id": 1, "name": "x"})
    assert [str(problem) for problem in caught.value.errors] == [
        "/: 'message' is a required property",
        "/id: 1 is not of type 'string'",
    ]
    assert contracts.iter_errors(
        "openai/images-request.json", {"prompt": "x", "style": "vivid"}, "gpt-image-1"
    )
    with pytest.raises(KeyError, match="no contract"):
        contracts.load("nope.json")
