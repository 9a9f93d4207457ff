"""A synthetic Learn workspace: customers, a scoring, alerts with a 10% holdout drawn per
risk band, outreach for most of the rest, and orders with a known true effect.

Used by bench/bench_learn_report.py (100,000 customers, 20,000 emails) and by
bench/screenshots.py when the demo workspace has no outreach of its own. Written with
sqlite3 in bulk on a migrated workspace file. The truth: a held-out customer orders
within 30 days of the alert with probability ``base_rate`` (12%), a contacted one within
30 days of the email with ``contacted_rate`` (20%), so the true lift is 8 points.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import numpy as np

OWNERS = ("Maya Thompson", "Lee Park", "Sam Rivera", "Ada Novak", "Omar Haddad")
SEGMENTS = ("Champions", "Loyal", "Potential", "At risk", "Hibernating", "Lost")
RISK_RULES = ("high_risk_high_value", "risk_rising", "gone_quiet", "engagement_drop")
TEMPLATES = ("win_back_warm", "win_back_offer", None)  # None: an LLM draft
GOALS = ("win_back", "check_in")
TONES = ("warm", "friendly", "professional")
BODIES = (
    "Hi {name},\n\nIt has been a while. We have new arrivals we think you will like.\n",
    "Hi {name},\n\nWe miss you! Here is 10% off your next order with code BACK10.\n",
    "Hi {name},\n\nA $15 credit is waiting in your account for your next visit.\n",
)
_FMT = "%Y-%m-%d %H:%M:%S.%f"


def _stamp(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime(_FMT)


def seed_learn_workspace(
    path: Path,
    *,
    customers: int,
    emails: int,
    now: dt.datetime,
    seed: int = 16,
    base_rate: float = 0.12,
    contacted_rate: float = 0.20,
    days: int = 240,
    fresh: bool = True,
    holdout_share: float = 0.10,
) -> None:
    """Fill the migrated workspace at ``path`` (its customers, when ``fresh`` is False,
    are kept and alerted instead of new ones)."""
    rng = np.random.default_rng(seed)
    t_now = now.timestamp()
    con = sqlite3.connect(path)
    try:
        with con:
            if fresh:
                _customers(con, customers, rng, t_now)
            ids = np.array([r[0] for r in con.execute("SELECT id FROM customers ORDER BY id")])
            snapshots = _scores(con, ids, rng, now) if fresh else _latest_snapshots(con)
            if not fresh:  # the workspace's scored customers only (no guests)
                ids = np.array(sorted(snapshots))
            _experiment(
                con,
                ids,
                snapshots,
                emails,
                rng,
                t_now,
                days,
                (base_rate, contacted_rate),
                holdout_share,
            )
    finally:
        con.close()


def _customers(con: sqlite3.Connection, n: int, rng: np.random.Generator, t_now: float) -> None:
    created = _stamp(t_now - 900 * 86_400)
    con.executemany(
        "INSERT INTO customers (id, external_id, source, email, name, owner, do_not_contact, "
        "created_at, updated_at) VALUES (?, ?, 'bench', ?, ?, ?, 0, ?, ?)",
        (
            (i, f"B{i:06d}", f"c{i}@example.com", f"Customer {i}", OWNERS[i % 5], created, created)
            for i in range(1, n + 1)
        ),
    )
    # Three orders each over the two years before the experiment.
    count = n * 3
    who = np.repeat(np.arange(1, n + 1), 3)
    when = t_now - rng.uniform(300, 730, count) * 86_400
    cents = np.round(rng.lognormal(np.log(6000), 0.5, count)).astype(np.int64)
    con.executemany(
        "INSERT INTO orders (customer_id, external_id, source, order_date, amount_cents, "
        "currency, status) VALUES (?, ?, 'bench', ?, ?, 'USD', 'paid')",
        (
            (int(c), f"H{k}", _stamp(float(t)), int(a))
            for k, (c, t, a) in enumerate(zip(who, when, cents, strict=True))
        ),
    )


def _scores(
    con: sqlite3.Connection, ids: np.ndarray, rng: np.random.Generator, now: dt.datetime
) -> dict[int, int]:
    as_of = now.date().isoformat()
    stamp = now.strftime(_FMT)
    cur = con.execute(
        "INSERT INTO scoring_runs (as_of, horizon_days, status, started_at, finished_at, "
        "customers, config_version) VALUES (?, 90, 'finished', ?, ?, ?, 0)",
        (as_of, stamp, stamp, len(ids)),
    )
    run = cur.lastrowid
    churn = rng.beta(2, 3, len(ids))
    engagement = np.clip(rng.normal(55, 20, len(ids)), 0, 100)
    segment = rng.choice(SEGMENTS, len(ids), p=(0.12, 0.2, 0.2, 0.2, 0.18, 0.1))
    con.executemany(
        "INSERT INTO score_snapshots (customer_id, as_of, horizon_days, engagement_score, "
        "churn_risk, clv_12m_cents, revenue_at_risk_cents, segment, health_score, confidence, "
        "created_at, scoring_run_id) VALUES (?, ?, 90, ?, ?, 20000, ?, ?, 50, 'high', ?, ?)",
        (
            (int(c), as_of, float(e), float(r), int(r * 20000), str(s), stamp, run)
            for c, e, r, s in zip(ids, engagement, churn, segment, strict=True)
        ),
    )
    return {
        int(c): int(s)
        for c, s in con.execute(
            "SELECT customer_id, id FROM score_snapshots WHERE scoring_run_id = ?", (run,)
        )
    }


def _latest_snapshots(con: sqlite3.Connection) -> dict[int, int]:
    """customer id -> snapshot id of the latest finished scoring."""
    run = con.execute(
        "SELECT id FROM scoring_runs WHERE status = 'finished' ORDER BY as_of DESC, id DESC"
    ).fetchone()
    if run is None:
        raise ValueError("the workspace has no scoring to alert from")
    return dict(
        con.execute(
            "SELECT customer_id, id FROM score_snapshots WHERE scoring_run_id = ?", (run[0],)
        ).fetchall()
    )


def _band(risk: float) -> str:
    return "low" if risk < 0.3 else "medium" if risk < 0.6 else "high"


def _experiment(
    con: sqlite3.Connection,
    ids: np.ndarray,
    snapshots: dict[int, int],
    emails: int,
    rng: np.random.Generator,
    t_now: float,
    days: int,
    rates: tuple[float, float],
    holdout_share: float,
) -> None:
    """Alerts (``holdout_share`` held out), emails for 95% of the rest, and the orders
    that follow (``rates``: the held-out and the contacted chance of ordering)."""
    base_rate, contacted_rate = rates
    n_alerts = min(len(ids), int(round(emails / (1 - holdout_share) / 0.95)))
    alerted = rng.choice(ids, n_alerts, replace=False)
    risk = dict(con.execute("SELECT customer_id, churn_risk FROM score_snapshots").fetchall())
    created = t_now - rng.uniform(5, days, n_alerts) * 86_400
    holdout = rng.random(n_alerts) < holdout_share
    reached = ~holdout & (rng.random(n_alerts) < 0.95)
    rules = rng.choice(RISK_RULES, n_alerts)
    base = int(con.execute("SELECT COALESCE(MAX(id), 0) FROM alerts").fetchone()[0])
    alert_rows = []
    for k, cid in enumerate(alerted.tolist()):
        alert_rows.append(
            (
                base + k + 1,
                cid,
                str(rules[k]),
                "warning",
                "resolved",  # past alerts: no clash with a workspace's active ones
                "synthetic",
                0,
                OWNERS[cid % 5],
                snapshots.get(cid),
                0,
                _stamp(float(created[k])),
                _stamp(float(created[k])),
                int(holdout[k]),
                _band(float(risk.get(cid) or 0.0)),
            )
        )
    con.executemany(
        "INSERT INTO alerts (id, customer_id, rule_key, severity, status, reason, "
        "priority_cents, owner, score_snapshot_id, snooze_until_clear, created_at, updated_at, "
        "holdout, holdout_band) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        alert_rows,
    )
    sent = created + rng.uniform(0.1, 3, n_alerts) * 86_400
    sent = np.minimum(sent, t_now - 3600)
    outreach_rows = []
    # Found when each email is recorded (services/alerts/contact.py), as the app does.
    from services.outreach.checks import offers_made

    offers = [
        json.dumps(offers_made("We miss you", text.format(name="Customer 1"))) for text in BODIES
    ]
    for k in np.flatnonzero(reached).tolist():
        cid = int(alerted[k])
        template = TEMPLATES[k % 3]
        body = BODIES[k % 3].format(name=f"Customer {cid}")
        outreach_rows.append(
            (
                cid,
                base + k + 1,
                "email",
                "sent",
                f"c{cid}@example.com",
                "We miss you",
                body,
                None if template else "openai",
                None if template else "gpt-4o-mini",
                template,
                0,
                _stamp(float(sent[k])),
                _stamp(float(sent[k])),
                GOALS[k % 2],
                TONES[k % 3],
                int(k % 4 == 0),
                int(k % 5 == 0),
                offers[k % 3],
            )
        )
    con.executemany(
        "INSERT INTO outreach (customer_id, alert_id, channel, status, recipient, subject, "
        "body, provider, model, template, holdout, created_at, sent_at, goal, tone, variant, "
        "edited, offers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        outreach_rows,
    )
    # Orders: re-engagement within 30 days at the group's rate; others may come back later.
    start = np.where(reached, sent, created)
    rate = np.where(reached, contacted_rate, base_rate)
    back = rng.random(n_alerts) < rate
    late = ~back & (rng.random(n_alerts) < 0.35)
    when = np.where(
        back,
        start + rng.uniform(0, 30, n_alerts) * 86_400,
        start + rng.uniform(31, 200, n_alerts) * 86_400,
    )
    keep = (back | late) & (when < t_now)
    cents = np.round(rng.lognormal(np.log(7000), 0.6, n_alerts)).astype(np.int64)
    con.executemany(
        "INSERT INTO orders (customer_id, external_id, source, order_date, amount_cents, "
        "currency, status) VALUES (?, ?, 'bench', ?, ?, 'USD', 'paid')",
        (
            (int(alerted[k]), f"R{k}", _stamp(float(when[k])), int(cents[k]))
            for k in np.flatnonzero(keep).tolist()
        ),
    )
    con.execute(
        "INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES (?, ?, ?)",
        ("workspace.home_currency", json.dumps("USD"), _stamp(t_now)),
    )
