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
- ``last_two_way``: their latest two-way interaction before ``end`` (TWO_WAY_KINDS; a call
  that reached them). As on the People tab (services/people/contacts.py), the one person
  of an account has every such interaction of the account (read only when they are a
  champion or decision maker: the rules ask nothing else of a lone person, such as a B2C
  household's); with several, only those that name the person count;
- ``added_later``: whether they were added after the account already had people on
  record (created on a later day than its first contact): a first import of a contacts
  export adds no one "new".

An account without contacts rows (a B2C customer who is their own one person) has no
rows here: nothing about it changes. Reads only; no query per customer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.schema import Contact, Customer, Interaction
from models.vocab import CALL_CONVERSATION, CALL_OUTCOMES, CONTACT_ROLE_LABELS, TWO_WAY_KINDS
from services.core.formatting import format_date
from services.people.contacts import KEY_ROLES, bounced_on

_MISSED = tuple(o for o in CALL_OUTCOMES if o != CALL_CONVERSATION)
# How a CRM's export is named in words.
SOURCE_NAMES = {"salesforce": "Salesforce", "hubspot": "HubSpot", "csv": "contacts"}

COLUMNS = (
    "customer_id", "contact_id", "name", "email", "role", "source", "created",
    "gone_on", "gone_how", "moved_to", "last_two_way", "added_later",
)  # fmt: skip


def _utc(values: Sequence[object]) -> pd.Series:
    return pd.Series(pd.to_datetime(pd.Series(list(values), dtype=object), utc=True))


def _day(value: object) -> dt.date | None:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    return dt.date.fromisoformat(text[:10]) if len(text) >= 10 else None


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
    wanted = {int(c) for c in customer_ids}
    c = Contact.__table__.c
    rows = [
        r
        for r in session.execute(
            select(
                c.id, c.customer_id, c.name, c.email, c.email_normalized, c.role, c.user_role,
                c.source, c.created_at, c.left_on, c.attributes,
            ).where(c.created_at < end)
        )
    ]  # fmt: skip
    if not rows:
        return pd.DataFrame({k: [] for k in COLUMNS})
    last_day = (end - dt.timedelta(days=1)).date()
    frame = pd.DataFrame(
        {
            "contact_id": [int(r.id) for r in rows],
            "customer_id": [int(r.customer_id) for r in rows],
            "name": [r.name or "" for r in rows],
            "email": [r.email or "" for r in rows],
            "key": [r.email_normalized or "" for r in rows],
            "role": [r.user_role or r.role for r in rows],
            "source": [r.source or "" for r in rows],
            "created": _utc([r.created_at for r in rows]),
            "left_on": [_day(r.left_on) for r in rows],
            "bounced_on": [bounced_on(r.attributes) for r in rows],
        }
    )
    moved_on, moved_to = _moves(session, frame)
    gone_on: list[dt.date | None] = []
    gone_how: list[str] = []
    for left, bounced, moved in zip(frame["left_on"], frame["bounced_on"], moved_on, strict=True):
        known = [
            (day, how)
            for day, how in ((left, "left"), (bounced, "bounced"), (moved, "moved"))
            if day is not None and day <= last_day
        ]
        first = min(known) if known else (None, "")
        gone_on.append(first[0])
        gone_how.append(first[1])
    frame["gone_on"] = gone_on
    frame["gone_how"] = gone_how
    frame["moved_to"] = [m if h == "moved" else "" for m, h in zip(moved_to, gone_how, strict=True)]
    first_day = frame.groupby("customer_id")["created"].transform("min").dt.date
    frame["added_later"] = frame["created"].dt.date > first_day
    frame = frame[frame["customer_id"].isin(wanted)].reset_index(drop=True)
    frame["last_two_way"] = _last_two_way(session, frame, end)
    return frame.loc[:, list(COLUMNS)]


def _moves(session: Session, frame: pd.DataFrame) -> tuple[list[dt.date | None], list[str]]:
    """Per contact, the day their address was first listed under another account after
    they were added, and that account's name."""
    keyed = frame[frame["key"] != ""]
    by_key: dict[str, list[tuple[pd.Timestamp, int]]] = {}
    for key, created, customer in zip(
        keyed["key"], keyed["created"], keyed["customer_id"], strict=True
    ):
        by_key.setdefault(str(key), []).append((created, int(customer)))
    moved: list[tuple[dt.date | None, int | None]] = []
    for key, created, customer in zip(
        frame["key"], frame["created"], frame["customer_id"], strict=True
    ):
        later = sorted(
            (when, other)
            for when, other in by_key.get(str(key), [])
            if other != customer and when > created
        )
        moved.append((later[0][0].date(), later[0][1]) if later else (None, None))
    targets = sorted({t for _, t in moved if t is not None})
    names: dict[int, str] = {}
    if targets:
        cu = Customer.__table__.c
        for cid, company, name in session.execute(
            select(cu.id, cu.company, cu.name).where(cu.id.in_(targets))
        ):
            names[int(cid)] = company or name or f"customer {cid}"
    return [d for d, _ in moved], [names.get(t, "") if t is not None else "" for _, t in moved]


def _last_two_way(session: Session, frame: pd.DataFrame, end: dt.datetime) -> pd.Series:
    """Each person's latest two-way interaction before ``end`` (NaT: none)."""
    if frame.empty:
        return pd.Series([], dtype="datetime64[ns, UTC]")
    i = Interaction.__table__.c
    reached = (i.kind != "call") | i.status.is_(None) | i.status.not_in(_MISSED)
    two_way = (i.kind.in_(TWO_WAY_KINDS), reached, i.occurred_at < end)
    by_contact = {
        int(cid): at
        for cid, at in session.execute(
            select(i.contact_id, func.max(i.occurred_at))
            .where(*two_way, i.contact_id.is_not(None))
            .group_by(i.contact_id)
        )
    }
    sizes = frame["customer_id"].map(frame["customer_id"].value_counts()).to_numpy()
    # The one person of an account has all its two-way interactions; only a champion's or
    # a decision maker's matter to the rules (a B2C household's one person is not read).
    key = frame["role"].isin(KEY_ROLES).to_numpy()
    single = sorted({int(c) for c in frame["customer_id"][(sizes == 1) & key]})
    by_account: dict[int, object] = {}
    for start in range(0, len(single), 1000):
        part = single[start : start + 1000]
        for cid, at in session.execute(
            select(i.customer_id, func.max(i.occurred_at))
            .where(*two_way, i.customer_id.in_(part))
            .group_by(i.customer_id)
        ):
            by_account[int(cid)] = at
    values = [
        by_account.get(int(cid)) if n == 1 else by_contact.get(int(pid))
        for cid, pid, n in zip(frame["customer_id"], frame["contact_id"], sizes, strict=True)
    ]
    return _utc(values).set_axis(frame.index)


def present(frame: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Which rows are people still at their account."""
    out: npt.NDArray[np.bool_] = frame["gone_how"].to_numpy(dtype=object) == ""
    return out
