"""File ▸ Open shared workspace…: a team's workspace on PostgreSQL, and its
password asked again whenever a shared workspace refuses it.

- The dialog (views/team/open_shared_dialog.py) asks where the workspace is and who
  connects. Connecting runs on the job runner's network pool, not the database worker: a
  server that does not answer must not hold up the reads of the workspace still open,
  and Cancel stops waiting at once (the attempt itself ends within the connect timeout;
  a workspace it opened after all is closed again).
- The workspace opens through ``app.workspace.open_workspace`` like any other; the one
  place that joins the password to the URL is services/team/connect.py. An empty
  database is refused with the publish hint, never given a schema.
- A password that worked is kept through services/core/credentials.py: in the system keyring
  when the box is ticked (and there is one), for this session in any case. It never
  reaches a setting, QSettings, the window's title or the log: the workspace keeps its
  URL without it and shows user@host/database.
- A shared workspace opened any other way (--db, $ACCOUNT_RADAR_DB, the organisation's
  ``workspace.location``, ``main.py workspace open URL``) whose stored password is
  refused, or that has none: ``ask_again`` shows the dialog, prefilled.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from app.gui.context import GuiContext
from app.gui.errors import BUG_MESSAGE
from app.workspace import Workspace, open_workspace
from models.errors import UserFacingError
from services.team.connect import (
    LoginRefused,
    SharedAddress,
    SharedWorkspaceError,
    keyring_problem_words,
    remember_password,
)
from views.kit.jobs import Operation, OperationCancelled, TaskState
from views.team.open_shared_dialog import OpenSharedDialog, SharedLogin, add_open_shared_action

log = logging.getLogger(__name__)

NO_WORKSPACE_MESSAGE = (
    "No workspace is open: File ▸ Open shared workspace… connects to your team's, "
    "File ▸ Open workspace… opens a file."
)
CANCELLED_MESSAGE = "Stopped waiting for the server; nothing was opened."


@dataclass
class OpenedShared:
    """A shared workspace opened on a worker, and what became of its password."""

    workspace: Workspace
    note: str | None  # why the password is kept for this session only, when it is


def open_shared(address: SharedAddress, login: SharedLogin, state: TaskState) -> OpenedShared:
    """Open the shared workspace at ``address`` with the typed password (or the stored
    one), then keep a typed password that worked. Blocking: runs on a worker."""
    workspace = open_workspace(
        address.url,
        password=login.password or None,
        create_in_empty_database=False,
        backup=False,
    )
    if state.cancelled():
        workspace.close()  # nobody waits for it any more
        raise OperationCancelled
    note = None
    if login.password:
        note = remember_password(address, login.password, in_keyring=login.remember)
    return OpenedShared(workspace, note)


class SharedWorkspaceController(QObject):
    """The Open shared workspace… entry, its dialog and its connection, for one window.

    Signals:
        shared_opened(display): a shared workspace from the dialog is shown
            (user@host/database).
    """

    shared_opened = Signal(str)

    def __init__(self, context: GuiContext, *, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.action = add_open_shared_action(context.window, context.window.menus)
        self.action.triggered.connect(self._on_action_triggered)
        self.dialog: OpenSharedDialog | None = None
        # The address the dialog was filled with: kept when the user changes none of its
        # parts, so that its driver and options (sslmode...) are kept too.
        self._prefilled: SharedAddress | None = None
        self._connecting: Operation[OpenedShared] | None = None

    # -- the dialog ----------------------------------------------------------------------

    def open_dialog(self, address: SharedAddress | None = None) -> OpenSharedDialog:
        """Show the dialog (window-modal, not blocking), filled with ``address``."""
        dialog = self.dialog
        if dialog is None:
            dialog = OpenSharedDialog(self._context.window)
            dialog.connect_requested.connect(self._on_dialog_connect_requested)
            dialog.cancel_requested.connect(self._on_dialog_cancel_requested)
            dialog.finished.connect(self._on_dialog_finished)
            self.dialog = dialog
            # Whether there is a keyring at all: the keyring may be slow to start.
            (
                self._context.jobs.operation(
                    lambda _state: keyring_problem_words(),
                    parent=dialog,
                    pool="work",
                    label="look for a system keyring",
                )
                .success(dialog.set_keyring_problem)
                .run()
            )
        if address is not None:
            dialog.set_address(address.host, address.port, address.database, address.user)
            self._prefilled = address
        dialog.open()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def ask_again(self, error: BaseException) -> bool:
        """A shared workspace refused its password, or has none stored: the dialog,
        prefilled, asks for it. False for any other error (not handled here)."""
        if not isinstance(error, LoginRefused):
            return False
        log.info("Asking the password again: %s", error.dialog_text)
        dialog = self.open_dialog(error.address)
        dialog.show_error(error.dialog_text, "password")
        return True

    def _on_action_triggered(self) -> None:
        self.open_dialog()

    def _on_dialog_finished(self, _result: int) -> None:
        if self._connecting is not None:
            self._connecting.cancel()
        dialog, self.dialog = self.dialog, None
        self._prefilled = None
        if dialog is not None:
            dialog.deleteLater()
        if self._context.workspace() is None:
            self._context.window.statusBar().showMessage(NO_WORKSPACE_MESSAGE)

    # -- connecting ----------------------------------------------------------------------

    def _address_of(self, login: SharedLogin) -> SharedAddress:
        known = self._prefilled
        if known is not None and (known.host, known.port, known.database, known.user) == (
            login.host,
            login.port,
            login.database,
            login.user,
        ):
            return known
        return SharedAddress.create(login.host, login.port, login.database, login.user)

    def _on_dialog_connect_requested(self, login: SharedLogin) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        address = self._address_of(login)
        dialog.set_busy(True, f"Connecting to {address.host} as {address.user}…")
        self._connecting = (
            self._context.jobs.operation(
                lambda state: open_shared(address, login, state),
                parent=self,
                pool="work",
                key=("shared.connect", id(self)),
                label="open a shared workspace",
            )
            .success(self._on_opened)
            .failure(self._on_failed)
            .finished(self._on_connecting_finished)
            .run()
        )

    def _on_dialog_cancel_requested(self) -> None:
        if self._connecting is not None:
            self._connecting.cancel()
        if self.dialog is not None:
            self.dialog.show_status(CANCELLED_MESSAGE)

    def _on_connecting_finished(self) -> None:
        self._connecting = None

    def _on_opened(self, opened: OpenedShared) -> None:
        workspace = opened.workspace
        self._context.show_workspace(workspace)
        if self.dialog is not None:
            self.dialog.accept()
        text = f"Opened the shared workspace {workspace.display_name}."
        if opened.note:
            text += f" {opened.note}"
        self._context.window.statusBar().showMessage(text, 15_000)
        self.shared_opened.emit(workspace.display_name)

    def _on_failed(self, error: BaseException) -> None:
        dialog = self.dialog
        if dialog is None:  # closed meanwhile: say it the usual way
            self._context.present(error)
            return
        if isinstance(error, LoginRefused):
            dialog.show_error(error.dialog_text, "password")
        elif isinstance(error, SharedWorkspaceError):
            dialog.show_error(str(error), error.field)
        elif isinstance(error, UserFacingError):
            dialog.show_error(str(error))
        else:
            log.error("Opening a shared workspace failed", exc_info=error)
            dialog.show_error(BUG_MESSAGE)


def install(ctx: GuiContext) -> SharedWorkspaceController:
    """File ▸ Open shared workspace… (a team's, on PostgreSQL), and its password asked
    again when a shared workspace refuses the stored one."""
    return SharedWorkspaceController(ctx, parent=ctx.parent)
