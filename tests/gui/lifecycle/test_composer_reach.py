"""The composer offers the best time to reach out: on the scored demo, with 60 emails to
other customers planted on a Tuesday at 10:00 (30 answered) and 60 on a Thursday at 15:00
(8 answered), it says Tuesday 9–11 is when customers answer best, with the counts (of
the customer's stage when that names a best time, else of everyone)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from app.gui.outreach.composer_controller import ComposerController
from app.workspace import Workspace
from models.schema import Interaction, Outreach
from services.settings.store import set_setting
from tests.gui.outreach.test_composer import (  # noqa: F401  (fixtures)
    TIMEOUT_MS,
    an_alert,
    composer,
    rows,
    user,
)


def _plant(workspace: Workspace, skip: int) -> None:
    today = dt.date.today()
    # Six weeks back or more: the attribution window of every email has closed, and a
    # return (a paid order within it) answers an email as a reply does.
    tuesday = today - dt.timedelta(days=(today.weekday() - 1) % 7 + 42)
    thursday = tuesday + dt.timedelta(days=2)
    people = rows(
        workspace,
        "SELECT id, email FROM customers WHERE email IS NOT NULL AND id != ? ORDER BY id LIMIT 120",
        skip,
    )
    with Session(workspace.engine) as s, s.begin():
        set_setting(s, "workspace.time_zone", "UTC")
        for n, (cid, address) in enumerate(people):
            day, hour, replied = (tuesday, 10, n < 50) if n < 60 else (thursday, 15, n < 68)
            at = dt.datetime.combine(day, dt.time(hour))
            subject = f"A question for you {n}"
            s.add(Outreach(customer_id=cid, status="sent", recipient=address, subject=subject,
                           body="Hello", sent_at=at, created_at=at))  # fmt: skip
            if replied:
                s.add(Interaction(customer_id=cid, kind="email_received",
                                  occurred_at=at + dt.timedelta(hours=5),
                                  subject=f"Re: {subject}", text="Thanks",
                                  attributes={"from": address}))  # fmt: skip


def test_the_composer_offers_the_best_time(
    qtbot,
    composer: ComposerController,  # noqa: F811
    workspace: Workspace,
) -> None:
    alert_id, customer_id, _name, _email = an_alert(workspace)
    _plant(workspace, customer_id)
    composer.open(alert_id, customer_id)
    dialog = composer.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: bool(dialog.reach.text()), timeout=TIMEOUT_MS)
    text = dialog.reach.text()
    assert text.startswith("Best reached: Tuesday 9–11, "), text
    assert " replied or came back after (" in text
    assert text.endswith("customers).")
    assert not dialog.reach.isHidden()
