"""Why the risk alerts lose to the recency rule, measured (the early-warning replay).

Replays the alert rules as configured (services.learn.alert_replay.run_replay) on a COPY of
a workspace, then compares, at the risk rules' weekly volume (distinct customers newly
alerted), with the same cool-down, active period and figures (replay_metrics.figures):

- the risk rules' early warnings as configured (the report's "All risk rules": alerts on
  customers not lapsed yet when raised), and the win-back alerts (already lapsed) apart;
- the recency rule (the report's baseline);
- the risk rules within a weekly budget per owner (``--budget``), and the recency rule at
  their volume;
- churn: the not-yet-lapsed customers (a paid order within H) with the highest churn risk;
- churn x value: the same, ranked by revenue at risk (churn x expected value);

and prints diagnostics: the share of each rule's alerts on customers already lapsed when
alerted (quiet for H days or more: they can never be a hit), and the ranking quality
(AUC) of churn risk and of recency for "lapses within H" among not-yet-lapsed customers.

    PYTHONPATH=. .venv/bin/python bench/alert_rules_vs_recency.py /tmp/copy.radar.sqlite --weeks 26
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Order
from services.alerts.config import read_alert_config
from services.learn.alert_replay import (
    _as_date,
    raised_frame,
    recency_frame,
    run_replay,
    within_budget,
)
from services.learn.replay_metrics import figures
from services.learn.replay_records import ReplayFigures
from services.learn.replay_state import ACTIVE_DAYS, Replay, early_only, win_back_only
from services.scoring.compute import read_config
from services.scoring.data import load_scoring_data

Ranker = Callable[[pd.DataFrame], pd.Series]
_EMPTY = np.zeros(0, np.int64)


def ranked_picks(replay: Replay, raised: pd.DataFrame, key: str, by: Ranker) -> pd.DataFrame:
    """Each week, as many not-yet-lapsed customers as ``raised`` alerted, highest ``by``."""
    active: dict[int, int] = {}
    rows = []
    for week, last, contacted in zip(replay.weeks, replay.last_days, replay.contacted, strict=True):
        count = int(raised.loc[raised["day"] == week.day, "customer_id"].nunique())
        c = week.inputs.customers
        ids = c["customer_id"].astype(np.int64).to_numpy()
        score = by(c).to_numpy(float)
        quiet = np.array([week.day - last.get(int(i), -(10**9)) for i in ids])
        ok = (quiet >= 0) & (quiet < replay.horizon)
        ok &= np.array([int(i) not in contacted for i in ids])
        ok &= np.array([week.day - active.get(int(i), -(10**9)) >= ACTIVE_DAYS for i in ids])
        frame = pd.DataFrame(
            {"c": ids[ok], "s": score[ok], "t": [replay.ties.get(int(i), 0) for i in ids[ok]]}
        ).sort_values(["s", "t"], ascending=[False, True], kind="stable")
        for cid in frame["c"].head(count).tolist():
            active[int(cid)] = week.day
            rows.append((week.day, int(cid), key, ""))
    return pd.DataFrame(rows, columns=["day", "customer_id", "rule_key", "owner"])


def auc(score: np.ndarray, label: np.ndarray) -> float:
    """Probability that a random positive outranks a random negative (ties half)."""
    pos, neg = label.sum(), (~label).sum()
    if not pos or not neg:
        return float("nan")
    ranks = pd.Series(score).rank(method="average").to_numpy()
    return float((ranks[label].sum() - pos * (pos + 1) / 2) / (pos * neg))


def ranking_quality(replay: Replay, orders: dict[int, np.ndarray]) -> dict[str, Any]:
    """AUC of churn risk and of recency (days since the last paid order) for "lapses in the
    next H days" (the replay's hit) and for "no paid order in the next H days" (the churn
    model's own label), over the judged weeks, among customers who bought within H."""
    churn, recency, labels, base, none = [], [], [], [], []
    h = replay.horizon
    for week, last in zip(replay.weeks, replay.last_days, strict=True):
        if week.day + h > replay.end_day:
            continue
        c = week.inputs.customers
        ids = c["customer_id"].astype(np.int64).to_numpy()
        quiet = np.array([week.day - last.get(int(i), -(10**9)) for i in ids])
        ok = (quiet >= 0) & (quiet < h)
        lab = np.array(
            [any(week.day < p <= week.day + h for p in replay.lapses.get(int(i), ())) for i in ids]
        )
        quiet_next = np.array(
            [
                not np.any((orders.get(int(i), _EMPTY) > week.day)
                           & (orders.get(int(i), _EMPTY) <= week.day + h))
                for i in ids
            ]
        )  # fmt: skip
        none.append(quiet_next[ok])
        churn.append(c["churn"].to_numpy(float)[ok])
        recency.append(quiet[ok].astype(float))
        labels.append(lab[ok])
        base.append(lab[ok].mean())
    if not labels:
        return {}
    label = np.concatenate(labels)
    no_order = np.concatenate(none)
    out: dict[str, Any] = {
        "auc churn (lapse label)": auc(np.concatenate(churn), label),
        "auc recency (lapse label)": auc(np.concatenate(recency), label),
        "auc churn (no order in H: churn label)": auc(np.concatenate(churn), no_order),
        "auc recency (no order in H: churn label)": auc(np.concatenate(recency), no_order),
        "lapse rate": float(label.mean()),
        "no-order-in-H rate": float(no_order.mean()),
    }
    # Calibration by recency: mean predicted churn vs observed lapse, by recency band.
    q = np.concatenate(recency)
    p = np.concatenate(churn)
    for low, high in ((0, h / 3), (h / 3, 2 * h / 3), (2 * h / 3, h)):
        band = (q >= low) & (q < high)
        if band.any():
            out[f"recency {low:.0f}-{high:.0f} d: churn / no order / lapse"] = (
                float(p[band].mean()),
                float(no_order[band].mean()),
                float(label[band].mean()),
            )
    return out


def already_lapsed(replay: Replay, raised: pd.DataFrame) -> pd.Series:
    """Per rule, the share of its alerts raised on customers quiet for H days or more."""
    by_day = dict(zip(replay.week_days, replay.last_days, strict=False))
    days = {w.day: last for w, last in zip(replay.weeks, replay.last_days, strict=True)}
    by_day.update(days)
    quiet = [
        d - by_day.get(d, {}).get(int(c), d)
        for d, c in zip(raised["day"].tolist(), raised["customer_id"].tolist(), strict=True)
    ]
    flag = pd.Series(np.array(quiet) >= replay.horizon, index=raised.index)
    return flag.groupby(raised["rule_key"]).mean()


def line(f: ReplayFigures) -> str:
    p = f"{f.precision:.0%}" if f.precision is not None else "-"
    r = f"{f.recall:.0%}" if f.recall is not None else "-"
    lead = f"{f.lead_median:.0f}" if f.lead_median is not None else "-"
    return (
        f"{f.title:<28}{f.alerts:>8,}{f.per_owner_week_mean:>9.1f}{p:>7}"
        f"{r:>7}{f.caught:>7,}/{f.lapsed:<6,}{lead:>6}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("workspace", help="a COPY of a workspace file (nothing is written)")
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--budget", type=int, default=3, help="alerts per owner per week")
    args = parser.parse_args()
    clock = time.perf_counter()
    ws = open_workspace(f"sqlite:///{args.workspace}", backup=False)
    try:
        with Session(ws.engine) as s:
            scoring, config = read_config(s), read_alert_config(s)
            latest = s.scalar(select(func.max(Order.order_date)).where(Order.status == "paid"))
        end = _as_date(latest)
        replay = run_replay(ws.engine, scoring, config, end, args.weeks, lambda _f, _m: None)
        data = load_scoring_data(ws.engine, until_day=replay.end_day)
    finally:
        ws.close()
    frame = pd.DataFrame(
        {"c": data.customer_ids.astype(np.int64)[data.p_cust], "d": data.p_day.astype(np.int64)}
    )
    orders = {int(k): np.sort(g.to_numpy()) for k, g in frame.groupby("c")["d"]}
    raised = raised_frame(replay)
    risk = early_only(raised)  # the early warnings: what the replay's figures count
    common: dict[str, Any] = {
        "weeks": replay.week_days,
        "end_day": replay.end_day,
        "horizon": replay.horizon,
        "owners": replay.owners,
    }
    rows = [figures("all", "All risk rules", risk, replay.lapses, **common)]
    for key in sorted(set(raised["rule_key"])):
        rows.append(figures(key, f"  {key}", raised[raised["rule_key"] == key], replay.lapses,
                            **common))  # fmt: skip
    rows.append(figures("recency", "Recency rule", recency_frame(replay, risk), replay.lapses,
                        **common))  # fmt: skip
    rows.append(figures("win_back", "Win-back (lapsed)", win_back_only(raised), replay.lapses,
                        **common))  # fmt: skip
    budgeted = within_budget(replay, args.budget)
    rows.append(figures("budget", f"Within {args.budget}/owner/week", budgeted, replay.lapses,
                        **common))  # fmt: skip
    rows.append(figures("recency", "  recency, same volume", recency_frame(replay, budgeted),
                        replay.lapses, **common))  # fmt: skip
    rankers: dict[str, Ranker] = {
        "Churn risk (bought within H)": lambda c: c["churn"],
        "Churn x value (bought in H)": lambda c: c["risk_cents"],
    }
    for title, by in rankers.items():
        rows.append(figures("x", title, ranked_picks(replay, risk, title, by), replay.lapses,
                            **common))  # fmt: skip
    print(f"{args.workspace}: {args.weeks} weeks to {end}, H = {replay.horizon} days, "
          f"{replay.customers:,} customers, {replay.owners} owner(s); "
          f"{time.perf_counter() - clock:.0f} s")  # fmt: skip
    print(f"{'':<28}{'alerts':>8}{'/own/wk':>9}{'prec':>7}{'recall':>7}{'caught/lapsed':>14}"
          f"{'lead':>6}")  # fmt: skip
    for f in rows:
        print(line(f))
    print("\nShare of each rule's alerts on customers already lapsed (quiet >= H) when raised:")
    for key, share in already_lapsed(replay, raised).items():
        print(f"  {key:<26}{share:>6.0%}")
    print("\nRanking 'lapses in the next H days' among customers who bought within H:")
    for key, value in ranking_quality(replay, orders).items():
        if isinstance(value, tuple):
            print(f"  {key:<46}" + " / ".join(f"{v:.0%}" for v in value))
        else:
            print(f"  {key:<46}{value:>6.3f}")


if __name__ == "__main__":
    main()
