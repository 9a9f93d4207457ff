"""The people of the demo's accounts with a contract (the customers who buy for a company,
and the few who buy for a small business of their own), each account with a known
relationship story, for the relationship signals (services/alerts/_relationship.py,
measured by services/alerts/signal_replay.py) and the People tab to find.

Every such account gets its buyer as its champion, a decision maker, one or two users
and, often, an accounts-payable mailbox, all on record since the account's first order.
The people write to the shop now and then (emails received: no figure of scoring reads
them, so the customers, orders and scores are those of the demo without people). The
stories and their days come from services/demo/people_plan.py, tied to the accounts'
renewals (services/demo/renewal_truth.py), so that what the signals find has a known
answer:

- ``left``: the champion goes shortly before a renewal, which is likely lost;
  ``left_free``: the champion goes just after a renewal, and nothing follows within the
  horizon. Most are gone from the CRM's export (``left_on``), some have their address
  bounce, some are listed under another account from that day;
- ``dark``: the decision maker stops writing; 60 days later, shortly before a renewal
  likely lost, the account's decision maker has gone dark; ``dark_free``: the same just
  after a renewal;
- ``single``: the users stop writing some months ago, the decision maker never did: only
  the champion is heard from;
- ``new_dm``: a decision maker added to the account, not met;
- ``unmet_dm``: the decision maker on record from the start never heard from.

The stories and their days are the demo's ``people`` truth (with the renewal
each one precedes or follows). A random stream of its own ([seed, 23]) draws the people:
every other demo row is the same as without them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np

from models.schema import Contact, Interaction
from services.demo.generate import _Customers, _objects
from services.demo.people_plan import QUIET_DAYS, Story
from services.demo.renewal_truth import relationship_stories
from services.demo.tables import DemoPeople, _TableData
from services.demo.vocabulary import (
    _DAY,
    _EPOCH,
    FIRST_NAMES,
    LAST_NAMES,
    SOURCE,
    IntArray,
)

PEOPLE_STREAM = 23
# The demo's CRM, whose contacts export the alerts name ("no longer in the Salesforce
# export"); the people's emails are the demo's own rows.
CRM = "salesforce"
# Single-threaded's default, the stories' days are counted with.
ACTIVE_DAYS = 90
_TITLES = {
    "champion": ("Office Manager", "Events Lead", "Operations Manager", "Studio Manager"),
    "decision_maker": ("Managing Director", "Owner", "Finance Director", "Partner"),
    "user": ("Coordinator", "Assistant", "Team Lead", "Designer"),
}
_SUBJECTS = (
    "Order for the team", "Sizes for the new starters", "Event outfits", "Invoice question",
    "Reorder of the usual", "Delivery to the office", "Uniform fitting",
)  # fmt: skip
_ARRIVAL_HOURS = (8 * 3600, 18 * 3600)


def _day(day: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(day))


def _slug(company: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", company.lower()) or "company"


class _Book:
    """The rows being made."""

    def __init__(self, rng: np.random.Generator, today_day: int) -> None:
        self.rng = rng
        self.today = today_day
        self.contacts: list[dict[str, Any]] = []
        self.customer: list[int] = []
        self.emails: list[tuple[int, int, str]] = []  # (customer, second, writer id)
        self.used: set[str] = set()
        self.by_id: dict[str, dict[str, Any]] = {}

    def address(self, local: str, domain: str) -> str:
        """A new address at the domain (a digit added when taken)."""
        base = re.sub(r"[^a-z0-9.]+", "", local.lower()) or "person"
        email, k = f"{base}@{domain}", 1
        while email in self.used:
            k += 1
            email = f"{base}{k}@{domain}"
        self.used.add(email)
        return email

    def person(
        self, k: int, ext: str, name: str, email: str, role: str | None, created: int, **extra: Any
    ) -> str:
        pid = f"{ext}-P{len(self.contacts) + 1}"
        title = str(self.rng.choice(_TITLES[role])) if role in _TITLES else ("" if role else None)
        self.contacts.append(
            {
                "external_id": pid, "source": CRM, "name": name, "email": email,
                "email_normalized": email.lower(), "title": title or None, "role": role,
                "created_at": dt.datetime.combine(_day(created), dt.time(9)),
                "left_on": None, "attributes": None, **extra,
            }
        )  # fmt: skip
        self.customer.append(k)
        self.by_id[pid] = self.contacts[-1]
        return pid

    def email(self, k: int, pid: str, day: int) -> int:
        """One email from a person on ``day``."""
        self.emails.append((k, day * _DAY + int(self.rng.integers(*_ARRIVAL_HOURS)), pid))
        return day

    def writes(self, k: int, pid: str, start: int, stop: int) -> int | None:
        """Emails from one person between two days; the day of the last (None: none)."""
        day, last = start + int(self.rng.integers(0, 20)), None
        while day < min(stop, self.today):
            second = day * _DAY + int(self.rng.integers(*_ARRIVAL_HOURS))
            self.emails.append((k, second, pid))
            last = day
            day += int(self.rng.integers(14, 45))
        return last


def demo_people(seed: int, cust: _Customers, today_day: int) -> DemoPeople | None:
    """The accounts' people and their stories (None: no account holds a contract)."""
    terms, stories = relationship_stories(seed, cust, today_day)
    accounts = terms.accounts
    if not len(accounts):
        return None
    rng = np.random.default_rng([seed, PEOPLE_STREAM])
    book = _Book(rng, today_day)
    companies = cust.company.tolist()
    names = cust.columns["name"].tolist()
    emails = cust.columns["email"].tolist()
    truth: list[dict[str, Any]] = []
    left_kinds = 0
    for k in accounts.tolist():
        ext, first_day = cust.external_ids[k], int(cust.first_day[k])
        domain = f"{_slug(str(companies[k] or names[k]))}.example.com"
        story = stories.get(k, Story("", 0))
        book.used.add(str(emails[k]).lower())
        champion = book.person(k, ext, str(names[k]), str(emails[k]), "champion", first_day)
        others = []
        for role in ("decision_maker", "user", *(["user"] if rng.random() < 0.3 else [])):
            first, last = str(rng.choice(FIRST_NAMES)), str(rng.choice(LAST_NAMES))
            address = book.address(f"{first}.{last}", domain)
            others.append((role, book.person(k, ext, f"{first} {last}", address, role, first_day)))
        if rng.random() < 0.5:
            book.person(k, ext, "Accounts Payable", book.address("ap", domain), "billing",
                        first_day)  # fmt: skip
        said: dict[str, Any] = {"customer": ext, "story": story.kind, "person": str(names[k])}
        if story.renewal is not None:
            said["renewal"] = _day(story.renewal).isoformat()
        if story.kind in ("left", "left_free"):
            how = ("left", "left", "left", "bounced", "moved")[left_kinds % 5]
            left_kinds += 1
            _leave(book, cust, accounts, k, champion, how, story.day)
            book.writes(k, champion, first_day, story.day)
            said |= {"how": how, "day": _day(story.day).isoformat()}
        else:
            book.writes(k, champion, first_day, today_day)
        said |= _others(book, (k, ext, domain), others, story, first_day)
        if story.kind:
            truth.append(said)
    return _tables(book, truth)


def _others(
    book: _Book,
    account: tuple[int, str, str],
    others: list[tuple[str, str]],
    story: Story,
    first_day: int,
) -> dict[str, Any]:
    """The decision maker's and the users' emails as the account's story has them, and
    the new decision maker of a ``new_dm`` story; what the story's truth adds (its person
    and day)."""
    k, ext, domain = account
    said: dict[str, Any] = {}
    heard = [first_day]
    for role, pid in others:
        name = str(book.by_id[pid]["name"])
        if role == "decision_maker" and story.kind in ("single", "unmet_dm"):
            if story.kind == "unmet_dm":
                said["person"] = name
            continue  # never heard from: not gone dark, only not met
        if role == "decision_maker" and story.kind in ("dark", "dark_free"):
            # The last email exactly the quiet period before the day it is found dark.
            final = story.day - QUIET_DAYS
            book.writes(k, pid, first_day, final - 1)
            book.email(k, pid, final)
            said |= {"person": name, "day": _day(story.day).isoformat()}
            continue
        single = story.kind == "single"
        stop = book.today - int(book.rng.integers(100, 200)) if single else book.today
        heard.append(book.writes(k, pid, first_day, stop) or first_day)
    if story.kind == "single":
        said["day"] = _day(max(heard) + ACTIVE_DAYS).isoformat()
    if story.kind == "new_dm":
        given, family = str(book.rng.choice(FIRST_NAMES)), str(book.rng.choice(LAST_NAMES))
        book.person(k, ext, f"{given} {family}", book.address(f"{given}.{family}", domain),
                    "decision_maker", story.day)  # fmt: skip
        said |= {"person": f"{given} {family}", "day": _day(story.day).isoformat()}
    return said


def _leave(
    book: _Book, cust: _Customers, business: IntArray, k: int, pid: str, how: str, gone: int
) -> None:
    """The champion goes, as the CRM shows it: gone from its export, a bounce, or their
    address listed under the next account from that day."""
    row = book.by_id[pid]
    if how == "left":
        row["left_on"] = _day(gone)
    elif how == "bounced":
        row["attributes"] = {"EmailBouncedDate": f"{_day(gone).isoformat()}T08:00:00.000Z"}
    else:
        place = int(np.flatnonzero(business == k)[0])
        target = int(business[(place + 1) % len(business)])
        book.person(target, cust.external_ids[target], str(row["name"]), str(row["email"]),
                    None, gone)  # fmt: skip


def _tables(book: _Book, truth: list[dict[str, Any]]) -> DemoPeople:
    keys = list(book.contacts[0])
    contacts = _TableData(
        Contact.__table__,  # type: ignore[arg-type]
        {key: _objects([row[key] for row in book.contacts]) for key in keys},
        customer=np.array(book.customer, dtype=np.int64),
    )
    mail = sorted(book.emails, key=lambda e: (e[1], e[0]))
    n = len(mail)
    seconds = np.array([s for _, s, _ in mail], dtype=np.int64)
    pick = np.arange(n) % len(_SUBJECTS)
    emails = _TableData(
        Interaction.__table__,  # type: ignore[arg-type]
        {
            "kind": np.full(n, "email_received", dtype=object),
            "occurred_at": seconds.astype("datetime64[s]"),
            "channel": np.full(n, "email", dtype=object),
            "subject": _objects([_SUBJECTS[p] for p in pick.tolist()]),
            "source": np.full(n, SOURCE, dtype=object),
        },
        customer=np.array([c for c, _, _ in mail], dtype=np.int64),
    )
    return DemoPeople(contacts, emails, [w for _, _, w in mail], {"stories": truth})


def tag_people(people: DemoPeople, tag: str) -> None:
    """A later batch's contact ids end with the batch's tag, as its customers' do."""
    ids = [f"{x}{tag}" for x in people.contacts.columns["external_id"].tolist()]
    people.contacts.columns["external_id"] = _objects(ids)
    people.writer = [f"{x}{tag}" for x in people.writer]
    for story in people.truth["stories"]:
        story["customer"] = f"{story['customer']}{tag}"
