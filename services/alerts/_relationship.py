"""The relationship rules: alerts when the people at an account change or go quiet, from
the people the app knows (services/people/signals.py).

- champion_left: a champion or decision maker has gone, in the last ``window_days``:
  no longer in their CRM's contacts export, their address bounced, or their address is
  now listed under another account. "Dana Smith (champion) is no longer in the Salesforce
  export since Nov 3, 2026". Critical when no other champion remains at the account.
- key_contact_dark: a champion or decision maker still there, heard from before (a
  two-way interaction, or an order, ticket or use of the product of their own), but not in
  the last ``quiet_days``.
- single_threaded: an account with two or more people on record of whom only one was
  heard from (the same way) in the last ``active_days``, whose value is in the book's top
  ``top_value_percent`` (or at least ``min_value``, when set).
- new_decision_maker: a decision maker added in the last ``new_days`` to an account that
  already had people on record, not met yet (no two-way interaction with them).

Each is a signal measured on the workspace's own history (services/alerts/signal_replay.py)
and raises alerts only while proven (services/alerts/signal_proofs.py): its measured
precision at least the rule's ``min_precision_percent``. An unproven one raises nothing
here; the People tab and the customer's timeline show it, marked so.

The value is the rules' (services/alerts/rules.py): the larger of the last 12 months'
paid revenue and the scored value. Each rule's stake is the larger of the revenue at
risk and a share of that value (STAKE_SHARE): the queue ranks them with the others.
An account without contacts rows has no people here, so none of these rules holds for
it. Inputs are read up to the end of the scoring's as-of day, with the roles and people of
that day: the Early-warning replay replays them on history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from services.alerts.config import AlertConfig, RuleConfig
from services.alerts.proof import Proof
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
# Proofs by rule, as of a day (services/alerts/signal_proofs.py).
Proofs = Mapping[str, Proof]


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


def found(people: pd.DataFrame, config: AlertConfig, end: dt.datetime) -> dict[str, pd.DataFrame]:
    """Per enabled rule, the people whose state makes it hold before ``end`` (before the
    single-threaded value floor): gone champions and decision makers, dark ones, the one
    person heard from (with ``on_record``, the account's people on record), new decision
    makers not met yet."""
    out: dict[str, pd.DataFrame] = {}
    if people.empty:
        return out
    last_day = (end - dt.timedelta(days=1)).date()
    here = present(people)
    key = people["role"].isin(KEY_ROLES).to_numpy()
    heard = people["last_heard"]
    rule = config.rule(CHAMPION_LEFT)
    if rule.enabled:
        since = last_day - dt.timedelta(days=int(rule["window_days"]) - 1)
        recent = people["gone_on"].map(lambda d: d is not None and d >= since).to_numpy(bool)
        out[CHAMPION_LEFT] = people[key & ~here & recent]
    rule = config.rule(KEY_CONTACT_DARK)
    if rule.enabled:
        cut = pd.Timestamp(end - dt.timedelta(days=int(rule["quiet_days"])))
        out[KEY_CONTACT_DARK] = people[key & here & (heard.notna() & (heard < cut)).to_numpy()]
    rule = config.rule(SINGLE_THREADED)
    if rule.enabled:
        cut = pd.Timestamp(end - dt.timedelta(days=int(rule["active_days"])))
        on_record = people[here]
        active = on_record[(on_record["last_heard"].notna() & (on_record["last_heard"] >= cut))]
        counts = on_record.groupby("customer_id").size()
        alone = active.groupby("customer_id").size()
        lone = active[active["customer_id"].map(alone).eq(1).to_numpy()]
        lone = lone.assign(on_record=lone["customer_id"].map(counts).to_numpy())
        out[SINGLE_THREADED] = lone[lone["on_record"] >= 2]
    rule = config.rule(NEW_DECISION_MAKER)
    if rule.enabled:
        since_ts = pd.Timestamp(end - dt.timedelta(days=int(rule["new_days"])))
        out[NEW_DECISION_MAKER] = people[
            here
            & (people["role"] == "decision_maker").to_numpy()
            & people["added_later"].to_numpy(dtype=bool)
            & (people["created"] >= since_ts).to_numpy()
            & people["last_two_way"].isna().to_numpy()
        ]
    return out


def _reasons(
    people: pd.DataFrame, holds: dict[str, pd.DataFrame], config: AlertConfig, end: dt.datetime
) -> dict[str, dict[int, str]]:
    """Per rule, each account's reason in words."""
    last_day = (end - dt.timedelta(days=1)).date()
    out: dict[str, dict[int, str]] = {}
    if CHAMPION_LEFT in holds:
        out[CHAMPION_LEFT] = _said(_ordered(holds[CHAMPION_LEFT]), gone_words)
    if KEY_CONTACT_DARK in holds:

        def quiet(r: pd.Series) -> str:
            silent = (last_day - r["last_heard"].date()).days
            return (
                f"{who(r['name'], r['email'], r['role'])} not heard from in {silent} days "
                f"(last on {format_date(r['last_heard'].date())})"
            )

        out[KEY_CONTACT_DARK] = _said(_ordered(holds[KEY_CONTACT_DARK]), quiet)
    if SINGLE_THREADED in holds:
        days = int(config.rule(SINGLE_THREADED)["active_days"])
        out[SINGLE_THREADED] = {
            int(r["customer_id"]): f"only {who(r['name'], r['email'], r['role'])} heard from "
            f"in {days} days, of {int(r['on_record'])} people on record"
            for _, r in holds[SINGLE_THREADED].iterrows()
        }
    if NEW_DECISION_MAKER in holds:

        def added(r: pd.Series) -> str:
            return (
                f"{who(r['name'], r['email'], r['role'])} added on "
                f"{format_date(r['created'].date())}, not met yet"
            )

        new = holds[NEW_DECISION_MAKER].sort_values(["customer_id", "name"])
        out[NEW_DECISION_MAKER] = _said(new, added)
    return out


def signal_reasons(
    people: pd.DataFrame, config: AlertConfig, end: dt.datetime
) -> tuple[dict[str, dict[int, str]], set[int]]:
    """Per enabled rule, each account it holds for with its reason (before the
    single-threaded value floor), and the accounts whose champion left with no other
    champion remaining (critical)."""
    holds = found(people, config, end)
    severe: set[int] = set()
    if CHAMPION_LEFT in holds and not people.empty:
        here = present(people)
        remaining = people[here & (people["role"] == "champion").to_numpy()]
        with_champion = set(remaining["customer_id"].astype(int).tolist())
        severe = set(holds[CHAMPION_LEFT]["customer_id"].astype(int).tolist()) - with_champion
    return _reasons(people, holds, config, end), severe


def read_relationships(
    conn: Connection,
    frame: pd.DataFrame,
    config: AlertConfig,
    end: dt.datetime,
    *,
    proofs: Proofs,
) -> None:
    """Per customer, each relationship rule's reason ("" where it does not hold, or where
    the rule is unproven) in ``rel_<rule>``, and whether a champion-left alert is critical
    (``rel_severe``). ``proofs``: each rule's measured precision as of ``end``
    (services/alerts/signal_proofs.py); a rule without one is unproven."""
    n = len(frame)
    for key in RULES:
        frame[f"rel_{key}"] = np.full(n, "", dtype=object)
    frame["rel_severe"] = np.zeros(n, dtype=bool)
    if not n or not any(config.rule(k).enabled for k in RULES):
        return
    if not any(config.rule(k).enabled and proofs[k].proven for k in RULES if k in proofs):
        return
    with Session(bind=conn) as session:  # a read in the caller's transaction
        people = read_people_signals(session, frame["customer_id"].tolist(), end)
    reasons, severe = signal_reasons(people, config, end)
    where = {int(c): k for k, c in enumerate(frame["customer_id"].tolist())}
    for key, said in reasons.items():
        if key not in proofs or not proofs[key].proven:
            continue  # unproven: shown where it was found, raises nothing
        values = frame[f"rel_{key}"].to_numpy(dtype=object).copy()
        for cid, text in said.items():
            values[where[cid]] = text
        frame[f"rel_{key}"] = values
    marks = frame["rel_severe"].to_numpy().copy()
    for cid in severe:
        marks[where[cid]] = True
    frame["rel_severe"] = marks


def value_floor(rule: RuleConfig, value: FloatArray) -> float:
    """The single-threaded rule's floor of value (cents): its amount when set, else the
    book's top share among the customers with a value."""
    floor = float(rule["min_value"]) * 100.0
    if floor <= 0:
        valued = value[np.isfinite(value) & (value > 0)]
        top = float(rule["top_value_percent"]) / 100.0
        floor = float(np.quantile(valued, 1.0 - top)) if valued.size else np.inf
    return floor


def relationship_alerts(
    c: pd.DataFrame, key: str, at_risk: FloatArray, value: FloatArray, config: AlertConfig
) -> tuple[BoolArray, list[str], FloatArray]:
    """Who one relationship rule holds for, the reason of each, and every customer's stake."""
    said = c[f"rel_{key}"].to_numpy(dtype=object)
    mask = said != ""
    if key == SINGLE_THREADED:
        floor = value_floor(config.rule(key), value)
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
