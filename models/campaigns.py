"""An email event's campaign type, kept in ``interactions.campaign_type`` (migration 0019).

Exports carry it among the columns the importer keeps in ``attributes`` (the demo's
``campaign_type``, a mail tool's "Campaign type"); the column holds it so that a question
over the emails of a period reads it from an index, not from every row's JSON. Every
writer of email events sets it with ``campaign_type_of``; migration 0019 filled the rows
stored before it in SQL, by the same rule.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Index, text

from models.vocab import EMAIL_EVENT_KINDS

# The attribute keys that name it, first found wins.
CAMPAIGN_TYPE_KEYS = ("campaign_type", "Campaign type")
# The email events of a period with their type, customer and offset: the index "Email
# conversion by campaign type" reads instead of the rows (Interaction's,
# models/schema/records.py).
_TYPED = text("campaign_type IS NOT NULL")
CAMPAIGN_INDEX = Index(
    "ix_interactions_campaign_time",
    "kind",
    "occurred_at",
    "campaign_type",
    "customer_id",
    "utc_offset_minutes",
    sqlite_where=_TYPED,
    postgresql_where=_TYPED,
)


def campaign_type_of(kind: str | None, attributes: Mapping[str, Any] | None) -> str | None:
    """The campaign type an email event's attributes give (None for any other event), as
    SQL's json_extract gives it: text as it is, a number or a flag as its text."""
    if kind not in EMAIL_EVENT_KINDS or not isinstance(attributes, Mapping):
        return None
    for key in CAMPAIGN_TYPE_KEYS:
        value = attributes.get(key)
        if value is not None:
            return _as_text(value)
    return None


def campaign_types(kinds: Sequence[Any], attributes: Sequence[Any]) -> list[str | None]:
    """``campaign_type_of`` of each row (kinds and attributes side by side)."""
    return [campaign_type_of(k, a) for k, a in zip(kinds, attributes, strict=True)]


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
