"""A demo workspace's simulated truth: what the simulation decided (who was contacted and
what it did for them, whose usage dropped and when, which contract terms renew and with
what chance, the owners' calls, the people's stories), kept in the workspace's
``demo_truths`` table, one row per part, so that a benchmark or a test grades the app's
figures against it. The demo marker (the setting ``workspace.demo``) keeps only how the
demo was built: its size, seed and day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.schema import DemoTruth

# The parts of the truth (their modules say what each holds).
OUTREACH, USAGE, RENEWALS, CALLS, PEOPLE = "outreach", "usage", "renewals", "calls", "people"
# How many customers (the first batch of a large demo) the truths describe.
CUSTOMERS = "customers"


def write_truths(session: Session, truths: Mapping[str, Any], built_at: dt.datetime) -> None:
    """Keep ``truths`` (part name to its JSON body) in place of any kept before."""
    session.execute(delete(DemoTruth))
    session.add_all(
        DemoTruth(name=name, body=body, built_at=built_at) for name, body in truths.items()
    )
    session.flush()


def demo_truth(session: Session, name: str) -> Any:
    """One part of the truth (``RENEWALS``...); None when the workspace has none."""
    return session.scalar(select(DemoTruth.body).where(DemoTruth.name == name))


def demo_truths(session: Session) -> dict[str, Any]:
    """Every part of the truth by name; empty for a workspace of real data."""
    return {name: body for name, body in session.execute(select(DemoTruth.name, DemoTruth.body))}
