"""What the window (and the command line) reads of the alert list: SQL stays in here.

- ``alert_columns``: the alert list as numpy columns (records.ALERT_COLUMNS), one SQL
  statement, sorted by priority; ``alerts_frame`` is the same as a DataFrame.
- ``alert_counts``: working alerts by severity, all alerts by status.
- ``alerts_export_frame``: every alert for ``export alerts``.

One alert's detail is read in services/alerts/detail.py, the dashboard's figures in
services/alerts/dashboard.py.

"Status" is the status the user sees: an alert snoozed until a date that has come reads
"open" (the next alert generation stores it so). Customers who asked not to be contacted
(``do_not_contact``) or who unsubscribed from emails are flagged on every row: the window
offers them no outreach.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine

from models.vocab import SEVERITIES
from services.alerts._db import (
    STATUS_SQL,
    bools,
    columns,
    driver_texts,
    fetch,
    floats,
    ints,
    is_none,
    reading,
    stamp,
    timestamps,
)
from services.alerts.config import RULE_QUEUES, RULE_TITLES
from services.alerts.lifecycle import moment
from services.alerts.records import (
    ACTIVE_STATUSES,
    ALERT_COLUMNS,
    OUTCOME_LABELS,
    RAISED_STATUSES,
    SEVERITY_RANK,
    STATUSES,
    WORKING_STATUSES,
    AlertCounts,
)
from services.core.account_names import account_sql_text

if TYPE_CHECKING:
    import pandas as pd

# What the SQL reads, in order (the list columns are built from these).
_LIST_SQL = """
SELECT a.id, a.customer_id, {account}, {person}, a.severity, {status}, a.rule_key,
       a.reason, a.owner, s.segment, a.priority_cents, a.created_at, a.updated_at,
       a.snoozed_until, a.snooze_until_clear, c.do_not_contact,
       CASE WHEN a.customer_id IN (
           SELECT customer_id FROM interactions WHERE kind = 'unsubscribe') THEN 1 ELSE 0 END,
       a.cleared_at, a.outcome, s.revenue_at_risk_cents,
       CASE WHEN a.holdout AND a.holdout_contacted_at IS NULL THEN 1 ELSE 0 END, s.churn_risk
FROM alerts a
JOIN customers c ON c.id = a.customer_id
LEFT JOIN score_snapshots s ON s.customer_id = a.customer_id AND s.scoring_run_id + 0 = (
    SELECT r.id FROM scoring_runs r WHERE r.status = 'finished'
    ORDER BY r.as_of DESC, r.id DESC LIMIT 1)
{where}
ORDER BY COALESCE(a.priority_cents, 0) DESC, CASE a.severity {ranks} ELSE 9 END, {created}, a.id
"""
# "+ 0" keeps SQLite from looking the snapshot up by run (100,000 rows per alert) instead
# of by customer. The ORDER BY is the list's order (``_list_columns`` sorts by the same
# keys): sorted by the database, in C and without the interpreter lock, the rows usually
# arrive in order, and the columns need no reordering.
_RANKS_SQL = " ".join(f"WHEN '{name}' THEN {rank}" for name, rank in SEVERITY_RANK.items())
# The creation time to the second, as the list compares it (datetime64[s]).
_CREATED_SQL = {"sqlite": "substr(a.created_at, 1, 19)"}


def _seconds(values: pd.DatetimeIndex) -> npt.NDArray[np.datetime64]:
    """Naive UTC datetime64[s] (NaT for missing), what the window's models take."""
    result: npt.NDArray[np.datetime64] = (
        values.tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[s]")
    )
    return result


def _stamps(values: npt.NDArray[np.object_]) -> npt.NDArray[np.datetime64]:
    """``_seconds(timestamps(values))`` parsed by numpy in one C call: stored timestamps are
    naive UTC (ISO text on SQLite, datetimes on PostgreSQL). Anything numpy does not read
    goes through pandas, as before (the list's read does not import it otherwise)."""
    try:
        parsed: npt.NDArray[np.datetime64] = np.asarray(values, dtype="datetime64[us]")
    except (TypeError, ValueError):
        return _seconds(timestamps(values))
    return parsed.astype("datetime64[s]")


def _coded(values: npt.NDArray[np.object_]) -> tuple[list[Any], npt.NDArray[np.int64]]:
    """A column of a handful of distinct values as those values (in order of first
    appearance) and each row's index among them: one dict look-up per row."""
    lookup: dict[Any, int] = {}
    codes = np.fromiter(
        (lookup.setdefault(v, len(lookup)) for v in values.tolist()), np.int64, len(values)
    )
    return list(lookup), codes


def _by_code(distinct: list[Any], codes: npt.NDArray[np.int64], fn: Callable[[Any], Any]) -> Any:
    """``fn`` of each row's value as an object array, called once per distinct value (a
    rule's title and queue: a handful of values over 100,000 alerts); each row holds the
    one object of its value, not a copy of its own."""
    mapped = np.empty(len(distinct), dtype=object)
    mapped[:] = [fn(v) for v in distinct]
    return mapped[codes]


# --- the list ------------------------------------------------------------------------------


def alert_columns(
    engine: Engine,
    *,
    statuses: Iterable[str] | None = WORKING_STATUSES,
    severities: Iterable[str] | None = None,
    owner: str | None = None,
    customer_id: int | None = None,
    now: dt.datetime | None = None,
) -> dict[str, np.ndarray]:
    """Alerts as numpy columns (records.ALERT_COLUMNS), highest priority first.

    ``statuses``: the statuses to list as the user sees them (default open and in
    progress; None: every alert). ``severities``: None for all. ``owner``: an owner's
    name (any case), or "" for alerts without an owner. Ties in priority are broken by
    severity, then by age (oldest first). One SQL statement.
    """
    when = moment(now)
    wanted_status = None if statuses is None else tuple(statuses)
    wanted_severity = None if severities is None else tuple(severities)
    unknown = sorted(set(wanted_status or ()) - set(STATUSES))
    if unknown:
        raise ValueError(f"unknown status {unknown[0]!r}")
    with reading(engine) as conn:
        at = stamp(conn, when)
        where, params = [], [at]
        if wanted_status is not None:
            where.append(f"{STATUS_SQL} IN ({', '.join('?' for _ in wanted_status)})")
            params += [at, *wanted_status]
        if wanted_severity is not None:
            where.append(f"a.severity IN ({', '.join('?' for _ in wanted_severity)})")
            params += list(wanted_severity)
        if owner is not None:
            clause, value = _owner_filter(owner)
            where.append(clause)
            params += value
        if customer_id is not None:
            where.append("a.customer_id = ?")
            params.append(int(customer_id))
        text = _LIST_SQL.format(
            # The account's name and its person (services/core/account_names.py).
            account=account_sql_text(conn.dialect, "c"),
            person=account_sql_text(conn.dialect, "c", what="person"),
            status=STATUS_SQL,
            where=("WHERE " + " AND ".join(where)) if where else "",
            ranks=_RANKS_SQL,
            created=_CREATED_SQL.get(conn.dialect.name, "date_trunc('second', a.created_at)"),
        )
        rows = fetch(conn, text, params)
    return _list_columns(rows)


def _owner_filter(owner: str) -> tuple[str, list[Any]]:
    """SQL for one owner, in any case (the database lowers both sides the same way), or for
    alerts without an owner when ``owner`` is blank."""
    if owner.strip():
        return "lower(a.owner) = lower(?)", [owner.strip()]
    return "(a.owner IS NULL OR a.owner = '')", []


def _list_columns(rows: list[tuple[Any, ...]]) -> dict[str, np.ndarray]:
    (
        ids, cust, account, person, severity, status, rule_key, reason, owner, segment,
        priority, created, updated, snoozed, until_clear, dnc, unsub, cleared, outcome,
        risk_now, holdout, churn_now,
    ) = columns(rows, 22)  # fmt: skip
    # The person beside the account's name, when the account is not its person.
    beside = np.where(person == account, np.array(None, dtype=object), person)
    rules, rule_code = _coded(rule_key)
    severities, severity_code = _coded(severity)
    out: dict[str, np.ndarray] = {
        "id": ints(ids),
        "customer_id": ints(cust),
        "customer": account.astype(object),
        "person": beside.astype(object),
        "severity": _by_code(severities, severity_code, lambda s: s),
        "status": status,
        "rule": _by_code(rules, rule_code, lambda k: RULE_TITLES.get(k, k)),
        "rule_key": _by_code(rules, rule_code, lambda k: k),
        "reason": reason,
        "owner": owner,
        "segment": segment,
        "priority_cents": np.nan_to_num(floats(priority)).astype(np.int64),
        "created_at": _stamps(created),
        "updated_at": _stamps(updated),
        "snoozed_until": _stamps(snoozed),
        "snooze_until_clear": bools(until_clear),
        "do_not_contact": bools(dnc),
        "unsubscribed": bools(unsub),
        "condition_cleared": ~is_none(cleared),
        "outcome": outcome,
        "queue": _by_code(rules, rule_code, lambda k: RULE_QUEUES.get(k, "risk")),
        # The customer's revenue at risk by the latest scoring (-1: not scored by it).
        "risk_now_cents": np.nan_to_num(floats(risk_now), nan=-1.0).astype(np.int64),
        "holdout": bools(holdout),
        # The customer's churn risk by the latest scoring (NaN: not scored by it).
        "churn_now": floats(churn_now),
    }
    rank = _by_code(severities, severity_code, lambda s: SEVERITY_RANK.get(s, 9))
    created = out["created_at"].astype(np.int64)
    order = np.lexsort((out["id"], created, rank.astype(np.int64), -out["priority_cents"]))
    if np.array_equal(order, np.arange(len(order))):
        return {name: out[name] for name in ALERT_COLUMNS}  # in order already (the SQL's)
    return {name: out[name][order] for name in ALERT_COLUMNS}


def alerts_frame(engine: Engine, **filters: Any) -> pd.DataFrame:
    """``alert_columns`` as a DataFrame (same filters, same order)."""
    import pandas as pd

    return pd.DataFrame(alert_columns(engine, **filters), columns=list(ALERT_COLUMNS))


def alert_counts(
    engine: Engine,
    *,
    owner: str | None = None,
    now: dt.datetime | None = None,
) -> AlertCounts:
    """Working alerts (open, in progress) by severity, and every alert by status."""
    when = moment(now)
    with reading(engine) as conn:
        params: list[Any] = [stamp(conn, when)]
        where = ""
        if owner is not None:
            clause, value = _owner_filter(owner)
            where = f"WHERE {clause}"
            params += value
        rows = fetch(
            conn,
            f"SELECT {STATUS_SQL}, a.severity, COUNT(*) FROM alerts a {where} GROUP BY 1, 2",
            params,
        )
    by_status = dict.fromkeys(STATUSES, 0)
    by_severity = dict.fromkeys(SEVERITIES, 0)
    for status, severity, count in rows:
        by_status[status] = by_status.get(status, 0) + int(count)
        if status in WORKING_STATUSES:
            by_severity[severity] = by_severity.get(severity, 0) + int(count)
    return AlertCounts(by_severity=by_severity, by_status=by_status)


# --- the export ----------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "alert_id",
    "customer_id",
    "customer",
    # Who stands for the account, when the account is not its person; then the company
    # and the address on the customer's own row.
    "person",
    "company",
    "email",
    "owner",
    "severity",
    "status",
    "rule",
    "reason",
    "priority",
    "created_at",
    # The local day by whose end someone should act (services/alerts/sla.py, the card's
    # "Due Tue, Dec 1") and whether it has passed with nobody acting while it is active.
    "due_on",
    "overdue",
    "updated_at",
    "age_days",
    "snoozed_until",
    "snooze_until_clear",
    "outcome",
    "resolved_at",
    "condition_cleared",
    "segment",
    "do_not_contact",
    "unsubscribed",
    "drivers",
    # Learn's group, drawn when the alert was raised: "holdout", "outreach", or empty when
    # it is in no group (services/alerts/holdout.py); and when a held-out customer was
    # contacted anyway (then in neither group).
    "learn_group",
    "holdout_contacted_at",
)


def alerts_export_frame(engine: Engine, *, now: dt.datetime | None = None) -> pd.DataFrame:
    """Every raised alert (not those held back by the daily cap), one row each
    (EXPORT_COLUMNS): active ones first by priority, then the closed ones, newest first.
    customer_id is the source's customer id (else the email), like the scores export;
    priority is in currency units; drivers are the snapshot's reasons joined with "; "."""
    import pandas as pd

    from services.alerts.sla import due_columns

    when = moment(now)
    listed = alerts_frame(engine, statuses=RAISED_STATUSES, now=when)
    with reading(engine) as conn:
        extra = fetch(
            conn,
            "SELECT a.id, c.external_id, c.email, a.resolved_at, a.drivers, a.holdout, "
            "a.holdout_band, a.holdout_contacted_at, c.company FROM alerts a "
            "JOIN customers c ON c.id = a.customer_id",
        )
    ids, external, email, resolved, drivers, held, band, contacted, company = columns(extra, 9)
    arm = np.where(bools(held), "holdout", "outreach").astype(object)
    group = np.where(is_none(band), np.full(len(arm), None, dtype=object), arm)
    more = pd.DataFrame(
        {
            "id": ints(ids),
            "external_id": external,
            "email": email,
            "company": company,
            "resolved_at": _seconds(timestamps(resolved)),
            "drivers": ["; ".join(driver_texts(d)) or None for d in drivers.tolist()],
            "learn_group": group.astype(object),
            "holdout_contacted_at": _seconds(timestamps(contacted)),
        }
    )
    frame = listed.drop(columns=["holdout"], errors="ignore").merge(more, on="id", how="left")
    key = frame["external_id"].where(frame["external_id"].notna(), frame["email"])
    frame["customer_id"] = key.where(key.notna(), frame["customer_id"].astype(str))
    frame["alert_id"] = frame["id"]
    frame["priority"] = frame["priority_cents"] / 100.0
    frame["age_days"] = np.floor(
        (np.datetime64(when.replace(tzinfo=None), "s") - frame["created_at"].to_numpy())
        / np.timedelta64(1, "D")
    ).astype(np.int64)
    due, overdue = due_columns(
        engine, frame["id"].to_numpy(), frame["created_at"].to_numpy(),
        frame["severity"].to_numpy(), frame["status"].to_numpy(), when,
    )  # fmt: skip
    frame["due_on"] = pd.Series(due, index=frame.index, dtype=object)
    frame["overdue"] = pd.Series(overdue, index=frame.index, dtype=bool)
    frame["outcome"] = frame["outcome"].map(lambda o: OUTCOME_LABELS.get(o, o) if o else None)
    active = frame["status"].isin(ACTIVE_STATUSES)
    frame = pd.concat(
        [frame[active], frame[~active].sort_values("updated_at", ascending=False, kind="stable")]
    )
    return frame.loc[:, list(EXPORT_COLUMNS)].reset_index(drop=True)
