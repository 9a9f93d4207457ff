"""Render Results ▸ Return, offscreen at 1366x768, light and dark, into --out
(docs/window by default): results-return-1366x768-{theme}.png, the return on outreach of
the 2,000-customer demo's past outreach with costs set (a 40 % margin rate, $1.50 an
email, $8 a call, $45 a meeting, $400 a month of the team's time), broken down by
playbook.

    .venv/bin/python bench/return_screenshots.py [--workspace PATH] [--out docs/window]

The workspace is built with `main.py demo` when missing and given those costs.
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
COSTS = (
    ("learn.margin_percent", 40),
    ("learn.cost_email", 1.5),
    ("learn.cost_call", 8),
    ("learn.cost_meeting", 45),
    ("learn.cost_team_month", 400),
)


def build(path: Path) -> None:
    """The scored demo (once), with the costs set."""
    if not path.exists():
        cli = [sys.executable, str(ROOT / "main.py"), "--db", str(path)]
        subprocess.run([*cli, "demo", "--customers", "2000"], check=True)
    from app.workspace import open_workspace, to_url
    from models.db import session_scope
    from services.settings import set_setting

    workspace = open_workspace(to_url(str(path)), backup=False)
    with session_scope(workspace.sessions) as session:
        for key, value in COSTS:
            set_setting(session, key, value, actor="bench")
    workspace.close()


def shoot(app: Any, mode: Any, workspace: Path, out: Path) -> None:
    from PySide6.QtCore import QSettings

    from app.gui.application import make_controller
    from app.workspace import to_url
    from views.results.return_section import ReturnSection

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

        window.resize(*SIZE)
        window.show()
        gui.open_url(to_url(str(workspace)), startup=True)
        settle(lambda: window.customers_pane.model.rowCount() > 0)
        window.tabs.setCurrentIndex(4)
        results = window.results
        section = next(s for s in results.sections if isinstance(s, ReturnSection))
        # Each section's tab holds it in a scroll area: chosen by its title.
        tabs = results.tabs
        tabs.setCurrentIndex(
            next(i for i in range(tabs.count()) if tabs.tabText(i) == section.TITLE)
        )
        section.by_combo.setCurrentIndex(section.by_combo.findData("playbook"))
        settle(lambda: section.report is not None and section.report.by == "playbook")
        path = out / f"results-return-1366x768-{mode.value}.png"
        window.grab().save(str(path))
        print(path)
        gui.shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--workspace", type=Path, default=Path(tempfile.gettempdir()) / "return.radar.sqlite"
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
