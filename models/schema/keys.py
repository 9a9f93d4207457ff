"""The foreign-key column the tables of the schema share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column


def fk(table: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Mapped[Any]:
    """A column keyed to ``table``'s id, indexed; its rows go with the row it names
    (CASCADE) unless ``ondelete`` says otherwise."""
    return mapped_column(
        ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable, index=True
    )
