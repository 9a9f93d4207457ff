"""The effectiveness report's 95% interval covers the true lift in about 95% of runs,
through the whole path: rows in a real workspace file, read by services/learn/data.py,
attributed, and reported per owner (each owner is one simulated run: their own contacted
and held-out customers, each re-engaging by a coin of the true rate).

tests/unit/learn/test_learn_stats.py checks the same coverage on the statistics alone, with
many more runs; this one shows the database path changes nothing of it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from app.workspace import open_workspace, to_url
from services.learn.effectiveness import effectiveness_report
from tests.unit.alerts.test_alerts_rules import make_empty_workspace

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
RUNS = 120  # owners
PER_GROUP = 150  # contacted and held-out customers per owner
_FMT = "%Y-%m-%d %H:%M:%S.%f"


def _stamp(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime(_FMT)


def _fill(path: Path, seed: int, rate_contacted: float, rate_held: float) -> None:
    rng = np.random.default_rng(seed)
    now = NOW.timestamp()
    n = RUNS * 2 * PER_GROUP
    ids = np.arange(1, n + 1)
    owner = (ids - 1) // (2 * PER_GROUP)
    held = ((ids - 1) // PER_GROUP) % 2 == 1
    created = now - rng.uniform(40, 200, n) * 86_400  # every window closed by NOW
    sent = created + rng.uniform(0.1, 3.0, n) * 86_400
    start = np.where(held, created, sent)
    back = rng.random(n) < np.where(held, rate_held, rate_contacted)
    when = np.where(back, start + rng.uniform(0, 29.5, n) * 86_400, start + 45 * 86_400)
    later = back | (rng.random(n) < 0.3)  # some order only after the window: not counted
    con = sqlite3.connect(path)
    try:
        with con:
            con.executemany(
                "INSERT INTO customers (id, external_id, source, email, name, owner, "
                "do_not_contact, created_at, updated_at) VALUES (?, ?, 'sim', ?, ?, ?, 0, ?, ?)",
                (
                    (int(i), f"S{i}", f"c{i}@example.com", f"Customer {i}", f"Owner {o:03d}",
                     _stamp(now - 900 * 86_400), _stamp(now - 900 * 86_400))
                    for i, o in zip(ids, owner, strict=True)
                ),
            )  # fmt: skip
            con.executemany(
                "INSERT INTO alerts (id, customer_id, rule_key, severity, status, reason, "
                "priority_cents, owner, snooze_until_clear, created_at, updated_at, holdout, "
                "holdout_band) VALUES (?, ?, 'gone_quiet', 'warning', 'resolved', 'sim', 0, ?, "
                "0, ?, ?, ?, 'high')",
                (
                    (int(i), int(i), f"Owner {o:03d}", _stamp(c), _stamp(c), int(h))
                    for i, o, c, h in zip(ids, owner, created, held, strict=True)
                ),
            )
            con.executemany(
                "INSERT INTO outreach (customer_id, alert_id, channel, status, recipient, "
                "subject, body, template, holdout, created_at, sent_at) "
                "VALUES (?, ?, 'email', 'sent', ?, 'Hello', 'We miss you.', 'win_back', 0, ?, ?)",
                (
                    (int(i), int(i), f"c{i}@example.com", _stamp(s), _stamp(s))
                    for i, s, h in zip(ids, sent, held, strict=True)
                    if not h
                ),
            )
            con.executemany(
                "INSERT INTO orders (customer_id, external_id, source, order_date, "
                "amount_cents, currency, status) VALUES (?, ?, 'sim', ?, 5000, 'USD', 'paid')",
                (
                    (int(i), f"O{i}", _stamp(t))
                    for i, t, k in zip(ids, when, later, strict=True)
                    if k
                ),
            )
    finally:
        con.close()


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_empty_workspace(tmp_path_factory)


@pytest.mark.parametrize(
    ("seed", "contacted", "held", "truth"),
    [(41, 0.20, 0.12, 0.08), (42, 0.12, 0.12, 0.0)],
    ids=["lift of 8 points", "no effect (A/A)"],
)
def test_the_reports_interval_covers_the_true_lift_per_owner(
    empty: Path, tmp_path: Path, seed: int, contacted: float, held: float, truth: float
) -> None:
    import shutil

    path = tmp_path / "sim.radar.sqlite"
    shutil.copyfile(empty, path)
    _fill(path, seed, contacted, held)
    workspace = open_workspace(to_url(str(path)))
    try:
        report = effectiveness_report(workspace.engine, by="owner", now=NOW, resamples=50)
    finally:
        workspace.close()
    parts = report.breakdown
    assert len(parts) == RUNS
    # Every exposure was counted in its own group, none set aside.
    assert all(p.lift.contacted.customers.count == PER_GROUP for p in parts)
    assert all(p.lift.holdout.customers.count == PER_GROUP for p in parts)
    lows = np.array([p.lift.low for p in parts], dtype=float)
    highs = np.array([p.lift.high for p in parts], dtype=float)
    lifts = np.array([p.lift.lift for p in parts], dtype=float)
    coverage = float(np.mean((lows <= truth) & (highs >= truth)))
    assert 0.90 <= coverage <= 0.99, coverage
    assert abs(float(lifts.mean()) - truth) < 0.01
    # Overall, the pooled groups measure the truth closely.
    overall = report.overall.lift
    assert overall.low is not None
    assert overall.high is not None
    assert overall.low <= truth <= overall.high
