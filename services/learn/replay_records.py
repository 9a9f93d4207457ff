"""The records of the alert replay (services/learn/alert_replay.py computes them) and their
words: plain data, free of the database, so views can show them and JSON can keep them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

# The relationship signals' definitions, written once there and kept beside the rules'
# below: the signals are replayed on their own, in seconds (services/alerts/signal_replay.py).
from services.alerts.signal_records import SIGNAL_DEFINITIONS as SIGNAL_DEFINITIONS
from services.core.money import format_money

ALL = "all"
ALL_TITLE = "All risk rules"
RECENCY = "recency"
RECENCY_NOTICE = "recency_notice"
RECENCY_VALUE = "recency_value"
NOTICED = "noticed"
WIN_BACK = "win_back"
WIN_BACK_TITLE = "Win-back (already lapsed)"
LEAD_GOAL_DAYS = 30
WORTH_MARGIN = 0.02  # how far the chosen floor and weight must beat both baselines

DEFINITIONS = (
    "H is the workspace's churn horizon. A customer lapses on the day they have gone H days "
    "without a paid order after having bought (the lapse point: their last paid order "
    "before the gap + H); this is scoring's churn label (no paid order in the H days after "
    "a date) for a customer who had bought within the H days before it. An alert raised in "
    "week w is a hit when its customer's lapse point falls in (w, w+H]; precision counts "
    "the alerts whose H days are over by the end of the replay. Recall: of the customers "
    "who lapsed during the replay (their first lapse in it), the share with an alert in "
    "the H days before the lapse point. Lead time: the lapse point minus the first such "
    "alert. All risk rules and the recency rule count the risk-queue rules' early warnings "
    "only: expansion and deal alerts are no warning of a lapse (they keep their own rows), "
    "and a risk alert raised on a customer already quiet for H days or more comes after "
    "the lapse: it is a win-back case, counted in its own row (it can never be a hit). "
    "The recency rule alerts each week as many customers as the early warnings did. At "
    "your budget: the same rules with at most the weekly budget of new alerts per owner "
    "each week, critical ones included, early warnings first, beside the recency rule at "
    "that volume. With notice: the lapse warnings (the alerts of the rules that read the "
    "orders: High risk, high value; Lapse coming; Churn risk rising; Engagement drop; Gone "
    "quiet) raised on customers with at least N days left before their lapse point (N: the "
    "Lapse coming rule's notice) and the lapsing customers they warned, against the recency "
    "rule at the same weekly volume kept to customers with at least N days left (the "
    "longest quiet among them first), the most the recency rule can warn with that notice; "
    "usage drops and negative experiences answer other evidence and are not counted in it; "
    "and the value warned: "
    "each such customer's T-month value as scored on the day of their first alert, summed, "
    "against the recency rule at the same volume kept to the same customers but ranked by "
    "that value (highest first). Missed "
    "critical: customers who met the critical rule (high risk, high value) in the H days "
    "before their lapse and got no alert in them."
)


@dataclass(frozen=True)
class ReplayFigures:
    """One rule's figures over the replay (or the risk rules together, or the recency rule)."""

    key: str
    title: str
    alerts: int  # alerts raised over the replay
    judged: int  # alerts whose horizon was over by the end of the replay
    hits: int  # judged alerts whose customer lapsed within the horizon
    lapsed: int  # customers who lapsed during the replay
    caught: int  # of them, alerted in the horizon before the lapse point
    lead_days: tuple[int, ...]  # lapse point - first alert, per caught customer
    per_owner_week_mean: float
    per_owner_week_max: int
    missed_critical: int | None = None
    missed_critical_ids: tuple[int, ...] = ()
    # Per caught customer, in the order of lead_days: their T-month value (cents) as
    # scored on the day of that first alert (0: not known then).
    lead_values: tuple[int, ...] = ()

    @property
    def precision(self) -> float | None:
        return self.hits / self.judged if self.judged else None

    @property
    def recall(self) -> float | None:
        return self.caught / self.lapsed if self.lapsed else None

    @property
    def lead_median(self) -> float | None:
        return float(statistics.median(self.lead_days)) if self.lead_days else None

    @property
    def lead_quartiles(self) -> tuple[float, float] | None:
        """The 25th and 75th percentiles of the lead times (linear between ranks)."""
        if not self.lead_days:
            return None
        if len(self.lead_days) == 1:
            return float(self.lead_days[0]), float(self.lead_days[0])
        q = statistics.quantiles(self.lead_days, n=4, method="inclusive")
        return float(q[0]), float(q[2])

    def warned(self, notice: int) -> int:
        """The caught customers warned at least ``notice`` days before the lapse."""
        return sum(d >= notice for d in self.lead_days)

    def warned_value(self, notice: int) -> int:
        """The T-month value (cents) of the caught customers warned at least ``notice``
        days before the lapse, each as scored on the day of their first alert."""
        if len(self.lead_values) != len(self.lead_days):
            return 0
        return sum(v for d, v in zip(self.lead_days, self.lead_values, strict=True) if d >= notice)

    @property
    def lead_share_30(self) -> float | None:
        """The share of the caught customers warned at least 30 days before the lapse."""
        if not self.lead_days:
            return None
        return sum(d >= LEAD_GOAL_DAYS for d in self.lead_days) / len(self.lead_days)


@dataclass(frozen=True)
class WorthTrial:
    """One floor and weight of the lapse warnings tried by the replay
    (services/learn/replay_worth.py), and what the queue within the budget would have done
    with them, with Lapse coming's notice."""

    floor_percent: int
    weight: float
    warned: int  # lapsing customers warned with notice
    value_cents: int  # their value when first warned
    recency_warned: int  # the recency rule with notice, longest quiet first
    recency_value_cents: int  # the same customers ranked by value: their value
    alerts: int

    @property
    def met(self) -> bool:
        """Both baselines beaten by at least WORTH_MARGIN."""
        return (
            self.warned > 0
            and self.warned >= self.recency_warned * (1 + WORTH_MARGIN)
            and self.value_cents > 0
            and self.value_cents >= self.recency_value_cents * (1 + WORTH_MARGIN)
        )

    @property
    def closeness(self) -> float:
        """The smaller of the two ratios to the baselines (above 1: both beaten)."""
        count = self.warned / self.recency_warned if self.recency_warned else float(self.warned)
        value = (
            self.value_cents / self.recency_value_cents
            if self.recency_value_cents
            else float(self.value_cents > 0)
        )
        return min(count, value)


@dataclass(frozen=True)
class Suggestion:
    """A suggested value for one rule's main threshold."""

    rule_key: str
    rule_title: str
    setting: str  # the setting's key, alerts.<rule>.<param>
    label: str
    unit: str
    current: float
    suggested: float
    locked: bool  # set by IT's policy: shown, never applied

    @property
    def changed(self) -> bool:
        return self.suggested != self.current

    @property
    def applicable(self) -> bool:
        return self.changed and not self.locked


@dataclass(frozen=True)
class ReplayReport:
    """The replay of the alert rules over the past weeks, and what it found."""

    start: dt.date  # the first replayed week's date
    end: dt.date  # the last one (the latest order date, or today)
    weeks: int
    horizon_days: int
    active_days: int
    daily_cap: int
    budget: int  # alerts per owner per week the user wants at most
    customers: int
    owners: int
    overall: ReplayFigures
    rules: tuple[ReplayFigures, ...]
    recency: ReplayFigures
    not_replayed: dict[str, str]
    refit_every_weeks: int = 1
    suggestions: tuple[Suggestion, ...] = ()
    suggested: ReplayFigures | None = None  # the risk rules with the suggested values
    win_back: ReplayFigures | None = None  # risk alerts raised after the lapse
    at_budget: ReplayFigures | None = None  # the early warnings within the weekly budget
    recency_at_budget: ReplayFigures | None = None  # the recency rule at their volume
    critical_cap: int = 0
    notice_days: int = LEAD_GOAL_DAYS  # the Lapse coming rule's notice: "with notice"
    recency_notice: ReplayFigures | None = None  # the recency rule with that notice
    recency_notice_at_budget: ReplayFigures | None = None  # the same at the budget's volume
    # The recency rule's customers with that notice at the budget's volume, ranked by their
    # T-month value instead of the time since their last order.
    value_notice_at_budget: ReplayFigures | None = None
    # The lapse warnings raised with that notice left: as configured, and within the budget
    # (what the comparisons with notice count, the recency rules at their volume).
    warned_overall: ReplayFigures | None = None
    warned_at_budget: ReplayFigures | None = None
    # The floor and weight the replay chose (services/learn/replay_worth.py), and those the
    # figures within the budget used, with where they came from ("set", "replay").
    worth_choice: WorthTrial | None = None
    worth_used: tuple[int, float, str] | None = None
    currency: str = "USD"
    computed_at: dt.datetime | None = None
    data_key: str = ""
    seconds: float = 0.0
    definitions: str = field(default=DEFINITIONS, repr=False)

    @property
    def within_budget(self) -> bool | None:
        """Whether the suggested thresholds keep to the budget (None: no suggestion)."""
        if self.suggested is None:
            return None
        return self.suggested.per_owner_week_mean <= self.budget

    @property
    def verdict(self) -> str:
        """Whether the app's rules beat the recency rule, in one sentence."""
        return verdict_text(self.overall, self.recency)

    @property
    def work_per_owner_week(self) -> float:
        """The risk alerts per owner per week, early warnings and win-backs together."""
        late = self.win_back.per_owner_week_mean if self.win_back is not None else 0.0
        return round(self.overall.per_owner_week_mean + late, 3)

    @property
    def budget_verdict(self) -> str | None:
        """The same comparison within the weekly budget (None: not measured)."""
        if self.at_budget is None or self.recency_at_budget is None:
            return None
        return verdict_text(self.at_budget, self.recency_at_budget).replace(
            "At equal weekly volume,",
            f"Within a budget of {self.budget} {'alert' if self.budget == 1 else 'alerts'} "
            "per owner a week, at equal volume,",
            1,
        )

    @property
    def notice_verdict(self) -> str | None:
        """The comparison with notice, at the early warnings' volume (None: not measured)."""
        if self.recency_notice is None:
            return None
        app = self.warned_overall or self.overall
        return notice_text(app, self.recency_notice, self.recency, self.notice_days)

    @property
    def budget_notice_verdict(self) -> str | None:
        """The comparison with notice within the weekly budget (None: not measured)."""
        app = self.warned_at_budget or self.at_budget
        notice, plain = self.recency_notice_at_budget, self.recency_at_budget
        if app is None or notice is None or plain is None:
            return None
        return notice_text(
            app, notice, plain, self.notice_days, budget=self.budget,
            by_value=self.value_notice_at_budget, currency=self.currency,
        )  # fmt: skip

    @property
    def worth_words(self) -> str | None:
        """What a lapse warning must be worth, in a sentence, and whether the queue so
        ranked meets its target (None: not chosen)."""
        if self.worth_used is None:
            return None
        floor, weight, source = self.worth_used
        where = {
            "set": "as set in Settings",
            "replay": "chosen by this replay on the workspace's history",
        }.get(source, "the built-in values")
        ranked = (
            "that chance x the customer's value"
            if weight == 0
            else f"that chance x (the customer's value + {weight:g} x a typical customer's value)"
        )
        words = (
            f"Lapse warnings are raised from a {floor}% chance of no order before the lapse "
            f"point and ranked by {ranked} (value: the value over the scoring's value "
            f"horizon), {where}."
        )
        met = self.queue_meets_target
        if met is not None:
            words += (
                f" Within the budget, with {self.notice_days} days' notice, the lapse "
                "warnings " + ("meet" if met else "do not meet") + " their target: as many "
                "lapsing customers as the recency rule with that notice (longest quiet "
                "first), and more value than the recency rule's customers ranked by value."
            )
            app, quiet = self.warned_at_budget, self.recency_notice_at_budget
            n = self.notice_days
            if (
                app is not None
                and quiet is not None
                and quiet.warned_value(n) > app.warned_value(n)
            ):
                words += (
                    " The recency rule longest quiet first still warned more value "
                    f"({format_money(quiet.warned_value(n), self.currency, decimals=0)} "
                    f"against {format_money(app.warned_value(n), self.currency, decimals=0)})."
                )
        choice = self.worth_choice
        if (
            source == "set"
            and choice is not None
            and (choice.floor_percent, choice.weight)
            != (
                floor,
                weight,
            )
        ):
            words += (
                f" This replay would choose {choice.floor_percent}% and {choice.weight:g} "
                "(clear the two settings to follow it)."
            )
        return words

    @property
    def queue_meets_target(self) -> bool | None:
        """Whether the queue within the budget warned, with notice, at least as many lapsing
        customers as the recency rule with that notice (longest quiet first) and more
        lapsing value than the same customers ranked by value (None: not measured)."""
        app, quiet = self.warned_at_budget, self.recency_notice_at_budget
        value = self.value_notice_at_budget
        if app is None or quiet is None or value is None or not app.lapsed:
            return None
        n = self.notice_days
        return app.warned(n) >= quiet.warned(n) and app.warned_value(n) > value.warned_value(n)

    @property
    def method(self) -> str:
        """How the replay was made, in words."""
        fit = (
            "the models refitted every week"
            if self.refit_every_weeks == 1
            else f"the models refitted every {self.refit_every_weeks} weeks"
        )
        return (
            f"{self.weeks} weekly as-of dates from {self.start.isoformat()} to "
            f"{self.end.isoformat()}, scored with the data dated up to each ({fit}), the rules "
            f"as configured, at most {self.daily_cap} new non-critical alerts per owner on "
            f"each replayed day ({self._critical_words}), early warnings before win-backs, "
            f"and an alert kept active for {self.active_days} days (the same customer and "
            "rule are not raised again meanwhile). Overall figures count the risk rules' early "
            "warnings only (not expansion or deals, nor alerts on customers already lapsed, "
            "which are win-back cases). The recency rule alerts, each week, as many customers "
            "as the early warnings did: those longest without a paid order among those not "
            "lapsed yet."
        )

    @property
    def _critical_words(self) -> str:
        if self.critical_cap > 0:
            return f"critical ones: at most {self.critical_cap}"
        return "critical ones are never capped"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def days_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} d"


def verdict_text(app: ReplayFigures, recency: ReplayFigures) -> str:
    """'At equal weekly volume, the rules found more lapsing customers (…), earlier (…)'."""
    if not app.lapsed:
        return "No customer lapsed during the replay, so there is nothing to compare."
    more = app.caught - recency.caught
    found = (
        f"found more lapsing customers ({app.caught:,} against {recency.caught:,})"
        if more > 0
        else f"found fewer lapsing customers ({app.caught:,} against {recency.caught:,})"
        if more < 0
        else f"found as many lapsing customers ({app.caught:,})"
    )
    a, r = app.lead_median, recency.lead_median
    if a is None or r is None:
        when = "with no lead time to compare"
    elif a > r:
        when = f"earlier (median {a:.0f} days before the lapse against {r:.0f})"
    elif a < r:
        when = f"later (median {a:.0f} days before the lapse against {r:.0f})"
    else:
        when = f"as early (median {a:.0f} days before the lapse)"
    return f"At equal weekly volume, the app's risk alerts {found} than the recency rule, {when}."


def notice_text(
    app: ReplayFigures,
    recency_notice: ReplayFigures,
    recency: ReplayFigures,
    notice: int,
    *,
    budget: int | None = None,
    by_value: ReplayFigures | None = None,
    currency: str = "USD",
) -> str:
    """'With at least 30 days' notice, at equal weekly volume, the app's lapse warnings warned
    353 lapsing customers, against 306 for the recency rule kept to customers with 30 days
    or more left (0 for the plain recency rule); median 35 days before the lapse against 31.'
    With ``by_value`` (the same customers ranked by value), the lapsing value warned too:
    '... worth $98,221 in T-month value, against $40,568 for those customers ranked by
    value (12 lapsing customers).'"""
    if not app.lapsed:
        return "No customer lapsed during the replay, so there is nothing to compare."
    where = (
        f"within a budget of {budget} {'alert' if budget == 1 else 'alerts'} per owner a week, "
        "at equal volume"
        if budget is not None
        else "at equal weekly volume"
    )
    a, r = app.warned(notice), recency_notice.warned(notice)
    words = (
        f"With at least {notice} days' notice, {where}, the app's lapse warnings warned "
        f"{a:,} lapsing customers, against {r:,} for the recency rule kept to customers with "
        f"{notice} days or more left ({recency.warned(notice):,} for the plain recency rule)"
    )
    early = [d for d in app.lead_days if d >= notice]
    late = [d for d in recency_notice.lead_days if d >= notice]
    if early and late:
        words += (
            f"; median {statistics.median(early):.0f} days before the lapse against "
            f"{statistics.median(late):.0f}"
        )
    if by_value is not None:
        mine, theirs = app.warned_value(notice), by_value.warned_value(notice)
        quiet = recency_notice.warned_value(notice)
        words += (
            f". The customers it warned were worth {format_money(mine, currency, decimals=0)} "
            f"in value when warned, against {format_money(theirs, currency, decimals=0)} for "
            f"the recency rule with that notice ranked by value ({by_value.warned(notice):,} "
            f"lapsing customers) and {format_money(quiet, currency, decimals=0)} for it "
            "ranked by quiet time"
        )
    return words + "."


# --- JSON ---------------------------------------------------------------------------------


def report_to_dict(report: ReplayReport) -> dict[str, Any]:
    """The report as JSON-ready data (dates as ISO text), with the derived figures."""

    def figures(f: ReplayFigures) -> dict[str, Any]:
        data = dataclasses.asdict(f)
        quartiles = f.lead_quartiles
        data.update(
            precision=f.precision,
            recall=f.recall,
            lead_median_days=f.lead_median,
            lead_q1_days=quartiles[0] if quartiles else None,
            lead_q3_days=quartiles[1] if quartiles else None,
            lead_share_30=f.lead_share_30,
            warned_with_notice=f.warned(report.notice_days),
            warned_value_with_notice=f.warned_value(report.notice_days) if f.lead_values else None,
        )
        return data

    out: dict[str, Any] = {
        name: getattr(report, name)
        for name in (
            "weeks", "horizon_days", "active_days", "daily_cap", "budget", "customers",
            "owners", "not_replayed", "refit_every_weeks", "data_key", "seconds",
            "definitions", "critical_cap", "notice_days", "currency",
        )
    }  # fmt: skip
    out["start"] = report.start.isoformat()
    out["end"] = report.end.isoformat()
    out["computed_at"] = report.computed_at.isoformat() if report.computed_at else None
    out["overall"] = figures(report.overall)
    out["rules"] = [figures(f) for f in report.rules]
    out["recency"] = figures(report.recency)
    out["suggestions"] = [dataclasses.asdict(s) for s in report.suggestions]
    out["suggested"] = figures(report.suggested) if report.suggested else None
    for name in OPTIONAL:
        value = getattr(report, name)
        out[name] = figures(value) if value is not None else None
    out["worth_choice"] = dataclasses.asdict(report.worth_choice) if report.worth_choice else None
    out["worth_used"] = list(report.worth_used) if report.worth_used else None
    out["verdict"] = report.verdict
    out["budget_verdict"] = report.budget_verdict
    out["notice_verdict"] = report.notice_verdict
    out["budget_notice_verdict"] = report.budget_notice_verdict
    out["within_budget"] = report.within_budget
    out["queue_meets_target"] = report.queue_meets_target
    out["worth_words"] = report.worth_words
    out["method"] = report.method
    return out


OPTIONAL = (
    "win_back", "at_budget", "recency_at_budget", "recency_notice", "recency_notice_at_budget",
    "value_notice_at_budget", "warned_overall", "warned_at_budget",
)  # fmt: skip
_DERIVED = ("precision", "recall", "lead_median_days", "lead_q1_days", "lead_q3_days",
            "lead_share_30", "warned_with_notice", "warned_value_with_notice")  # fmt: skip


def _figures_from(data: dict[str, Any]) -> ReplayFigures:
    kept = {k: v for k, v in data.items() if k not in _DERIVED}
    kept["lead_days"] = tuple(int(d) for d in kept.get("lead_days", ()))
    kept["missed_critical_ids"] = tuple(int(d) for d in kept.get("missed_critical_ids", ()))
    kept["lead_values"] = tuple(int(v) for v in kept.get("lead_values", ()))
    return ReplayFigures(**kept)


def report_from_dict(data: dict[str, Any]) -> ReplayReport:
    """The report back from ``report_to_dict``'s data."""
    at = data.get("computed_at")
    suggested = data.get("suggested")
    return ReplayReport(
        start=dt.date.fromisoformat(data["start"]),
        end=dt.date.fromisoformat(data["end"]),
        weeks=int(data["weeks"]),
        horizon_days=int(data["horizon_days"]),
        active_days=int(data["active_days"]),
        daily_cap=int(data["daily_cap"]),
        budget=int(data["budget"]),
        customers=int(data["customers"]),
        owners=int(data["owners"]),
        overall=_figures_from(data["overall"]),
        rules=tuple(_figures_from(f) for f in data["rules"]),
        recency=_figures_from(data["recency"]),
        not_replayed=dict(data.get("not_replayed", {})),
        refit_every_weeks=int(data.get("refit_every_weeks", 1)),
        suggestions=tuple(Suggestion(**s) for s in data.get("suggestions", ())),
        suggested=_figures_from(suggested) if suggested else None,
        computed_at=dt.datetime.fromisoformat(at) if at else None,
        data_key=str(data.get("data_key", "")),
        seconds=float(data.get("seconds", 0.0)),
        critical_cap=int(data.get("critical_cap", 0)),
        notice_days=int(data.get("notice_days", LEAD_GOAL_DAYS)),
        win_back=_optional(data, "win_back"),
        at_budget=_optional(data, "at_budget"),
        recency_at_budget=_optional(data, "recency_at_budget"),
        recency_notice=_optional(data, "recency_notice"),
        recency_notice_at_budget=_optional(data, "recency_notice_at_budget"),
        value_notice_at_budget=_optional(data, "value_notice_at_budget"),
        currency=str(data.get("currency", "USD")),
        warned_overall=_optional(data, "warned_overall"),
        warned_at_budget=_optional(data, "warned_at_budget"),
        worth_choice=WorthTrial(**data["worth_choice"]) if data.get("worth_choice") else None,
        worth_used=_used(data.get("worth_used")),
    )


def _used(data: Any) -> tuple[int, float, str] | None:
    if not data:
        return None
    floor, weight, source = data
    return int(floor), float(weight), str(source)


def _optional(data: dict[str, Any], name: str) -> ReplayFigures | None:
    return _figures_from(data[name]) if data.get(name) else None
