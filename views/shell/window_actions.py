"""The main window's file actions and drops: File ▸ Open workspace…, New demo workspace…,
Back up workspace… and Import…, and export files dropped on the window. A base class of
views/shell/main_window.py's MainWindow, kept apart so that the window module stays small.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QMainWindow

from views.importing.source import IMPORT_FILE_FILTER, dropped_paths
from views.kit.confirm import ask_yes_cancel
from views.kit.file_dialogs import open_file_name, open_file_names, save_file_name

if TYPE_CHECKING:
    from views.customers.source import CustomerSource
    from views.kit.jobs import JobRunner

ConfirmFn = Callable[[str, str], bool]

WORKSPACE_FILTER = "Account Radar workspaces (*.radar.sqlite *.sqlite *.db);;All files (*)"


class WindowFileActions(QMainWindow):
    """What the File menu's dialogs and a drop ask of app/, as signals.

    Signals:
        open_workspace_requested(path): the user chose a workspace file to open.
        demo_workspace_requested(path): the user asked for a demo workspace at path.
        import_files_requested(paths): files or folders dropped or chosen to import.
    """

    open_workspace_requested = Signal(str)
    demo_workspace_requested = Signal(str)
    import_files_requested = Signal(list)

    # Set by MainWindow.
    _source: CustomerSource | None
    _jobs: JobRunner
    _confirm: ConfirmFn

    def _start_dir(self) -> str:
        if self._source is not None and self._source.can_back_up:
            return str(Path(self._source.display_name).parent)
        return str(Path.home())

    def _on_open_action_triggered(self) -> None:
        path, _ = open_file_name(self, "Open workspace", self._start_dir(), WORKSPACE_FILTER)
        if path:
            self.open_workspace_requested.emit(path)

    def _on_demo_action_triggered(self) -> None:
        suggested = str(Path(self._start_dir()) / "demo.radar.sqlite")
        path, _ = save_file_name(
            self,
            "New demo workspace",
            suggested,
            WORKSPACE_FILTER,
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if path:
            self.request_demo_workspace(path)

    def request_demo_workspace(self, path: str) -> bool:
        """Ask for a demo workspace at path, confirming first if a file is there."""
        if Path(path).exists() and not self._confirm(
            "Replace the file?",
            f"{Path(path).name} already exists. Build a new demo workspace in its place? "
            "A demo workspace is replaced; a workspace holding your own data is left "
            "untouched.",
        ):
            return False
        self.demo_workspace_requested.emit(path)
        return True

    def _ask_confirmation(self, title: str, text: str) -> bool:
        return ask_yes_cancel(self, title, text)

    def _on_backup_action_triggered(self) -> None:
        source = self._source
        if source is None:
            return
        current = Path(source.display_name)
        stem = current.name.removesuffix(".sqlite").removesuffix(".radar")
        suggested = current.with_name(f"{stem}-backup-{dt.date.today():%Y%m%d}.radar.sqlite")
        path, _ = save_file_name(self, "Back up workspace", str(suggested), WORKSPACE_FILTER)
        if path:
            self.back_up_to(Path(path))

    def back_up_to(self, destination: Path) -> None:
        """Copy the workspace to destination on the database worker."""
        source = self._source
        if source is None:
            return
        self.statusBar().showMessage("Backing up…")
        (
            self._jobs.operation(lambda _state: source.back_up(destination), parent=self)
            .success(lambda path: self.statusBar().showMessage(f"Backed up to {path}", 10_000))
            .run()
        )

    def _on_import_action_triggered(self) -> None:
        paths, _ = open_file_names(
            self, "Import export files", str(Path.home()), IMPORT_FILE_FILTER
        )
        if paths:
            self.import_files_requested.emit(paths)

    # Drops: local files and folders are imported; anything else (text, web links) is not
    # accepted, so the cursor says so before the drop.
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._source is not None and dropped_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._source is not None and dropped_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_paths(event.mimeData()) if self._source is not None else []
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.import_files_requested.emit(paths)
