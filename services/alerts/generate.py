"""Raise and refresh alerts from the latest scores (docs/design.md section 7).

``generate_alerts`` runs after every scoring (the ``score`` command and the window's
Score now both call it). It reads the latest scoring run's snapshot, the snapshot before
it and a few aggregates (paid orders for the usual gap and spend, recent tickets,
reviews and clicks, open deals, recent contacts), evaluates every enabled rule over all
customers at once with numpy/pandas, and writes the result with bulk statements in one
transaction. No query runs per customer.

Rules (parameters and severities are workspace settings, see services/settings/alert_rules.py;
defaults in brackets). Every rule looks only at scored customers, and "in the last N
days" ends with the scores' as-of date T:

- high_risk_high_value [critical]: churn risk >= 60% and paid revenue over the last 12
  months in the top 20% of scored customers (and above zero): what revenue at risk puts
  at risk. "churn risk 82% and $1,540 paid in the last 12 months".
- lapse_coming [warning]: a customer not lapsed yet whose chance of no order before their
  lapse point (H days after the last one) is >= 70%, with >= 30 days still to go; the
  chance is BG/NBD's, from the scoring run's stored fit (services/alerts/lapse.py).
  Priority: that chance x the last 12 months' paid revenue. Not evaluated when the run
  has no fit.
- risk_rising [warning]: churn risk up >= 15 points since the previous scoring (the
  latest earlier as-of date, same horizon) and now >= 40%. Needs a previous scoring.
- engagement_drop [info]: engagement score down >= 15 points since the previous scoring.
- gone_quiet [warning]: a repeat buyer (two or more purchase days) with no order for
  more than 2 x the usual gap, at most 365 days (then the customer counts as lost). The
  usual gap is scoring's: the median days between distinct purchase days, at least 7
  (services/scoring/health.usual_gap, the same number the drivers quote).
- negative_experience [warning]: >= 2 tickets rated bad, or a review of 1-2 stars,
  within 60 days.
- conversation_risk [warning]: in a conversation imported within 30 days the customer
  raised cancellation, a competitor, a budget cut, a price complaint or their champion
  leaving (services.alerts._conversation_risk.py).
- champion_left [warning; critical when no other champion remains], key_contact_dark
  [warning], single_threaded [warning], new_decision_maker [info]: the people at an
  account leaving or going quiet (services/alerts/_relationship.py); only accounts with
  contacts rows, and only while the signal is proven: replayed on the workspace's history,
  its precision against lost renewals (lapses without contracts) is at least the rule's
  min_precision_percent (services/alerts/signal_proofs.py).
- ticket_past_sla [warning]: a ticket whose status is not finished (solved, closed,
  resolved, cancelled; a ticket without a status does not count) opened more than 72
  hours before the earlier of now and the end of T.
- expansion [opportunity]: engagement >= 70 and either spend of the last 90 days up
  >= 30% on the 90 before, or email clicks of the last 90 days >= 2 and up >= 30%.
- stalled_opportunity [warning]: an open deal whose stage starts with Qualified,
  Qualification or Proposal, in that stage (since stage_changed_at, else since it was
  created) for more than 14 days, and no contact for 10 days (a call, meeting, note or
  ticket; an action logged in the app; an email logged as sent).
- usage_drop [warning]: product use in the last two full weeks far below the customer's
  own usual 10 weeks before them, by a robust score (services/alerts/usage_drop.py).
  Not evaluated on a workspace with no usage data.
- renewal_at_risk [warning]: an open contract renewing within 120 days whose likelihood
  to renew is below 50%, or whose owner's latest call is at risk or lost.
- notice_closing [warning]: an open contract whose last day for notice (renewal date -
  notice days) is within 30 days, with a likelihood below 50% or no call recorded. Both
  renewal rules (services/alerts/renewal_rules.py) rank by the yearly recurring amount x
  (1 - the likelihood); on a workspace without open contracts nothing holds.

Priority (``priority_cents``): revenue at risk = churn risk x the last 12 months' paid
revenue (services.scoring.run.revenue_at_risk) from the snapshot, for every rule except
two: an expansion's priority is its expected upside (25% of the 12-month value by
default), a stalled deal's the expected value of the stalled deals (amount x probability;
the amount when no probability is known).

What happens to alerts:
- One active alert (open, snoozed or in progress) per customer and rule; a unique index
  guarantees it. When the rule still holds, the next generation refreshes that alert:
  severity, reason, priority, drivers, snapshot id and owner are updated, never
  duplicated. Its ``version`` and ``updated_at`` move only with a change a person acts
  on (the owner, the condition holding again; every status change the generation makes
  moves them too): services/alerts/conflict.py.
- When a rule no longer holds, its active alert stays until the user acts (the account
  manager may be mid-conversation) and is marked ``cleared_at``; the window can say
  "condition cleared". If it holds again, the mark goes. An alert snoozed "until the
  condition clears" is resolved by the app instead, with outcome "condition_cleared"
  and an audit event.
- A snooze until a date ends when the date comes: the list already shows such alerts as
  open, and the next generation sets them open again, audited.
- Alerts of a disabled rule, or of a rule that cannot be evaluated (the two "since the
  previous scoring" rules on a first scoring), are left as they are.
- New alerts are not raised for a customer contacted in the last 14 days (cool-down:
  an email logged as sent or exported in ``outreach``, a call logged as an action, a call
  or meeting among the interactions, or an email a user logged in the app), nor for a
  customer and rule whose alert a user resolved or dismissed in the last 30 days.
  Expansion alerts are not raised for do-not-contact customers (their only action is
  outreach); every other alert is raised for them and flagged, and the window offers no
  outreach (services.alerts.queries).
- Daily cap: at most 25 new alerts per owner per UTC day (0: no cap; critical alerts are
  never capped and do not count toward it), the highest
  priorities first; the rest are kept as held back (listed, raised now by a user if
  wanted, never counted as work) and raised by a later generation while they still hold;
  one still held back keeps its id, one that no longer holds goes.
- Critical ceiling, when set: at most that many new critical alerts per owner per UTC day
  (setting alerts.critical_cap_per_owner; 0, the default: no ceiling), the highest
  priorities first; the rest are held back as the daily cap's are.
- Early warnings before win-backs: a risk alert on a customer already quiet for the churn
  horizon has lapsed (services/alerts/lapse.py); its reason says "lapsed: a win-back
  case" and the daily cap gives its room to early warnings first.
- Alerts are computed only from the latest scores: after replaying a past date they are
  left unchanged (``AlertRunResult.skipped`` says so).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.orm import Session

from models.base import utcnow
from models.db import translate_db_errors
from services.alerts._db import (
    RULES,
    aware,
    bools,
    columns,
    differs,
    fetch,
    ints,
    midnight,
    stamp,
    timestamps,
    update_from_arrays,
)
from services.alerts._saving import (
    SNAPSHOT_JOIN,
    event,
    hold_back,
    insert_alerts,
    json_param,
    owner_values,
    refreshed_columns,
    run_many,
)
from services.alerts.config import AlertConfig, read_alert_config
from services.alerts.holdout import HoldoutConfig, save_draws
from services.alerts.holdout import assign as assign_holdout
from services.alerts.holdout import audit_rows as holdout_audit_rows
from services.alerts.holdout import read_config as read_holdout_config
from services.alerts.inputs import AlertInputs, ScoringRunRef, latest_run, read_inputs
from services.alerts.lapse import LAPSE_RULE, win_back_mask
from services.alerts.records import (
    CLOSED_STATUSES,
    CONDITION_CLEARED,
    HELD_BACK,
    AlertRunResult,
)
from services.alerts.rules import evaluate_rules, not_evaluated
from services.alerts.signal_proofs import keep_signals, measure_signals, proofs_of
from services.alerts.signal_records import SignalReport
from services.alerts.worth import short_notice
from services.core._stable import stable_hashes
from services.core.formatting import format_date

ProgressFn = Callable[[float, str], None]
CancelledFn = Callable[[], bool]

SYSTEM_ACTOR = "Account Radar"
_ACTIVE_SQL = "('open', 'snoozed', 'in_progress')"


class AlertsCancelled(Exception):
    """The user cancelled alert generation; nothing was written."""


def generate_alerts(
    engine: Engine,
    run_id: int | None = None,
    *,
    now: dt.datetime | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
    actor: str = SYSTEM_ACTOR,
) -> AlertRunResult:
    """Raise, refresh and clear alerts from the latest scores; returns what it did.

    ``generate_alerts(engine, run_id=None, *, now=None, progress=None,
    cancelled=None, actor="Account Radar") -> AlertRunResult``

    - ``engine``: reads on one connection, then writes in one transaction of its own
      and commits (rolled back when cancelled or on an error).
    - ``run_id``: the scoring run just written; when it is not the latest finished run
      (a replay of a past date), nothing changes and ``result.skipped`` says why. None:
      the latest run.
    - ``now``: the time of the generation (aware; default the current UTC time): the
      cool-down, the daily cap, snoozes and the SLA are measured from it.
    - ``progress(fraction, message)`` and ``cancelled() -> bool`` as in
      services/scoring/run.py; when ``cancelled()`` turns true, AlertsCancelled is raised
      and nothing is written.
    - ``actor``: the name in the audit log for what the generation changes.

    Raises WorkspaceError (a UserFacingError) in plain words when the database cannot be
    read or written (locked, disk full...).
    """
    from services.core.access import require_whole_workspace

    require_whole_workspace(engine, "raising the alerts")
    clock = time.perf_counter()
    now = aware(now or utcnow())

    def step(fraction: float, message: str) -> None:
        if cancelled is not None and cancelled():
            raise AlertsCancelled("Alert generation was cancelled; the alerts are unchanged.")
        if progress is not None:
            progress(fraction, message)

    step(0.0, "Reading the scores")
    with (
        translate_db_errors(),
        engine.connect() as conn,
        conn.begin(),
        Session(bind=conn) as session,
    ):
        run = latest_run(session)
        if run is None:
            return AlertRunResult(run_id=None, as_of=None, skipped="the workspace is not scored")
        if run_id is not None and run_id != run.id:
            return AlertRunResult(
                run_id=run_id,
                as_of=None,
                skipped=f"the scores of {format_date(run.as_of)} are the latest ones",
            )
        config = read_alert_config(session)
        holdout = read_holdout_config(session)
        inputs, measured = _read(session, run, config, now, step, engine)
    step(0.55, "Checking the alert rules")
    candidates, evaluated = evaluate_rules(inputs, config)
    matches = {key: int((candidates["rule_key"] == key).sum()) for key in sorted(evaluated)}
    step(0.65, "Saving the alerts")
    with translate_db_errors(), engine.begin() as conn:
        counts = _write(conn, run, config, holdout, candidates, evaluated, inputs, now, actor, step)
        _keep(conn, measured, actor)
        # Last chance to cancel: the rollback leaves the alerts as they were.
        step(0.99, "Saving the alerts")
    if progress is not None:
        progress(1.0, "Alerts ready")
    return AlertRunResult(
        run_id=run.id,
        as_of=run.as_of,
        matches=matches,
        not_evaluated=not_evaluated(inputs, config),
        seconds=time.perf_counter() - clock,
        **counts,  # type: ignore[arg-type]
    )


def _read(
    session: Session,
    run: ScoringRunRef,
    config: AlertConfig,
    now: dt.datetime,
    step: ProgressFn,
    engine: Engine,
) -> tuple[AlertInputs, SignalReport | None]:
    """What the rules read, with the relationship signals' proofs as of the run's day
    (services/alerts/signal_proofs.py: kept for the same data, else measured now, in
    seconds); and the signals' replay when it is new (to be kept with the alerts)."""
    step(0.02, "Measuring the relationship signals")
    signals, new = measure_signals(session, config, run.as_of)
    proofs = proofs_of(signals, config)
    inputs = read_inputs(session, run, config, now, step, engine=engine, proofs=proofs)
    return inputs, signals if new else None


def _keep(conn: Connection, measured: SignalReport | None, actor: str) -> None:
    """Keep a replay of the signals measured for this run, for the next run on the same
    data (in the alerts' transaction)."""
    if measured is not None:
        with Session(bind=conn) as session:
            keep_signals(session, measured, actor=actor, flush=True)


# --- writing -----------------------------------------------------------------------------


def _write(
    conn: Connection,
    run: ScoringRunRef,
    config: AlertConfig,
    holdout: HoldoutConfig,
    candidates: pd.DataFrame,
    evaluated: set[str],
    inputs: AlertInputs,
    now: dt.datetime,
    actor: str,
    step: ProgressFn,
) -> dict[str, int]:
    """Merge the candidates with the active alerts and write the result."""
    # Written first: on SQLite this takes the write lock before the active alerts are
    # read, so that no other writer changes them between that read and the writes below.
    _mirror_rules(conn, config, now)
    at = stamp(conn, now)
    ids, cust, rule, status, until_clear, snoozed_until, cleared_at = columns(
        fetch(
            conn,
            "SELECT id, customer_id, rule_key, status, snooze_until_clear, snoozed_until, "
            f"cleared_at FROM alerts WHERE status IN {_ACTIVE_SQL}",
        ),
        7,
    )
    active = pd.DataFrame(
        {
            "id": ints(ids),
            "customer_id": ints(cust),
            "rule_key": pd.Series(rule, dtype=object),
            "status": pd.Series(status, dtype=object),
            "until_clear": bools(until_clear),
            "snoozed_until": timestamps(snoozed_until),
            "cleared": pd.Series(cleared_at, dtype=object).notna().to_numpy(),
        }
    )
    events: list[tuple[Any, ...]] = []

    # Snoozes whose date has come are open again.
    due = (active["snoozed_until"] <= pd.Timestamp(now)).to_numpy(dtype=bool)
    wake = active[(active["status"] == "snoozed").to_numpy() & due]
    run_many(
        conn,
        "UPDATE alerts SET status = 'open', snoozed_until = NULL, updated_at = ?, "
        "version = version + 1 WHERE id = ? AND status = 'snoozed'",
        [(at, i) for i in wake["id"].tolist()],
    )
    active.loc[wake.index, "status"] = "open"
    woke = {"from": "snoozed", "to": "open"}
    events += [event(at, actor, "alert.woke", i, woke) for i in wake["id"].tolist()]

    # Alerts of rules that were not evaluated (disabled, or no scoring of an earlier day) are
    # left as they are.
    considered = active[active["rule_key"].isin(sorted(evaluated))]
    merged = candidates.merge(
        considered[["id", "customer_id", "rule_key"]], on=["customer_id", "rule_key"], how="left"
    )
    holding = merged[merged["id"].notna()]
    fresh = merged[merged["id"].isna()]
    step(0.7, "Saving the alerts")
    # The figures are refreshed in place; the version and updated_at move only when the
    # owner changes or the condition holds again (services/alerts/conflict.py: a user who
    # acts on the card shown before the scoring overwrites nothing it wrote otherwise).
    owners = owner_values(holding)
    if conn.dialect.name == "postgresql":
        # One statement for every row (an UPDATE per row costs PostgreSQL a round of
        # planning and checks each; 20,000 alerts: 0.8 s against 0.15 s).
        moved = "(alerts.owner IS DISTINCT FROM v.owner OR alerts.cleared_at IS NOT NULL)"
        update_from_arrays(
            conn,
            "alerts",
            refreshed_columns(holding, owners),
            "severity = v.severity, reason = v.reason, priority_cents = v.priority_cents, "
            "score_snapshot_id = v.snapshot_id, owner = v.owner, cleared_at = NULL, "
            f"version = alerts.version + CASE WHEN {moved} THEN 1 ELSE 0 END, "
            f"updated_at = CASE WHEN {moved} THEN %s ELSE alerts.updated_at END, "
            "drivers = s.drivers",
            (at,),
            join=SNAPSHOT_JOIN,
        )
    else:
        moved = f"({differs(conn, 'owner')} OR cleared_at IS NOT NULL)"
        run_many(
            conn,
            "UPDATE alerts SET severity = ?, reason = ?, priority_cents = ?, "
            "score_snapshot_id = ?, owner = ?, cleared_at = NULL, "
            f"version = version + CASE WHEN {moved} THEN 1 ELSE 0 END, "
            f"updated_at = CASE WHEN {moved} THEN ? ELSE updated_at END WHERE id = ?",
            list(
                zip(
                    holding["severity"].tolist(),
                    holding["reason"].tolist(),
                    holding["priority_cents"].astype(np.int64).tolist(),
                    holding["snapshot_id"].astype(np.int64).tolist(),
                    owners,
                    owners,
                    owners,
                    [at] * len(holding),
                    holding["id"].astype(np.int64).tolist(),
                    strict=True,
                )
            ),
            step,
            (0.7, 0.8),
        )

    # Active alerts whose condition no longer holds: kept and marked; resolved when they
    # were snoozed until the condition clears.
    gone = considered[~considered["id"].isin(holding["id"].astype(np.int64).tolist())]
    closing = gone[(gone["status"] == "snoozed").to_numpy() & gone["until_clear"].to_numpy()]
    run_many(
        conn,
        "UPDATE alerts SET status = 'resolved', outcome = ?, resolved_at = ?, cleared_at = ?, "
        "snooze_until_clear = ?, updated_at = ?, version = version + 1 "
        "WHERE id = ? AND status = 'snoozed'",
        [(CONDITION_CLEARED, at, at, False, at, i) for i in closing["id"].tolist()],
    )
    closed = {"from": "snoozed", "to": "resolved", "outcome": CONDITION_CLEARED}
    events += [event(at, actor, "alert.auto_resolved", i, closed) for i in closing["id"].tolist()]
    marking = gone[~gone["id"].isin(closing["id"].tolist()) & ~gone["cleared"]]
    run_many(
        conn,
        "UPDATE alerts SET cleared_at = ?, updated_at = ?, version = version + 1 WHERE id = ?",
        [(at, at, i) for i in marking["id"].tolist()],
    )

    # Ties of priority are broken by a hash of the customer's source ids, never by the
    # internal id (which follows the order the rows were imported in).
    fresh = fresh.assign(tie=stable_hashes(conn, fresh["customer_id"].to_numpy(np.int64)))
    fresh, held, counts = _admit(conn, fresh, config, inputs, now)
    fresh, held_out = _draw_holdout(conn, fresh, inputs, holdout)
    counts["held_out"] = len(held_out)
    step(0.8, "Saving the alerts")
    created = insert_alerts(conn, fresh, at, actor, step)
    events += _held_out_events(conn, held_out, at, actor)
    hold_back(conn, held, at, actor)
    _assign_experiments(conn, now, actor)
    # The drivers of the snapshot each alert was raised or refreshed from (this run's),
    # copied in SQL. PostgreSQL's statements above copied them as they wrote each alert
    # (a second UPDATE of 30,000 alerts costs it more than the first); SQLite's inserts
    # did, so only the refreshed alerts whose drivers differ are written again.
    if conn.dialect.name != "postgresql":
        conn.exec_driver_sql(
            "UPDATE alerts SET drivers = (SELECT s.drivers FROM score_snapshots s "
            "WHERE s.id = alerts.score_snapshot_id) "
            "WHERE score_snapshot_id IN "
            "(SELECT id FROM score_snapshots WHERE scoring_run_id = ?) "
            "AND drivers IS NOT (SELECT s.drivers FROM score_snapshots s "
            "WHERE s.id = alerts.score_snapshot_id)",
            (run.id,),
        )
    summary = {
        "created": created,
        "refreshed": len(holding),
        "cleared": len(gone),
        "auto_resolved": len(closing),
        "woken": len(wake),
        **counts,
    }
    events.append((at, actor, "alerts.generated", "scoring_run", run.id, json.dumps(summary)))
    run_many(
        conn,
        "INSERT INTO audit_events (occurred_at, actor, action, entity_type, entity_id, details) "
        f"VALUES (?, ?, ?, ?, ?, {json_param(conn)})",
        events,
    )
    return summary


def _admit(
    conn: Connection,
    fresh: pd.DataFrame,
    config: AlertConfig,
    inputs: AlertInputs,
    now: dt.datetime,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """The new alerts to raise: not for customers contacted recently, not for a customer
    and rule a user closed recently, no expansion for do-not-contact customers; then the
    daily cap per owner keeps the highest priorities. Also returns those the cap left out."""
    counts = {"cooled_down": 0, "held_back": 0, "suppressed": 0, "capped": 0}
    capped = fresh.iloc[0:0]
    if fresh.empty:
        return fresh, capped, counts
    contacted = fresh["customer_id"].isin(list(inputs.contacted)).to_numpy()
    counts["cooled_down"] = int(contacted.sum())
    fresh = fresh[~contacted]
    if len(fresh) and config.realert_days > 0:
        since = now - dt.timedelta(days=config.realert_days)
        cust, rule = columns(
            fetch(
                conn,
                "SELECT DISTINCT customer_id, rule_key FROM alerts "
                f"WHERE status IN {tuple(CLOSED_STATUSES)!r} AND resolved_at >= ? "
                "AND (outcome IS NULL OR outcome <> ?)",
                (stamp(conn, since), CONDITION_CLEARED),
            ),
            2,
        )
        closed = set(zip(ints(cust).tolist(), rule, strict=True))
        held = np.array(
            [
                (c, r) in closed
                for c, r in zip(
                    fresh["customer_id"].tolist(), fresh["rule_key"].tolist(), strict=True
                )
            ],
            dtype=bool,
        )
        counts["held_back"] = int(held.sum())
        fresh = fresh[~held]
    if len(fresh):
        dnc = (fresh["rule_key"] == "expansion").to_numpy() & fresh["do_not_contact"].to_numpy(
            dtype=bool
        )
        counts["suppressed"] = int(dnc.sum())
        fresh = fresh[~dnc]
    if len(fresh) and config.daily_cap_per_owner > 0:
        # Critical alerts are never capped and do not use up an owner's room: the cap is
        # against alert fatigue, and must not hide a customer who meets the critical rule.
        critical = (fresh["severity"] == "critical").to_numpy()
        raised = {
            (owner or ""): int(n)
            for owner, n in fetch(
                conn,
                "SELECT owner, COUNT(*) FROM alerts WHERE created_at >= ? "
                "AND severity <> 'critical' AND status <> ? GROUP BY owner",
                (stamp(conn, midnight(now.date())), HELD_BACK),
            )
        }
        capable = fresh[~critical]
        owner = capable["owner"].fillna("").astype(str)
        room = config.daily_cap_per_owner - owner.map(raised).fillna(0).astype(np.int64)
        # Early warnings first: a risk alert on a customer already lapsed (a win-back
        # case, services/alerts/lapse.py) takes the room they leave.
        late = _tier(capable, inputs, config)
        ranked = capable.assign(_owner=owner, _room=room, _late=late).sort_values(
            ["_late", "priority_cents", "tie", "rule_key"],
            ascending=[True, False, True, True],
            kind="stable",
        )
        keep = (ranked.groupby("_owner", sort=False).cumcount() < ranked["_room"]).to_numpy()
        counts["capped"] = int((~keep).sum())
        capped = ranked[~keep].drop(columns=["_owner", "_room", "_late"])
        fresh = pd.concat(
            [fresh[critical], ranked[keep].drop(columns=["_owner", "_room", "_late"])]
        )
    if len(fresh) and config.critical_cap_per_owner > 0:
        late = _tier(fresh, inputs, config)
        fresh, over = _critical_ceiling(
            conn, fresh.assign(_late=late), config.critical_cap_per_owner, now
        )
        fresh, over = fresh.drop(columns=["_late"]), over.drop(columns=["_late"])
        counts["capped"] += len(over)
        capped = pd.concat([capped, over])
    return fresh, capped, counts


def _tier(fresh: pd.DataFrame, inputs: AlertInputs, config: AlertConfig) -> np.ndarray:
    """The admission tier of each new alert: 0 an early warning with notice left, 1 a lapse
    warning with less than Lapse coming's notice left (services/alerts/worth.py), 2 a
    win-back case (services/alerts/lapse.py)."""
    horizon = inputs.horizon_days
    late = win_back_mask(fresh, inputs.customers, horizon)
    notice = int(config.rule(LAPSE_RULE)["notice_days"])
    short = short_notice(fresh, inputs.customers, horizon, notice)
    return np.where(late, 2, np.where(short, 1, 0)).astype(np.int64)


def _critical_ceiling(
    conn: Connection, fresh: pd.DataFrame, ceiling: int, now: dt.datetime
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The new alerts with at most ``ceiling`` critical ones per owner per UTC day (today's
    already raised count), the highest priorities first; and the critical ones left over
    (held back as the daily cap's are). Early warnings before win-backs (``_late``)."""
    critical = (fresh["severity"] == "critical").to_numpy()
    if not critical.any():
        return fresh, fresh.iloc[0:0]
    raised = {
        (owner or ""): int(n)
        for owner, n in fetch(
            conn,
            "SELECT owner, COUNT(*) FROM alerts WHERE created_at >= ? "
            "AND severity = 'critical' AND status <> ? GROUP BY owner",
            (stamp(conn, midnight(now.date())), HELD_BACK),
        )
    }
    top = fresh[critical]
    owner = top["owner"].fillna("").astype(str)
    room = (ceiling - owner.map(raised).fillna(0).astype(np.int64)).to_numpy()
    ranked = top.assign(_owner=owner.to_numpy(), _room=room).sort_values(
        ["_late", "priority_cents", "tie", "rule_key"],
        ascending=[True, False, True, True],
        kind="stable",
    )
    keep = (ranked.groupby("_owner", sort=False).cumcount() < ranked["_room"]).to_numpy()
    ranked = ranked.drop(columns=["_owner", "_room"])
    return pd.concat([ranked[keep], fresh[~critical]]), ranked[~keep]


def _draw_holdout(
    conn: Connection, fresh: pd.DataFrame, inputs: AlertInputs, config: HoldoutConfig
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The new alerts with their holdout group drawn (services/alerts/holdout.py), the
    counters saved; and the audit details of those held out."""
    if fresh.empty or not config.on:
        return fresh, []
    inherited: dict[int, tuple[bool, str]] = {}
    for customer, flag, band in fetch(
        conn,
        "SELECT customer_id, holdout, holdout_band FROM alerts "
        f"WHERE status IN {_ACTIVE_SQL} AND holdout_band IS NOT NULL ORDER BY id",
    ):
        inherited[int(customer)] = (bool(flag), str(band))
    churn = inputs.customers.set_index("customer_id")["churn"]
    drawn, draws, audits = assign_holdout(fresh, churn, inherited, config)
    if draws != config.draws:
        with Session(bind=conn) as session:
            save_draws(session, draws)
            session.flush()
    return drawn, audits


def _held_out_events(
    conn: Connection, audits: list[dict[str, Any]], at: Any, actor: str
) -> list[tuple[Any, ...]]:
    """One "alert.held_out" audit event per alert the draw held out."""
    if not audits:
        return []
    ids = {
        (int(c), str(r)): int(i)
        for i, c, r in fetch(
            conn,
            "SELECT id, customer_id, rule_key FROM alerts WHERE created_at = ? AND holdout "
            "AND status = 'open'",
            (at,),
        )
    }
    return holdout_audit_rows(at, actor, audits, ids)


def _assign_experiments(conn: Connection, now: dt.datetime, actor: str) -> int:
    """The running strategy experiments take the new alerts (services/alerts/experiments.py)."""
    from services.alerts.experiments import assign_pending

    with Session(bind=conn) as session:
        assigned = assign_pending(session, now, actor)
        session.flush()
    return assigned


def _mirror_rules(conn: Connection, config: AlertConfig, now: dt.datetime) -> None:
    """Keep alert_rules as a mirror of the rules as last applied (the settings are the
    source of truth; SQL readers and reports can join on it)."""
    existing = set(conn.execute(select(RULES.c.key)).scalars())
    for rule in config.rules.values():
        values = {
            "name": rule.title,
            "severity": rule.severity,
            "enabled": rule.enabled,
            "params": rule.params,
            "updated_at": now,
        }
        if rule.key in existing:
            conn.execute(update(RULES).where(RULES.c.key == rule.key).values(**values))
        else:
            conn.execute(insert(RULES).values(key=rule.key, **values))
