"""An alert list to open: what the dashboard (or another screen) asks the Alerts tab to
show when one of its figures is clicked."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AlertQuery:
    """Which alerts to list; empty fields do not narrow."""

    severities: frozenset[str] = frozenset()
    # A key of views.item_models.alert_list_model.STATUS_FILTERS ("active" by default).
    status: str = "active"
    # The alert's age in whole days of 24 hours since it was raised (one raised after now
    # is 0 days old), [min, max] inclusive: services.alerts.records.ALERT_AGE_BUCKETS.
    min_age_days: int | None = None
    max_age_days: int | None = None
    # What the list is, in words ("Critical cards of alerts raised 8-30 days ago").
    title: str = ""
