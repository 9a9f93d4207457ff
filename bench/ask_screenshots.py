"""Render the Ask tab on a scored 2,000-customer demo workspace, offline (no provider),
at 1366x768 in the light and dark themes.

    .venv/bin/python bench/ask_screenshots.py [--workspace PATH] [--out docs/window]

Writes ``ask-{shot}-1366x768-{theme}.png`` for each shot:
- empty: the tab as first opened, the saved questions listed;
- breakdown: "What's the average satisfaction score by ticket type?" with its bar chart;
- customers: the Gold customers who have not engaged with email, as customer links;
- sql: that answer with its SQL shown.
Prints how long each answer took to appear (the library path, from Enter to the rows).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

SIZE = (1366, 768)
BREAKDOWN = "What's the average satisfaction score by ticket type?"
CUSTOMERS = "Show me customers in the Gold loyalty tier who haven't engaged with email in 60 days"


def build(path: Path) -> None:
    """A 2,000-customer demo, scored, its alerts raised."""
    from app.workspace import open_workspace, to_url
    from services.alerts.generate import generate_alerts
    from services.demo import build_demo
    from services.scoring.run import score_workspace

    workspace = open_workspace(to_url(str(path)), backup=False)
    try:
        build_demo(workspace.engine, customers=2_000, seed=7)
        summary = score_workspace(workspace.engine)
        generate_alerts(workspace.engine, summary.run_id)
    finally:
        workspace.close()


def shoot(app: QApplication, source: Path, out: Path, mode_name: str) -> None:
    from app.gui.alerts_source import WorkspaceAlertSource
    from app.gui.ask_source import WorkspaceAskSource
    from app.gui.customers_source import WorkspaceCustomerSource
    from app.workspace import open_workspace, to_url
    from views.kit.jobs import JobRunner
    from views.kit.theme import ThemeManager, ThemeMode
    from views.shell.main_window import TAB_ASK, MainWindow

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "ask.radar.sqlite"
        shutil.copy(source, copy)
        workspace = open_workspace(to_url(str(copy)), backup=False)
        jobs = JobRunner(error_presenter=lambda e: print("error:", repr(e), file=sys.stderr))
        theme = ThemeManager(app, ThemeMode(mode_name))
        window = MainWindow(
            jobs, theme, QSettings(str(Path(tmp) / "ui.ini"), QSettings.Format.IniFormat)
        )
        window.resize(*SIZE)
        window.show()
        window.set_source(WorkspaceCustomerSource(workspace))
        window.set_alert_source(WorkspaceAlertSource(workspace, user="Hannah Becker"))
        window.ask.set_source(WorkspaceAskSource(workspace))
        window.tabs.setCurrentIndex(TAB_ASK)
        pane = window.ask

        def settle() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                QTest.qWait(20)
                if jobs.is_idle() and not pane.busy:
                    QTest.qWait(150)
                    if jobs.is_idle():
                        return

        def save(name: str) -> None:
            QTest.qWait(200)
            path = out / f"ask-{name}-{SIZE[0]}x{SIZE[1]}-{mode_name}.png"
            window.grab().save(str(path))
            print("wrote", path)

        def ask(text: str) -> None:
            pane.question_edit.setText(text)
            start = time.perf_counter()
            pane.ask(text)
            # An event loop, as the app runs (QTest.qWait keeps the GIL while it waits).
            loop = QEventLoop()
            poll = QTimer()
            poll.setInterval(2)
            poll.timeout.connect(lambda: pane.busy or loop.quit())
            poll.start()
            loop.exec()
            poll.stop()
            took = time.perf_counter() - start
            answer = pane.answer_view.answer
            settle()
            rows = len(answer.rows) if answer is not None else 0
            print(f"  {text!r}: {rows} rows shown in {took:.2f} s")

        settle()
        save("empty")
        ask(BREAKDOWN)
        save("breakdown")
        ask(CUSTOMERS)
        save("customers")
        pane.answer_view.sql_button.setChecked(True)
        save("sql")
        jobs.shutdown()
        window.close()
        workspace.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "window")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = args.workspace
        if source is None or not source.exists():
            source = source or Path(tmp) / "demo.radar.sqlite"
            build(source)
        for mode in ("light", "dark"):
            shoot(app, source, args.out, mode)  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
