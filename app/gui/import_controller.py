"""Imports in the window: the source the import views talk to, and the controller that
opens the import dialog, the history and the watched folder, and reloads the window
when an import changed the workspace.

The views (views/import_*.py) know nothing of the database: they receive a
``WorkspaceImportSource`` (views.importing.source.ImportSource) and call it inside job
runner operations; this module is the only place that calls services/importing/service.py.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from app.gui.context import GuiContext
from app.gui.import_watch import RESCAN_MS, STABLE_MS, FileSignature, FolderWatcher, scan_folder
from app.workspace import Workspace
from models.db import describe_db_error, session_scope
from models.errors import UserFacingError
from services.importing.types import (
    FieldSpec,
    FilePreview,
    ImportCancelled,
    ImportReport,
    ImportRunInfo,
    RejectedRow,
    UndoReport,
)
from services.settings import set_setting
from services.settings.views import ImportSettings
from views.importing.dialog import ImportDialog
from views.importing.history import ConfirmFn, ImportHistoryDialog
from views.importing.notice import ImportNoticeArea
from views.importing.report import ImportReportDialog, SavePathFn, headline
from views.importing.source import (
    CancelledFn,
    ImportOutcome,
    ImportRequest,
    ProgressFn,
)
from views.importing.watch_dialog import ChooseFolderFn, WatchFolderDialog
from views.kit.confirm import ask_to_go_on, ask_yes_cancel
from views.kit.jobs import JobRunner, TaskState
from views.shell.main_window import MainWindow

log = logging.getLogger(__name__)

WATCHED_FOLDER_KEY = "import.watched_folder"
WATCHED_FILES_KEY = "import.watched_files"


def _service() -> Any:
    # Imported on first use: the import service brings pandas, which the window's first
    # paint does not need.
    from services.importing import service

    return service


# ------------------------------------------------------------------------------ source


class WorkspaceImportSource:
    """The import service over one open workspace (implements views ImportSource).

    Every method may be slow (it reads files and the database): callers run it on the
    job runner's database worker.
    """

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    @property
    def display_name(self) -> str:
        return self.workspace.display_name

    def expand_paths(self, paths: Sequence[str]) -> list[str]:
        return [str(p) for p in _service().expand_paths(list(paths))]

    def preview_file(self, path: str, *, kind: str = "auto") -> FilePreview:
        preview: FilePreview = _service().preview_file(self.workspace.engine, path, kind=kind)
        return preview

    def fields_for_kind(self, kind: str) -> tuple[FieldSpec, ...]:
        return tuple(_service().fields_for_kind(kind))

    def run_import(
        self,
        requests: Sequence[ImportRequest],
        *,
        progress: ProgressFn | None = None,
        cancelled: CancelledFn | None = None,
    ) -> ImportOutcome:
        """Import file by file, each its own transaction, in the order given, each with
        the kind and mapping the preview chose; a cancel is reported precisely: the files
        before it landed, nothing of the file being read did, the files after it were not
        started."""
        service = _service()

        def step(fraction: float, message: str) -> None:
            if progress is not None:
                progress(fraction, message[:1].upper() + message[1:])

        try:
            report: ImportReport = service.import_requests(
                self.workspace.engine,
                [
                    service.FileRequest(
                        request.path,
                        kind=request.kind,
                        profile=request.profile,
                        mapping=dict(request.mapping) if request.mapping is not None else None,
                        save_as=request.save_profile or None,
                    )
                    for request in requests
                ],
                progress=step,
                cancelled=cancelled,
            )
        except ImportCancelled as stop:
            return ImportOutcome(
                ImportReport(files=stop.landed, dry_run=False),
                cancelled=True,
                cancelled_file=stop.file,
                skipped=stop.skipped,
            )
        if report.landed:  # orders imported stop the playbooks of those who ordered
            from services.alerts.playbooks import stop_cleared_runs

            stop_cleared_runs(self.workspace.engine)
        return ImportOutcome(report)

    def list_profiles(self) -> list[tuple[str, str]]:
        return [(str(n), str(k)) for n, k in _service().list_profiles(self.workspace.engine)]

    def list_imports(self) -> list[ImportRunInfo]:
        return list(_service().list_imports(self.workspace.engine))

    def undo_import(self, run_id: int) -> UndoReport:
        report: UndoReport = _service().undo_import(self.workspace.engine, run_id)
        return report

    def write_rejects_csv(self, rejects: Sequence[RejectedRow], path: str) -> None:
        from models.db import sqlite_path

        # The save dialog asked before replacing a file; the workspace, its companion
        # files and any other database are never a destination.
        own = sqlite_path(self.workspace.engine.url)
        _service().write_rejects_csv(rejects, path, force=True, protected=[own] if own else [])

    def user_message(self, error: BaseException) -> str | None:
        if isinstance(error, UserFacingError):
            return str(error) or "The file could not be imported."
        if isinstance(error, OSError):
            reason = error.strerror or str(error)
            where = f" ({error.filename})" if error.filename else ""
            return f"The file could not be read{where}: {reason}."
        return describe_db_error(error)

    # -- the watched folder (workspace settings) ---------------------------------------

    def watched_folder(self) -> tuple[str | None, dict[str, FileSignature]]:
        """The watched folder and the files of it already handled."""
        with session_scope(self.workspace.sessions) as session:
            watched = ImportSettings.read(session)
            folder, files = watched.watched_folder, watched.watched_files
        seen = {
            str(p): (int(v[0]), int(v[1]))
            for p, v in (files or {}).items()
            if isinstance(v, list | tuple) and len(v) == 2
        }
        return (str(folder) if folder else None), seen

    def set_watched_folder(self, folder: str | None) -> dict[str, FileSignature]:
        """Watch folder (None: stop). Files already there count as handled: only exports
        that appear from now on are imported. Returns those files."""
        baseline = scan_folder(folder) if folder else {}
        with session_scope(self.workspace.sessions) as session:
            set_setting(session, WATCHED_FOLDER_KEY, folder)
            set_setting(session, WATCHED_FILES_KEY, _encode(baseline))
        return baseline

    def remember_watched_files(self, seen: dict[str, FileSignature]) -> None:
        with session_scope(self.workspace.sessions) as session:
            set_setting(session, WATCHED_FILES_KEY, _encode(seen))


def _encode(seen: dict[str, FileSignature]) -> dict[str, list[int]]:
    return {path: [size, mtime] for path, (size, mtime) in seen.items()}


# --------------------------------------------------------------------------- controller


class ImportController(QObject):
    """Opens the import windows of the main window and runs the watched folder.

    Signals:
        workspace_changed(): an import or an undo changed the workspace (after the window
            was told to reload).
        watched_import_done(path, outcome): the watched folder imported a file (or tried).
        watched_file_needs_mapping(path): a file of the watched folder needs a mapping.
    """

    workspace_changed = Signal()
    watched_import_done = Signal(str, object)
    watched_file_needs_mapping = Signal(str)

    def __init__(
        self,
        jobs: JobRunner,
        window: MainWindow,
        *,
        stable_ms: int = STABLE_MS,
        rescan_ms: int = RESCAN_MS,
        confirm: ConfirmFn | None = None,
        ask_save_path: SavePathFn | None = None,
        choose_folder: ChooseFolderFn | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.window = window
        self.source: WorkspaceImportSource | None = None
        self._confirm = confirm
        # The demo workspaces the user agreed to import into this session (asked once).
        self._demo_agreed: set[str] = set()
        self._ask_save_path = ask_save_path
        self._choose_folder = choose_folder
        self.import_dialog: ImportDialog | None = None
        self.history_dialog: ImportHistoryDialog | None = None
        self.watch_dialog: WatchFolderDialog | None = None
        self.report_dialog: ImportReportDialog | None = None
        self.notices = ImportNoticeArea()
        window.add_banner(self.notices)
        self.watcher = FolderWatcher(jobs, stable_ms=stable_ms, rescan_ms=rescan_ms, parent=self)
        self.watcher.file_ready.connect(self._on_watcher_file_ready)
        self.watcher.folder_unavailable.connect(self._on_watcher_folder_unavailable)
        window.import_files_requested.connect(self.open_import)
        window.import_history_requested.connect(self.open_history)
        window.watch_folder_requested.connect(self.open_watch_settings)

    # -- workspace --------------------------------------------------------------------

    def set_workspace(self, workspace: Workspace | None) -> None:
        """Import into this workspace from now on; starts its watched folder, if any."""
        self.watcher.stop()
        self.notices.clear()
        # Dialogs of the previous workspace go with it (an import in flight finishes first:
        # the old workspace is closed behind it on the database worker).
        for dialog in (self.history_dialog, self.report_dialog, self.watch_dialog):
            if self._alive(dialog):
                assert dialog is not None
                dialog.close()
        if self._alive(self.import_dialog):
            assert self.import_dialog is not None
            if not self.import_dialog.importing:
                self.import_dialog.close()
        self.source = WorkspaceImportSource(workspace) if workspace is not None else None
        source = self.source
        if source is None:
            return
        (
            self.jobs.operation(
                lambda _state: source.watched_folder(),
                parent=self,
                key=("import.watched_folder", id(self)),
                label="read watched folder",
            )
            .success(lambda result: self._start_watching(source, *result))
            .run()
        )

    def _start_watching(
        self,
        source: WorkspaceImportSource,
        folder: str | None,
        seen: dict[str, FileSignature],
    ) -> None:
        if source is not self.source or not folder:
            return
        self.watcher.start(folder, seen)

    def shutdown(self) -> None:
        """Stop watching (before the job runner shuts down)."""
        self.watcher.stop()

    # -- dialogs ----------------------------------------------------------------------

    def _alive(self, widget: QWidget | None) -> bool:
        return widget is not None and shiboken6.isValid(widget) and widget.isVisible()

    def open_import(self, paths: Sequence[str]) -> ImportDialog | None:
        """The import dialog for files or folders (dropped, chosen or from the watcher)."""
        if self.source is None or not paths:
            return None
        if self._alive(self.import_dialog):
            assert self.import_dialog is not None
            if self.import_dialog.importing:
                self.import_dialog.raise_()
                self.window.statusBar().showMessage(
                    "An import is running; drop the files again when it is done.", 8000
                )
                return self.import_dialog
            self.import_dialog.close()
        if not self._into_demo_confirmed(paths):
            return None
        dialog = ImportDialog(
            self.jobs, self.source, list(paths), self.window, ask_save_path=self._ask_save_path
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.import_landed.connect(self._on_import_landed)
        self.import_dialog = dialog
        dialog.show()
        return dialog

    def _into_demo_confirmed(self, paths: Sequence[str]) -> bool:
        """True unless this is the demo workspace and the user would rather not mix their
        real customers with its made-up ones."""
        summary = self.window.summary
        if summary is None or not summary.is_demo:
            return True
        workspace = self.source.display_name if self.source is not None else ""
        if workspace in self._demo_agreed:
            return True  # asked once this session: not again for every file
        names = ", ".join(Path(p).name for p in paths[:3]) + (" …" if len(paths) > 3 else "")
        text = (
            f"This is the demo workspace: its customers are made up. Importing {names} here "
            "would mix your real customers with them, in the lists, the scores and the "
            "alerts.\n\nTo work with your own data, start an empty workspace with File ▸ New "
            "workspace… (Ctrl+Shift+N), or open one you have with File ▸ Open workspace…, "
            "and import there.\n\n"
            "Import into the demo workspace anyway?"
        )
        confirm = self._confirm or self._ask_import_anyway
        if confirm("Import into the demo workspace?", text):
            self._demo_agreed.add(workspace)
            return True
        self.window.statusBar().showMessage("Nothing imported: this is the demo workspace.", 8000)
        return False

    def _ask_confirmation(self, title: str, text: str) -> bool:
        return ask_yes_cancel(self.window, title, text)

    def _ask_import_anyway(self, title: str, text: str) -> bool:
        # Importing can be undone (File ▸ Import history): Enter imports, Esc does not.
        return ask_to_go_on(self.window, title, text, "Import anyway")

    def open_history(self) -> ImportHistoryDialog | None:
        if self.source is None:
            return None
        if self._alive(self.history_dialog):
            assert self.history_dialog is not None
            self.history_dialog.reload()
            self.history_dialog.raise_()
            return self.history_dialog
        dialog = ImportHistoryDialog(self.jobs, self.source, self.window, confirm=self._confirm)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.import_undone.connect(self._on_history_import_undone)
        self.history_dialog = dialog
        dialog.show()
        return dialog

    def open_watch_settings(self) -> WatchFolderDialog | None:
        if self.source is None:
            return None
        dialog = WatchFolderDialog(
            self.watcher.folder,
            self.window,
            choose_folder=self._choose_folder,
            start_dir=self._start_dir(),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.folder_chosen.connect(self.set_watched_folder)
        dialog.watching_stopped.connect(lambda: self.set_watched_folder(None))
        self.watch_dialog = dialog
        dialog.open()
        return dialog

    def _start_dir(self) -> str:
        source = self.window.source
        if source is not None and source.can_back_up:
            return str(Path(source.display_name).parent)
        return str(Path.home())

    def show_report(self, outcome: ImportOutcome, title: str = "Import report") -> None:
        if self.source is None:
            return
        dialog = ImportReportDialog(
            self.jobs,
            self.source.write_rejects_csv,
            outcome,
            self.window,
            title=title,
            ask_save_path=self._ask_save_path,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.report_dialog = dialog
        dialog.show()

    # -- after a change ---------------------------------------------------------------

    def _on_import_landed(self, outcome: ImportOutcome) -> None:
        self._workspace_changed()

    def _on_history_import_undone(self, report: UndoReport) -> None:
        self.window.statusBar().showMessage(report.message, 10_000)
        self._workspace_changed()

    def _workspace_changed(self) -> None:
        self.window.reload_workspace()
        if self._alive(self.history_dialog):
            assert self.history_dialog is not None
            self.history_dialog.reload()
        self.workspace_changed.emit()

    # -- the watched folder -----------------------------------------------------------

    def set_watched_folder(self, folder: str | None) -> None:
        """Watch folder from now on (None: stop); stored in the workspace."""
        source = self.source
        if source is None:
            return
        self.watcher.stop()
        (
            self.jobs.operation(
                lambda _state: source.set_watched_folder(folder),
                parent=self,
                label="set watched folder",
            )
            .success(lambda baseline: self._on_watched_folder_set(source, folder, baseline))
            .failure(self._on_watched_folder_failed)
            .run()
        )

    def _on_watched_folder_set(
        self,
        source: WorkspaceImportSource,
        folder: str | None,
        baseline: dict[str, FileSignature],
    ) -> None:
        if source is not self.source:
            return
        bar = self.window.statusBar()
        if folder is None:
            bar.showMessage("The folder is no longer watched.", 8000)
            return
        self.watcher.start(folder, baseline)
        there = (
            f" The {len(baseline):,} files already there were left alone; drop them on the "
            "window to import them."
            if baseline
            else ""
        )
        bar.showMessage(f"Watching {folder} for new exports.{there}", 12_000)

    def _on_watched_folder_failed(self, error: BaseException) -> None:
        message = self.source.user_message(error) if self.source else None
        if message is None:
            self.jobs.present_error(error)
            return
        self.notices.add(f"The folder cannot be watched: {message}", tone="critical")

    def _on_watcher_folder_unavailable(self, folder: str, reason: str) -> None:
        self.notices.add(
            f"The watched folder {folder} cannot be read ({reason}). Exports put there are "
            "imported once it is back.",
            tone="warning",
        )

    def _on_watcher_file_ready(self, path: str, signature: FileSignature) -> None:
        source = self.source
        if source is None:
            return

        def task(state: TaskState) -> tuple[str, Any]:
            preview = source.preview_file(path)
            if preview.needs_mapping:
                return "mapping", preview
            # A known format, a saved profile, or a generic file mapped with confidence.
            outcome = source.run_import(
                [ImportRequest(path=path, profile=preview.profile_name)],
                cancelled=state.cancelled,
            )
            return "imported", outcome

        (
            self.jobs.operation(
                task,
                parent=self,
                label="import from the watched folder",
                what="an import from the watched folder",
            )
            .success(lambda result: self._on_watched_file_done(source, path, signature, result))
            .failure(lambda error: self._on_watched_file_failed(source, path, signature, error))
            .run()
        )

    def _remember(self, source: WorkspaceImportSource, path: str, signature: FileSignature) -> None:
        if source is not self.source:
            return
        self.watcher.mark_handled(path, signature)
        seen = self.watcher.seen
        self.jobs.operation(
            lambda _state: source.remember_watched_files(seen),
            parent=self,
            key=("import.remember_watched", id(self)),
            label="remember watched files",
        ).run()

    def _on_watched_file_done(
        self,
        source: WorkspaceImportSource,
        path: str,
        signature: FileSignature,
        result: tuple[str, Any],
    ) -> None:
        if source is not self.source:
            return
        self._remember(source, path, signature)
        what, value = result
        name = os.path.basename(path)
        if what == "mapping":
            self.notices.add(
                f"{name} appeared in the watched folder. It is not a format Account Radar "
                "knows, so it needs a column mapping before it can be imported.",
                tone="warning",
                action_text="Set up the import…",
                action=lambda: self.open_import([path]),
            )
            self.watched_file_needs_mapping.emit(path)
            return
        outcome: ImportOutcome = value
        self._notify_watched_import(name, outcome)
        if outcome.report.landed:
            self._workspace_changed()
        self.watched_import_done.emit(path, outcome)

    def _notify_watched_import(self, name: str, outcome: ImportOutcome) -> None:
        report = outcome.report
        tone, text = headline(outcome)
        changed = sum(f.inserted + f.updated for f in report.files)
        if report.landed and changed == 0 and tone == "positive":
            self.window.statusBar().showMessage(
                f"{name} from the watched folder: nothing new.", 10_000
            )
            return
        if report.landed:
            text = text.replace(f"Imported {name}", f"Imported {name} from the watched folder", 1)
        else:
            text = f"{name} from the watched folder was not imported. " + text
        self.notices.add(
            text,
            tone=tone,
            action_text="View report",
            action=lambda: self.show_report(outcome, title=f"Import report: {name}"),
        )

    def _on_watched_file_failed(
        self,
        source: WorkspaceImportSource,
        path: str,
        signature: FileSignature,
        error: BaseException,
    ) -> None:
        if source is not self.source:
            return
        # Not offered again until it changes: a broken file must not fail every 30 s.
        self._remember(source, path, signature)
        message = source.user_message(error)
        if message is None:
            self.jobs.present_error(error)
            message = "something went wrong; details were written to the log"
        name = os.path.basename(path)
        self.notices.add(
            f"{name} from the watched folder could not be imported: {message}",
            tone="critical",
            action_text="Try in the import dialog…",
            action=lambda: self.open_import([path]),
        )


def install(ctx: GuiContext) -> ImportController:
    """File ▸ Import…, drag and drop, import history and the watched folder."""
    return ImportController(ctx.jobs, ctx.window, parent=ctx.parent)
