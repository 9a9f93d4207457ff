"""What the people of the accounts say about the relationship, as of a day: who is still
there, who has left and how we know, and when each was last heard from.

``read_people_signals`` reads, for the accounts given, every contact that existed before
``end`` (a contact created later does not exist yet: a replay of a past day sees the people
of that day), one row each:

- ``gone_on`` and ``gone_how``: the first day we knew they were gone, and how: ``left``
  (no longer in their CRM's contacts export: ``left_on``), ``bounced`` (their address
  bounced: the CRM's EmailBouncedDate) or ``moved`` (the same address is now listed under
  another account, ``moved_to`` its name, since the day that listing was made); none
  when they are still there as of ``end``;
- ``role``: their role as of ``end`` (the user's, else the CRM's), and whether they had
  left then: a role changed or a person who left or came back later reads as before
  (contact_changes, services/people/history.py);
- ``last_two_way``: their latest two-way interaction before ``end`` (TWO_WAY_KINDS; a call
  that reached them; an out-of-office answer is none). As on the People tab
  (services/people/contacts.py), the one person of an account has every such interaction
  of the account naming no one; with several, only those that name the person count;
- ``last_heard``: their latest contact of any kind before ``end``: a two-way interaction,
  or an order, ticket or use of the product of their own (services/people/activity.py);
  ``never_heard`` when there is none at all;
- ``added_later``: whether they were added after the account already had people on
  record (created on a later day than its first contact): a first import of a contacts
  export adds no one "new".

An account without contacts rows (a B2C customer who is their own one person) has no
rows here: nothing about it changes. Reads only; no query per customer. A replay reads
the history once (``load_history``) and asks ``people_frame`` for each of its days.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy.orm import Session

from models.vocab import CONTACT_ROLE_LABELS
from services.core.formatting import format_date
from services.people.history import NONE, PeopleHistory, load_history, micros

# How a CRM's export is named in words.
SOURCE_NAMES = {"salesforce": "Salesforce", "hubspot": "HubSpot", "csv": "contacts"}

COLUMNS = (
    "customer_id", "contact_id", "name", "email", "role", "source", "created",
    "gone_on", "gone_how", "moved_to", "last_two_way", "added_later", "last_heard",
    "never_heard",
)  # fmt: skip


def role_words(role: str | None) -> str:
    """ "champion", "decision maker": a role inside a sentence."""
    return CONTACT_ROLE_LABELS.get(role or "", "").lower()


def who(name: str, email: str, role: str | None) -> str:
    """ "Dana Smith (champion)": a person named in an alert."""
    words = role_words(role)
    person = name or email or "someone"
    return f"{person} ({words})" if words else person


def gone_words(row: pd.Series) -> str:
    """A person gone, how we know and since when, in words: "Dana Smith (champion) is no
    longer in the Salesforce export since Nov 3, 2026"."""
    person = who(str(row["name"]), str(row["email"]), row["role"])
    when = format_date(row["gone_on"])
    if row["gone_how"] == "bounced":
        return f"{person}: their address bounced on {when}"
    if row["gone_how"] == "moved":
        return f"{person} is now listed at {row['moved_to']} since {when}"
    source = str(row["source"] or "")
    if source == "manual":
        return f"{person} left on {when}"
    name = SOURCE_NAMES.get(source, source.title())
    return f"{person} is no longer in the {name} export since {when}"


def read_people_signals(
    session: Session, customer_ids: Sequence[int], end: dt.datetime
) -> pd.DataFrame:
    """The people of the accounts given as of ``end`` (module docstring), one row each;
    a read inside the caller's transaction."""
    return people_frame(load_history(session, end, customer_ids), end)


def _stamps(seconds: npt.NDArray[np.int64]) -> pd.Series:
    values = pd.to_datetime(np.where(seconds == NONE, np.nan, seconds), unit="s", utc=True)
    return pd.Series(values)


def people_frame(
    history: PeopleHistory, end: dt.datetime, customer_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """The people of ``history`` as they were before ``end`` (every account's, or those of
    ``customer_ids``), one row each in the columns of ``COLUMNS``."""
    c = history.contacts
    end_us = micros(end)
    # The days of contact are whole days: any before ``end``'s second counts.
    end_s = math.ceil(end_us / 1_000_000)
    alive = c["created_us"].to_numpy() < end_us
    at = {
        name: history.changes[name].value(c[f"{name}_now"].to_numpy(dtype=object), end_us)
        for name in ("role", "user_role")
    }
    left = history.changes["left_on"].value(c["left_now"].to_numpy(dtype=object), end_us)
    frame = c.assign(
        role=[u or r for u, r in zip(at["user_role"], at["role"], strict=True)], left_on=left
    )[alive]
    if customer_ids is not None:
        frame = frame[frame["customer_id"].isin({int(x) for x in customer_ids})]
    frame = frame.reset_index(drop=True)
    if frame.empty:
        return pd.DataFrame({k: [] for k in COLUMNS})
    last_day = (end - dt.timedelta(days=1)).date()
    moved_s = history.moved[0][frame["pos"].to_numpy()]
    moved_on = [
        (dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=int(s))).date()
        if s != NONE and s < end_us
        else None
        for s in moved_s
    ]
    gone_on: list[dt.date | None] = []
    gone_how: list[str] = []
    for day, bounced, moved in zip(frame["left_on"], frame["bounced_on"], moved_on, strict=True):
        known = [
            (d, how)
            for d, how in ((day, "left"), (bounced, "bounced"), (moved, "moved"))
            if d is not None and d <= last_day
        ]
        first = min(known) if known else (None, "")
        gone_on.append(first[0])
        gone_how.append(first[1])
    frame["gone_on"] = gone_on
    frame["gone_how"] = gone_how
    where = [history.moved[1][p] for p in frame["pos"].tolist()]
    frame["moved_to"] = [m if h == "moved" else "" for m, h in zip(where, gone_how, strict=True)]
    created = pd.to_datetime(frame["created_us"].to_numpy(), unit="us", utc=True)
    frame["created"] = pd.Series(created, index=frame.index)
    first_day = frame.groupby("customer_id")["created"].transform("min").dt.date
    frame["added_later"] = frame["created"].dt.date > first_day
    two_way, heard = _heard(history, frame, end_s)
    frame["last_two_way"] = _stamps(two_way)
    frame["last_heard"] = _stamps(heard)
    frame["never_heard"] = heard == NONE
    return frame.loc[:, list(COLUMNS)]


def _heard(
    history: PeopleHistory, frame: pd.DataFrame, end_s: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Each person's latest two-way interaction, and their latest contact of any kind (two-
    way, or an order, ticket or use of their own), before ``end_s``. The one person of an
    account has the interactions naming no one; its orders and tickets naming no one are
    the person's whose address is the customer's own (else the one person's)."""
    pos = frame["pos"].to_numpy(dtype=np.int64)
    account = frame["account"].to_numpy(dtype=np.int64)
    sizes = frame["customer_id"].map(frame["customer_id"].value_counts()).to_numpy()
    single = sizes == 1
    two_way = history.two_way.before(pos, end_s)
    shared = history.account_two_way.before(account, end_s)
    two_way = np.where(single, np.maximum(two_way, shared), two_way)
    own = history.heard.before(pos, end_s)
    unnamed = history.account_heard.before(account, end_s)
    takes = frame["holder"].to_numpy(dtype=bool) | single
    heard = np.maximum(np.maximum(two_way, own), np.where(takes, unnamed, NONE))
    return two_way, heard


def present(frame: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Which rows are people still at their account."""
    out: npt.NDArray[np.bool_] = frame["gone_how"].to_numpy(dtype=object) == ""
    return out
