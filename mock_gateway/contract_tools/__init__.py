"""Contract tooling: the JSON-Schema contracts loaded, checked fast or strictly, per route, as
OpenAPI, and ``mock-portkey check``. The schemas themselves live in the top-level ``contracts/``."""
