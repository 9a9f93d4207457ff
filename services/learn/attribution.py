"""Attribution: which exposures re-engaged, how fast, and for how much.

An *exposure* is one customer put in one group: ``contacted`` (the clock starts when the
outreach was sent) or ``holdout`` (held out when the alert was raised; the clock starts
then). Definitions, all in UTC:

- The window is ``window_days`` whole days of 24 hours from the start, both ends
  included: an order at exactly the start (day 0) counts, an order at exactly
  ``start + window_days x 24 h`` counts, one a second later does not. An order before
  the start never counts.
- Only paid orders count: when the orders carry a ``status`` column, any other status is
  dropped; without one, the caller has already kept the paid ones.
- Re-engaged: at least one counting order. Days to re-engagement: from the start to the
  first counting order, in days as a decimal (0.5 = twelve hours), so ``floor`` of it is
  the day number (0 to ``window_days``). Revenue: the sum of the counting orders.
- Each customer counts once: exposures flagged ``excluded`` are set aside first, then
  the customer's earliest remaining exposure is the one analysed, in its own group, and
  later ones are repeats (ties on the start: the earlier row). Keeping the first
  assignment, whatever came after, keeps the comparison as randomised as the holdout
  was; a held-out customer contacted later still counts as held out, which can only
  shrink the lift, never inflate it.
- With ``as_of``, an analysed exposure whose window has not closed by then is left out
  (reason ``window_open``): counting it as "not re-engaged" would understate the rate of
  recent groups, and counting only those already re-engaged would overstate it. Orders
  after ``as_of`` are ignored.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt
import pandas as pd

CONTACTED = "contacted"
HOLDOUT = "holdout"
GROUPS = (CONTACTED, HOLDOUT)

# Why an exposure is or is not in the rates (column "reason").
COUNTED = "counted"
EXCLUDED = "excluded"
REPEAT = "repeat"
WINDOW_OPEN = "window_open"

DEFAULT_WINDOW_DAYS = 30
PAID = "paid"

_DAY_NS = 86_400 * 1_000_000_000

# Columns ``attribute`` adds to the exposures it is given.
RESULT_COLUMNS = (
    "counted",
    "reason",
    "reengaged",
    "days_to_order",
    "orders_in_window",
    "revenue_cents",
)


def _utc_ns(values: pd.Series | dt.datetime) -> npt.NDArray[np.int64]:
    """Nanoseconds since the epoch, UTC; naive times are taken as UTC already."""
    series = pd.Series([values]) if isinstance(values, dt.datetime) else pd.Series(values)
    stamps = pd.to_datetime(series, utc=True).dt.tz_localize(None).astype("datetime64[ns]")
    ns: npt.NDArray[np.int64] = stamps.to_numpy().view(np.int64)
    return ns


def attribute(
    exposures: pd.DataFrame,
    orders: pd.DataFrame,
    window_days: int = DEFAULT_WINDOW_DAYS,
    as_of: dt.datetime | None = None,
) -> pd.DataFrame:
    """Each exposure with whether it is counted, re-engaged, days to the first order, revenue.

    ``exposures``: ``customer_id``, ``group`` (``contacted`` / ``holdout``), ``start``
    (when the outreach was sent, or the alert raised for the held-out), optionally
    ``excluded`` (bool); other columns (rule, owner...) are kept. ``orders``:
    ``customer_id``, ``order_date``, ``amount_cents``, optionally ``status``.
    """
    if window_days < 0:
        raise ValueError(f"the attribution window must not be negative: {window_days} days")
    missing = {"customer_id", "group", "start"} - set(exposures.columns)
    if missing:
        raise ValueError(f"exposures lack the columns {sorted(missing)}")
    missing = {"customer_id", "order_date", "amount_cents"} - set(orders.columns)
    if missing:
        raise ValueError(f"orders lack the columns {sorted(missing)}")
    unknown = set(exposures["group"].unique()) - set(GROUPS)
    if unknown:
        raise ValueError(f"unknown groups {sorted(map(str, unknown))}; expected {GROUPS}")

    result = exposures.copy()
    n = len(result)
    start = _utc_ns(result["start"]) if n else np.zeros(0, dtype=np.int64)
    end = start + window_days * _DAY_NS
    as_of_ns = int(_utc_ns(as_of)[0]) if as_of is not None else None

    reason = _reasons(result, start, end, as_of_ns)
    first, count, revenue = _orders_in_windows(
        result["customer_id"].to_numpy(), start, end, orders, as_of_ns
    )

    result["counted"] = reason == COUNTED
    result["reason"] = reason
    result["reengaged"] = count > 0
    days = np.full(n, np.nan)
    hit = count > 0
    days[hit] = (first[hit] - start[hit]) / _DAY_NS
    result["days_to_order"] = days
    result["orders_in_window"] = count
    result["revenue_cents"] = revenue
    return result


def _reasons(
    exposures: pd.DataFrame,
    start: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
    as_of_ns: int | None,
) -> npt.NDArray[np.object_]:
    """Why each exposure is in the rates or not: excluded, repeat, window open, counted."""
    n = len(exposures)
    if "excluded" in exposures.columns:
        excluded = exposures["excluded"].fillna(False).to_numpy(dtype=bool)
    else:
        excluded = np.zeros(n, dtype=bool)
    reason = np.full(n, COUNTED, dtype=object)
    reason[excluded] = EXCLUDED

    # The earliest remaining exposure per customer; a stable sort keeps row order on ties.
    kept = np.flatnonzero(~excluded)
    order = kept[np.argsort(start[kept], kind="stable")]
    later = pd.Series(exposures["customer_id"].to_numpy()[order]).duplicated().to_numpy()
    reason[order[later]] = REPEAT

    if as_of_ns is not None:
        reason[(reason == COUNTED) & (end > as_of_ns)] = WINDOW_OPEN
    return reason


def _orders_in_windows(
    customers: npt.NDArray[np.generic],
    start: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
    orders: pd.DataFrame,
    as_of_ns: int | None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per exposure: time of the first counting order, number of them, and their sum."""
    n = len(customers)
    first = np.zeros(n, dtype=np.int64)
    count = np.zeros(n, dtype=np.int64)
    revenue = np.zeros(n, dtype=np.int64)
    if "status" in orders.columns:
        orders = orders[orders["status"] == PAID]
    if n == 0 or orders.empty:
        return first, count, revenue

    windows = pd.DataFrame({"pos": np.arange(n), "customer_id": customers, "lo": start, "hi": end})
    paid = pd.DataFrame(
        {
            "customer_id": orders["customer_id"].to_numpy(),
            "t": _utc_ns(orders["order_date"]),
            "amount": orders["amount_cents"].to_numpy(dtype=np.int64),
        }
    )
    if as_of_ns is not None:
        paid = paid[paid["t"] <= as_of_ns]
    # Only the customers and the span that can matter, before the join multiplies rows.
    paid = paid[paid["customer_id"].isin(windows["customer_id"])]
    paid = paid[(paid["t"] >= start.min()) & (paid["t"] <= end.max())]
    pairs = windows.merge(paid, on="customer_id", how="inner")
    pairs = pairs[(pairs["t"] >= pairs["lo"]) & (pairs["t"] <= pairs["hi"])]
    if pairs.empty:
        return first, count, revenue
    per = pairs.groupby("pos").agg(t=("t", "min"), n=("t", "size"), amount=("amount", "sum"))
    pos = per.index.to_numpy()
    first[pos] = per["t"].to_numpy()
    count[pos] = per["n"].to_numpy()
    revenue[pos] = per["amount"].to_numpy()
    return first, count, revenue


def counted_arrays(
    attributed: pd.DataFrame,
) -> dict[str, tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64], npt.NDArray[np.int64]]]:
    """Per group, the counted exposures' re-engaged flags, days to order and revenue."""
    counted = attributed[attributed["counted"]]
    out = {}
    for group in GROUPS:
        rows = counted[counted["group"] == group]
        out[group] = (
            rows["reengaged"].to_numpy(dtype=bool),
            rows["days_to_order"].to_numpy(dtype=np.float64),
            rows["revenue_cents"].to_numpy(dtype=np.int64),
        )
    return out
