"""What the review queue shows beside the drafts, read once each time it opens, on the
database worker: the sending pace, why each customer is in the batch (their card's
reasons, last order, churn risk) and the best time to send (once for the batch, and a
customer's own where their segment or stage names another). The
review does not change them. Used by batch_controller.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QObject

from app.workspace import Workspace
from services.outreach.batch_records import WhyInQueue
from views.kit.jobs import JobRunner, TaskState
from views.outreach.review_queue import ReviewQueueWindow

# The queue still open on this batch (None once it closed or shows another).
QueueFor = Callable[[int], ReviewQueueWindow | None]


def read_beside_the_queue(
    jobs: JobRunner,
    parent: QObject,
    ws: Workspace,
    batch_id: int,
    queue_for: QueueFor,
    now: dt.datetime | None,
) -> None:
    """Start the three reads; each lands in the queue if it still shows ``batch_id``."""

    def pace(_state: TaskState) -> int:
        from services.settings.views import SenderSettings

        with ws.sessions() as session:
            return SenderSettings.read(session).send_per_minute

    def send_at(_state: TaskState) -> tuple[str, dict[int, str]]:
        from services.lifecycle.reach import batch_send_times

        return batch_send_times(ws.engine, batch_id)

    def reasons(_state: TaskState) -> dict[int, WhyInQueue]:
        from services.outreach.waiting import why_in_batch

        return why_in_batch(ws.engine, batch_id, now=now)

    def shown_pace(per_minute: int) -> None:
        if (queue := queue_for(batch_id)) is not None:
            queue.set_pace(per_minute)

    def shown_reasons(why: dict[int, WhyInQueue]) -> None:
        if (queue := queue_for(batch_id)) is not None:
            queue.set_reasons(why)

    def shown_send_at(times: tuple[str, dict[int, str]]) -> None:
        if (queue := queue_for(batch_id)) is not None:
            summary, hints = times
            queue.set_send_at(hints, summary)

    jobs.operation(pace, parent=parent, label="send pace").success(shown_pace).run()
    jobs.operation(reasons, parent=parent, label="why in the queue").success(shown_reasons).run()
    jobs.operation(send_at, parent=parent, label="best times").success(shown_send_at).run()
