"""The digest's line of the owners' renewal calls due (services/listen/digest.py makes the
rest): a contract's checkpoint reached and no call made at it (calls.py ``calls_due``, the
one definition My work and ``renewals calls`` use too), the nearest renewal first."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.core.formatting import format_date
from services.listen.records import DigestLine
from services.renewals.calls import calls_due


def renewal_calls_line(session: Session, today: dt.date) -> DigestLine:
    """ "12 renewal calls due (the nearest renewal 14 Dec 2026)", opening My work."""
    due = calls_due(session, today)
    text = f"{len(due):,} renewal call{'' if len(due) == 1 else 's'} due"
    if due:
        text += f" (the nearest renewal {format_date(due[0].end_date)})"
    ids = frozenset(c.customer_id for c in due)
    return DigestLine("renewal_calls", text, len(due), ids, opens="my_work")
