"""Render the customer pane's People tab and a timeline of imported conversations
offscreen in the window at 1366x768, text at 100 % and 150 %, light and dark, into --out
(docs/window by default): customers-people-1366x768-{text}-{theme}.png and
customers-conversations-1366x768-{text}-{theme}.png. The workspace is the hand-made
business book of tests/data/contacts (Contoso Freight and its four people) with the Gong
call and the mailbox of tests/data/conversations matched to Northwind; a later Contact.csv
without Lena Fischer marks her as left, and Maria Delgado, the champion, was last met 80
days ago (gone dark). Then a relationship alert's card on the scored 2,000-customer demo
(a champion gone, else another relationship alert), at 100 %:
alerts-relationship-1366x768-{theme}.png.

    .venv/bin/python bench/people_screenshots.py [--out docs/window] [--text 100,150]
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
TEXT = {"100": 1.0, "150": 1.5, "200": 2.0}
MORE = "customer_id,name,email,company\nN1,Marco Ruiz,marco.ruiz@northwind.example,Northwind\n"
CONTOSO = "contoso-freight.example.com"
# Orders and tickets of Contoso's people: each person's own activity on the People tab.
ORDERS = (
    "order_id,email,order_date,amount\n"
    f"A-1,tom.okafor@{CONTOSO},2026-10-01,1200.00\n"
    f"A-2,lena.fischer@{CONTOSO},2026-10-05,80.00\n"
    f"A-3,tom.okafor@{CONTOSO},2026-10-20,300.00\n"
)
TICKETS = (
    "Id,Requester,Requester email,Subject,Status,Created at\n"
    f"101,Lena Fischer,lena.fischer@{CONTOSO},Tracking page blank,open,2026-10-09 10:00:00\n"
    f"102,Lena Fischer,lena.fischer@{CONTOSO},Invoice copy,solved,2026-10-12 09:00:00\n"
)


def build(path: Path) -> dict[str, int]:
    """The book: its accounts and people, then the conversations; the two customers shown."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from app.workspace import open_workspace, to_url
    from services.importing.service import run_import
    from services.settings import set_setting

    data = ROOT / "tests" / "data"
    ws = open_workspace(to_url(str(path)), backup=False)
    for name in ("Account.csv", "Contact.csv", "AccountContactRole.csv"):
        run_import(ws.engine, [data / "contacts" / name])
    # A later export without Lena Fischer: she is marked as left by the import.
    lines = (data / "contacts" / "Contact.csv").read_text(encoding="utf-8").splitlines(True)
    later = path.with_name("Contact.csv")
    later.write_text("".join(ln for ln in lines if "C0003" not in ln), encoding="utf-8")
    run_import(ws.engine, [later])
    with ws.engine.begin() as conn:  # Maria, the champion, last met 80 days ago
        maria = conn.execute(text("SELECT id FROM contacts WHERE name = 'Maria Delgado'")).scalar()
        conn.execute(
            text(
                "INSERT INTO interactions (customer_id, contact_id, kind, occurred_at, source, "
                "subject) SELECT customer_id, id, 'meeting', :at, 'manual', 'Quarterly review' "
                "FROM contacts WHERE id = :c"
            ),
            {"at": dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=80),
             "c": maria},
        )  # fmt: skip
    for file_name, content in (
        ("more.csv", MORE),
        ("orders.csv", ORDERS),
        ("tickets.csv", TICKETS),
    ):
        extra = path.with_name(file_name)
        extra.write_text(content, encoding="utf-8")
        run_import(ws.engine, [extra])
    with Session(ws.engine) as session, session.begin():
        set_setting(session, "outreach.team_domains", ["ourco.example"])
    for name in ("gong.json", "thread.mbox"):
        run_import(ws.engine, [data / "conversations" / name])
    with ws.engine.connect() as conn:
        ids = {
            "contoso": conn.execute(
                text("SELECT id FROM customers WHERE company = 'Contoso Freight'")
            ).scalar_one(),
            "northwind": conn.execute(
                text("SELECT id FROM customers WHERE external_id = 'N1'")
            ).scalar_one(),
        }
    ws.close()
    return {k: int(v) for k, v in ids.items()}


def shoot(app: Any, mode: Any, scale: str, workspace: Path, ids: dict[str, int], out: Path) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QFont

    from app.gui.application import make_controller
    from app.workspace import to_url
    from views.shell.main_window import TAB_CUSTOMERS
    from views.workspace.checklist_card import ChecklistCard

    before = QFont(app.font())
    font = QFont(before)
    font.setPointSizeF(before.pointSizeF() * TEXT[scale])
    app.setFont(font)
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "ui.ini"), QSettings.Format.IniFormat)
        settings.setValue("ui/theme", mode.value)
        gui = make_controller(app, settings, show_dialogs=False)
        window, jobs = gui.window, gui.jobs

        def settle(condition: Callable[[], bool], seconds: float = 60.0) -> None:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                app.processEvents()
                if condition() and jobs.is_idle():
                    break
                time.sleep(0.01)
            for _ in range(20):
                app.processEvents()

        window.resize(*SIZE)
        window.show()
        gui.open_url(to_url(str(workspace)), startup=True)
        settle(lambda: window.customers_pane.model.rowCount() > 0)
        for card in window.findChildren(ChecklistCard):
            card.hide()
        window.tabs.setCurrentIndex(TAB_CUSTOMERS)
        pane = window.detail_pane
        for key, tab, name in (
            ("contoso", pane.people_tab, "people"),
            ("northwind", pane.timeline_view, "conversations"),
        ):
            window.customers_pane.select_customer(ids[key])
            settle(lambda k=key: pane.detail is not None and pane.detail.id == ids[k])
            pane.tabs.setCurrentWidget(tab)
            if tab is pane.people_tab:  # Lena: her orders and tickets above the list
                names = [p.name for p in pane.people_tab.people]
                pane.people_tab.table.selectRow(names.index("Lena Fischer"))
            settle(lambda: True)
            path = out / f"customers-{name}-1366x768-{scale}-{mode.value}.png"
            window.grab().save(str(path))
            print(path)
        gui.shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()
    app.setFont(before)


def build_demo_alerts(path: Path) -> int:
    """The scored demo; the relationship alert to show (a champion gone first)."""
    from sqlalchemy import text

    from app.workspace import open_workspace, to_url
    from services.alerts.generate import generate_alerts
    from services.demo import build_demo
    from services.scoring.run import score_workspace

    ws = open_workspace(to_url(str(path)), backup=False)
    build_demo(ws.engine, customers=2000)
    score_workspace(ws.engine)
    generate_alerts(ws.engine)
    with ws.engine.connect() as conn:
        chosen = conn.execute(
            text(
                "SELECT id FROM alerts WHERE status = 'open' AND rule_key IN ('champion_left', "
                "'key_contact_dark', 'single_threaded', 'new_decision_maker') ORDER BY "
                "CASE rule_key WHEN 'champion_left' THEN 0 ELSE 1 END, priority_cents DESC"
            )
        ).scalar()
    ws.close()
    if chosen is None:
        raise SystemExit("No relationship alert is open on the demo.")
    return int(chosen)


def shoot_alert(app: Any, mode: Any, workspace: Path, alert_id: int, out: Path) -> None:
    from PySide6.QtCore import QSettings

    from app.gui.application import make_controller
    from app.workspace import to_url
    from views.shell.main_window import TAB_ALERTS
    from views.workspace.checklist_card import ChecklistCard

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
            for _ in range(20):
                app.processEvents()

        window.resize(*SIZE)
        window.show()
        gui.open_url(to_url(str(workspace)), startup=True)
        view = window.alerts_view
        settle(lambda: gui.workspace is not None and view.alerts_pane.model.rowCount() > 0)
        for card in window.findChildren(ChecklistCard):
            card.hide()
        window.tabs.setCurrentIndex(TAB_ALERTS)
        view.alerts_pane.show_alert(alert_id)
        settle(lambda: True)
        path = out / f"alerts-relationship-1366x768-{mode.value}.png"
        window.grab().save(str(path))
        print(path)
        gui.shutdown()
        window.close()
        window.deleteLater()
        app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "window")
    parser.add_argument("--text", default="100,150", help="text sizes, in percent")
    parser.add_argument("--themes", default="light,dark")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    from views.kit.theme import ThemeMode

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "people.radar.sqlite"
        ids = build(workspace)
        for theme in args.themes.split(","):
            for scale in args.text.split(","):
                shoot(app, ThemeMode(theme), scale, workspace, ids, args.out)
        demo = Path(tmp) / "demo.radar.sqlite"
        alert_id = build_demo_alerts(demo)
        for theme in args.themes.split(","):
            shoot_alert(app, ThemeMode(theme), demo, alert_id, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
