"""The records of the relationship signals' replay (services/alerts/signal_replay.py
computes them) and their words: plain data, free of the database, so that the window, the
command line and JSON share them. The definitions are written once, here
(``SIGNAL_DEFINITIONS``; services/learn/replay_records.py keeps them beside the alert
replay's)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from services.alerts.proof import Proof, percent

RENEWAL = "renewal"
LAPSE = "lapse"
OUTCOMES = (RENEWAL, LAPSE)
OUTCOME_WORDS = {RENEWAL: "lost renewals", LAPSE: "lapses"}
SECTION_TITLE = "Relationship signals against lost renewals and lapses"

SIGNAL_DEFINITIONS = (
    "The relationship signals (Champion left, Key contact gone dark, Single-threaded, New "
    "decision maker to meet) are evaluated on their own, with no scoring, once a week over "
    "the past 52 weeks, each week on the workspace's history as it was that day: the people "
    "on record then, with the roles they had then and who had left by then (changes to "
    "roles and presence are kept with their day), and the interactions, orders, tickets and "
    "product use dated before it. Single-threaded's value is the last 12 months' paid "
    "revenue as of that day. A finding is an account a signal holds for in a week when it "
    "did not the week before (the first week counts every account it holds for). H is the "
    "workspace's churn horizon. A finding is judged against two outcomes: a lost renewal "
    "(a contract term of the account whose outcome is churned, decided in the H days "
    "after the finding; judged only at accounts with contracts) and a lapse (the account "
    "goes H days without a paid order, its lapse point falling in the H days after the "
    "finding: scoring's churn label). Precision: the share of the judged findings followed "
    "by the outcome (judged: their H days are over by the last replayed day). Base rate: "
    "the same share over every account with people on record in each judged week, whatever "
    "the signals said: a signal worth raising is followed by the outcome more often than "
    "that. Recall: of the outcomes in the replay at accounts with people on record, the "
    "share for which the signal held in a week of the H days before. Lead time: the "
    "outcome's day minus the first such week (median). A signal raises alerts only "
    "while it is proven: at least 20 judged findings and a precision at least its rule's "
    "stated level, measured against lost renewals, or against lapses in a workspace with "
    "no contracts."
)


@dataclass(frozen=True)
class SignalFigures:
    """One signal's figures against one outcome over the replay."""

    rule: str
    title: str
    outcome: str  # RENEWAL or LAPSE
    findings: int  # findings over the replay
    judged: int  # findings whose horizon was over by the last replayed day
    hits: int  # judged findings followed by the outcome within the horizon
    outcomes: int  # outcomes in the replay at accounts with people on record
    caught: int  # of them, with a finding in the horizon before
    lead_days: tuple[int, ...]  # outcome day - first finding, per caught outcome
    base_judged: int  # account-weeks judged for the base rate
    base_hits: int  # of them, followed by the outcome within the horizon

    @property
    def precision(self) -> float | None:
        return self.hits / self.judged if self.judged else None

    @property
    def recall(self) -> float | None:
        return self.caught / self.outcomes if self.outcomes else None

    @property
    def lead_median(self) -> float | None:
        return float(statistics.median(self.lead_days)) if self.lead_days else None

    @property
    def base_rate(self) -> float | None:
        return self.base_hits / self.base_judged if self.base_judged else None

    @property
    def lift(self) -> float | None:
        """Precision over the base rate (None when either is unknown or the base is 0)."""
        p, b = self.precision, self.base_rate
        return p / b if p is not None and b else None


@dataclass(frozen=True)
class SignalReport:
    """The four signals replayed weekly, and their figures against each outcome."""

    as_of: dt.date  # the last replayed day
    start: dt.date  # the first
    weeks: int
    horizon_days: int
    accounts: int  # accounts with people on record in the replay
    with_contracts: int  # of them, with contract terms
    figures: tuple[SignalFigures, ...]
    has_contracts: bool = True  # whether the workspace holds contracts at all
    data_key: str = ""
    computed_at: dt.datetime | None = None
    seconds: float = 0.0
    definitions: str = field(default=SIGNAL_DEFINITIONS, repr=False)

    @property
    def measured_on(self) -> str:
        """What the proofs are measured against: lost renewals, or lapses where the
        workspace has no contracts."""
        return RENEWAL if self.has_contracts else LAPSE

    def figure(self, rule: str, outcome: str) -> SignalFigures | None:
        """One signal's figures against one outcome (None: not replayed)."""
        return next((f for f in self.figures if f.rule == rule and f.outcome == outcome), None)

    def where(self) -> str:
        """What the proofs were measured on, in words."""
        against = OUTCOME_WORDS[self.measured_on]
        weeks = f"{self.weeks} weeks of this workspace's history"
        if self.measured_on == LAPSE:
            return f"{weeks}, against {against} (this workspace has no contracts)"
        return f"{weeks}, against {against}"

    def proof(self, rule: str, title: str, required: float) -> Proof:
        """The signal's measured precision beside the level its rule asks for."""
        found = self.figure(rule, self.measured_on)
        hits, judged = (found.hits, found.judged) if found is not None else (0, 0)
        return Proof(title, hits, judged, required, self.where())

    def method(self) -> str:
        """How the replay was made, in words."""
        return (
            f"{self.weeks} weekly days from {self.start.isoformat()} to "
            f"{self.as_of.isoformat()}, horizon {self.horizon_days} days; "
            f"{self.accounts:,} accounts with people on record, {self.with_contracts:,} of "
            "them with contracts."
        )


def figures_words(f: SignalFigures) -> str:
    """ "precision 41 % (base rate 6 %), recall 38 %, median lead 45 days"."""
    lead = "–" if f.lead_median is None else f"{f.lead_median:.0f} days"
    p = "–" if f.precision is None else percent(f.precision)
    b = "–" if f.base_rate is None else percent(f.base_rate)
    r = "–" if f.recall is None else percent(f.recall)
    return f"precision {p} (base rate {b}), recall {r}, median lead {lead}"


def report_to_dict(report: SignalReport) -> dict[str, Any]:
    """The report as JSON-ready data, with the derived figures."""

    def one(f: SignalFigures) -> dict[str, Any]:
        data = dataclasses.asdict(f)
        data["lead_days"] = list(f.lead_days)
        data.update(
            precision=f.precision, recall=f.recall, lead_median_days=f.lead_median,
            base_rate=f.base_rate,
        )  # fmt: skip
        return data

    return {
        "as_of": report.as_of.isoformat(),
        "start": report.start.isoformat(),
        "weeks": report.weeks,
        "horizon_days": report.horizon_days,
        "accounts": report.accounts,
        "with_contracts": report.with_contracts,
        "has_contracts": report.has_contracts,
        "measured_on": report.measured_on,
        "figures": [one(f) for f in report.figures],
        "data_key": report.data_key,
        "computed_at": report.computed_at.isoformat() if report.computed_at else None,
        "seconds": report.seconds,
        "definitions": report.definitions,
    }


_DERIVED = ("precision", "recall", "lead_median_days", "base_rate")


def report_from_dict(data: Mapping[str, Any]) -> SignalReport:
    """The report back from ``report_to_dict``'s data."""
    at = data.get("computed_at")
    figures = []
    for raw in data["figures"]:
        kept = {k: v for k, v in raw.items() if k not in _DERIVED}
        kept["lead_days"] = tuple(int(d) for d in kept.get("lead_days", ()))
        figures.append(SignalFigures(**kept))
    return SignalReport(
        as_of=dt.date.fromisoformat(str(data["as_of"])),
        start=dt.date.fromisoformat(str(data["start"])),
        weeks=int(data["weeks"]),
        horizon_days=int(data["horizon_days"]),
        accounts=int(data["accounts"]),
        with_contracts=int(data["with_contracts"]),
        figures=tuple(figures),
        has_contracts=bool(data.get("has_contracts", True)),
        data_key=str(data.get("data_key", "")),
        computed_at=dt.datetime.fromisoformat(at) if at else None,
        seconds=float(data.get("seconds", 0.0)),
    )
