"""Where the revenue forecast's bias on CDNOW comes from, and what honest changes do to it.

    .venv/bin/python bench/cdnow_revenue_bias.py [--work DIR] [--full-year]

--full-year calibrates on the whole of 1997 instead (as of 1997-12-31, a 181-day holdout
to 1998-06-30): the calibration then holds a full year of seasons.

The full CDNOW file (23,570 customers) in one SQLite workspace, scored in-process as of
1997-09-30 over 273 days (the split of bench/quality_cdnow.py). Printed:

1. the forecast split into buyers (the chosen churn model's P(any order)), purchase days
   per buyer (BG/NBD's expected purchase days given at least one) and the value per
   purchase day (Gamma-Gamma), each against the holdout;
2. backtests on data dated on or before T only: BG/NBD and Pareto/NBD fitted at T - h
   and checked on (T - h, T], for every window up to the longest the history allows
   (buyers, purchase days, purchase days per actual buyer);
3. candidate changes, each decided on data up to T, with the holdout's revenue bias (the
   value check of services/scoring/value_check.py is what scoring does);
4. the holdout month by month against BG/NBD's expected purchase days.

The holdout is read for the figures only; no candidate looks at it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from services.scoring.data import ScoringData
    from services.scoring.lifetime import LifetimeFit

FloatArray = npt.NDArray[np.float64]
WINDOWS = (90, 120, 150, 181)  # 181: the longest single window CDNOW's history allows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, help="working folder (default: a new temp folder)")
    parser.add_argument(
        "--full-year", action="store_true", help="calibrate on 1997, a 181-day holdout"
    )
    args = parser.parse_args()
    if args.full_year:  # before the split is read below (and by holdout_truth)
        import bench.bench_row_order as split

        split.AS_OF, split.HORIZON = dt.date(1997, 12, 31), 181
    from sklearn.metrics import roc_auc_score
    from sqlalchemy import text

    from bench.bench_row_order import AS_OF, HOLDOUT_END, HORIZON, build_workspace, read_lines
    from bench.bench_row_order import holdout_truth as truth_of
    from services.scoring.calibration import level
    from services.scoring.churn import predict_churn
    from services.scoring.data import day_number, load_scoring_data
    from services.scoring.features import WEEK, bgnbd_summary, compute_features, purchases_in
    from services.scoring.lifetime import (
        expected_in,
        fit_lifetime,
        fit_pareto,
        order_values,
        pareto_prob_none,
        prob_none,
    )
    from services.scoring.paretonbd import expected_purchases as pareto_expected
    from services.scoring.run import forecast_orders
    from services.scoring.value_check import check_value, with_value_scale

    work = args.work or Path(tempfile.mkdtemp(prefix="ar-cdnow-bias-"))
    work.mkdir(parents=True, exist_ok=True)
    lines = read_lines()
    ws = build_workspace(lines, work / "cdnow.radar.sqlite")
    t_day = day_number(AS_OF)
    data = load_scoring_data(ws.engine, until_day=t_day)
    full = load_scoring_data(ws.engine, until_day=day_number(HOLDOUT_END))
    with ws.engine.connect() as conn:
        external = dict(conn.execute(text("SELECT id, external_id FROM customers")).all())
    truth = truth_of(lines).reindex([external[int(i)] for i in data.customer_ids])
    revenue = truth["holdout_cents"].to_numpy(np.float64)
    churned = truth["churned"].to_numpy(bool)
    actual = purchases_in(full, t_day, HORIZON)

    feats = compute_features(data, t_day)
    fit = fit_lifetime(feats)
    churn = predict_churn(
        data, feats, fit, as_of=t_day, horizon=HORIZON, new_customer_days=30.0,
        min_training_customers=200, progress=lambda f, m: None,
    )  # fmt: skip
    has = feats["purchase_days"].to_numpy() > 0
    e_h, e_year = expected_in(feats, fit, HORIZON), expected_in(feats, fit, 365)
    q_bg = prob_none(feats, fit, HORIZON)
    # Scoring's values: Gamma-Gamma's, times the value check's factor (value_check.py).
    check = check_value(data, t_day, HORIZON, np.zeros(data.n, bool))
    fitted = order_values(feats, fit)
    value = order_values(feats, with_value_scale(fit, check))
    if check is not None:
        print(f"value check: {check.to_dict()}")
    orders, _ = forecast_orders(churn.risk, has, e_h, q_bg, e_year, HORIZON)

    def bias(predicted: FloatArray, truth_sum: float) -> str:
        return f"{float(np.nansum(predicted)) / truth_sum - 1:+.1%}"

    buyers = actual > 0
    per_buyer = e_h / (1 - q_bg)
    print(f"chosen churn model {churn.chosen}; AUC {roc_auc_score(churned, churn.risk):.4f}")
    print(
        f"revenue {bias(orders * value, revenue.sum())}, purchase days {bias(orders, actual.sum())}"
    )
    print(f"  buyers: predicted {np.sum(1 - churn.risk):,.0f}, actual {buyers.sum():,}")
    print(
        f"  purchase days per buyer (actual buyers): BG/NBD {per_buyer[buyers].mean():.3f}, "
        f"actual {actual[buyers].mean():.3f}"
    )
    print(
        f"  value per purchase day: predicted {np.sum(orders * value) / orders.sum():,.0f}c, "
        f"holdout {revenue.sum() / actual.sum():,.0f}c; Gamma-Gamma in-sample on repeat "
        f"purchases {_in_sample_value_ratio(feats, fitted):.4f} x observed"
    )

    print("\nbacktests on data up to T (fit at T-h, check on (T-h, T]):")
    chosen_count: dict[int, str] = {}
    for h in WINDOWS:
        cut = t_day - h
        f = compute_features(data, cut)
        seen = f["purchase_days"].to_numpy() > 0
        lf = fit_lifetime(f, gamma_gamma=False)
        pn = fit_pareto(f)
        if pn is None:
            print(f"  h={h}: Pareto/NBD did not fit")
            continue
        x, tx, big_t, _ = bgnbd_summary(f)
        bg_e, bg_q = expected_in(f, lf, h)[seen], prob_none(f, lf, h)[seen]
        pn_e = pareto_expected(pn, h / WEEK, x[seen], tx[seen], big_t[seen])
        pn_q = pareto_prob_none(f, pn, h)[seen]
        got = purchases_in(data, cut, h)[seen]
        bought = got > 0
        bg_pb = (bg_e / (1 - bg_q))[bought].sum() / got[bought].sum() - 1
        pn_pb = (pn_e / (1 - pn_q))[bought].sum() / got[bought].sum() - 1
        chosen_count[h] = "pnbd" if abs(pn_pb) < abs(bg_pb) else "bgnbd"
        print(
            f"  h={h:>3}: days BG {bias(bg_e, got.sum())} PN {bias(pn_e, got.sum())}; "
            f"buyers BG {bias(1 - bg_q, bought.sum())} PN {bias(1 - pn_q, bought.sum())}; "
            f"days per buyer BG {bg_pb:+.1%} PN {pn_pb:+.1%} -> {chosen_count[h]}"
        )

    print("\ncandidates (decided on data up to T), holdout revenue bias:")
    pn_t = fit_pareto(feats)
    assert pn_t is not None
    x, tx, big_t, _ = bgnbd_summary(feats)
    pn_e = np.full(x.size, np.nan)
    pn_e[has] = pareto_expected(pn_t, HORIZON / WEEK, x[has], tx[has], big_t[has])
    pn_q = pareto_prob_none(feats, pn_t, HORIZON)
    backtest_bias = float(churn.backtest["orders"]["bias"])
    risk_pn, _ = level(churn.risk, pn_q, has)
    orders_pn_level, _ = forecast_orders(risk_pn, has, e_h, q_bg, e_year, HORIZON)
    orders_pn_count, _ = forecast_orders(churn.risk, has, pn_e, pn_q, e_year, HORIZON)
    own = np.where(x > 0, np.nan_to_num(feats["avg_order_value"].to_numpy()), value)
    rows = {
        "today (with the value check)": orders * value,
        "Gamma-Gamma's values as fitted (factor 1, before the check)": orders * fitted,
        f"purchase days / (1 + the 90-day backtest's bias {backtest_bias:+.1%})": (
            orders * value / (1 + backtest_bias)
        ),
        "Pareto/NBD sets P(any order) (AUC unchanged)": orders_pn_level * value,
        "Pareto/NBD purchase days per buyer": orders_pn_count * value,
        "customers' own average value for repeat buyers": orders * own,
    }
    for name, predicted in rows.items():
        print(f"  {name}: {bias(predicted, revenue.sum())}")
    pn_per_buyer = pn_e / (1 - pn_q)
    bought_days = float(actual[buyers].sum())
    print(
        "  (holdout purchase days per actual buyer: "
        f"BG/NBD {bias(per_buyer[buyers], bought_days)}, "
        f"Pareto/NBD {bias(pn_per_buyer[buyers], bought_days)})"
    )

    print("\nholdout by month, purchase days: actual against BG/NBD's expectation")
    _by_month(full, feats, fit, t_day)
    ws.close()
    return 0


def _in_sample_value_ratio(feats: pd.DataFrame, value: FloatArray) -> float:
    """Gamma-Gamma's expected values over the observed repeat spend, weighted by repeats."""
    from services.scoring.features import bgnbd_summary

    x, _, _, _ = bgnbd_summary(feats)
    repeat = np.nan_to_num(feats["repeat_value"].to_numpy(np.float64))
    ok = x > 0
    return float((value[ok] * x[ok]).sum() / (repeat[ok] * x[ok]).sum())


def _by_month(full: ScoringData, feats: pd.DataFrame, fit: LifetimeFit, t_day: int) -> None:
    """Holdout purchase days month by month against BG/NBD's expectation."""
    from bench.bench_row_order import AS_OF, HOLDOUT_END
    from services.scoring.features import purchases_in
    from services.scoring.lifetime import expected_in

    start = AS_OF + dt.timedelta(days=1)
    edges = [start]
    while edges[-1] <= HOLDOUT_END:
        month = edges[-1].month
        edges.append(dt.date(edges[-1].year + month // 12, month % 12 + 1, 1))
    for first, end in zip(edges[:-1], edges[1:], strict=True):
        d0, d1 = (first - start).days, (end - start).days
        expected = float(np.nansum(expected_in(feats, fit, d1)))
        if d0:
            expected -= float(np.nansum(expected_in(feats, fit, d0)))
        got = float(purchases_in(full, t_day + d0, d1 - d0).sum())
        gap = expected / got - 1
        print(f"  {first:%Y-%m}: actual {got:>5,.0f}  BG/NBD {expected:>5,.0f} ({gap:+.0%})")


if __name__ == "__main__":
    sys.exit(main())
