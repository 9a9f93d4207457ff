"""My work's "For you": the notes that mention the user ("Mentioned by Sam: ...") and the
customers handed to them ("Assigned to you by Sam"), until they mark each seen. Shown
above the tasks only while something waits (services/alerts/mentions.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget

from services.core.formatting import format_date_time
from views.item_models.work_list_model import WorkColumn
from views.my_work.section import WorkSection
from views.my_work.source import MyWorkSource, WorkNotice

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, TaskState


def _said(notice: WorkNotice) -> str:
    return f"{notice.what}: {notice.text}" if notice.text else notice.what


NOTICE_COLUMNS = (
    WorkColumn("When", lambda n: format_date_time(n.at.astimezone())),
    WorkColumn("Customer", lambda n: n.customer),
    WorkColumn("What", _said, tooltip=_said),
)


class NoticesSection(WorkSection):
    """The mentions and assignments waiting for the user, with Mark seen and Open."""

    def __init__(
        self,
        jobs: JobRunner,
        source: Callable[[], MyWorkSource | None],
        parent: QWidget | None = None,
        *,
        changed: Callable[[], None],
    ) -> None:
        super().__init__("For you", NOTICE_COLUMNS, "", parent, hint="mentions and hand-overs")
        self.table.setObjectName("workNotices")
        self._jobs = jobs
        self._source = source
        self._changed = changed
        self.seen_button = QPushButton("Mark seen", self)
        self.seen_button.setObjectName("markSeen")
        self.seen_button.setToolTip("It leaves this list (the history keeps it)")
        self.seen_button.clicked.connect(self.mark_current_seen)
        self.open_button = QPushButton("Open", self)
        self.open_button.setToolTip("Show its alert in the Alerts tab (Enter)")
        self.open_button.clicked.connect(self._on_open_button_clicked)
        for button in (self.seen_button, self.open_button):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            self.top.addWidget(button)
        self.fit_columns((185, 170))
        self.set_rows(())

    def set_rows(self, rows: Sequence[object], *, loading: bool = False) -> None:
        super().set_rows(rows, loading=loading)
        self.setVisible(bool(rows))  # nothing waiting: no room taken
        # Up to four rows in view without scrolling; more scroll.
        header = self.table.horizontalHeader().sizeHint().height()
        shown = min(max(len(rows), 1), 4)
        self.table.setFixedHeight(
            header + shown * self.table.verticalHeader().defaultSectionSize() + 4
        )

    def current_notice(self) -> WorkNotice | None:
        record = self.current()
        if record is None and self.model.rows:
            record = self.model.rows[0]
        return record if isinstance(record, WorkNotice) else None

    def mark_current_seen(self) -> None:
        """Mark the selected mention or assignment seen (the first when none is)."""
        notice, source = self.current_notice(), self._source()
        if notice is None or source is None:
            return

        def task(_state: TaskState) -> None:
            source.mark_notice_seen(notice.event_id)

        self.seen_button.setEnabled(False)
        (
            self._jobs.operation(task, parent=self, label="mark seen")
            .success(lambda _none: self._changed())
            .failure(self._jobs.present_error)
            .finished(lambda: self.seen_button.setEnabled(True))
            .run()
        )

    def _on_open_button_clicked(self) -> None:
        notice = self.current_notice()
        if notice is not None:
            self.activated.emit(notice)
