"""Results measure a playbook as outreach: an alert of the outreach arm with a
playbook started is contacted from its start, named in the Playbook breakdown; a
held-out customer started on one anyway is in neither group."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from services.alerts.actions import apply_card_action
from services.learn.data import load_learn_data
from services.learn.effectiveness import effectiveness_report
from tests.unit.alerts.test_alerts_rules import NOW, Book, make_book
from tests.unit.alerts.test_alerts_undo import late_ticket


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def in_experiment(book: Book, alert: int, *, held: bool) -> None:
    with book.engine.begin() as conn:
        conn.execute(
            text("UPDATE alerts SET holdout = :h, holdout_band = 'medium' WHERE id = :a"),
            {"h": held, "a": alert},
        )


def test_a_playbook_started_is_a_contact_from_its_start(book: Book) -> None:
    _ada, started = late_ticket(book, "Ada")
    _ben, held = late_ticket(book, "Ben")
    _cy, idle = late_ticket(book, "Cy")
    in_experiment(book, started, held=False)
    in_experiment(book, held, held=True)
    in_experiment(book, idle, held=False)
    when = NOW + dt.timedelta(hours=2)
    apply_card_action(book.engine, (started,), "playbook", key="win_back", actor="m", now=when)
    with Session(book.engine) as session:
        data = load_learn_data(session)
    rows = data.exposures.set_index("alert_id")
    assert rows.loc[started, "group"] == "contacted"
    assert rows.loc[started, "playbook"] == "Win-back"
    assert rows.loc[started, "start"] == pd.Timestamp(when)
    assert rows.loc[held, "group"] == "holdout"
    assert set(data.not_contacted["alert_id"]) == {idle}
    report = effectiveness_report(book.engine, by="playbook", now=NOW + dt.timedelta(days=40))
    assert [s.label for s in report.breakdown] == ["Win-back"]
    (part,) = report.breakdown
    assert part.lift.contacted.customers.count == 1
    assert part.lift.holdout.customers.count == 1
    assert not part.lift.enough  # one of each: "Not enough data yet"
    assert "at least 30" in part.lift.not_enough_reason
    assert "got no playbook" in report.breakdown_note
