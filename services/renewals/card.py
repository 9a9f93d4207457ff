"""What the customer pane's renewal card shows, read in one go: each open contract (else
the latest one decided) with its renewal date, recurring amount in the home currency,
auto-renew and the last day to give notice, the model's likelihood with its kind and
drivers, the owner's calls at the checkpoints (recorded, due, to come, missed), and in
words where the latest call and the model disagree. A customer without contracts has no
card (None)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from models.schema import Customer
from models.schema.renewals import Contract
from services.core.money import load_money_context
from services.renewals.calls import (
    calls_of,
    checkpoints,
    contract_name,
    current_checkpoint,
    disagreement_words,
    latest_calls,
    latest_forecasts,
    margin,
    months_before,
)
from services.renewals.card_records import (
    DUE,
    MISSED,
    PERIOD_WORDS,
    RECORDED,
    TO_COME,
    CallRecord,
    CheckpointState,
    ContractCard,
    RenewalCard,
)
from services.renewals.vocab import OPEN, PERIOD_MONTHS, call_due_words, disagrees


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


def card_in(
    session: Session, customer_id: int, today: dt.date, viewer: str | None = None
) -> RenewalCard | None:
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
    owner = session.scalar(select(Customer.owner).where(Customer.id == customer_id))
    # "You called it" on the reader's own customer, else the owner's name.
    subject = None if call_due_words(owner, viewer).startswith("Your") else owner or "The owner"
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
            said = disagreement_words(latest, forecast, subject)
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
    return RenewalCard(customer_id, tuple(cards), months, call_due_words(owner, viewer))


def renewal_card(
    engine: Engine, customer_id: int, today: dt.date, viewer: str | None = None
) -> RenewalCard | None:
    """The renewal card of one customer as of ``today`` (None: no contracts), read by
    ``viewer`` (whom "Mine" means: a due call on their own customer is "your call")."""
    with translate_db_errors(), Session(engine) as session:
        return card_in(session, customer_id, today, viewer)
