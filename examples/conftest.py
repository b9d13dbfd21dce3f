"""Hypothesis profiles for the example project: CI derandomized and bounded, dev wider.

The ``portkey_mock`` fixture is function-scoped and reset by the tests for every example,
so Hypothesis's function-scoped-fixture health check is switched off here.
"""

import os

from hypothesis import HealthCheck, settings

_QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
settings.register_profile("ci", max_examples=60, derandomize=True, deadline=None,
                          suppress_health_check=_QUIET)  # fmt: skip
settings.register_profile("dev", max_examples=60, deadline=None, suppress_health_check=_QUIET)
settings.register_profile("long", max_examples=1000, deadline=None, suppress_health_check=_QUIET)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
