"""The records of NPS and CSAT over time and their change after outreach
(services/learn/satisfaction.py computes them) and their wording: plain data, free of the
database, so views can show them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from services.core.formatting import plural

NPS = "nps"
CSAT = "csat"
MEASURES = (NPS, CSAT)
MEASURE_TITLES = {NPS: "NPS", CSAT: "CSAT"}
ALL_OWNERS = "all"


@dataclass(frozen=True)
class MonthScore:
    """NPS and CSAT of one local month (or of a whole period).

    ``nps``: % promoters - % detractors (-100..100) of ``nps_responses`` customers (each
    customer's latest answer); ``csat``: the share (0..1) of ``csat_responses`` rated
    tickets rated good. None when there is no answer."""

    month: str  # "2026-03"; "" for a whole period
    nps_responses: int
    promoters: int
    detractors: int
    csat_responses: int
    satisfied: int

    @property
    def nps(self) -> float | None:
        if not self.nps_responses:
            return None
        return 100.0 * (self.promoters - self.detractors) / self.nps_responses

    @property
    def passives(self) -> int:
        return self.nps_responses - self.promoters - self.detractors

    @property
    def csat(self) -> float | None:
        return self.satisfied / self.csat_responses if self.csat_responses else None


@dataclass(frozen=True)
class ArmChange:
    """One arm's answers before and after its alerts: the alerts with both (paired), the
    mean answer before and after, and the mean change (NPS on its 0-10 scale; CSAT as a
    share, satisfied 1 and not 0)."""

    group: str  # services.learn.attribution.CONTACTED / HOLDOUT
    alerts: int
    paired: int
    mean_before: float | None
    mean_after: float | None
    mean_change: float | None
    customer_ids: tuple[int, ...] = ()  # the paired alerts' customers, ascending

    @property
    def response_rate(self) -> float | None:
        """The share of the arm's alerts with an answer both before and after."""
        return self.paired / self.alerts if self.alerts else None


@dataclass(frozen=True)
class ChangeAfterOutreach:
    """The change of one measure after outreach, the contacted against the held out:
    ``difference`` = contacted's mean change - held out's, with its interval."""

    measure: str  # NPS or CSAT
    contacted: ArmChange
    holdout: ArmChange
    difference: float | None
    low: float | None
    high: float | None
    confidence: float
    min_paired: int
    before_days: int
    after_days: int

    @property
    def enough(self) -> bool:
        """Both arms have at least ``min_paired`` alerts with an answer before and after."""
        return min(self.contacted.paired, self.holdout.paired) >= self.min_paired

    @property
    def fewest_paired(self) -> int:
        return min(self.contacted.paired, self.holdout.paired)


@dataclass(frozen=True)
class SatisfactionReport:
    """NPS and CSAT per local month (overall and per owner), over the whole period, and
    their change after outreach against the holdout."""

    months: tuple[str, ...]
    overall: tuple[MonthScore, ...]  # one per month
    by_owner: Mapping[str, tuple[MonthScore, ...]]
    period: MonthScore  # the whole period, each customer's latest NPS answer in it
    nps_change: ChangeAfterOutreach
    csat_change: ChangeAfterOutreach
    since: dt.date
    until: dt.date
    zone: str = "UTC"
    owners: tuple[str, ...] = field(default=())
    owner_period: Mapping[str, MonthScore] = field(default_factory=dict)

    def series(self, owner: str = ALL_OWNERS) -> tuple[MonthScore, ...]:
        """The months of one owner's customers (``ALL_OWNERS``: everyone)."""
        if owner == ALL_OWNERS:
            return self.overall
        return self.by_owner.get(owner, tuple(MonthScore(m, 0, 0, 0, 0, 0) for m in self.months))

    def change(self, measure: str) -> ChangeAfterOutreach:
        return self.nps_change if measure == NPS else self.csat_change


def month_label(month: str) -> str:
    """ "2026-03" as people read it: "Mar 2026"."""
    return dt.date.fromisoformat(f"{month}-01").strftime("%b %Y")


def nps_text(value: float | None) -> str:
    """An NPS as a whole number with its sign ("+23", "-8", "–" when there is none)."""
    if value is None:
        return "–"
    rounded = round(value)
    return f"{rounded:+d}" if rounded else "0"


def csat_text(value: float | None) -> str:
    """A CSAT as a whole percentage ("–" when there is none)."""
    return "–" if value is None else f"{round(value * 100)}%"


def change_value_text(measure: str, value: float | None) -> str:
    """A change in the measure's units: NPS points on 0-10 ("+0.8"), CSAT in percentage
    points ("+4 pts")."""
    if value is None:
        return "–"
    if measure == NPS:
        return f"{value:+.1f}".replace("+0.0", "0.0").replace("-0.0", "0.0")
    points = round(value * 100)
    return f"{points:+d} pts" if points else "0 pts"


def change_headline(change: ChangeAfterOutreach) -> str:
    """The tile's sentence: "+0.8 points against the holdout (95% CI 0.2 to 1.4)" or
    "Not enough data: 12 paired answers, at least 20 needed"."""
    if not change.enough or change.difference is None:
        return (
            f"Not enough data: {plural(change.fewest_paired, 'paired answer')}, "
            f"at least {change.min_paired:,} needed"
        )
    ci = round(change.confidence * 100)
    low = change_value_text(change.measure, change.low).replace(" pts", "")
    high = change_value_text(change.measure, change.high)
    unit = "points" if change.measure == NPS else "percentage points"
    value = change_value_text(change.measure, change.difference).replace(" pts", "")
    high = high.replace(" pts", "")
    return f"{value} {unit} against the holdout ({ci}% CI {low} to {high})"
