"""Scores stored outside this window: the command line's ``score`` or ``run-daily`` (a
scheduled morning round), or a teammate's window on a shared workspace. The window
notices them within a poll and offers them with one click.

Every ``POLL_MS`` the latest finished scoring run is read on the job runner's database
pool, never on the UI thread. A round is skipped while a read is in flight or this
window scores itself. A run this window did not store raises one notice, "New scores as
of <date> were stored outside this window", with "Show them", which reloads the screens
as Score now does. The screens are not reloaded on their own: what a person is reading
or has selected never changes under them. A newer run replaces the notice rather than
adding one more. A read that fails (a locked or unreachable workspace) is logged and
tried again next round; the window says nothing about it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance

from app.workspace import Workspace
from services.core.formatting import format_date
from views.importing.notice import ImportNotice, ImportNoticeArea
from views.kit.jobs import JobRunner, TaskState

log = logging.getLogger(__name__)

POLL_MS = 30_000

Stamp = tuple[int, Any, Any]  # (run id, as-of date, finished at)


class _Scoring(Protocol):
    """What the watch needs of the window's scoring (app/gui/scoring_controller.py)."""

    @property
    def running(self) -> bool: ...

    refreshed: SignalInstance


def read_stamp(workspace: Workspace, _state: TaskState) -> Stamp | None:
    """The latest finished run's stamp (services/scoring/queries.py), on a worker."""
    from sqlalchemy.orm import Session

    from services.scoring.queries import latest_run_stamp

    with Session(workspace.engine) as session:
        return latest_run_stamp(session)


def notice_text(stamp: Stamp, now: dt.datetime | None = None) -> str:
    """The notice's sentence for a run stored outside this window: when, on the user's
    clock ("at 07:02" today, "on Nov 26 at 07:02" before)."""
    _run, as_of, finished = stamp
    when = ""
    if finished is not None:
        aware = finished if finished.tzinfo is not None else finished.replace(tzinfo=dt.UTC)
        local = aware.astimezone()
        today = (now or dt.datetime.now(dt.UTC)).astimezone().date()
        day = "" if local.date() == today else f" on {local:%b} {local.day}"
        when = f"{day} at {local:%H:%M}"
    return (
        f"New scores as of {format_date(as_of)} were stored outside this window{when} "
        "(the command line, the daily round or a teammate)."
    )


class ScoreWatch(QObject):
    """Polls the workspace's latest scoring run and offers runs stored elsewhere.

    Signals:
        checked(stamp): a read finished (None: never scored); tests wait on it.
    """

    checked = Signal(object)

    def __init__(
        self,
        jobs: JobRunner,
        workspace: Callable[[], Workspace | None],
        scoring: _Scoring,
        notices: ImportNoticeArea,
        reload: Callable[[], None],
        *,
        interval_ms: int = POLL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._workspace = workspace
        self._scoring = scoring
        self._notices = notices
        self._reload = reload
        self.known: int | None = None  # the run the screens show (None: not read yet)
        self._reading = False
        self._generation = 0  # bumped at each workspace: a read of the last one is dropped
        self.notice: ImportNotice | None = None
        self._offered: int | None = None  # the run the notice offers
        scoring.refreshed.connect(self._on_own_scoring)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def workspace_opened(self) -> None:
        """A workspace is shown: what it holds now is what the screens read."""
        self._generation += 1
        self._drop_notice()
        self.known = None
        self._reading = False
        self.timer.start()
        self.poll()

    def poll(self) -> None:
        """Read the latest run now (unless a read is in flight or this window scores)."""
        workspace = self._workspace()
        if workspace is None or self._reading or self._scoring.running:
            return
        self._reading = True
        generation = self._generation
        self._jobs.operation(
            lambda state: read_stamp(workspace, state), parent=self, label="score-watch"
        ).success(lambda stamp: self._on_read(generation, stamp)).failure(
            lambda error: self._on_failed(generation, error)
        ).run()

    def _on_read(self, generation: int, stamp: Stamp | None) -> None:
        if generation != self._generation:
            return
        self._reading = False
        run = None if stamp is None else stamp[0]
        if self.known is None or self._scoring.running:
            self.known = run  # the first read: the screens were loaded from this
        elif stamp is not None and run != self.known:
            self._offer(stamp)
        self.checked.emit(stamp)

    def _on_failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self._reading = False
        log.info("The latest scoring run could not be read: %s", error)

    def _offer(self, stamp: Stamp) -> None:
        run = int(stamp[0])
        if self.notice is not None and self._offered == run:
            return  # offered already, and still shown
        self._drop_notice()
        self._offered = run

        self.notice = self._notices.add(
            notice_text(stamp), tone="positive", action_text="Show them", action=self._reload
        )
        self.notice.dismissed.connect(lambda n=self.notice: self._forget(n, run))

    def _forget(self, notice: ImportNotice, run: int) -> None:
        """The person showed the run or closed its notice: not offered again."""
        if self.notice is notice:
            self.notice = None
            self.known = run

    def _drop_notice(self) -> None:
        """Take the notice away (a newer run, another workspace, this window's own run)."""
        notice, self.notice = self.notice, None
        if notice is not None:
            notice.dismiss()

    def _on_own_scoring(self, result: Any) -> None:
        """This window stored and showed a run: it is the one the screens read."""
        self._drop_notice()
        self.known = int(result.scores.run_id)
