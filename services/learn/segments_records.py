"""The records of segments over time (services.learn.segments_over_time), apart so that
the window's views can import them without the database libraries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.core.clv_words import value_label

NOT_SCORED = "Not scored"
NO_SEGMENT = "No segment"  # a snapshot without a segment


@dataclass(frozen=True)
class RunInfo:
    """One finished scoring run, as the segments' figures name it."""

    run_id: int
    as_of: dt.date
    horizon_days: int
    config_version: int
    clv_months: int
    currency: str
    customers: int

    @property
    def value_label(self) -> str:
        """The name of this run's value: "12-month value"."""
        return value_label(self.clv_months)

    @property
    def label(self) -> str:
        """How a person picks the run: "Mar 4, 2025 (90-day horizon)"."""
        return f"{self.as_of:%b %-d, %Y} ({self.horizon_days}-day horizon)"


@dataclass(frozen=True)
class SegmentFigures:
    """One segment in one run."""

    run_id: int
    segment: str
    customers: int
    predicted_revenue_cents: int  # over the run's churn horizon
    value_cents: int  # the run's T-month value, summed
    mean_churn_risk: float | None  # 0..1
    mean_value_cents: float | None


@dataclass(frozen=True)
class SegmentsOverTime:
    """The segments of every finished scoring run."""

    runs: tuple[RunInfo, ...]  # oldest first
    figures: tuple[SegmentFigures, ...]  # by run, then segment order
    segments: tuple[str, ...]  # those present in any run, in the segments' order

    def figure(self, run_id: int, segment: str) -> SegmentFigures | None:
        """The segment's figures in the run (None: nobody in it)."""
        for f in self.figures:
            if f.run_id == run_id and f.segment == segment:
                return f
        return None

    def series(self, segment: str, field: str) -> list[float | None]:
        """``field`` of the segment in each run, oldest first (0 customers and revenue where
        the run had nobody in it; None for the means)."""
        out: list[float | None] = []
        for run in self.runs:
            f = self.figure(run.run_id, segment)
            if f is None:
                out.append(None if field.startswith("mean_") else 0)
            else:
                value = getattr(f, field)
                out.append(None if value is None else float(value))
        return out

    @property
    def settings_changes(self) -> tuple[int, ...]:
        """Indices of the runs made under other settings than the run before them."""
        return tuple(
            i
            for i in range(1, len(self.runs))
            if self.runs[i].config_version != self.runs[i - 1].config_version
        )


@dataclass(frozen=True)
class MigrationCell:
    """The customers in segment ``before`` in the earlier run and ``after`` in the later."""

    before: str
    after: str
    customers: int
    revenue_before_cents: int  # predicted revenue in the earlier run
    revenue_after_cents: int  # in the later run


@dataclass(frozen=True)
class MigrationMatrix:
    """Segment migration between two runs."""

    earlier: RunInfo
    later: RunInfo
    cells: tuple[MigrationCell, ...]
    rows: tuple[str, ...]  # segments of the earlier run (then Not scored)
    columns: tuple[str, ...]  # of the later run

    def cell(self, before: str, after: str) -> MigrationCell | None:
        for c in self.cells:
            if c.before == before and c.after == after:
                return c
        return None

    @property
    def stayed(self) -> int:
        """Customers in the same segment in both runs."""
        return sum(c.customers for c in self.cells if c.before == c.after)

    @property
    def moved(self) -> int:
        """Customers scored by both runs who changed segment."""
        return sum(
            c.customers
            for c in self.cells
            if c.before != c.after and NOT_SCORED not in (c.before, c.after)
        )
