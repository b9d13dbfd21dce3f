"""Hypothesis profiles for the example project: CI derandomized and bounded, dev wider.

The ``portkey_mock`` fixture is function-scoped and reset by the tests for every example,
so Hypothesis's function-scoped-fixture health check is switched off here.
"""

import os

from hypothesis import HealthCheck, Phase, settings

_QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
# CI wants each failure shrunk. Hypothesis's explain phase (which lines only failing cases
# ran, which arguments did not matter) traces every line and re-runs the shrunk case
# hundreds of times: two thirds of this suite's time on Python 3.11. dev and long keep it.
_CI_PHASES = [phase for phase in Phase if phase is not Phase.explain]
settings.register_profile("ci", max_examples=60, derandomize=True, deadline=None,
                          phases=_CI_PHASES, suppress_health_check=_QUIET)  # fmt: skip
settings.register_profile("dev", max_examples=60, deadline=None, suppress_health_check=_QUIET)
settings.register_profile("long", max_examples=1000, deadline=None, suppress_health_check=_QUIET)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
