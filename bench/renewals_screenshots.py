"""Render Results ▸ Renewals offscreen at 1366x768, light and dark, into --out
(docs/window by default): results-renewals-1366x768-{theme}.png, a book of 300 past
renewals and 30 ahead (tests/support/renewals_book.py's history, dated from today) with a
scoring run's forecasts each month of the past year and a few owners' calls; and
results-renewals-empty-1366x768-{theme}.png, a workspace without contracts, which says how
to import them. Prints the model's backtest and forecast against actual as it goes.

    .venv/bin/python bench/renewals_screenshots.py [--out docs/window]
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
OWNERS = ("Maya Lopez", "Leo Park", "Ana Silva")


def build(path: Path, today: dt.date) -> None:
    """The book, its monthly scoring runs' forecasts and some owners' calls."""
    from sqlalchemy import insert, select
    from sqlalchemy.orm import Session

    from app.workspace import open_workspace, to_url
    from models.schema import Customer, ScoreSnapshot, ScoringRun
    from models.schema.renewals import Contract, RenewalCall
    from services.renewals.report import renewals_report
    from services.renewals.store import store_forecasts
    from tests.support.renewals_book import fill_history

    ws = open_workspace(to_url(str(path)), backup=False)
    fill_history(ws.engine, 300, signal=True, today=today)
    with Session(ws.engine) as s, s.begin():
        for i, customer in enumerate(s.scalars(select(Customer))):
            customer.owner = OWNERS[i % 3]
        for i, k in enumerate(s.scalars(select(Contract).order_by(Contract.end_date))):
            # Owners' calls 3 months before, on every fourth contract, right two times in three.
            if i % 4 == 0 and k.end_date - dt.timedelta(days=90) <= today:
                truth = k.outcome != "churned"
                right = ("commit" if truth else "at_risk"), ("lost" if truth else "likely")
                made = dt.datetime.combine(k.end_date - dt.timedelta(days=88), dt.time(10),
                                           tzinfo=dt.UTC)  # fmt: skip
                s.add(RenewalCall(contract_id=k.id, customer_id=k.customer_id,
                                  checkpoint_months=3, call=right[0] if i % 3 else right[1],
                                  made_by=OWNERS[i % 3], made_at=made))  # fmt: skip
    with Session(ws.engine) as s:
        customer_ids = list(s.scalars(select(Customer.id)))
    for months_back in range(12, -1, -1):
        day = today - dt.timedelta(days=30 * months_back)
        with Session(ws.engine) as s, s.begin():
            run = ScoringRun(as_of=day, horizon_days=90, status="finished")
            s.add(run)
            s.flush()
            run_id = run.id
            # A run has its snapshots (the customers table reads the latest run's).
            s.execute(insert(ScoreSnapshot), [
                {"customer_id": c, "as_of": day, "horizon_days": 90, "scoring_run_id": run_id,
                 "segment": "Loyal", "churn_risk": 0.3, "health_score": 60.0}
                for c in customer_ids
            ])  # fmt: skip
        test = store_forecasts(ws.engine, run_id)
        if months_back == 0 and test is not None:
            print(test.verdict)
    report = renewals_report(ws.engine, as_of=today)
    for check in (*report.model_checks, *report.owner_checks):
        print(f"{check.who:<12} {check.checkpoint_months} months: {check.count} renewals, "
              f"hit rate {check.hit_rate or 0:.0%}, Brier {check.brier or 0:.3f}")  # fmt: skip
    ws.close()


def empty_workspace(folder: Path) -> Path:
    """A new workspace with one customer and no contracts."""
    from sqlalchemy.orm import Session

    from app.workspace import open_workspace, to_url
    from models.schema import Customer

    path = folder / "empty.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    with Session(ws.engine) as s, s.begin():
        s.add(Customer(source="bench", external_id="1", name="First customer"))
    ws.close()
    return path


def shoot(app: Any, mode: Any, workspace: Path, out: Path, name: str) -> None:
    from PySide6.QtCore import QSettings

    from app.gui.application import make_controller
    from app.workspace import to_url
    from views.results.renewals import RenewalsSection

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
        settle(lambda: results.state in ("data", "empty"), seconds=30.0)
        section = next(s for s in results.sections if isinstance(s, RenewalsSection))
        tabs = results.tabs
        tabs.setCurrentIndex(
            next(i for i in range(tabs.count()) if tabs.tabText(i) == section.TITLE)
        )
        section.reload(None, None)
        settle(lambda: section.report is not None)
        path = out / f"{name}-1366x768-{mode.value}.png"
        window.grab().save(str(path))
        print(path)
        gui.shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "window")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    from views.kit.theme import ThemeMode

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "renewals.radar.sqlite"
        build(book, dt.date.today())
        empty = empty_workspace(Path(tmp))
        for mode in (ThemeMode.LIGHT, ThemeMode.DARK):
            shoot(app, mode, book, args.out, "results-renewals")
            shoot(app, mode, empty, args.out, "results-renewals-empty")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
