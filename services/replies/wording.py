"""Replies in words, the same on the command line and in the window."""

from __future__ import annotations

import datetime as dt

from services.replies.definition import REPLY_DAYS
from services.replies.records import BREAKDOWNS, SMALL_SENT, ReplyGroup, ReplyReport

__all__ = [
    "HOLDOUT_WORDS",
    "best_words",
    "duration",
    "empty_words",
    "headline",
    "interval_words",
    "period_words",
    "rate",
    "rate_words",
    "small_words",
]

TOO_FEW = "too few to compare"
SMALL_WORDS = f"* fewer than {SMALL_SENT} emails sent: shown, but too few to compare."
HOLDOUT_WORDS = (
    "A reply rate is not a lift: the held-out customers get no email, so there is no rate "
    "to set it against. It says how many wrote back, not what the email changed (the lift "
    "is under Outreach)."
)
NO_EMAILS = (
    "No emails sent in this period. Emails the app sends (or hands to your mail program and "
    "you say you sent) are counted here, and their replies once you import your mailbox."
)
NONE_ANSWERS = (
    "None of the customers' emails imported answers one of these: import the mailbox the "
    "replies went to (File ▸ Import: a folder of .eml files or an .mbox export)."
)
NO_REPLIES_IMPORTED = (
    "No customer emails are imported, so no reply can be seen yet: import your mailbox "
    "(File ▸ Import: a folder of .eml files or an .mbox export) and replies count."
)
HOW_WORDS = {
    "thread": "answers the email (its thread)",
    "subject": f"same subject, within {REPLY_DAYS} days",
}


def rate(value: float | None) -> str:
    """A share as a whole percentage, with a decimal below 10 % ("0.5%": an interval's end
    on hundreds of emails is not rounded away to 0 %), "–" when there is none."""
    if value is None:
        return "–"
    return f"{value:.1%}" if 0 < value < 0.1 else f"{value:.0%}"


def interval_words(group: ReplyGroup) -> str:
    """ "12% to 41%", "0% to 0.5%"; "–" when nothing was sent."""
    found = group.interval
    return "–" if found is None else f"{rate(found[0])} to {rate(found[1])}"


def rate_words(group: ReplyGroup) -> str:
    """ "25% (12% to 41%)", or with "too few to compare" for a small group."""
    if not group.sent:
        return "–"
    words = f"{rate(group.rate)} ({interval_words(group)})"
    return f"{words}, {TOO_FEW}" if group.small else words


def duration(hours: float | None) -> str:
    """Hours in words: "45 minutes", "5.5 hours", "3.2 days"; "–" when there is none."""
    if hours is None:
        return "–"
    if hours < 1:
        minutes = max(1, round(hours * 60))
        return f"{minutes} minute" + ("" if minutes == 1 else "s")
    if hours < 48:
        value = f"{hours:.1f}".removesuffix(".0") if hours < 10 else f"{hours:.0f}"
        return f"{value} hour" + ("" if value == "1" else "s")
    return f"{hours / 24:.1f}".removesuffix(".0") + " days"


def _day(day: dt.date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def period_words(report: ReplyReport) -> str:
    """ "Emails sent Dec 1, 2025 to Nov 27, 2026"."""
    return f"Emails sent {_day(report.first_day)} to {_day(report.last_day)}"


def empty_words(report: ReplyReport) -> str | None:
    """Why there is nothing to show, or None."""
    return NO_EMAILS if not report.emails else None


def headline(report: ReplyReport) -> str:
    """One sentence: how many wrote back, and how fast."""
    empty = empty_words(report)
    if empty is not None:
        return empty
    whole = report.overall
    words = (
        f"{whole.replied:,} of {whole.sent:,} emails got a reply "
        f"({rate(whole.rate)}, likely {interval_words(whole)})"
    )
    if whole.median_hours is not None:
        words += f"; half the replies came within {duration(whole.median_hours)}"
    words += "."
    if whole.automatic:
        words += f" {whole.automatic:,} got only an automatic reply, not counted."
    if report.received == 0:
        words += " " + NO_REPLIES_IMPORTED
    elif whole.replied == 0:
        words += " " + NONE_ANSWERS
    return words


def best_words(report: ReplyReport, by: str) -> str:
    """Which template (tone, playbook) gets the most replies, said only when the evidence
    holds it: its interval clears every other's."""
    title = dict(BREAKDOWNS)[by].lower()
    if report.overall.replied == 0:
        return f"No email got a reply yet: there is nothing to compare {title}s by."
    groups = report.groups(by)
    solid = [g for g in groups if not g.small]
    if len(solid) < 2:
        return (
            f"Fewer than two {title}s have {SMALL_SENT} or more emails sent: too few to "
            f"say which {title} gets more replies."
        )
    best = report.best(by)
    if best is None:
        return f"No {title} stands out: their intervals overlap, so none is named best."
    return (
        f"{best.label} gets the most replies ({rate(best.rate)}): its interval lies above "
        f"that of every other {title} with {SMALL_SENT} or more emails."
    )


def small_words(groups: tuple[ReplyGroup, ...]) -> str | None:
    """The footnote for groups of too few emails, when there is one."""
    return SMALL_WORDS if any(g.small for g in groups) else None
