"""Provider adapters: client request -> upstream request, upstream answer -> client answer.

Each adapter module offers ``PROVIDER``, ``BASE_URL``, ``to_upstream(params, *, api_key,
base_url, boundary, has_body)`` and ``client_body(response, params, created)``.
"""

from __future__ import annotations

from types import ModuleType

from mock_gateway.adapters import openai, stability

__all__ = ["ADAPTERS"]

ADAPTERS: dict[str, ModuleType] = {module.PROVIDER: module for module in (stability, openai)}
