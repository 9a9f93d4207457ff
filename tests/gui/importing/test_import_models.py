"""The item models of the import windows: Qt's model tester, sorting, mapping edits."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt

from services.importing.types import (
    ColumnGuess,
    FieldSpec,
    FilePreview,
    FileReport,
    ImportRunInfo,
    RejectedRow,
)
from views.item_models.import_mapping_model import (
    FIELD,
    KEEP_TITLE,
    SUGGESTION,
    MappingModel,
)
from views.item_models.import_tables import (
    FileReportModel,
    ImportFileListModel,
    ImportHistoryModel,
    PreviewRowsModel,
    RejectsModel,
)

FIELDS = (
    FieldSpec("customer_external_id", "Customer id", "orders", False, "id"),
    FieldSpec("customer_email", "Customer email", "orders", False, "email"),
    FieldSpec("external_id", "Order id", "orders", True, "id"),
    FieldSpec("order_date", "Order date", "orders", True, "date"),
    FieldSpec("amount", "Amount", "orders", True, "money"),
)
GUESSES = (
    ColumnGuess("Client No", "customer_external_id", 0.91, ("K-1", "K-2")),
    ColumnGuess("Bon", "external_id", 0.55, ("B-1",)),
    ColumnGuess("Datum", "order_date", 0.8, ("03.09.2025",)),
    ColumnGuess("Total (EUR)", None, 0.0, ("136,00",)),
    ColumnGuess("Kasse", "not_a_field_of_orders", 0.3, ()),
)


def preview() -> FilePreview:
    return FilePreview(
        path="/x/pos.csv",
        file_name="pos.csv",
        detected_format="generic",
        format_title="Generic file",
        kind="orders",
        kinds=("orders",),
        encoding="utf-8",
        delimiter=";",
        header=("Client No", "Bon", "Datum", "Total (EUR)", "Kasse"),
        sample_rows=(
            ("K-1", "B-1", "03.09.2025", "136,00", "1"),
            ("K-2", "B-2", "04.09.2025", "1.127,50"),  # a short row
            ("K-3", "B-3", "05.09.2025", "line one\nline two " + "x" * 100, "2"),
        ),
        rows_estimate=3,
        needs_mapping=True,
        columns=GUESSES,
        profile_name=None,
        problems=(),
    )


def reports() -> tuple[FileReport, ...]:
    rejects = tuple(RejectedRow("pos.csv", row, f"reason {row}") for row in (9, 2, 30))
    return (
        FileReport("pos.csv", "generic", 4, True, 30, 20, 5, 2, 3, rejects, ("a note",), None),
        FileReport("bad.csv", "generic", None, False, 0, 0, 0, 0, 0, (), (), "not a CSV file"),
    )


def history() -> list[ImportRunInfo]:
    base = dt.datetime(2026, 11, 15, 12, 0, tzinfo=dt.UTC)
    return [
        ImportRunInfo(
            run_id=i,
            file_name=f"file{i}.csv",
            source_path=f"/x/file{i}.csv",
            detected_format="shopify_orders_export" if i % 2 else "generic",
            kind="orders",
            started_at=base + dt.timedelta(hours=i),
            rows_read=100 * i,
            inserted=10 * i,
            updated=i,
            rejected=(5 - i) % 3,
            status="undone" if i == 1 else "landed",
            can_undo=i == 4,
            undo_blocked_reason=None if i == 4 else f"import {i + 1} changed the same records",
        )
        for i in range(4, 0, -1)
    ]


def test_models_pass_the_model_tester(qtmodeltester) -> None:
    rows = PreviewRowsModel()
    rows.set_preview(preview())
    qtmodeltester.check(rows)

    mapping = MappingModel()
    mapping.set_columns(GUESSES, FIELDS)
    qtmodeltester.check(mapping)

    files = ImportFileListModel()
    files.set_files([("pos.csv", "Ready", "/x/pos.csv"), ("bad.csv", "Cannot import", "why")])
    qtmodeltester.check(files)

    report = FileReportModel()
    report.set_rows(reports())
    qtmodeltester.check(report)

    rejects = RejectsModel()
    rejects.set_rows([r for f in reports() for r in f.rejects])
    qtmodeltester.check(rejects)

    hist = ImportHistoryModel()
    hist.set_rows(history())
    qtmodeltester.check(hist)


def test_preview_rows_show_text_short_rows_and_spreadsheet_row_numbers(qapp) -> None:
    model = PreviewRowsModel()
    model.set_preview(preview())
    assert (model.rowCount(), model.columnCount()) == (3, 5)
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Datum"
    assert model.headerData(0, Qt.Orientation.Vertical) == "2"  # the header is row 1
    assert model.index(1, 4).data() == ""  # the missing cell of a short row
    long = model.index(2, 3).data()
    assert "\n" not in long
    assert long.endswith("…")
    assert len(long) <= 80
    assert model.index(2, 3).data(Qt.ItemDataRole.ToolTipRole).startswith("line one\nline two")
    model.set_preview(None)
    assert model.rowCount() == 0
    assert model.columnCount() == 0


def test_mapping_model_suggests_edits_and_checks(qapp) -> None:
    model = MappingModel()
    changes: list[None] = []
    model.mapping_changed.connect(lambda: changes.append(None))
    model.set_columns(GUESSES, FIELDS)
    # Suggestions apply; a suggestion that is not a field of the kind is "keep".
    assert model.mapping() == {
        "Client No": "customer_external_id",
        "Bon": "external_id",
        "Datum": "order_date",
        "Total (EUR)": None,
        "Kasse": None,
    }
    assert model.index(0, FIELD).data() == "Customer id"
    assert model.index(1, FIELD).data() == "Order id (required)"
    assert model.index(3, FIELD).data() == KEEP_TITLE
    assert model.index(0, SUGGESTION).data() == "Customer id · 91%"
    assert model.index(3, SUGGESTION).data() == "—"
    assert [f.name for f in model.missing_required()] == ["amount"]
    assert model.flags(model.index(0, FIELD)) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable

    assert model.set_field(3, "amount")
    assert model.missing_required() == []
    assert len(changes) == 1
    assert not model.set_field(3, "no_such_field")  # refused, nothing changes
    assert model.mapping()["Total (EUR)"] == "amount"
    assert model.set_field(4, "amount")
    assert model.duplicates() == {"Amount": ["Total (EUR)", "Kasse"]}
    assert model.set_field(4, None)
    assert model.duplicates() == {}
    assert model.index(4, FIELD).data() == KEEP_TITLE

    # Earlier choices are kept when the same file is shown again.
    again = MappingModel()
    again.set_columns(GUESSES, FIELDS, chosen=model.mapping())
    assert again.mapping() == model.mapping()
    choices = again.field_choices()
    assert choices[0] == (None, KEEP_TITLE)
    assert ("amount", "Amount (required)") in choices


def test_history_model_sorts_and_keeps_the_selection(qapp) -> None:
    model = ImportHistoryModel()
    model.set_rows(history())
    assert [model.record(r).run_id for r in range(4)] == [4, 3, 2, 1]  # as given
    assert model.index(0, 3).data() == "Generic file"
    assert model.index(1, 3).data() == "Shopify orders export"
    assert model.index(3, 9).data() == "Undone"
    assert model.index(2, 5).data() == "200"
    assert model.index(2, 5).data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    # A run that cannot be undone says why on its status.
    assert model.index(1, 9).data(Qt.ItemDataRole.ToolTipRole) == (
        "import 4 changed the same records"
    )
    kept = QPersistentModelIndex(model.index(0, 1))  # run 4
    model.sort(5, Qt.SortOrder.AscendingOrder)  # rows read
    assert [model.record(r).run_id for r in range(4)] == [1, 2, 3, 4]
    assert kept.row() == 3
    assert model.record(kept.row()).run_id == 4
    assert model.row_of(2) == 1
    assert model.row_of(99) is None


def test_report_models_show_counts_and_rejects(qapp) -> None:
    model = FileReportModel()
    model.set_rows(reports())
    assert [model.index(0, c).data() for c in range(8)] == [
        "pos.csv",
        "Generic file",
        "Imported",
        "30",
        "20",
        "5",
        "2",
        "3",
    ]
    assert model.index(1, 2).data() == "Not imported"
    assert model.index(1, 2).data(Qt.ItemDataRole.ToolTipRole) == "not a CSV file"
    rejects = RejectsModel()
    rejects.set_rows(reports()[0].rejects)
    rejects.sort(1, Qt.SortOrder.AscendingOrder)
    assert [rejects.index(r, 1).data() for r in range(3)] == ["2", "9", "30"]  # numeric


@pytest.mark.parametrize("status", ["Ready", "Cannot import"])
def test_file_list_updates_one_row(qapp, status: str) -> None:
    model = ImportFileListModel()
    model.set_files([("a.csv", "Reading…", "")])
    seen: list[int] = []
    model.dataChanged.connect(lambda top, _bottom: seen.append(top.row()))
    model.update_file(0, status, "tip")
    assert model.index(0, 1).data() == status
    assert seen == [0]
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == "tip"
