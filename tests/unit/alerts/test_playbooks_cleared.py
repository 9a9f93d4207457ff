"""Which running playbooks stop by themselves: read in one statement, the same
runs and reasons as the run-by-run check it replaced, and written only when some stop;
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import exists, select, text
from sqlalchemy.orm import Session

from models.schema import Alert, Customer, Order, PlaybookRun
from services.alerts.actions import apply_card_action
from services.alerts.playbooks import CLOSED_STATUSES, cleared_runs, stop_cleared_runs
from tests.unit.alerts.test_alerts_rules import NOW, Book, make_book, only
from tests.unit.alerts.test_alerts_undo import rows
from tests.unit.alerts.test_playbooks import start

DAY = dt.timedelta(days=1)


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def run_by_run(book: Book) -> dict[int, str]:
    """The check as it was before (one read per running playbook), kept to compare."""
    found: dict[int, str] = {}
    with Session(book.engine) as session:
        for run in session.scalars(select(PlaybookRun).where(PlaybookRun.stopped_at.is_(None))):
            customer = session.get(Customer, run.customer_id)
            ordered = session.scalar(
                select(exists().where(
                    Order.customer_id == run.customer_id,
                    Order.status == "paid",
                    Order.order_date > run.started_at,
                ))
            )  # fmt: skip
            alert = session.get(Alert, run.alert_id) if run.alert_id is not None else None
            if customer is None or customer.do_not_contact:
                found[int(run.id)] = "do_not_contact"
            elif ordered:
                found[int(run.id)] = "ordered"
            elif alert is None or alert.status in CLOSED_STATUSES:
                found[int(run.id)] = "alert_closed"
    return found


def order(book: Book, cid: int, when: dt.datetime, status: str) -> None:
    with book.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO orders (customer_id, external_id, source, order_date, "
                "amount_cents, currency, status) VALUES "
                f"({cid}, 'o-{cid}-{status}', 't', :when, 900, 'USD', :status)"
            ),
            {"when": when.replace(tzinfo=None), "status": status},
        )


def test_cleared_runs_are_those_the_run_by_run_check_found(book: Book) -> None:
    only(book, "ticket_past_sla")
    names = ("Ada", "Bo", "Cy", "Di", "Ed", "Flo", "Gus")
    cids = {name: book.customer(name) for name in names}
    for cid in cids.values():
        book.interaction(cid, "ticket", 5, status="open")
    book.score({cid: {"churn": 0.5, "clv": 200} for cid in cids.values()})
    book.generate()
    alert = {n: int(book.alerts(f"WHERE customer_id = {c}")[0]["id"]) for n, c in cids.items()}
    for name in names:
        start(book, alert[name], holdout_reason="Part of the test")
    runs = dict(rows(book, "SELECT customer_id, id FROM playbook_runs"))
    with book.engine.begin() as conn:
        conn.execute(text(f"UPDATE customers SET do_not_contact = true WHERE id = {cids['Bo']}"))
        conn.execute(text(f"UPDATE customers SET do_not_contact = true WHERE id = {cids['Flo']}"))
    order(book, cids["Cy"], NOW + DAY, "paid")  # after the start: stops it
    order(book, cids["Ed"], NOW + DAY, "refunded")  # not paid: it runs on
    order(book, cids["Gus"], NOW - DAY, "paid")  # before the start: it runs on
    apply_card_action(book.engine, (alert["Di"],), "dismiss", actor="maya", now=NOW)
    apply_card_action(book.engine, (alert["Flo"],), "dismiss", actor="maya", now=NOW)

    expected = {
        runs[cids["Bo"]]: "do_not_contact",
        runs[cids["Flo"]]: "do_not_contact",  # the first reason that holds
        runs[cids["Cy"]]: "ordered",
        runs[cids["Di"]]: "alert_closed",
    }
    assert run_by_run(book) == expected
    assert cleared_runs(book.engine) == expected

    assert stop_cleared_runs(book.engine, now=NOW + 2 * DAY) == 4
    stopped = rows(book, "SELECT id, stop_reason FROM playbook_runs WHERE stopped_at IS NOT NULL")
    assert dict(stopped) == expected
    stop = "alert.playbook_stopped"
    assert rows(book, f"SELECT COUNT(*) FROM audit_events WHERE action = '{stop}'") == [(4,)]
    assert cleared_runs(book.engine) == {} == run_by_run(book)
    assert stop_cleared_runs(book.engine, now=NOW + 3 * DAY) == 0
    assert rows(book, "SELECT COUNT(*) FROM playbook_runs WHERE stopped_at IS NULL") == [(3,)]
