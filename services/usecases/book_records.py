"""The book's renewals and retention as the dashboard and the book's pack show them
(services/usecases/book_lines.py reads them): plain records, no database."""

from __future__ import annotations

from dataclasses import dataclass

from services.renewals.wording import AHEAD_DAYS
from services.retention.wording import rate

__all__ = ["AHEAD_DAYS", "BookLines"]


@dataclass(frozen=True)
class BookLines:
    """The book's renewals and retention (services/usecases/book_lines.py defines each)."""

    currency: str
    contracts: int  # contracts in the workspace (0: none, the renewal figures say so)
    renewals_words: str  # the renewals ahead in a sentence (Results ▸ Renewals' headline)
    due: frozenset[int]  # the customers of the renewals ahead
    due_cents: float  # their annual value
    expected_cents: float | None  # None: no likelihood yet
    at_risk: frozenset[int]  # the customers of the renewals ahead at risk
    calls_due: frozenset[int]  # the customers with a renewal call due
    calls: int  # the calls due (a customer may have several contracts)
    period: str  # "Nov 2025 – Oct 2026"
    retention_rate: float | None  # None: no customer active at the period's start
    nrr: float | None
    grr: float | None
    retention_empty: str | None  # why there is no retention figure (None: there is)

    @property
    def retention_words(self) -> str:
        """ "80.8% of customers kept over the last 12 months (Nov 2025 – Oct 2026); NRR
        111.6%, GRR 72.7%"."""
        if self.retention_empty is not None:
            return self.retention_empty
        words = (
            f"{rate(self.retention_rate)} of customers kept over the last 12 months ({self.period})"
        )
        if self.nrr is not None:
            words += f"; NRR {rate(self.nrr)}, GRR {rate(self.grr)}"
        return words + "."
