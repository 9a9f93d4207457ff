"""Render the customer pane's Product usage section in the window offscreen, at 1366x768,
light and dark: the Alerts tab with its most urgent card selected, and the Customers tab
with the same customer, into --out (alerts-usage-{theme}.png, alerts-usage-scrolled-...,
customers-usage-{theme}.png; and the same with the text at 150 %, light: *-150pct-light.png).

    .venv/bin/python bench/usage_pane_screenshots.py [--workspace PATH] [--out /tmp/pane_shots]

The workspace is a scored 300-customer demo, built here if missing, to which a made-up
half year of product usage is added (usage_days rows, as an import would store them):
most customers use a few of nine features on weekdays; the at-risk ones fade out over
the last weeks. The demo's own usage story, when it has one, is left as it is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
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
FEATURES = (
    "search",
    "size_guide",
    "wishlist",
    "reorder",
    "invoices",
    "returns_portal",
    "liveChat",
    "lookbook",
    "gift_cards",
)


def build(path: Path) -> None:
    """A scored demo with its alerts, and made-up usage for its customers (once)."""
    import numpy as np
    from sqlalchemy import func, select

    from app.gui.demo_workspace import build_demo_workspace
    from app.workspace import open_workspace, to_url, workspace_exists
    from models.schema import Customer, UsageDay
    from services.alerts.generate import generate_alerts
    from services.scoring.run import score_workspace

    url = to_url(str(path))
    if not workspace_exists(url):
        build_demo_workspace(url, customers=300)
    workspace = open_workspace(url, backup=False)
    try:
        from sqlalchemy.orm import Session

        with Session(workspace.engine) as session:
            if session.scalar(select(func.count()).select_from(UsageDay)):
                return
            ids = list(session.scalars(select(Customer.id).order_by(Customer.id)))
            today = dt.datetime.now(dt.UTC).date()
            rng = np.random.default_rng(7)
            rows = []
            for cid in ids:
                if rng.random() < 0.1:
                    continue  # never used the product
                team = int(rng.integers(1, 14))
                habits = rng.choice(len(FEATURES), size=int(rng.integers(2, 7)), replace=False)
                fades = rng.random() < 0.35
                for back in range(182, -1, -1):
                    day = today - dt.timedelta(days=back)
                    if day.weekday() >= 5 and rng.random() < 0.8:
                        continue
                    level = 1.0 if not fades or back > 50 else max(back - 8, 0) / 42
                    people = int(rng.binomial(team, 0.55 * level))
                    if people == 0:
                        continue
                    features = {
                        FEATURES[i]: int(rng.integers(1, 4))
                        for i in habits
                        if rng.random() < 0.5 * level + 0.1
                    }
                    rows.append(
                        UsageDay(
                            customer_id=cid,
                            source="amplitude",
                            day=day,
                            events=people * 9,
                            sessions=people + int(rng.integers(0, 3)),
                            logins=people,
                            active_users=people,
                            minutes=round(float(people * rng.uniform(6, 25)), 1),
                            documents_viewed=int(rng.integers(0, 3 * people + 1)),
                            features=features or None,
                            users=[f"u{cid}-{k}" for k in range(people)],
                        )
                    )
            session.add_all(rows)
            session.commit()
            print(f"added {len(rows):,} usage days")
        summary = score_workspace(workspace.engine)
        generate_alerts(workspace.engine, summary.run_id)
    finally:
        workspace.close()


def shoot(app: Any, mode: Any, workspace: Path, out: Path, tag: str = "") -> None:
    """The Alerts tab (its top card whose customer's use is falling), the same pane
    scrolled down to the chart, and the Customers tab with that customer, in one theme."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QWidget

    from app.gui.application import make_controller
    from app.workspace import to_url

    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "ui.ini"), QSettings.Format.IniFormat)
        settings.setValue("ui/theme", mode.value)
        gui = make_controller(app, settings, show_dialogs=False)
        window, jobs = gui.window, gui.jobs

        def settle(condition: Callable[[], bool], seconds: float = 90.0) -> None:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                app.processEvents()
                if condition() and jobs.is_idle():
                    break
                time.sleep(0.01)
            for _ in range(10):
                app.processEvents()

        def save(widget: QWidget, name: str) -> None:
            path = out / f"{name}{tag}-{mode.value}.png"
            widget.grab().save(str(path))
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
        # The most urgent card whose customer's use is falling (the story to see).
        for row in range(min(view.alerts_pane.model.rowCount(), 15)):
            view.alerts_pane.select_alert(view.alerts_pane.model.alert_id(row))
            settle(lambda: pane.detail is not None and not pane.load_pending)
            usage = pane.usage_section.usage
            summary = usage.summary if usage is not None else None
            if summary and summary.recent.active_users < summary.previous.active_users / 2:
                break
        save(window, "alerts-usage")
        customer = pane.detail.id
        # The same pane scrolled down to the rest of its usage section.
        bar = pane.scroll_area.verticalScrollBar()
        bar.setValue(pane.usage_section.geometry().bottom() - pane.scroll_area.height() + 12)
        settle(lambda: True)
        save(window, "alerts-usage-scrolled")
        window.tabs.setCurrentIndex(1)
        window.customers_pane.select_customer(customer)
        detail = window.detail_pane
        settle(lambda: detail.detail is not None and detail.detail.id == customer)
        save(window, "customers-usage")
        gui.shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--workspace",
        type=Path,
        default=Path(tempfile.gettempdir()) / "bench-usage-pane.radar.sqlite",
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp/pane_shots"))
    args = parser.parse_args()
    build(args.workspace)
    args.out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    from views.kit.theme import ThemeMode

    app = QApplication.instance() or QApplication([])
    for mode in (ThemeMode.LIGHT, ThemeMode.DARK):
        shoot(app, mode, args.workspace, args.out)
    # The text at 150 % (a laptop's larger text): the pane scrolls, nothing is cut.
    before = app.font()
    larger = app.font()
    larger.setPointSizeF(before.pointSizeF() * 1.5)
    app.setFont(larger)
    shoot(app, ThemeMode.LIGHT, args.workspace, args.out, "-150pct")
    app.setFont(before)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
