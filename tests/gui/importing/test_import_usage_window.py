"""A product-usage export through the window's import: dropped on the window, previewed as
what it is (no mapping to choose), imported with the report saying what matched and what
did not; its days land in usage_days and nothing else changes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from services.importing import service
from tests.gui.importing.test_import_window import (  # noqa: F401  (gui: a fixture)
    Gui,
    drop,
    files_mime,
    gui,
    run_import,
    wait_preview,
)
from tests.unit.importing.test_usage_events import write_amplitude_csv
from tests.unit.importing.usage_support import write_customers
from views.importing.dialog import ImportDialog
from views.importing.source import ImportRequest


def test_a_usage_export_is_previewed_and_imported_in_the_window(
    qtbot,
    gui: Gui,  # noqa: F811
    tmp_path: Path,
) -> None:
    assert service.run_import(gui.workspace.engine, [write_customers(tmp_path)]).landed
    (tmp_path / "exports").mkdir()
    export = write_amplitude_csv(tmp_path / "exports")

    assert drop(gui.window, files_mime(export))
    dialog = gui.imports.import_dialog
    assert isinstance(dialog, ImportDialog)
    wait_preview(qtbot, dialog)
    assert dialog.format_label.text().startswith("Amplitude export · Product usage")
    assert not dialog.tabs.isTabVisible(dialog.tabs.indexOf(dialog.mapping_editor))
    assert dialog.rows_model.headerData(0, Qt.Orientation.Horizontal) == "$insert_id"
    assert dialog.requests() == [ImportRequest(path=str(export))]
    dialog.resize(1366, 768)
    dialog.grab().save("/tmp/usage_import_preview.png")

    run_import(qtbot, dialog)

    report = dialog.outcome.report
    assert report.landed
    (file,) = report.files
    assert (file.detected_format, file.kind) == ("amplitude_events", "usage")
    assert gui.count("usage_days") == file.inserted > 0
    assert gui.count("interactions") == 0
    assert gui.count("customers") == 3
    headline = dialog.report_view.headline_label.text()
    assert headline == (
        "Imported amplitude_export.csv: product usage of "
        f"{file.inserted} customer-days ({file.inserted} new, 0 updated, 0 unchanged)."
    )
    notes = dialog.report_view.notes_label.text()
    assert "matched 3 customers" in notes
    assert "not matched (no customer has their email)" in notes
    dialog.grab().save("/tmp/usage_import_report.png")
