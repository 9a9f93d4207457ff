"""The relationship rules: alerts when the people at an account change or go quiet, from
the people the app knows (services/people/signals.py).

- champion_left: a champion or decision maker has gone, in the last ``window_days``:
  no longer in their CRM's contacts export, their address bounced, or their address is
  now listed under another account. "Dana Smith (champion) is no longer in the Salesforce
  export since Nov 3, 2026". Critical when no other champion remains at the account.
- key_contact_dark: a champion or decision maker still there, heard from before (a
  two-way interaction), but not in the last ``quiet_days``.
- single_threaded: an account with two or more people on record of whom only one was
  heard from in the last ``active_days``, whose value is in the book's top
  ``top_value_percent`` (or at least ``min_value``, when set).
- new_decision_maker: a decision maker added in the last ``new_days`` to an account that
  already had people on record, not met yet (no two-way interaction with them).

The value is the rules' (services/alerts/rules.py): the larger of the last 12 months'
paid revenue and the scored value. Each rule's stake is the larger of the revenue at
risk and a share of that value (STAKE_SHARE): the queue ranks them with the others.
An account without contacts rows has no people here, so none of these rules holds for
it. Inputs are read up to the end of the scoring's as-of day: the Early-warning replay
replays them on history (a person added after a replayed day is not there yet; roles are
today's).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from services.alerts.config import AlertConfig
from services.core.formatting import format_date, plural
from services.core.money import format_money
from services.people.contacts import KEY_ROLES
from services.people.signals import gone_words, present, read_people_signals, who

CHAMPION_LEFT = "champion_left"
KEY_CONTACT_DARK = "key_contact_dark"
SINGLE_THREADED = "single_threaded"
NEW_DECISION_MAKER = "new_decision_maker"
RULES = (CHAMPION_LEFT, KEY_CONTACT_DARK, SINGLE_THREADED, NEW_DECISION_MAKER)
# Each rule's share of the account's value at stake.
STAKE_SHARE = {
    CHAMPION_LEFT: 0.3,
    KEY_CONTACT_DARK: 0.2,
    SINGLE_THREADED: 0.15,
    NEW_DECISION_MAKER: 0.1,
}

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _more(text: str, extra: int) -> str:
    return text + (f" (and {plural(extra, 'other', 'others')})" if extra > 0 else "")


def _said(people: pd.DataFrame, sentence: Callable[[pd.Series], str]) -> dict[int, str]:
    """One reason per account: the first person's sentence, and how many more."""
    out: dict[int, str] = {}
    for cid, group in people.groupby("customer_id", sort=False):
        first = group.iloc[0]
        out[int(str(cid))] = _more(sentence(first), len(group) - 1)
    return out


def _ordered(people: pd.DataFrame) -> pd.DataFrame:
    """Champions before decision makers, then by name: whom a reason names first."""
    rank = people["role"].map({r: k for k, r in enumerate(KEY_ROLES)}).fillna(len(KEY_ROLES))
    return people.assign(_rank=rank).sort_values(["customer_id", "_rank", "name"], kind="stable")


def read_relationships(
    conn: Connection, frame: pd.DataFrame, config: AlertConfig, end: dt.datetime
) -> None:
    """Per customer, each relationship rule's reason ("" where it does not hold) in
    ``rel_<rule>``, and whether a champion-left alert is critical (``rel_severe``)."""
    n = len(frame)
    for key in RULES:
        frame[f"rel_{key}"] = np.full(n, "", dtype=object)
    frame["rel_severe"] = np.zeros(n, dtype=bool)
    if not n or not any(config.rule(k).enabled for k in RULES):
        return
    with Session(bind=conn) as session:  # a read in the caller's transaction
        people = read_people_signals(session, frame["customer_id"].tolist(), end)
    if people.empty:
        return
    where = {int(c): k for k, c in enumerate(frame["customer_id"].tolist())}
    last_day = (end - dt.timedelta(days=1)).date()
    here = present(people)
    key = people["role"].isin(KEY_ROLES).to_numpy()
    last = people["last_two_way"]

    def put(column: str, said: dict[int, str]) -> None:
        values = frame[column].to_numpy(dtype=object).copy()
        for cid, text in said.items():
            values[where[cid]] = text
        frame[column] = values

    rule = config.rule(CHAMPION_LEFT)
    if rule.enabled:
        since = last_day - dt.timedelta(days=int(rule["window_days"]) - 1)
        gone = people[key & ~here & (people["gone_on"].map(lambda d: d is not None and d >= since))]
        champions_left = people[here & (people["role"] == "champion").to_numpy()]
        with_champion = set(champions_left["customer_id"].astype(int).tolist())
        put(f"rel_{CHAMPION_LEFT}", _said(_ordered(gone), gone_words))
        severe = frame["rel_severe"].to_numpy().copy()
        for cid in set(gone["customer_id"].astype(int).tolist()) - with_champion:
            severe[where[cid]] = True
        frame["rel_severe"] = severe
    rule = config.rule(KEY_CONTACT_DARK)
    if rule.enabled:
        days = int(rule["quiet_days"])
        cut = pd.Timestamp(end - dt.timedelta(days=days))
        dark = people[key & here & (last.notna() & (last < cut)).to_numpy()]

        def quiet(r: pd.Series) -> str:
            silent = (last_day - r["last_two_way"].date()).days
            return (
                f"{who(r['name'], r['email'], r['role'])} not heard from in {silent} days "
                f"(last on {format_date(r['last_two_way'].date())})"
            )

        put(f"rel_{KEY_CONTACT_DARK}", _said(_ordered(dark), quiet))
    _single_and_new(people, here, config, end, put)


def _single_and_new(
    people: pd.DataFrame,
    here: BoolArray,
    config: AlertConfig,
    end: dt.datetime,
    put: Callable[[str, dict[int, str]], None],
) -> None:
    last = people["last_two_way"]
    rule = config.rule(SINGLE_THREADED)
    if rule.enabled:
        cut = pd.Timestamp(end - dt.timedelta(days=int(rule["active_days"])))
        on_record = people[here]
        active = on_record[(on_record["last_two_way"].notna() & (on_record["last_two_way"] >= cut))]
        counts = on_record.groupby("customer_id").size()
        heard = active.groupby("customer_id").size()
        lone = active[active["customer_id"].map(heard).eq(1).to_numpy()]
        said = {
            int(r["customer_id"]): f"only {who(r['name'], r['email'], r['role'])} heard from in "
            f"{int(rule['active_days'])} days, of {int(counts[r['customer_id']])} people on record"
            for _, r in lone.iterrows()
            if counts[r["customer_id"]] >= 2
        }
        put(f"rel_{SINGLE_THREADED}", said)
    rule = config.rule(NEW_DECISION_MAKER)
    if rule.enabled:
        since = pd.Timestamp(end - dt.timedelta(days=int(rule["new_days"])))
        new = people[
            here
            & (people["role"] == "decision_maker").to_numpy()
            & people["added_later"].to_numpy(dtype=bool)
            & (people["created"] >= since).to_numpy()
            & last.isna().to_numpy()
        ]

        def added(r: pd.Series) -> str:
            return (
                f"{who(r['name'], r['email'], r['role'])} added on "
                f"{format_date(r['created'].date())}, not met yet"
            )

        put(f"rel_{NEW_DECISION_MAKER}", _said(new.sort_values(["customer_id", "name"]), added))


def relationship_alerts(
    c: pd.DataFrame, key: str, at_risk: FloatArray, value: FloatArray, config: AlertConfig
) -> tuple[BoolArray, list[str], FloatArray]:
    """Who one relationship rule holds for, the reason of each, and every customer's stake."""
    said = c[f"rel_{key}"].to_numpy(dtype=object)
    mask = said != ""
    if key == SINGLE_THREADED:
        rule = config.rule(key)
        floor = float(rule["min_value"]) * 100.0
        if floor <= 0:
            valued = value[np.isfinite(value) & (value > 0)]
            top = float(rule["top_value_percent"]) / 100.0
            floor = float(np.quantile(valued, 1.0 - top)) if valued.size else np.inf
        mask &= np.nan_to_num(value) >= floor
        mask &= np.nan_to_num(value) > 0
    worth = np.maximum(np.nan_to_num(value), 0)
    stake: FloatArray = np.fmax(np.nan_to_num(at_risk), STAKE_SHARE[key] * worth)
    reasons = [str(s) for s in said[mask]]
    if key == SINGLE_THREADED:
        reasons = [
            f"{text}; worth {format_money(cents, config.currency, decimals=0)}"
            for text, cents in zip(reasons, worth[mask].tolist(), strict=True)
        ]
    return mask, reasons, stake
