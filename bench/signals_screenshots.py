"""Render the early-warning signals in the window, offscreen at 1366x768, light and dark, into
--out (docs/window by default):

- usage-pane-1366x768-{theme}.png: the Alerts tab with a card whose customer's product use
  is falling, the customer pane showing its Product usage section and chart;
- results-satisfaction-1366x768-{theme}.png: Results scrolled to Satisfaction (NPS, CSAT,
  their change after outreach against the holdout);
- results-early-warning-1366x768-{theme}.png: Results scrolled to Early warning (the alert
  rules replayed on the past year against the recency rule).

    .venv/bin/python bench/signals_screenshots.py [--workspace PATH] [--out docs/window]

The workspace is the 2,000-customer demo (its members' app usage, NPS survey and past
outreach), built and scored with `main.py demo` and replayed with `main.py report alerts`
when missing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SIZE = (1366, 768)


def build(path: Path) -> None:
    """The scored demo and its replay (once)."""
    if path.exists():
        return
    cli = [sys.executable, str(ROOT / "main.py"), "--db", str(path)]
    subprocess.run([*cli, "demo", "--customers", "2000"], check=True)
    subprocess.run([*cli, "report", "alerts"], check=True, stdout=subprocess.DEVNULL)


def shoot(app: Any, mode: Any, workspace: Path, out: Path) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QScrollArea, QWidget

    from app.gui.application import make_controller
    from app.workspace import to_url

    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "ui.ini"), QSettings.Format.IniFormat)
        settings.setValue("ui/theme", mode.value)
        gui = make_controller(app, settings, show_dialogs=False)
        window, jobs = gui.window, gui.jobs

        def settle(condition: Callable[[], bool], seconds: float = 120.0) -> None:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                app.processEvents()
                if condition() and jobs.is_idle():
                    break
                time.sleep(0.01)
            for _ in range(10):
                app.processEvents()

        def save(name: str) -> None:
            path = out / f"{name}-1366x768-{mode.value}.png"
            window.grab().save(str(path))
            print(path)

        window.resize(*SIZE)
        window.show()
        gui.open_url(to_url(str(workspace)), startup=True)
        settle(lambda: window.customers_pane.model.rowCount() > 0)
        window.tabs.setCurrentIndex(0)
        view = window.alerts_view
        settle(lambda: view.alerts_pane.model.rowCount() > 0)
        view.alerts_pane.set_queue("risk")
        pane = view.detail_pane
        # The most urgent card whose customer's use fell by half or more.
        for row in range(min(view.alerts_pane.model.rowCount(), 60)):
            view.alerts_pane.select_alert(view.alerts_pane.model.alert_id(row))
            settle(lambda: pane.detail is not None and not pane.load_pending)
            usage = pane.usage_section.usage
            summary = usage.summary if usage is not None else None
            if summary and summary.recent.sessions < summary.previous.sessions / 2:
                break
        bar = pane.scroll_area.verticalScrollBar()
        bar.setValue(pane.usage_section.geometry().top() - 8)
        settle(lambda: True)
        save("usage-pane")

        window.tabs.setCurrentIndex(4)
        results = window.results
        settle(lambda: results.state == "data" and results.early_warning.report is not None)
        scroll = results.findChild(QScrollArea)
        assert scroll is not None

        def scroll_to(widget: QWidget) -> None:
            top = widget.mapTo(scroll.widget(), widget.rect().topLeft()).y()
            scroll.verticalScrollBar().setValue(top - 6)
            settle(lambda: True)

        scroll_to(results.satisfaction_tiles)
        save("results-satisfaction")
        scroll_to(results.early_warning)
        save("results-early-warning")
        gui.shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--workspace", type=Path, default=Path(tempfile.gettempdir()) / "signals.radar.sqlite"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "window")
    args = parser.parse_args()
    build(args.workspace)
    args.out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    from views.kit.theme import ThemeMode

    app = QApplication.instance() or QApplication([])
    for mode in (ThemeMode.LIGHT, ThemeMode.DARK):
        shoot(app, mode, args.workspace, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
