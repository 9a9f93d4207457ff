"""The workspace's Learn data as DataFrames: the exposures, the paid orders that may
re-engage them, and what alert quality needs.

The exposure definition (the same in every Learn module):

- An experiment unit is an alert with ``holdout_band IS NOT NULL`` and a status other
  than ``held_back`` (held back by the daily cap: never shown, so never acted on).
- Held out (``alerts.holdout``): the clock starts when the alert was raised; one contacted
  anyway (``holdout_contacted_at`` set) is ``excluded`` from both groups.
- Contacted: not held out, and an outreach row with status ``sent`` or ``exported`` for
  that alert, or a playbook started on it (services/alerts/playbooks.py); the first of
  them by its time (an email's ``sent_at``, else when it was recorded; a playbook's
  start) starts the clock, and ``playbook`` names the playbook (None: email alone). An
  alert of the contacted arm with neither is "assigned outreach, not contacted": it is
  in neither rate, listed in ``not_contacted`` (the as-assigned figures, intention to
  treat, count it from its alert).
- The period: the exposure's start (for the not contacted, the alert's raising) on a
  local date (the workspace's time zone) within ``[since, until]``, both included.

Each read is one statement over the whole workspace (no query per customer), in SQL that
SQLite and PostgreSQL both run; timestamps come back as UTC ``datetime64`` columns.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from models.vocab import LEARN_BREAKDOWNS
from services.alerts._db import bools, columns, fetch, is_none, timestamps
from services.core.money import MoneyContext, home_cents_sql, load_money_context
from services.learn.attribution import CONTACTED, HOLDOUT

# The columns a breakdown can use, on every exposure row.
BREAKDOWN_COLUMNS = LEARN_BREAKDOWNS
EXPOSURE_COLUMNS = (
    "customer_id",
    "group",
    "start",
    "excluded",
    *BREAKDOWN_COLUMNS,
    "alert_id",
    "outreach_id",
    "alert_created",
)

_UNITS = "a.holdout_band IS NOT NULL AND a.status <> 'held_back'"  # the experiment's alerts
# The alerts alone, then the few columns of other tables they point to: a join row by row
# to the customers and the (wide) score snapshots costs twice as long on a big book.
_ALERTS_SQL = (
    "SELECT a.id, a.customer_id, a.rule_key, a.holdout, a.holdout_contacted_at, "
    f"a.created_at, a.owner, a.score_snapshot_id FROM alerts a WHERE {_UNITS}"
)
_SEGMENTS_SQL = (
    "SELECT s.id, s.segment FROM score_snapshots s WHERE s.id IN "
    f"(SELECT a.score_snapshot_id FROM alerts a WHERE {_UNITS})"
)
_OWNERS_SQL = (
    "SELECT c.id, c.owner FROM customers c WHERE c.id IN "
    f"(SELECT a.customer_id FROM alerts a WHERE {_UNITS} AND a.owner IS NULL)"
)
_OUTREACH_SQL = (
    "SELECT o.id, o.alert_id, COALESCE(o.sent_at, o.created_at), o.template, o.provider, "
    "o.model, o.goal, o.tone, o.variant, o.offers, "
    # The text only of emails recorded before their offers were stored (to find them).
    "CASE WHEN o.offers IS NULL THEN o.subject END, CASE WHEN o.offers IS NULL THEN o.body END "
    "FROM outreach o JOIN alerts a ON a.id = o.alert_id "
    f"WHERE o.status IN ('sent', 'exported') AND a.holdout = ? AND {_UNITS}"
)


_PLAYBOOKS_SQL = (
    "SELECT r.alert_id, r.started_at, r.name, r.id FROM playbook_runs r "
    f"JOIN alerts a ON a.id = r.alert_id WHERE a.holdout = ? AND {_UNITS}"
)


@dataclass(frozen=True)
class LearnData:
    """The exposures of a period and what goes with them."""

    exposures: pd.DataFrame  # EXPOSURE_COLUMNS, one row per alert in a group
    not_contacted: pd.DataFrame  # alert_id, customer_id, alert_created + BREAKDOWN_COLUMNS
    orders: pd.DataFrame  # customer_id, order_date (UTC), amount_cents (home currency)
    # Per held-out alert (alert_id): the last paid order before it was raised (NaT: none).
    last_order_before: pd.Series
    emails: pd.DataFrame  # outreach_id, subject, body of the contacted exposures
    money: MoneyContext
    zone: str
    # Paid orders in a currency with no exchange rate to the home one, by currency: they
    # add nothing to the money figures, and the report says so.
    left_out: dict[str, int] = field(default_factory=dict)


def local_day(stamps: pd.Series, zone: str) -> pd.Series:
    """The local date (midnight, naive datetime64) of UTC timestamps in ``zone``."""
    if stamps.empty:
        return pd.Series(pd.to_datetime([]), index=stamps.index)
    local = pd.to_datetime(stamps, utc=True).dt.tz_convert(zone).dt.tz_localize(None)
    return local.dt.normalize()


def in_period(days: pd.Series, since: dt.date | None, until: dt.date | None) -> np.ndarray:
    """Which local days lie within ``[since, until]`` (either end may be open)."""
    keep = np.ones(len(days), dtype=bool)
    if since is not None:
        keep &= (days >= pd.Timestamp(since)).to_numpy()
    if until is not None:
        keep &= (days <= pd.Timestamp(until)).to_numpy()
    return keep


def _texts(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=object)


def _lookup(rows: list[tuple[Any, ...]], keys: np.ndarray) -> np.ndarray:
    """The second column of ``rows`` for each key (None where the key is absent)."""
    table = dict(rows)
    return np.array([table.get(k) for k in keys.tolist()], dtype=object)


def _alerts(conn: Connection) -> pd.DataFrame:
    """The experiment's alerts with their owner (the alert's, else the customer's) and
    the segment of the scoring they were raised from."""
    rows = fetch(conn, _ALERTS_SQL)
    ids, customers, rules, holdout, contacted_at, created, owner, snapshot = columns(rows, 8)
    customer_ids = customers.astype(np.int64)
    missing = is_none(owner)
    if missing.any():
        owner = np.where(missing, _lookup(fetch(conn, _OWNERS_SQL), customer_ids), owner)
    snapshots = np.where(is_none(snapshot), -1, snapshot).astype(np.int64)
    return pd.DataFrame(
        {
            "alert_id": ids.astype(np.int64),
            "customer_id": customer_ids,
            "rule": _texts(rules),
            "holdout": bools(holdout),
            "excluded": ~is_none(contacted_at),
            "alert_created": timestamps(created),
            "owner": _texts(owner),
            "segment": _lookup(fetch(conn, _SEGMENTS_SQL), snapshots),
        }
    )


def _first_outreach(conn: Connection) -> pd.DataFrame:
    """The first sent or exported email of each alert of the contacted arm."""
    rows = fetch(conn, _OUTREACH_SQL, (False,))
    (
        ids,
        alert_ids,
        sent,
        template,
        provider,
        model,
        goal,
        tone,
        variant,
        offers,
        subject,
        body,
    ) = columns(rows, 12)
    frame = pd.DataFrame(
        {
            "outreach_id": ids.astype(np.int64),
            "alert_id": alert_ids.astype(np.int64),
            "start": timestamps(sent),
            "template": _template_names(template, provider, model),
            "goal": _texts(goal),
            "tone": _texts(tone),
            "variant": _texts(variant),
            "offers": _json_values(offers),
            "subject": _texts(subject),
            "body": _texts(body),
        }
    )
    frame = frame.sort_values(["alert_id", "start", "outreach_id"], kind="stable")
    return frame.drop_duplicates("alert_id", keep="first")


def _first_playbooks(conn: Connection) -> pd.DataFrame:
    """The first playbook started on each alert of the contacted arm: alert_id,
    playbook_start, playbook (its name)."""
    alert_ids, started, names, ids = columns(fetch(conn, _PLAYBOOKS_SQL, (False,)), 4)
    frame = pd.DataFrame(
        {
            "alert_id": alert_ids.astype(np.int64),
            "playbook_start": timestamps(started),
            "playbook": _texts(names),
            "run_id": ids.astype(np.int64),
        }
    )
    frame = frame.sort_values(["alert_id", "playbook_start", "run_id"], kind="stable")
    return frame.drop_duplicates("alert_id", keep="first").drop(columns="run_id")


def _reached(arm: pd.DataFrame, first: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """The contacted arm's alerts with an email or a playbook, from the first of them."""
    reached = arm.merge(runs, on="alert_id", how="left").merge(first, on="alert_id", how="left")
    reached = reached[reached["outreach_id"].notna() | reached["playbook_start"].notna()].copy()
    email = pd.to_datetime(reached["start"], utc=True)
    playbook = pd.to_datetime(reached["playbook_start"], utc=True)
    reached["start"] = email.where(playbook.isna() | (email <= playbook), playbook)
    reached["group"] = CONTACTED
    reached["excluded"] = False
    reached["outreach_id"] = reached["outreach_id"].astype("Int64")
    return reached


def _json_values(values: Any) -> np.ndarray:
    """A JSON column read by plain SQL: text on SQLite, already decoded on PostgreSQL.
    Each distinct text is decoded once (most emails' offers read the same: none)."""
    decoded: dict[str | bytes, Any] = {}

    def value(v: Any) -> Any:
        if not isinstance(v, str | bytes):
            return v
        if v not in decoded:
            decoded[v] = json.loads(v)
        return decoded[v]

    out = np.empty(len(values), dtype=object)
    out[:] = [value(v) for v in values]
    return out


def _template_names(template: np.ndarray, provider: np.ndarray, model: np.ndarray) -> np.ndarray:
    """The template's name, else "model: provider/model" for an LLM draft (None: neither)."""
    out = np.empty(len(template), dtype=object)
    for i, (name, who, which) in enumerate(zip(template, provider, model, strict=True)):
        if name:
            out[i] = str(name)
        elif which:
            out[i] = f"model: {who}/{which}" if who else f"model: {which}"
        else:
            out[i] = None
    return out


def _orders(
    conn: Connection, money: MoneyContext, since: pd.Timestamp | None
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Paid orders (home cents) of the customers with any exposure; and how many, by
    currency, have no exchange rate (their money is left out of the figures, and said)."""
    cents = home_cents_sql(money, "o.amount_cents", "o.currency")
    text = (
        f"SELECT o.customer_id, o.order_date, {cents}, o.currency FROM orders o "
        "WHERE o.status = 'paid' AND o.customer_id IN "
        f"(SELECT a.customer_id FROM alerts a WHERE {_UNITS})"
    )
    params: tuple[Any, ...] = ()
    if since is not None:
        text += " AND o.order_date >= ?"
        value = since.to_pydatetime().replace(tzinfo=None)
        params = (value.isoformat(sep=" ") if conn.dialect.name == "sqlite" else value,)
    customers, dates, amounts, currencies = columns(fetch(conn, text, params), 4)
    missing = is_none(amounts)
    left_out = pd.Series(currencies[missing], dtype=object).value_counts()
    frame = pd.DataFrame(
        {
            "customer_id": customers.astype(np.int64),
            "order_date": timestamps(dates),
            "amount_cents": np.where(missing, 0, amounts).astype(np.int64),
        }
    )
    return frame, {str(code): int(n) for code, n in left_out.items()}


def _last_orders_before(conn: Connection) -> pd.Series:
    """Per held-out alert, its customer's last paid order before the alert was raised."""
    rows = fetch(
        conn,
        "SELECT a.id, MAX(o.order_date) FROM alerts a JOIN orders o "
        "ON o.customer_id = a.customer_id AND o.order_date < a.created_at "
        f"WHERE a.holdout = ? AND o.status = 'paid' AND {_UNITS} GROUP BY a.id",
        (True,),
    )
    ids, last = columns(rows, 2)
    return pd.Series(timestamps(last), index=ids.astype(np.int64), name="last_order")


def load_learn_data(
    session: Session,
    since: dt.date | None = None,
    until: dt.date | None = None,
    zone: str = "UTC",
) -> LearnData:
    """The exposures whose start falls in the period (local dates in ``zone``), with the
    orders and emails, read in the caller's transaction."""
    conn = session.connection()
    money = load_money_context(conn)
    alerts = _alerts(conn)
    first = _first_outreach(conn)

    held = alerts[alerts["holdout"]].copy()
    held["group"] = HOLDOUT
    held["start"] = held["alert_created"]
    held["outreach_id"] = pd.array([pd.NA] * len(held), dtype="Int64")
    for name in ("goal", "template", "variant", "tone", "playbook"):
        held[name] = None

    arm = alerts[~alerts["holdout"]]
    reached = _reached(arm, first, _first_playbooks(conn))

    exposures = pd.concat(
        [held[list(EXPOSURE_COLUMNS)], reached[list(EXPOSURE_COLUMNS)]], ignore_index=True
    )
    exposures["start"] = pd.to_datetime(exposures["start"], utc=True)
    exposures = exposures[in_period(local_day(exposures["start"], zone), since, until)]
    exposures = exposures.sort_values(["start", "alert_id"], kind="stable").reset_index(drop=True)

    missed = arm[~arm["alert_id"].isin(reached["alert_id"])].copy()
    for name in ("goal", "template", "variant", "tone", "playbook"):
        missed[name] = None
    missed = missed[in_period(local_day(missed["alert_created"], zone), since, until)]
    not_contacted = missed[
        ["alert_id", "customer_id", "alert_created", *BREAKDOWN_COLUMNS]
    ].reset_index(drop=True)

    starts = [exposures["start"], pd.to_datetime(not_contacted["alert_created"], utc=True)]
    earliest = min((x.min() for x in starts if len(x)), default=None)
    orders, left_out = _orders(conn, money, earliest if earliest is not None else None)
    emails = reached.loc[
        reached["outreach_id"].isin(exposures["outreach_id"].dropna()),
        ["outreach_id", "customer_id", "offers", "subject", "body"],
    ].reset_index(drop=True)
    return LearnData(
        exposures=exposures,
        not_contacted=not_contacted,
        orders=orders,
        last_order_before=_last_orders_before(conn),
        emails=emails,
        money=money,
        zone=zone,
        left_out=left_out,
    )
