"""The Results tab's "Time to action" row: how long alerts waited for a person's first
action and for their resolution, and the share acted on within the target (the numbers of
services.learn.response). Each tile opens the customers of the alerts it counts, the way
the other Results tiles open theirs."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from services.learn.response_records import ResponseReport, duration_text, share_text
from views.item_models.customer_filters import CustomerFilter
from views.kit.tiles import KpiTile

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, TaskState
    from views.results.source import ResultsSource

TILES = (
    ("first", "To first action"),
    ("resolved", "To resolution"),
    ("within", "Acted on within target"),
)


class ResponseTiles(QWidget):
    """Time to first action, to resolution and within target, as three tiles.

    Signals:
        customers_requested(CustomerFilter): a tile was clicked; the filter holds the
            customers of the alerts it counts.
    """

    customers_requested = Signal(object)

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self.report: ResponseReport | None = None
        self.title = QLabel("Time to action", self)
        self.title.setObjectName("sectionTitle")
        self.summary_label = QLabel("", self)
        self.summary_label.setObjectName("kpiNote")
        self.summary_label.setWordWrap(True)
        self.tiles: dict[str, KpiTile] = {}
        row = QHBoxLayout()
        row.setSpacing(8)
        for key, caption in TILES:
            tile = KpiTile(caption, self)
            tile.set_clickable(True)
            tile.clicked.connect(lambda k=key: self._on_tile_clicked(k))
            self.tiles[key] = tile
            row.addWidget(tile, 1)
        words = QHBoxLayout()
        words.addWidget(self.title)
        words.addWidget(self.summary_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(words)
        layout.addLayout(row)

    def reload(self, source: ResultsSource, since: dt.date | None, until: dt.date | None) -> None:
        """Read the figures of the alerts raised in the period, on the job runner."""

        def task(_state: TaskState) -> ResponseReport:
            return source.load_response(since, until)

        (
            self._jobs.operation(task, parent=self, key=("results.response", id(self)))
            .success(self.show_report)
            .failure(self._jobs.present_error)
            .run()
        )

    def show_report(self, report: ResponseReport) -> None:
        """Show these figures."""
        self.report = report
        part = report.overall
        acted, resolved = len(part.acted_ids), len(part.resolved_ids)
        self.tiles["first"].set(
            duration_text(part.first_action_median),
            f"median · 80% within {duration_text(part.first_action_p80)} · {acted:,} acted on",
        )
        self.tiles["resolved"].set(
            duration_text(part.resolution_median),
            f"median · 80% within {duration_text(part.resolution_p80)} · {resolved:,} closed",
        )
        self.tiles["within"].set(
            share_text(part.within_share),
            f"{len(part.within_ids):,} of {part.due:,} alerts due",
        )
        targets = ", ".join(f"{s} {d}" for s, d in report.targets.items())
        self.summary_label.setText(
            f"{part.alerts:,} alerts raised in the period. Target in working days: {targets}."
        )

    def _on_tile_clicked(self, key: str) -> None:
        report = self.report
        if report is None:
            return
        part = report.overall
        ids, title = {
            "first": (part.acted_ids, "Customers of alerts acted on"),
            "resolved": (part.resolved_ids, "Customers of alerts resolved or dismissed"),
            "within": (part.within_ids, "Customers of alerts acted on within target"),
        }[key]
        customers = report.customer_ids(ids)
        self.customers_requested.emit(
            CustomerFilter(customer_ids=frozenset(customers), title=f"{title} ({len(customers):,})")
        )
