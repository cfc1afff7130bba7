"""Conventions that measures, labels and the input checks share, in a module of their own so
that the checks (``policy.validation``, which ``war`` and ``negotiate`` use) load without the
measures' pydantic models.
"""

from __future__ import annotations

__all__ = ["ALL_OTHERS", "MAX_RATE"]

# A measure's partner list ``["*"]``: every country but the imposer.
ALL_OTHERS = "*"
# Rates are fractions (0.25 = 25%). Real tariffs reached 1.45 (145%) in April 2025;
# a rate above 10 (1,000%) is far more likely a percentage typed by mistake.
MAX_RATE = 10.0
