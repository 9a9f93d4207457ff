"""Importing in the window, end to end on a real SQLite workspace: drag and drop, the
preview, a generic file's mapping saved as a profile and reused, progress and cancel,
the report with its rejected rows, the import history and undo."""

from __future__ import annotations

import csv
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget

from app.gui.customers_source import WorkspaceCustomerSource
from app.gui.import_controller import ImportController
from app.workspace import Workspace, open_workspace, to_url
from tests.support.paths import DATA
from views.importing.dialog import PREVIEW_PAGE, REPORT_PAGE, ImportDialog
from views.importing.history import ImportHistoryDialog
from views.importing.report import CANCELLED_NOTHING
from views.importing.source import ImportRequest
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.shell.main_window import MainWindow

SHOPIFY = DATA / "samples" / "shopify" / "orders_export_1.csv"
POS_MARCH = DATA / "gui_import" / "pos_orders_march.csv"
POS_APRIL = DATA / "gui_import" / "pos_orders_april.csv"
# The truth of the Shopify sample (tests/data/samples/manifest.json): orders in the file.
SHOPIFY_ORDERS = 1135

# A till's export with cryptic column names: customer, email, receipt, date, sum, till.
# Nothing to go by in the names, so the importer asks for a mapping.
POS_MAPPING = {
    "Kd": "customer_id",
    "EP": "customer_email",
    "Bl": "order_id",
    "Dt": "order_date",
    "Sm": "amount",
}


@dataclass
class Gui:
    window: MainWindow
    imports: ImportController
    workspace: Workspace
    path: Path
    confirmations: list[str] = field(default_factory=list)
    answers: list[bool] = field(default_factory=list)  # then yes to every question
    saved_to: Path | None = None

    def count(self, table: str, where: str = "") -> int:
        with sqlite3.connect(self.path) as con:
            return int(con.execute(f"SELECT COUNT(*) FROM {table} {where}").fetchone()[0])

    def jobs_idle(self) -> bool:
        return self.imports.jobs.is_idle()

    def customers(self) -> int:
        return self.count("customers", "WHERE external_id IS NULL OR external_id <> '__guest__'")


@pytest.fixture
def gui(qtbot, jobs: JobRunner, theme: ThemeManager, ui_settings, tmp_path: Path) -> Iterator[Gui]:
    path = tmp_path / "work.radar.sqlite"
    workspace = open_workspace(to_url(str(path)), backup=False)
    window = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(window)
    g = Gui(window=window, imports=None, workspace=workspace, path=path)  # type: ignore[arg-type]
    g.saved_to = tmp_path / "exported" / "rejected.csv"
    g.saved_to.parent.mkdir()

    def confirm(_title: str, text: str) -> bool:
        g.confirmations.append(text)
        return g.answers.pop(0) if g.answers else True

    g.imports = ImportController(
        jobs,
        window,
        stable_ms=100,
        rescan_ms=60_000,
        confirm=confirm,
        ask_save_path=lambda _suggested: str(g.saved_to),
    )
    window.set_source(WorkspaceCustomerSource(workspace))
    g.imports.set_workspace(workspace)
    window.show()
    qtbot.waitUntil(lambda: jobs.is_idle() and not window.customers_pane.loading, timeout=10_000)
    yield g
    g.imports.shutdown()
    qtbot.waitUntil(jobs.is_idle, timeout=30_000)
    g.imports.deleteLater()
    workspace.close()


def copy(src: Path, folder: Path, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or src.name)
    shutil.copy(src, target)
    return target


def drop(window: MainWindow, mime: QMimeData) -> bool:
    """Drag mime over the window and drop it; True when the window accepted the drag."""
    center = window.rect().center()
    enter = QDragEnterEvent(
        center, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0)
    )
    QApplication.sendEvent(window, enter)
    if not enter.isAccepted():
        return False
    event = QDropEvent(
        QPointF(center),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier(0),
    )
    QApplication.sendEvent(window, event)
    return event.isAccepted()


def files_mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def wait_preview(qtbot, dialog: ImportDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.loading, timeout=20_000)


def run_import(qtbot, dialog: ImportDialog) -> None:
    assert dialog.import_button.isEnabled(), dialog.reason_label.text()
    with qtbot.waitSignal(dialog.import_finished, timeout=60_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == REPORT_PAGE


def choose(dialog: ImportDialog, column: str, field_name: str | None) -> None:
    """Pick a field in a column's combo box, as the user does."""
    editor = dialog.mapping_editor
    row = editor.model.column_of(column)
    assert row is not None
    combo = editor.combo_for_row(row)
    assert combo is not None
    assert combo.isEnabled()
    index = combo.findData(field_name or "")
    assert index >= 0, f"{field_name} is not offered for {column}"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def choose_kind(qtbot, dialog: ImportDialog, kind: str) -> None:
    combo = dialog.mapping_editor.kind_combo
    combo.setCurrentIndex(combo.findData(kind))
    combo.activated.emit(combo.currentIndex())
    wait_preview(qtbot, dialog)


# ----------------------------------------------------------------------------- tests


def test_dropping_an_export_shows_its_format_then_imports_it_and_the_window_reloads(
    qtbot, gui: Gui, tmp_path: Path
) -> None:
    window = gui.window
    assert window.count_label.text() == "0 customers"
    # Text and web links are not files: the window refuses them.
    text = QMimeData()
    text.setText("just some text")
    web = QMimeData()
    web.setUrls([QUrl("https://example.com/orders.csv")])
    assert not drop(window, text)
    assert not drop(window, web)
    assert gui.imports.import_dialog is None

    shopify = copy(SHOPIFY, tmp_path / "exports")
    assert drop(window, files_mime(shopify))
    dialog = gui.imports.import_dialog
    assert isinstance(dialog, ImportDialog)
    assert dialog.isVisible()
    wait_preview(qtbot, dialog)
    assert dialog.format_label.text().startswith("Shopify orders")
    assert "about 2,022 rows" in dialog.format_label.text()
    assert "no mapping needed" in dialog.profile_label.text()
    assert not dialog.files_view.isVisible()  # one file: no file list
    assert not dialog.tabs.isTabVisible(dialog.tabs.indexOf(dialog.mapping_editor))
    assert dialog.rows_model.rowCount() == 20
    assert dialog.rows_model.headerData(0, Qt.Orientation.Horizontal) == "Name"
    assert dialog.requests() == [ImportRequest(path=str(shopify))]

    run_import(qtbot, dialog)
    report = dialog.outcome.report
    assert report.landed
    assert report.files[0].inserted == SHOPIFY_ORDERS
    assert dialog.report_view.headline_label.text().startswith("Imported orders_export_1.csv")
    assert gui.count("orders") == SHOPIFY_ORDERS
    customers = gui.customers()
    assert customers > 200
    # The window read the workspace again: table and status bar.
    qtbot.waitUntil(
        lambda: (
            window.customers_pane.model.rowCount() == customers
            and window.count_label.text() == f"{customers:,} customers"
        ),
        timeout=10_000,
    )


def test_a_dropped_folder_lists_its_export_files(qtbot, gui: Gui, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    copy(SHOPIFY, folder)
    copy(POS_MARCH, folder)
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    assert drop(gui.window, files_mime(folder))
    dialog = gui.imports.import_dialog
    assert dialog is not None
    wait_preview(qtbot, dialog)
    assert [e.name for e in dialog.entries] == ["orders_export_1.csv", "pos_orders_march.csv"]
    assert dialog.files_view.isVisible()
    assert dialog.title_label.text() == "Import 2 files into work.radar.sqlite"
    # The generic file holds up the import until it is mapped, and says so.
    assert dialog.files_model.index(1, 1).data() == "Needs a mapping"
    assert not dialog.import_button.isEnabled()
    assert "pos_orders_march.csv: choose what the file holds" in dialog.reason_label.text()
    dialog.reject()


def test_a_generic_file_is_mapped_saved_as_a_profile_and_the_profile_is_reused(
    qtbot, gui: Gui, tmp_path: Path
) -> None:
    march = copy(POS_MARCH, tmp_path / "exports")
    dialog = gui.imports.open_import([str(march)])
    assert dialog is not None
    wait_preview(qtbot, dialog)
    entry = dialog.entries[0]
    assert entry.generic
    assert entry.preview is not None
    assert entry.preview.needs_mapping
    assert dialog.tabs.currentWidget() is dialog.mapping_editor
    # The importer is not sure what the file holds: nothing can be picked before that.
    assert dialog.mapping_editor.kind == ""
    assert not dialog.mapping_editor.table.isEnabled()
    assert not dialog.import_button.isEnabled()
    assert dialog.reason_label.text() == (
        "Before importing, choose what the file holds (customers, orders…)."
    )

    choose_kind(qtbot, dialog, "orders")
    assert dialog.mapping_editor.table.isEnabled()
    assert "Orders" in dialog.format_label.text()
    # Only some columns are guessed: the reason names the missing fields.
    for column in POS_MAPPING:
        choose(dialog, column, None)
    assert not dialog.import_button.isEnabled()
    assert "choose a column for Order date and Amount" in dialog.reason_label.text()
    assert "names the customer" in dialog.reason_label.text()
    for column, field_name in POS_MAPPING.items():
        choose(dialog, column, field_name)
    choose(dialog, "Ks", "customer_id")  # a second column for the same field
    assert "Customer ID is chosen for both “Kd” and “Ks”" in dialog.reason_label.text()
    choose(dialog, "Ks", None)
    assert dialog.mapping_editor.model.mapping() == {**POS_MAPPING, "Ks": None}
    assert dialog.import_button.isEnabled()

    # Save the mapping under a name of our own.
    assert dialog.mapping_editor.save_check.isChecked()
    dialog.mapping_editor.profile_edit.clear()
    assert not dialog.import_button.isEnabled()  # a profile needs a name
    qtbot.keyClicks(dialog.mapping_editor.profile_edit, "POS orders")
    assert dialog.import_button.isEnabled()
    assert "saved as “POS orders”" in dialog.reason_label.text()
    [request] = dialog.requests()
    assert request.kind == "orders"
    assert request.save_profile == "POS orders"

    run_import(qtbot, dialog)
    [report] = dialog.outcome.report.files
    # Rows 6 (31 February) and 7 (a negative amount) are rejected; the rest landed.
    assert (report.rows_read, report.inserted, report.rejected) == (7, 5, 2)
    assert gui.count("orders") == 5
    assert gui.count("mapping_profiles", "WHERE name = 'POS orders'") == 1

    # The next month's file has the same header: the profile maps it, no questions asked.
    april = copy(POS_APRIL, tmp_path / "exports")
    second = gui.imports.open_import([str(april)])
    assert second is not None
    assert second is not dialog
    wait_preview(qtbot, second)
    entry = second.entries[0]
    assert entry.preview is not None
    assert entry.preview.profile_name == "POS orders"
    assert not entry.preview.needs_mapping
    assert entry.kind == "orders"
    assert "“POS orders”" in second.profile_label.text()
    assert second.mapping_editor.model.mapping() == {**POS_MAPPING, "Ks": None}
    assert not second.mapping_editor.save_check.isChecked()
    assert second.requests() == [ImportRequest(path=str(april), profile="POS orders")]
    run_import(qtbot, second)
    assert second.outcome.report.files[0].inserted == 3
    assert gui.count("orders") == 8
    assert gui.count("import_runs", "WHERE profile_name = 'POS orders'") == 1


def test_the_report_lists_rejected_rows_and_exports_them(qtbot, gui: Gui, tmp_path: Path) -> None:
    march = copy(POS_MARCH, tmp_path / "exports")
    dialog = gui.imports.open_import([str(march)])
    assert dialog is not None
    wait_preview(qtbot, dialog)
    choose_kind(qtbot, dialog, "orders")
    for column, field_name in POS_MAPPING.items():
        choose(dialog, column, field_name)
    run_import(qtbot, dialog)

    view = dialog.report_view
    assert view.rejects_title.text() == "Rejected rows (2)"
    rows = [
        (view.rejects_model.index(r, 0).data(), view.rejects_model.index(r, 1).data())
        for r in range(view.rejects_model.rowCount())
    ]
    assert rows == [("pos_orders_march.csv", "6"), ("pos_orders_march.csv", "7")]
    assert "31.02.2026" in view.rejects_model.index(0, 2).data()
    assert "negative amount" in view.rejects_model.index(1, 2).data()
    assert "2 rows could not be read" in view.headline_label.text()
    assert view.files_model.index(0, 7).data() == "2"

    assert view.export_button.isVisible()
    with qtbot.waitSignal(view.rejects_exported, timeout=10_000) as exported:
        qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    assert exported.args == [str(gui.saved_to)]
    assert gui.saved_to is not None
    with gui.saved_to.open(newline="", encoding="utf-8") as f:
        lines = list(csv.reader(f))
    assert lines[0] == ["file", "row", "reason"]
    assert [(r[0], r[1]) for r in lines[1:]] == [
        ("pos_orders_march.csv", "6"),
        ("pos_orders_march.csv", "7"),
    ]
    assert "Saved 2 rows to" in view.export_label.text()


def big_orders_file(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as f:
        f.write("customer_id,order_id,order_date,amount\n")
        for i in range(rows):
            f.write(f"C{i % 3000},O{i},2025-{i % 12 + 1:02d}-{i % 28 + 1:02d},{i % 500 + 1}.50\n")
    return path


def test_return_imports_even_with_the_focus_on_cancel(qtbot, gui: Gui, tmp_path: Path) -> None:
    # Import is off while the file is read, so the focus lands on Cancel: Return, once
    # Import is offered, must import (not cancel, as an auto-default Cancel would).
    dialog = gui.imports.open_import([str(copy(SHOPIFY, tmp_path / "exports"))])
    assert dialog is not None
    dialog.cancel_button.setFocus()
    wait_preview(qtbot, dialog)
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.import_finished, timeout=60_000):
        qtbot.keyClick(dialog.cancel_button, Qt.Key.Key_Return)
    assert dialog.pages.currentIndex() == REPORT_PAGE
    dialog.close()


def test_the_dialogs_title_says_whether_the_file_is_read_ready_importing_or_done(
    qtbot, gui: Gui, tmp_path: Path
) -> None:
    """The taskbar shows the dialog's title: it says the file is still being read (Import
    is off then), ready to import, importing, then the report."""
    import threading

    release = threading.Event()
    gui.imports.jobs.operation(lambda _s: release.wait(20), label="a long read").run()
    dialog = gui.imports.open_import([str(copy(SHOPIFY, tmp_path / "exports"))])
    assert dialog is not None
    qtbot.wait(50)
    assert dialog.windowTitle() == "Import files · Reading the files…"
    assert not dialog.import_button.isEnabled()
    release.set()
    wait_preview(qtbot, dialog)
    assert dialog.windowTitle() == "Import files · Ready to import"
    titles: list[str] = []
    dialog.progress_bar.valueChanged.connect(lambda _v: titles.append(dialog.windowTitle()))
    run_import(qtbot, dialog)
    assert titles
    assert set(titles) == {"Import files · Importing…"}
    assert dialog.windowTitle() == "Import report"
    dialog.close()

    # A file the importer cannot take as it is: read, but not ready; the title says no more.
    odd = tmp_path / "exports" / "notes.csv"
    odd.write_text("Kd,EP,Bl\n1,2,3\n", encoding="utf-8")
    dialog = gui.imports.open_import([str(odd)])
    assert dialog is not None
    wait_preview(qtbot, dialog)
    assert not dialog.import_button.isEnabled()
    assert dialog.windowTitle() == "Import files"
    dialog.close()


def test_progress_then_cancel_leaves_the_workspace_as_it_was(
    qtbot, gui: Gui, tmp_path: Path
) -> None:
    # Something in the workspace first: the cancelled import must not touch it.
    shopify = copy(SHOPIFY, tmp_path / "exports")
    first = gui.imports.open_import([str(shopify)])
    assert first is not None
    wait_preview(qtbot, first)
    run_import(qtbot, first)
    first.close()
    before = {t: gui.count(t) for t in ("customers", "orders", "import_runs", "import_changes")}

    big = big_orders_file(tmp_path / "exports" / "orders_big.csv", 30_000)
    dialog = gui.imports.open_import([str(big)])
    assert dialog is not None
    wait_preview(qtbot, dialog)
    # A plain orders file (customer_id, order_id, order_date, amount) needs no mapping.
    assert dialog.entries[0].blockers == []
    assert dialog.import_button.isEnabled()

    seen: list[tuple[int, str]] = []

    def on_progress(value: int) -> None:
        seen.append((value, dialog.progress_label.text()))
        # Cancel once the rows are being written: the transaction is under way.
        if value >= 400 and dialog.stop_button.isEnabled():
            qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)

    dialog.progress_bar.valueChanged.connect(on_progress)
    with qtbot.waitSignal(dialog.import_finished, timeout=60_000) as finished:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        assert dialog.importing
        assert dialog.stop_button.isVisible()
    outcome = finished.args[0]
    moved = [(v, text) for v, text in seen if v > 0]
    assert moved
    assert all(text.endswith("orders_big.csv") for _v, text in moved)
    # Cancelled once saving had begun (40% on): inside the file's transaction, whichever
    # step of it (saving, writing, updating the totals) the worker had reached.
    assert moved[-1][0] >= 400
    assert moved[-1][1].startswith(("Saving", "Writing", "Updating customer totals"))
    assert outcome.cancelled
    assert not outcome.report.landed
    assert dialog.report_view.headline_label.text() == CANCELLED_NOTHING
    assert {t: gui.count(t) for t in before} == before
    assert gui.count("orders", "WHERE external_id LIKE 'O%'") == 0


def test_import_history_lists_the_runs_and_undo_removes_their_rows(
    qtbot, gui: Gui, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    march, april = copy(POS_MARCH, folder), copy(POS_APRIL, folder)
    dialog = gui.imports.open_import([str(march)])
    assert dialog is not None
    wait_preview(qtbot, dialog)
    choose_kind(qtbot, dialog, "orders")
    for column, field_name in POS_MAPPING.items():
        choose(dialog, column, field_name)
    run_import(qtbot, dialog)
    dialog.close()
    second = gui.imports.open_import([str(april)])
    assert second is not None
    wait_preview(qtbot, second)
    run_import(qtbot, second)
    second.close()
    assert gui.count("orders") == 8
    assert gui.customers() == 4

    gui.window.menus.import_history_action.trigger()
    history = gui.imports.history_dialog
    assert isinstance(history, ImportHistoryDialog)
    qtbot.waitUntil(lambda: history.model.rowCount() == 2, timeout=10_000)
    runs = [history.model.record(r) for r in range(2)]
    assert [r.file_name for r in runs] == ["pos_orders_april.csv", "pos_orders_march.csv"]
    assert [history.model.index(r, 9).data() for r in range(2)] == ["Imported", "Imported"]
    assert history.model.index(1, 6).data() == "5"  # inserted
    assert history.model.index(1, 8).data() == "2"  # rejected

    # March cannot be undone while April (which added orders to its customers) stands.
    assert history.select_run(runs[1].run_id)
    assert not history.undo_button.isEnabled()
    assert f"Cannot undo import {runs[1].run_id}" in history.status_label.text()
    assert "undo it first" in history.status_label.text()

    # Undo April: its 3 orders and the customer it created go.
    assert history.select_run(runs[0].run_id)
    assert history.undo_button.isEnabled()
    with qtbot.waitSignal(history.import_undone, timeout=20_000) as undone:
        qtbot.mouseClick(history.undo_button, Qt.MouseButton.LeftButton)
    assert len(gui.confirmations) == 1
    assert "pos_orders_april.csv" in gui.confirmations[0]
    assert undone.args[0].run_id == runs[0].run_id
    assert gui.count("orders") == 5
    assert gui.customers() == 3
    qtbot.waitUntil(lambda: history.model.index(0, 9).data() == "Undone", timeout=10_000)
    assert history.status_label.text().startswith(f"Undid import {runs[0].run_id}")
    # Now March can go too, and the workspace is empty again.
    assert history.select_run(runs[1].run_id)
    qtbot.waitUntil(history.undo_button.isEnabled, timeout=5_000)
    with qtbot.waitSignal(history.import_undone, timeout=20_000):
        qtbot.mouseClick(history.undo_button, Qt.MouseButton.LeftButton)
    assert gui.count("orders") == 0
    assert gui.customers() == 0
    qtbot.waitUntil(lambda: gui.window.count_label.text() == "0 customers", timeout=10_000)


def test_closing_the_dialog_mid_import_cancels_instead_of_hiding_it(
    qtbot, gui: Gui, tmp_path: Path
) -> None:
    big = big_orders_file(tmp_path / "orders_big.csv", 20_000)
    dialog = gui.imports.open_import([str(big)])
    assert dialog is not None
    wait_preview(qtbot, dialog)
    with qtbot.waitSignal(dialog.import_finished, timeout=60_000) as finished:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        dialog.reject()  # Esc or the window's close button
        assert dialog.isVisible()
        assert not dialog.stop_button.isEnabled()
    assert finished.args[0].cancelled
    assert gui.count("orders") == 0
    assert gui.count("import_runs") == 0
    assert dialog.pages.currentIndex() != PREVIEW_PAGE


def test_the_watched_folder_imports_a_new_export_once_and_asks_for_a_mapping(
    qtbot, gui: Gui, tmp_path: Path
) -> None:
    folder = tmp_path / "watched"
    copy(SHOPIFY, folder, "already_there.csv")  # there before: left alone
    imports = gui.imports
    chosen = str(folder)
    imports._choose_folder = lambda _start: chosen  # the folder picker
    gui.window.menus.watch_folder_action.trigger()
    settings = imports.watch_dialog
    assert settings is not None
    assert settings.folder_label.text() == "No folder is watched."
    qtbot.mouseClick(settings.choose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: imports.watcher.folder is not None, timeout=10_000)
    assert chosen in settings.folder_label.text()
    settings.accept()
    # Stored in the workspace, with the file already there counted as handled.
    assert imports.source is not None
    folder_setting, seen = imports.source.watched_folder()
    assert folder_setting == chosen
    assert [Path(p).name for p in seen] == ["already_there.csv"]

    done: list[str] = []
    imports.watched_import_done.connect(lambda path, _outcome: done.append(Path(path).name))
    with qtbot.waitSignal(imports.watched_import_done, timeout=20_000):
        copy(SHOPIFY, folder, "orders_export_2.csv")
    assert done == ["orders_export_2.csv"]
    assert gui.count("import_runs") == 1
    assert gui.count("orders") == SHOPIFY_ORDERS
    [notice] = imports.notices.notices
    assert notice.text.startswith("Imported orders_export_2.csv from the watched folder: 1,135 new")
    assert notice.action_button is not None
    assert notice.action_button.text() == "View report"
    qtbot.waitUntil(
        lambda: gui.window.customers_pane.model.rowCount() == gui.customers(), timeout=10_000
    )

    # Looking again (the periodic rescan) imports nothing twice.
    for _ in range(3):
        with qtbot.waitSignal(imports.watcher.scanned, timeout=5_000):
            imports.watcher.scan()
    qtbot.wait(250)  # longer than the stability delay
    assert done == ["orders_export_2.csv"]
    assert gui.count("import_runs") == 1
    qtbot.waitUntil(gui.jobs_idle, timeout=10_000)
    _folder, seen = imports.source.watched_folder()
    assert sorted(Path(p).name for p in seen) == ["already_there.csv", "orders_export_2.csv"]

    # The report is one click away.
    qtbot.mouseClick(notice.action_button, Qt.MouseButton.LeftButton)
    assert imports.report_dialog is not None
    assert imports.report_dialog.isVisible()
    assert imports.report_dialog.view.files_model.index(0, 4).data() == f"{SHOPIFY_ORDERS:,}"
    imports.report_dialog.close()

    # A file that needs a mapping is not imported: a notice opens the dialog for it.
    with qtbot.waitSignal(imports.watched_file_needs_mapping, timeout=20_000) as needs:
        copy(POS_MARCH, folder)
    assert Path(needs.args[0]).name == "pos_orders_march.csv"
    assert gui.count("import_runs") == 1
    mapping_notice = imports.notices.notices[0]
    assert "needs a column mapping" in mapping_notice.text
    assert mapping_notice.action_button is not None
    qtbot.mouseClick(mapping_notice.action_button, Qt.MouseButton.LeftButton)
    dialog = imports.import_dialog
    assert dialog is not None
    assert dialog.isVisible()
    wait_preview(qtbot, dialog)
    assert [e.name for e in dialog.entries] == ["pos_orders_march.csv"]
    assert not dialog.import_button.isEnabled()
    dialog.reject()

    # Stop watching: the setting is cleared and new files are left alone.
    imports.set_watched_folder(None)
    qtbot.waitUntil(lambda: imports.source.watched_folder()[0] is None, timeout=10_000)
    assert imports.watcher.folder is None


def test_a_file_gone_before_the_import_keeps_the_reports_of_the_others(
    qtbot, gui: Gui, tmp_path: Path
) -> None:
    """Three files chosen; the second is deleted while the preview is open. The first and
    third land, the report names the second and why."""
    folder = tmp_path / "exports"
    folder.mkdir()
    paths = []
    for name, customer, n in (("a.csv", "A1", 3), ("b.csv", "B1", 4), ("c.csv", "C1", 5)):
        rows = [f"{customer},{customer}-{i},2026-02-1{i},{10 + i}.50" for i in range(n)]
        path = folder / name
        path.write_text(
            "customer_id,order_id,order_date,amount\n" + "\n".join(rows) + "\n", encoding="utf-8"
        )
        paths.append(path)
    dialog = gui.imports.open_import([str(p) for p in paths])
    assert dialog is not None
    wait_preview(qtbot, dialog)
    paths[1].unlink()
    run_import(qtbot, dialog)

    report = dialog.outcome.report
    assert [f.file for f in report.files] == ["a.csv", "b.csv", "c.csv"]
    assert [f.landed for f in report.files] == [True, False, True]
    assert [f.inserted for f in report.files] == [3, 0, 5]
    assert report.files[1].error is not None
    assert "b.csv does not exist" in report.files[1].error
    assert gui.count("orders") == 8
    view = dialog.report_view
    assert view.files_model.rowCount() == 3
    shown = " ".join(
        str(view.files_model.index(r, c).data() or "")
        for r in range(view.files_model.rowCount())
        for c in range(view.files_model.columnCount())
    )
    assert "b.csv Unknown Not imported" in shown
    assert "1 file could not be imported" in view.headline_label.text()
    assert "b.csv: not imported: " in view.notes_label.text()
    assert "b.csv does not exist" in view.notes_label.text()


def test_importing_into_the_demo_workspace_asks_first(qtbot, gui: Gui, tmp_path: Path) -> None:
    """Real customers would mix with made-up ones: the user is asked, and a no imports
    nothing."""
    from services.settings import set_setting

    with gui.workspace.sessions() as session:
        set_setting(session, "workspace.demo", {"customers": 10, "seed": 1})
        session.commit()
    window = gui.window
    window.set_source(WorkspaceCustomerSource(gui.workspace))
    qtbot.waitUntil(lambda: window.summary is not None and window.summary.is_demo)
    march = copy(POS_MARCH, tmp_path / "exports")
    gui.answers = [False]
    assert gui.imports.open_import([str(march)]) is None
    assert len(gui.confirmations) == 1
    assert "demo workspace" in gui.confirmations[0]
    assert march.name in gui.confirmations[0]
    # It says how to make a workspace of one's own (Open cannot take a new name).
    assert "File ▸ New workspace… (Ctrl+Shift+N)" in gui.confirmations[0]
    assert "Nothing imported" in window.statusBar().currentMessage()
    dialog = gui.imports.open_import([str(march)])  # the next answer is yes
    assert dialog is not None
    assert len(gui.confirmations) == 2
    dialog.close()
    # Asked once this session: the next files are imported without asking again.
    again = gui.imports.open_import([str(march)])
    assert again is not None
    assert len(gui.confirmations) == 2
    again.close()


def _wheel(widget: QWidget, steps: int) -> QWheelEvent:
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, -120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)
    return event


def test_the_mouse_wheel_never_changes_a_column_mapping(qtbot, gui: Gui, tmp_path: Path) -> None:
    """Scrolling over a column's combo box (even one that has the focus, after a click)
    leaves its field as it was and is left to the table, which scrolls; so does the combo
    of what the file holds."""
    march = copy(POS_MARCH, tmp_path / "exports")
    dialog = gui.imports.open_import([str(march)])
    assert dialog is not None
    wait_preview(qtbot, dialog)
    choose_kind(qtbot, dialog, "orders")
    editor = dialog.mapping_editor
    kinds = editor.kind_combo
    before_kind = kinds.currentIndex()
    kinds.setFocus()
    _wheel(kinds, 2)
    assert kinds.currentIndex() == before_kind
    for column in POS_MAPPING:
        row = editor.model.column_of(column)
        assert row is not None
        combo = editor.combo_for_row(row)
        assert combo is not None
        before = combo.currentIndex()
        combo.setFocus()
        event = _wheel(combo, 3)
        assert combo.currentIndex() == before, column
        assert not event.isAccepted()  # left to the table, which scrolls
    dialog.close()


def test_the_preview_gives_the_focus_to_import_once_it_is_offered(
    qtbot, gui: Gui, tmp_path: Path
) -> None:
    """While the files are read, Import is off and Cancel holds the focus; once Import is
    offered it takes the focus (Enter imports, as the default button says), unless the
    person moved it elsewhere meanwhile."""
    dialog = gui.imports.open_import([str(copy(SHOPIFY, tmp_path / "exports"))])
    assert dialog is not None
    assert not dialog.import_button.isEnabled()
    assert dialog.focusWidget() is not dialog.import_button
    wait_preview(qtbot, dialog)
    assert dialog.import_button.isEnabled(), dialog.reason_label.text()
    assert dialog.focusWidget() is dialog.import_button
    dialog.close()
