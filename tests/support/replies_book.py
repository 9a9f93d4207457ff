"""A small hand-made book of the app's emails and the answers that came back, for the
replies tests: six customers, eight outreach rows and seven .eml files written in a
folder, imported through the real conversation import, so that every figure of the first
half of 2025 can be counted by hand (the tests hold those counts in their comments).

  email who  template      tone    playbook  sent (UTC)          subject
  O1    A    Welcome back  warm    Win back  2025-02-03 10:00    We miss you, Ana
  O2    B    Welcome back  warm    -         2025-02-10 09:00    A thank-you from Fern
  O3    C    Check-in      formal  -         2025-03-01 12:00    Checking in
  O4    D    Check-in      formal  -         2025-03-05 12:00    Your renewal
  O5    E    (by hand)     -       -         2025-04-01 08:00    Hello from Fern  (exported)
  O6    A    held out (no email)             2025-03-10
  O7    A    a draft, never sent             2025-03-11
  O8    B    Check-in      formal  -         2024-12-20 09:00    Before the period

  file    from  when (UTC)        what
  r1.eml  A     2025-02-03 16:00  answers O1 (In-Reply-To), titled "Quick question": 6 hours
  r2.eml  B     2025-02-12 09:00  no thread, "AW:  a THANK-you from   Fern": 48 hours
  r3.eml  C     2025-03-01 12:05  answers O3, Auto-Submitted, "Automatic reply: Checking
                                  in": automatic, not a reply
  r4.eml  S     2025-03-02 09:00  "Re: Checking in" from a stranger (customer S): no reply
  r5.eml  D     2025-04-05 13:00  "Re: Your renewal", 31 days after O4: too late
  r6.eml  E     2025-04-01 20:00  "RE: Re: Hello from Fern": 12 hours
  r8.eml  B     2025-01-02 09:00  answers O8, an email sent before the period

So in the period: 5 emails sent (O1-O5), 3 replied (O1 O2 O5), 1 automatic only (O3);
times 6, 48 and 12 hours: median 12 hours.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.schema import Alert, Customer, Outreach, PlaybookRun
from services.mail.message import build_email
from services.settings import set_setting

SINCE, UNTIL = dt.date(2025, 1, 1), dt.date(2025, 6, 30)
SENDER = "fern@ourco.example"
CUSTOMERS = {
    "A": ("Ana Alves", "ana@alpha.example"),
    "B": ("Ben Brandt", "ben@beta.example"),
    "C": ("Cy Chen", "cy@gamma.example"),
    "D": ("Dee Dorsey", "dee@delta.example"),
    "E": ("Eve Ekström", "eve@epsilon.example"),
    "S": ("Sam Sigma", "sam@sigma.example"),
}
# id -> (customer, template, tone, sent, subject, status, holdout)
OUTREACH: dict[str, tuple[str, str | None, str | None, str, str, str, bool]] = {
    "O1": ("A", "Welcome back", "warm", "2025-02-03 10:00", "We miss you, Ana", "sent", False),
    "O2": ("B", "Welcome back", "warm", "2025-02-10 09:00", "A thank-you from Fern", "sent", False),
    "O3": ("C", "Check-in", "formal", "2025-03-01 12:00", "Checking in", "sent", False),
    "O4": ("D", "Check-in", "formal", "2025-03-05 12:00", "Your renewal", "sent", False),
    "O5": ("E", None, None, "2025-04-01 08:00", "Hello from Fern", "exported", False),
    "O6": ("A", None, None, "2025-03-10 10:00", "Held out", "sent", True),
    "O7": ("A", "Check-in", "formal", "2025-03-11 10:00", "A draft", "draft", False),
    "O8": ("B", "Check-in", "formal", "2024-12-20 09:00", "Before the period", "sent", False),
}
# file -> (from, when, subject, answers (an outreach id: its Message-ID), text, headers)
REPLIES: dict[str, tuple[str, str, str, str | None, str, dict[str, str]]] = {
    "r1": ("A", "2025-02-03 16:00", "Quick question", "O1", "Thanks, can we talk?", {}),
    "r2": ("B", "2025-02-12 09:00", "AW:  a THANK-you from   Fern", None, "Danke!", {}),
    "r3": ("C", "2025-03-01 12:05", "Automatic reply: Checking in", "O3",
           "I am away until Monday.", {"Auto-Submitted": "auto-replied"}),
    "r4": ("S", "2025-03-02 09:00", "Re: Checking in", None, "Who is this?", {}),
    "r5": ("D", "2025-04-05 13:00", "Re: Your renewal", None, "Sorry for the delay.", {}),
    "r6": ("E", "2025-04-01 20:00", "RE: Re: Hello from Fern", None, "Hello back!", {}),
    "r8": ("B", "2025-01-02 09:00", "Re: Before the period", "O8", "Happy new year", {}),
}  # fmt: skip
BODY = "Hello {name},\n\nIt has been a while. Anything we can do?\n\nFern"


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _body(who: str) -> str:
    return BODY.format(name=CUSTOMERS[who][0].split()[0])


def fill_replies_book(engine: Engine, folder: Path) -> dict[str, Any]:
    """Write the book's customers and outreach, and its answers as .eml files in
    ``folder`` (to import); returns the customers' and emails' ids by letter and name."""
    ids: dict[str, int] = {}
    message_ids: dict[str, str] = {}
    with Session(engine) as s, s.begin():
        set_setting(s, "outreach.team_domains", ["ourco.example"])
        set_setting(s, "workspace.time_zone", "UTC")
        for letter, (name, address) in CUSTOMERS.items():
            c = Customer(source="t", external_id=letter, name=name, email=address,
                         email_normalized=address)  # fmt: skip
            s.add(c)
            s.flush()
            ids[letter] = int(c.id)
        alert = Alert(customer_id=ids["A"], rule_key="quiet", severity="high", reason="Quiet")
        s.add(alert)
        s.flush()
        s.add(PlaybookRun(customer_id=ids["A"], alert_id=alert.id, playbook="win_back",
                          name="Win back", started_at=_at("2025-02-01 09:00")))  # fmt: skip
        for key, (who, template, tone, sent, subject, status, holdout) in OUTREACH.items():
            recipient = CUSTOMERS[who][1]
            row = Outreach(customer_id=ids[who], alert_id=alert.id if key == "O1" else None,
                           status=status, holdout=holdout, recipient=recipient,
                           subject=subject, body=_body(who), template=template, tone=tone,
                           sent_at=_at(sent) if status != "draft" else None,
                           created_at=_at(sent))  # fmt: skip
            s.add(row)
            s.flush()
            ids[key] = int(row.id)
            # The email as the app builds it: its Message-ID is what a reply names.
            built = build_email(subject, _body(who), recipient, SENDER)
            message_ids[key] = str(built["Message-ID"])
    folder.mkdir(parents=True, exist_ok=True)
    for file, (who, when, subject, answers, text, headers) in REPLIES.items():
        message = EmailMessage()
        message["From"] = f"{CUSTOMERS[who][0]} <{CUSTOMERS[who][1]}>"
        message["To"] = SENDER
        message["Subject"] = subject
        message["Date"] = email.utils.format_datetime(_at(when).replace(tzinfo=dt.UTC))
        message["Message-ID"] = f"<{file}@{CUSTOMERS[who][1].split('@')[1]}>"
        if answers is not None:
            message["In-Reply-To"] = message_ids[answers]
            message["References"] = message_ids[answers]
        for name, value in headers.items():
            message[name] = value
        message.set_content(text + "\n")
        (folder / f"{file}.eml").write_bytes(bytes(message))
    return ids
