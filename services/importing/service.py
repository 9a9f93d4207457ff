"""The import service: preview, import, history and undo (contract: types.py).

One transaction per file: a file lands whole or not at all, so a cancel, a crash or an
error leaves the workspace as it was. Rows that cannot be read are rejected with their
row number and reason; the good rows still land. Every import is recorded in import_runs
and can be undone while no later import built on it.

This module is the service's public face, what the window, the command line and the
tests call. The rooms behind it: ``files`` (the paths given, the rejects CSV),
``planning`` (what a file is, how it maps, the preview), ``run`` (the import of each
file), ``checks`` (long texts cut, odd dates questioned), ``settling`` (currencies and
UTC offsets), ``transaction`` (the connection's bulk settings, index rebuilds, phase
timings) and ``history`` (the imports list and undo).
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from services.importing import generic, profiles
from services.importing.files import (
    expand_paths,
    not_understood,
    subfolder_files,
    write_rejects_csv,
)
from services.importing.history import list_imports, undo_import
from services.importing.planning import preview_file
from services.importing.run import (
    CancelledFn,
    FileRequest,
    ProgressFn,
    failed_file,
    import_requests,
    run_import,
)
from services.importing.types import FieldSpec

__all__ = [
    "CancelledFn",
    "FileRequest",
    "ProgressFn",
    "expand_paths",
    "not_understood",
    "failed_file",
    "fields_for_kind",
    "import_requests",
    "list_imports",
    "list_profiles",
    "preview_file",
    "run_import",
    "subfolder_files",
    "undo_import",
    "write_rejects_csv",
]


def fields_for_kind(kind: str) -> tuple[FieldSpec, ...]:
    """The canonical fields a generic column can map to, for one kind."""
    return generic.fields_for_kind(kind)


def list_profiles(engine: Engine) -> list[tuple[str, str]]:
    """(name, kind) of every saved mapping profile."""
    with translate_db_errors(), Session(engine) as session:
        return profiles.list_profiles(session)
