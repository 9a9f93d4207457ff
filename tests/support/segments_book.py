"""A small hand-made book of scoring runs for the segments over time tests: customers,
three finished runs (the third under other settings) and one replaced run, each snapshot
written by hand so that every figure can be counted directly."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from models.schema import Customer, ScoreSnapshot, ScoringRun

# customer -> (segment, churn risk, predicted revenue cents, value cents) per run;
# None: not scored by that run.
BOOK: dict[str, tuple[tuple[str, float, int, int] | None, ...]] = {
    "a": (
        ("Champions", 0.10, 5000, 20000),
        ("Champions", 0.12, 4800, 19000),
        ("Loyal", 0.20, 4000, 15000),
    ),
    "b": (
        ("Champions", 0.15, 6000, 25000),
        ("Loyal", 0.25, 3000, 12000),
        ("At Risk", 0.55, 1500, 6000),
    ),
    "c": (("Loyal", 0.30, 2000, 8000), ("At Risk", 0.60, 1000, 4000), ("At Risk", 0.65, 900, 3500)),
    "d": (("At Risk", 0.70, 800, 3000), ("Lost", 0.90, 100, 400), None),
    "e": (None, ("New", 0.40, 1200, 5000), ("Promising", 0.35, 1300, 5200)),
    "f": (("Lost", 0.95, 0, 100), ("Lost", 0.97, 0, 50), ("Lost", 0.98, 0, 20)),
    "g": (None, None, ("New", 0.45, 700, 2800)),
}
DATES = (dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1))
VERSIONS = (3, 3, 4)  # the settings changed before the third run
CLV_MONTHS = (12, 12, 24)


def fill_segments_book(engine: Engine) -> dict[str, Any]:
    """Write the book; returns the customers' ids by name and the runs' ids, oldest first."""
    with Session(engine) as s, s.begin():
        ids = {}
        for name in BOOK:
            c = Customer(source="t", external_id=name, name=f"Customer {name}", owner="Maya")
            s.add(c)
            s.flush()
            ids[name] = int(c.id)
        runs = []
        # A replaced run of the first day: not counted.
        replaced = ScoringRun(as_of=DATES[0], horizon_days=91, status="replaced",
                              params={"currency": "USD"}, customers=1)  # fmt: skip
        s.add(replaced)
        for i, day in enumerate(DATES):
            scored = [n for n, per in BOOK.items() if per[i] is not None]
            run = ScoringRun(
                as_of=day, horizon_days=90, status="finished", customers=len(scored),
                config_version=VERSIONS[i],
                params={"currency": "USD", "clv_months": CLV_MONTHS[i]},
            )  # fmt: skip
            s.add(run)
            s.flush()
            runs.append(int(run.id))
            rows = []
            for n in scored:
                segment, risk, revenue, value = BOOK[n][i]  # type: ignore[misc]
                rows.append({
                    "customer_id": ids[n], "as_of": day, "horizon_days": 90,
                    "scoring_run_id": run.id, "segment": segment, "churn_risk": risk,
                    "predicted_revenue_cents": revenue, "clv_12m_cents": value,
                })  # fmt: skip
            s.execute(insert(ScoreSnapshot), rows)
    return {"customers": ids, "runs": runs}
