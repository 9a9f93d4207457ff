"""Render Results ▸ Stages and the customer pane's stage line offscreen at 1366x768, light
and dark, into --out (docs/window by default): results-stages-1366x768-{theme}.png (the
2,000-customer demo's stages today, the health profiles' verdict and the best times to
reach out) and customer-stage-1366x768-{theme}.png (the Customers tab with the first
customer of the list open: their stage and health profile under their name).

    .venv/bin/python bench/stages_screenshots.py [--workspace PATH] [--out docs/window]

The workspace is the 2,000-customer demo (seed 11), built when missing.
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
    """The scored demo (once)."""
    if path.exists():
        return
    cli = [sys.executable, str(ROOT / "main.py"), "--db", str(path)]
    subprocess.run([*cli, "demo", "--customers", "2000", "--seed", "11"], check=True)


def shoot(app: Any, mode: Any, workspace: Path, out: Path) -> None:
    from PySide6.QtCore import QSettings

    from app.gui.application import make_controller
    from app.workspace import to_url
    from views.results.stages import StagesSection

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
        window.tabs.setCurrentIndex(1)
        window.customers_pane.table.selectRow(0)
        detail = window.customers.detail_pane
        settle(lambda: detail.detail is not None)
        path = out / f"customer-stage-1366x768-{mode.value}.png"
        window.grab().save(str(path))
        print(path)
        window.tabs.setCurrentIndex(4)
        results = window.results
        settle(lambda: results.state in ("data", "empty"), seconds=30.0)
        section = next(s for s in results.sections if isinstance(s, StagesSection))
        tabs = results.tabs
        tabs.setCurrentIndex(
            next(i for i in range(tabs.count()) if tabs.tabText(i) == section.TITLE)
        )
        section.reload(None, None)
        settle(lambda: section.results is not None)
        path = out / f"results-stages-1366x768-{mode.value}.png"
        window.grab().save(str(path))
        print(path)
        gui.shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--workspace", type=Path, default=Path(tempfile.gettempdir()) / "stages.radar.sqlite"
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
