"""Results ▸ Early warning's relationship signals: the four signals (Champion left, Key
contact gone dark, Single-threaded, New decision maker to meet) replayed weekly on their
own over the past year (services/alerts/signal_replay.py), each measured against lost
renewals and against lapses, with the base rate beside its precision, its recall and its
median lead time, and whether it is proven and so raises alerts (Proof.words).

The measure takes seconds and is kept (keyed by the data it read): the section reads it
on the job runner when a workspace is shown, and again on "Measure again"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from services.alerts.proof import Proof, percent
from services.alerts.signal_records import (
    LAPSE,
    RENEWAL,
    SECTION_TITLE,
    SignalFigures,
    SignalReport,
)
from views.item_models.work_list_model import WorkColumn, WorkListModel
from views.kit.accessibility import name
from views.kit.lists import PeopleTableView
from views.results.breakdown_table import set_up_breakdown_table

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, TaskState

# What the section reads from a workspace (the Early-warning source implements it).
Measured = tuple[SignalReport, dict[str, Proof]]
EMPTY_TEXT = "Measuring the relationship signals on this workspace's history…"


@dataclass(frozen=True)
class SignalRow:
    """One signal's figures against both outcomes, and its proof."""

    title: str
    renewal: SignalFigures | None
    lapse: SignalFigures | None
    proof: Proof


def _precision(f: SignalFigures | None) -> str:
    if f is None or f.precision is None:
        return "–"
    base = "–" if f.base_rate is None else percent(f.base_rate)
    return f"{percent(f.precision)} (base {base})"


def _recall(f: SignalFigures | None) -> str:
    if f is None or f.recall is None:
        return "–"
    lead = "" if f.lead_median is None else f", {f.lead_median:.0f} d ahead"
    return f"{percent(f.recall)}{lead}"


def _tip(f: SignalFigures | None, what: str) -> str:
    if f is None:
        return ""
    return (
        f"{f.hits:,} of {f.judged:,} judged findings were followed by {what} within the "
        f"horizon; {f.caught:,} of {f.outcomes:,} {what} had the signal in the horizon before"
    )


COLUMNS = (
    WorkColumn("Signal", lambda r: r.title),
    WorkColumn("Lost renewals: precision", lambda r: _precision(r.renewal),
               tooltip=lambda r: _tip(r.renewal, "a lost renewal")),
    WorkColumn("Recall, median lead", lambda r: _recall(r.renewal)),
    WorkColumn("Lapses: precision", lambda r: _precision(r.lapse),
               tooltip=lambda r: _tip(r.lapse, "a lapse")),
    WorkColumn("Recall, median lead", lambda r: _recall(r.lapse)),
    WorkColumn("Raises alerts", lambda r: "yes" if r.proof.proven else "no: unproven",
               tooltip=lambda r: r.proof.words(),
               tone=lambda r: None if r.proof.proven else "muted"),
)  # fmt: skip


def rows_of(report: SignalReport, proofs: dict[str, Proof]) -> list[SignalRow]:
    """The section's rows, in the rules' order."""
    rows = []
    for key, proof in proofs.items():
        renewal, lapse = report.figure(key, RENEWAL), report.figure(key, LAPSE)
        rows.append(SignalRow(proof.subject, renewal, lapse, proof))
    return rows


class SignalSection(QWidget):
    """The signals' figures and proofs, read on the job runner."""

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._read: Any = None  # the source's measure (a callable), None: no workspace
        self.measured: Measured | None = None
        self.title = QLabel(SECTION_TITLE, self)
        self.title.setObjectName("sectionTitle")
        self.title.setWordWrap(True)
        self.again_button = QPushButton("Measure again", self)
        self.again_button.setToolTip("Replay the relationship signals on the past year (seconds)")
        self.again_button.clicked.connect(self.refresh)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.again_button, 0, Qt.AlignmentFlag.AlignTop)
        self.status_label = QLabel(EMPTY_TEXT, self)
        self.status_label.setObjectName("kpiNote")
        self.status_label.setWordWrap(True)
        self.model = WorkListModel(COLUMNS, self)
        self.table = name(PeopleTableView(self), "Relationship signals")
        self.table.setModel(self.model)
        set_up_breakdown_table(self.table)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.proofs_label = QLabel("", self)
        self.proofs_label.setWordWrap(True)
        self.proofs_label.setObjectName("kpiNote")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addWidget(self.status_label)
        layout.addWidget(self.table)
        layout.addWidget(self.proofs_label)
        self._fit(0)

    def _fit(self, rows: int) -> None:
        row = self.table.verticalHeader().defaultSectionSize()
        top = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(top + row * max(rows, 1) + 4)

    def set_reader(self, read: Any) -> None:
        """Read the workspace's measure with ``read()`` (None: no workspace)."""
        self._read = read
        self.measured = None
        if read is not None:
            self.refresh()

    def refresh(self) -> None:
        """Measure (or take the kept measure) on the job runner, then show it."""
        read = self._read
        if read is None:
            return

        def task(_state: TaskState) -> Measured:
            result: Measured = read()
            return result

        self.again_button.setEnabled(False)
        self.status_label.setText(EMPTY_TEXT)
        (
            self._jobs.operation(task, parent=self, key=("results.signals", id(self)))
            .success(self.show_measured)
            .failure(self._jobs.present_error)
            .finished(lambda: self.again_button.setEnabled(True))
            .run()
        )

    def show_measured(self, measured: Measured) -> None:
        """Show a measure of the signals."""
        self.measured = measured
        report, proofs = measured
        when = report.computed_at.strftime("%b %-d, %Y at %H:%M UTC") if report.computed_at else "–"
        self.status_label.setText(
            f"Measured {when}, in {report.seconds:,.1f} s: {report.method()} "
            f"A signal raises alerts only while proven against "
            f"{'lost renewals' if report.measured_on == RENEWAL else 'lapses'}."
        )
        rows = rows_of(report, proofs)
        self.model.set_rows(rows)
        self.proofs_label.setText(
            "\n".join(f"{r.title}: {r.proof.words()}." for r in rows)
            + f"\nHow: {report.definitions}"
        )
        self._fit(len(rows))
