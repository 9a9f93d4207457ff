"""The report of a Sync back (services/team/sync.py), in the words an account manager
reads: what was sent, what was not applied because someone changed it on the server
meanwhile (and who, and when), what could not be sent (it stays in the copy), and what
became of the copy. The command line prints ``lines()``; the window shows
``headline()`` and ``sections()``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from services.core.formatting import plural

if TYPE_CHECKING:
    from services.team.offline import OfflineCopy


@dataclass
class SyncReport:
    """What a sync did, in the words the account manager reads."""

    server: str
    pushed: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # sent by an earlier sync
    same: list[str] = field(default_factory=list)  # the server had it so already
    conflicts: list[str] = field(default_factory=list)  # not applied, and why
    failures: list[str] = field(default_factory=list)  # could not be sent: still in the copy
    kept_on_server: list[str] = field(default_factory=list)  # customer data: not sent
    cancelled: bool = False
    refreshed: OfflineCopy | None = None
    refresh_problem: str | None = None

    @property
    def ok(self) -> bool:
        """Every change went through (pushed, already there, or reported)."""
        return not self.failures and not self.cancelled

    def headline(self) -> tuple[str, str]:
        """(tone, one sentence) summing the sync up: tone is "positive", "warning" or
        "critical"."""
        sent = plural(len(self.pushed), "action")
        if self.failures:
            return "critical", (
                f"{plural(len(self.failures), 'action')} could not be sent to {self.server}; "
                "they are still in your copy."
            )
        if self.cancelled:
            return "warning", "Sync back was stopped; what is left is still in your copy."
        if self.conflicts:
            return "warning", (
                f"Sent {sent} to {self.server}; {len(self.conflicts):,} not applied: "
                "someone changed them on the server meanwhile."
            )
        if self.refresh_problem:
            return "warning", f"Sent {sent} to {self.server}; the copy was not refreshed."
        if self.pushed:
            return "positive", f"Sent {sent} to {self.server}."
        return "positive", f"Nothing new to send to {self.server}."

    def sections(self) -> list[tuple[str, str, list[str]]]:
        """The report as (heading, tone, lines) parts, in the order they are read."""
        out: list[tuple[str, str, list[str]]] = []
        if self.pushed:
            out.append(
                (f"Sent to {self.server}: {plural(len(self.pushed), 'action')}.", "positive",
                 list(self.pushed))
            )  # fmt: skip
        elif not self.conflicts and not self.failures and not self.same:
            out.append((f"Nothing new to send to {self.server}.", "positive", []))
        if self.conflicts:
            heading = (
                f"Not applied: {plural(len(self.conflicts), 'action')} (changed on the server "
                "meanwhile):"
            )
            out.append((heading, "warning", list(self.conflicts)))
        if self.failures:
            heading = (
                f"Could not be sent: {plural(len(self.failures), 'action')}. They are still "
                "in your copy; sync back again once the reason is sorted out:"
            )
            out.append((heading, "critical", list(self.failures)))
        if self.cancelled:
            out.append(
                ("Sync back was stopped; what is left is still in your copy.", "warning", [])
            )
        if self.same:
            heading = (
                f"{plural(len(self.same), 'action')} needed nothing: the server already had "
                "it so (a call had started the alert, say)."
            )
            out.append((heading, "muted", []))
        if self.already:
            heading = (
                f"{plural(len(self.already), 'action')} had been sent by an earlier sync "
                "(not sent again)."
            )
            out.append((heading, "muted", []))
        if self.kept_on_server:
            heading = (
                "Customer data changed in the copy was not sent (it comes from the server "
                "only): " + ", ".join(self.kept_on_server) + "."
            )
            out.append((heading, "muted", []))
        if self.refreshed is not None:
            heading = (
                f"Your copy was refreshed from the server: {self.refreshed.customers:,} "
                f"customers, as of {clock(self.refreshed.origin.taken_at)}."
            )
            out.append((heading, "positive", []))
        elif self.refresh_problem:
            out.append((f"Your copy was not refreshed: {self.refresh_problem}", "warning", []))
        elif not self.ok:
            out.append(
                ("Your copy was kept as it is (not refreshed), so nothing is lost.", "muted", [])
            )
        return out

    def lines(self) -> list[str]:
        """The report as lines of text (what the command line prints)."""
        out = []
        for heading, _tone, lines in self.sections():
            out.append(heading)
            out += [f"  {line}" for line in lines]
        return out


def clock(when: dt.datetime, now: dt.datetime | None = None) -> str:
    """A moment on the user's clock: "14:05" today, "Nov 23 at 14:05" another day."""
    local = when.astimezone()
    today = (now or dt.datetime.now(dt.UTC)).astimezone().date()
    if local.date() == today:
        return local.strftime("%H:%M")
    return f"{local:%b} {local.day} at {local:%H:%M}"


def person(actor: str) -> str:
    """An audit actor as a name: "Maya Lopez <maya@x> (account maya)" -> "Maya Lopez"."""
    return actor.split(" <", 1)[0].split(" (account", 1)[0].strip() or actor
