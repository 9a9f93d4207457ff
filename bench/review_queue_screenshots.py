"""Render Draft for all's windows offscreen at 1366x768, light and dark:
docs/window/review-queue-{theme}.png (the review queue of a risk batch: some approved, one
skipped, one edited, one whose sending was interrupted) and batch-start-{theme}.png (the
start dialog with its count and the customers left out).

    .venv/bin/python bench/review_queue_screenshots.py [--workspace PATH] [--out docs/window]

The workspace is the scored demo bench/bench_batch.py builds (built here if missing).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pieces_screenshots import use_laptop_screen  # noqa: E402

use_laptop_screen()  # a 1366x768 screen, before Qt starts (bench_batch would take 800x800)

from bench.bench_batch import build  # noqa: E402

SIZE = (1366, 768)


def prepare(path: Path) -> tuple[int, list[int]]:
    """A drafted risk batch with a few rows reviewed; returns its id and its alerts."""
    from sqlalchemy import text, update

    from app.workspace import open_workspace, to_url
    from models.schema import BatchDraft
    from services.alerts.lifecycle import unit_of_work
    from services.outreach.batch import (
        approve_row,
        create_batch,
        draft_batch,
        edit_row,
        load_batch,
        skip_row,
    )

    workspace = open_workspace(to_url(str(path)), backup=False)
    try:
        with workspace.engine.connect() as conn:
            ids = [
                int(r[0])
                for r in conn.execute(
                    text(
                        "SELECT id FROM alerts WHERE status = 'open' AND rule_key IN "
                        "('high_risk_high_value', 'gone_quiet', 'negative_experience', "
                        "'ticket_past_sla') ORDER BY priority_cents DESC LIMIT 40"
                    )
                )
            ]
        batch_id = create_batch(
            workspace.engine, ids, offline=True, title="Draft for all: the Risk queue"
        )
        draft_batch(workspace.engine, batch_id)
        rows = [r for r in load_batch(workspace.engine, batch_id).rows if r.state == "drafted"]
        for row in rows[:4]:
            approve_row(workspace.engine, row.id)
        edit_row(workspace.engine, rows[4].id, rows[4].subject, rows[4].body + "\n\nP.S. Call me.")
        approve_row(workspace.engine, rows[4].id)
        skip_row(workspace.engine, rows[5].id)
        approve_row(workspace.engine, rows[6].id)
        with unit_of_work(workspace.engine) as session:
            session.execute(
                update(BatchDraft).where(BatchDraft.id == rows[6].id).values(state="sending")
            )
        return batch_id, ids
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

    from PySide6.QtWidgets import QApplication, QWidget

    from app.gui.context import WindowContext
    from app.gui.outreach.batch_controller import BatchController
    from app.workspace import open_workspace, to_url
    from views.kit.jobs import JobRunner
    from views.kit.theme import ThemeManager, ThemeMode

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "shots.radar.sqlite"
        shutil.copyfile(args.workspace, copy)
        batch_id, alert_ids = prepare(copy)
        app = QApplication.instance() or QApplication([])
        theme = ThemeManager(app, ThemeMode.LIGHT)  # type: ignore[arg-type]
        jobs = JobRunner()
        workspace = open_workspace(to_url(str(copy)), backup=False)
        window = QWidget()
        window.resize(*SIZE)
        controller = BatchController(
            WindowContext(jobs, window, lambda: workspace),
            user=lambda: "Hannah Becker",
            theme=theme,
        )

        def settle(condition: object, seconds: float = 30.0) -> None:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                app.processEvents()
                if callable(condition) and condition() and jobs.is_idle():
                    break
                time.sleep(0.01)
            for _ in range(5):
                app.processEvents()

        try:
            controller._ws, controller.batch_id = workspace, batch_id  # noqa: SLF001
            controller._open(workspace, batch_id, draft=False, reviewed=False)  # noqa: SLF001
            queue = controller.queue
            assert queue is not None
            settle(lambda: bool(queue.model.rows))
            queue.resize(*SIZE)  # the screen's size (fitted with its frame when shown)
            row = next(i for i, r in enumerate(queue.model.rows) if r.state == "drafted")
            queue.list.setCurrentIndex(queue.model.index(row))
            queue.show_notice("Drafted 33 in 1 s.")
            for mode in (ThemeMode.LIGHT, ThemeMode.DARK):
                theme.set_mode(mode)
                settle(lambda: True)
                name = mode.value
                queue.grab().save(str(args.out / f"review-queue-{name}.png"))
                print(args.out / f"review-queue-{name}.png")
            # The start dialog as it is before the batch exists (on a fresh copy).
            controller.close()
            fresh = Path(tmp) / "dialog.radar.sqlite"
            shutil.copyfile(args.workspace, fresh)
            workspace.close()
            workspace = open_workspace(to_url(str(fresh)), backup=False)
            controller.draft_for_all(tuple(alert_ids), "the 40 cards shown in the Risk queue")
            settle(lambda: controller.dialog is not None)
            dialog = controller.dialog
            assert dialog is not None
            for mode in (ThemeMode.LIGHT, ThemeMode.DARK):
                theme.set_mode(mode)
                settle(lambda: True)
                dialog.grab().save(str(args.out / f"batch-start-{mode.value}.png"))
                print(args.out / f"batch-start-{mode.value}.png")
        finally:
            controller.close()
            jobs.shutdown()
            workspace.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
