"""Since yesterday in the window: built off the UI thread, shown at start-up once a day
and from View ▸ Since yesterday… (Ctrl+Shift+Y); a line opens the customers it counts in
the Customers tab, or My work for tasks due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence

from app.gui.context import GuiContext, WindowContext
from app.workspace import Workspace
from services.listen.records import Digest, DigestLine
from views.digest.dialog import SinceDialog
from views.item_models.customer_filters import CustomerFilter
from views.kit.jobs import TaskState
from views.shell.main_window import TAB_MY_WORK

KEY_AT_STARTUP = "digest/at_startup"
KEY_LAST_SHOWN = "digest/last_shown"


def build(workspace: Workspace, reader: str | None = None) -> Digest:
    """The digest since yesterday (with what was assigned to ``reader``); on a worker."""
    from services.usecases.digest import daily_digest

    return daily_digest(workspace.engine, reader=reader)


class DigestController(QObject):
    """Opens Since yesterday for the window."""

    def __init__(
        self,
        context: WindowContext,
        settings: QSettings,
        *,
        at_startup: bool = True,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        window = context.window
        super().__init__(window)
        self._jobs = context.jobs
        self._window = window
        self._workspace = context.workspace
        self._settings = settings
        self._startup_allowed = at_startup
        self._today = today
        # Whose "Assigned to you" line: the Who I am name (the application sets it).
        self.reader: Callable[[], str | None] = lambda: None
        self.dialog: SinceDialog | None = None
        self.action = QAction("Since &yesterday…", window)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+Y"))
        self.action.setToolTip("What changed since yesterday: tickets, alerts, tasks, deals")
        self.action.triggered.connect(lambda: self.open())
        window.menus.view_menu.addAction(self.action)

    @property
    def shows_at_startup(self) -> bool:
        return str(self._settings.value(KEY_AT_STARTUP, "true")).lower() == "true"

    def workspace_opened(self) -> None:
        """At start-up (a workspace just opened): once a day, unless turned off."""
        if not self._startup_allowed or not self.shows_at_startup:
            return
        today = self._today().isoformat()
        if self._settings.value(KEY_LAST_SHOWN) == today:
            return
        self.open(startup=True)

    def open(self, *, startup: bool = False) -> None:
        """Since yesterday (Email ▸ Since yesterday…, or once a day at start-up: then not
        over a workspace with no customers yet, whose checklist is what there is to do)."""
        workspace = self._workspace()
        if workspace is None:
            return
        reader = self.reader()

        def task(_state: TaskState) -> Digest | None:
            from services.usecases.checklist import workspace_facts

            if startup and workspace_facts(workspace.engine).customers == 0:
                return None
            return build(workspace, reader)

        def done(digest: Digest | None) -> None:
            if digest is None:
                return
            if startup:  # shown today: not again until tomorrow
                self._settings.setValue(KEY_LAST_SHOWN, self._today().isoformat())
            self._show(digest)

        (
            self._jobs.operation(
                task,
                parent=self._window,
                key=("digest.build", id(self)),
                label="what changed since yesterday",
            )
            .success(done)
            .run()
        )

    def _show(self, digest: Digest) -> None:
        if self.dialog is not None:
            self.dialog.close()
        dialog = SinceDialog(digest, at_startup=self.shows_at_startup, parent=self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.line_clicked.connect(self._on_line_clicked)
        dialog.startup_changed.connect(
            lambda on: self._settings.setValue(KEY_AT_STARTUP, "true" if on else "false")
        )
        dialog.destroyed.connect(self._forget)
        self.dialog = dialog
        dialog.show()

    def _forget(self) -> None:
        self.dialog = None

    def _on_line_clicked(self, line: DigestLine) -> None:
        if line.opens == "my_work":
            self._window.tabs.setCurrentIndex(TAB_MY_WORK)
            return
        digest = self.dialog.digest if self.dialog is not None else None
        since = f" ({digest.since_text})" if digest is not None else ""
        self._window.open_customers(
            CustomerFilter(customer_ids=line.customer_ids, title=f"{line.text}{since}")
        )


def install(ctx: GuiContext) -> DigestController:
    """View ▸ Since yesterday…, and once a day when a workspace opens at start-up; its
    "Assigned to you" line is the user's (File ▸ Who I am…)."""
    controller = DigestController(ctx, ctx.settings, at_startup=ctx.show_progress)
    controller.reader = ctx.owner_name
    ctx.workspace_opened.connect(lambda _name: controller.workspace_opened())
    return controller
