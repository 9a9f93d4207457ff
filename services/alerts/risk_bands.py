"""The churn-risk bands, defined once: low under 30%, medium 30% to 60%, high from 60%.

Learn's holdout draws within these bands (``services.alerts.holdout``), the Customers
filter bar offers them and the customers table colours churn risk by them;
docs/user-guide.md names them the same way. The high band starts at the default of the
high-risk rule's threshold (setting ``alerts.high_risk_high_value.min_churn_risk``,
60%), which the dashboard's "at risk" also uses; ``risk_bands(high)`` builds the bands
for another threshold.

Views may import this module (a test loads every view with the database libraries
blocked), so it imports the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass

# Band edges on churn risk (0-1): medium from the first, high from the second.
RISK_MEDIUM_FROM = 0.30
RISK_HIGH_FROM = 0.60
UNSCORED = "unscored"


@dataclass(frozen=True)
class RiskBand:
    """A churn-risk band: ``[low, high)`` on churn risk (0-1), the top band including 1."""

    key: str  # "low", "medium", "high" (models.vocab.RISK_BANDS)
    label: str  # "Medium (30% to 60%)"
    low: float
    high: float

    @property
    def range(self) -> tuple[float, float]:
        """(low, high), as a filter range."""
        return self.low, self.high

    def holds(self, churn: float) -> bool:
        """True when the churn risk lies in this band."""
        return self.low <= churn < self.high or (self.high >= 1.0 and churn == 1.0)


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def risk_bands(
    high: float = RISK_HIGH_FROM, medium: float = RISK_MEDIUM_FROM
) -> tuple[RiskBand, ...]:
    """The three bands, highest first, for these edges (0-1)."""
    return (
        RiskBand("high", f"High ({_percent(high)} or more)", high, 1.0),
        RiskBand("medium", f"Medium ({_percent(medium)} to {_percent(high)})", medium, high),
        RiskBand("low", f"Low (under {_percent(medium)})", 0.0, medium),
    )


# "At risk", defined once for every surface (the dashboard, Results, the lifecycle stages,
# the review packs, Ask): a churn risk at or above the high-risk rule's threshold (the
# high band's start, 60% by default), not counting the customers already gone (segment
# Lost), whom no call will keep. ``is_at_risk`` says it for one customer;
# services.alerts.at_risk for many, with the workspace's threshold.
NOT_AT_RISK_SEGMENTS = frozenset({"Lost"})
AT_RISK_WORDS = (
    "churn risk at or above the high-risk rule's threshold, not counting the Lost segment"
)


def is_at_risk(churn: float | None, segment: str | None, threshold: float = RISK_HIGH_FROM) -> bool:
    """True when a customer with this churn risk (0-1, None or NaN: unscored) and RFM
    segment counts as at risk at this threshold."""
    if churn is None or churn != churn:
        return False
    return churn >= threshold and (segment or "") not in NOT_AT_RISK_SEGMENTS


def at_risk_sql(churn: str, segment: str, threshold: str) -> str:
    """``is_at_risk`` in SQL: a condition true for a customer at risk, given the SQL of their
    churn risk, segment and the threshold (a bind such as ``:threshold``, ``?``, or a
    literal). NULL churn risk (unscored) is never at risk, as above."""
    gone = ", ".join("'" + s.replace("'", "''") + "'" for s in sorted(NOT_AT_RISK_SEGMENTS))
    return f"({churn} >= {threshold} AND coalesce({segment}, '') NOT IN ({gone}))"


RISK_BANDS: tuple[RiskBand, ...] = risk_bands()
RISK_BAND_BY_KEY = {band.key: band for band in RISK_BANDS}


def risk_band(churn: float | None) -> str:
    """The key of the band of a churn risk (0-1; None or NaN: "unscored")."""
    if churn is None or churn != churn:
        return UNSCORED
    if churn < RISK_MEDIUM_FROM:
        return "low"
    return "medium" if churn < RISK_HIGH_FROM else "high"
