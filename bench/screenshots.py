"""Render the main window on a scored 2,000-customer demo workspace: every tab at
1366x768 and 1920x1080, light and dark, as an account manager sees it.

    .venv/bin/python bench/screenshots.py [--workspace PATH] [--out docs/window]
                                          [--sizes 1366x768,1920x1080]

Writes, offscreen, for each size and theme (``{screen}-{W}x{H}-{theme}.png``):
- alerts: the risk queue, its top card selected, the customer and the actions;
- customers: the Customers tab with a lapsing customer selected (the kind of customer
  the app exists to find);
- dashboard: the Dashboard tab;
- my-work: My work, with tasks (one overdue), snoozes coming back and a follow-up;
- results: Results, broken down by alert rule: the demo's own simulated past outreach
  (services/demo/outreach.py; a workspace with none measured against a holdout gets
  1,300 emails and a 30% holdout from bench/learn_seed.py first);
and, at the first size, composer-{theme}.png: the email composer on the top alert (the
template draft: the demo has no provider set up).
The workspace is built the first time and scored three times (60 and 30 days ago and
today, alerts raised after each) so that the score tiles show trend arrows, the score
history and the dashboard's trends have points, and the alerts have ages; then Hannah
Becker (the user, from a profile of this run) calls, plans and snoozes a few of hers.
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
from views.kit.theme import ThemeMode  # noqa: E402

SIZES = ((1366, 768), (1920, 1080))
ME = ("Hannah Becker", "hannah.becker@example.com")


def score_twice(url: str) -> None:
    """Score the workspace 60 and 30 days ago and today (the renewals' likelihoods kept and
    alerts raised after each, as the app's scoring does), unless it already has scores."""
    from sqlalchemy import func, select

    from models.schema import ScoringRun
    from services.alerts.generate import generate_alerts
    from services.renewals.store import store_forecasts
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
            store_forecasts(workspace.engine, summary.run_id)  # as the app's scoring does
            # As if raised on that day (today's run: now).
            moment = dt.datetime.combine(as_of, dt.time(9), tzinfo=dt.UTC) if days_ago else None
            result = generate_alerts(workspace.engine, summary.run_id, now=moment)
            print(result.lines()[0])
    finally:
        workspace.close()


def plan_some_work(url: str) -> None:
    """Hannah's week so far, unless done: tasks on three of her alerts (one overdue), a
    snooze that ends in two days, and a voicemail ten days ago with nothing since."""
    from sqlalchemy import func, select

    from models.schema import Action, Alert, Customer
    from services.alerts.contact import create_task, log_call
    from services.alerts.lifecycle import snooze_in, start_in, transition_alert

    actor = f"{ME[0]} <{ME[1]}>"
    workspace = open_workspace(url, backup=False)
    try:
        with workspace.sessions() as session:
            if session.scalar(select(func.count()).select_from(Action)):
                return
            alerts = session.scalars(
                select(Alert.id)
                .join(Customer, Customer.id == Alert.customer_id)
                .where(Customer.owner == ME[0], Alert.status == "open")
                .order_by(Alert.priority_cents.desc())
                .limit(6)
            ).all()
        now = dt.datetime.now(dt.UTC)
        ago = lambda days: now - dt.timedelta(days=days)  # noqa: E731
        engine = workspace.engine
        create_task(engine, alerts[0], "Call back about the winter order", (now - dt.timedelta(
            days=1)).date(), actor=actor, now=ago(4))  # fmt: skip
        create_task(
            engine, alerts[1], "Send the new size guide", now.date(), actor=actor, now=ago(2)
        )
        create_task(engine, alerts[2], "Ask how the exchange went", (now + dt.timedelta(
            days=3)).date(), actor=actor, now=ago(1))  # fmt: skip
        transition_alert(engine, alerts[3], snooze_in, until=(now + dt.timedelta(days=2)).date(),
                         actor=actor, now=ago(5))  # fmt: skip
        transition_alert(engine, alerts[4], start_in, actor=actor, now=ago(11))
        log_call(engine, alerts[4], "", outcome="voicemail", actor=actor, now=ago(10))
    finally:
        workspace.close()


def measure_some_outreach(url: str) -> None:
    """Simulated outreach against a holdout (bench/learn_seed.py) when the workspace has
    none measured yet, so that Results has a lift to show."""
    from sqlalchemy import text

    workspace = open_workspace(url, backup=False)
    try:
        with workspace.engine.connect() as conn:
            measured = conn.execute(
                text(
                    "SELECT COUNT(*) FROM outreach o JOIN alerts a ON a.id = o.alert_id "
                    "WHERE a.holdout_band IS NOT NULL"
                )
            ).scalar()
        path = workspace.engine.url.database
    finally:
        workspace.close()
    if measured:
        return
    from bench.learn_seed import seed_learn_workspace

    # A 30% holdout rather than the default 10%: the 2,000-customer demo then has enough
    # held-out customers for an interval narrow enough to show the effect.
    print("simulating 1,300 emails with a 30% holdout (the demo has none measured yet)")
    seed_learn_workspace(
        Path(str(path)),
        customers=0,
        emails=1300,
        now=dt.datetime.now(dt.UTC),
        fresh=False,
        holdout_share=0.3,
    )


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


def wait_for(condition: object, what: str) -> None:
    if not wait_until(condition, 120):  # type: ignore[arg-type]
        raise SystemExit(f"timed out waiting for {what}")


def shoot(
    url: str,
    mode: ThemeMode,
    out: Path,
    customer_id: int | None,
    size: tuple[int, int],
    composer: bool,
) -> int:
    """Every tab of one window, at one size and theme; returns the customer shown."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    theme = mode.value
    tag = f"{size[0]}x{size[1]}-{theme}"

    def save(widget: object, name: str) -> None:
        app.processEvents()
        path = out / name
        image = widget.grab().toImage()  # type: ignore[attr-defined]
        if not image.save(str(path)):
            raise SystemExit(f"could not write {path}")
        print(f"wrote {path} ({image.width()}x{image.height()})")

    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "ui.ini"), QSettings.Format.IniFormat)
        settings.setValue("ui/theme", mode.value)
        controller = make_controller(app, settings, show_dialogs=False)  # type: ignore[arg-type]
        jobs = controller.jobs
        window = controller.window
        window.resize(*size)
        window.show()
        controller.open_url(url, startup=True)
        wait_for(lambda: window.customers_pane.model.rowCount() > 0, "the customers")
        wait_for(lambda: window.detail_pane.detail is not None, "a customer")
        wait_for(jobs.is_idle, "the workspace")

        # The alerts: the risk queue, its most urgent card selected (what the app is for).
        window.tabs.setCurrentIndex(0)
        view = window.alerts_view
        wait_for(lambda: view.alerts_pane.model.rowCount() > 0, "the alerts")
        view.alerts_pane.set_queue("risk")
        chosen = view.alerts_pane.model.alert_id(0)
        view.alerts_pane.select_alert(chosen)
        wait_for(
            lambda: (
                view.action_pane.alert is not None and chosen in view.action_pane.alert.card_ids
            ),
            "the top alert",
        )
        wait_for(lambda: view.detail_pane.detail is not None, "its customer")
        wait_for(lambda: not view.detail_pane.load_pending, "its customer's chart")
        wait_for(jobs.is_idle, "the alert")
        save(window, f"alerts-{tag}.png")

        if composer:
            # The email composer on the most urgent card that may be written to now (E):
            # not do not contact, not in the quiet period, not held out. With no provider
            # set up in the demo, the template library writes the draft, and says so.
            model = view.alerts_pane.model
            for row in range(model.rowCount()):
                alert_id = model.alert_id(row)
                view.alerts_pane.select_alert(alert_id)
                wait_for(
                    lambda a=alert_id: (
                        view.action_pane.alert is not None and a in view.action_pane.alert.card_ids
                    ),
                    "an alert",
                )
                shown = view.action_pane.alert
                if view.action_pane.draft_button.isEnabled() and not shown.holdout:
                    break
            wait_for(jobs.is_idle, "the alert")
            view.action_pane.trigger("draft")
            wait_for(
                lambda: (
                    controller.composer.dialog is not None
                    and bool(controller.composer.dialog.variants[0].body.toPlainText())
                ),
                "the draft",
            )
            wait_for(jobs.is_idle, "the composer")
            dialog = controller.composer.dialog
            assert dialog is not None
            dialog.resize(1100, 720)
            save(dialog, f"composer-{theme}.png")
            dialog.close()

        # The customers, a lapsing customer selected.
        window.tabs.setCurrentIndex(1)
        if customer_id is None:
            customer_id = pick_customer(window)
        window.customers_pane.select_customer(customer_id)
        wait_for(
            lambda: (
                window.detail_pane.detail is not None
                and window.detail_pane.detail.id == customer_id
            ),
            "the lapsing customer",
        )
        wait_for(jobs.is_idle, "the customer")
        save(window, f"customers-{tag}.png")

        # The dashboard.
        window.tabs.setCurrentIndex(2)
        wait_for(lambda: window.dashboard.state == "data", "the dashboard")
        wait_for(jobs.is_idle, "the dashboard's figures")
        save(window, f"dashboard-{tag}.png")

        # My work.
        window.tabs.setCurrentIndex(3)
        wait_for(lambda: window.my_work.tasks.model.rowCount() > 0, "my tasks")
        wait_for(jobs.is_idle, "my work")
        save(window, f"my-work-{tag}.png")

        # Results.
        window.tabs.setCurrentIndex(4)
        wait_for(lambda: window.results.state == "data", "the results")
        wait_for(jobs.is_idle, "the results' figures")
        save(window, f"results-{tag}.png")

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
    parser.add_argument("--out", default=str(ROOT / "docs" / "window"))
    parser.add_argument("--customer", type=int, default=None)
    parser.add_argument(
        "--sizes", default=",".join(f"{w}x{h}" for w, h in SIZES), help="WxH[,WxH...]"
    )
    args = parser.parse_args()
    sizes = [
        tuple(int(v) for v in size.lower().split("x")) for size in args.sizes.split(",") if size
    ]
    url = to_url(args.workspace)
    if not workspace_exists(url):
        build_demo_workspace(url, customers=2000)
    score_twice(url)
    plan_some_work(url)
    measure_some_outreach(url)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    customer = args.customer
    # Who I am: Hannah, from a profile of this run (never the user's own).
    with tempfile.TemporaryDirectory() as config:
        os.environ["ACCOUNT_RADAR_CONFIG_DIR"] = config
        from services.core.profile import make_profile, save_profile

        save_profile(make_profile(*ME))
        for i, (width, height) in enumerate(sizes):
            for mode in (ThemeMode.LIGHT, ThemeMode.DARK):
                customer = shoot(url, mode, out, customer, (width, height), composer=i == 0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
