"""The owner per segment, in a transaction of its own: customers without an owner take
the owner their segment's rule names (services/segment_policy/owners.py). A scoring
asks here after the scores (services/usecases/refresh.py), the window after a change of
Settings ▸ Per segment; an import and the command line's ``config segment`` give the
owners inside their own transaction.

``undoable`` turns what was given into a change Ctrl+Z takes back (services/alerts/
undo.py): every customer and alert goes back to no owner (refused when one of them was
assigned again since), and the rule does not give those customers that owner again.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Engine

from services.alerts.config import default_actor
from services.alerts.lifecycle import unit_of_work
from services.alerts.records import OwnerBefore, Undoable
from services.segment_policy import RuleOwners, give_rule_owners
from services.segment_policy.owners import RULE_ASSIGNED


def owners_from_rules(
    engine: Engine, customer_ids: Collection[int] | None = None, *, actor: str | None = None
) -> RuleOwners:
    """Give the customers without an owner (of ``customer_ids``; None: all) their
    segment's owner, audited, in one transaction."""
    with unit_of_work(engine, write_first=True) as session:
        return give_rule_owners(session, customer_ids, actor=actor or default_actor())


def undoable(given: RuleOwners) -> Undoable | None:
    """What Ctrl+Z undoes of ``given`` (None: nothing was given)."""
    if not given.customers:
        return None
    n = given.count
    return Undoable(
        label=f"Gave {n:,} customer{'' if n == 1 else 's'} their segment's owner",
        undid=RULE_ASSIGNED,
        customer_id=given.customers[0][0],
        owners=(
            *(OwnerBefore("customer", cid, None, owner) for cid, owner in given.customers),
            *(OwnerBefore("alert", aid, was, to) for aid, was, to in given.alerts),
        ),
    )
