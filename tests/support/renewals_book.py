"""Hand-made books for the renewal tests.

The small book (fill_renewals_book), read as of 2026-01-15, every figure counted by hand in
the tests' comments. Owners: A B C D Maya; E F G H Leo. Amounts a period, in USD:

  contract  term                      amount           outcome                     month
  A         2025-02-01 .. 2026-02-01  $1,000 a month   open (run: 90 %, call commit) Feb 2026
  B         2025-02-15 .. 2026-02-15  $6,000 a year    open (run: 40 %)             Feb 2026
  E         2025-03-10 .. 2026-03-10  $3,000 a quarter open (run: 80 %, at risk)    Mar 2026
  F         2025-03-20 .. 2026-03-20  $2,400 a year    open (no forecast stored)    Mar 2026
  C         2024-12-01 .. 2025-12-01  $5,000 a year    renewed at $6,000            Dec 2025
  D         2024-12-15 .. 2025-12-15  $500 a month     churned                      Dec 2025
  G         2024-11-01 .. 2025-11-01  $10,000 a year   renewed at $8,000            Nov 2025
  H         2024-10-20 .. 2025-10-20  $1,200 a year    churned                      Oct 2025

Scoring runs with stored forecasts: 2025-04-01 (H 60 %, G 70 %, C 80 %, D 50 %),
2025-07-15 (H 30 %, G 90 %, C 85 %, D 40 %) and 2026-01-10 (A 90 %, B 40 %, E 80 %;
segments A B Champions, E At Risk). The owners' calls (checkpoint months, made on):
Maya C likely (6, 2025-06-02), D commit (6, 2025-06-20), D likely then at risk (3,
2025-09-10 then 09-16), A commit (3, 2026-01-05), B likely (3, 2026-01-20: after the day
read); Leo G lost (6, 2025-05-02), H at risk (3, 2025-07-21), H commit (6, 2025-11-01: after
its date, so it does not count), E at risk (3, 2026-01-06).

The history book (fill_history) is generated: many customers with one past contract each,
their weekly product usage before it, and whether it renewed, either following the usage
(``signal``) or a coin's toss.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from models.schema import Customer, ScoreSnapshot, ScoringRun, UsageDay
from models.schema.renewals import Contract, RenewalCall, RenewalForecast

AS_OF = dt.date(2026, 1, 15)
# letter -> (start, end, cents a period, period, outcome, renewed cents)
CONTRACTS: dict[str, tuple[str, str, int, str, str, int | None]] = {
    "A": ("2025-02-01", "2026-02-01", 100_000, "month", "open", None),
    "B": ("2025-02-15", "2026-02-15", 600_000, "year", "open", None),
    "E": ("2025-03-10", "2026-03-10", 300_000, "quarter", "open", None),
    "F": ("2025-03-20", "2026-03-20", 240_000, "year", "open", None),
    "C": ("2024-12-01", "2025-12-01", 500_000, "year", "renewed", 600_000),
    "D": ("2024-12-15", "2025-12-15", 50_000, "month", "churned", None),
    "G": ("2024-11-01", "2025-11-01", 1_000_000, "year", "renewed", 800_000),
    "H": ("2024-10-20", "2025-10-20", 120_000, "year", "churned", None),
}
RUNS: dict[str, dict[str, float]] = {
    "2025-04-01": {"H": 0.6, "G": 0.7, "C": 0.8, "D": 0.5},
    "2025-07-15": {"H": 0.3, "G": 0.9, "C": 0.85, "D": 0.4},
    "2026-01-10": {"A": 0.9, "B": 0.4, "E": 0.8},
}
SEGMENTS = {"A": "Champions", "B": "Champions", "E": "At Risk"}
# (letter, checkpoint months, call, made by, made on)
CALLS = (
    ("C", 6, "likely", "Maya", "2025-06-02"),
    ("D", 6, "commit", "Maya", "2025-06-20"),
    ("D", 3, "likely", "Maya", "2025-09-10"),
    ("D", 3, "at_risk", "Maya", "2025-09-16"),
    ("A", 3, "commit", "Maya", "2026-01-05"),
    ("B", 3, "likely", "Maya", "2026-01-20"),
    ("G", 6, "lost", "Leo", "2025-05-02"),
    ("H", 3, "at_risk", "Leo", "2025-07-21"),
    ("H", 6, "commit", "Leo", "2025-11-01"),
    ("E", 3, "at_risk", "Leo", "2026-01-06"),
)


def fill_renewals_book(
    engine: Engine, today: dt.date = AS_OF
) -> tuple[dict[str, int], dict[str, int]]:
    """Write the small book, every date moved by ``today`` - AS_OF (the window reads as of
    the real today); returns the customers' and the contracts' ids by letter."""
    shift = today - AS_OF

    def _day(text: str) -> dt.date:
        return dt.date.fromisoformat(text) + shift

    def _at(text: str) -> dt.datetime:
        return dt.datetime.combine(_day(text), dt.time(12), tzinfo=dt.UTC)

    with Session(engine) as s, s.begin():
        customers, contracts = {}, {}
        for letter, (start, end, cents, period, outcome, renewed) in CONTRACTS.items():
            owner = "Maya" if letter in "ABCD" else "Leo"
            c = Customer(source="t", external_id=letter, name=f"Customer {letter}", owner=owner)
            s.add(c)
            s.flush()
            k = Contract(customer_id=c.id, source="t", external_id=f"k{letter}",
                         start_date=_day(start), end_date=_day(end), amount_cents=cents,
                         currency="USD", period=period, outcome=outcome,
                         renewed_amount_cents=renewed, auto_renew=letter in "AC",
                         notice_days=30)  # fmt: skip
            s.add(k)
            s.flush()
            customers[letter], contracts[letter] = int(c.id), int(k.id)
        for day, chances in RUNS.items():
            run = ScoringRun(as_of=_day(day), horizon_days=90, status="finished",
                             customers=len(customers))  # fmt: skip
            s.add(run)
            s.flush()
            s.execute(insert(RenewalForecast), [
                {"run_id": run.id, "contract_id": contracts[x], "customer_id": customers[x],
                 "as_of": _day(day), "likelihood": p, "model": "fitted", "drivers": ["usage up"]}
                for x, p in chances.items()
            ])  # fmt: skip
            if day == "2026-01-10":  # the latest run: segments
                s.execute(insert(ScoreSnapshot), [
                    {"customer_id": customers[x], "as_of": _day(day), "horizon_days": 90,
                     "scoring_run_id": run.id, "segment": seg, "churn_risk": 0.2}
                    for x, seg in SEGMENTS.items()
                ])  # fmt: skip
        s.execute(insert(RenewalCall), [
            {"contract_id": contracts[x], "customer_id": customers[x], "checkpoint_months": m,
             "call": call, "made_by": who, "made_at": _at(day)}
            for x, m, call, who, day in CALLS
        ])  # fmt: skip
    return customers, contracts


def fill_history(
    engine: Engine,
    count: int = 120,
    *,
    signal: bool = True,
    seed: int = 0,
    today: dt.date = AS_OF,
) -> None:
    """Write ``count`` customers, each with one yearly contract that ended in the three
    years before ``today`` and weekly usage over the year before its end; a tenth more (at
    least one) end in the weeks after ``today`` (open). With ``signal``, a customer whose
    usage fell in the last quarter churned far more often; without, the outcome is a
    coin's toss with the same rate (70 %)."""
    rng = np.random.default_rng(seed)
    first_end = today - dt.timedelta(days=1051)
    with Session(engine) as s, s.begin():
        usage = []
        for i in range(count + max(1, count // 10)):
            upcoming = i >= count
            end = (today + dt.timedelta(days=17 + int(i - count) * 7) if upcoming
                   else first_end + dt.timedelta(days=int(i * 1000 / count)))  # fmt: skip
            falling = bool(rng.random() < 0.35)
            if signal:
                renewed = bool(rng.random() < (0.25 if falling else 0.92))
            else:
                renewed = bool(rng.random() < 0.7)
            c = Customer(source="h", external_id=f"h{i}", name=f"History {i}",
                         owner="Maya" if i % 2 else "Leo")  # fmt: skip
            s.add(c)
            s.flush()
            outcome = "open" if upcoming else ("renewed" if renewed else "churned")
            s.add(Contract(customer_id=c.id, source="h", external_id=f"hk{i}",
                           start_date=end - dt.timedelta(days=365), end_date=end,
                           amount_cents=int(rng.integers(50, 500)) * 1000, currency="USD",
                           outcome=outcome, auto_renew=bool(i % 3 == 0), notice_days=30,
                           renewed_amount_cents=None))  # fmt: skip
            base = float(rng.uniform(20, 60))
            for week in range(52):
                day = end - dt.timedelta(days=365 - 7 * week)
                late = day > end - dt.timedelta(days=90 + 90)
                level = base * (0.35 if falling and late else 1.0) * float(rng.uniform(0.8, 1.2))
                usage.append({"customer_id": c.id, "source": "h", "day": day,
                              "events": int(level)})  # fmt: skip
        s.execute(insert(UsageDay), usage)
