"""The JSON-Schema contracts: a public import path kept for users.

The code lives in ``mock_gateway.contract_tools.contracts``; this name is the same module object,
so ``mock_gateway.contracts.X`` and ``mock_gateway.contract_tools.contracts.X`` are one thing.
"""

from __future__ import annotations

import sys

from mock_gateway.contract_tools import contracts as _contracts
from mock_gateway.contract_tools.contracts import *  # noqa: F403  (the names, for type checkers)

sys.modules[__name__] = _contracts
