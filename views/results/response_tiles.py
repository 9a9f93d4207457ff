"""The Results tab's "Time to action" row: how long alerts waited for a person's first
action and for their resolution, and the share acted on within the target (the numbers of
services.learn.response). Each tile opens the customers of the alerts it counts, the way
the other Results tiles open theirs."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from services.learn.response_records import (
    ResponseReport,
    ResponseSummary,
    duration_text,
    share_text,
)
from views.item_models.customer_filters import CustomerFilter
from views.item_models.work_list_model import WorkColumn, WorkListModel
from views.kit.accessibility import name
from views.kit.combo import ComboBox
from views.kit.lists import PeopleTableView
from views.kit.tiles import KpiTile
from views.results.breakdown_table import set_up_breakdown_table

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, TaskState
    from views.results.source import ResultsSource

GROUPS = (("owner", "Owner"), ("rule", "Alert rule"), ("month", "Month raised"))
TABLE_ROWS = 4  # rows shown before the table scrolls
Row = tuple[str, ResponseSummary]


def _within(part: ResponseSummary) -> str:
    return f"{share_text(part.within_share)} of {part.due:,}" if part.due else "–"


COLUMNS = (
    WorkColumn("", lambda r: r[0], tooltip=lambda r: r[0]),
    WorkColumn("Alerts", lambda r: f"{r[1].alerts:,}"),
    WorkColumn("To act, median", lambda r: duration_text(r[1].first_action_median),
               tooltip=lambda r: "Median time to first action"),
    WorkColumn("To act, 80%", lambda r: duration_text(r[1].first_action_p80)),
    WorkColumn("To resolve, median", lambda r: duration_text(r[1].resolution_median),
               tooltip=lambda r: "Median time to resolved or dismissed"),
    WorkColumn("To resolve, 80%", lambda r: duration_text(r[1].resolution_p80)),
    WorkColumn("Within target", lambda r: _within(r[1]),
               tooltip=lambda r: "Acted on within the target, of the alerts due"),
)  # fmt: skip

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
        self.by_combo = ComboBox(self)
        for key, label in GROUPS:
            self.by_combo.addItem(label, key)
        self.by_combo.currentIndexChanged.connect(self._show_groups)
        by_label = QLabel("By", self)
        by_label.setBuddy(self.by_combo)
        words = QHBoxLayout()
        words.addWidget(self.title)
        words.addWidget(self.summary_label, 1)
        words.addWidget(by_label)
        words.addWidget(self.by_combo)
        self.model = WorkListModel(COLUMNS, self)
        self.table = name(PeopleTableView(self), "Time to action by group")
        self.table.setModel(self.model)
        set_up_breakdown_table(self.table)
        self.table.setFixedHeight(
            self.table.verticalHeader().defaultSectionSize() * (TABLE_ROWS + 1) + 4
        )
        self.table.clicked.connect(self._on_row_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(words)
        layout.addLayout(row)
        layout.addWidget(self.table)

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
        self._show_groups()
        targets = ", ".join(f"{s} {d}" for s, d in report.targets.items())
        self.summary_label.setText(
            f"{part.alerts:,} alerts raised in the period. Target in working days: {targets}."
        )

    def group(self) -> str:
        """What the table breaks the figures down by: owner, rule or month."""
        return str(self.by_combo.currentData())

    def _show_groups(self, *_args: object) -> None:
        report, group = self.report, self.group()
        groups = report.groups.get(group, {}) if report else {}
        self.model.set_rows(
            [(report.key_label(group, key), part) for key, part in groups.items() if report]
        )

    def _on_row_clicked(self, index: QModelIndex) -> None:
        row: Row | None = self.model.record(index.row())
        if row is None:
            return
        label = dict(GROUPS)[self.group()]
        self._open(row[1].acted_ids, f"{label} {row[0]}: customers of alerts acted on")

    def _open(self, alert_ids: tuple[int, ...], title: str) -> None:
        if self.report is None:
            return
        customers = self.report.customer_ids(alert_ids)
        self.customers_requested.emit(
            CustomerFilter(customer_ids=frozenset(customers), title=f"{title} ({len(customers):,})")
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
