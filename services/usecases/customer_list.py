"""The customers as a list for the command line (``customers list``): the Customers
table's rows kept by the one customer filter and search (services/core/customer_filter.py),
named as the table names them (services/core/account_names.py: the company, the person
beside it), with the latest scores and the lifecycle stage stored with them."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Engine

from services.core.customer_filter import CustomerFilter, filter_mask, search_mask

__all__ = ["CustomerLine", "list_customers"]


@dataclass(frozen=True)
class CustomerLine:
    """One customer as listed (scores None before any scoring or for an unscored one)."""

    id: int
    external_id: str
    name: str  # the account's name
    person: str  # who stands for the account ("" when the account is its person)
    email: str
    owner: str
    segment: str | None
    churn_risk: float | None
    health_score: float | None
    stage: str | None  # the stage's key (services/lifecycle/stages.py), as of the scoring


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def list_customers(
    engine: Engine, f: CustomerFilter | None = None, search: str = ""
) -> list[CustomerLine]:
    """Every customer the filter and the search keep (None, "": every customer), by id."""
    from services.usecases.customers import load_customer_columns

    columns = load_customer_columns(engine)
    ids = columns["id"]
    mask = filter_mask(f or CustomerFilter(), columns, ids, columns["do_not_contact"])
    found = search_mask(columns, search)
    if found is not None:
        mask = found if mask is None else mask & found
    rows = range(len(ids)) if mask is None else mask.nonzero()[0]
    nothing = [None] * len(ids)
    segment = columns.get("segment", nothing)
    risk = columns.get("churn_risk", nothing)
    health = columns.get("health_score", nothing)
    stage = columns.get("stage", nothing)
    return [
        CustomerLine(
            id=int(ids[i]),
            external_id=_text(columns["external_id"][i]),
            name=_text(columns["name"][i]),
            person=_text(columns["person"][i]),
            email=_text(columns["email"][i]),
            owner=_text(columns["owner"][i]),
            segment=segment[i] if isinstance(segment[i], str) else None,
            churn_risk=_number(risk[i]),
            health_score=_number(health[i]),
            stage=stage[i] if isinstance(stage[i], str) and stage[i] else None,
        )
        for i in rows
    ]
