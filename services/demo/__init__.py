"""Seeded, deterministic demo data: "Northwind Apparel", a B2C clothing retailer.

``build_demo`` fills a migrated workspace with about three years of customers,
orders, emails, tickets, reviews, deals and memberships. The same (customers,
seed, today) always gives the same rows, so screenshots, tests and backtests
are reproducible.

The data carries real signal on purpose, because scoring and alerts are judged
on it: every customer follows a lifecycle archetype (VIP, loyal, seasonal,
occasional, new, one-time, lapsing, churned). Lapsing and churned customers
show longer gaps between orders, bad-satisfaction tickets soon after their last
order, lower ratings, fading email opens and more unsubscribes; VIP and loyal
customers open and click more. The archetype is kept in
``customers.attributes["demo_archetype"]`` so a data scientist can check a
model against the ground truth.

Generation is vectorised with numpy (a few loops over archetypes or rounds,
never over orders), then written with SQLAlchemy Core ``executemany`` inserts
in chunks, all in one transaction, so the same code runs on SQLite and
PostgreSQL.

It also simulates six months of the product in use, with a known true effect for Learn
to recover: past risk alerts with a 10% holdout, an email to each contacted customer,
and re-engagement at 12% without contact and 20% with it (``outreach``; the truth is in
the demo's ``outreach`` truth, services/demo/truth.py).

The package: ``vocabulary`` (the demo's world), ``generate`` (the rows, vectorised),
``outreach`` (the past alerts and emails), ``tables`` (writing them) and ``build``
(``build_demo``, the entry point).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from services.demo.vocabulary import (
    BRAND,
    DATA_TABLES,
    DEMO_SETTING,
    OWNERS,
    REFUSAL,
    SOURCE,
)

if TYPE_CHECKING:
    from services.demo.build import DemoCancelled, DemoSummary, build_demo, is_demo_workspace

__all__ = [
    "BRAND",
    "DATA_TABLES",
    "DEMO_SETTING",
    "OWNERS",
    "REFUSAL",
    "SOURCE",
    "DemoCancelled",
    "DemoSummary",
    "build_demo",
    "is_demo_workspace",
]

_FROM_BUILD = frozenset({"DemoCancelled", "DemoSummary", "build_demo", "is_demo_workspace"})


def __getattr__(name: str) -> Any:
    # The builder (and the alerts, pandas and scipy it imports, 0.6 s) only when asked
    # for: the vocabulary alone (the demo marker's setting, read by the checklist and
    # the digest at start-up) must not bring it in.
    if name in _FROM_BUILD:
        from services.demo import build

        return getattr(build, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
