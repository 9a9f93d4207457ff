"""Reading a usage export in chunks, never whole: a CSV through pandas' chunked reader (only
the columns the layout uses), JSON lines (plain or gzip) a batch of lines at a time, a
workbook (aggregates, small) at once. Each chunk comes with the file row (or line) number
of its first record and how far through the file the reading is, for the progress bar."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import pandas as pd

from models.errors import UserFacingError
from services.importing.reader import DELIMITERS, read_table, unique_header
from services.importing.usage.layouts import Layout, detect_columns, detect_keys

__all__ = ["JSON_SUFFIXES", "Chunk", "Sniffed", "chunks", "sniff"]

CSV_CHUNK = 100_000
JSON_CHUNK = 50_000
_SNIFF_BYTES = 1 << 16
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
_SAMPLE_ROWS = 20
# A record longer or nested deeper than any vendor writes is damage, not data: it is
# rejected, never parsed (deep nesting exhausts the parser's recursion).
MAX_LINE_BYTES = 1 << 20
MAX_DEPTH = 64


@dataclass(frozen=True)
class Sniffed:
    """What the first part of a file says: its layout, how to read it, a few rows."""

    path: Path
    layout: Layout
    form: str  # "csv", "xlsx" or "json"
    encoding: str
    delimiter: str | None
    header: tuple[str, ...]
    sample: tuple[tuple[str, ...], ...]
    gzipped: bool = False
    size: int = 0

    @property
    def rows_estimate(self) -> int:
        """About how many records the file holds (from the size of the first ones)."""
        if not self.sample:
            return 0
        width = max(1, sum(len(",".join(r)) + 1 for r in self.sample) // len(self.sample))
        return max(len(self.sample), self.size // width)


@dataclass(frozen=True)
class Chunk:
    """A part of the file: its records as a frame of text (or JSON values), the row number
    of each, and the fraction of the file read once it is done."""

    frame: pd.DataFrame
    rows: pd.Series
    fraction: float
    rejects: tuple[tuple[int, str], ...] = ()


def _open_binary(path: Path, gzipped: bool) -> IO[bytes]:
    return cast(IO[bytes], gzip.open(path, "rb") if gzipped else path.open("rb"))


def _head(path: Path) -> tuple[bytes, bool]:
    try:
        with path.open("rb") as f:
            raw = f.read(4)
        gzipped = raw.startswith(b"\x1f\x8b")
        with _open_binary(path, gzipped) as f:
            return f.read(_SNIFF_BYTES), gzipped
    except (OSError, EOFError, zlib.error):
        return b"", False  # the ordinary import says what the file is


def _decode(head: bytes) -> tuple[str, str]:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="ignore"), "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return head[3:].decode("utf-8", errors="ignore"), "utf-8-sig"
    try:
        return head.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:  # a character cut by the sniffing window
            return head[: exc.start].decode("utf-8"), "utf-8"
        return head.decode("cp1252", errors="replace"), "cp1252"


def _json_records(text: str) -> list[dict[str, Any]]:
    out = []
    for line in text.splitlines()[: _SAMPLE_ROWS + 1]:
        line = line.strip()
        if not line:
            continue
        value, why = _record(line)
        if why == _CUT:
            break  # the last line of the window may be cut
        if isinstance(value, dict):
            out.append(value)
    return out


_CUT = "not a JSON record (the line is cut or damaged)"


def _depth(value: Any) -> int:
    """How deeply a parsed value nests (iteratively: no recursion to exhaust)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                stack.extend((v, level + 1) for v in item if isinstance(v, dict | list))
    return deepest


def _record(line: str | bytes) -> tuple[Any, str | None]:
    """A JSON line parsed, or None and why it cannot be read."""
    if len(line) > MAX_LINE_BYTES:
        return None, f"a record longer than {MAX_LINE_BYTES >> 20} MB (not a usage event)"
    try:
        value = json.loads(line)
    except RecursionError:
        return None, f"a JSON record nested more than {MAX_DEPTH} levels deep"
    except ValueError:
        return None, _CUT
    # Only a line with many brackets can nest deeply: the others skip the walk.
    raw = line.encode() if isinstance(line, str) else line
    opened = raw.count(b"{") + raw.count(b"[")
    if opened > MAX_DEPTH and _depth(value) > MAX_DEPTH:
        return None, f"a JSON record nested more than {MAX_DEPTH} levels deep"
    return value, None


def sniff(path: str | Path) -> Sniffed | None:
    """The usage layout of a file and how to read it, or None when it is not a usage export
    (or cannot be read at all: the ordinary import then says why). A JSON file is read only
    as usage: one that is not raises a UserFacingError saying what to do."""
    path = Path(path)
    if not path.is_file():
        return None
    head, gzipped = _head(path)
    if not head:
        return None
    size = path.stat().st_size * (8 if gzipped else 1)
    if head.startswith(b"PK\x03\x04") and path.suffix.lower() in (".xlsx", ".xlsm"):
        return _sniff_xlsx(path)
    text, encoding = _decode(head)
    stripped = text.lstrip()
    if stripped.startswith("{") or path.suffix.lower() in JSON_SUFFIXES:
        records = _json_records(stripped)
        layout = detect_keys(records[0]) if records else None
        if layout is None:
            raise UserFacingError(
                f"{path.name} is a JSON file, but not a product-usage export Account Radar "
                "reads (Amplitude, Segment, Mixpanel or Pendo events, one JSON record per "
                "line). Export the data as JSON lines or as CSV, then import that file."
            )
        header = tuple(records[0])
        sample = tuple(tuple(_cell(r.get(h)) for h in header) for r in records[:_SAMPLE_ROWS])
        return Sniffed(path, layout, "json", encoding, None, header, sample, gzipped, size)
    if gzipped or "\x00" in text:
        return None
    lines = text.splitlines()
    if not lines:
        return None
    first = lines[0]
    delimiter = max(DELIMITERS, key=first.count)
    rows = list(csv.reader(io.StringIO("\n".join(lines[: _SAMPLE_ROWS + 1])), delimiter=delimiter))
    if not rows:
        return None
    header = unique_header(rows[0])
    layout = detect_columns(header)
    if layout is None:
        return None
    sample = tuple(tuple(r) for r in rows[1 : _SAMPLE_ROWS + 1] if len(r) == len(header))
    return Sniffed(path, layout, "csv", encoding, delimiter, header, sample, False, size)


def _sniff_xlsx(path: Path) -> Sniffed | None:
    try:
        table = read_table(path, limit=_SAMPLE_ROWS)
    except UserFacingError:
        return None
    layout = detect_columns(table.header)
    if layout is None:
        return None
    sample = tuple(tuple(str(v) for v in row) for row in table.frame.to_numpy(dtype=object))
    return Sniffed(
        path, layout, "xlsx", "xlsx", None, table.header, sample, size=table.rows_estimate * 40
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value)[:200]
    return str(value)


def chunks(sniffed: Sniffed, columns: list[str]) -> Iterator[Chunk]:
    """The file's records chunk by chunk (only ``columns`` of a CSV are read)."""
    if sniffed.form == "xlsx":
        yield from _xlsx_chunks(sniffed)
    elif sniffed.form == "json":
        yield from _json_chunks(sniffed)
    else:
        yield from _csv_chunks(sniffed, columns)


def _xlsx_chunks(sniffed: Sniffed) -> Iterator[Chunk]:
    table = read_table(sniffed.path)
    frame = table.frame
    frame.columns = list(table.header)
    rows = pd.Series(table.row_numbers, index=frame.index)
    yield Chunk(frame, rows, 1.0, tuple((r, why) for r, why, _t in table.malformed))


def _csv_chunks(sniffed: Sniffed, columns: list[str]) -> Iterator[Chunk]:
    size = max(sniffed.path.stat().st_size, 1)
    wanted = [sniffed.header.index(c) for c in dict.fromkeys(columns) if c in sniffed.header]
    encoding = "utf-8" if sniffed.encoding == "utf-8-sig" else sniffed.encoding
    with sniffed.path.open("rb") as f:
        reader = pd.read_csv(
            f,
            sep=sniffed.delimiter or ",",
            encoding="utf-8-sig" if sniffed.encoding == "utf-8-sig" else encoding,
            encoding_errors="replace",
            dtype=str,
            header=0,
            usecols=wanted,
            keep_default_na=False,
            na_filter=False,
            chunksize=CSV_CHUNK,
            engine="c",
        )
        start = 2
        try:
            for frame in reader:
                frame.columns = [sniffed.header[i] for i in sorted(wanted)]
                frame.index = pd.RangeIndex(len(frame))
                _check_records(sniffed, frame, start)
                rows = pd.Series(range(start, start + len(frame)), dtype="int64")
                start += len(frame)
                yield Chunk(frame, rows, min(1.0, f.tell() / size))
        except pd.errors.ParserError as exc:
            raise UserFacingError(
                f"{sniffed.path.name} could not be read past row {start:,} ({exc}). Nothing "
                "from it was imported; export the file again, or fix that row, and import it."
            ) from None


def _check_records(sniffed: Sniffed, frame: pd.DataFrame, start: int) -> None:
    """Refuse a file whose records run into each other: a time never holds a line break,
    so one that does is a quote never closed, and the rows after it cannot be told apart
    (reading on would lose them without a word)."""
    roles = sniffed.layout.columns
    for role in ("time", "date", "week"):
        column = roles.get(role)
        if column is None or column not in frame.columns:
            continue
        broken = frame[column].str.contains("\n", regex=False).to_numpy()
        if broken.any():
            row = start + int(broken.argmax())
            raise UserFacingError(
                f'Row {row:,} of {sniffed.path.name} has a quote (") that is never closed, so '
                "the rows after it run together. Nothing from the file was imported; fix "
                "that row (or export the file again) and import it."
            )


def _json_chunks(sniffed: Sniffed) -> Iterator[Chunk]:
    try:
        yield from _json_lines(sniffed)
    except (OSError, EOFError, zlib.error):
        raise UserFacingError(
            f"{sniffed.path.name} is cut short or damaged (its compressed data cannot be "
            "read to the end). Nothing from it was imported; download or copy it again."
        ) from None


def _json_lines(sniffed: Sniffed) -> Iterator[Chunk]:
    path = sniffed.path
    size = max(path.stat().st_size, 1)
    with path.open("rb") as raw:
        stream = cast(IO[bytes], gzip.GzipFile(fileobj=raw) if sniffed.gzipped else raw)
        records: list[dict[str, Any]] = []
        numbers: list[int] = []
        rejects: list[tuple[int, str]] = []
        for line_no, line in enumerate(_lines(stream), start=1):
            line = line.strip()
            if not line:
                continue
            value, why = _record(line)
            if why is not None:
                rejects.append((line_no, why))
                continue
            if not isinstance(value, dict):
                rejects.append((line_no, "not a JSON record (an object was expected)"))
                continue
            records.append(value)
            numbers.append(line_no)
            if len(records) >= JSON_CHUNK:
                yield _json_chunk(sniffed.layout, records, numbers, raw.tell() / size, rejects)
                records, numbers, rejects = [], [], []
        if records or rejects:
            yield _json_chunk(sniffed.layout, records, numbers, 1.0, rejects)


def _lines(stream: IO[bytes]) -> Iterator[bytes]:
    """The stream's lines, each read up to MAX_LINE_BYTES: of a longer one, only that much
    is kept (the record is then rejected as too long) and the rest is skipped unread."""
    while line := stream.readline(MAX_LINE_BYTES + 1):
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (rest := stream.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass
        yield line


def _json_chunk(
    layout: Layout,
    records: list[dict[str, Any]],
    numbers: list[int],
    fraction: float,
    rejects: list[tuple[int, str]],
) -> Chunk:
    if layout.name == "mixpanel_events":
        # {"event": ..., "properties": {...}}: the properties are the columns.
        flat = []
        for r in records:
            props = r.get("properties")
            row = dict(props) if isinstance(props, dict) else {}
            row["event"] = r.get("event")
            flat.append(row)
        records = flat
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    return Chunk(frame, pd.Series(numbers, dtype="int64"), min(fraction, 1.0), tuple(rejects))
