"""The alert replay's queue, week by week: the candidates admitted as the app admits them
(the lapse warnings ranked and floored by what they are worth, services/alerts/worth.py),
within a weekly budget, and the recency rule's picks at the same weekly volume.
services/learn/alert_replay.py measures them; services/learn/replay_worth.py tries other
floors and weights on them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from services.alerts.config import AlertConfig
from services.alerts.inputs import AlertInputs
from services.alerts.lapse import LAPSE_RULE
from services.alerts.worth import ORDER_RULES, Worth, rank_by_worth, short_notice
from services.learn.replay_metrics import admit, recency_picks
from services.learn.replay_records import RECENCY
from services.learn.replay_state import ACTIVE_DAYS, RISK_RULE_KEYS, Replay, early_only


def worth_ranked(
    candidates: pd.DataFrame,
    late: np.ndarray,
    inputs: AlertInputs,
    config: AlertConfig,
    worth: Worth,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """A week's candidates ranked and floored by ``worth`` (services/alerts/worth.py) as the
    app admits them, with their win-back and short-notice marks."""
    horizon = inputs.horizon_days
    keep = candidates.assign(_late=late)
    ranked = rank_by_worth(keep, inputs.customers, horizon, worth)
    notice = int(config.rule(LAPSE_RULE)["notice_days"])
    short = short_notice(ranked, inputs.customers, horizon, notice)
    flags = ranked["_late"].to_numpy(bool)
    return ranked.drop(columns=["_late"]), flags, short


def raised_frame(replay: Replay) -> pd.DataFrame:
    """Every alert the replay raised (day, customer_id, rule_key, severity, owner, ...)."""
    parts = [w.raised for w in replay.weeks if len(w.raised)]
    if not parts:
        return pd.DataFrame(columns=["day", "customer_id", "rule_key", "severity", "owner"])
    return pd.concat(parts, ignore_index=True)


def recency_frame(
    replay: Replay, raised: pd.DataFrame, notice: int = 0, *, by_value: bool = False
) -> pd.DataFrame:
    """The recency rule's alerts at the weekly volume of ``raised`` (distinct customers;
    measure passes the risk rules' alerts); with a ``notice``, kept to customers with at
    least that many days left before they lapse; ``by_value``: those customers ranked by
    their T-month value as scored that week, not by the time since their last order."""
    owner_of = _owner_map(replay)
    values = week_values(replay) if by_value else {}
    active: dict[int, int] = {}
    rows = []
    for week, last, contacted in zip(replay.weeks, replay.last_days, replay.contacted, strict=True):
        count = int(raised.loc[raised["day"] == week.day, "customer_id"].nunique())
        picks = recency_picks(
            last, week.day, count, replay.horizon, active, contacted, replay.ties,
            active_days=ACTIVE_DAYS, notice=notice,
            value=values.get(week.day, {}) if by_value else None,
        )  # fmt: skip
        rows += [(week.day, c, RECENCY, owner_of.get(c, "")) for c in picks]
    return pd.DataFrame(rows, columns=["day", "customer_id", "rule_key", "owner"])


def with_notice_left(replay: Replay, raised: pd.DataFrame, notice: int) -> pd.DataFrame:
    """The lapse warnings among ``raised`` (the rules that read the orders,
    services/alerts/worth.ORDER_RULES) raised on a customer with at least ``notice`` days
    left before their lapse point that week."""
    if raised.empty:
        return raised
    last = {w.day: days for w, days in zip(replay.weeks, replay.last_days, strict=True)}
    keep = [
        rule in ORDER_RULES
        and replay.horizon - (day - last.get(day, {}).get(c, -(10**9))) >= notice
        for day, c, rule in zip(
            raised["day"].tolist(), raised["customer_id"].tolist(), raised["rule_key"].tolist(),
            strict=True,
        )
    ]  # fmt: skip
    return raised[np.array(keep, dtype=bool)]


def week_values(replay: Replay) -> dict[int, dict[int, float]]:
    """Per replayed day, each scored customer's T-month value in cents (NaN left out)."""
    out: dict[int, dict[int, float]] = {}
    for week in replay.weeks:
        c = week.inputs.customers
        if "clv_cents" not in c:
            continue
        value = c["clv_cents"].to_numpy(np.float64)
        known = np.isfinite(value)
        ids = c["customer_id"].to_numpy(np.int64)[known]
        out[week.day] = dict(zip(ids.tolist(), value[known].tolist(), strict=True))
    return out


def _owner_map(replay: Replay) -> dict[int, str]:
    if not replay.weeks:
        return {}
    c = replay.weeks[-1].inputs.customers
    return dict(
        zip(
            c["customer_id"].astype(np.int64).tolist(),
            c["owner"].fillna("").astype(str).tolist(),
            strict=True,
        )
    )


def within_budget(replay: Replay, budget: int, worth: Worth | None = None) -> pd.DataFrame:
    """The early warnings the rules would have raised with at most ``budget`` new alerts per
    owner each replayed week, critical ones included: the week's candidates admitted again
    (same cool-down and active period, early warnings first, highest priority first), the
    lapse warnings ranked and floored by ``worth`` (default: as configured)."""
    worth = worth if worth is not None else replay.config.worth
    said = (worth.floor, worth.weight, worth.uses_lower_bound)  # not where it came from
    return replay.kept(
        replay.key("within budget", budget, said), lambda: _within_budget(replay, budget, worth)
    )


def _within_budget(replay: Replay, budget: int, worth: Worth) -> pd.DataFrame:
    active: dict[tuple[int, str], int] = {}
    out = []
    for week in replay.weeks:
        if week.candidates is None or week.candidates.empty:
            continue
        risk = week.candidates["rule_key"].isin(RISK_RULE_KEYS).to_numpy()
        late = week.late if week.late is not None else np.zeros(len(week.candidates), bool)
        ranked, ranked_late, short = worth_ranked(
            week.candidates[risk], late[risk], week.inputs, replay.config, worth
        )
        raised = admit(
            ranked.assign(severity="warning"), week.day, active, week.inputs.contacted, replay.ties,
            cap=budget, active_days=ACTIVE_DAYS, late=ranked_late, short=short,
        )  # fmt: skip
        out.append(early_only(raised))
    if not out:
        return pd.DataFrame(columns=["day", "customer_id", "rule_key", "owner", "late"])
    return pd.concat(out, ignore_index=True)


def readmit(replay: Replay, worth: Worth) -> None:
    """Each replayed week's alerts admitted again as run_replay admits them (the daily cap
    and the critical ceiling), the lapse warnings ranked and floored by ``worth``: the
    figures of a replay whose own choice changed the floor or the weight are those of the
    queue the alerts will now raise."""
    config = replay.config
    active: dict[tuple[int, str], int] = {}
    for week in replay.weeks:
        if week.candidates is None:
            continue
        late = week.late if week.late is not None else np.zeros(len(week.candidates), bool)
        ranked, ranked_late, short = worth_ranked(week.candidates, late, week.inputs, config, worth)
        week.raised = admit(
            ranked, week.day, active, week.inputs.contacted, replay.ties,
            cap=config.daily_cap_per_owner, active_days=ACTIVE_DAYS,
            critical_cap=config.critical_cap_per_owner, late=ranked_late, short=short,
        )  # fmt: skip
