"""Reading an export file into a table of strings: CSV/TSV (any common delimiter) or XLSX.

``read_table(path)`` returns a ``RawTable``: the header, every data record as text
(``""`` for an empty cell: no type guessing, so leading zeros and ``=HYPERLINK(...)``
stay as written), the spreadsheet row number of each record, and the records that have
the wrong number of fields (``malformed``; a format adapter may claim some of them as a
report footer, the pipeline rejects the rest).

Text files: UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252, detected
strictly (bytes that fit neither are refused, never mis-decoded); the delimiter is
sniffed among ``,`` ``;`` tab and ``|``. The fast path is pandas' C parser; a vectorised
byte scan (numpy) finds record boundaries and field counts so that malformed records
are located without a slow Python pass. Files the scan cannot vouch for (stray quotes
inside unquoted fields, old Mac line ends) fall back to the csv module.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from models.errors import UserFacingError

__all__ = ["DELIMITERS", "RawTable", "read_table", "unique_header"]

DELIMITERS = (",", ";", "\t", "|")
_CHUNK = 1 << 24
_SNIFF_BYTES = 1 << 16
_MAX_RAW_TEXT = 300
# Bytes a text file may hold: printable and Latin bytes, tab, newlines, form feed, DOS EOF.
_TEXT_BYTES = bytes(range(32, 256)) + b"\t\n\r\x0c\x1a"

_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"SQLite format 3\x00", "a database file"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or other Office file"),
    (b"PK\x03\x04", "a ZIP archive"),
)


@dataclass
class RawTable:
    """A file read as text: header, records, their row numbers, and malformed records."""

    path: Path
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "cp1252" or "xlsx"
    delimiter: str | None  # None for XLSX
    header: tuple[str, ...]
    frame: pd.DataFrame  # object dtype, columns = header, "" for empty cells
    row_numbers: np.ndarray[Any, np.dtype[np.int64]]  # spreadsheet rows; header = 1
    malformed: list[tuple[int, str, str]] = field(default_factory=list)  # (row, reason, text)
    truncated: bool = False  # read with a limit: only the first records
    rows_estimate: int = 0  # data records in the whole file (estimated when truncated)
    # A UTF-8 file with stray Windows-1252 bytes: the lines (1-based, the header is line 1)
    # that were not UTF-8 and were read as Windows-1252; every other line kept its UTF-8.
    repaired_lines: tuple[int, ...] = ()
    # The longest record in bytes (None: not known, e.g. a workbook): no cell is longer, so
    # the import skips its text-length checks when this is short.
    longest_record: int | None = None
    # Where each row of ``frame`` lies in the file as stored: byte offsets [start, end) of
    # its record (None when the file was transcoded or repaired first, or for a workbook),
    # and the file's size and modification time when it was read (services/importing/
    # rowhash.py hashes these bytes, not the cells).
    record_spans: tuple[np.ndarray[Any, np.dtype[np.int64]], ...] | None = None
    file_stamp: tuple[int, int] | None = None
    # Records located but not parsed yet (services/importing/deferred.py): None once read.
    pending: Any = None

    @property
    def file_name(self) -> str:
        """The file's name without its folder."""
        return self.path.name

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def duplicate_columns(self) -> dict[str, list[int]]:
        """Header names given to more than one column, with their 1-based positions
        (``unique_header`` renamed the repeats "name (2)", "name (3)")."""
        positions: dict[str, list[int]] = {}
        names = set(self.header)
        for i, name in enumerate(self.header, start=1):
            base = name
            if name.endswith(")") and " (" in name:
                head, _, number = name[:-1].rpartition(" (")
                if number.isdigit() and head in names:
                    base = head
            positions.setdefault(base, []).append(i)
        return {name: cols for name, cols in positions.items() if len(cols) > 1}


def unique_header(names: list[str]) -> tuple[str, ...]:
    """Header names trimmed, blanks named "Column N", duplicates suffixed " (2)", " (3)"."""
    out: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(names):
        name = (raw or "").strip().lstrip("\ufeff").strip() or f"Column {i + 1}"
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{name} ({n})"
        seen.add(candidate)
        out.append(candidate)
    return tuple(out)


def _not_text(path: Path, what: str) -> UserFacingError:
    return UserFacingError(
        f"{path.name} is not a text CSV file ({what}). Export the data as CSV (comma, "
        "semicolon or tab separated) or as an Excel .xlsx workbook, then import that file."
    )


# An .xlsx whose parts would expand beyond these is refused before reading (zip bomb).
_XLSX_MAX_UNCOMPRESSED = 500 * 1024 * 1024
_XLSX_MAX_RATIO = 200


def _check_not_bomb(path: Path, z: zipfile.ZipFile, size: int) -> None:
    """Refuse a workbook whose declared uncompressed size or ratio is implausible."""
    total = sum(info.file_size for info in z.infolist())
    if total > _XLSX_MAX_UNCOMPRESSED or total > max(size, 1) * _XLSX_MAX_RATIO:
        raise UserFacingError(
            f"{path.name} would expand to {total // (1024 * 1024)} MB from "
            f"{max(size // 1024, 1)} KB when opened, which is too much to read safely. "
            "Open it in Excel and save it as CSV, then import that file."
        )


def _kind_of(path: Path) -> str:
    """ "xlsx" or "text"; raises a plain error for missing, empty and binary files."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(_SNIFF_BYTES)
    except FileNotFoundError:
        raise UserFacingError(f"{path} does not exist.") from None
    except IsADirectoryError:
        raise UserFacingError(f"{path} is a folder, not a file.") from None
    except OSError as exc:
        raise UserFacingError(f"{path.name} cannot be read: {exc.strerror or exc}.") from None
    if size == 0:
        raise UserFacingError(f"{path.name} is empty (0 bytes): there is nothing to import.")
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                if "xl/workbook.xml" in z.namelist():
                    _check_not_bomb(path, z, size)
                    return "xlsx"
        except zipfile.BadZipFile:
            if path.suffix.lower() in (".xlsx", ".xlsm"):
                raise UserFacingError(
                    f"{path.name} is a damaged or incomplete Excel workbook (the file is cut "
                    "short or corrupted). Download or copy it again, or open it in Excel, "
                    "save it again, and import that file."
                ) from None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "text"
    for magic, what in _BINARY_MAGIC:
        if head.startswith(magic):
            raise _not_text(path, f"it is {what}")
    if b"\x00" in head:
        raise _not_text(path, "it holds binary data")
    return "text"


def _detect_encoding(path: Path) -> str:
    """The file's encoding, checked over every byte: utf-8(-sig), utf-16 or cp1252; or
    "mixed" for UTF-8 that holds bytes neither encoding reads (read line by line)."""
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    bom = head.startswith(codecs.BOM_UTF8)
    for encoding in ["utf-8"] if bom else ["utf-8", "cp1252"]:
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        try:
            with path.open("rb") as f:
                first = True
                while chunk := f.read(_CHUNK):
                    if b"\x00" in chunk:
                        raise _not_text(path, "it holds binary data")
                    if first:
                        controls = chunk[:_SNIFF_BYTES].translate(None, delete=_TEXT_BYTES)
                        if len(controls) > max(8, min(len(chunk), _SNIFF_BYTES) // 100):
                            raise _not_text(path, "it holds binary data")
                        first = False
                    if not chunk.isascii() or decoder.getstate()[0]:  # ASCII decodes as is
                        decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return "utf-8-sig" if bom else encoding
    if not bom and _UTF8_SEQUENCE.search(path.read_bytes()):
        # UTF-8 with a byte that Windows-1252 leaves undefined ("č" is C4 8D) plus a stray
        # byte from another program: neither reads the whole file, each line reads as one.
        return "mixed"
    raise _undecodable(path)


def _undecodable(path: Path) -> UserFacingError:
    return UserFacingError(
        f"{path.name} is not a text CSV file that Account Radar can read: its characters are "
        "neither UTF-8 nor Windows-1252. Save it again as 'CSV UTF-8' and import that file."
    )


def _sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the first records into the most consistent columns."""
    cut = sample.rfind("\n")
    if cut > 0:
        sample = sample[:cut]
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        records = [
            r
            for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
            if any(cell.strip() for cell in r)
        ][:200]
        if not records:
            continue
        width = len(records[0])
        if width < 2:
            continue
        consistent = sum(1 for r in records if len(r) == width) / len(records)
        score = (round(consistent, 2), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


@dataclass
class _Scan:
    starts: np.ndarray[Any, np.dtype[np.int64]]
    ends: np.ndarray[Any, np.dtype[np.int64]]  # exclusive, before "\r\n"
    fields: np.ndarray[Any, np.dtype[np.int64]]
    unclosed_quote: bool


def _scan_records(
    f: IO[bytes], delimiter: str, offset: int, limit_bytes: int | None = None
) -> _Scan:
    """Record boundaries and field counts from the bytes (RFC 4180 quoting), vectorised.

    A quote toggles "inside a quoted field"; a doubled quote toggles twice, so the parity of
    the running count of quotes says whether a newline or delimiter is structural.
    """
    f.seek(offset)
    delim = ord(delimiter)
    parity_carry = 0
    pos = offset
    newlines: list[np.ndarray[Any, np.dtype[np.int64]]] = []
    delims: list[np.ndarray[Any, np.dtype[np.int64]]] = []
    while True:
        size = _CHUNK if limit_bytes is None else min(_CHUNK, limit_bytes - (pos - offset))
        if size <= 0:
            break
        chunk = f.read(size)
        if not chunk:
            break
        arr = np.frombuffer(chunk, dtype=np.uint8)
        if b'"' not in chunk:
            # No quotes (the usual orders file): every newline and delimiter counts,
            # unless a quoted field opened in an earlier chunk runs through this one.
            if parity_carry == 0:
                newlines.append(np.flatnonzero(arr == 10).astype(np.int64) + pos)
                delims.append(np.flatnonzero(arr == delim).astype(np.int64) + pos)
        else:
            parity = np.cumsum(arr == 34, dtype=np.uint8)
            parity += np.uint8(parity_carry)
            parity &= 1
            outside = parity == 0
            newlines.append(np.flatnonzero((arr == 10) & outside).astype(np.int64) + pos)
            delims.append(np.flatnonzero((arr == delim) & outside).astype(np.int64) + pos)
            parity_carry = int(parity[-1])
        pos += len(chunk)
    nl = np.concatenate(newlines) if newlines else np.zeros(0, np.int64)
    dl = np.concatenate(delims) if delims else np.zeros(0, np.int64)
    starts = np.concatenate([[offset], nl + 1]).astype(np.int64)
    ends = np.concatenate([nl, [pos]]).astype(np.int64)
    if starts[-1] >= pos:  # nothing after the last newline
        starts, ends = starts[:-1], ends[:-1]
    fields = np.searchsorted(dl, ends) - np.searchsorted(dl, starts) + 1
    return _Scan(starts, ends, fields.astype(np.int64), unclosed_quote=parity_carry == 1)


def read_table(path: str | Path, *, limit: int | None = None) -> RawTable:
    """Read a CSV/TSV/XLSX export as text; ``limit`` reads only the first data records."""
    path = Path(path)
    if _kind_of(path) == "xlsx":
        return _read_xlsx(path, limit)
    encoding = _detect_encoding(path)
    if encoding in ("cp1252", "mixed"):
        data = path.read_bytes()
        if encoding == "mixed" or _UTF8_SEQUENCE.search(data):
            # Not UTF-8 throughout, yet UTF-8 in places ("José" next to a stray byte from
            # another program): each line is read as UTF-8 when it is, else as cp1252.
            try:
                fixed, lines = _repair_mixed(data)
            except UnicodeDecodeError:  # a line that is neither: not text we can read
                raise _undecodable(path) from None
            table = _read_text(path, io.BytesIO(fixed), "utf-8", limit, reported="utf-8")
            table.repaired_lines = tuple(lines)
            table.record_spans = None  # offsets in the repaired text, not in the file
            return table
    if encoding == "utf-16":
        # Rare (Excel "Unicode text"): transcode once, then read like any UTF-8 file.
        data = path.read_bytes().decode("utf-16").encode("utf-8")
        table = _read_text(path, io.BytesIO(data), "utf-8", limit, reported="utf-16")
        table.record_spans = None  # offsets in the transcoded text, not in the file
        return table
    stamp = path.stat()
    with path.open("rb") as f:
        table = _read_text(path, f, encoding, limit, reported=encoding)
    if table.record_spans is not None:
        table.file_stamp = (stamp.st_size, stamp.st_mtime_ns)
    return table


# A multi-byte UTF-8 character: Windows-1252 text almost never holds one by chance.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _repair_mixed(data: bytes) -> tuple[bytes, list[int]]:
    """The file as UTF-8, each line decoded as UTF-8 when it is valid, else as Windows-1252;
    and the numbers of the lines read as Windows-1252. A line that is neither raises."""
    out: list[str] = []
    repaired: list[int] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode("cp1252"))
            repaired.append(number)
    return "\n".join(out).encode("utf-8"), repaired


def _decode_sample(f: IO[bytes], encoding: str, size: int = _SNIFF_BYTES) -> str:
    f.seek(0)
    return f.read(size).decode(encoding, errors="ignore")


def _read_text(  # noqa: PLR0915
    path: Path, f: IO[bytes], encoding: str, limit: int | None, *, reported: str
) -> RawTable:
    sample = _decode_sample(f, encoding)
    if not sample.strip():
        raise UserFacingError(f"{path.name} is empty: it has no header and no data to import.")
    delimiter = _sniff_delimiter(sample)
    f.seek(0)
    offset = 3 if f.read(3) == codecs.BOM_UTF8 else 0
    f.seek(0, io.SEEK_END)
    total_bytes = f.tell()
    limit_bytes = None
    if limit is not None:
        limit_bytes = max(_SNIFF_BYTES, 4096 * (limit + 2))
    scan = _scan_records(f, delimiter, offset, limit_bytes)
    truncated = limit_bytes is not None and offset + limit_bytes < total_bytes
    if truncated and len(scan.starts) > 1:
        # The last record may be cut in half: drop it.
        scan = _Scan(scan.starts[:-1], scan.ends[:-1], scan.fields[:-1], False)
    lengths = scan.ends - scan.starts
    blank = lengths == 0
    # "\r" alone (CRLF files) is blank too.
    maybe_cr = np.flatnonzero(lengths == 1)
    for i in maybe_cr:
        f.seek(int(scan.starts[i]))
        if f.read(1) in (b"\r", b" "):
            blank[i] = True
    nonblank = np.flatnonzero(~blank)
    if len(nonblank) == 0:
        raise UserFacingError(f"{path.name} is empty: it has no header and no data to import.")
    h = int(nonblank[0])
    width = int(scan.fields[h])
    frame: pd.DataFrame | None = None
    if not scan.unclosed_quote and not truncated:
        frame = _pandas_read(f, encoding, delimiter, width, scan)
    elif not scan.unclosed_quote and truncated:
        end = int(scan.ends[-1]) + 1 if len(scan.ends) else offset
        f.seek(0)
        frame = _pandas_read(io.BytesIO(f.read(end)), encoding, delimiter, width, scan)
    if frame is None:
        return _read_with_csv_module(path, f, encoding, delimiter, limit, reported=reported)
    header_cells = [str(v) for v in frame.iloc[h].tolist()]
    header = unique_header(header_cells)
    long_rows = scan.fields > width
    kept_records = np.flatnonzero(~long_rows)  # pandas skipped the long ones
    frame.index = pd.RangeIndex(len(frame))
    wrong = (scan.fields != width) & ~blank
    wrong[: h + 1] = False
    keep = (kept_records > h) & ~blank[kept_records] & ~wrong[kept_records]
    frame = frame.loc[keep]
    records = kept_records[keep]
    frame.columns = pd.Index(header)
    empty = separator_rows(frame)
    if empty.any():
        frame = frame.loc[~empty]
        records = records[~empty]
    frame = frame.reset_index(drop=True)
    row_numbers = (records - h + 1).astype(np.int64)
    malformed: list[tuple[int, str, str]] = []
    for i in np.flatnonzero(wrong):
        f.seek(int(scan.starts[i]))
        raw = f.read(int(min(scan.ends[i] - scan.starts[i], 4 * _MAX_RAW_TEXT)))
        text = raw.decode(encoding, errors="replace").rstrip("\r")
        if not text.strip():
            continue
        row = int(i) - h + 1
        count = int(scan.fields[i])
        malformed.append(
            (
                row,
                f"row {row} has {count} field{'s' if count != 1 else ''}, the header has {width}",
                text[:_MAX_RAW_TEXT],
            )
        )
    estimate = len(frame) + len(malformed)
    if truncated and len(scan.starts):
        read_bytes = int(scan.ends[-1]) - offset + 1
        estimate = int(round(estimate * (total_bytes - offset) / max(read_bytes, 1)))
    spans = None if truncated else (scan.starts[records], scan.ends[records])
    if limit is not None and len(frame) > limit:
        frame, row_numbers = frame.iloc[:limit], row_numbers[:limit]
        truncated, spans = True, None
    return RawTable(
        path=path,
        encoding=reported,
        delimiter=delimiter,
        header=header,
        frame=frame,
        row_numbers=row_numbers,
        malformed=malformed,
        truncated=truncated,
        rows_estimate=estimate,
        longest_record=int(lengths.max()) if len(lengths) else 0,
        record_spans=spans,
    )


def separator_rows(frame: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Which rows hold empty fields only (",,,"): separators, not records."""
    empty = np.ones(len(frame), dtype=bool)
    if not len(frame):
        return empty
    for column in frame.columns:
        empty &= (frame[column] == "").to_numpy()
        if not empty.any():
            break
    return empty


# How the C parser reads every cell: as the file's text, nothing guessed, nothing dropped.
CELLS_AS_TEXT: dict[str, Any] = {
    "header": None, "dtype": object, "keep_default_na": False, "na_filter": False,
    "skip_blank_lines": False, "engine": "c", "quotechar": '"', "doublequote": True,
}  # fmt: skip


def _pandas_read(
    source: IO[bytes], encoding: str, delimiter: str, width: int, scan: _Scan
) -> pd.DataFrame | None:
    """The C parser's records, or None when they do not line up with the byte scan."""
    source.seek(0)
    try:
        frame = pd.read_csv(
            source, sep=delimiter, names=list(range(width)), on_bad_lines="skip",
            encoding=encoding, **CELLS_AS_TEXT,
        )  # fmt: skip
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError):
        return None
    expected = int((scan.fields <= width).sum())
    if len(frame) != expected:
        return None
    return frame


def _read_with_csv_module(
    path: Path, f: IO[bytes], encoding: str, delimiter: str, limit: int | None, *, reported: str
) -> RawTable:
    """The slow, forgiving path: Python's csv module over the decoded text."""
    f.seek(0)
    text = f.read().decode(encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
            if limit is not None and len(records) > limit + 1000:
                break
    except csv.Error as exc:
        if "end of data" in str(exc) or "EOF" in str(exc):
            raise UserFacingError(
                f'{path.name} has a quotation mark (") that is never closed, in row '
                f"{len(records) + 1} or later: everything after it would run together. Fix "
                "the quoting "
                "or export the file again, then import it."
            ) from None
        # Other quoting oddities: read leniently.
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        records = list(reader)
    truncated = limit is not None and len(records) > limit + 1000
    start = next((i for i, r in enumerate(records) if any(c.strip() for c in r)), None)
    if start is None:
        raise UserFacingError(f"{path.name} is empty: it has no header and no data to import.")
    header = unique_header(records[start])
    width = len(header)
    rows: list[list[str]] = []
    numbers: list[int] = []
    malformed: list[tuple[int, str, str]] = []
    for i in range(start + 1, len(records)):
        record = records[i]
        if not any(c.strip() for c in record):
            continue
        row = i - start + 1
        if len(record) != width:
            raw = delimiter.join(record)
            malformed.append(
                (
                    row,
                    f"row {row} has {len(record)} field{'s' if len(record) != 1 else ''}, "
                    f"the header has {width}",
                    raw[:_MAX_RAW_TEXT],
                )
            )
            continue
        rows.append(record)
        numbers.append(row)
    frame = pd.DataFrame(rows, columns=list(header), dtype=object)
    if frame.empty:
        frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in header})
    return RawTable(
        path=path,
        encoding=reported,
        delimiter=delimiter,
        header=header,
        frame=frame,
        row_numbers=np.asarray(numbers, dtype=np.int64),
        malformed=malformed,
        truncated=truncated,
        rows_estimate=len(rows) + len(malformed),
    )


def _cell_text(value: Any) -> str:
    """An XLSX cell as the text a user sees (no "1.0" for whole numbers)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _read_xlsx(path: Path, limit: int | None) -> RawTable:
    import openpyxl

    try:
        # A file object: openpyxl refuses a workbook whose name does not end in .xlsx.
        handle = io.BytesIO(path.read_bytes())
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise UserFacingError(
            f"{path.name} cannot be read as an Excel workbook ({type(exc).__name__}). "
            "Open it in Excel and save it again, or export it as CSV."
        ) from None
    try:
        sheet = workbook.worksheets[0]
        header: tuple[str, ...] | None = None
        header_row = 0
        rows: list[list[str]] = []
        numbers: list[int] = []
        malformed: list[tuple[int, str, str]] = []
        width = 0
        truncated = False
        for index, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            while cells and cells[-1] == "":
                cells.pop()
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = unique_header(cells)
                header_row = index
                width = len(header)
                continue
            row = index - header_row + 1
            if len(cells) > width:
                malformed.append(
                    (
                        row,
                        f"row {row} has {len(cells)} fields, the header has {width}",
                        " | ".join(cells)[:_MAX_RAW_TEXT],
                    )
                )
                continue
            rows.append(cells + [""] * (width - len(cells)))
            numbers.append(row)
            if limit is not None and len(rows) >= limit:
                truncated = True
                break
    finally:
        workbook.close()
    if header is None:
        raise UserFacingError(f"{path.name} is empty: its first sheet has no header and no data.")
    frame = pd.DataFrame(rows, columns=list(header), dtype=object)
    if frame.empty:
        frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in header})
    estimate = len(rows) + len(malformed)
    if truncated:
        estimate = max(estimate, int(sheet.max_row or 0) - header_row)
    return RawTable(
        path=path,
        encoding="xlsx",
        delimiter=None,
        header=header,
        frame=frame,
        row_numbers=np.asarray(numbers, dtype=np.int64),
        malformed=malformed,
        truncated=truncated,
        rows_estimate=estimate,
    )
