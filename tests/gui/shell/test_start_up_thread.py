"""Qt's main thread is the process's main thread, however the window starts.

The first Qt object a process makes decides which thread Qt takes for its main one. The
start-up preload runs on its own thread before the QApplication exists; when it made a
QSettings there (to read the saved tab), Qt took the preload's thread for the main one:
the window painted once, then answered no input ("QApplication was not created in the
main() thread", then "Timers cannot be started from another thread"). Checked in a fresh
process started as main.py starts the window (app/cli/window.py), since this test
process made its QApplication long ago; for each saved tab, since only the Alerts tab's
start reads a list first.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import ROOT

CHILD = """
import json, sys, threading

import services.usecases.customers as customers

# The preload's thread is kept alive, as at a real start, until the application exists:
# the customers table's read waits for it.
made = threading.Event()
real = customers.load_customer_columns
def held(engine):
    made.wait(60)
    return real(engine)
customers.load_customer_columns = held

from app.gui.opening import start_window_preload

preload = start_window_preload(sys.argv[1], settings_file=sys.argv[2])
assert preload is not None, "nothing preloaded"
# The first screen's read (with the saved tab) is done before Qt's application exists.
if preload.first_screen is not None:
    preload.first_screen.result(60)
    preload.first_screen.shown.set()
preload.columns.head.result(60)

from PySide6.QtCore import QThread, QTimer
from PySide6.QtWidgets import QApplication

app = QApplication(["account-radar"])
made.set()
preload.columns.result(60)
fired = []
QTimer.singleShot(0, lambda: (fired.append(True), app.quit()))
QTimer.singleShot(10_000, app.quit)
app.exec()
print("RESULT " + json.dumps({
    "main": app.thread() is QThread.currentThread(),
    "first_read": preload.first_screen is not None and preload.first_screen.result() is not None,
    "timer": bool(fired),
    "threads": sorted(t.name for t in threading.enumerate()),
}))
"""


@pytest.mark.parametrize(("tab", "reads_alerts_first"), [("alerts", True), ("customers", False)])
def test_the_preload_leaves_qt_its_main_thread(
    alerts_file: Path, tmp_path: Path, tab: str, reads_alerts_first: bool
) -> None:
    workspace = tmp_path / "w.radar.sqlite"
    shutil.copy(alerts_file, workspace)
    ini = tmp_path / "ui.ini"
    ini.write_text(f"[ui]\ntab={tab}\n", encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(workspace), str(ini)],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    # The saved tab was still honoured: the alerts list was read first on the Alerts tab.
    assert result["first_read"] is reads_alerts_first
    assert result["main"], "Qt took another thread for its main one"
    assert result["timer"], "the event loop ran no timer"
    assert "main() thread" not in done.stderr
    assert "another thread" not in done.stderr
