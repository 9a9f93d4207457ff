"""Results ▸ Early warning's relationship signals on the hand-made history of
tests/support/signal_book.py (a real SQLite file): the four signals measured on their own
beside the replayed rules, Champion left's precision against lost renewals beside its base
rate and raising alerts, the others unproven; Measure again keeps the measure it took
(nothing computed again on the same data); and Settings ▸ Alerts says the measured figure
beside each relationship rule's level. The alert card's figure is
tests/gui/alerts' and tests/unit/alerts/test_signal_replay.py's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from sqlalchemy import text

from app.gui.context import WindowContext
from app.gui.early_warning_source import WorkspaceEarlyWarningSource
from app.gui.settings_controller import SettingsController
from app.workspace import Workspace, to_url
from services.alerts.signal_proofs import SIGNALS_ACTION
from tests.support.signal_book import plant
from tests.unit.alerts.test_alerts_rules import Book, make_book
from views.kit.jobs import JobRunner
from views.results.early_warning import EarlyWarningSection
from views.settings.dialog import SettingsDialog

TIMEOUT_MS = 60_000


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Book]:
    for made in make_book(to_url(str(tmp_path / "signals.radar.sqlite"))):
        plant(made)
        yield made


def _kept(workspace: Workspace) -> int:
    with workspace.engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT COUNT(*) FROM audit_events WHERE action = :a"), {"a": SIGNALS_ACTION}
            ).scalar_one()
        )


def test_the_signals_are_shown_beside_the_rules(qtbot, jobs: JobRunner, book: Book) -> None:  # type: ignore[no-untyped-def]
    section = EarlyWarningSection(jobs)
    qtbot.addWidget(section)
    section.resize(1300, 900)
    section.set_source(WorkspaceEarlyWarningSource(book.workspace))
    signals = section.signals
    qtbot.waitUntil(lambda: signals.measured is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    model = signals.model

    def cell(row: int, column: int) -> str:
        return str(model.index(row, column).data(Qt.ItemDataRole.DisplayRole))

    assert [cell(r, 0) for r in range(model.rowCount())] == [
        "Champion left", "Key contact gone dark", "Single-threaded", "New decision maker to meet",
    ]  # fmt: skip
    # Measured to the latest order (ten days before the book's day): Fresh's champion left
    # after it; the 24 leavers are all judged, half followed by a lost renewal.
    report, proofs = signals.measured  # type: ignore[misc]
    base = report.figure("champion_left", "renewal").base_rate
    assert cell(0, 1) == f"50 % (base {round(base * 100):.0f} %)"
    assert cell(0, 2).startswith("100 %, ")
    assert cell(0, 5) == "yes"
    assert [cell(r, 5) for r in (1, 2, 3)] == ["no: unproven"] * 3
    tip = model.index(0, 5).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == proofs["champion_left"].words()
    assert "the rule asks for 30 %" in tip
    assert "Relationship signals against lost renewals and lapses" in signals.title.text()
    assert "How: The relationship signals" in signals.proofs_label.text()
    assert _kept(book.workspace) == 1
    # Measured again on the same data: the kept measure, nothing computed.
    qtbot.mouseClick(signals.again_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: signals.again_button.isEnabled() and jobs.is_idle(),
                    timeout=TIMEOUT_MS)  # fmt: skip
    assert _kept(book.workspace) == 1
    assert signals.measured[0] == report  # type: ignore[index]


def test_settings_says_each_signals_figure_beside_its_level(  # type: ignore[no-untyped-def]
    qtbot, jobs: JobRunner, book: Book
) -> None:
    section = EarlyWarningSection(jobs)
    qtbot.addWidget(section)
    section.set_source(WorkspaceEarlyWarningSource(book.workspace))
    qtbot.waitUntil(lambda: section.signals.measured is not None and jobs.is_idle(),
                    timeout=TIMEOUT_MS)  # fmt: skip
    seen: dict[str, str] = {}

    def answer(dialog: SettingsDialog) -> bool:
        for rule in ("champion_left", "single_threaded"):
            block = dialog.findChild(QWidget, f"settingBlock:alerts.{rule}.min_precision_percent")
            assert block is not None
            seen[rule] = " ".join(label.text() for label in block.findChildren(QLabel))
        return False

    parent = QWidget()
    qtbot.addWidget(parent)
    controller = SettingsController(
        WindowContext(jobs, parent, lambda: book.workspace),
        user=lambda: "dana.tester", show=answer, status=lambda _text: None,
    )  # fmt: skip
    controller.open()
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=TIMEOUT_MS)
    assert (
        "Measured up to Jun 5, 2025: precision 50 % (31-69 %, 24 judged)" in seen["champion_left"]
    )
    assert "the rule asks for 30 %." in seen["champion_left"]
    assert "Measured up to Jun 5, 2025: unproven: not measured yet" in seen["single_threaded"]
