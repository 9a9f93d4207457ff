"""The owner's own call on a renewal: recorded at checkpoints before the renewal date
(setting ``renewals.checkpoint_months``, 6 and 3 months by default), read back, listed
when due, and set beside the model's likelihood.

- A checkpoint is the renewal date less its months (the same day of the month, or the
  month's last day). A contract's current checkpoint is the nearest one reached before its
  date; a call is *due* when the contract is open, its date has not come, and no call was
  recorded for its current checkpoint.
- A call (commit, likely, at risk, lost: services/renewals/vocab.py) is recorded with a
  note, who made it, when, and the model's likelihood at that moment
  (``model_likelihood``). The latest call of a contract and checkpoint counts; the earlier
  ones stay as its history.
- The model's likelihood is the contract's row of renewal_forecasts in the latest
  scoring run (by its date, then the newest) that stored likelihoods. Call and model
  *disagree* when the chance the call stands for (``CALL_CHANCE``) and that likelihood
  differ by at least the setting ``renewals.disagreement_points`` (40 points by default).

Row-level security of a shared workspace holds a manager to their own customers: another
owner's contract is not found, and no call can be written for it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.db import translate_db_errors
from models.errors import UserFacingError
from models.schema import Customer, ScoringRun
from models.schema.renewals import Contract, RenewalCall, RenewalForecast
from services.core.account_names import account_name_sql
from services.core.formatting import format_percent
from services.renewals.card_records import CallRecord, Forecast
from services.renewals.vocab import CALL_CHANCE, CALLS, OPEN, disagrees
from services.settings.views import RenewalCallSettings

# How many of the model's drivers the words of a disagreement quote.
DRIVERS_SAID = 2
# Contracts named in a query at most (SQLite's bound on parameters); beyond it the rows
# are all read and the others left out.
MAX_LISTED = 900


class RenewalCallError(UserFacingError):
    """A call that cannot be recorded: the message says why in plain words."""


@dataclass(frozen=True)
class DueCall:
    """A contract whose owner's call is due at its current checkpoint."""

    contract_id: int
    customer_id: int
    customer: str
    owner: str
    contract: str
    end_date: dt.date
    checkpoint_months: int
    checkpoint_date: dt.date


@dataclass(frozen=True)
class Disagreement:
    """An owner's latest call and the model's likelihood, a wide margin apart."""

    contract_id: int
    customer_id: int
    customer: str
    owner: str
    contract: str
    end_date: dt.date
    call: CallRecord
    forecast: Forecast

    @property
    def gap(self) -> float:
        return CALL_CHANCE[self.call.call] - self.forecast.likelihood

    def words(self, who: str | None = None) -> str:
        """'You called it Commit (about 95% to renew); the model gives 31% to renew: usage
        down 40%, 2 late tickets'."""
        return disagreement_words(self.call, self.forecast, who)


# --- checkpoints --------------------------------------------------------------------------


def months_before(day: dt.date, months: int) -> dt.date:
    """``day`` less ``months`` calendar months (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def checkpoints(session: Session) -> tuple[int, ...]:
    """The workspace's checkpoints, months before the date, the earliest checkpoint first
    (6, 3)."""
    months = RenewalCallSettings.read(session).checkpoint_months
    return tuple(sorted({int(m) for m in months}, reverse=True))


def current_checkpoint(end_date: dt.date, months: Sequence[int], today: dt.date) -> int | None:
    """The nearest checkpoint reached by ``today`` before the renewal date; None before
    the first one, and from the date itself on."""
    if today >= end_date:
        return None
    reached = [m for m in months if months_before(end_date, m) <= today]
    return min(reached) if reached else None


def margin(session: Session) -> float:
    """The gap between a call's chance and the model's likelihood that counts as
    disagreement (a fraction: 0.4)."""
    return float(RenewalCallSettings.read(session).disagreement_points) / 100.0


def disagreement_words(call: CallRecord, forecast: Forecast, who: str | None = None) -> str:
    """The disagreement in words: who called it what, each with what it is a chance of,
    the model's likelihood and what drives it ("You called it Commit (about 95% to renew);
    the model gives 31% to renew: usage down 40%")."""
    subject = who or "You"
    chance = format_percent(forecast.likelihood)
    about = f" (about {CALL_CHANCE[call.call]:.0%} to renew)" if call.call in CALL_CHANCE else ""
    said = f"{subject} called it {call.label}{about}; the model gives {chance} to renew"
    drivers = [d for d in forecast.drivers if d][:DRIVERS_SAID]
    return f"{said}: {', '.join(drivers)}" if drivers else said


# --- reading ------------------------------------------------------------------------------


def latest_forecast_run(session: Session) -> int | None:
    """The latest scoring run (by its date, then the newest) that stored likelihoods."""
    stored = select(RenewalForecast.id).where(RenewalForecast.run_id == ScoringRun.id).exists()
    return session.scalar(
        select(ScoringRun.id)
        .where(stored)
        .order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
        .limit(1)
    )


def latest_forecasts(
    session: Session, contract_ids: Iterable[int] | None = None
) -> dict[int, Forecast]:
    """Each contract's row of the latest scoring run that stored likelihoods (one read)."""
    ids = None if contract_ids is None else set(contract_ids)
    if ids is not None and not ids:
        return {}
    run = latest_forecast_run(session)
    if run is None:
        return {}
    f = RenewalForecast
    query = select(f.contract_id, f.likelihood, f.model, f.drivers, f.as_of).where(f.run_id == run)
    if ids is not None and len(ids) <= MAX_LISTED:  # else every row is read, the others left out
        query = query.where(f.contract_id.in_(sorted(ids)))
    return {
        int(contract): Forecast(
            contract_id=int(contract),
            likelihood=float(likelihood),
            model=str(model),
            drivers=tuple(str(d) for d in (drivers or ()) if d),
            as_of=as_of,
            run_id=int(run),
        )
        for contract, likelihood, model, drivers, as_of in session.execute(query)
        if ids is None or contract in ids
    }


_CALL_COLUMNS = (RenewalCall.id, RenewalCall.contract_id, RenewalCall.customer_id,
                 RenewalCall.checkpoint_months, RenewalCall.call, RenewalCall.note,
                 RenewalCall.made_by, RenewalCall.made_at,
                 RenewalCall.model_likelihood)  # fmt: skip


def _record(row: Sequence[Any]) -> CallRecord:
    rid, contract, customer, months, call, note, made_by, made_at, likelihood = row
    return CallRecord(
        id=int(rid),
        contract_id=int(contract),
        customer_id=int(customer),
        checkpoint_months=int(months),
        call=str(call),
        note=note or "",
        made_by=made_by or "",
        made_at=made_at,
        model_likelihood=likelihood,
    )


def calls_of(
    session: Session,
    *,
    customer_id: int | None = None,
    contract_ids: Iterable[int] | None = None,
) -> list[CallRecord]:
    """The calls recorded, oldest first (of one customer, or of some contracts)."""
    query = select(*_CALL_COLUMNS).order_by(RenewalCall.made_at, RenewalCall.id)
    if customer_id is not None:
        query = query.where(RenewalCall.customer_id == customer_id)
    ids = None if contract_ids is None else set(contract_ids)
    if ids is not None and len(ids) <= MAX_LISTED:
        query = query.where(RenewalCall.contract_id.in_(sorted(ids)))
    rows = session.execute(query).all()
    return [_record(r) for r in rows if ids is None or r[1] in ids]


def latest_calls(calls: Iterable[CallRecord]) -> dict[int, CallRecord]:
    """Each contract's latest call (calls given oldest first)."""
    out: dict[int, CallRecord] = {}
    for call in calls:
        out[call.contract_id] = call
    return out


@dataclass(frozen=True)
class OpenContract:
    """An open contract as the lists read it: its customer, whose it is, its name and date."""

    id: int
    customer_id: int
    customer: str
    owner: str
    contract: str
    end_date: dt.date


def open_contracts(session: Session, owner: str | None = None) -> list[OpenContract]:
    """The open contracts with their customers, the nearest renewal first (one read of
    the columns the lists need)."""
    whose = func.coalesce(Contract.owner, Customer.owner)
    query = (
        select(
            Contract.id,
            Customer.id,
            account_name_sql(),
            whose,
            Contract.name,
            Contract.external_id,
            Contract.end_date,
        )  # fmt: skip
        .join(Customer, Customer.id == Contract.customer_id)
        .where(Contract.outcome == OPEN)
        .order_by(Contract.end_date, Contract.id)
    )
    if owner:
        query = query.where(func.lower(whose) == owner.lower())
    return [
        OpenContract(
            id=int(cid),
            customer_id=int(customer),
            customer=name,
            owner=who or "",
            contract=label or external or f"contract {cid}",
            end_date=end,
        )
        for cid, customer, name, who, label, external, end in session.execute(query)
    ]


def contract_name(contract: Contract) -> str:
    return contract.name or contract.external_id or f"contract {contract.id}"


def calls_due(session: Session, today: dt.date, *, owner: str | None = None) -> list[DueCall]:
    """The open contracts whose call is due at their current checkpoint, the nearest
    renewal first."""
    months = checkpoints(session)
    due = []
    for c in open_contracts(session, owner):
        current = current_checkpoint(c.end_date, months, today)
        if current is not None:
            due.append((c, current))
    if not due:
        return []
    made = {
        (call.contract_id, call.checkpoint_months)
        for call in calls_of(session, contract_ids=[c.id for c, _ in due])
    }
    return [
        DueCall(
            contract_id=c.id,
            customer_id=c.customer_id,
            customer=c.customer,
            owner=c.owner,
            contract=c.contract,
            end_date=c.end_date,
            checkpoint_months=current,
            checkpoint_date=months_before(c.end_date, current),
        )
        for c, current in due
        if (c.id, current) not in made
    ]


def disagreements(session: Session, *, owner: str | None = None) -> list[Disagreement]:
    """The open contracts whose owner's latest call and the model's latest likelihood
    differ by the margin or more, the widest gap first."""
    gap = margin(session)
    contracts = open_contracts(session, owner)
    ids = [c.id for c in contracts]
    latest = latest_calls(calls_of(session, contract_ids=ids)) if ids else {}
    called = [c for c in contracts if c.id in latest]
    forecasts = latest_forecasts(session, [c.id for c in called])
    out = []
    for c in called:
        call, forecast = latest[c.id], forecasts.get(c.id)
        if forecast is None or not disagrees(call.call, forecast.likelihood, gap):
            continue
        out.append(
            Disagreement(
                contract_id=c.id,
                customer_id=c.customer_id,
                customer=c.customer,
                owner=c.owner,
                contract=c.contract,
                end_date=c.end_date,
                call=call,
                forecast=forecast,
            )
        )
    out.sort(key=lambda d: (-abs(d.gap), d.end_date, d.contract_id))
    return out


# --- recording ------------------------------------------------------------------------------


def upcoming_contract(session: Session, customer_id: int, contract_id: int | None) -> Contract:
    """The contract a call is for: ``contract_id`` (of this customer), else the customer's
    one open contract; refused in words when there is none, or several."""
    if contract_id is not None:
        contract = session.get(Contract, contract_id)
        if contract is None or int(contract.customer_id) != customer_id:
            raise RenewalCallError(f"This customer has no contract {contract_id}.")
        return contract
    open_ones = list(
        session.scalars(
            select(Contract)
            .where(Contract.customer_id == customer_id, Contract.outcome == OPEN)
            .order_by(Contract.end_date, Contract.id)
        )
    )
    if not open_ones:
        raise RenewalCallError("This customer has no open contract to make a call on.")
    if len(open_ones) > 1:
        listed = ", ".join(
            f"{c.id} ({contract_name(c)}, {c.end_date.isoformat()})" for c in open_ones
        )
        raise RenewalCallError(
            f"This customer has {len(open_ones)} open contracts: {listed}. Say which one."
        )
    return open_ones[0]


def record_call_in(
    session: Session,
    contract: Contract,
    checkpoint_months: int | None,
    call: str,
    note: str,
    *,
    actor: str,
    now: dt.datetime | None = None,
) -> RenewalCall:
    """Write the owner's call on ``contract`` in the caller's transaction: the checkpoint
    (None: the current one, else the next to come), the model's likelihood now; refused
    in words for an unknown call or checkpoint, or a contract already decided."""
    now = now or utcnow()
    if call not in CALLS:
        words = ", ".join(c.replace("_", " ") for c in CALLS)
        raise RenewalCallError(f"'{call}' is not a call; choose one of {words}.")
    if contract.outcome != OPEN:
        raise RenewalCallError(
            f"{contract_name(contract).capitalize()} is already decided ({contract.outcome}); "
            "a call is made before the renewal."
        )
    months = checkpoints(session)
    if checkpoint_months is None:
        checkpoint_months = current_checkpoint(contract.end_date, months, now.date()) or months[0]
    if checkpoint_months not in months:
        listed = " and ".join(str(m) for m in months)
        raise RenewalCallError(
            f"{checkpoint_months} months is not a checkpoint; the checkpoints are {listed} "
            "months before the renewal date (Settings ▸ Renewals)."
        )
    forecast = latest_forecasts(session, [int(contract.id)]).get(int(contract.id))
    row = RenewalCall(
        contract_id=int(contract.id),
        customer_id=int(contract.customer_id),
        checkpoint_months=checkpoint_months,
        call=call,
        note=note.strip() or None,
        made_by=actor,
        made_at=now,
        model_likelihood=forecast.likelihood if forecast is not None else None,
    )
    session.add(row)
    session.flush()
    return row


def delete_calls_in(session: Session, call_ids: Sequence[int]) -> int:
    """Remove calls (an undo) in the caller's transaction; how many were there."""
    if not call_ids:
        return 0
    found = session.scalar(
        select(func.count()).select_from(RenewalCall).where(RenewalCall.id.in_(call_ids))
    )
    session.execute(delete(RenewalCall).where(RenewalCall.id.in_(call_ids)))
    return int(found or 0)


def read_calls(engine: Engine, customer_id: int | None = None) -> list[CallRecord]:
    """The calls recorded (of one customer), oldest first."""
    with translate_db_errors(), Session(engine) as session:
        return calls_of(session, customer_id=customer_id)
