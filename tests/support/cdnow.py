"""The CDNOW 1/10 sample's 39-week calibration summary, as the BG/NBD literature builds it.

Weeks, calibration 1997-01-01..1997-09-30, a customer's purchases on one day merged into
one transaction (the same construction as tests/unit/scoring/test_bgnbd.py, which checks it
against the summary distributed with the data).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parent.parent / "data" / "cdnow"
CALIBRATION_END = pd.Timestamp("1997-09-30")


def cdnow_calibration() -> pd.DataFrame:
    """x (repeat purchase days), t_x and T in weeks, m (mean repeat-purchase value)."""
    raw = pd.read_csv(
        DATA / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "id", "date", "cds", "amount"],
        dtype={"date": str},
    )
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    days = (
        raw[raw["date"] <= CALIBRATION_END]
        .groupby(["id", "date"], as_index=False)["amount"]
        .sum()
        .sort_values(["id", "date"])
    )
    by = days.groupby("id")
    first, last = by["date"].min(), by["date"].max()
    repeat_value = days[by.cumcount() > 0].groupby("id")["amount"].mean()
    summary = pd.DataFrame(
        {
            "x": (by.size() - 1).astype(float),
            "t_x": (last - first).dt.days / 7.0,
            "T": (CALIBRATION_END - first).dt.days / 7.0,
        }
    )
    summary["m"] = repeat_value.reindex(summary.index).fillna(0.0)
    return summary
