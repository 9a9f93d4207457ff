"""Render Review pack… offscreen at 1366x768, light and dark, into --out (docs/window by
default): review-pack-customer-1366x768-{theme}.png, the Customers tab with the dialog of
the account shown over it, and review-pack-results-1366x768-{theme}.png, Results with
the dialog offering the book, the segments and the tiers. With --pictures FOLDER, also
the pictures of a customer's pack and of the book's (the charts as the PDF and the
slides take them), to look at.

    .venv/bin/python bench/packs_screenshots.py [--workspace PATH] [--out docs/window]

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


def _over(window: Any, dialog: Any, theme: Any) -> Any:
    """The window's picture with the dialog drawn over its centre, in a frame with its
    title as a window manager would draw it."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QColor, QPainter

    picture = window.grab().toImage()
    shown = dialog.grab().toImage()
    bar = 30
    x = (picture.width() - shown.width()) // 2
    y = (picture.height() - shown.height() - bar) // 3
    painter = QPainter(picture)
    painter.fillRect(x - 1, y - 1, shown.width() + 2, shown.height() + bar + 2, QColor("#777"))
    painter.fillRect(x, y, shown.width(), bar, QColor(theme.surface_alt))
    painter.setPen(QColor(theme.text))
    title = QRect(x, y, shown.width(), bar)
    painter.drawText(title, int(Qt.AlignmentFlag.AlignCenter), dialog.windowTitle())
    painter.drawImage(x, y + bar, shown)
    painter.end()
    return picture


def shoot(app: Any, mode: Any, workspace: Path, out: Path) -> None:
    from PySide6.QtCore import QSettings

    from app.gui.application import make_controller
    from app.gui.packs_controller import read_choices
    from app.workspace import to_url
    from views.kit.dialog_parts import current_theme
    from views.packs.dialog import PackChoices, ReviewPackDialog
    from views.shell.main_window import TAB_CUSTOMERS

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
        window.tabs.setCurrentIndex(TAB_CUSTOMERS)
        pane = window.detail_pane
        pane.show_customer(int(window.customers_pane.model.customer_id(0)), at_once=True)
        settle(lambda: pane.detail is not None)
        workspace_open, shown = gui.workspace, pane.detail
        assert workspace_open is not None
        assert shown is not None
        account = read_choices(workspace_open, PackChoices("customer", shown.name, shown.id))
        book = read_choices(workspace_open, PackChoices("book", "The whole book"))
        for name, screen, what in (
            ("customer", TAB_CUSTOMERS, account),
            ("results", window.results.index, book),
        ):
            window.tabs.setCurrentIndex(screen)
            if name == "results":  # its figures read, behind the dialog
                settle(lambda: window.results.state in ("data", "empty"), seconds=60)
            dialog = ReviewPackDialog(what, window)
            if name == "results":
                dialog.what_combo.setCurrentIndex(2)  # a segment
                dialog.pptx_radio.setChecked(True)
            dialog.show()
            settle(lambda: True, seconds=2)
            path = out / f"review-pack-{name}-1366x768-{mode.value}.png"
            _over(window, dialog, current_theme(window)).save(str(path))
            print(path)
            dialog.close()
            dialog.deleteLater()
        gui.shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()


def pictures(workspace: Path, out: Path) -> None:
    """The charts of a customer's pack and of the book's, as PNG files."""
    from app.workspace import open_workspace, to_url
    from services.packs.book import book_pack
    from services.packs.customer import customer_pack
    from views.packs.pictures import chart_image

    ws = open_workspace(to_url(str(workspace)), backup=False)
    try:
        for name, pack in (
            ("customer", customer_pack(ws.engine, 1)),
            ("book", book_pack(ws.engine)),
        ):
            for chart in pack.charts:
                path = out / f"pack-{name}-{chart.key}.png"
                chart_image(chart).save(str(path))
                print(path)
    finally:
        ws.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--workspace", type=Path, default=Path(tempfile.gettempdir()) / "packs.radar.sqlite"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "window")
    parser.add_argument("--pictures", type=Path, default=None)
    args = parser.parse_args()
    build(args.workspace)
    args.out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    from views.kit.theme import ThemeMode

    app = QApplication.instance() or QApplication([])
    for mode in (ThemeMode.LIGHT, ThemeMode.DARK):
        shoot(app, mode, args.workspace, args.out)
    if args.pictures is not None:
        args.pictures.mkdir(parents=True, exist_ok=True)
        pictures(args.workspace, args.pictures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
