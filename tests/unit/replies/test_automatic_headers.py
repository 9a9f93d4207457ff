"""The headers that tell an automatic answer reach every reader of an imported email
(tests/data/conversations/automatic, through the real conversation import): a mailbox's
"Re:" answer marked only by Precedence: auto_reply is counted as automatic, never as a
reply; and none of the automatic answers is a two-way contact with the champion for the
relationship signals, while her own answer is. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Contact, Customer, Outreach
from services.importing.service import run_import
from services.people.signals import read_people_signals
from services.replies.report import replies_report
from services.settings import set_setting
from tests.support.paths import DATA

DANA = "dana.smith@contoso-freight.example.com"


@pytest.fixture
def engine(workspace_url: str, tmp_path: Path) -> Iterator[Engine]:
    ws = open_workspace(workspace_url, backup=False)
    try:
        with Session(ws.engine) as s, s.begin():
            set_setting(s, "outreach.team_domains", ["ourco.example"])
            set_setting(s, "workspace.time_zone", "UTC")
            s.add(Customer(source="t", external_id="C1", name="Dana Smith", email=DANA,
                           email_normalized=DANA, company="Contoso Freight"))  # fmt: skip
        with ws.engine.begin() as conn:
            conn.execute(
                insert(Contact),
                [{"customer_id": 1, "source": "manual", "external_id": "m-dana",
                  "name": "Dana Smith", "email": DANA, "email_normalized": DANA,
                  "role": "champion", "created_at": dt.datetime(2025, 1, 1)}],
            )  # fmt: skip
            conn.execute(
                insert(Outreach),
                [{"customer_id": 1, "status": "sent", "recipient": DANA,
                  "subject": "Your order 1042", "body": "Hello Dana, sizes?",
                  "sent_at": dt.datetime(2026, 3, 1, 10), "created_at": dt.datetime(2026, 3, 1)}],
            )  # fmt: skip
        folder = tmp_path / "mail"
        shutil.copytree(DATA / "conversations" / "automatic", folder)
        (folder / "README.md").unlink()
        report = run_import(ws.engine, [folder])
        assert all(f.landed for f in report.files), report.files
        yield ws.engine
    finally:
        ws.close()


def test_the_headers_are_kept_with_each_email(engine: Engine) -> None:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT subject, attributes FROM interactions ORDER BY occurred_at")
        ).all()
    marks = {}
    for subject, attributes in rows:
        data = attributes if isinstance(attributes, dict) else json.loads(attributes)
        marks[subject] = (data.get("auto_headers", {}), data.get("auto_submitted", ""))
    assert marks["Automatic reply: Your order 1042"][1] == "auto-submitted: auto-replied"
    assert marks["Re: Your order 1042"] == ({"Precedence": "auto_reply"}, "precedence: auto_reply")
    assert marks["RE: Your order 1042"] == ({"X-Auto-Response-Suppress": "All"}, "")


def test_an_answer_marked_only_by_precedence_is_automatic_not_a_reply(engine: Engine) -> None:
    report = replies_report(engine, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert (report.overall.sent, report.overall.replied, report.overall.automatic) == (1, 0, 1)


def test_no_automatic_answer_is_contact_with_the_champion(engine: Engine) -> None:
    with Session(engine) as s:
        dana = read_people_signals(s, [1], dt.datetime(2026, 3, 10, tzinfo=dt.UTC)).iloc[0]
    # Her own answer of Feb 26; not the out-of-office answer, the mailbox's nor the news.
    assert dana["last_two_way"].date() == dt.date(2026, 2, 26)
    assert dana["last_heard"] == dana["last_two_way"]
