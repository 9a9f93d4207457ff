"""The records of renewals that the window shows, in a module that imports the standard
library only (views never load the database's libraries): the model's forecast of a
contract, an owner's call, and the renewal card (services/renewals/card.py reads it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.core.formatting import format_date
from services.core.profile import actor_person
from services.renewals.vocab import CALL_LABELS, OPEN

# A checkpoint's state on the card.
RECORDED, DUE, TO_COME, MISSED = "recorded", "due", "to come", "missed"
MODEL_WORDS = {"fitted": "fitted on this workspace's renewals", "cold_start": "early estimate"}
PERIOD_WORDS = {"month": "a month", "quarter": "a quarter", "year": "a year"}


@dataclass(frozen=True)
class Forecast:
    """The model's likelihood that a contract renews, as the latest scoring saw it."""

    contract_id: int
    likelihood: float
    model: str  # fitted, cold_start
    drivers: tuple[str, ...]
    as_of: dt.date
    run_id: int


@dataclass(frozen=True)
class CallRecord:
    """One call an owner recorded."""

    id: int
    contract_id: int
    customer_id: int
    checkpoint_months: int
    call: str
    note: str
    made_by: str
    made_at: dt.datetime
    model_likelihood: float | None

    @property
    def label(self) -> str:
        return CALL_LABELS.get(self.call, self.call)

    @property
    def who(self) -> str:
        """The person who made the call, by name ("Priya Raman", not the audit's "Priya
        Raman <priya@…>"): one form wherever a call is shown."""
        return actor_person(self.made_by) if self.made_by else ""


@dataclass(frozen=True)
class CheckpointState:
    """One checkpoint of a contract: months before the date, its day, its state and the
    latest call recorded for it."""

    months: int
    day: dt.date
    state: str
    call: CallRecord | None


@dataclass(frozen=True)
class ContractCard:
    """One contract as the card shows it."""

    contract_id: int
    name: str
    start_date: dt.date
    end_date: dt.date
    outcome: str
    amount: str  # "$1,200 a month", in the home currency
    annual_cents: float | None  # the recurring amount over a year, in home cents
    auto_renew: bool
    notice_days: int
    notice_deadline: dt.date | None  # end_date - notice_days (None without a notice period)
    forecast: Forecast | None
    checkpoints: tuple[CheckpointState, ...]
    calls: tuple[CallRecord, ...]  # oldest first
    disagreement: str | None  # in words, when the latest call and the model disagree

    @property
    def due_months(self) -> int | None:
        """The checkpoint whose call is due now (None: none)."""
        return next((c.months for c in self.checkpoints if c.state == DUE), None)

    @property
    def model_words(self) -> str:
        if self.forecast is None:
            return "not yet scored"
        return MODEL_WORDS.get(self.forecast.model, self.forecast.model)

    def terms(self) -> str:
        """'Renews Mar 1, 2027 · $1,200 a month · auto-renews · notice by Jan 30, 2027'."""
        verb = "Renews" if self.outcome == OPEN else self.outcome.capitalize()
        parts = [f"{verb} {format_date(self.end_date)}", self.amount]
        parts.append("auto-renews" if self.auto_renew else "does not auto-renew")
        if self.notice_deadline is not None:
            parts.append(f"notice by {format_date(self.notice_deadline)}")
        return " · ".join(p for p in parts if p)


@dataclass(frozen=True)
class RenewalCard:
    """The customer's contracts on the card, the nearest renewal first."""

    customer_id: int
    contracts: tuple[ContractCard, ...]
    checkpoint_months: tuple[int, ...]
    # Whose call a due checkpoint waits for, for the person reading (vocab.call_due_words).
    due_words: str = "Your call is due"
    # Said in Record my call while the reader has not said who they are (None: they have).
    recorder_note: str | None = None
