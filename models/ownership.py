"""Which tables hold a customer's rows, read from the schema itself: a table with a
foreign key to ``customers`` (or a ``customer_id`` column). services/team/security.py keeps
each of them under row-level security and services/team/guards.py audits them, so a new
table of a customer's rows is covered without being listed anywhere."""

from __future__ import annotations

from sqlalchemy import MetaData

from models import experiments, schema  # noqa: F401  (registers every table)
from models.base import Base

CUSTOMER_COLUMN = "customer_id"


def customer_keys(metadata: MetaData = Base.metadata) -> dict[str, str]:
    """Each table whose rows belong to a customer, in alphabetical order, with the column
    that names the customer (``customer_id`` when it has one, else its foreign key to
    ``customers``)."""
    keys: dict[str, str] = {}
    for name in sorted(metadata.tables):
        table = metadata.tables[name]
        if name == "customers":
            continue
        referring = sorted(
            fk.parent.name
            for fk in table.foreign_keys
            if fk.target_fullname.partition(".")[0] == "customers"
        )
        if CUSTOMER_COLUMN in table.columns:
            keys[name] = CUSTOMER_COLUMN
        elif referring:
            keys[name] = referring[0]
    return keys


def row_key(table: str, metadata: MetaData = Base.metadata) -> str:
    """The column that keys a row of ``table`` (its primary key, of one column)."""
    (column,) = metadata.tables[table].primary_key.columns
    return str(column.name)
