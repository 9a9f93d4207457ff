"""The usage-drop alert against the demo's truth: precision, recall and lead time.

    .venv/bin/python bench/usage_drop_truth.py [--workspace PATH] [--customers 2000]
        [--weeks 26] [--set PARAM=VALUE ...]

Builds the demo the first time (``main.py demo``, scored), cached at --workspace, then runs
the usage-drop rule as of every Tuesday of the last --weeks weeks with the workspace's
settings (``--set max_chance_percent=0.5`` tries another value) over every customer, and
compares the customers it alerts with the demo's story (services/demo/usage.py, the
truth's ``usage`` part (services/demo/truth.py)):

- a true alert: a customer whose use truly decays (lapse, fading or recover), alerted
  from its decay's start up to 10 weeks after it;
- precision: true alerted customers / alerted customers (first alert each);
- recall: decaying customers alerted in time / decaying customers whose decay started in
  the replayed weeks (and, apart, of those with a usual use the rule watches);
- lead time: days from the first alert to the customer's last order (lapse only).

The rule alone: the daily cap and the cool-down (which decide what a user sees) are the
alert replay's business (``report alerts``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.db import make_engine  # noqa: E402
from services.alerts.config import RuleConfig, read_alert_config  # noqa: E402
from services.alerts.usage_drop import read_usage_drop, usage_drop  # noqa: E402

AFTER_START_DAYS = 70


def ensure_workspace(path: Path, customers: int) -> None:
    if path.exists():
        with sqlite3.connect(path) as con:
            if con.execute("SELECT COUNT(*) FROM customers").fetchone()[0] == customers:
                print(f"workspace: {path} (reused)")
                return
        path.unlink()
    print(f"building the demo at {path} ({customers:,} customers)...", flush=True)
    main = str(ROOT / "main.py")
    subprocess.run([sys.executable, main, "--db", str(path), "demo", "--customers",
                    str(customers)], check=True, capture_output=True)  # fmt: skip


def _truth(path: Path) -> tuple[pd.DataFrame, dt.date]:
    with sqlite3.connect(path) as con:
        marker = json.loads(
            con.execute("SELECT value FROM settings WHERE key = 'workspace.demo'").fetchone()[0]
        )
        usage = con.execute("SELECT body FROM demo_truths WHERE name = 'usage'").fetchone()[0]
        ids = dict(con.execute("SELECT external_id, id FROM customers").fetchall())
    story = json.loads(usage)
    rows = [
        (ids[ext], kind, dt.date.fromisoformat(day), story["lapse_last_order"].get(ext))
        for kind in ("lapse", "fading", "recover")
        for ext, day in story[kind].items()
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "kind", "start", "last_order"])
    return frame.set_index("customer_id"), dt.date.fromisoformat(marker["today"])


def replay(path: Path, weeks: int, overrides: dict[str, float]) -> dict[str, object]:
    truth, today = _truth(path)
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        base = read_alert_config(session).rule("usage_drop")
    rule = RuleConfig(base.key, base.title, True, base.severity, {**base.params, **overrides})
    tuesday = today - dt.timedelta(days=(today.weekday() - 1) % 7)
    days = [tuesday - dt.timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]
    first_alert: dict[int, dt.date] = {}
    alerts = 0
    watched: set[int] = set()
    with Session(engine) as reading:
        ids = np.array(
            [
                r[0]
                for r in reading.connection().exec_driver_sql(
                    "SELECT id FROM customers ORDER BY id"
                )
            ],
            dtype=np.int64,
        )
        for day in days:
            frame = read_usage_drop(reading, ids, day, rule)
            if frame is None:
                continue
            mask, _ = usage_drop(frame, rule)
            alerts += int(mask.sum())
            eligible = (frame["usage_usual"] >= float(rule["min_baseline_level"])) & (
                frame["usage_used_weeks"] >= int(rule["min_baseline_weeks"])
            )
            watched.update(ids[eligible.to_numpy()].tolist())
            for c in ids[mask].tolist():
                first_alert.setdefault(c, day)
    return _figures(truth, first_alert, watched, days, alerts, rule)


def _figures(
    truth: pd.DataFrame,
    first_alert: dict[int, dt.date],
    watched: set[int],
    days: list[dt.date],
    alerts: int,
    rule: RuleConfig,
) -> dict[str, object]:
    window = dt.timedelta(days=AFTER_START_DAYS)

    def timely(c: int) -> bool:
        return c in truth.index and truth.at[c, "start"] <= first_alert[c] <= (
            truth.at[c, "start"] + window
        )

    true_alerts = [c for c in first_alert if timely(c)]
    # Decays the replay could see: started at least two weeks before its last day.
    due = truth[(truth["start"] >= days[0] - dt.timedelta(days=14))
                & (truth["start"] <= days[-1] - dt.timedelta(days=14))]  # fmt: skip
    found = [c for c in due.index if c in first_alert and timely(c)]
    due_watched = [c for c in due.index if c in watched]
    leads = [
        (dt.date.fromisoformat(truth.at[c, "last_order"]) - first_alert[c]).days
        for c in found
        if truth.at[c, "kind"] == "lapse"
    ]
    return {
        "weeks": len(days),
        "from": days[0].isoformat(),
        "to": days[-1].isoformat(),
        "parameters": dict(rule.params),
        "alerts (customer-weeks)": alerts,
        "alerted customers": len(first_alert),
        "true alerted": len(true_alerts),
        "precision": round(len(true_alerts) / max(len(first_alert), 1), 3),
        "decays in the weeks": len(due),
        "found": len(found),
        "recall": round(len(found) / max(len(due), 1), 3),
        "decays the rule watches": len(due_watched),
        "recall of watched": round(
            len([c for c in found if c in watched]) / max(len(due_watched), 1), 3
        ),
        "by kind (found/due)": {
            kind: f"{int(due.loc[found]['kind'].eq(kind).sum())}/{int(due['kind'].eq(kind).sum())}"
            for kind in ("lapse", "fading", "recover")
        },
        "lead days to last order (lapse)": {
            "n": len(leads),
            "median": float(np.median(leads)) if leads else None,
            "quartiles": [float(q) for q in np.percentile(leads, [25, 75])] if leads else None,
            "share >= 30 days": round(float(np.mean(np.array(leads) >= 30)), 3) if leads else None,
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, default=Path("/tmp/usage_drop_demo.db"))
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--set", action="append", default=[], metavar="PARAM=VALUE")
    args = parser.parse_args()
    ensure_workspace(args.workspace, args.customers)
    overrides = {k: float(v) for k, v in (item.split("=", 1) for item in args.set)}
    print(json.dumps(replay(args.workspace, args.weeks, overrides), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
