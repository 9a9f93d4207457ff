"""A review pack as plain data: its title page, then one section per page or slide, each
with its figures, its lines in words, its charts' data and the figures' definitions (the
slides' speaker notes). The PDF and the slides are drawn from this, never from the
database; standard library only, so the window's renderers may import it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# What a pack covers.
CUSTOMER, SEGMENT, BOOK = "customer", "segment", "book"
SCOPES = (CUSTOMER, SEGMENT, BOOK)
# The files it is written as.
PDF, PPTX = "pdf", "pptx"
FORMATS = (PDF, PPTX)
FORMAT_LABELS = {PDF: "PDF", PPTX: "PowerPoint slides"}

# The charts a section may carry (views/packs draws each with the app's own chart).
SCORE_HISTORY = "score_history"  # one customer's health and churn risk over time
ORDERS = "orders"  # one customer's orders and cumulative revenue
USAGE = "usage"  # one customer's product use a week
HEALTH_MIX = "health_mix"  # the health and engagement scores of a group of customers
CHURN_RISK = "churn_risk"  # the churn risk of a group of customers, with the threshold
CHART_KINDS = (SCORE_HISTORY, ORDERS, USAGE, HEALTH_MIX, CHURN_RISK)


@dataclass(frozen=True)
class Figure:
    """One headline figure: its label, its value in words and what it means."""

    label: str
    value: str
    definition: str = ""


@dataclass(frozen=True)
class Chart:
    """One chart's data, as the app's own chart takes it (``kind``: CHART_KINDS)."""

    kind: str
    title: str
    data: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def key(self) -> str:
        """A name for the chart's picture ("orders")."""
        return self.kind


@dataclass(frozen=True)
class Section:
    """One page of the PDF and one slide: a title, figures, lines, charts and notes."""

    title: str
    figures: tuple[Figure, ...] = ()
    lines: tuple[str, ...] = ()
    charts: tuple[Chart, ...] = ()
    # What the figures mean, for the speaker notes (the definitions, in words).
    notes: tuple[str, ...] = ()

    @property
    def definitions(self) -> tuple[str, ...]:
        """Each figure's definition ("Churn risk: ..."), then the section's notes."""
        own = tuple(f"{f.label}: {f.definition}" for f in self.figures if f.definition)
        return own + self.notes


@dataclass(frozen=True)
class Pack:
    """A review pack: whom it covers, for which period, and its sections in order."""

    scope: str  # SCOPES
    title: str  # the account, the segment or "The book"
    subtitle: str  # "Quarterly review"
    owner: str  # whose account ("" for a segment or the book)
    made_on: dt.date
    period_start: dt.date
    period_end: dt.date
    currency: str
    sections: tuple[Section, ...]
    workspace: str = ""

    @property
    def period_words(self) -> str:
        """ "Sep 1, 2026 to Nov 27, 2026" """
        from services.core.formatting import format_date

        return f"{format_date(self.period_start)} to {format_date(self.period_end)}"

    @property
    def title_lines(self) -> tuple[str, ...]:
        """The title page's lines under the title: owner, period and date."""
        from services.core.formatting import format_date

        lines = []
        if self.owner:
            lines.append(f"Account owner: {self.owner}")
        lines.append(f"Period: {self.period_words}")
        lines.append(f"Prepared on {format_date(self.made_on)}")
        return tuple(lines)

    @property
    def charts(self) -> tuple[Chart, ...]:
        """Every chart of the pack, in order."""
        return tuple(c for s in self.sections for c in s.charts)

    @property
    def file_stem(self) -> str:
        """A file name for it: "Review pack - Acme Ltd - 2026-11-27"."""
        safe = "".join(ch for ch in self.title if ch.isalnum() or ch in " -_.").strip()
        return f"Review pack - {safe or 'account'} - {self.made_on.isoformat()}"


class PackCancelled(Exception):
    """The user cancelled the pack while it was being made."""
