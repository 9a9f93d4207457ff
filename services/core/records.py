"""What the customer queries return: frozen records the window can hold and show.

Kept apart from services/usecases/customers.py so that views can import them without loading
SQLAlchemy (a test imports every view with the database libraries blocked).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

# The RFM segments, best first: re-exported for the views (which never import models).
from models.vocab import SEGMENTS as SEGMENTS

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class TimelineEvent:
    """One dated thing in a customer's history, ready to show."""

    when: dt.datetime
    kind: str
    title: str
    detail: str = ""
    amount: float | None = None
    currency: str | None = None  # of ``amount`` (ISO code); None: the home currency
    # The conversation it is (an interaction's id), which the window opens; None for others.
    conversation_id: int | None = None


@dataclass(frozen=True)
class OpportunitySummary:
    """An open deal in the pipeline for one customer."""

    id: int
    name: str
    type: str | None
    stage: str | None
    amount: float | None
    probability: float | None
    close_date: dt.date | None
    owner: str | None
    currency: str = "USD"  # of ``amount``


@dataclass(frozen=True, eq=False)
class CustomerDetail:
    """Everything the detail pane shows about one customer (no live ORM objects)."""

    id: int
    name: str  # the account's name (services/core/account_names.py)
    email: str | None  # the account's own address (None when it left with its person)
    company: str | None
    phone: str | None
    owner: str | None
    tier: str | None
    region: str | None
    signup_date: dt.date | None
    do_not_contact: bool
    paid_orders: int
    revenue: float
    last_order: dt.datetime | None
    avg_gap_days: float | None
    orders: pd.DataFrame = field(repr=False)
    timeline: tuple[TimelineEvent, ...] = ()
    open_opportunities: tuple[OpportunitySummary, ...] = ()
    # ``revenue`` and the orders' "amount" are in this (home) currency, converted with the
    # user's rates; paid revenue in a currency with no rate is apart: code -> units.
    currency: str = "USD"
    revenue_left_out: dict[str, float] = field(default_factory=dict)
    # The account the customer belongs to (a HubSpot company): (label, value) pairs such
    # as ("Industry", "Sports"), from the "company_*" attributes.
    company_details: tuple[tuple[str, str], ...] = ()
    # Why no email may go to them now (do not contact, unsubscribed, the quiet period after
    # contact), and when that quiet period ends (a user may end it sooner, with a reason).
    outreach_blocked: str | None = None
    quiet_until: dt.datetime | None = None
    # In Learn's holdout (an active alert held out, not contacted anyway): an email asks why.
    holdout: bool = False
    # The lifecycle stage and which health profile applies, in a line; why, in its tip
    # (services/lifecycle/customer.py). Empty when not read.
    stage_line: str = ""
    stage_tip: str = ""
    # When the customer opted out of activity tracking (services/people/tracking.py), and
    # the pane's sentence for it; None when they did not.
    tracking_opted_out_at: dt.datetime | None = None
    tracking_words: str | None = None
    # Who stands for the account, under its name: "Dana Cole (decision maker)"; "" when
    # the account is its person (services/core/account_names.py, never someone who left).
    person: str = ""


@dataclass(frozen=True)
class WorkspaceSummary:
    """Row counts and the demo marker of a workspace (orders, interactions and opportunities
    None when not counted: the window's status bar needs only the customers)."""

    customers: int
    orders: int | None
    interactions: int | None
    opportunities: int | None
    is_demo: bool
    demo_info: dict[str, Any] | None = None


class CustomerNotFoundError(LookupError):
    """The customer id does not exist (any more) in the workspace."""


# --- scoring (services/scoring) ----------------------------------------------------------

# How sure the scores of a customer are, from the most to the least (ScoreSnapshot.confidence).
CONFIDENCES = ("high", "medium", "low")

# How the chosen churn model is named in summaries and reports.
CHURN_MODEL_NAMES = {
    "gbm": "gradient-boosted classifier",
    "bgnbd": "BG/NBD",
    "pnbd": "Pareto/NBD",
    "blend": "blend of the classifier and BG/NBD",
    "blend_pnbd": "blend of the classifier and Pareto/NBD",
    "recency": "recency",
}
# The order the backtest table lists them in; the models that include the classifier.
CHURN_MODEL_ORDER = ("gbm", "blend", "blend_pnbd", "bgnbd", "pnbd", "recency")
WITH_CLASSIFIER = ("gbm", "blend", "blend_pnbd")


@dataclass(frozen=True)
class Driver:
    """One directional reason behind a customer's scores, in plain words with numbers."""

    text: str  # "no order in 142 days; usual gap 35 days"
    direction: str  # "risk" (pushes churn risk up) or "good" (pulls it down)
    weight: float  # 0..1 importance, for ordering and bar length


@dataclass(frozen=True)
class ScoringSummary:
    """What one scoring run did, and how its churn model backtested."""

    run_id: int
    as_of: dt.date
    horizon_days: int
    customers: int
    chosen_model: str  # a key of CHURN_MODEL_NAMES
    auc: float | None
    brier: float | None
    lift_top_decile: float | None
    bridged: str | None  # how a horizon longer than the history was bridged, in words
    seconds: float
    reason: str = ""  # why the chosen model was chosen, in words
    # Backtest figures of the other models: {"bgnbd": {"auc", "brier", "lift_top_decile"}, ...}
    baseline: dict[str, dict[str, float]] = field(default_factory=dict)
    backtest_cutoff: dt.date | None = None
    backtest_horizon_days: int | None = None
    bgnbd: dict[str, float] = field(default_factory=dict)
    gamma_gamma: dict[str, float] = field(default_factory=dict)
    paretonbd: dict[str, float] = field(default_factory=dict)  # when part of the chosen model
    notes: tuple[str, ...] = ()
    # The classifier's top features by share of split gain (empty without a classifier).
    importance: dict[str, float] = field(default_factory=dict)
    currency: str = "USD"  # money figures of the run are in this (home) currency
    # BG/NBD's predicted orders over the backtest window against the real ones:
    # {"customers", "predicted", "actual", "rmse", "correlation", "bias"}; empty without.
    orders_backtest: dict[str, Any] = field(default_factory=dict)
    # The sources late or stale when it was scored, a sentence each (services/freshness):
    # the scores were computed on data that is not current.
    stale_sources: tuple[str, ...] = ()

    @property
    def stale_words(self) -> str:
        """'' when the data was current; else that it was not, and how many sources."""
        if not self.stale_sources:
            return ""
        n = len(self.stale_sources)
        which = "a source that is" if n == 1 else f"{n} sources that are"
        return f"Scored on stale data: {which} late or stale."

    def lines(self) -> list[str]:
        """The printable summary (what `score` prints)."""
        out = [
            f"Scored {self.customers:,} customers as of {self.as_of.isoformat()} for the next "
            f"{self.horizon_days} days in {self.seconds:.1f} s (run {self.run_id})."
        ]
        if self.stale_sources:
            out.append(self.stale_words)
            out.extend(f"  {reason}" for reason in self.stale_sources)
        name = CHURN_MODEL_NAMES.get(self.chosen_model, self.chosen_model)
        out.append(f"Churn model: {name}" + (f" - {self.reason}" if self.reason else "."))
        if self.auc is not None and self.backtest_cutoff is not None:
            span = self.backtest_horizon_days or self.horizon_days
            end = self.backtest_cutoff + dt.timedelta(days=span)
            out.append(
                f"Backtest: scored as of {self.backtest_cutoff.isoformat()}, checked against "
                f"orders up to {end.isoformat()} ({span} days):"
            )
            out.append(f"  {'model':<20}{'ROC AUC':>9}{'Brier':>9}{'top-10% lift':>14}")
            rows: list[tuple[str, float | None, float | None, float | None]] = [
                (self.chosen_model, self.auc, self.brier, self.lift_top_decile)
            ]
            for key in CHURN_MODEL_ORDER:
                if key in self.baseline and key != self.chosen_model:
                    m = self.baseline[key]
                    rows.append((key, m.get("auc"), m.get("brier"), m.get("lift_top_decile")))
            for key, auc, brier, lift in rows:
                label = _SHORT_NAMES.get(key, key) + (
                    " (chosen)" if key == self.chosen_model else ""
                )
                out.append(f"  {label:<20}{_fmt(auc):>9}{_fmt(brier, 4):>9}{_fmt(lift, 2):>14}")
            orders = orders_backtest_text(self.orders_backtest, span)
            if orders:
                out.append(f"  {orders}")
        else:
            out.append("Backtest: not enough history before the as-of date for a backtest.")
        if self.bgnbd:
            b = self.bgnbd
            text = (
                f"BG/NBD (weeks): r={b.get('r', 0):.3f}, alpha={b.get('alpha', 0):.3f}, "
                f"a={b.get('a', 0):.3f}, b={b.get('b', 0):.3f}"
            )
            if self.gamma_gamma:
                g = self.gamma_gamma
                text += (
                    f"; Gamma-Gamma: p={g.get('p', 0):.2f}, q={g.get('q', 0):.2f}, "
                    f"v={g.get('v', 0) / 100:.2f} ({self.currency}; fitted on hundredths)"
                )
            out.append(text)
        if self.paretonbd:
            p = self.paretonbd
            out.append(
                f"Pareto/NBD (weeks): r={p.get('r', 0):.3f}, alpha={p.get('alpha', 0):.3f}, "
                f"s={p.get('s', 0):.3f}, beta={p.get('beta', 0):.3f}"
            )
        if self.importance and self.chosen_model in WITH_CLASSIFIER:
            top = ", ".join(f"{k} {v:.0%}" for k, v in list(self.importance.items())[:5])
            out.append(f"Classifier's top features (share of split gain): {top}")
        if self.bridged:
            out.append(f"Horizon: {self.bridged}")
        out.extend(f"Note: {note}" for note in self.notes)
        return out


def orders_backtest_text(figures: dict[str, Any], days: int) -> str:
    """The orders backtest in words ("" without one): totals, bias, RMSE, correlation."""
    if not figures or figures.get("rmse") is None:
        return ""
    if not all(_finite(figures.get(k)) for k in ("predicted", "actual", "rmse")):
        # A backtest window with no data to compare gives NaN, never a figure to print.
        return (
            f"Orders (BG/NBD, same {days} days): not checked, the backtest window held no "
            "orders to compare against."
        )
    bias = figures.get("bias") if _finite(figures.get("bias")) else None
    corr = figures.get("correlation") if _finite(figures.get("correlation")) else None
    return (
        f"Orders (BG/NBD, same {days} days): {figures['predicted']:,.0f} predicted, "
        f"{figures['actual']:,.0f} placed"
        + (f" ({bias:+.1%})" if bias is not None else "")
        + f"; per customer, typical error (RMSE) {figures['rmse']:.2f} orders"
        + (f", correlation {corr:.2f}" if corr is not None else "")
        + ". Orders on one day count once."
    )


_SHORT_NAMES = {
    "gbm": "classifier",
    "bgnbd": "BG/NBD",
    "pnbd": "Pareto/NBD",
    "blend": "blend",
    "blend_pnbd": "blend (P/NBD)",
    "recency": "recency",
}


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _fmt(value: float | None, digits: int = 3) -> str:
    return f"{value:.{digits}f}" if _finite(value) else "-"


@dataclass(frozen=True)
class CustomerScores:
    """One customer's scores from a snapshot, with the snapshot before it for trends."""

    as_of: dt.date
    horizon_days: int
    engagement_score: float | None
    churn_risk: float | None
    health_score: float | None
    predicted_orders: float | None
    predicted_revenue_cents: int | None
    clv_12m_cents: int | None
    revenue_at_risk_cents: int | None
    p_alive: float | None
    segment: str | None
    confidence: str | None
    drivers: tuple[Driver, ...]
    # "engagement" / "health" -> component -> points (the points add up to the score)
    components: dict[str, dict[str, float]]
    previous: CustomerScores | None  # the snapshot before this one (trend arrows)
    currency: str = "USD"  # of the money figures (the home currency when scored)
    # 80% intervals (None in snapshots scored before intervals were kept)
    churn_risk_low: float | None = None
    churn_risk_high: float | None = None
    predicted_orders_low: float | None = None
    predicted_orders_high: float | None = None
    clv_12m_low_cents: int | None = None
    clv_12m_high_cents: int | None = None
    # T of the run's T-month value (clv_12m_cents holds the value over T months).
    clv_months: int = 12


@dataclass(frozen=True)
class ScoreHistoryPoint:
    """One dated snapshot of a customer's headline scores, for the history chart."""

    as_of: dt.date
    engagement_score: float | None
    churn_risk: float | None
    health_score: float | None
    config_version: int


@dataclass(frozen=True)
class CalibrationBin:
    """One bin of the backtest calibration table: mean predicted vs observed churn."""

    predicted: float
    observed: float
    count: int


@dataclass(frozen=True)
class ModelReport:
    """A scoring run's models and backtest, for the Model report view."""

    run_id: int
    as_of: dt.date
    horizon_days: int
    finished_at: dt.datetime
    customers: int
    chosen_model: str
    model_version: str
    config_version: int
    backtest_cutoff: dt.date | None  # T - H (or T - h when bridged) used for the backtest
    auc: float | None
    brier: float | None
    lift_top_decile: float | None
    # Backtest figures of the other models, e.g. {"bgnbd": {"auc": .., "brier": ..}, ...}
    baseline: dict[str, dict[str, float]]
    calibration: tuple[CalibrationBin, ...]
    bgnbd: dict[str, float]
    gamma_gamma: dict[str, float]
    bridged: str | None
    notes: tuple[str, ...]
    config_changes: tuple[tuple[dt.date, int], ...]  # (date, config_version) marks for charts
    reason: str = ""  # why the chosen model was chosen
    backtest_horizon_days: int | None = None
    currency: str = "USD"  # the money unit the run was fitted in (its home currency)
    orders_backtest: dict[str, Any] = field(default_factory=dict)  # see ScoringSummary
    paretonbd: dict[str, float] = field(default_factory=dict)  # when the chosen model uses it
