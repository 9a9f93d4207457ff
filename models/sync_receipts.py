"""Receipts of the actions pushed back from offline copies (services/team/sync.py).

Beside the schema's modules (models/schema/ re-exports it), where other modules import it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class SyncReceipt(Base):
    """An action taken in an offline copy and pushed back, by its stable key: a second
    sync of the same copy finds it here and pushes nothing twice."""

    __tablename__ = "sync_receipts"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    pushed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    pushed_by: Mapped[str | None] = mapped_column(String(255))
    # What the push came to: "applied", or "conflict: <what the server had>".
    result: Mapped[str | None] = mapped_column(Text)
    # The database user who pushed it (a shared workspace's trigger fills it in, whatever
    # the client sent): a manager's receipts are theirs alone.
    db_user: Mapped[str | None] = mapped_column(String(255))
