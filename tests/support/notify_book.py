"""A small hand-made book for the Slack and Teams tests, and a webhook on loopback.

"Now" is Friday 2026-11-27 15:00 UTC; the workspace's zone is UTC, its home currency EUR.

  A  Jane Doe of Acme Ltd (jane@acme.test, +1 555 010 0123), owner Maya: a critical alert
     raised an hour ago, €12,400 at stake; its reason names her in full, her address
     and her phone                                       -> posted as a new critical alert
  B  Bob Stone: a warning raised Monday 23 Nov 09:00, nobody acted; due by the end of
     Thursday 26 Nov (3 working days), so past it since midnight -> posted once as late
  C  Carla Ruiz: a critical alert raised Sunday 22 Nov, due by the end of Monday: late
     since Tuesday, three days ago, and raised five days ago: old news -> never posted
  D  Dan Frey: a critical alert raised an hour ago, already resolved -> never posted
"""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.schema import Alert, Customer
from services.settings import set_setting

NOW = dt.datetime(2026, 11, 27, 15, 0, tzinfo=dt.UTC)
A_REASON = (
    "Jane Doe at Acme Ltd has not ordered in 94 days; call her on +1 555 010 0123 or write "
    "to jane@acme.test"
)


def fill_notify_book(engine: Engine, now: dt.datetime = NOW) -> dict[str, int]:
    """Write the book (module doc); the alerts' ids by letter. ``now`` moves A and D (raised
    an hour before it) for the command-line tests, which run on the real clock."""
    rows = {
        "A": ("Jane Doe", "Acme Ltd", "jane@acme.test", "+1 555 010 0123", "critical",
              "open", now - dt.timedelta(hours=1), A_REASON, 1_240_000),
        "B": ("Bob Stone", None, "bob@stone.test", None, "warning", "open",
              dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC), "Orders slowed down", 310_000),
        "C": ("Carla Ruiz", None, "carla@ruiz.test", None, "critical", "open",
              dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC), "Gone quiet", 500_000),
        "D": ("Dan Frey", None, "dan@frey.test", None, "critical", "resolved",
              now - dt.timedelta(hours=1), "Lapse coming", 90_000),
    }  # fmt: skip
    ids: dict[str, int] = {}
    with Session(engine) as session, session.begin():
        set_setting(session, "workspace.time_zone", "UTC")
        set_setting(session, "workspace.home_currency", "EUR")
        for letter, (name, company, email, phone, severity, status, raised, reason,
                     cents) in rows.items():  # fmt: skip
            customer = Customer(
                name=name, company=company, email=email, phone=phone, owner="Maya",
                created_at=raised - dt.timedelta(days=400),
            )  # fmt: skip
            session.add(customer)
            session.flush()
            alert = Alert(
                customer_id=customer.id, rule_key="high_risk_high_value", severity=severity,
                status=status, reason=reason, priority_cents=cents, created_at=raised,
                updated_at=raised,
            )  # fmt: skip
            session.add(alert)
            session.flush()
            ids[letter] = int(alert.id)
    return ids


@dataclass
class Webhook:
    """A webhook on loopback: what it received, and how it answers the next posts."""

    url: str = ""
    bodies: list[bytes] = field(default_factory=list)
    status: int = 200
    stall: threading.Event | None = None  # set: the server waits for it before answering


@contextmanager
def webhook_server() -> Iterator[Webhook]:
    """A real HTTP server on 127.0.0.1 taking POSTs as a webhook does."""
    hook = Webhook()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            size = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(size)
            if hook.stall is not None:
                hook.stall.wait(5)
                return
            if hook.status == 200:
                hook.bodies.append(body)
            self.send_response(hook.status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if hook.status == 200 else b"no")

        def log_message(self, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/T000/B000/secret"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        if hook.stall is not None:
            hook.stall.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
