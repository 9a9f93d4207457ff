"""The incentive cap, defined once: the most an offer to a customer may be worth.

The cap is the customer's predicted T-month value (services/core/clv_words.py) times the
setting ``outreach.incentive_cap_percent`` (a percent: 10 means 10%), rounded down to whole
currency units (nobody offers the cents; under one unit it stays as it is). The email
drafts (services/outreach/context.py, their checks and templates) and the next-step card
of an alert (services/alerts/next_step.py) all take it from ``incentive_cap_cents`` and
name the share with ``cap_percent_words``, so they state the same amount and percent.

Standard library only: the alerts services and the window may import it.
"""

from __future__ import annotations

import math

INCENTIVE_CAP_SETTING = "outreach.incentive_cap_percent"


def incentive_cap_cents(value_cents: float | None, percent: float) -> int | None:
    """The cap in cents for a T-month value (cents) and the setting's percent; None
    when there is no positive value or the percent is 0 (no offer at all)."""
    if value_cents is None or not math.isfinite(value_cents) or value_cents <= 0:
        return None
    if not math.isfinite(percent) or percent <= 0:
        return None
    exact = math.floor(value_cents * percent / 100)
    cap = exact - exact % 100 if exact >= 100 else exact
    return cap or None


def cap_percent_words(percent: float) -> str:
    """The setting's percent as the cap's wording names it: "10%", "12.5%"."""
    return f"{percent:g}%"
