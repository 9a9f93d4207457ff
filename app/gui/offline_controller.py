"""Offline copies in the window.

- File ▸ Take offline… (on a shared PostgreSQL workspace): choose where to save the copy,
  take it on a worker with a progress dialog that can cancel (services/team/offline.py),
  then offer to open it.
- In an offline copy: the banner and the status bar's badge say so; import and scoring
  are not offered (customer data comes from the server); File ▸ Sync back (or the
  banner's button) sends what was done here on the database worker
  (services/team/sync.py) with the password kept in the keyring, else asks it, reopens
  the refreshed copy and shows the report with the conflicts listed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QProgressDialog
from sqlalchemy.engine import make_url

from app.gui.context import GuiContext
from app.workspace import Workspace, to_url
from models.db import is_sqlite, make_engine
from services.core.offline_origin import OfflineOrigin, read_origin
from services.team.connect import connect_url
from services.team.offline import OfflineCopy, PasswordNeeded, take_offline
from services.team.sync_report import SyncReport
from views.kit.file_dialogs import save_file_name
from views.kit.jobs import Operation, TaskState
from views.shell.main_window import WORKSPACE_FILTER
from views.shell.window_menus import NO_IMPORT_IN_COPY
from views.team.offline_banner import OfflineBanner, OfflineMenuEntries, offline_badge
from views.team.sync_report_dialog import ReportSection, SyncReportDialog

log = logging.getLogger(__name__)

SavePathFn = Callable[[str], str | None]  # suggested path -> chosen path, or None
ConfirmFn = Callable[[str, str], bool]  # (title, text) -> yes
PasswordFn = Callable[[str], str | None]  # (the question) -> password, or None


def taken_words(when: dt.datetime, now: dt.datetime | None = None) -> str:
    """When a copy was taken, on the user's clock: "today at 14:05", "Nov 24 at 14:05"."""
    local = when.astimezone()
    today = (now or dt.datetime.now(dt.UTC)).astimezone().date()
    if local.date() == today:
        return f"today at {local:%H:%M}"
    return f"{local:%b} {local.day} at {local:%H:%M}"


def report_sections(report: SyncReport) -> list[ReportSection]:
    """The report's parts as the dialog shows them."""
    return [ReportSection(h, tone, tuple(lines)) for h, tone, lines in report.sections()]


class OfflineController(QObject):
    """Take offline and Sync back for one window; the banner of an offline copy.

    ``user()`` is who syncs back (the actor the server records); ``stop_imports()`` turns
    the import windows and the watched folder off (an offline copy imports nothing).
    """

    def __init__(
        self,
        context: GuiContext,
        *,
        user: Callable[[], str],
        stop_imports: Callable[[], None],
        show_progress: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._user = user
        self._stop_imports = stop_imports
        self._show_progress = show_progress
        window = context.window
        self.menu = OfflineMenuEntries(window, window.menus)
        self.menu.take_action.triggered.connect(self._on_take_action_triggered)
        self.menu.sync_action.triggered.connect(self._on_sync_action_triggered)
        self.banner = OfflineBanner(window)
        self.banner.sync_requested.connect(self._on_sync_action_triggered)
        window.add_banner(self.banner)
        self.badge = offline_badge(window)
        window.statusBar().addPermanentWidget(self.badge)
        # What the user is asked (replaced by the tests).
        self.ask_save_path: SavePathFn = self._ask_save_path
        self.confirm: ConfirmFn = self._confirm
        self.ask_password: PasswordFn = self._ask_password
        self.origin: OfflineOrigin | None = None
        self.report_dialog: SyncReportDialog | None = None
        self.last_copy: OfflineCopy | None = None
        self.last_report: SyncReport | None = None
        self._passwords: dict[str, str] = {}  # server address -> password, this session only
        self._busy = False
        context.workspace_opened.connect(self._on_gui_workspace_opened)
        window.import_files_requested.connect(self._on_window_import_files_requested)

    # -- which workspace -------------------------------------------------------------------

    def _on_gui_workspace_opened(self, _name: str) -> None:
        workspace = self._context.workspace()
        self._show_origin(None)
        if workspace is None:
            return
        shared = not is_sqlite(workspace.url)
        self.menu.take_action.setEnabled(shared and not self._busy)
        if shared:
            return
        (
            self._context.jobs.operation(
                lambda _state: read_origin(workspace.engine),
                parent=self,
                key=("offline.origin", id(self)),
                label="read where the workspace came from",
            )
            .success(lambda origin: self._on_origin_read(workspace, origin))
            .failure(self._on_origin_failed)
            .run()
        )

    def _on_origin_read(self, workspace: Workspace, origin: OfflineOrigin | None) -> None:
        if workspace is not self._context.workspace():
            return  # another workspace was opened meanwhile
        self._show_origin(origin)
        if origin is None:
            return
        menus = self._context.window.menus
        # Customer data comes from the server: nothing is imported or scored here.
        self._context.window.set_team_role("offline")
        menus.import_history_action.setEnabled(False)
        menus.import_history_action.setToolTip(NO_IMPORT_IN_COPY)
        self._stop_imports()

    def _on_origin_failed(self, error: BaseException) -> None:
        # The banner is a help: the workspace works without it; the reason goes to the log.
        log.warning("Could not read whether the workspace is an offline copy", exc_info=error)

    def _show_origin(self, origin: OfflineOrigin | None) -> None:
        self.origin = origin
        self.menu.sync_action.setEnabled(origin is not None and not self._busy)
        if origin is None:
            self.banner.hide()
            self.badge.hide()
            return
        self.banner.show_copy(origin.label, taken_words(origin.taken_at))
        self.badge.show()
        self.badge.setToolTip(
            f"An offline copy of {origin.label} (as {origin.user}), taken "
            f"{taken_words(origin.taken_at)}."
        )

    def _on_window_import_files_requested(self, _paths: list[str]) -> None:
        if self.origin is not None:
            self._context.window.statusBar().showMessage(NO_IMPORT_IN_COPY, 10_000)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        workspace = self._context.workspace()
        shared = workspace is not None and not is_sqlite(workspace.url)
        self.menu.take_action.setEnabled(shared and not busy)
        self.menu.sync_action.setEnabled(self.origin is not None and not busy)
        self.banner.set_busy(busy)

    # -- take offline ----------------------------------------------------------------------

    def _on_take_action_triggered(self) -> None:
        workspace = self._context.workspace()
        if workspace is None or is_sqlite(workspace.url) or self._busy:
            return
        database = workspace.engine.url.database or "team"
        suggested = str(Path.home() / f"{database}-offline.radar.sqlite")
        chosen = self.ask_save_path(suggested)
        if chosen:
            self.take(workspace, Path(chosen))

    def take(self, workspace: Workspace, path: Path) -> Operation[OfflineCopy]:
        """Take an offline copy of the shared workspace into ``path`` on a worker (the
        window stays usable), with a progress dialog that can cancel."""
        if not path.name.lower().endswith((".sqlite", ".db")):
            path = path.with_name(path.name + ".radar.sqlite")
        dialog = self._progress("Taking an offline copy…")
        self._set_busy(True)

        def task(state: TaskState) -> OfflineCopy:
            return take_offline(
                workspace.engine, path, progress=state.progress, cancel=state.cancelled
            )

        def on_progress(fraction: float, message: str) -> None:
            if dialog is not None:
                dialog.setValue(round(fraction * 100))
                dialog.setLabelText(f"Taking an offline copy…\n{message}")

        def on_done() -> None:
            if dialog is not None:
                dialog.close()
                dialog.deleteLater()
            self._set_busy(False)

        # The "work" pool: the copy reads the server and writes its own file, while the
        # window keeps reading the shared workspace on the database worker.
        op = (
            self._context.jobs.operation(
                task, parent=self, pool="work", key=("offline.take", id(self)), label="take offline"
            )
            .progress(on_progress)
            .success(self._on_taken)
            .failure(self._context.present)
            .cancelled(self._on_take_cancelled)
            .finished(on_done)
        )
        if dialog is not None:
            dialog.canceled.connect(op.cancel)
            dialog.show()
        return op.run()

    def _on_taken(self, copy: OfflineCopy) -> None:
        self.last_copy = copy
        size = copy.size_bytes / 1e6
        self._context.window.statusBar().showMessage(
            f"Offline copy saved: {copy.path} ({copy.customers:,} customers, {size:,.0f} MB, "
            f"{copy.seconds:.0f} s).",
            15_000,
        )
        text = (
            f"The offline copy is saved in {copy.path}: {copy.customers:,} customers with "
            f"their alerts and tasks, and the orders and interactions since "
            f"{copy.origin.since:%b} {copy.origin.since.day}, {copy.origin.since.year}.\n\n"
            "Open it now? (Open it when you go offline; File ▸ Sync back sends what you did "
            "in it when you are online again.)"
        )
        if self.confirm("Open the offline copy?", text):
            self._context.open_url(to_url(str(copy.path)))

    def _on_take_cancelled(self) -> None:
        self._context.window.statusBar().showMessage(
            "Taking the offline copy was cancelled; nothing was written.", 10_000
        )

    # -- sync back -------------------------------------------------------------------------

    def _on_sync_action_triggered(self) -> None:
        workspace, origin = self._context.workspace(), self.origin
        if workspace is None or origin is None or workspace.path is None or self._busy:
            return
        self.sync(workspace, origin)

    def sync(self, workspace: Workspace, origin: OfflineOrigin) -> Operation[SyncReport]:
        """Send the copy's actions to its server and refresh it, on the database worker
        (the copy is the open workspace: nothing else reads it meanwhile)."""
        assert workspace.path is not None
        path = workspace.path
        server_url = make_url(origin.server)
        password = self._passwords.get(origin.server)
        if password is not None:
            server_url = server_url.set(password=password)
        actor = self._user()
        dialog = self._progress("Syncing back…")
        self._set_busy(True)

        def task(state: TaskState) -> SyncReport:
            # The copy is replaced when refreshed: no connection of the window's may stay
            # open on it (the database worker is this thread: none is in use).
            workspace.engine.dispose()
            # A password typed for this sync, else the one kept in the system keyring
            # for the server (File > Open shared workspace keeps it there).
            server = make_engine(
                server_url if password is not None else connect_url(origin.server)[0]
            )
            try:
                # Syncing back replays alerts (and imports pandas): loaded when it runs.
                from services.team.sync import sync_back

                return sync_back(
                    path, server, actor=actor, progress=state.progress, cancel=state.cancelled
                )
            finally:
                server.dispose()

        def on_progress(fraction: float, message: str) -> None:
            if dialog is not None:
                dialog.setValue(round(fraction * 100))
                dialog.setLabelText(f"Syncing back…\n{message}")

        def on_done() -> None:
            if dialog is not None:
                dialog.close()
                dialog.deleteLater()
            self._set_busy(False)

        op = (
            self._context.jobs.operation(
                task, parent=self, key=("offline.sync", id(self)), label="sync back"
            )
            .progress(on_progress)
            .success(lambda report: self._on_synced(workspace, report))
            .failure(lambda error: self._on_sync_failed(workspace, origin, error))
            .cancelled(self._on_sync_cancelled)
            .finished(on_done)
        )
        if dialog is not None:
            dialog.canceled.connect(op.cancel)
            dialog.show()
        return op.run()

    def _on_synced(self, workspace: Workspace, report: SyncReport) -> None:
        self.last_report = report
        if report.refreshed is not None and workspace is self._context.workspace():
            # The file is a new copy now: open it afresh (the window reloads everything).
            self._context.open_url(workspace.url)
        tone, headline = report.headline()
        self.show_report(headline, tone, report_sections(report))
        self._context.window.statusBar().showMessage(headline, 15_000)

    def show_report(self, headline: str, tone: str, sections: list[ReportSection]) -> None:
        """The report dialog (non-modal), replacing the previous one."""
        if self.report_dialog is not None:
            self.report_dialog.close()
            self.report_dialog.deleteLater()
        dialog = SyncReportDialog(headline, tone, sections, self._context.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _obj=None, d=dialog: self._forget_dialog(d))
        self.report_dialog = dialog
        dialog.show()

    def _forget_dialog(self, dialog: SyncReportDialog) -> None:
        if self.report_dialog is dialog:
            self.report_dialog = None

    def _on_sync_failed(
        self, workspace: Workspace, origin: OfflineOrigin, error: BaseException
    ) -> None:
        if isinstance(error, PasswordNeeded):
            asked = self.ask_password(
                f"The password of the database account {origin.user} on {origin.label}:"
            )
            if asked:
                self._passwords[origin.server] = asked
                if workspace is self._context.workspace():
                    self.sync(workspace, origin)
                return
        self._context.present(error)

    def _on_sync_cancelled(self) -> None:
        self._context.window.statusBar().showMessage(
            "Sync back was stopped: what was sent is on the server (never sent twice), the "
            "rest is still in your copy. Sync back again to send it.",
            15_000,
        )

    # -- asking ----------------------------------------------------------------------------

    def _progress(self, label: str) -> QProgressDialog | None:
        if not self._show_progress:
            return None
        dialog = QProgressDialog(label, "Cancel", 0, 100, self._context.window)
        dialog.setWindowTitle("Account Radar")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumWidth(460)
        dialog.setValue(0)
        return dialog

    def _ask_save_path(self, suggested: str) -> str | None:
        path, _ = save_file_name(
            self._context.window, "Take offline: save the copy as", suggested, WORKSPACE_FILTER
        )
        return path or None

    def _confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(
            self._context.window,
            title,
            text,
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Close,
            QMessageBox.StandardButton.Open,
        )
        return answer == QMessageBox.StandardButton.Open

    def _ask_password(self, question: str) -> str | None:
        text, ok = QInputDialog.getText(
            self._context.window, "Sync back", question, QLineEdit.EchoMode.Password
        )
        return text if ok and text else None


def install(ctx: GuiContext, *, stop_imports: Callable[[], None]) -> OfflineController:
    """File ▸ Take offline… and Sync back, and the banner of an offline copy;
    ``stop_imports`` turns the imports off in an offline copy."""
    return OfflineController(
        ctx,
        user=ctx.user,
        stop_imports=stop_imports,
        show_progress=ctx.show_progress,
        parent=ctx.parent,
    )
