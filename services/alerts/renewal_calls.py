"""Recording the owner's renewal call as a user action: one transaction, audited
("renewal.call_recorded"), undoable (Ctrl+Z in the window removes the call just recorded,
audited as "customer.undone"). What a call is and how it is read:
services/renewals/calls.py.

In a shared workspace a manager records calls only on their own customers: another
owner's customer is not found (row-level security), and the database refuses the row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from models.schema import Customer
from services.alerts.config import default_actor
from services.alerts.lifecycle import AlertActionError, Doing, moment, unit_of_work
from services.alerts.records import Undoable
from services.core.account_names import name_of
from services.core.offline_origin import origin_in
from services.renewals.calls import (
    RenewalCallError,
    contract_name,
    delete_calls_in,
    record_call_in,
    upcoming_contract,
)
from services.renewals.vocab import CALL_LABELS


def record_renewal_call(
    engine: object,
    customer_id: int,
    call: str,
    note: str = "",
    *,
    checkpoint_months: int | None = None,
    contract_id: int | None = None,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> Undoable:
    """Record the owner's call on the customer's upcoming contract (``contract_id`` when
    they have several) at a checkpoint (None: the current one); returns what undoing it
    removes. Refused in plain words (RenewalCallError) when it cannot be made."""
    when, who = moment(now), actor or default_actor()
    with unit_of_work(engine, write_first=True) as session:  # type: ignore[arg-type]
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise RenewalCallError(
                f"Customer {customer_id} is not in the workspace, or not in your book."
            )
        _refuse_in_offline_copy(session)
        contract = upcoming_contract(session, customer_id, contract_id)
        row = record_call_in(session, contract, checkpoint_months, call, note, actor=who, now=when)
        name = name_of(session, customer_id)
        label = CALL_LABELS.get(call, call)
        details = {
            "contract_id": int(contract.id),
            "checkpoint_months": int(row.checkpoint_months),
            "call": call,
            "note": row.note,
            "model_likelihood": row.model_likelihood,
            "text": f"Called {contract_name(contract)} {label} at {row.checkpoint_months} months",
        }
        Doing(session, when, who).audit("renewal.call_recorded", ("customer", customer_id), details)
        return Undoable(
            label=f"Called {name}'s renewal {label}",
            undid="renewal.call_recorded",
            customer_id=customer_id,
            renewal_call_ids=(int(row.id),),
        )


def _refuse_in_offline_copy(session: Session) -> None:
    """Sync back carries calls, notes, tasks and the alerts' lifecycle, not renewal calls:
    an offline copy refuses them in words."""
    if session.connection().dialect.name != "sqlite":
        return
    origin = origin_in(session)
    if origin is not None:
        raise RenewalCallError(
            f"This workspace is an offline copy of {origin.label}: renewal calls are not "
            "carried back when you sync, so record it on the shared workspace."
        )


def undo_calls_in(session: Session, call_ids: Sequence[int]) -> None:
    """Remove the calls an action recorded (services/alerts/undo.py); refused when they
    are gone already."""
    if delete_calls_in(session, call_ids) != len(set(call_ids)):
        raise AlertActionError("That renewal call no longer exists; nothing was undone.")
