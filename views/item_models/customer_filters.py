"""Which customers the Customers table shows: a filter the table applies, a saved view
keeps, and the dashboard sends when one of its figures is clicked.

The filter itself, its JSON and the rows it keeps are one definition in
services/core/customer_filter.py (a team filter and a segment rule read the
same); here are the bands the filter bar offers (``RISK_BANDS``, ``HEALTH_BANDS``).
"""

from __future__ import annotations

from dataclasses import dataclass

from services.alerts.risk_bands import RISK_BANDS as CHURN_RISK_BANDS
from services.alerts.risk_bands import RISK_HIGH_FROM, RISK_MEDIUM_FROM
from services.core.customer_filter import RANGE_TOPS as RANGE_TOPS
from services.core.customer_filter import CustomerFilter as CustomerFilter
from services.core.customer_filter import Range as Range
from services.core.customer_filter import describe_range as describe_range
from services.core.customer_filter import filter_from_json as filter_from_json
from services.core.customer_filter import filter_mask as filter_mask
from services.core.customer_filter import filter_to_json as filter_to_json
from services.core.customer_filter import in_range as in_range

# Churn risk shown as high from 60% (the critical tone in the table) and as medium from 30%:
# the bands of services.alerts.risk_bands, which Learn's holdout draws within too.
RISK_HIGH = RISK_HIGH_FROM
RISK_MEDIUM = RISK_MEDIUM_FROM


@dataclass(frozen=True)
class Band:
    """A named range the filter bar offers (``key`` is stable, ``label`` is shown)."""

    key: str
    label: str
    short: str  # on the filter button: "Risk: high"
    range: Range


RISK_BANDS: tuple[Band, ...] = tuple(
    Band(band.key, band.label, band.key, band.range) for band in CHURN_RISK_BANDS
)
HEALTH_BANDS: tuple[Band, ...] = (
    Band("poor", "Poor (under 40)", "poor", (0.0, 40.0)),
    Band("fair", "Fair (40 to 70)", "fair", (40.0, 70.0)),
    Band("good", "Good (70 or more)", "good", (70.0, 100.0)),
)
