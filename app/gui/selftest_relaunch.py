"""The self-test's second start: the window opened again on the workspace the first start
built, the way main.py opens it (app/cli/window.py: the start-up preload before Qt is
loaded, then the application), and checked to answer.

The first start of a fresh profile builds the demo inside the window; every later start
opens an existing workspace through the preload, on its own thread, before the
QApplication exists. Had the preload made a Qt object, Qt would have taken its thread
for the main one and the window would paint once, then answer nothing: no timer runs and
no input reaches it. So this start runs in a process of its own (``--self-test-relaunch``)
and passes only when the window fills, switches tab on request and repaints, within a
time limit that a watchdog thread enforces (a window that answers nothing cannot end
itself). No Qt at import, for the same reason.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

# A window that does not answer within this time fails the check (s).
RELAUNCH_TIMEOUT_S = 90.0
# The exit code of a window that never answered (the watchdog ended the process).
EXIT_NO_ANSWER = 3


def _watchdog(timeout_s: float) -> threading.Timer:
    def give_up() -> None:
        sys.stderr.write(
            f"self-test failed: the reopened window did not answer in {timeout_s:.0f} s\n"
        )
        sys.stderr.flush()
        os._exit(EXIT_NO_ANSWER)

    timer = threading.Timer(timeout_s, give_up)
    timer.daemon = True
    timer.start()
    return timer


def run_relaunch_check(db: str, settings_file: str) -> int:
    """Open the window on ``db`` as main.py does, check that it answers, close it; 0 and
    one line on success, else 1 (or EXIT_NO_ANSWER from the watchdog)."""
    watchdog = _watchdog(RELAUNCH_TIMEOUT_S)
    if not settings_file:  # the window's own settings in a file of the check's
        import tempfile

        settings_file = str(Path(tempfile.mkdtemp(prefix="account-radar-reopen-")) / "ui.ini")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.gui.opening import start_window_preload

    preload = start_window_preload(db, settings_file=settings_file)  # before Qt, as main.py
    if preload is None:
        print("self-test failed: the workspace to reopen is missing", file=sys.stderr)
        return 1
    from PySide6.QtCore import QSettings, QThread
    from PySide6.QtWidgets import QApplication

    from app.gui.application import launch
    from app.gui.selftest import wait_until
    from views.shell.main_window import TAB_ALERTS, TAB_CUSTOMERS

    settings = QSettings(settings_file, QSettings.Format.IniFormat)
    controller = launch(db, settings, preload=preload)
    try:
        app = QApplication.instance()
        window = controller.window
        if app is None or app.thread() is not QThread.currentThread():
            raise RuntimeError("Qt took another thread for its main one")

        def filled() -> bool:
            return window.customers_pane.model.rowCount() > 0 and (
                window.screens_built and window.alerts_view.alerts_pane.model.total() > 0
            )

        if not wait_until(filled, RELAUNCH_TIMEOUT_S / 2):
            raise RuntimeError("the reopened window was not filled")
        # It answers: a tab asked for is shown and drawn anew.
        before = window.grab().toImage()
        target = TAB_CUSTOMERS if window.tabs.currentIndex() != TAB_CUSTOMERS else TAB_ALERTS
        window.tabs.setCurrentIndex(target)
        if not wait_until(lambda: window.tabs.currentWidget().isVisible(), RELAUNCH_TIMEOUT_S / 4):
            raise RuntimeError("the reopened window did not switch tab")
        after = window.grab().toImage()
        if after.isNull() or after == before:
            raise RuntimeError("the reopened window did not repaint")
        rows = window.customers_pane.model.rowCount()
        print(f"self-test reopen ok: {rows} customers on the existing workspace")
        return 0
    except Exception as exc:
        print(f"self-test failed: {exc}", file=sys.stderr)
        return 1
    finally:
        controller.shutdown()
        controller.window.close()
        watchdog.cancel()
