"""Settings for the whole suite.

Under ``CI=true`` Hypothesis runs derandomized (the same examples on every run, no example
database): a CI verdict must not depend on luck. Locally it explores new examples each run, so
a rare case still turns up during development (then it is fixed or kept as an ``@example``).
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
    settings.load_profile("ci")
