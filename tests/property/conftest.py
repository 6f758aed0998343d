"""Hypothesis profiles for the property suites (bad input, thousands of times).

``ci`` (the default) keeps each suite to seconds on a shared 2-CPU machine; ``thorough``
(``HYPOTHESIS_PROFILE=thorough``) throws ten times as many cases for a night run. No example
database is kept: the suites must not leave files behind in the repository.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# The schema template of the integration tests, so these suites build their databases the
# same way (and follow it when it moves to migrations).
from tests.integration.conftest import sqlite_schema_template  # noqa: F401

_COMMON = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}
settings.register_profile("ci", max_examples=300, **_COMMON)
settings.register_profile("thorough", max_examples=3000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
