"""Render Results ▸ Replies offscreen at 1366x768, light and dark, into --out (docs/window
by default): results-replies-1366x768-{theme}.png, a workspace of 130 emails sent over the
last months by three templates (one of them too small to compare), their customers'
answers written as .eml files (replies in their thread, replies by subject from mail
programs that rewrote the id, out-of-office answers) and imported through the real
import; and results-replies-emails-1366x768-{theme}.png, a row's emails opened.

    .venv/bin/python bench/replies_screenshots.py [--out docs/window]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SIZE = (1366, 768)
SENDER = "maya@ourco.example"
# template -> (emails, share replied, tone, playbook or None, subject)
TEMPLATES = {
    "Welcome back": (64, 0.48, "warm", "Win back", "We miss you, {first}"),
    "Renewal check-in": (58, 0.17, "formal", None, "Your renewal with Fern"),
    "Thank you": (8, 0.5, "friendly", None, "Thank you, {first}"),
}
FIRST = ("Ana", "Ben", "Cy", "Dee", "Eve", "Finn", "Gia", "Hal", "Ida", "Jon", "Kai", "Lea")


def build(folder: Path) -> Path:
    """The workspace and its imported answers."""
    from sqlalchemy.orm import Session

    from app.workspace import open_workspace, to_url
    from models.schema import Alert, Customer, Outreach, PlaybookRun
    from services.importing.service import run_import
    from services.mail.message import build_email
    from services.settings import set_setting

    rng = random.Random(7)
    path = folder / "replies.radar.sqlite"
    mail = folder / "mail"
    mail.mkdir()
    ws = open_workspace(to_url(str(path)), backup=False)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    n = 0
    with Session(ws.engine) as s, s.begin():
        set_setting(s, "outreach.team_domains", ["ourco.example"])
        for template, (count, share, tone, playbook, subject) in TEMPLATES.items():
            for _ in range(count):
                n += 1
                first = FIRST[n % len(FIRST)]
                address = f"{first.lower()}.{n}@client{n}.example"
                c = Customer(source="bench", external_id=str(n), name=f"{first} Client {n}",
                             email=address, email_normalized=address)  # fmt: skip
                s.add(c)
                s.flush()
                alert_id = None
                sent = now - dt.timedelta(days=rng.uniform(5, 300))
                if playbook:
                    alert = Alert(customer_id=c.id, rule_key="quiet", severity="high",
                                  reason="Quiet")  # fmt: skip
                    s.add(alert)
                    s.flush()
                    alert_id = alert.id
                    started = sent - dt.timedelta(days=1)
                    s.add(PlaybookRun(customer_id=c.id, alert_id=alert.id, playbook="win_back",
                                      name=playbook, started_at=started))  # fmt: skip
                title = subject.format(first=first)
                body = f"Hello {first},\n\nIt has been a while.\n\nMaya"
                s.add(Outreach(customer_id=c.id, alert_id=alert_id, status="sent",
                               recipient=address, subject=title, body=body, template=template,
                               tone=tone, sent_at=sent, created_at=sent))  # fmt: skip
                message_id = str(build_email(title, body, address, SENDER)["Message-ID"])
                roll = rng.random()
                if roll < share or roll > 0.93:
                    automatic = roll > 0.93
                    reply = EmailMessage()
                    reply["From"] = f"{first} <{address}>"
                    reply["To"] = SENDER
                    threaded = automatic or rng.random() < 0.7
                    reply["Subject"] = ("Automatic reply: " if automatic else "Re: ") + title
                    if threaded:
                        reply["In-Reply-To"] = message_id
                    if automatic:
                        reply["Auto-Submitted"] = "auto-replied"
                    at = sent + dt.timedelta(hours=0.05 if automatic else rng.expovariate(1 / 30))
                    reply["Date"] = format_datetime(at.replace(tzinfo=dt.UTC))
                    reply["Message-ID"] = f"<r{n}@client{n}.example>"
                    reply.set_content("I am out of the office." if automatic else "Thanks!")
                    (mail / f"r{n}.eml").write_bytes(bytes(reply))
    run_import(ws.engine, [mail])
    ws.close()
    return path


def shoot(app: Any, mode: Any, workspace: Path, out: Path, emails: bool) -> None:
    from PySide6.QtCore import QSettings

    from app.gui.application import make_controller
    from app.workspace import to_url
    from views.results.replies import RepliesSection

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
        section = next(s for s in results.sections if isinstance(s, RepliesSection))
        tabs = results.tabs
        tabs.setCurrentIndex(
            next(i for i in range(tabs.count()) if tabs.tabText(i) == section.TITLE)
        )
        section.reload(None, None)
        settle(lambda: section.report is not None)
        name = "results-replies"
        target: Any = window
        if emails:
            section.open_emails(section.model.record(2))
            settle(lambda: section.emails_dialog is not None)
            target = section.emails_dialog
            name += "-emails"
        path = out / f"{name}-1366x768-{mode.value}.png"
        target.grab().save(str(path))
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
        workspace = build(Path(tmp))
        for mode in (ThemeMode.LIGHT, ThemeMode.DARK):
            shoot(app, mode, workspace, args.out, emails=False)
            shoot(app, mode, workspace, args.out, emails=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
