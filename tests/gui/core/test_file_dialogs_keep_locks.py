"""A file dialog listing the open workspace's folder keeps the workspace's locks: Qt's own
type names read each file's first bytes, and closing that file drops every lock this
process holds on it (POSIX locks), so another process could delete the write-ahead log
the window writes to. The app's dialogs (views/kit/file_dialogs.py) name types from file
names; a dialog built as Qt builds it drops the locks, which this test sees too."""

from __future__ import annotations

import os
import re
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QFileSystemModel

from views.kit.file_dialogs import NO_OPTIONS, file_dialog

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads the process's locks in /proc/locks"
)

TIMEOUT_MS = 30_000
ROOT = Path(__file__).resolve().parents[3]


def own_locks() -> int:
    pid = str(os.getpid())
    with open("/proc/locks", encoding="ascii") as locks:
        return sum(1 for line in locks if line.split()[4] == pid)


@pytest.fixture
def reading(tmp_path: Path) -> Iterator[Path]:
    """A workspace-like SQLite file in WAL mode with a read open: the locks a window holds."""
    path = tmp_path / "w.radar.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.execute("BEGIN")
    conn.execute("SELECT * FROM t").fetchall()
    yield tmp_path
    conn.rollback()
    conn.close()


def listed(qtbot, dialog: QFileDialog) -> None:
    """Show the dialog (not modal) until its list holds the folder's files."""
    qtbot.addWidget(dialog)
    model = dialog.findChild(QFileSystemModel)
    dialog.setViewMode(QFileDialog.ViewMode.Detail)  # the Type column
    with qtbot.waitSignal(model.directoryLoaded, timeout=TIMEOUT_MS):
        dialog.show()
    root = model.index(dialog.directory().absolutePath())
    qtbot.waitUntil(lambda: model.rowCount(root) >= 3, timeout=TIMEOUT_MS)
    for row in range(model.rowCount(root)):
        model.type(model.index(row, 0, root))  # what the Type column shows


def test_the_apps_dialog_keeps_the_locks_where_qts_own_drops_them(qtbot, reading: Path) -> None:
    held = own_locks()
    assert held >= 1
    mode, accept = QFileDialog.FileMode.AnyFile, QFileDialog.AcceptMode.AcceptSave
    ours = file_dialog(None, "Save", str(reading), "", NO_OPTIONS, mode, accept)
    listed(qtbot, ours)
    assert own_locks() == held
    ours.close()
    plain = QFileDialog(None, "Save", str(reading), "")
    plain.setOptions(QFileDialog.Option.DontUseNativeDialog)
    listed(qtbot, plain)
    assert own_locks() < held  # what the app's dialogs avoid
    plain.close()


def test_every_file_dialog_of_the_window_is_the_apps() -> None:
    static = re.compile(r"QFileDialog\.get(OpenFileNames?|SaveFileName|ExistingDirectory)\(")
    callers = [
        str(path.relative_to(ROOT))
        for folder in ("views", "app")
        for path in (ROOT / folder).rglob("*.py")
        if static.search(path.read_text(encoding="utf-8"))
    ]
    assert callers == []
