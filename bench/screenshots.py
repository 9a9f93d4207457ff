"""Render the main window on a scored 2,000-customer demo workspace, light and dark.

    .venv/bin/python bench/screenshots.py [--workspace PATH] [--out docs] [--size WxH]

Writes, offscreen at 1400x860 by default, light and dark:
- docs/alerts-{light,dark}.png: the three panes, with the top alert selected;
- docs/screenshot-{light,dark}.png: the Customers tab, with a lapsing customer
  selected (the kind of customer the app exists to find);
- docs/dashboard-{light,dark}.png: the Dashboard tab;
- docs/composer-{light,dark}.png: the email composer on the top alert (the template
  draft: the demo has no provider set up).
The workspace is built the first time and scored three times (60 and 30 days ago and
today, alerts raised after each) so that the score tiles show trend arrows, the score
history and the dashboard's trends have points, and the alerts have ages.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt  # noqa: E402

from PySide6.QtCore import QSettings  # noqa: E402

from app.gui.application import make_controller  # noqa: E402
from app.gui.demo_workspace import build_demo_workspace  # noqa: E402
from app.gui.selftest import wait_until  # noqa: E402
from app.workspace import open_workspace, to_url, workspace_exists  # noqa: E402
from views.theme import ThemeMode  # noqa: E402

SIZE = (1400, 860)


def score_twice(url: str) -> None:
    """Score the workspace 60 and 30 days ago and today (raising alerts after each),
    unless it already has scores."""
    from sqlalchemy import func, select

    from models.schema import ScoringRun
    from services.alerts.generate import generate_alerts
    from services.scoring.run import score_workspace

    workspace = open_workspace(url, backup=False)
    try:
        with workspace.sessions() as session:
            runs = session.scalar(select(func.count()).select_from(ScoringRun)) or 0
        if runs:
            return
        today = dt.datetime.now(dt.UTC).date()
        for days_ago in (60, 30, 0):
            as_of = today - dt.timedelta(days=days_ago)
            summary = score_workspace(workspace.engine, as_of=as_of)
            print(summary.lines()[0])
            # As if raised on that day (today's run: now).
            moment = dt.datetime.combine(as_of, dt.time(9), tzinfo=dt.UTC) if days_ago else None
            result = generate_alerts(workspace.engine, summary.run_id, now=moment)
            print(result.lines()[0])
    finally:
        workspace.close()


def pick_customer(window: object) -> int:
    """A customer drifting away: good history, quiet for months, much at stake."""
    model = window.customers_pane.model  # type: ignore[attr-defined]
    days = model.column_values("days_since_last_order")
    orders = model.column_values("orders")
    tickets = model.column_values("open_tickets")
    opps = model.column_values("open_opportunities")
    risk = model.column_values("churn_risk")
    ids = model.visible_ids()
    # Among the most money at risk (a scored table opens sorted by it, highest first).
    for min_extra in (1, 0):
        for i in range(min(len(ids), 300)):
            extra = int(tickets[i] > 0) + int(opps[i] > 0)
            if (
                60 <= days[i] <= 400
                and orders[i] >= 8
                and 0.45 <= risk[i] <= 0.9
                and extra >= min_extra
            ):
                return int(ids[i])
    return int(ids[0])


def shoot(
    url: str,
    mode: ThemeMode,
    out: Path,
    customer_id: int | None,
    size: tuple[int, int] = SIZE,
    tab: int = 0,
) -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "ui.ini"), QSettings.Format.IniFormat)
        settings.setValue("ui/theme", mode.value)
        controller = make_controller(app, settings, show_dialogs=False)  # type: ignore[arg-type]
        window = controller.window
        window.resize(*size)
        window.show()
        controller.open_url(url, startup=True)
        assert wait_until(lambda: window.customers_pane.model.rowCount() > 0, 60)
        assert wait_until(lambda: window.detail_pane.detail is not None, 60)
        assert wait_until(lambda: controller.jobs.is_idle(), 60)
        if customer_id is None:
            customer_id = pick_customer(window)
        window.customers_pane.select_customer(customer_id)
        assert wait_until(
            lambda: (
                window.detail_pane.detail is not None
                and window.detail_pane.detail.id == customer_id
            ),
            60,
        )
        assert wait_until(lambda: controller.jobs.is_idle(), 60)
        window.tabs.setCurrentIndex(1)
        window.detail_pane.tabs.setCurrentIndex(tab)
        app.processEvents()
        image = window.grab().toImage()
        image.save(str(out))
        print(f"wrote {out} ({image.width()}x{image.height()}), customer {customer_id}")

        # The alerts: the three panes on the top alert.
        window.tabs.setCurrentIndex(0)
        view = window.alerts_view
        assert wait_until(lambda: view.alerts_pane.model.rowCount() > 0, 60)
        assert wait_until(lambda: view.action_pane.alert is not None, 60)
        # The critical alerts, the top one selected: what the app is for.
        view.alerts_pane.severity_buttons["critical"].click()
        model = view.alerts_pane.model
        if model.rowCount():
            chosen = model.alert_id(0)
            view.alerts_pane.select_alert(chosen)
            assert wait_until(
                lambda: view.action_pane.alert is not None and view.action_pane.alert.id == chosen,
                60,
            )
        assert wait_until(lambda: view.detail_pane.detail is not None, 60)
        assert wait_until(lambda: not view.detail_pane.load_pending, 60)
        assert wait_until(lambda: controller.jobs.is_idle(), 60)
        app.processEvents()
        alerts_out = out.with_name(out.name.replace(out.name.split("-")[0], "alerts", 1))
        window.grab().save(str(alerts_out))
        print(f"wrote {alerts_out}")

        # The email composer on that alert (E). With no provider set up in the demo, the
        # template library writes the draft, and the composer says so.
        view.action_pane.trigger("draft")
        assert wait_until(
            lambda: (
                controller.composer.dialog is not None
                and bool(controller.composer.dialog.variants[0].body.toPlainText())
            ),
            60,
        )
        assert wait_until(lambda: controller.jobs.is_idle(), 60)
        composer = controller.composer.dialog
        assert composer is not None
        composer.resize(1100, 720)
        app.processEvents()
        composer_out = out.with_name(out.name.replace(out.name.split("-")[0], "composer", 1))
        composer.grab().save(str(composer_out))
        print(f"wrote {composer_out}")
        composer.close()
        app.processEvents()

        # The dashboard.
        window.tabs.setCurrentIndex(2)
        assert wait_until(lambda: window.dashboard.state == "data", 60)
        assert wait_until(lambda: controller.jobs.is_idle(), 60)
        app.processEvents()
        dash_out = out.with_name(out.name.replace(out.name.split("-")[0], "dashboard", 1))
        window.grab().save(str(dash_out))
        print(f"wrote {dash_out}")
        controller.shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()
    return customer_id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--workspace", default=str(Path(tempfile.gettempdir()) / "ar-shots.radar.sqlite")
    )
    parser.add_argument("--out", default=str(ROOT / "docs"))
    parser.add_argument("--customer", type=int, default=None)
    parser.add_argument("--size", default=f"{SIZE[0]}x{SIZE[1]}", help="window size, WxH")
    parser.add_argument("--prefix", default="screenshot", help="file name prefix")
    parser.add_argument(
        "--tab", type=int, default=0, help="detail tab: 0 timeline, 1 score history"
    )
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    url = to_url(args.workspace)
    if not workspace_exists(url):
        build_demo_workspace(url, customers=2000)
    score_twice(url)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    light, dark = out / f"{args.prefix}-light.png", out / f"{args.prefix}-dark.png"
    customer = shoot(url, ThemeMode.LIGHT, light, args.customer, (width, height), args.tab)
    shoot(url, ThemeMode.DARK, dark, customer, (width, height), args.tab)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
