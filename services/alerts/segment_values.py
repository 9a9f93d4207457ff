"""The alert settings a segment may set (Settings ▸ Per segment), per customer.

The rules read their thresholds for the whole book at once, so each customer's own value
is a column of the rules' customers (``own:<setting>``: NaN where the workspace's value
applies), filled once per reading from services/segment_policy, the one door. The owner
of an alert for a customer with no owner is filled in the same way (setting
``alerts.unassigned_owner``, the customer's segment's where it sets one).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy.orm import Session

from services.segment_policy import values_for_keys
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
    ids = pd.Series(customers["customer_id"].to_numpy(np.int64))
    found = values_for_keys(session, (*THRESHOLDS, OWNER_SETTING), None)
    for key in THRESHOLDS:
        _, own = found[key]
        if own:
            values = {cid: float(v.value) for cid, v in own.items()}
            customers[OWN + key] = ids.map(values).to_numpy(np.float64)
    base, owners = found[OWNER_SETTING]
    default = str(base.value).strip() or None
    if default is None and not owners:
        return
    current = customers["owner"].astype(object)
    missing = (current.isna() | (current.astype(str).str.strip() == "")).to_numpy()
    chosen = ids.map({cid: str(v.value).strip() or None for cid, v in owners.items()})
    chosen = chosen.astype(object).where(chosen.notna(), default).to_numpy(object)
    filled = current.to_numpy(object).copy()
    filled[missing] = chosen[missing]
    customers["owner"] = filled


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
