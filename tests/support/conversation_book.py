"""A small hand-made book for opening conversations: three customers and one call with
Northwind whose truth is known (a cancellation said plainly, a competitor named, a budget
cut, two promises: one with a day, one without), kept through the real import.

The call is a plain-text transcript dated by its file name (Monday 1 March 2027), matched
by name to the customer Marco Ruiz; Dana Whitfield is ours (no account has her name).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

CUSTOMERS = (
    "customer_id,name,email,company,phone\n"
    "N1,Marco Ruiz,marco.ruiz@northwind.example,Northwind,+1 555 010 7788\n"
    "I1,Grace Hopper,grace@initech.example,Initech,\n"
    "G1,Hiroshi Tanaka,h.tanaka@globex.example,Globex,\n"
)
CALL_FILE = "2027-03-01 Northwind call.txt"
CALL = """\
Dana Whitfield: Thanks for making time today, Marco.
Marco Ruiz: Honestly, we are going to cancel our subscription at the end of the quarter.
Marco Ruiz: Acme Analytics offered us a lower price, mail marco.ruiz@northwind.example.
Dana Whitfield: I will send you a revised quote by Friday.
Marco Ruiz: Our budget was cut this year, call me on 555 010 7788 if needed.
Dana Whitfield: Let me check with finance about a discount for the renewal.
"""
CALL_DAY = dt.date(2027, 3, 1)
FRIDAY = dt.date(2027, 3, 5)
# The day the tests act on (before the promised Friday).
TODAY = dt.datetime(2027, 3, 2, 9, 0, tzinfo=dt.UTC)
COMPETITORS = ["Acme Analytics"]


def build_book(engine: Engine, folder: Path) -> int:
    """Import the customers and the call into ``engine``'s workspace; returns the call's
    interaction id."""
    from services.importing.service import run_import
    from services.settings import set_setting

    book = folder / "customers.csv"
    book.write_text(CUSTOMERS, encoding="utf-8")
    assert run_import(engine, [book]).landed
    with Session(engine) as session, session.begin():
        set_setting(session, "outreach.team_domains", ["ourco.example"])
        set_setting(session, "listen.competitors", COMPETITORS)
    call = folder / CALL_FILE
    call.write_text(CALL, encoding="utf-8")
    report = run_import(engine, [call])
    assert report.landed, report
    return call_id(engine)


def call_id(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT id FROM interactions WHERE source = 'conversations'")
            ).scalar_one()
        )
