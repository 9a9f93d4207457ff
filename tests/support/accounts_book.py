"""A small hand-made book for how accounts are named (services/core/account_names.py):
a business account whose champion left, and a customer who is their own one person.

"Now" is Friday 2026-11-27 15:00 UTC; the workspace's zone is UTC, its home currency USD.

  W  Willow Creek Clinic: the customer's own row names Henry Müller (its buyer,
     henry@willowcreek.test), owner Maya. Its people: Henry Müller, champion, gone from
     the CRM's export since Nov 7; Dana Cole, decision maker (dana@willowcreek.test).
     A critical alert raised an hour ago whose reason names both; a task on it due today;
     two paid orders. -> named "Willow Creek Clinic", Dana Cole under it, never Henry.
  A  Ada Lovelace (ada@lovelace.test), owner Maya, no company, no contacts rows: a
     warning alert. -> named "Ada Lovelace", no one under it.
  N  a customer with nothing but an id (no name, company or email) -> "Customer <id>".

``add_call`` adds a call with Willow Creek Clinic through the real import: Maya (ours)
and Dana Cole, who promises to send the signed renewal by Friday.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from models.schema import Action, Alert, Contact, Customer, Order
from services.settings import set_setting

NOW = dt.datetime(2026, 11, 27, 15, 0, tzinfo=dt.UTC)
LEFT_ON = dt.date(2026, 11, 7)
W_REASON = (
    "Henry Müller (champion) is no longer in the Salesforce export since Nov 7; "
    "Dana Cole (decision maker) remains: write to dana@willowcreek.test"
)
TASK = "Send the renewal quote"
CALL_FILE = "2026-11-25 Willow Creek Clinic call.txt"
CALL = """\
Maya Brooks: Thanks for taking the call, Dana.
Dana Cole: We are reviewing every supplier since Henry left.
Maya Brooks: I understand. What would help you decide?
Dana Cole: I will send you the signed renewal by Friday.
"""
PROMISE = "send you the signed renewal by Friday"


def fill_accounts_book(engine: Engine) -> dict[str, int]:
    """Write the book (module doc); the customers' ids by letter, and "W_alert"."""
    ids: dict[str, int] = {}
    with Session(engine) as s, s.begin():
        set_setting(s, "workspace.time_zone", "UTC")
        set_setting(s, "workspace.home_currency", "USD")
        made = NOW - dt.timedelta(days=400)
        w = Customer(
            source="salesforce", external_id="001W", name="Henry Müller",
            email="henry@willowcreek.test", email_normalized="henry@willowcreek.test",
            company="Willow Creek Clinic", phone="+1 555 010 0199", owner="Maya",
            created_at=made,
        )  # fmt: skip
        a = Customer(
            source="shopify", external_id="A1", name="Ada Lovelace", email="ada@lovelace.test",
            email_normalized="ada@lovelace.test", owner="Maya", created_at=made,
        )  # fmt: skip
        n = Customer(source="generic", external_id="N1", created_at=made)
        s.add_all([w, a, n])
        s.flush()
        ids.update(W=int(w.id), A=int(a.id), N=int(n.id))
        s.add_all(
            [
                Contact(
                    customer_id=w.id, source="salesforce", external_id="003H",
                    name="Henry Müller", email="henry@willowcreek.test",
                    email_normalized="henry@willowcreek.test", role="champion",
                    left_on=LEFT_ON, created_at=made,
                ),
                Contact(
                    customer_id=w.id, source="salesforce", external_id="003D",
                    name="Dana Cole", email="dana@willowcreek.test",
                    email_normalized="dana@willowcreek.test", role="decision_maker",
                    created_at=made,
                ),
            ]
        )  # fmt: skip
        for days, cents in ((90, 480_00), (30, 520_00)):
            s.add(
                Order(
                    customer_id=w.id, external_id=f"W-{days}", source="salesforce",
                    order_date=NOW - dt.timedelta(days=days), amount_cents=cents,
                    currency="USD", status="paid",
                )
            )  # fmt: skip
        raised = NOW - dt.timedelta(hours=1)
        alert = Alert(
            customer_id=w.id, rule_key="high_risk_high_value", severity="critical",
            status="open", reason=W_REASON, priority_cents=1_240_000, owner="Maya",
            created_at=raised, updated_at=raised,
        )  # fmt: skip
        warning = Alert(
            customer_id=a.id, rule_key="high_risk_high_value", severity="warning",
            status="open", reason="Orders slowed down", priority_cents=310_000, owner="Maya",
            created_at=raised, updated_at=raised,
        )  # fmt: skip
        s.add_all([alert, warning])
        s.flush()
        ids["W_alert"] = int(alert.id)
        s.add(
            Action(
                customer_id=w.id, alert_id=alert.id, kind="task", title=TASK,
                due_date=NOW.date(), created_by="Maya", created_at=raised,
            )
        )  # fmt: skip
    from services.core.rollups import refresh_rollups

    with Session(engine) as s, s.begin():
        refresh_rollups(s)
    return ids


def add_call(engine: Engine, folder: Path) -> int:
    """Import the call with Willow Creek Clinic (module doc); its interaction id."""
    from services.importing.service import run_import

    with Session(engine) as s, s.begin():
        set_setting(s, "outreach.team_domains", ["ourco.example"])
    path = folder / CALL_FILE
    path.write_text(CALL, encoding="utf-8")
    report = run_import(engine, [path])
    assert report.landed, report
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT id FROM interactions WHERE source = 'conversations'")
            ).scalar_one()
        )
