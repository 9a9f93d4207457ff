"""What the customer queries return: frozen records the window can hold and show.

Kept apart from services/customers.py so that views can import them without loading
SQLAlchemy (a test imports every view with the database libraries blocked).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class TimelineEvent:
    """One dated thing in a customer's history, ready to show."""

    when: dt.datetime
    kind: str
    title: str
    detail: str = ""
    amount: float | None = None


@dataclass(frozen=True)
class OpportunitySummary:
    """An open deal in the pipeline for one customer."""

    id: int
    name: str
    type: str | None
    stage: str | None
    amount: float | None
    probability: float | None
    close_date: dt.date | None
    owner: str | None


@dataclass(frozen=True, eq=False)
class CustomerDetail:
    """Everything the detail pane shows about one customer (no live ORM objects)."""

    id: int
    name: str
    email: str | None
    company: str | None
    phone: str | None
    owner: str | None
    tier: str | None
    region: str | None
    signup_date: dt.date | None
    do_not_contact: bool
    paid_orders: int
    revenue: float
    last_order: dt.datetime | None
    avg_gap_days: float | None
    orders: pd.DataFrame = field(repr=False)
    timeline: tuple[TimelineEvent, ...] = ()
    open_opportunities: tuple[OpportunitySummary, ...] = ()


@dataclass(frozen=True)
class WorkspaceSummary:
    """Row counts and the demo marker of a workspace."""

    customers: int
    orders: int
    interactions: int
    opportunities: int
    is_demo: bool
    demo_info: dict[str, Any] | None = None


class CustomerNotFoundError(LookupError):
    """The customer id does not exist (any more) in the workspace."""
