"""Data freshness's settings (declared here, gathered into services.settings.SETTINGS).

- ``freshness.cadence_days``: how often every source is expected to be imported, in days;
  0 learns each source's cadence from the gaps between its imports
  (services/freshness/report.py).
- ``freshness.source_cadence_days``: a source's own expected cadence, by the format its
  files are imported in ({"shopify_orders": 7}); set with ``config set`` or by IT, it
  wins over the one above.
"""

from __future__ import annotations

from typing import Any

from services.core.setting_spec import SettingSpec

GROUP = "Data freshness"
MAX_CADENCE_DAYS = 365


def source_cadences_problem(value: Any) -> str | None:
    """What is wrong with a table of sources' cadences, in plain words (the setting's check)."""
    for key, days in dict(value).items():
        if not isinstance(key, str) or not key.strip():
            return "each source is named by its format, e.g. shopify_orders"
        if isinstance(days, bool) or not isinstance(days, int | float):
            return f"the cadence of {key} must be a number of days"
        if not 1 <= days <= MAX_CADENCE_DAYS:
            return f"the cadence of {key} must be between 1 and {MAX_CADENCE_DAYS} days"
    return None


FRESHNESS_SPECS = (
    SettingSpec("freshness.cadence_days", int, 0, "Expected import cadence", None, GROUP,
                "days", 0, MAX_CADENCE_DAYS, page="Dates",
                help="How often each source (a Shopify export, a CRM's contacts, tickets...) "
                "is expected to be imported. At 0 each source's cadence is learned from the "
                "gaps between its past imports. A source that misses it is late; one with no "
                "new records for much longer than usual is stale, and the dashboard, the "
                "digest and scoring say so."),
    SettingSpec("freshness.source_cadence_days", dict, {}, "Expected import cadence of a "
                "source, in days, by the format it is imported in (e.g. shopify_orders: 7)",
                source_cadences_problem, GROUP, hidden=True, max_length=1_000),
)  # fmt: skip
