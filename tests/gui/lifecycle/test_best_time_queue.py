"""The review queue says the best time to send once, over the drafts, not on every row:
on the hand-made book of tests/support/reach_book.py (a real SQLite or PostgreSQL
workspace), read by the queue's own read (app/gui/outreach/batch_queue_reads.py) on the
job runner, and stepped through draft by draft."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QLabel
from sqlalchemy.orm import Session

from app.gui.outreach.batch_queue_reads import read_beside_the_queue
from app.workspace import Workspace, open_workspace
from models.schema import BatchDraft, DraftBatch
from services.outreach.batch import load_batch
from tests.support.reach_book import fill_reach_book
from views.outreach.review_queue import ReviewQueueWindow

TIMEOUT_MS = 60_000


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Workspace, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    today = dt.date.today()
    # Six weeks back: inside the default period, every attribution window closed.
    ids = fill_reach_book(ws.engine, today - dt.timedelta(days=today.weekday() + 42))
    yield ws, ids
    ws.close()


def _batch(ws: Workspace, customer_ids: list[int]) -> int:
    with Session(ws.engine) as s, s.begin():
        batch = DraftBatch(title="Win back")
        s.add(batch)
        s.flush()
        for n, cid in enumerate(customer_ids):
            s.add(BatchDraft(batch_id=batch.id, position=n, customer_id=cid))
        return int(batch.id)


def _open(qtbot, jobs, ws: Workspace, batch_id: int) -> ReviewQueueWindow:  # type: ignore[no-untyped-def]
    queue = ReviewQueueWindow()
    qtbot.addWidget(queue)
    queue.resize(1366, 768)
    queue.show()
    queue.set_batch(load_batch(ws.engine, batch_id))
    read_beside_the_queue(jobs, queue, ws, batch_id, lambda _b: queue, None)
    qtbot.waitUntil(lambda: bool(queue.best_time.text()) and jobs.is_idle(), timeout=TIMEOUT_MS)
    return queue


def _said(queue: ReviewQueueWindow, words: str) -> int:
    return sum(words in label.text() for label in queue.findChildren(QLabel))


def test_no_time_stands_out_is_said_once_at_the_top(qtbot, jobs, book) -> None:  # type: ignore[no-untyped-def]
    """Three Hibernating customers: their segment's 40 emails (5 of 20 answered on the
    Tuesday, 4 of 20 on the Thursday) name no time: said once above the drafts, with both
    rates, and under no recipient."""
    ws, ids = book
    queue = _open(qtbot, jobs, ws, _batch(ws, [ids["n41"], ids["n42"], ids["n101"]]))
    top = queue.best_time.text()
    assert top.startswith("No time stands out: Tuesday 9–11 25% (likely 11% to 47%, 5 of 20) "
                          "against 20% (likely 8% to 42%, 4 of 20) at other times")  # fmt: skip
    assert top.endswith("(Hibernating customers).")
    assert queue.best_time.isVisible()
    for step in range(3):
        assert queue.current_row_id is not None
        assert "\n" not in queue.recipient.text(), step  # the recipient alone
        assert _said(queue, "No time stands out") == 1
        queue.step_by(1)


def test_a_segment_s_own_time_is_said_under_its_drafts_alone(qtbot, jobs, book) -> None:  # type: ignore[no-untyped-def]
    """A Champion (their own Tuesday 9–11, 25 of 40) beside a customer of no segment: the
    line above is all customers' answer; the Champion's draft names their own time."""
    ws, ids = book
    queue = _open(qtbot, jobs, ws, _batch(ws, [ids["n1"], ids["n130"]]))
    top = queue.best_time.text()
    assert top.startswith("Best reached: Tuesday 9–11, 30 of 60 replied or came back after")
    assert "(all customers)." in top
    assert queue.recipient.text().endswith(
        "Send at: Tuesday 9–11, when Champions customers answer best (25 of 40 replied or "
        "came back after); your choice."
    )
    queue.step_by(1)
    assert queue.recipient.text().startswith("To: Customer 130 <")
    assert "\n" not in queue.recipient.text()  # no time of their own: the line above
    assert _said(queue, "Best reached") == 1
