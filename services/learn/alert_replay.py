"""Early warning, measured on history: the alert rules replayed over the past weeks.

``replay_alerts`` takes the weekly as-of dates of the past ``weeks`` weeks (52 by default),
Sundays, the last one on or before the latest paid order's date (or today, when that is
later than today); lapses are counted up to that date. Each week's scores are kept for the
next replay, which scores only the weeks whose data or settings changed
(services/learn/replay_kept.py). For
each it scores every customer with the data dated up to that day, through scoring's own
computation (services.scoring.compute.compute_scores: the one scoring definition, the
models refitted each week) and writes nothing; evaluates the alert rules as configured
(services.alerts.rules.evaluate_rules over services.alerts.inputs.read_inputs, the
parameters read through the policy resolver) and admits the new alerts as the app does
(cool-down, do-not-contact, the daily cap per owner with its tie-breaks:
replay_metrics.admit). The previous scoring of "since the previous scoring" is the week
before; the first week has none, as a first scoring.

Simplifications, said in the report: one generation per replayed week (so at most the
daily cap per owner of non-critical alerts a week); an alert stays active for
``ACTIVE_DAYS`` days and the same customer and rule are not raised again meanwhile (no one
resolves it earlier, no re-alert pause after); owners are today's. Rules that read states
that are not dated are not replayed: a ticket's status (ticket_past_sla) and a deal's
stage (stalled_opportunity) are only known as they are now.

Definitions of lapse, precision, recall, lead time and missed critical:
services/learn/replay_records.DEFINITIONS (one place, also printed with the report).
The overall figures are the risk-queue rules' (replay_state.RISK_RULE_KEYS): growth and
pipeline alerts are no early warning of a lapse and have their own rows only. The recency
rule (the baseline) alerts each week as many customers as the risk rules did (distinct
customers newly alerted): those longest without a paid order among those not
lapsed yet, with the same cool-down and active period.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.db import translate_db_errors
from models.errors import UserFacingError
from models.schema import AuditEvent, Order
from services.alerts._relationship import RULES as RELATIONSHIP_RULES
from services.alerts.config import REPLAYED_ACTION as REPLAYED
from services.alerts.config import AlertConfig, read_alert_config
from services.alerts.inputs import AlertInputs, GivenScores, ScoringRunRef, read_inputs
from services.alerts.lapse import LAPSE_RULE, win_back_mask
from services.alerts.proof import Proof
from services.alerts.signal_proofs import proofs_of
from services.alerts.signal_replay import WEEKS as SIGNAL_WEEKS
from services.alerts.signal_replay import SignalWeeks, figures_at, signal_weeks
from services.alerts.worth import Worth
from services.core._stable import stable_hashes
from services.core.data_state import data_state
from services.learn.replay_frames import (
    NO_FLOOR,
    KeptFrames,
    evaluate_kept,
    frames_path,
    key_of,
)
from services.learn.replay_kept import KeptWeeks, kept_path, scoring_code, week_key
from services.learn.replay_metrics import admit, figures, lapse_points
from services.learn.replay_queue import (
    raised_frame,
    readmit,
    recency_frame,
    week_values,
    with_notice_left,
    within_budget,
    worth_ranked,
)
from services.learn.replay_records import (
    ALL,
    ALL_TITLE,
    NOTICED,
    RECENCY,
    RECENCY_NOTICE,
    RECENCY_VALUE,
    WIN_BACK,
    WIN_BACK_TITLE,
    ReplayFigures,
    ReplayReport,
    WorthTrial,
    report_from_dict,
    report_to_dict,
)
from services.learn.replay_state import (
    ACTIVE_DAYS,
    RISK_RULE_KEYS,
    Replay,
    WeekState,
    early_only,
    win_back_only,
)
from services.scoring.bgnbd import BGNBDParams, ModelFitError
from services.scoring.churn import Progress
from services.scoring.compute import ScoringConfig, compute_scores, read_config
from services.scoring.data import ScoringData, day_date, day_number, load_scoring_data
from services.settings import ALERT_RULES

WEEK_DAYS = 7
SUNDAY = 3  # day_number of a Sunday, modulo 7 (1970-01-01 was a Thursday)
CRITICAL_RULE = "high_risk_high_value"
REPLAYED_ACTION = REPLAYED
NOT_REPLAYED = {
    "ticket_past_sla": "a ticket's status is only known as it is now, not as it was then",
    "stalled_opportunity": "a deal's stage is only known as it is now, not as it was then",
    "renewal_at_risk": "a renewal's likelihood is known only for the scorings that stored it",
    "notice_closing": "a renewal's likelihood is known only for the scorings that stored it",
}
RULE_TITLES = {rule.key: rule.title for rule in ALERT_RULES}

ProgressFn = Callable[[float, str], None]
CancelledFn = Callable[[], bool]


class ReplayCancelled(Exception):
    """The user cancelled the replay; nothing was written."""


class ReplayError(UserFacingError):
    """The replay cannot run on this workspace (said in plain words)."""


def replay_config(config: AlertConfig) -> AlertConfig:
    """The alert settings with the rules that cannot be replayed switched off."""
    rules = {
        key: dataclasses.replace(rule, enabled=rule.enabled and key not in NOT_REPLAYED)
        for key, rule in config.rules.items()
    }
    return dataclasses.replace(config, rules=rules)


def replay_alerts(
    engine: Engine,
    *,
    weeks: int = 52,
    budget: int | None = None,
    today: dt.date | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
    suggest: bool = True,
    reuse: bool = False,
) -> ReplayReport:
    """Replay the alert rules weekly over the past ``weeks`` weeks and measure them
    (module docstring). ``budget``: alerts per owner per week for the suggested
    thresholds (default the setting alerts.weekly_budget_per_owner). With ``reuse``, the
    last replay kept (``save_replay``) is returned as it is when nothing in the workspace
    changed since it was computed (``replay_key``). Writes nothing."""
    clock = time.perf_counter()

    def step(fraction: float, message: str) -> None:
        if cancelled is not None and cancelled():
            raise ReplayCancelled("The replay was cancelled.")
        if progress is not None:
            progress(fraction, message)

    if weeks < 1:
        raise ReplayError("Replay at least one week.")
    step(0.0, "Reading the workspace")
    with translate_db_errors(), Session(engine) as session:
        scoring = read_config(session)
        config = read_alert_config(session)
        if budget is None:
            budget = config.weekly_budget_per_owner
        latest = session.scalar(select(func.max(Order.order_date)).where(Order.status == "paid"))
    if latest is None:
        raise ReplayError("There are no paid orders to replay the alerts on. Import orders first.")
    end = min(_as_date(latest), today or dt.datetime.now(dt.UTC).date())
    key = replay_key(engine, weeks=weeks, budget=budget, end=end, suggest=suggest)
    if reuse:
        kept, current = last_replay(engine, key)
        if kept is not None and current:
            step(1.0, "Nothing changed since the last replay: its figures")
            return kept
    replay = run_replay(engine, scoring, config, end, weeks, step)
    choice, used = choose_worth(replay, budget, step)
    if (used.floor, used.weight) != (replay.config.worth.floor, replay.config.worth.weight):
        readmit(replay, used)
    replay.config = dataclasses.replace(replay.config, worth=used)
    report = measure(replay, budget=budget, daily_cap=config.daily_cap_per_owner)
    report = dataclasses.replace(
        report, worth_choice=choice, worth_used=(round(used.floor * 100), used.weight, used.source)
    )
    if suggest:
        from services.learn.replay_suggest import suggest_thresholds

        step(0.9, "Trying other thresholds")
        suggestions, after = suggest_thresholds(replay, budget, step)
        report = dataclasses.replace(report, suggestions=suggestions, suggested=after)
    if replay.memo is not None:
        replay.memo.save()
    if progress is not None:
        progress(1.0, "Replay ready")
    return dataclasses.replace(
        report, computed_at=utcnow(), data_key=key, seconds=round(time.perf_counter() - clock, 1)
    )


def choose_worth(replay: Replay, budget: int, step: ProgressFn) -> tuple[WorthTrial | None, Worth]:
    """The floor and weight the replay chooses on this history (services/learn/
    replay_worth.py), and those the queue uses: as set when someone set them, else the
    choice."""
    from services.learn.replay_worth import choose, trials

    config = replay.config
    notice = int(config.rule(LAPSE_RULE)["notice_days"])
    if notice >= replay.horizon or not replay.weeks:
        return None, config.worth
    step(0.88, "Choosing what a lapse warning must be worth")
    choice = choose(
        trials(replay, budget, notice, lambda f: step(0.88 + 0.02 * f, "Choosing what a lapse "
                                                      "warning must be worth"))
    )  # fmt: skip
    if choice is None or config.worth.source == "set":
        return choice, config.worth
    chosen = dataclasses.replace(
        config.worth, floor=choice.floor_percent / 100.0, weight=choice.weight, source="replay"
    )
    return choice, chosen


def _as_date(value: Any) -> dt.date:
    return (
        value.date() if isinstance(value, dt.datetime) else dt.date.fromisoformat(str(value)[:10])
    )


def run_replay(
    engine: Engine,
    scoring: ScoringConfig,
    config: AlertConfig,
    end: dt.date,
    weeks: int,
    step: ProgressFn,
    *,
    keep: bool = True,
) -> Replay:
    """Score, evaluate and admit week by week (the raw material of the figures). With
    ``keep``, the weeks scored by the last replay of the workspace on the same data and
    settings are read back instead of scored again, and this replay's are kept
    (services/learn/replay_kept.py)."""
    config = replay_config(config)
    # Every candidate is kept (no floor): the floor and weight are applied at admission,
    # so that the replay can try others (services/learn/replay_worth.py).
    unfloored = dataclasses.replace(config, worth=dataclasses.replace(config.worth, floor=0.0))
    horizon = scoring.horizon_days
    end_day = day_number(end)
    week_days = replay_weeks(end_day, weeks)
    kept = KeptWeeks(kept_path(engine) if keep else None)
    memo = KeptFrames(frames_path(engine) if keep else None)
    settings = key_of(dataclasses.replace(unfloored, worth=NO_FLOOR))
    with translate_db_errors():
        everything = load_scoring_data(engine, until_day=end_day)
    ids = everything.customer_ids.astype(np.int64)
    buyers = ids[everything.p_cust]
    lapses = lapse_points(buyers, everything.p_day.astype(np.int64), horizon, end_day)
    with translate_db_errors(), engine.connect() as conn:
        ties = dict(zip(ids.tolist(), stable_hashes(conn, ids).tolist(), strict=True))
    signals = _signal_weeks(engine, config, day_date(week_days[-1]), horizon, weeks)
    active: dict[tuple[int, str], int] = {}
    states: list[WeekState] = []
    last_days: list[dict[int, int]] = []
    contacted: list[frozenset[int]] = []
    week_keys: list[str] = []
    evaluated: set[str] = set()
    previous: tuple[dt.date, pd.DataFrame] | None = None
    owners: set[str] = set()
    for k, day in enumerate(week_days):
        base = 0.02 + 0.86 * k / weeks

        def sub(fraction: float, message: str, base: float = base, k: int = k) -> None:
            step(base + 0.86 / weeks * fraction, f"Week {k + 1} of {weeks}: {message.lower()}")

        with translate_db_errors():
            data = load_scoring_data(engine, until_day=day)
        if data.p_day.size == 0:
            continue
        week = _kept_scores(kept, data, day, horizon, scoring, sub)
        if week is None:
            continue  # too little history yet that week: no scores, so no alerts
        current, fit = week
        # Each week's proofs of the relationship signals: measured on the 52 weeks up to it.
        proofs = (
            proofs_of(figures_at(signals, SIGNAL_WEEKS - 1 + k, SIGNAL_WEEKS, horizon), config)
            if signals is not None
            else None
        )
        inputs = _inputs(engine, config, day, horizon, current, previous, fit, proofs)
        previous = (day_date(day), current)
        week_keys.append(key_of(inputs))
        candidates, done = evaluate_kept(memo, week_keys[-1], inputs, unfloored, settings)
        evaluated |= done
        late = win_back_mask(candidates, inputs.customers, horizon)
        ranked, ranked_late, short = worth_ranked(candidates, late, inputs, config, config.worth)
        raised = admit(
            ranked,
            day,
            active,
            inputs.contacted,
            ties,
            cap=config.daily_cap_per_owner,
            active_days=ACTIVE_DAYS,
            critical_cap=config.critical_cap_per_owner,
            late=ranked_late,
            short=short,
        )
        critical = candidates.loc[candidates["rule_key"] == CRITICAL_RULE, "customer_id"]
        owners |= set(inputs.customers["owner"].fillna("").astype(str).tolist())
        states.append(
            WeekState(day, inputs, raised, [int(c) for c in critical.tolist()], candidates, late)
        )
        last_days.append(_last_days(data))
        contacted.append(inputs.contacted)
    kept.save()
    return Replay(
        config=config,
        weeks=states,
        week_days=week_days,
        end_day=end_day,
        horizon=horizon,
        owners=len(owners),
        customers=int(ids.size),
        lapses=lapses,
        last_days=last_days,
        ties=ties,
        evaluated=evaluated,
        contacted=contacted,
        memo=memo,
        week_keys=week_keys,
        ties_key=_ties_key(states, ties),
        candidates_key=settings,
    )


def _ties_key(states: list[WeekState], ties: dict[int, int]) -> str:
    """The key of the tie-breaks of the customers the weeks' rules read (those who came
    after the last week break no tie there)."""
    parts = [w.inputs.customers["customer_id"].to_numpy(np.int64) for w in states]
    ids = np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
    hashes = np.array([ties.get(int(i), 0) for i in ids.tolist()], np.uint64)
    return key_of(ids, hashes)


def replay_weeks(end_day: int, weeks: int) -> list[int]:
    """The as-of days of ``weeks`` weeks ending on Sundays, the last one on or before
    ``end_day``: the same days from one day's replay to the next, so that a replay adds the
    week that is new instead of scoring every week again."""
    last = end_day - (end_day - SUNDAY) % WEEK_DAYS
    return [last - WEEK_DAYS * (weeks - 1 - k) for k in range(weeks)]


def _kept_scores(
    kept: KeptWeeks,
    data: ScoringData,
    day: int,
    horizon: int,
    scoring: ScoringConfig,
    step: Progress,
) -> tuple[pd.DataFrame, BGNBDParams] | None:
    """The week's scores and fit (``_scores``), read back when kept; None when the models
    cannot be fitted on the week's history."""
    key = week_key(data, day, horizon, scoring)
    found, week = kept.get(key)
    if found:
        return week
    try:
        week = _scores(data, day, horizon, scoring, step)
    except ModelFitError:
        week = None
    kept.put(key, week)
    return week


def _scores(
    data: ScoringData, day: int, horizon: int, scoring: ScoringConfig, step: Progress
) -> tuple[pd.DataFrame, BGNBDParams]:
    """The week's scores in the columns (and the rounding) of a stored snapshot, and the
    week's BG/NBD fit (what a stored run keeps in its parameters)."""
    computed = compute_scores(data, day, horizon, scoring, step, check=False)
    s = computed.scores
    frame = pd.DataFrame(
        {
            "customer_id": data.customer_ids.astype(np.int64),
            "snapshot_id": np.zeros(data.n, np.int64),
            "churn": np.round(s.churn, 4),
            "engagement": np.round(s.engagement, 1),
            "clv_cents": np.rint(s.clv),
            "risk_cents": np.rint(s.at_risk),
            "churn_low": np.round(s.intervals.churn_low, 4),
        }
    )
    # The rules read one row per customer in ascending id, as a stored snapshot is read.
    return frame.sort_values("customer_id", kind="stable", ignore_index=True), computed.fit.bgnbd


def _inputs(
    engine: Engine,
    config: AlertConfig,
    day: int,
    horizon: int,
    current: pd.DataFrame,
    previous: tuple[dt.date, pd.DataFrame] | None,
    fit: BGNBDParams | None = None,
    proofs: dict[str, Proof] | None = None,
) -> AlertInputs:
    as_of = day_date(day)
    # The generation runs at the end of the as-of day: the cool-down ends then.
    now = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    given = GivenScores(
        current=current,
        previous_as_of=previous[0] if previous else None,
        previous=previous[1] if previous else None,
        bgnbd=fit,
    )
    with translate_db_errors(), Session(engine) as session:
        return read_inputs(
            session,
            ScoringRunRef(0, as_of, horizon),
            config,
            now,
            lambda _f, _m: None,
            engine=engine,
            given=given,
            proofs=proofs,
        )


def _signal_weeks(
    engine: Engine, config: AlertConfig, end: dt.date, horizon: int, weeks: int
) -> SignalWeeks | None:
    """The relationship signals week by week over the replay and the 52 weeks before it,
    from which each replayed week's proofs are measured (None: none of them is on)."""
    if not any(config.rule(key).enabled for key in RELATIONSHIP_RULES):
        return None
    with translate_db_errors(), Session(engine) as session:
        return signal_weeks(session, config, end, horizon=horizon, weeks=weeks + SIGNAL_WEEKS - 1)


def _last_days(data: ScoringData) -> dict[int, int]:
    """Each buyer's last paid purchase day in ``data``."""
    last = np.full(data.n, -1, np.int64)
    np.maximum.at(last, data.p_cust, data.p_day.astype(np.int64))
    ids = data.customer_ids.astype(np.int64)
    has = last >= 0
    return dict(zip(ids[has].tolist(), last[has].tolist(), strict=True))


def measure(replay: Replay, *, budget: int, daily_cap: int) -> ReplayReport:
    """The figures of a replay: per rule, overall and the recency rule."""
    raised = raised_frame(replay)
    critical = pd.DataFrame(
        [(w.day, c) for w in replay.weeks for c in w.critical], columns=["day", "customer_id"]
    )
    common: dict[str, Any] = {
        "weeks": replay.week_days,
        "end_day": replay.end_day,
        "horizon": replay.horizon,
        "owners": replay.owners,
        "values": week_values(replay),
    }
    early = early_only(raised)
    # Per rule: its early warnings (expansion and deals: all their alerts).
    kept = pd.concat([early, raised[~raised["rule_key"].isin(RISK_RULE_KEYS)]])
    overall = figures(ALL, ALL_TITLE, early, replay.lapses, critical=critical, **common)
    rules = tuple(
        figures(key, RULE_TITLES.get(key, key), kept[kept["rule_key"] == key], replay.lapses,
                **common)
        for key in replay.config.rules
        if key in replay.evaluated
    )  # fmt: skip
    recency = figures(
        RECENCY, "Recency rule", recency_frame(replay, early), replay.lapses, critical=critical,
        **common,
    )  # fmt: skip
    win_back = figures(WIN_BACK, WIN_BACK_TITLE, win_back_only(raised), replay.lapses, **common)
    at_budget = within_budget(replay, budget)
    recency_at_budget = figures(
        RECENCY, "Recency rule", recency_frame(replay, at_budget), replay.lapses, **common
    )
    notice = int(replay.config.rule(LAPSE_RULE)["notice_days"])
    # The lapse warnings raised with the notice left, and the recency rule at their volume.
    noticed = [with_notice_left(replay, volume, notice) for volume in (early, at_budget)]
    warned = [
        figures(NOTICED, f"Lapse warnings, {notice}+ days left", volume, replay.lapses, **common)
        for volume in noticed
    ]  # fmt: skip
    # A notice as long as the horizon leaves no customer to warn: nothing to compare.
    with_notice: list[ReplayFigures | None] = [
        figures(
            RECENCY_NOTICE, f"Recency rule, {notice}+ days left",
            recency_frame(replay, volume, notice), replay.lapses, **common,
        ) if notice < replay.horizon else None
        for volume in noticed
    ]  # fmt: skip
    by_value = (
        figures(
            RECENCY_VALUE, f"Recency rule, {notice}+ days left, by value",
            recency_frame(replay, noticed[1], notice, by_value=True), replay.lapses, **common,
        ) if notice < replay.horizon else None
    )  # fmt: skip
    # By the rules' titles (what the window and the table show).
    not_replayed = {RULE_TITLES.get(k, k): why for k, why in NOT_REPLAYED.items()}
    for key, rule in replay.config.rules.items():
        if key not in NOT_REPLAYED and not rule.enabled:
            not_replayed[RULE_TITLES.get(key, key)] = "switched off in Settings"
    return ReplayReport(
        start=day_date(replay.week_days[0]),
        end=day_date(replay.end_day),
        weeks=len(replay.week_days),
        horizon_days=replay.horizon,
        active_days=ACTIVE_DAYS,
        daily_cap=daily_cap,
        budget=budget,
        customers=replay.customers,
        owners=replay.owners,
        overall=overall,
        rules=rules,
        recency=recency,
        not_replayed=not_replayed,
        win_back=win_back,
        at_budget=figures(ALL, ALL_TITLE, at_budget, replay.lapses, critical=critical, **common),
        recency_at_budget=recency_at_budget,
        critical_cap=replay.config.critical_cap_per_owner,
        notice_days=notice,
        recency_notice=with_notice[0],
        recency_notice_at_budget=with_notice[1],
        value_notice_at_budget=by_value,
        warned_overall=warned[0] if notice < replay.horizon else None,
        warned_at_budget=warned[1] if notice < replay.horizon else None,
        currency=replay.config.currency,
    )


# --- the last replay, kept -------------------------------------------------------------------


def replay_key(engine: Engine, *, weeks: int, budget: int, end: dt.date, suggest: bool) -> str:
    """What a replay was computed on: everything the workspace holds (services/core/
    data_state.py, but the audit events, where the replay itself is kept), the day it ends,
    the weeks, the budget, whether thresholds were tried, and the code that scores. A
    replay with another key is out of date."""
    state = data_state(engine, without=frozenset({"audit_events"}), dated=False)
    said = f"{state}|end {end}|weeks {weeks}|budget {budget}|suggest {suggest}|{scoring_code()}"
    return "v2 " + hashlib.sha256(said.encode()).hexdigest()


def save_replay(engine: Engine, report: ReplayReport, *, actor: str) -> None:
    """Keep the replay as an audit event (the window opens the last one at once)."""
    with translate_db_errors(), Session(engine) as session, session.begin():
        session.add(
            AuditEvent(
                actor=actor,
                action=REPLAYED_ACTION,
                entity_type="alerts",
                details=report_to_dict(report),
            )
        )


def last_replay(engine: Engine, key: str | None = None) -> tuple[ReplayReport | None, bool]:
    """The last replay kept, and whether it was computed on the data as it is now (its
    key equals ``key``, or the key of its own weeks and budget now)."""
    with translate_db_errors(), Session(engine) as session:
        details = session.scalar(
            select(AuditEvent.details)
            .where(AuditEvent.action == REPLAYED_ACTION)
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
    if not details:
        return None, False
    try:
        report = report_from_dict(details)
    except (KeyError, TypeError, ValueError):
        return None, False  # kept by an older build: replay again
    if key is None:
        key = replay_key(engine, weeks=report.weeks, budget=report.budget, end=report.end,
                         suggest=bool(report.suggestions))  # fmt: skip
    return report, report.data_key == key
