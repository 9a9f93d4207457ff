"""What a post is made of: plain frozen records (no database, no Qt)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AlertItem:
    """One alert as posted, already masked by the privacy setting.

    ``kind`` is "critical" (a new critical alert), "sla" (newly past its time to act) or
    "example" (the test post's);
    ``worth`` and ``due`` are in words ("$12,400", "end of Mon 30 Nov"), "" when unknown;
    ``worth`` is the figure the alert's card shows (stake_figures).
    """

    alert_id: int
    kind: str
    customer: str
    severity: str
    title: str
    reason: str
    worth: str
    due: str
    # What ``worth`` is, as the card names it: "Revenue at risk" (a risk alert's, by the
    # latest scores), "Upside" or "Deal value at stake".
    stake: str = "At stake"

    @property
    def link(self) -> str:
        return f"accountradar://alert/{self.alert_id}"

    @property
    def log_key(self) -> str:
        return f"{self.kind}:{self.alert_id}"


@dataclass(frozen=True)
class PostContent:
    """What one post says: a title, the alerts, and plain lines (the digest's)."""

    title: str
    alerts: tuple[AlertItem, ...] = ()
    lines: tuple[str, ...] = ()
    more: int = 0  # alerts left out of this post (the cap), said at its end
    log_keys: tuple[str, ...] = ()  # what the post stands for in the log of posts


@dataclass(frozen=True)
class Post:
    """A post ready to go: ``body`` is exactly the bytes sent; ``readable`` says the same
    in plain text; ``pretty`` is ``body`` pretty-printed (for the preview)."""

    service: str
    body: bytes
    readable: str
    pretty: str
    log_keys: tuple[str, ...]
    title: str


@dataclass(frozen=True)
class RoundResult:
    """A round of posts: what went, what failed (in words), and what was left for later."""

    posted: int = 0
    lines: tuple[str, ...] = ()
    problem: str | None = None
    waiting_approval: bool = False
