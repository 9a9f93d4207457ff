"""A small hand-made book for the freshness tests: four sources with their imports and
records written out, judged at NOW (Mar 1, 2026, noon UTC), so that every state can be
worked out by hand (the tests hold the sums in their comments).

  Shopify orders        imports at 09:00 every 7 days, Jan 6 .. Feb 10 (six); one order a day
                        Jan 1 .. Feb 10, each with the import after it. Cadence 7 days: late
                        after 10.5; last import 19.1 days ago -> late. Records: gap 1 day,
                        usual max(1, 7) = 7, stale after 21; newest Feb 10, 19 days -> not.
  Zendesk tickets       imports at 08:00 every day, Feb 20 .. Mar 1 (ten); tickets every
                        other day Jan 1 .. Feb 5, all with the first. Cadence 1 day: late
                        after 2; last import 0.2 days ago -> not late. Records: gap 2, usual
                        max(2, 1) = 2, stale after max(6, 7) = 7; newest Feb 5, 24 days -> stale.
  Stripe subscriptions  imports on Feb 1 and Mar 1 at 06:00: cadence 28, late after 42;
                        started Jan 10, Jan 20, Feb 5, Feb 25: gaps 10, 16, 20 -> 16; usual
                        28, stale after 84; newest 4 days -> current.
  Customers (own file)  one import, Feb 27 at 10:00, signups Feb 20, 22, 26: cadence not
                        known; gaps 2, 4 -> 3, stale after max(9, 7) = 9; newest 3 days ->
                        current.
  HubSpot contacts      one import, undone: no source.

``fill_freshness_book(engine, now=...)`` moves every date by the days from NOW to ``now``
(the command line judges at the present), so that the states stay the same.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from models.schema import Customer, ImportRun, Interaction, Order, Subscription

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
SHOPIFY_IMPORTS = tuple(dt.date(2026, 1, 6) + dt.timedelta(days=7 * i) for i in range(6))
ZENDESK_IMPORTS = tuple(dt.date(2026, 2, 20) + dt.timedelta(days=i) for i in range(10))
STRIPE_STARTS = ("2026-01-10", "2026-01-20", "2026-02-05", "2026-02-25")
SIGNUPS = ("2026-02-20", "2026-02-22", "2026-02-26")


def _run(
    s: Session, key: str, day: dt.date, hour: int, rows: int, shift: dt.timedelta,
    status: str = "landed",
) -> int:  # fmt: skip
    when = dt.datetime.combine(day + shift, dt.time(hour), tzinfo=dt.UTC)
    run = ImportRun(source_path=f"/in/{key}-{day}.csv", file_name=f"{key}-{day}.csv",
                    detected_format=key, kind="orders", status=status, started_at=when,
                    finished_at=when + dt.timedelta(minutes=1), rows_read=rows)  # fmt: skip
    s.add(run)
    s.flush()
    return int(run.id)


def fill_freshness_book(engine: Engine, *, now: dt.datetime = NOW) -> dict[str, Any]:
    """Write the book, its dates moved to be judged at ``now``; returns the import runs'
    ids by source."""
    shift = dt.timedelta(days=(now.date() - NOW.date()).days)
    with Session(engine) as s, s.begin():
        customer = Customer(source="t", external_id="A", name="Customer A")
        s.add(customer)
        s.flush()
        cid = int(customer.id)
        runs: dict[str, Any] = {}
        shopify = [_run(s, "shopify_orders", day, 9, 7, shift) for day in SHOPIFY_IMPORTS]
        runs["shopify_orders"] = shopify
        orders = []
        day = dt.date(2026, 1, 1)
        while day <= SHOPIFY_IMPORTS[-1]:
            # The first import on or after the order's day brought it.
            i = next(i for i, d in enumerate(SHOPIFY_IMPORTS) if d >= day)
            orders.append({"customer_id": cid, "source": "shopify", "external_id": f"o{day}",
                           "order_date": dt.datetime.combine(day + shift, dt.time(15)),
                           "amount_cents": 1000, "import_run_id": shopify[i]})  # fmt: skip
            day += dt.timedelta(days=1)
        s.execute(insert(Order), orders)
        zendesk = [_run(s, "zendesk_tickets", day, 8, 40, shift) for day in ZENDESK_IMPORTS]
        runs["zendesk_tickets"] = zendesk
        s.execute(insert(Interaction), [
            {"customer_id": cid, "kind": "ticket", "source": "zendesk", "external_id": f"t{i}",
             "occurred_at": dt.datetime(2026, 1, 1, 10) + dt.timedelta(days=2 * i) + shift,
             "import_run_id": zendesk[0]}
            for i in range(18)  # Jan 1, 3, ..., Feb 4: and Feb 5 below
        ])  # fmt: skip
        s.execute(insert(Interaction), [
            {"customer_id": cid, "kind": "ticket", "source": "zendesk", "external_id": "t-last",
             "occurred_at": dt.datetime(2026, 2, 5, 23) + shift, "import_run_id": zendesk[0]}
        ])  # fmt: skip
        stripe = [_run(s, "stripe_subscriptions", dt.date(2026, m, 1), 6, 4, shift) for m in (2, 3)]
        runs["stripe_subscriptions"] = stripe
        s.execute(insert(Subscription), [
            {"customer_id": cid, "source": "stripe", "external_id": f"s{i}", "status": "active",
             "started_at": dt.datetime.fromisoformat(start + "T12:00") + shift,
             "import_run_id": stripe[0] if start < "2026-02-01" else stripe[1]}
            for i, start in enumerate(STRIPE_STARTS)
        ])  # fmt: skip
        generic = _run(s, "generic_customers", dt.date(2026, 2, 27), 10, 3, shift)
        runs["generic_customers"] = [generic]
        s.add_all(
            Customer(source="crm", external_id=f"c{i}", name=f"Signed up {day}",
                     signup_date=dt.date.fromisoformat(day) + shift, import_run_id=generic)
            for i, day in enumerate(SIGNUPS)
        )  # fmt: skip
        runs["hubspot_contacts"] = [
            _run(s, "hubspot_contacts", dt.date(2026, 2, 1), 9, 5, shift, status="undone")
        ]
    return runs


def fill_buyers(engine: Engine) -> None:
    """Thirty customers with two to four paid orders over the past year, from no import:
    enough for a scoring, and no source of their own."""
    today = dt.datetime.now(dt.UTC).date()
    with Session(engine) as s, s.begin():
        for n in range(30):
            c = Customer(source="manual", external_id=f"b{n}", name=f"Buyer {n}")
            s.add(c)
            s.flush()
            s.execute(insert(Order), [
                {"customer_id": c.id, "source": "manual", "external_id": f"b{n}-{k}",
                 "order_date": dt.datetime.combine(
                     today - dt.timedelta(days=20 + 37 * k + 5 * n), dt.time(12)),
                 "amount_cents": 2_000 + 100 * n}
                for k in range(2 + n % 3)
            ])  # fmt: skip
