"""The customer pane's product usage in words (no Qt): a figure's change against the 30 days
before, a feature's name as people say it, which count the pane shows as sessions and
which series its weekly chart draws. The figures themselves are the summary's
(services/usage/summary.py), never recomputed here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.usage.records import UsagePeriod, UsageSummary

BEFORE = "the 30 days before"
# A fall this large (a share of the 30 days before) is told in the critical colour; a
# smaller one in the warning colour; a rise this large in the positive one.
STEEP_FALL = 0.25
FALL = 0.10
RISE = 0.10


@dataclass(frozen=True)
class Change:
    """A figure of the last 30 days against the 30 days before, in words."""

    words: str  # "down 60% on the 30 days before"
    short: str  # "down 60%": for a narrow tile (the whole words are its tooltip)
    tone: str  # "critical", "warning", "positive" or ""


def change(recent: float, previous: float) -> Change:
    """How ``recent`` compares with ``previous``: up, down, no change, or none before."""
    if previous <= 0:
        if recent <= 0:
            return Change(f"none in {BEFORE} either", "none before either", "")
        return Change(f"none in {BEFORE}", "none before", "")
    if recent == previous:
        return Change(f"no change on {BEFORE}", "no change", "")
    share = (recent - previous) / previous
    percent = round(abs(share) * 100)
    if percent == 0:
        return Change(f"about the same as {BEFORE}", "about the same", "")
    if share > 0:
        return Change(f"up {percent:,}% on {BEFORE}", f"up {percent:,}%", _rise_tone(share))
    return Change(f"down {percent}% on {BEFORE}", f"down {percent}%", _fall_tone(-share))


def _rise_tone(share: float) -> str:
    return "positive" if share >= RISE else ""


def _fall_tone(share: float) -> str:
    return "critical" if share >= STEEP_FALL else "warning" if share >= FALL else ""


_SEPARATORS = re.compile(r"[\s_\-.:/]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def feature_name(key: str) -> str:
    """A feature's name as a person writes it: "size_guide" and "sizeGuide" -> "Size guide";
    acronyms stay as they are ("PDF export")."""
    words = [w for w in _SEPARATORS.split(_CAMEL.sub(" ", key.strip())) if w]
    if not words:
        return key
    shown = [w if w.isupper() and len(w) > 1 else w.lower() for w in words]
    first = shown[0]
    shown[0] = first[:1].upper() + first[1:]
    return " ".join(shown)


def session_count(summary: UsageSummary) -> tuple[str, str]:
    """Which count the pane shows as visits: (field of a period, caption) — sessions when
    the source counts them, else logins."""
    periods = (summary.recent, summary.previous, *summary.weeks)
    if any(p.sessions for p in periods) or not any(p.logins for p in periods):
        return "sessions", "Sessions"
    return "logins", "Logins"


def chart_series(summary: UsageSummary) -> tuple[str, str, str]:
    """What the weekly chart draws: (field of a period, title, unit) — active users, or
    for a customer of one user at most, their sessions (or logins)."""
    periods = (summary.recent, *summary.weeks)
    if max(p.active_users for p in periods) > 1:
        return "active_users", "Active users a week", "active users"
    field, caption = session_count(summary)
    return field, f"{caption} a week", caption.lower()


def figure(period: UsagePeriod, field: str) -> float:
    """A period's figure by field name (one of UsagePeriod's counts)."""
    value = getattr(period, field)
    return float(value)


def adoption_words(used: int, seen: int) -> str:
    """ "Uses 3 of 9 features"."""
    noun = "feature" if seen == 1 else "features"
    return f"Uses {used} of {seen} {noun}"
