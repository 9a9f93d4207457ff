"""Opening a workspace in the window, building the demo one, and what happens when either
fails: a base class of the application (application.py's GuiController), kept apart so
that the composition root stays small.

A workspace is opened on the database worker and handed to ``_install`` (the
application's); a demo workspace is built with a cancellable progress dialog, then
opened. A failure while a workspace is open is said and work goes on; at start-up (no
workspace yet) the user is asked what now: open another file, start with an empty
workspace, or quit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog

from app.gui.choice import CHOICE_QUIT, ask_choice
from app.gui.demo_workspace import FIRST_LAUNCH_DEMO_CUSTOMERS, build_demo_workspace
from app.gui.errors import ErrorPresenter, default_log_path, describe_error
from app.workspace import Workspace, default_workspace_path, open_workspace, to_url
from models.errors import UserFacingError, WorkspaceError
from views.kit.file_dialogs import open_file_name
from views.kit.jobs import JobRunner, Operation, TaskState
from views.shell.main_window import WORKSPACE_FILTER, MainWindow

log = logging.getLogger(__name__)

DEMO_REFUSAL_GUI = (
    "This file holds your own data; the demo will not overwrite it. "
    "Choose File ▸ New demo workspace… again and pick a new file name."
)

# Answers of the "what now?" question after a workspace could not be opened.
CHOICE_OPEN = "Open another file…"
CHOICE_EMPTY = "Start with an empty workspace"

ChooseFn = Callable[[str, str, Sequence[str]], str]
PathPromptFn = Callable[[], str | None]


class WorkspaceOpening(QObject):
    """Opens and builds workspaces for the window; asks what now when that fails.

    Signals:
        quit_requested(exit_code): the user chose to quit (e.g. after a failed start:
            exit code 1).
    """

    quit_requested = Signal(int)

    # Set by the application.
    window: MainWindow
    jobs: JobRunner
    presenter: ErrorPresenter
    workspace: Workspace | None

    def __init__(
        self,
        *,
        choose: ChooseFn | None,
        prompt_open_path: PathPromptFn | None,
        show_progress: bool,
    ) -> None:
        super().__init__()
        self.progress_dialog: QProgressDialog | None = None
        self._choose = choose or (
            lambda title, text, options: ask_choice(self.window, title, text, options)
        )
        self._prompt_open_path = prompt_open_path or self._ask_open_path
        self._show_progress = show_progress
        # Set when the start-up workspace could not be opened: quitting then exits with 1.
        self._start_failed = False

    def _install(self, workspace: Workspace) -> None:
        """Show the opened workspace (the application's)."""
        raise NotImplementedError

    def _ask_password_again(self, error: BaseException) -> bool:
        """Whether a shared workspace refused its password and the dialog asks again."""
        raise NotImplementedError

    def open_url(
        self,
        url: str,
        *,
        startup: bool = False,
        opener: Callable[[], Workspace] | None = None,
    ) -> Operation[Workspace]:
        """Open a workspace on the database worker and show it."""
        self.window.statusBar().showMessage("Opening workspace…")
        # An empty shared database is refused with the publish hint, never given a schema.
        open_fn = opener or (lambda: open_workspace(url, create_in_empty_database=False))
        return (
            self.jobs.operation(
                lambda _state: open_fn(),
                parent=self.window,
                key="controller.open",
                label="open workspace",
            )
            .success(self._install)
            .failure(lambda error: self.report_open_failure(error, startup=startup))
            .finished(lambda: self.window.statusBar().clearMessage())
            .run()
        )

    def build_demo(
        self, url: str, *, customers: int = FIRST_LAUNCH_DEMO_CUSTOMERS, startup: bool = False
    ) -> Operation[None]:
        """Build a demo workspace at url with a cancellable progress dialog, then open it."""
        dialog: QProgressDialog | None = None
        if self._show_progress:
            dialog = QProgressDialog("Building the demo workspace…", "Cancel", 0, 100, self.window)
            dialog.setWindowTitle("Account Radar")
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(0)
            dialog.setAutoClose(False)
            dialog.setAutoReset(False)
            dialog.setMinimumWidth(420)
            dialog.setValue(0)
            self.progress_dialog = dialog

        def task(state: TaskState) -> None:
            try:
                build_demo_workspace(
                    url,
                    customers=customers,
                    progress=state.progress,
                    cancelled=state.cancelled,
                    score=True,
                )
            except WorkspaceError as exc:
                if "--db" not in str(exc):
                    raise
                # The service speaks to the command line; the window has no --db.
                raise WorkspaceError(DEMO_REFUSAL_GUI) from exc

        def on_progress(fraction: float, message: str) -> None:
            if dialog is not None:
                dialog.setValue(round(fraction * 100))
                if message:
                    step = message if message.endswith("…") else f"{message}…"
                    dialog.setLabelText(f"Building the demo workspace\n{step}")

        def on_done() -> None:
            if dialog is not None:
                dialog.close()
                dialog.deleteLater()
            self.progress_dialog = None

        op = (
            self.jobs.operation(task, parent=self.window, key="controller.demo", label="build demo")
            .progress(on_progress)
            .success(lambda _none: self._open_after_build(url, startup=startup))
            .failure(lambda error: self.report_open_failure(error, startup=startup))
            .cancelled(lambda: self._on_demo_cancelled(startup=startup))
            .finished(on_done)
        )
        if dialog is not None:
            dialog.canceled.connect(op.cancel)
            dialog.show()
        return op.run()

    def _open_after_build(self, url: str, *, startup: bool) -> None:
        self.open_url(url, startup=startup)

    def _on_window_open_workspace_requested(self, path: str) -> None:
        self.open_url(to_url(path))

    def _on_window_demo_workspace_requested(self, path: str) -> None:
        self.build_demo(to_url(path))

    def report_open_failure(self, error: BaseException, *, startup: bool) -> None:
        """Tell the user a workspace could not be opened; at start-up, ask what now."""
        if self._ask_password_again(error):
            return  # a shared workspace wants its password: the dialog, prefilled
        if not startup or self.workspace is not None:
            # A workspace is still open: say what went wrong and keep working.
            self.presenter.present(error)
            return
        if isinstance(error, UserFacingError):
            text = str(error)
        else:
            # A bug: logged with its traceback, and said in the one question asked (an
            # error box on top of the question would be two dialogs at once).
            log.error("The workspace could not be opened", exc_info=error)
            _title, bug_text = describe_error(error, default_log_path())
            text = f"The workspace could not be opened.\n\n{bug_text}"
        self._start_failed = True
        self._ask_what_now("The workspace could not be opened", text, (CHOICE_OPEN, CHOICE_QUIT))

    def _on_demo_cancelled(self, *, startup: bool) -> None:
        if not startup or self.workspace is not None:
            self.window.statusBar().showMessage("Demo build cancelled; nothing was changed.", 8000)
            return
        self._ask_what_now(
            "No demo workspace",
            "The demo workspace was not built. You can start with an empty workspace, "
            "open an existing one, or quit.",
            (CHOICE_EMPTY, CHOICE_OPEN, CHOICE_QUIT),
        )

    def _ask_what_now(self, title: str, text: str, options: Sequence[str]) -> None:
        choice = self._choose(title, text, options)
        if choice == CHOICE_OPEN:
            path = self._prompt_open_path()
            if path:
                self.open_url(to_url(path), startup=True)
                return
            self._ask_what_now(title, text, options)
        elif choice == CHOICE_EMPTY:
            self.open_url(to_url(str(default_workspace_path())), startup=True)
        else:
            self.quit_requested.emit(1 if self._start_failed else 0)

    def _ask_open_path(self) -> str | None:
        path, _ = open_file_name(self.window, "Open workspace", str(Path.home()), WORKSPACE_FILTER)
        return path or None
