"""The customer value's horizon (T months, setting ``scoring.clv_months``) and its name.

The stored column is ``clv_12m_cents`` for every run; its meaning is the predicted revenue
over the T months recorded in that run's parameters (``params["clv_months"]``; runs from
before the setting have none and were made over 12). Every surface names the value with
:func:`value_label`, from the T of the run it shows, so an old run keeps its own name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULT_CLV_MONTHS = 12
MAX_CLV_MONTHS = 60
DAYS_PER_MONTH = 30.4


def clv_days(months: int) -> int:
    """The value's horizon in days: T months of 30.4 days (12 months: 365 days)."""
    return round(months * DAYS_PER_MONTH)


def value_label(months: int | None = None) -> str:
    """The value's name: "12-month value" (T = 12), "24-month value" (T = 24)."""
    return f"{months or DEFAULT_CLV_MONTHS}-month value"


def run_clv_months(params: Mapping[str, Any] | None) -> int:
    """The T of a scoring run from its parameters (12 for runs made before the setting)."""
    value = (params or {}).get("clv_months")
    return int(value) if isinstance(value, int | float) and value >= 1 else DEFAULT_CLV_MONTHS
