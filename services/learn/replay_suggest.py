"""Suggested thresholds from the alert replay: for each replayed rule's main threshold (its
first number in services.settings.ALERT_PARAMETERS), the value that keeps recall as high
as possible while the rules raise at most the budget of alerts per owner per week (on
average over the replay; early warnings and win-backs alike, the owners' work), and what
all the suggested values together would have done (precision, recall and lead time: the
early warnings').

The search goes rule by rule (one pass, in the order of the rules): each rule's values on
a grid around the current one (x0.5 to x2, within the setting's bounds) are replayed with
the other rules at their best value so far, through the same admission (cool-down, active
period, daily cap) and figures as the replay. Among the values within the budget the
highest recall wins (then the fewer alerts, then the value nearest the current one); when
none is within it, the fewest alerts. A setting locked by IT's policy is suggested but
marked locked: it is never applied. No value at the top of a setting's range is suggested
(it all but switches a rule off: a choice for Settings).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from services.alerts.config import AlertConfig
from services.alerts.lapse import win_back_mask
from services.core.policy import is_locked
from services.learn.replay_frames import NO_FLOOR, evaluate_kept, key_of
from services.learn.replay_metrics import admit, figures
from services.learn.replay_records import ALL, ALL_TITLE, ReplayFigures, Suggestion
from services.learn.replay_state import ACTIVE_DAYS, Replay, early_only, risk_only
from services.settings import ALERT_PARAMETERS, set_settings

GRID = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
ProgressFn = Callable[[float, str], None]
# The rules whose first numeric parameter is not the one that sets how many alerts fire.
MAIN_THRESHOLDS = {
    "negative_experience": "min_bad_tickets",
    "usage_drop": "min_drop_percent",
}


def main_parameters(config: AlertConfig) -> dict[str, tuple[str, type, str, str, float, float]]:
    """Each rule's main threshold: (parameter, kind, label, unit, low, high); the first
    numeric one unless MAIN_THRESHOLDS names another (a window or a baseline length is
    not a threshold)."""
    out: dict[str, tuple[str, type, str, str, float, float]] = {}
    for key, param, kind, _default, title, unit, low, high, _text in ALERT_PARAMETERS:
        number = kind in (int, float) or (isinstance(kind, tuple) and float in kind)
        if MAIN_THRESHOLDS.get(key, param) != param:
            continue
        if key in config.rules and key not in out and number and None not in (low, high):
            bounds = float(low or 0), float(high or 0)
            out[key] = (param, int if kind is int else float, title, unit, *bounds)
    return out


def grid(current: float, kind: type, low: float, high: float) -> list[float]:
    """The values tried for a threshold now at ``current``: x0.5 to x2 within its bounds,
    never its upper bound unless it is there now (a threshold at its maximum all but
    switches the rule off, which is a choice for Settings, not a suggestion)."""
    values = set()
    for factor in GRID:
        value = min(max(current * factor, low), high)
        # Whole numbers from 10 up (a churn risk of 45%, not 45.37%).
        whole = kind is int or abs(value) >= 10
        values.add(float(round(value)) if whole else round(value, 2))
    return sorted(v for v in values if v < high or v == current)


def _only(config: AlertConfig, key: str, param: str | None, value: float = 0.0) -> AlertConfig:
    """The settings with only rule ``key`` on (its ``param`` at ``value``, if given)."""
    rules = {
        k: dataclasses.replace(
            r,
            enabled=r.enabled and k == key,
            params={**r.params, param: value} if k == key and param else r.params,
        )
        for k, r in config.rules.items()
    }
    return dataclasses.replace(config, rules=rules)


def _candidates(
    replay: Replay, key: str, param: str | None, value: float = 0.0
) -> list[pd.DataFrame]:
    """Rule ``key``'s candidates each week with ``param`` at ``value`` (None: as set)."""
    config = _only(replay.config, key, param, value)
    if len(replay.week_keys) != len(replay.weeks):
        return [evaluate_kept(None, "", week.inputs, config)[0] for week in replay.weeks]
    settings = key_of(dataclasses.replace(config, worth=NO_FLOOR))
    return [
        evaluate_kept(replay.memo, inputs_key, week.inputs, config, settings)[0]
        for inputs_key, week in zip(replay.week_keys, replay.weeks, strict=True)
    ]


def simulate(
    replay: Replay, per_rule: dict[str, list[pd.DataFrame]], tried: object = None
) -> ReplayFigures:
    """The risk rules' figures (as the replay's overall) when each rule's weekly candidates
    are ``per_rule``'s (all rules compete for the daily cap, as in the app). ``tried``:
    the thresholds they were evaluated with, under which the alerts admitted are kept
    (services/learn/replay_frames.py); None: computed."""
    if tried is None:
        frame = _admitted(replay, per_rule)
    else:
        worth = replay.config.worth  # the candidates' lapse warnings are ranked by it
        key = replay.key(
            "suggestion", list(per_rule), tried, (worth.floor, worth.weight, worth.uses_lower_bound)
        )
        frame = replay.kept(key, lambda: _admitted(replay, per_rule))
    common: dict[str, Any] = {
        "weeks": replay.week_days, "end_day": replay.end_day, "horizon": replay.horizon,
        "owners": replay.owners,
    }  # fmt: skip
    early = figures(ALL, ALL_TITLE, early_only(frame), replay.lapses, **common)
    # The budget is the owners' work: early warnings and win-backs alike.
    work = figures(ALL, ALL_TITLE, risk_only(frame), replay.lapses, **common)
    return dataclasses.replace(
        early,
        alerts=work.alerts,
        per_owner_week_mean=work.per_owner_week_mean,
        per_owner_week_max=work.per_owner_week_max,
    )


def _admitted(replay: Replay, per_rule: dict[str, list[pd.DataFrame]]) -> pd.DataFrame:
    """Every week's candidates of ``per_rule`` admitted as the replay admits them."""
    active: dict[tuple[int, str], int] = {}
    raised = []
    for k, week in enumerate(replay.weeks):
        parts = [frames[k] for frames in per_rule.values() if len(frames[k])]
        candidates = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        late = win_back_mask(candidates, week.inputs.customers, replay.horizon)
        raised.append(
            admit(
                candidates, week.day, active, replay.contacted[k], replay.ties,
                cap=replay.config.daily_cap_per_owner, active_days=ACTIVE_DAYS,
                critical_cap=replay.config.critical_cap_per_owner, late=late,
            )
        )  # fmt: skip
    frame = pd.concat(raised, ignore_index=True) if raised else pd.DataFrame()
    if frame.empty:
        frame = pd.DataFrame(columns=["day", "customer_id", "rule_key", "owner", "late"])
    return frame


def _better(a: ReplayFigures, b: ReplayFigures | None, budget: int) -> bool:
    """Is ``a`` a better outcome than ``b`` for this budget (see the module docstring)?"""
    if b is None:
        return True
    a_in, b_in = a.per_owner_week_mean <= budget, b.per_owner_week_mean <= budget
    if a_in != b_in:
        return a_in
    if not a_in:
        return a.per_owner_week_mean < b.per_owner_week_mean
    ra, rb = a.recall or 0.0, b.recall or 0.0
    if ra != rb:
        return ra > rb
    return a.per_owner_week_mean < b.per_owner_week_mean


def suggest_thresholds(
    replay: Replay, budget: int, step: ProgressFn
) -> tuple[tuple[Suggestion, ...], ReplayFigures | None]:
    """The suggested value of each replayed rule's main threshold, and the figures of all
    of them together (module docstring)."""
    mains = {
        k: v
        for k, v in main_parameters(replay.config).items()
        if replay.config.rule(k).enabled and k in replay.evaluated
    }
    if not replay.weeks or not mains:
        return (), None
    chosen: dict[str, float] = {k: float(replay.config.rule(k)[v[0]]) for k, v in mains.items()}
    per_rule = {key: _candidates(replay, key, None) for key in sorted(replay.evaluated)
                if key not in mains}  # fmt: skip
    for key, (param, *_rest) in mains.items():
        per_rule[key] = _candidates(replay, key, param, chosen[key])
    best = simulate(replay, per_rule, dict(chosen))
    for n, (key, (param, kind, _label, _unit, low, high)) in enumerate(mains.items()):
        step(
            0.9 + 0.09 * n / len(mains), f"Trying other thresholds: {replay.config.rule(key).title}"
        )
        current = chosen[key]
        kept = per_rule[key]
        for value in grid(current, kind, low, high):
            if value == current:
                continue
            trial = {**per_rule, key: _candidates(replay, key, param, value)}
            result = simulate(replay, trial, {**chosen, key: value})
            if _better(result, best, budget):
                best, chosen[key], kept = result, value, trial[key]
        per_rule[key] = kept
    suggestions = tuple(
        Suggestion(
            rule_key=key,
            rule_title=replay.config.rule(key).title,
            setting=f"alerts.{key}.{param}",
            label=label,
            unit=unit,
            current=float(replay.config.rule(key)[param]),
            suggested=chosen[key],
            locked=is_locked(f"alerts.{key}.{param}"),
        )
        for key, (param, _kind, label, unit, _low, _high) in mains.items()
    )
    return suggestions, best


def apply_suggestions(
    engine: Engine, suggestions: tuple[Suggestion, ...], *, actor: str
) -> dict[str, Any]:
    """Store the applicable suggested values (never a locked one) through the settings'
    one door (validated, audited); returns the values they replaced, for undo."""
    from services.settings import get_setting

    wanted = {
        s.setting: _typed(s) for s in suggestions if s.applicable and not is_locked(s.setting)
    }
    with translate_db_errors(), Session(engine) as session, session.begin():
        before = {key: get_setting(session, key) for key in wanted}
        set_settings(session, wanted, actor=actor)
    return before


def restore_settings(engine: Engine, values: dict[str, Any], *, actor: str) -> None:
    """Put back the values ``apply_suggestions`` replaced (its undo)."""
    with translate_db_errors(), Session(engine) as session, session.begin():
        set_settings(session, values, actor=actor)


def _typed(s: Suggestion) -> Any:
    kinds = {f"alerts.{k}.{p}": kind for k, p, kind, *_ in ALERT_PARAMETERS}
    return int(s.suggested) if kinds.get(s.setting) is int else float(s.suggested)
