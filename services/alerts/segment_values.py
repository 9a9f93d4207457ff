"""The alert settings a segment may set (Settings ▸ Per segment), per customer.

The rules read their thresholds for the whole book at once, so each customer's own value
is a column of the rules' customers (``own:<setting>``: NaN where the workspace's value
applies), filled once per reading from services/segment_policy, the one door. The owner
of an alert for a customer with no owner is filled in the same way (setting
``alerts.unassigned_owner``, the customer's segment's where it sets one).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy.orm import Session

from services.segment_policy import values_for
from services.settings.segments import OWNER_SETTING

OWN = "own:"
# The thresholds a segment may set: setting -> (rule, parameter).
THRESHOLDS = {
    "alerts.high_risk_high_value.min_churn_risk": ("high_risk_high_value", "min_churn_risk"),
    "alerts.lapse_coming.min_chance_percent": ("lapse_coming", "min_chance_percent"),
}


def add_segment_values(session: Session, customers: pd.DataFrame) -> None:
    """Give ``customers`` (the rules' frame: customer_id, owner) each customer's own
    thresholds and fill in the owner where they have none."""
    ids = customers["customer_id"].to_numpy(np.int64)
    for key in THRESHOLDS:
        _, own = values_for(session, key, None)
        if own:
            column = np.array([_number(own.get(int(c))) for c in ids], np.float64)
            customers[OWN + key] = column
    base, owners = values_for(session, OWNER_SETTING, None)
    if not str(base.value).strip() and not owners:
        return
    current = customers["owner"].to_numpy(object).copy()
    for row, cid in enumerate(ids.tolist()):
        if _missing(current[row]):
            chosen = str(owners.get(cid, base).value).strip()
            current[row] = chosen or None
    customers["owner"] = current


def _number(found: Any) -> float:
    return float(found.value) if found is not None else np.nan


def _missing(owner: Any) -> bool:
    return owner is None or (isinstance(owner, float) and np.isnan(owner)) or not str(owner).strip()


def threshold(
    customers: pd.DataFrame, rule: str, param: str, default: float
) -> npt.NDArray[np.float64]:
    """Each customer's value of a rule's threshold: their segment's own, else ``default``
    (the workspace's)."""
    column = f"{OWN}alerts.{rule}.{param}"
    if column not in customers:
        return np.full(len(customers), float(default))
    own = customers[column].to_numpy(np.float64)
    return np.where(np.isnan(own), float(default), own)
