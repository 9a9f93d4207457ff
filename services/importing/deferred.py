"""A text file read in two steps: its records located first, their cells parsed later.

A re-sync of an unchanged export needs the cells of only the rows it has not stored:
``read_deferred`` scans a plain UTF-8 file's records (byte offsets and field counts, the
reader's vectorised scan), parses the header and the first rows (enough for the mapping's
samples) and keeps the rest as byte spans (``Pending``). ``parse_records`` then parses the
records asked for, one C parse of their bytes joined; ``complete`` parses them all, as
``read_table`` would have.

Only files whose every record the scan locates exactly as the parser does are read this
way: UTF-8 (with or without BOM), every quote opening or closing a field (RFC 4180: a
quote opens a field, ends it, or is doubled inside it), no carriage return but before a
newline. Anything else (UTF-16, Windows-1252, stray bytes, stray quotes, old Mac line
ends, a workbook) returns None and is read by ``read_table`` as before.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from services.importing import reader
from services.importing.reader import CELLS_AS_TEXT, RawTable

__all__ = ["HEAD_ROWS", "Pending", "complete", "parse_records", "read_deferred"]

# Rows parsed at once for the plan: the mapping samples the first 20 x 200 rows.
HEAD_ROWS = 8_000
_QUOTE, _NL, _CR = 34, 10, 13


@dataclass
class Pending:
    """The records of a deferred table not parsed yet: every candidate data record (the
    header's width, not blank), in file order, as byte spans of ``data``."""

    data: bytes
    delimiter: str
    width: int
    header: tuple[str, ...]
    starts: np.ndarray[Any, np.dtype[np.int64]]
    ends: np.ndarray[Any, np.dtype[np.int64]]  # exclusive, before the newline
    rows: np.ndarray[Any, np.dtype[np.int64]]  # their spreadsheet row numbers
    stamp: tuple[int, int]


def read_deferred(path: Path) -> RawTable | None:
    """The file's header, first rows and pending records; None when the scan cannot
    vouch for the file (then ``read_table`` reads it in full)."""
    if reader._kind_of(path) == "xlsx":
        return None
    encoding = reader._detect_encoding(path)
    if encoding not in ("utf-8", "utf-8-sig"):
        return None
    stamp = path.stat()
    data = path.read_bytes()
    offset = 3 if encoding == "utf-8-sig" else 0
    # "in" first: one quick search when the file has no "\r" (two counts take 0.05 s).
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None
    sample = data[: reader._SNIFF_BYTES].decode(encoding, errors="ignore")
    if not sample.strip():
        return None  # read_table says it is empty
    delimiter = reader._sniff_delimiter(sample)
    if not _quotes_well_formed(data, offset, ord(delimiter)):
        return None
    scan = reader._scan_records(io.BytesIO(data), delimiter, offset)
    if scan.unclosed_quote:
        return None
    lengths = scan.ends - scan.starts
    blank = lengths == 0
    for i in np.flatnonzero(lengths == 1):
        blank[i] = data[int(scan.starts[i])] in b"\r "
    nonblank = np.flatnonzero(~blank)
    if not len(nonblank):
        return None
    h = int(nonblank[0])
    width = int(scan.fields[h])
    header_frame = _parse(data, delimiter, width, scan.starts[h : h + 1], scan.ends[h : h + 1])
    if header_frame is None:
        return None
    header = reader.unique_header([str(v) for v in header_frame.iloc[0].tolist()])
    wrong = (scan.fields != width) & ~blank
    wrong[: h + 1] = False
    candidate = ~blank & ~wrong
    candidate[: h + 1] = False
    records = np.flatnonzero(candidate)
    pending = Pending(
        data=data,
        delimiter=delimiter,
        width=width,
        header=header,
        starts=scan.starts[records],
        ends=scan.ends[records],
        rows=(records - h + 1).astype(np.int64),
        stamp=(stamp.st_size, stamp.st_mtime_ns),
    )
    head = parse_records(pending, np.arange(min(HEAD_ROWS, len(records))))
    if head is None:
        return None
    head_frame, head_rows = head
    if len(head_frame) < min(HEAD_ROWS // 2, len(records)):
        return None  # many separator rows: the head would not sample like the full read
    table = RawTable(
        path=path,
        encoding=encoding,
        delimiter=delimiter,
        header=header,
        frame=head_frame,
        row_numbers=head_rows,
        malformed=_malformed(data, scan, wrong, h, width),
        rows_estimate=len(records) + int(wrong.sum()),
        longest_record=int(lengths.max()) if len(lengths) else 0,
    )
    table.pending = pending
    return table


def parse_records(
    pending: Pending, which: np.ndarray[Any, Any]
) -> tuple[pd.DataFrame, np.ndarray[Any, np.dtype[np.int64]]] | None:
    """The cells of the pending records at positions ``which`` (lines of empty fields
    only dropped, as the full read drops them) and their row numbers; None when the parser
    does not find the records the scan found."""
    which = np.asarray(which, dtype=np.int64)
    frame = _parse(
        pending.data, pending.delimiter, pending.width, pending.starts[which], pending.ends[which]
    )
    if frame is None:
        return None
    frame.columns = pd.Index(pending.header)
    rows = pending.rows[which]
    empty = reader.separator_rows(frame)
    if empty.any():
        frame, rows = frame.loc[~empty], rows[~empty]
    return frame.reset_index(drop=True), rows


def complete(table: RawTable, keep: np.ndarray[Any, Any] | None = None) -> bool:
    """Parse the pending records of ``table`` (those of ``keep``, a mask over them, else
    all) into its frame; False when the parser disagreed with the scan (the caller then
    reads the file in full)."""
    pending = table.pending
    if pending is None:
        return True
    which = np.arange(len(pending.starts)) if keep is None else np.flatnonzero(keep)
    parsed = parse_records(pending, which)
    if parsed is None:
        return False
    table.frame, table.row_numbers = parsed
    if keep is None:
        table.rows_estimate = len(table.frame) + len(table.malformed)
    spans = (pending.starts[which], pending.ends[which])
    position = pd.Index(pending.rows[which]).get_indexer(table.row_numbers)
    table.record_spans = (spans[0][position], spans[1][position])
    table.file_stamp = pending.stamp
    table.pending = None
    return True


def _parse(
    data: bytes,
    delimiter: str,
    width: int,
    starts: np.ndarray[Any, Any],
    ends: np.ndarray[Any, Any],
) -> pd.DataFrame | None:
    """One C parse of the records [starts, ends) of ``data``, joined by newlines."""
    if not len(starts):
        return pd.DataFrame({i: pd.Series([], dtype=object) for i in range(width)})
    last = int(ends[-1])
    run = len(starts) == 1 or bool((starts[1:] == ends[:-1] + 1).all())
    if run and last < len(data) and data[last] == _NL:
        # One run of consecutive records ending at a newline (a first import of a clean
        # file): read in place from its first record, the file's bytes never copied.
        source = io.BytesIO(data)
        source.seek(int(starts[0]))
    elif run:
        source = io.BytesIO(data[int(starts[0]) : last] + b"\n")
    else:
        pairs = zip(starts.tolist(), ends.tolist(), strict=True)
        source = io.BytesIO(b"\n".join([data[a:b] for a, b in pairs]) + b"\n")
    try:
        frame = pd.read_csv(
            source, sep=delimiter, names=list(range(width)), on_bad_lines="error",
            encoding="utf-8", nrows=len(starts), **CELLS_AS_TEXT,
        )  # fmt: skip
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError):
        return None
    return frame if len(frame) == len(starts) else None


def _quotes_well_formed(data: bytes, offset: int, delimiter: int) -> bool:
    """Whether every quote opens a field, closes one, or is doubled inside one: then the
    scan's quote parity is the parser's and its records are the parser's records."""
    if b'"' not in data:
        return True
    arr = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(arr == _QUOTE)
    if len(quotes) % 2:
        return False
    opening, closing = quotes[0::2], quotes[1::2]
    before = arr[np.maximum(opening - 1, 0)]
    starts_field = (opening == offset) | np.isin(before, (_NL, _QUOTE, delimiter))
    after = arr[np.minimum(closing + 1, len(arr) - 1)]
    ends_field = (closing == len(arr) - 1) | np.isin(after, (_NL, _CR, _QUOTE, delimiter))
    return bool(starts_field.all() and ends_field.all())


def _malformed(
    data: bytes, scan: Any, wrong: np.ndarray[Any, Any], h: int, width: int
) -> list[tuple[int, str, str]]:
    """The records with the wrong number of fields, as ``read_table`` reports them."""
    out: list[tuple[int, str, str]] = []
    for i in np.flatnonzero(wrong).tolist():
        start = int(scan.starts[i])
        size = int(min(scan.ends[i] - start, 4 * reader._MAX_RAW_TEXT))
        text = data[start : start + size].decode("utf-8", errors="replace").rstrip("\r")
        if not text.strip():
            continue
        row = i - h + 1
        count = int(scan.fields[i])
        plural = "s" if count != 1 else ""
        reason = f"row {row} has {count} field{plural}, the header has {width}"
        out.append((row, reason, text[: reader._MAX_RAW_TEXT]))
    return out
