"""A file dropped into the watched folder while the window is open is imported and the
workspace is scored again right after, with a notice (the application's own controller,
a real scored workspace file, a real Zendesk export)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.gui.application import GuiController, make_controller
from app.workspace import to_url

TIMEOUT_MS = 120_000
TICKETS = Path(__file__).resolve().parents[1] / "data" / "samples" / "zendesk" / "tickets.csv"


@pytest.fixture
def controller(
    qapp: QApplication, ui_settings: QSettings, tmp_path: Path, alerts_file: Path,
    presented_errors: list[str],
) -> Iterator[GuiController]:  # fmt: skip
    path = tmp_path / "book.radar.sqlite"
    shutil.copy(alerts_file, path)
    made = make_controller(qapp, ui_settings, show_dialogs=False)
    made.presenter.error_presented.connect(
        lambda title, text: presented_errors.append(f"{title}: {text}")
    )
    made.window.resize(1366, 768)
    made.window.show()
    made.open_url(to_url(str(path)))
    yield made
    made.shutdown()
    made.window.close()
    made.window.deleteLater()
    made.deleteLater()


def _count(path: Path, sql: str) -> int:
    with sqlite3.connect(path) as con:
        return int(con.execute(sql).fetchone()[0])


def test_a_file_in_the_watched_folder_is_imported_then_scored(
    qtbot, controller: GuiController, tmp_path: Path, presented_errors: list[str]
) -> None:
    jobs = controller.jobs
    qtbot.waitUntil(lambda: controller.workspace is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert controller.workspace is not None
    path = Path(str(controller.workspace.engine.url.database))
    runs_before = _count(path, "SELECT count(*) FROM scoring_runs")
    tickets_before = _count(path, "SELECT count(*) FROM interactions WHERE kind = 'ticket'")
    folder = tmp_path / "watched"
    folder.mkdir()
    imports = controller.imports
    imports.watcher.stable_ms = 200
    imports.set_watched_folder(str(folder))
    qtbot.waitUntil(lambda: imports.watcher.folder is not None, timeout=TIMEOUT_MS)

    with qtbot.waitSignal(controller.scoring.scoring_finished, timeout=TIMEOUT_MS):
        shutil.copy(TICKETS, folder / "tickets.csv")
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert presented_errors == []
    # Imported: the export's tickets are in, with their sentiment read.
    tickets = _count(path, "SELECT count(*) FROM interactions WHERE kind = 'ticket'")
    assert tickets > tickets_before
    assert _count(path, "SELECT count(*) FROM interactions WHERE source = 'zendesk' "
                        "AND text_sentiment IS NULL AND sentiment IS NULL") == 0  # fmt: skip
    # Scored again right after, once, today, with the new customers in it.
    assert _count(path, "SELECT count(*) FROM scoring_runs") == runs_before + 1
    scored = _count(path, "SELECT customers FROM scoring_runs ORDER BY id DESC LIMIT 1")
    assert scored == _count(path, "SELECT count(*) FROM customers WHERE external_id IS NULL "
                                  "OR external_id != '__guest__'")  # fmt: skip
    texts = [n.text for n in imports.notices.notices]
    assert any(
        t.startswith("tickets.csv arrived in the watched folder: imported, and") for t in texts
    )
    assert controller.scoring.rescore_reason is None
