"""Render the email loop's pieces in the window offscreen at 1366x768, light and dark:
docs/window/alerts-draft-waiting-{theme}.png (cards whose draft waits in the review
queue, with their badge), composer-waiting-{theme}.png (the composer offering the waiting
draft) and composer-sent-{theme}.png (the draft used, opened in the mail app, and "Did you
send it?"); then bench/pieces_screenshots.py's pictures (Assign, the meeting, For you,
Open recent, the first window, the focus outline, 150 % text).

    .venv/bin/python bench/loop_screenshots.py [--workspace PATH] [--out docs/window]

The workspace is the scored demo bench/bench_batch.py builds (built here if missing). No
mail app opens: the desktop's answer is stubbed; nothing is logged (the question stays
unanswered).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.pieces_screenshots import shoot_all, use_laptop_screen  # noqa: E402

use_laptop_screen()  # a 1366x768 screen, before Qt starts (bench_batch would take 800x800)

from bench.bench_batch import build  # noqa: E402

SIZE = (1366, 768)


def prepare(path: Path) -> tuple[int, int]:
    """A drafted batch over the top risk cards (templates); returns the first card's
    alert and customer."""
    from sqlalchemy import text

    from app.workspace import open_workspace, to_url
    from services.outreach.batch import create_batch, draft_batch

    workspace = open_workspace(to_url(str(path)), backup=False)
    try:
        with workspace.engine.connect() as conn:
            found = conn.execute(
                text(
                    "SELECT a.id, a.customer_id FROM alerts a JOIN customers c ON c.id = "
                    "a.customer_id WHERE a.status = 'open' AND NOT a.holdout AND "
                    "c.do_not_contact = 0 AND c.email IS NOT NULL ORDER BY a.priority_cents "
                    "DESC LIMIT 6"
                )
            ).all()
        ids = [int(r[0]) for r in found[::2]]  # every other card: badged and not, side by side
        batch_id = create_batch(workspace.engine, ids, offline=True, title="Draft for all")
        draft_batch(workspace.engine, batch_id)
        return int(found[0][0]), int(found[0][1])
    finally:
        workspace.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--workspace",
        type=Path,
        default=Path(tempfile.gettempdir()) / "bench-batch-demo.radar.sqlite",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "window")
    args = parser.parse_args()
    build(args.workspace, 3000)
    args.out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QWidget

    from app.gui.application import make_controller
    from app.workspace import to_url
    from views.kit.theme import ThemeMode

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "shots.radar.sqlite"
        shutil.copyfile(args.workspace, copy)
        alert_id, customer_id = prepare(copy)
        app = QApplication.instance() or QApplication([])
        settings = QSettings(str(Path(tmp) / "ui.ini"), QSettings.Format.IniFormat)
        gui = make_controller(app, settings, show_dialogs=False)  # type: ignore[arg-type]
        window, jobs = gui.window, gui.jobs

        def settle(condition: Callable[[], bool], seconds: float = 60.0) -> None:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                app.processEvents()
                if condition() and jobs.is_idle():
                    break
                time.sleep(0.01)
            for _ in range(5):
                app.processEvents()

        def shoot(widget: QWidget, name: str) -> None:
            for mode in (ThemeMode.LIGHT, ThemeMode.DARK):
                gui.theme.set_mode(mode)
                settle(lambda: True)
                path = args.out / f"{name}-{mode.value}.png"
                widget.grab().save(str(path))
                print(path)
            gui.theme.set_mode(ThemeMode.LIGHT)

        try:
            window.resize(*SIZE)
            window.show()
            gui.open_url(to_url(str(copy)))
            view = window.alerts_view
            settle(lambda: gui.workspace is not None and view.alerts_pane.model.rowCount() > 0)
            view.alerts_pane.show_alert(alert_id)
            settle(lambda: view.action_pane.alert is not None)
            shoot(window, "alerts-draft-waiting")
            composer = gui.composer
            # The desktop's answers, stubbed: no mail app opens, the address is confirmed.
            composer._sender._open_url = lambda _url: True  # noqa: SLF001
            composer._confirm = lambda _c, recipient, _a: recipient  # noqa: SLF001
            composer.open(alert_id, customer_id)
            dialog = composer.dialog
            assert dialog is not None
            settle(lambda: dialog.waiting_prompt.asking)
            shoot(dialog, "composer-waiting")
            dialog.waiting_prompt.yes_button.click()
            settle(lambda: dialog.mail_button.isEnabled())
            dialog.mail_button.click()
            settle(lambda: dialog.sent_prompt.asking)
            shoot(dialog, "composer-sent")
        finally:
            gui.composer.close()
            gui.shutdown()
            window.close()
    # The team, start-up and accessibility pieces (bench/pieces_screenshots.py).
    shoot_all(args.workspace, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
