"""My work's renewals: the owner's calls due at a checkpoint before a renewal date, then
the calls the model disagrees with by the margin (services/renewals/calls.py).

Whose: the customers of ``owner`` (the name "Mine" matches), or every owner's with
``everyone`` (a team lead's view of the team: each disagreement names whose call it is)
or when no owner name is known (a workspace of one). A workspace without open contracts
reads one empty query."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.alerts.work_records import WorkRenewal
from services.core.formatting import format_date
from services.renewals.calls import calls_due, disagreements

DUE, DISAGREES = "due", "disagrees"


def renewal_work(
    session: Session, owner: str | None, everyone: bool, today: dt.date
) -> tuple[WorkRenewal, ...]:
    """The renewals that want the owner's word, calls due first (nearest renewal first),
    then disagreements (widest gap first)."""
    whose = None if everyone else owner
    out = [
        WorkRenewal(
            customer_id=d.customer_id,
            customer=d.customer,
            owner=d.owner,
            contract=d.contract,
            renewal_date=d.end_date,
            kind=DUE,
            what=f"Your call is due: {d.checkpoint_months} months before the renewal "
            f"(since {format_date(d.checkpoint_date)})",
        )
        for d in calls_due(session, today, owner=whose)
    ]
    out += [
        WorkRenewal(
            customer_id=d.customer_id,
            customer=d.customer,
            owner=d.owner,
            contract=d.contract,
            renewal_date=d.end_date,
            kind=DISAGREES,
            what=d.words(None if not everyone and d.owner == owner else d.owner or "The owner"),
        )
        for d in disagreements(session, owner=whose)
    ]
    return tuple(out)
