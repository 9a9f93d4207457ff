"""The alert rules over the inputs of services.alerts.inputs, vectorised.

``evaluate_rules`` returns one row per (customer, rule) that holds, with its severity,
its reason in plain words with numbers, and its priority in cents. The rules and their
defaults are described in services/alerts/generate.py; their parameters are workspace
settings (services/settings/alert_rules.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from services.alerts._conversation_risk import RULE as RISK_RULE
from services.alerts._conversation_risk import conversation_risk_alerts
from services.alerts._db import positions
from services.alerts._relationship import CHAMPION_LEFT, relationship_alerts
from services.alerts._relationship import RULES as RELATIONSHIP_RULES
from services.alerts.config import AlertConfig
from services.alerts.inputs import AlertInputs
from services.alerts.lapse import LAPSE_RULE, lapse_coming, say_win_back
from services.alerts.renewal_rules import renewal_alerts
from services.alerts.segment_values import threshold
from services.alerts.usage_drop import NO_USAGE, usage_drop
from services.alerts.worth import rank_by_worth
from services.core.formatting import format_date, format_percent, plural
from services.core.money import format_money

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


# The columns of evaluate_rules' frame and their dtypes.
CANDIDATE_COLUMNS: dict[str, Any] = {
    "customer_id": np.int64,
    "rule_key": object,
    "severity": object,
    "reason": object,
    "priority_cents": np.int64,
    "snapshot_id": np.int64,
    "owner": object,
    "do_not_contact": bool,
}


def _money(cents: float, currency: str) -> str:
    return format_money(cents, currency, decimals=0)


def _days(hours: int) -> str:
    return f"{hours // 24}-day" if hours % 24 == 0 else f"{hours}-hour"


def evaluate_rules(inputs: AlertInputs, config: AlertConfig) -> tuple[pd.DataFrame, set[str]]:  # noqa: C901, PLR0915
    """Every (customer, rule) that holds, with severity, reason and priority; and the keys
    of the rules that were evaluated (enabled and with the data they need)."""
    c = inputs.customers
    parts: list[pd.DataFrame] = []
    evaluated: set[str] = set()
    churn = c["churn"].to_numpy(np.float64)
    clv = c["clv_cents"].to_numpy(np.float64)
    risk_cents = c["risk_cents"].to_numpy(np.float64)
    at_risk = np.nan_to_num(risk_cents)
    # The revenue that revenue at risk puts at risk (services.scoring.run.revenue_at_risk:
    # churn risk x the last 12 months' paid revenue): the customer's value in the rules.
    with np.errstate(divide="ignore", invalid="ignore"):
        base = np.where(churn > 0, risk_cents / churn, np.nan)
    if config.priority_uses_lower_bound and "churn_low" in c:
        # The low end of the 80% churn-risk interval x that revenue: a customer whose risk
        # is high only because little is known ranks below one surely at risk. Snapshots
        # without intervals keep the best guess.
        low = c["churn_low"].to_numpy(np.float64)
        at_risk = np.where(np.isfinite(low) & np.isfinite(base), np.nan_to_num(low * base), at_risk)
    engagement = c["engagement"].to_numpy(np.float64)

    def add(key: str, mask: BoolArray, reasons: list[str], priority: FloatArray) -> None:
        rows = np.flatnonzero(mask)
        sub = c.iloc[rows]
        parts.append(
            pd.DataFrame(
                {
                    "customer_id": sub["customer_id"].to_numpy(),
                    "rule_key": key,
                    "severity": config.rule(key).severity,
                    "reason": reasons,
                    "priority_cents": np.rint(np.nan_to_num(priority[rows])).astype(np.int64),
                    "snapshot_id": sub["snapshot_id"].to_numpy(),
                    "owner": sub["owner"].to_numpy(),
                    "do_not_contact": sub["do_not_contact"].to_numpy(),
                }
            )
        )
        evaluated.add(key)

    rule = config.rule("high_risk_high_value")
    if rule.enabled:
        valued = base[np.isfinite(base)]
        top = float(rule["top_value_percent"]) / 100.0
        floor = float(np.quantile(valued, 1.0 - top)) if valued.size else np.inf
        with np.errstate(invalid="ignore"):
            # The risk floor is the customer's segment's own where it sets one.
            least = threshold(c, rule.key, "min_churn_risk", float(rule["min_churn_risk"]))
            mask = (churn >= least / 100.0) & (base >= floor) & (base > 0)
        rows = np.flatnonzero(mask)
        add(
            rule.key,
            mask,
            [
                f"churn risk {format_percent(churn[r])} and "
                f"{_money(base[r], config.currency)} paid in the last 12 months"
                for r in rows.tolist()
            ],
            at_risk,
        )

    rule = config.rule(LAPSE_RULE)
    # Without the run's fit (a scoring that fell back) the rule is not evaluated: its open
    # alerts are left as they are (not_evaluated says why).
    fitted = "lapse_chance" in c and bool(c["lapse_chance"].notna().any())
    if rule.enabled and inputs.horizon_days > 0 and fitted:
        holds, said, stake = lapse_coming(c, rule, inputs.as_of, inputs.horizon_days, base)
        add(rule.key, holds, said, np.where(np.isfinite(stake), stake, at_risk))

    # In the window's words for a date ('Sep 24, 2026'), as the scores' own 'since'.
    since = format_date(inputs.previous_as_of) if inputs.previous_as_of else ""
    rule = config.rule("risk_rising")
    if rule.enabled and inputs.previous_as_of is not None:
        before = c["prev_churn"].to_numpy(np.float64)
        with np.errstate(invalid="ignore"):
            mask = (churn - before >= float(rule["min_increase_points"]) / 100.0 - 1e-9) & (
                churn >= float(rule["min_churn_risk"]) / 100.0
            )
        rows = np.flatnonzero(mask)
        add(
            rule.key,
            mask,
            [
                f"churn risk up from {format_percent(before[r])} to {format_percent(churn[r])} "
                f"since {since}"
                for r in rows.tolist()
            ],
            at_risk,
        )

    rule = config.rule("engagement_drop")
    if rule.enabled and inputs.previous_as_of is not None:
        before = c["prev_engagement"].to_numpy(np.float64)
        with np.errstate(invalid="ignore"):
            mask = before - engagement >= float(rule["min_drop_points"]) - 1e-9
        rows = np.flatnonzero(mask)
        add(
            rule.key,
            mask,
            [
                f"engagement score down from {before[r]:.0f} to {engagement[r]:.0f} since {since}"
                for r in rows.tolist()
            ],
            at_risk,
        )

    rule = config.rule("gone_quiet")
    if rule.enabled:
        recency = c["recency_days"].to_numpy(np.float64)
        gap = c["usual_gap"].to_numpy(np.float64)
        with np.errstate(invalid="ignore"):
            mask = (
                (c["purchase_days"].to_numpy(np.float64) >= 2)
                & (recency > float(rule["gap_multiple"]) * gap)
                & (recency <= float(rule["max_quiet_days"]))
            )
        rows = np.flatnonzero(mask)
        add(
            rule.key,
            mask,
            [
                f"no order in {recency[r]:.0f} days; usual gap {gap[r]:.0f} days"
                for r in rows.tolist()
            ],
            at_risk,
        )

    rule = config.rule("negative_experience")
    if rule.enabled:
        bad = c["bad_tickets"].to_numpy(np.float64)
        low = c["low_reviews"].to_numpy(np.float64)
        stars = c["lowest_stars"].to_numpy(np.float64)
        mask = (bad >= int(rule["min_bad_tickets"])) | (low >= 1)
        window = int(rule["window_days"])

        def experience(r: int) -> str:
            said = []
            if bad[r] >= 1:
                said.append(plural(bad[r], "negative ticket", "negative tickets"))
            if low[r] == 1:
                said.append(
                    f"a {stars[r]:.0f}-star review" if stars[r] == stars[r] else "a negative review"
                )
            elif low[r] > 1:
                said.append(
                    f"{int(low[r])} reviews of {int(rule['max_review_stars'])} stars or less"
                    if stars[r] == stars[r]
                    else f"{int(low[r])} negative reviews"
                )
            return " and ".join(said) + f" in {window} days"

        add(rule.key, mask, [experience(r) for r in np.flatnonzero(mask).tolist()], at_risk)

    rule = config.rule(RISK_RULE)
    if rule.enabled and "risks_raised" in c:
        worth = np.fmax(np.nan_to_num(base), np.nan_to_num(clv))
        holds, said, stake = conversation_risk_alerts(c, at_risk, worth)
        add(rule.key, holds, said, stake)
        # A customer who said they will leave: critical, never held back by the daily cap.
        parts[-1].loc[c["risk_severe"].to_numpy(bool)[holds], "severity"] = "critical"

    worth = np.fmax(np.nan_to_num(base), np.nan_to_num(clv))
    for key in RELATIONSHIP_RULES:
        if config.rule(key).enabled and f"rel_{key}" in c:
            holds, said, stake = relationship_alerts(c, key, at_risk, worth, config)
            add(key, holds, said, stake)
            if key == CHAMPION_LEFT:  # no other champion remains: critical
                parts[-1].loc[c["rel_severe"].to_numpy(bool)[holds], "severity"] = "critical"

    rule = config.rule("ticket_past_sla")
    if rule.enabled:
        late = c["late_tickets"].to_numpy(np.float64)
        oldest = c["oldest_late_days"].to_numpy(np.float64)
        sla = _days(int(rule["sla_hours"]))
        mask = late >= 1

        def tickets(r: int) -> str:
            if late[r] == 1:
                return f"a ticket unresolved for {oldest[r]:.0f} days ({sla} SLA)"
            return (
                f"{int(late[r])} tickets unresolved past the {sla} SLA, "
                f"the oldest for {oldest[r]:.0f} days"
            )

        add(rule.key, mask, [tickets(r) for r in np.flatnonzero(mask).tolist()], at_risk)

    rule = config.rule("expansion")
    if rule.enabled:
        growth = float(rule["min_growth_percent"]) / 100.0
        spend, spend_before = (c[k].to_numpy(np.float64) for k in ("spend_90", "spend_prev_90"))
        clicks, clicks_before = (c[k].to_numpy(np.float64) for k in ("clicks_90", "clicks_prev_90"))
        with np.errstate(invalid="ignore", divide="ignore"):
            spend_up = (spend_before > 0) & (spend >= spend_before * (1.0 + growth))
            clicks_up = (
                (clicks >= int(rule["min_clicks"]))
                & (clicks > clicks_before)
                & (clicks >= clicks_before * (1.0 + growth))
            )
            mask = (engagement >= float(rule["min_engagement"])) & (spend_up | clicks_up)

        def rising(r: int) -> str:
            if spend_up[r]:
                up = spend[r] / spend_before[r] - 1.0
                return (
                    f"engagement {engagement[r]:.0f} and spend up {up:.0%} vs the previous "
                    f"90 days ({_money(spend[r], config.currency)} vs "
                    f"{_money(spend_before[r], config.currency)})"
                )
            return (
                f"engagement {engagement[r]:.0f} and email clicks up from "
                f"{clicks_before[r]:.0f} to {clicks[r]:.0f} vs the previous 90 days"
            )

        upside = np.nan_to_num(clv) * float(rule["upside_percent"]) / 100.0
        add(rule.key, mask, [rising(r) for r in np.flatnonzero(mask).tolist()], upside)

    rule = config.rule("stalled_opportunity")
    if rule.enabled:
        deals = inputs.deals
        ids = c["customer_id"].to_numpy(np.int64)
        value: FloatArray = np.zeros(len(c))
        reasons: dict[int, str] = {}
        if not deals.empty:
            pos, ok = positions(ids, deals["customer_id"].to_numpy(np.int64))
            deals = deals[ok].assign(pos=pos[ok])
            weights = deals["value_cents"].to_numpy(np.float64)
            value = np.bincount(deals["pos"].to_numpy(), weights, len(c)).astype(np.float64)
            # Deals come oldest stage first: the first one per customer is the reason.
            first = deals.drop_duplicates("pos")
            extra = deals.groupby("pos").size() - 1
            for p, name, stage, stage_days, quiet in zip(
                first["pos"].tolist(),
                first["name"].tolist(),
                first["stage"].tolist(),
                first["stage_days"].tolist(),
                first["quiet_days"].tolist(),
                strict=True,
            ):
                contact = (
                    "no contact on record"
                    if not np.isfinite(quiet)
                    else f"no contact for {quiet:.0f} days"
                )
                # The numbers first: deal names are long and lists cut long reasons.
                text = f"in {stage} for {stage_days:.0f} days, {contact}: deal '{name}'"
                more = int(extra.get(p, 0))
                if more:
                    text += f" and {plural(more, 'more stalled deal', 'more stalled deals')}"
                reasons[p] = text
        mask = np.zeros(len(c), bool)
        mask[list(reasons)] = True
        add(rule.key, mask, [reasons[r] for r in np.flatnonzero(mask).tolist()], value)

    rule = config.rule("usage_drop")
    if rule.enabled and inputs.usage is not None:
        holds, said = usage_drop(inputs.usage, rule)
        add(rule.key, holds, said, usage_stake(inputs.usage, base, clv))

    for key, holds, said, stake in renewal_alerts(c, inputs.renewals, config, inputs.as_of):
        add(key, holds, said, stake)

    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    for name, dtype in CANDIDATE_COLUMNS.items():
        frame[name] = frame[name].astype(dtype) if name in frame else pd.Series([], dtype=dtype)
    frame = say_win_back(frame.loc[:, list(CANDIDATE_COLUMNS)], c, inputs.horizon_days)
    # The lapse warnings ranked by what they are worth, those below the floor left out.
    frame = rank_by_worth(frame, c, inputs.horizon_days, config.worth)
    return frame, evaluated


def usage_stake(usage: pd.DataFrame, base: FloatArray, clv: FloatArray) -> FloatArray:
    """A usage drop's priority, from its own evidence: the chance that so low a fortnight
    is not chance (1 - the rule's score) x the customer's value, the larger of the last 12
    months' paid revenue and the T-month value. Revenue at risk would rank it by the order
    model's churn risk, often 0 for an account that pays but whose use has collapsed."""
    real = 1.0 - np.nan_to_num(usage["usage_score"].to_numpy(np.float64), nan=1.0)
    value = np.fmax(np.nan_to_num(base), np.nan_to_num(clv))
    out: FloatArray = np.clip(real, 0.0, 1.0) * np.maximum(value, 0.0)
    return out


def not_evaluated(inputs: AlertInputs, config: AlertConfig) -> dict[str, str]:
    """The enabled rules that could not be evaluated, with why in words."""
    why = {}
    if inputs.previous_as_of is None:
        for key in ("risk_rising", "engagement_drop"):
            if config.rule(key).enabled:
                why[key] = "no scoring of an earlier day to compare with"
    if config.rule("usage_drop").enabled and inputs.usage is None:
        why["usage_drop"] = NO_USAGE
    chance = inputs.customers.get("lapse_chance")
    if config.rule(LAPSE_RULE).enabled and (chance is None or not chance.notna().any()):
        why[LAPSE_RULE] = "no repeat-purchase model in the scoring run"
    return why
