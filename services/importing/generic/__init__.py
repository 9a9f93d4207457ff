"""Generic files: any header, mapped to canonical fields by name similarity and content.

``suggest_mapping(table, kind)`` proposes a canonical field for each column with a score;
``infer_kind(table)`` picks customers / orders / interactions / opportunities /
subscriptions when the user did not say; ``convert(table, kind, mapping)`` turns the table
into a canonical Batch, rejecting rows it cannot read (bad date, negative amount, no
customer...). A mapping is ``{column: field or None}``; unmapped columns go to attributes.

The package: ``fields`` (the canonical fields of each kind), ``synonyms`` (the header names
each field goes by, and the header key of saved profiles), ``mapping`` (which column is
which field, and which kind a file holds) and ``conversion`` (a mapped table in canonical
form). This module is their public face for the import service and the profiles.
"""

from __future__ import annotations

from services.importing.generic.conversion import convert
from services.importing.generic.fields import FIELDS, GENERIC_SOURCE, fields_for_kind
from services.importing.generic.mapping import (
    CONFIDENT,
    MappingSuggestion,
    infer_kind,
    suggest_mapping,
)
from services.importing.generic.synonyms import header_key

__all__ = [
    "CONFIDENT",
    "FIELDS",
    "GENERIC_SOURCE",
    "MappingSuggestion",
    "convert",
    "fields_for_kind",
    "header_key",
    "infer_kind",
    "suggest_mapping",
]
