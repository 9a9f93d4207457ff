"""The output-file options of the commands, and their one way to the guarded writer.

Every option naming a file a command writes is declared with ``add_output_option``: its
argparse ``type`` is ``output_file`` (tests find every such option by it; a folder that new
files go into is typed ``output_folder``), it comes with ``--force``, and the file is
written through ``services.core.output_files``: checked before any work starts, then
written beside the destination and renamed into place. The workspace named by ``--db`` is
always among the files that are never written over.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

FORCE_HELP = "replace FILE if it already exists (never the workspace or another database)"

ArgType = Callable[[str], str]


def names_output(kind: str) -> Callable[[ArgType], ArgType]:
    """Mark an argparse type as naming what a command writes: "file" or "folder"."""

    def mark(parse: ArgType) -> ArgType:
        setattr(parse, "names_output", kind)  # noqa: B010  (read by output_kind)
        return parse

    return mark


def output_kind(action: argparse.Action) -> str | None:
    """ "file" or "folder" when the option names something the command writes, else None."""
    kind = getattr(action.type, "names_output", None)
    return kind if isinstance(kind, str) else None


@names_output("file")
def output_file(text: str) -> str:
    """An output file name (argparse type): any non-empty name."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the output file name is empty")
    return text


@names_output("folder")
def output_folder(text: str) -> str:
    """A folder a command writes new files into, never over existing ones (argparse type)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the folder name is empty")
    return text


def add_output_option(
    parser: argparse.ArgumentParser,
    *flags: str,
    metavar: str = "FILE",
    help: str,  # noqa: A002  (argparse's own name)
    force_help: str = FORCE_HELP,
    **kwargs: Any,
) -> None:
    """Add an option (or positional) naming a file the command writes, and ``--force``."""
    parser.add_argument(*flags, type=kwargs.pop("type", output_file), metavar=metavar,
                        help=help, **kwargs)  # fmt: skip
    parser.add_argument("--force", action="store_true", help=force_help)


def protected_files(args: argparse.Namespace, *more: str | os.PathLike[str]) -> list[str]:
    """The files a command never writes over: the workspace file of ``--db`` (and its
    companions, checked by the writer) and ``more`` (the files it reads)."""
    from app.workspace import resolve_url
    from models.db import sqlite_path

    workspace_file = sqlite_path(resolve_url(args.db))
    return [str(p) for p in ([workspace_file] if workspace_file else []) + list(more)]


def check_output(
    args: argparse.Namespace,
    path: str,
    *,
    what: str,
    reads: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """The destination, refused at once (before any work) when it must not be written."""
    from services.core.output_files import check_output_path

    return check_output_path(
        path, force=args.force, protected=protected_files(args, *reads), what=what
    )


def write_output_text(
    args: argparse.Namespace, path: str | os.PathLike[str], text: str, *, what: str
) -> Path:
    """Write a command's text output to ``path`` through the guarded writer."""
    from services.core.output_files import write_text_file

    return write_text_file(path, text, force=args.force, protected=protected_files(args), what=what)
