"""The review queue suggests when to send each draft: under the recipient, the time the
customer's segment (or stage, or everyone) answers best; none where none is named."""

from __future__ import annotations

import datetime as dt

from services.outreach.batch_records import BatchRow, BatchView
from views.outreach.review_queue import ReviewQueueWindow

SEND_AT = (
    "Send at: Tuesday 9–11, when Champions customers answer best (25 of 40 replied or came "
    "back after); your choice."
)


def _row(n: int) -> BatchRow:
    return BatchRow(
        id=n, position=n, customer_id=100 + n, customer=f"Customer {n}", alert_id=None,
        state="drafted", skip_reason=None, recipient=f"c{n}@example.com", goal="win_back",
        tone="warm", variant=0, subject="Hello", body="Hello there", generated_subject="Hello",
        generated_body="Hello there", source="template", checks=(), error=None,
        outreach_id=None,
    )  # fmt: skip


def test_the_queue_shows_the_suggested_send_time(qtbot) -> None:  # type: ignore[no-untyped-def]
    queue = ReviewQueueWindow()
    qtbot.addWidget(queue)
    queue.show()
    queue.set_batch(BatchView(1, "Win back", None, None, True,
                              dt.datetime(2026, 1, 1, tzinfo=dt.UTC), None,
                              (_row(1), _row(2))))  # fmt: skip
    queue.set_send_at({101: SEND_AT})
    qtbot.waitUntil(lambda: queue.current_row_id is not None)
    assert queue.current_row_id == 1
    assert queue.recipient.text() == f"To: Customer 1 <c1@example.com>\n{SEND_AT}"
    queue.step_by(1)
    assert queue.recipient.text() == "To: Customer 2 <c2@example.com>"
