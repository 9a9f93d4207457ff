"""Saved column mappings for generic files (the mapping_profiles table).

A profile is a named mapping ``{column: field or None}`` for one kind, stored with the
signature of the header it was made for, so that the next file with the same header is
imported with it automatically; ``--profile NAME`` forces one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from models.base import utcnow
from models.errors import UserFacingError
from models.schema import MappingProfile
from services.importing.generic import GENERIC_SOURCE, header_key

__all__ = ["Profile", "find_profile", "get_profile", "list_profiles", "save_profile"]


@dataclass(frozen=True)
class Profile:
    """A saved mapping: name, kind, the source name its records get, and the columns."""

    name: str
    kind: str
    source: str
    columns: dict[str, str | None]
    header_signature: str


def _profile(row: Any) -> Profile:
    mapping = dict(row.mapping or {})
    columns = mapping.get("columns")
    if not isinstance(columns, dict):
        columns = {k: v for k, v in mapping.items() if k not in ("kind", "source")}
    return Profile(
        name=row.name,
        kind=row.kind,
        source=str(mapping.get("source") or GENERIC_SOURCE),
        columns={str(k): (None if v is None else str(v)) for k, v in columns.items()},
        header_signature=row.header_signature,
    )


def save_profile(
    session: Session,
    name: str,
    kind: str,
    header: Sequence[str],
    columns: Mapping[str, str | None],
    *,
    source: str = GENERIC_SOURCE,
) -> Profile:
    """Save (or replace) a profile under ``name`` for this header, in the caller's
    transaction."""
    conn = session.connection()
    name = name.strip()
    if not name:
        raise UserFacingError("A mapping profile needs a name.")
    signature = header_key(header)
    payload = {"kind": kind, "source": source, "columns": dict(columns)}
    existing = conn.execute(select(MappingProfile.id).where(MappingProfile.name == name)).first()
    now = utcnow()
    if existing is None:
        conn.execute(
            insert(MappingProfile).values(
                name=name,
                kind=kind,
                header_signature=signature,
                mapping=payload,
                created_at=now,
                updated_at=now,
            )
        )
    else:
        conn.execute(
            update(MappingProfile)
            .where(MappingProfile.id == existing.id)
            .values(kind=kind, header_signature=signature, mapping=payload, updated_at=now)
        )
    return Profile(name, kind, source, dict(columns), signature)


def find_profile(session: Session, header: Sequence[str]) -> Profile | None:
    """The most recently saved profile made for this exact header, or None."""
    conn = session.connection()
    table = MappingProfile.__table__
    row = conn.execute(
        select(table)
        .where(table.c.header_signature == header_key(header))
        .order_by(table.c.updated_at.desc(), table.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else _profile(row)


def get_profile(session: Session, name: str) -> Profile:
    """The profile called ``name``; a plain error listing the saved ones otherwise."""
    conn = session.connection()
    table = MappingProfile.__table__
    row = conn.execute(select(table).where(table.c.name == name)).first()
    if row is None:
        names = [r.name for r in conn.execute(select(table.c.name).order_by(table.c.name))]
        saved = f"saved profiles: {', '.join(names)}" if names else "no profile is saved yet"
        raise UserFacingError(
            f"There is no mapping profile named '{name}' ({saved}). Import the file once in "
            "the window and save its mapping under that name."
        )
    return _profile(row)


def list_profiles(session: Session) -> list[tuple[str, str]]:
    """(name, kind) of every saved profile, by name."""
    conn = session.connection()
    table = MappingProfile.__table__
    return [
        (r.name, r.kind)
        for r in conn.execute(select(table.c.name, table.c.kind).order_by(table.c.name))
    ]


def delete_profile(session: Session, name: str) -> bool:
    """Delete a profile in the caller's transaction; True when one was deleted."""
    conn = session.connection()
    result = conn.execute(delete(MappingProfile).where(MappingProfile.name == name))
    return bool(result.rowcount)
