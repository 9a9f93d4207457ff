"""My work's renewals: the owner's calls due at a checkpoint before a renewal date, then
the calls the model disagrees with by the margin (services/renewals/calls.py).

Whose, as My work's other lists choose (services/alerts/work.py): "Mine" lists the
contracts of ``owner``'s customers (the owner name the alert list's "Mine" matches, any
case), and nothing when no owner name is known (the user has not said who they are), as
the overdue alerts do; ``everyone`` lists every owner's (a team lead's view of the team).
Each line says whose call it is: "Your call is due" on the user's own customers, "Leo's
call is due" on another owner's, "A call is due (no owner yet)" on a customer without one;
a disagreement names the owner the same way. A workspace without open contracts reads one
empty query.

``renewals_elsewhere`` counts what "Mine" leaves out (the renewals waiting on other
owners' customers), so the list can say where they are instead of vanishing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.alerts.work_records import WorkRenewal
from services.core.formatting import format_date
from services.renewals.calls import DueCall, calls_due, disagreements
from services.renewals.vocab import call_due_words

DUE, DISAGREES = "due", "disagrees"


def _is_own(contract_owner: str, owner: str | None) -> bool:
    return bool(owner) and contract_owner.strip().lower() == (owner or "").strip().lower()


def _due_words(d: DueCall, owner: str | None) -> str:
    whose = call_due_words(d.owner, owner)
    return (
        f"{whose}: {d.checkpoint_months} months before the renewal "
        f"(since {format_date(d.checkpoint_date)})"
    )


def renewal_work(
    session: Session, owner: str | None, everyone: bool, today: dt.date
) -> tuple[tuple[WorkRenewal, ...], int]:
    """The renewals that want a call (module doc), calls due first (nearest renewal
    first), then disagreements (widest gap first); and how many of every owner's "Mine"
    leaves out (0 with ``everyone``)."""
    due = calls_due(session, today)
    disagree = disagreements(session)
    keep_due = [d for d in due if everyone or _is_own(d.owner, owner)]
    keep_disagree = [d for d in disagree if everyone or _is_own(d.owner, owner)]
    out = [
        WorkRenewal(
            customer_id=d.customer_id,
            customer=d.customer,
            owner=d.owner,
            contract=d.contract,
            renewal_date=d.end_date,
            kind=DUE,
            what=_due_words(d, owner),
        )
        for d in keep_due
    ]
    out += [
        WorkRenewal(
            customer_id=d.customer_id,
            customer=d.customer,
            owner=d.owner,
            contract=d.contract,
            renewal_date=d.end_date,
            kind=DISAGREES,
            what=d.words(None if _is_own(d.owner, owner) else d.owner or "The owner"),
        )
        for d in keep_disagree
    ]
    elsewhere = len(due) + len(disagree) - len(keep_due) - len(keep_disagree)
    return tuple(out), elsewhere
