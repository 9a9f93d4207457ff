"""The people of the demo's business accounts (the customers who buy for a company), each
account with a known relationship story, for the relationship alerts
(services/alerts/_relationship.py) and the People tab to find.

Every business account gets its buyer as its champion, a decision maker, one or two
users and, often, an accounts-payable mailbox, all on record since the account's first
order. The people write to the shop now and then (emails received: no figure of
scoring reads them, so the customers, orders and scores are those of the demo without
people). One account in four or so carries one story, planted on a known day:

- ``left``: the champion goes, on a day shortly before the account's last order when it
  is lapsing or churned (those accounts are picked first: the accounts whose champion
  left churn more often afterwards), else on a day of the last months. Most are gone
  from the CRM's export (``left_on``), some have their address bounce, some are listed
  under another business account from that day;
- ``dark``: the champion stops writing some months ago while the others go on;
- ``single``: the users stop writing some months ago, the decision maker never did:
  only the champion is heard from;
- ``new_dm``: a decision maker added in the last weeks, not met yet.

The stories and their days are the demo marker's ``simulated_people``. A random stream
of its own ([seed, 23]) draws them: every other demo row is the same as without them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np

from models.schema import Contact, Interaction
from services.demo.generate import _Customers, _objects
from services.demo.tables import DemoPeople, _TableData
from services.demo.vocabulary import (
    _CHURNED,
    _DAY,
    _EPOCH,
    _LAPSING,
    _LOYAL,
    _VIP,
    FIRST_NAMES,
    LAST_NAMES,
    SOURCE,
    IntArray,
)

PEOPLE_STREAM = 23
# The demo's CRM, whose contacts export the alerts name ("no longer in the Salesforce
# export"); the people's emails are the demo's own rows.
CRM = "salesforce"
# The relationship alerts' defaults the stories' days are counted with.
QUIET_DAYS = 60
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

    def writes(self, k: int, pid: str, start: int, stop: int) -> int | None:
        """Emails from one person between two days; the day of the last (None: none)."""
        day, last = start + int(self.rng.integers(0, 20)), None
        while day < min(stop, self.today):
            second = day * _DAY + int(self.rng.integers(*_ARRIVAL_HOURS))
            self.emails.append((k, second, pid))
            last = day
            day += int(self.rng.integers(14, 45))
        return last


def _stories(rng: np.random.Generator, cust: _Customers, business: IntArray) -> dict[int, str]:
    """Which account carries which story (module docstring)."""
    n = len(business)
    order = business[rng.permutation(n)]
    quota = {"left": round(0.25 * n), "dark": round(0.15 * n), "single": round(0.15 * n),
             "new_dm": round(0.15 * n)}  # fmt: skip
    troubled = np.isin(cust.arch[order], (_LAPSING, _CHURNED))
    story: dict[int, str] = {}
    for k in [*order[troubled].tolist(), *order[~troubled].tolist()][: quota["left"]]:
        story[int(k)] = "left"
    rest = [int(k) for k in order.tolist() if int(k) not in story]
    # The best buyers first for single-threaded: their value puts them in the top quarter.
    best = sorted(rest, key=lambda k: cust.arch[k] not in (_VIP, _LOYAL))
    for k in best[: quota["single"]]:
        story[k] = "single"
    rest = [k for k in rest if k not in story]
    for k in rest[: quota["dark"]]:
        story[k] = "dark"
    for k in rest[quota["dark"] : quota["dark"] + quota["new_dm"]]:
        story[k] = "new_dm"
    return story


def demo_people(seed: int, cust: _Customers, today_day: int) -> DemoPeople | None:
    """The business accounts' people and their stories (None: no business account)."""
    companies = cust.company.tolist()
    business = np.array([k for k, c in enumerate(companies) if c is not None], dtype=np.int64)
    if not len(business):
        return None
    rng = np.random.default_rng([seed, PEOPLE_STREAM])
    book = _Book(rng, today_day)
    stories = _stories(rng, cust, business)
    names = cust.columns["name"].tolist()
    emails = cust.columns["email"].tolist()
    truth: list[dict[str, Any]] = []
    left_kinds = 0
    for k in business.tolist():
        ext, first_day = cust.external_ids[k], int(cust.first_day[k])
        domain = f"{_slug(str(companies[k]))}.example.com"
        story = stories.get(k, "")
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
        said: dict[str, Any] = {"customer": ext, "story": story, "person": str(names[k])}
        if story == "left":
            how = ("left", "left", "left", "bounced", "moved")[left_kinds % 5]
            left_kinds += 1
            gone = _gone_day(rng, cust, k, today_day)
            _leave(book, cust, business, k, champion, how, gone)
            book.writes(k, champion, first_day, gone)
            said |= {"how": how, "day": _day(gone).isoformat()}
        elif story == "dark":
            # The champion's emails stop; the alert is due the day silence is long enough.
            last_day = book.writes(k, champion, first_day, today_day - int(rng.integers(70, 200)))
            if last_day is None:
                said["story"] = story = ""
            else:
                said["day"] = _day(last_day + QUIET_DAYS).isoformat()
        else:
            book.writes(k, champion, first_day, today_day)
        heard = [first_day]
        for role, pid in others:
            if story == "single" and role == "decision_maker":
                continue  # never heard from: not gone dark, only not met
            stop = today_day - int(rng.integers(100, 200)) if story == "single" else today_day
            heard.append(book.writes(k, pid, first_day, stop) or first_day)
        if story == "single":
            said["day"] = _day(max(heard) + ACTIVE_DAYS).isoformat()
        if story == "new_dm":
            added = today_day - int(rng.integers(3, 25))
            first, last = str(rng.choice(FIRST_NAMES)), str(rng.choice(LAST_NAMES))
            book.person(k, ext, f"{first} {last}", book.address(f"{first}.{last}", domain),
                        "decision_maker", added)  # fmt: skip
            said |= {"person": f"{first} {last}", "day": _day(added).isoformat()}
        if story:
            truth.append(said)
    return _tables(book, truth)


def _gone_day(rng: np.random.Generator, cust: _Customers, k: int, today_day: int) -> int:
    """When a champion goes: shortly before the last order of a lapsing or churned
    account, else a day of the last months."""
    if cust.arch[k] in (_LAPSING, _CHURNED):
        gone = int(cust.last_day[k]) - int(rng.integers(5, 30))
    else:
        gone = today_day - int(rng.integers(15, 200))
    return int(np.clip(gone, int(cust.first_day[k]) + 20, today_day - 1))


def _leave(
    book: _Book, cust: _Customers, business: IntArray, k: int, pid: str, how: str, gone: int
) -> None:
    """The champion goes, as the CRM shows it: gone from its export, a bounce, or their
    address listed under the next business account from that day."""
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
