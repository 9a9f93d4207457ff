"""A small hand-made book of help desk tickets for the support tests: six customers and
fifteen tickets written out, so that every figure of the first half of 2025 can be
counted by hand (the tests hold those counts in their comments).

Times are local, on a help desk clock at UTC-5 (stored in UTC with an offset of -300, as
the Zendesk import stores them). A B C's tickets carry Zendesk's columns ("Priority",
"Ticket type", "Assignee", "Solved at" with its offset); D E's another help desk's
("priority", "Type", "Agent", "Resolved time" with no offset: the ticket's own clock);
F's first records only Zendesk's "Full resolution time in minutes".

  id  who opened (local)      status   channel priority type      agent  solved          rated
  T1  A  2025-01-10 09:00     Solved   email   High     Refund    Sam    01-10 15:00 6h  good
  T2  A  2025-01-14 10:00     Closed   chat    Normal   Refund    Sam    01-15 10:00 24h bad
  T3  A  2025-03-01 08:00     Open     email   Low      Question  Tess   -               -
  T4  B  2025-02-01 12:00     Solved   phone   Urgent   Question  Tess   02-03 12:00 48h good
  T5  B  2025-02-12 12:00     Solved   web     Normal   Question  Tess   02-13 00:00 12h offered
  T6  C  2025-04-30 23:30     Solved   email   High     Refund    Sam    05-02 23:30 48h good
  T7  C  2025-05-05 09:00     Pending  chat    Normal   Refund    -      -               -
  T8  D  2024-12-28 10:00     Solved   email   Normal   Question  Lee    01-02 (before the period)
  T9  D  2025-01-05 10:00     Solved   email   Normal   Question  Lee    01-05 14:00 4h  good
  T10 D  2025-06-30 20:00     Solved   web     High     Incident  Lee    07-01 02:00 6h  bad
  T11 D  2025-07-03 09:00     Solved   email   Normal   Incident  Lee    (after the period)
  T12 E  2025-03-15 11:00     Solved   -       -        Question  -      not recorded    -
  T13 E  2025-03-16 11:00     Open     email   Normal   Question  Tess   -               -
  T14 F  2025-05-20 10:00     Solved   chat    Normal   Incident  Sam    90 minutes      good
  T15 F  2025-08-01 10:00     Solved   email   Normal   Incident  Sam    (after the period)
T6 opens at 23:30 on Apr 30 local (04:30 on May 1 in UTC): an April ticket. F also left
a review, which is no ticket. Owners: A B C Maya; D E F Leo.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from models.schema import Customer, Interaction

OFFSET = -300  # minutes: UTC-5
SINCE, UNTIL = dt.date(2025, 1, 1), dt.date(2025, 6, 30)
# id -> (customer, opened, status, channel, priority, type, agent, solved, satisfaction)
TICKETS: dict[str, tuple[str, str, str, str | None, str, str, str, str, str | None]] = {
    "T1": ("A", "2025-01-10 09:00", "Solved", "email", "High", "Refund", "Sam Okafor",
           "2025-01-10 15:00", "good"),
    "T2": ("A", "2025-01-14 10:00", "Closed", "chat", "Normal", "Refund", "Sam Okafor",
           "2025-01-15 10:00", "bad"),
    "T3": ("A", "2025-03-01 08:00", "Open", "email", "Low", "Question", "Tess Lindqvist", "",
           None),
    "T4": ("B", "2025-02-01 12:00", "Solved", "phone", "Urgent", "Question", "Tess Lindqvist",
           "2025-02-03 12:00", "good"),
    "T5": ("B", "2025-02-12 12:00", "Solved", "web", "Normal", "Question", "Tess Lindqvist",
           "2025-02-13 00:00", "offered"),
    "T6": ("C", "2025-04-30 23:30", "Solved", "email", "High", "Refund", "Sam Okafor",
           "2025-05-02 23:30", "good"),
    "T7": ("C", "2025-05-05 09:00", "Pending", "chat", "Normal", "Refund", "", "", None),
    "T8": ("D", "2024-12-28 10:00", "Solved", "email", "Normal", "Question", "Lee Marchetti",
           "2025-01-02 10:00", None),
    "T9": ("D", "2025-01-05 10:00", "Solved", "email", "Normal", "Question", "Lee Marchetti",
           "2025-01-05 14:00", "good"),
    "T10": ("D", "2025-06-30 20:00", "Solved", "web", "High", "Incident", "Lee Marchetti",
            "2025-07-01 02:00", "bad"),
    "T11": ("D", "2025-07-03 09:00", "Solved", "email", "Normal", "Incident", "Lee Marchetti",
            "2025-07-03 10:00", None),
    "T12": ("E", "2025-03-15 11:00", "Solved", None, "", "Question", "", "", None),
    "T13": ("E", "2025-03-16 11:00", "Open", "email", "Normal", "Question", "Tess Lindqvist", "",
            None),
    "T14": ("F", "2025-05-20 10:00", "Solved", "chat", "Normal", "Incident", "Sam Okafor", "",
            "good"),
    "T15": ("F", "2025-08-01 10:00", "Solved", "email", "Normal", "Incident", "Sam Okafor",
            "2025-08-01 12:00", None),
}  # fmt: skip
OWNERS = {"A": "Maya", "B": "Maya", "C": "Maya", "D": "Leo", "E": "Leo", "F": "Leo"}


def _utc(local: str) -> dt.datetime:
    return dt.datetime.fromisoformat(local) - dt.timedelta(minutes=OFFSET)


def _attributes(who: str, priority: str, kind: str, agent: str, solved: str) -> dict[str, Any]:
    if who in "DE":  # another help desk's column names; its times on the ticket's clock
        found = {"priority": priority, "Type": kind, "Agent": agent}
        return {k: v for k, v in found.items() if v} | (
            {"Resolved time": f"{solved}:00"} if solved else {}
        )
    found = {"Priority": priority, "Ticket type": kind, "Assignee": agent}
    out: dict[str, Any] = {k: v for k, v in found.items() if v}
    if solved:
        out["Solved at"] = f"{solved}:00 -0500"
    if who == "F" and not solved:
        out["Full resolution time in minutes"] = "90"
    return out


def fill_support_book(engine: Engine) -> dict[str, int]:
    """Write the book; returns the customers' and the tickets' ids by name."""
    with Session(engine) as s, s.begin():
        ids: dict[str, int] = {}
        for letter, owner in OWNERS.items():
            c = Customer(source="t", external_id=letter, name=f"Customer {letter}", owner=owner)
            s.add(c)
            s.flush()
            ids[letter] = int(c.id)
        for tid, ticket in TICKETS.items():
            who, opened, status, channel, priority, kind, agent, solved, rated = ticket
            row = Interaction(
                customer_id=ids[who], kind="ticket", occurred_at=_utc(opened),
                utc_offset_minutes=OFFSET, channel=channel, subject=f"Ticket {tid}",
                status=status, satisfaction=rated, external_id=tid, source="zendesk",
                attributes=_attributes(who, priority, kind, agent, solved),
            )  # fmt: skip
            s.add(row)
            s.flush()
            ids[tid] = int(row.id)
        s.execute(insert(Interaction), [{
            "customer_id": ids["F"], "kind": "review", "occurred_at": _utc("2025-05-21 10:00"),
            "utc_offset_minutes": OFFSET, "rating": 2, "source": "t", "external_id": "R1",
        }])  # fmt: skip
    return ids
