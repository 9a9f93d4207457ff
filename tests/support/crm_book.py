"""A small hand-made book for the CRM activity files: three customers, each from another
source, with what was logged in the app against each, and one activity the CRM itself
sent (imported), which no export may echo back.

  A  Ann Archer, Acme: a Salesforce Account (001...AAA) with its contact Ann (003...AAA)
     call 2026-03-02 10:00 "Renewal check-in" (talked with them), what was said
     email 2026-03-03 09:30 "=SUM(A1:A9) pricing" (a formula, to be neutralised)
  B  Bo Berg: a HubSpot contact (record 501)
     call 2026-03-04 14:15 "Left word about the upgrade" (a voicemail)
  C  Cy Chen: a plain customers file (generic, C-3)
     email 2026-03-05 16:45 "Your March order"
  and, imported for A: a Salesforce call 2026-02-20 "Imported from the CRM", and a note
  logged in another workspace whose file was imported here.

The customers are written by ``add_customers`` (the same in a second, fresh workspace);
the app's activities by the app's own functions (a call logged on an alert, an email
recorded), so they carry what the app writes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.schema import Alert, Contact, Customer, CustomerIdentity, ImportRun, Interaction
from models.vocab import APP_SOURCE
from services.alerts.contact import log_call
from services.outreach.sent import record_email

ACCOUNT = "001000000000001AAA"
CONTACT = "003000000000001AAA"
CUSTOMERS = {
    "A": ("salesforce", ACCOUNT, "Ann Archer", "Acme", "ann@acme.test", "Maya"),
    "B": ("hubspot", "501", "Bo Berg", None, "bo@beta.test", "Leo"),
    "C": ("generic", "C-3", "Cy Chen", None, "cy@gamma.test", "Leo"),
}
UTC = dt.UTC
BEFORE = dt.timedelta(days=9)


def at(day: int, hour: int, minute: int) -> dt.datetime:
    """A moment of March 2026, UTC."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def add_customers(engine: Engine) -> dict[str, int]:
    """The three customers (and A's contact), as the importers would have kept them."""
    ids: dict[str, int] = {}
    with Session(engine) as s, s.begin():
        for letter, (source, external, name, company, email, owner) in CUSTOMERS.items():
            customer = Customer(
                source=source, external_id=external, name=name, company=company,
                email=email, email_normalized=email, owner=owner,
            )  # fmt: skip
            s.add(customer)
            s.flush()
            s.add(CustomerIdentity(customer_id=customer.id, source=source, external_id=external))
            ids[letter] = customer.id
        s.add(
            Contact(
                customer_id=ids["A"], source="salesforce", external_id=CONTACT,
                name="Ann Archer", email="ann@acme.test", email_normalized="ann@acme.test",
            )
        )  # fmt: skip
    return ids


def _alert(engine: Engine, customer_id: int) -> int:
    with Session(engine) as s, s.begin():
        alert = Alert(
            customer_id=customer_id, rule_key="churn_risk", severity="warning",
            reason="No order for a while", created_at=at(1, 8, 0),
        )  # fmt: skip
        s.add(alert)
        s.flush()
        return int(alert.id)


def log_activities(engine: Engine, ids: dict[str, int]) -> None:
    """What the account managers logged in the app (module doc)."""
    a_alert = _alert(engine, ids["A"])
    b_alert = _alert(engine, ids["B"])
    log_call(engine, a_alert, "Renewal check-in\nThey renew in May.", actor="Maya",
             now=at(2, 10, 0))  # fmt: skip
    record_email(engine, ids["A"], alert_id=a_alert, subject="=SUM(A1:A9) pricing",
                 body="Prices attached.", actor="Maya", now=at(3, 9, 30))  # fmt: skip
    log_call(engine, b_alert, "Left word about the upgrade", outcome="voicemail",
             actor="Leo", now=at(4, 14, 15))  # fmt: skip
    record_email(engine, ids["C"], alert_id=None, subject="Your March order",
                 body="Thank you for it.", actor="Leo", now=at(5, 16, 45))  # fmt: skip


def add_imported_call(engine: Engine, customer_id: int) -> None:
    """A call the CRM sent in an import, and a note another workspace's file brought:
    neither is written back to a CRM."""
    with Session(engine) as s, s.begin():
        run = ImportRun(source_path="Task.csv", file_name="Task.csv", status="completed")
        s.add(run)
        s.flush()
        s.add(
            Interaction(
                customer_id=customer_id, kind="call", occurred_at=at(1, 9, 0) - BEFORE,
                subject="Imported from the CRM", source="salesforce",
                external_id="00T000000000001AAA", import_run_id=run.id,
            )
        )  # fmt: skip
        # Logged in another workspace, brought here by an import of its file: not ours.
        s.add(
            Interaction(
                customer_id=customer_id, kind="note", occurred_at=at(1, 9, 30),
                subject="Another team's note", source=APP_SOURCE,
                external_id="radar-00000000000000ff", import_run_id=run.id,
            )
        )  # fmt: skip


def fill_crm_book(engine: Engine) -> dict[str, int]:
    """The whole book of the module doc; the customers' ids by letter."""
    ids = add_customers(engine)
    add_imported_call(engine, ids["A"])
    log_activities(engine, ids)
    return ids


def let_every_field_leave(engine: Engine) -> None:
    """Settings ▸ Privacy allowing every field out of this computer (a ticket or a CRM
    file then carries the requester's full name and address)."""
    from sqlalchemy.orm import Session

    from services.settings import set_setting
    from services.settings.outreach import PRIVACY_FIELDS

    with Session(engine) as session, session.begin():
        set_setting(session, "outreach.sent_fields", list(PRIVACY_FIELDS))
