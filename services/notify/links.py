"""``accountradar://`` links: what one asks the app to open.

Two forms: ``accountradar://alert/<id>`` and ``accountradar://customer/<id>`` (an id is
a whole number; a trailing slash is fine, and so is the upper case a browser may send
for the scheme). Anything else, a query, a fragment, another scheme, a missing or bad
id, is refused with a plain message: nothing is opened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from models.schema import Alert, Customer

SCHEME = "accountradar"
KINDS = ("alert", "customer")
MAX_ID = 2**63 - 1
_LINK = re.compile(r"accountradar://(alert|customer)/([0-9]{1,19})/?", re.IGNORECASE)


@dataclass(frozen=True)
class Link:
    """What a link opens: ``kind`` "alert" or "customer", and its id."""

    kind: str
    id: int

    @property
    def text(self) -> str:
        return f"{SCHEME}://{self.kind}/{self.id}"


class BadLink(ValueError):
    """A link the app does not open; the message says why in plain words."""


def is_link(text: str) -> bool:
    """True when ``text`` is meant as an accountradar:// link (well formed or not)."""
    return text.strip().lower().startswith(f"{SCHEME}:")


def parse_link(text: str) -> Link:
    """The Link ``text`` names; BadLink (plain words) when it is not one the app opens."""
    match = _LINK.fullmatch(text.strip())
    if match is None:
        shown = text.strip()[:80]
        raise BadLink(
            f"“{shown}” is not a link Account Radar opens: it opens "
            "accountradar://alert/<number> and accountradar://customer/<number>. Nothing "
            "was opened."
        )
    number = int(match.group(2))
    if not 0 < number <= MAX_ID:
        raise BadLink(f"There is no {match.group(1).lower()} number {number}. Nothing was opened.")
    return Link(match.group(1).lower(), number)


def link_target(engine: Engine, link: Link) -> tuple[int | None, int] | None:
    """What ``link`` opens in this workspace: (the alert's id or None, the customer's id);
    None when there is no such alert or customer, or it is not the person's to see (on a
    shared workspace the database shows each person only their own book)."""
    with translate_db_errors(), Session(engine) as session:
        if link.kind == "alert":
            customer = session.execute(
                select(Alert.customer_id).where(Alert.id == link.id)
            ).scalar()
            return None if customer is None else (link.id, int(customer))
        found = session.execute(select(Customer.id).where(Customer.id == link.id)).scalar()
        return None if found is None else (None, int(found))


def not_found_words(link: Link) -> str:
    """Why a link opened nothing, in plain words."""
    return (
        f"{link.kind.capitalize()} {link.id} is not in this workspace, or is not yours to see "
        "(your role shows you your own customers). Nothing was opened."
    )
