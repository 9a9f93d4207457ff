"""`draft --batch --alerts FILTER --out DIR` on a real workspace file: one .eml per
customer, summary.csv with the skipped and their reasons, each email recorded as outreach
"exported" once (a re-run of the same batch records nothing again), and the FILTER's
words."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import text

from app.cli.draft_batch import FilterError, parse_filter
from app.cli.main import main
from services.outreach.batch_records import SKIP_DO_NOT_CONTACT, SKIP_UNSUBSCRIBED
from tests.unit.alerts.test_alerts_rules import Book, make_book, only


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def late_ticket(book: Book, name: str, **kwargs: object) -> int:
    cid = book.customer(name, **kwargs)  # type: ignore[arg-type]
    book.orders(cid, [200, 100], cents=8_000)
    book.interaction(cid, "ticket", 5, status="open", subject="Late parcel")
    return cid


def cli(book: Book, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    db = book.workspace.url
    code = main(["--db", db, "draft", *args], out, err)
    return code, out.getvalue(), err.getvalue()


def outreach(book: Book) -> list[dict[str, object]]:
    with book.engine.connect() as conn:
        return [dict(r) for r in conn.execute(text("SELECT * FROM outreach")).mappings()]


def test_filter_words() -> None:
    assert parse_filter("severity=critical,warning,queue=risk,owner=Maya Thompson") == {
        "severity": ("critical", "warning"),
        "queue": ("risk",),
        "owner": ("Maya Thompson",),
    }
    with pytest.raises(FilterError, match="not a filter"):
        parse_filter("colour=red")
    with pytest.raises(FilterError, match="has no key"):
        parse_filter("critical")


def test_batch_writes_one_eml_per_customer_and_a_summary(book: Book, tmp_path: Path) -> None:
    only(book, "ticket_past_sla")
    ada = late_ticket(book, "Ada Lovelace")
    bo = late_ticket(book, "Bo Diddley", dnc=True)
    cy = late_ticket(book, "Cy Young")
    book.interaction(cy, "unsubscribe", 10)
    dee = late_ticket(book, "Dee Dee", owner="Sam")
    book.score({cid: {} for cid in (ada, bo, cy, dee)})
    book.generate()
    out_dir = tmp_path / "emails"

    code, out, err = cli(
        book, "--batch", "--alerts", "queue=risk,owner=Maya", "--out", str(out_dir), "--offline"
    )
    assert code == 0, err
    emls = sorted(out_dir.glob("*.eml"))
    assert len(emls) == 1  # Ada; Bo and Cy skipped; Dee is Sam's
    message = message_from_bytes(emls[0].read_bytes())
    assert message["To"] == "ada.lovelace@example.com"
    assert "Wrote 1 email to" in out
    assert "recorded as outreach 'exported'" in out
    assert f"1 {SKIP_DO_NOT_CONTACT}" in out
    assert f"1 {SKIP_UNSUBSCRIBED}" in out
    with (out_dir / "summary.csv").open(encoding="utf-8-sig") as handle:
        summary = list(csv.DictReader(handle))
    assert [r["customer"] for r in summary] == ["Ada Lovelace", "Bo Diddley", "Cy Young"]
    assert summary[0]["subject"] == message["Subject"]
    assert summary[0]["skipped reason"] == ""
    assert summary[1]["skipped reason"] == SKIP_DO_NOT_CONTACT
    assert summary[2]["email"] == "cy.young@example.com"
    assert [(o["customer_id"], o["status"]) for o in outreach(book)] == [(ada, "exported")]

    # Run again: the batch is done; Ada is now in the cool-down or waits nowhere, and no
    # email is recorded twice.
    # The same filter written the other way round is the same batch.
    book.set("alerts.cooldown_days", 14)
    first_summary = (out_dir / "summary.csv").read_bytes()
    first_eml = emls[0].read_bytes()
    code, out, err = cli(
        book, "--batch", "--alerts", "owner=Maya,queue=risk", "--out", str(out_dir), "--offline"
    )
    assert code == 0
    assert "Wrote 0 emails" in out
    assert "Picking up" not in err  # the first batch was done, so it was closed
    assert len(outreach(book)) == 1
    # Nothing an earlier run wrote is written over: its summary and email stay as they were.
    assert (out_dir / "summary.csv").read_bytes() == first_summary
    assert emls[0].read_bytes() == first_eml
    assert "summary (2).csv" in out
    with (out_dir / "summary (2).csv").open(encoding="utf-8-sig") as handle:
        second = list(csv.DictReader(handle))
    assert (
        "cool-down" in next(r for r in second if r["customer"] == "Ada Lovelace")["skipped reason"]
    )
    # A batch that wrote nothing is closed too: with the cool-down off, the next run
    # starts a new batch (not the stale one with its old reasons) and writes Ada again,
    # beside the first file, not over it.
    book.set("alerts.cooldown_days", 0)
    code, out, err = cli(
        book, "--batch", "--alerts", "queue=risk,owner=Maya", "--out", str(out_dir), "--offline"
    )
    assert code == 0, err
    assert "Picking up" not in err
    assert "Wrote 1 email" in out
    assert len(outreach(book)) == 2
    assert emls[0].read_bytes() == first_eml
    assert len(sorted(out_dir.glob("*.eml"))) == 2
    assert (out_dir / f"{emls[0].stem} (2).eml").exists()
    assert "summary (3).csv" in out


def test_an_interrupted_batch_is_picked_up_without_recording_twice(
    book: Book, tmp_path: Path
) -> None:
    only(book, "ticket_past_sla")
    ids = [late_ticket(book, f"Person {i}") for i in range(3)]
    book.score({cid: {} for cid in ids})
    book.generate()
    out_dir = tmp_path / "emails"
    args = ("--batch", "--alerts", "status=working", "--out", str(out_dir), "--offline")
    assert cli(book, *args)[0] == 0
    assert len(outreach(book)) == 3
    # As if the run had stopped before the last one: its row waits, approved.
    with book.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE batch_drafts SET state = 'approved', outreach_id = NULL "
                "WHERE id = (SELECT MAX(id) FROM batch_drafts)"
            )
        )
        conn.execute(text("DELETE FROM outreach WHERE id = (SELECT MAX(id) FROM outreach)"))
        conn.execute(text("UPDATE draft_batches SET closed_at = NULL"))
    code, out, err = cli(book, *args)
    assert code == 0, err
    assert "Picking up the batch" in err
    assert "Wrote 1 email" in out
    assert "2 written by an earlier run of this batch were not recorded again" in out
    assert len(outreach(book)) == 3


def test_batch_needs_alerts_and_out(book: Book) -> None:
    code, _out, err = cli(book, "--batch", "--alerts", "severity=critical")
    assert code != 0
    assert "--out" in err
    code, _out, err = cli(book, "--batch", "--alerts", "colour=red", "--out", "x")
    assert code != 0
    assert "not a filter" in err
