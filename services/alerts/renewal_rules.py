"""The renewal rules: contracts about to renew, read beside the model's likelihood and the
owner's call (services/renewals).

- renewal_at_risk [warning]: an open contract renewing within ``within_days`` (120) of the
  scores' date T whose likelihood to renew is below ``max_likelihood_percent`` (50%), or
  whose owner's latest call is at risk or lost.
- notice_closing [warning]: an open contract whose last day to give or act on notice
  (renewal date - notice days; a contract without a notice period has none) falls within
  ``within_days`` (30) of T, with a likelihood below ``max_likelihood_percent`` (50%) or
  no call recorded by its owner.

Each reason puts the deadline first, in words: "renews Jun 15, 2026 (in 106 days) …",
"notice must be given by Mar 11, 2026 (in 10 days), or it renews Apr 10, 2026 …". The
alert is due by the end of that day at the latest (services/alerts/sla.py).

The likelihood is the latest scoring run's row of renewal_forecasts for the contract.
An alert is one per customer and rule: a customer with several contracts that hold is
alerted on the one with the most at stake, its reason naming how many more hold. The
priority is what is at stake: the recurring amount over a year in the home currency x
(1 - the likelihood); without a likelihood the owner's call's chance stands in for it
(services/renewals/vocab.py's CALL_CHANCE), and without either, an even chance.

A workspace without open contracts reads one empty query and nothing holds (an alert of a
contract decided since is marked cleared, as any alert whose condition no longer holds).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.schema.renewals import Contract
from services.alerts._db import positions
from services.alerts.config import AlertConfig
from services.core.formatting import format_date, format_percent, plural
from services.core.money import format_money, load_money_context
from services.renewals.calls import calls_of, latest_calls, latest_forecasts
from services.renewals.vocab import AT_RISK, CALL_CHANCE, CALL_LABELS, LOST, OPEN, PERIOD_MONTHS

AT_RISK_RULE = "renewal_at_risk"
NOTICE_RULE = "notice_closing"
RENEWAL_RULES = (AT_RISK_RULE, NOTICE_RULE)
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

# The columns of read_renewals' frame, one row an open contract.
RENEWAL_COLUMNS = ("contract_id", "customer_id", "end_date", "notice_days", "annual_cents",
                   "likelihood", "call", "auto_renew")  # fmt: skip


def read_renewals(session: Session, config: AlertConfig) -> pd.DataFrame | None:
    """The open contracts with their yearly recurring amount in home cents (NaN without a
    rate), the latest likelihood (NaN: none) and the owner's latest call ("": none), no
    rows when there is none; None when neither rule is enabled."""
    if not any(config.rule(key).enabled for key in RENEWAL_RULES):
        return None
    rows = session.execute(
        select(
            Contract.id,
            Contract.customer_id,
            Contract.end_date,
            Contract.notice_days,
            Contract.amount_cents,
            Contract.currency,
            Contract.period,
            Contract.auto_renew,
        )
        .where(Contract.outcome == OPEN)
        .order_by(Contract.customer_id, Contract.id)
    ).all()
    ids = [int(r[0]) for r in rows]
    if not ids:  # nothing holds: alerts of contracts since decided are marked cleared
        return pd.DataFrame({name: pd.Series([], dtype=object) for name in RENEWAL_COLUMNS})
    forecasts = latest_forecasts(session, ids)
    calls = latest_calls(calls_of(session, contract_ids=ids))
    money = load_money_context(session)
    annual = []
    for _, _, _, _, cents, currency, period, _auto in rows:
        home = money.to_home(float(cents), currency)
        per = PERIOD_MONTHS.get(period, 12)
        annual.append(np.nan if home is None else home * 12 / per)
    return pd.DataFrame(
        {
            "contract_id": np.array(ids, np.int64),
            "customer_id": np.array([int(r[1]) for r in rows], np.int64),
            "end_date": [r[2] for r in rows],
            "notice_days": np.array([int(r[3] or 0) for r in rows], np.int64),
            "annual_cents": np.array(annual, np.float64),
            "likelihood": np.array(
                [forecasts[i].likelihood if i in forecasts else np.nan for i in ids], np.float64
            ),
            "call": [calls[i].call if i in calls else "" for i in ids],
            "auto_renew": np.array([bool(r[7]) for r in rows], bool),
        }
    )


def stakes(frame: pd.DataFrame) -> FloatArray:
    """What each contract puts at stake: its yearly amount x (1 - the likelihood), the
    call's chance standing in for a missing likelihood, an even chance for neither."""
    chance = frame["likelihood"].to_numpy(np.float64).copy()
    called = np.array([CALL_CHANCE.get(c, np.nan) for c in frame["call"]], np.float64)
    chance = np.where(np.isfinite(chance), chance, np.where(np.isfinite(called), called, 0.5))
    out: FloatArray = np.nan_to_num(frame["annual_cents"].to_numpy(np.float64)) * (1.0 - chance)
    return out


def _days(as_of: dt.date, days: pd.Series) -> npt.NDArray[np.int64]:
    return np.array([(d - as_of).days for d in days], np.int64)


def _yearly(cents: float, currency: str) -> str:
    return f"{format_money(cents, currency, decimals=0)} a year" if cents == cents else ""


def _in_days(n: int) -> str:
    return "today" if n == 0 else f"in {plural(n, 'day', 'days')}"


def _said_likelihood(row: pd.Series) -> str:
    p = float(row["likelihood"])
    return f"likelihood {format_percent(p)}" if p == p else "no likelihood yet"


def _at_risk_reason(row: pd.Series, as_of: dt.date, currency: str) -> str:
    end = row["end_date"]
    money = _yearly(float(row["annual_cents"]), currency)
    text = f"renews {format_date(end)} ({_in_days((end - as_of).days)})"
    text += f" at {money}" if money else ""
    text += f"; {_said_likelihood(row)}"
    if row["call"] in (AT_RISK, LOST):
        text += f"; owner's call {CALL_LABELS[row['call']]}"
    return text


def _notice_reason(row: pd.Series, as_of: dt.date, currency: str) -> str:
    end = row["end_date"]
    last = end - dt.timedelta(days=int(row["notice_days"]))
    money = _yearly(float(row["annual_cents"]), currency)
    when = f"{format_date(last)} ({_in_days((last - as_of).days)})"
    worth = f" at {money}" if money else ""
    if row.get("auto_renew", True):
        text = f"notice must be given by {when}, or it renews {format_date(end)}{worth}"
    else:  # the notice period still closes, but nothing renews by itself
        text = (
            f"the notice period closes {when}; it ends {format_date(end)}{worth} and does not "
            "renew on its own"
        )
    said = _said_likelihood(row)
    text += f"; no call recorded, {said}" if not row["call"] else f"; {said}"
    return text


def _by_customer(
    ids: npt.NDArray[np.int64],
    frame: pd.DataFrame,
    holds: BoolArray,
    stake: FloatArray,
    say: Callable[[pd.Series], str],
) -> tuple[BoolArray, list[str], FloatArray]:
    """Per scored customer (``ids``, ascending): whether a contract holds, the reason of
    the one with the most at stake (and how many more hold), and that stake."""
    mask = np.zeros(ids.size, bool)
    priority: FloatArray = np.zeros(ids.size, np.float64)
    reasons: dict[int, str] = {}
    held = frame[holds].assign(_stake=stake[holds])
    if held.empty:
        return mask, [], priority
    pos, ok = positions(ids, held["customer_id"].to_numpy(np.int64))
    held = held[ok].assign(_pos=pos[ok]).sort_values(["_pos", "_stake"], ascending=[True, False])
    counts = held.groupby("_pos").size()
    for _, row in held.drop_duplicates("_pos").iterrows():
        p = int(row["_pos"])
        text = say(row)
        more = int(counts[p]) - 1
        if more:
            text += f" (and {plural(more, 'more contract', 'more contracts')})"
        reasons[p] = text
        mask[p] = True
        priority[p] = float(row["_stake"])
    return mask, [reasons[p] for p in np.flatnonzero(mask).tolist()], priority


def renewal_alerts(
    customers: pd.DataFrame,
    renewals: pd.DataFrame | None,
    config: AlertConfig,
    as_of: dt.date,
) -> Iterator[tuple[str, BoolArray, list[str], FloatArray]]:
    """Each enabled renewal rule over the scored customers: (rule key, which customers
    hold, their reasons, their priorities in cents); nothing without open contracts."""
    if renewals is None:
        return
    ids = customers["customer_id"].to_numpy(np.int64)
    if renewals.empty:  # no open contract: neither rule holds for anyone
        for key in RENEWAL_RULES:
            if config.rule(key).enabled:
                yield key, np.zeros(ids.size, bool), [], np.zeros(ids.size, np.float64)
        return
    stake = stakes(renewals)
    likelihood = renewals["likelihood"].to_numpy(np.float64)
    call = renewals["call"].to_numpy(object)
    currency = config.currency

    rule = config.rule(AT_RISK_RULE)
    if rule.enabled:
        days = _days(as_of, renewals["end_date"])
        low = likelihood < float(rule["max_likelihood_percent"]) / 100.0 - 1e-12
        said_no = np.isin(call, [AT_RISK, LOST])
        holds = (days >= 0) & (days <= int(rule["within_days"])) & (low | said_no)
        mask, reasons, priority = _by_customer(
            ids, renewals, holds, stake, lambda r: _at_risk_reason(r, as_of, currency)
        )
        yield rule.key, mask, reasons, priority

    rule = config.rule(NOTICE_RULE)
    if rule.enabled:
        notice = renewals["notice_days"].to_numpy(np.int64)
        days = _days(as_of, renewals["end_date"]) - notice
        low = likelihood < float(rule["max_likelihood_percent"]) / 100.0 - 1e-12
        uncalled = call == ""
        holds = (notice > 0) & (days >= 0) & (days <= int(rule["within_days"])) & (low | uncalled)
        mask, reasons, priority = _by_customer(
            ids, renewals, holds, stake, lambda r: _notice_reason(r, as_of, currency)
        )
        yield rule.key, mask, reasons, priority
