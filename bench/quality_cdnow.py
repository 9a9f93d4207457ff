"""Quality of the scores on the full CDNOW data.

    .venv/bin/python bench/quality_cdnow.py [--work DIR] [--skip-app] [--skip-lifetimes]
                                            [--json OUT.json] [--one-order-per-line]

CDNOW (tests/data/cdnow/CDNOW_master.txt): 23,570 customers who first bought in 1997 Q1.
Calibration 1997-01-01..1997-09-30, holdout 1997-10-01..1998-06-30 (273 days). A
customer's purchases on one day are merged into one order, as in the BG/NBD literature;
with --one-order-per-line the app (and lifetimes) import each line of the file as an
order instead (the holdout's figures are counted in purchase days either way).

Methods, all scored on the same customers and the same holdout:
- app: the command line end to end on a fresh workspace: `import` of a plain orders
  CSV, `score --as-of 1997-09-30 --horizon-days 273`, `export scores OUT.csv`;
- bgnbd-direct: services.scoring.bgnbd called directly (BG/NBD + Gamma-Gamma fitted on
  the calibration summary in weeks; churn risk = P(no order in the 273 days));
- pnbd-direct: services.scoring.paretonbd called directly (Pareto/NBD on the same summary;
  churn risk = its P(no order in the 273 days); order values from our Gamma-Gamma);
- lifetimes: the lifetimes library's BetaGeoFitter + GammaGammaFitter, in a throwaway
  virtual environment under /tmp (never a project dependency), run as a subprocess that
  writes its predictions to CSV; its churn risk is 1 - P(alive), what lifetimes offers
  (lifetimes-P0: BG/NBD's P(no order) from lifetimes' parameters); lifetimes-pnbd: its
  ParetoNBDFitter, churn = its P(0 purchases in the 273 days);
- recency: churn score = days since the last order, scaled to 0..1; orders = the
  customer's calibration order rate carried forward (a naive run-rate), revenue = that
  times the customer's mean order value.

Figures: ROC AUC and Brier score of churn_risk against "no order in the holdout"; RMSE
and Pearson correlation of predicted orders against holdout orders (purchase days) and
the aggregate bias of total predicted orders ((pred - actual) / actual) - not MAE, which
rewards predicting too little when most customers buy nothing (zero for everyone scores
0.835); the aggregate bias of total predicted revenue against the holdout's revenue; and
the share of holdout revenue made by the top 10% of customers by predicted revenue.

The app's export is also checked by bench/eval_cdnow_export.py, which computes the
labels from the raw file with no project code; the app's row must match it.

An earlier write-up quoted AUC 0.754 through the CLI against 0.762 here for the same split. On the
code of that time both measure 0.7617 (the export, and this script, agree to 1e-9), and no
variant tried gives 0.754: not counting raw lines instead of purchase days (0.7617), a
holdout that includes Sep 30 (0.7622), repeat buyers only (0.7305), the risk rounded to
two decimals (0.7610) or one (0.7558), other time zones or date formats (identical). Its
RMSE 1.706 and bias -11.8% match a label window one day off ((1997-10-01, 1998-06-30]
gives 1.7060 and -11.7%), which moves the AUC by under 0.001.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MASTER = ROOT / "tests" / "data" / "cdnow" / "CDNOW_master.txt"
AS_OF = pd.Timestamp("1997-09-30")
HOLDOUT_END = pd.Timestamp("1998-06-30")
HORIZON_DAYS = 273
WEEK = 7.0

LIFETIMES_VENV = Path(tempfile.gettempdir()) / "ar-lifetimes-venv"
# lifetimes 0.11.3 (2020) predates numpy 2, pandas 2.1 and scipy 1.12; these work on 3.11.
LIFETIMES_PINS = (
    "lifetimes==0.11.3",
    "numpy==1.26.4",
    "scipy==1.11.4",
    "pandas==2.0.3",
    "autograd==1.6.2",
    "dill==0.3.8",
    "setuptools<70",  # lifetimes.datasets imports pkg_resources
)

LIFETIMES_RUNNER = r"""
import json, sys, time, warnings
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter
from lifetimes.utils import summary_data_from_transaction_data

warnings.simplefilter("ignore")
orders_csv, out_csv, as_of = sys.argv[1:4]
horizon_weeks = float(sys.argv[4])
orders = pd.read_csv(orders_csv, parse_dates=["order_date"])
orders = orders[orders["order_date"] <= as_of]
started = time.perf_counter()
summary = summary_data_from_transaction_data(
    orders, "customer_id", "order_date", monetary_value_col="amount",
    observation_period_end=as_of, freq="D",
)
for col in ("recency", "T"):
    summary[col] = summary[col] / 7.0  # weeks, as in the literature
bgf = BetaGeoFitter(penalizer_coef=0.0)
bgf.fit(summary["frequency"], summary["recency"], summary["T"])
repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
ggf = GammaGammaFitter(penalizer_coef=0.0)
ggf.fit(repeat["frequency"], repeat["monetary_value"])
expected = bgf.conditional_expected_number_of_purchases_up_to_time(
    horizon_weeks, summary["frequency"], summary["recency"], summary["T"]
)
alive = bgf.conditional_probability_alive(summary["frequency"], summary["recency"], summary["T"])
value = ggf.conditional_expected_average_profit(summary["frequency"], summary["monetary_value"])
seconds = time.perf_counter() - started
pn_started = time.perf_counter()
pnf = ParetoNBDFitter(penalizer_coef=0.0)
pnf.fit(summary["frequency"], summary["recency"], summary["T"])
pn_expected = pnf.conditional_expected_number_of_purchases_up_to_time(
    horizon_weeks, summary["frequency"], summary["recency"], summary["T"]
)
pn_none = [
    pnf.conditional_probability_of_n_purchases_up_to_time(0, horizon_weeks, f, r, t)
    for f, r, t in zip(summary["frequency"], summary["recency"], summary["T"])
]
pn_seconds = time.perf_counter() - pn_started
pd.DataFrame(
    {
        "customer_id": summary.index,
        "p_alive": alive,
        "predicted_orders": expected,
        "predicted_revenue": expected * value,
        "pn_orders": pn_expected,
        "pn_revenue": pn_expected * value,
        "pn_no_order": pn_none,
        "frequency": summary["frequency"],
        "recency": summary["recency"],
        "T": summary["T"],
    }
).to_csv(out_csv, index=False)
print(json.dumps({
    **dict(bgf.params_), **dict(ggf.params_), "seconds": seconds,
    "pn": dict(pnf.params_), "pn_seconds": pn_seconds,
}))
"""


# --- data -----------------------------------------------------------------------------------


def load_lines() -> pd.DataFrame:
    """CDNOW master purchases as they are in the file, one row per line."""
    raw = pd.read_csv(MASTER, sep=r"\s+", dtype={"customer_id": str, "date": str})
    raw["customer_id"] = raw["customer_id"].astype(int)
    raw["order_date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    return raw


def load_orders() -> pd.DataFrame:
    """CDNOW master purchases, one order per customer and day (amounts summed)."""
    raw = load_lines()
    orders = (
        raw.groupby(["customer_id", "order_date"], as_index=False)["dollar_value"]
        .sum()
        .rename(columns={"dollar_value": "amount"})
    )
    orders["amount"] = orders["amount"].round(2)
    return orders.sort_values(["customer_id", "order_date"], ignore_index=True)


def write_orders_csv(orders: pd.DataFrame, path: Path) -> None:
    """The plain orders file the import reads: customer_id,order_id,order_date,amount.

    Given the file's lines rather than the merged orders, a customer's second line on a
    day gets the order id of the first with "-2" added, and so on."""
    day_ids = orders["customer_id"].astype(str) + "-" + orders["order_date"].dt.strftime("%Y%m%d")
    repeat = orders.groupby(["customer_id", "order_date"]).cumcount()
    out = pd.DataFrame(
        {
            "customer_id": orders["customer_id"].astype(str),
            "order_id": day_ids.where(repeat == 0, day_ids + "-" + (repeat + 1).astype(str)),
            "order_date": orders["order_date"].dt.strftime("%Y-%m-%d"),
            "amount": orders["amount"].round(2).map(lambda v: f"{v:.2f}"),
        }
    )
    out.to_csv(path, index=False)


def truth(orders: pd.DataFrame) -> pd.DataFrame:
    """Per customer: holdout orders and revenue, and the calibration summary (days)."""
    cal = orders[orders["order_date"] <= AS_OF]
    hold = orders[(orders["order_date"] > AS_OF) & (orders["order_date"] <= HOLDOUT_END)]
    by = cal.groupby("customer_id")
    frame = pd.DataFrame(
        {
            "first": by["order_date"].min(),
            "last": by["order_date"].max(),
            "orders_cal": by.size(),
            "revenue_cal": by["amount"].sum(),
        }
    )
    repeat = cal[cal.groupby("customer_id").cumcount() > 0]
    frame["repeat_mean"] = repeat.groupby("customer_id")["amount"].mean()
    frame["repeat_mean"] = frame["repeat_mean"].fillna(0.0)
    frame["holdout_orders"] = hold.groupby("customer_id").size()
    frame["holdout_revenue"] = hold.groupby("customer_id")["amount"].sum()
    frame[["holdout_orders", "holdout_revenue"]] = frame[
        ["holdout_orders", "holdout_revenue"]
    ].fillna(0)
    frame["churned"] = (frame["holdout_orders"] == 0).astype(int)
    return frame


# --- methods --------------------------------------------------------------------------------


def bgnbd_direct(t: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Our BG/NBD and Gamma-Gamma, called directly on the calibration summary in weeks."""
    from services.scoring import bgnbd

    started = time.perf_counter()
    x = (t["orders_cal"] - 1).to_numpy(float)
    t_x = (t["last"] - t["first"]).dt.days.to_numpy(float) / WEEK
    big_t = (AS_OF - t["first"]).dt.days.to_numpy(float) / WEEK
    params = bgnbd.fit_bgnbd(x, t_x, big_t)
    gg = bgnbd.fit_gamma_gamma(x, t["repeat_mean"].to_numpy())
    horizon = HORIZON_DAYS / WEEK
    expected = bgnbd.expected_purchases(params, horizon, x, t_x, big_t)
    risk = bgnbd.prob_no_purchase(params, horizon, x, t_x, big_t)
    value = bgnbd.expected_order_value(gg, x, t["repeat_mean"].to_numpy())
    seconds = time.perf_counter() - started
    info = (
        f"r={params.r:.4f} alpha={params.alpha:.4f} a={params.a:.4f} b={params.b:.4f} "
        f"p={gg.p:.4f} q={gg.q:.4f} v={gg.v:.4f} fit+predict {seconds:.2f}s"
    )
    predictions = pd.DataFrame(
        {"churn_risk": risk, "predicted_orders": expected, "predicted_revenue": expected * value},
        index=t.index,
    )
    return predictions, info


def pnbd_direct(t: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Our Pareto/NBD (services/scoring/paretonbd.py) on the same summary in weeks; order
    values from our Gamma-Gamma."""
    from services.scoring import bgnbd, paretonbd

    started = time.perf_counter()
    x = (t["orders_cal"] - 1).to_numpy(float)
    t_x = (t["last"] - t["first"]).dt.days.to_numpy(float) / WEEK
    big_t = (AS_OF - t["first"]).dt.days.to_numpy(float) / WEEK
    params = paretonbd.fit_paretonbd(x, t_x, big_t)
    gg = bgnbd.fit_gamma_gamma(x, t["repeat_mean"].to_numpy())
    horizon = HORIZON_DAYS / WEEK
    expected = paretonbd.expected_purchases(params, horizon, x, t_x, big_t)
    risk = paretonbd.prob_no_purchase(params, horizon, x, t_x, big_t)
    value = bgnbd.expected_order_value(gg, x, t["repeat_mean"].to_numpy())
    seconds = time.perf_counter() - started
    info = (
        f"r={params.r:.4f} alpha={params.alpha:.4f} s={params.s:.4f} beta={params.beta:.4f} "
        f"fit+predict {seconds:.2f}s"
    )
    predictions = pd.DataFrame(
        {"churn_risk": risk, "predicted_orders": expected, "predicted_revenue": expected * value},
        index=t.index,
    )
    return predictions, info


def recency_baseline(t: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Days since the last order, scaled to 0..1; a naive run-rate for orders and revenue."""
    days_quiet = (AS_OF - t["last"]).dt.days.to_numpy(float)
    risk = (days_quiet - days_quiet.min()) / max(days_quiet.max() - days_quiet.min(), 1.0)
    days_known = (AS_OF - t["first"]).dt.days.to_numpy(float) + 1.0
    rate = t["orders_cal"].to_numpy(float) / days_known
    orders = rate * HORIZON_DAYS
    mean_value = (t["revenue_cal"] / t["orders_cal"]).to_numpy(float)
    predictions = pd.DataFrame(
        {"churn_risk": risk, "predicted_orders": orders, "predicted_revenue": orders * mean_value},
        index=t.index,
    )
    return predictions, "days since last order / max; orders = calibration rate x 273 days"


def ensure_lifetimes_venv(log: list[str]) -> Path:
    """A virtual environment with lifetimes and the old libraries it needs (cached)."""
    python = LIFETIMES_VENV / "bin" / "python"
    stamp = LIFETIMES_VENV / "pins.txt"
    wanted = "\n".join(LIFETIMES_PINS)
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    base = shutil.which("python3.11") or sys.executable
    shutil.rmtree(LIFETIMES_VENV, ignore_errors=True)
    subprocess.run([base, "-m", "venv", str(LIFETIMES_VENV)], check=True)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *LIFETIMES_PINS,
        ],
        check=True,
    )
    stamp.write_text(wanted)
    log.append(f"created {LIFETIMES_VENV} with {', '.join(LIFETIMES_PINS)}")
    return python


def lifetimes_method(
    orders_csv: Path, work: Path, log: list[str]
) -> list[tuple[str, pd.DataFrame, str]]:
    """lifetimes' fit in its own environment; two churn scores from it.

    lifetimes offers P(alive), so its own churn score is 1 - P(alive); that ranks the
    one-time buyers (P(alive) = 1 by definition) as safest, so the exact BG/NBD
    P(no order in the horizon) from lifetimes' fitted parameters is reported as well.
    """
    from services.scoring import bgnbd

    python = ensure_lifetimes_venv(log)
    runner = work / "lifetimes_runner.py"
    runner.write_text(LIFETIMES_RUNNER)
    out = work / "lifetimes_predictions.csv"
    result = subprocess.run(
        [
            str(python),
            str(runner),
            str(orders_csv),
            str(out),
            AS_OF.strftime("%Y-%m-%d"),
            str(HORIZON_DAYS / WEEK),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"lifetimes failed:\n{result.stderr[-3000:]}")
    fitted = json.loads(result.stdout.strip().splitlines()[-1])
    raw = pd.read_csv(out).set_index("customer_id")
    info = (
        f"r={fitted['r']:.4f} alpha={fitted['alpha']:.4f} a={fitted['a']:.4f} "
        f"b={fitted['b']:.4f} p={fitted['p']:.4f} q={fitted['q']:.4f} v={fitted['v']:.4f} "
        f"fit+predict {fitted['seconds']:.1f}s"
    )
    params = bgnbd.BGNBDParams(fitted["r"], fitted["alpha"], fitted["a"], fitted["b"])
    orders = raw[["predicted_orders", "predicted_revenue"]]
    no_order = bgnbd.prob_no_purchase(
        params, HORIZON_DAYS / WEEK, raw["frequency"], raw["recency"], raw["T"]
    )
    pn = fitted["pn"]
    pn_info = (
        f"Pareto/NBD r={pn['r']:.4f} alpha={pn['alpha']:.4f} s={pn['s']:.4f} "
        f"beta={pn['beta']:.4f} fit+predict {fitted['pn_seconds']:.1f}s; churn = its P(0 "
        "purchases in 273 days)"
    )
    pn_rows = pd.DataFrame(
        {
            "predicted_orders": raw["pn_orders"],
            "predicted_revenue": raw["pn_revenue"],
            "churn_risk": raw["pn_no_order"],
        }
    )
    return [
        ("lifetimes", orders.assign(churn_risk=1.0 - raw["p_alive"]), info + "; churn 1-P(alive)"),
        ("lifetimes-pnbd", pn_rows, pn_info),
        (
            "lifetimes-P0",
            orders.assign(churn_risk=no_order),
            "lifetimes' fit; churn = BG/NBD P(no order in 273 days) from its parameters",
        ),
    ]


def app_method(orders_csv: Path, work: Path, log: list[str]) -> tuple[pd.DataFrame, str]:
    """import, score and export through main.py on a fresh workspace."""
    db = work / "cdnow.radar.sqlite"
    for leftover in work.glob("cdnow.radar.sqlite*"):
        leftover.unlink()
    scores_csv = work / "app_scores.csv"
    env = {k: v for k, v in os.environ.items() if k != "ACCOUNT_RADAR_DB"}
    env["ACCOUNT_RADAR_LOG_DIR"] = str(work / "log")
    steps = (
        ("import", ["import", str(orders_csv)]),
        (
            "score",
            ["score", "--as-of", AS_OF.strftime("%Y-%m-%d"), "--horizon-days", str(HORIZON_DAYS)],
        ),
        ("export", ["export", "scores", str(scores_csv)]),
    )
    timings = []
    for name, args in steps:
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--db", str(db), *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        seconds = time.perf_counter() - started
        timings.append(f"{name} {seconds:.1f}s")
        log.append(f"$ main.py --db {db.name} {' '.join(args)}  -> exit {result.returncode}")
        for line in (result.stdout + result.stderr).strip().splitlines():
            log.append(f"    {line}")
        if result.returncode != 0:
            raise RuntimeError(f"'{name}' failed: {result.stderr.strip()}")
    scores = pd.read_csv(scores_csv, encoding="utf-8-sig", dtype={"customer_id": str})
    scores["customer_id"] = scores["customer_id"].astype(int)
    scores = scores.set_index("customer_id")
    return scores[["churn_risk", "predicted_orders", "predicted_revenue"]], ", ".join(timings)


# --- figures --------------------------------------------------------------------------------


def figures(t: pd.DataFrame, predictions: pd.DataFrame) -> dict[str, float]:
    from sklearn.metrics import roc_auc_score

    joined = t.join(predictions, how="left")
    missing = int(joined["churn_risk"].isna().sum())
    risk = joined["churn_risk"].to_numpy(float)
    churned = joined["churned"].to_numpy(int)
    ok = ~np.isnan(risk)
    pred_orders = joined["predicted_orders"].to_numpy(float)
    actual = joined["holdout_orders"].to_numpy(float)
    ok_orders = ~np.isnan(pred_orders)
    revenue = joined["predicted_revenue"].fillna(-np.inf).to_numpy(float)
    top = np.argsort(-revenue, kind="stable")[: int(round(0.1 * len(joined)))]
    holdout_revenue = joined["holdout_revenue"].to_numpy(float)
    return {
        "customers": float(len(joined)),
        "missing": float(missing),
        "auc": float(roc_auc_score(churned[ok], risk[ok])),
        "brier": float(np.mean((risk[ok] - churned[ok]) ** 2)),
        "rmse_orders": float(np.sqrt(np.mean((pred_orders[ok_orders] - actual[ok_orders]) ** 2))),
        "corr_orders": float(np.corrcoef(pred_orders[ok_orders], actual[ok_orders])[0, 1]),
        "bias_orders": float(
            (pred_orders[ok_orders].sum() - actual[ok_orders].sum()) / actual[ok_orders].sum()
        ),
        "bias_revenue": float(
            (joined["predicted_revenue"].sum() - holdout_revenue.sum()) / holdout_revenue.sum()
        ),
        "top10_revenue_share": float(holdout_revenue[top].sum() / holdout_revenue.sum()),
    }


def print_table(rows: dict[str, dict[str, float]], base_rate: float) -> None:
    print()
    print(
        f"{'method':<14} {'ROC AUC':>8} {'Brier':>7} {'RMSE ord':>8} {'corr ord':>8} "
        f"{'bias ord':>8} {'bias rev':>8} {'top10% rev':>10}  customers"
    )
    for name, f in rows.items():
        print(
            f"{name:<14} {f['auc']:>8.4f} {f['brier']:>7.4f} {f['rmse_orders']:>8.4f} "
            f"{f['corr_orders']:>8.4f} {f['bias_orders']:>+8.2%} {f['bias_revenue']:>+8.2%} "
            f"{f['top10_revenue_share']:>10.2%}  "
            f"{int(f['customers']):,}"
            + (f" ({int(f['missing'])} unscored)" if f["missing"] else "")
        )
    print(
        f"(holdout churn rate {base_rate:.2%}; a constant forecast of it has Brier "
        f"{base_rate * (1 - base_rate):.4f})"
    )


def independent_check(scores_csv: Path, app: dict[str, float], work: Path) -> bool:
    """The app's export measured again by bench/eval_cdnow_export.py (labels from the raw
    file, no project code): True when every shared figure agrees."""
    out = work / "independent.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "eval_cdnow_export.py"),
            str(scores_csv),
            "--master",
            str(MASTER),
            "--as-of",
            AS_OF.strftime("%Y-%m-%d"),
            "--horizon-days",
            str(HORIZON_DAYS),
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        print(f"independent check FAILED to run: {result.stderr.strip()[-2000:]}")
        return False
    other = json.loads(out.read_text())
    keys = ("customers", "auc", "brier", "rmse_orders", "corr_orders", "bias_orders")
    gaps = {k: abs(app[k] - other[k]) for k in keys}
    agreed = all(gap <= 1e-9 for gap in gaps.values())
    print(
        "independent check of the app's export (bench/eval_cdnow_export.py): "
        f"AUC {other['auc']:.4f}, Brier {other['brier']:.4f}, RMSE {other['rmse_orders']:.4f}, "
        f"corr {other['corr_orders']:.4f}, bias {other['bias_orders']:+.2%} on "
        f"{int(other['customers']):,} customers: "
        + (
            "agrees"
            if agreed
            else "DIFFERS: " + ", ".join(f"{k} by {g:.2g}" for k, g in gaps.items() if g > 1e-9)
        )
    )
    return agreed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, help="working folder (default: a new temp folder)")
    parser.add_argument("--skip-app", action="store_true", help="leave out the CLI run")
    parser.add_argument("--skip-lifetimes", action="store_true", help="leave out lifetimes")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument(
        "--one-order-per-line",
        action="store_true",
        help="the app (and lifetimes) import each line of the file as an order, unmerged",
    )
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="ar-cdnow-"))
    work.mkdir(parents=True, exist_ok=True)
    log: list[str] = []

    orders = load_orders()
    orders_csv = work / "cdnow_orders.csv"
    if args.one_order_per_line:
        lines = load_lines().rename(columns={"dollar_value": "amount"})
        write_orders_csv(lines, orders_csv)
        imported = f"{len(lines):,} lines imported as orders, unmerged"
    else:
        write_orders_csv(orders, orders_csv)
        imported = "imported as they are"
    t = truth(orders)
    print(
        f"CDNOW: {t.index.size:,} customers, {len(orders):,} orders (same-day purchases "
        f"merged; {imported}), {int((orders['order_date'] <= AS_OF).sum()):,} in the "
        f"calibration period; orders file {orders_csv}"
    )

    rows: dict[str, dict[str, float]] = {}
    notes: dict[str, str] = {}
    methods = []
    if not args.skip_app:
        methods.append(("app", lambda: app_method(orders_csv, work, log)))
    methods.append(("bgnbd-direct", lambda: bgnbd_direct(t)))
    methods.append(("pnbd-direct", lambda: pnbd_direct(t)))
    if not args.skip_lifetimes:
        methods.append(("lifetimes", lambda: lifetimes_method(orders_csv, work, log)))
    methods.append(("recency", lambda: recency_baseline(t)))
    for name, run in methods:
        try:
            outcome = run()
        except Exception as exc:  # report and carry on with the other methods
            print(f"{name}: FAILED: {exc}")
            continue
        for label, predictions, info in (
            outcome if isinstance(outcome, list) else [(name, *outcome)]
        ):
            rows[label] = figures(t, predictions)
            notes[label] = info
    for line in log:
        print(line)
    for name, info in notes.items():
        print(f"{name:<14} {info}")
    print_table(rows, float(t["churned"].mean()))
    agreed = True
    if "app" in rows:
        agreed = independent_check(work / "app_scores.csv", rows["app"], work)
    if args.json:
        args.json.write_text(json.dumps({"figures": rows, "notes": notes}, indent=2))
    return 0 if agreed else 1


if __name__ == "__main__":
    sys.exit(main())
