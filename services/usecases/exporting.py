"""Export tables (scores, customers, alerts) to CSV or XLSX files safe to open in Excel.

- CSV is written with the csv module in UTF-8 with a byte-order mark: Excel reads a
  UTF-8 file without one in the machine's legacy code page and garbles every accented
  name, while pandas, Python (utf-8-sig), LibreOffice and Google Sheets all skip the mark.
- XLSX is written with openpyxl in write-only mode (rows streamed, constant memory).
- Formula injection (CSV injection) is neutralised: a text cell that starts with
  = + - @, a tab or a carriage return gets a leading apostrophe in CSV, and in XLSX is
  stored as a text cell with Excel's quote prefix (what Excel itself does when one types
  'text), never as a formula. Numbers stay numbers in both formats.
- The file is written through the one guarded writer (services.core.output_files): next
  to its destination under a temporary name and renamed over it at the end, so a failure
  (full disk, a bug, a cancelled job) never leaves a half-written export, and an earlier
  export of the same name survives a failure intact; the workspace and any other
  database are never written over.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

import numpy as np

from models.errors import UserFacingError
from models.vocab import EXPORT_KINDS
from services.core.output_files import (
    FORMULA_TRIGGERS,
    OutputPathError,
    OutputWriteError,
    neutralise_text,
    write_atomically,
)

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy import Engine

FORMATS = {".csv": "csv", ".xlsx": "xlsx"}
# Text starting with one of these is read as a formula by Excel, LibreOffice or Sheets.
CSV_ENCODING = "utf-8-sig"

Cell = str | int | float | bool | dt.date | dt.datetime | None


class ExportError(UserFacingError):
    """The export cannot be written (bad name, missing folder, no permission, disk full)."""


class NoScoresError(ExportError):
    """There is nothing to export because the workspace has never been scored."""


@dataclass(frozen=True)
class ExportResult:
    """What was written: the file, its format and its size in rows and columns."""

    path: Path
    format: str
    rows: int
    columns: int
    # Plain sentences for the user about what the file holds (amounts with no exchange rate).
    notes: tuple[str, ...] = ()


def export_format(path: str | os.PathLike[str]) -> str:
    """'csv' or 'xlsx' from the file name; ExportError for any other name."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(
            f"Cannot export to '{Path(path).name}': give a file name ending in .csv or .xlsx."
        )
    return FORMATS[suffix]


# --- turning a DataFrame into plain Python cells -----------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    try:
        import pandas as pd

        return value is pd.NA or value is pd.NaT
    except ImportError:  # pragma: no cover - pandas ships with the app
        return False


def _plain(value: Any) -> Cell:
    """A Python cell value: numbers stay numbers, dates dates, anything else text."""
    if _is_missing(value):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating | Decimal):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, np.datetime64):
        import pandas as pd

        value = pd.Timestamp(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:  # stored instants are UTC; spreadsheets have no zones
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        plain: dt.datetime = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
        return plain
    if isinstance(value, dt.date):
        return value
    return str(value)


def _typed_column(series: pd.Series) -> tuple[str, list[Cell]]:
    """One column as plain cells and their common kind: "float", "int", "bool", "text",
    "date", "datetime" or "mixed". Datetime columns whose times are all midnight are dates.
    Missing values are None.
    """
    import pandas as pd

    dtype = series.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        stamps = pd.DatetimeIndex(series)
        if stamps.tz is not None:
            stamps = stamps.tz_convert("UTC").tz_localize(None)
        present = stamps[~stamps.isna()]
        if len(present) and bool((present == present.normalize()).all()):
            return "date", [None if pd.isna(s) else s.date() for s in stamps]
        return "datetime", [None if pd.isna(s) else s.to_pydatetime() for s in stamps]
    if pd.api.types.is_bool_dtype(dtype) and not series.hasnans:
        return "bool", [bool(v) for v in series.tolist()]
    if pd.api.types.is_integer_dtype(dtype):
        return "int", [None if _is_missing(v) else int(v) for v in series.tolist()]
    if pd.api.types.is_float_dtype(dtype):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        return "float", [v if math.isfinite(v) else None for v in values.tolist()]
    values_list = series.tolist()
    inferred = pd.api.types.infer_dtype(series, skipna=True)
    if inferred in ("string", "empty"):
        return "text", [v if isinstance(v, str) else None for v in values_list]
    if inferred == "date":
        return "date", [v if isinstance(v, dt.date) else None for v in values_list]
    return "mixed", [_plain(v) for v in values_list]


def _rows(frame: pd.DataFrame) -> Iterator[tuple[Cell, ...]]:
    """The frame's rows as plain cells (for XLSX)."""
    columns = [_typed_column(frame[name])[1] for name in frame.columns]
    return zip(*columns, strict=True) if columns else iter(())


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise_text(value)


def _csv_column(kind: str, cells: list[Cell]) -> list[str]:
    """A column as CSV text, converted by kind (one pass, no per-cell type tests)."""
    if kind in ("float", "int"):
        return ["" if v is None else repr(v) for v in cells]
    if kind == "text":
        texts = cast(list[str | None], cells)
        triggers = FORMULA_TRIGGERS
        return ["" if v is None else ("'" + v if v.startswith(triggers) else v) for v in texts]
    if kind == "date":
        dates = cast(list[dt.date | None], cells)
        return ["" if v is None else v.isoformat() for v in dates]
    return [_csv_text(v) for v in cells]


def _text_rows(frame: pd.DataFrame) -> Iterator[tuple[str, ...]]:
    """The frame's rows as neutralised CSV text."""
    columns = [_csv_column(*_typed_column(frame[name])) for name in frame.columns]
    return zip(*columns, strict=True) if columns else iter(())


def _write_csv(header: Sequence[str], rows: Iterator[tuple[str, ...]], target: Path) -> int:
    count = 0
    with target.open("w", encoding=CSV_ENCODING, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([neutralise_text(str(h)) for h in header])
        for chunk in _chunks(rows, 10_000):
            writer.writerows(chunk)
            count += len(chunk)
        handle.flush()
        os.fsync(handle.fileno())
    return count


def _stream_text(value: Any) -> str:
    """Any cell a query can give, as the exports' CSV text."""
    if value is None or isinstance(value, str | int | float | dt.date):
        return _csv_text(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return neutralise_text(str(value))


def write_csv_rows(
    out: TextIO,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    newline: str = "\r\n",
) -> int:
    """CSV for a spreadsheet on an open text stream (a command's standard output), by the
    rules of the exports: text a spreadsheet would read as a formula gets an apostrophe,
    numbers stay numbers, and a cell holding a line break, a bare CR too, is quoted
    whatever ends the rows (``newline``). The number of rows written."""

    class _RowEnds:
        # The csv module quotes a cell holding any character of its line terminator, and
        # writes each row with one write(): the rows end in CRLF here, then in newline.
        def write(self, line: str) -> int:
            if line.endswith("\r\n"):
                line = line[:-2] + newline
            return out.write(line)

    writer = csv.writer(_RowEnds(), lineterminator="\r\n")
    writer.writerow([neutralise_text(str(h)) for h in header])
    count = 0
    for row in rows:
        writer.writerow([_stream_text(v) for v in row])
        count += 1
    return count


def _chunks(rows: Iterator[tuple[str, ...]], size: int) -> Iterator[list[tuple[str, ...]]]:
    from itertools import islice

    while chunk := list(islice(rows, size)):
        yield chunk


def _write_xlsx(
    header: Sequence[str], rows: Iterator[tuple[Cell, ...]], target: Path, sheet: str
) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def text_cell(text: str, *, header_cell: bool = False) -> Any:
        # Control characters are not allowed in XLSX text; they carry nothing readable.
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
        if not header_cell and not text.startswith(FORMULA_TRIGGERS):
            return text
        cell = WriteOnlyCell(worksheet, value=text)
        cell.data_type = "s"  # text, never a formula
        if text.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
        if header_cell:
            cell.font = bold
        return cell

    def date_cell(value: dt.date) -> Any:
        cell = WriteOnlyCell(worksheet, value=value)
        if not isinstance(value, dt.datetime):
            cell.number_format = "yyyy-mm-dd"
        return cell

    worksheet.append([text_cell(str(h), header_cell=True) for h in header])
    count = 0
    for row in rows:
        worksheet.append(
            [
                text_cell(v)
                if isinstance(v, str)
                else date_cell(v)
                if isinstance(v, dt.date)
                else v
                for v in row
            ]
        )
        count += 1
    workbook.save(target)
    with target.open("rb+") as handle:
        os.fsync(handle.fileno())
    return count


def _atomic_write(
    path: Path, write: Callable[[Path], int], *, force: bool, protected: Iterable[Path]
) -> int:
    """The one guarded writer (services.core.output_files), its errors as ExportError."""
    try:
        return write_atomically(path, write, force=force, protected=protected, what="the export")
    except (OutputPathError, OutputWriteError) as exc:
        raise ExportError(str(exc)) from exc


def write_table(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    sheet: str = "Export",
    force: bool = False,
    protected: Iterable[Path] = (),
) -> ExportResult:
    """Write a DataFrame to path (.csv or .xlsx) atomically and return what was written;
    an existing file is replaced only with ``force``, a ``protected`` one (the workspace)
    or a database never."""
    target = Path(path).expanduser()
    kind = export_format(target)
    header = [str(c) for c in frame.columns]

    def write(temporary: Path) -> int:
        if kind == "csv":
            return _write_csv(header, _text_rows(frame), temporary)
        return _write_xlsx(header, _rows(frame), temporary, sheet)

    rows = _atomic_write(target, write, force=force, protected=protected)
    return ExportResult(path=target, format=kind, rows=rows, columns=len(header))


# --- what the command exports --------------------------------------------------------------


def scores_table(engine: Engine, *, run_id: int | None = None) -> pd.DataFrame:
    """A scoring run's scores (the latest finished one by default), with the columns of
    docs/design.md section 10; NoScoresError when the workspace was never scored."""
    from models.db import make_session_factory, session_scope
    from services.scoring.queries import latest_run_id, scores_frame

    with session_scope(make_session_factory(engine)) as session:
        if run_id is None:
            run_id = latest_run_id(session)
        if run_id is None:
            raise NoScoresError(
                "There are no scores to export yet: run 'score' first, then export again."
            )
        return scores_frame(session, run_id)


def customers_table(engine: Engine) -> pd.DataFrame:
    """The customers table as the window shows it (services.usecases.customers), keyed like the
    scores export: customer_id is the source's external id, else the email.

    A customer with paid revenue in a currency that has no exchange rate to the home one
    has no home figure: "revenue" is left empty (never 0) and "revenue_by_currency" says
    it per currency ("20.00 EUR + 150.00 USD")."""
    return _customers_export(engine)[0]


def _customers_export(engine: Engine) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """``customers_table`` and the note on the revenue it could not convert."""
    import pandas as pd
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from models.db import translate_db_errors
    from models.schema import Customer
    from services.core.money import load_money_context
    from services.core.rollups import unconverted_revenue
    from services.usecases.customers import load_customer_table

    table = load_customer_table(engine)
    converted = pd.Series(table.attrs["revenue_converted"], index=table.index)
    with translate_db_errors(), engine.connect() as conn:
        keys = pd.DataFrame(
            conn.execute(select(Customer.id, Customer.source, Customer.external_id)).all(),
            columns=["id", "source", "external_id"],
        )
        ctx = load_money_context(conn)
        apart = unconverted_revenue(Session(bind=conn), ctx)
    table = table.merge(keys, on="id", how="left")
    key = table["external_id"].where(table["external_id"].notna(), table["email"])
    table.insert(0, "customer_id", key.where(key.notna(), table["id"].astype(str)))
    table.insert(1, "source", table.pop("source"))
    by_currency = pd.Series([None] * len(table), index=table.index, dtype=object)
    notes: tuple[str, ...] = ()
    unknown = table["id"].isin(list(apart))
    if unknown.any():
        by_currency[unknown] = [
            _per_currency(ctx.home, revenue, apart[int(i)])
            for i, revenue in zip(table["id"][unknown], converted[unknown], strict=True)
        ]
        table["revenue"] = table["revenue"].astype("float64").mask(unknown)
        shown = {int(i) for i in table["id"][unknown]}
        codes = sorted({code for i in shown for code in apart[i]})
        n = len(shown)
        notes = (
            f"{n:,} customer{'' if n == 1 else 's'} bought in {_words(codes)}, which "
            f"{'has' if len(codes) == 1 else 'have'} no exchange rate to {ctx.home}: their "
            f"revenue is left empty and given per currency in {REVENUE_BY_CURRENCY}. Set a "
            "rate in Settings ▸ Money to convert it.",
        )
    table.insert(int(table.columns.get_loc("revenue")) + 1, REVENUE_BY_CURRENCY, by_currency)
    return table.drop(columns=["external_id", "id"]), notes


def _unpriced_note(engine: Engine, run_id: int | None = None) -> tuple[str, ...]:
    """The note on the scores' money figures left empty: customers who bought in a
    currency with no exchange rate to the home one (services/scoring/run.py)."""
    from sqlalchemy.orm import Session

    from models.db import translate_db_errors
    from services.core.clv_words import value_label
    from services.core.money import load_money_context
    from services.core.rollups import unconverted_revenue
    from services.scoring.queries import value_months

    with translate_db_errors(), engine.connect() as conn:
        ctx = load_money_context(conn)
        apart = unconverted_revenue(Session(bind=conn), ctx)
        months = value_months(Session(bind=conn), run_id)
    if not apart:
        return ()
    codes = sorted({code for by_code in apart.values() for code in by_code})
    n = len(apart)
    return (
        f"{n:,} customer{'' if n == 1 else 's'} bought in {_words(codes)}, which "
        f"{'has' if len(codes) == 1 else 'have'} no exchange rate to {ctx.home}: their "
        f"predicted revenue, {value_label(months)} and revenue at risk are left empty, not "
        "counted as 0. Set a rate in Settings ▸ Money and score again.",
    )


def _words(codes: Sequence[str]) -> str:
    return codes[0] if len(codes) == 1 else f"{', '.join(codes[:-1])} and {codes[-1]}"


# Beside "revenue" in the customers export: the revenue per currency of a customer whose
# revenue cannot be given in the home currency (some currency has no exchange rate).
REVENUE_BY_CURRENCY = "revenue_by_currency"


def _per_currency(home: str, home_units: float, cents: dict[str, int]) -> str:
    """ "20.00 EUR + 150.00 USD": the part in (or converted to) the home currency first."""
    from services.core.money import ZERO_DECIMAL

    def text(units: float, code: str) -> str:
        return f"{units:.{0 if code in ZERO_DECIMAL else 2}f} {code}"

    parts = [text(home_units, home)] if home_units else []
    parts += [text(value / 100, code) for code, value in sorted(cents.items())]
    return " + ".join(parts)


def alerts_table(engine: Engine) -> pd.DataFrame:
    """Every alert (services.alerts.queries.alerts_export_frame): the working ones first by
    priority, then the closed ones; NoScoresError when the workspace was never scored."""
    from models.db import make_session_factory, session_scope
    from services.alerts.queries import alerts_export_frame
    from services.scoring.queries import latest_run_id

    with session_scope(make_session_factory(engine)) as session:
        if latest_run_id(session) is None:
            raise NoScoresError(
                "There are no alerts to export yet: run 'score' first (it raises them), "
                "then export again."
            )
    return alerts_export_frame(engine)


def export_table(
    engine: Engine,
    kind: str,
    path: str | os.PathLike[str],
    *,
    run_id: int | None = None,
    force: bool = False,
) -> ExportResult:
    """Export 'scores', 'customers' or 'alerts' of a workspace to path (.csv or .xlsx);
    an existing file is replaced only with ``force``, the workspace itself never."""
    if kind not in EXPORT_KINDS:
        raise ExportError(
            f"Cannot export '{kind}': choose {', '.join(EXPORT_KINDS[:-1])} or {EXPORT_KINDS[-1]}."
        )
    export_format(path)  # a bad file name fails before any reading
    notes: tuple[str, ...] = ()
    if kind == "scores":
        frame = scores_table(engine, run_id=run_id)
        notes = _unpriced_note(engine, run_id)
    elif kind == "alerts":
        frame = alerts_table(engine)
    else:
        frame, notes = _customers_export(engine)
    frame = with_currency(frame, _export_currency(engine, kind, run_id))
    from models.db import sqlite_path

    own = sqlite_path(engine.url)
    protected = [Path(own)] if own else []
    result = write_table(frame, path, sheet=kind.capitalize(), force=force, protected=protected)
    return replace(result, notes=notes)


# Money columns of the exports, in major units of one currency: a "currency" column
# follows the last of them, so that a figure never travels without its currency.
MONEY_COLUMNS = ("revenue", "predicted_revenue", "value", "revenue_at_risk", "priority")


def with_currency(frame: pd.DataFrame, currency: str) -> pd.DataFrame:
    """``frame`` with a "currency" column after its last money column (if it has one)."""
    present = [i for i, c in enumerate(frame.columns) if c in MONEY_COLUMNS]
    if not present or "currency" in frame.columns:
        return frame
    out = frame.copy()
    out.insert(present[-1] + 1, "currency", currency)
    return out


def _export_currency(engine: Engine, kind: str, run_id: int | None) -> str:
    """The currency of an export's money: the scoring run's (scores), else the home one."""
    from sqlalchemy import select

    from models.db import translate_db_errors
    from models.schema import ScoringRun
    from services.core.money import load_money_context

    with translate_db_errors(), engine.connect() as conn:
        if kind == "scores":
            query = select(ScoringRun.params).where(ScoringRun.status == "finished")
            query = (
                query.where(ScoringRun.id == run_id)
                if run_id is not None
                else query.order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
            )
            params = conn.execute(query.limit(1)).scalar()
            if isinstance(params, dict) and params.get("currency"):
                return str(params["currency"])
        return load_money_context(conn).home
