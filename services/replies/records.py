"""Replies' records (services/replies/report.py computes them): frozen, so that the
window's worker and the command line hand them on as they are."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

# Below this many emails sent, a group's reply rate is shown but not compared.
SMALL_SENT = 10
# The breakdowns: (key, the column's name in words).
BREAKDOWNS: tuple[tuple[str, str], ...] = (
    ("template", "Template"),
    ("tone", "Tone"),
    ("playbook", "Playbook"),
)
NO_TEMPLATE = "Written without a template"
NO_TONE = "No tone recorded"
NO_PLAYBOOK = "No playbook"
# 95 %: the normal quantile (the same as scipy's norm.ppf(0.975)).
_Z = 1.959963984540054


def wilson(replied: int, sent: int) -> tuple[float, float] | None:
    """The 95 % Wilson score interval of ``replied`` in ``sent`` (None when none sent)."""
    if sent <= 0:
        return None
    z2 = _Z * _Z
    centre = (replied + z2 / 2) / (sent + z2)
    half = _Z * math.sqrt(replied * (sent - replied) / sent + z2 / 4) / (sent + z2)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class SentEmail:
    """One email sent in the period and what came back (times naive UTC)."""

    outreach_id: int
    customer_id: int
    recipient: str
    subject: str
    template: str
    tone: str
    playbook: str
    sent_at: dt.datetime
    reply_at: dt.datetime | None = None  # the first reply
    reply_how: str = ""  # "thread", "subject", "" (none)
    reply_subject: str = ""
    automatic: int = 0  # automatic answers to it

    @property
    def hours(self) -> float | None:
        """Hours from sending to the first reply; None when none came."""
        if self.reply_at is None:
            return None
        return max(0.0, (self.reply_at - self.sent_at).total_seconds() / 3600)


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


@dataclass(frozen=True)
class ReplyGroup:
    """The emails of one row (a template, a tone, a playbook, or all) and their figures."""

    by: str  # "all", "template", "tone", "playbook"
    label: str
    emails: tuple[SentEmail, ...]

    @property
    def name(self) -> str:
        """The row's name on the command line ("template:welcome back", "all")."""
        return "all" if self.by == "all" else f"{self.by}:{self.label.lower()}"

    @property
    def sent(self) -> int:
        return len(self.emails)

    @cached_property
    def replied(self) -> int:
        return sum(1 for e in self.emails if e.reply_at is not None)

    @cached_property
    def automatic(self) -> int:
        """Emails that got an automatic answer (and no reply)."""
        return sum(1 for e in self.emails if e.reply_at is None and e.automatic)

    @property
    def rate(self) -> float | None:
        return self.replied / self.sent if self.sent else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.replied, self.sent)

    @property
    def small(self) -> bool:
        """Fewer than SMALL_SENT sent: too few to compare."""
        return self.sent < SMALL_SENT

    @cached_property
    def median_hours(self) -> float | None:
        return _median([h for e in self.emails if (h := e.hours) is not None])

    def customer_ids(self, replied: bool | None = None) -> tuple[int, ...]:
        """The customers written to (``replied``: only those who did, or did not, reply)."""
        ids = {
            e.customer_id
            for e in self.emails
            if replied is None or (e.reply_at is not None) == replied
        }
        return tuple(sorted(ids))


@dataclass(frozen=True)
class ReplyReport:
    """Replies to the emails sent from ``first_day`` to ``last_day`` (both included)."""

    first_day: dt.date
    last_day: dt.date
    emails: tuple[SentEmail, ...]
    names: Mapping[int, str] = field(default_factory=dict)  # customer id -> name
    received: int = 0  # customers' emails imported since the period began
    holdout: int = 0  # held-out customers of the period (no email)

    @cached_property
    def overall(self) -> ReplyGroup:
        return ReplyGroup("all", "All emails", self.emails)

    def groups(self, by: str) -> tuple[ReplyGroup, ...]:
        """One row per template, tone or playbook, the most emails first."""
        rows: dict[str, list[SentEmail]] = {}
        for email in self.emails:
            rows.setdefault(getattr(email, by), []).append(email)
        ordered = sorted(rows.items(), key=lambda kv: (-len(kv[1]), kv[0].lower()))
        return tuple(ReplyGroup(by, label, tuple(emails)) for label, emails in ordered)

    def find(self, name: str) -> ReplyGroup | None:
        """The row of that name (``ReplyGroup.name``, any case)."""
        wanted = " ".join(name.split()).lower()
        if wanted == "all":
            return self.overall
        for by, _title in BREAKDOWNS:
            for group in self.groups(by):
                if group.name == wanted:
                    return group
        return None

    def best(self, by: str) -> ReplyGroup | None:
        """The group whose reply rate clearly leads: among the groups of SMALL_SENT emails
        or more, the one whose interval lies wholly above every other's; None when the
        intervals overlap (or fewer than two can be compared)."""
        solid = [g for g in self.groups(by) if not g.small]
        if len(solid) < 2:
            return None
        top = max(solid, key=lambda g: g.rate or 0.0)
        low = top.interval[0] if top.interval else 0.0
        others = [g.interval[1] for g in solid if g is not top and g.interval is not None]
        return top if all(low > high for high in others) else None
