"""What a file is and how it maps: the plan an import follows (a known export format, a
saved mapping profile, the mapping given, or a suggested one) and the preview that shows
it, with the file's first rows, before anything is imported."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from models.errors import UserFacingError
from services.core.output_files import display_path
from services.importing import conversation_files, deferred, generic, profiles, usage
from services.importing.checks import repaired_note
from services.importing.conversation_files import CONVERSATIONS_KIND
from services.importing.reader import RawTable, read_table
from services.importing.types import ColumnGuess, FilePreview

log = logging.getLogger(__name__)

PREVIEW_ROWS = 20


def _formats() -> Any:
    """The format adapters module, or None while it is not available."""
    try:
        from services.importing import formats
    except ImportError:  # pragma: no cover - the adapters ship with the app
        log.warning("format adapters unavailable", exc_info=True)
        return None
    return formats


# --- planning: what a file is and how it maps ----------------------------------------------


@dataclass
class Plan:
    """How one file is to be imported: its adapter or its mapping, kind and problems."""

    table: RawTable
    adapter: Any  # FormatAdapter | None
    detected_format: str
    format_title: str
    kind: str
    kinds: tuple[str, ...]
    mapping: dict[str, str | None] | None = None
    source: str = generic.GENERIC_SOURCE
    profile_name: str | None = None
    suggestion: generic.MappingSuggestion | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def needs_mapping(self) -> bool:
        return self.adapter is None and self.mapping is None


def check_kind(kind: str) -> None:
    """Refuse a kind of data the import does not know ("auto" lets the file tell)."""
    if kind not in ("auto", CONVERSATIONS_KIND) and kind not in generic.FIELDS:
        raise UserFacingError(
            f"'{kind}' is not a kind of data Account Radar imports; use auto, "
            f"{', '.join(generic.FIELDS)}, {CONVERSATIONS_KIND}."
        )


def duplicates_text(table: RawTable) -> str:
    """ "'amount' (columns 4 and 5)" for each name the header repeats; "" when none."""
    parts = []
    for name, cols in table.duplicate_columns.items():
        where = ", ".join(str(c) for c in cols[:-1]) + f" and {cols[-1]}"
        parts.append(f"'{name}' (columns {where})")
    return "; ".join(parts)


def make_plan(
    session: Session,
    table: RawTable,
    *,
    kind: str,
    profile: str | None,
    mapping: Mapping[str, str | None] | None,
) -> Plan:
    """The plan for a file: its format's adapter, else the mapping given, a saved
    profile, or the suggested mapping (with a problem when it is not confident)."""
    check_kind(kind)
    formats = _formats()
    adapter = None
    if profile is None and mapping is None and formats is not None:
        adapter = formats.detect(table.header)
    if adapter is not None:
        kinds = tuple(adapter.kinds)
        if kind != "auto" and kind not in kinds:
            raise UserFacingError(
                f"{table.file_name} is a {adapter.title}, which holds "
                f"{' and '.join(kinds)}, not {kind}. Import it with --kind auto."
            )
        return Plan(
            table=table,
            adapter=adapter,
            detected_format=adapter.name,
            format_title=adapter.title,
            kind=kind if kind != "auto" else ", ".join(kinds),
            kinds=kinds,
        )
    plan_kind = kind
    if mapping is not None:
        if plan_kind == "auto":
            plan_kind = generic.infer_kind(table).kind
        plan = Plan(
            table=table,
            adapter=None,
            detected_format=f"generic_{plan_kind}",
            format_title=f"Generic {plan_kind} file",
            kind=plan_kind,
            kinds=(plan_kind,),
            mapping=dict(mapping),
        )
        plan.suggestion = generic.suggest_mapping(table, plan_kind)
        return plan
    chosen: profiles.Profile | None = None
    if profile is not None:
        chosen = profiles.get_profile(session, profile)
    else:
        chosen = profiles.find_profile(session, table.header)
        if chosen is not None and kind != "auto" and chosen.kind != kind:
            chosen = None
    if chosen is not None:
        if kind != "auto" and chosen.kind != kind:
            raise UserFacingError(
                f"The mapping profile '{chosen.name}' is for {chosen.kind}, not {kind}."
            )
        columns = {c: f for c, f in chosen.columns.items() if c in table.header}
        missing = [c for c, f in chosen.columns.items() if f and c not in table.header]
        plan = Plan(
            table=table,
            adapter=None,
            detected_format=f"generic_{chosen.kind}",
            format_title=f"Generic {chosen.kind} file (profile '{chosen.name}')",
            kind=chosen.kind,
            kinds=(chosen.kind,),
            mapping=columns,
            source=chosen.source,
            profile_name=chosen.name,
        )
        if missing:
            plan.problems.append(
                f"the file lacks column(s) the profile '{chosen.name}' maps: " + ", ".join(missing)
            )
        return plan
    suggestion = (
        generic.infer_kind(table) if kind == "auto" else generic.suggest_mapping(table, kind)
    )
    plan = Plan(
        table=table,
        adapter=None,
        detected_format=f"generic_{suggestion.kind}",
        format_title=f"Generic {suggestion.kind} file",
        kind=suggestion.kind if (suggestion.confident or kind != "auto") else "",
        kinds=(suggestion.kind,),
        suggestion=suggestion,
    )
    if suggestion.confident:
        plan.mapping = suggestion.mapping
    else:
        plan.problems.append(_mapping_problem(suggestion))
    return plan


def _mapping_problem(suggestion: generic.MappingSuggestion) -> str:
    fields = ", ".join(f.replace("_", " ") for f in suggestion.unmapped_required)
    unmapped = [g.column for g in suggestion.guesses if g.field is None]
    text = f"Account Radar could not tell which column holds: {fields}"
    if unmapped:
        shown = ", ".join(f"'{c}'" for c in unmapped[:8])
        more = f" and {len(unmapped) - 8} more" if len(unmapped) > 8 else ""
        text += f" (columns it could not map: {shown}{more})"
    return text


def open_table(path: Path, *, limit: int | None = None, defer: bool = False) -> RawTable:
    """The file read as text columns (its first ``limit`` rows when given). ``defer``: a
    plain UTF-8 file's records are located and only its first rows parsed; the import
    parses the rest once it knows which rows it needs (services/importing/deferred.py)."""
    if defer and limit is None and (table := deferred.read_deferred(path)) is not None:
        return table
    return read_table(path, limit=limit)


# --- preview --------------------------------------------------------------------------------


def preview_file(
    engine: Engine, path: str | Path, *, kind: str = "auto", profile: str | None = None
) -> FilePreview:
    """What a file is, how it maps, and its first rows, without importing anything."""
    path = Path(path)
    told = kind == CONVERSATIONS_KIND  # read as conversations, or refused in words
    if told or (kind == "auto" and conversation_files.sniff(path)):
        return conversation_files.preview_conversations(path)
    if (found := usage.sniff(path)) is not None:
        return usage.preview_usage(found)
    table = open_table(path, limit=max(PREVIEW_ROWS, 500))
    with translate_db_errors(), Session(engine) as session:
        plan = make_plan(session, table, kind=kind, profile=profile, mapping=None)
    problems = list(plan.problems)
    footer = set(plan.adapter.footer_rows(table)) if plan.adapter is not None else set()
    malformed = [m for m in table.malformed if m[0] not in footer]
    if malformed:
        first = malformed[0]
        problems.append(
            f"{len(malformed):,} row(s) in the first part of the file have the wrong "
            f"number of fields (e.g. {first[1]})"
        )
    if table.encoding == "cp1252":
        problems.append("the file is not UTF-8; it is read as Windows-1252 (Western European)")
    if table.repaired_lines:
        problems.append(repaired_note(table.repaired_lines))
    if duplicates := duplicates_text(table):
        problems.append(
            f"more than one column is named {duplicates}: check which one each field is mapped to"
        )
    if len(table.frame) == 0 and not table.malformed:
        problems.append("the file has a header but no data rows")
    guesses: tuple[Any, ...] = ()
    if plan.adapter is None:
        if plan.suggestion is None:
            plan.suggestion = generic.suggest_mapping(table, plan.kind)
        guesses = plan.suggestion.guesses
        if plan.mapping is not None and plan.profile_name is not None:
            guesses = tuple(
                ColumnGuess(g.column, plan.mapping.get(g.column), 1.0, g.samples)
                for g in plan.suggestion.guesses
            )
    # Row by row from one array: astype(str) and itertuples go column by column (5 s for a
    # file of 10,000 columns); str() of each value is what astype(str) gives.
    sample = (
        tuple(str(v) for v in row) for row in table.frame.head(PREVIEW_ROWS).to_numpy(dtype=object)
    )
    return FilePreview(
        path=str(path),
        file_name=display_path(path.name),
        detected_format=plan.detected_format if plan.adapter else "generic",
        format_title=plan.format_title,
        kind=plan.kind,
        kinds=plan.kinds,
        encoding=table.encoding,
        delimiter=table.delimiter,
        header=table.header,
        sample_rows=tuple(tuple(r) for r in sample),
        rows_estimate=table.rows_estimate,
        needs_mapping=plan.needs_mapping,
        columns=guesses,
        profile_name=plan.profile_name,
        problems=tuple(problems),
    )
