"""How every ``report`` command prints: the report in the format asked for (a table, CSV or
JSON), on the screen, or into the file of ``--out`` (where the command has one) through the
guarded writer, saying where it went."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Sequence
from typing import TextIO


def report_text(
    form: str,
    *,
    table: Callable[[], list[str]],
    csv: Callable[[TextIO], None],
    json: Callable[[], str],
) -> str:
    """The report as ``form`` (table, csv or json) asks, ending in a line break; only that
    form is made: ``table`` gives its lines, ``csv`` writes to a stream, ``json`` a text."""
    if form == "json":
        return json() + "\n"
    if form == "csv":
        import io

        buffer = io.StringIO()
        csv(buffer)
        return buffer.getvalue()
    return "\n".join(table()) + "\n"


def print_report(
    args: argparse.Namespace,
    out: TextIO,
    text: str,
    *,
    name: str,
    said: TextIO | None = None,
) -> None:
    """Print ``text`` on ``out``, or write it to ``--out`` and say so ("Wrote the ``name``
    report to ...") on ``said`` (``out`` unless given)."""
    path = getattr(args, "out", None)
    if not path:
        out.write(text)
        return
    from app.cli.output import write_output_text
    from services.core.output_files import display_path

    written = write_output_text(args, path, text, what="the report")
    print(f"Wrote the {name} report to {display_path(written)}.", file=said or out)


def write_plain_csv(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A header and rows as CSV, each row ending in a bare line break, by the exports' rules:
    a cell a spreadsheet would read as a formula (a customer named "=HYPERLINK(...)") gets an
    apostrophe, numbers stay numbers."""
    from services.usecases.exporting import write_csv_rows

    write_csv_rows(out, header, rows, newline="\n")
