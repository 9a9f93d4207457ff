"""What an import did, so that it can be shown and undone, and the column mappings saved
for the files no built-in format recognises."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONType, UTCDateTime, utcnow
from models.schema.keys import fk


class ImportRun(Base):
    """One import of one file: what it was, what it did, and whether it was undone."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_path: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    detected_format: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str | None] = mapped_column(String(32))
    profile_name: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    undone_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ImportChange(Base):
    """The values a row had before an import updated it, so that the import can be undone.

    Rows an import inserted are found by their ``import_run_id``; rows it updated are
    restored from ``before`` (column name -> stored value, JSON-safe).
    """

    __tablename__ = "import_changes"
    __table_args__ = (Index("ix_import_changes_table_row", "table_name", "row_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_run_id: Mapped[int] = fk("import_runs")
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[int] = mapped_column(BigInteger)
    before: Mapped[dict[str, Any]] = mapped_column(JSONType)


class MappingProfile(Base):
    """A saved column mapping for a file header that no built-in format recognises."""

    __tablename__ = "mapping_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    header_signature: Mapped[str] = mapped_column(String(64), index=True)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
