"""What the customer pane's renewal card shows, read in one go: each open contract (else
the latest one decided) with its renewal date, recurring amount in the home currency,
auto-renew and the last day to give notice, the model's likelihood with its kind and
drivers, the owner's calls at the checkpoints (recorded, due, to come, missed), and in
words where the latest call and the model disagree. A customer without contracts has no
card (None)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from models.schema.renewals import Contract
from services.core.formatting import format_date
from services.core.money import load_money_context
from services.renewals.calls import (
    CallRecord,
    Forecast,
    calls_of,
    checkpoints,
    contract_name,
    current_checkpoint,
    disagreement_words,
    disagrees,
    latest_calls,
    latest_forecasts,
    margin,
    months_before,
)
from services.renewals.vocab import OPEN, PERIOD_MONTHS

# A checkpoint's state on the card.
RECORDED, DUE, TO_COME, MISSED = "recorded", "due", "to come", "missed"
MODEL_WORDS = {"fitted": "fitted on this workspace's renewals", "cold_start": "early estimate"}
PERIOD_WORDS = {"month": "a month", "quarter": "a quarter", "year": "a year"}


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


def _states(
    end: dt.date, months: tuple[int, ...], today: dt.date, latest: dict[int, CallRecord]
) -> tuple[CheckpointState, ...]:
    current = current_checkpoint(end, months, today)
    out = []
    for m in months:
        day = months_before(end, m)
        call = latest.get(m)
        if call is not None:
            state = RECORDED
        elif m == current:
            state = DUE
        elif day > today and today < end:
            state = TO_COME
        else:
            state = MISSED
        out.append(CheckpointState(m, day, state, call))
    return tuple(out)


def card_in(session: Session, customer_id: int, today: dt.date) -> RenewalCard | None:
    """The card of one customer in the caller's session (None: no contracts)."""
    rows = list(
        session.scalars(
            select(Contract)
            .where(Contract.customer_id == customer_id)
            .order_by(Contract.end_date, Contract.id)
        )
    )
    if not rows:
        return None
    shown = [c for c in rows if c.outcome == OPEN] or [rows[-1]]
    ids = [int(c.id) for c in shown]
    months = checkpoints(session)
    forecasts = latest_forecasts(session, ids)
    calls = calls_of(session, contract_ids=ids)
    gap = margin(session)
    money = load_money_context(session)
    cards = []
    for contract in shown:
        own = tuple(c for c in calls if c.contract_id == contract.id)
        by_checkpoint = {c.checkpoint_months: c for c in own}
        forecast = forecasts.get(int(contract.id))
        latest = latest_calls(own).get(int(contract.id))
        said = None
        if (
            latest is not None
            and forecast is not None
            and contract.outcome == OPEN
            and disagrees(latest.call, forecast.likelihood, gap)
        ):
            said = disagreement_words(latest, forecast)
        home = money.to_home(float(contract.amount_cents), contract.currency)
        per = PERIOD_MONTHS.get(contract.period, 12)
        if home is None:  # no rate: the contract's own currency, said as it is
            from services.core.money import format_money

            amount = format_money(contract.amount_cents, contract.currency, decimals=0)
        else:
            amount = money.format(home, decimals=0)
        notice = contract.notice_days or 0
        cards.append(
            ContractCard(
                contract_id=int(contract.id),
                name=contract_name(contract),
                start_date=contract.start_date,
                end_date=contract.end_date,
                outcome=contract.outcome,
                amount=f"{amount} {PERIOD_WORDS.get(contract.period, contract.period)}",
                annual_cents=None if home is None else home * 12 / per,
                auto_renew=bool(contract.auto_renew),
                notice_days=notice,
                notice_deadline=contract.end_date - dt.timedelta(days=notice) if notice else None,
                forecast=forecast,
                checkpoints=_states(contract.end_date, months, today, by_checkpoint)
                if contract.outcome == OPEN
                else (),
                calls=own,
                disagreement=said,
            )
        )
    return RenewalCard(customer_id, tuple(cards), months)


def renewal_card(engine: Engine, customer_id: int, today: dt.date) -> RenewalCard | None:
    """The renewal card of one customer as of ``today`` (None: no contracts)."""
    with translate_db_errors(), Session(engine) as session:
        return card_in(session, customer_id, today)
