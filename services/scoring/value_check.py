"""The value of a purchase day, checked on the backtest window and corrected by one factor.

Predicted revenue is expected purchase days x Gamma-Gamma's expected value of a purchase
day. Gamma-Gamma holds a customer's spend independent of how often they buy; where the
customers who go on buying spend more per purchase day than those BG/NBD expects to buy
(or less), the forecast's value of a purchase day is off, whatever each customer's own
value. This is measured with data dated on or before T only, on the churn backtest's
window (T - h, T]: BG/NBD and Gamma-Gamma fitted as of T - h give each customer's
expected purchase days and value; the value per purchase day they imply (their expected
revenue over their expected purchase days) is set against what the purchase days in the
window were actually worth. The ratio multiplies every expected value of a purchase day.

On CDNOW (as of 1997-09-30) the ratio is 1.080 on the 90-day window, and 1.05-1.08 on
every window of 90 to 181 days ending there: the model's valuation is low in each. Over
the holdout (1997-10-01..1998-06-30) the right factor was 1.037, so the check goes too
far there: the forecast's value of a purchase day moves from -2.7% to +5.1%, and the
revenue's -12.0% becomes -4.9% partly by offsetting the purchase days' -9.5% (a season
nine months of history cannot show). On the demo it is 1.008-1.094 on 90-day windows.
A workspace whose check has too few purchase days, or no value model at T - h, keeps the
values as they are; a ratio beyond RANGE is held at its edge (a window so unlike the
others says little about values in general).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from services.core.formatting import format_date
from services.scoring.bgnbd import ModelFitError
from services.scoring.churn import MIN_LABEL_DAYS, label_window
from services.scoring.data import ScoringData, day_date
from services.scoring.features import lifetime_features, purchases_in
from services.scoring.lifetime import LifetimeFit, expected_in, fit_lifetime, order_values

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

MIN_PURCHASE_DAYS = 200  # fewer purchase days in the window say too little of values
RANGE = (0.8, 1.25)  # the correction is held within these


@dataclass(frozen=True)
class ValueCheck:
    """The backtest of the value of a purchase day (cents)."""

    cutoff: int  # T - h
    days: int  # h
    purchase_days: int  # in the window, by customers with a purchase by the cutoff
    actual: float  # what a purchase day in the window was worth on average
    predicted: float  # what the models as of the cutoff valued one at
    scale: float  # the factor applied, within RANGE

    def to_dict(self) -> dict[str, float | int | str]:
        return {
            "cutoff": day_date(self.cutoff).isoformat(),
            "days": self.days,
            "purchase_days": self.purchase_days,
            "actual_cents": round(self.actual, 2),
            "predicted_cents": round(self.predicted, 2),
            "scale": round(self.scale, 4),
        }

    def note(self) -> str:
        """The run's note, in words."""
        gap = self.actual / self.predicted - 1.0
        return (
            f"purchase days in the {self.days} days after {format_date(day_date(self.cutoff))} "
            f"were worth {abs(gap):.0%} {'more' if gap > 0 else 'less'} than the order-value "
            f"model said, so expected order values are {'raised' if gap > 0 else 'lowered'} "
            f"by {abs(self.scale - 1.0):.0%}"
        )


def check_value(
    data: ScoringData, t_day: int, horizon: int, unpriced: BoolArray
) -> ValueCheck | None:
    """The backtest of the value of a purchase day as of ``t_day`` (None when the history
    is too short, the window too thin or the models cannot be fitted at its start)."""
    first = data.first_purchase_day()
    h = label_window(horizon, 0 if first is None else t_day - first)
    if h < MIN_LABEL_DAYS:
        return None
    measured = measure(data, t_day - h, h, unpriced)
    if measured is None:
        return None
    bought, actual, predicted = measured
    scale = float(np.clip(actual / predicted, *RANGE))
    return ValueCheck(t_day - h, h, bought, actual, predicted, scale)


def measure(
    data: ScoringData, cut: int, h: int, unpriced: BoolArray
) -> tuple[int, float, float] | None:
    """Purchase days in (cut, cut + h] by customers with a purchase by ``cut``, what they
    were worth on average, and what BG/NBD and Gamma-Gamma fitted as of ``cut`` valued a
    purchase day at (their expected revenue over their expected purchase days)."""
    features = lifetime_features(data, cut)
    if unpriced.any():  # as at T: values are learned from priced purchases only
        features.loc[features.index[unpriced], ["avg_order_value", "repeat_value"]] = np.nan
    try:
        fit = fit_lifetime(features)
    except ModelFitError:
        return None
    if fit.gamma_gamma is None:
        return None
    seen = (features["purchase_days"].to_numpy() > 0) & ~unpriced
    days = purchases_in(data, cut, h)
    window = (data.p_day > cut) & (data.p_day <= cut + h)
    spend = np.bincount(
        data.p_cust[window], weights=data.p_amount[window].astype(np.float64), minlength=data.n
    )
    bought = float(days[seen].sum())
    expected = expected_in(features, fit, h)[seen]
    values = order_values(features, fit)[seen]
    weight = float(np.nansum(expected))
    if bought < MIN_PURCHASE_DAYS or weight <= 0:
        return None
    actual = float(spend[seen].sum()) / bought
    predicted = float(np.nansum(expected * values)) / weight
    if not (np.isfinite(actual) and np.isfinite(predicted)) or actual <= 0 or predicted <= 0:
        return None
    return int(bought), actual, predicted


def with_value_scale(fit: LifetimeFit, check: ValueCheck | None) -> LifetimeFit:
    """``fit`` with the check's factor on every expected value of a purchase day (and its
    note), or as it is without one."""
    if check is None or abs(check.scale - 1.0) < 1e-9:
        return fit
    return replace(fit, value_scale=check.scale, notes=(*fit.notes, check.note()))
